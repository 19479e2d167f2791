//! A tantivy tokenizer over a shared jieba instance, in search mode (so 广东省
//! also yields 广东), dropping punctuation and whitespace, lower-casing ASCII.
//! The same [`terms`] function tokenizes questions, so index and query agree.

use jieba_rs::{Jieba, Tag, TokenizeMode};
use std::borrow::Cow;
use std::sync::{Arc, LazyLock};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name the tokenizer is registered under on every index.
pub const NAME: &str = "jieba";

/// How often a listed word (lexicon words, entity names) counts: high, so
/// that it is always cut whole.
const LISTED_FREQ: usize = 50_000;

/// Builds the jieba instance once: the default dictionary plus `listed`
/// words (the lexicon's domain words and the entity names), always cut whole,
/// and `derived` words (phrases the notices quote, slogan and theme lines,
/// see [`crate::lexicon::derived_words`]). A derived word gets just the
/// frequency that joins it when it stands alone, so it does not take over
/// the text around it, and is skipped when it holds a known word of four or
/// more characters: search mode offers only the two- and three-character
/// parts of a word, so 建设质量强省 as a word would hide 质量强省.
pub fn build_jieba<'a>(listed: impl IntoIterator<Item = &'a str>, derived: impl IntoIterator<Item = &'a str>) -> Jieba {
    build_jieba_on(Jieba::new(), listed, derived)
}

/// [`build_jieba`] on a jieba that has the default dictionary loaded (see
/// [`DefaultDictionary`]).
pub fn build_jieba_on<'a>(
    mut jieba: Jieba,
    listed: impl IntoIterator<Item = &'a str>,
    derived: impl IntoIterator<Item = &'a str>,
) -> Jieba {
    for w in listed {
        if w.chars().count() >= 2 {
            jieba.add_word(w, Some(LISTED_FREQ), None);
        }
    }
    for w in derived {
        if !jieba.has_word(w) && !holds_a_long_word(&jieba, w) {
            jieba.add_word(w, None, None);
        }
    }
    jieba
}

/// jieba's default dictionary, loading on a thread of its own: it is most
/// of a cold start (about 350,000 words go into its trie), and the
/// notices can be parsed meanwhile.
pub struct DefaultDictionary(Option<std::thread::JoinHandle<Jieba>>);

impl DefaultDictionary {
    /// Starts loading; where no thread can be started, [`Self::wait`] loads.
    pub fn start() -> DefaultDictionary {
        let handle = std::thread::Builder::new()
            .name("jieba-dictionary".into())
            .spawn(Jieba::new)
            .ok();
        DefaultDictionary(handle)
    }

    /// The loaded jieba.
    pub fn wait(self) -> Jieba {
        self.0.and_then(|h| h.join().ok()).unwrap_or_default()
    }
}

/// Whether `word` contains a shorter dictionary word of four or more characters.
fn holds_a_long_word(jieba: &Jieba, word: &str) -> bool {
    let at: Vec<usize> = word.char_indices().map(|(b, _)| b).chain([word.len()]).collect();
    let n = at.len() - 1;
    (4..n).any(|len| (0..=n - len).any(|i| jieba.has_word(&word[at[i]..at[i + len]])))
}

fn keep(word: &str) -> bool {
    // Most words are Chinese or ASCII: no Unicode table lookup for them.
    word.chars().any(|c| {
        ('\u{4E00}'..='\u{9FFF}').contains(&c) || c.is_ascii_alphanumeric() || !c.is_ascii() && c.is_alphanumeric()
    })
}

/// One token: the normalised word and its byte range in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term<'a> {
    /// The lower-cased word: the input's own bytes unless lower-casing
    /// changed them (most words are Chinese and need no copy).
    pub text: Cow<'a, str>,
    /// Byte offset of the word's start in the input.
    pub from: usize,
    /// Byte offset just past the word.
    pub to: usize,
}

/// Tokenizes `text` in search mode; byte offsets point into `text`.
pub fn terms<'a>(jieba: &Jieba, text: &'a str) -> Vec<Term<'a>> {
    jieba
        .tokenize(text, TokenizeMode::Search, true)
        .into_iter()
        .filter(|t| keep(t.word))
        .map(|t| Term {
            text: lower(t.word),
            from: t.byte_start,
            to: t.byte_end,
        })
        .collect()
}

