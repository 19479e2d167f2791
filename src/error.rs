//! The library's error type. A question the notices do not cover is a normal
//! [`crate::Answer`] with `found == false`, never an error.

use std::path::PathBuf;

/// Everything that can go wrong while loading the corpus or the state.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The catalog or a config file is malformed.
    #[error("{path}: {message}")]
    Invalid {
        /// The file with the problem.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The search index failed.
    #[error("index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The state file (SQLite) failed.
    #[error("storage: {0}")]
    Storage(#[from] rusqlite::Error),
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
