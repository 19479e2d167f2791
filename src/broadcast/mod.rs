//! Daily slogan broadcasts: subscriptions, the scheduler that sends every
//! subscribed chat one slogan a day at its local time, and the pacing that
//! keeps replies ahead of it. Nothing here knows teloxide or the bot: the
//! Telegram commands (`/subscribe`, `/unsubscribe`, `/slogan`) live in
//! `crate::bot` and call [`Broadcast`]'s async methods, and the scheduler
//! reaches Telegram through the [`Sender`] trait.
//!
//! - [`store`] keeps the subscriptions in SQLite, including the last local
//!   date each chat was served, written only after Telegram accepted the
//!   message; this is what makes "once per chat per day" survive restarts.
//!   Async code calls it through [`Broadcast::store_call`], on tokio's
//!   blocking pool. [`lock`] keeps a second bot off the same file.
//! - [`schedule`] is the pure clock arithmetic ([`schedule::next_fire`],
//!   [`schedule::plan`]); [`clock`] makes the wall clock injectable.
//! - [`scheduler`] is the delivery loop ([`run_scheduler`]): a min-heap of
//!   next firings, so a delivery costs the same with 100 or 100,000 chats.
//! - [`delivery`] sends one chat its slogan and records the outcome
//!   ([`recorder`]: deliveries that finish together share one commit);
//!   [`pace`] lets the broadcast use only what replies leave of Telegram's
//!   30 messages a second.
//! - [`rotation`] picks the slogan of the day; [`texts`] renders every
//!   user-facing text; [`bench`] measures the scheduler (`qmbot bench
//!   --subscribers N`).

pub mod bench;
pub mod clock;
pub mod delivery;
pub mod lock;
pub mod pace;
pub mod recorder;
pub mod rotation;
pub mod schedule;
pub mod scheduler;
pub mod store;
pub mod texts;

pub use delivery::{Outcome, SendError, Sender};
pub use scheduler::run_scheduler;

use crate::config::Config;
use crate::engine::Engine;
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use clock::{Clock, SystemClock};
use pace::Pacer;
use recorder::Recorder;
use rotation::{Rotation, Slogan};
use schedule::{Plan, Timing, Window};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use store::{Delivery, NewSubscription, Store, Subscribed, Subscription};
use tokio::sync::Notify;

/// Subscriptions (SQLite) plus what is needed to pick, pace and send slogans.
pub struct Broadcast {
    store: Arc<Store>,
    /// The slogans, replaced whole when the corpus is reloaded.
    rotation: tokio::sync::watch::Sender<Arc<Rotation>>,
    default_time: NaiveTime,
    default_tz: Tz,
    catch_up: chrono::Duration,
    clock: Arc<dyn Clock>,
    pacer: Pacer,
    recorder: Recorder,
    changes: Mutex<Changes>,
    wake: Notify,
    reports: tokio::sync::broadcast::Sender<DeliveryReport>,
}

/// Chats whose subscription changed since the scheduler last looked, and a
/// counter per chat that every change bumps.
#[derive(Default)]
struct Changes {
    all: bool,
    chats: Vec<i64>,
    epochs: HashMap<i64, u64>,
}

/// What the scheduler took from [`Changes`].
pub(crate) struct Taken {
    pub(crate) all: bool,
    pub(crate) chats: Vec<i64>,
}

/// How a delivery ended, for observers ([`Broadcast::reports`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// The chat.
    pub chat_id: i64,
    /// The local date served.
    pub date: NaiveDate,
    /// How it ended.
    pub outcome: Outcome,
}

impl Broadcast {
    /// Opens (creating when missing) the store at `config.storage.path`; the
    /// rotation is built from the engine's slogan lists.
    pub fn open(config: &Config, engine: Arc<Engine>) -> Result<Broadcast> {
        Broadcast::with_rotation(config, Rotation::from_engine(&engine))
    }

