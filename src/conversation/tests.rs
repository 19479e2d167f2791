//! The merge rules over the shipped notices, and the memory's bounds.

use super::*;
use crate::query::YearRef;
use crate::Engine;
use chrono::NaiveDate;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::load(concat!(env!("CARGO_MANIFEST_DIR"), "/data")).expect("the shipped corpus loads"));

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// Runs `questions` as one conversation; the turns in order.
fn talk(questions: &[&str]) -> Vec<Turn> {
    let mut context: Option<Context> = None;
    let mut turns = Vec::new();
    for q in questions {
        let turn = ENGINE.answer_in(q, today(), context.as_ref());
        context = turn.context.clone();
        turns.push(turn);
    }
    turns
}

fn text(turn: &Turn) -> String {
    turn.answer.to_plain()
}

#[test]
fn a_body_swap_keeps_the_year_and_what_was_asked() {
    let t = talk(&["2023年广东省开展了哪些活动？", "江苏呢？", "那海关总署呢"]);
    assert!(!t[0].follow_up);
    assert!(t[1].follow_up && t[1].answer.found, "{}", text(&t[1]));
    assert!(text(&t[1]).contains("江苏质量大会"), "{}", text(&t[1]));
    assert!(!text(&t[1]).contains("广东开学第一课"));
    assert!(
        text(&t[2]).contains("进出口商品质量安全风险专项监测"),
        "{}",
        text(&t[2])
    );
    assert!(t[2].answer.citations.iter().all(|c| c.year == 2023));
}

#[test]
fn a_year_swap_keeps_the_body() {
    let t = talk(&["2023年江苏省开展了哪些活动", "2024年的呢"]);
    assert!(t[1].follow_up);
    assert!(text(&t[1]).contains("苏浙皖赣沪"), "{}", text(&t[1]));
    assert!(t[1].answer.citations.iter().all(|c| c.year == 2024));
    // A year whose notice does not list the body is not covered, not another body.
    let t = talk(&["2023年江苏省开展了哪些活动", "那2019年呢？"]);
    assert!(!t[1].answer.found, "{}", text(&t[1]));
}

#[test]
fn an_intent_swap_keeps_the_year() {
    let t = talk(&["2024年海关总署做了什么", "口号呢", "主题呢"]);
    assert!(
        t[1].answer.found && text(&t[1]).contains("培育新质生产力"),
        "{}",
        text(&t[1])
    );
    assert!(
        t[2].answer.found && text(&t[2]).contains("加强质量支撑"),
        "{}",
        text(&t[2])
    );
    // A region with a theme of its own keeps it.
    let t = talk(&["2018年福建开展了哪些活动", "主题呢"]);
    assert!(text(&t[1]).contains("建设质量强省"), "{}", text(&t[1]));
}

#[test]
fn english_follow_ups() {
    let t = talk(&["2018年福州开展了哪些活动", "What about Xiamen?", "and 2019?"]);
    assert!(t[1].follow_up && t[1].answer.found, "{}", text(&t[1]));
    assert!(text(&t[1]).contains("质量征文比赛"), "{}", text(&t[1]));
    assert!(t[2].follow_up);
    assert!(!t[2].answer.found, "Xiamen is not in the 2019 notice: {}", text(&t[2]));
    let t = talk(&["What is the theme of Quality Month 2023?", "and 2019?"]);
    assert!(text(&t[1]).contains("共创中国质量"), "{}", text(&t[1]));
}

#[test]
fn refusals_stay_refused_and_keep_the_context() {
    let t = talk(&["2023年广东省开展了哪些活动？", "帮我写一篇质量月演讲稿呢", "江苏呢"]);
    assert!(!t[1].answer.found);
    assert!(t[1].answer.citations.is_empty());
    assert!(text(&t[2]).contains("江苏质量大会"), "{}", text(&t[2]));
    let t = talk(&["2023年广东省开展了哪些活动？", "今天天气怎么样呢"]);
    assert!(!t[1].answer.found, "{}", text(&t[1]));
}

#[test]
fn a_full_question_starts_afresh() {
    let t = talk(&["2023年广东省开展了哪些活动？", "2024年的主题和口号？", "江苏呢"]);
    assert!(!t[1].follow_up);
    let ctx = t[1].context.as_ref().unwrap().question();
    assert!(ctx.entities.is_empty(), "广东 is not carried into a full question");
    assert_eq!(ctx.year, YearRef::Explicit(2024));
    // …and its own follow-up inherits from it (2024), not from the first.
    assert!(t[2].answer.citations.iter().all(|c| c.year == 2024), "{}", text(&t[2]));
}

#[test]
fn without_context_a_follow_up_is_just_a_question() {
    let turn = ENGINE.answer_in("江苏呢", today(), None);
    assert!(!turn.follow_up);
    assert_eq!(turn.answer.to_plain(), ENGINE.answer("江苏呢", today()).to_plain());
}

#[test]
fn memory_forgets_after_the_ttl_and_beyond_capacity() {
    let memory = Memory::new(2, Duration::from_secs(60));
    let t0 = Instant::now();
    let ctx = talk(&["2023年广东省开展了哪些活动？"]).remove(0).context.unwrap();
    memory.put(Key::Chat(1), ctx.clone(), t0);
    assert!(memory.get(&Key::Chat(1), t0 + Duration::from_secs(59)).is_some());
    assert!(memory.get(&Key::Chat(1), t0 + Duration::from_secs(60)).is_none());
    assert!(memory.is_empty(), "an expired context is dropped when touched");
    // Chats and reply chains never share a context.
    memory.put(Key::Chat(1), ctx.clone(), t0);
    assert!(memory.get(&Key::Chat(2), t0).is_none());
    assert!(memory.get(&Key::Message { chat: 1, message: 1 }, t0).is_none());
    // The least recently used goes first.
    memory.put(Key::Message { chat: -5, message: 7 }, ctx.clone(), t0);
    assert!(memory.get(&Key::Chat(1), t0).is_some());
    memory.put(Key::Chat(3), ctx, t0);
    assert_eq!(memory.len(), 2);
    assert!(memory.get(&Key::Message { chat: -5, message: 7 }, t0).is_none());
    assert!(memory.get(&Key::Chat(1), t0).is_some());
}
