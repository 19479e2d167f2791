//! The tantivy index over passages: text through the jieba tokenizer, the
//! year as a filter. Questions are never handed to tantivy's QueryParser:
//! the engine tokenizes them itself.
//!
//! The corpus is a few hundred passages that never change while it is
//! loaded, so [`SearchIndex`] reads every term's postings once at build
//! time and keeps each passage's BM25 score for it (tantivy's own
//! [`Bm25Weight`], from the index's statistics and field norms). A query is
//! then a hash lookup per term and a sum over the passages that hold it,
//! the scores a `BooleanQuery` of `TermQuery` Should clauses would give,
//! without building a weight and a scorer per term for every question.

use crate::error::Result;
use crate::tokenizer::{self, JiebaTokenizer};
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use jieba_rs::Jieba;
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{Bm25Weight, BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, SchemaBuilder, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::MAX_TOKEN_LEN;
use tantivy::{DocAddress, Index, IndexReader, Term};

/// Adds a text field cut by the jieba tokenizer (with term frequencies and
/// positions).
pub fn jieba_text_field(builder: &mut SchemaBuilder, name: &str) -> Field {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(tokenizer::NAME)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    builder.add_text_field(name, TextOptions::default().set_indexing_options(indexing))
}

/// An index in RAM over `schema` with the jieba tokenizer over `jieba`
/// registered (tantivy does not persist the registration).
pub fn ram_index(schema: Schema, jieba: Arc<Jieba>) -> Index {
    let index = Index::create_in_ram(schema);
    index.tokenizers().register(tokenizer::NAME, JiebaTokenizer::new(jieba));
    index
}

/// Any of `terms` (already tokenized) in `field`: one `TermQuery` Should
/// clause each, scored by BM25.
pub fn any_term(field: Field, terms: &[String]) -> BooleanQuery {
    let clauses: Vec<(Occur, Box<dyn Query>)> = terms
        .iter()
        .map(|t| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, t),
                IndexRecordOption::WithFreqs,
            ));
            (Occur::Should, q)
        })
        .collect();
    BooleanQuery::new(clauses)
}

/// The in-memory index of all passages, with every term's BM25 scores.
pub struct SearchIndex {
    /// Per term: in how many passages it occurs, and its BM25 score in each
    /// of them (passage id, score), in passage order.
    terms: rustc_hash::FxHashMap<String, TermScores>,
    /// The year of each passage (the filter of [`SearchIndex::search`]).
    years: Vec<i32>,
    /// Whether the terms' sentence masks were recorded.
    sentences: bool,
}

/// One term's document frequency, its score in each passage that holds it
/// as a word, and every passage whose text holds it anywhere.
#[derive(Debug)]
struct TermScores {
    doc_freq: u32,
    scores: Box<[(u32, f32)]>,
    /// A bit per passage: the lower-cased text holds the term as a
    /// substring (inside a longer word too: `质量奖` in `中国质量奖`).
    within: Box<[u64]>,
    /// For each passage that holds it (in passage order), which of its
    /// first 64 sentences do (a bit each); empty when the index was built
    /// without sentences.
    sentences: Box<[(u32, u64)]>,
}

/// The most sentences of a passage [`SearchIndex::sentences_holding`] knows.
pub const MASKED_SENTENCES: usize = 64;

/// A word of the index (see [`SearchIndex::word`]).
#[derive(Debug, Clone, Copy)]
pub struct Word<'a> {
    scores: &'a TermScores,
    sentences: bool,
}

impl<'a> Word<'a> {
    /// The passages whose lower-cased text holds the word anywhere.
    pub fn passages(self) -> PassageSet<'a> {
        PassageSet(&self.scores.within)
    }

    /// Which of the first [`MASKED_SENTENCES`] sentences of passage `pid`
    /// hold the word (a bit each; empty when the passage does not); none
    /// when the index was built without sentences.
    pub fn sentences_in(self, pid: usize) -> Option<u64> {
        if !self.sentences {
            return None;
        }
        let list = &self.scores.sentences;
        let at = list.binary_search_by_key(&(pid as u32), |(p, _)| *p);
        Some(at.map_or(0, |i| list[i].1))
    }

    /// In how many passages the word occurs.
    pub fn doc_freq(self) -> u64 {
        u64::from(self.scores.doc_freq)
    }
}

/// A set of passages, one bit each (see [`SearchIndex::passages_holding`]).
#[derive(Debug, Clone, Copy)]
pub struct PassageSet<'a>(&'a [u64]);

impl PassageSet<'_> {
    /// Whether passage `pid` is in the set.
    pub fn contains(self, pid: usize) -> bool {
        self.0.get(pid / 64).is_some_and(|w| w >> (pid % 64) & 1 == 1)
    }
}

