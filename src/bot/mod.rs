//! Telegram front end (`qmbot run`): long polling with teloxide, commands,
//! questions in private chats, addressed lookups in groups, inline mode.
//!
//! Every question goes through [`Engine::answer`], the same path `qmbot ask`
//! uses, and is rendered by [`crate::format`]. The token comes only from
//! `TELOXIDE_TOKEN`; `TELOXIDE_API_URL` and `TELOXIDE_PROXY` are honoured as
//! `teloxide::Bot::from_env` does. The token is never logged.
//!
//! Every reply is one message: a long one shows its first page with page
//! buttons ([`reply`], [`crate::paging`]). Before anything is computed, a
//! chat's message is admitted by its limits ([`crate::ratelimit`]): over
//! them the chat gets one short notice, then silence until they clear.
//! Questions are counted in the state file ([`crate::storage::questions`])
//! for `/stats`, a command only operators (`[admin] user_ids`) see.
//! Follow-up questions (`江苏呢？`) continue a conversation
//! ([`crate::conversation`]): a private chat is one conversation; in a group,
//! a reply to one of the bot's answers continues the context stored under
//! that answer's message id.
//!
//! The daily slogans' commands are in [`subscriptions`]; the scheduler
//! reaches Telegram through [`sender::TelegramSender`]. Replies come first:
//! every incoming message is noted on the broadcast's
//! [`Pacer`](crate::broadcast::pace::Pacer), so the broadcast only uses what
//! the replies leave of Telegram's 30 messages a second.

mod handlers;
pub mod input;
pub mod reload;
mod reply;
pub mod sender;
pub mod subscriptions;
pub mod texts;
pub mod webhook;

use crate::broadcast::lock::StateLock;
use crate::broadcast::{self, Broadcast};
use crate::config::Config;
use crate::conversation::Memory;
use crate::engine::Engine;
use crate::ratelimit::{Admission, ChatKind, Limiter};
use crate::storage::Db;
use anyhow::{anyhow, Context as _};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use teloxide::dispatching::{Dispatcher, HandlerExt, UpdateFilterExt, UpdateHandler};
use teloxide::error_handlers::ErrorHandler;
use teloxide::prelude::*;
use teloxide::types::Me;
use teloxide::update_listeners::Polling;
use teloxide::utils::command::BotCommands;
use teloxide::{ApiError, RequestError};
use tokio_util::sync::CancellationToken;

/// The bot type every handler and the broadcaster send through.
pub type TgBot = teloxide::adaptors::Throttle<teloxide::Bot>;

/// The bot's commands. The doc comments are the descriptions registered with
/// `setMyCommands` and listed by `/help`.
#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// 开始使用：简介与示例
    Start(String),
    /// 使用说明：能回答什么、收录年份、示例
    Help(String),
    /// 提问，例如：/ask 2024年质量月主题是什么
    Ask(String),
    /// 某年的质量月主题（默认最新一年），例如：/theme 2019
    Theme(String),
    /// 某年的质量月宣传口号（默认最新一年），例如：/slogans 2024
    Slogans(String),
    /// 收录的通知：标题、文号、年份
    Sources,
    /// 订阅每日质量月口号，可指定时间，例如：/subscribe 08:30
    Subscribe(String),
    /// 取消每日口号
    Unsubscribe,
    /// 今天的质量月口号
    Slogan,
    /// Operators only (`[admin] user_ids`, private chat): question counts.
    /// Hidden from the menu and /help; anyone else gets the unknown-command reply.
    #[command(hide)]
    Stats,
}

/// What the handlers share besides the bot and the broadcasts.
pub struct Ctx {
    /// The answer engine.
    pub engine: Arc<Engine>,
    /// The configured time zone; "today" for 今年/去年 is the date there.
    pub tz: chrono_tz::Tz,
}

impl Ctx {
    /// Builds the context; an invalid zone (already rejected by the config)
    /// falls back to Asia/Shanghai.
    pub fn new(engine: Arc<Engine>, config: &Config) -> Ctx {
        let tz = config.broadcast.timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
        Ctx { engine, tz }
    }

    /// The current date in the configured time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now().with_timezone(&self.tz).date_naive()
    }
}

/// What the handlers keep across updates and reloads: the state file's
/// pages and question counts, every chat's reply limits, and the
/// conversations' contexts.
pub struct State {
    /// Pages of long answers, question counts.
    pub db: Arc<Db>,
    /// Replies per chat.
    pub limiter: Limiter,
    /// The context of each conversation (a private chat, or in a group the
    /// bot's answer a reply continues); bounded, in memory only.
    pub memory: Memory,
}

impl State {
    /// The default limits and memory over `db`.
    pub fn new(db: Arc<Db>) -> State {
        State {
            db,
            limiter: Limiter::default(),
            memory: Memory::new(Memory::CAPACITY, Memory::TTL),
        }
    }

