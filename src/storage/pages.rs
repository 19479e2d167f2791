//! The pages of long answers (table `answer_pages`), kept so that an
//! answer's page buttons work across restarts. A row holds the pages' HTML
//! under a short random id (the one in the buttons' `callback_data`), and
//! when it was stored; nothing about who asked or where. Rows older than
//! [`KEEP_DAYS`] are purged, and a press on one is answered as expired.

use super::Db;
use crate::error::{Error, Result};
use crate::paging::PageId;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

/// How long an answer's pages are kept, in days.
pub const KEEP_DAYS: i64 = 30;

/// One page of a stored answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPage {
    /// The page's Telegram HTML.
    pub html: String,
    /// Its number, 1-based (clamped into the answer's pages).
    pub number: usize,
    /// How many pages the answer has.
    pub count: usize,
}

fn cutoff(now: DateTime<Utc>) -> i64 {
    now.timestamp() - KEEP_DAYS * 86_400
}

impl Db {
    /// Stores an answer's pages; returns their new id.
    pub fn save_pages(&self, pages: &[String], now: DateTime<Utc>) -> Result<PageId> {
        let json = serde_json::to_string(pages).map_err(|e| Error::Invalid {
            path: self.path.clone(),
            message: format!("pages not serialisable: {e}"),
        })?;
        let conn = self.conn();
        // A random id; a clash with a stored one (2^-64) is simply retried.
        for _ in 0..3 {
            let id: Option<String> = conn
                .query_row(
                    "INSERT INTO answer_pages (id, created_at, pages)
                     VALUES (lower(hex(randomblob(8))), ?1, ?2)
                     ON CONFLICT (id) DO NOTHING
                     RETURNING id",
                    params![now.timestamp(), json],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = id.as_deref().and_then(PageId::parse) {
                return Ok(id);
            }
        }
        Err(Error::Invalid {
            path: self.path.clone(),
            message: "could not draw a fresh page id".into(),
        })
    }

    /// Page `number` (1-based; clamped) of the answer `id`, or `None` when it
    /// is unknown or older than [`KEEP_DAYS`].
    pub fn page(&self, id: &PageId, number: usize, now: DateTime<Utc>) -> Result<Option<StoredPage>> {
        let json: Option<String> = self
            .conn()
            .query_row(
                "SELECT pages FROM answer_pages WHERE id = ?1 AND created_at >= ?2",
                params![id.as_str(), cutoff(now)],
                |r| r.get(0),
            )
            .optional()?;
        let Some(json) = json else {
            return Ok(None);
        };
        let mut pages: Vec<String> = match serde_json::from_str(&json) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(path = %self.path.display(), id = id.as_str(), error = %e, "a damaged answer_pages row");
                return Ok(None);
            }
        };
        if pages.is_empty() {
            return Ok(None);
        }
        let count = pages.len();
        let number = number.clamp(1, count);
        Ok(Some(StoredPage {
            html: pages.swap_remove(number - 1),
            number,
            count,
        }))
    }

    /// Deletes pages older than [`KEEP_DAYS`]; returns how many answers went.
    pub fn purge_pages(&self, now: DateTime<Utc>) -> Result<usize> {
        Ok(self
            .conn()
            .execute("DELETE FROM answer_pages WHERE created_at < ?1", params![cutoff(now)])?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 9, day, 8, 0, 0).unwrap()
    }

    #[test]
    fn pages_survive_reopening_and_expire() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let pages = vec!["<b>一</b>".to_string(), "二".to_string(), "三".to_string()];
        let id = Db::open(&path)?.save_pages(&pages, at(1))?;
        assert_eq!(id.as_str().len(), 16);

        let db = Db::open(&path)?;
        let p = db.page(&id, 2, at(2))?.unwrap();
        assert_eq!((p.html.as_str(), p.number, p.count), ("二", 2, 3));
        // Out-of-range numbers are clamped.
        assert_eq!(db.page(&id, 0, at(2))?.unwrap().number, 1);
        assert_eq!(db.page(&id, 99, at(2))?.unwrap().html, "三");
        // Unknown ids and old pages are not found.
        assert_eq!(db.page(&PageId::parse("0123456789abcdef").unwrap(), 1, at(2))?, None);
        let later = at(1) + chrono::Duration::days(KEEP_DAYS) + chrono::Duration::seconds(1);
        assert_eq!(db.page(&id, 1, later)?, None);

        let other = db.save_pages(&pages, at(20))?;
        assert_ne!(other, id);
        assert_eq!(db.purge_pages(later)?, 1);
        assert!(db.page(&other, 1, later)?.is_some());
        Ok(())
    }
}
