//! Test support shared by the integration tests: a fake Telegram Bot API
//! server and a harness that runs the real `qmbot run` binary against it
//! (`tests/bot.rs`, `tests/broadcast.rs`, `tests/ops.rs`), and
//! [`process::qmbot`], which runs one `qmbot` command (`tests/cli.rs`,
//! `tests/import.rs`). Everything listens on 127.0.0.1 only.
//!
//! # The fake Bot API server ([`FakeBot`])
//!
//! ```ignore
//! mod common;
//! use common::{FakeBot, Fault, TestEnv};
//!
//! let fake = FakeBot::start().await;             // axum on 127.0.0.1:<random port>
//! let env = TestEnv::new("[broadcast]\ntime = \"09:00\"\n"); // temp dir + config
//! let mut bot = env.spawn(&fake, &[("RUST_LOG", "info")]); // `qmbot run --config ..`
//! fake.wait_polling(Duration::from_secs(10)).await.unwrap(); // bot is up
//! let mid = fake.send_private(1001, "2024年质量月主题");
//! let calls = fake
//!     .wait_for(|c| FakeBot::sent_to(c, 1001).len() >= 1, Duration::from_secs(10))
//!     .await
//!     .unwrap();
//! bot.sigterm();
//! bot.wait_exit(Duration::from_secs(5)).await.expect("stopped");
//! ```
//!
//! * Routes `POST|GET /bot{token}/{method}`; method names are matched
//!   case-insensitively (teloxide sends `SendMessage`). Bodies may be JSON,
//!   `application/x-www-form-urlencoded` or `multipart/form-data` (plus the
//!   query string); form values that parse as JSON are stored as JSON.
//!   A wrong token gets `401 Unauthorized`.
//! * The token is [`TOKEN`] (`FakeBot::start_with_token` for another one);
//!   [`FakeBot::api_url`] is the value for `TELOXIDE_API_URL`. The bot is
//!   `@`[`BOT_USERNAME`] with user id [`BOT_ID`].
//! * Updates: [`FakeBot::send_private`], [`FakeBot::send_group`],
//!   [`FakeBot::send`] (a [`Msg`] builder: chat, sender, text, `reply_to`),
//!   [`FakeBot::send_inline_query`], [`FakeBot::send_callback`], or any raw
//!   update with [`FakeBot::push_update`] (the `update_id` is assigned). They
//!   are delivered through `getUpdates`, which honours `offset` (confirmed
//!   updates are dropped) and `limit`, and long-polls for at most
//!   [`MAX_POLL_WAIT`] on a `Notify`. Message ids are unique across the
//!   server; every message (sent or received) is kept, so replies can quote it.
//! * Chat types follow Telegram's id convention: `id > 0` private,
//!   `id <= -1_000_000_000_000` supergroup, otherwise group.
//! * Answers: `getMe`, `getWebhookInfo`, `deleteWebhook`, `setMyCommands` /
//!   `getMyCommands` / `deleteMyCommands`, `sendMessage` (a full Message with
//!   increasing `message_id`), `editMessageText`, `sendChatAction`,
//!   `answerInlineQuery`, `answerCallbackQuery`, `getChatMember` (status per
//!   `(chat_id, user_id)` from [`FakeBot::set_member_status`]: `creator`,
//!   `administrator`, `member` (default), `restricted`, `left`, `kicked`),
//!   `getChat`, `leaveChat`; any other method gets `true`.
//! * Like Telegram, `sendMessage` / `editMessageText` (and every
//!   `input_message_content` of `answerInlineQuery`) are rejected with HTTP 400
//!   `{"ok":false,"error_code":400,"description":"Bad Request: ..."}` when the
//!   visible text is empty or over 4096 UTF-16 units, or, with
//!   `parse_mode: "HTML"`, when the HTML is malformed (unknown tag,
//!   unbalanced or misnested tags, bare `<` or `&`). See [`html`]. Also
//!   `callback_data` over 64 bytes, more than 50 inline results and a
//!   `reply_parameters.message_id` that does not exist (unless
//!   `allow_sending_without_reply`).
//! * Fault injection: [`FakeBot::fail_next`]`(method, times, chat_id, fault)`
//!   answers the next `times` calls of `method` (optionally only those with
//!   that `chat_id`) with a [`Fault`]: `RetryAfter(secs)` (429 with
//!   `parameters.retry_after`), `Blocked` (403), `Kicked` (403),
//!   `Deactivated` (403), `ChatNotFound` (400), `Migrated(new_id)` (400 with
//!   `parameters.migrate_to_chat_id`), `Conflict` (409, another `getUpdates`
//!   poller), `AcceptAndHang` (the call is carried out and recorded as
//!   successful, but the answer never comes: a timeout after Telegram
//!   accepted the message), or `Custom`. Do not use 5xx: teloxide sleeps 10 s
//!   on them.
//! * Every call is recorded as a [`Call`] (method as sent, params as JSON,
//!   `Instant` and wall-clock time, whether it succeeded and the response).
//!   [`FakeBot::calls`] returns a snapshot; [`FakeBot::wait_for`] waits,
//!   woken by a `Notify` on every recorded call, until a predicate over all
//!   calls holds (no sleeps). Helpers over a `&[Call]`: [`FakeBot::sent_to`]
//!   (successful `sendMessage` calls to a chat), [`FakeBot::of`] (calls of a
//!   method); on a `Call`: `is`, `chat_id`, `text`, `visible_text`, `error`.
//!   To prove silence, follow the message that must be ignored with one that
//!   must be answered in the same chat (teloxide handles a chat's updates in
//!   order) and assert on what was sent once the answer arrived, or use
//!   [`FakeBot::wait_confirmed`] (the bot acknowledged an update id).
//!   [`FakeBot::max_sent_per_second`] is the most successful `sendMessage`
//!   calls within any one second (Telegram's overall limit is 30).
//!
//! # Running the binary ([`TestEnv`], [`BotProcess`])
//!
//! [`TestEnv::new`] makes a temp dir and a config file with `[data] dir` = the
//! repository's `data/` and `[storage] path` = `<tmp>/state.sqlite3`, plus the
//! extra TOML you pass (e.g. a `[broadcast]` table). [`TestEnv::spawn`] starts
//! `qmbot run --config <file>` with `TELOXIDE_TOKEN`/`TELOXIDE_API_URL`
//! pointing at the fake and captures stdout/stderr ([`BotProcess::logs`]).
//! Spawn again on the same `TestEnv` to restart with the same state.
//! [`BotProcess::sigterm`], [`BotProcess::sigint`], [`BotProcess::sigkill`]
//! signal it; [`BotProcess::wait_exit`] waits (with a timeout) for it to exit.
//! [`BotProcess::wait_log`] waits until the captured output satisfies a
//! predicate (woken as output arrives). A `BotProcess` is SIGKILLed when
//! dropped. [`process::qmbot`]`(args, stdin)` runs `qmbot ARGS` in the
//! repository with `stdin` as input and returns its `Output`.

