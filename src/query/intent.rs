//! What a question asks for: theme, slogans, dates, lists … (several may
//! hold), read from its words.

use super::Intent;
use crate::entities::EntityKind;
use aho_corasick::AhoCorasick;
use std::sync::LazyLock;

/// What a word of the question says is asked.
#[derive(Clone, Copy)]
enum Flag {
    Theme,
    Slogans,
    Date,
    DocNumber,
    Contact,
    Activities,
    Period,
    Provinces,
    Ministries,
    Associations,
    Cities,
}

use Flag::*;

/// Chinese words, found anywhere in the question.
const WORDS: &[(&str, &[Flag])] = &[
    ("主题", &[Theme]),
    ("主旨", &[Theme]),
    ("宗旨", &[Theme]),
    ("中心思想", &[Theme]),
    ("口号", &[Slogans]),
    ("标语", &[Slogans]),
    ("宣传语", &[Slogans]),
    ("哪天", &[Date]),
    ("哪一天", &[Date]),
    ("什么时候", &[Date, Period]),
    ("何时", &[Date, Period]),
    ("日期", &[Date]),
    ("几月几日", &[Date]),
    ("几号发", &[Date]),
    ("发布时间", &[Date]),
    ("印发时间", &[Date]),
    ("成文时间", &[Date]),
    ("发文时间", &[Date]),
    ("文号", &[DocNumber]),
    ("发文字号", &[DocNumber]),
    ("字号", &[DocNumber]),
    ("编号", &[DocNumber]),
    ("联系人", &[Contact]),
    ("联系电话", &[Contact]),
    ("电话", &[Contact]),
    ("邮箱", &[Contact]),
    ("传真", &[Contact]),
    ("联系方式", &[Contact]),
    ("联系谁", &[Contact]),
    ("找谁", &[Contact]),
    ("问谁", &[Contact]),
    ("咨询谁", &[Contact]),
    ("向谁咨询", &[Contact]),
    ("对接人", &[Contact]),
    ("地址", &[Contact]),
    ("邮编", &[Contact]),
    ("活动", &[Activities]),
    ("做了什么", &[Activities]),
    ("做什么", &[Activities]),
    ("干什么", &[Activities]),
    ("干了什么", &[Activities]),
    ("开展", &[Activities]),
    ("举办", &[Activities]),
    ("安排", &[Activities]),
    ("做了哪些", &[Activities]),
    ("工作", &[Activities]),
    ("忙活", &[Activities]),
    ("忙些", &[Activities]),
    ("搞了", &[Activities]),
    ("干啥", &[Activities]),
    ("做啥", &[Activities]),
    ("干嘛", &[Activities]),
    ("亮点", &[Activities]),
    ("举措", &[Activities]),
    ("几月", &[Period]),
    ("哪个月", &[Period]),
    ("哪月", &[Period]),
    ("什么时间", &[Period]),
    ("时间", &[Period]),
    ("各地", &[Provinces]),
    ("各省", &[Provinces]),
    ("各地区", &[Provinces]),
    ("各省份", &[Provinces]),
    ("各地方", &[Provinces]),
    ("哪些省", &[Provinces]),
    ("哪些地区", &[Provinces]),
    ("各部门", &[Ministries]),
    ("主办单位", &[Ministries]),
    ("部委", &[Ministries]),
    ("各部委", &[Ministries]),
    ("哪些部门", &[Ministries]),
    ("联合主办", &[Ministries]),
    ("协会", &[Associations]),
    ("联合会", &[Associations]),
    ("各城市", &[Cities]),
    ("哪些城市", &[Cities]),
    ("各市", &[Cities]),
    ("三个城市", &[Cities]),
    ("document number", &[DocNumber]),
];

/// English words, found on word boundaries.
const ENGLISH: &[(&str, &[Flag])] = &[
    ("theme", &[Theme]),
    ("themes", &[Theme]),
    ("motto", &[Theme]),
    ("slogan", &[Slogans]),
    ("slogans", &[Slogans]),
    ("when", &[Date, Period]),
    ("date", &[Date]),
    ("contact", &[Contact]),
    ("phone", &[Contact]),
    ("email", &[Contact]),
    ("e-mail", &[Contact]),
    ("telephone", &[Contact]),
    ("do", &[Activities]),
    ("did", &[Activities]),
    ("does", &[Activities]),
    ("activities", &[Activities]),
    ("activity", &[Activities]),
    ("events", &[Activities]),
    ("plans", &[Activities]),
    ("provinces", &[Provinces]),
    ("regions", &[Provinces]),
    ("localities", &[Provinces]),
    ("ministries", &[Ministries]),
    ("organisers", &[Ministries]),
    ("organizers", &[Ministries]),
    ("associations", &[Associations]),
    ("federations", &[Associations]),
    ("cities", &[Cities]),
];

