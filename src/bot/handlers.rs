//! The endpoints of [`super::schema`]. Each one catches its own failures:
//! the error is logged, the user gets a short apology, and the dispatcher
//! goes on. Work that could panic (the engine, rendering) runs on the
//! blocking pool, so a panic there is an error here, not a dead worker.

use super::input::{self, Question};
use super::reload::Live;
use super::reply::{no_preview, report, send_reply, send_text};
use super::{subscriptions, texts, Command, Ctx, State, TgBot};
use crate::answer::{Answer, Block};
use crate::broadcast::Broadcast;
use crate::conversation::Key;
use crate::format::{self, Item};
use crate::ops::metrics;
use crate::ratelimit::Admission;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use teloxide::prelude::*;
use teloxide::types::{
    ChatAction, InlineQueryResult, InlineQueryResultArticle, InputMessageContent, InputMessageContentText, Me,
    ParseMode,
};
use teloxide::utils::command::BotCommands;
use teloxide::RequestError;

/// Show "typing…" when an answer takes longer than this.
const TYPING_AFTER: Duration = Duration::from_millis(400);
/// Inline results carry one message; leave room for the "too long" note.
const INLINE_BUDGET: usize = 3800;
/// Telegram shows at most this many inline results from us.
const MAX_INLINE_RESULTS: usize = 10;

type HandlerResult = anyhow::Result<()>;

/// Whether `msg` gets a reply, by the chat's limits
/// ([`crate::ratelimit`]), decided before any answer is computed. The first
/// message over a limit gets the short notice instead; later ones nothing.
async fn admitted(bot: &TgBot, msg: &Message, state: &State) -> Result<bool, RequestError> {
    match state.admit(&msg.chat) {
        Admission::Reply => Ok(true),
        Admission::Notice => {
            tracing::info!(
                chat_id = msg.chat.id.0,
                "asking too fast: notice sent, silent until the limit clears"
            );
            send_text(bot, msg, &state.db, &texts::too_fast()).await?;
            Ok(false)
        }
        Admission::Silent => {
            tracing::debug!(chat_id = msg.chat.id.0, "over the limit: no reply");
            Ok(false)
        }
    }
}

/// Runs `work` on the blocking pool; if it takes longer than
/// [`TYPING_AFTER`], shows "typing…" in `chat` meanwhile.
async fn compute<T, F>(bot: &TgBot, chat: ChatId, work: F) -> anyhow::Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let mut task = tokio::task::spawn_blocking(work);
    tokio::select! {
        done = &mut task => return done.map_err(|e| anyhow::anyhow!("answering panicked: {e}")),
        _ = tokio::time::sleep(TYPING_AFTER) => {}
    }
    if let Err(e) = bot.send_chat_action(chat, ChatAction::Typing).await {
        tracing::debug!(error = %e, "sendChatAction failed");
    }
    task.await.map_err(|e| anyhow::anyhow!("answering panicked: {e}"))
}

/// An answer as messages; a fallback text when the answer is empty.
fn render(answer: &Answer) -> Vec<String> {
    let parts = format::render_answer(answer);
    if parts.is_empty() {
        vec![format::escape(&texts::nothing_found())]
    } else {
        parts
    }
}

/// The conversation `msg` belongs to, and the key its answer's context is
/// stored under once sent (`None`: the message id is not known yet). A
/// private chat is one conversation; in a group a question that replies to
/// one of the bot's answers continues that answer's, any other starts one.
fn conversation(msg: &Message, me: &Me) -> (Option<Key>, Option<Key>) {
    let chat = msg.chat.id.0;
    if msg.chat.is_private() {
        return (Some(Key::Chat(chat)), Some(Key::Chat(chat)));
    }
    let continues = msg
        .reply_to_message()
        .filter(|r| r.from.as_ref().is_some_and(|u| u.id == me.id))
        .map(|r| Key::Message { chat, message: r.id.0 });
    (continues, None)
}

