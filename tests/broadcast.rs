//! End-to-end tests of the daily slogan broadcasts against the fake Bot API
//! server in `tests/common`.
//!
//! Most tests run the handlers and the scheduler in this process with slogan
//! lists built here (so they do not depend on the corpus), talking HTTP to
//! the fake server through the same `Throttle<Bot>` the binary uses. The
//! restart test runs the real `qmbot run` binary, kills it with SIGKILL and
//! starts it again on the same state file.
//!
//! Times are real: a delivery time is set a second or two ahead and the test
//! waits (with a deadline) for the message to arrive. Everything runs in a
//! fixed-offset zone where it is about noon, so local midnight never
//! interferes.

mod common;

use chrono::{DateTime, Duration as CDuration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use common::{BotProcess, Call, FakeBot, Fault, Msg, TestEnv};
use qmbot::bot::sender::TelegramSender;
use qmbot::bot::{subscriptions, TgBot};
use qmbot::broadcast::rotation::Rotation;
use qmbot::broadcast::schedule::next_fire;
use qmbot::broadcast::store::{NewSubscription, Store, Subscription};
use qmbot::broadcast::{self, Broadcast};
use qmbot::catalog::Notice;
use qmbot::config::Config;
use qmbot::SloganList;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};
use teloxide::prelude::*;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

const WAIT: Duration = Duration::from_secs(10);
/// What the daily broadcast starts with (replies to commands do not).
const DAILY_MARK: &str = "📣 每日质量月口号";

// ----- fixtures ---------------------------------------------------------------

fn notice(year: i32, title: &str, doc: &str) -> Notice {
    Notice {
        file: format!("{year}.txt"),
        year,
        title: title.to_string(),
        issuer: None,
        doc_number: Some(doc.to_string()),
        date: None,
        source_url: None,
    }
}

/// Eight slogans: five national ones of 2019 and three of Fujian's 2018 list.
fn rotation() -> Rotation {
    let notices = vec![
        notice(2019, "关于开展2019年全国“质量月”活动的通知", "国市监质〔2019〕162号"),
        notice(2018, "福建省转发2018年“质量月”活动的通知", "闽质监〔2018〕1号"),
    ];
    let lists = vec![
        SloganList {
            year: 2019,
            scope: "全国".into(),
            title: "2019年全国“质量月”活动宣传口号".into(),
            notice: 0,
            section: "附件4".into(),
            items: (1..=5).map(|i| format!("全国口号{i}：质量第一")).collect(),
        },
        SloganList {
            year: 2018,
            scope: "福建省".into(),
            title: "福建省质量月宣传标语".into(),
            notice: 1,
            section: "附件2".into(),
            items: (1..=3).map(|i| format!("福建口号{i}：质量强省")).collect(),
        },
    ];
    Rotation::new(&lists, &notices)
}

/// The zone the tests use: a fixed-offset zone where it is about noon now,
/// so no test runs into a local midnight whenever the suite runs.
fn zone() -> Tz {
    static ZONE: OnceLock<Tz> = OnceLock::new();
    *ZONE.get_or_init(|| {
        // Etc/GMT+N is UTC-N; local hour = UTC hour - N = 12.
        let n = Utc::now().hour() as i32 - 12;
        let name = match n {
            0 => "Etc/GMT".to_string(),
            n if n > 0 => format!("Etc/GMT+{n}"),
            n => format!("Etc/GMT{n}"),
        };
        name.parse().unwrap()
    })
}

/// Wall-clock date and time in [`zone`].
fn local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&zone()).naive_local().with_nanosecond(0).unwrap()
}

/// A local time of day more than `secs` and at most `secs + 1` seconds ahead
/// (whole seconds).
fn soon(secs: i64) -> NaiveTime {
    local(Utc::now() + CDuration::seconds(secs + 1)).time()
}

/// A local time of day a second ago: a chat subscribed days ago at this time
/// is due right away (caught up), which saves the wait where the time of
/// delivery is not what a test is about.
/// Also returns the date that firing belongs to.
fn just_passed() -> (NaiveTime, NaiveDate) {
    let t = local(Utc::now() - CDuration::seconds(1));
    (t.time(), t.date())
}

fn hms(t: NaiveTime) -> String {
    t.format("%H:%M:%S").to_string()
}

fn today() -> NaiveDate {
    local(Utc::now()).date()
}

/// The daily broadcasts (not command replies) among successful sends to a chat.
fn daily(calls: &[Call], chat_id: i64) -> Vec<Call> {
    FakeBot::sent_to(calls, chat_id)
        .into_iter()
        .filter(|c| c.visible_text().is_some_and(|t| t.contains(DAILY_MARK)))
        .collect()
}

fn replies(calls: &[Call], chat_id: i64) -> Vec<String> {
    FakeBot::sent_to(calls, chat_id)
        .iter()
        .filter_map(Call::visible_text)
        .filter(|t| !t.contains(DAILY_MARK))
        .collect()
}

/// Handlers and scheduler in this process, against a fresh fake server and
/// a fresh state file. Config: default time `time` in [`zone`], catch-up 120 min.
struct Rig {
    fake: FakeBot,
    bot: TgBot,
    bc: Arc<Broadcast>,
    _dir: tempfile::TempDir,
    shutdown: CancellationToken,
    scheduler: Option<JoinHandle<()>>,
}

impl Rig {
    async fn new(time: NaiveTime) -> Rig {
        Rig::with_rotation(time, rotation()).await
    }

    async fn with_rotation(time: NaiveTime, rotation: Rotation) -> Rig {
        let fake = FakeBot::start().await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/subs.sqlite3");
        let toml = format!(
            "[storage]\npath = {:?}\n[broadcast]\ntime = \"{}\"\ntimezone = \"{}\"\n",
            path.display().to_string(),
            hms(time),
            zone().name()
        );
        let config = Config::from_toml(&toml).unwrap();
        let bc = Arc::new(Broadcast::with_rotation(&config, rotation).unwrap());
        assert!(path.is_file(), "the store is created on open");
        let url = reqwest::Url::parse(fake.api_url()).unwrap();
        let bot = common::local_bot(fake.token())
            .set_api_url(url)
            .throttle(teloxide::adaptors::throttle::Limits::default());
        Rig {
            fake,
            bot,
            bc,
            _dir: dir,
            shutdown: CancellationToken::new(),
            scheduler: None,
        }
    }

    fn start_scheduler(&mut self) {
        let sender = Arc::new(TelegramSender::new(self.bot.clone()));
        let task = broadcast::run_scheduler(sender, self.bc.clone(), self.shutdown.clone());
        self.scheduler = Some(tokio::spawn(task));
    }

    /// Stops the scheduler and waits for it (and its deliveries) to finish,
    /// so the store reflects everything it did.
    async fn stop_scheduler(&mut self) {
        self.shutdown.cancel();
        if let Some(handle) = self.scheduler.take() {
            tokio::time::timeout(Duration::from_secs(3), handle)
                .await
                .expect("the scheduler stops promptly")
                .expect("the scheduler does not panic");
        }
    }

    fn message(&self, chat_id: i64, from: i64, text: &str) -> Message {
        serde_json::from_value(self.fake.message_json(&Msg::new(chat_id, from, text))).unwrap()
    }

    async fn subscribe(&self, chat_id: i64, from: i64, arg: &str) {
        let text = format!("/subscribe {arg}");
        let msg = self.message(chat_id, from, text.trim());
        subscriptions::on_subscribe(self.bot.clone(), msg, self.bc.clone(), arg.to_string())
            .await
            .unwrap();
    }