#![allow(dead_code)]

pub mod html;
pub mod process;

// Not every test crate that includes this module runs the bot.
#[allow(unused_imports)]
pub use process::{BotProcess, TestEnv};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::Notify;

/// The default bot token. It looks like a real one (id, colon, 35 characters).
pub const TOKEN: &str = "7012345678:AAFakeTokenForQmbotTests_0123456789";
/// The fake bot's user id.
pub const BOT_ID: i64 = 7012345678;
/// The fake bot's username (without `@`).
pub const BOT_USERNAME: &str = "qm_test_bot";
/// The longest a `getUpdates` call is held open when there is nothing to deliver.
pub const MAX_POLL_WAIT: Duration = Duration::from_millis(500);

/// One recorded Bot API call.
#[derive(Debug, Clone)]
pub struct Call {
    /// The method name as sent (e.g. `SendMessage`).
    pub method: String,
    /// The parameters as a JSON object.
    pub params: Value,
    /// When the call arrived.
    pub at: Instant,
    /// When the call arrived, wall clock.
    pub wall: SystemTime,
    /// Whether the server answered `ok: true`.
    pub ok: bool,
    /// The response body (for `getUpdates`, `null`: it is recorded on arrival).
    pub response: Value,
}

impl Call {
    /// Whether this is a call of `method` (case-insensitive).
    pub fn is(&self, method: &str) -> bool {
        self.method.eq_ignore_ascii_case(method)
    }

    /// The `chat_id` parameter, when numeric.
    pub fn chat_id(&self) -> Option<i64> {
        as_i64(self.params.get("chat_id")?)
    }

    /// The `text` parameter.
    pub fn text(&self) -> Option<&str> {
        self.params.get("text")?.as_str()
    }

    /// The text as the user sees it (HTML parsed when `parse_mode` is HTML).
    pub fn visible_text(&self) -> Option<String> {
        let text = self.text()?;
        let mode = self.params.get("parse_mode").and_then(Value::as_str);
        if mode.is_some_and(|m| m.eq_ignore_ascii_case("html")) {
            html::parse(text).ok()
        } else {
            Some(text.to_string())
        }
    }

    /// The error description when the call failed.
    pub fn error(&self) -> Option<&str> {
        if self.ok {
            return None;
        }
        self.response.get("description")?.as_str()
    }

    /// The `message_id` of the message this call created, if any.
    pub fn result_message_id(&self) -> Option<i64> {
        self.response.get("result")?.get("message_id")?.as_i64()
    }

    /// `reply_parameters.message_id` (or the legacy `reply_to_message_id`).
    pub fn reply_to(&self) -> Option<i64> {
        self.params
            .get("reply_parameters")
            .and_then(|r| r.get("message_id"))
            .or_else(|| self.params.get("reply_to_message_id"))
            .and_then(as_i64)
    }
}

/// An error the server answers instead of doing the call.
#[derive(Debug, Clone)]
pub enum Fault {
    /// 409 `Conflict: terminated by other getUpdates request` (another
    /// process polls with the same token).
    Conflict,
    /// Carries the call out (a `sendMessage` is recorded as sent, with
    /// `ok: true`) but never answers, like a timeout after Telegram
    /// accepted the message.
    AcceptAndHang,
    /// 429 `Too Many Requests: retry after N` with `parameters.retry_after`.
    RetryAfter(u32),
    /// 403 `Forbidden: bot was blocked by the user`.
    Blocked,
    /// 403 `Forbidden: bot was kicked from the supergroup chat`.
    Kicked,
    /// 403 `Forbidden: user is deactivated`.
    Deactivated,
    /// 400 `Bad Request: chat not found`.
    ChatNotFound,
    /// 400 `Bad Request: group chat was upgraded to a supergroup chat` with
    /// `parameters.migrate_to_chat_id`.
    Migrated(i64),
    /// Anything else (do not use 5xx).
    Custom {
        /// HTTP status and `error_code`.
        code: u16,
        /// `description`.
        description: String,
        /// `parameters`, if any.
        parameters: Option<Value>,
    },
}