/// Answers a question (cleaned first) in the chat of `msg`, following up on
/// its conversation, and counts it in the state file (answered or not; off
/// the async workers).
async fn ask(bot: &TgBot, msg: &Message, me: &Me, ctx: &Arc<Ctx>, state: &State, raw: &str) -> HandlerResult {
    let question = match input::question(raw) {
        Question::Text(q) => q,
        Question::Empty => {
            send_text(bot, msg, &state.db, &texts::empty_question(me.username())).await?;
            return Ok(());
        }
        Question::TooLong => {
            send_text(bot, msg, &state.db, &texts::question_too_long()).await?;
            return Ok(());
        }
        Question::NoWords => {
            send_text(bot, msg, &state.db, &texts::question_without_words()).await?;
            return Ok(());
        }
    };
    let (continues, store_under) = conversation(msg, me);
    let context = continues.and_then(|key| state.memory.get(&key, Instant::now()));
    let engine = ctx.engine.clone();
    let db = state.db.clone();
    let today = ctx.today();
    tracing::info!(chat_id = msg.chat.id.0, question = %question, follow_up = context.is_some(), "question");
    let (parts, context) = compute(bot, msg.chat.id, move || {
        let turn = metrics::observe_turn(|| engine.answer_in(&question, today, context.as_ref()));
        let normalised = crate::query::normalize(&question);
        if let Err(e) = db.record_question(today, &normalised, turn.answer.found, chrono::Utc::now()) {
            tracing::warn!(error = %e, "could not count the question");
        }
        (render(&turn.answer), turn.context)
    })
    .await?;
    let sent = send_reply(bot, msg, &state.db, parts).await?;
    // Stored under the message sent (for a paged answer, its one message).
    let key = store_under.or_else(|| {
        sent.map(|m| Key::Message {
            chat: msg.chat.id.0,
            message: m.id.0,
        })
    });
    if let (Some(key), Some(context)) = (key, context) {
        state.memory.put(key, context, Instant::now());
    }
    Ok(())
}

/// `/theme` and `/slogans`.
async fn year_answer(
    bot: &TgBot,
    msg: &Message,
    ctx: &Arc<Ctx>,
    state: &State,
    command: &'static str,
    arg: &str,
    slogans: bool,
) -> HandlerResult {
    let year = match input::year_arg(arg) {
        Ok(y) => y,
        Err(input::NotAYear) => {
            send_text(bot, msg, &state.db, &texts::bad_year(command, arg.trim())).await?;
            return Ok(());
        }
    };
    let years = ctx.engine.years();
    if let Some(y) = year {
        if !years.contains(&y) {
            send_text(bot, msg, &state.db, &texts::year_not_covered(y, &years)).await?;
            return Ok(());
        }
    }
    let engine = ctx.engine.clone();
    let parts = compute(bot, msg.chat.id, move || {
        let answer = metrics::observe_answer(|| {
            if slogans {
                engine.slogans_answer(year)
            } else {
                engine.theme_answer(year)
            }
        });
        render(&answer)
    })
    .await?;
    send_reply(bot, msg, &state.db, parts).await?;
    Ok(())
}

fn command_list() -> String {
    Command::descriptions().to_string()
}

/// `/sources`: the notices, with titles and document numbers.
fn sources(ctx: &Ctx) -> Vec<String> {
    let notices = ctx.engine.notices();
    let mut items = vec![Item::paragraph(texts::sources_heading(notices.len()))];
    for (i, n) in notices.iter().enumerate() {
        let line = texts::source_line(i + 1, &n.title, n.doc_number.as_deref(), n.year, n.date);
        items.push(Item::line(Block::plain(line)));
    }
    format::render_items(&items, format::MESSAGE_BUDGET)
}

/// Runs a broadcast handler as its own task, so a panic in it is caught.
async fn guarded<F>(what: &str, fut: F) -> HandlerResult
where
    F: Future<Output = ResponseResult<()>> + Send + 'static,
{
    match tokio::spawn(fut).await {
        Ok(r) => r.map_err(|e| anyhow::anyhow!("{what}: {e}")),
        Err(e) => Err(anyhow::anyhow!("{what} panicked: {e}")),
    }
}