/// A jieba with no dictionary: it cuts a run of characters by its HMM alone.
static HMM_ONLY: LazyLock<Jieba> = LazyLock::new(Jieba::empty);

/// A question's words from one jieba pass: the terms [`terms`] gives for
/// `text` (the same words in the same order, with the same offsets) and the
/// part of speech of each word of the dictionary cut.
///
/// jieba's HMM only joins what the dictionary route leaves as single
/// characters, so the dictionary cut (which tagging does anyway) is cut
/// again by the HMM only where such a run stands, and search mode's two-
/// and three-character parts are looked up in the dictionary.
pub fn analyse<'a>(jieba: &'a Jieba, text: &'a str) -> (Vec<Term<'a>>, Vec<Tag<'a>>) {
    let tags = jieba.tag(text, false);
    // A word and its two- and three-character parts: room for most at once.
    let mut out = Vec::with_capacity(tags.len() * 2);
    let mut i = 0;
    while i < tags.len() {
        let mut j = i;
        while j < tags.len()
            && single_step(jieba, tags[j].word)
            && (j == i || tags[j - 1].byte_end == tags[j].byte_start)
        {
            j += 1;
        }
        if j == i {
            search_words(jieba, tags[i].word, tags[i].byte_start, &mut out);
            i += 1;
            continue;
        }
        let from = tags[i].byte_start;
        let run = &text[from..tags[j - 1].byte_end];
        if run.chars().nth(1).is_none() {
            search_words(jieba, run, from, &mut out);
        } else if jieba.has_word(run) {
            for (b, c) in run.char_indices() {
                search_words(jieba, &run[b..b + c.len_utf8()], from + b, &mut out);
            }
        } else {
            for t in HMM_ONLY.cut(run, true) {
                search_words(jieba, t.word, from + t.byte_start, &mut out);
            }
        }
        i = j;
    }
    (out, tags)
}

/// Whether jieba's dictionary route took `word` as single characters: one
/// character of a dictionary block, or a run of ASCII letters and digits
/// the route joined (not a dictionary word).
fn single_step(jieba: &Jieba, word: &str) -> bool {
    let mut chars = word.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => in_block(c),
        (Some(_), Some(_)) => word.bytes().all(|b| b.is_ascii_alphanumeric()) && !jieba.has_word(word),
        _ => false,
    }
}

/// The characters jieba cuts by dictionary (its default block class).
fn in_block(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2EBEF}'
        | '\u{2F800}'..='\u{2FA1F}')
        || c.is_ascii_alphanumeric()
        || matches!(c, '+' | '#' | '&' | '.' | '_' | '%' | '-')
}

/// Search mode's words for one word of the cut at byte `at`: the parts of
/// an identifier joined by `.`, `_` or `-`, its two- and three-character
/// dictionary words, then the word itself.
fn search_words<'a>(jieba: &Jieba, word: &'a str, at: usize, out: &mut Vec<Term<'a>>) {
    let mut push = |w: &'a str, from: usize| {
        if keep(w) {
            out.push(Term {
                text: lower(w),
                from,
                to: from + w.len(),
            });
        }
    };
    if word.bytes().any(|b| matches!(b, b'.' | b'_' | b'-')) {
        let mut offset = 0;
        for part in word.split(['.', '_', '-']) {
            if part.len() >= 2 && part.bytes().any(|b| b.is_ascii_alphabetic()) {
                push(part, at + offset);
            }
            offset += part.len() + 1;
        }
    }
    // Only words of three characters or more have parts.
    if word.len() > 2 && word.chars().nth(2).is_some() && in_block(word.chars().next().unwrap_or(' ')) {
        let n = word.chars().count();
        let mut stack = [0usize; 32];
        let mut heap = Vec::new();
        let bytes: &mut [usize] = if n < stack.len() {
            &mut stack[..=n]
        } else {
            heap.resize(n + 1, 0);
            &mut heap
        };
        for (k, (b, _)) in word.char_indices().enumerate() {
            bytes[k] = b;
        }
        bytes[n] = word.len();
        for len in [2, 3] {
            if n > len {
                for k in 0..=n - len {
                    let gram = &word[bytes[k]..bytes[k + len]];
                    if jieba.has_word(gram) {
                        push(gram, at + bytes[k]);
                    }
                }
            }
        }
    }
    push(word, at);
}

