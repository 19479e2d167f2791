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
use qmbot::bot::TgBot;
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
        let task = broadcast::run_scheduler(self.bot.clone(), self.bc.clone(), self.shutdown.clone());
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
        broadcast::on_subscribe(self.bot.clone(), msg, self.bc.clone(), arg.to_string())
            .await
            .unwrap();
    }

    async fn unsubscribe(&self, chat_id: i64, from: i64) {
        let msg = self.message(chat_id, from, "/unsubscribe");
        broadcast::on_unsubscribe(self.bot.clone(), msg, self.bc.clone())
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
    broadcast::on_slogan(rig.bot.clone(), msg, rig.bc.clone())
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
    broadcast::on_slogan(rig.bot.clone(), msg, rig.bc.clone())
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
