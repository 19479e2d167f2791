//! The answer a question gets: the same value feeds `qmbot ask` (plain text or
//! JSON) and the Telegram front end (HTML, see [`crate::format`]).

use serde::Serialize;
use std::ops::Range;

/// The language the reply frame is written in (the quoted notice text stays
/// in Chinese).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Simplified or traditional Chinese question: Chinese frame.
    Zh,
    /// English question: English frame.
    En,
}

/// One paragraph of the reply, with byte ranges of the words to highlight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    /// The paragraph text, plain.
    pub text: String,
    /// Byte ranges into `text` to show in bold (sorted, non-overlapping,
    /// on char boundaries).
    pub highlights: Vec<Range<usize>>,
}

impl Block {
    /// A paragraph without highlights.
    pub fn plain(text: impl Into<String>) -> Block {
        Block {
            text: text.into(),
            highlights: Vec::new(),
        }
    }
}

/// Where a quoted passage comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// The notice's year.
    pub year: i32,
    /// The notice's title (from the catalog).
    pub title: String,
    /// The document number, e.g. 国市监质〔2019〕162号, when known.
    pub doc_number: Option<String>,
    /// The section inside the notice, e.g. `附件3 · 十九`.
    pub section: String,
    /// The notice's file, relative to the data directory.
    pub file: String,
    /// The quoted passage (shortened when long).
    pub snippet: String,
}

/// A complete reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// The question as asked.
    pub question: String,
    /// Whether the notices answer the question.
    pub found: bool,
    /// The language of the reply frame.
    pub lang: Lang,
    /// The reply's paragraphs, before the list of sources.
    pub blocks: Vec<Block>,
    /// The sources, numbered 1.. in the reply.
    pub citations: Vec<Citation>,
}

impl Answer {
    /// The heading of the sources list in this answer's language.
    pub fn sources_heading(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "出处：",
            Lang::En => "Sources:",
        }
    }

    /// One line describing citation `i` (0-based), without its number.
    pub fn citation_line(&self, i: usize) -> String {
        let c = &self.citations[i];
        let mut line = format!("《{}》", c.title);
        if let Some(doc) = &c.doc_number {
            line.push('（');
            line.push_str(doc);
            line.push('）');
        }
        if !c.section.is_empty() {
            line.push_str(" · ");
            line.push_str(&c.section);
        }
        match self.lang {
            Lang::Zh => line.push_str(&format!(" · {}年", c.year)),
            Lang::En => line.push_str(&format!(" · {}", c.year)),
        }
        line
    }

    /// The whole reply as plain text, as a chat shows it: paragraphs, then
    /// the numbered sources.
    pub fn to_plain(&self) -> String {
        let mut out = String::new();
        for (i, b) in self.blocks.iter().enumerate() {
            if i > 0 {
                out.push_str("\n\n");
            }
            out.push_str(&b.text);
        }
        if !self.citations.is_empty() {
            out.push_str("\n\n");
            out.push_str(self.sources_heading());
            for i in 0..self.citations.len() {
                out.push_str(&format!("\n{}. {}", i + 1, self.citation_line(i)));
            }
        }
        out
    }

    /// The JSON object of the `qmbot ask --json` contract.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "question": self.question,
            "found": self.found,
            "answer": self.to_plain(),
            "citations": self.citations,
        })
    }
}
