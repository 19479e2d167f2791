//! Process-wide counters, exposed by `GET /metrics` in the OpenMetrics text
//! format (which Prometheus scrapes natively).
//!
//! The bot and the broadcaster report through the free functions here
//! ([`update_received`], [`observe_answer`], [`delivered`],
//! [`delivery_failed`], …); each is one line at its call site and never
//! fails. [`render`] encodes everything for a scrape.
//!
//! | Metric | Type | Labels |
//! |---|---|---|
//! | `qmbot_updates_received_total` | counter | |
//! | `qmbot_answers_total` | counter | `found` = `true` / `false` |
//! | `qmbot_answer_duration_seconds` | histogram | |
//! | `qmbot_broadcast_deliveries_total` | counter | |
//! | `qmbot_broadcast_failures_total` | counter | `reason` |
//! | `qmbot_subscriptions_active` | gauge | |
//! | `qmbot_corpus_notices`, `qmbot_corpus_passages` | gauge | |
//! | `qmbot_reloads_total` | counter | `result` = `ok` / `failed` |
//! | `qmbot_webhook_rejected_total` | counter | |

use crate::answer::Answer;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::LazyLock;
use std::time::Instant;

/// The reasons the broadcaster reports to [`delivery_failed`]; their
/// series exist (at 0) from the start.
pub const FAILURE_REASONS: [&str; 5] = ["retry_after", "network", "chat_gone", "migrated", "gave_up"];

/// The `Content-Type` of [`render`]'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FoundLabel {
    found: bool,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: &'static str,
}

struct Metrics {
    registry: Registry,
    updates: Counter,
    answers: Family<FoundLabel, Counter>,
    answer_seconds: Histogram,
    deliveries: Counter,
    delivery_failures: Family<ReasonLabel, Counter>,
    subscriptions: Gauge,
    notices: Gauge,
    passages: Gauge,
    reloads: Family<ResultLabel, Counter>,
    webhook_rejected: Counter,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("qmbot");
        let updates = Counter::default();
        registry.register("updates_received", "Telegram updates received", updates.clone());
        let answers = Family::<FoundLabel, Counter>::default();
        registry.register(
            "answers",
            "Questions answered, by whether the notices covered them",
            answers.clone(),
        );
        // Both series exist from the start, so a rate over them is defined.
        for found in [true, false] {
            let _ = answers.get_or_create(&FoundLabel { found });
        }
        // 10 µs … ~0.33 s; answers take 30–400 µs in process.
        let answer_seconds = Histogram::new(exponential_buckets(1e-5, 2.0, 16));
        registry.register(
            "answer_duration_seconds",
            "Time the engine took to answer a question",
            answer_seconds.clone(),
        );
        let deliveries = Counter::default();
        registry.register(
            "broadcast_deliveries",
            "Daily slogans Telegram accepted",
            deliveries.clone(),
        );
        let delivery_failures = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "broadcast_failures",
            "Failed daily slogan sends, by reason",
            delivery_failures.clone(),
        );
        for reason in FAILURE_REASONS {
            let _ = delivery_failures.get_or_create(&ReasonLabel { reason });
        }
        let subscriptions = Gauge::default();
        registry.register(
            "subscriptions_active",
            "Chats subscribed to the daily slogan (read at scrape time)",
            subscriptions.clone(),
        );
        let notices = Gauge::default();
        registry.register("corpus_notices", "Notices in the corpus being served", notices.clone());
        let passages = Gauge::default();
        registry.register(
            "corpus_passages",
            "Passages in the corpus being served",
            passages.clone(),
        );
        let reloads = Family::<ResultLabel, Counter>::default();
        registry.register("reloads", "Corpus reloads (SIGHUP), by result", reloads.clone());
        for result in ["ok", "failed"] {
            let _ = reloads.get_or_create(&ResultLabel { result });
        }
        let webhook_rejected = Counter::default();
        registry.register(
            "webhook_rejected",
            "Webhook requests refused for a missing or wrong secret token",
            webhook_rejected.clone(),
        );
        Metrics {
            registry,
            updates,
            answers,
            answer_seconds,
            deliveries,
            delivery_failures,
            subscriptions,
            notices,
            passages,
            reloads,
            webhook_rejected,
        }
    }
}

