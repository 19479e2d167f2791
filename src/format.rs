//! Telegram rendering of an [`Answer`]: HTML parse mode, split into messages
//! that Telegram accepts. Pure functions that send nothing (the only thing
//! taken from teloxide is its HTML escaper).
//!
//! Everything from the notices or the user is escaped; the only tags produced
//! are `<b>…</b>` (matched words, headings), always closed within the
//! paragraph that opened them. Telegram limits a message to 4096 UTF-16 code
//! units of *visible* text (after entity parsing); messages are filled up to
//! [`MESSAGE_BUDGET`] units and split between paragraphs or list items, an
//! over-long paragraph between sentences (`。；！？` and line breaks), and as a
//! last resort between characters. The visible text of the parts, joined, is
//! exactly [`Answer::to_plain`], so a chat shows what `qmbot ask` prints.

use crate::answer::{Answer, Block};
use std::ops::Range;

/// Telegram's limit on a message's visible text, in UTF-16 code units.
pub const TELEGRAM_LIMIT: usize = 4096;

/// How much visible text one message carries at most (UTF-16 code units),
/// kept below [`TELEGRAM_LIMIT`] for safety.
pub const MESSAGE_BUDGET: usize = 4000;

/// How an item is joined to the item before it when both land in one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// A blank line (between paragraphs).
    Paragraph,
    /// A line break (between list items).
    Line,
    /// Nothing (the continuation of a split paragraph).
    Continue,
}

impl Join {
    fn separator(self) -> &'static str {
        match self {
            Join::Paragraph => "\n\n",
            Join::Line => "\n",
            Join::Continue => "",
        }
    }
}

/// One paragraph or list item to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The text and its bold ranges.
    pub block: Block,
    /// How it joins the previous item.
    pub join: Join,
}

impl Item {
    /// A paragraph.
    pub fn paragraph(block: Block) -> Item {
        Item {
            block,
            join: Join::Paragraph,
        }
    }

    /// A list item (one line break before it).
    pub fn line(block: Block) -> Item {
        Item {
            block,
            join: Join::Line,
        }
    }
}

/// Escapes text for Telegram's HTML parse mode (`&`, `<`, `>`): teloxide's
/// own escaper.
pub use teloxide::utils::html::escape;

/// The length Telegram counts: UTF-16 code units.
pub fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// A block's highlight ranges that are usable: inside the text, on char
/// boundaries, non-empty, sorted and not overlapping (others are dropped).
fn clean_highlights(block: &Block) -> Vec<Range<usize>> {
    let text = &block.text;
    let mut ranges: Vec<Range<usize>> = block
        .highlights
        .iter()
        .filter(|r| {
            r.start < r.end && r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
        })
        .cloned()
        .collect();
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last() {
            Some(last) if r.start < last.end => {}
            _ => out.push(r),
        }
    }
    out
}

/// One block as HTML: escaped text with the highlight ranges in `<b>`.
pub fn block_html(block: &Block) -> String {
    let text = &block.text;
    let mut out = String::with_capacity(text.len() + 16);
    let mut pos = 0;
    for r in clean_highlights(block) {
        out.push_str(&escape(&text[pos..r.start]));
        out.push_str("<b>");
        out.push_str(&escape(&text[r.clone()]));
        out.push_str("</b>");
        pos = r.end;
    }
    out.push_str(&escape(&text[pos..]));
    out
}

/// The part `range` of `block`, with its highlights clipped and shifted.
fn sub_block(block: &Block, range: Range<usize>) -> Block {
    let highlights = clean_highlights(block)
        .into_iter()
        .filter_map(|h| {
            let start = h.start.max(range.start);
            let end = h.end.min(range.end);
            (start < end).then(|| start - range.start..end - range.start)
        })
        .collect();
    Block {
        text: block.text[range].to_string(),
        highlights,
    }
}

