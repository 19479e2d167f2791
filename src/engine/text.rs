//! Text helpers shared by the answer kinds: compacting, shortening,
//! highlighting and snippets.

/// The distinct years, ascending.
pub fn sorted_years(years: impl Iterator<Item = i32>) -> Vec<i32> {
    let mut v: Vec<i32> = years.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Removes all whitespace.
pub fn compact(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    out.extend(s.chars().filter(|c| !c.is_whitespace()));
    out
}

pub fn title_case(s: &str) -> String {
    // One short word is an acronym (MIIT, SAMR); small words stay lower case.
    if !s.contains(' ') && s.len() <= 5 {
        return s.to_uppercase();
    }
    s.split(' ')
        .map(|w| {
            if ["and", "of", "for", "the", "in"].contains(&w) {
                return w.to_string();
            }
            w.split('-')
                .map(|part| {
                    let mut c = part.chars();
                    match c.next() {
                        Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                        None => String::new(),
                    }
                })
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Cuts `s` to at most `max` characters, adding `…`.
pub fn shorten(s: &str, max: usize) -> String {
    // Counting is fast; walking to the cut only when there is one.
    if s.len() <= max || s.chars().count() <= max {
        return s.to_string();
    }
    let end = s.char_indices().nth(max).map_or(s.len(), |(b, _)| b);
    let mut out = String::with_capacity(end + '…'.len_utf8());
    out.push_str(&s[..end]);
    out.push('…');
    out
}

/// Byte ranges of every occurrence of `marks` in `text` (ASCII
/// case-insensitively), merged, on char boundaries.
pub fn highlight<S: AsRef<str>>(text: &str, marks: &[S]) -> Vec<std::ops::Range<usize>> {
    Marks::new(marks).highlight(text, &[])
}

/// Words to mark, with their substring searchers built once: one answer
/// marks the same words in several texts.
pub struct Marks<'a> {
    finders: Vec<memchr::memmem::Finder<'a>>,
}

impl<'a> Marks<'a> {
    pub fn new<S: AsRef<str>>(marks: &'a [S]) -> Marks<'a> {
        // A word listed twice (a content word that also names a body) is
        // looked for once: its ranges would only be merged.
        let mut words: Vec<&str> = marks.iter().map(AsRef::as_ref).filter(|m| !m.is_empty()).collect();
        words.sort_unstable();
        words.dedup();
        Marks {
            finders: words
                .into_iter()
                .map(|m| memchr::memmem::Finder::new(m.as_bytes()))
                .collect(),
        }
    }

    /// [`highlight`] of these marks and `extra` ones in `text`.
    pub fn highlight(&self, text: &str, extra: &[String]) -> Vec<std::ops::Range<usize>> {
        let lowered;
        let hay = if has_ascii_uppercase(text.as_bytes()) {
            lowered = text.to_ascii_lowercase();
            lowered.as_bytes()
        } else {
            text.as_bytes()
        };
        // Room for the marks of a long passage at once.
        let mut ranges: Vec<std::ops::Range<usize>> = Vec::with_capacity(32);
        for f in &self.finders {
            let n = f.needle().len();
            ranges.extend(f.find_iter(hay).map(|p| p..p + n));
        }
        for m in extra.iter().filter(|m| !m.is_empty()) {
            ranges.extend(occurrences(hay, m.as_bytes()).map(|p| p..p + m.len()));
        }
        // Equal keys are equal ranges: the order among them does not matter.
        ranges.sort_unstable_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
        for r in ranges {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }
}

/// Whether `bytes` has an ASCII capital (branch-free over blocks, so that
/// long texts are read fast).
fn has_ascii_uppercase(bytes: &[u8]) -> bool {
    bytes
        .chunks(32)
        .any(|block| block.iter().fold(false, |any, b| any | b.is_ascii_uppercase()))
}

/// Where `needle` occurs in `hay`, left to right without overlap (as
/// `memchr::memmem::find_iter`). A long needle (a whole sentence) is looked
/// for by its first bytes, then compared: a searcher for all of it costs
/// more to build than the search.
fn occurrences<'h>(hay: &'h [u8], needle: &'h [u8]) -> impl Iterator<Item = usize> + 'h {
    const HEAD: usize = 16;
    let head = memchr::memmem::Finder::new(&needle[..needle.len().min(HEAD)]);
    let mut at = 0;
    let mut taken_to = 0;
    std::iter::from_fn(move || {
        while at < hay.len() {
            let found = at + head.find(&hay[at..])?;
            at = found + 1;
            if found >= taken_to && hay[found..].starts_with(needle) {
                taken_to = found + needle.len();
                at = taken_to;
                return Some(found);
            }
        }
        None
    })
}

/// The part of `text` (at most `max` characters) with the most marked words,
/// starting at a sentence boundary when one is near.
pub fn snippet<S: AsRef<str>>(text: &str, marks: &[S], max: usize) -> String {
    if text.chars().nth(max).is_none() {
        return text.to_string();
    }
    snippet_of(text, &highlight(text, marks), max)
}

/// [`snippet`] with the marked ranges of `text` at hand (in order, as
/// [`highlight`] gives them).
pub fn snippet_of(text: &str, marked: &[std::ops::Range<usize>], max: usize) -> String {
    let len = text.chars().count();
    if len <= max {
        return text.to_string();
    }
    // Each marked run weighs its length squared: one 中国质量奖 outweighs
    // several scattered 中国. Runs are in order: their characters are
    // counted on from one to the next.
    let mut hits: Vec<(usize, usize)> = Vec::with_capacity(marked.len());
    let (mut byte, mut chars) = (0, 0);
    let mut char_of = |b: usize| {
        if b > byte {
            chars += text[byte..b].chars().count();
            byte = b;
        }
        chars
    };
    for r in marked {
        let start = char_of(r.start);
        hits.push((start, (char_of(r.end) - start).pow(2)));
    }
    // The window opening a little before each marked run, weighed by the
    // runs inside it: the runs are in order, so the window slides.
    let mut best = (0usize, 0usize);
    let (mut lo, mut hi, mut n) = (0, 0, 0usize);
    for &(s, _) in &hits {
        let from = s.saturating_sub(max / 5);
        while hi < hits.len() && hits[hi].0 < from + max {
            n += hits[hi].1;
            hi += 1;
        }
        while lo < hi && hits[lo].0 < from {
            n -= hits[lo].1;
            lo += 1;
        }
        if n > best.1 {
            best = (from, n);
        }
    }
    let mut from = best.0.min(len.saturating_sub(max));
    let mut end = from + max;
    // The byte offsets of the characters the cut may fall on (from a third
    // of a window before it, and the character before that, to a quarter
    // after), and of the end.
    let first = from.saturating_sub(max / 3).saturating_sub(1);
    let last = (end + max / 4).min(len);
    let at: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain([text.len()])
        .skip(first)
        .take(last - first + 1)
        .collect();
    let at = |k: usize| at[k - first];
    let ends_sentence = |k: usize| matches!(text[at(k - 1)..at(k)].chars().next(), Some('。' | '；' | '\n'));
    // Back up to the start of the sentence if it is close (keeping the end).
    if let Some(k) = (from.saturating_sub(max / 3)..from)
        .rev()
        .find(|&k| k > 0 && ends_sentence(k))
    {
        from = k;
    }
    // Run on to the end of the sentence if it is close.
    if let Some(k) = (end..(end + max / 4).min(len)).find(|&k| ends_sentence(k)) {
        end = k;
    }
    let to = end.min(len);
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(&text[at(from)..at(to)]);
    if to < len {
        out.push('…');
    }
    out
}

/// Byte ranges of the sentences of `text`: split after `。！？；` and line
/// breaks; a piece shorter than a few characters joins the next one.
pub fn sentences(text: &str) -> Vec<std::ops::Range<usize>> {
    const MIN_CHARS: usize = 6;
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    let mut chars = 0;
    for (b, c) in text.char_indices() {
        chars += 1;
        if matches!(c, '。' | '！' | '？' | '；' | ';' | '\n') {
            let end = b + c.len_utf8();
            if chars >= MIN_CHARS {
                out.push(start..end);
                start = end;
                chars = 0;
            }
        }
    }
    if start < text.len() {
        if chars < MIN_CHARS && !out.is_empty() {
            out.last_mut().expect("not empty").end = text.len();
        } else {
            out.push(start..text.len());
        }
    }
    out.retain(|r| text[r.clone()].chars().any(|c| !c.is_whitespace()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn highlight_merges_overlaps() {
        let r = highlight("广东省开展广东开学第一课", &["广东".to_string(), "广东省".to_string()]);
        assert_eq!(r, vec![0..9, 15..21]);
    }

    #[test]
    fn occurrences_are_those_of_memmem() {
        let long = "质量月活动期间，各地开展质量宣传。".repeat(2);
        let cases: Vec<(String, String)> = vec![
            (
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
                "aaaaaaaaaaaaaaaaaaaa".into(),
            ),
            (format!("{long}{long}x{long}"), long.clone()),
            (
                "abcabcabcabcabcabcabcabcabcabcabcabd".into(),
                "abcabcabcabcabcabd".into(),
            ),
            ("short".into(), "or".into()),
            ("none here".into(), "absent needle longer than sixteen".into()),
        ];
        for (hay, needle) in &cases {
            let want: Vec<usize> = memchr::memmem::find_iter(hay.as_bytes(), needle.as_bytes()).collect();
            let got: Vec<usize> = occurrences(hay.as_bytes(), needle.as_bytes()).collect();
            assert_eq!(got, want, "{needle} in {hay}");
        }
        assert!(!has_ascii_uppercase("质量月".repeat(20).as_bytes()));
        assert!(has_ascii_uppercase(format!("{}QC", "质量月".repeat(20)).as_bytes()));
    }

    #[test]
    fn marks_built_once_highlight_as_the_words_do() {
        let words = |w: &[&str]| w.iter().map(|m| m.to_string()).collect::<Vec<String>>();
        let text = "广东省QC小组、ISO 9001，广东开学第一课";
        let listed = words(&["广东", "", "qc"]);
        let marks = Marks::new(&listed);
        let extra = words(&["iso 9001", "广东省"]);
        let r = marks.highlight(text, &extra);
        assert_eq!(r, highlight(text, &words(&["广东", "qc", "iso 9001", "广东省"])));
        let marked: Vec<&str> = r.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(marked, vec!["广东省QC", "ISO 9001", "广东"]);
        assert!(Marks::new(&[] as &[&str]).highlight(text, &[]).is_empty());
    }

    /// The first version of [`snippet_of`], kept to check the faster one.
    fn snippet_of_by_all_chars(text: &str, marked: &[std::ops::Range<usize>], max: usize) -> String {
        let at: Vec<usize> = text.char_indices().map(|(b, _)| b).chain([text.len()]).collect();
        let len = at.len() - 1;
        if len <= max {
            return text.to_string();
        }
        let char_of = |byte: usize| at.partition_point(|&b| b < byte);
        let ends_sentence = |k: usize| matches!(text[at[k - 1]..at[k]].chars().next(), Some('。' | '；' | '\n'));
        let hits: Vec<(usize, usize)> = marked
            .iter()
            .map(|r| {
                let start = char_of(r.start);
                (start, (char_of(r.end) - start).pow(2))
            })
            .collect();
        let mut best = (0usize, 0usize);
        for &(s, _) in &hits {
            let from = s.saturating_sub(max / 5);
            let n: usize = hits
                .iter()
                .filter(|(x, _)| *x >= from && *x < from + max)
                .map(|(_, w)| w)
                .sum();
            if n > best.1 {
                best = (from, n);
            }
        }
        let mut from = best.0.min(len.saturating_sub(max));
        let mut end = from + max;
        if let Some(k) = (from.saturating_sub(max / 3)..from)
            .rev()
            .find(|&k| k > 0 && ends_sentence(k))
        {
            from = k;
        }
        if let Some(k) = (end..(end + max / 4).min(len)).find(|&k| ends_sentence(k)) {
            end = k;
        }
        let to = end.min(len);
        let mut out = String::new();
        if from > 0 {
            out.push('…');
        }
        out.push_str(&text[at[from]..at[to]]);
        if to < len {
            out.push('…');
        }
        out
    }

    #[test]
    fn snippets_are_those_of_the_first_version() {
        let pieces = [
            "质量月",
            "活动",
            "。",
            "；",
            "\n",
            "QC小组",
            "开展",
            "宣传周",
            "，",
            "ab",
        ];
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        for round in 0..300 {
            let text: String = (0..20 + round % 200).map(|_| pieces[next(pieces.len())]).collect();
            let marks = [pieces[next(pieces.len())], pieces[next(pieces.len())]];
            let marked = highlight(&text, &marks);
            for max in [5, 12, 40, 220] {
                assert_eq!(
                    snippet_of(&text, &marked, max),
                    snippet_of_by_all_chars(&text, &marked, max),
                    "{text:?} {marks:?} {max}"
                );
            }
        }
    }

    #[test]
    fn snippet_centres_on_marks() {
        let text = format!("{}水利工程质量监督导则。{}", "甲".repeat(300), "乙".repeat(300));
        let s = snippet(&text, &["水利".to_string()], 100);
        assert!(s.contains("水利工程质量监督导则"), "{s}");
        assert!(s.chars().count() <= 102);
    }

    #[test]
    fn sentences_split_at_stops_and_keep_short_pieces_together() {
        let t = "一、要求。请于10月15日前报送总结；联系电话见附件。\n好。";
        let parts: Vec<&str> = sentences(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(
            parts,
            vec!["一、要求。请于10月15日前报送总结；", "联系电话见附件。\n好。"]
        );
        assert!(sentences("").is_empty());
    }

    #[test]
    fn shorten_counts_chars() {
        assert_eq!(shorten("质量月活动", 3), "质量月…");
        assert_eq!(shorten("质量", 3), "质量");
    }
}
