//! Fair replies: how many messages the bot sends to one chat, decided
//! before any answer is computed. A chat within its limits gets its reply;
//! the first message over a limit gets one short notice instead, and after
//! it the chat gets nothing (messages are dropped, never queued) until the
//! limit it hit has fully cleared. No chat ever waits for another: nothing
//! is queued, and the decision is a few comparisons under a lock.
//!
//! The limits ([`GROUP`], [`PRIVATE`]) are Telegram's, as teloxide's
//! `Throttle` enforces them, with the notice counted: a group gets at most
//! 19 replies and the notice in any rolling minute, so `Throttle` never has
//! to hold one of them back for the minute to pass; a private chat about one
//! reply a second with a burst of three, and also at most 20 messages a
//! minute (`Throttle`'s per-chat minute applies to private chats too).
//!
//! Time is passed in (`now`), so the rules are tested with a mocked clock.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `max` messages (the notice included) in any rolling `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Messages allowed in the window.
    pub max: usize,
    /// The window's length.
    pub per: Duration,
}

/// A burst of `size` messages at once, then one every `every` (a token
/// bucket, as GCRA).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Burst {
    /// Messages allowed at once.
    pub size: u32,
    /// One more allowed after each such interval.
    pub every: Duration,
}

/// The limits of one kind of chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// The rolling window.
    pub window: Window,
    /// The burst rule, if any.
    pub burst: Option<Burst>,
}

/// Groups and supergroups: Telegram's 20 messages a minute.
pub const GROUP: Rules = Rules {
    window: Window {
        max: 20,
        per: Duration::from_secs(60),
    },
    burst: None,
};

/// Private chats: about one message a second with a burst of three, and at
/// most 20 a minute.
pub const PRIVATE: Rules = Rules {
    window: Window {
        max: 20,
        per: Duration::from_secs(60),
    },
    burst: Some(Burst {
        size: 3,
        every: Duration::from_secs(1),
    }),
};

/// Which rules a chat follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKind {
    /// A private chat with one user.
    Private,
    /// A group, supergroup or channel.
    Group,
}

/// What to do with a message that would be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Answer it (one message).
    Reply,
    /// Send the one short notice instead; the chat is silent from now on
    /// until its limit has cleared.
    Notice,
    /// Send nothing.
    Silent,
}

/// One chat's recent messages.
#[derive(Debug, Default)]
struct ChatState {
    /// When its messages in the current window were admitted, oldest first.
    sent: VecDeque<Instant>,
    /// The burst rule's theoretical arrival time (GCRA).
    tat: Option<Instant>,
    /// Silent until then (after a notice).
    muted_until: Option<Instant>,
}

impl ChatState {
    fn forget_before(&mut self, now: Instant, per: Duration) {
        while self
            .sent
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= per)
        {
            self.sent.pop_front();
        }
    }

    /// Whether nothing about this chat matters any more at `now`.
    fn idle(&self, now: Instant, per: Duration) -> bool {
        self.sent
            .back()
            .is_none_or(|&t| now.saturating_duration_since(t) >= per)
            && self.muted_until.is_none_or(|u| u <= now)
            && self.tat.is_none_or(|t| t <= now)
    }
}

/// Tracks every chat's recent messages (chats that are quiet again are
/// forgotten from time to time, so memory follows the active chats).
#[derive(Debug)]
pub struct Limiter {
    group: Rules,
    private: Rules,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    chats: HashMap<i64, ChatState>,
    /// Sweep idle chats when the map grows past this.
    sweep_at: usize,
}

/// The fewest chats kept before idle ones are swept.
const SWEEP_MIN: usize = 1024;

impl Default for Limiter {
    fn default() -> Self {
        Limiter::new(GROUP, PRIVATE)
    }
}

impl Limiter {
    /// A limiter with these rules for groups and private chats.
    pub fn new(group: Rules, private: Rules) -> Limiter {
        Limiter {
            group,
            private,
            state: Mutex::new(State {
                chats: HashMap::new(),
                sweep_at: SWEEP_MIN,
            }),
        }
    }

