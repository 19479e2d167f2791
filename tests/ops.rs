//! Operations, end to end: the real `qmbot run` binary against the fake Bot
//! API in `tests/common` (127.0.0.1 only). `SIGHUP` reloads the corpus and
//! survives a broken catalog; `[http]` serves `/healthz` and `/metrics`;
//! `[webhook]` registers the URL and secret, answers posted updates that
//! carry the secret, refuses the others and never calls `getUpdates`.

mod common;

use common::{BotProcess, Call, FakeBot, Msg, TestEnv, TOKEN};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const T: Duration = Duration::from_secs(30);

/// A notice for a year the shipped corpus does not cover.
const NOTICE_2030: &str = "附件2\n\n2030年全国“质量月”活动口号\n\n主题：\n\n质量引领未来 共创美好生活\n\n口号：\n\n1.测试口号甲 推进质量发展\n2.测试口号乙 建设质量强国\n";
const CATALOG_2030: &str = "\n[[notice]]\nfile = \"n2030.txt\"\nyear = 2030\ntitle = \"2030年质量月通知\"\ndoc_number = \"国市监质〔2030〕1号\"\n";

/// Rewrites the env's config: `[data] dir` = `data`, the env's state file,
/// then `extra`.
fn write_config(env: &TestEnv, data: &Path, extra: &str) {
    let text = format!(
        "[data]\ndir = {:?}\n\n[storage]\npath = {:?}\n\n{extra}\n",
        data.display().to_string(),
        env.state_path.display().to_string()
    );
    std::fs::write(&env.config_path, text).expect("write config");
}

/// Copies the repository's `data/` to `to`.
fn copy_data(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    std::fs::create_dir_all(to).expect("create data dir");
    for entry in std::fs::read_dir(&from).expect("read data/") {
        let entry = entry.expect("data/ entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy a data file");
    }
}

