//! One delivery: send a chat the day's slogan through a [`Sender`], handle
//! Telegram's answer, record the outcome.
//!
//! The broadcast core never sees teloxide: the bot implements [`Sender`] for
//! Telegram and sorts its errors into [`SendError`]; tests and the benchmark
//! implement it without a network.
//!
//! What makes a second message possible, and what does not:
//!
//! - A delivery is recorded only after Telegram accepted the message. If the
//!   process dies between the two (the time of one SQLite commit), the chat
//!   gets the slogan again after the restart.
//! - A send whose outcome is unknown (the request left but no answer came:
//!   timeout, connection lost, a 5xx) is recorded as
//!   [`DeliveryStatus::Unknown`](super::store::DeliveryStatus) and never
//!   retried: the chat may miss that day's slogan, but never gets two.
//! - Only sends that never reached Telegram (connection refused, DNS) and
//!   `429 retry after` are retried, and before every retry the chat is read
//!   again from the store: an unsubscription, or a new time or zone, stops it.

use super::schedule;
use super::store::Delivery;
use super::Broadcast;
use crate::ops::metrics;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How the broadcast reaches Telegram.
pub trait Sender: Send + Sync + 'static {
    /// Sends `html` (Telegram HTML) to `chat_id`; returns Telegram's id of
    /// the new message.
    fn send(&self, chat_id: i64, html: &str) -> impl Future<Output = Result<i32, SendError>> + Send;
}

/// Why a send failed, sorted by what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Telegram asked to wait this long (429) and try again.
    RetryAfter(Duration),
    /// The group became the supergroup with this id.
    Migrated(i64),
    /// The chat cannot receive messages any more (blocked, kicked, deleted…);
    /// the reason is stored when the subscription is stopped.
    Gone(String),
    /// The request never reached Telegram (no connection): safe to retry.
    NotSent(String),
    /// The request left but no answer came: Telegram may have delivered it.
    Unknown(String),
    /// Telegram refused this message; retrying will not help today.
    Refused(String),
}

/// How one delivery ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Telegram accepted it and it is recorded.
    Delivered,
    /// The send's outcome is unknown; the day is recorded as served.
    Unknown,
    /// Telegram accepted it (or may have) but recording failed: do not send
    /// again today.
    SentNotRecorded,
    /// The chat is gone (blocked, kicked, deleted…) and was deactivated.
    Deactivated,
    /// The group became a supergroup; the subscription moved there.
    Migrated,
    /// The chat unsubscribed or changed its time or zone meanwhile.
    Cancelled,
    /// No slogan could be sent today (no slogans, refused, or errors until
    /// the chat's day ended).
    GaveUp,
    /// Shutdown came first; nothing was sent.
    Interrupted,
}

/// Longest wait between retries of a send that never reached Telegram.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// At most this many `429 retry after` answers are waited out per delivery.
const MAX_RETRY_AFTERS: u32 = 20;

/// One chat's delivery of `date`'s slogan.
#[derive(Debug, Clone)]
pub struct Job {
    /// The chat.
    pub chat_id: i64,
    /// The local date being served.
    pub date: NaiveDate,
    /// The chat's local time when the job was planned.
    pub time: NaiveTime,
    /// The chat's zone when the job was planned.
    pub tz: Tz,
    /// The message (Telegram HTML).
    pub html: Arc<str>,
    /// [`Broadcast::epoch`] of the chat when the job was planned.
    pub epoch: u64,
}

