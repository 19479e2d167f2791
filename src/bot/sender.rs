//! The broadcast's way to Telegram: [`TelegramSender`] sends through the
//! same throttled bot as the replies and sorts teloxide's errors into the
//! broadcast's [`SendError`]s, which decide between retrying, stopping the
//! subscription, and never sending twice.

use super::TgBot;
use crate::broadcast::{SendError, Sender};
use teloxide::prelude::*;
use teloxide::types::ParseMode;
use teloxide::{ApiError, RequestError};

/// Sends broadcast messages through the bot's `Throttle`.
#[derive(Clone)]
pub struct TelegramSender {
    bot: TgBot,
}

impl TelegramSender {
    /// A sender over `bot`.
    pub fn new(bot: TgBot) -> TelegramSender {
        TelegramSender { bot }
    }
}

impl Sender for TelegramSender {
    async fn send(&self, chat_id: i64, html: &str) -> Result<i32, SendError> {
        self.bot
            .send_message(ChatId(chat_id), html)
            .parse_mode(ParseMode::Html)
            .await
            .map(|m| m.id.0)
            .map_err(|e| classify(&e))
    }
}

/// What a failed `sendMessage` means for the broadcast.
pub fn classify(e: &RequestError) -> SendError {
    match e {
        RequestError::RetryAfter(after) => SendError::RetryAfter(after.duration()),
        RequestError::MigrateToChatId(to) => SendError::Migrated(to.0),
        RequestError::Api(api) => match gone(api) {
            Some(reason) => SendError::Gone(reason),
            None if server_error(api) => SendError::Unknown(e.to_string()),
            None => SendError::Refused(e.to_string()),
        },
        // A connection that was never made carried no message.
        RequestError::Network(n) if n.is_connect() => SendError::NotSent(e.to_string()),
        // Reading a local file for an upload failed: nothing left.
        RequestError::Io(_) => SendError::NotSent(e.to_string()),
        // Timeouts, a connection lost mid-request, an unreadable answer: the
        // request may have reached Telegram.
        RequestError::Network(_) | RequestError::InvalidJson { .. } => SendError::Unknown(e.to_string()),
    }
}

/// Telegram's own server errors (5xx) say nothing about whether the message
/// went out.
fn server_error(e: &ApiError) -> bool {
    let ApiError::Unknown(text) = e else {
        return false;
    };
    [
        "Internal Server Error",
        "Bad Gateway",
        "Service Unavailable",
        "Gateway Timeout",
    ]
    .iter()
    .any(|s| text.contains(s))
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

    #[test]
    fn errors_sort_by_what_to_do() {
        let api = |e: ApiError| classify(&RequestError::Api(e));
        assert!(matches!(api(ApiError::BotBlocked), SendError::Gone(_)));
        assert!(matches!(api(ApiError::MessageIsTooLong), SendError::Refused(_)));
        assert!(matches!(
            api(ApiError::Unknown("Internal Server Error".into())),
            SendError::Unknown(_)
        ));
        assert!(matches!(
            classify(&RequestError::MigrateToChatId(ChatId(-1001))),
            SendError::Migrated(-1001)
        ));
    }
}
