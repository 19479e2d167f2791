//! The engine: loads the corpus, builds the index once, and answers
//! questions with quotes and citations.

use crate::answer::{Answer, Block, Citation};
use crate::catalog::Notice;
use crate::entities::{self, EntityKind};
use crate::error::{Error, Result};
use crate::index::SearchIndex;
use crate::messages as msg;
use crate::parse::{self, Kind};
use crate::query::{self, EntityRec, Question, YearRef};
use chrono::{Datelike, NaiveDate};
use jieba_rs::Jieba;
use regex::Regex;
use std::path::Path;
use std::sync::{Arc, LazyLock};

/// One slogan list of one notice (a national list, or a region's own list
/// such as Fujian's 2018 slogans).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SloganList {
    /// The year of the notice.
    pub year: i32,
    /// `全国` for a national list, else the region, e.g. `福建省`.
    pub scope: String,
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
}

#[derive(Debug, Clone)]
struct Theme {
    year: i32,
    scope: String,
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
    entities: Vec<EntityRec>,
    jieba: Arc<Jieba>,
    index: SearchIndex,
    /// Every passage's text without whitespace, to check whether a phrase
    /// occurs in the notices at all.
    corpus: String,
}

/// The longest quoted snippet, in characters.
const SNIPPET_CHARS: usize = 220;
/// A content word this rare (inverse document frequency) carries a question.
const STRONG_IDF: f32 = 3.0;

static PRINTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d{4})年0?(\d{1,2})月0?(\d{1,2})日印发$").unwrap());
static WRITING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:写|创作|编写|编|拟|起草|生成|设计|想)\s*(?:一|几|个|首|篇|条|段|份|些)|帮我写|给我写|请写|\b(?:write|compose|generate|create)\b").unwrap()
});
static WHERE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"哪个城市|哪座城市|哪个地方|什么地方|在哪里|在哪儿|在哪|哪里举|地点|\bwhere\b").unwrap()
});
static WINNERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:谁|哪些|哪家|哪个|名单|哪几).{0,6}(?:获奖|得奖|获得|得主)|(?:获奖|得奖)(?:企业|单位|者|名单)|\bwho won\b|\bwinners?\b").unwrap()
});
static DOC_NUMBER_IN_TEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\p{Han}]{2,8}〔\s*\d{4}\s*〕\s*\d+\s*号").unwrap());

