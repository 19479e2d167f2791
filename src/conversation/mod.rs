//! Conversations: a follow-up question (`江苏呢？`, `那2019年呢`, `口号呢`,
//! `What about Xiamen?`) inherits what it leaves out from the question
//! before it; a full question starts afresh.
//!
//! The rules are pure functions over understood questions ([`merge`]), so
//! the CLI (`qmbot chat`) and the bot behave alike; the bot keeps one
//! [`Context`] per conversation in a bounded [`Memory`]. This module knows
//! nothing of the engine or of Telegram: the engine calls [`merge`] before
//! routing (see `Engine::answer_in`).

mod memory;
mod merge;

pub use memory::{Key, Memory};
pub use merge::{is_follow_up, merge, merge_part, Merged};

use crate::answer::Answer;
use crate::query::Question;

/// What a conversation remembers of its last answered question: the
/// question as it was understood after merging (year, bodies, what was
/// asked, the search terms).
#[derive(Debug, Clone)]
pub struct Context {
    pub(crate) question: Question,
}

impl Context {
    /// The context of a question answered on its own.
    pub fn new(question: Question) -> Context {
        Context { question }
    }

    /// The question this context remembers.
    pub fn question(&self) -> &Question {
        &self.question
    }
}

/// One answered turn of a conversation.
#[derive(Debug, Clone)]
pub struct Turn {
    /// The answer, exactly as `Engine::answer` would render it.
    pub answer: Answer,
    /// What the conversation remembers after this turn. A refused question
    /// (a writing request, off-topic) leaves the earlier context in place.
    pub context: Option<Context>,
    /// Whether the question was read as a follow-up of the context.
    pub follow_up: bool,
}

#[cfg(test)]
mod tests;
