//! The wall clock the broadcasts read, injectable so tests and the benchmark
//! can run a day in milliseconds.
//!
//! The scheduler reads the wall clock through [`Clock::now`] and waits with
//! tokio's timers. [`SystemClock`] is the real clock. [`TokioClock`] follows
//! tokio's clock from a chosen start, so under `tokio::time::pause` time
//! advances by itself whenever every task is idle, and [`TokioClock::jump`]
//! moves the wall clock alone, as an NTP step or a suspended laptop does.

use chrono::{DateTime, Utc};
use std::sync::Mutex;

/// A source of the current UTC time.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A wall clock that starts at a chosen instant and advances with tokio's
/// clock (paused or not).
#[derive(Debug)]
pub struct TokioClock {
    start: DateTime<Utc>,
    since: tokio::time::Instant,
    jumped: Mutex<chrono::Duration>,
}

impl TokioClock {
    /// A clock that reads `start` now.
    pub fn starting_at(start: DateTime<Utc>) -> TokioClock {
        TokioClock {
            start,
            since: tokio::time::Instant::now(),
            jumped: Mutex::new(chrono::Duration::zero()),
        }
    }

    /// Moves the wall clock by `by` (forwards or backwards) without moving
    /// tokio's monotonic clock.
    pub fn jump(&self, by: chrono::Duration) {
        let mut jumped = self.jumped.lock().unwrap_or_else(|e| e.into_inner());
        *jumped += by;
    }
}

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.since.elapsed()).unwrap_or(chrono::Duration::MAX);
        let jumped = *self.jumped.lock().unwrap_or_else(|e| e.into_inner());
        self.start + elapsed + jumped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[tokio::test(start_paused = true)]
    async fn follows_paused_tokio_time_and_jumps() {
        let start = Utc.with_ymd_and_hms(2025, 9, 15, 0, 0, 0).unwrap();
        let clock = TokioClock::starting_at(start);
        assert_eq!(clock.now(), start);
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        assert_eq!(clock.now(), start + chrono::Duration::hours(1));
        clock.jump(chrono::Duration::minutes(-30));
        assert_eq!(clock.now(), start + chrono::Duration::minutes(30));
    }
}