/// `/stats`: the question report (the caller checked the operator).
async fn stats(bot: &TgBot, msg: &Message, ctx: &Ctx, state: &State) -> HandlerResult {
    let (today, tz) = (ctx.today(), ctx.tz);
    let text = state
        .db
        .call(move |db| Ok(crate::ops::stats::report(&db.question_counts(today)?, tz)))
        .await?;
    send_text(bot, msg, &state.db, &text).await?;
    Ok(())
}

async fn command(
    bot: &TgBot,
    msg: &Message,
    cmd: Command,
    me: &Me,
    ctx: &Arc<Ctx>,
    state: &State,
    bc: Arc<Broadcast>,
) -> HandlerResult {
    tracing::debug!(chat_id = msg.chat.id.0, command = ?cmd, "command");
    let db = &state.db;
    match cmd {
        Command::Start(_) => {
            let blocks = texts::start(&ctx.engine.years(), me.username(), &command_list());
            let items: Vec<Item> = blocks.into_iter().map(Item::paragraph).collect();
            send_reply(bot, msg, db, format::render_items(&items, format::MESSAGE_BUDGET)).await?;
        }
        Command::Help(_) => {
            let blocks = texts::help(&ctx.engine.years(), me.username(), &command_list());
            let items: Vec<Item> = blocks.into_iter().map(Item::paragraph).collect();
            send_reply(bot, msg, db, format::render_items(&items, format::MESSAGE_BUDGET)).await?;
        }
        Command::Ask(q) => ask(bot, msg, me, ctx, state, &q).await?,
        Command::Theme(arg) => year_answer(bot, msg, ctx, state, "theme", &arg, false).await?,
        Command::Slogans(arg) => year_answer(bot, msg, ctx, state, "slogans", &arg, true).await?,
        Command::Sources => {
            send_reply(bot, msg, db, sources(ctx)).await?;
        }
        Command::Subscribe(arg) => {
            let f = subscriptions::on_subscribe(bot.clone(), msg.clone(), bc, arg);
            guarded("/subscribe", f).await?
        }
        Command::Unsubscribe => {
            let f = subscriptions::on_unsubscribe(bot.clone(), msg.clone(), bc);
            guarded("/unsubscribe", f).await?
        }
        Command::Slogan => {
            let f = subscriptions::on_slogan(bot.clone(), msg.clone(), bc);
            guarded("/slogan", f).await?
        }
        Command::Stats => stats(bot, msg, ctx, state).await?,
    }
    Ok(())
}

/// Whether `msg` comes from an operator (`[admin] user_ids`) in a private chat.
fn from_operator(msg: &Message, live: &Live) -> bool {
    msg.chat.is_private() && msg.from.as_ref().is_some_and(|u| live.is_admin(u.id.0))
}

/// A command addressed to this bot (or unaddressed).
#[allow(clippy::too_many_arguments)] // dptree injects each dependency as an argument
pub async fn on_command(
    bot: TgBot,
    msg: Message,
    cmd: Command,
    me: Me,
    ctx: Arc<Ctx>,
    state: Arc<State>,
    live: Arc<Live>,
    bc: Arc<Broadcast>,
) -> ResponseResult<()> {
    if from_ourselves(&msg, &me) {
        return Ok(());
    }
    if cmd == Command::Stats && !from_operator(&msg, &live) {
        // Reveals nothing: exactly what an unknown command gets.
        return on_message(bot, msg, me, ctx, state).await;
    }
    let result = match admitted(&bot, &msg, &state).await {
        Ok(true) => command(&bot, &msg, cmd, &me, &ctx, &state, bc).await,
        Ok(false) => Ok(()),
        Err(e) => Err(e.into()),
    };
    if let Err(e) = result {
        report(&bot, msg.chat.id, "command", e).await;
    }
    Ok(())
}

