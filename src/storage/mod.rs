//! The state file (`[storage] path`): one SQLite database that holds the
//! daily slogans' subscriptions ([`crate::broadcast::store`]), the pages of
//! long answers ([`pages`]) and the question counts ([`questions`]).
//!
//! [`connect`] opens it the same way for every user: the file and its
//! directory are created on first use; WAL mode with `synchronous = NORMAL`
//! (a committed change survives the process being killed at any moment;
//! only a power cut or an OS crash can lose the last commits before the next
//! checkpoint); write transactions that take the write lock when they begin.
//! The schema version is `PRAGMA user_version`: each entry of [`MIGRATIONS`]
//! brings the file one version further, up to [`SCHEMA_VERSION`], all in one
//! `BEGIN IMMEDIATE` transaction that reads the version under the write lock,
//! so two processes opening an old file at once cannot both migrate it. An
//! older qmbot refuses a newer file.
//!
//! Every call blocks on SQLite: async code goes through [`Db::call`] (or
//! [`crate::broadcast::Broadcast::store_call`]), on tokio's blocking pool.

pub mod pages;
pub mod questions;

use crate::error::{Error, Result};
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// Schema migrations; after applying entry `i` the file is at version
/// `i + 1`. Each says which module owns its tables.
pub const MIGRATIONS: &[&str] = &[
    "
-- Version 1 (broadcast::store): one row per chat that ever subscribed.
CREATE TABLE subscription (
    chat_id            INTEGER PRIMARY KEY,  -- Telegram chat id
    chat_type          TEXT    NOT NULL,     -- private, group, supergroup, channel
    local_time         TEXT    NOT NULL,     -- HH:MM:SS on the chat's clock
    timezone           TEXT    NOT NULL,     -- IANA zone name
    active             INTEGER NOT NULL CHECK (active IN (0, 1)),
    last_delivered     TEXT,                 -- local date (YYYY-MM-DD) of the last slogan Telegram accepted
    last_delivered_at  TEXT,                 -- when (UTC, RFC 3339)
    last_message_id    INTEGER,              -- Telegram's id of that message
    subscribed_at      TEXT    NOT NULL,     -- when the current time was set (UTC, RFC 3339)
    subscribed_by      INTEGER,              -- Telegram user id who did it
    subscribed_by_name TEXT,                 -- their name or @username then
    deactivated_at     TEXT,                 -- when the subscription stopped
    deactivated_reason TEXT                  -- unsubscribed, blocked, kicked, chat not found...
) STRICT;
CREATE INDEX subscription_active ON subscription (active);
",
    "
-- Version 2 (broadcast::store): whether the last recorded delivery was
-- accepted by Telegram or its outcome is unknown (the request left, no answer
-- came: never resent).
ALTER TABLE subscription ADD COLUMN last_delivery_status TEXT
    CHECK (last_delivery_status IN ('accepted', 'unknown'));
UPDATE subscription SET last_delivery_status = 'accepted' WHERE last_delivered IS NOT NULL;
",
    "
-- Version 3 (storage::pages): the pages of a long answer, so its buttons
-- keep working after a restart. No chat or user ids.
CREATE TABLE answer_pages (
    id         TEXT    PRIMARY KEY,  -- the short id in the buttons' callback_data
    created_at INTEGER NOT NULL,     -- Unix seconds
    pages      TEXT    NOT NULL      -- JSON array of the pages' Telegram HTML
) STRICT;
CREATE INDEX answer_pages_created ON answer_pages (created_at);

-- Version 3 (storage::questions): how many questions were asked and answered
-- per day, and the questions the notices did not cover. No chat or user ids.
CREATE TABLE question_day (
    day      TEXT    PRIMARY KEY,  -- local date (YYYY-MM-DD, [broadcast] timezone)
    asked    INTEGER NOT NULL,     -- questions asked that day
    answered INTEGER NOT NULL      -- of which answered (found: true)
) STRICT;
CREATE TABLE unanswered_question (
    text       TEXT    PRIMARY KEY,  -- the question, normalised (query::normalize)
    count      INTEGER NOT NULL,     -- how often it was asked
    first_seen TEXT    NOT NULL,     -- UTC, RFC 3339
    last_seen  TEXT    NOT NULL      -- UTC, RFC 3339
) STRICT;
CREATE INDEX unanswered_question_last_seen ON unanswered_question (last_seen);
",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// Opens the state file at `path` (creating it and its directory), with WAL
/// and the schema brought up to [`SCHEMA_VERSION`].
pub fn connect(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(path = %path.display(), mode, "SQLite refused WAL mode");
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Every write transaction takes the write lock when it begins, so a
    // read-then-write never fails halfway with SQLITE_BUSY.
    conn.set_transaction_behavior(TransactionBehavior::Immediate);
    migrate(&mut conn, path)?;
    Ok(conn)
}

/// Opens an existing state file read-only (for reports while the bot runs);
/// it must be at least at schema `version`.
pub fn connect_read_only(path: &Path, version: i32) -> Result<Connection> {
    use rusqlite::OpenFlags;
    if !path.is_file() {
        return Err(Error::Invalid {
            path: path.to_path_buf(),
            message: "no state file here (the bot creates it when it first runs; check [storage] path)".into(),
        });
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let found: i32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found < version {
        return Err(Error::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "schema version {found} predates what this report needs ({version}); start the newer bot once to upgrade it"
            ),
        });
    }
    Ok(conn)
}

