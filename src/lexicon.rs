//! `data/lexicon.toml`: the vocabulary read with the corpus — domain words
//! for the tokenizer, an English glossary, and the ministries, associations
//! and cities the notices name (with aliases, English names and topic words).
//!
//! The file sits next to `catalog.toml`. A data directory without one uses
//! the shipped `data/lexicon.toml`, compiled into the binary
//! ([`Lexicon::shipped`]), so a corpus made of a catalog alone still knows
//! the usual bodies; a data directory with its own file uses only that file.
//!
//! Words the notices define themselves are not listed but derived when the
//! corpus loads ([`derived_words`]): quoted phrases (`“江苏精品”`,
//! `《质量强国建设纲要》`), slogan and theme lines.

use crate::entities::{self, EntityKind, EntityRec};
use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// The file name inside the data directory.
pub const FILE: &str = "lexicon.toml";

/// The shipped lexicon, used when the data directory has none.
const SHIPPED: &str = include_str!("../data/lexicon.toml");

/// One `[[entity]]` table: a body the notices name.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EntityEntry {
    /// The canonical name, as the newest notices write it.
    pub name: String,
    /// What kind of body it is.
    pub kind: EntityKind,
    /// Other Chinese names: full, short and former names.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// English names and acronyms (matched case-insensitively).
    #[serde(default)]
    pub en: Vec<String>,
    /// Words of the body's own activities, for texts that lost who did what.
    #[serde(default)]
    pub topics: Vec<String>,
}

/// The vocabulary of `lexicon.toml`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    /// Domain words the tokenizer's dictionary lacks, always cut whole.
    #[serde(default)]
    pub words: Vec<String>,
    /// English word or phrase (lower case) → the notices' word for it.
    #[serde(default)]
    pub glossary: BTreeMap<String, String>,
    /// Everyday word of questions → the notices' words for it (`照片` →
    /// `图片`). The keys are cut whole by the tokenizer too.
    #[serde(default)]
    pub synonyms: BTreeMap<String, Vec<String>>,
    /// Ministries, associations and cities (`[[entity]]`).
    #[serde(default, rename = "entity")]
    pub entities: Vec<EntityEntry>,
}

static SHIPPED_LEXICON: LazyLock<Lexicon> =
    LazyLock::new(|| Lexicon::parse(SHIPPED, Path::new(FILE)).expect("the shipped data/lexicon.toml is valid"));

impl Lexicon {
    /// The shipped `data/lexicon.toml` (compiled in).
    pub fn shipped() -> Lexicon {
        SHIPPED_LEXICON.clone()
    }