impl Fault {
    fn response(&self) -> (u16, Value) {
        let (code, description, parameters) = match self {
            Fault::Conflict => (
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
                    .into(),
                None,
            ),
            // Only used when the hung call is never answered.
            Fault::AcceptAndHang => (504, "Gateway Timeout".into(), None),
            Fault::RetryAfter(s) => (
                429,
                format!("Too Many Requests: retry after {s}"),
                Some(json!({ "retry_after": s })),
            ),
            Fault::Blocked => (403, "Forbidden: bot was blocked by the user".into(), None),
            Fault::Kicked => (403, "Forbidden: bot was kicked from the supergroup chat".into(), None),
            Fault::Deactivated => (403, "Forbidden: user is deactivated".into(), None),
            Fault::ChatNotFound => (400, "Bad Request: chat not found".into(), None),
            Fault::Migrated(to) => (
                400,
                "Bad Request: group chat was upgraded to a supergroup chat".into(),
                Some(json!({ "migrate_to_chat_id": to })),
            ),
            Fault::Custom {
                code,
                description,
                parameters,
            } => (*code, description.clone(), parameters.clone()),
        };
        let mut body = json!({ "ok": false, "error_code": code, "description": description });
        if let Some(p) = parameters {
            body["parameters"] = p;
        }
        (code, body)
    }
}

struct FaultRule {
    method: String,
    chat_id: Option<i64>,
    remaining: u32,
    fault: Fault,
}

#[derive(Default)]
struct ServerState {
    next_update_id: i64,
    next_message_id: i64,
    next_query_id: i64,
    updates: VecDeque<Value>,
    confirmed_below: i64,
    calls: Vec<Call>,
    faults: Vec<FaultRule>,
    members: HashMap<(i64, i64), String>,
    messages: HashMap<(i64, i64), Value>,
    commands: Value,
}

struct Inner {
    token: String,
    state: Mutex<ServerState>,
    updates_changed: Notify,
    call_recorded: Notify,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, ServerState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running fake Bot API server. Cheap to clone.
#[derive(Clone)]
pub struct FakeBot {
    inner: Arc<Inner>,
    url: String,
}

/// Returned by [`FakeBot::wait_for`] when the predicate did not hold in time.
pub struct Timeout {
    /// Every call recorded so far.
    pub calls: Vec<Call>,
}

impl std::fmt::Debug for Timeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "timed out; {} calls recorded:", self.calls.len())?;
        for c in self.calls.iter().filter(|c| !c.is("getUpdates")) {
            writeln!(f, "  {} ok={} {}", c.method, c.ok, c.params)?;
        }
        Ok(())
    }
}

/// A message a user sends, for [`FakeBot::send`].
#[derive(Debug, Clone)]
pub struct Msg {
    chat_id: i64,
    from: i64,
    text: String,
    reply_to: Option<i64>,
}

impl Msg {
    /// A text message from user `from` in chat `chat_id`.
    pub fn new(chat_id: i64, from: i64, text: impl Into<String>) -> Msg {
        Msg {
            chat_id,
            from,
            text: text.into(),
            reply_to: None,
        }
    }

    /// Makes it a reply to message `message_id` of the same chat.
    pub fn reply_to(mut self, message_id: i64) -> Msg {
        self.reply_to = Some(message_id);
        self
    }
}

impl FakeBot {
    /// Starts a server with [`TOKEN`].
    pub async fn start() -> FakeBot {
        FakeBot::start_with_token(TOKEN).await
    }

    /// Starts a server that accepts `token`.
    pub async fn start_with_token(token: &str) -> FakeBot {
        let inner = Arc::new(Inner {
            token: token.to_string(),
            state: Mutex::new(ServerState {
                next_update_id: 1,
                next_message_id: 1,
                next_query_id: 1,
                commands: json!([]),
                ..ServerState::default()
            }),
            updates_changed: Notify::new(),
            call_recorded: Notify::new(),
        });
        let app = axum::Router::new().fallback(handle).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeBot {
            inner,
            url: format!("http://{addr}"),
        }
    }

    /// The value for `TELOXIDE_API_URL`.
    pub fn api_url(&self) -> &str {
        &self.url
    }

    /// The token this server accepts.
    pub fn token(&self) -> &str {
        &self.inner.token
    }

    // ----- updates -------------------------------------------------------

    /// Queues a raw update (`{"message": {...}}` etc.); returns its `update_id`.
    pub fn push_update(&self, mut update: Value) -> i64 {
        let id = {
            let mut st = self.inner.lock();
            let id = st.next_update_id;
            st.next_update_id += 1;
            update["update_id"] = json!(id);
            if let Some(m) = update.get("message") {
                if let (Some(chat), Some(mid)) = (
                    m.get("chat").and_then(|c| c.get("id")).and_then(Value::as_i64),
                    m.get("message_id").and_then(Value::as_i64),
                ) {
                    st.messages.insert((chat, mid), m.clone());
                }
            }
            st.updates.push_back(update);
            id
        };
        self.inner.updates_changed.notify_waiters();
        id
    }

