//! End-to-end tests of the Telegram front end: the real `qmbot run` binary
//! against the fake Bot API server in `tests/common` (127.0.0.1 only).

mod common;

use common::{html, Call, FakeBot, Fault, Msg, TestEnv, BOT_ID, BOT_USERNAME, TOKEN};
use std::path::Path;
use std::time::Duration;

const T: Duration = Duration::from_secs(30);

/// Starts the fake server and the bot; returns once the bot polls.
async fn start(envs: &[(&str, &str)]) -> (FakeBot, TestEnv, common::BotProcess) {
    let fake = FakeBot::start().await;
    let env = TestEnv::new("");
    let bot = env.spawn(&fake, envs);
    if let Err(e) = fake.wait_polling(T).await {
        panic!("the bot never polled: {e:?}\nlogs:\n{}", bot.logs());
    }
    (fake, env, bot)
}

/// Sends nothing; waits until `chat` has received `n` messages in total.
async fn wait_sent(fake: &FakeBot, chat: i64, n: usize, what: &str) -> Vec<Call> {
    match fake.wait_for(|c| FakeBot::sent_to(c, chat).len() >= n, T).await {
        Ok(calls) => FakeBot::sent_to(&calls, chat),
        Err(e) => panic!("{what}: expected {n} messages to {chat}: {e:?}"),
    }
}

fn visible(call: &Call) -> String {
    assert_eq!(
        call.params["parse_mode"].as_str(),
        Some("HTML"),
        "replies use HTML: {call:?}"
    );
    call.visible_text().expect("valid HTML (the fake checked it)")
}

/// A private chat: each `ask` sends a message and returns the visible text
/// of the one reply it expects.
struct Chat<'a> {
    fake: &'a FakeBot,
    id: i64,
    received: usize,
}

impl Chat<'_> {
    async fn ask(&mut self, text: &str) -> String {
        self.fake.send_private(self.id, text);
        self.received += 1;
        let what = format!("reply to {:?}", text.chars().take(40).collect::<String>());
        let sent = wait_sent(self.fake, self.id, self.received, &what).await;
        visible(&sent[self.received - 1])
    }
}

/// What `qmbot ask` prints for `q`.
fn cli_answer(q: &str) -> String {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qmbot"))
        .arg("--data")
        .arg(&data)
        .arg("ask")
        .arg(q)
        .env_remove("RUST_LOG")
        .output()
        .expect("run qmbot ask");
    assert!(out.status.success(), "qmbot ask failed: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8").trim().to_string()
}

