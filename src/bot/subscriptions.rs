//! `/subscribe [HH:MM[:SS]] [zone]`, `/unsubscribe`, `/slogan`, and group
//! migrations: the Telegram side of the daily slogans. The subscriptions
//! themselves, and the scheduler, are [`crate::broadcast`]'s; every store
//! call here goes through its async methods, off the async workers.

use super::TgBot;
use crate::broadcast::store::NewSubscription;
use crate::broadcast::texts::Text;
use crate::broadcast::Broadcast;
use chrono::NaiveTime;
use chrono_tz::Tz;
use std::sync::Arc;
use teloxide::prelude::*;
use teloxide::types::{ChatKind, ParseMode, PublicChatKind, ReplyParameters};
use teloxide::RequestError;

/// `/subscribe [HH:MM[:SS]] [IANA zone]`: subscribes the chat or changes its
/// time. Groups: administrators only.
pub async fn on_subscribe(bot: TgBot, msg: Message, bc: Arc<Broadcast>, arg: String) -> ResponseResult<()> {
    let chat_id = msg.chat.id.0;
    let Some(who) = authorize_or_refuse(&bot, &msg).await? else {
        return Ok(());
    };
    let tz_now = bc.zone_of(chat_id).await;
    let Some((time, tz)) = parse_arg(&arg, bc.default_time(), tz_now) else {
        return reply(&bot, &msg, Text::BadTime { arg: arg.trim() }).await;
    };
    let now = bc.now();
    let new = NewSubscription {
        chat_id,
        chat_type: chat_type(&msg.chat).to_string(),
        time,
        tz,
        at: now,
        by: who.id,
        by_name: who.name,
    };
    let (outcome, sub) = match bc.subscribe(new).await {
        Ok(saved) => saved,
        Err(e) => {
            tracing::error!(chat_id, error = %e, "could not save a subscription");
            return reply(&bot, &msg, Text::StorageFailed).await;
        }
    };
    tracing::info!(chat_id, time = %sub.time, tz = %sub.tz, ?outcome, "subscribed");
    let text = Text::Subscribed {
        outcome: &outcome,
        time: sub.time,
        tz: sub.tz,
        next: bc.next_delivery(&sub, now),
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
    let text = match bc.unsubscribe(chat_id).await {
        Ok(true) => {
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
    let date = bc.now().with_timezone(&bc.zone_of(msg.chat.id.0).await).date_naive();
    let slogan = bc.slogan_for(date);
    let text = match &slogan {
        Some(slogan) => Text::Today { slogan, date },
        None => Text::NoSlogans,
    };
    reply(&bot, &msg, text).await
}

/// A service message saying a group became a supergroup
/// (`migrate_to_chat_id`): moves its subscription along. Deliveries also
/// follow a migration on their own.
pub async fn on_migration(msg: Message, bc: Arc<Broadcast>) -> ResponseResult<()> {
    if let Some(to) = msg.migrate_to_chat_id() {
        let from = msg.chat.id.0;
        if let Err(e) = bc.migrate(from, to.0).await {
            tracing::error!(from, to = to.0, error = %e, "could not move a subscription");
        }
    }
    Ok(())
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
    let arg = crate::query::fold_width(arg);
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
}