    /// The rules of a kind of chat.
    pub fn rules(&self, kind: ChatKind) -> Rules {
        match kind {
            ChatKind::Private => self.private,
            ChatKind::Group => self.group,
        }
    }

    /// Decides about one message of `chat` that would be answered at `now`,
    /// and counts the reply or notice it admits.
    pub fn admit(&self, chat: i64, kind: ChatKind, now: Instant) -> Admission {
        let rules = self.rules(kind);
        let per = rules.window.per;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.chats.len() >= state.sweep_at {
            let longest = self.group.window.per.max(self.private.window.per);
            state.chats.retain(|_, c| !c.idle(now, longest));
            state.sweep_at = (state.chats.len() * 2).max(SWEEP_MIN);
        }
        let chat = state.chats.entry(chat).or_default();
        chat.forget_before(now, per);
        if let Some(until) = chat.muted_until {
            if now < until {
                return Admission::Silent;
            }
            chat.muted_until = None;
        }
        // The burst rule (GCRA): allowed while the theoretical arrival time
        // is at most size - 1 intervals ahead.
        let tat = chat.tat.map_or(now, |t| t.max(now));
        let burst_ok = rules
            .burst
            .is_none_or(|b| tat.saturating_duration_since(now) + b.every <= b.every * b.size);
        // One place in the window is kept for the notice.
        let window_ok = chat.sent.len() + 1 < rules.window.max;
        let next_tat = rules.burst.map(|b| tat + b.every);
        if burst_ok && window_ok {
            chat.sent.push_back(now);
            chat.tat = next_tat.or(chat.tat);
            return Admission::Reply;
        }
        if chat.sent.len() >= rules.window.max {
            // No room even for a notice (cannot happen with these rules
            // unless they changed): silent until the oldest leaves.
            let oldest = chat.sent.front().copied().unwrap_or(now);
            chat.muted_until = Some(oldest + per);
            return Admission::Silent;
        }
        // The notice is a message too: it takes the last place in the
        // window and a token of the burst rule.
        chat.sent.push_back(now);
        chat.tat = next_tat.or(chat.tat);
        let mut until = now;
        if !window_ok {
            until = until.max(now + per);
        }
        if !burst_ok {
            until = until.max(chat.tat.unwrap_or(now));
        }
        chat.muted_until = Some(until);
        Admission::Notice
    }

    /// How many chats are tracked now.
    pub fn tracked(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).chats.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Admission::{Notice, Reply, Silent};

    /// A mocked clock: seconds after a fixed start.
    struct Clock(Instant);

    impl Clock {
        fn new() -> Clock {
            Clock(Instant::now())
        }
        fn at(&self, secs: f64) -> Instant {
            self.0 + Duration::from_secs_f64(secs)
        }
    }

    fn run(limiter: &Limiter, chat: i64, kind: ChatKind, at: Instant, n: usize) -> Vec<Admission> {
        (0..n).map(|_| limiter.admit(chat, kind, at)).collect()
    }

    fn count(v: &[Admission], a: Admission) -> usize {
        v.iter().filter(|&&x| x == a).count()
    }

    #[test]
    fn a_group_flood_gets_19_replies_one_notice_then_silence() {
        let clock = Clock::new();
        let limiter = Limiter::default();
        let g = -1_001_234;
        let flood = run(&limiter, g, ChatKind::Group, clock.at(0.0), 40);
        assert_eq!(&flood[..19], &[Reply; 19]);
        assert_eq!(flood[19], Notice);
        assert_eq!(&flood[20..], &[Silent; 20]);
        // Silent until the minute after the notice has passed, then fresh.
        assert_eq!(limiter.admit(g, ChatKind::Group, clock.at(59.9)), Silent);
        assert_eq!(limiter.admit(g, ChatKind::Group, clock.at(60.0)), Reply);
        // Another flood right after: again at most 20 messages in the minute.
        let more = run(&limiter, g, ChatKind::Group, clock.at(61.0), 40);
        assert_eq!(count(&more, Reply), 18);
        assert_eq!(count(&more, Notice), 1);
    }