impl Engine {
    /// Loads `dir/catalog.toml` and every notice it lists, repairs, parses
    /// and indexes them.
    pub fn load(dir: impl AsRef<Path>) -> Result<Engine> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            return Err(Error::Invalid {
                path: dir.to_path_buf(),
                message: "data directory not found".to_string(),
            });
        }
        let notices = crate::catalog::load(dir)?;
        let mut texts = Vec::with_capacity(notices.len());
        for n in &notices {
            let path = dir.join(&n.file);
            let raw = std::fs::read_to_string(&path).map_err(|source| Error::Io { path, source })?;
            texts.push(crate::repair::repair(&raw));
        }
        Engine::from_texts(notices, &texts)
    }

    /// Builds the engine from catalog entries and their (raw) texts.
    pub fn from_texts(notices: Vec<Notice>, texts: &[String]) -> Result<Engine> {
        let mut passages = Vec::new();
        let mut themes = Vec::new();
        let mut slogans = Vec::new();
        let mut regions = Vec::new();
        for (ni, (n, text)) in notices.iter().zip(texts).enumerate() {
            let region = n.issuer.as_deref().and_then(parse::region_in);
            let parsed = parse::parse(&crate::repair::repair(text), n.issuer.as_deref());
            let base = passages.len();
            for p in parsed.passages {
                passages.push(Passage {
                    notice: ni,
                    year: n.year,
                    lower: p.text.to_lowercase(),
                    compact: compact(&p.text),
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
        // The entity registry: built-in names plus bodies found in the notices.
        let mut entities_reg: Vec<EntityRec> = entities::ENTITIES.iter().map(EntityRec::from).collect();
        for p in &passages {
            for w in &p.who {
                if !entities_reg.iter().any(|e| &e.name == w) && w.chars().count() >= 4 {
                    entities_reg.push(EntityRec {
                        name: w.clone(),
                        kind: entities::guess_kind(w),
                        names: vec![w.clone()],
                        en: Vec::new(),
                    });
                }
            }
        }
        let jieba = Arc::new(crate::tokenizer::build_jieba(
            entities_reg.iter().flat_map(|e| e.names.iter().map(|s| s.as_str())),
        ));
        let docs: Vec<(i32, &str)> = passages.iter().map(|p| (p.year, p.text.as_str())).collect();
        let index = SearchIndex::build(&docs, jieba.clone())?;
        let corpus = passages.iter().map(|p| compact(&p.text)).collect::<Vec<_>>().join("\n");
        Ok(Engine {
            corpus,
            notices,
            regions,
            passages,
            themes,
            slogans,
            entities: entities_reg,
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
        let mut y: Vec<i32> = self.notices.iter().map(|n| n.year).collect();
        y.sort_unstable();
        y.dedup();
        y
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

    fn understand(&self, question: &str, today_year: i32) -> Question {
        query::understand(question, today_year, &self.jieba, &self.entities)
    }

    /// Answers one question. `today` resolves 今年/去年 (the caller passes
    /// the local date, so tests can fix the clock).
    pub fn answer(&self, question: &str, today: NaiveDate) -> Answer {
        let mut q = self.understand(question, today.year());
        // English words the notices never use cannot be searched for.
        let before = q.terms.len();
        q.terms
            .retain(|t| !t.chars().all(|c| c.is_ascii_alphabetic()) || self.known(t));
        let unknown_english = before - q.terms.len();
        if !q.norm.chars().any(|c| c.is_alphanumeric()) {
            return self.reply(&q, false, vec![Block::plain(msg::empty(q.lang))], Vec::new());
        }
        let year = match q.year {
            YearRef::Explicit(y) | YearRef::Relative(y) if !self.years().contains(&y) => {
                let text = msg::year_not_covered(q.lang, y, matches!(q.year, YearRef::Relative(_)));
                return self.not_found(&q, text);
            }
            YearRef::Explicit(y) | YearRef::Relative(y) => Some(y),
            YearRef::Latest => self.latest_year(),
            YearRef::None => None,
        };
        if WRITING.is_match(&q.norm.to_lowercase()) {
            return self.not_found(&q, msg::no_writing(q.lang));
        }
        if let Some(event) = self.other_event(&q.norm) {
            return self.not_found(&q, msg::other_event(q.lang, &event));
        }
        let strong = self.strong_terms(&q);
        let it = q.intent;
        if it.contact {
            return self.contact(&q, year);
        }
        if (it.date || it.doc_number)
            && strong
                .iter()
                .all(|t| self.notices.iter().any(|n| n.title.contains(t.as_str())))
            && q.entities
                .iter()
                .all(|e| self.entities[*e].kind == EntityKind::Province)
        {
            return self.metadata(&q, year);
        }
        if let Some(a) = self.count(&q, year) {
            return a;
        }
        if it.slogans {
            let slogans = self.slogans(&q, year);
            if it.theme && slogans.found {
                let mut theme = self.theme(&q, year);
                if theme.found {
                    theme.blocks.extend(slogans.blocks);
                    theme.citations.extend(slogans.citations);
                    return theme;
                }
            }
            return slogans;
        }
        if it.theme
            && q.entities
                .iter()
                .all(|e| self.entities[*e].kind == EntityKind::Province)
        {
            if strong.is_empty() {
                return self.theme(&q, year);
            }
            let found = self.search(&q, year);
            if found.found {
                return found;
            }
            return self.theme(&q, year);
        }
        if !q.entities.is_empty() {
            // `帮我订一张去北京的机票` names a region but is not about the notices.
            let on_topic = q.year != YearRef::None
                || it.activities
                || q.norm.contains("质量")
                || q.norm.to_lowercase().contains("quality")
                || unknown_english == 0 && q.terms.iter().all(|t| self.known(t));
            if !on_topic {
                return self.not_found(&q, msg::not_found(q.lang));
            }
            return self.items(&q, year);
        }
        if let (Some(kind), Some(y)) = (it.list, year.or(self.latest_year())) {
            return self.list(&q, y, kind);
        }
        if q.terms.is_empty() && unknown_english == 0 {
            if let Some(y) = year {
                return self.overview(&q, y);
            }
        }
        self.search(&q, year)
    }

    /// Every reply that does not answer ends with what the notices cover.
    fn reply(&self, q: &Question, found: bool, mut blocks: Vec<Block>, citations: Vec<Citation>) -> Answer {
        if !found {
            blocks.push(Block::plain(msg::coverage(q.lang, &self.years())));
        }
        Answer {
            question: q.raw.clone(),
            found,
            lang: q.lang,
            blocks,
            citations,
        }
    }

    fn not_found(&self, q: &Question, reason: String) -> Answer {
        self.reply(q, false, vec![Block::plain(reason)], Vec::new())
    }

    fn cite(&self, pid: usize, snippet: &str) -> Citation {
        let p = &self.passages[pid];
        self.cite_notice(p.notice, &p.section, snippet)
    }

    fn cite_notice(&self, notice: usize, section: &str, snippet: &str) -> Citation {
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

    fn idf(&self, term: &str) -> f32 {
        let n = self.passages.len() as f32;
        let df = self.index.doc_freq(term) as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// Whether the notices use `term` at all.
    fn known(&self, term: &str) -> bool {
        self.index.doc_freq(term) > 0
    }

    fn strong_terms(&self, q: &Question) -> Vec<String> {
        q.terms
            .iter()
            .filter(|t| t.chars().count() >= 2 && self.known(t) && self.idf(t) >= STRONG_IDF)
            .cloned()
            .collect()
    }

    /// Words to mark in quoted text: the question's content words and the
    /// names of the entities it asks about.
    fn marks(&self, q: &Question) -> Vec<String> {
        let mut m = q.marks.clone();
        for e in &q.entities {
            m.extend(
                self.entities[*e]
                    .names
                    .iter()
                    .filter(|n| n.chars().count() >= 2)
                    .cloned(),
            );
        }
        m
    }

    fn block(&self, text: String, marks: &[String]) -> Block {
        let highlights = highlight(&text, marks);
        Block { text, highlights }
    }

    /// A named day, week, month or festival (`消费者权益日`, `世界标准日`)
    /// that the notices never mention: the question is about another event.
    /// A shortened name of one they do mention (`电梯宣传周` for
    /// 电梯安全宣传周) is not another event.
    fn other_event(&self, norm: &str) -> Option<String> {
        const NOT_NAME: &str = "年几每哪本上下这个两一二三四五六七八九十当些的有么什是在和与及了吗呢啊请问要各期间";
        let chars: Vec<char> = compact(norm).chars().collect();
        let name_char = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c) && !NOT_NAME.contains(c);
        for i in 3..chars.len() {
            if !matches!(chars[i], '日' | '周' | '月' | '节') {
                continue;
            }
            // 日期, 周年, 月份 … are words of their own.
            if chars
                .get(i + 1)
                .is_some_and(|n| "期子年边份约能目点度底初刊报".contains(*n))
            {
                continue;
            }
            let mut start = i;
            while start > 0 && i - start < 7 && name_char(chars[start - 1]) {
                start -= 1;
            }
            if i - start < 3 {
                continue;
            }
            let name: String = chars[start..=i].iter().collect();
            if name.ends_with("质量月") || self.corpus.contains(&name) {
                continue;
            }
            let head: String = chars[start..i - 2].iter().collect();
            let tail: String = chars[i - 2..=i].iter().collect();
            let near = Regex::new(&format!("{}.{{0,6}}{}", regex::escape(&head), regex::escape(&tail)));
            if near.is_ok_and(|r| r.is_match(&self.corpus)) {
                continue;
            }
            return Some(name);
        }
        None
    }

    /// Whether `text` names a province or city (`中国质量（成都）大会`).
    fn names_a_place(&self, text: &str) -> bool {
        static IN_PARENS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"（\p{Han}{2,4}）").unwrap());
        IN_PARENS.is_match(text)
            || self
                .entities
                .iter()
                .filter(|e| matches!(e.kind, EntityKind::Province | EntityKind::City))
                .any(|e| {
                    e.names
                        .iter()
                        .any(|n| n.chars().count() >= 2 && text.contains(n.as_str()))
                })
    }

    /// The provincial region the question names, if any.
    fn region_of(&self, q: &Question) -> Option<String> {
        q.entities
            .iter()
            .map(|e| &self.entities[*e])
            .find(|e| e.kind == EntityKind::Province)
            .map(|e| e.name.clone())
    }

    /// A year and nothing else: which notices cover it, its theme when one
    /// is stated, and what else can be asked.
    fn overview(&self, q: &Question, year: i32) -> Answer {
        let mut a = self.theme(q, Some(year));
        if !a.found {
            a.blocks.clear();
            a.found = true;
        }
        for (n, notice) in self.notices.iter().enumerate().filter(|(_, n)| n.year == year) {
            a.blocks.push(Block::plain(msg::notice_line(
                q.lang,
                &notice.title,
                notice.doc_number.as_deref(),
            )));
            if !a.citations.iter().any(|c| c.file == notice.file) {
                a.citations.push(self.cite_notice(n, "", &notice.title));
            }
        }
        a.blocks.push(Block::plain(msg::year_hint(q.lang, year)));
        a
    }

    fn theme(&self, q: &Question, year: Option<i32>) -> Answer {
        let region = self.region_of(q);
        let mut years: Vec<i32> = match year {
            Some(y) => vec![y],
            None => self.themes.iter().map(|t| t.year).collect(),
        };
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        let mut blocks = Vec::new();
        let mut cites = Vec::new();
        // A region without a theme of its own gets the national theme as
        // context, but the notices do not answer the question.
        let mut substituted = false;
        for y in &years {
            let mut of_year: Vec<&Theme> = self.themes.iter().filter(|t| t.year == *y).collect();
            if let Some(r) = &region {
                if of_year.iter().any(|t| &t.scope == r) {
                    of_year.retain(|t| &t.scope == r);
                } else {
                    of_year.retain(|t| t.scope == "全国");
                    if !of_year.is_empty() {
                        substituted = true;
                        blocks.push(Block::plain(msg::national_theme_for(q.lang, r)));
                    }
                }
            } else {
                // National first, then regional themes.
                of_year.sort_by_key(|t| t.scope != "全国");
            }
            for t in of_year {
                let head = msg::theme(q.lang, t.year, &t.scope);
                let start = head.len();
                let text = format!("{head}{}", t.text);
                blocks.push(Block {
                    highlights: std::iter::once(start..text.len()).collect(),
                    text,
                });
                cites.push(self.cite(t.passage, &t.text));
            }
        }
        if cites.is_empty() {
            let with = sorted_years(self.themes.iter().map(|t| t.year));
            let y = year.unwrap_or_default();
            return self.not_found(q, msg::no_theme(q.lang, y, &with));
        }
        self.reply(q, !substituted, blocks, cites)
    }

    fn slogans(&self, q: &Question, year: Option<i32>) -> Answer {
        let region = self.region_of(q);
        let with = sorted_years(self.slogans.iter().map(|s| s.year));
        let Some(y) = year.or_else(|| with.last().copied()) else {
            return self.not_found(q, msg::not_found(q.lang));
        };
        let mut lists: Vec<&SloganList> = self.slogans.iter().filter(|s| s.year == y).collect();
        let mut notes = Vec::new();
        // Given as context when the list asked for does not exist.
        let mut substituted = false;
        if let Some(r) = &region {
            if lists.iter().any(|s| &s.scope == r) {
                lists.retain(|s| &s.scope == r);
            } else if lists.iter().any(|s| s.scope == "全国") {
                substituted = true;
                notes.push(Block::plain(msg::national_slogans_for(q.lang, r)));
            }
        }
        let national_asked = ["国家层面", "全国统一", "national list", "national slogans"]
            .iter()
            .any(|w| q.norm.to_lowercase().contains(w));
        lists.sort_by_key(|s| s.scope != "全国");
        if lists.is_empty() {
            return self.not_found(q, msg::no_slogans(q.lang, y, &with));
        }
        let marks = self.marks(q);
        let mut blocks = notes;
        if lists.iter().all(|s| s.scope != "全国") {
            substituted |= national_asked;
            blocks.push(Block::plain(msg::regional_list_only(q.lang, y, &lists[0].scope)));
        }
        let mut cites = Vec::new();
        for s in lists {
            let mut text = msg::slogans(q.lang, s.year, &s.scope, s.items.len());
            for (i, item) in s.items.iter().enumerate() {
                text.push_str(&format!("\n{}. {}", i + 1, item));
            }
            blocks.push(self.block(text, &marks));
            cites.push(self.cite_notice(s.notice, &s.section, &s.items.join("；")));
        }
        self.reply(q, !substituted, blocks, cites)
    }

    fn items(&self, q: &Question, year: Option<i32>) -> Answer {
        let marks = self.marks(q);
        let mut blocks = Vec::new();
        let mut cites = Vec::new();
        let mut missing = Vec::new();
        for e in &q.entities {
            let ent = &self.entities[*e];
            let mut hits: Vec<usize> = (0..self.passages.len())
                .filter(|i| {
                    let p = &self.passages[*i];
                    matches!(p.kind, Kind::Item | Kind::Body)
                        && p.who.iter().any(|w| w == &ent.name)
                        && year.is_none_or(|y| p.year == y)
                })
                .collect();
            // Newest first; within a year, reading order.
            hits.sort_by_key(|i| (std::cmp::Reverse(self.passages[*i].year), *i));
            if year.is_none() {
                let newest: Vec<i32> = {
                    let mut ys: Vec<i32> = hits.iter().map(|i| self.passages[*i].year).collect();
                    ys.dedup();
                    ys.into_iter().take(3).collect()
                };
                hits.retain(|i| newest.contains(&self.passages[*i].year));
            }
            if hits.is_empty() {
                missing.push(*e);
                continue;
            }
            for i in hits {
                let p = &self.passages[i];
                let en = ent.en.first().map(|s| title_case(s));
                blocks.push(Block::plain(msg::item(q.lang, p.year, &ent.name, en.as_deref())));
                blocks.push(self.block(p.text.clone(), &marks));
                cites.push(self.cite(i, &p.text));
            }
        }
        if !cites.is_empty() {
            return self.reply(q, true, blocks, cites);
        }
        let e = &self.entities[missing[0]];
        // A year whose text lost the names of who did what (the 2017 PDF):
        // the question's other words may still find the passage.
        let names_lost = year.is_some_and(|y| {
            !self
                .passages
                .iter()
                .any(|p| p.year == y && p.kind == Kind::Item && !p.who.is_empty())
        });
        let topics = entities::topics(&e.name);
        if names_lost && (!q.terms.is_empty() || !topics.is_empty()) {
            let mut unnamed = q.clone();
            unnamed.entities.clear();
            unnamed.terms.retain(|t| self.known(t));
            for t in topics {
                if !unnamed.terms.iter().any(|x| x == t) {
                    unnamed.terms.push(t.to_string());
                }
                unnamed.marks.push(t.to_string());
            }
            let mut a = self.search(&unnamed, year);
            if a.found {
                a.blocks.insert(
                    0,
                    Block::plain(msg::names_lost(q.lang, year.unwrap_or_default(), &e.name)),
                );
                return a;
            }
        }
        // No item names the body: look in the text of that year for it.
        let stems = e.stems();
        let mut terms: Vec<String> = q.terms.clone();
        for s in &stems {
            for t in crate::tokenizer::terms(&self.jieba, s) {
                if !terms.contains(&t.text) {
                    terms.push(t.text);
                }
            }
        }
        let region_docs: Vec<usize> = (0..self.notices.len())
            .filter(|n| {
                self.regions[*n].as_deref() == Some(e.name.as_str()) && year.is_none_or(|y| self.notices[*n].year == y)
            })
            .collect();
        let hits = self.index.search(&terms, year, 40);
        let mut good: Vec<usize> = hits
            .into_iter()
            .map(|(pid, _)| pid)
            .filter(|pid| {
                let p = &self.passages[*pid];
                // The body must be what the passage is about: its full name
                // once, or the short stem (水利 for 水利部) more than once.
                // In a year whose items name their bodies, only the full name
                // counts (教育 in 宣传教育 is not 教育部).
                matches!(p.kind, Kind::Item | Kind::Body | Kind::Contact)
                    && (e
                        .names
                        .iter()
                        .any(|n| n.chars().count() >= 3 && p.text.contains(n.as_str()))
                        || names_lost && stems.iter().any(|s| p.text.matches(s.as_str()).count() >= 2)
                        || region_docs.contains(&p.notice))
            })
            .take(2)
            .collect();
        if good.is_empty() {
            // A region's own notice: its body is what it did.
            good = (0..self.passages.len())
                .filter(|i| {
                    let p = &self.passages[*i];
                    region_docs.contains(&p.notice) && p.kind == Kind::Body && p.section.starts_with("正文")
                })
                .take(4)
                .collect();
        }
        if !good.is_empty() {
            let mut marks = marks;
            marks.extend(stems);
            blocks.push(Block::plain(msg::search(q.lang, year)));
            for pid in good {
                let text = snippet(&self.passages[pid].text, &marks, SNIPPET_CHARS * 2);
                blocks.push(self.block(text.clone(), &marks));
                cites.push(self.cite(pid, &text));
            }
            return self.reply(q, true, blocks, cites);
        }
        let other = sorted_years(
            self.passages
                .iter()
                .filter(|p| matches!(p.kind, Kind::Item | Kind::Body) && p.who.iter().any(|w| w == &e.name))
                .map(|p| p.year),
        );
        let reason = match year {
            Some(y) if names_lost => msg::names_lost_none(q.lang, y, &e.name),
            Some(y) => msg::no_item(q.lang, y, &e.name, &other),
            None => msg::no_item_any(q.lang, &e.name),
        };
        self.not_found(q, reason)
    }

    fn list(&self, q: &Question, year: i32, kind: EntityKind) -> Answer {
        let (zh, en) = match kind {
            EntityKind::Province => ("各地", "provinces"),
            EntityKind::City => ("各城市", "cities"),
            EntityKind::Ministry => ("联合主办单位", "organising ministries"),
            EntityKind::Association => ("相关联合会、协会", "associations"),
        };
        let kind_of = |name: &str| self.entities.iter().find(|e| e.name == name).map(|e| e.kind);
        let hits: Vec<usize> = (0..self.passages.len())
            .filter(|i| {
                let p = &self.passages[*i];
                p.year == year && p.kind == Kind::Item && p.who.first().and_then(|w| kind_of(w)) == Some(kind)
            })
            .collect();
        if hits.is_empty() {
            return self.not_found(q, msg::no_list(q.lang, year, zh, en));
        }
        let marks = self.marks(q);
        let mut blocks = vec![Block::plain(msg::list(q.lang, year, zh, en, hits.len()))];
        let mut cites = Vec::new();
        for i in hits {
            let p = &self.passages[i];
            blocks.push(self.block(p.text.clone(), &marks));
            cites.push(self.cite(i, &p.text));
        }
        self.reply(q, true, blocks, cites)
    }

    fn notices_for(&self, q: &Question, year: Option<i32>) -> Vec<usize> {
        let region = q
            .entities
            .iter()
            .map(|e| self.entities[*e].name.as_str())
            .find(|n| self.regions.iter().any(|r| r.as_deref() == Some(*n)));
        (0..self.notices.len())
            .filter(|n| year.is_none_or(|y| self.notices[*n].year == y))
            .filter(|n| region.is_none_or(|r| self.regions[*n].as_deref() == Some(r)))
            .collect()
    }

    fn metadata(&self, q: &Question, year: Option<i32>) -> Answer {
        let notices = self.notices_for(q, year);
        if notices.is_empty() {
            return self.not_found(q, msg::not_found(q.lang));
        }
        let mut blocks = Vec::new();
        let mut cites = Vec::new();
        let mut missing = Vec::new();
        for n in notices {
            let notice = &self.notices[n];
            if q.intent.date {
                match notice.date {
                    Some(d) => {
                        let date = format!("{}年{}月{}日", d.year(), d.month(), d.day());
                        let text = msg::date(q.lang, &notice.title, &date);
                        let start = text.len() - date.len();
                        blocks.push(Block {
                            highlights: std::iter::once(start..text.len()).collect(),
                            text,
                        });
                        let at = self.find_in_notice(n, &date);
                        let section = at.map_or("落款".to_string(), |p| self.passages[p].section.clone());
                        cites.push(self.cite_notice(n, &section, &date));
                    }
                    None => missing.push(msg::no_date(q.lang, &notice.title)),
                }
                // The date the issuing office printed it (`2019年8月23日印发`).
                for (i, p) in self.passages.iter().enumerate().filter(|(_, p)| p.notice == n) {
                    if let Some(c) = PRINTED.captures(&compact(&p.text)) {
                        let date = format!("{}年{}月{}日", &c[1], &c[2], &c[3]);
                        let text = msg::printed(q.lang, &date);
                        let start = text.len() - date.len();
                        blocks.push(Block {
                            highlights: std::iter::once(start..text.len()).collect(),
                            text,
                        });
                        cites.push(self.cite(i, &p.text));
                        missing.retain(|m| m != &msg::no_date(q.lang, &notice.title));
                        break;
                    }
                }
            }
            if q.intent.doc_number {
                let mut any = false;
                // A regional notice that forwards a national one: asked about
                // the national notice, its number comes first.
                let national_first = self.regions[n].is_some() && (q.norm.contains("全国") || q.norm.contains("总局"));
                let first_block = blocks.len();
                let first_cite = cites.len();
                if let Some(num) = &notice.doc_number {
                    let text = msg::doc_number(q.lang, &notice.title, num);
                    let start = text.len() - num.len();
                    blocks.push(Block {
                        highlights: std::iter::once(start..text.len()).collect(),
                        text,
                    });
                    cites.push(self.cite_notice(n, "文号", num));
                    any = true;
                }
                let own = notice.doc_number.as_deref().map(compact).unwrap_or_default();
                let mut seen = Vec::new();
                for (i, p) in self.passages.iter().enumerate().filter(|(_, p)| p.notice == n) {
                    for m in DOC_NUMBER_IN_TEXT.find_iter(&p.text) {
                        let num = compact(m.as_str());
                        let num = num.trim_start_matches(['见', '文', '的', '（', '(']).to_string();
                        if num != own && !seen.contains(&num) {
                            blocks
                                .push(self.block(msg::doc_number_mentioned(q.lang, &num), std::slice::from_ref(&num)));
                            cites.push(self.cite(i, &p.text));
                            seen.push(num);
                            any = true;
                        }
                    }
                }
                if national_first && notice.doc_number.is_some() && cites.len() > first_cite + 1 {
                    blocks[first_block..].rotate_left(1);
                    cites[first_cite..].rotate_left(1);
                }
                if !any {
                    missing.push(msg::no_doc_number(q.lang, &notice.title));
                }
            }
        }
        if cites.is_empty() {
            return self.not_found(q, missing.join(""));
        }
        blocks.extend(missing.into_iter().map(Block::plain));
        self.reply(q, true, blocks, cites)
    }

    fn find_in_notice(&self, notice: usize, needle: &str) -> Option<usize> {
        let needle = compact(needle);
        (0..self.passages.len())
            .find(|i| self.passages[*i].notice == notice && compact(&self.passages[*i].text).contains(&needle))
    }

    fn contact(&self, q: &Question, year: Option<i32>) -> Answer {
        let notices = self.notices_for(q, year);
        let hits: Vec<usize> = (0..self.passages.len())
            .filter(|i| self.passages[*i].kind == Kind::Contact && notices.contains(&self.passages[*i].notice))
            .collect();
        if hits.is_empty() {
            let with = sorted_years(self.passages.iter().filter(|p| p.kind == Kind::Contact).map(|p| p.year));
            return self.not_found(q, msg::no_contact(q.lang, year, &with));
        }
        let mut blocks = Vec::new();
        let mut cites = Vec::new();
        for i in hits {
            let p = &self.passages[i];
            blocks.push(Block::plain(msg::contact(q.lang, p.year)));
            blocks.push(self.block(p.text.clone(), &self.marks(q)));
            cites.push(self.cite(i, &p.text));
        }
        self.reply(q, true, blocks, cites)
    }

    /// `多少个部门…`: the passages that state a number of that thing
    /// (`市场监管总局等 14 个部门`), when the notices state one.
    fn count(&self, q: &Question, year: Option<i32>) -> Option<Answer> {
        static ASK: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"(?:多少|几)\s*([个种类项条家名批届次所])?\s*(\p{Han}{1,4})").unwrap());
        let (classifier, noun): (String, Vec<char>) = match ASK.captures(&q.norm) {
            Some(caps) => (
                caps.get(1).map_or("", |m| m.as_str()).to_string(),
                caps[2].chars().collect(),
            ),
            // `how many departments`: the counted word, as the notices write it.
            None if q.norm.to_lowercase().contains("how many") => {
                let lower = q.norm.to_lowercase();
                let after = &lower[lower.find("how many")? + 8..];
                let word = after.split_whitespace().next()?;
                (String::new(), crate::query::gloss(word)?.chars().collect())
            }
            None => return None,
        };
        for len in (2..=noun.len()).rev() {
            let what: String = noun[..len].iter().collect();
            let classifier = if classifier.is_empty() {
                "[个种类项条家名]?".to_string()
            } else {
                regex::escape(&classifier)
            };
            let stated = Regex::new(&format!(r"\d+\s*{}\s*{}", classifier, regex::escape(&what))).ok()?;
            let hits: Vec<usize> = (0..self.passages.len())
                .filter(|i| {
                    let p = &self.passages[*i];
                    year.is_none_or(|y| p.year == y)
                        && matches!(p.kind, Kind::Body | Kind::Item)
                        && stated.is_match(&p.text)
                })
                .take(3)
                .collect();
            if hits.is_empty() {
                continue;
            }
            let mut blocks = vec![Block::plain(msg::search(q.lang, year))];
            let mut cites = Vec::new();
            for pid in hits {
                let text = &self.passages[pid].text;
                let m = stated.find(text).map(|m| m.as_str().to_string()).unwrap_or_default();
                let marks = vec![m];
                let shown = snippet(text, &marks, SNIPPET_CHARS);
                blocks.push(self.block(shown.clone(), &marks));
                cites.push(self.cite(pid, &shown));
            }
            return Some(self.reply(q, true, blocks, cites));
        }
        None
    }

    fn search(&self, q: &Question, year: Option<i32>) -> Answer {
        let mut terms = q.terms.clone();
        for e in &q.entities {
            for s in self.entities[*e].stems() {
                for t in crate::tokenizer::terms(&self.jieba, &s) {
                    if !terms.contains(&t.text) {
                        terms.push(t.text);
                    }
                }
            }
        }
        if terms.is_empty() {
            return self.not_found(q, msg::not_found(q.lang));
        }
        let weights: Vec<f32> = terms.iter().map(|t| self.idf(t)).collect();
        let total: f32 = weights.iter().sum();
        let hits = self.index.search(&terms, year, 40);
        let counting = ["多少", "几个", "几项", "几种", "几类", "几条", "how many"]
            .iter()
            .any(|w| q.norm.to_lowercase().contains(w));
        let mut scored: Vec<(usize, f32, f32)> = hits
            .into_iter()
            .map(|(pid, score)| {
                let p = &self.passages[pid];
                let matched: f32 = terms
                    .iter()
                    .zip(&weights)
                    .filter(|(t, _)| p.lower.contains(t.as_str()))
                    .map(|(_, w)| *w)
                    .sum();
                let coverage = if total > 0.0 { matched / total } else { 0.0 };
                let kind_weight = match p.kind {
                    Kind::Table => 0.1,
                    Kind::Meta => 0.3,
                    Kind::Contact => 0.5,
                    Kind::Slogan | Kind::Theme => 0.9,
                    Kind::Item | Kind::Body => 1.0,
                };
                let phrase_weight = if q.phrases.iter().any(|ph| p.compact.contains(ph.as_str())) {
                    2.0
                } else {
                    1.0
                };
                let number_weight = phrase_weight
                    * if counting && p.text.chars().any(|c| c.is_ascii_digit()) {
                        1.5
                    } else {
                        1.0
                    };
                (pid, score * kind_weight * number_weight * coverage * coverage, coverage)
            })
            .collect();
        // A title or heading alone answers nothing.
        scored.retain(|(pid, _, _)| !matches!(self.passages[*pid].kind, Kind::Meta | Kind::Table));
        // "Where" needs a place and "who won" needs winners: a passage that
        // only mentions the event does not answer.
        let lower = q.norm.to_lowercase();
        if WHERE.is_match(&lower) {
            scored.retain(|(pid, _, _)| self.names_a_place(&self.passages[*pid].text));
        }
        if WINNERS.is_match(&lower) {
            scored.retain(|(pid, _, _)| self.passages[*pid].text.contains("获奖"));
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        let Some(&(_, best, best_cov)) = scored.first() else {
            return self.not_found(q, msg::not_found(q.lang));
        };
        let matched_strong = {
            let p = &self.passages[scored[0].0];
            terms
                .iter()
                .zip(&weights)
                .any(|(t, w)| *w >= STRONG_IDF && t.chars().count() >= 2 && p.lower.contains(t.as_str()))
        };
        let best_kind = self.passages[scored[0].0].kind;
        if best_cov < 0.5 || !matched_strong && best_cov < 0.99 || best_kind == Kind::Table {
            return self.not_found(q, msg::not_found(q.lang));
        }
        let marks: Vec<String> = {
            let mut m = self.marks(q);
            m.extend(terms.iter().filter(|t| t.chars().count() >= 2).cloned());
            m
        };
        let mut blocks = vec![Block::plain(msg::search(q.lang, year))];
        let mut cites = Vec::new();
        for (pid, s, cov) in scored.into_iter().take(3) {
            // Another passage that covers the question as well is shown even
            // when BM25 ranks it lower (long passages score low).
            let as_good = cov >= best_cov * 0.95 && s >= best * 0.25;
            if !as_good && (s < best * 0.5 || cov < best_cov * 0.8) {
                break;
            }
            let text = snippet(&self.passages[pid].text, &marks, SNIPPET_CHARS);
            blocks.push(self.block(text.clone(), &marks));
            cites.push(self.cite(pid, &text));
        }
        self.reply(q, true, blocks, cites)
    }
}

/// The distinct years, ascending.
fn sorted_years(years: impl Iterator<Item = i32>) -> Vec<i32> {
    let mut v: Vec<i32> = years.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Removes all whitespace.
fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn title_case(s: &str) -> String {
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
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

/// Byte ranges of every occurrence of `marks` in `text` (ASCII
/// case-insensitively), merged, on char boundaries.
pub fn highlight(text: &str, marks: &[String]) -> Vec<std::ops::Range<usize>> {
    let lower = text.to_lowercase();
    let same_len = lower.len() == text.len();
    let hay = if same_len { lower.as_str() } else { text };
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    for m in marks {
        if m.is_empty() {
            continue;
        }
        for (p, _) in hay.match_indices(m.as_str()) {
            ranges.push(p..p + m.len());
        }
    }
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// The part of `text` (at most `max` characters) with the most marked words,
/// starting at a sentence boundary when one is near.
pub fn snippet(text: &str, marks: &[String], max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_string();
    }
    // Each marked run weighs its length squared: one 中国质量奖 outweighs
    // several scattered 中国.
    let hits: Vec<(usize, usize)> = highlight(text, marks)
        .into_iter()
        .map(|r| (text[..r.start].chars().count(), text[r].chars().count().pow(2)))
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
    let mut from = best.0.min(chars.len().saturating_sub(max));
    let mut end = from + max;
    // Back up to the start of the sentence if it is close (keeping the end).
    if let Some(k) = (from.saturating_sub(max / 3)..from)
        .rev()
        .find(|&k| k > 0 && matches!(chars[k - 1], '。' | '；' | '\n'))
    {
        from = k;
    }
    // Run on to the end of the sentence if it is close.
    if let Some(k) = (end..(end + max / 4).min(chars.len())).find(|&k| matches!(chars[k - 1], '。' | '；' | '\n')) {
        end = k;
    }
    let to = end.min(chars.len());
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.extend(&chars[from..to]);
    if to < chars.len() {
        out.push('…');
    }
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
    fn snippet_centres_on_marks() {
        let text = format!("{}水利工程质量监督导则。{}", "甲".repeat(300), "乙".repeat(300));
        let s = snippet(&text, &["水利".to_string()], 100);
        assert!(s.contains("水利工程质量监督导则"), "{s}");
        assert!(s.chars().count() <= 102);
    }

    fn notice(year: i32) -> Notice {
        Notice {
            file: format!("{year}.txt"),
            year,
            title: format!("{year}年通知"),
            issuer: Some("福建省某办公室".to_string()),
            doc_number: None,
            date: None,
            source_url: None,
        }
    }

    #[test]
    fn odd_notice_texts_do_not_panic() -> Result<()> {
        let texts = [
            "",
            "附件9",
            "主题：",
            "口号：",
            "一、活动主题",
            "我省“质量月”活动主题确定为“质量第一 效益优先”",
            "附件2\n\n口号\n\n- 1.\n- 2.质量\n\n附件3\n\n一、福州市",
            "\t\t\n<p>\n十、\n（一）\n1.\n",
        ];
        let notices: Vec<Notice> = (0..texts.len()).map(|i| notice(2000 + i as i32)).collect();
        let texts: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
        let engine = Engine::from_texts(notices, &texts)?;
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for q in [
            "2005年主题",
            "2006年口号",
            "福建2005年主题",
            "2007年福州市",
            "质量",
            "",
            "2000年各地",
        ] {
            let a = engine.answer(q, day);
            assert!(!a.to_plain().is_empty());
        }
        assert!(engine.answer("2005年质量月主题", day).found);
        Ok(())
    }

    #[test]
    fn shorten_counts_chars() {
        assert_eq!(shorten("质量月活动", 3), "质量月…");
        assert_eq!(shorten("质量", 3), "质量");
    }
}