    async fn unsubscribe(&self, chat_id: i64, from: i64) {
        let msg = self.message(chat_id, from, "/unsubscribe");
        subscriptions::on_unsubscribe(self.bot.clone(), msg, self.bc.clone())
            .await
            .unwrap();
    }

    fn sub(&self, chat_id: i64) -> Option<Subscription> {
        self.bc.store().get(chat_id).unwrap()
    }

    /// Subscribes a chat directly in the store, as if done days ago.
    fn seed(&self, chat_id: i64, time: NaiveTime, last: Option<NaiveDate>) {
        seed(self.bc.store(), chat_id, time, last);
    }

    async fn wait_for(&self, what: &str, pred: impl Fn(&[Call]) -> bool) -> Vec<Call> {
        match self.fake.wait_for(pred, WAIT).await {
            Ok(calls) => calls,
            Err(e) => panic!("{what}: {e:?}"),
        }
    }
}

fn seed(store: &Store, chat_id: i64, time: NaiveTime, last: Option<NaiveDate>) {
    let chat_type = if chat_id > 0 {
        "private"
    } else if chat_id <= -1_000_000_000_000 {
        "supergroup"
    } else {
        "group"
    };
    store
        .subscribe(&NewSubscription {
            chat_id,
            chat_type: chat_type.into(),
            time,
            tz: zone(),
            at: Utc::now() - CDuration::days(3),
            by: Some(1),
            by_name: Some("@seed".into()),
        })
        .unwrap();
    if let Some(last) = last {
        store
            .mark_delivered(chat_id, last, 1, Utc::now() - CDuration::days(1))
            .unwrap();
    }
}

// ----- commands ------------------------------------------------------------------

#[tokio::test]
async fn admin_subscribes_a_group_and_a_member_cannot() {
    let rig = Rig::new(NaiveTime::from_hms_opt(9, 0, 0).unwrap()).await;
    let (group, admin, creator, member) = (-4242, 11, 12, 13);
    rig.fake.set_member_status(group, admin, "administrator");
    rig.fake.set_member_status(group, creator, "creator");
    rig.fake.set_member_status(group, member, "member");

    rig.subscribe(group, member, "07:30").await;
    assert!(rig.sub(group).is_none(), "a member must not subscribe the group");
    let r = replies(&rig.fake.calls(), group);
    assert!(r.last().unwrap().contains("只有本群的群主或管理员"), "{r:?}");

    rig.subscribe(group, admin, "07:30").await;
    let s = rig.sub(group).expect("the admin subscribed the group");
    assert!(s.active);
    assert_eq!(s.time, NaiveTime::from_hms_opt(7, 30, 0).unwrap());
    assert_eq!((s.chat_type.as_str(), s.subscribed_by), ("group", Some(admin)));
    assert_eq!(s.subscribed_by_name.as_deref(), Some(&*format!("@user{admin}")));
    let r = replies(&rig.fake.calls(), group);
    assert!(
        r.last().unwrap().contains("已订阅") && r.last().unwrap().contains("07:30"),
        "{r:?}"
    );
    assert!(r.last().unwrap().contains("下次推送"), "{r:?}");

    // A member can neither change the time nor unsubscribe.
    rig.subscribe(group, member, "20:00").await;
    rig.unsubscribe(group, member).await;
    let s = rig.sub(group).unwrap();
    assert!(s.active && s.time == NaiveTime::from_hms_opt(7, 30, 0).unwrap());
    let refusals = replies(&rig.fake.calls(), group)
        .iter()
        .filter(|t| t.contains("只有本群的群主或管理员"))
        .count();
    assert_eq!(refusals, 3);

    // The creator may.
    rig.unsubscribe(group, creator).await;
    assert!(!rig.sub(group).unwrap().active);
    let r = replies(&rig.fake.calls(), group);
    assert!(r.last().unwrap().contains("已退订"), "{r:?}");
    // Every getChatMember asked about this group and the right user.
    let asked: Vec<i64> = FakeBot::of(&rig.fake.calls(), "getChatMember")
        .iter()
        .filter_map(|c| c.params.get("user_id").and_then(|v| v.as_i64()))
        .collect();
    assert_eq!(asked, vec![member, admin, member, member, creator]);
}

#[tokio::test]
async fn private_chat_subscribes_with_its_own_time() {
    let rig = Rig::new(NaiveTime::from_hms_opt(9, 0, 0).unwrap()).await;
    let user = 5150;

    rig.subscribe(user, user, "21:15:30").await;
    let s = rig.sub(user).unwrap();
    assert_eq!((s.time, s.tz), (NaiveTime::from_hms_opt(21, 15, 30).unwrap(), zone()));
    assert_eq!(s.chat_type, "private");
    assert!(
        FakeBot::of(&rig.fake.calls(), "getChatMember").is_empty(),
        "no admin check in private"
    );
    let r = replies(&rig.fake.calls(), user);
    assert!(r[0].contains(&format!("每天 21:15:30（{}）", zone().name())), "{r:?}");

    // Bad input changes nothing.
    rig.subscribe(user, user, "25:61").await;
    assert_eq!(
        rig.sub(user).unwrap().time,
        NaiveTime::from_hms_opt(21, 15, 30).unwrap()
    );
    assert!(replies(&rig.fake.calls(), user)[1].contains("没看懂时间"));

    // Subscribing again changes the time; without an argument: the default.
    rig.subscribe(user, user, "").await;
    assert_eq!(rig.sub(user).unwrap().time, NaiveTime::from_hms_opt(9, 0, 0).unwrap());
    let r = replies(&rig.fake.calls(), user);
    assert!(
        r[2].contains(&format!("由 21:15:30 改为每天 09:00（{}）", zone().name())),
        "{r:?}"
    );

    // With a zone of its own.
    rig.subscribe(user, user, "08:00 Asia/Shanghai").await;
    let s = rig.sub(user).unwrap();
    assert_eq!(
        (s.time, s.tz),
        (NaiveTime::from_hms_opt(8, 0, 0).unwrap(), chrono_tz::Asia::Shanghai)
    );

    // /slogan answers with today's slogan and its source.
    let msg = rig.message(user, user, "/slogan");
    subscriptions::on_slogan(rig.bot.clone(), msg, rig.bc.clone())
        .await
        .unwrap();
    let r = replies(&rig.fake.calls(), user);
    let last = r.last().unwrap();
    assert!(last.contains("今日质量月口号") && last.contains("出处"), "{last}");
}

// ----- deliveries ----------------------------------------------------------------