#[tokio::test]
async fn fake_server_answers_like_telegram() {
    use teloxide::prelude::*;
    use teloxide::types::ParseMode;
    use teloxide::{ApiError, RequestError};

    let fake = FakeBot::start().await;
    let url = reqwest::Url::parse(fake.api_url()).unwrap();
    let bot = common::local_bot(TOKEN).set_api_url(url.clone());

    let me = bot.get_me().await.expect("getMe");
    assert_eq!(me.username(), BOT_USERNAME);
    assert_eq!(me.id.0 as i64, BOT_ID);

    let m = bot
        .send_message(ChatId(42), "<b>粗体</b> &lt;ok&gt;")
        .parse_mode(ParseMode::Html)
        .await
        .expect("valid HTML is accepted");
    let m2 = bot.send_message(ChatId(42), "second").await.unwrap();
    assert!(m2.id.0 > m.id.0, "message ids increase");
    assert_eq!(m.text(), Some("粗体 <ok>"));

    for bad in ["<b>x", "<b><i>x</b></i>", "<p>x</p>", "a < b", "a & b"] {
        let err = bot
            .send_message(ChatId(42), bad)
            .parse_mode(ParseMode::Html)
            .await
            .expect_err(bad);
        assert!(
            matches!(err, RequestError::Api(ApiError::CantParseEntities(_))),
            "{bad}: {err:?}"
        );
    }
    let err = bot
        .send_message(ChatId(42), "长".repeat(4097))
        .await
        .expect_err("too long");
    assert!(matches!(err, RequestError::Api(ApiError::MessageIsTooLong)), "{err:?}");

    for status in ["creator", "administrator", "member", "restricted", "left", "kicked"] {
        fake.set_member_status(-100, 7, status);
        let member = bot
            .get_chat_member(ChatId(-100), teloxide::types::UserId(7))
            .await
            .unwrap_or_else(|e| panic!("{status}: {e:?}"));
        assert_eq!(
            member.is_privileged(),
            matches!(status, "creator" | "administrator"),
            "{status}"
        );
    }

    fake.fail_next("sendMessage", 1, Some(5), Fault::RetryAfter(7));
    fake.fail_next("SENDMESSAGE", 1, None, Fault::Blocked);
    fake.fail_next("sendMessage", 1, None, Fault::ChatNotFound);
    fake.fail_next("sendMessage", 1, None, Fault::Migrated(-1009));
    fake.fail_next("sendMessage", 1, None, Fault::Kicked);
    fake.fail_next("sendMessage", 1, None, Fault::Deactivated);
    // The chat-specific fault waits for its chat.
    let e = bot.send_message(ChatId(6), "x").await.unwrap_err();
    assert!(matches!(e, RequestError::Api(ApiError::BotBlocked)), "{e:?}");
    let e = bot.send_message(ChatId(5), "x").await.unwrap_err();
    assert!(matches!(e, RequestError::RetryAfter(s) if s.seconds() == 7), "{e:?}");
    let e = bot.send_message(ChatId(5), "x").await.unwrap_err();
    assert!(matches!(e, RequestError::Api(ApiError::ChatNotFound)), "{e:?}");
    let e = bot.send_message(ChatId(5), "x").await.unwrap_err();
    assert!(matches!(e, RequestError::MigrateToChatId(c) if c.0 == -1009), "{e:?}");
    let e = bot.send_message(ChatId(5), "x").await.unwrap_err();
    assert!(
        matches!(e, RequestError::Api(ApiError::BotKickedFromSupergroup)),
        "{e:?}"
    );
    let e = bot.send_message(ChatId(5), "x").await.unwrap_err();
    assert!(matches!(e, RequestError::Api(ApiError::UserDeactivated)), "{e:?}");
    bot.send_message(ChatId(5), "x").await.expect("faults are used up");

    let wrong = common::local_bot("1:wrong").set_api_url(url);
    let e = wrong.get_me().await.unwrap_err();
    assert!(matches!(e, RequestError::Api(ApiError::InvalidToken)), "{e:?}");

    // getUpdates delivers queued updates and honours the offset.
    fake.send_private(9, "你好");
    fake.send_private(9, "再见");
    let ups = bot.get_updates().await.unwrap();
    assert_eq!(ups.len(), 2);
    let next = ups[0].id.0 as i64 + 1;
    let ups = bot.get_updates().offset(next as i32).await.unwrap();
    assert_eq!(ups.len(), 1);
    assert_eq!(ups[0].id.0 as i64, next);
    assert!(fake.wait_confirmed(next - 1, Duration::from_secs(1)).await.is_ok());
    let calls = fake.calls();
    assert!(FakeBot::of(&calls, "sendmessage").len() >= 10);
    assert!(calls.iter().any(|c| c.is("getUpdates") && c.params["offset"] == next));
}

#[tokio::test]
async fn missing_token_is_one_clear_line() {
    let env = TestEnv::new("");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qmbot"))
        .arg("run")
        .arg("--config")
        .arg(&env.config_path)
        .env_remove("TELOXIDE_TOKEN")
        .env_remove("RUST_LOG")
        .output()
        .expect("run qmbot");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("TELOXIDE_TOKEN"), "{stderr}");
}