    /// Reads `dir/lexicon.toml`, or the shipped lexicon when there is none.
    pub fn load(dir: &Path) -> Result<Lexicon> {
        let path = dir.join(FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Lexicon::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Lexicon::shipped()),
            Err(source) => Err(Error::Io { path, source }),
        }
    }

    /// Parses and checks a lexicon; `path` names it in errors. English
    /// names and glossary keys are lower-cased.
    pub fn parse(text: &str, path: &Path) -> Result<Lexicon> {
        let invalid = |message: String| Error::Invalid {
            path: PathBuf::from(path),
            message,
        };
        let mut lexicon: Lexicon = toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        lexicon.words.retain(|w| !w.trim().is_empty());
        lexicon.glossary = std::mem::take(&mut lexicon.glossary)
            .into_iter()
            .map(|(en, zh)| (en.trim().to_lowercase(), zh.trim().to_string()))
            .collect();
        if let Some((en, _)) = lexicon.glossary.iter().find(|(en, zh)| en.is_empty() || zh.is_empty()) {
            return Err(invalid(format!("[glossary] entry {en:?} is empty")));
        }
        lexicon.synonyms = std::mem::take(&mut lexicon.synonyms)
            .into_iter()
            .map(|(k, v)| {
                let v: Vec<String> = v
                    .iter()
                    .map(|w| w.trim().to_string())
                    .filter(|w| !w.is_empty())
                    .collect();
                (k.trim().to_lowercase(), v)
            })
            .collect();
        if let Some((k, _)) = lexicon.synonyms.iter().find(|(k, v)| k.is_empty() || v.is_empty()) {
            return Err(invalid(format!("[synonyms] entry {k:?} is empty")));
        }
        for k in lexicon.synonyms.keys() {
            if !lexicon.words.contains(k) {
                lexicon.words.push(k.clone());
            }
        }
        // Every name, built-in ones included, belongs to one body only.
        let mut owner: HashMap<String, String> = HashMap::new();
        for p in entities::provinces() {
            for n in p.names {
                owner.insert(n, format!("{} (built in)", p.name));
            }
        }
        for (i, e) in lexicon.entities.iter_mut().enumerate() {
            let at = format!("[[entity]] #{} (name = {:?})", i + 1, e.name);
            e.name = e.name.trim().to_string();
            if e.name.is_empty() {
                return Err(invalid(format!("{at}: `name` is empty")));
            }
            e.aliases = e
                .aliases
                .iter()
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect();
            e.en =
                e.en.iter()
                    .map(|s| s.trim().to_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect();
            for n in std::iter::once(&e.name).chain(&e.aliases) {
                if let Some(other) = owner.insert(n.clone(), at.clone()) {
                    if other != at {
                        return Err(invalid(format!("{at}: the name {n:?} already belongs to {other}")));
                    }
                }
            }
        }
        Ok(lexicon)
    }

    /// The registry's entities: the built-in provinces, then the lexicon's.
    pub fn entities(&self) -> Vec<EntityRec> {
        let mut all = entities::provinces();
        all.extend(self.entities.iter().map(|e| EntityRec {
            name: e.name.clone(),
            kind: e.kind,
            names: std::iter::once(&e.name).chain(&e.aliases).cloned().collect(),
            en: e.en.clone(),
            topics: e.topics.clone(),
        }));
        all
    }

    /// The glossary, ready for matching.
    pub fn glossary(&self) -> Glossary {
        let mut pairs: Vec<(String, String)> = self.glossary.clone().into_iter().collect();
        pairs.sort_by_key(|(en, _)| std::cmp::Reverse(en.len()));
        // Compact, to stay in cache while a question is read.
        let single = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .build(pairs.iter().map(|(en, _)| en))
            .expect("glossary words");
        Glossary {
            single,
            pairs,
            synonyms: self.synonyms.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        }
    }
}

/// English words and phrases of questions and the notices' words for them,
/// longest phrase first.
#[derive(Debug, Clone)]
pub struct Glossary {
    pairs: Vec<(String, String)>,
    synonyms: rustc_hash::FxHashMap<String, Vec<String>>,
    /// Finds which pairs' English words occur in a text, in one pass.
    single: aho_corasick::AhoCorasick,
}

impl Glossary {
    /// The notices' word for the English `word` (lower case).
    pub fn get(&self, word: &str) -> Option<&str> {
        self.pairs.iter().find(|(en, _)| en == word).map(|(_, zh)| zh.as_str())
    }

    /// The notices' words for the everyday word `word` (`照片` → `图片`).
    pub fn synonyms(&self, word: &str) -> Option<&[String]> {
        self.synonyms.get(word).map(Vec::as_slice)
    }

    /// Every pair, longest English phrase first.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(en, zh)| (en.as_str(), zh.as_str()))
    }

    /// The pairs, in [`Glossary::iter`]'s order, whose English may be found
    /// in `text` once earlier pairs' words are blanked out: those it holds
    /// now, and the phrases with a space (blanking a phrase leaves a space
    /// that may complete one; it cannot complete a single word).
    pub fn candidates<'a>(&'a self, text: &str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let mut held = vec![false; self.pairs.len()];
        for m in self.single.find_overlapping_iter(text) {
            held[m.pattern().as_usize()] = true;
        }
        self.pairs
            .iter()
            .zip(held)
            .filter(|((en, _), held)| *held || en.contains(' '))
            .map(|((en, zh), _)| (en.as_str(), zh.as_str()))
    }
}

/// Shortest and longest derived word, in characters. Two-character words are
/// in the dictionary already; longer phrases are sentences, not words.
const DERIVED_CHARS: std::ops::RangeInclusive<usize> = 3..=8;