    /// Whether a message in `chat` gets a reply now ([`Limiter::admit`]).
    pub fn admit(&self, chat: &teloxide::types::Chat) -> Admission {
        let kind = if chat.is_private() {
            ChatKind::Private
        } else {
            ChatKind::Group
        };
        self.limiter.admit(chat.id.0, kind, std::time::Instant::now())
    }
}

/// The handler tree. Dependencies: [`TgBot`], [`Me`], `Arc<reload::Live>`
/// (each update sees its `Arc<Ctx>` snapshot), `Arc<Broadcast>`,
/// `Arc<State>` (the dispatcher adds the bot, `Me` and the update).
pub fn schema() -> UpdateHandler<RequestError> {
    let commands = dptree::entry()
        .filter_command::<Command>()
        .endpoint(handlers::on_command);
    let migrations =
        dptree::filter(|msg: Message| msg.migrate_to_chat_id().is_some()).endpoint(subscriptions::on_migration);
    let messages = Update::filter_message()
        // A message may be answered: keep room for the reply in this second.
        .inspect(|bc: Arc<Broadcast>| bc.pacer().note_reply())
        .branch(migrations)
        .branch(commands)
        .endpoint(handlers::on_message);
    dptree::entry()
        .inspect(crate::ops::metrics::update_received)
        .map(reload::current)
        .branch(messages)
        .branch(Update::filter_inline_query().endpoint(handlers::on_inline_query))
        .branch(Update::filter_callback_query().endpoint(reply::on_callback_query))
}

/// Builds the bot from the environment like `teloxide::Bot::from_env`, but
/// returns errors instead of panicking: `TELOXIDE_TOKEN` (required),
/// `TELOXIDE_API_URL` (trailing slashes removed), `TELOXIDE_PROXY`.
pub fn bot_from_env() -> anyhow::Result<teloxide::Bot> {
    let token = std::env::var("TELOXIDE_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            anyhow!("TELOXIDE_TOKEN is not set: export the token @BotFather gave you (export TELOXIDE_TOKEN=...)")
        })?;
    let mut client = teloxide::net::default_reqwest_settings();
    if let Ok(proxy) = std::env::var("TELOXIDE_PROXY") {
        let proxy = reqwest::Proxy::all(&proxy).map_err(|e| anyhow!("TELOXIDE_PROXY is not a valid proxy URL: {e}"))?;
        client = client.proxy(proxy);
    }
    let client = client.build().context("creating the HTTP client")?;
    let mut bot = teloxide::Bot::with_client(token.trim(), client);
    if let Ok(url) = std::env::var("TELOXIDE_API_URL") {
        let trimmed = url.trim_end_matches('/');
        let parsed = reqwest::Url::parse(trimmed)
            .map_err(|e| anyhow!("TELOXIDE_API_URL = {trimmed:?} is not a valid URL: {e}"))?;
        bot = bot.set_api_url(parsed);
    }
    Ok(bot)
}

/// SIGINT and SIGTERM (Ctrl-C elsewhere), registered when created.
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> anyhow::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Signals {
                term: signal(SignalKind::terminate()).context("installing the SIGTERM handler")?,
                int: signal(SignalKind::interrupt()).context("installing the SIGINT handler")?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.term.recv() => "SIGTERM",
                _ = self.int.recv() => "SIGINT",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}

/// How long the dispatcher gets to finish after a signal.
const DISPATCH_GRACE: Duration = Duration::from_secs(3);
/// How long the scheduler gets after the dispatcher.
const SCHEDULER_GRACE: Duration = Duration::from_secs(1);

/// `getMe`, retried with backoff while the Bot API cannot be reached.
async fn connect(bot: &TgBot) -> anyhow::Result<Me> {
    let mut delay = Duration::from_secs(1);
    loop {
        match bot.get_me().await {
            Ok(me) => return Ok(me),
            Err(RequestError::Api(ApiError::InvalidToken)) => {
                return Err(anyhow!(
                    "the Bot API rejected TELOXIDE_TOKEN (Unauthorized): check the token from @BotFather"
                ))
            }
            Err(e @ (RequestError::Network(_) | RequestError::RetryAfter(_) | RequestError::Io(_))) => {
                let wait = match &e {
                    RequestError::RetryAfter(s) => s.duration(),
                    _ => delay,
                };
                tracing::warn!(error = %e, retry_in = ?wait, "cannot reach the Bot API; retrying");
                tokio::time::sleep(wait).await;
                delay = (delay * 2).min(Duration::from_secs(60));
            }
            Err(e) => return Err(anyhow!("getMe failed: {e}")),
        }
    }
}