static CHINESE_SET: LazyLock<AhoCorasick> = LazyLock::new(|| super::small_automaton(WORDS.iter().map(|(w, _)| w)));
static ENGLISH_SET: LazyLock<AhoCorasick> = LazyLock::new(|| super::small_automaton(ENGLISH.iter().map(|(w, _)| w)));

/// Asking which bodies issued a notice.
static ISSUERS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"联合发文|发文单位|发文机关|印发单位|联合印发|署名单位|落款单位|(?:哪些|哪几个|几个|什么)(?:部门|单位).{0,6}(?:发的|印发|发布的|下发|发文|联合发)|谁发的|co-?issued|jointly issued|issued by (?:which|what|whom)",
    )
    .unwrap()
});

/// Verbs of running an event; with a "who" they ask for the organisers.
static ORGANISING: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"主办|牵头|发起|组织|举办|承办|负责|主导|办的|(?-u:\b)(?:runs?|running|organi[sz]es?|organi[sz]ed|hosts?|hosted|behind|in charge of|responsible for|leads?)(?-u:\b)",
    )
    .unwrap()
});

/// The byte ranges of organising verbs in `lower` (the lower-cased
/// question); none when lower-casing moved byte offsets (`same_offsets`
/// false), as the ranges must point into the question as written.
pub(super) fn organising_words(lower: &str, same_offsets: bool) -> Vec<std::ops::Range<usize>> {
    if !same_offsets {
        return Vec::new();
    }
    ORGANISING.find_iter(lower).map(|m| m.range()).collect()
}

/// What `lower` (the normalised question, lower-cased) asks for. Hands
/// `about_the_notice` the byte range of every word that asks for a fact of
/// the notice as a document (`发文字号`, `联系人`): such a word is asked by,
/// not searched for, even where jieba cuts across it (`发/文字/号`).
pub(super) fn detect_intent_with(lower: &str, mut about_the_notice: impl FnMut(std::ops::Range<usize>)) -> Intent {
    let l = lower;
    let mut flags = [false; 11];
    for m in CHINESE_SET.find_overlapping_iter(l) {
        let of = WORDS[m.pattern().as_usize()].1;
        if of.iter().any(|f| matches!(f, DocNumber | Contact)) {
            about_the_notice(m.range());
        }
        for f in of {
            flags[*f as usize] = true;
        }
    }
    if l.is_ascii() || l.bytes().any(|b| b.is_ascii_alphabetic()) {
        for m in ENGLISH_SET.find_overlapping_iter(l) {
            let before = l[..m.start()].chars().last();
            let after = l[m.end()..].chars().next();
            if !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric()) {
                for f in ENGLISH[m.pattern().as_usize()].1 {
                    flags[*f as usize] = true;
                }
            }
        }
    }
    let has = |f: Flag| flags[f as usize];
    let list = [
        (Provinces, EntityKind::Province),
        (Ministries, EntityKind::Ministry),
        (Associations, EntityKind::Association),
        (Cities, EntityKind::City),
    ]
    .into_iter()
    .find(|(f, _)| has(*f))
    .map(|(_, k)| k);
    Intent {
        theme: has(Theme),
        slogans: has(Slogans),
        date: has(Date),
        doc_number: has(DocNumber),
        contact: has(Contact),
        activities: has(Activities),
        list,
        // Every way of asking it holds 发, 署名, 落款 or `issued`.
        issuers: (l.contains('发') || l.contains("署名") || l.contains("落款") || l.contains("issued"))
            && ISSUERS.is_match(l),
        period: has(Period),
        organisers: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_automata_stay_small() {
        // A DFA of these words is over 200 KB; a question is read through
        // several such automata, and each should stay in cache.
        for automaton in [&*CHINESE_SET, &*ENGLISH_SET] {
            assert_eq!(automaton.kind(), aho_corasick::AhoCorasickKind::ContiguousNFA);
            assert!(
                automaton.memory_usage() < 64 * 1024,
                "{} bytes",
                automaton.memory_usage()
            );
        }
    }

    #[test]
    fn intents_are_read_from_their_words() {
        let mut notice_words = Vec::new();
        let i = detect_intent_with("2024年质量月的主题和口号", |r| notice_words.push(r));
        assert!(i.theme && i.slogans && !i.contact);
        assert!(notice_words.is_empty());
        let i = detect_intent_with("联系人电话是多少", |r| notice_words.push(r));
        assert!(i.contact);
        assert!(!notice_words.is_empty());
    }
}
