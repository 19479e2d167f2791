//! The engine: loads the corpus, builds the index once, and answers
//! questions with quotes and citations.

use crate::answer::{Answer, Block, Citation, Lang};
use crate::catalog::Notice;
use crate::corpus::Corpus;
use crate::entities::{self, EntityKind, EntityRec, Registry};
use crate::error::Result;
use crate::index::SearchIndex;
use crate::lexicon::{Glossary, Lexicon};
use crate::messages as msg;
use crate::parse::Kind;
pub use crate::parse::Scope;
use crate::query::{self, Question, YearRef};
use chrono::{Datelike, NaiveDate};
use jieba_rs::Jieba;
use regex::Regex;
use std::path::Path;
use std::sync::{Arc, LazyLock};

mod coverage;
mod facts;
mod guards;
mod issuers;
mod items;
mod lists;
mod notice;
mod outline;
mod parts;
mod router;
mod search;
mod slogans;
#[cfg(test)]
mod tests;
pub mod text;
mod theme;

use text::{compact, sorted_years, title_case};
pub use text::{highlight, shorten, snippet};

/// One slogan list of one notice (a national list, or a region's own list
/// such as Fujian's 2018 slogans).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SloganList {
    /// The year of the notice.
    pub year: i32,
    /// National, or the region whose own list it is, e.g. `福建省`.
    pub scope: Scope,
    /// The list's heading as the notice gives it.
    pub title: String,
    /// Index into [`Engine::notices`].
    pub notice: usize,
    /// Section label, e.g. `附件4`.
    pub section: String,
    /// The slogans in order (numbering stripped); slogan `i` is number `i + 1`.
    pub items: Vec<String>,
}

/// A passage with where it comes from.
#[derive(Debug, Clone)]
struct Passage {
    notice: usize,
    year: i32,
    section: String,
    kind: Kind,
    who: Vec<String>,
    text: String,
    lower: String,
    compact: String,
    /// Byte ranges of the sentences of `text`.
    sentences: Vec<std::ops::Range<usize>>,
    /// The kinds of answer each sentence holds (a date, a place …), as
    /// [`query::asks::kinds`] bit sets.
    holds: Vec<u8>,
    /// The answers each sentence gives, of each kind it holds: the kind's
    /// bit and the answer's byte range in the sentence, trimmed (found at
    /// load, for the sentence that leads a reply).
    answers: Vec<Vec<(u8, std::ops::Range<usize>)>>,
    /// The entities each sentence names (indices, found at load once the
    /// registry is built).
    named: Vec<Vec<usize>>,
    /// The first document number the text names (a forwarded notice's).
    doc_ref: Option<query::DocRef>,
    /// Whether the text has an ASCII digit (a count question prefers such passages).
    digits: bool,
}

#[derive(Debug, Clone)]
struct Theme {
    year: i32,
    scope: Scope,
    text: String,
    passage: usize,
}

/// The loaded corpus and its index. Build once, share with `Arc`.
pub struct Engine {
    notices: Vec<Notice>,
    regions: Vec<Option<String>>,
    passages: Vec<Passage>,
    themes: Vec<Theme>,
    slogans: Vec<SloganList>,
    entities: Registry,
    glossary: Glossary,
    jieba: Arc<Jieba>,
    index: SearchIndex,
    /// Every passage's text without whitespace, one passage a line, as a
    /// suffix array: whether a phrase occurs in the notices at all, and
    /// where, without scanning them.
    corpus: suffix::SuffixTable<'static, 'static>,
    /// The bodies listed above each document number, in reading order.
    headers: Vec<issuers::Header>,
    /// Where each passage starts in `corpus`.
    starts: Vec<usize>,
    /// The passages that state when a year's activity runs, as shown (with
    /// a short heading above them), newest year first.
    openings: Vec<(usize, String)>,
    /// Per entity: the stems of its names (`广东省`, `广东`) and their
    /// search terms, cut once at load.
    stems: Vec<Vec<String>>,
    stem_terms: Vec<Vec<String>>,
    /// Per notice: its printing date and the document numbers it mentions.
    notice_facts: Vec<facts::NoticeFacts>,
    /// Every count the passages state (`25个部门`).
    /// The years the notices cover, ascending.
    years: Vec<i32>,
    counts: Vec<facts::StatedCount>,
    /// The first two to four characters after every stated count: a word
    /// none of them starts with is counted nowhere.
    counted: rustc_hash::FxHashSet<String>,
    /// The coverage line of a not-found answer, in Chinese and in English
    /// (it depends only on the years covered).
    coverage: [String; 2],
    /// Per body named as an item's or a body passage's subject, those
    /// passages in reading order.
    by_who: rustc_hash::FxHashMap<String, Vec<usize>>,
    /// Every notice's headed sections and attachment lists.
    outline: outline::Outline,
}