#[tokio::test]
async fn broadcast_arrives_at_the_configured_time_once() {
    let default = soon(2);
    let mut rig = Rig::new(default).await;
    let (alice, bob) = (7001, 7002);
    // The scheduler runs before anyone subscribes: new subscriptions must be
    // picked up without a restart.
    rig.start_scheduler();
    let subscribed_at = Utc::now();
    rig.subscribe(alice, alice, "").await;
    let calls = rig.wait_for("alice's slogan", |c| daily(c, alice).len() == 1).await;
    let got = &daily(&calls, alice)[0];
    let due = next_fire(subscribed_at, default, zone());
    let late = got
        .wall
        .duration_since(due.into())
        .expect("not before the configured time");
    assert!(late < Duration::from_secs(2), "{late:?} late");

    // Today's slogan, with its source.
    let text = got.visible_text().unwrap();
    let slogan = rig.bc.rotation().for_date(today()).unwrap().clone();
    assert!(text.contains(&slogan.text), "{text}");
    assert!(text.contains(&format!("第 {} 条", slogan.number)), "{text}");
    assert!(text.contains(&slogan.notice_title), "{text}");
    // Recorded right after Telegram's answer.
    recorded(rig.bc.store().path(), alice, today()).await;

    // Alice moves her time a second ahead; Bob subscribes for the same
    // moment. Bob gets his slogan; Alice must not get a second one today.
    let t = soon(1);
    rig.subscribe(alice, alice, &hms(t)).await;
    rig.subscribe(bob, bob, &hms(t)).await;
    rig.wait_for("bob's slogan", |c| daily(c, bob).len() == 1).await;
    rig.stop_scheduler().await;
    let calls = rig.fake.calls();
    assert_eq!(daily(&calls, alice).len(), 1, "alice got a second slogan");
    // Same day, same slogan for everyone.
    assert_eq!(daily(&calls, bob)[0].text(), daily(&calls, alice)[0].text());
}

#[tokio::test]
async fn retry_after_is_retried_and_the_slogan_arrives_once() {
    let mut rig = Rig::new(NaiveTime::from_hms_opt(9, 0, 0).unwrap()).await;
    let chat = 7101;
    let (time, date) = just_passed();
    rig.seed(chat, time, None);
    rig.fake.fail_next("sendMessage", 1, Some(chat), Fault::RetryAfter(1));
    rig.start_scheduler();
    let calls = rig
        .wait_for("the slogan after 429", |c| daily(c, chat).len() == 1)
        .await;
    let attempts = FakeBot::of(&calls, "sendMessage");
    let failed: Vec<_> = attempts.iter().filter(|c| !c.ok).collect();
    assert_eq!(failed.len(), 1, "one 429");
    assert!(failed[0].error().unwrap().contains("retry after"));
    let ok = daily(&calls, chat);
    let waited = ok[0].at.duration_since(failed[0].at);
    assert!(
        waited >= Duration::from_millis(900),
        "retried after {waited:?}, before retry_after"
    );
    rig.stop_scheduler().await;
    assert_eq!(daily(&rig.fake.calls(), chat).len(), 1);
    assert_eq!(rig.sub(chat).unwrap().last_delivered, Some(date));
}

#[tokio::test]
async fn gone_chats_are_deactivated_and_the_others_served() {
    let mut rig = Rig::new(NaiveTime::from_hms_opt(9, 0, 0).unwrap()).await;
    let (t, date) = just_passed();
    let blocked = 7201;
    let deactivated = 7202;
    let missing = -7203;
    let kicked = -1_000_000_007_204;
    let fine = [7205, -7206, -1_000_000_007_207];
    for (chat, fault) in [
        (blocked, Fault::Blocked),
        (deactivated, Fault::Deactivated),
        (missing, Fault::ChatNotFound),
        (kicked, Fault::Kicked),
    ] {
        rig.seed(chat, t, None);
        rig.fake.fail_next("sendMessage", 1, Some(chat), fault);
    }
    for chat in fine {
        rig.seed(chat, t, None);
    }
    rig.start_scheduler();
    rig.wait_for("the healthy chats' slogans and four failures", |c| {
        fine.iter().all(|&chat| daily(c, chat).len() == 1)
            && FakeBot::of(c, "sendMessage").iter().filter(|c| !c.ok).count() == 4
    })
    .await;
    rig.stop_scheduler().await;

    for chat in [blocked, deactivated, missing, kicked] {
        let s = rig.sub(chat).unwrap();
        assert!(!s.active, "{chat} still active");
        assert!(s.deactivated_reason.is_some() && s.last_delivered.is_none(), "{s:?}");
    }
    for chat in fine {
        let s = rig.sub(chat).unwrap();
        assert!(s.active && s.last_delivered == Some(date), "{s:?}");
    }
    // Each gone chat was tried exactly once.
    let calls = rig.fake.calls();
    for chat in [blocked, deactivated, missing, kicked] {
        let tries = FakeBot::of(&calls, "sendMessage")
            .iter()
            .filter(|c| c.chat_id() == Some(chat))
            .count();
        assert_eq!(tries, 1, "chat {chat}");
    }
}

#[tokio::test]
async fn a_migrated_group_is_followed() {
    let mut rig = Rig::new(NaiveTime::from_hms_opt(9, 0, 0).unwrap()).await;
    let (old, new) = (-7301, -1_000_000_007_301);
    let (time, date) = just_passed();
    rig.seed(old, time, None);
    rig.fake.fail_next("sendMessage", 1, Some(old), Fault::Migrated(new));
    rig.start_scheduler();
    rig.wait_for("the slogan in the supergroup", |c| daily(c, new).len() == 1)
        .await;
    rig.stop_scheduler().await;
    let calls = rig.fake.calls();
    assert!(daily(&calls, old).is_empty());
    assert_eq!(daily(&calls, new).len(), 1);
    assert!(rig.sub(old).is_none(), "the old group's row moved");
    let s = rig.sub(new).unwrap();
    assert!(
        s.active && s.chat_type == "supergroup" && s.last_delivered == Some(date),
        "{s:?}"
    );
}

#[tokio::test]
async fn downtime_is_caught_up_within_the_window_and_skipped_after_it() {
    let mut rig = Rig::new(NaiveTime::from_hms_opt(9, 0, 0).unwrap()).await;
    let now = Utc::now();
    let ago = |m: i64| local(now - CDuration::minutes(m)).time();
    let two_days_ago = today() - CDuration::days(2);
    let (recent, stale, served) = (7401, 7402, 7403);
    // Missed 30 minutes ago: sent on return.
    rig.seed(recent, ago(30), Some(two_days_ago));
    // Missed 3 hours ago (window: 2 h): skipped today, not doubled tomorrow.
    rig.seed(stale, ago(180), Some(two_days_ago));
    // Its time passed 10 minutes ago and it was served then: nothing.
    let served_date = today();
    rig.seed(served, ago(10), Some(served_date));
    rig.start_scheduler();
    rig.wait_for("the catch-up", |c| daily(c, recent).len() == 1).await;
    // All three were planned in the same pass as the catch-up.
    rig.stop_scheduler().await;
    let calls = rig.fake.calls();
    assert!(daily(&calls, stale).is_empty(), "sent outside the catch-up window");
    assert!(daily(&calls, served).is_empty(), "sent twice on one day");
    assert_eq!(rig.sub(recent).unwrap().last_delivered, Some(today()));
    assert_eq!(rig.sub(stale).unwrap().last_delivered, Some(two_days_ago));
}

#[tokio::test]
async fn an_empty_corpus_sends_nothing_and_says_so() {
    let mut rig = Rig::with_rotation(NaiveTime::from_hms_opt(9, 0, 0).unwrap(), Rotation::default()).await;
    let chat = 7501;
    rig.seed(chat, just_passed().0, None);
    rig.start_scheduler();
    let msg = rig.message(chat, chat, "/slogan");
    subscriptions::on_slogan(rig.bot.clone(), msg, rig.bc.clone())
        .await
        .unwrap();
    rig.stop_scheduler().await;
    let calls = rig.fake.calls();
    assert!(replies(&calls, chat)[0].contains("暂时没有宣传口号"));
    assert!(daily(&calls, chat).is_empty());
    assert_eq!(rig.sub(chat).unwrap().last_delivered, None);
}