    /// A fresh message id (unique across the server).
    pub fn next_message_id(&self) -> i64 {
        let mut st = self.inner.lock();
        let id = st.next_message_id;
        st.next_message_id += 1;
        id
    }

    /// Builds the JSON of a user's text message without queueing it.
    pub fn message_json(&self, msg: &Msg) -> Value {
        let mid = self.next_message_id();
        let mut m = json!({
            "message_id": mid,
            "date": unix_now(),
            "chat": chat_json(msg.chat_id),
            "from": user_json(msg.from),
            "text": msg.text,
        });
        let entities = entities_of(&msg.text);
        if !entities.is_empty() {
            m["entities"] = Value::Array(entities);
        }
        if let Some(r) = msg.reply_to {
            let st = self.inner.lock();
            if let Some(orig) = st.messages.get(&(msg.chat_id, r)) {
                let mut orig = orig.clone();
                if let Some(o) = orig.as_object_mut() {
                    o.remove("reply_to_message");
                }
                m["reply_to_message"] = orig;
            }
        }
        m
    }

    /// Queues a text message; returns its `message_id`.
    pub fn send(&self, msg: Msg) -> i64 {
        let m = self.message_json(&msg);
        let mid = m["message_id"].as_i64().expect("message_id");
        self.push_update(json!({ "message": m }));
        mid
    }

    /// A private message from user `user_id` (chat id = user id).
    pub fn send_private(&self, user_id: i64, text: &str) -> i64 {
        self.send(Msg::new(user_id, user_id, text))
    }

    /// A message from `user_id` in group/supergroup `chat_id`.
    pub fn send_group(&self, chat_id: i64, user_id: i64, text: &str) -> i64 {
        self.send(Msg::new(chat_id, user_id, text))
    }

    /// An inline query from `user_id`; returns the query id.
    pub fn send_inline_query(&self, user_id: i64, query: &str) -> String {
        let id = {
            let mut st = self.inner.lock();
            st.next_query_id += 1;
            format!("iq{}", st.next_query_id)
        };
        self.push_update(json!({
            "inline_query": {
                "id": id, "from": user_json(user_id), "query": query, "offset": "",
                "chat_type": "sender",
            }
        }));
        id
    }

    /// A callback query (button press) by `user_id` on message `message_id`
    /// of `chat_id`; returns the query id.
    pub fn send_callback(&self, chat_id: i64, user_id: i64, message_id: i64, data: &str) -> String {
        let (id, message) = {
            let mut st = self.inner.lock();
            st.next_query_id += 1;
            let message = st.messages.get(&(chat_id, message_id)).cloned().unwrap_or_else(
                || json!({"message_id": message_id, "date": unix_now(), "chat": chat_json(chat_id), "text": "?"}),
            );
            (format!("cb{}", st.next_query_id), message)
        };
        self.push_update(json!({
            "callback_query": {
                "id": id, "from": user_json(user_id), "message": message,
                "chat_instance": format!("ci{chat_id}"), "data": data,
            }
        }));
        id
    }

    /// A message the server knows (sent by the bot or by a user).
    pub fn message(&self, chat_id: i64, message_id: i64) -> Option<Value> {
        self.inner.lock().messages.get(&(chat_id, message_id)).cloned()
    }

    // ----- configuration ---------------------------------------------------

    /// Sets what `getChatMember(chat_id, user_id)` reports: `creator`,
    /// `administrator`, `member`, `restricted`, `left` or `kicked`.
    pub fn set_member_status(&self, chat_id: i64, user_id: i64, status: &str) {
        self.inner.lock().members.insert((chat_id, user_id), status.to_string());
    }

    /// Answers the next `times` calls of `method` (only those for `chat_id`,
    /// when given) with `fault`.
    pub fn fail_next(&self, method: &str, times: u32, chat_id: Option<i64>, fault: Fault) {
        self.inner.lock().faults.push(FaultRule {
            method: method.to_ascii_lowercase(),
            chat_id,
            remaining: times,
            fault,
        });
    }

    /// The commands the bot registered last (`setMyCommands`).
    pub fn commands(&self) -> Value {
        self.inner.lock().commands.clone()
    }

    // ----- observation -----------------------------------------------------