fn sighup(bot: &BotProcess) {
    let status = Command::new("kill")
        .arg("-HUP")
        .arg(bot.pid().to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -HUP failed");
}

async fn start(env: &TestEnv, fake: &FakeBot, envs: &[(&str, &str)]) -> BotProcess {
    let bot = env.spawn(fake, envs);
    if let Err(e) = fake.wait_polling(T).await {
        panic!("the bot never polled: {e:?}\nlogs:\n{}", bot.logs());
    }
    bot
}

/// Waits until `chat` has received `n` messages; returns them.
async fn wait_sent(fake: &FakeBot, chat: i64, n: usize, what: &str) -> Vec<Call> {
    match fake.wait_for(|c| FakeBot::sent_to(c, chat).len() >= n, T).await {
        Ok(calls) => FakeBot::sent_to(&calls, chat),
        Err(e) => panic!("{what}: expected {n} messages to {chat}: {e:?}"),
    }
}

/// Asks in private chat `chat` and returns the visible text of the reply
/// (the `n`-th message the chat receives).
async fn ask(fake: &FakeBot, chat: i64, n: usize, question: &str) -> String {
    fake.send_private(chat, question);
    let sent = wait_sent(fake, chat, n, question).await;
    sent[n - 1].visible_text().expect("valid HTML")
}

/// The `127.0.0.1:port` in the first log line containing `marker`.
async fn logged_addr(bot: &BotProcess, marker: &str) -> SocketAddr {
    let logs = match bot.wait_log(|l| l.contains(marker), T).await {
        Ok(logs) => logs,
        Err(logs) => panic!("no {marker:?} in the logs:\n{logs}"),
    };
    let line = logs.lines().find(|l| l.contains(marker)).unwrap_or_default();
    let at = line
        .find("127.0.0.1:")
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    let addr: String = line[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
        .collect();
    addr.parse().unwrap_or_else(|e| panic!("{addr:?} in {line:?}: {e}"))
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().expect("HTTP client")
}

async fn get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    let r = client()
        .get(format!("http://{addr}{path}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = r.status().as_u16();
    let ctype = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ctype, r.text().await.expect("body"))
}

/// The value of the sample `series` (name and labels exactly as exposed).
fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

#[tokio::test]
async fn sighup_reloads_the_corpus_and_a_broken_catalog_keeps_the_old_one() {
    let fake = FakeBot::start().await;
    let env = TestEnv::new("");
    let data = env.dir.path().join("data");
    copy_data(&data);
    write_config(&env, &data, "[admin]\nuser_ids = [1]\n");
    let mut bot = start(&env, &fake, &[]).await;

    let before = ask(&fake, 1001, 1, "2030年质量月主题").await;
    assert!(!before.contains("质量引领未来"), "2030 is not covered yet:\n{before}");

    // Add a notice as data only, and an operator; then SIGHUP.
    std::fs::write(data.join("n2030.txt"), NOTICE_2030).expect("write notice");
    let catalog = std::fs::read_to_string(data.join("catalog.toml")).expect("read catalog");
    std::fs::write(data.join("catalog.toml"), format!("{catalog}{CATALOG_2030}")).expect("write catalog");
    write_config(&env, &data, "[admin]\nuser_ids = [1, 2]\n");
    sighup(&bot);
    let logs = bot
        .wait_log(|l| l.contains("corpus reloaded"), T)
        .await
        .unwrap_or_else(|logs| panic!("no reload logged:\n{logs}"));
    let line = logs.lines().find(|l| l.contains("corpus reloaded")).unwrap_or_default();
    assert!(line.contains("notices=6") && line.contains("admins=2"), "{line}");

    let after = ask(&fake, 1001, 2, "2030年质量月主题").await;
    assert!(after.contains("质量引领未来"), "the new notice answers:\n{after}");

    // A catalog naming a missing file: one error line, the old corpus serves on.
    let logged_before = bot.logs().len();
    std::fs::write(
        data.join("catalog.toml"),
        format!("{catalog}{CATALOG_2030}\n[[notice]]\nfile = \"missing-2031.txt\"\nyear = 2031\ntitle = \"x\"\n"),
    )
    .expect("write broken catalog");
    sighup(&bot);
    let logs = bot
        .wait_log(|l| l.contains("reload failed"), T)
        .await
        .unwrap_or_else(|logs| panic!("no failed reload logged:\n{logs}"));
    let errors: Vec<&str> = logs[logged_before..].lines().filter(|l| l.contains("ERROR")).collect();
    assert_eq!(errors.len(), 1, "one error line:\n{}", &logs[logged_before..]);
    assert!(errors[0].contains("missing-2031.txt"), "{}", errors[0]);

    let still = ask(&fake, 1001, 3, "2030年质量月主题").await;
    assert!(
        still.contains("质量引领未来"),
        "the previous corpus keeps serving:\n{still}"
    );
    assert!(bot.exited().is_none(), "the bot is still running");

    // Fixed again: the next SIGHUP loads it.
    std::fs::write(data.join("catalog.toml"), catalog).expect("restore catalog");
    sighup(&bot);
    bot.wait_log(|l| l.matches("corpus reloaded").count() >= 2, T)
        .await
        .unwrap_or_else(|logs| panic!("no second reload:\n{logs}"));
    let back = ask(&fake, 1001, 4, "2030年质量月主题").await;
    assert!(!back.contains("质量引领未来"), "2030 was removed again:\n{back}");

    bot.sigterm();
    assert!(bot.wait_exit(Duration::from_secs(5)).await.is_some_and(|s| s.success()));
}

#[tokio::test]
async fn healthz_and_metrics_count_answers_by_found() {
    let fake = FakeBot::start().await;
    let env = TestEnv::new("[http]\nlisten = \"127.0.0.1:0\"\n");
    let mut bot = start(&env, &fake, &[]).await;
    let addr = logged_addr(&bot, "serving /healthz and /metrics").await;

    // Running with its corpus loaded: 200 (poll briefly, the flag is set as
    // the dispatcher starts).
    let deadline = tokio::time::Instant::now() + T;
    let (status, ctype, body) = loop {
        let r = get(addr, "/healthz").await;
        if r.0 == 200 || tokio::time::Instant::now() > deadline {
            break r;
        }
        tokio::task::yield_now().await;
    };
    assert_eq!(status, 200, "{body}");
    assert!(ctype.starts_with("application/json"), "{ctype}");
    let health: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(health["status"], "ok", "{body}");
    assert!(health["passages"].as_u64().unwrap_or(0) > 100, "{body}");

    let found = ask(&fake, 1001, 1, "2024年全国质量月主题是什么").await;
    assert!(!found.is_empty());
    ask(&fake, 1001, 2, "帮我写一首诗").await;

    let (status, ctype, metrics) = get(addr, "/metrics").await;
    assert_eq!(status, 200);
    assert!(ctype.contains("openmetrics-text"), "{ctype}");
    assert_eq!(
        sample(&metrics, "qmbot_answers_total{found=\"true\"}"),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        sample(&metrics, "qmbot_answers_total{found=\"false\"}"),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        sample(&metrics, "qmbot_answer_duration_seconds_count"),
        Some(2.0),
        "{metrics}"
    );
    assert!(
        sample(&metrics, "qmbot_updates_received_total").unwrap_or(0.0) >= 2.0,
        "{metrics}"
    );
    assert_eq!(sample(&metrics, "qmbot_subscriptions_active"), Some(0.0), "{metrics}");
    assert!(
        metrics.contains("# TYPE qmbot_broadcast_deliveries counter"),
        "{metrics}"
    );
    assert!(metrics.contains("# TYPE qmbot_broadcast_failures counter"), "{metrics}");

    // A subscription shows up at the next scrape.
    fake.send_private(1001, "/subscribe 08:30");
    wait_sent(&fake, 1001, 3, "/subscribe").await;
    let (_, _, metrics) = get(addr, "/metrics").await;
    assert_eq!(sample(&metrics, "qmbot_subscriptions_active"), Some(1.0), "{metrics}");

    // `qmbot healthcheck` asks the same endpoint (here on the bound port).
    let probe_config = env.dir.path().join("probe.toml");
    std::fs::write(&probe_config, format!("[http]\nlisten = \"{addr}\"\n")).expect("write probe config");
    let healthcheck = || {
        Command::new(env!("CARGO_BIN_EXE_qmbot"))
            .arg("--config")
            .arg(&probe_config)
            .arg("healthcheck")
            .env_remove("RUST_LOG")
            .output()
            .expect("run qmbot healthcheck")
    };
    let out = healthcheck();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");

    bot.sigterm();
    assert!(bot.wait_exit(Duration::from_secs(5)).await.is_some());
    let out = healthcheck();
    assert!(!out.status.success(), "a stopped bot is not healthy: {out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

/// The JSON update Telegram would post for a private message.
fn update(fake: &FakeBot, update_id: i64, chat: i64, text: &str) -> String {
    json!({ "update_id": update_id, "message": fake.message_json(&Msg::new(chat, chat, text)) }).to_string()
}

/// POSTs `body` to the webhook; returns the HTTP status.
async fn post(addr: SocketAddr, path: &str, secret: Option<&str>, body: String) -> u16 {
    let mut req = client()
        .post(format!("http://{addr}{path}"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(s) = secret {
        req = req.header("X-Telegram-Bot-Api-Secret-Token", s);
    }
    req.send().await.expect("POST to the webhook").status().as_u16()
}

const HOOK_CONFIG: &str = "[webhook]\nurl = \"https://bot.example.invalid/qmbot/hook\"\nlisten = \"127.0.0.1:0\"\n";

/// Starts the bot in webhook mode; returns it, the registered secret and
/// the webhook's address.
async fn start_webhook(env: &TestEnv, fake: &FakeBot, envs: &[(&str, &str)]) -> (BotProcess, String, SocketAddr) {
    let bot = env.spawn(fake, envs);
    let calls = match fake.wait_for(|c| c.iter().any(|c| c.is("setWebhook")), T).await {
        Ok(calls) => calls,
        Err(e) => panic!("no setWebhook: {e:?}\nlogs:\n{}", bot.logs()),
    };
    let set = &FakeBot::of(&calls, "setWebhook")[0];
    assert_eq!(
        set.params["url"].as_str(),
        Some("https://bot.example.invalid/qmbot/hook"),
        "{set:?}"
    );
    let secret = set.params["secret_token"].as_str().expect("secret_token").to_string();
    let addr = logged_addr(&bot, "webhook registered").await;
    (bot, secret, addr)
}

#[tokio::test]
async fn webhook_mode_answers_with_the_secret_refuses_without_and_never_polls() {
    let fake = FakeBot::start().await;
    let env = TestEnv::new(HOOK_CONFIG);
    let configured = "qmbot_Test-Secret_0123456789";
    let (mut bot, secret, addr) = start_webhook(&env, &fake, &[("QMBOT_WEBHOOK_SECRET", configured)]).await;
    assert_eq!(secret, configured, "the secret from QMBOT_WEBHOOK_SECRET is registered");

    let hook = "/qmbot/hook";
    assert_eq!(
        post(
            addr,
            hook,
            Some(&secret),
            update(&fake, 9001, 2001, "2024年全国质量月主题")
        )
        .await,
        200
    );
    let reply = wait_sent(&fake, 2001, 1, "webhook question").await;
    assert!(!reply[0].visible_text().unwrap_or_default().is_empty());

    assert_eq!(
        post(addr, hook, None, update(&fake, 9002, 2002, "2024年主题")).await,
        401
    );
    assert_eq!(
        post(
            addr,
            hook,
            Some("wrong-secret"),
            update(&fake, 9003, 2003, "2024年主题")
        )
        .await,
        401
    );
    assert_eq!(
        post(addr, hook, Some("bad secret!"), update(&fake, 9004, 2004, "2024年主题")).await,
        401
    );
    assert_eq!(
        post(
            addr,
            "/elsewhere",
            Some(&secret),
            update(&fake, 9005, 2005, "2024年主题")
        )
        .await,
        404
    );
    // A later good update is answered; the refused ones never were.
    assert_eq!(
        post(addr, hook, Some(&secret), update(&fake, 9006, 2006, "2019年主题")).await,
        200
    );
    wait_sent(&fake, 2006, 1, "second webhook question").await;
    let calls = fake.calls();
    for refused in [2002, 2003, 2004, 2005] {
        assert!(
            FakeBot::sent_to(&calls, refused).is_empty(),
            "chat {refused} was answered"
        );
    }
    assert!(
        FakeBot::of(&calls, "getUpdates").is_empty(),
        "webhook mode never long-polls"
    );

    bot.sigterm();
    assert!(
        bot.wait_exit(Duration::from_secs(5)).await.is_some_and(|s| s.success()),
        "{}",
        bot.logs()
    );
    let calls = fake.calls();
    assert!(
        FakeBot::of(&calls, "getUpdates").is_empty(),
        "webhook mode never long-polls"
    );
    assert!(
        !FakeBot::of(&calls, "deleteWebhook").is_empty(),
        "the webhook is removed at shutdown"
    );
    let logs = bot.logs();
    assert!(!logs.contains(&secret), "the secret leaked into the logs:\n{logs}");
    assert!(
        !logs.contains(TOKEN.split_once(':').unwrap_or_default().1),
        "the token leaked"
    );
}

#[tokio::test]
async fn webhook_secret_is_generated_when_unset() {
    let fake = FakeBot::start().await;
    let env = TestEnv::new(HOOK_CONFIG);
    let (bot, secret, addr) = start_webhook(&env, &fake, &[("QMBOT_WEBHOOK_SECRET", "")]).await;
    assert!(secret.len() >= 32, "{secret}");
    assert!(
        secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
        "{secret}"
    );
    assert_eq!(
        post(addr, "/qmbot/hook", None, update(&fake, 1, 3001, "2024年主题")).await,
        401
    );
    assert_eq!(
        post(addr, "/qmbot/hook", Some(&secret), update(&fake, 2, 3002, "2024年主题")).await,
        200
    );
    wait_sent(&fake, 3002, 1, "webhook question").await;
    assert!(FakeBot::sent_to(&fake.calls(), 3001).is_empty());
    assert!(
        !bot.logs().contains(&secret),
        "the generated secret leaked:\n{}",
        bot.logs()
    );
}

#[tokio::test]
async fn invalid_webhook_secret_is_one_clear_line_without_the_value() {
    let fake = FakeBot::start().await;
    let env = TestEnv::new(HOOK_CONFIG);
    let mut bot = env.spawn(&fake, &[("QMBOT_WEBHOOK_SECRET", "not valid; secret")]);
    let status = bot.wait_exit(T).await.expect("exits");
    assert!(!status.success());
    let logs = bot.logs();
    let line = logs.lines().find(|l| l.starts_with("qmbot:")).unwrap_or_default();
    assert!(line.contains("QMBOT_WEBHOOK_SECRET"), "{logs}");
    assert!(!logs.contains("not valid; secret"), "the value was echoed:\n{logs}");
    assert!(FakeBot::of(&fake.calls(), "setWebhook").is_empty());
}

#[tokio::test]
async fn metrics_count_broadcast_deliveries_and_failures_by_reason() {
    let fake = FakeBot::start().await;
    let env = TestEnv::new("[http]\nlisten = \"127.0.0.1:0\"\n");
    let mut bot = start(&env, &fake, &[]).await;
    let addr = logged_addr(&bot, "serving /healthz and /metrics").await;

    // Two chats subscribe to a time a few seconds ahead (the default zone
    // is Asia/Shanghai); the second one has blocked the bot by then.
    let (served, blocked) = (4001, 4002);
    let at = (chrono::Utc::now() + chrono::Duration::seconds(5))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%H:%M:%S")
        .to_string();
    for chat in [served, blocked] {
        fake.send_private(chat, &format!("/subscribe {at}"));
        wait_sent(&fake, chat, 1, "/subscribe").await;
    }
    fake.fail_next("sendMessage", 1, Some(blocked), common::Fault::Blocked);
    let calls = fake
        .wait_for(
            |c| {
                FakeBot::sent_to(c, served).len() >= 2
                    && FakeBot::of(c, "sendMessage")
                        .iter()
                        .any(|c| !c.ok && c.chat_id() == Some(blocked))
            },
            T,
        )
        .await
        .unwrap_or_else(|e| panic!("no broadcast at {at}: {e:?}\n{}", bot.logs()));
    assert_eq!(FakeBot::sent_to(&calls, served).len(), 2);

    let (_, _, metrics) = get(addr, "/metrics").await;
    assert_eq!(
        sample(&metrics, "qmbot_broadcast_deliveries_total"),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        sample(&metrics, "qmbot_broadcast_failures_total{reason=\"chat_gone\"}"),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        sample(&metrics, "qmbot_broadcast_failures_total{reason=\"network\"}"),
        Some(0.0),
        "{metrics}"
    );
    // The blocked chat is deactivated right after its failed send.
    let deadline = tokio::time::Instant::now() + T;
    loop {
        let (_, _, metrics) = get(addr, "/metrics").await;
        match sample(&metrics, "qmbot_subscriptions_active") {
            Some(1.0) => break,
            _ if tokio::time::Instant::now() > deadline => panic!("the blocked chat is still counted:\n{metrics}"),
            _ => tokio::task::yield_now().await,
        }
    }

    bot.sigterm();
    assert!(bot.wait_exit(Duration::from_secs(5)).await.is_some());
}
