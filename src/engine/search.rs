//! Answer kind: passage search, the fallback of every route, with
//! sentence-level evidence for fact questions.
//!
//! Passages come from the index (BM25 over jieba terms) and are weighed by
//! how much of the question's content they cover (idf-weighted). Inside the
//! best passages each sentence is scored the same way, plus a bonus when it
//! holds the kind of answer the asking words want (a date for 什么时候, a
//! name for 叫什么 …); the best sentence leads the reply.

use super::coverage::Weighted;
use super::*;
use crate::index::{PassageSet, Word};
use crate::query::asks;
use std::ops::Range;

/// How many passages the sentence stage looks into.
const SENTENCE_POOL: usize = 8;
/// How many BM25 passages are weighed by coverage (no answer of the eval
/// sets changes between 24 and 40).
const BM25_POOL: usize = 24;
/// The coverage weight of a word the notices never use that is no noun.
const UNKNOWN_VERB_WEIGHT: f32 = STRONG_IDF;
/// The share of its idf a verb of the question weighs in coverage.
const VERB_SHARE: f32 = 0.5;
/// How much of the question the sentence that gives a place or a day must
/// cover: it is about what the question names, not about something else.
const SLOT_COVERAGE: f32 = 0.5;
/// The share of the question a sentence that gives a count must cover: a
/// count stands in a sentence about what is counted, often among other
/// figures, so less than [`SLOT_COVERAGE`].
const COUNT_COVERAGE: f32 = 0.3;
/// Bonus of a sentence holding the kind of answer asked for.
const ANSWER_KIND_BONUS: f32 = 0.5;

/// A passage found by search, with its best sentence.
struct Hit {
    pid: usize,
    score: f32,
    coverage: f32,
    /// The best sentence, by its place among the passage's sentences.
    sentence: Option<usize>,
    /// How much of the question that sentence covers.
    sentence_coverage: f32,
}

/// A phrase of the question (a run of four or more characters) and the
/// passages that hold it.
struct Phrase<'a> {
    text: &'a str,
    /// Its substring searcher, built when first needed.
    finder: std::cell::OnceCell<memchr::memmem::Finder<'a>>,
    held: Vec<usize>,
}

impl Engine {
    /// The question's search terms with their weights: its content words
    /// (idf), and the stems of the bodies it names, which share one body's
    /// weight (`广东省` and `广东` are one thing asked about, not two).
    fn search_terms<'a>(&'a self, q: &'a Question) -> Weighted<'a> {
        let mut terms: Vec<&str> = q.terms.iter().map(String::as_str).collect();
        let mut words: Vec<Option<Word>> = terms.iter().map(|t| self.index.word(t)).collect();
        // A word the notices never use weighs most when it is a thing asked
        // about (`奖金`), and little when it only asks (`算不算`, `能领`).
        let mut weights: Vec<f32> = q
            .terms
            .iter()
            .zip(&words)
            .map(|(t, w)| {
                let df = w.map_or(0, |w| w.doc_freq());
                match (df > 0 || q.nouns.contains(t), q.verbs.contains(t)) {
                    // The relation asked about is often worded otherwise in
                    // the notices (`颁发` for `颁奖`): the things asked about
                    // carry the question.
                    (true, true) => self.idf_of(df) * VERB_SHARE,
                    (true, false) => self.idf_of(df),
                    // A lone character the notices never use as a word,
                    // and no noun (`盯`, `弄`), is how the asker put it.
                    (false, _) if t.chars().count() == 1 => 0.0,
                    (false, _) => UNKNOWN_VERB_WEIGHT,
                }
            })
            .collect();
        let mut parent: Vec<Option<usize>> = terms
            .iter()
            .map(|t| {
                (0..q.terms.len())
                    .filter(|&j| q.terms[j].len() > t.len() && holds_part(&q.terms[j], t))
                    .max_by_key(|&j| q.terms[j].len())
            })
            .collect();
        for e in &q.entities {
            let stems: Vec<&str> = self.stem_terms[*e]
                .iter()
                .map(String::as_str)
                .filter(|t| !terms.contains(t))
                .collect();
            let share = stems.len().max(1) as f32;
            for t in stems {
                let word = self.index.word(t);
                weights.push(self.idf_of(word.map_or(0, |w| w.doc_freq())) / share);
                words.push(word);
                parent.push(None);
                terms.push(t);
            }
        }
        Weighted::new(terms, words, weights, parent)
    }

