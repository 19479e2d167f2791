//! The tantivy index over passages: text through the jieba tokenizer, the
//! year as a filter. Questions are never handed to tantivy's QueryParser:
//! the engine tokenizes them itself and builds a BooleanQuery of TermQuery
//! clauses, with the year as a zero-scoring Must filter.

use crate::error::Result;
use crate::tokenizer::{self, JiebaTokenizer};
use jieba_rs::Jieba;
use std::collections::HashMap;
use std::sync::Arc;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, SchemaBuilder, TextFieldIndexing, TextOptions, FAST, INDEXED};
use tantivy::{doc, DocAddress, Index, IndexReader, ReloadPolicy, Term};

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

/// The in-memory index of all passages.
pub struct SearchIndex {
    reader: IndexReader,
    text: Field,
    year: Field,
    pids: Positions,
    /// In how many passages each term occurs, read once from the term
    /// dictionaries (the engine asks this many times per question).
    doc_freqs: HashMap<String, u32>,
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
    pub fn build(passages: &[(i32, &str)], jieba: Arc<Jieba>) -> Result<SearchIndex> {
        let mut builder = Schema::builder();
        let text = jieba_text_field(&mut builder, "text");
        let year = builder.add_u64_field("year", INDEXED);
        let pid = builder.add_u64_field("pid", FAST);
        let index = ram_index(builder.build(), jieba);
        let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
        for (i, (y, t)) in passages.iter().enumerate() {
            writer.add_document(doc!(text => *t, year => *y as u64, pid => i as u64))?;
        }
        writer.commit()?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        reader.reload()?;
        let pids = Positions::read(&reader, "pid")?;
        let mut doc_freqs: HashMap<String, u32> = HashMap::new();
        for seg in reader.searcher().segment_readers() {
            let inverted = seg.inverted_index(text)?;
            let mut stream = inverted.terms().stream().map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                if let Ok(t) = std::str::from_utf8(stream.key()) {
                    *doc_freqs.entry(t.to_string()).or_default() += stream.value().doc_freq;
                }
            }
        }
        Ok(SearchIndex {
            reader,
            text,
            year,
            pids,
            doc_freqs,
        })
    }

    /// In how many passages `term` occurs.
    pub fn doc_freq(&self, term: &str) -> u64 {
        self.doc_freqs.get(term).map_or(0, |n| u64::from(*n))
    }

    /// Passages matching any of `terms` (already tokenized), best first, with
    /// their BM25 scores; only `year`'s when given.
    pub fn search(&self, terms: &[String], year: Option<i32>, limit: usize) -> Vec<(usize, f32)> {
        if terms.is_empty() || limit == 0 {
            return Vec::new();
        }
        let text_query: Box<dyn Query> = Box::new(any_term(self.text, terms));
        let query: Box<dyn Query> = match year {
            Some(y) => {
                let filter = TermQuery::new(Term::from_field_u64(self.year, y as u64), IndexRecordOption::Basic);
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, text_query),
                    (Occur::Must, Box::new(ConstScoreQuery::new(Box::new(filter), 0.0))),
                ]))
            }
            None => text_query,
        };
        let searcher = self.reader.searcher();
        let Ok(top) = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score()) else {
            return Vec::new();
        };
        top.into_iter()
            .filter_map(|(score, addr)| Some((self.pids.of(addr)?, score)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(idx.search(&[], None, 10).is_empty());
        assert!(idx.search(&["title:*".to_string()], None, 10).is_empty());
        Ok(())
    }
}
