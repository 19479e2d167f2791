//! The delivery loop, with a cost per delivery that does not grow with the
//! number of chats.
//!
//! The plan lives in memory: every active subscription's timing, and a
//! min-heap of (next firing in UTC, chat). A wake pops what is due and
//! starts those deliveries; a finished delivery, or a change to one chat
//! ([`Broadcast::changed`]), re-plans that chat alone. Everything is
//! re-planned only at start, on [`Broadcast::notify`], and when the wall
//! clock jumps against the monotonic one (an NTP step, a suspend); a jump
//! forward counts as downtime, so firings it skipped are caught up within
//! `catch_up_minutes` only, never twice. Zone
//! rules come compiled into the binary (chrono-tz), so they change only with
//! a new build, which restarts the scheduler.

use super::delivery::{deliver, Job, Outcome, Sender};
use super::rotation::Rotation;
use super::schedule::{self, Plan, Timing, Window};
use super::store::Subscription;
use super::texts::Text;
use super::{Broadcast, DeliveryReport};
use chrono::{DateTime, NaiveDate, Utc};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// At most this many deliveries are under way at once; the
/// [`Pacer`](super::pace::Pacer) lets them out at Telegram's pace.
const MAX_IN_FLIGHT: usize = 64;
/// The loop reads the clock at least this often, to notice wall-clock jumps
/// that tokio's monotonic timers do not see.
const MAX_SLEEP: Duration = Duration::from_secs(600);
/// A wall clock that drifts from the monotonic one by more than this jumped.
const JUMP: chrono::Duration = chrono::Duration::seconds(2);
/// Longest wait between attempts to read the store after it failed.
const MAX_STORE_BACKOFF: Duration = Duration::from_secs(300);
/// Deliveries in progress at shutdown get this long to finish, so an
/// accepted message is recorded (the bot waits 1 s for the scheduler).
const DRAIN: Duration = Duration::from_millis(800);

/// The delivery loop; returns when `shutdown` is cancelled.
pub async fn run_scheduler<S: Sender>(sender: Arc<S>, bc: Arc<Broadcast>, shutdown: CancellationToken) {
    let mut rotations = bc.rotations();
    if rotations.borrow_and_update().is_empty() {
        tracing::warn!("the corpus has no slogans: the broadcast scheduler stays idle until a reload brings some");
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                changed = rotations.changed() => {
                    if changed.is_err() {
                        shutdown.cancelled().await;
                        return;
                    }
                    if !rotations.borrow_and_update().is_empty() {
                        break;
                    }
                }
            }
        }
    }
    tracing::info!(slogans = bc.rotation().len(), "broadcast scheduler started");
    let now = bc.now();
    Scheduler {
        window: Window {
            running_since: now,
            catch_up: bc.catch_up(),
        },
        sender,
        bc,
        shutdown,
        subs: HashMap::new(),
        heap: BinaryHeap::new(),
        next_gen: 0,
        tasks: JoinSet::new(),
        in_flight: HashMap::new(),
        busy: HashSet::new(),
        recheck: Vec::new(),
        texts: HashMap::new(),
        rotations,
        last_tick: (tokio::time::Instant::now(), now),
    }
    .run()
    .await
}

/// One active subscription as the scheduler knows it.
struct Entry {
    timing: Timing,
    /// A date whose delivery failed for good: not tried again.
    skip: Option<NaiveDate>,
    /// Tells this entry's heap slots from those of an entry it replaced.
    gen: u64,
    /// [`Broadcast::epoch`] of the chat before its row was read.
    epoch: u64,
}

/// A heap slot: at `at`, serve `date` for `chat_id` (if `gen` is current).
type Slot = Reverse<(DateTime<Utc>, i64, u64, NaiveDate)>;

struct Scheduler<S> {
    sender: Arc<S>,
    bc: Arc<Broadcast>,
    shutdown: CancellationToken,
    window: Window,
    subs: HashMap<i64, Entry>,
    heap: BinaryHeap<Slot>,
    next_gen: u64,
    tasks: JoinSet<Outcome>,
    /// Task id → (chat, date), for deliveries in progress.
    in_flight: HashMap<tokio::task::Id, (i64, NaiveDate)>,
    /// Chats with a delivery in progress.
    busy: HashSet<i64>,
    /// Chats to read again from the store.
    recheck: Vec<i64>,
    /// The daily message per date (the same for every chat).
    texts: HashMap<NaiveDate, Arc<str>>,
    /// Rotations swapped in by reloads: the rendered texts are dropped.
    rotations: tokio::sync::watch::Receiver<Arc<Rotation>>,
    /// The monotonic and wall clocks at the last wake.
    last_tick: (tokio::time::Instant, DateTime<Utc>),
}