    /// A snapshot of every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.inner.lock().calls.clone()
    }

    /// Waits until `pred(all calls so far)` holds; woken on every recorded
    /// call. Returns the calls that satisfied it, or [`Timeout`].
    pub async fn wait_for<F>(&self, pred: F, timeout: Duration) -> Result<Vec<Call>, Timeout>
    where
        F: Fn(&[Call]) -> bool,
    {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.call_recorded.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let st = self.inner.lock();
                if pred(&st.calls) {
                    return Ok(st.calls.clone());
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let st = self.inner.lock();
                if pred(&st.calls) {
                    return Ok(st.calls.clone());
                }
                return Err(Timeout {
                    calls: st.calls.clone(),
                });
            }
        }
    }

    /// Waits until the bot is polling (has called `getUpdates`).
    pub async fn wait_polling(&self, timeout: Duration) -> Result<Vec<Call>, Timeout> {
        self.wait_for(|c| c.iter().any(|c| c.is("getUpdates")), timeout).await
    }

    /// Waits until the bot has acknowledged update `update_id` (a later
    /// `getUpdates` with a greater offset). teloxide acknowledges an update
    /// after handing it to its handler, not after the handler finished.
    pub async fn wait_confirmed(&self, update_id: i64, timeout: Duration) -> Result<Vec<Call>, Timeout> {
        self.wait_for(
            move |c| {
                c.iter().any(|c| {
                    c.is("getUpdates") && c.params.get("offset").and_then(as_i64).is_some_and(|o| o > update_id)
                })
            },
            timeout,
        )
        .await
    }

    /// The successful `sendMessage` calls to `chat_id` among `calls`.
    pub fn sent_to(calls: &[Call], chat_id: i64) -> Vec<Call> {
        calls
            .iter()
            .filter(|c| c.is("sendMessage") && c.ok && c.chat_id() == Some(chat_id))
            .cloned()
            .collect()
    }

    /// The calls of `method` among `calls` (successful or not).
    pub fn of(calls: &[Call], method: &str) -> Vec<Call> {
        calls.iter().filter(|c| c.is(method)).cloned().collect()
    }

    /// The most successful `sendMessage` calls among `calls` that arrived
    /// within any one second.
    pub fn max_sent_per_second(calls: &[Call]) -> usize {
        let at: Vec<Instant> = calls
            .iter()
            .filter(|c| c.is("sendMessage") && c.ok)
            .map(|c| c.at)
            .collect();
        let mut best = 0;
        let mut first = 0;
        for (i, t) in at.iter().enumerate() {
            while t.duration_since(at[first]) >= Duration::from_secs(1) {
                first += 1;
            }
            best = best.max(i + 1 - first);
        }
        best
    }
}

// ----- JSON helpers ----------------------------------------------------------

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The `User` object of a (human) user id.
pub fn user_json(id: i64) -> Value {
    json!({ "id": id, "is_bot": false, "first_name": format!("User{id}"), "username": format!("user{id}"), "language_code": "zh-hans" })
}

/// The bot's own `User` object.
pub fn bot_user_json() -> Value {
    json!({ "id": BOT_ID, "is_bot": true, "first_name": "质量月助手", "username": BOT_USERNAME })
}

/// The `Chat` object of a chat id, typed by Telegram's id convention.
pub fn chat_json(id: i64) -> Value {
    if id > 0 {
        json!({ "id": id, "type": "private", "first_name": format!("User{id}") })
    } else if id <= -1_000_000_000_000 {
        json!({ "id": id, "type": "supergroup", "title": format!("Supergroup {id}") })
    } else {
        json!({ "id": id, "type": "group", "title": format!("Group {id}") })
    }
}

fn as_i64(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// `bot_command` and `mention` entities of a text, offsets in UTF-16 units.
fn entities_of(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut utf16_pos = 0usize;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (_, c) = chars[k];
        let at_word_start = k == 0 || chars[k - 1].1.is_whitespace();
        if (c == '/' && k == 0) || (c == '@' && at_word_start) {
            let start16 = utf16_pos;
            let mut j = k + 1;
            let mut len16 = c.len_utf16();
            while j < chars.len()
                && (chars[j].1.is_ascii_alphanumeric() || chars[j].1 == '_' || (c == '/' && chars[j].1 == '@'))
            {
                len16 += chars[j].1.len_utf16();
                j += 1;
            }
            if j > k + 1 {
                let kind = if c == '/' { "bot_command" } else { "mention" };
                out.push(json!({ "type": kind, "offset": start16, "length": len16 }));
                utf16_pos += len16;
                k = j;
                continue;
            }
        }
        utf16_pos += c.len_utf16();
        k += 1;
    }
    out
}

fn member_json(status: &str, user: Value) -> Value {
    match status {
        "creator" => json!({ "status": "creator", "user": user, "is_anonymous": false }),
        "administrator" => json!({
            "status": "administrator", "user": user, "can_be_edited": false, "is_anonymous": false,
            "can_manage_chat": true, "can_delete_messages": true, "can_manage_video_chats": true,
            "can_restrict_members": true, "can_promote_members": false, "can_change_info": true,
            "can_invite_users": true, "can_post_stories": false, "can_edit_stories": false,
            "can_delete_stories": false, "can_pin_messages": true, "can_manage_topics": false,
        }),
        "restricted" => json!({
            "status": "restricted", "user": user, "until_date": 0, "is_member": true,
            "can_send_messages": false, "can_send_audios": false, "can_send_documents": false,
            "can_send_photos": false, "can_send_videos": false, "can_send_video_notes": false,
            "can_send_voice_notes": false, "can_send_polls": false, "can_send_other_messages": false,
            "can_add_web_page_previews": false, "can_change_info": false, "can_invite_users": false,
            "can_pin_messages": false, "can_manage_topics": false,
        }),
        "left" => json!({ "status": "left", "user": user }),
        "kicked" => json!({ "status": "kicked", "user": user, "until_date": 0 }),
        _ => json!({ "status": "member", "user": user }),
    }
}

// ----- request parsing -------------------------------------------------------