// ----- the real binary, killed and restarted ----------------------------------------

/// Polls the state file until `chat_id` is recorded as served on `date`.
async fn recorded(path: &std::path::Path, chat_id: i64, date: NaiveDate) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let store = Store::open(path).unwrap();
        if store.get(chat_id).unwrap().and_then(|s| s.last_delivered) == Some(date) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "delivery to {chat_id} never recorded"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn sigkill_and_restart_send_nobody_a_second_slogan() {
    let fake = FakeBot::start().await;
    let env = TestEnv::new(&format!(
        "[broadcast]\ntime = \"09:00\"\ntimezone = \"{}\"\ncatch_up_minutes = 120\n",
        zone().name()
    ));

    // State from before this run: one chat missed its time 30 minutes ago
    // (caught up on start), one was already served today.
    let now = Utc::now();
    let (caught_up, served) = (8003, 8005);
    let served_time = local(now - CDuration::minutes(10)).time();
    {
        let store = Store::open(&env.state_path).unwrap();
        let missed = local(now - CDuration::minutes(30)).time();
        seed(&store, caught_up, missed, Some(today() - CDuration::days(2)));
        seed(&store, served, served_time, Some(today()));
    }

    let started = std::time::Instant::now();
    let mut first: BotProcess = env.spawn(&fake, &[]);
    fake.wait_polling(Duration::from_secs(60))
        .await
        .unwrap_or_else(|e| panic!("the bot did not start: {e:?}\n{}", first.logs()));
    let startup = started.elapsed();

    // Early subscribes a second or two ahead; Late's time comes only after
    // the kill and the restart (allowing twice the startup time measured).
    let (early, late) = (8001, 8002);
    let ahead = (startup * 2 + Duration::from_secs(3)).as_secs() as i64;
    let early_time = soon(3);
    let late_time = soon(ahead.max(5) + 4);
    fake.send_private(early, &format!("/subscribe {}", hms(early_time)));
    fake.send_private(late, &format!("/subscribe {}", hms(late_time)));
    let calls = fake
        .wait_for(
            |c| daily(c, early).len() == 1 && daily(c, caught_up).len() == 1 && !replies(c, late).is_empty(),
            WAIT,
        )
        .await
        .unwrap_or_else(|e| panic!("before the kill: {e:?}\n{}", first.logs()));
    assert!(
        replies(&calls, late)[0].contains("已订阅"),
        "{:?}",
        replies(&calls, late)
    );
    assert!(
        daily(&calls, late).is_empty(),
        "late's time came before the kill; the test is too slow"
    );
    // Kill only once the delivery is on disk (between Telegram's answer and
    // the write there is a window no design can close).
    recorded(&env.state_path, early, today()).await;
    recorded(&env.state_path, caught_up, today()).await;
    first.sigkill();
    assert!(first.wait_exit(Duration::from_secs(5)).await.is_some());

    let second = env.spawn(&fake, &[]);
    let calls = fake
        .wait_for(|c| daily(c, late).len() == 1, WAIT + Duration::from_secs(ahead as u64))
        .await
        .unwrap_or_else(|e| panic!("after the restart: {e:?}\n{}", second.logs()));
    assert_eq!(
        daily(&calls, early).len(),
        1,
        "early got a second slogan after the restart"
    );
    assert_eq!(
        daily(&calls, caught_up).len(),
        1,
        "the caught-up chat got a second slogan"
    );
    assert!(
        daily(&calls, served).is_empty(),
        "the chat served before the run got another"
    );
    let got = &daily(&calls, late)[0];
    let due: SystemTime = next_fire(now, late_time, zone()).into();
    assert!(got.wall >= due, "late's slogan came before its time");
    // Everyone got the same slogan today.
    assert_eq!(got.text(), daily(&calls, early)[0].text());
    drop(second);
}

// ----- the scheduler on a mocked clock ----------------------------------------------
//
// These run the real scheduler, pacer and store against a [`MockSender`] on
// tokio's paused clock: a simulated day passes as soon as every task is
// idle, and the wall clock the scheduler reads follows it (`TokioClock`).

use qmbot::broadcast::clock::TokioClock;
use qmbot::broadcast::store::DeliveryStatus;
use qmbot::broadcast::{DeliveryReport, Outcome, SendError, Sender};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::mpsc;

/// One send the mock saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Attempt {
    chat_id: i64,
    at: DateTime<Utc>,
    ok: bool,
}

/// Records every send at the mocked wall clock; fails sends to some chats.
struct MockSender {
    clock: Arc<TokioClock>,
    failures: Mutex<HashMap<i64, (u32, SendError)>>,
    attempts: Mutex<Vec<Attempt>>,
    /// The text of every attempt, in order.
    texts: Mutex<Vec<String>>,
    events: mpsc::UnboundedSender<Attempt>,
}

impl MockSender {
    /// Fails the next `times` sends to `chat_id` with `error`.
    fn fail(&self, chat_id: i64, times: u32, error: SendError) {
        self.failures.lock().unwrap().insert(chat_id, (times, error));
    }

    fn attempts(&self) -> Vec<Attempt> {
        self.attempts.lock().unwrap().clone()
    }

    /// When each chat was served successfully.
    fn served(&self, chat_id: i64) -> Vec<DateTime<Utc>> {
        self.attempts()
            .iter()
            .filter(|a| a.chat_id == chat_id && a.ok)
            .map(|a| a.at)
            .collect()
    }
}

impl Sender for MockSender {
    async fn send(&self, chat_id: i64, html: &str) -> Result<i32, SendError> {
        assert!(html.contains(DAILY_MARK), "{html}");
        self.texts.lock().unwrap().push(html.to_string());
        let failure = {
            let mut failures = self.failures.lock().unwrap();
            match failures.get_mut(&chat_id) {
                Some((n, e)) if *n > 0 => {
                    *n -= 1;
                    Some(e.clone())
                }
                _ => None,
            }
        };
        let attempt = Attempt {
            chat_id,
            at: self.clock.now(),
            ok: failure.is_none(),
        };
        let id = {
            let mut attempts = self.attempts.lock().unwrap();
            attempts.push(attempt);
            attempts.len() as i32
        };
        let _ = self.events.send(attempt);
        match failure {
            Some(e) => Err(e),
            None => Ok(id),
        }
    }
}

use qmbot::broadcast::clock::Clock as _;