/// Where each document came from: the value of a fast `u64` field (the
/// position in the indexed slice), read once for every segment.
pub struct Positions(Vec<Vec<u32>>);

impl Positions {
    /// Reads the fast field `field` of every document of `reader`.
    pub fn read(reader: &IndexReader, field: &str) -> Result<Positions> {
        let mut segments = Vec::new();
        for seg in reader.searcher().segment_readers() {
            let col = seg.fast_fields().u64(field)?;
            segments.push((0..seg.max_doc()).map(|d| col.first(d).unwrap_or(0) as u32).collect());
        }
        Ok(Positions(segments))
    }

    /// The position of the document at `addr`.
    pub fn of(&self, addr: DocAddress) -> Option<usize> {
        let p = self.0.get(addr.segment_ord as usize)?.get(addr.doc_id as usize)?;
        Some(*p as usize)
    }
}

impl SearchIndex {
    /// Indexes `(year, text)` per passage; passage ids are the slice positions.
    ///
    /// The statistics are those a tantivy index of the passages (through
    /// [`JiebaTokenizer`], one segment) would hold: each term's frequency
    /// in each passage, each passage's field norm (its number of tokens),
    /// the total and average field norm. They are counted here directly,
    /// without building that index (its writer, threads and term
    /// dictionary cost about a sixth of a cold start), and scored with
    /// tantivy's own [`Bm25Weight`] (see the test against a tantivy query).
    pub fn build(passages: &[(i32, &str)], jieba: Arc<Jieba>) -> Result<SearchIndex> {
        SearchIndex::build_with_sentences(passages, &[], jieba)
    }