/// Sends `job`'s slogan (paced by [`Broadcast::pacer`]) and records the
/// result; [`Outcome`] lists the endings.
pub async fn deliver<S: Sender>(sender: Arc<S>, bc: Arc<Broadcast>, job: Job, shutdown: CancellationToken) -> Outcome {
    let chat_id = job.chat_id;
    let date = job.date;
    let day_ends = date
        .succ_opt()
        .map(|d| schedule::fire_at(d, NaiveTime::MIN, job.tz))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let mut backoff = Duration::from_secs(1);
    let mut retry_afters = 0;
    let mut retrying = false;
    loop {
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => return Outcome::Interrupted,
            _ = bc.pacer().acquire() => {}
        }
        // The chat may have changed while this job waited for its turn (or
        // for a retry): ask the store again.
        if retrying || bc.epoch(chat_id) != job.epoch {
            match still_wanted(&bc, &job).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::info!(chat_id, %date, "subscription changed before the send; not sent");
                    return Outcome::Cancelled;
                }
                Err(e) => {
                    tracing::error!(chat_id, %date, error = %e, "could not re-read a subscription; skipping this chat today");
                    return Outcome::GaveUp;
                }
            }
        }
        let error = match sender.send(chat_id, &job.html).await {
            Ok(message_id) => {
                metrics::delivered();
                return record(&bc, &job, Some(message_id)).await;
            }
            Err(e) => e,
        };
        let wait = match error {
            // Throttle already waits and retries; this is the fallback.
            SendError::RetryAfter(after) if retry_afters < MAX_RETRY_AFTERS => {
                metrics::delivery_failed("retry_after");
                retry_afters += 1;
                tracing::warn!(chat_id, ?after, "rate limited; retrying");
                after
            }
            SendError::Migrated(to) => {
                metrics::delivery_failed("migrated");
                return match bc.migrate(chat_id, to).await {
                    Ok(_) => Outcome::Migrated,
                    Err(e) => {
                        tracing::error!(from = chat_id, to, error = %e, "could not move a subscription");
                        Outcome::GaveUp
                    }
                };
            }
            SendError::Gone(reason) => {
                metrics::delivery_failed("chat_gone");
                match bc.deactivate(chat_id, reason.clone()).await {
                    Ok(_) => tracing::info!(chat_id, reason, "subscription deactivated"),
                    Err(e) => tracing::error!(chat_id, error = %e, "could not deactivate a subscription"),
                }
                return Outcome::Deactivated;
            }
            SendError::NotSent(e) if bc.now() + backoff < day_ends => {
                metrics::delivery_failed("network");
                tracing::warn!(chat_id, error = e, retry_in = ?backoff, "broadcast not sent; retrying");
                let wait = backoff;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                wait
            }
            SendError::Unknown(e) => {
                metrics::delivery_failed("unknown");
                tracing::warn!(
                    chat_id,
                    %date,
                    error = e,
                    "broadcast outcome unknown (Telegram may have delivered it); not retried, the day counts as served"
                );
                return record(&bc, &job, None).await;
            }
            other => {
                metrics::delivery_failed("gave_up");
                tracing::error!(chat_id, %date, error = ?other, "broadcast failed; skipping this chat today");
                return Outcome::GaveUp;
            }
        };
        retrying = true;
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => return Outcome::Interrupted,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Whether the store still wants `job` sent: the chat is subscribed, at the
/// same time and zone, and `job.date` is not served yet.
async fn still_wanted(bc: &Broadcast, job: &Job) -> crate::Result<bool> {
    let chat_id = job.chat_id;
    let sub = bc.store_call(move |s| s.get(chat_id)).await?;
    Ok(sub.is_some_and(|s| {
        s.active && s.time == job.time && s.tz == job.tz && s.last_delivered.is_none_or(|d| d < job.date)
    }))
}

/// Records a send: accepted with its message id, or of unknown outcome.
async fn record(bc: &Broadcast, job: &Job, message_id: Option<i32>) -> Outcome {
    let (chat_id, date) = (job.chat_id, job.date);
    let delivery = Delivery {
        chat_id,
        date,
        message_id,
        at: bc.now(),
    };
    let saved = bc.record(delivery).await;
    match (saved, message_id) {
        (Ok(()), Some(_)) => {
            tracing::debug!(chat_id, %date, "slogan delivered");
            Outcome::Delivered
        }
        (Ok(()), None) => Outcome::Unknown,
        (Err(e), _) => {
            tracing::error!(chat_id, %date, error = %e, "slogan sent but not recorded");
            Outcome::SentNotRecorded
        }
    }
}
