//! The question report for operators: `/stats` (administrators, private
//! chat) and `qmbot stats` (on the server) print the same text from the
//! counts in the state file (`crate::storage::questions`): questions today
//! and over 7 days, the share answered, and the most asked questions the
//! notices did not answer.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::storage::questions::{self, Counts, Tally, KEEP_DAYS, TOP_UNANSWERED};
use chrono_tz::Tz;
use std::path::PathBuf;

fn share(t: &Tally) -> String {
    if t.asked == 0 {
        return "—".to_string();
    }
    let percent = (t.answered as f64 * 100.0 / t.asked as f64).round();
    format!("{percent}%")
}

fn tally_line(label: &str, t: &Tally) -> String {
    format!("{label}：{} 个问题，已回答 {} 个（{}）", t.asked, t.answered, share(t))
}

/// The report as plain text (Chinese), dates in `tz`.
pub fn report(counts: &Counts, tz: Tz) -> String {
    let mut out = format!("问题统计（{}，{}）\n", counts.today.format("%Y-%m-%d"), tz.name());
    out.push_str(&tally_line("今天", &counts.today_tally));
    out.push('\n');
    out.push_str(&tally_line("近 7 天", &counts.week));
    out.push_str(&format!(
        "\n\n未能回答的问题（近 {KEEP_DAYS} 天，按次数前 {TOP_UNANSWERED} 个）："
    ));
    if counts.unanswered.is_empty() {
        out.push_str("\n暂无");
    }
    for (i, u) in counts.unanswered.iter().enumerate() {
        let last = u.last_seen.with_timezone(&tz).format("%Y-%m-%d");
        out.push_str(&format!("\n{}. {}（{} 次，最近 {last}）", i + 1, u.text, u.count));
    }
    out
}

/// The configured zone (`[broadcast] timezone`), Asia/Shanghai if invalid.
pub fn zone(config: &Config) -> Tz {
    config.broadcast.timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai)
}

/// `qmbot stats`: the report from the state file at `[storage] path`, read
/// only (safe while the bot runs).
pub fn from_config(config: &Config) -> Result<String> {
    let tz = zone(config);
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let path = &config.storage.path;
    // Before the bot has run there is nothing to count: an empty report,
    // saying so, rather than an error.
    if !path.exists() {
        let empty = Counts {
            today,
            today_tally: Tally::default(),
            week: Tally::default(),
            unanswered: Vec::new(),
        };
        return Ok(format!(
            "{}\n\n（还没有状态文件 {}：机器人第一次运行时创建。）",
            report(&empty, tz),
            path.display()
        ));
    }
    let conn = crate::storage::connect_read_only(path, crate::storage::SCHEMA_VERSION)?;
    let counts = questions::counts(&conn, today).map_err(|e| match e {
        Error::Storage(e) => Error::Invalid {
            path: PathBuf::from(path),
            message: format!("reading the question counts: {e}"),
        },
        other => other,
    })?;
    Ok(report(&counts, tz))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::questions::Unanswered;
    use chrono::{NaiveDate, TimeZone, Utc};

    #[test]
    fn report_lists_counts_share_and_unanswered_questions() {
        let today = NaiveDate::from_ymd_opt(2025, 9, 10).unwrap();
        let mut counts = Counts {
            today,
            today_tally: Tally { asked: 3, answered: 2 },
            week: Tally { asked: 0, answered: 0 },
            unanswered: vec![Unanswered {
                text: "2021年质量月主题".into(),
                count: 4,
                first_seen: Utc.with_ymd_and_hms(2025, 9, 1, 0, 0, 0).unwrap(),
                last_seen: Utc.with_ymd_and_hms(2025, 9, 9, 20, 0, 0).unwrap(),
            }],
        };
        let text = report(&counts, chrono_tz::Asia::Shanghai);
        assert!(text.contains("2025-09-10"), "{text}");
        assert!(text.contains("今天：3 个问题，已回答 2 个（67%）"), "{text}");
        assert!(text.contains("近 7 天：0 个问题，已回答 0 个（—）"), "{text}");
        // 20:00 UTC on the 9th is the 10th in Shanghai.
        assert!(text.contains("1. 2021年质量月主题（4 次，最近 2025-09-10）"), "{text}");
        counts.unanswered.clear();
        assert!(report(&counts, chrono_tz::Asia::Shanghai).ends_with("暂无"));
    }
}
