//! A message that asks several questions (`…放在质量月里吗？最近一届是第几届？`)
//! and finds no answer as a whole: each question is answered on its own, the
//! later ones continuing the earlier (year, bodies, as a follow-up does), and
//! the replies are joined under the questions they answer, when the notices
//! answer the first.

use super::*;
use crate::conversation::{self, Context, Turn};

impl Engine {
    /// The joined answer to the questions `whole` asks, when it asks
    /// several and the notices answer the first. What the whole sets aside
    /// (`…有哪些？除了福建省的`) stays aside in every part.
    pub(super) fn answer_parts(&self, whole: &Question, today: NaiveDate, context: Option<&Context>) -> Option<Turn> {
        let parts = query::split_questions(&whole.raw);
        if parts.is_empty() {
            return None;
        }
        let mut prev: Option<Question> = None;
        let mut answers = Vec::with_capacity(parts.len());
        let mut asked: Vec<&str> = Vec::with_capacity(parts.len());
        for part in &parts {
            let q = self.understand(part, today.year());
            // A later part that names and asks nothing (`列一下`, `谢谢`) is
            // no question of its own.
            if prev.is_some() && asks_nothing(&q) {
                continue;
            }
            asked.push(part);
            let mut merged = match &prev {
                Some(p) => conversation::merge_part(p, &q, &self.entities).question,
                None => conversation::merge(context, &q, &self.entities).question,
            };
            for e in &whole.set_aside {
                if !merged.set_aside.contains(e) {
                    merged.set_aside.push(*e);
                }
            }
            let mut answer = self.answer_understood(&merged);
            // A later question that finds nothing alone is about what the
            // earlier one named (`…中国质量奖…吗？最近一届是第几届？`).
            if let (false, Some(p)) = (answer.found, &prev) {
                let mut with = merged.clone();
                for t in &p.terms {
                    if !with.terms.contains(t) {
                        with.terms.push(t.clone());
                    }
                }
                let again = self.answer_understood(&with);
                if again.found {
                    answer = again;
                }
            }
            // The first question is the one asked; the later ones go on from
            // it (`…吗？最近一届是第几届？`). When the first finds nothing, a
            // later one alone (`第一届是什么时候`) is no answer to the message.
            if prev.is_none() && !answer.found {
                return None;
            }
            answers.push(answer);
            prev = Some(merged);
        }
        let lang = answers[0].lang;
        // One question and words that ask nothing (`…质量提升？列一下`): the
        // answer to that question.
        if answers.len() == 1 {
            let mut answer = answers.remove(0);
            answer.question = whole.raw.clone();
            return Some(Turn {
                answer,
                context: prev.map(Context::new),
                follow_up: false,
            });
        }
        let mut blocks = Vec::new();
        let mut citations: Vec<Citation> = Vec::new();
        for (part, a) in asked.iter().zip(answers) {
            blocks.push(Block::plain(msg::part_question(lang, part)));
            if a.found {
                blocks.extend(a.blocks);
            } else {
                // The reason only, not the list of years covered.
                blocks.extend(a.blocks.into_iter().take(1));
            }
            for c in a.citations {
                if !citations.contains(&c) {
                    citations.push(c);
                }
            }
        }
        Some(Turn {
            answer: Answer {
                question: whole.raw.clone(),
                found: true,
                lang,
                blocks,
                citations,
            },
            context: prev.map(Context::new),
            follow_up: false,
        })
    }
}

/// Whether `q` names and asks nothing: no content word, body, year, document
/// number, asking word or intent.
fn asks_nothing(q: &Question) -> bool {
    q.terms.is_empty()
        && q.entities.is_empty()
        && q.year == query::YearRef::None
        && q.doc_number.is_none()
        && q.asks.is_none()
        && q.intent == query::Intent::default()
        && q.associations.is_empty()
}