/// The scheduler in this process on a paused clock that starts at `start`.
struct SimRig {
    clock: Arc<TokioClock>,
    bc: Arc<Broadcast>,
    sender: Arc<MockSender>,
    events: mpsc::UnboundedReceiver<Attempt>,
    reports: tokio::sync::broadcast::Receiver<DeliveryReport>,
    shutdown: CancellationToken,
    scheduler: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl SimRig {
    fn new(start: DateTime<Utc>) -> SimRig {
        SimRig::with_rotation(start, rotation())
    }

    fn with_rotation(start: DateTime<Utc>, rotation: Rotation) -> SimRig {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sim.sqlite3");
        let toml = format!(
            "[storage]\npath = {:?}\n[broadcast]\ntimezone = \"Asia/Shanghai\"\ncatch_up_minutes = 120\n",
            path.display().to_string()
        );
        let config = Config::from_toml(&toml).unwrap();
        let clock = Arc::new(TokioClock::starting_at(start));
        let bc = Broadcast::with_rotation(&config, rotation)
            .unwrap()
            .with_clock(clock.clone());
        let bc = Arc::new(bc);
        let (tx, events) = mpsc::unbounded_channel();
        let sender = Arc::new(MockSender {
            clock: clock.clone(),
            failures: Mutex::new(HashMap::new()),
            attempts: Mutex::new(Vec::new()),
            texts: Mutex::new(Vec::new()),
            events: tx,
        });
        let reports = bc.reports();
        SimRig {
            clock,
            bc,
            sender,
            events,
            reports,
            shutdown: CancellationToken::new(),
            scheduler: None,
            _dir: dir,
        }
    }

    /// Subscribes a chat in the store as if days ago (before the scheduler starts).
    fn seed(&self, chat_id: i64, time: NaiveTime, tz: Tz) {
        self.bc
            .store()
            .subscribe(&NewSubscription {
                chat_id,
                chat_type: "private".into(),
                time,
                tz,
                at: self.clock.now() - CDuration::days(3),
                by: Some(chat_id),
                by_name: None,
            })
            .unwrap();
    }

    /// Subscribes (or moves) a chat now, as `/subscribe` does.
    async fn subscribe(&self, chat_id: i64, time: NaiveTime, tz: Tz) {
        self.bc
            .subscribe(NewSubscription {
                chat_id,
                chat_type: "private".into(),
                time,
                tz,
                at: self.bc.now(),
                by: Some(chat_id),
                by_name: None,
            })
            .await
            .unwrap();
    }

    fn start(&mut self) {
        let task = broadcast::run_scheduler(self.sender.clone(), self.bc.clone(), self.shutdown.clone());
        self.scheduler = Some(tokio::spawn(task));
    }

    async fn stop(&mut self) {
        self.shutdown.cancel();
        if let Some(handle) = self.scheduler.take() {
            handle.await.expect("the scheduler does not panic");
        }
    }

    /// Lets simulated time run until the wall clock reads `t`.
    async fn run_until(&self, t: DateTime<Utc>) {
        let left = (t - self.clock.now()).to_std().unwrap_or_default();
        tokio::time::sleep(left).await;
    }

    /// The next send attempt (simulated time runs meanwhile).
    async fn next_attempt(&mut self) -> Attempt {
        tokio::time::timeout(Duration::from_secs(3 * 86_400), self.events.recv())
            .await
            .expect("an attempt within three simulated days")
            .expect("the sender lives")
    }

    /// The next report about `chat_id`.
    async fn next_report(&mut self, chat_id: i64) -> DeliveryReport {
        let wait = async {
            loop {
                match self.reports.recv().await {
                    Ok(r) if r.chat_id == chat_id => return r,
                    Ok(_) => {}
                    Err(e) => panic!("reports: {e}"),
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(3 * 86_400), wait)
            .await
            .expect("a report within three simulated days")
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

#[tokio::test(start_paused = true)]
async fn mocked_clock_each_chat_once_a_day_at_its_local_time() {
    // 8 to 10 March 2025: New York moves its clocks forward on the 9th
    // (02:30 does not exist that day).
    let mut rig = SimRig::new(utc("2025-03-08T00:00:00Z"));
    let (shanghai, new_york, berlin, kathmandu, late) = (1, 2, 3, 4, 5);
    rig.seed(shanghai, hm(9, 0), chrono_tz::Asia::Shanghai);
    rig.seed(new_york, hm(2, 30), chrono_tz::America::New_York);
    rig.seed(berlin, hm(18, 0), chrono_tz::Europe::Berlin);
    rig.seed(kathmandu, hm(7, 15), chrono_tz::Asia::Kathmandu);
    rig.start();

    // Day 2: Kathmandu unsubscribes before its time, Berlin moves to 20:00,
    // and a new chat subscribes for 11:00 in Shanghai, all while running.
    rig.run_until(utc("2025-03-09T00:00:00Z")).await;
    assert!(rig.bc.unsubscribe(kathmandu).await.unwrap());
    rig.subscribe(berlin, hm(20, 0), chrono_tz::Europe::Berlin).await;
    rig.subscribe(late, hm(11, 0), chrono_tz::Asia::Shanghai).await;
    rig.run_until(utc("2025-03-10T23:59:59Z")).await;
    rig.stop().await;

    let s = &rig.sender;
    assert_eq!(
        s.served(shanghai),
        ["2025-03-08T01:00:00Z", "2025-03-09T01:00:00Z", "2025-03-10T01:00:00Z"].map(utc)
    );
    // 02:30 EST, then 03:30 EDT on the day of the gap (the same instant), then 02:30 EDT.
    assert_eq!(
        s.served(new_york),
        ["2025-03-08T07:30:00Z", "2025-03-09T07:30:00Z", "2025-03-10T06:30:00Z"].map(utc)
    );
    assert_eq!(
        s.served(berlin),
        ["2025-03-08T17:00:00Z", "2025-03-09T19:00:00Z", "2025-03-10T19:00:00Z"].map(utc)
    );
    assert_eq!(s.served(kathmandu), [utc("2025-03-08T01:30:00Z")]);
    assert_eq!(
        s.served(late),
        ["2025-03-09T03:00:00Z", "2025-03-10T03:00:00Z"].map(utc)
    );
    assert_eq!(s.attempts().len(), 3 + 3 + 3 + 1 + 2, "no failed or extra sends");
    let last = rig.bc.store().get(berlin).unwrap().unwrap();
    assert_eq!(last.last_delivered, NaiveDate::from_ymd_opt(2025, 3, 10));
    assert_eq!(last.last_delivery_status, Some(DeliveryStatus::Accepted));
}

#[tokio::test(start_paused = true)]
async fn mocked_clock_jumps_are_replanned_without_doubling() {
    let mut rig = SimRig::new(utc("2025-09-15T00:00:00Z"));
    let sh = chrono_tz::Asia::Shanghai;
    let (a, b, c) = (11, 12, 13);
    rig.seed(a, hm(9, 0), sh); // 01:00Z
    rig.seed(b, hm(10, 0), sh); // 02:00Z
    rig.seed(c, hm(15, 0), sh); // 07:00Z
    rig.start();
    rig.run_until(utc("2025-09-15T01:30:00Z")).await;
    assert_eq!(rig.sender.served(a), [utc("2025-09-15T01:00:00Z")]);

    // The wall clock jumps an hour ahead: B's time was skipped over, 30
    // minutes ago, within the catch-up window: served at the next wake
    // (within the 10-minute guard).
    while rig.events.try_recv().is_ok() {}
    rig.clock.jump(CDuration::hours(1));
    let got = rig.next_attempt().await;
    assert_eq!(got.chat_id, b);
    assert!(
        got.at >= utc("2025-09-15T02:30:00Z") && got.at <= utc("2025-09-15T02:40:00Z"),
        "{got:?}"
    );
    rig.run_until(utc("2025-09-15T07:30:00Z")).await;
    assert_eq!(rig.sender.served(c), [utc("2025-09-15T07:00:00Z")]);

    // Two days ahead (a suspended machine): the skipped days are not sent
    // late; only C, whose time today passed 30 minutes ago, is caught up.
    while rig.events.try_recv().is_ok() {}
    rig.clock.jump(CDuration::days(2));
    let got = rig.next_attempt().await;
    assert_eq!(got.chat_id, c);
    assert!(
        got.at >= utc("2025-09-17T07:30:00Z") && got.at <= utc("2025-09-17T07:40:00Z"),
        "{got:?}"
    );
    rig.run_until(utc("2025-09-17T08:00:00Z")).await;
    assert!(rig.events.try_recv().is_err(), "{:?}", rig.sender.attempts());

    // Three hours back: C's time comes round again and C does not get a
    // second slogan that day; the next day everyone gets one, on time.
    rig.clock.jump(CDuration::hours(-3));
    rig.run_until(utc("2025-09-18T12:00:00Z")).await;
    rig.stop().await;
    assert_eq!(
        rig.sender.served(a),
        ["2025-09-15T01:00:00Z", "2025-09-18T01:00:00Z"].map(utc)
    );
    let served_b = rig.sender.served(b);
    assert_eq!(served_b.len(), 2);
    assert_eq!(served_b[1], utc("2025-09-18T02:00:00Z"));
    let served_c = rig.sender.served(c);
    assert_eq!(served_c.len(), 3, "{served_c:?}");
    assert_eq!(served_c[2], utc("2025-09-18T07:00:00Z"));
}

#[tokio::test(start_paused = true)]
async fn unsubscribing_during_retries_stops_them() {
    let mut rig = SimRig::new(utc("2025-09-15T00:00:00Z"));
    let chat = 21;
    rig.seed(chat, hm(9, 0), chrono_tz::Asia::Shanghai);
    rig.sender
        .fail(chat, u32::MAX, SendError::NotSent("connection refused".into()));
    rig.start();
    // First try at 09:00, the retry a second later.
    let first = rig.next_attempt().await;
    let second = rig.next_attempt().await;
    assert_eq!((first.chat_id, first.ok, second.ok), (chat, false, false));
    assert_eq!(first.at, utc("2025-09-15T01:00:00Z"));
    assert_eq!(second.at - first.at, CDuration::seconds(1));

    // Unsubscribed while the delivery waits to retry: the retry re-reads
    // the store and stops.
    assert!(rig.bc.unsubscribe(chat).await.unwrap());
    let report = rig.next_report(chat).await;
    assert_eq!(report.outcome, Outcome::Cancelled);
    rig.run_until(utc("2025-09-17T00:00:00Z")).await;
    rig.stop().await;
    assert_eq!(rig.sender.attempts().len(), 2, "{:?}", rig.sender.attempts());
    let s = rig.bc.store().get(chat).unwrap().unwrap();
    assert!(!s.active && s.last_delivered.is_none(), "{s:?}");
}

#[tokio::test(start_paused = true)]
async fn a_retry_follows_a_new_time() {
    let mut rig = SimRig::new(utc("2025-09-15T00:00:00Z"));
    let chat = 22;
    let sh = chrono_tz::Asia::Shanghai;
    rig.seed(chat, hm(9, 0), sh);
    rig.sender
        .fail(chat, 1, SendError::NotSent("connection refused".into()));
    rig.start();
    assert!(!rig.next_attempt().await.ok);
    // Moved to 12:00 while the retry waits: not sent at 09:00:01, but at 12:00.
    rig.subscribe(chat, hm(12, 0), sh).await;
    assert_eq!(rig.next_report(chat).await.outcome, Outcome::Cancelled);
    let next = rig.next_attempt().await;
    assert_eq!((next.ok, next.at), (true, utc("2025-09-15T04:00:00Z")));
    rig.stop().await;
}

#[tokio::test(start_paused = true)]
async fn an_unknown_outcome_is_not_retried_and_counts_as_served() {
    let mut rig = SimRig::new(utc("2025-09-15T00:00:00Z"));
    let chat = 31;
    rig.seed(chat, hm(9, 0), chrono_tz::Asia::Shanghai);
    rig.sender
        .fail(chat, 1, SendError::Unknown("operation timed out".into()));
    rig.start();
    assert_eq!(rig.next_report(chat).await.outcome, Outcome::Unknown);
    let s = rig.bc.store().get(chat).unwrap().unwrap();
    assert_eq!(s.last_delivered, NaiveDate::from_ymd_opt(2025, 9, 15));
    assert_eq!(s.last_delivery_status, Some(DeliveryStatus::Unknown));
    // Not again that day, and as usual the next day.
    rig.run_until(utc("2025-09-16T12:00:00Z")).await;
    rig.stop().await;
    let attempts = rig.sender.attempts();
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert_eq!((attempts[1].ok, attempts[1].at), (true, utc("2025-09-16T01:00:00Z")));
}

#[tokio::test(start_paused = true)]
async fn a_restart_does_not_resend_an_unknown_outcome() {
    let mut rig = SimRig::new(utc("2025-09-15T00:00:00Z"));
    let chat = 32;
    rig.seed(chat, hm(9, 0), chrono_tz::Asia::Shanghai);
    rig.sender.fail(chat, 1, SendError::Unknown("connection reset".into()));
    rig.start();
    assert_eq!(rig.next_report(chat).await.outcome, Outcome::Unknown);
    rig.stop().await;
    // A new scheduler within the catch-up window sees the day as served.
    rig.shutdown = CancellationToken::new();
    rig.start();
    rig.run_until(utc("2025-09-15T02:00:00Z")).await;
    rig.stop().await;
    assert_eq!(rig.sender.attempts().len(), 1);
}

// ----- Telegram accepts, the answer never comes --------------------------------------

#[tokio::test]
async fn a_send_timing_out_after_telegram_accepted_it_is_not_sent_again() {
    let fake = FakeBot::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.sqlite3");
    let toml = format!(
        "[storage]\npath = {:?}\n[broadcast]\ntimezone = \"{}\"\n",
        path.display().to_string(),
        zone().name()
    );
    let bc = Arc::new(Broadcast::with_rotation(&Config::from_toml(&toml).unwrap(), rotation()).unwrap());
    let url = reqwest::Url::parse(fake.api_url()).unwrap();
    let bot: TgBot = common::local_bot_with_timeout(fake.token(), Duration::from_millis(500))
        .set_api_url(url)
        .throttle(teloxide::adaptors::throttle::Limits::default());
    let (hung, sentinel) = (7601, 7602);
    let (time, date) = just_passed();
    seed(bc.store(), hung, time, None);
    fake.fail_next("sendMessage", 1, Some(hung), Fault::AcceptAndHang);
    let mut reports = bc.reports();
    let sender = Arc::new(TelegramSender::new(bot));
    let shutdown = CancellationToken::new();
    let scheduler = tokio::spawn(broadcast::run_scheduler(sender.clone(), bc.clone(), shutdown.clone()));
    let report = loop {
        let r = tokio::time::timeout(WAIT, reports.recv()).await.unwrap().unwrap();
        if r.chat_id == hung {
            break r;
        }
    };
    assert_eq!(report.outcome, Outcome::Unknown);
    shutdown.cancel();
    scheduler.await.unwrap();
    let s = bc.store().get(hung).unwrap().unwrap();
    assert_eq!(
        (s.last_delivered, s.last_delivery_status),
        (Some(date), Some(DeliveryStatus::Unknown))
    );

    // A restarted scheduler serves a chat that became due meanwhile, and
    // still not the one whose outcome was unknown.
    seed(bc.store(), sentinel, time, None);
    let shutdown = CancellationToken::new();
    let scheduler = tokio::spawn(broadcast::run_scheduler(sender, bc.clone(), shutdown.clone()));
    let calls = fake
        .wait_for(|c| daily(c, sentinel).len() == 1, WAIT)
        .await
        .unwrap_or_else(|e| panic!("the sentinel's slogan: {e:?}"));
    shutdown.cancel();
    scheduler.await.unwrap();
    let to_hung = FakeBot::of(&calls, "sendMessage")
        .iter()
        .filter(|c| c.chat_id() == Some(hung))
        .count();
    assert_eq!(to_hung, 1, "the message Telegram accepted was sent again");
    // Telegram did accept it: the user got exactly one.
    assert_eq!(daily(&calls, hung).len(), 1);
}

// ----- one instance per state file ----------------------------------------------------

#[tokio::test]
async fn a_second_instance_on_the_same_state_file_refuses_and_the_first_keeps_answering() {
    let fake = FakeBot::start().await;
    let env = TestEnv::new("");
    let first = env.spawn(&fake, &[]);
    fake.wait_polling(Duration::from_secs(60))
        .await
        .unwrap_or_else(|e| panic!("the first bot did not start: {e:?}\n{}", first.logs()));

    let mut second = env.spawn(&fake, &[]);
    let status = second
        .wait_exit(Duration::from_secs(10))
        .await
        .unwrap_or_else(|| panic!("the second instance kept running:\n{}", second.logs()));
    assert!(!status.success(), "{status:?}");
    let logs = second.logs();
    let lines: Vec<&str> = logs.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line:\n{logs}");
    assert!(
        lines[0].contains("another qmbot instance") && lines[0].contains("state.sqlite3"),
        "{logs}"
    );
    let secret = common::TOKEN.split_once(':').unwrap().1;
    assert!(!logs.contains(secret));

    // The first one still answers.
    let user = 7701;
    fake.send_private(user, "/slogan");
    fake.wait_for(|c| !FakeBot::sent_to(c, user).is_empty(), WAIT)
        .await
        .unwrap_or_else(|e| panic!("the first bot stopped answering: {e:?}\n{}", first.logs()));
    // Only the first ever polled.
    assert!(!first.logs().contains("409 Conflict"), "{}", first.logs());
    drop(first);
}

#[tokio::test]
async fn a_409_conflict_from_get_updates_is_logged_and_retried() {
    let fake = FakeBot::start().await;
    let env = TestEnv::new("");
    fake.fail_next("getUpdates", 1, None, Fault::Conflict);
    let bot = env.spawn(&fake, &[]);
    let logs = bot
        .wait_log(|l| l.contains("409 Conflict"), WAIT)
        .await
        .unwrap_or_else(|l| panic!("the conflict was not logged:\n{l}"));
    assert!(
        logs.contains("another process is polling with this bot token"),
        "{logs}"
    );
    let user = 7801;
    fake.send_private(user, "/slogan");
    fake.wait_for(|c| !FakeBot::sent_to(c, user).is_empty(), WAIT)
        .await
        .unwrap_or_else(|e| panic!("no answer after the conflict: {e:?}\n{}", bot.logs()));
}

// ----- a load run, for figures --------------------------------------------------------

/// Counts, incrementally, the successful daily broadcasts among the calls
/// (for predicates that `wait_for` calls on every recorded call).
struct DailyCounter {
    seen: std::cell::Cell<usize>,
    count: std::cell::Cell<usize>,
}

impl DailyCounter {
    fn new() -> DailyCounter {
        DailyCounter {
            seen: std::cell::Cell::new(0),
            count: std::cell::Cell::new(0),
        }
    }

    fn update(&self, calls: &[Call]) -> usize {
        let new = calls[self.seen.get()..]
            .iter()
            .filter(|c| c.is("sendMessage") && c.ok && c.text().is_some_and(|t| t.contains(DAILY_MARK)))
            .count();
        self.seen.set(calls.len());
        self.count.set(self.count.get() + new);
        self.count.get()
    }
}

/// The floor Telegram's 30 messages a second set for `messages`.
fn floor(messages: usize) -> Duration {
    Duration::from_secs_f64(messages as f64 / 30.0)
}

/// Nearest-rank percentile.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// A load run through the fake Bot API with the real binary: 600 questions
/// from 600 private chats at once; then 3,000 subscriptions due at the same
/// second with 20 people asking questions meanwhile. It checks that
/// everything is answered and served once, and prints the figures (time
/// against Telegram's 30 messages/s floor, reply latency during the
/// broadcast, bot CPU per delivery) rather than asserting them:
///
/// ```sh
/// cargo test --release --test broadcast -- --ignored --nocapture load_run
/// QMBOT_LOAD_BIN=/path/to/other/qmbot cargo test ...   # measure another build
/// ```
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a load run of several minutes; run it for figures"]
async fn load_run() {
    let bin = std::env::var_os("QMBOT_LOAD_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_qmbot").into());
    println!("binary: {}", bin.display());
    let fake = FakeBot::start().await;
    let env = TestEnv::new(&format!(
        "[broadcast]\ntimezone = \"{}\"\ncatch_up_minutes = 120\n",
        zone().name()
    ));
    let quiet = [("RUST_LOG", "warn")];
    let questions = [
        "2024年质量月的主题是什么？",
        "2023年全国质量月主题",
        "2019年质量月通知是哪天发布的",
        "What was the theme of Quality Month 2023?",
        "2019年通知的文号",
    ];

    // Phase 1: a burst of questions.
    let mut bot = env.spawn_bin(&bin, &fake, &quiet);
    fake.wait_polling(Duration::from_secs(60))
        .await
        .unwrap_or_else(|e| panic!("the bot did not start: {e:?}\n{}", bot.logs()));
    let before = fake.calls().len();
    let users: Vec<i64> = (0..600).map(|i| 100_000 + i).collect();
    let t0 = std::time::Instant::now();
    for (i, &u) in users.iter().enumerate() {
        fake.send_private(u, questions[i % questions.len()]);
    }
    let answered = std::cell::RefCell::new(std::collections::HashSet::new());
    let seen = std::cell::Cell::new(before);
    let calls = fake
        .wait_for(
            |c| {
                let mut a = answered.borrow_mut();
                for call in &c[seen.get()..] {
                    if call.is("sendMessage") && call.ok {
                        a.insert(call.chat_id().unwrap_or(0));
                    }
                }
                seen.set(c.len());
                users.iter().all(|u| a.contains(u))
            },
            Duration::from_secs(180),
        )
        .await
        .unwrap_or_else(|e| {
            panic!(
                "phase 1: {} calls, {} chats answered",
                e.calls.len(),
                answered.borrow().len()
            )
        });
    let sent: Vec<&Call> = calls[before..].iter().filter(|c| c.is("sendMessage") && c.ok).collect();
    let took = sent.last().unwrap().at.duration_since(t0);
    println!(
        "phase 1: 600 questions, {} messages in {:.1} s; floor {:.1} s ({:.2}x); at most {} messages in one second",
        sent.len(),
        took.as_secs_f64(),
        floor(sent.len()).as_secs_f64(),
        took.as_secs_f64() / floor(sent.len()).as_secs_f64(),
        FakeBot::max_sent_per_second(&calls[before..]),
    );
    bot.sigterm();
    assert!(bot.wait_exit(Duration::from_secs(10)).await.is_some());

    // Phase 2: 3,000 chats due at the same second (their time passed a
    // second ago and the bot catches them up on start), 20 questions meanwhile.
    let (time, date) = just_passed();
    {
        let mut conn = rusqlite::Connection::open(&env.state_path).unwrap();
        let tx = conn.transaction().unwrap();
        let since = (Utc::now() - CDuration::days(3)).to_rfc3339();
        let last = (date - CDuration::days(2)).to_string();
        for i in 0..3000i64 {
            tx.execute(
                "INSERT INTO subscription (chat_id, chat_type, local_time, timezone, active, last_delivered, subscribed_at)
                 VALUES (?1, 'private', ?2, ?3, 1, ?4, ?5)",
                rusqlite::params![200_000 + i, hms(time), zone().name(), last, since],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    let before = fake.calls().len();
    let bot = env.spawn_bin(&bin, &fake, &quiet);
    let counter = DailyCounter::new();
    let first = fake
        .wait_for(|c| counter.update(&c[before..]) >= 1, Duration::from_secs(60))
        .await
        .unwrap_or_else(|e| panic!("no broadcast: {e:?}\n{}", bot.logs()));
    let cpu_first = bot.cpu_time();
    let first_at = first[before..]
        .iter()
        .find(|c| c.is("sendMessage") && c.ok)
        .map(|c| c.at)
        .unwrap();
    let mut asked = Vec::new();
    for k in 1..=20i64 {
        let counter = DailyCounter::new();
        fake.wait_for(
            |c| counter.update(&c[before..]) >= (k as usize) * 140,
            Duration::from_secs(300),
        )
        .await
        .unwrap_or_else(|_| panic!("the broadcast stalled before {}\n{}", k * 140, bot.logs()));
        let user = 300_000 + k;
        fake.send_private(user, questions[k as usize % questions.len()]);
        asked.push((user, std::time::Instant::now()));
    }
    let counter = DailyCounter::new();
    let calls = fake
        .wait_for(
            |c| {
                counter.update(&c[before..]) >= 3000
                    && asked
                        .iter()
                        .all(|(u, _)| !FakeBot::sent_to(&c[before..], *u).is_empty())
            },
            Duration::from_secs(400),
        )
        .await
        .unwrap_or_else(|e| panic!("phase 2 did not finish: {} calls\n{}", e.calls.len(), bot.logs()));
    let cpu_last = bot.cpu_time();
    let phase: &[Call] = &calls[before..];
    let mut per_chat: HashMap<i64, usize> = HashMap::new();
    for c in phase {
        if c.is("sendMessage") && c.ok && c.text().is_some_and(|t| t.contains(DAILY_MARK)) {
            *per_chat.entry(c.chat_id().unwrap()).or_default() += 1;
        }
    }
    assert_eq!(per_chat.len(), 3000, "every chat served");
    assert!(per_chat.values().all(|&n| n == 1), "a chat got two slogans");
    let messages: Vec<&Call> = phase.iter().filter(|c| c.is("sendMessage") && c.ok).collect();
    let last_at = messages.last().unwrap().at;
    let took = last_at.duration_since(first_at);
    let mut latency: Vec<Duration> = asked
        .iter()
        .map(|(u, t)| FakeBot::sent_to(phase, *u)[0].at.duration_since(*t))
        .collect();
    latency.sort();
    println!(
        "phase 2: 3000 deliveries + 20 questions, {} messages in {:.1} s; floor {:.1} s ({:.2}x); at most {} messages in one second",
        messages.len(),
        took.as_secs_f64(),
        floor(messages.len()).as_secs_f64(),
        took.as_secs_f64() / floor(messages.len()).as_secs_f64(),
        FakeBot::max_sent_per_second(phase),
    );
    println!(
        "replies during the broadcast: p50 {:.2} s, p95 {:.2} s, max {:.2} s",
        percentile(&latency, 0.5).as_secs_f64(),
        percentile(&latency, 0.95).as_secs_f64(),
        latency.last().unwrap().as_secs_f64()
    );
    if let (Some(a), Some(b)) = (cpu_first, cpu_last) {
        println!(
            "bot CPU per delivery: {:.2} ms ({:.2} s for 2999 deliveries)",
            (b - a).as_secs_f64() * 1e3 / 2999.0,
            (b - a).as_secs_f64()
        );
    }
    drop(bot);
}

/// A rotation of one slogan, as a reloaded corpus would bring.
fn reloaded_rotation() -> Rotation {
    let notices = vec![notice(
        2031,
        "关于开展2031年全国“质量月”活动的通知",
        "国市监质〔2031〕1号",
    )];
    let lists = vec![SloganList {
        year: 2031,
        scope: "全国".into(),
        title: "2031年全国“质量月”活动宣传口号".into(),
        notice: 0,
        section: "附件2".into(),
        items: vec!["重载之后的口号：质量为先".into()],
    }];
    Rotation::new(&lists, &notices)
}

#[tokio::test(start_paused = true)]
async fn a_reloaded_rotation_is_served_from_the_next_message_on() {
    let mut rig = SimRig::new(utc("2025-09-01T00:00:00Z"));
    let chat = 8101;
    rig.seed(chat, hm(9, 0), chrono_tz::Asia::Shanghai);
    rig.start();
    assert!(rig.next_attempt().await.ok);
    assert!(!rig.sender.texts.lock().unwrap()[0].contains("重载之后"));
    // A reload (SIGHUP) swaps in the new corpus's slogans.
    rig.bc.set_rotation(reloaded_rotation());
    assert_eq!(
        rig.bc
            .slogan_for(NaiveDate::from_ymd_opt(2025, 9, 2).unwrap())
            .unwrap()
            .year,
        2031
    );
    assert!(rig.next_attempt().await.ok);
    rig.stop().await;
    let texts = rig.sender.texts.lock().unwrap().clone();
    assert_eq!(texts.len(), 2);
    assert!(texts[1].contains("重载之后的口号"), "{}", texts[1]);
}

/// A reload brings slogans back on 1 September 2025 after 09:00 in
/// Shanghai: within the catch-up window today's slogan still goes out, once.
async fn slogans_return_and_today_is_served_once(rig: &mut SimRig) {
    rig.bc.set_rotation(reloaded_rotation());
    let first = rig.next_attempt().await;
    assert!(first.ok);
    assert!(first.at < utc("2025-09-01T02:00:00Z"), "{}", first.at);
    rig.run_until(utc("2025-09-01T12:00:00Z")).await;
    rig.stop().await;
    assert_eq!(rig.sender.attempts().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_idle_scheduler_starts_when_a_reload_brings_slogans() {
    let mut rig = SimRig::with_rotation(utc("2025-09-01T00:00:00Z"), Rotation::default());
    let chat = 8102;
    rig.seed(chat, hm(9, 0), chrono_tz::Asia::Shanghai);
    rig.start();
    // 09:00 in Shanghai passes with nothing to send.
    rig.run_until(utc("2025-09-01T01:30:00Z")).await;
    assert!(rig.sender.attempts().is_empty());
    slogans_return_and_today_is_served_once(&mut rig).await;
    assert!(rig.sender.texts.lock().unwrap()[0].contains("重载之后的口号"));
}

#[tokio::test(start_paused = true)]
async fn a_chat_missed_under_an_empty_rotation_is_served_when_slogans_return() {
    let mut rig = SimRig::new(utc("2025-09-01T00:00:00Z"));
    let chat = 8103;
    rig.seed(chat, hm(9, 0), chrono_tz::Asia::Shanghai);
    rig.start();
    // A reload brings a corpus without slogans just before 09:00 in Shanghai.
    rig.run_until(utc("2025-09-01T00:59:00Z")).await;
    rig.bc.set_rotation(Rotation::default());
    rig.run_until(utc("2025-09-01T01:20:00Z")).await;
    assert!(rig.sender.attempts().is_empty());
    slogans_return_and_today_is_served_once(&mut rig).await;
}
