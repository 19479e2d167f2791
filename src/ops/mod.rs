//! Operating the bot: checking the corpus before it is served
//! (`qmbot check`), in production the health and metrics endpoint
//! (`[http] listen`) with the counters behind `/metrics`, the question
//! report of `/stats` and `qmbot stats` ([`stats`]), and the jieba + BM25
//! peer `qmbot bench` measures the engine against ([`peer`]).
//!
//! Nothing here knows teloxide: the bot reports what happens through
//! [`metrics`], and [`health`] serves what it is told.

pub mod check;
pub mod health;
pub mod metrics;
pub mod peer;
pub mod stats;
