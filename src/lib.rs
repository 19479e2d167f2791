//! qmbot answers questions about China's national Quality Month (全国“质量月”)
//! from the official notices, and replies with cited snippets.
//!
//! The engine reads a corpus directory (`data/` with `catalog.toml`), repairs
//! PDF extraction damage, splits every notice into passages (attachment,
//! numbered item, who the item is about, themes and slogan lists), indexes them
//! with tantivy and a jieba tokenizer, and answers a question with quotes and
//! citations, or says plainly that the notices do not cover it.
//!
//! ```no_run
//! use qmbot::Engine;
//! let engine = Engine::load("data").unwrap();
//! let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
//! let answer = engine.answer("2024年全国质量月主题", today);
//! assert!(answer.found);
//! println!("{}", answer.to_plain());
//! ```
//!
//! The Telegram front end lives in [`bot`] and the daily slogan broadcasts in
//! [`broadcast`]; retrieval and answer composition never see teloxide.
//! [`ops`] serves health and metrics for running it in production, and the
//! question report ([`ops::stats`]). The state file ([`storage`]) keeps the
//! subscriptions, the pages of long answers ([`paging`]) and the question
//! counts; [`ratelimit`] decides how many replies a chat gets.
//! [`import`] turns a published notice (PDF, DOCX, web page) into corpus
//! text and a catalog entry; [`ops::check`] reports what the parser
//! understood of every notice, read by the engine's own loader
//! ([`corpus`]).

pub mod answer;
pub mod bot;
pub mod broadcast;
pub mod catalog;
pub mod config;
pub mod conversation;
pub mod corpus;
pub mod engine;
pub mod entities;
pub mod error;
pub mod format;
pub mod import;
pub mod index;
pub mod lexicon;
pub mod messages;
pub mod ops;
pub mod paging;
pub mod parse;
pub mod query;
pub mod ratelimit;
pub mod repair;
pub mod storage;
pub mod tokenizer;

pub use answer::{Answer, Block, Citation, Lang};
pub use engine::{Engine, SloganList};
pub use error::{Error, Result};