/// Messages sent by this bot or through its inline mode are never questions.
fn from_ourselves(msg: &Message, me: &Me) -> bool {
    msg.via_bot.as_ref().is_some_and(|b| b.id == me.id) || msg.from.as_ref().is_some_and(|u| u.id == me.id)
}

/// What to do with a non-command message.
#[derive(Debug, PartialEq, Eq)]
enum Action {
    Ask(String),
    Reply(String),
    Ignore,
}

fn decide(msg: &Message, me: &Me) -> Action {
    // Other bots are ignored, but an anonymous group admin posts through
    // GroupAnonymousBot with the group itself as sender_chat.
    let anonymous_admin = msg.sender_chat.as_ref().is_some_and(|c| c.id == msg.chat.id);
    if from_ourselves(msg, me) || msg.from.as_ref().is_some_and(|u| u.is_bot) && !anonymous_admin {
        return Action::Ignore;
    }
    let username = me.username();
    let text = msg.text().or_else(|| msg.caption());
    if msg.chat.is_private() {
        return match text {
            Some(t) if input::looks_like_command(t) => {
                if input::command_for_other_bot(t, username) {
                    Action::Ignore
                } else {
                    Action::Reply(texts::unknown_command())
                }
            }
            Some(t) if msg.text().is_some() => Action::Ask(t.to_string()),
            _ if matches!(msg.kind, teloxide::types::MessageKind::Common(_)) => Action::Reply(texts::only_text()),
            _ => Action::Ignore,
        };
    }
    if !(msg.chat.is_group() || msg.chat.is_supergroup()) {
        return Action::Ignore;
    }
    let replying_to_us = msg
        .reply_to_message()
        .and_then(|r| r.from.as_ref())
        .is_some_and(|u| u.id == me.id);
    let Some(text) = text else {
        return Action::Ignore;
    };
    if input::looks_like_command(text) {
        // Not one of our commands (those were routed before).
        let first = text.split_whitespace().next().unwrap_or("");
        let for_us = first
            .split_once('@')
            .is_some_and(|(_, target)| target.eq_ignore_ascii_case(username));
        return if for_us {
            Action::Reply(texts::unknown_command())
        } else {
            Action::Ignore
        };
    }
    if let Some(question) = input::strip_mention(text, username) {
        return Action::Ask(question);
    }
    if replying_to_us {
        return Action::Ask(text.to_string());
    }
    Action::Ignore
}

/// Any message that is not one of our commands.
pub async fn on_message(bot: TgBot, msg: Message, me: Me, ctx: Arc<Ctx>, state: Arc<State>) -> ResponseResult<()> {
    let action = decide(&msg, &me);
    if action == Action::Ignore {
        return Ok(());
    }
    let result = match admitted(&bot, &msg, &state).await {
        Ok(false) => Ok(()),
        Err(e) => Err(e.into()),
        Ok(true) => match action {
            Action::Ask(q) => ask(&bot, &msg, &me, &ctx, &state, &q).await,
            Action::Reply(text) => send_text(&bot, &msg, &state.db, &text)
                .await
                .map(drop)
                .map_err(Into::into),
            Action::Ignore => Ok(()),
        },
    };
    if let Err(e) = result {
        report(&bot, msg.chat.id, "message", e).await;
    }
    Ok(())
}

/// One inline article whose message is `html`.
fn article(id: String, title: String, description: String, html: String) -> InlineQueryResult {
    let content = InputMessageContentText::new(html)
        .parse_mode(ParseMode::Html)
        .link_preview_options(no_preview());
    let mut a = InlineQueryResultArticle::new(id, title, InputMessageContent::Text(content));
    if !description.is_empty() {
        a = a.description(description);
    }
    InlineQueryResult::Article(a)
}