    pub(super) fn search(&self, q: &Question, year: Option<i32>) -> Answer {
        let weighted = self.search_terms(q);
        let (terms, weights) = (&weighted.terms, &weighted.weights);
        if terms.is_empty() {
            return self.not_found(q, msg::not_found(q.lang));
        }
        let lower = &q.lower;
        let counting = q.asks == Some(query::Asks::Number);
        // `奖金有多少`: a count of a thing the notices never mention is
        // nowhere in them, whatever else the question shares with a passage.
        if counting && self.asks_about_the_unknown(q) {
            return self.not_found(q, msg::not_found(q.lang));
        }
        // `中国标准化协会做了什么`: an association the notices never name.
        if q.associations.iter().any(|a| self.passages_with_phrase(a).is_empty()) {
            return self.not_found(q, msg::not_found(q.lang));
        }
        let newest = self.latest_year().unwrap_or_default();
        // Each phrase of the question with the passages that hold it (its
        // searcher is built when a sentence is first looked into for it).
        let phrases: Vec<Phrase> = q
            .phrases
            .iter()
            .map(|ph| Phrase {
                text: ph,
                finder: std::cell::OnceCell::new(),
                held: self.passages_with_phrase(ph),
            })
            .collect();
        let mut hits: Vec<Hit> = self
            .index
            .search_words(&weighted.words, year, BM25_POOL)
            .into_iter()
            .filter(|(pid, _)| match self.passages[*pid].kind {
                Kind::Meta | Kind::Table => false,
                // Whom a notice is sent to answers only a question in its
                // words (`抄送给了哪些单位`), not one that names a body.
                Kind::Addressees => q.terms.iter().any(|t| self.passages[*pid].lower.contains(t.as_str())),
                _ => true,
            })
            .map(|(pid, bm25)| {
                let p = &self.passages[pid];
                let coverage = weighted.passage_coverage(pid, &p.lower);
                let kind_weight = match p.kind {
                    Kind::Contact => 0.5,
                    Kind::Slogan | Kind::Theme => 0.9,
                    _ => 1.0,
                };
                let phrase = if phrases.iter().any(|ph| ph.held.binary_search(&pid).is_ok()) {
                    2.0
                } else {
                    1.0
                };
                let number = if counting && p.digits { 1.5 } else { 1.0 };
                // Without a year, the newer notice wins a tie.
                let recency = if year.is_none() {
                    1.0 - 0.01 * (newest - p.year).clamp(0, 10) as f32
                } else {
                    1.0
                };
                Hit {
                    pid,
                    score: bm25 * kind_weight * phrase * number * recency * coverage * coverage,
                    coverage,
                    sentence: None,
                    sentence_coverage: 0.0,
                }
            })
            .collect();
        // A passage that never names a body the question asks about (nor
        // stands in a notice that body issued) does not answer it.
        for e in &q.entities {
            let ent = &self.entities[*e];
            let stems: Vec<(&str, Option<PassageSet>)> = self.stems[*e]
                .iter()
                .map(|s| (s.as_str(), self.index.passages_holding(s)))
                .collect();
            // The notices whose title or issuer names the body, looked up
            // once rather than for every passage.
            let named: Vec<bool> = self
                .notices
                .iter()
                .map(|n| {
                    let issuer = n.issuer.as_deref().unwrap_or_default();
                    stems.iter().any(|&(s, _)| n.title.contains(s) || issuer.contains(s))
                })
                .collect();
            hits.retain(|h| {
                let p = &self.passages[h.pid];
                p.who.iter().any(|w| w == &ent.name)
                    || named[p.notice]
                    || stems.iter().any(|&(s, held)| match held {
                        Some(set) => set.contains(h.pid),
                        None => p.lower.contains(s),
                    })
            });
        }
        // "Where" needs a place and "who won" needs winners: a passage that
        // only mentions the event does not answer.
        let asks_where = q.asks == Some(query::Asks::Place);
        if WINNERS.is_match(lower) {
            // The winners of the award the question names (`第五届中国质量奖`),
            // not of another one (`各级政府质量奖获奖企业`).
            let awards: Vec<&str> = terms
                .iter()
                .copied()
                .filter(|t| t.ends_with('奖') && t.chars().count() >= 3)
                .collect();
            // The award as the question writes it, with what stands before
            // it in the same phrase (`第五届中国质量奖`).
            let named: Vec<&str> = awards
                .iter()
                .copied()
                .filter(|a| !awards.iter().any(|b| b.len() > a.len() && b.contains(a)))
                .map(|a| {
                    q.phrases
                        .iter()
                        .find_map(|ph| ph.find(a).map(|at| &ph[..at + a.len()]))
                        .unwrap_or(a)
                })
                .collect();
            // What else the question names: its rarest word (`微视频大赛`).
            let rarest = terms
                .iter()
                .zip(weights)
                .filter(|(t, _)| t.chars().nth(1).is_some() && !t.contains("获奖"))
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(t, _)| *t);
            // One clause names winners of it: `获奖` with the award, or with
            // that word when the question names no award.
            hits.retain(|h| {
                let p = &self.passages[h.pid];
                p.lower.split(['，', '。', '；', '：']).any(|clause| {
                    clause.contains("获奖")
                        && match named.is_empty() {
                            true => rarest.is_none_or(|t| clause.contains(t)),
                            false => named.iter().all(|a| compact(clause).contains(a)),
                        }
                })
            });
        }
        // `第四届中国质量奖`: an edition is of the thing named after it; a
        // passage with another edition of it, or with that edition of
        // something else, does not answer.
        for edition in editions(q) {
            hits.retain(|h| self.passages[h.pid].compact.contains(&edition));
        }
        // A name the question quotes (`“质量强国有我”主题宣传活动`) points at
        // the passages that hold it, when some do.
        for quote in super::notice::quoted(q) {
            if hits.iter().any(|h| self.passages[h.pid].compact.contains(&quote)) {
                hits.retain(|h| self.passages[h.pid].compact.contains(&quote));
            }
        }
        // `…“江苏精品”具体是哪些`: a passage that names the set without
        // listing it does not say which.
        let members = guards::members_asked(q);
        hits.retain(|h| !self.names_unlisted(&members, h.pid));
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        let Some(first) = hits.first() else {
            return self.not_found(q, msg::not_found(q.lang));
        };
        let (best, best_cov) = (first.score, first.coverage);
        let matched_strong = {
            let p = &self.passages[first.pid];
            terms
                .iter()
                .zip(weights)
                .any(|(t, w)| *w >= STRONG_IDF && t.chars().count() >= 2 && p.lower.contains(*t))
        };
        tracing::debug!(
            passage = first.pid,
            coverage = best_cov,
            matched_strong,
            terms = ?terms.iter().zip(weights).collect::<Vec<_>>(),
            "search evidence"
        );
        // `检验检测机构会对公众开放吗`: a run of the question's words found
        // as written carries it as a rare word does.
        let matched_strong = matched_strong || best_cov >= 0.5 && self.holds_a_compound(first.pid, &phrases, &weighted);
        if best_cov < 0.5 || !matched_strong && best_cov < 0.99 {
            return self.not_found(q, msg::not_found(q.lang));
        }
        // Sentence evidence: re-rank the best passages by their best sentence.
        hits.truncate(SENTENCE_POOL);
        for h in hits.iter_mut() {
            let (sentence, quality, covered) = self.best_sentence(q, h.pid, &weighted, &phrases);
            h.sentence = sentence;
            h.sentence_coverage = covered;
            h.score = h.score / best * (0.5 + quality);
        }
        // `多少` wants a count: evidence without one does not answer.
        // `多少年` wants years and `多少钱` money: a count in another unit
        // does not answer either.
        if q.asks == Some(query::Asks::Number) {
            let unit = asks::unit(&q.norm);
            hits.retain(|h| {
                h.sentence_coverage >= COUNT_COVERAGE
                    && h.sentence.is_some_and(|s| {
                        let p = &self.passages[h.pid];
                        match unit {
                            Some(u) => asks::counts_in(u, &p.text[p.sentences[s].clone()]),
                            // The kinds of answer each sentence holds were found at load.
                            None => p.holds[s] & query::Asks::Number.bit() != 0,
                        }
                    })
            });
            if hits.is_empty() {
                return self.not_found(q, msg::not_found(q.lang));
            }
        }
        // "Where" is answered by a sentence about what the question names
        // (half of it at least) that names a place, other than those the
        // question names (`…大会在哪个场馆`: not `成都`).
        if asks_where {
            hits.retain(|h| {
                let p = &self.passages[h.pid];
                h.sentence_coverage >= SLOT_COVERAGE
                    && h.sentence.is_some_and(|s| {
                        let sentence = p.text[p.sentences[s].clone()].trim();
                        guards::names_a_new_place(&self.entities, sentence, &p.answers[s], &p.named[s], q)
                    })
            });
            if hits.is_empty() {
                return self.not_found(q, msg::not_found(q.lang));
            }
        }
        // `谁设计的`, `哪个单位负责`: a body that does it, named in the
        // sentence or as the item's subject. A sentence about the thing asked
        // that names no body does not answer.
        if q.asks == Some(query::Asks::Org) {
            hits.retain(|h| {
                let p = &self.passages[h.pid];
                !p.who.is_empty()
                    || h.sentence.is_some_and(|s| {
                        p.holds[s] & query::Asks::Org.bit() != 0
                            || p.named[s].iter().any(|&e| !guards::is_place(&self.entities, e))
                    })
            });
            if hits.is_empty() {
                return self.not_found(q, msg::not_found(q.lang));
            }
        }
        // `几号`/`哪天` wants a day: a month (`2023年9月举办`) does not answer,
        // nor the day of something else than the question names.
        if q.asks == Some(query::Asks::Date) && asks::wants_a_day(&q.norm) {
            hits.retain(|h| {
                let p = &self.passages[h.pid];
                h.sentence_coverage >= SLOT_COVERAGE
                    && h.sentence
                        .is_some_and(|s| asks::names_a_day(&p.text[p.sentences[s].clone()]))
            });
            if hits.is_empty() {
                return self.not_found(q, msg::not_found(q.lang));
            }
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        let top = hits[0].score;
        let top_cov = hits[0].coverage;
        let mut marks = self.marks(q);
        marks.extend(terms.iter().filter(|t| t.chars().count() >= 2).copied());
        let marker = text::Marks::new(&marks);
        // The heading, up to three passages and the leading sentence.
        let mut blocks = Vec::with_capacity(5);
        blocks.push(Block::plain(msg::search(q.lang, year)));
        let mut cites = Vec::with_capacity(3);
        for (rank, h) in hits.iter().take(3).enumerate() {
            // Another passage that covers the question as well is shown even
            // when it ranks lower (long passages score low).
            let as_good = h.coverage >= top_cov * 0.95 && h.score >= top * 0.25;
            if rank > 0 && !as_good && (h.score < top * 0.5 || h.coverage < top_cov * 0.8) {
                break;
            }
            let p = &self.passages[h.pid];
            let sentence = h.sentence.map(|s| p.text[p.sentences[s].clone()].trim());
            let text = if p.text.chars().nth(SNIPPET_CHARS).is_none() {
                p.text.clone()
            } else {
                let extra: Vec<String> = sentence.map(str::to_string).into_iter().collect();
                text::snippet_of(&p.text, &marker.highlight(&p.text, &extra), SNIPPET_CHARS)
            };
            // The leading sentence, when the passage says more than it.
            if let Some(sentence) = sentence {
                let opens_with_it = text.trim_start_matches('…').starts_with(sentence);
                if rank == 0 && !opens_with_it && p.text.chars().count() > sentence.chars().count() + 40 {
                    // The answers its sentence gives were found at load.
                    let given = h.sentence.map_or(&[][..], |s| &p.answers[s][..]);
                    blocks.push(self.lead(q, sentence, given, &marker));
                }
            }
            blocks.push(self.block_marked(text.clone(), &marker, &[]));
            cites.push(self.cite(h.pid, &text));
        }
        self.reply(q, true, blocks, cites)
    }

