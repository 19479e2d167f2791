//! The merge rules: which questions are follow-ups, and what they inherit.
//!
//! A question is a follow-up when it says so (`…呢`, `那…`, `还有…`, `and …`,
//! `what about …`) or when it is nothing but a year or a body (`江苏`,
//! `2019年？`). A follow-up keeps everything it states and inherits the rest:
//!
//! * **year**: the earlier year, unless it names one (`那2019年呢`);
//! * **bodies**: the earlier regions, ministries or associations, unless it
//!   names its own (`江苏呢`, `海关总署呢`); not for questions about the
//!   notice itself (`文号呢`, `联系人呢`) or lists (`各地呢`), and for a
//!   theme or slogans (`主题呢`) only regions, which may have their own;
//! * **what is asked**: when it asks nothing of its own (`江苏呢`), the
//!   earlier intent and search words; when it only brings asking words
//!   (`那什么时候截止呢`), the earlier search words; when it asks for a theme,
//!   slogans, a document number or a list (`口号呢`), only that.
//!
//! Anything else starts afresh, so a full question resets the conversation.

use super::Context;
use crate::entities::{EntityKind, Registry};
use crate::query::{Intent, Question, YearRef};
use regex::Regex;
use std::sync::LazyLock;

/// `那…`, `还有…`, `…呢`, `and …`, `what about …`.
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        ^\s*(?:那么|那|还有|另外|再问|and\b|what\s+about\b|how\s+about\b|what\s+of\b|same\s+for\b|then\b)
        | 呢\s*[?？!！。.…~～]*\s*$
        | \b(?:then|instead)\s*[?.!]*\s*$",
    )
    .unwrap()
});

/// A question merged with the context before it.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The question to answer.
    pub question: Question,
    /// Whether it was read as a follow-up.
    pub follow_up: bool,
    /// The bodies came from the context while the question asks for a theme
    /// or slogans of its own (`主题呢`): if they find nothing, the question
    /// is answered without them.
    pub soft_bodies: bool,
}

/// Whether `q` reads as a follow-up: it says so, or it is only a year or a
/// body.
pub fn is_follow_up(q: &Question) -> bool {
    let marked = MARKER.is_match(&q.lower);
    let bare_slot = q.terms.is_empty()
        && q.intent == Intent::default()
        && q.asks.is_none()
        && q.doc_number.is_none()
        && (q.year != YearRef::None || !q.entities.is_empty());
    marked || bare_slot
}

/// Merges `q` with the conversation's `context` (see the module docs).
pub fn merge(context: Option<&Context>, q: &Question, registry: &Registry) -> Merged {
    let fresh = Merged {
        question: q.clone(),
        follow_up: false,
        soft_bodies: false,
    };
    let Some(prev) = context.map(|c| &c.question) else {
        return fresh;
    };
    if !is_follow_up(q) {
        return fresh;
    }
    merge_part(prev, q, registry)
}

/// Merges `q` with `prev` as a follow-up, whether or not it reads as one:
/// the later questions of one message (`…放在质量月里吗？最近一届是第几届？`)
/// continue the earlier ones.
pub fn merge_part(prev: &Question, q: &Question, registry: &Registry) -> Merged {
    let it = q.intent;
    let mut m = q.clone();
    // A document number names its own notice, and with it the year.
    if m.year == YearRef::None && m.doc_number.is_none() {
        m.year = prev.year;
    }
    let about_the_notice = it.doc_number || it.contact || it.issuers || it.list.is_some();
    let structured = it.theme || it.slogans || about_the_notice;
    let asks_only = q.terms.is_empty() && (q.asks.is_some() || it.date || it.period || it.activities);
    let nothing_asked = q.terms.is_empty() && it == Intent::default() && q.asks.is_none();
    if nothing_asked {
        m.intent = prev.intent;
        m.asks = prev.asks;
        m.terms = prev.terms.clone();
        m.phrases = prev.phrases.clone();
        extend_marks(&mut m, prev);
        if m.doc_number.is_none() && q.year == YearRef::None && q.entities.is_empty() {
            m.doc_number = prev.doc_number.clone();
        }
    } else if asks_only && !structured {
        m.terms = prev.terms.clone();
        m.phrases = prev.phrases.clone();
        extend_marks(&mut m, prev);
        if !it.activities && prev.intent.activities && q.asks.is_none() {
            m.intent.activities = true;
        }
    }
    let mut soft_bodies = false;
    if q.entities.is_empty() && !about_the_notice && m.intent.list.is_none() {
        m.entities = prev.entities.clone();
        if it.theme || it.slogans {
            let region = |e: &usize| matches!(registry[*e].kind, EntityKind::Province | EntityKind::City);
            m.entities.retain(region);
            soft_bodies = !m.entities.is_empty();
        }
    }
    if !m.entities.is_empty() {
        // A named body is not a list question (`各地…` then `江苏呢`).
        m.intent.list = None;
    }
    Merged {
        question: m,
        follow_up: true,
        soft_bodies,
    }
}

fn extend_marks(m: &mut Question, prev: &Question) {
    for w in &prev.marks {
        if !m.marks.contains(w) {
            m.marks.push(w.clone());
        }
    }
}