/// Brings the schema up to [`SCHEMA_VERSION`] in one `BEGIN IMMEDIATE`
/// transaction; the version is read inside it, under the write lock.
fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Error::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "schema version {version} is newer than this qmbot understands ({SCHEMA_VERSION}); \
                 use a newer qmbot or restore a backup"
            ),
        });
    }
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    for sql in MIGRATIONS.iter().skip(version.max(0) as usize) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    tracing::info!(path = %path.display(), from = version, to = SCHEMA_VERSION, "state file migrated");
    Ok(())
}

/// The bot's own records in the state file: pages of long answers and
/// question counts (their methods are in [`pages`] and [`questions`]).
pub struct Db {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl Db {
    /// Opens (creating and migrating when needed) the state file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Db> {
        let path = path.as_ref().to_path_buf();
        let conn = connect(&path)?;
        Ok(Db {
            path,
            conn: Mutex::new(conn),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (every change is one statement or transaction), so go on.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on tokio's blocking pool, off the async workers. A panic in
    /// `f` becomes an error.
    pub async fn call<T, F>(self: &Arc<Self>, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Db) -> Result<T> + Send + 'static,
    {
        let db = self.clone();
        match tokio::task::spawn_blocking(move || f(&db)).await {
            Ok(result) => result,
            Err(e) => Err(Error::Invalid {
                path: self.path.clone(),
                message: format!("storage task failed: {e}"),
            }),
        }
    }

    /// Deletes what is kept no longer: pages older than
    /// [`pages::KEEP_DAYS`], question counts older than
    /// [`questions::KEEP_DAYS`]. Returns how many rows went.
    pub fn purge(&self, now: chrono::DateTime<chrono::Utc>, today: chrono::NaiveDate) -> Result<usize> {
        Ok(self.purge_pages(now)? + self.purge_questions(now, today)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_the_file_with_every_table() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|source| Error::Io {
            path: PathBuf::from("tempdir"),
            source,
        })?;
        let path = dir.path().join("state/deeper/qmbot.sqlite3");
        let db = Db::open(&path)?;
        let conn = db.conn();
        let v: i32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        assert_eq!(v, SCHEMA_VERSION);
        for table in ["subscription", "answer_pages", "question_day", "unanswered_question"] {
            let n: i64 = conn.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )?;
            assert_eq!(n, 1, "{table}");
        }
        Ok(())
    }

    #[test]
    fn read_only_needs_an_existing_file_at_the_version() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|source| Error::Io {
            path: PathBuf::from("tempdir"),
            source,
        })?;
        let path = dir.path().join("s.sqlite3");
        let err = connect_read_only(&path, SCHEMA_VERSION).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("no state file")));
        {
            let old = Connection::open(&path)?;
            old.execute_batch(MIGRATIONS[0])?;
            old.pragma_update(None, "user_version", 1)?;
        }
        let err = connect_read_only(&path, SCHEMA_VERSION).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("predates")));
        drop(Db::open(&path)?);
        assert!(connect_read_only(&path, SCHEMA_VERSION).is_ok());
        Ok(())
    }
}