    /// Whether passage `pid` holds four or more characters of one of the
    /// question's phrases as written, whose words weigh as much as two rare
    /// words (`检验检测机构`: 检验 + 检测 + 机构), not a run of common ones
    /// (`质量提升`).
    fn holds_a_compound(&self, pid: usize, phrases: &[Phrase], weighted: &Weighted) -> bool {
        const MIN_CHARS: usize = 4;
        let text = &self.passages[pid].compact;
        phrases.iter().any(|ph| {
            let at: Vec<usize> = ph.text.char_indices().map(|(b, _)| b).chain([ph.text.len()]).collect();
            let n = at.len() - 1;
            (MIN_CHARS..=n).rev().any(|len| {
                (0..=n - len).any(|i| {
                    let run = &ph.text[at[i]..at[i + len]];
                    text.contains(run) && weighted.weight_within(run) >= 2.0 * STRONG_IDF
                })
            })
        })
    }

    /// The sentence of passage `pid` that best answers `q` (its place among
    /// the passage's sentences), and how well
    /// (coverage of the question's terms, plus a bonus when it holds the
    /// kind of answer asked for or one of the question's phrases).
    fn best_sentence(
        &self,
        q: &Question,
        pid: usize,
        weighted: &Weighted,
        phrases: &[Phrase],
    ) -> (Option<usize>, f32, f32) {
        let p = &self.passages[pid];
        let mut best: (Option<usize>, f32, f32) = (None, 0.0, 0.0);
        // Phrases of the question this passage holds at all.
        let phrases: Vec<&memchr::memmem::Finder<'_>> = phrases
            .iter()
            .filter(|ph| ph.held.binary_search(&pid).is_ok())
            .map(|ph| {
                ph.finder
                    .get_or_init(|| memchr::memmem::Finder::new(ph.text.as_bytes()))
            })
            .collect();
        let masks = weighted.sentence_masks(pid);
        for (i, (r, holds)) in p.sentences.iter().zip(&p.holds).enumerate() {
            let text = &p.text[r.clone()];
            // Same byte offsets: the passage is lower-cased in ASCII only.
            let lower = &p.lower[r.clone()];
            let covered = weighted.sentence_coverage(pid, i, lower, &masks);
            let mut quality = covered;
            if q.asks.is_some_and(|a| holds & a.bit() != 0) {
                quality += ANSWER_KIND_BONUS;
            }
            if !phrases.is_empty() {
                let flat = if text.chars().any(char::is_whitespace) {
                    std::borrow::Cow::Owned(compact(text))
                } else {
                    std::borrow::Cow::Borrowed(text)
                };
                if phrases.iter().any(|ph| ph.find(flat.as_bytes()).is_some()) {
                    quality += 0.3;
                }
            }
            if quality > best.1 {
                best = (Some(i), quality, covered);
            }
        }
        best
    }