fn parse_body(headers: &HeaderMap, uri: &Uri, body: &[u8]) -> Result<Value, String> {
    let mut params = Map::new();
    if let Some(q) = uri.query() {
        for (k, v) in form_urlencoded(q.as_bytes()) {
            params.insert(k, json_or_string(&v));
        }
    }
    let ctype = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if body.is_empty() {
        return Ok(Value::Object(params));
    }
    if ctype.starts_with("application/json") {
        let v: Value = serde_json::from_slice(body).map_err(|e| format!("bad JSON body: {e}"))?;
        match v {
            Value::Object(m) => params.extend(m),
            other => return Err(format!("JSON body is not an object: {other}")),
        }
    } else if ctype.starts_with("application/x-www-form-urlencoded") {
        for (k, v) in form_urlencoded(body) {
            params.insert(k, json_or_string(&v));
        }
    } else if ctype.starts_with("multipart/form-data") {
        let boundary = ctype
            .split(';')
            .find_map(|p| p.trim().strip_prefix("boundary="))
            .map(|b| b.trim_matches('"').to_string())
            .ok_or("multipart without boundary")?;
        // The boundary was lowercased with the header; find it case-insensitively.
        let original = headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let start = original.to_ascii_lowercase().find(&boundary).unwrap_or(0);
        let boundary = &original[start..start + boundary.len()];
        for (k, v) in multipart_fields(body, boundary) {
            params.insert(k, json_or_string(&v));
        }
    } else {
        return Err(format!("unsupported content type {ctype:?}"));
    }
    Ok(Value::Object(params))
}

fn json_or_string(v: &str) -> Value {
    match serde_json::from_str::<Value>(v) {
        Ok(j @ (Value::Object(_) | Value::Array(_) | Value::Number(_) | Value::Bool(_))) => j,
        _ => Value::String(v.to_string()),
    }
}

