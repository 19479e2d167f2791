//! The yardstick of `qmbot bench`: the simplest reasonable jieba + BM25
//! question answerer over the engine's passages. It cuts the question with
//! the same jieba instance in search mode, runs a BM25 query for the top 3
//! passages in its own tantivy index (in RAM, built once) and makes a
//! snippet of the best one with tantivy's `SnippetGenerator`.
//!
//! Issue 7 asks the engine to cost at most half of this per question; the
//! engine never uses it.

use crate::error::Result;
use crate::index::{any_term, jieba_text_field, ram_index, Positions};
use crate::tokenizer;
use jieba_rs::Jieba;
use std::sync::Arc;
use std::time::Duration;
use tantivy::collector::TopDocs;
use tantivy::schema::{Field, Schema, FAST};
use tantivy::snippet::SnippetGenerator;
use tantivy::{doc, IndexReader};

/// How many passages the peer retrieves.
pub const TOP: usize = 3;
/// The snippet's length in bytes (tantivy counts bytes: about 100 汉字).
const SNIPPET_BYTES: usize = 300;

/// The jieba + BM25 answerer.
pub struct Peer {
    jieba: Arc<Jieba>,
    reader: IndexReader,
    text: Field,
    ids: Positions,
    texts: Vec<String>,
}

/// What the peer answers: the top passages with their BM25 scores, and a
/// snippet of the first (HTML, matched words in `<b>`).
#[derive(Debug, Clone, PartialEq)]
pub struct PeerAnswer {
    /// Passage positions (as given to [`Peer::new`]) and scores, best first.
    pub hits: Vec<(usize, f32)>,
    /// The best passage's snippet; empty when nothing matched.
    pub snippet: String,
}

impl Peer {
    /// Indexes `passages` in RAM with `jieba` (search mode).
    pub fn new<'a>(jieba: Arc<Jieba>, passages: impl IntoIterator<Item = &'a str>) -> Result<Peer> {
        let mut builder = Schema::builder();
        let text = jieba_text_field(&mut builder, "text");
        let id = builder.add_u64_field("id", FAST);
        let index = ram_index(builder.build(), jieba.clone());
        let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
        let texts: Vec<String> = passages.into_iter().map(str::to_string).collect();
        for (i, t) in texts.iter().enumerate() {
            writer.add_document(doc!(text => t.as_str(), id => i as u64))?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        reader.reload()?;
        let ids = Positions::read(&reader, "id")?;
        Ok(Peer {
            jieba,
            reader,
            text,
            ids,
            texts,
        })
    }

    /// Answers `question`: BM25 top 3 over its search-mode words, and a
    /// snippet of the best passage.
    pub fn answer(&self, question: &str) -> PeerAnswer {
        let mut words: Vec<String> = tokenizer::terms(&self.jieba, question)
            .into_iter()
            .map(|t| t.text.into_owned())
            .collect();
        words.sort_unstable();
        words.dedup();
        let query = any_term(self.text, &words);
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&query, &TopDocs::with_limit(TOP).order_by_score())
            .unwrap_or_default();
        let hits: Vec<(usize, f32)> = top
            .into_iter()
            .filter_map(|(score, addr)| Some((self.ids.of(addr)?, score)))
            .collect();
        let snippet = match hits.first() {
            Some((i, _)) => match SnippetGenerator::create(&searcher, &query, self.text) {
                Ok(mut generator) => {
                    generator.set_max_num_chars(SNIPPET_BYTES);
                    generator.snippet(&self.texts[*i]).to_html()
                }
                Err(_) => String::new(),
            },
            None => String::new(),
        };
        PeerAnswer { hits, snippet }
    }
}

/// Latencies of one answerer over a batch of questions, sorted.
#[derive(Debug, Clone, Default)]
pub struct Latencies(Vec<Duration>);

impl Latencies {
    /// The latency at quantile `q` (0.0 to 1.0); zero when empty.
    pub fn quantile(&self, q: f64) -> Duration {
        match self.0.len() {
            0 => Duration::ZERO,
            n => self.0[((n - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize],
        }
    }

    /// The mean latency; zero when empty.
    pub fn mean(&self) -> Duration {
        match self.0.len() {
            0 => Duration::ZERO,
            n => self.0.iter().sum::<Duration>() / n as u32,
        }
    }

    /// How many answers were timed.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing was timed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Times two answerers over the same questions for `rounds` rounds, each
/// question on its own; in every round `a` answers the whole batch, then `b`
/// (so both see the same machine state over the run).
pub fn race(
    questions: &[String],
    rounds: usize,
    mut a: impl FnMut(&str),
    mut b: impl FnMut(&str),
) -> (Latencies, Latencies) {
    let time = |f: &mut dyn FnMut(&str), out: &mut Vec<Duration>| {
        for q in questions {
            let t = std::time::Instant::now();
            f(q);
            out.push(t.elapsed());
        }
    };
    let (mut la, mut lb) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        time(&mut a, &mut la);
        time(&mut b, &mut lb);
    }
    la.sort_unstable();
    lb.sort_unstable();
    (Latencies(la), Latencies(lb))
}

/// The mean cost of each question under `a` and under `b` over `rounds`
/// alternating rounds, the most expensive under `a` first.
pub fn each(
    questions: &[String],
    rounds: usize,
    mut a: impl FnMut(&str),
    mut b: impl FnMut(&str),
) -> Vec<(&str, Duration, Duration)> {
    let mut sums = vec![(Duration::ZERO, Duration::ZERO); questions.len()];
    for _ in 0..rounds {
        for (q, sum) in questions.iter().zip(sums.iter_mut()) {
            let t = std::time::Instant::now();
            a(q);
            sum.0 += t.elapsed();
            let t = std::time::Instant::now();
            b(q);
            sum.1 += t.elapsed();
        }
    }
    let n = rounds.max(1) as u32;
    let mut out: Vec<_> = questions
        .iter()
        .zip(sums)
        .map(|(q, (x, y))| (q.as_str(), x / n, y / n))
        .collect();
    out.sort_by_key(|x| std::cmp::Reverse(x.1));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peer_finds_the_passage_and_marks_the_words() -> Result<()> {
        let jieba = Arc::new(tokenizer::build_jieba(["金融标准", "质量月"], []));
        let passages = [
            "人民银行开展“金融标准 为民利企”主题质量月活动。",
            "海关总署开展跨境电商进口消费品质量安全风险监测。",
            "市场监管总局召开质量月启动大会。",
            "工业和信息化部开展品牌培育。",
        ];
        let peer = Peer::new(jieba, passages)?;
        let a = peer.answer("海关总署开展了什么？");
        assert_eq!(a.hits.first().map(|h| h.0), Some(1), "{a:?}");
        assert!(a.hits.len() <= TOP);
        assert!(
            a.snippet.contains("<b>") && a.snippet.contains("跨境电商"),
            "{}",
            a.snippet
        );
        let none = peer.answer("？？");
        assert!(none.hits.is_empty() && none.snippet.is_empty());
        Ok(())
    }

    #[test]
    fn race_times_every_question_of_every_round() {
        let qs = vec!["a".to_string(), "b".to_string()];
        let (mut na, mut nb) = (0, 0);
        let (a, b) = race(&qs, 3, |_| na += 1, |_| nb += 1);
        assert_eq!((na, nb, a.len(), b.len()), (6, 6, 6, 6));
        assert!(a.quantile(0.5) <= a.quantile(0.99));
        assert!(Latencies::default().mean().is_zero());
    }
}