    /// Like [`Broadcast::open`] with a given rotation (tests build their own
    /// slogan lists).
    pub fn with_rotation(config: &Config, rotation: Rotation) -> Result<Broadcast> {
        let invalid = |message: String| Error::Invalid {
            path: PathBuf::from("[broadcast]"),
            message,
        };
        let b = &config.broadcast;
        let default_time = crate::config::parse_time(&b.time)
            .ok_or_else(|| invalid(format!("time = {:?}: expected \"HH:MM\" or \"HH:MM:SS\"", b.time)))?;
        let default_tz = b
            .timezone
            .parse::<Tz>()
            .map_err(|_| invalid(format!("timezone = {:?}: not an IANA time zone name", b.timezone)))?;
        let store = Store::open(&config.storage.path)?;
        tracing::info!(
            path = %store.path().display(),
            slogans = rotation.len(),
            "broadcast store opened"
        );
        Ok(Broadcast {
            store: Arc::new(store),
            rotation: tokio::sync::watch::Sender::new(Arc::new(rotation)),
            default_time,
            default_tz,
            catch_up: chrono::Duration::minutes(i64::from(b.catch_up_minutes)),
            clock: Arc::new(SystemClock),
            pacer: Pacer::default(),
            recorder: Recorder::default(),
            changes: Mutex::new(Changes::default()),
            wake: Notify::new(),
            reports: tokio::sync::broadcast::channel(1024).0,
        })
    }