/// Byte ranges of the sentences of `text`: each ends after `。；！？!?;` or a
/// line break (closing quotes and brackets stay with their sentence).
fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if matches!(c, '。' | '；' | '！' | '？' | '!' | '?' | ';' | '\n') {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = iter.peek() {
                if matches!(d, '”' | '’' | '」' | '』' | '）' | ')' | '"' | '\n') {
                    end = j + d.len_utf8();
                    iter.next();
                } else {
                    break;
                }
            }
            out.push(start..end);
            start = end;
        }
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out
}

/// Splits `text` into ranges of at most `budget` UTF-16 units each, at
/// sentence boundaries where possible, else between characters.
fn split_ranges(text: &str, budget: usize) -> Vec<Range<usize>> {
    let budget = budget.max(2); // a character needs at most 2 units
    let mut pieces: Vec<Range<usize>> = Vec::new();
    for s in sentences(text) {
        if utf16_len(&text[s.clone()]) <= budget {
            pieces.push(s);
            continue;
        }
        let mut start = s.start;
        let mut units = 0;
        for (i, c) in text[s.clone()].char_indices() {
            let at = s.start + i;
            if units + c.len_utf16() > budget {
                pieces.push(start..at);
                start = at;
                units = 0;
            }
            units += c.len_utf16();
        }
        pieces.push(start..s.end);
    }
    // Greedily merge consecutive pieces while they fit.
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut units = 0;
    for p in pieces {
        let len = utf16_len(&text[p.clone()]);
        match out.last_mut() {
            Some(last) if units + len <= budget => {
                last.end = p.end;
                units += len;
            }
            _ => {
                out.push(p);
                units = len;
            }
        }
    }
    out
}

/// Renders items into HTML messages of at most `budget` visible UTF-16 units
/// each. Items are never split unless one alone exceeds the budget.
pub fn render_items(items: &[Item], budget: usize) -> Vec<String> {
    let budget = budget.clamp(2, TELEGRAM_LIMIT);
    let mut messages = Vec::new();
    let mut current = String::new();
    let mut units = 0;
    let mut push = |html: String, len: usize, join: Join, current: &mut String, units: &mut usize| {
        let sep = join.separator();
        if !current.is_empty() && *units + utf16_len(sep) + len > budget {
            messages.push(std::mem::take(current));
            *units = 0;
        }
        if !current.is_empty() {
            current.push_str(sep);
            *units += utf16_len(sep);
        }
        current.push_str(&html);
        *units += len;
    };
    for item in items {
        let len = utf16_len(&item.block.text);
        if len <= budget {
            push(block_html(&item.block), len, item.join, &mut current, &mut units);
            continue;
        }
        for (k, range) in split_ranges(&item.block.text, budget).into_iter().enumerate() {
            let part = sub_block(&item.block, range);
            let join = if k == 0 { item.join } else { Join::Continue };
            let len = utf16_len(&part.text);
            push(block_html(&part), len, join, &mut current, &mut units);
        }
    }
    if !current.is_empty() {
        messages.push(current);
    }
    messages
}

/// The items of an answer: its paragraphs, then the sources heading (bold)
/// with the first source, then one line per further source, numbered as in
/// [`Answer::to_plain`].
pub fn answer_items(answer: &Answer) -> Vec<Item> {
    let mut items: Vec<Item> = answer.blocks.iter().cloned().map(Item::paragraph).collect();
    for i in 0..answer.citations.len() {
        let line = format!("{}. {}", i + 1, answer.citation_line(i));
        if i == 0 {
            let heading = answer.sources_heading();
            let text = format!("{heading}\n{line}");
            items.push(Item::paragraph(Block {
                highlights: std::iter::once(0..heading.len()).collect(),
                text,
            }));
        } else {
            items.push(Item::line(Block::plain(line)));
        }
    }
    items
}

/// An answer as HTML messages for Telegram, each within [`MESSAGE_BUDGET`].
/// Empty when the answer has neither paragraphs nor sources.
pub fn render_answer(answer: &Answer) -> Vec<String> {
    render_answer_with_budget(answer, MESSAGE_BUDGET)
}

/// [`render_answer`] with another budget (visible UTF-16 units per message).
pub fn render_answer_with_budget(answer: &Answer, budget: usize) -> Vec<String> {
    render_items(&answer_items(answer), budget)
}