fn gauge_value(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// One Telegram update reached the dispatcher.
pub fn update_received() {
    METRICS.updates.inc();
}

/// Runs `answer` (the engine answering one question), records how long it
/// took and whether it was found, and returns the answer.
pub fn observe_answer(answer: impl FnOnce() -> Answer) -> Answer {
    observe(answer, |a| a.found)
}

/// [`observe_answer`] for a conversation's turn.
pub fn observe_turn(turn: impl FnOnce() -> crate::conversation::Turn) -> crate::conversation::Turn {
    observe(turn, |t| t.answer.found)
}

fn observe<T>(work: impl FnOnce() -> T, found: impl Fn(&T) -> bool) -> T {
    let start = Instant::now();
    let out = work();
    METRICS.answer_seconds.observe(start.elapsed().as_secs_f64());
    METRICS.answers.get_or_create(&FoundLabel { found: found(&out) }).inc();
    out
}

/// Telegram accepted a daily slogan.
pub fn delivered() {
    METRICS.deliveries.inc();
}

/// A daily slogan send failed. `reason` is a short fixed word, one of
/// [`FAILURE_REASONS`] (others work too), never free text, so the number of
/// series stays small.
pub fn delivery_failed(reason: &'static str) {
    METRICS.delivery_failures.get_or_create(&ReasonLabel { reason }).inc();
}

/// The number of active subscriptions (set before each scrape).
pub fn set_subscriptions(active: usize) {
    METRICS.subscriptions.set(gauge_value(active));
}

/// The size of the corpus now being served.
pub fn set_corpus(notices: usize, passages: usize) {
    METRICS.notices.set(gauge_value(notices));
    METRICS.passages.set(gauge_value(passages));
}

/// A reload finished (`ok`) or was abandoned (`failed`).
pub fn reload(ok: bool) {
    let result = if ok { "ok" } else { "failed" };
    METRICS.reloads.get_or_create(&ResultLabel { result }).inc();
}

/// A webhook request was refused (no or wrong secret token).
pub fn webhook_rejected() {
    METRICS.webhook_rejected.inc();
}

/// Everything, in the OpenMetrics text format (ends with `# EOF`).
pub fn render() -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &METRICS.registry);
    out
}

/// Counts the active subscriptions in the SQLite store at `path` (read-only;
/// the table and column are the documented `subscription.active`).
pub fn count_subscriptions(path: &std::path::Path) -> rusqlite::Result<usize> {
    use rusqlite::OpenFlags;
    let db = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    db.busy_timeout(std::time::Duration::from_millis(500))?;
    let n: i64 = db.query_row("SELECT count(*) FROM subscription WHERE active = 1", [], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the sample line that starts with `series` followed by a space.
    fn sample(text: &str, series: &str) -> Option<f64> {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
    }

    #[test]
    fn counters_show_up_in_the_exposition() {
        // The registry is process-wide and other tests count too: compare
        // before and after.
        let before = render();
        let found = |t: &str| sample(t, "qmbot_answers_total{found=\"true\"}").unwrap_or(f64::NAN);
        let missed = |t: &str| sample(t, "qmbot_answers_total{found=\"false\"}").unwrap_or(f64::NAN);
        let failures = |t: &str| sample(t, "qmbot_broadcast_failures_total{reason=\"network\"}").unwrap_or(0.0);

        assert!(observe(|| true, |f| *f));
        assert!(!observe(|| false, |f| *f));
        update_received();
        delivered();
        delivery_failed("network");
        set_subscriptions(3);

        let after = render();
        assert_eq!(found(&after) - found(&before), 1.0, "{after}");
        assert_eq!(missed(&after) - missed(&before), 1.0, "{after}");
        assert_eq!(failures(&after) - failures(&before), 1.0, "{after}");
        assert_eq!(sample(&after, "qmbot_subscriptions_active"), Some(3.0), "{after}");
        assert!(sample(&after, "qmbot_answer_duration_seconds_count").unwrap_or(0.0) >= 2.0);
        assert!(sample(&after, "qmbot_updates_received_total").unwrap_or(0.0) >= 1.0);
        assert!(sample(&after, "qmbot_broadcast_deliveries_total").unwrap_or(0.0) >= 1.0);
        assert!(
            after.contains("# TYPE qmbot_answer_duration_seconds histogram"),
            "{after}"
        );
        assert!(after.trim_end().ends_with("# EOF"), "{after}");
    }

    #[test]
    fn subscriptions_are_counted_from_the_store() -> crate::Result<()> {
        let dir = tempfile::tempdir().map_err(|source| crate::Error::Io {
            path: "tempdir".into(),
            source,
        })?;
        let path = dir.path().join("state.sqlite3");
        let db = rusqlite::Connection::open(&path)?;
        db.execute_batch(
            "CREATE TABLE subscription (chat_id INTEGER PRIMARY KEY, active INTEGER NOT NULL);
             INSERT INTO subscription VALUES (1, 1), (2, 0), (3, 1);",
        )?;
        assert_eq!(count_subscriptions(&path)?, 2);
        assert!(count_subscriptions(&dir.path().join("missing.sqlite3")).is_err());
        Ok(())
    }
}