/// The longest quoted snippet, in characters.
const SNIPPET_CHARS: usize = 220;
/// A content word this rare (inverse document frequency) carries a question.
const STRONG_IDF: f32 = 3.0;

static PRINTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d{4})年0?(\d{1,2})月0?(\d{1,2})日印发$").unwrap());
/// The name of an office that prints a notice (`市场监管总局办公厅`).
static OFFICE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\p{Han}{2,20}(?:办公厅|办公室|秘书处)$").unwrap());
static WRITING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:写|创作|编写|编|拟|起草|生成|设计|想)\s*(?:一|几|个|首|篇|条|段|份|些)|帮我写|给我写|请写|(?-u:\b)(?:write|compose|generate|create)(?-u:\b)").unwrap()
});
static WINNERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:谁|哪些|哪家|哪个|名单|哪几).{0,6}(?:[获得拿捧]了?奖|获得|得主|夺冠|胜出|当选|入选|入围|上榜|评上|[一二三特金银铜]等?奖)|(?:[获得拿捧]了?奖|入选|入围|上榜|当选|评上|获评)[^，。？！,?]{0,12}(?:名单|有哪些|是哪些|有谁|是谁|哪几)|颁给了?(?:哪|谁)|[获得拿捧]奖(?:企业|单位|者|名单|作品)|冠军|第一名|前三名|拿了?第一|评出|评选出|选出来|(?-u:\b)who won(?-u:\b)|(?-u:\b)winners?(?-u:\b)").unwrap()
});
static DOC_NUMBER_IN_TEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\p{Han}]{2,8}〔\s*\d{4}\s*〕\s*\d+\s*号").unwrap());

impl Engine {
    /// Loads `dir/catalog.toml` and every notice it lists, and the
    /// vocabulary of `dir/lexicon.toml` (the shipped one when the directory
    /// has none); repairs, parses and indexes the notices.
    pub fn load(dir: impl AsRef<Path>) -> Result<Engine> {
        // jieba's dictionary is most of a cold start: it loads while the
        // files are read, too.
        let dictionary = crate::tokenizer::DefaultDictionary::start();
        Engine::build(Corpus::load(dir.as_ref())?, dictionary)
    }

    /// Builds the engine from catalog entries and their (raw) texts, with the
    /// shipped lexicon.
    pub fn from_texts(notices: Vec<Notice>, texts: &[String]) -> Result<Engine> {
        Engine::from_texts_with(Lexicon::shipped(), notices, texts)
    }

    /// Builds the engine from a lexicon, catalog entries and their (raw) texts.
    pub fn from_texts_with(lexicon: Lexicon, notices: Vec<Notice>, texts: &[String]) -> Result<Engine> {
        Engine::from_corpus(Corpus::from_texts(lexicon, notices, texts))
    }

    /// Builds the engine from a loaded corpus: parses every notice with the
    /// bodies the corpus knows, then indexes the passages.
    pub fn from_corpus(corpus: Corpus) -> Result<Engine> {
        Engine::build(corpus, crate::tokenizer::DefaultDictionary::start())
    }