#[tokio::test]
async fn private_chat_questions_and_commands() {
    let (fake, _env, mut bot) = start(&[]).await;

    // Commands are registered with English names and Chinese descriptions.
    let calls = fake
        .wait_for(|c| c.iter().any(|c| c.is("setMyCommands") && c.ok), T)
        .await
        .expect("setMyCommands");
    let cmds = FakeBot::of(&calls, "setMyCommands")[0].params["commands"].clone();
    let names: Vec<&str> = cmds
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    for n in [
        "start",
        "help",
        "ask",
        "theme",
        "slogans",
        "sources",
        "subscribe",
        "unsubscribe",
        "slogan",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }

    let user = 1001;
    let q = "2024年全国质量月主题";
    fake.send_private(user, q);
    let sent = wait_sent(&fake, user, 1, "private question").await;
    let reply = visible(&sent[0]);
    assert!(reply.contains("加强质量支撑"), "theme missing: {reply}");
    assert!(
        reply.contains("出处") && reply.contains("2024"),
        "citation missing: {reply}"
    );
    assert_eq!(reply.trim(), cli_answer(q), "the chat shows what `qmbot ask` prints");
    assert!(sent[0].reply_to().is_none(), "no quoting in private chats");

    let mut chat = Chat {
        fake: &fake,
        id: user,
        received: 1,
    };

    let start = chat.ask("/start").await;
    for needle in ["质量月", "2019年", "2024年", "/ask", "@qm_test_bot"] {
        assert!(start.contains(needle), "/start lacks {needle}: {start}");
    }
    let theme = chat.ask("/theme 2019").await;
    assert!(theme.contains("共创中国质量"), "{theme}");
    assert!(chat.ask("/theme 1999").await.contains("没有收录1999年"));
    assert!(chat.ask("/theme abc").await.contains("不是年份"));
    let sources = chat.ask("/sources").await;
    assert!(sources.contains("国市监质〔2019〕162号"), "{sources}");
    assert!(!chat.ask("/slogans").await.trim().is_empty());

    // Bad input: one sensible reply each, no crash, no apology.
    let long = "质量".repeat(50 * 1024);
    for bad in [
        "/ask",
        "   ",
        long.as_str(),
        "\u{0}\u{1}\u{7}质量月\u{1b}[31m主题",
        "😀🎉👍",
        "<b>2024</b> & <script>alert(1)</script> 主题",
        "*2024* _质量月_ [主题](http://x) `code`",
        "AND (",
        "title:*",
        "/nosuchcommand",
    ] {
        let text = chat.ask(bad).await;
        assert!(!text.trim().is_empty(), "{bad:?}");
        assert!(!text.contains("抱歉"), "{bad:?} made a handler fail: {text}");
        if bad == long {
            assert!(text.contains("太长"), "100 KB is refused politely: {text}");
        }
    }

    // Messages sent through our own inline mode are not questions.
    let mut m = fake.message_json(&Msg::new(user, user, "2019年质量月主题"));
    m["via_bot"] = common::bot_user_json();
    fake.push_update(serde_json::json!({ "message": m }));
    chat.ask("2019年质量月主题是什么？").await;
    let sent = FakeBot::sent_to(&fake.calls(), user);
    assert_eq!(sent.len(), chat.received, "the via_bot message got no reply");

    // Every reply stayed within Telegram's limits (the fake rejects others).
    let calls = fake.calls();
    assert!(calls.iter().filter(|c| c.is("sendMessage")).all(|c| c.ok));

    bot.sigint();
    let status = bot.wait_exit(Duration::from_secs(5)).await;
    assert!(
        status.is_some_and(|s| s.success()),
        "SIGINT: {status:?}\n{}",
        bot.logs()
    );
}

#[tokio::test]
async fn group_chat_answers_only_when_addressed() {
    let (fake, _env, _bot) = start(&[]).await;
    let group = -1_001_234_567_890; // a supergroup
    let alice = 501;
    let bob = 502;

    // Chatter, a command for another bot, then /ask@bot: only the last is answered.
    fake.send_group(group, alice, "大家好，今天开会吗？");
    fake.send_group(group, bob, "/ask@other_bot 2024年质量月主题");
    fake.send_group(group, bob, "/help@other_bot");
    let ask = fake.send_group(group, alice, "/ask@qm_test_bot 2024年质量月主题");
    let sent = wait_sent(&fake, group, 1, "/ask@bot").await;
    assert_eq!(sent[0].reply_to(), Some(ask), "the answer quotes the question");
    assert!(visible(&sent[0]).contains("加强质量支撑"), "{}", visible(&sent[0]));
    let bot_msg = sent[0].result_message_id().expect("message id");

    // A mention anywhere in the text.
    let mention = fake.send_group(group, bob, "请问 @qm_test_bot 2019年质量月的主题是什么");
    let sent = wait_sent(&fake, group, 2, "mention").await;
    assert_eq!(sent[1].reply_to(), Some(mention));
    assert!(visible(&sent[1]).contains("共创中国质量"), "{}", visible(&sent[1]));

    // A reply to another user is ignored; a reply to the bot is a question.
    fake.send(Msg::new(group, bob, "2023年质量月主题").reply_to(mention));
    let reply = fake.send(Msg::new(group, alice, "2023年质量月的主题是什么").reply_to(bot_msg));
    let sent = wait_sent(&fake, group, 3, "reply to the bot").await;
    assert_eq!(
        sent[2].reply_to(),
        Some(reply),
        "answered the reply, not the other message"
    );
    assert!(visible(&sent[2]).contains("增强质量意识"), "{}", visible(&sent[2]));

    // Plain /ask without the bot name works too; then nothing else was sent.
    let plain = fake.send_group(group, bob, "/ask 2019年质量月主题");
    let calls = fake
        .wait_for(|c| FakeBot::sent_to(c, group).len() >= 4, T)
        .await
        .expect("/ask");
    let sent = FakeBot::sent_to(&calls, group);
    assert_eq!(sent.len(), 4, "only addressed messages were answered");
    assert_eq!(sent[3].reply_to(), Some(plain));

    // A basic group behaves the same.
    let basic = -4242;
    fake.send_group(basic, alice, "随便聊聊");
    let ask = fake.send_group(basic, alice, "@QM_TEST_BOT 2024年主题");
    let sent = wait_sent(&fake, basic, 1, "basic group").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].reply_to(), Some(ask));
}

