//! Daily slogan broadcasts: `/subscribe [HH:MM[:SS]]`, `/unsubscribe`,
//! `/slogan`, and the scheduler that sends every subscribed chat one slogan a
//! day at its local time.
//!
//! - [`store`] keeps the subscriptions in SQLite, including the last local
//!   date each chat was served, written only after Telegram accepted the
//!   message; this is what makes "once per chat per day" survive restarts.
//! - [`schedule`] is the pure clock arithmetic ([`schedule::next_fire`],
//!   [`schedule::plan`]).
//! - [`rotation`] picks the slogan of the day from the engine's slogan lists.
//! - [`texts`] renders every user-facing text.
//!
//! [`run_scheduler`] is one tokio loop: it sleeps until the next chat is due,
//! or until a subscription changes ([`Broadcast::notify`]), or until shutdown.

pub mod rotation;
pub mod schedule;
pub mod store;
pub mod texts;

use crate::bot::TgBot;
use crate::config::Config;
use crate::engine::Engine;
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use rotation::{Rotation, Slogan};
use schedule::{Plan, Timing, Window};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use store::{NewSubscription, Store, Subscription};
use teloxide::prelude::*;
use teloxide::types::{ChatKind, ParseMode, PublicChatKind, ReplyParameters};
use teloxide::{ApiError, RequestError};
use texts::Text;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Subscriptions (SQLite) plus what is needed to pick and send slogans.
pub struct Broadcast {
    store: Store,
    rotation: Rotation,
    default_time: NaiveTime,
    default_tz: Tz,
    catch_up: chrono::Duration,
    wake: Notify,
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
            store,
            rotation,
            default_time,
            default_tz,
            catch_up: chrono::Duration::minutes(i64::from(b.catch_up_minutes)),
            wake: Notify::new(),
        })
    }

    /// The subscription store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The slogan rotation.
    pub fn rotation(&self) -> &Rotation {
        &self.rotation
    }

    /// Wakes the scheduler so it re-reads the subscriptions (call after
    /// changing them behind its back).
    pub fn notify(&self) {
        self.wake.notify_one();
    }

    /// What is due for `sub` at `now`, for a scheduler running since
    /// `running_since`.
    pub fn plan(&self, sub: &Subscription, now: DateTime<Utc>, running_since: DateTime<Utc>) -> Plan {
        schedule::plan(&timing(sub), now, &self.window(running_since))
    }

    fn window(&self, running_since: DateTime<Utc>) -> Window {
        Window {
            running_since,
            catch_up: self.catch_up,
        }
    }

    /// The zone `/slogan` and `/subscribe` use for a chat: its own when it
    /// has one, else the configured one.
    fn zone_of(&self, chat_id: i64) -> Tz {
        match self.store.get(chat_id) {
            Ok(Some(s)) => s.tz,
            _ => self.default_tz,
        }
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

/// `/subscribe [HH:MM[:SS]] [IANA zone]`: subscribes the chat or changes its
/// time. Groups: administrators only.
pub async fn on_subscribe(bot: TgBot, msg: Message, bc: Arc<Broadcast>, arg: String) -> ResponseResult<()> {
    let chat_id = msg.chat.id.0;
    let Some(who) = authorize_or_refuse(&bot, &msg).await? else {
        return Ok(());
    };
    let tz_now = bc.zone_of(chat_id);
    let Some((time, tz)) = parse_arg(&arg, bc.default_time, tz_now) else {
        return reply(&bot, &msg, Text::BadTime { arg: arg.trim() }).await;
    };
    let now = Utc::now();
    let new = NewSubscription {
        chat_id,
        chat_type: chat_type(&msg.chat).to_string(),
        time,
        tz,
        at: now,
        by: who.id,
        by_name: who.name,
    };
    let saved = bc
        .store
        .subscribe(&new)
        .and_then(|outcome| Ok((outcome, bc.store.get(chat_id)?)));
    let (outcome, sub) = match saved {
        Ok((outcome, Some(sub))) => (outcome, sub),
        Ok((_, None)) => return reply(&bot, &msg, Text::StorageFailed).await,
        Err(e) => {
            tracing::error!(chat_id, error = %e, "could not save a subscription");
            return reply(&bot, &msg, Text::StorageFailed).await;
        }
    };
    bc.notify();
    tracing::info!(chat_id, time = %sub.time, tz = %sub.tz, ?outcome, "subscribed");
    let next = match bc.plan(&sub, now, DateTime::<Utc>::MAX_UTC) {
        Plan::Due { .. } => now,
        Plan::At { at, .. } => at,
    };
    let text = Text::Subscribed {
        outcome: &outcome,
        time: sub.time,
        tz: sub.tz,
        next,
        today: now.with_timezone(&sub.tz).date_naive(),
    };
    reply(&bot, &msg, text).await
}

/// `/unsubscribe`: stops the chat's slogans. Groups: administrators only.
pub async fn on_unsubscribe(bot: TgBot, msg: Message, bc: Arc<Broadcast>) -> ResponseResult<()> {
    let chat_id = msg.chat.id.0;
    if authorize_or_refuse(&bot, &msg).await?.is_none() {
        return Ok(());
    }
    let text = match bc.store.unsubscribe(chat_id, Utc::now()) {
        Ok(true) => {
            bc.notify();
            tracing::info!(chat_id, "unsubscribed");
            Text::Unsubscribed
        }
        Ok(false) => Text::NotSubscribed,
        Err(e) => {
            tracing::error!(chat_id, error = %e, "could not save an unsubscription");
            Text::StorageFailed
        }
    };
    reply(&bot, &msg, text).await
}

/// `/slogan`: today's slogan now (anyone may ask).
pub async fn on_slogan(bot: TgBot, msg: Message, bc: Arc<Broadcast>) -> ResponseResult<()> {
    let date = Utc::now().with_timezone(&bc.zone_of(msg.chat.id.0)).date_naive();
    let text = match bc.rotation.for_date(date) {
        Some(slogan) => Text::Today { slogan, date },
        None => Text::NoSlogans,
    };
    reply(&bot, &msg, text).await
}

/// A service message saying a group became a supergroup
/// (`migrate_to_chat_id`): moves its subscription along. Route it here when
/// the bot sees such messages; deliveries also follow a migration on their own.
pub async fn on_migration(msg: Message, bc: Arc<Broadcast>) -> ResponseResult<()> {
    if let Some(to) = msg.migrate_to_chat_id() {
        migrate(&bc, msg.chat.id.0, to.0);
    }
    Ok(())
}

/// Moves a subscription to the supergroup a group became; false when the
/// store failed.
fn migrate(bc: &Broadcast, from: i64, to: i64) -> bool {
    match bc.store.migrate(from, to) {
        Ok(_) => {
            tracing::info!(from, to, "subscription moved to the supergroup");
            bc.notify();
            true
        }
        Err(e) => {
            tracing::error!(from, to, error = %e, "could not move a subscription");
            false
        }
    }
}

/// Who changed a subscription.
struct Who {
    id: Option<i64>,
    name: Option<String>,
}

/// Checks the sender may change this chat's subscription; replies with a
/// refusal and returns `None` when not.
async fn authorize_or_refuse(bot: &TgBot, msg: &Message) -> ResponseResult<Option<Who>> {
    match authorize(bot, msg).await {
        Ok(Some(who)) => Ok(Some(who)),
        Ok(None) => {
            tracing::info!(chat_id = msg.chat.id.0, user = ?msg.from.as_ref().map(|u| u.id.0), "refused: not an administrator");
            reply(bot, msg, Text::AdminsOnly).await.map(|()| None)
        }
        Err(e) => {
            tracing::warn!(chat_id = msg.chat.id.0, error = %e, "getChatMember failed");
            reply(bot, msg, Text::CannotCheckAdmin).await.map(|()| None)
        }
    }
}

/// Private chats: the user. Channels: whoever can post is an administrator.
/// Groups: the creator or an administrator (`getChatMember`), including an
/// administrator posting anonymously as the group.
async fn authorize(bot: &TgBot, msg: &Message) -> Result<Option<Who>, RequestError> {
    let user = msg.from.as_ref();
    let who = Who {
        id: user.map(|u| u.id.0 as i64),
        name: user.map(|u| match &u.username {
            Some(name) => format!("@{name}"),
            None => u.full_name(),
        }),
    };
    let chat = &msg.chat;
    if chat.is_private() || chat.is_channel() {
        return Ok(Some(who));
    }
    if msg.sender_chat.as_ref().is_some_and(|c| c.id == chat.id) {
        return Ok(Some(Who {
            id: None,
            name: Some("匿名管理员".to_string()),
        }));
    }
    let Some(user) = user else {
        return Ok(None);
    };
    let member = bot.get_chat_member(chat.id, user.id).await?;
    Ok(member.kind.is_privileged().then_some(who))
}

async fn reply(bot: &TgBot, msg: &Message, text: Text<'_>) -> ResponseResult<()> {
    let mut req = bot.send_message(msg.chat.id, text.html()).parse_mode(ParseMode::Html);
    if !msg.chat.is_private() {
        req = req.reply_parameters(ReplyParameters::new(msg.id).allow_sending_without_reply());
        if msg.is_topic_message {
            if let Some(thread) = msg.thread_id {
                req = req.message_thread_id(thread);
            }
        }
    }
    req.await?;
    Ok(())
}

fn chat_type(chat: &teloxide::types::Chat) -> &'static str {
    match &chat.kind {
        ChatKind::Private(_) => "private",
        ChatKind::Public(p) => match p.kind {
            PublicChatKind::Group => "group",
            PublicChatKind::Supergroup(_) => "supergroup",
            PublicChatKind::Channel(_) => "channel",
        },
    }
}