    /// [`SearchIndex::build`], also recording which sentences of each
    /// passage (`sentences[p]`: byte ranges, in order) hold each term, for
    /// [`SearchIndex::sentences_holding`].
    pub fn build_with_sentences(
        passages: &[(i32, &str)],
        sentences: &[&[std::ops::Range<usize>]],
        jieba: Arc<Jieba>,
    ) -> Result<SearchIndex> {
        // Each term's (passage, term frequency), in passage order.
        let mut postings: HashMap<String, Vec<(u32, u32)>> = HashMap::default();
        let mut norms: Vec<u8> = Vec::with_capacity(passages.len());
        let mut total_tokens = 0u64;
        let mut freqs: HashMap<std::borrow::Cow<str>, u32> = HashMap::default();
        for (p, (_, text)) in passages.iter().enumerate() {
            let mut tokens = 0u32;
            // tantivy drops a token longer than this, uncounted.
            for t in tokenizer::terms(&jieba, text)
                .into_iter()
                .filter(|t| t.text.len() <= MAX_TOKEN_LEN)
            {
                tokens += 1;
                *freqs.entry(t.text).or_default() += 1;
            }
            total_tokens += u64::from(tokens);
            norms.push(FieldNormReader::fieldnorm_to_id(tokens));
            for (t, tf) in freqs.drain() {
                postings.entry(t.into_owned()).or_default().push((p as u32, tf));
            }
        }
        let total_docs = passages.len() as u64;
        let average_fieldnorm = total_tokens as f32 / total_docs.max(1) as f32;
        let postings: Vec<(String, Vec<(u32, u32)>)> = postings.into_iter().collect();
        // Where each word of the vocabulary stands in the passages' text,
        // inside longer words too: one pass of an automaton of all the
        // words over every passage.
        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(postings.iter().map(|(t, _)| t))
            .map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))?;
        let blocks = passages.len().div_ceil(64);
        let mut within = vec![0u64; postings.len() * blocks];
        let mut masks: Vec<Vec<(u32, u64)>> = vec![Vec::new(); if sentences.is_empty() { 0 } else { postings.len() }];
        for (p, (_, text)) in passages.iter().enumerate() {
            let lower = text.to_ascii_lowercase();
            let ranges = sentences.get(p).copied().unwrap_or_default();
            for m in automaton.find_overlapping_iter(&lower) {
                let w = m.pattern().as_usize();
                within[w * blocks + p / 64] |= 1 << (p % 64);
                if masks.is_empty() {
                    continue;
                }
                // The sentence the occurrence stands in, if any.
                let s = ranges.partition_point(|r| r.end < m.end());
                let bit = match ranges.get(s) {
                    Some(r) if s < MASKED_SENTENCES && r.start <= m.start() => 1u64 << s,
                    _ => 0,
                };
                match masks[w].last_mut() {
                    Some((q, mask)) if *q == p as u32 => *mask |= bit,
                    _ => masks[w].push((p as u32, bit)),
                }
            }
        }
        let mut masks = masks.into_iter();
        let terms = postings
            .into_iter()
            .enumerate()
            .map(|(w, (t, list))| {
                let doc_freq = list.len() as u32;
                let weight =
                    Bm25Weight::for_one_term_without_explain(u64::from(doc_freq), total_docs, average_fieldnorm);
                let scores = list
                    .into_iter()
                    .map(|(p, tf)| (p, weight.score(norms[p as usize], tf)))
                    .collect();
                let within = within[w * blocks..(w + 1) * blocks].into();
                let sentences = masks.next().unwrap_or_default().into_boxed_slice();
                (
                    t,
                    TermScores {
                        doc_freq,
                        scores,
                        within,
                        sentences,
                    },
                )
            })
            .collect();
        Ok(SearchIndex {
            terms,
            years: passages.iter().map(|(y, _)| *y).collect(),
            sentences: !sentences.is_empty(),
        })
    }

    /// The passages whose lower-cased text holds `term` anywhere; none when
    /// `term` is no word of the index (then ask the text itself).
    pub fn passages_holding(&self, term: &str) -> Option<PassageSet<'_>> {
        self.word(term).map(Word::passages)
    }

    /// Which of the first [`MASKED_SENTENCES`] sentences of passage `pid`
    /// hold `term` (a bit each); none when `term` is no word of the index or
    /// the index was built without sentences. A passage that does not hold
    /// it gets an empty mask.
    pub fn sentences_holding(&self, term: &str, pid: usize) -> Option<u64> {
        self.word(term)?.sentences_in(pid)
    }

    /// In how many passages `term` occurs.
    pub fn doc_freq(&self, term: &str) -> u64 {
        self.word(term).map_or(0, Word::doc_freq)
    }

    /// `term` as a word of the index, looked up once for all that is asked
    /// of it; none when the passages never have it as a word.
    pub fn word(&self, term: &str) -> Option<Word<'_>> {
        self.terms.get(term).map(|scores| Word {
            scores,
            sentences: self.sentences,
        })
    }

    /// Passages matching any of `terms` (already tokenized), best first, with
    /// their BM25 scores (the sum over the terms, a term listed twice
    /// counting twice); only `year`'s when given. Equal scores keep passage
    /// order.
    pub fn search<S: AsRef<str>>(&self, terms: &[S], year: Option<i32>, limit: usize) -> Vec<(usize, f32)> {
        let words: Vec<Option<Word>> = terms.iter().map(|t| self.word(t.as_ref())).collect();
        self.search_words(&words, year, limit)
    }

    /// [`SearchIndex::search`] with the terms already looked up (none for
    /// a term that is no word of the index).
    pub fn search_words(&self, words: &[Option<Word>], year: Option<i32>, limit: usize) -> Vec<(usize, f32)> {
        if words.is_empty() || limit == 0 {
            return Vec::new();
        }
        // The summed scores, and the passages some term is in (in the order
        // first met: the order below is total, so it does not matter). The
        // per-passage buffers are the thread's, kept zeroed between searches.
        thread_local! {
            static SUMS: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let mut hits: Vec<(usize, f32)> = SUMS.with_borrow_mut(|sum| {
            if sum.len() < self.years.len() {
                sum.resize(self.years.len(), 0.0);
            }
            let mut touched: Vec<usize> = Vec::new();
            for w in words.iter().flatten() {
                for &(p, score) in w.scores.scores.iter() {
                    let p = p as usize;
                    if year.is_some_and(|y| self.years[p] != y) {
                        continue;
                    }
                    // A passage is touched when its first score is added (a
                    // BM25 score is positive).
                    debug_assert!(score > 0.0);
                    if sum[p] == 0.0 {
                        touched.push(p);
                    }
                    sum[p] += score;
                }
            }
            touched.into_iter().map(|p| (p, std::mem::take(&mut sum[p]))).collect()
        });
        // Best first, ties by passage: only the first `limit` are ordered.
        let order = |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if hits.len() > limit {
            hits.select_nth_unstable_by(limit - 1, order);
            hits.truncate(limit);
        }
        hits.sort_unstable_by(order);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::doc;
    use tantivy::schema::Schema;

    #[test]
    fn chinese_terms_find_passages_and_year_filters() -> Result<()> {
        let jieba = Arc::new(tokenizer::build_jieba(["金融标准"], []));
        let docs = [
            (2019, "人民银行开展“金融标准 为民利企”主题质量月活动。"),
            (2024, "中国人民银行开展“金融标准 为民利企”主题活动。"),
            (2024, "海关总署开展跨境电商进口消费品质量安全风险监测。"),
        ];
        let idx = SearchIndex::build(&docs, jieba)?;
        let hits = idx.search(&["金融标准".to_string()], None, 10);
        assert_eq!(hits.len(), 2);
        let hits = idx.search(&["金融标准".to_string()], Some(2024), 10);
        assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), vec![1]);
        assert!(idx.search(&["海关".to_string(), "跨境电商".to_string()], Some(2024), 10)[0].0 == 2);
        assert!(idx.search(&[] as &[&str], None, 10).is_empty());
        assert!(idx.search(&["title:*".to_string()], None, 10).is_empty());
        Ok(())
    }

    #[test]
    fn scores_are_those_of_a_tantivy_boolean_query() -> Result<()> {
        let jieba = Arc::new(tokenizer::build_jieba(["质量月", "金融标准"], []));
        let texts = [
            "市场监管总局召开质量月启动大会，发布质量月活动口号。",
            "人民银行开展“金融标准 为民利企”主题质量月活动，质量提升。",
            "海关总署开展跨境电商进口消费品质量安全风险监测。",
            "质量",
            "各地开展质量月活动，质量强国，质量强省，质量第一。",
        ];
        let docs: Vec<(i32, &str)> = texts.iter().map(|t| (2024, *t)).collect();
        let idx = SearchIndex::build(&docs, jieba.clone())?;
        // The same passages in a plain tantivy index, searched as tantivy would.
        let mut builder = Schema::builder();
        let text = jieba_text_field(&mut builder, "text");
        let index = ram_index(builder.build(), jieba);
        let mut writer = index.writer_with_num_threads(1, 15_000_000)?;
        for t in texts {
            writer.add_document(doc!(text => t))?;
        }
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        for terms in [
            vec!["质量月"],
            vec!["质量"],
            vec!["活动"],
            vec!["质量", "活动", "海关"],
            vec!["质量", "质量"],
            vec!["无此词"],
        ] {
            let terms: Vec<String> = terms.into_iter().map(String::from).collect();
            let ours = idx.search(&terms, None, 10);
            let top = searcher.search(
                &any_term(text, &terms),
                &tantivy::collector::TopDocs::with_limit(10).order_by_score(),
            )?;
            assert_eq!(ours.len(), top.len(), "{terms:?}");
            for ((pid, score), (expected, addr)) in ours.iter().zip(&top) {
                assert_eq!(*pid, addr.doc_id as usize, "{terms:?}");
                assert!((score - expected).abs() < 1e-4, "{terms:?}: {score} vs {expected}");
                // One term's score is tantivy's to the bit: the statistics
                // counted without an index are the index's.
                if terms.len() == 1 {
                    assert_eq!(score.to_bits(), expected.to_bits(), "{terms:?}");
                }
            }
        }
        Ok(())
    }

    #[test]
    fn passages_holding_a_word_include_those_with_it_inside_a_longer_word() -> Result<()> {
        // Search mode offers only the two- and three-character parts of a
        // word, so 质量强国 is no word of the first passage, but it is in it.
        let jieba = Arc::new(tokenizer::build_jieba(["建设质量强国", "质量强国"], []));
        let docs = [(2024, "全面建设质量强国"), (2024, "推进质量强国"), (2024, "海关总署")];
        let idx = SearchIndex::build(&docs, jieba.clone())?;
        assert!(!tokenizer::terms(&jieba, docs[0].1).iter().any(|t| t.text == "质量强国"));
        let set = idx.passages_holding("质量强国").expect("a word of the index");
        assert!(set.contains(0) && set.contains(1) && !set.contains(2));
        assert!(idx.passages_holding("不在索引里").is_none());
        Ok(())
    }

    #[test]
    fn the_sentences_holding_a_word_are_recorded_at_build() -> Result<()> {
        let jieba = Arc::new(tokenizer::build_jieba(["质量强国"], []));
        let texts = ["开展质量月活动。建设质量强国。推进质量强国建设。", "海关总署开展监测。"];
        let docs: Vec<(i32, &str)> = texts.iter().map(|t| (2024, *t)).collect();
        let sentences: Vec<Vec<std::ops::Range<usize>>> = texts
            .iter()
            .map(|t| {
                // Sentences end after each 。 (three bytes).
                let mut out = Vec::new();
                let mut start = 0;
                for (b, _) in t.match_indices('。') {
                    out.push(start..b + 3);
                    start = b + 3;
                }
                out
            })
            .collect();
        let sentences: Vec<&[std::ops::Range<usize>]> = sentences.iter().map(Vec::as_slice).collect();
        let idx = SearchIndex::build_with_sentences(&docs, &sentences, jieba.clone())?;
        assert_eq!(idx.sentences_holding("质量强国", 0), Some(0b110));
        assert_eq!(idx.sentences_holding("质量强国", 1), Some(0));
        assert_eq!(idx.sentences_holding("开展", 1), Some(0b1));
        assert_eq!(idx.sentences_holding("不在索引里", 0), None);
        // Built without sentences, the index knows none.
        let plain = SearchIndex::build(&docs, jieba)?;
        assert_eq!(plain.sentences_holding("质量强国", 0), None);
        Ok(())
    }
}