/// Plain paragraphs (no highlights) as HTML messages within [`MESSAGE_BUDGET`].
pub fn render_paragraphs<S: AsRef<str>>(paragraphs: &[S]) -> Vec<String> {
    let items: Vec<Item> = paragraphs
        .iter()
        .map(|p| Item::paragraph(Block::plain(p.as_ref())))
        .collect();
    render_items(&items, MESSAGE_BUDGET)
}

/// At most `max_chars` characters of `text` on one line, with `…` when cut.
pub fn preview(text: &str, max_chars: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max_chars {
        return flat;
    }
    let mut out: String = flat.chars().take(max_chars.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::{Citation, Lang};

    /// Telegram's HTML parse mode reduced to what we emit: returns the visible
    /// text, or an error on unknown tags, misnesting or bare `<`/`&`.
    fn parse_html(html: &str) -> Result<String, String> {
        let mut visible = String::new();
        let mut open: Vec<String> = Vec::new();
        let mut rest = html;
        while let Some(c) = rest.chars().next() {
            match c {
                '<' => {
                    let end = rest.find('>').ok_or("unclosed tag")?;
                    let tag = &rest[1..end];
                    if let Some(name) = tag.strip_prefix('/') {
                        if open.pop().as_deref() != Some(name) {
                            return Err(format!("misnested </{name}>"));
                        }
                    } else if tag == "b" {
                        open.push(tag.to_string());
                    } else {
                        return Err(format!("unexpected tag <{tag}>"));
                    }
                    rest = &rest[end + 1..];
                }
                '&' => {
                    let end = rest.find(';').ok_or("bare &")?;
                    visible.push(match &rest[1..end] {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        other => return Err(format!("entity {other}")),
                    });
                    rest = &rest[end + 1..];
                }
                c => {
                    visible.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        if open.is_empty() {
            Ok(visible)
        } else {
            Err(format!("unclosed {open:?}"))
        }
    }

    fn answer(blocks: Vec<Block>, citations: usize) -> Answer {
        Answer {
            question: "q".into(),
            found: true,
            lang: Lang::Zh,
            blocks,
            citations: (0..citations)
                .map(|i| Citation {
                    year: 2019,
                    title: format!("关于开展2019年全国“质量月”活动的通知<{i}>"),
                    doc_number: Some("国市监质〔2019〕162号".into()),
                    section: format!("附件{i}"),
                    file: "2019-notice.txt".into(),
                    snippet: "…".into(),
                })
                .collect(),
        }
    }

    fn check_parts(parts: &[String], budget: usize) -> Vec<String> {
        parts
            .iter()
            .map(|p| {
                let visible = parse_html(p).unwrap_or_else(|e| panic!("invalid HTML ({e}): {p}"));
                assert!(
                    utf16_len(&visible) <= budget,
                    "part over budget: {}",
                    utf16_len(&visible)
                );
                assert!(!visible.trim().is_empty(), "empty part");
                visible
            })
            .collect()
    }

    #[test]
    fn escapes_and_bolds_highlights() {
        let text = "主题：<质量> & “强国”";
        let start = text.find("质量").unwrap();
        let block = Block {
            text: text.into(),
            highlights: std::iter::once(start..start + "质量".len()).collect(),
        };
        assert_eq!(block_html(&block), "主题：&lt;<b>质量</b>&gt; &amp; “强国”");
    }

    #[test]
    fn bad_highlights_are_ignored_not_panicking() {
        // Inside a character, overlapping, reversed, past the end, empty.
        let (six, three) = (6, 3);
        let block = Block {
            text: "质量月".into(),
            highlights: vec![1..2, 0..3, 2..6, six..three, 3..100, 0..0],
        };
        let html = block_html(&block);
        assert_eq!(parse_html(&html).unwrap(), "质量月");
        assert_eq!(html, "<b>质</b>量月");
    }

    #[test]
    fn short_answer_is_one_message_matching_to_plain() {
        let a = answer(
            vec![
                Block {
                    text: "2019年质量月主题：坚持质量第一，共创中国质量".into(),
                    highlights: std::iter::once(0..4).collect(),
                },
                Block::plain("第二段 <b>不是标签</b>"),
            ],
            2,
        );
        let parts = render_answer(&a);
        assert_eq!(parts.len(), 1);
        let visible = check_parts(&parts, MESSAGE_BUDGET);
        assert_eq!(visible[0], a.to_plain());
        assert!(parts[0].contains("<b>出处：</b>"));
        assert!(parts[0].contains("&lt;b&gt;不是标签"));
    }

    #[test]
    fn long_answer_splits_between_paragraphs() {
        let blocks: Vec<Block> = (0..60)
            .map(|i| Block {
                text: format!("{i}. {}", "各地开展质量宣传、质量提升和质量惠民活动。".repeat(5)),
                highlights: std::iter::once(0..1).collect(),
            })
            .collect();
        let a = answer(blocks, 12);
        let parts = render_answer(&a);
        assert!(parts.len() > 1);
        let visible = check_parts(&parts, MESSAGE_BUDGET);
        // Every part starts at a paragraph or list item, and nothing is lost.
        assert_eq!(visible.concat().replace('\n', ""), a.to_plain().replace('\n', ""));
        for v in &visible {
            let first = v.split('\n').next().unwrap();
            assert!(
                first.chars().next().unwrap().is_ascii_digit() || first.starts_with("出处"),
                "part starts mid-paragraph: {first}"
            );
        }
    }

    #[test]
    fn parts_rejoin_to_plain_text() {
        let blocks: Vec<Block> = (0..40)
            .map(|i| Block::plain(format!("{i}：{}", "质量".repeat(150))))
            .collect();
        let a = answer(blocks, 0);
        let parts = render_answer(&a);
        let visible = check_parts(&parts, MESSAGE_BUDGET);
        assert_eq!(visible.join("\n\n"), a.to_plain());
    }

    #[test]
    fn over_long_paragraph_splits_at_sentences() {
        let sentence = "各地区各有关部门要围绕质量月主题开展群众性质量活动；";
        let text = format!("{}结束。", sentence.repeat(300));
        let hl = text.find("主题").unwrap();
        let block = Block {
            text: text.clone(),
            highlights: std::iter::once(hl..hl + "主题".len()).collect(),
        };
        let parts = render_items(&[Item::paragraph(block)], MESSAGE_BUDGET);
        assert!(parts.len() >= 2);
        let visible = check_parts(&parts, MESSAGE_BUDGET);
        for v in &visible[..visible.len() - 1] {
            assert!(v.ends_with('；'), "not split at a sentence end: …{}", &v[v.len() - 9..]);
        }
        assert_eq!(visible.concat(), text);
    }

    #[test]
    fn unpunctuated_paragraph_splits_between_characters() {
        // Emoji take two UTF-16 units each; a highlight straddles the cut.
        let text = "😀".repeat(3000);
        let block = Block {
            text: text.clone(),
            highlights: std::iter::once(0..text.len()).collect(),
        };
        let parts = render_items(&[Item::paragraph(block)], MESSAGE_BUDGET);
        assert_eq!(parts.len(), 2);
        let visible = check_parts(&parts, MESSAGE_BUDGET);
        assert_eq!(visible.concat(), text);
        assert!(parts.iter().all(|p| p.starts_with("<b>") && p.ends_with("</b>")));
    }

    #[test]
    fn tiny_budget_still_terminates() {
        let parts = render_items(&[Item::paragraph(Block::plain("质量月质量月"))], 1);
        assert_eq!(check_parts(&parts, 2).concat(), "质量月质量月");
    }

    #[test]
    fn empty_answer_renders_nothing() {
        assert!(render_answer(&answer(Vec::new(), 0)).is_empty());
    }

    #[test]
    fn preview_is_one_short_line() {
        assert_eq!(preview("a\n\nb  c", 10), "a b c");
        assert_eq!(preview(&"质".repeat(20), 5), "质质质质…");
    }
}