/// An answer squeezed into one message (the first part, plus a note when
/// the answer is longer).
fn single_message(answer: &Answer, username: &str) -> String {
    let parts = format::render_answer_with_budget(answer, INLINE_BUDGET);
    match parts.len() {
        0 => format::escape(&texts::nothing_found()),
        1 => parts.into_iter().next().unwrap_or_default(),
        _ => format!("{}\n\n{}", parts[0], format::escape(&texts::inline_truncated(username))),
    }
}

fn answer_preview(answer: &Answer) -> String {
    answer
        .blocks
        .first()
        .map(|b| format::preview(&b.text, 90))
        .unwrap_or_else(|| format::preview(&texts::nothing_found(), 90))
}

/// The articles for an inline query: the answer, then one per quoted source;
/// for an empty query the latest theme and slogans and earlier themes.
pub fn inline_results(ctx: &Ctx, query: &str, username: &str) -> Vec<InlineQueryResult> {
    let engine = &ctx.engine;
    let mut results = Vec::new();
    match input::question(query) {
        Question::Text(q) => {
            let answer = metrics::observe_answer(|| engine.answer(&q, ctx.today()));
            results.push(article(
                "answer".into(),
                format::preview(&texts::inline_answer_title(answer.found, &q), 60),
                answer_preview(&answer),
                single_message(&answer, username),
            ));
            if answer.found {
                for (i, c) in answer.citations.iter().enumerate() {
                    if results.len() >= MAX_INLINE_RESULTS {
                        break;
                    }
                    let snippet: String = c.snippet.chars().take(3000).collect();
                    let block = Block::plain(snippet);
                    let source = Block {
                        text: format!("{}\n1. {}", answer.sources_heading(), answer.citation_line(i)),
                        highlights: std::iter::once(0..answer.sources_heading().len()).collect(),
                    };
                    let items = [Item::paragraph(block), Item::paragraph(source)];
                    let html = format::render_items(&items, INLINE_BUDGET)
                        .into_iter()
                        .next()
                        .unwrap_or_default();
                    results.push(article(
                        format!("src{i}"),
                        texts::inline_source_title(i + 1, c.year, &c.section),
                        format::preview(&c.snippet, 90),
                        html,
                    ));
                }
            }
        }
        Question::Empty | Question::NoWords | Question::TooLong => {
            let latest = engine.latest_year();
            let theme = engine.theme_answer(None);
            results.push(article(
                "theme".into(),
                texts::inline_theme_title(latest),
                answer_preview(&theme),
                single_message(&theme, username),
            ));
            let slogans = engine.slogans_answer(None);
            results.push(article(
                "slogans".into(),
                texts::inline_slogans_title(latest),
                answer_preview(&slogans),
                single_message(&slogans, username),
            ));
            for year in engine.years().into_iter().rev().filter(|y| Some(*y) != latest) {
                if results.len() >= MAX_INLINE_RESULTS {
                    break;
                }
                let theme = engine.theme_answer(Some(year));
                if !theme.found {
                    continue;
                }
                results.push(article(
                    format!("theme{year}"),
                    texts::inline_theme_title(Some(year)),
                    answer_preview(&theme),
                    single_message(&theme, username),
                ));
            }
        }
    }
    results.truncate(MAX_INLINE_RESULTS);
    results
}

/// Inline mode: always answered, even when nothing matches or on errors.
pub async fn on_inline_query(bot: TgBot, q: InlineQuery, me: Me, ctx: Arc<Ctx>) -> ResponseResult<()> {
    let username = me.username().to_string();
    let query = q.query.clone();
    let results = match tokio::task::spawn_blocking(move || inline_results(&ctx, &query, &username)).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "inline answer panicked");
            vec![article(
                "error".into(),
                texts::apology(),
                String::new(),
                format::escape(&texts::apology()),
            )]
        }
    };
    if let Err(e) = bot.answer_inline_query(q.id.clone(), results).cache_time(60).await {
        tracing::error!(error = %e, "answerInlineQuery failed");
        // Still answer, so the user's client stops waiting.
        let _ = bot.answer_inline_query(q.id, Vec::new()).cache_time(5).await;
    }
    Ok(())
}
