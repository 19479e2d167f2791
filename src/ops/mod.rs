//! Operating the bot: checking the corpus before it is served
//! (`qmbot check`), and in production the health and metrics endpoint
//! (`[http] listen`) with the counters behind `/metrics`, and the question
//! report of `/stats` and `qmbot stats` ([`stats`]).
//!
//! Nothing here knows teloxide: the bot reports what happens through
//! [`metrics`], and [`health`] serves what it is told.

pub mod check;
pub mod health;
pub mod metrics;
pub mod stats;
