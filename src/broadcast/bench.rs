//! `qmbot bench --subscribers N`: what the scheduler costs per delivery.
//!
//! Fills a temporary store with N subscriptions spread over the day's times
//! and twenty zones (a third at the default 09:00 in Asia/Shanghai), then
//! runs the real scheduler, pacer and store against a no-op [`Sender`] for
//! one simulated day on a paused tokio clock, so a day takes only as long as
//! the work in it. Every chat must be served exactly once. The figure is the
//! process's CPU time (all threads, SQLite writes included) divided by the
//! number of deliveries.

use super::clock::TokioClock;
use super::delivery::{SendError, Sender};
use super::rotation::Rotation;
use super::store::NewSubscription;
use super::{run_scheduler, Broadcast};
use crate::config::Config;
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The zones the benchmark's chats live in.
const ZONES: [Tz; 20] = [
    chrono_tz::Asia::Shanghai,
    chrono_tz::Asia::Hong_Kong,
    chrono_tz::Asia::Taipei,
    chrono_tz::Asia::Tokyo,
    chrono_tz::Asia::Singapore,
    chrono_tz::Asia::Kolkata,
    chrono_tz::Asia::Kathmandu,
    chrono_tz::Asia::Dubai,
    chrono_tz::Europe::Moscow,
    chrono_tz::Europe::Berlin,
    chrono_tz::Europe::London,
    chrono_tz::Africa::Nairobi,
    chrono_tz::America::Sao_Paulo,
    chrono_tz::America::St_Johns,
    chrono_tz::America::New_York,
    chrono_tz::America::Chicago,
    chrono_tz::America::Los_Angeles,
    chrono_tz::Australia::Sydney,
    chrono_tz::Pacific::Auckland,
    chrono_tz::UTC,
];

/// What one run measured.
#[derive(Debug, Clone)]
pub struct BenchReport {
    /// Subscriptions in the store.
    pub subscriptions: usize,
    /// Zones they are spread over.
    pub zones: usize,
    /// Where the simulated day starts.
    pub start: DateTime<Utc>,
    /// Deliveries made (one per subscription).
    pub deliveries: usize,
    /// Time to fill the store.
    pub fill: Duration,
    /// Wall time of the simulated day.
    pub wall: Duration,
    /// CPU time of the whole process during the simulated day, when the
    /// platform tells (Linux).
    pub cpu: Option<Duration>,
}

impl BenchReport {
    /// CPU time per delivery (wall time where CPU time is unknown).
    pub fn per_delivery(&self) -> Duration {
        self.cpu.unwrap_or(self.wall) / self.deliveries.max(1) as u32
    }
}

/// Counts sends; nothing leaves the process.
struct NoopSender {
    counts: Vec<AtomicU32>,
    sent: AtomicUsize,
    all_sent: Notify,
}

impl Sender for NoopSender {
    async fn send(&self, chat_id: i64, _html: &str) -> Result<i32, SendError> {
        if let Some(c) = usize::try_from(chat_id - 1).ok().and_then(|i| self.counts.get(i)) {
            c.fetch_add(1, Ordering::Relaxed);
        }
        let sent = self.sent.fetch_add(1, Ordering::Relaxed) + 1;
        if sent == self.counts.len() {
            self.all_sent.notify_one();
        }
        Ok(i32::try_from(sent).unwrap_or(i32::MAX))
    }
}

/// Removes the benchmark's directory when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Runs the benchmark with `subscribers` chats and the slogans of `rotation`.
pub fn scheduler(subscribers: usize, rotation: Rotation) -> Result<BenchReport> {
    let bench_error = |message: String| Error::Invalid {
        path: PathBuf::from("bench"),
        message,
    };
    if subscribers == 0 || subscribers > i32::MAX as usize {
        return Err(bench_error(format!(
            "--subscribers {subscribers}: expected 1 to {}",
            i32::MAX
        )));
    }
    if rotation.is_empty() {
        return Err(bench_error("the corpus has no slogans to broadcast".into()));
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = TempDir(std::env::temp_dir().join(format!("qmbot-bench-{}-{nanos}", std::process::id())));
    let mut config = Config::default();
    config.storage.path = dir.0.join("bench.sqlite3");
    // Firings before the simulated day are not caught up, so every chat is
    // due exactly once within it.
    config.broadcast.catch_up_minutes = 0;

    // No zone changes its clocks on this day.
    let start = Utc.with_ymd_and_hms(2025, 9, 15, 0, 0, 0).single().unwrap_or_default();
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default();
    let mut rng = Rng(0x5EED);
    let subs: Vec<NewSubscription> = (1..=subscribers as i64)
        .map(|chat_id| {
            let r = rng.next();
            let (time, tz) = if r.is_multiple_of(3) {
                (nine, chrono_tz::Asia::Shanghai)
            } else {
                let minute = ((r >> 8) % 1440) as u32;
                let time = NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap_or(nine);
                (time, ZONES[((r >> 24) % ZONES.len() as u64) as usize])
            };
            NewSubscription {
                chat_id,
                chat_type: "private".into(),
                time,
                tz,
                at: start - chrono::Duration::days(3),
                by: Some(chat_id),
                by_name: None,
            }
        })
        .collect();

    let t = Instant::now();
    let bc = Broadcast::with_rotation(&config, rotation)?;
    bc.store().subscribe_all(&subs)?;
    drop(subs);
    let fill = t.elapsed();

    let sender = Arc::new(NoopSender {
        counts: (0..subscribers).map(|_| AtomicU32::new(0)).collect(),
        sent: AtomicUsize::new(0),
        all_sent: Notify::new(),
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .map_err(|source| Error::Io {
            path: dir.0.clone(),
            source,
        })?;
    let cpu0 = process_cpu();
    let t = Instant::now();
    let finished = runtime.block_on(async {
        let bc = Arc::new(bc.with_clock(Arc::new(TokioClock::starting_at(start))));
        let shutdown = CancellationToken::new();
        let scheduler = tokio::spawn(run_scheduler(sender.clone(), bc.clone(), shutdown.clone()));
        let day = Duration::from_secs(25 * 3600);
        let finished = tokio::time::timeout(day, sender.all_sent.notified()).await.is_ok();
        shutdown.cancel();
        let _ = scheduler.await;
        finished
    });
    let wall = t.elapsed();
    let cpu = cpu0.zip(process_cpu()).map(|(a, b)| b.saturating_sub(a));

    let sent = sender.sent.load(Ordering::Relaxed);
    let twice = sender.counts.iter().filter(|c| c.load(Ordering::Relaxed) > 1).count();
    if !finished || sent != subscribers || twice > 0 {
        return Err(bench_error(format!(
            "{sent} deliveries for {subscribers} subscriptions in the simulated day ({twice} chats served twice)"
        )));
    }
    Ok(BenchReport {
        subscriptions: subscribers,
        zones: ZONES.len(),
        start,
        deliveries: sent,
        fill,
        wall,
        cpu,
    })
}

/// The process's CPU time (user + system, all threads), from `/proc`.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses: state is the
    // first, utime the 12th and stime the 13th (in clock ticks of 1/100 s).
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}
