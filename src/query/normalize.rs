//! Normalisation: simplified characters, half-width forms (but Chinese
//! punctuation), no control characters or markup, a bounded length, and
//! lower case.

use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

use super::MAX_CHARS;

/// Chinese punctuation that stays full-width in a normalised question.
const CHINESE_PUNCTUATION: [char; 7] = ['（', '）', '：', '，', '！', '？', '；'];

/// Folds compatibility forms to their plain characters (Unicode NFKC):
/// full-width digits, letters and signs to ASCII (`２０２４` → `2024`), the
/// ideographic space to a space, compatibility ideographs to the unified ones.
pub fn fold_width(text: &str) -> String {
    if text.chars().all(nfkc_stable) {
        return text.to_string();
    }
    match unicode_normalization::is_nfkc_quick(text.chars()) {
        unicode_normalization::IsNormalized::Yes => text.to_string(),
        _ => text.nfkc().collect(),
    }
}

/// Characters NFKC leaves as they are that most questions consist of
/// (ASCII, the unified ideographs, the usual Chinese quotes and brackets),
/// checked before the general (table) test.
fn nfkc_stable(c: char) -> bool {
    c.is_ascii()
        || matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3001}'..='\u{3003}' | '\u{3007}'..='\u{3011}' | '\u{3014}'..='\u{301b}')
        || matches!(c, '‘' | '’' | '“' | '”' | '—' | '·')
}

/// Simplified, half-width (except Chinese punctuation), without control
/// characters, truncated.
pub fn normalize(q: &str) -> String {
    static TAG: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"</?[A-Za-z][^<>]{0,60}>").unwrap());
    let head = chars_prefix(q, MAX_CHARS * 2);
    let untagged = match head.contains('<') {
        true => TAG.replace_all(head, " "),
        false => Cow::Borrowed(head),
    };
    let cleaned: Cow<str> = if untagged.chars().any(char::is_control) {
        Cow::Owned(untagged.chars().filter(|c| !c.is_control()).collect())
    } else {
        untagged
    };
    // Chinese punctuation stays as it is, so a question of stable characters
    // and such punctuation (`…是什么？`, most questions) has nothing to fold.
    let stable = cleaned
        .chars()
        .all(|c| nfkc_stable(c) || CHINESE_PUNCTUATION.contains(&c))
        || unicode_normalization::is_nfkc_quick(cleaned.chars()) == unicode_normalization::IsNormalized::Yes;
    let folded: Cow<str> = match stable {
        true => cleaned,
        false => Cow::Owned(fold_but_punctuation(&cleaned)),
    };
    to_simplified(chars_prefix(&folded, MAX_CHARS))
}

/// `text` folded with [`fold_width`] between its Chinese punctuation, which
/// stays full-width.
fn fold_but_punctuation(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for piece in text.split_inclusive(CHINESE_PUNCTUATION) {
        match piece.strip_suffix(CHINESE_PUNCTUATION) {
            Some(body) => {
                folded.push_str(&fold_width(body));
                folded.push_str(&piece[body.len()..]);
            }
            None => folded.push_str(&fold_width(piece)),
        }
    }
    folded
}

/// `text` in simplified characters, as `fast2s::convert` gives it; text
/// with no character fast2s may change (most questions) is only copied,
/// without fast2s's table lookups for every character.
pub(super) fn to_simplified(text: &str) -> String {
    if text.chars().all(|c| !maybe_traditional(c)) {
        return text.to_string();
    }
    fast2s::convert(text)
}

/// Whether fast2s may change `c` (it looks at three-byte characters only).
pub(super) fn maybe_traditional(c: char) -> bool {
    const FIRST: u32 = 0x800;
    match c.len_utf8() {
        3 => {
            let i = (c as u32 - FIRST) as usize;
            CHANGEABLE[i / 64] & (1 << (i % 64)) != 0
        }
        _ => false,
    }
}

/// The three-byte characters fast2s changes on their own, and those it
/// changes only next to certain others (its special cases, which keep the
/// character alone): one bit per character from U+0800 to U+FFFF.
static CHANGEABLE: std::sync::LazyLock<Vec<u64>> = std::sync::LazyLock::new(|| {
    const IN_CONTEXT_ONLY: [char; 3] = ['藉', '著', '苧'];
    let mut bits = vec![0u64; (0x10000 - 0x800) / 64];
    let mut one = String::with_capacity(4);
    for code in 0x800u32..0x10000 {
        let Some(c) = char::from_u32(code) else { continue };
        one.clear();
        one.push(c);
        if IN_CONTEXT_ONLY.contains(&c) || fast2s::convert(&one) != one {
            let i = (code - 0x800) as usize;
            bits[i / 64] |= 1 << (i % 64);
        }
    }
    bits
});

/// Builds the tables [`understand`] needs before its first question (the
/// engine calls this while jieba's dictionary loads).
pub fn prepare() {
    std::sync::LazyLock::force(&CHANGEABLE);
}

/// The first `n` characters of `text`.
pub(super) fn chars_prefix(text: &str, n: usize) -> &str {
    match text.char_indices().nth(n) {
        Some((b, _)) => &text[..b],
        None => text,
    }
}

/// `text` in lower case, as `str::to_lowercase` gives it; text of Chinese
/// characters, punctuation and lower-case ASCII (most questions) is only
/// copied, with no case table looked up.
pub(super) fn to_lower(text: &str) -> String {
    let caseless = |c: char| {
        matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3000}'..='\u{303f}' | '\u{2000}'..='\u{206f}' | '\u{ff01}'..='\u{ff20}')
            || c.is_ascii() && !c.is_ascii_uppercase()
    };
    if text.chars().all(caseless) {
        text.to_string()
    } else {
        text.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_text_with_chinese_punctuation_folds_to_itself() {
        let samples = [
            "2023年广东省开展了哪些活动？",
            "中国质量（成都）大会：哪天开？要不要交钱！第一；第二，“质量强国有我”——《纲要》·2024",
            "What about 2019？（主题）",
        ];
        for s in samples {
            assert!(
                s.chars().all(|c| nfkc_stable(c) || CHINESE_PUNCTUATION.contains(&c)),
                "{s}"
            );
            assert_eq!(fold_but_punctuation(s), s);
            assert_eq!(normalize(s), s);
        }
        // Full-width forms still fold.
        assert_eq!(normalize("２０２４年主题？"), "2024年主题？");
    }
}
