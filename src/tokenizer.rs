//! A tantivy tokenizer over a shared jieba instance, in search mode (so 广东省
//! also yields 广东), dropping punctuation and whitespace, lower-casing ASCII.
//! The same [`terms`] function tokenizes questions, so index and query agree.

use jieba_rs::{Jieba, TokenizeMode};
use std::sync::Arc;
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
    let mut jieba = Jieba::new();
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

/// Whether `word` contains a shorter dictionary word of four or more characters.
fn holds_a_long_word(jieba: &Jieba, word: &str) -> bool {
    let at: Vec<usize> = word.char_indices().map(|(b, _)| b).chain([word.len()]).collect();
    let n = at.len() - 1;
    (4..n).any(|len| (0..=n - len).any(|i| jieba.has_word(&word[at[i]..at[i + len]])))
}

fn keep(word: &str) -> bool {
    word.chars().any(|c| c.is_alphanumeric())
}

/// One token: the normalised word and its byte range in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The lower-cased word.
    pub text: String,
    /// Byte offset of the word's start in the input.
    pub from: usize,
    /// Byte offset just past the word.
    pub to: usize,
}

/// Tokenizes `text` in search mode; byte offsets point into `text`.
pub fn terms(jieba: &Jieba, text: &str) -> Vec<Term> {
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

/// `word` in lower case; Chinese words (no upper case) are only copied.
fn lower(word: &str) -> String {
    if word.chars().any(char::is_uppercase) {
        word.to_lowercase()
    } else {
        word.to_string()
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
                text: t.text,
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
            .map(|t| t.text)
            .collect();
        assert!(words.contains(&"广东".to_string()), "{words:?}");
        assert!(words.contains(&"广东省".to_string()), "{words:?}");
        assert!(words.contains(&"质量月".to_string()), "{words:?}");
    }

    #[test]
    fn derived_words_are_cut_whole_unless_they_hide_a_word() {
        let words: Vec<String> = terms(&JIEBA, "质量强国 文化润疆").into_iter().map(|t| t.text).collect();
        assert!(words.contains(&"文化润疆".to_string()), "{words:?}");
        assert!(JIEBA.has_word("质量强国") && !JIEBA.has_word("建设质量强国"));
    }

    #[test]
    fn punctuation_is_dropped_and_ascii_lowercased() {
        let words: Vec<String> = terms(&JIEBA, "“QC小组”，（ISO）！")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert!(
            words.iter().all(|w| w.chars().any(|c| c.is_alphanumeric())),
            "{words:?}"
        );
        assert!(words.contains(&"qc".to_string()), "{words:?}");
        assert!(words.contains(&"iso".to_string()), "{words:?}");
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