    /// The sentence that answers, with the question's words and the answer
    /// itself (the date, the name …) in bold.
    /// `given` is what the sentence answers, kind by kind (`Passage::answers`).
    fn lead(&self, q: &Question, sentence: &str, given: &[(u8, Range<usize>)], marks: &text::Marks) -> Block {
        let answers: Vec<String> = match q.asks {
            Some(a) => given
                .iter()
                .filter(|(kind, _)| *kind == a.bit())
                .map(|(_, r)| sentence[r.clone()].to_string())
                .collect(),
            None => Vec::new(),
        };
        self.block_marked(sentence.to_string(), marks, &answers)
    }
}

/// The editions the question names with what they are of (`第四届中国质量奖`,
/// `首届…`): an ordinal (`第四届`, `第3次`, `首届`) and the longest search term
/// that follows it.
fn editions(q: &Question) -> Vec<String> {
    if !q.norm.contains(['届', '次', '期']) {
        return Vec::new();
    }
    static ORDINAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"第[一二三四五六七八九十百零〇0-9]+[届次期]|首届").unwrap());
    ORDINAL
        .find_iter(&q.norm)
        .filter_map(|m| {
            let rest = &q.norm[m.end()..];
            let name = q
                .terms
                .iter()
                .filter(|t| t.chars().count() >= 2 && rest.starts_with(t.as_str()))
                .max_by_key(|t| t.len())?;
            Some(format!("{}{name}", m.as_str()))
        })
        .collect()
}

/// Whether the short string `hay` holds `part` (byte by byte: a whole UTF-8
/// string found in another starts on a character boundary; no searcher to
/// build for a few bytes).
fn holds_part(hay: &str, part: &str) -> bool {
    part.is_empty() || hay.as_bytes().windows(part.len()).any(|w| w == part.as_bytes())
}