    #[test]
    fn a_group_within_20_a_minute_never_gets_the_notice() {
        let clock = Clock::new();
        let limiter = Limiter::default();
        // One question every 3.2 s for ten minutes: 18.75 a minute.
        for i in 0..190 {
            let a = limiter.admit(-5, ChatKind::Group, clock.at(f64::from(i) * 3.2));
            assert_eq!(a, Reply, "question {i}");
        }
    }

    #[test]
    fn the_rolling_window_counts_the_last_60_seconds() {
        let clock = Clock::new();
        let limiter = Limiter::default();
        let g = -7;
        assert_eq!(count(&run(&limiter, g, ChatKind::Group, clock.at(0.0), 10), Reply), 10);
        assert_eq!(count(&run(&limiter, g, ChatKind::Group, clock.at(30.0), 9), Reply), 9);
        assert_eq!(limiter.admit(g, ChatKind::Group, clock.at(31.0)), Notice);
        // The ten of t = 0 have left the window, but the chat stays silent
        // until the notice's minute is over.
        assert_eq!(limiter.admit(g, ChatKind::Group, clock.at(60.5)), Silent);
        assert_eq!(limiter.admit(g, ChatKind::Group, clock.at(91.0)), Reply);
    }

    #[test]
    fn a_private_chat_gets_a_burst_of_three_then_one_a_second() {
        let clock = Clock::new();
        let limiter = Limiter::default();
        let u = 42;
        let burst = run(&limiter, u, ChatKind::Private, clock.at(0.0), 6);
        assert_eq!(burst, vec![Reply, Reply, Reply, Notice, Silent, Silent]);
        // Silent until the bucket is full again (the notice took a token).
        assert_eq!(limiter.admit(u, ChatKind::Private, clock.at(3.9)), Silent);
        assert_eq!(limiter.admit(u, ChatKind::Private, clock.at(4.0)), Reply);
        // One a second (with some jitter) is always answered...
        for i in 1..=14 {
            let jitter = if i % 2 == 0 { 0.05 } else { -0.05 };
            let a = limiter.admit(u, ChatKind::Private, clock.at(4.0 + f64::from(i) + jitter));
            assert_eq!(a, Reply, "question {i}");
        }
        // ...up to 20 messages a minute (3 + notice + 15 replies = 19 so far).
        assert_eq!(limiter.admit(u, ChatKind::Private, clock.at(19.5)), Notice);
        assert_eq!(limiter.admit(u, ChatKind::Private, clock.at(60.0)), Silent);
        assert_eq!(limiter.admit(u, ChatKind::Private, clock.at(79.5)), Reply);
    }

    #[test]
    fn chats_do_not_share_limits() {
        let clock = Clock::new();
        let limiter = Limiter::default();
        run(&limiter, -1, ChatKind::Group, clock.at(0.0), 40);
        run(&limiter, 1, ChatKind::Private, clock.at(0.0), 10);
        assert_eq!(limiter.admit(-2, ChatKind::Group, clock.at(0.0)), Reply);
        assert_eq!(limiter.admit(2, ChatKind::Private, clock.at(0.0)), Reply);
        assert_eq!(limiter.admit(-1, ChatKind::Group, clock.at(1.0)), Silent);
    }

    #[test]
    fn quiet_chats_are_forgotten() {
        let clock = Clock::new();
        let limiter = Limiter::default();
        for chat in 0..5000 {
            limiter.admit(chat, ChatKind::Private, clock.at(0.0));
        }
        assert!(limiter.tracked() >= 5000 - SWEEP_MIN);
        // Ten minutes later the old chats are swept as new ones arrive.
        for chat in 10_000..10_000 + SWEEP_MIN as i64 * 4 {
            limiter.admit(chat, ChatKind::Private, clock.at(600.0));
        }
        assert!(limiter.tracked() <= SWEEP_MIN * 4 + 1, "{}", limiter.tracked());
    }
}