#[tokio::test]
async fn inline_queries_are_always_answered() {
    let (fake, _env, _bot) = start(&[]).await;
    let mut ids = Vec::new();
    for q in ["2024年质量月主题", "", "完全无关的问题 xyzzy", "😀", "AND ("] {
        ids.push((q, fake.send_inline_query(77, q)));
    }
    let calls = fake
        .wait_for(
            |c| FakeBot::of(c, "answerInlineQuery").iter().filter(|c| c.ok).count() >= ids.len(),
            T,
        )
        .await
        .expect("inline answers");
    let answers = FakeBot::of(&calls, "answerInlineQuery");
    for (q, id) in &ids {
        let call = answers
            .iter()
            .find(|c| c.params["inline_query_id"].as_str() == Some(id.as_str()))
            .unwrap_or_else(|| panic!("query {q:?} not answered"));
        assert!(call.ok, "{q:?}: {:?}", call.response);
        let results = call.params["results"].as_array().expect("results");
        assert!(
            !results.is_empty() && results.len() <= 10,
            "{q:?}: {} results",
            results.len()
        );
        for r in results {
            assert_eq!(r["type"], "article");
            let content = &r["input_message_content"];
            assert_eq!(content["parse_mode"], "HTML");
            let text = content["message_text"].as_str().unwrap();
            let v = html::check_message_text(text, Some("HTML")).expect("valid message");
            assert!(html::utf16_len(&v) <= 4096);
        }
        if q.is_empty() {
            let titles: Vec<&str> = results.iter().map(|r| r["title"].as_str().unwrap()).collect();
            assert!(titles.iter().any(|t| t.contains("主题")), "{titles:?}");
            assert!(titles.iter().any(|t| t.contains("口号")), "{titles:?}");
        }
        if *q == "2024年质量月主题" {
            let first = results[0]["input_message_content"]["message_text"].as_str().unwrap();
            assert!(first.contains("加强质量支撑") && first.contains("出处"), "{first}");
        }
    }

    // A stale button press is answered too.
    let mid = fake.send_private(77, "hi");
    let cb = fake.send_callback(77, 77, mid, "page:2");
    let calls = fake
        .wait_for(
            |c| {
                FakeBot::of(c, "answerCallbackQuery")
                    .iter()
                    .any(|c| c.params["callback_query_id"] == cb.as_str())
            },
            T,
        )
        .await
        .expect("callback answered");
    assert!(FakeBot::of(&calls, "answerCallbackQuery").iter().all(|c| c.ok));
}