/// Parses `/subscribe`'s argument: nothing (the default time), a time
/// (`HH:MM` or `HH:MM:SS`, full-width digits and colon accepted), an IANA
/// zone, or both. `tz` is the zone when none is given.
fn parse_arg(arg: &str, default_time: NaiveTime, tz: Tz) -> Option<(NaiveTime, Tz)> {
    let arg: String = arg
        .chars()
        .map(|c| match c {
            '：' => ':',
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect();
    let (mut time, mut zone) = (None, None);
    for token in arg.split_whitespace() {
        if let (None, Some(t)) = (time, crate::config::parse_time(token)) {
            time = Some(t);
        } else if let (None, Ok(z)) = (zone, token.parse::<Tz>()) {
            zone = Some(z);
        } else {
            return None;
        }
    }
    Some((time.unwrap_or(default_time), zone.unwrap_or(tz)))
}

/// At most this many deliveries wait on Telegram at once; `Throttle` paces them.
const MAX_IN_FLIGHT: usize = 64;
/// The loop re-reads the clock at least this often (guards against wall-clock
/// jumps and suspend, which monotonic sleeps do not see).
const MAX_SLEEP: Duration = Duration::from_secs(600);
/// Longest wait between network retries.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// The delivery loop; returns when `shutdown` is cancelled. Deliveries in
/// progress get 0.8 s to finish so an accepted message is recorded (the
/// bot waits 1 s for the scheduler at shutdown).
pub async fn run_scheduler(bot: TgBot, bc: Arc<Broadcast>, shutdown: CancellationToken) {
    Scheduler {
        bot,
        bc,
        shutdown,
        started: Utc::now(),
        tasks: JoinSet::new(),
        in_flight: HashMap::new(),
        busy: HashSet::new(),
        skip: HashMap::new(),
    }
    .run()
    .await
}

struct Scheduler {
    bot: TgBot,
    bc: Arc<Broadcast>,
    shutdown: CancellationToken,
    /// When this scheduler started: firings before it were missed while down.
    started: DateTime<Utc>,
    tasks: JoinSet<Outcome>,
    /// Task id → chat id, for deliveries in progress.
    in_flight: HashMap<tokio::task::Id, (i64, NaiveDate)>,
    /// Chats with a delivery in progress.
    busy: HashSet<i64>,
    /// Chats that cannot be served on a date (failed for good that day).
    skip: HashMap<i64, NaiveDate>,
}

/// How one delivery ended.
#[derive(Debug)]
enum Outcome {
    /// Telegram accepted it and it is recorded.
    Delivered,
    /// Telegram accepted it but recording failed: do not send again today.
    SentNotRecorded,
    /// The chat is gone (blocked, kicked, deleted…) and was deactivated.
    Deactivated,
    /// The group became a supergroup; the subscription was moved and the
    /// next round delivers there.
    Migrated,
    /// No slogan could be sent today (no slogans, or errors until the day ended).
    GaveUp,
    /// Shutdown came first.
    Interrupted,
}

impl Scheduler {
    async fn run(mut self) {
        if self.bc.rotation.is_empty() {
            tracing::warn!("the corpus has no slogans: the broadcast scheduler stays idle");
            self.shutdown.cancelled().await;
            return;
        }
        tracing::info!(slogans = self.bc.rotation.len(), "broadcast scheduler started");
        let mut store_backoff = Duration::from_secs(1);
        loop {
            let wait = match self.bc.store.active() {
                Ok(subs) => {
                    store_backoff = Duration::from_secs(1);
                    let next = self.dispatch(subs, Utc::now());
                    next.map_or(MAX_SLEEP, |at| (at - Utc::now()).to_std().unwrap_or_default())
                }
                Err(e) => {
                    tracing::error!(error = %e, "could not read subscriptions");
                    store_backoff = (store_backoff * 2).min(MAX_BACKOFF);
                    store_backoff
                }
            };
            let wait = wait.min(MAX_SLEEP);
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
        if tokio::time::timeout(Duration::from_millis(800), drain).await.is_err() {
            tracing::warn!("deliveries still running at shutdown were aborted");
            self.tasks.abort_all();
        }
        tracing::info!("broadcast scheduler stopped");
    }

    /// Starts the deliveries that are due; returns when the next one is.
    fn dispatch(&mut self, subs: Vec<Subscription>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut next: Option<DateTime<Utc>> = None;
        for sub in subs {
            if self.busy.contains(&sub.chat_id) {
                continue;
            }
            let window = self.bc.window(self.started);
            let mut plan = schedule::plan(&timing(&sub), now, &window);
            if let Plan::Due { date } = plan {
                if self.skip.get(&sub.chat_id) == Some(&date) {
                    plan = schedule::after_day(date, &timing(&sub), now, &window);
                }
            }
            match plan {
                Plan::Due { date } if self.busy.len() < MAX_IN_FLIGHT => self.spawn(sub, date),
                // Full: a finishing delivery wakes the loop.
                Plan::Due { .. } => {}
                Plan::At { at, .. } => next = Some(next.map_or(at, |n| n.min(at))),
            }
        }
        next
    }

    fn spawn(&mut self, sub: Subscription, date: NaiveDate) {
        let chat_id = sub.chat_id;
        let task = deliver(self.bot.clone(), self.bc.clone(), sub, date, self.shutdown.clone());
        let id = self.tasks.spawn(task).id();
        self.in_flight.insert(id, (chat_id, date));
        self.busy.insert(chat_id);
    }

    fn finished(&mut self, done: Result<(tokio::task::Id, Outcome), tokio::task::JoinError>) {
        let (id, outcome) = match done {
            Ok((id, outcome)) => (id, Some(outcome)),
            Err(e) => (e.id(), None),
        };
        let Some((chat_id, date)) = self.in_flight.remove(&id) else {
            return;
        };
        self.busy.remove(&chat_id);
        match outcome {
            Some(Outcome::Delivered | Outcome::Deactivated | Outcome::Migrated | Outcome::Interrupted) => {}
            Some(Outcome::SentNotRecorded | Outcome::GaveUp) | None => {
                self.skip.retain(|_, d| *d >= date.pred_opt().unwrap_or(date));
                self.skip.insert(chat_id, date);
            }
        }
    }
}

/// Sends `date`'s slogan to one chat and records it; [`Outcome`] lists the
/// endings.
async fn deliver(
    bot: TgBot,
    bc: Arc<Broadcast>,
    sub: Subscription,
    date: NaiveDate,
    shutdown: CancellationToken,
) -> Outcome {
    let chat_id = sub.chat_id;
    let Some(slogan) = bc.rotation.for_date(date) else {
        tracing::warn!(chat_id, %date, "no slogans to broadcast");
        return Outcome::GaveUp;
    };
    let text = Text::Daily { slogan, date }.html();
    let day_ends = date
        .succ_opt()
        .map(|d| schedule::fire_at(d, NaiveTime::MIN, sub.tz))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let mut backoff = Duration::from_secs(1);
    let mut retry_afters = 0;
    loop {
        let sent = bot
            .send_message(ChatId(chat_id), text.as_str())
            .parse_mode(ParseMode::Html)
            .await;
        let error = match sent {
            Ok(message) => return recorded(&bc, chat_id, date, message.id.0, slogan),
            Err(e) => e,
        };
        let wait = match &error {
            // Throttle already waits and retries; this is its fallback.
            RequestError::RetryAfter(after) if retry_afters < 20 => {
                crate::ops::metrics::delivery_failed("retry_after");
                retry_afters += 1;
                tracing::warn!(chat_id, after = ?after.duration(), "rate limited; retrying");
                after.duration()
            }
            RequestError::MigrateToChatId(to) => {
                crate::ops::metrics::delivery_failed("migrated");
                return if migrate(&bc, chat_id, to.0) {
                    Outcome::Migrated
                } else {
                    Outcome::GaveUp
                };
            }
            RequestError::Api(api) if gone(api).is_some() => {
                crate::ops::metrics::delivery_failed("chat_gone");
                let reason = gone(api).unwrap_or_default();
                match bc.store.deactivate(chat_id, &reason, Utc::now()) {
                    Ok(_) => tracing::info!(chat_id, reason, "subscription deactivated"),
                    Err(e) => {
                        tracing::error!(chat_id, error = %e, "could not deactivate a subscription")
                    }
                }
                return Outcome::Deactivated;
            }
            RequestError::Network(_) | RequestError::Io(_) if Utc::now() + backoff < day_ends => {
                crate::ops::metrics::delivery_failed("network");
                tracing::warn!(chat_id, error = %error, retry_in = ?backoff, "broadcast failed; retrying");
                let wait = backoff;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                wait
            }
            _ => {
                crate::ops::metrics::delivery_failed("gave_up");
                tracing::error!(chat_id, %date, error = %error, "broadcast failed; skipping this chat today");
                return Outcome::GaveUp;
            }
        };
        tokio::select! {
            _ = shutdown.cancelled() => return Outcome::Interrupted,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

fn recorded(bc: &Broadcast, chat_id: i64, date: NaiveDate, message_id: i32, slogan: &Slogan) -> Outcome {
    crate::ops::metrics::delivered();
    match bc.store.mark_delivered(chat_id, date, message_id, Utc::now()) {
        Ok(()) => {
            tracing::info!(chat_id, %date, year = slogan.year, number = slogan.number, "slogan delivered");
            Outcome::Delivered
        }
        Err(e) => {
            tracing::error!(chat_id, %date, error = %e, "slogan delivered but not recorded");
            Outcome::SentNotRecorded
        }
    }
}

/// The reason to stop a subscription for good, when the error says the chat
/// cannot receive messages any more.
fn gone(e: &ApiError) -> Option<String> {
    let reason = match e {
        ApiError::BotBlocked => "blocked by the user",
        ApiError::BotKicked | ApiError::BotKickedFromSupergroup | ApiError::BotKickedFromChannel => {
            "bot removed from the chat"
        }
        ApiError::UserDeactivated => "user deactivated",
        ApiError::ChatNotFound => "chat not found",
        ApiError::GroupDeactivated => "group deactivated",
        ApiError::CantInitiateConversation => "user never started the bot",
        ApiError::CantTalkWithBots => "chat is a bot",
        ApiError::Unknown(text) if text.starts_with("Forbidden:") => return Some(text.clone()),
        _ => return None,
    };
    Some(reason.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribe_argument() {
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        let sh = chrono_tz::Asia::Shanghai;
        let t = |h, m, s| NaiveTime::from_hms_opt(h, m, s).unwrap();
        assert_eq!(parse_arg("", nine, sh), Some((nine, sh)));
        assert_eq!(parse_arg("  07:30 ", nine, sh), Some((t(7, 30, 0), sh)));
        assert_eq!(parse_arg("07:30:15", nine, sh), Some((t(7, 30, 15), sh)));
        assert_eq!(parse_arg("０８：３０", nine, sh), Some((t(8, 30, 0), sh)));
        assert_eq!(
            parse_arg("18:00 Europe/Berlin", nine, sh),
            Some((t(18, 0, 0), chrono_tz::Europe::Berlin))
        );
        assert_eq!(parse_arg("UTC", nine, sh), Some((nine, chrono_tz::UTC)));
        for bad in ["25:00", "9点", "07:30 08:00", "Mars/Base", "07:30 UTC UTC", "<b>"] {
            assert_eq!(parse_arg(bad, nine, sh), None, "{bad}");
        }
    }

    #[test]
    fn gone_errors() {
        assert!(gone(&ApiError::BotBlocked).is_some());
        assert!(gone(&ApiError::ChatNotFound).is_some());
        assert!(gone(&ApiError::Unknown(
            "Forbidden: bot is not a member of the supergroup chat".into()
        ))
        .is_some());
        assert!(gone(&ApiError::MessageIsTooLong).is_none());
        // Losing the right to post is often temporary: skip the day, keep the chat.
        assert!(gone(&ApiError::NotEnoughRightsToPostMessages).is_none());
        assert!(gone(&ApiError::Unknown("Bad Request: something".into())).is_none());
    }
}