/// Words the notices define themselves: the runs of Han characters (three to
/// eight) inside quotes and book-title marks of `passages` (`“美豫名品”`,
/// `“质量强国 文化润疆”` → 质量强国, 文化润疆) and of `lines` (slogans and
/// themes: `增强质量意识 推进高质量发展`). Sorted shortest first, without
/// duplicates.
pub fn derived_words<'a>(
    passages: impl IntoIterator<Item = &'a str>,
    lines: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    static QUOTED: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"[“‘《「『]([^“”‘’《》「」『』\n]{1,60})[”’》」』]").expect("built-in pattern")
    });
    static HAN_RUN: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"\p{Han}+").expect("built-in pattern"));
    let mut words: Vec<String> = Vec::new();
    let mut take = |text: &str| {
        for run in HAN_RUN.find_iter(text) {
            if DERIVED_CHARS.contains(&run.as_str().chars().count()) {
                words.push(run.as_str().to_string());
            }
        }
    };
    for p in passages {
        for c in QUOTED.captures_iter(p) {
            take(&c[1]);
        }
    }
    for l in lines {
        take(l);
    }
    words.sort_by(|a, b| a.chars().count().cmp(&b.chars().count()).then_with(|| a.cmp(b)));
    words.dedup();
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_lexicon_is_valid() {
        let lex = Lexicon::shipped();
        assert!(lex
            .entities
            .iter()
            .any(|e| e.name == "中国人民银行" && e.aliases.contains(&"央行".to_string())));
        assert_eq!(lex.glossary().get("water resources"), Some("水利"));
        assert!(lex.words.contains(&"质量月".to_string()));
        let reg = lex.entities();
        assert!(reg.iter().any(|e| e.name == "广东省" && e.kind == EntityKind::Province));
        assert!(reg.iter().any(|e| e.name == "福州市" && e.kind == EntityKind::City));
    }

    #[test]
    fn a_missing_file_means_the_shipped_lexicon() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|source| Error::Io {
            path: PathBuf::from("tempdir"),
            source,
        })?;
        assert_eq!(Lexicon::load(dir.path())?, Lexicon::shipped());
        Ok(())
    }

    #[test]
    fn errors_name_the_problem() {
        let path = Path::new("data/lexicon.toml");
        let unknown = Lexicon::parse("wordz = []", path).unwrap_err().to_string();
        assert!(
            unknown.contains("lexicon.toml") && unknown.contains("wordz"),
            "{unknown}"
        );
        let kind = Lexicon::parse("[[entity]]\nname = \"某局\"\nkind = \"bureau\"", path).unwrap_err();
        assert!(kind.to_string().contains("bureau"), "{kind}");
        let twice = Lexicon::parse(
            "[[entity]]\nname = \"甲局\"\nkind = \"ministry\"\naliases = [\"粤\"]",
            path,
        )
        .unwrap_err();
        assert!(twice.to_string().contains("广东省"), "{twice}");
    }

    #[test]
    fn english_is_lower_cased() -> Result<()> {
        let lex = Lexicon::parse(
            "[glossary]\n\"Spot Check\" = \"抽查\"\n[[entity]]\nname = \"甲局\"\nkind = \"ministry\"\nen = [\"ABC\"]",
            Path::new("x.toml"),
        )?;
        assert_eq!(lex.glossary().get("spot check"), Some("抽查"));
        assert_eq!(lex.entities[0].en, vec!["abc"]);
        Ok(())
    }

    #[test]
    fn words_come_from_quotes_and_lines() {
        let words = derived_words(
            [
                "培育“江苏精品”，开展“质量强国 文化润疆”活动，宣贯《质量强国建设纲要》。",
                "引号外的好房子不算",
            ],
            ["增强质量意识 推进高质量发展"],
        );
        for w in [
            "江苏精品",
            "质量强国",
            "文化润疆",
            "质量强国建设纲要",
            "增强质量意识",
            "推进高质量发展",
        ] {
            assert!(words.contains(&w.to_string()), "{w} not in {words:?}");
        }
        assert!(!words.iter().any(|w| w.contains("好房子")), "{words:?}");
        assert!(words.windows(2).all(|p| p[0].chars().count() <= p[1].chars().count()));
    }
}
