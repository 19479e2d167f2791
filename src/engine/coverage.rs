//! Coverage: how much of a question a passage or one of its sentences
//! holds, each of the question's search terms weighed by its idf (a part of
//! a longer term of the question earns only its share of that term).

use crate::index::{PassageSet, Word, MASKED_SENTENCES};

/// The question's search terms and how much each weighs in coverage.
pub(super) struct Weighted<'a> {
    pub(super) terms: Vec<&'a str>,
    /// The idf of each term (a body's name stems share one body's weight).
    pub(super) weights: Vec<f32>,
    /// For a word inside a longer word of the question (`质量奖` in
    /// `中国质量奖`), the longer one and the part's share of it: a compound
    /// is one thing asked about, and its parts earn only their share of it.
    parent: Vec<Option<(usize, f32)>>,
    /// Each term as a word of the index, looked up once (none for a term
    /// the index does not know).
    pub(super) words: Vec<Option<Word<'a>>>,
    /// For each term the index knows, the passages whose text holds it
    /// (found at load); a passage's coverage is then a lookup.
    within: Vec<Option<PassageSet<'a>>>,
    /// One substring searcher per term, built when first needed (for a
    /// term the index does not know, and for sentences): most questions
    /// look into no sentence.
    finders: Vec<std::cell::OnceCell<memchr::memmem::Finder<'a>>>,
    /// The weight of the whole question.
    total: f32,
}

/// Up to this many terms, coverage keeps its credits on the stack.
const STACK_TERMS: usize = 48;

impl<'a> Weighted<'a> {
    pub(super) fn new(
        terms: Vec<&'a str>,
        words: Vec<Option<Word<'a>>>,
        weights: Vec<f32>,
        parents: Vec<Option<usize>>,
    ) -> Weighted<'a> {
        let parent: Vec<Option<(usize, f32)>> = terms
            .iter()
            .zip(&parents)
            .map(|(t, p)| p.map(|p| (p, t.chars().count() as f32 / terms[p].chars().count() as f32)))
            .collect();
        let total = weights
            .iter()
            .zip(&parent)
            .filter(|(_, p)| p.is_none())
            .map(|(w, _)| *w)
            .sum();
        let within = words.iter().map(|w| w.map(Word::passages)).collect();
        let finders = terms.iter().map(|_| std::cell::OnceCell::new()).collect();
        Weighted {
            terms,
            words,
            weights,
            parent,
            within,
            finders,
            total,
        }
    }

    /// The idf-weighted share of the question that passage `pid` (its
    /// lower-cased text `lower`) contains.
    pub(super) fn passage_coverage(&self, pid: usize, lower: &str) -> f32 {
        self.coverage(|i| match self.within[i] {
            Some(set) => set.contains(pid),
            None => self.finder(i).find(lower.as_bytes()).is_some(),
        })
    }

    /// Which of passage `pid`'s first sentences hold each term, as the
    /// index recorded at load (none for a term it does not know).
    pub(super) fn sentence_masks(&self, pid: usize) -> Vec<Option<u64>> {
        self.words.iter().map(|w| w.and_then(|w| w.sentences_in(pid))).collect()
    }

    /// The share of the question that sentence `s` (lower case) of passage
    /// `pid` contains, with the passage's `masks`; a term the passage lacks
    /// is not looked for, nor one whose sentences the index knows.
    pub(super) fn sentence_coverage(&self, pid: usize, s: usize, sentence: &str, masks: &[Option<u64>]) -> f32 {
        self.coverage(|i| match masks[i] {
            Some(mask) if s < MASKED_SENTENCES => mask >> s & 1 == 1,
            _ => {
                self.within[i].is_none_or(|set| set.contains(pid)) && self.finder(i).find(sentence.as_bytes()).is_some()
            }
        })
    }

    /// The summed weight of the terms `run` holds, a part of a longer term
    /// it holds not counted again.
    pub(super) fn weight_within(&self, run: &str) -> f32 {
        let held = |i: usize| run.contains(self.terms[i]);
        (0..self.terms.len())
            .filter(|&i| held(i) && !self.parent[i].is_some_and(|(p, _)| held(p)))
            .map(|i| self.weights[i])
            .sum()
    }

    /// The substring searcher of term `i`.
    fn finder(&self, i: usize) -> &memchr::memmem::Finder<'a> {
        self.finders[i].get_or_init(|| memchr::memmem::Finder::new(self.terms[i].as_bytes()))
    }

    /// The idf-weighted share of the question whose terms are `present`.
    fn coverage(&self, present: impl Fn(usize) -> bool) -> f32 {
        if self.total <= 0.0 {
            return 0.0;
        }
        let mut stack = [0.0f32; STACK_TERMS];
        let mut heap = Vec::new();
        let credit: &mut [f32] = if self.terms.len() <= STACK_TERMS {
            &mut stack[..self.terms.len()]
        } else {
            heap.resize(self.terms.len(), 0.0);
            &mut heap
        };
        for i in 0..self.terms.len() {
            if !present(i) {
                continue;
            }
            match self.parent[i] {
                None => credit[i] = self.weights[i],
                Some((p, share)) => credit[p] = credit[p].max(self.weights[p] * share),
            }
        }
        credit.iter().sum::<f32>() / self.total
    }
}