/// `word` in lower case; Chinese words (no upper case) are borrowed.
fn lower(word: &str) -> Cow<'_, str> {
    let upper = if word.is_ascii() {
        word.bytes().any(|b| b.is_ascii_uppercase())
    } else {
        word.chars()
            .any(|c| !('\u{4E00}'..='\u{9FFF}').contains(&c) && c.is_uppercase())
    };
    if upper {
        Cow::Owned(word.to_lowercase())
    } else {
        Cow::Borrowed(word)
    }
}

/// The tantivy tokenizer.
#[derive(Clone)]
pub struct JiebaTokenizer {
    jieba: Arc<Jieba>,
}

impl JiebaTokenizer {
    /// A tokenizer sharing `jieba`.
    pub fn new(jieba: Arc<Jieba>) -> Self {
        JiebaTokenizer { jieba }
    }
}

/// The token stream of one text.
pub struct JiebaTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream {
        let tokens = terms(&self.jieba, text)
            .into_iter()
            .enumerate()
            .map(|(position, t)| Token {
                offset_from: t.from,
                offset_to: t.to,
                position,
                text: t.text.into_owned(),
                position_length: 1,
            })
            .collect();
        JiebaTokenStream { tokens, index: 0 }
    }
}

impl TokenStream for JiebaTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static JIEBA: LazyLock<Jieba> =
        LazyLock::new(|| build_jieba(["住房和城乡建设部", "质量月", "质量强国"], ["文化润疆", "建设质量强国"]));

    #[test]
    fn offsets_are_byte_offsets_into_the_input() {
        let text = "2024年全国“质量月”：广东省召开大会";
        for t in terms(&JIEBA, text) {
            assert_eq!(&text[t.from..t.to].to_lowercase(), &t.text);
        }
    }

    #[test]
    fn search_mode_yields_short_names_and_domain_words() {
        let words: Vec<String> = terms(&JIEBA, "广东省开展质量月活动")
            .into_iter()
            .map(|t| t.text.into_owned())
            .collect();
        assert!(words.contains(&"广东".to_string()), "{words:?}");
        assert!(words.contains(&"广东省".to_string()), "{words:?}");
        assert!(words.contains(&"质量月".to_string()), "{words:?}");
    }

    #[test]
    fn derived_words_are_cut_whole_unless_they_hide_a_word() {
        let words: Vec<String> = terms(&JIEBA, "质量强国 文化润疆")
            .into_iter()
            .map(|t| t.text.into_owned())
            .collect();
        assert!(words.contains(&"文化润疆".to_string()), "{words:?}");
        assert!(JIEBA.has_word("质量强国") && !JIEBA.has_word("建设质量强国"));
    }

    #[test]
    fn punctuation_is_dropped_and_ascii_lowercased() {
        let words: Vec<String> = terms(&JIEBA, "“QC小组”，（ISO）！")
            .into_iter()
            .map(|t| t.text.into_owned())
            .collect();
        assert!(
            words.iter().all(|w| w.chars().any(|c| c.is_alphanumeric())),
            "{words:?}"
        );
        assert!(words.contains(&"qc".to_string()), "{words:?}");
        assert!(words.contains(&"iso".to_string()), "{words:?}");
    }

    #[test]
    fn one_pass_analysis_gives_the_search_mode_terms() {
        let jieba = build_jieba(["质量月", "QC小组"], ["文化润疆"]);
        for text in [
            "2024年全国“质量月”：广东省召开大会",
            "中央企业QC小组成果发表赛是谁办的",
            "“全民讲质量”后半句是啥来着？",
            "WES-5.4.5 与 ISO9001、3.6.3 版本 a_b c.d",
            "Do companies have to take part in Quality Month activities?",
            "福建18年质量月,活动总结最晚哪天前报上去",
            "参加中国质量（成都）大会门票多少钱\r\n嗯嗯啊啊",
            "",
            "🙂<b>x</b> ％ 100%达标",
        ] {
            let (words, tags) = analyse(&jieba, text);
            assert_eq!(words, terms(&jieba, text), "{text}");
            assert_eq!(tags, jieba.tag(text, false), "{text}");
        }
    }

    #[test]
    fn tantivy_stream_matches_terms() {
        let mut tok = JiebaTokenizer::new(Arc::new(build_jieba([], [])));
        let mut stream = tok.token_stream("深入贯彻质量强国建设纲要");
        let mut n = 0;
        while stream.advance() {
            assert_eq!(stream.token().position, n);
            n += 1;
        }
        assert!(n >= 3);
    }
}