/// The inline buttons of a sent or edited message: `(label, callback_data)`.
fn buttons(call: &Call) -> Vec<(String, String)> {
    let rows = call.params["reply_markup"]["inline_keyboard"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    rows.iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .map(|b| {
            (
                b["text"].as_str().unwrap_or("").to_string(),
                b["callback_data"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn labels(call: &Call) -> Vec<String> {
    buttons(call).into_iter().map(|(label, _)| label).collect()
}

/// The `callback_data` of the button labelled `label`.
fn button(call: &Call, label: &str) -> String {
    buttons(call)
        .into_iter()
        .find(|(l, _)| l == label)
        .map(|(_, data)| data)
        .unwrap_or_else(|| panic!("no button {label:?} in {:?}", labels(call)))
}

/// What the bot renders for `q` today, page by page (the same engine and
/// renderer, in-process).
fn expected_pages(q: &str) -> (Vec<String>, String) {
    let engine = qmbot::Engine::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("data")).unwrap();
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let answer = engine.answer(q, today);
    (qmbot::format::render_answer(&answer), answer.to_plain())
}

/// A long list: more than one message.
const LONG: &str = "2024年各地开展了哪些活动";

/// Presses a button and waits until the press is answered; returns the
/// `answerCallbackQuery` call and the edit of `message` made meanwhile, if any.
async fn press(fake: &FakeBot, chat: i64, user: i64, message: i64, data: &str) -> (Call, Option<Call>) {
    let before = fake.calls().len();
    let id = fake.send_callback(chat, user, message, data);
    let answered = |c: &Call| c.is("answerCallbackQuery") && c.params["callback_query_id"] == id.as_str();
    let calls = fake
        .wait_for(|c| c.iter().any(answered), T)
        .await
        .unwrap_or_else(|e| panic!("press {data:?} not answered: {e:?}"));
    let at = calls.iter().position(answered).unwrap();
    assert!(calls[at].ok, "{:?}", calls[at]);
    let edit = calls[before..at]
        .iter()
        .find(|c| c.is("editMessageText") && c.params["message_id"] == message)
        .cloned();
    (calls[at].clone(), edit)
}

#[tokio::test]
async fn long_answer_is_one_message_with_pages_that_survive_a_restart() {
    let (fake, env, mut bot) = start(&[]).await;
    let (pages, plain) = expected_pages(LONG);
    assert!(pages.len() >= 2, "{LONG} must render as several parts: {}", pages.len());
    let n = pages.len();

    // In a group: one message, quoting the question, with the first page.
    let group = -1_001_555_000_111;
    let alice = 601;
    let ask = fake.send_group(group, alice, &format!("/ask@{BOT_USERNAME} {LONG}"));
    let sent = wait_sent(&fake, group, 1, "long answer").await;
    let first = sent[0].clone();
    assert_eq!(first.reply_to(), Some(ask));
    assert_eq!(first.text(), Some(pages[0].as_str()));
    assert_eq!(labels(&first), vec![format!("1/{n}"), "下一页 ▶".to_string()]);
    let mid = first.result_message_id().expect("message id");
    // Nothing else came: the next addressed question is the second message.
    fake.send_group(group, alice, &format!("/ask@{BOT_USERNAME} 2024年质量月主题"));
    let sent = wait_sent(&fake, group, 2, "after the long answer").await;
    assert!(visible(&sent[1]).contains("加强质量支撑"));

    // Next page: the same message is edited, and the press is answered.
    let mut shown = visible(&first);
    let mut current = first.clone();
    for page in 2..=n {
        let (answer, edit) = press(&fake, group, alice, mid, &button(&current, "下一页 ▶")).await;
        let edit = edit.unwrap_or_else(|| panic!("page {page}: no edit before the answer {answer:?}"));
        assert!(edit.ok, "{edit:?}");
        assert_eq!(edit.chat_id(), Some(group));
        assert_eq!(edit.text(), Some(pages[page - 1].as_str()));
        let mut want = vec!["◀ 上一页".to_string(), format!("{page}/{n}")];
        if page < n {
            want.push("下一页 ▶".to_string());
        }
        assert_eq!(labels(&edit), want);
        assert!(
            answer.params.get("text").is_none(),
            "a page turn needs no note: {answer:?}"
        );
        shown.push_str(&visible(&edit));
        current = edit;
    }
    assert_eq!(
        shown.replace(char::is_whitespace, ""),
        plain.replace(char::is_whitespace, ""),
        "the pages hold the whole answer, in order"
    );
    assert_eq!(
        FakeBot::sent_to(&fake.calls(), group).len(),
        2,
        "page turns send nothing new"
    );

    // The position button changes nothing, but is answered.
    let (answer, edit) = press(&fake, group, alice, mid, &button(&current, &format!("{n}/{n}"))).await;
    assert!(edit.is_none());
    assert_eq!(answer.params["text"], format!("第 {n}/{n} 页"));

    // After a restart the buttons still work.
    bot.sigterm();
    assert!(bot.wait_exit(Duration::from_secs(5)).await.is_some_and(|s| s.success()));
    let polls = FakeBot::of(&fake.calls(), "getUpdates").len();
    let _bot = env.spawn(&fake, &[]);
    fake.wait_for(|c| FakeBot::of(c, "getUpdates").len() > polls, T)
        .await
        .expect("polling again");
    let (_, edit) = press(&fake, group, alice, mid, &button(&current, "◀ 上一页")).await;
    let edit = edit.expect("the page turned after the restart");
    assert_eq!(edit.text(), Some(pages[n - 2].as_str()));

    // An unknown or expired list is answered politely.
    let (answer, edit) = press(&fake, group, alice, mid, "pg:0000000000000000:2").await;
    assert!(edit.is_none());
    let note = answer.params["text"].as_str().unwrap_or("");
    assert!(note.contains("过期") && note.contains("重新提问"), "{note}");

    // In a private chat too: one message with buttons, quoting nothing.
    let user = 2002;
    fake.send_private(user, LONG);
    let sent = wait_sent(&fake, user, 1, "private long answer").await;
    assert_eq!(sent[0].text(), Some(pages[0].as_str()));
    assert!(sent[0].reply_to().is_none());
    assert_eq!(labels(&sent[0]).len(), 2);

    // Telegram accepted every request.
    let calls = fake.calls();
    let failed: Vec<&Call> = calls.iter().filter(|c| !c.ok && !c.is("getUpdates")).collect();
    assert!(failed.is_empty(), "rejected: {failed:?}");
}

#[tokio::test]
async fn a_flooding_group_gets_20_messages_and_others_are_not_delayed() {
    let (fake, _env, _bot) = start(&[]).await;
    let group = -1_001_777_000_222;
    let t0 = std::time::Instant::now();
    for i in 0..40 {
        fake.send_group(group, 700 + i, &format!("/ask@{BOT_USERNAME} {LONG}"));
    }
    // A private question right away, and another one in the middle of the flood.
    let mut latencies = Vec::new();
    for (user, when) in [(7101, 0), (7102, 5)] {
        fake.wait_for(|c| FakeBot::sent_to(c, group).len() >= when, T)
            .await
            .expect("the group is being answered");
        let asked = std::time::Instant::now();
        fake.send_private(user, "2024年质量月主题");
        let sent = wait_sent(&fake, user, 1, "private question during the flood").await;
        assert!(visible(&sent[0]).contains("加强质量支撑"));
        latencies.push(sent[0].at - asked);
    }

    // Watch the group for 90 s: more than 21 messages would end the wait.
    let window = Duration::from_secs(90);
    let over = fake
        .wait_for(
            |c| FakeBot::sent_to(c, group).len() > 21,
            window.saturating_sub(t0.elapsed()),
        )
        .await;
    assert!(over.is_err(), "more than 21 messages in 90 s");
    let calls = fake.calls();
    let sent: Vec<Call> = FakeBot::sent_to(&calls, group)
        .into_iter()
        .filter(|c| c.at - t0 <= window)
        .collect();
    let notices: Vec<&Call> = sent.iter().filter(|c| visible(c) == "问得太快了，请稍后再问").collect();
    eprintln!(
        "flood: {} messages to the group in 90 s ({} notice), private replies after {:?}",
        sent.len(),
        notices.len(),
        latencies
    );
    assert!(sent.len() <= 21, "{} messages", sent.len());
    assert!(
        sent.len() >= 15,
        "the group got its answers up to the limit: {}",
        sent.len()
    );
    assert_eq!(notices.len(), 1, "exactly one notice");
    assert!(
        std::ptr::eq(notices[0], sent.last().unwrap()),
        "silent after the notice"
    );
    for answer in &sent[..sent.len() - 1] {
        assert_eq!(labels(answer).len(), 2, "each long answer is one paged message");
    }
    // Telegram's limit: never more than 20 in any rolling minute.
    for (i, c) in sent.iter().enumerate() {
        let in_minute = sent[i..]
            .iter()
            .filter(|d| d.at - c.at < Duration::from_secs(60))
            .count();
        assert!(in_minute <= 20, "{in_minute} messages within a minute");
    }
    for l in &latencies {
        assert!(*l < Duration::from_secs(3), "a private question waited {l:?}");
    }
    let failed: Vec<&Call> = calls.iter().filter(|c| !c.ok && !c.is("getUpdates")).collect();
    assert!(failed.is_empty(), "rejected: {failed:?}");
}

#[tokio::test]
async fn stats_for_operators_only() {
    let fake = FakeBot::start().await;
    let admin = 9001;
    let env = TestEnv::new(&format!("[admin]\nuser_ids = [{admin}]\n"));
    let _bot = env.spawn(&fake, &[]);
    fake.wait_polling(T).await.expect("polling");
    let calls = fake
        .wait_for(|c| c.iter().any(|c| c.is("setMyCommands") && c.ok), T)
        .await
        .expect("setMyCommands");
    let menu = FakeBot::of(&calls, "setMyCommands")[0].params["commands"].to_string();
    assert!(!menu.contains("stats"), "/stats is not in the menu: {menu}");

    // Questions from several people: one the notices do not cover, twice.
    let unanswered = "2021年质量月主题是什么";
    let mut user = Chat {
        fake: &fake,
        id: 9002,
        received: 0,
    };
    user.ask(unanswered).await;
    user.ask("2024年质量月主题").await;
    let unknown = user.ask("/nosuchcommand").await;
    // A non-operator's /stats reveals nothing: the unknown-command reply.
    assert_eq!(user.ask("/stats").await, unknown);

    let mut op = Chat {
        fake: &fake,
        id: admin,
        received: 0,
    };
    op.ask(&format!("  {unanswered} ")).await;
    let help = op.ask("/help").await;
    assert!(!help.contains("/stats"), "/help does not list /stats: {help}");
    let report = op.ask("/stats").await;
    let normalised = qmbot::query::normalize(unanswered);
    assert!(
        report.contains(&format!("1. {normalised}（2 次")),
        "the unanswered question with its count: {report}"
    );
    assert!(report.contains("今天：3 个问题，已回答 1 个（33%）"), "{report}");
    assert!(
        !report.contains("9002") && !report.contains("9001"),
        "no user ids: {report}"
    );

    // `qmbot stats` prints the same from the state file, while the bot runs.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qmbot"))
        .arg("--config")
        .arg(&env.config_path)
        .arg("stats")
        .env_remove("RUST_LOG")
        .output()
        .expect("run qmbot stats");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), report.trim());

    // In a group, even the operator's /stats is an unknown command.
    let group = -4646;
    fake.send_group(group, admin, "/stats");
    fake.send_group(group, admin, &format!("/stats@{BOT_USERNAME}"));
    let sent = wait_sent(&fake, group, 1, "/stats@bot in a group").await;
    assert_eq!(
        visible(&sent[0]),
        unknown,
        "plain /stats was ignored, /stats@bot is unknown"
    );
    fake.send_group(group, admin, &format!("/ask@{BOT_USERNAME} 2019年质量月主题"));
    let sent = wait_sent(&fake, group, 2, "a question after /stats").await;
    assert!(visible(&sent[1]).contains("共创中国质量"));
}

#[tokio::test]
async fn follow_ups_continue_a_conversation_and_never_leak() {
    let (fake, _env, _bot) = start(&[]).await;

    // A private chat is one conversation.
    let mut a = Chat {
        fake: &fake,
        id: 8001,
        received: 0,
    };
    assert!(a.ask("2023年广东省开展了哪些活动？").await.contains("广东"));
    let follow = a.ask("江苏呢？").await;
    assert!(
        follow.starts_with("2023年") && follow.contains("江苏"),
        "the year carries over: {follow}"
    );
    // Another chat does not see it: the same words start afresh (latest year).
    let mut b = Chat {
        fake: &fake,
        id: 8002,
        received: 0,
    };
    let fresh = b.ask("江苏呢？").await;
    assert!(fresh.starts_with("2024年") && fresh.contains("江苏"), "leaked: {fresh}");

    // In a group, replying to an answer continues that answer's context.
    let group = -1_001_515_151_515;
    let (alice, bob) = (801, 802);
    fake.send_group(group, alice, &format!("/ask@{BOT_USERNAME} 2019年质量月的主题是什么"));
    let sent = wait_sent(&fake, group, 1, "theme").await;
    assert!(visible(&sent[0]).contains("共创中国质量"));
    let theme = sent[0].result_message_id().unwrap();
    fake.send(Msg::new(group, bob, "口号呢").reply_to(theme));
    let sent = wait_sent(&fake, group, 2, "follow-up by reply").await;
    let slogans = visible(&sent[1]);
    assert!(slogans.contains("2019年全国“质量月”活动口号"), "{slogans}");
    // The chain goes on from the new answer.
    let slogans_id = sent[1].result_message_id().unwrap();
    fake.send(Msg::new(group, alice, "那2023年呢").reply_to(slogans_id));
    let sent = wait_sent(&fake, group, 3, "second follow-up").await;
    assert!(
        visible(&sent[2]).contains("2023年全国“质量月”活动口号"),
        "{}",
        visible(&sent[2])
    );
    // A question that replies to nothing starts afresh.
    fake.send_group(group, bob, &format!("/ask@{BOT_USERNAME} 口号呢"));
    let sent = wait_sent(&fake, group, 4, "fresh question").await;
    assert!(
        visible(&sent[3]).contains("2024年全国“质量月”活动口号"),
        "{}",
        visible(&sent[3])
    );
}

#[tokio::test]
async fn retry_after_is_honoured_and_failures_are_apologised() {
    let (fake, _env, _bot) = start(&[]).await;
    let user = 3003;

    // 429 on the first send: Throttle waits retry_after and sends again.
    fake.fail_next("sendMessage", 1, Some(user), Fault::RetryAfter(1));
    fake.send_private(user, "2024年质量月主题");
    let sent = wait_sent(&fake, user, 1, "after 429").await;
    let calls = fake.calls();
    let attempts: Vec<&Call> = calls
        .iter()
        .filter(|c| c.is("sendMessage") && c.chat_id() == Some(user))
        .collect();
    assert_eq!(attempts.len(), 2, "one 429, one success");
    assert!(!attempts[0].ok && attempts[1].ok);
    assert_eq!(attempts[0].text(), attempts[1].text(), "the same message was retried");
    let waited = attempts[1].at - attempts[0].at;
    assert!(waited >= Duration::from_millis(900), "retried after {waited:?}");
    assert!(visible(&sent[0]).contains("加强质量支撑"));

    // A failing handler: logged, apologised, and the bot keeps going.
    fake.fail_next(
        "sendMessage",
        1,
        Some(user),
        Fault::Custom {
            code: 400,
            description: "Bad Request: something unexpected".into(),
            parameters: None,
        },
    );
    fake.send_private(user, "2019年质量月主题");
    let sent = wait_sent(&fake, user, 2, "apology").await;
    assert!(visible(&sent[1]).contains("抱歉"), "{}", visible(&sent[1]));
    fake.send_private(user, "2019年质量月主题");
    let sent = wait_sent(&fake, user, 3, "after the failure").await;
    assert!(visible(&sent[2]).contains("共创中国质量"));
}

#[tokio::test]
async fn sigterm_stops_quickly_and_the_token_is_never_logged() {
    let (fake, _env, mut bot) = start(&[("RUST_LOG", "trace")]).await;
    let user = 4004;
    fake.fail_next("sendMessage", 1, Some(user), Fault::RetryAfter(1));
    fake.send_private(user, "2024年质量月主题");
    fake.send_inline_query(user, "2019年主题");
    wait_sent(&fake, user, 1, "answer").await;
    fake.wait_for(|c| c.iter().any(|c| c.is("answerInlineQuery")), T)
        .await
        .expect("inline");

    let asked = std::time::Instant::now();
    bot.sigterm();
    let status = bot.wait_exit(Duration::from_secs(5)).await;
    assert!(status.is_some(), "still running 5 s after SIGTERM\n{}", bot.logs());
    assert!(status.unwrap().success(), "{status:?}");
    assert!(asked.elapsed() < Duration::from_secs(5));

    let logs = bot.logs();
    assert!(
        logs.contains("TRACE") || logs.contains("DEBUG"),
        "trace logging was on: {logs}"
    );
    assert!(
        logs.contains("reqwest") && logs.contains("hyper"),
        "HTTP traffic was traced"
    );
    let secret = TOKEN.split_once(':').unwrap().1;
    assert!(!logs.contains(secret), "the token leaked into the logs");
}

#[tokio::test]
async fn unreachable_api_is_retried_without_leaking_the_token() {
    // A port with nothing listening: every request fails with a network error
    // whose URL would contain the token.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let env = TestEnv::new("");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_qmbot"));
    cmd.arg("run")
        .arg("--config")
        .arg(&env.config_path)
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", format!("http://127.0.0.1:{port}/"))
        .env("RUST_LOG", "trace")
        .env("NO_COLOR", "1");
    let mut bot = common::BotProcess::spawn(cmd);
    let logs = bot
        .wait_log(|l| l.contains("retrying"), T)
        .await
        .unwrap_or_else(|l| panic!("no retry logged:\n{l}"));
    assert!(logs.contains("cannot reach the Bot API"), "{logs}");
    bot.sigterm();
    let status = bot.wait_exit(Duration::from_secs(5)).await;
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    let secret = TOKEN.split_once(':').unwrap().1;
    assert!(!bot.logs().contains(secret), "the token leaked:\n{}", bot.logs());
}
