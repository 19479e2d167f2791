//! Sending replies, and turning the pages of long ones. Every reply is one
//! Telegram message: a reply longer than one message shows its first page
//! with the buttons of [`crate::paging`], its pages kept in the state file
//! (`crate::storage::pages`, on the blocking pool), and a button press
//! edits that same message in place. Every press is answered
//! (`answerCallbackQuery`), also for pages that expired.

use super::{texts, State, TgBot};
use crate::format;
use crate::paging::{self, PageId, Press};
use crate::storage::Db;
use std::sync::Arc;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, ParseMode, ReplyParameters};
use teloxide::{ApiError, RequestError};

/// Link previews off: answers cite notices, not web pages.
pub(super) fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}

/// Logs a failed handler and apologises in the chat (best effort).
pub(super) async fn report(bot: &TgBot, chat: ChatId, what: &str, error: anyhow::Error) {
    tracing::error!(chat_id = chat.0, error = %format!("{error:#}"), "{what} failed");
    if let Err(e) = bot
        .send_message(chat, format::escape(&texts::apology()))
        .parse_mode(ParseMode::Html)
        .await
    {
        tracing::warn!(chat_id = chat.0, error = %e, "could not send the apology");
    }
}

/// The buttons of a page as Telegram's inline keyboard (one row).
fn markup(row: Vec<paging::Button>) -> InlineKeyboardMarkup {
    let row: Vec<InlineKeyboardButton> = row
        .into_iter()
        .map(|b| InlineKeyboardButton::callback(b.label, b.data))
        .collect();
    InlineKeyboardMarkup::new([row])
}

/// Sends one HTML message in the chat of `msg`; in groups it replies to
/// `msg`, in forum topics it stays in the topic.
async fn send_one(
    bot: &TgBot,
    msg: &Message,
    html: String,
    keyboard: Option<InlineKeyboardMarkup>,
    quote: bool,
) -> Result<Message, RequestError> {
    let mut req = bot
        .send_message(msg.chat.id, html)
        .parse_mode(ParseMode::Html)
        .link_preview_options(no_preview());
    if msg.is_topic_message {
        if let Some(thread) = msg.thread_id {
            req = req.message_thread_id(thread);
        }
    }
    if quote && !msg.chat.is_private() {
        req = req.reply_parameters(ReplyParameters::new(msg.id).allow_sending_without_reply());
    }
    if let Some(k) = keyboard {
        req = req.reply_markup(k);
    }
    req.await
}

/// Sends a reply already split into messages as one message: as it is when
/// it fits, else its first page with page buttons. Returns the message
/// sent (`None` for an empty reply). If the pages cannot be stored, every
/// part is sent as its own message, so nothing is lost.
pub(super) async fn send_reply(
    bot: &TgBot,
    msg: &Message,
    db: &Arc<Db>,
    parts: Vec<String>,
) -> Result<Option<Message>, RequestError> {
    if !paging::needs_pages(&parts) {
        return match parts.into_iter().next() {
            Some(html) => send_one(bot, msg, html, None, true).await.map(Some),
            None => Ok(None),
        };
    }
    // Kept for the fallback below.
    let pages = parts.clone();
    let now = chrono::Utc::now();
    let count = pages.len();
    match db.call(move |db| Ok((db.save_pages(&pages, now)?, pages))).await {
        Ok((id, mut pages)) => {
            let keyboard = markup(paging::keyboard(&id, 1, count));
            let first = pages.swap_remove(0);
            send_one(bot, msg, first, Some(keyboard), true).await.map(Some)
        }
        Err(e) => {
            tracing::error!(chat_id = msg.chat.id.0, error = %e, "could not store the pages; sending every part");
            let mut first = None;
            for (i, html) in parts.into_iter().enumerate() {
                let sent = send_one(bot, msg, html, None, i == 0).await?;
                first.get_or_insert(sent);
            }
            Ok(first)
        }
    }
}

/// Sends a plain text (escaped; paged like answers when it is long).
pub(super) async fn send_text(
    bot: &TgBot,
    msg: &Message,
    db: &Arc<Db>,
    text: &str,
) -> Result<Option<Message>, RequestError> {
    send_reply(bot, msg, db, format::render_paragraphs(&[text])).await
}

/// Button presses: page buttons turn the page; anything else (the position
/// button, stale or unknown buttons) changes nothing. Always answered, so
/// the client stops its spinner.
pub async fn on_callback_query(bot: TgBot, q: CallbackQuery, state: Arc<State>) -> ResponseResult<()> {
    let note = match q.data.as_deref().and_then(Press::decode) {
        None => Some(texts::callback_expired()),
        Some(Press::Position { page, pages }) => Some(texts::page_position(page, pages)),
        Some(Press::Go { id, page }) => turn_page(&bot, &q, &state.db, id, page).await,
    };
    let mut answer = bot.answer_callback_query(q.id.clone());
    if let Some(text) = note {
        answer = answer.text(text);
    }
    if let Err(e) = answer.await {
        tracing::warn!(error = %e, "answerCallbackQuery failed");
    }
    Ok(())
}

/// Shows page `page` of answer `id` in the message the button is under;
/// returns what to tell the user when that did not happen.
async fn turn_page(bot: &TgBot, q: &CallbackQuery, db: &Arc<Db>, id: PageId, page: usize) -> Option<String> {
    // Inline-mode messages carry no page buttons; a press from one is stale.
    let Some(message) = q.message.as_ref() else {
        return Some(texts::callback_expired());
    };
    let (chat, message_id) = (message.chat().id, message.id());
    let now = chrono::Utc::now();
    let wanted = id.clone();
    let stored = match db.call(move |db| db.page(&wanted, page, now)).await {
        Ok(Some(stored)) => stored,
        Ok(None) => {
            tracing::debug!(chat_id = chat.0, id = id.as_str(), "a page of an expired answer");
            return Some(texts::pages_expired());
        }
        Err(e) => {
            tracing::error!(chat_id = chat.0, error = %e, "could not read a page");
            return Some(texts::page_failed());
        }
    };
    let keyboard = markup(paging::keyboard(&id, stored.number, stored.count));
    let edit = bot
        .edit_message_text(chat, message_id, stored.html)
        .parse_mode(ParseMode::Html)
        .link_preview_options(no_preview())
        .reply_markup(keyboard)
        .await;
    match edit {
        // A double press shows the page it already shows.
        Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => None,
        Err(e) => {
            tracing::warn!(chat_id = chat.0, error = %e, "could not turn the page");
            Some(texts::page_failed())
        }
    }
}
