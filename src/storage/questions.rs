//! Question counts (tables `question_day` and `unanswered_question`): per
//! local day how many questions were asked and how many the notices
//! answered, and every question they did not answer, normalised, with how
//! often and when it was first and last asked. This tells the operators
//! what people want that the notices lack. No chat or user ids are stored;
//! rows older than [`KEEP_DAYS`] are deleted.

use super::Db;
use crate::error::Result;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{params, Connection};

/// How long counts are kept, in days.
pub const KEEP_DAYS: i64 = 90;

/// How many unanswered questions a report lists.
pub const TOP_UNANSWERED: usize = 10;

/// Questions asked over some days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Questions asked.
    pub asked: u64,
    /// Of which the notices answered.
    pub answered: u64,
}

/// A question the notices did not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered {
    /// The question, normalised.
    pub text: String,
    /// How often it was asked.
    pub count: u64,
    /// When it was first asked.
    pub first_seen: DateTime<Utc>,
    /// When it was last asked.
    pub last_seen: DateTime<Utc>,
}

/// What the store says about the questions asked up to `today`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counts {
    /// The local day the report is for.
    pub today: NaiveDate,
    /// Questions of `today`.
    pub today_tally: Tally,
    /// Questions of the 7 days ending with `today`.
    pub week: Tally,
    /// The most asked unanswered questions (at most [`TOP_UNANSWERED`]).
    pub unanswered: Vec<Unanswered>,
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_stamp(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Db {
    /// Counts one question asked on local day `day`: answered (`found`) or
    /// not; an unanswered one is counted under its normalised `text`.
    pub fn record_question(&self, day: NaiveDate, text: &str, found: bool, at: DateTime<Utc>) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO question_day (day, asked, answered) VALUES (?1, 1, ?2)
             ON CONFLICT (day) DO UPDATE SET asked = asked + 1, answered = answered + excluded.answered",
            params![day_text(day), i64::from(found)],
        )?;
        let text = text.trim();
        if !found && !text.is_empty() {
            let at = stamp(at);
            tx.execute(
                "INSERT INTO unanswered_question (text, count, first_seen, last_seen) VALUES (?1, 1, ?2, ?2)
                 ON CONFLICT (text) DO UPDATE SET count = count + 1, last_seen = excluded.last_seen",
                params![text, at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Today's and the last 7 days' counts, and the most asked unanswered
    /// questions.
    pub fn question_counts(&self, today: NaiveDate) -> Result<Counts> {
        counts(&self.conn(), today)
    }

    /// Deletes days before `today - KEEP_DAYS` and unanswered questions not
    /// asked since `now - KEEP_DAYS`; returns how many rows went.
    pub fn purge_questions(&self, now: DateTime<Utc>, today: NaiveDate) -> Result<usize> {
        let conn = self.conn();
        let days = conn.execute(
            "DELETE FROM question_day WHERE day < ?1",
            params![day_text(today - chrono::Duration::days(KEEP_DAYS))],
        )?;
        let questions = conn.execute(
            "DELETE FROM unanswered_question WHERE last_seen < ?1",
            params![stamp(now - chrono::Duration::days(KEEP_DAYS))],
        )?;
        Ok(days + questions)
    }
}

/// [`Db::question_counts`] on any connection (also a read-only one).
pub fn counts(conn: &Connection, today: NaiveDate) -> Result<Counts> {
    let tally = |from: NaiveDate| -> Result<Tally> {
        let (asked, answered): (i64, i64) = conn.query_row(
            "SELECT coalesce(sum(asked), 0), coalesce(sum(answered), 0)
             FROM question_day WHERE day >= ?1 AND day <= ?2",
            params![day_text(from), day_text(today)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(Tally {
            asked: to_u64(asked),
            answered: to_u64(answered),
        })
    };
    let mut stmt = conn.prepare(
        "SELECT text, count, first_seen, last_seen FROM unanswered_question
         ORDER BY count DESC, last_seen DESC, text LIMIT ?1",
    )?;
    let unanswered = stmt
        .query_map(params![TOP_UNANSWERED as i64], |r| {
            Ok(Unanswered {
                text: r.get(0)?,
                count: to_u64(r.get(1)?),
                first_seen: parse_stamp(&r.get::<_, String>(2)?),
                last_seen: parse_stamp(&r.get::<_, String>(3)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Counts {
        today,
        today_tally: tally(today)?,
        week: tally(today - chrono::Duration::days(6))?,
        unanswered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 9, d).unwrap()
    }
    fn at(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 9, d, 4, 0, 0).unwrap()
    }

    #[test]
    fn counts_days_weeks_and_unanswered_questions() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path().join("s.sqlite3"))?;
        db.record_question(day(1), "2024年质量月主题", true, at(1))?;
        db.record_question(day(1), "2021年质量月主题", false, at(1))?;
        db.record_question(day(9), "2021年质量月主题", false, at(9))?;
        db.record_question(day(10), "今年的吉祥物是什么", false, at(10))?;
        db.record_question(day(10), "2021年质量月主题", false, at(10))?;
        db.record_question(day(10), "2019年口号", true, at(10))?;
        db.record_question(day(10), "   ", false, at(10))?;

        let c = db.question_counts(day(10))?;
        assert_eq!(c.today_tally, Tally { asked: 4, answered: 1 });
        assert_eq!(c.week, Tally { asked: 5, answered: 1 }, "days 4 to 10");
        let top: Vec<(&str, u64)> = c.unanswered.iter().map(|u| (u.text.as_str(), u.count)).collect();
        assert_eq!(top, vec![("2021年质量月主题", 3), ("今年的吉祥物是什么", 1)]);
        assert_eq!((c.unanswered[0].first_seen, c.unanswered[0].last_seen), (at(1), at(10)));

        // 90 days later only what was asked since is kept.
        let late = day(11) + chrono::Duration::days(KEEP_DAYS);
        let late_at = at(11) + chrono::Duration::days(KEEP_DAYS);
        db.record_question(late, "2021年质量月主题", false, late_at)?;
        assert_eq!(
            db.purge_questions(late_at, late)?,
            4,
            "days 1, 9 and 10, and the mascot"
        );
        let c = db.question_counts(late)?;
        assert_eq!(c.today_tally, Tally { asked: 1, answered: 0 });
        assert_eq!(c.unanswered.len(), 1);
        Ok(())
    }

    #[test]
    fn lists_at_most_the_top_ten() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path().join("s.sqlite3"))?;
        for i in 0..15u32 {
            for _ in 0..=i {
                db.record_question(day(1), &format!("问题{i}"), false, at(1))?;
            }
        }
        let c = db.question_counts(day(1))?;
        assert_eq!(c.unanswered.len(), TOP_UNANSWERED);
        assert_eq!((c.unanswered[0].text.as_str(), c.unanswered[0].count), ("问题14", 15));
        Ok(())
    }
}