fn form_urlencoded(input: &[u8]) -> Vec<(String, String)> {
    fn decode(s: &[u8]) -> String {
        let mut out = Vec::with_capacity(s.len());
        let mut i = 0;
        while i < s.len() {
            match s[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < s.len() => {
                    let hex = std::str::from_utf8(&s[i + 1..i + 3]).unwrap_or("");
                    match u8::from_str_radix(hex, 16) {
                        Ok(b) => {
                            out.push(b);
                            i += 2;
                        }
                        _ => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    input
        .split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let mut it = pair.splitn(2, |&b| b == b'=');
            let k = decode(it.next().unwrap_or(b""));
            let v = decode(it.next().unwrap_or(b""));
            (k, v)
        })
        .collect()
}

fn multipart_fields(body: &[u8], boundary: &str) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    let delim = format!("--{boundary}");
    let mut out = Vec::new();
    for part in text.split(delim.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let name = head.lines().find_map(|l| {
            let l = l.trim();
            if !l.to_ascii_lowercase().starts_with("content-disposition") {
                return None;
            }
            let i = l.find("name=\"")? + 6;
            let rest = &l[i..];
            Some(rest[..rest.find('"')?].to_string())
        });
        if let Some(name) = name {
            let value = value.strip_suffix("\r\n").unwrap_or(value);
            out.push((name, value.to_string()));
        }
    }
    out
}

// ----- request handling ------------------------------------------------------

fn reply(code: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(body)).into_response()
}

/// Checks a message text (length after entity parsing, HTML) and its
/// reply markup the way Telegram does; returns the visible text.
fn check_text_and_markup(p: &Value) -> Result<String, String> {
    let text = p.get("text").and_then(Value::as_str).unwrap_or("");
    let mode = p.get("parse_mode").and_then(Value::as_str);
    let visible = html::check_message_text(text, mode)?;
    check_markup(p.get("reply_markup"))?;
    Ok(visible)
}

fn bad_request(description: impl Into<String>) -> (u16, Value) {
    let d = description.into();
    let d = if d.starts_with("Bad Request") {
        d
    } else {
        format!("Bad Request: {d}")
    };
    (400, json!({ "ok": false, "error_code": 400, "description": d }))
}

async fn handle(State(inner): State<Arc<Inner>>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().trim_start_matches('/');
    let Some((token_part, method)) = path.split_once('/') else {
        return reply(
            404,
            json!({ "ok": false, "error_code": 404, "description": "Not Found" }),
        );
    };
    let token = token_part.strip_prefix("bot").unwrap_or("");
    let token = percent_decode(token);
    if token != inner.token {
        return reply(
            401,
            json!({ "ok": false, "error_code": 401, "description": "Unauthorized" }),
        );
    }
    let method = method.trim_end_matches('/').to_string();
    let params = match parse_body(&headers, &uri, &body) {
        Ok(p) => p,
        Err(e) => {
            let (code, body) = bad_request(e);
            return reply(code, body);
        }
    };
    let lower = method.to_ascii_lowercase();

    if lower == "getupdates" {
        return get_updates(inner, method, params).await;
    }

    let (code, body, hang) = {
        let mut st = inner.lock();
        let (code, body, hang) = match take_fault(&mut st, &lower, &params) {
            Some(Fault::AcceptAndHang) => {
                let (code, body) = dispatch(&mut st, &lower, &params);
                (code, body, true)
            }
            Some(f) => {
                let (code, body) = f.response();
                (code, body, false)
            }
            None => {
                let (code, body) = dispatch(&mut st, &lower, &params);
                (code, body, false)
            }
        };
        st.calls.push(Call {
            method,
            params,
            at: Instant::now(),
            wall: SystemTime::now(),
            ok: body.get("ok").and_then(Value::as_bool).unwrap_or(false),
            response: body.clone(),
        });
        (code, body, hang)
    };
    inner.call_recorded.notify_waiters();
    if hang {
        // The client gives up first; the answer never comes.
        std::future::pending::<()>().await;
    }
    reply(code, body)
}

fn percent_decode(s: &str) -> String {
    form_urlencoded(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .pop()
        .map(|(_, v)| v)
        .unwrap_or_default()
}

fn take_fault(st: &mut ServerState, method: &str, params: &Value) -> Option<Fault> {
    let chat = params.get("chat_id").and_then(as_i64);
    let pos = st
        .faults
        .iter()
        .position(|r| r.method == method && r.remaining > 0 && (r.chat_id.is_none() || r.chat_id == chat))?;
    let rule = &mut st.faults[pos];
    rule.remaining -= 1;
    let fault = rule.fault.clone();
    if rule.remaining == 0 {
        st.faults.remove(pos);
    }
    Some(fault)
}

async fn get_updates(inner: Arc<Inner>, method: String, params: Value) -> Response {
    let offset = params.get("offset").and_then(as_i64).unwrap_or(0);
    let limit = params
        .get("limit")
        .and_then(as_i64)
        .filter(|&l| (1..=100).contains(&l))
        .unwrap_or(100) as usize;
    let timeout = params.get("timeout").and_then(as_i64).unwrap_or(0).max(0) as u64;
    let wait = MAX_POLL_WAIT.min(Duration::from_secs(timeout));

    let fault = {
        let mut st = inner.lock();
        let fault = take_fault(&mut st, "getupdates", &params);
        let body = fault.as_ref().map(|f| f.response().1);
        st.calls.push(Call {
            method,
            params: params.clone(),
            at: Instant::now(),
            wall: SystemTime::now(),
            ok: fault.is_none(),
            response: body.unwrap_or(Value::Null),
        });
        fault
    };
    inner.call_recorded.notify_waiters();
    if let Some(f) = fault {
        let (code, body) = f.response();
        return reply(code, body);
    }

    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let notified = inner.updates_changed.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let batch: Vec<Value> = {
            let mut st = inner.lock();
            if offset > 0 {
                st.updates.retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
                st.confirmed_below = st.confirmed_below.max(offset);
            } else if offset < 0 {
                let keep = offset.unsigned_abs() as usize;
                while st.updates.len() > keep {
                    st.updates.pop_front();
                }
            }
            st.updates.iter().take(limit).cloned().collect()
        };
        if !batch.is_empty() {
            return reply(200, json!({ "ok": true, "result": batch }));
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return reply(200, json!({ "ok": true, "result": [] }));
        }
    }
}

/// Performs a (non-`getUpdates`) method; returns HTTP status and body.
fn dispatch(st: &mut ServerState, method: &str, p: &Value) -> (u16, Value) {
    let ok = |result: Value| (200u16, json!({ "ok": true, "result": result }));
    match method {
        "getme" => {
            let mut me = bot_user_json();
            me["can_join_groups"] = json!(true);
            me["can_read_all_group_messages"] = json!(false);
            me["supports_inline_queries"] = json!(true);
            me["can_connect_to_business"] = json!(false);
            me["has_main_web_app"] = json!(false);
            ok(me)
        }
        "getwebhookinfo" => ok(json!({ "url": "", "has_custom_certificate": false, "pending_update_count": 0 })),
        "deletewebhook" | "logout" | "close" => ok(json!(true)),
        "setmycommands" => {
            let Some(cmds) = p.get("commands").and_then(Value::as_array) else {
                return bad_request("parameter \"commands\" is required");
            };
            for c in cmds {
                // Telegram tolerates one leading '/'.
                let name = c.get("command").and_then(Value::as_str).unwrap_or("");
                let name = name.strip_prefix('/').unwrap_or(name);
                let desc = c.get("description").and_then(Value::as_str).unwrap_or("");
                let valid = !name.is_empty()
                    && name.len() <= 32
                    && name
                        .chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
                if !valid {
                    return bad_request("BOT_COMMAND_INVALID");
                }
                if desc.is_empty() || desc.chars().count() > 256 {
                    return bad_request("BOT_COMMAND_DESCRIPTION_INVALID");
                }
            }
            st.commands = Value::Array(cmds.clone());
            ok(json!(true))
        }
        "getmycommands" => ok(st.commands.clone()),
        "deletemycommands" => {
            st.commands = json!([]);
            ok(json!(true))
        }
        "sendmessage" => {
            let Some(chat_id) = p.get("chat_id").and_then(as_i64) else {
                return bad_request("chat_id is empty");
            };
            let visible = match check_text_and_markup(p) {
                Ok(v) => v,
                Err(e) => return bad_request(e),
            };
            let mut reply_to = None;
            if let Some(rid) = p
                .get("reply_parameters")
                .and_then(|r| r.get("message_id"))
                .and_then(as_i64)
            {
                let allow = p["reply_parameters"]
                    .get("allow_sending_without_reply")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                match st.messages.get(&(chat_id, rid)) {
                    Some(m) => reply_to = Some(m.clone()),
                    None if allow => {}
                    None => return bad_request("message to be replied not found"),
                }
            }
            let mid = st.next_message_id;
            st.next_message_id += 1;
            let mut m = json!({
                "message_id": mid, "date": unix_now(), "chat": chat_json(chat_id),
                "from": bot_user_json(), "text": visible,
            });
            if let Some(mut r) = reply_to {
                if let Some(o) = r.as_object_mut() {
                    o.remove("reply_to_message");
                }
                m["reply_to_message"] = r;
            }
            if let Some(markup) = p.get("reply_markup").filter(|m| m.get("inline_keyboard").is_some()) {
                m["reply_markup"] = markup.clone();
            }
            st.messages.insert((chat_id, mid), m.clone());
            ok(m)
        }
        "editmessagetext" => {
            let visible = match check_text_and_markup(p) {
                Ok(v) => v,
                Err(e) => return bad_request(e),
            };
            if p.get("inline_message_id").is_some() {
                return ok(json!(true));
            }
            let (Some(chat_id), Some(mid)) = (p.get("chat_id").and_then(as_i64), p.get("message_id").and_then(as_i64))
            else {
                return bad_request("message identifier is not specified");
            };
            let Some(m) = st.messages.get_mut(&(chat_id, mid)) else {
                return bad_request("message to edit not found");
            };
            if m.get("text").and_then(Value::as_str) == Some(visible.as_str())
                && m.get("reply_markup") == p.get("reply_markup")
            {
                return bad_request(
                    "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
                );
            }
            m["text"] = json!(visible);
            m["edit_date"] = json!(unix_now());
            match p.get("reply_markup") {
                Some(markup) => m["reply_markup"] = markup.clone(),
                None => {
                    if let Some(o) = m.as_object_mut() {
                        o.remove("reply_markup");
                    }
                }
            }
            ok(m.clone())
        }
        "sendchataction" => {
            if p.get("chat_id").is_none() || p.get("action").is_none() {
                return bad_request("chat_id and action are required");
            }
            ok(json!(true))
        }
        "answerinlinequery" => {
            let results = p.get("results").and_then(Value::as_array).cloned().unwrap_or_default();
            if results.len() > 50 {
                return bad_request("RESULTS_TOO_MUCH");
            }
            let mut ids = std::collections::HashSet::new();
            for r in &results {
                let id = r.get("id").and_then(Value::as_str).unwrap_or("");
                if id.is_empty() || id.len() > 64 || !ids.insert(id.to_string()) {
                    return bad_request("RESULT_ID_INVALID");
                }
                if let Some(content) = r.get("input_message_content") {
                    let text = content.get("message_text").and_then(Value::as_str).unwrap_or("");
                    let mode = content.get("parse_mode").and_then(Value::as_str);
                    if let Err(e) = html::check_message_text(text, mode) {
                        return bad_request(e);
                    }
                }
                if let Err(e) = check_markup(r.get("reply_markup")) {
                    return bad_request(e);
                }
            }
            if p.get("next_offset")
                .and_then(Value::as_str)
                .is_some_and(|o| o.len() > 64)
            {
                return bad_request("NEXT_OFFSET_INVALID");
            }
            ok(json!(true))
        }
        "answercallbackquery" => {
            if p.get("text")
                .and_then(Value::as_str)
                .is_some_and(|t| t.chars().count() > 200)
            {
                return bad_request("MESSAGE_TOO_LONG");
            }
            ok(json!(true))
        }
        "getchatmember" => {
            let (Some(chat_id), Some(user_id)) = (p.get("chat_id").and_then(as_i64), p.get("user_id").and_then(as_i64))
            else {
                return bad_request("chat_id and user_id are required");
            };
            let status = st
                .members
                .get(&(chat_id, user_id))
                .cloned()
                .unwrap_or_else(|| "member".to_string());
            let user = if user_id == BOT_ID {
                bot_user_json()
            } else {
                user_json(user_id)
            };
            ok(member_json(&status, user))
        }
        "getchat" => {
            let Some(chat_id) = p.get("chat_id").and_then(as_i64) else {
                return bad_request("chat not found");
            };
            let mut chat = chat_json(chat_id);
            chat["accent_color_id"] = json!(0);
            chat["max_reaction_count"] = json!(11);
            chat["accepted_gift_types"] = json!({
                "unlimited_gifts": false, "limited_gifts": false,
                "unique_gifts": false, "premium_subscription": false,
            });
            ok(chat)
        }
        "leavechat" => ok(json!(true)),
        _ => ok(json!(true)),
    }
}

/// Telegram's limits on inline keyboards: `callback_data` 1..=64 bytes.
fn check_markup(markup: Option<&Value>) -> Result<(), String> {
    let Some(rows) = markup.and_then(|m| m.get("inline_keyboard")).and_then(Value::as_array) else {
        return Ok(());
    };
    for row in rows {
        for button in row.as_array().into_iter().flatten() {
            if let Some(data) = button.get("callback_data").and_then(Value::as_str) {
                if data.is_empty() || data.len() > 64 {
                    return Err("BUTTON_DATA_INVALID".into());
                }
            }
            if button.get("text").and_then(Value::as_str).is_none_or(str::is_empty) {
                return Err("BUTTON_TEXT_INVALID".into());
            }
        }
    }
    Ok(())
}

/// A bot for in-process tests whose HTTP client ignores proxy settings, so
/// its requests reach the fake server on 127.0.0.1 directly.
#[allow(dead_code)]
pub fn local_bot(token: &str) -> teloxide::Bot {
    let client = teloxide::net::default_reqwest_settings()
        .no_proxy()
        .build()
        .expect("HTTP client");
    teloxide::Bot::with_client(token, client)
}

/// Like [`local_bot`], with requests that give up after `timeout` (teloxide's
/// default is 17 s).
#[allow(dead_code)]
pub fn local_bot_with_timeout(token: &str, timeout: Duration) -> teloxide::Bot {
    let client = teloxide::net::default_reqwest_settings()
        .no_proxy()
        .timeout(timeout)
        .build()
        .expect("HTTP client");
    teloxide::Bot::with_client(token, client)
}