impl<S: Sender> Scheduler<S> {
    async fn run(mut self) {
        let mut loaded = false;
        let mut store_backoff = Duration::from_secs(1);
        loop {
            let now = self.bc.now();
            if let Some(drift) = self.clock_jumped(now) {
                if drift > chrono::Duration::zero() {
                    // Like downtime: firings skipped over are caught up
                    // within the catch-up window only.
                    self.window.running_since = now;
                }
                if loaded {
                    self.replan_all(now);
                }
            }
            let changes = self.bc.take_changes();
            let read = if !loaded || changes.all {
                self.load_all().await
            } else {
                let mut chats = changes.chats;
                chats.append(&mut self.recheck);
                self.reload(chats).await
            };
            match read {
                Ok(()) => {
                    loaded = true;
                    store_backoff = Duration::from_secs(1);
                }
                Err(e) => {
                    tracing::error!(error = %e, retry_in = ?store_backoff, "could not read subscriptions");
                    loaded = false;
                }
            }
            let now = self.bc.now();
            self.dispatch(now);
            let wait = if !loaded {
                let wait = store_backoff;
                store_backoff = (store_backoff * 2).min(MAX_STORE_BACKOFF);
                wait
            } else if self.busy.len() >= MAX_IN_FLIGHT {
                // Full: a finishing delivery wakes the loop.
                MAX_SLEEP
            } else {
                self.heap
                    .peek()
                    .map_or(MAX_SLEEP, |Reverse((at, ..))| (*at - now).to_std().unwrap_or_default())
                    .min(MAX_SLEEP)
            };
            tokio::select! {
                biased;
                _ = self.shutdown.cancelled() => break,
                Some(done) = self.tasks.join_next_with_id(), if !self.tasks.is_empty() => self.finished(done),
                _ = self.bc.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
        let drain = async {
            while let Some(done) = self.tasks.join_next_with_id().await {
                self.finished(done);
            }
        };
        if tokio::time::timeout(DRAIN, drain).await.is_err() {
            tracing::warn!("deliveries still running at shutdown were aborted");
            self.tasks.abort_all();
        }
        tracing::info!("broadcast scheduler stopped");
    }

    /// How far the wall clock moved beyond the monotonic clock since the
    /// last wake, when that is a jump.
    fn clock_jumped(&mut self, now: DateTime<Utc>) -> Option<chrono::Duration> {
        let mono = tokio::time::Instant::now();
        let (mono0, wall0) = self.last_tick;
        self.last_tick = (mono, now);
        let elapsed = chrono::Duration::from_std(mono - mono0).unwrap_or_default();
        let drift = (now - wall0) - elapsed;
        if drift.abs() > JUMP {
            tracing::info!(
                by_seconds = drift.num_seconds(),
                "the wall clock jumped; re-planning every chat"
            );
            return Some(drift);
        }
        None
    }

    /// Reads every active subscription and plans them all.
    async fn load_all(&mut self) -> crate::Result<()> {
        let epochs = self.bc.epochs();
        let subs = self.bc.store_call(|s| s.active()).await?;
        let mut old = std::mem::take(&mut self.subs);
        self.subs.reserve(subs.len());
        for sub in subs {
            let skip = old.remove(&sub.chat_id).and_then(|e| e.skip);
            let epoch = epochs.get(&sub.chat_id).copied().unwrap_or(0);
            self.insert(sub, skip, epoch);
        }
        self.recheck.clear();
        self.replan_all(self.bc.now());
        tracing::debug!(subscriptions = self.subs.len(), "subscriptions loaded");
        Ok(())
    }

    /// Reads some chats again and re-plans them.
    async fn reload(&mut self, mut chats: Vec<i64>) -> crate::Result<()> {
        if chats.is_empty() {
            return Ok(());
        }
        chats.sort_unstable();
        chats.dedup();
        let epochs: Vec<u64> = chats.iter().map(|&c| self.bc.epoch(c)).collect();
        let ids = chats.clone();
        let rows = match self.bc.store_call(move |s| s.get_many(&ids)).await {
            Ok(rows) => rows,
            Err(e) => {
                self.recheck.extend(chats);
                return Err(e);
            }
        };
        let mut rows: HashMap<i64, Subscription> = rows.into_iter().map(|s| (s.chat_id, s)).collect();
        let now = self.bc.now();
        for (chat_id, epoch) in chats.into_iter().zip(epochs) {
            let old = self.subs.remove(&chat_id);
            match rows.remove(&chat_id).filter(|s| s.active) {
                Some(sub) => {
                    self.insert(sub, old.and_then(|e| e.skip), epoch);
                    self.plan(chat_id, now);
                }
                None => tracing::debug!(chat_id, "subscription gone from the plan"),
            }
        }
        Ok(())
    }

    fn insert(&mut self, sub: Subscription, skip: Option<NaiveDate>, epoch: u64) {
        self.next_gen += 1;
        let timing = Timing {
            time: sub.time,
            tz: sub.tz,
            last_delivered: sub.last_delivered,
            since: sub.subscribed_at,
        };
        let entry = Entry {
            timing,
            skip,
            gen: self.next_gen,
            epoch,
        };
        self.subs.insert(sub.chat_id, entry);
    }

    fn replan_all(&mut self, now: DateTime<Utc>) {
        self.heap.clear();
        let chats: Vec<i64> = self.subs.keys().copied().collect();
        for chat_id in chats {
            self.plan(chat_id, now);
        }
    }

    /// Puts the chat's next delivery on the heap (none while one is under way).
    fn plan(&mut self, chat_id: i64, now: DateTime<Utc>) {
        if self.busy.contains(&chat_id) {
            return;
        }
        let Some(e) = self.subs.get(&chat_id) else {
            return;
        };
        let mut plan = schedule::plan(&e.timing, now, &self.window);
        if let Plan::Due { date } = plan {
            if e.skip == Some(date) {
                plan = schedule::after_day(date, &e.timing, now, &self.window);
            }
        }
        let (at, date) = match plan {
            Plan::Due { date } => (now, date),
            Plan::At { at, date } => (at, date),
        };
        self.heap.push(Reverse((at, chat_id, e.gen, date)));
        if self.heap.len() > 2 * self.subs.len() + 1024 {
            // Many slots of replaced entries: start afresh.
            self.replan_all(now);
        }
    }

    /// Starts the deliveries that are due.
    fn dispatch(&mut self, now: DateTime<Utc>) {
        while self.busy.len() < MAX_IN_FLIGHT {
            match self.heap.peek() {
                Some(Reverse((at, ..))) if *at <= now => {}
                _ => break,
            }
            let Some(Reverse((_, chat_id, gen, date))) = self.heap.pop() else {
                break;
            };
            let current = self.subs.get(&chat_id).is_some_and(|e| e.gen == gen);
            if current && !self.busy.contains(&chat_id) {
                self.spawn(chat_id, date);
            }
        }
    }

    fn spawn(&mut self, chat_id: i64, date: NaiveDate) {
        let Some(html) = self.text(date) else {
            return;
        };
        let Some(e) = self.subs.get(&chat_id) else {
            return;
        };
        let job = Job {
            chat_id,
            date,
            time: e.timing.time,
            tz: e.timing.tz,
            html,
            epoch: e.epoch,
        };
        let task = deliver(self.sender.clone(), self.bc.clone(), job, self.shutdown.clone());
        let id = self.tasks.spawn(task).id();
        self.in_flight.insert(id, (chat_id, date));
        self.busy.insert(chat_id);
    }

    /// The daily message of `date`, rendered once per date.
    fn text(&mut self, date: NaiveDate) -> Option<Arc<str>> {
        if self.rotations.has_changed().unwrap_or(false) {
            self.rotations.borrow_and_update();
            self.texts.clear();
        }
        if let Some(t) = self.texts.get(&date) {
            return Some(t.clone());
        }
        if self.texts.len() > 8 {
            self.texts.clear();
        }
        let rotation = self.bc.rotation();
        let slogan = rotation.for_date(date)?;
        let html: Arc<str> = Text::Daily { slogan, date }.html().into();
        self.texts.insert(date, html.clone());
        Some(html)
    }

    fn finished(&mut self, done: Result<(tokio::task::Id, Outcome), tokio::task::JoinError>) {
        let (id, outcome) = match done {
            Ok((id, outcome)) => (id, Some(outcome)),
            Err(e) => {
                tracing::error!(error = %e, "a delivery failed");
                (e.id(), None)
            }
        };
        let Some((chat_id, date)) = self.in_flight.remove(&id) else {
            return;
        };
        self.busy.remove(&chat_id);
        let outcome = outcome.unwrap_or(Outcome::GaveUp);
        match outcome {
            Outcome::Delivered | Outcome::Unknown | Outcome::SentNotRecorded => {
                if let Some(e) = self.subs.get_mut(&chat_id) {
                    e.timing.last_delivered = e.timing.last_delivered.max(Some(date));
                }
            }
            Outcome::GaveUp => {
                if let Some(e) = self.subs.get_mut(&chat_id) {
                    e.skip = Some(date);
                }
            }
            Outcome::Deactivated | Outcome::Migrated => {
                // Migrations announce both chats as changed.
                self.subs.remove(&chat_id);
            }
            Outcome::Cancelled => self.recheck.push(chat_id),
            Outcome::Interrupted => {}
        }
        self.bc.report(DeliveryReport {
            chat_id,
            date,
            outcome: outcome.clone(),
        });
        if outcome != Outcome::Cancelled {
            self.plan(chat_id, self.bc.now());
        }
    }
}
