//! Subscriptions in SQLite (`[storage] path`): one row per chat, kept after
//! unsubscribing so the history of who subscribed when is not lost.
//!
//! The file is the bot's state file, opened by [`crate::storage::connect`]:
//! created on first use, WAL mode with `synchronous = NORMAL` (a committed
//! change survives the process being killed at any moment; only a power cut
//! or an OS crash can lose the last commits before the next checkpoint, see
//! the README's delivery windows), and its schema migrated in one `BEGIN
//! IMMEDIATE` transaction. The `subscription` table is versions 1 and 2 of
//! [`crate::storage::MIGRATIONS`].
//!
//! Every call blocks on SQLite: async code calls the store through
//! [`super::Broadcast`], which runs it on tokio's blocking pool.

use crate::error::Result;
use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::path::Path;
use std::sync::MutexGuard;

/// The schema version this build writes (the whole state file's; see
/// [`crate::storage`]).
pub use crate::storage::SCHEMA_VERSION;

/// One chat's subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Telegram chat id.
    pub chat_id: i64,
    /// `private`, `group`, `supergroup` or `channel`.
    pub chat_type: String,
    /// Local delivery time.
    pub time: NaiveTime,
    /// The zone of `time`.
    pub tz: Tz,
    /// Whether slogans are sent.
    pub active: bool,
    /// Local date of the last slogan Telegram accepted.
    pub last_delivered: Option<NaiveDate>,
    /// When that happened.
    pub last_delivered_at: Option<DateTime<Utc>>,
    /// Telegram's id of that message (`None` when the outcome is unknown).
    pub last_message_id: Option<i32>,
    /// Whether Telegram accepted that message or its outcome is unknown.
    pub last_delivery_status: Option<DeliveryStatus>,
    /// When the current time was set.
    pub subscribed_at: DateTime<Utc>,
    /// Who set it (Telegram user id), when known.
    pub subscribed_by: Option<i64>,
    /// Their name or @username at the time.
    pub subscribed_by_name: Option<String>,
    /// When the subscription stopped, if it did.
    pub deactivated_at: Option<DateTime<Utc>>,
    /// Why it stopped: `unsubscribed`, or the Telegram error that stopped it.
    pub deactivated_reason: Option<String>,
}

/// What is known about the last recorded delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Telegram accepted the message (`last_message_id` is its id).
    Accepted,
    /// The request left but no answer came (timeout, connection lost, a
    /// server error): Telegram may or may not have delivered it. The day
    /// counts as served, so the slogan is never sent twice.
    Unknown,
}

impl DeliveryStatus {
    fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Accepted => "accepted",
            DeliveryStatus::Unknown => "unknown",
        }
    }

    fn parse(s: &str) -> Option<DeliveryStatus> {
        match s {
            "accepted" => Some(DeliveryStatus::Accepted),
            "unknown" => Some(DeliveryStatus::Unknown),
            _ => None,
        }
    }
}

/// One delivery to record: Telegram accepted message `message_id`, or
/// (`None`) its outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// The chat.
    pub chat_id: i64,
    /// The local date served.
    pub date: NaiveDate,
    /// Telegram's id of the message, when it answered.
    pub message_id: Option<i32>,
    /// When it was sent.
    pub at: DateTime<Utc>,
}

/// A request to subscribe a chat (or change its time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscription {
    /// Telegram chat id.
    pub chat_id: i64,
    /// `private`, `group`, `supergroup` or `channel`.
    pub chat_type: String,
    /// Local delivery time.
    pub time: NaiveTime,
    /// The zone of `time`.
    pub tz: Tz,
    /// When the request was made.
    pub at: DateTime<Utc>,
    /// Who made it (Telegram user id).
    pub by: Option<i64>,
    /// Their name or @username.
    pub by_name: Option<String>,
}