/// The command menu: names without the `/` teloxide prefixes them with.
pub fn menu() -> Vec<teloxide::types::BotCommand> {
    Command::bot_commands()
        .into_iter()
        .map(|mut c| {
            c.command = c.command.trim_start_matches('/').to_string();
            c
        })
        .collect()
}

/// Registers the commands (English names, Chinese descriptions).
async fn register_commands(bot: &TgBot) {
    if let Err(e) = bot.set_my_commands(menu()).await {
        tracing::warn!(error = %e, "setMyCommands failed; the command menu may be outdated");
    }
}

/// Logs errors that reach the dispatcher (handlers catch their own).
struct LogErrors(&'static str);

impl ErrorHandler<RequestError> for LogErrors {
    fn handle_error(self: Arc<Self>, error: RequestError) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        tracing::error!(error = %error, "{}", self.0);
        Box::pin(async {})
    }
}

/// Logs `getUpdates` failures; teloxide retries them with a growing delay
/// (up to a minute).
struct PollingErrors;

impl ErrorHandler<RequestError> for PollingErrors {
    fn handle_error(self: Arc<Self>, error: RequestError) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        match &error {
            RequestError::Api(ApiError::TerminatedByOtherGetUpdates) => tracing::error!(
                "409 Conflict from getUpdates: another process is polling with this bot token; \
                 only one bot may run per token, stop the other one (retrying)"
            ),
            _ => tracing::error!(error = %error, "getUpdates failed; retrying"),
        }
        Box::pin(async {})
    }
}

/// Starts the bot with long polling and runs until SIGINT/SIGTERM.
pub async fn run(config: Config, engine: Arc<Engine>) -> anyhow::Result<()> {
    let bot = bot_from_env()?;
    // One bot per state file, before anything is sent or polled. Held until
    // this function returns; the OS releases it however the process ends.
    // Both touch files (SQLite may migrate): on the blocking pool.
    let open = {
        let (config, engine) = (config.clone(), engine.clone());
        tokio::task::spawn_blocking(move || -> anyhow::Result<(StateLock, Broadcast, Db)> {
            let lock = StateLock::acquire(&config.storage.path)?;
            let bc = Broadcast::open(&config, engine).context("opening the subscription store")?;
            let db = Db::open(&config.storage.path).context("opening the state file")?;
            Ok((lock, bc, db))
        })
    };
    let (lock, bc, db) = open.await.context("opening the state file")??;
    tracing::debug!(lock = %lock.path().display(), "state file locked");
    let bc = Arc::new(bc);
    let state = Arc::new(State::new(Arc::new(db)));
    let mut signals = Signals::new()?;
    let live = reload::start(engine, &config)?;
    // Subscribed at once: a reload while connecting still reaches the broadcast.
    let reloaded_engines = live.engines();
    if let Some(listen) = config.http.listen {
        crate::ops::health::serve(listen, live.health(), config.storage.path.clone()).await?;
    }
    let hook = webhook::bind(config.webhook.as_ref()).await?;
    let bot: TgBot = bot.throttle(throttle_limits());

    let me = tokio::select! {
        me = connect(&bot) => me?,
        sig = signals.recv() => {
            tracing::info!(signal = sig, "stopped before connecting");
            return Ok(());
        }
    };
    tracing::info!(bot = %me.mention(), "connected to the Bot API");
    tokio::select! {
        _ = register_commands(&bot) => {}
        sig = signals.recv() => {
            tracing::info!(signal = sig, "stopped while starting");
            return Ok(());
        }
    }
    let hook = tokio::select! {
        hook = webhook::register(hook, &bot) => hook?,
        sig = signals.recv() => {
            tracing::info!(signal = sig, "stopped while starting");
            return Ok(());
        }
    };

    let shutdown = CancellationToken::new();
    let sender = Arc::new(sender::TelegramSender::new(bot.clone()));
    let scheduler = tokio::spawn(supervise_scheduler(sender, bc.clone(), shutdown.clone()));
    tokio::spawn(purge_old(state.db.clone(), live.clone(), shutdown.clone()));
    tokio::spawn(reload::rotate_on_reload(reloaded_engines, bc.clone(), shutdown.clone()));

    let mut dispatcher = Dispatcher::builder(bot.clone(), schema())
        .dependencies(dptree::deps![live.clone(), bc, state])
        .default_handler(|update| async move {
            tracing::debug!(update_id = update.id.0, "ignoring an update the bot does not handle");
        })
        .error_handler(Arc::new(LogErrors("an update handler failed")))
        .build();
    let stop = dispatcher.shutdown_token();
    let polling_bot = bot.clone();
    let dispatch = async move {
        if let Some(hook) = hook {
            return hook.dispatch(&mut dispatcher).await;
        }
        let listener = Polling::builder(polling_bot)
            .timeout(Duration::from_secs(10))
            .delete_webhook()
            .await
            .build();
        dispatcher
            .try_dispatch_with_listener(listener, Arc::new(PollingErrors))
            .await
    };
    tokio::pin!(dispatch);
    if config.webhook.is_none() {
        tracing::info!("polling for updates");
    }
    live.health().set_running(true);

    let result = tokio::select! {
        r = &mut dispatch => r.map_err(|e| anyhow!("the dispatcher stopped: {e}")),
        sig = signals.recv() => {
            tracing::info!(signal = sig, "shutting down");
            live.health().set_running(false);
            // Ask the dispatcher to stop: it drops the pending getUpdates,
            // confirms the last update and lets running handlers finish.
            // (Err: it was still starting, so there is nothing to finish.)
            if stop.shutdown().is_ok() {
                tokio::select! {
                    r = tokio::time::timeout(DISPATCH_GRACE, &mut dispatch) => {
                        if r.is_err() {
                            tracing::warn!("the dispatcher did not stop in time; leaving it");
                        }
                    }
                    sig = signals.recv() => {
                        tracing::warn!(signal = sig, "second signal; stopping now");
                    }
                }
            }
            Ok(())
        }
    };
    shutdown.cancel();
    if tokio::time::timeout(SCHEDULER_GRACE, scheduler).await.is_err() {
        tracing::warn!("the broadcast scheduler did not stop in time; leaving it");
    }
    tracing::info!("stopped");
    drop(lock);
    result
}

