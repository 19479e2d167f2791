//! Running the bot in production: the health and metrics endpoint
//! (`[http] listen`) and the counters behind `/metrics`.
//!
//! Nothing here knows teloxide: the bot reports what happens through
//! [`metrics`], and [`health`] serves what it is told.

pub mod health;
pub mod metrics;
