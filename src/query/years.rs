//! The year a question names: `2024`, `2024年`, `二〇二四年`, `24年`,
//! 今年/去年 (by the clock) and 最近/最新 (the corpus's latest year); a
//! number that counts (`2000种`) or lasts (`举办了40年`) is no year.

use super::YearRef;
use std::ops::Range;

fn han_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' | 'Ｏ' | 'O' | 'o' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Finds the year a question names, returning it with the byte range it
/// occupies (so that its digits are not searched as words).
pub(super) fn find_year(
    norm: &str,
    lower: &str,
    today_year: i32,
    skip: Option<Range<usize>>,
) -> (YearRef, Vec<Range<usize>>) {
    // A number followed by a measure word counts things (`2000种产品`).
    const COUNTED: &str = "种个家项名条次件批多余万亿元人所台套届期%％";
    // `举办了40年`, `40年来`: a duration, not a year.
    const DURATION_BEFORE: &str = "了近过满多约第共整逾";
    const DURATION_AFTER: &str = "来间多以代前后";
    let mut chars: Vec<(usize, char)> = Vec::with_capacity(norm.chars().count());
    chars.extend(norm.char_indices());
    let end_of = |i: usize| chars.get(i).map_or(norm.len(), |(b, _)| *b);
    // Four ASCII digits not part of a longer number.
    let mut i = 0;
    while i < chars.len() {
        if skip.as_ref().is_some_and(|r| r.contains(&chars[i].0)) {
            i += 1;
            continue;
        }
        if chars[i].1.is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && chars[j].1.is_ascii_digit() {
                j += 1;
            }
            let digits = &norm[chars[i].0..end_of(j)];
            let next = chars.get(j).map(|c| c.1);
            let prev = i.checked_sub(1).map(|k| chars[k].1);
            let after_year = chars.get(j + 1).map(|c| c.1);
            if next.is_some_and(|c| COUNTED.contains(c)) || prev.is_some_and(|c| c == '.' || c == '第') {
                i = j;
                continue;
            }
            if digits.len() == 2
                && next == Some('年')
                && (prev.is_some_and(|c| DURATION_BEFORE.contains(c))
                    || after_year.is_some_and(|c| DURATION_AFTER.contains(c)))
            {
                i = j;
                continue;
            }
            if digits.len() == 4 {
                if let Ok(y) = digits.parse::<i32>() {
                    if (1950..=2100).contains(&y) {
                        let k = if next == Some('年') { j + 1 } else { j };
                        return (YearRef::Explicit(y), std::iter::once(chars[i].0..end_of(k)).collect());
                    }
                }
            }
            if digits.len() == 2 && next == Some('年') {
                if let Ok(y) = digits.parse::<i32>() {
                    return (
                        YearRef::Explicit(2000 + y),
                        std::iter::once(chars[i].0..end_of(j + 1)).collect(),
                    );
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    // 二〇二四年 / 二零二四年.
    for i in 0..chars.len().saturating_sub(4) {
        let y = (0..4).try_fold(0, |y, k| han_digit(chars[i + k].1).map(|d| y * 10 + d as i32));
        if let Some(y) = y.filter(|y| chars[i + 4].1 == '年' && (1950..=2100).contains(y)) {
            return (
                YearRef::Explicit(y),
                std::iter::once(chars[i].0..end_of(i + 5)).collect(),
            );
        }
    }
    // 一九年 / 二四年: two digits of 2000–2029, as `19年` is read; not part
    // of a longer number, nor a duration (`过了二三年`).
    for i in 0..chars.len().saturating_sub(2) {
        let before = i.checked_sub(1).map(|k| chars[k].1);
        let after_year = chars.get(i + 3).map(|c| c.1);
        let y = (0..2).try_fold(0, |y, k| han_digit(chars[i + k].1).map(|d| y * 10 + d as i32));
        let standalone = before
            .is_none_or(|c| han_digit(c).is_none() && !"十第".contains(c) && !DURATION_BEFORE.contains(c))
            && after_year.is_none_or(|c| !DURATION_AFTER.contains(c));
        if let Some(y) = y.filter(|y| chars[i + 2].1 == '年' && *y < 30 && standalone) {
            return (
                YearRef::Explicit(2000 + y),
                std::iter::once(chars[i].0..end_of(i + 3)).collect(),
            );
        }
    }
    // The first-listed word the question holds, where it first occurs
    // (each word's first match is the first reported: overlapping matches
    // come by where they end).
    let mut first: Option<(usize, usize)> = None;
    for m in YEAR_WORDS.find_overlapping_iter(lower) {
        let w = m.pattern().as_usize();
        if first.is_none_or(|(f, _)| w < f) {
            first = Some((w, m.start()));
        }
    }
    match first {
        Some((w, p)) if w < RELATIVE.len() => {
            let (word, d) = RELATIVE[w];
            (
                YearRef::Relative(today_year + d),
                std::iter::once(p..p + word.len()).collect(),
            )
        }
        Some((w, p)) => (
            YearRef::Latest,
            std::iter::once(p..p + LATEST[w - RELATIVE.len()].len()).collect(),
        ),
        None => (YearRef::None, Vec::new()),
    }
}

/// Words that name a year from today, first match first.
const RELATIVE: &[(&str, i32)] = &[
    ("大前年", -3),
    ("前年", -2),
    ("去年", -1),
    ("上一年", -1),
    ("今年", 0),
    ("本年", 0),
    ("明年", 1),
    ("last year", -1),
    ("this year", 0),
    ("next year", 1),
];

/// Words that ask for the latest year, looked for after [`RELATIVE`].
const LATEST: &[&str] = &[
    "最近",
    "最新",
    "近期",
    "latest",
    "most recent",
    "recent",
    "newest",
    "current",
];

/// [`RELATIVE`] then [`LATEST`], in one automaton.
static YEAR_WORDS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| super::small_automaton(RELATIVE.iter().map(|(w, _)| *w).chain(LATEST.iter().copied())));