    /// Uses `clock` instead of the system clock (tests, the benchmark).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Broadcast {
        self.clock = clock;
        self
    }

    /// Uses `pacer` instead of the default one.
    pub fn with_pacer(mut self, pacer: Pacer) -> Broadcast {
        self.pacer = pacer;
        self
    }

    /// The subscription store. Its calls block: from async code use
    /// [`Broadcast::store_call`].
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs `f` on the store on tokio's blocking pool, off the async
    /// workers. A panic in `f` is resumed in the caller.
    pub async fn store_call<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T> + Send + 'static,
    {
        let store = self.store.clone();
        match tokio::task::spawn_blocking(move || f(&store)).await {
            Ok(result) => result,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => Err(Error::Invalid {
                path: self.store.path().to_path_buf(),
                message: format!("storage task cancelled: {e}"),
            }),
        }
    }

    /// Records a delivery (group commit, see [`recorder`]); returns once it
    /// is committed.
    pub async fn record(&self, delivery: Delivery) -> Result<()> {
        self.recorder.record(&self.store, delivery).await
    }

    /// The slogan rotation as of now.
    pub fn rotation(&self) -> Arc<Rotation> {
        self.rotation.borrow().clone()
    }

    /// Serves `rotation` from now on (a reloaded corpus's slogans); the
    /// scheduler renders the next messages from it.
    pub fn set_rotation(&self, rotation: Rotation) {
        tracing::info!(slogans = rotation.len(), "slogan rotation replaced");
        self.rotation.send_replace(Arc::new(rotation));
        // Chats whose firing found no slogan (an empty rotation) are
        // planned again, with every other.
        self.notify();
    }

    /// Notified with every rotation [`Broadcast::set_rotation`] swaps in.
    pub fn rotations(&self) -> tokio::sync::watch::Receiver<Arc<Rotation>> {
        self.rotation.subscribe()
    }

    /// The slogan of `date` (the chat's local date).
    pub fn slogan_for(&self, date: NaiveDate) -> Option<Slogan> {
        self.rotation.borrow().for_date(date).cloned()
    }

    /// The pacer broadcast sends wait for; the bot notes replies on it.
    pub fn pacer(&self) -> &Pacer {
        &self.pacer
    }

    /// The current time by the broadcast's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The delivery time of `/subscribe` without an argument.
    pub fn default_time(&self) -> NaiveTime {
        self.default_time
    }

    /// The zone of new subscriptions.
    pub fn default_tz(&self) -> Tz {
        self.default_tz
    }

    /// How late a firing missed while down may still be served.
    pub fn catch_up(&self) -> chrono::Duration {
        self.catch_up
    }

    /// Wakes the scheduler so it re-reads every subscription (call after
    /// changing many behind its back).
    pub fn notify(&self) {
        self.lock_changes().all = true;
        self.wake.notify_one();
    }

    /// Tells the scheduler that one chat's subscription changed in the
    /// store; it re-reads and re-plans that chat alone, and a delivery to
    /// it that has not gone out yet checks the store again first.
    pub fn changed(&self, chat_id: i64) {
        {
            let mut changes = self.lock_changes();
            *changes.epochs.entry(chat_id).or_insert(0) += 1;
            changes.chats.push(chat_id);
        }
        self.wake.notify_one();
    }

    /// How many changes [`Broadcast::changed`] announced for a chat.
    pub fn epoch(&self, chat_id: i64) -> u64 {
        self.lock_changes().epochs.get(&chat_id).copied().unwrap_or(0)
    }

    /// Every chat's [`Broadcast::epoch`] that is not 0.
    pub(crate) fn epochs(&self) -> HashMap<i64, u64> {
        self.lock_changes().epochs.clone()
    }

    pub(crate) fn take_changes(&self) -> Taken {
        let mut changes = self.lock_changes();
        Taken {
            all: std::mem::take(&mut changes.all),
            chats: std::mem::take(&mut changes.chats),
        }
    }

    fn lock_changes(&self) -> std::sync::MutexGuard<'_, Changes> {
        self.changes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A stream of every finished delivery (lagging receivers lose the
    /// oldest reports).
    pub fn reports(&self) -> tokio::sync::broadcast::Receiver<DeliveryReport> {
        self.reports.subscribe()
    }

    pub(crate) fn report(&self, report: DeliveryReport) {
        // No receiver is fine.
        let _ = self.reports.send(report);
    }

    /// What is due for `sub` at `now`, for a scheduler running since
    /// `running_since`.
    pub fn plan(&self, sub: &Subscription, now: DateTime<Utc>, running_since: DateTime<Utc>) -> Plan {
        let window = Window {
            running_since,
            catch_up: self.catch_up,
        };
        schedule::plan(&timing(sub), now, &window)
    }

    /// When `sub`'s next slogan comes, seen at `now` (`now` itself when one
    /// is due).
    pub fn next_delivery(&self, sub: &Subscription, now: DateTime<Utc>) -> DateTime<Utc> {
        match self.plan(sub, now, DateTime::<Utc>::MAX_UTC) {
            Plan::Due { .. } => now,
            Plan::At { at, .. } => at,
        }
    }

    /// One chat's subscription, active or not.
    pub async fn subscription(&self, chat_id: i64) -> Result<Option<Subscription>> {
        self.store_call(move |s| s.get(chat_id)).await
    }

    /// The zone `/slogan` and `/subscribe` use for a chat: its own when it
    /// has one, else the configured one.
    pub async fn zone_of(&self, chat_id: i64) -> Tz {
        match self.subscription(chat_id).await {
            Ok(Some(s)) => s.tz,
            Ok(None) => self.default_tz,
            Err(e) => {
                tracing::warn!(chat_id, error = %e, "could not read a subscription; using the default zone");
                self.default_tz
            }
        }
    }

    /// Subscribes a chat or changes its time; returns what changed and the
    /// subscription now stored.
    pub async fn subscribe(&self, new: NewSubscription) -> Result<(Subscribed, Subscription)> {
        let chat_id = new.chat_id;
        let path = self.store.path().to_path_buf();
        let saved = self
            .store_call(move |s| {
                let outcome = s.subscribe(&new)?;
                let sub = s.get(chat_id)?.ok_or_else(|| Error::Invalid {
                    path,
                    message: format!("subscription of chat {chat_id} missing right after it was saved"),
                })?;
                Ok((outcome, sub))
            })
            .await?;
        self.changed(chat_id);
        Ok(saved)
    }

    /// Stops a chat's slogans; returns whether it was subscribed.
    pub async fn unsubscribe(&self, chat_id: i64) -> Result<bool> {
        let at = self.now();
        let was = self.store_call(move |s| s.unsubscribe(chat_id, at)).await?;
        self.changed(chat_id);
        Ok(was)
    }

    /// Stops a chat's slogans for `reason`; returns whether it was active.
    pub async fn deactivate(&self, chat_id: i64, reason: String) -> Result<bool> {
        let at = self.now();
        let was = self.store_call(move |s| s.deactivate(chat_id, &reason, at)).await?;
        self.changed(chat_id);
        Ok(was)
    }

    /// Moves a group's subscription to the supergroup it became; returns
    /// the subscription now in force there.
    pub async fn migrate(&self, from: i64, to: i64) -> Result<Option<Subscription>> {
        let now = self.store_call(move |s| s.migrate(from, to)).await?;
        tracing::info!(from, to, "subscription moved to the supergroup");
        self.changed(from);
        self.changed(to);
        Ok(now)
    }
}

fn timing(sub: &Subscription) -> Timing {
    Timing {
        time: sub.time,
        tz: sub.tz,
        last_delivered: sub.last_delivered,
        since: sub.subscribed_at,
    }
}
