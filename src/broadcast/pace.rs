//! Replies first: one budget of messages per second shared by replies and
//! the broadcast, with replies served first.
//!
//! Telegram lets a bot send about 30 messages a second. Every message, reply
//! or broadcast, goes through teloxide's `Throttle`, which keeps that limit
//! but serves its queue in order, so a broadcast that filled the queue made
//! a question asked meanwhile wait behind it. The [`Pacer`] sits in front of
//! the broadcast only: the bot notes every incoming message that may be
//! answered ([`Pacer::note_reply`], never waits), and a broadcast send waits
//! ([`Pacer::acquire`]) until fewer than `limit` messages, replies included,
//! went out in the last second. With `limit` a little below Telegram's 30,
//! the broadcast takes whatever the replies leave, `Throttle`'s queue stays
//! short, and a reply gets out at its next turn.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Telegram's limit on messages per second for one bot.
pub const TELEGRAM_MESSAGES_PER_SECOND: u32 = 30;

/// Messages per second the broadcast never takes, so a reply that arrives
/// after the broadcast used its share still finds room in the same second.
pub const REPLY_RESERVE: u32 = 2;

/// The window the limit applies to.
const WINDOW: Duration = Duration::from_secs(1);

/// A sliding-window budget of messages per second (see the module docs).
#[derive(Debug)]
pub struct Pacer {
    limit: usize,
    sent: Mutex<VecDeque<Instant>>,
    turn: tokio::sync::Mutex<()>,
}

impl Default for Pacer {
    /// Telegram's limit less [`REPLY_RESERVE`].
    fn default() -> Pacer {
        Pacer::new(TELEGRAM_MESSAGES_PER_SECOND - REPLY_RESERVE)
    }
}

impl Pacer {
    /// A pacer that lets the broadcast send while fewer than
    /// `limit_per_second` messages went out in the last second.
    pub fn new(limit_per_second: u32) -> Pacer {
        Pacer {
            limit: limit_per_second.max(1) as usize,
            sent: Mutex::new(VecDeque::new()),
            turn: tokio::sync::Mutex::new(()),
        }
    }

    /// Counts a reply (or a message likely to be answered) now. Never waits.
    pub fn note_reply(&self) {
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        expire(&mut sent, now);
        sent.push_back(now);
    }

    /// Waits until a broadcast message may go out, and counts it. Waiters
    /// are served in the order they came.
    pub async fn acquire(&self) {
        let _turn = self.turn.lock().await;
        loop {
            let free_at = {
                let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                expire(&mut sent, now);
                if sent.len() < self.limit {
                    sent.push_back(now);
                    return;
                }
                // The count drops below the limit when this one leaves the window.
                sent[sent.len() - self.limit] + WINDOW
            };
            tokio::time::sleep_until(free_at).await;
        }
    }

    /// Messages counted in the last second.
    pub fn in_last_second(&self) -> usize {
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        expire(&mut sent, Instant::now());
        sent.len()
    }
}

fn expire(sent: &mut VecDeque<Instant>, now: Instant) {
    while sent.front().is_some_and(|&t| t + WINDOW <= now) {
        sent.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn broadcast_takes_what_replies_leave() {
        let pacer = Pacer::new(5);
        let start = Instant::now();
        for _ in 0..5 {
            pacer.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "the first five go at once");
        pacer.acquire().await;
        assert_eq!(start.elapsed(), WINDOW, "the sixth waits for the window");
        // Three replies in this second leave room for two broadcast messages.
        for _ in 0..3 {
            pacer.note_reply();
        }
        assert_eq!(pacer.in_last_second(), 4);
        pacer.acquire().await;
        assert_eq!(start.elapsed(), WINDOW);
        pacer.acquire().await;
        assert_eq!(start.elapsed(), WINDOW * 2, "the replies took the rest");
    }

    #[tokio::test(start_paused = true)]
    async fn replies_never_wait() {
        let pacer = Pacer::new(2);
        for _ in 0..10 {
            pacer.note_reply();
        }
        let start = Instant::now();
        pacer.acquire().await;
        assert_eq!(start.elapsed(), WINDOW);
    }
}