    /// [`Engine::from_corpus`] with the dictionary already loading: it
    /// loads while the notices are parsed and everything that needs no
    /// words is built.
    fn build(corpus: Corpus, dictionary: crate::tokenizer::DefaultDictionary) -> Result<Engine> {
        let mut passages = Vec::new();
        let mut themes = Vec::new();
        let mut slogans = Vec::new();
        let mut regions = Vec::new();
        for (ni, n) in corpus.notices.iter().enumerate() {
            let region = n.issuer.as_deref().and_then(|i| corpus.known.region_named(i));
            let parsed = corpus.parse(ni);
            let base = passages.len();
            for p in parsed.passages {
                let sentences = text::sentences(&p.text);
                let holds: Vec<u8> = sentences
                    .iter()
                    .map(|r| query::asks::kinds(&p.text[r.clone()]))
                    .collect();
                let answers = sentences
                    .iter()
                    .zip(&holds)
                    .map(|(r, &kinds)| query::asks::all_answers(kinds, p.text[r.clone()].trim()))
                    .collect();
                passages.push(Passage {
                    notice: ni,
                    year: n.year,
                    lower: p.text.to_ascii_lowercase(),
                    doc_ref: query::DocRef::find(&compact(&p.text)).map(|(d, _)| d),
                    compact: compact(&p.text),
                    holds,
                    answers,
                    named: Vec::new(),
                    sentences,
                    digits: p.text.bytes().any(|b| b.is_ascii_digit()),
                    section: p.section,
                    kind: p.kind,
                    who: p.who,
                    text: p.text,
                });
            }
            for t in parsed.themes {
                themes.push(Theme {
                    year: n.year,
                    scope: t.scope,
                    text: t.text,
                    passage: base + t.passage,
                });
            }
            for s in parsed.slogans.into_iter().filter(|s| !s.items.is_empty()) {
                slogans.push(SloganList {
                    year: n.year,
                    scope: s.scope,
                    title: s.title,
                    notice: ni,
                    section: s.section,
                    items: s.items,
                });
            }
            regions.push(region);
        }
        let Corpus {
            notices,
            lexicon,
            known,
            ..
        } = corpus;
        // The entity registry: the known bodies plus those items start with.
        let mut entities_reg: Vec<EntityRec> = known.entities().to_vec();
        for p in &passages {
            for w in &p.who {
                if !entities_reg.iter().any(|e| &e.name == w) && w.chars().count() >= 4 {
                    entities_reg.push(EntityRec::named(w, entities::guess_kind(w)));
                }
            }
        }
        let entities_reg = Registry::new(entities_reg);
        for p in &mut passages {
            p.named = p
                .sentences
                .iter()
                .map(|r| guards::entities_named(&entities_reg, &p.text[r.clone()]))
                .collect();
        }
        // Words the notices define: quoted phrases, slogan and theme lines.
        let derived = crate::lexicon::derived_words(
            passages.iter().map(|p| p.text.as_str()),
            slogans
                .iter()
                .flat_map(|s| s.items.iter())
                .chain(themes.iter().map(|t| &t.text))
                .map(String::as_str),
        );
        let listed = lexicon
            .words
            .iter()
            .chain(entities_reg.iter().flat_map(|e| e.names.iter()))
            .map(String::as_str);
        let mut starts = Vec::with_capacity(passages.len());
        let mut joined = String::new();
        for p in &passages {
            if !joined.is_empty() {
                joined.push('\n');
            }
            starts.push(joined.len());
            joined.push_str(&p.compact);
        }
        let corpus = suffix::SuffixTable::new(joined);
        let openings = notice::openings(&passages);
        let stems: Vec<Vec<String>> = entities_reg.iter().map(EntityRec::stems).collect();
        let notice_facts = facts::notice_facts(notices.len(), &passages);
        let counts = facts::stated_counts(&passages);
        let counted = facts::counted_words(&counts, &passages);
        let headers = issuers::headers(&passages);
        let outline = outline::Outline::new(&passages);
        crate::query::prepare();
        let jieba = Arc::new(crate::tokenizer::build_jieba_on(
            dictionary.wait(),
            listed,
            derived.iter().map(String::as_str),
        ));
        let docs: Vec<(i32, &str)> = passages.iter().map(|p| (p.year, p.text.as_str())).collect();
        let sentences: Vec<&[std::ops::Range<usize>]> = passages.iter().map(|p| p.sentences.as_slice()).collect();
        let index = SearchIndex::build_with_sentences(&docs, &sentences, jieba.clone())?;
        let stem_terms = stems
            .iter()
            .map(|names| {
                let mut out: Vec<String> = Vec::new();
                for t in names.iter().flat_map(|s| crate::tokenizer::terms(&jieba, s)) {
                    if !out.iter().any(|x| *x == t.text) {
                        out.push(t.text.into_owned());
                    }
                }
                out
            })
            .collect();
        let years = text::sorted_years(notices.iter().map(|n| n.year));
        let coverage = [msg::coverage(Lang::Zh, &years), msg::coverage(Lang::En, &years)];
        let mut by_who: rustc_hash::FxHashMap<String, Vec<usize>> = Default::default();
        for (i, p) in passages.iter().enumerate() {
            if matches!(p.kind, Kind::Item | Kind::Body) {
                for w in &p.who {
                    let list = by_who.entry(w.clone()).or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
        Ok(Engine {
            headers,
            outline,
            starts,
            coverage,
            by_who,
            years,
            stems,
            stem_terms,
            notice_facts,
            counts,
            counted,
            openings,
            corpus,
            notices,
            regions,
            passages,
            themes,
            slogans,
            entities: entities_reg,
            glossary: lexicon.glossary(),
            jieba,
            index,
        })
    }

    /// The notices in catalog order.
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    /// The years the corpus covers, ascending, without duplicates.
    pub fn years(&self) -> Vec<i32> {
        self.years.clone()
    }

    /// The latest year in the corpus.
    pub fn latest_year(&self) -> Option<i32> {
        self.notices.iter().map(|n| n.year).max()
    }

    /// Every slogan list in the corpus, in catalog order.
    pub fn slogan_lists(&self) -> &[SloganList] {
        &self.slogans
    }

    /// Number of passages indexed (for benchmarks and tests).
    pub fn passage_count(&self) -> usize {
        self.passages.len()
    }

    /// The text of every indexed passage, in index order (for benchmarks: a
    /// peer answerer over the same passages).
    pub fn passage_texts(&self) -> impl Iterator<Item = &str> {
        self.passages.iter().map(|p| p.text.as_str())
    }

    /// The jieba instance the engine cuts text with: the default dictionary
    /// plus the lexicon's words, the entity names and the derived words.
    pub fn jieba(&self) -> Arc<Jieba> {
        self.jieba.clone()
    }

    /// The theme of `year` (the latest year when `None`), as `/theme` shows it.
    pub fn theme_answer(&self, year: Option<i32>) -> Answer {
        let y = year.or(self.latest_year()).unwrap_or(0);
        let q = self.understand(&format!("{y}年质量月主题"), y);
        self.theme(&q, Some(y))
    }

    /// The slogan lists of `year` (the latest year when `None`), as `/slogans` shows them.
    pub fn slogans_answer(&self, year: Option<i32>) -> Answer {
        let y = year.or(self.latest_year()).unwrap_or(0);
        let q = self.understand(&format!("{y}年质量月口号"), y);
        self.slogans(&q, Some(y))
    }

    pub(super) fn understand(&self, question: &str, today_year: i32) -> Question {
        query::understand(question, today_year, &self.jieba, &self.entities, &self.glossary)
    }

    /// Answers one question. `today` resolves 今年/去年 (the caller passes
    /// the local date, so tests can fix the clock).
    pub(super) fn reply(&self, q: &Question, found: bool, mut blocks: Vec<Block>, citations: Vec<Citation>) -> Answer {
        if !found {
            let line = match q.lang {
                Lang::Zh => &self.coverage[0],
                Lang::En => &self.coverage[1],
            };
            blocks.push(Block::plain(line.clone()));
        }
        Answer {
            question: q.raw.clone(),
            found,
            lang: q.lang,
            blocks,
            citations,
        }
    }

    pub(super) fn not_found(&self, q: &Question, reason: String) -> Answer {
        // The reason, and the coverage line `reply` adds.
        let mut blocks = Vec::with_capacity(2);
        blocks.push(Block::plain(reason));
        self.reply(q, false, blocks, Vec::new())
    }

    /// The item and body passages whose subject is `name`, in reading order.
    pub(super) fn passages_of(&self, name: &str) -> &[usize] {
        self.by_who.get(name).map_or(&[], Vec::as_slice)
    }

    /// The passages whose text, without whitespace, holds `phrase` (which
    /// has none), in reading order, from the suffix array. (The index's
    /// `passages_holding` is for its own words, in the lower-cased text.)
    pub(super) fn passages_with_phrase(&self, phrase: &str) -> Vec<usize> {
        if phrase.is_empty() {
            return (0..self.passages.len()).collect();
        }
        let mut out: Vec<usize> = self
            .corpus
            .positions(phrase)
            .iter()
            .map(|&at| self.starts.partition_point(|&s| s <= at as usize) - 1)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    pub(super) fn cite(&self, pid: usize, snippet: &str) -> Citation {
        let p = &self.passages[pid];
        self.cite_notice(p.notice, &p.section, snippet)
    }

    pub(super) fn cite_notice(&self, notice: usize, section: &str, snippet: &str) -> Citation {
        let n = &self.notices[notice];
        Citation {
            year: n.year,
            title: n.title.clone(),
            doc_number: n.doc_number.clone(),
            section: section.to_string(),
            file: n.file.clone(),
            snippet: shorten(snippet, SNIPPET_CHARS),
        }
    }

    /// The idf of a word in `df` passages.
    pub(super) fn idf_of(&self, df: u64) -> f32 {
        let n = self.passages.len() as f32;
        let df = df as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// Whether the notices use `term` at all.
    pub(super) fn known(&self, term: &str) -> bool {
        self.index.doc_freq(term) > 0
    }

    pub(super) fn strong_terms<'q>(&self, q: &'q Question) -> Vec<&'q str> {
        q.terms
            .iter()
            .filter(|t| {
                t.chars().count() >= 2
                    && self
                        .index
                        .word(t)
                        .is_some_and(|w| self.idf_of(w.doc_freq()) >= STRONG_IDF)
            })
            .map(String::as_str)
            .collect()
    }

    /// Words to mark in quoted text: the question's content words and the
    /// names of the entities it asks about.
    pub(super) fn marks<'a>(&'a self, q: &'a Question) -> Vec<&'a str> {
        let mut m: Vec<&str> = q.marks.iter().map(String::as_str).collect();
        for e in &q.entities {
            m.extend(
                self.entities[*e]
                    .names
                    .iter()
                    .filter(|n| n.chars().count() >= 2)
                    .map(String::as_str),
            );
        }
        m
    }

    pub(super) fn block<S: AsRef<str>>(&self, text: String, marks: &[S]) -> Block {
        let highlights = highlight(&text, marks);
        Block { text, highlights }
    }

    /// [`Engine::block`] with the marks' searchers at hand (and `extra` marks).
    pub(super) fn block_marked(&self, text: String, marks: &text::Marks, extra: &[String]) -> Block {
        let highlights = marks.highlight(&text, extra);
        Block { text, highlights }
    }

    /// Whether `scope` is a region the question sets aside (`不是福建省的`).
    pub(super) fn set_aside(&self, q: &Question, scope: &Scope) -> bool {
        scope
            .region()
            .is_some_and(|r| q.set_aside.iter().any(|&e| self.entities[e].name == *r))
    }

    /// The provincial region the question names, if any.
    pub(super) fn region_of(&self, q: &Question) -> Option<String> {
        q.entities
            .iter()
            .map(|e| &self.entities[*e])
            .find(|e| e.kind == EntityKind::Province)
            .map(|e| e.name.clone())
    }
}