/// Telegram's limits as `Throttle` keeps them: teloxide's defaults (1 message
/// a second per chat, 20 a minute per chat, 30 a second overall), except
/// supergroups, which Telegram allows 20 a minute like other groups (the
/// default 10 would hold back replies [`crate::ratelimit::GROUP`] admits).
pub fn throttle_limits() -> teloxide::adaptors::throttle::Limits {
    teloxide::adaptors::throttle::Limits {
        messages_per_min_channel_or_supergroup: 20,
        ..Default::default()
    }
}

/// How often old pages and question counts are deleted.
const PURGE_EVERY: Duration = Duration::from_secs(6 * 3600);

/// Deletes expired pages and old question counts at start and then every
/// [`PURGE_EVERY`], on the blocking pool, until shutdown.
async fn purge_old(db: Arc<Db>, live: Arc<reload::Live>, shutdown: CancellationToken) {
    loop {
        let (now, today) = (chrono::Utc::now(), live.ctx().today());
        match db.call(move |db| db.purge(now, today)).await {
            Ok(0) => {}
            Ok(rows) => tracing::info!(rows, "old pages and question counts deleted"),
            Err(e) => tracing::warn!(error = %e, "could not delete old pages and question counts"),
        }
        tokio::select! {
            _ = tokio::time::sleep(PURGE_EVERY) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

/// Runs the broadcast scheduler until shutdown; if it panics, logs it and
/// starts it again, so broadcasts do not stop silently until a restart.
async fn supervise_scheduler(sender: Arc<sender::TelegramSender>, bc: Arc<Broadcast>, shutdown: CancellationToken) {
    loop {
        let run = tokio::spawn(broadcast::run_scheduler(sender.clone(), bc.clone(), shutdown.clone()));
        match run.await {
            Ok(()) => return,
            Err(e) => tracing::error!(error = %e, "the broadcast scheduler failed; restarting it"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_with_and_without_the_bot_name() {
        let p = |t: &str| Command::parse(t, "qm_test_bot").ok();
        assert_eq!(p("/ask 2024年主题"), Some(Command::Ask("2024年主题".into())));
        assert_eq!(
            p("/ask@qm_test_bot 2024年主题"),
            Some(Command::Ask("2024年主题".into()))
        );
        assert_eq!(p("/ask"), Some(Command::Ask(String::new())));
        assert_eq!(p("/theme"), Some(Command::Theme(String::new())));
        assert_eq!(p("/theme 2019"), Some(Command::Theme("2019".into())));
        assert_eq!(p("/start"), Some(Command::Start(String::new())));
        assert_eq!(p("/start deep-link"), Some(Command::Start("deep-link".into())));
        assert_eq!(p("/subscribe 08:30"), Some(Command::Subscribe("08:30".into())));
        assert_eq!(p("/slogan"), Some(Command::Slogan));
        assert!(p("/ask@other_bot 2024年主题").is_none());
        assert!(p("2024年主题").is_none());
    }

    #[test]
    fn command_names_and_descriptions_suit_telegram() {
        let cmds = menu();
        assert_eq!(cmds.len(), 9);
        for c in cmds {
            assert!(
                c.command
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_'),
                "{}",
                c.command
            );
            assert!(!c.description.is_empty() && c.description.chars().count() <= 256);
            assert!(c.description.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)));
        }
    }
}