/// What [`Store::subscribe`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscribed {
    /// The chat was not subscribed before.
    New,
    /// The chat had unsubscribed (or been deactivated) and is back.
    Reactivated,
    /// The chat was subscribed at another time or zone.
    Changed {
        /// The time before.
        time: NaiveTime,
        /// The zone before.
        tz: Tz,
    },
    /// Already subscribed at this time and zone: nothing changed.
    Unchanged,
}

/// The subscription database (the state file's subscription tables,
/// through the same connection type as the bot's other records).
pub struct Store {
    db: crate::storage::Db,
}

impl Store {
    /// Opens the store at `path`, creating the file (and its directory) and
    /// bringing the schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Ok(Store {
            db: crate::storage::Db::open(path)?,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        self.db.path()
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.db.conn()
    }

    /// Subscribes a chat, or changes its time; keeps the last delivered date
    /// so a chat never gets a second slogan on a day it already had one.
    pub fn subscribe(&self, new: &NewSubscription) -> Result<Subscribed> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let old = get(&tx, new.chat_id)?;
        let outcome = match &old {
            None => Subscribed::New,
            Some(s) if !s.active => Subscribed::Reactivated,
            Some(s) if s.time == new.time && s.tz == new.tz => Subscribed::Unchanged,
            Some(s) => Subscribed::Changed { time: s.time, tz: s.tz },
        };
        if outcome != Subscribed::Unchanged {
            tx.execute(
                "INSERT INTO subscription
                    (chat_id, chat_type, local_time, timezone, active, subscribed_at, subscribed_by, subscribed_by_name)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7)
                 ON CONFLICT (chat_id) DO UPDATE SET
                    chat_type = excluded.chat_type, local_time = excluded.local_time,
                    timezone = excluded.timezone, active = 1,
                    subscribed_at = excluded.subscribed_at, subscribed_by = excluded.subscribed_by,
                    subscribed_by_name = excluded.subscribed_by_name,
                    deactivated_at = NULL, deactivated_reason = NULL",
                params![
                    new.chat_id,
                    new.chat_type,
                    time_text(new.time),
                    new.tz.name(),
                    stamp(new.at),
                    new.by,
                    new.by_name,
                ],
            )?;
        }
        tx.commit()?;
        Ok(outcome)
    }

    /// Inserts or replaces many subscriptions in one transaction (for
    /// imports and benchmarks); returns how many were written.
    pub fn subscribe_all(&self, subs: &[NewSubscription]) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare(
                "INSERT OR REPLACE INTO subscription
                    (chat_id, chat_type, local_time, timezone, active, subscribed_at, subscribed_by, subscribed_by_name)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7)",
            )?;
            for new in subs {
                stmt.execute(params![
                    new.chat_id,
                    new.chat_type,
                    time_text(new.time),
                    new.tz.name(),
                    stamp(new.at),
                    new.by,
                    new.by_name,
                ])?;
            }
        }
        tx.commit()?;
        Ok(subs.len())
    }

    /// Stops a chat's slogans; returns whether it was subscribed.
    pub fn unsubscribe(&self, chat_id: i64, at: DateTime<Utc>) -> Result<bool> {
        self.deactivate(chat_id, "unsubscribed", at)
    }

    /// Stops a chat's slogans for `reason`; returns whether it was active.
    pub fn deactivate(&self, chat_id: i64, reason: &str, at: DateTime<Utc>) -> Result<bool> {
        let n = self.conn().execute(
            "UPDATE subscription SET active = 0, deactivated_at = ?2, deactivated_reason = ?3
             WHERE chat_id = ?1 AND active = 1",
            params![chat_id, stamp(at), reason],
        )?;
        Ok(n > 0)
    }

    /// Records that Telegram accepted `date`'s slogan for a chat. Never moves
    /// the date backwards.
    pub fn mark_delivered(&self, chat_id: i64, date: NaiveDate, message_id: i32, at: DateTime<Utc>) -> Result<()> {
        self.record_all(&[Delivery {
            chat_id,
            date,
            message_id: Some(message_id),
            at,
        }])
    }

    /// Records that `date`'s slogan was sent to a chat but its outcome is
    /// unknown (see [`DeliveryStatus::Unknown`]): the day counts as served.
    pub fn mark_unknown(&self, chat_id: i64, date: NaiveDate, at: DateTime<Utc>) -> Result<()> {
        self.record_all(&[Delivery {
            chat_id,
            date,
            message_id: None,
            at,
        }])
    }

    /// Records several deliveries in one transaction (all or none).
    pub fn record_all(&self, deliveries: &[Delivery]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE subscription
                 SET last_delivered = ?2, last_message_id = ?3, last_delivered_at = ?4, last_delivery_status = ?5
                 WHERE chat_id = ?1 AND (last_delivered IS NULL OR last_delivered < ?2)",
            )?;
            for d in deliveries {
                let status = match d.message_id {
                    Some(_) => DeliveryStatus::Accepted,
                    None => DeliveryStatus::Unknown,
                };
                stmt.execute(params![
                    d.chat_id,
                    date_text(d.date),
                    d.message_id,
                    stamp(d.at),
                    status.as_str()
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Moves a group's subscription to the supergroup it became. If the
    /// supergroup already has an active subscription of its own, that one
    /// stays and the old row is dropped. Returns the subscription now in
    /// force for `to`, if any.
    pub fn migrate(&self, from: i64, to: i64) -> Result<Option<Subscription>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let old = get(&tx, from)?;
        let existing = get(&tx, to)?;
        match (old, existing) {
            (None, _) => {}
            (Some(old), Some(existing)) if existing.active || !old.active => {
                let last = old.last_delivered.max(existing.last_delivered);
                tx.execute("DELETE FROM subscription WHERE chat_id = ?1", params![from])?;
                if let Some(last) = last {
                    tx.execute(
                        "UPDATE subscription SET last_delivered = ?2
                         WHERE chat_id = ?1 AND (last_delivered IS NULL OR last_delivered < ?2)",
                        params![to, date_text(last)],
                    )?;
                }
            }
            (Some(old), existing) => {
                let last = old.last_delivered.max(existing.and_then(|e| e.last_delivered));
                tx.execute("DELETE FROM subscription WHERE chat_id = ?1", params![to])?;
                tx.execute(
                    "UPDATE subscription SET chat_id = ?2, chat_type = 'supergroup', last_delivered = ?3
                     WHERE chat_id = ?1",
                    params![from, to, last.map(date_text)],
                )?;
            }
        }
        let now = get(&tx, to)?;
        tx.commit()?;
        Ok(now)
    }

    /// One chat's subscription, active or not.
    pub fn get(&self, chat_id: i64) -> Result<Option<Subscription>> {
        get(&self.conn(), chat_id)
    }

    /// The subscriptions of some chats, active or not, in one go; chats
    /// without a row (or with a damaged one, which is logged) are left out.
    pub fn get_many(&self, chat_ids: &[i64]) -> Result<Vec<Subscription>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT * FROM subscription WHERE chat_id = ?1")?;
        let mut subs = Vec::with_capacity(chat_ids.len());
        for &id in chat_ids {
            match stmt.query_row(params![id], from_row).optional() {
                Ok(Some(sub)) => subs.push(sub),
                Ok(None) => {}
                Err(e @ rusqlite::Error::FromSqlConversionFailure(..)) => {
                    tracing::error!(path = %self.path().display(), chat_id = id, error = %e, "skipping a damaged subscription row")
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(subs)
    }

    /// Every active subscription.
    pub fn active(&self) -> Result<Vec<Subscription>> {
        self.query("SELECT * FROM subscription WHERE active = 1 ORDER BY chat_id")
    }

    /// Every subscription, active or not.
    pub fn all(&self) -> Result<Vec<Subscription>> {
        self.query("SELECT * FROM subscription ORDER BY chat_id")
    }

    fn query(&self, sql: &str) -> Result<Vec<Subscription>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(sql)?;
        let mut subs = Vec::new();
        for row in stmt.query_map([], from_row)? {
            match row {
                Ok(sub) => subs.push(sub),
                // One damaged row (say, a hand-edited zone) must not stop
                // everyone else's slogans.
                Err(e @ rusqlite::Error::FromSqlConversionFailure(..)) => {
                    tracing::error!(path = %self.path().display(), error = %e, "skipping a damaged subscription row")
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(subs)
    }
}

fn get(conn: &Connection, chat_id: i64) -> Result<Option<Subscription>> {
    Ok(conn
        .query_row(
            "SELECT * FROM subscription WHERE chat_id = ?1",
            params![chat_id],
            from_row,
        )
        .optional()?)
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Subscription> {
    Ok(Subscription {
        chat_id: row.get("chat_id")?,
        chat_type: row.get("chat_type")?,
        time: parse(row, "local_time", |s| NaiveTime::parse_from_str(s, "%H:%M:%S").ok())?,
        tz: parse(row, "timezone", |s| s.parse::<Tz>().ok())?,
        active: row.get("active")?,
        last_delivered: parse_opt(row, "last_delivered", |s| s.parse::<NaiveDate>().ok())?,
        last_delivered_at: parse_opt(row, "last_delivered_at", parse_stamp)?,
        last_message_id: row.get("last_message_id")?,
        last_delivery_status: parse_opt(row, "last_delivery_status", DeliveryStatus::parse)?,
        subscribed_at: parse(row, "subscribed_at", parse_stamp)?,
        subscribed_by: row.get("subscribed_by")?,
        subscribed_by_name: row.get("subscribed_by_name")?,
        deactivated_at: parse_opt(row, "deactivated_at", parse_stamp)?,
        deactivated_reason: row.get("deactivated_reason")?,
    })
}

fn parse<T>(row: &Row<'_>, col: &str, f: impl Fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    parse_opt(row, col, f)?.ok_or_else(|| bad_value(row, col, "NULL".into()))
}

fn parse_opt<T>(row: &Row<'_>, col: &str, f: impl Fn(&str) -> Option<T>) -> rusqlite::Result<Option<T>> {
    match row.get::<_, Option<String>>(col)? {
        None => Ok(None),
        Some(s) => f(&s).map(Some).ok_or_else(|| bad_value(row, col, s)),
    }
}

fn bad_value(row: &Row<'_>, col: &str, value: String) -> rusqlite::Error {
    let idx = row.as_ref().column_index(col).unwrap_or(0);
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        rusqlite::types::Type::Text,
        format!("column {col}: unexpected value {value:?}").into(),
    )
}

fn parse_stamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.with_timezone(&Utc))
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn time_text(t: NaiveTime) -> String {
    t.format("%H:%M:%S").to_string()
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 9, 10, h, m, 0).unwrap()
    }
    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }
    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 9, d).unwrap()
    }
    fn sub(chat_id: i64, time: NaiveTime) -> NewSubscription {
        NewSubscription {
            chat_id,
            chat_type: "group".into(),
            time,
            tz: chrono_tz::Asia::Shanghai,
            at: at(1, 0),
            by: Some(7),
            by_name: Some("@admin".into()),
        }
    }

    #[test]
    fn creates_file_dir_schema_and_wal() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/deeper/qmbot.sqlite3");
        let store = Store::open(&path)?;
        assert!(path.is_file());
        let conn = store.conn();
        let v: i32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        assert_eq!(v, SCHEMA_VERSION);
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        assert_eq!(mode, "wal");
        Ok(())
    }

    #[test]
    fn subscribe_change_unsubscribe_and_back() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.sqlite3"))?;
        assert_eq!(store.subscribe(&sub(-100, hm(9, 0)))?, Subscribed::New);
        assert_eq!(store.subscribe(&sub(-100, hm(9, 0)))?, Subscribed::Unchanged);
        assert_eq!(
            store.subscribe(&NewSubscription {
                at: at(2, 0),
                ..sub(-100, hm(8, 30))
            })?,
            Subscribed::Changed {
                time: hm(9, 0),
                tz: chrono_tz::Asia::Shanghai
            }
        );
        let s = store.get(-100)?.unwrap();
        assert_eq!((s.time, s.subscribed_at, s.active), (hm(8, 30), at(2, 0), true));
        assert_eq!(s.subscribed_by_name.as_deref(), Some("@admin"));

        store.mark_delivered(-100, day(10), 42, at(3, 0))?;
        assert!(store.unsubscribe(-100, at(4, 0))?);
        assert!(!store.unsubscribe(-100, at(4, 0))?);
        let s = store.get(-100)?.unwrap();
        assert!(!s.active);
        assert_eq!(s.deactivated_reason.as_deref(), Some("unsubscribed"));
        assert!(store.active()?.is_empty());

        assert_eq!(store.subscribe(&sub(-100, hm(8, 30)))?, Subscribed::Reactivated);
        let s = store.get(-100)?.unwrap();
        assert!(s.active && s.deactivated_reason.is_none());
        // The day already served stays served.
        assert_eq!(s.last_delivered, Some(day(10)));
        Ok(())
    }

    #[test]
    fn delivery_date_only_moves_forward_and_survives_reopen() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        {
            let store = Store::open(&path)?;
            store.subscribe(&sub(1, hm(9, 0)))?;
            store.mark_delivered(1, day(10), 5, at(1, 0))?;
            store.mark_delivered(1, day(9), 4, at(1, 0))?;
        }
        let store = Store::open(&path)?;
        let s = store.get(1)?.unwrap();
        assert_eq!((s.last_delivered, s.last_message_id), (Some(day(10)), Some(5)));
        assert_eq!(s.last_delivered_at, Some(at(1, 0)));
        Ok(())
    }

    #[test]
    fn deactivate_keeps_others() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.sqlite3"))?;
        store.subscribe(&sub(1, hm(9, 0)))?;
        store.subscribe(&sub(2, hm(9, 0)))?;
        assert!(store.deactivate(1, "blocked", at(5, 0))?);
        let active: Vec<i64> = store.active()?.iter().map(|s| s.chat_id).collect();
        assert_eq!(active, vec![2]);
        assert_eq!(store.all()?.len(), 2);
        assert_eq!(store.get(1)?.unwrap().deactivated_at, Some(at(5, 0)));
        Ok(())
    }

    #[test]
    fn migrate_moves_the_row() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.sqlite3"))?;
        store.subscribe(&sub(-5, hm(7, 15)))?;
        store.mark_delivered(-5, day(9), 1, at(0, 0))?;
        let moved = store.migrate(-5, -1005)?.unwrap();
        assert_eq!((moved.chat_id, moved.chat_type.as_str()), (-1005, "supergroup"));
        assert_eq!((moved.time, moved.last_delivered), (hm(7, 15), Some(day(9))));
        assert!(store.get(-5)?.is_none());
        // Migrating an unknown chat changes nothing.
        assert!(store.migrate(-6, -1006)?.is_none());
        Ok(())
    }

    #[test]
    fn migrate_onto_an_existing_subscription_keeps_it() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.sqlite3"))?;
        store.subscribe(&sub(-5, hm(7, 15)))?;
        store.mark_delivered(-5, day(10), 1, at(0, 0))?;
        store.subscribe(&NewSubscription {
            chat_type: "supergroup".into(),
            ..sub(-1005, hm(20, 0))
        })?;
        let kept = store.migrate(-5, -1005)?.unwrap();
        assert_eq!((kept.time, kept.last_delivered), (hm(20, 0), Some(day(10))));
        assert_eq!(store.all()?.len(), 1);
        Ok(())
    }

    #[test]
    fn a_version_1_file_is_migrated_and_keeps_everything() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        {
            // A file as the first release wrote it.
            let conn = Connection::open(&path)?;
            conn.execute_batch(crate::storage::MIGRATIONS[0])?;
            conn.pragma_update(None, "user_version", 1)?;
            conn.execute(
                "INSERT INTO subscription (chat_id, chat_type, local_time, timezone, active, last_delivered,
                    last_delivered_at, last_message_id, subscribed_at, subscribed_by, subscribed_by_name)
                 VALUES (-42, 'group', '07:30:00', 'Europe/Berlin', 1, '2024-09-09',
                    '2024-09-09T05:30:00.000Z', 77, '2024-09-01T00:00:00.000Z', 5, '@old')",
                [],
            )?;
            conn.execute(
                "INSERT INTO subscription (chat_id, chat_type, local_time, timezone, active, subscribed_at,
                    deactivated_at, deactivated_reason)
                 VALUES (8, 'private', '09:00:00', 'Asia/Shanghai', 0, '2024-09-01T00:00:00.000Z',
                    '2024-09-02T00:00:00.000Z', 'unsubscribed')",
                [],
            )?;
        }
        let store = Store::open(&path)?;
        let v: i32 = store.conn().pragma_query_value(None, "user_version", |r| r.get(0))?;
        assert_eq!(v, SCHEMA_VERSION);
        let old = store.get(-42)?.unwrap();
        assert_eq!(
            (old.time, old.tz, old.last_delivered, old.last_message_id),
            (hm(7, 30), chrono_tz::Europe::Berlin, Some(day(9)), Some(77))
        );
        assert_eq!(old.last_delivery_status, Some(DeliveryStatus::Accepted));
        assert_eq!(old.subscribed_by_name.as_deref(), Some("@old"));
        let gone = store.get(8)?.unwrap();
        assert!(!gone.active && gone.last_delivery_status.is_none());
        assert_eq!(gone.deactivated_reason.as_deref(), Some("unsubscribed"));
        // Opening again changes nothing.
        drop(store);
        assert_eq!(Store::open(&path)?.get(-42)?.unwrap(), old);
        Ok(())
    }

    #[test]
    fn an_unknown_outcome_counts_as_served() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.sqlite3"))?;
        store.subscribe(&sub(3, hm(9, 0)))?;
        store.mark_unknown(3, day(10), at(1, 0))?;
        let s = store.get(3)?.unwrap();
        assert_eq!(
            (s.last_delivered, s.last_message_id, s.last_delivery_status),
            (Some(day(10)), None, Some(DeliveryStatus::Unknown))
        );
        store.mark_delivered(3, day(11), 9, at(2, 0))?;
        let s = store.get(3)?.unwrap();
        assert_eq!(s.last_delivery_status, Some(DeliveryStatus::Accepted));
        let many = store.get_many(&[3, 4])?;
        assert_eq!(many.len(), 1);
        Ok(())
    }

    #[test]
    fn newer_schema_is_refused() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        Connection::open(&path)?.pragma_update(None, "user_version", SCHEMA_VERSION + 1)?;
        let err = Store::open(&path).err().expect("must refuse");
        assert!(err.to_string().contains("newer"), "{err}");
        Ok(())
    }

    #[test]
    fn damaged_row_is_an_error_and_skipped_by_the_scheduler() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.sqlite3"))?;
        store.subscribe(&sub(1, hm(9, 0)))?;
        store.subscribe(&sub(2, hm(9, 0)))?;
        store
            .conn()
            .execute("UPDATE subscription SET timezone = 'Mars/Base' WHERE chat_id = 1", [])?;
        let err = store.get(1).unwrap_err();
        assert!(err.to_string().contains("timezone"), "{err}");
        // The others are still served.
        let active: Vec<i64> = store.active()?.iter().map(|s| s.chat_id).collect();
        assert_eq!(active, vec![2]);
        Ok(())
    }
}
