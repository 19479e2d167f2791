//! Joining the lines of a notice into paragraphs: PDF extraction breaks
//! lines mid-sentence; headings, numbers, dates and short list lines stand
//! alone.

use super::*;

/// Characters that end a sentence or a clause heading a list.
pub(super) fn ends_terminal(line: &str) -> bool {
    let last = line.trim_end().chars().last();
    // `主题为“质量：` is inside a quotation that goes on.
    if matches!(last, Some('：' | ':')) && line.matches('“').count() > line.matches('”').count() {
        return false;
    }
    matches!(last, Some('。' | '！' | '？' | '；' | '：' | ':' | ';' | '!' | '?'))
        || (line.trim_start().starts_with(['（', '(']) && matches!(last, Some('）' | ')')))
}

/// Whether a line opens a new unit: an item marker, an attachment, a label.
pub(super) fn starts_unit(line: &str) -> bool {
    let l = line.trim();
    TOP.is_match(l)
        || SUB.is_match(l)
        || NUMBERED.is_match(l)
        || l.starts_with("附件")
        || l.starts_with("- 附件")
        || LABEL.is_match(l)
}

pub(super) fn han_len(line: &str) -> usize {
    line.chars().filter(|c| !c.is_whitespace()).count()
}

/// Lines that stand alone: headings, document numbers, dates, short labels.
pub(super) fn standalone(line: &str, known: &Registry) -> bool {
    let l = line.trim();
    // A bare entity name (`福州市`) is a heading.
    if han_len(l) <= 10
        && !l.contains(['，', '。', '、'])
        && known.leading_entity(l).is_some_and(|(n, _)| n.len() == l.len())
    {
        return true;
    }
    if ATTACHMENT.is_match(l) || DOC_NUMBER.is_match(l) || DATE_LINE.is_match(l) || l.contains('\t') {
        return true;
    }
    if let Some(c) = TOP.captures(l).or_else(|| SUB.captures(l)) {
        let rest = c.get(2).map_or("", |m| m.as_str());
        return han_len(rest) <= 12 && !rest.contains(['，', '。', '、']);
    }
    false
}

/// Joins the lines of a notice into paragraphs: a line is continued by the
/// next one unless it ends a sentence, stands alone (heading, date, number),
/// the next one opens a new unit, or both are short (a list of slogans or
/// names). Joining Han text adds no space (`深入贯` + `彻` is `深入贯彻`);
/// two ASCII words keep one. A line that is just a name of a body `known`
/// knows (`福州市`) is a heading.
pub fn paragraphs(text: &str, known: &Registry) -> Vec<String> {
    const SHORT: usize = 20;
    let mut out: Vec<String> = Vec::new();
    let mut open = false; // whether the last paragraph may be continued
    let mut last_line_len = 0;
    let mut last_trailing_space = true;
    // A heading glued to the end of a line (`…活动。三、泉州市`) is a line of its own.
    let lines = text.lines().flat_map(|raw| {
        let trailing = raw.ends_with(|c: char| c.is_whitespace());
        let line = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        match GLUED_HEADING.captures(line) {
            Some(c) => vec![
                (c.get(1).map_or("", |m| m.as_str()), false),
                (c.get(2).map_or("", |m| m.as_str()), trailing),
            ],
            None => vec![(line, trailing)],
        }
    });
    // The usual width of a full line: PDF text wraps at it, so two full-width
    // lines are one paragraph even when the first ends with 。 (and, in such
    // extractions, a paragraph's last line keeps a trailing space).
    let width = {
        let mut lens: Vec<usize> = text.lines().map(han_len).filter(|n| *n >= 15).collect();
        lens.sort_unstable();
        lens.get(lens.len() / 2).copied().unwrap_or(0)
    };
    let in_band = |n: usize| n * 100 >= width * 85 && n * 100 <= width * 115;
    // Only text that looks wrapped: short page lines (a PDF page holds at most
    // about 45 汉字 a line), most of them at that width.
    let wrapped_text = (1..=45).contains(&width) && {
        let lens: Vec<usize> = text.lines().map(han_len).filter(|n| *n >= 15).collect();
        lens.iter().filter(|n| in_band(**n)).count() * 2 >= lens.len()
    };
    let full = |n: usize| wrapped_text && in_band(n);
    let mut blank_before = false;
    for (line, trailing_space) in lines {
        if line.is_empty() {
            blank_before = true;
            continue;
        }
        // A line that goes on a sentence has sentence punctuation, or follows
        // a full-width line across the blank line PDF extraction leaves.
        // Lines without either are list entries (slogans, names, titles).
        let sentence_like = line.contains(['，', '。', '；', '、', '！', '？']);
        let wrapped_after_stop = blank_before
            && !last_trailing_space
            && full(last_line_len)
            && full(han_len(line))
            && out.last().is_some_and(|p| p.ends_with('。'));
        // A numbered list entry (`4.…活动情况统计表`) is not continued across
        // a blank line by a line without sentence punctuation (the signature).
        let list_entry = out
            .last()
            .is_some_and(|p| NUMBERED.is_match(p) && !p.contains(['，', '。', '；']));
        let join = (open || wrapped_after_stop)
            && !starts_unit(line)
            && !standalone(line, known)
            && (sentence_like || (blank_before && last_line_len >= SHORT && !list_entry));
        blank_before = false;
        if join {
            let prev = out.last_mut().expect("open implies a paragraph");
            let a = prev.chars().last().unwrap_or(' ');
            let b = line.chars().next().unwrap_or(' ');
            if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric() {
                prev.push(' ');
            }
            prev.push_str(line);
        } else {
            out.push(line.to_string());
        }
        last_line_len = han_len(line);
        last_trailing_space = trailing_space;
        let cur = out.last().expect("just pushed");
        open = !ends_terminal(cur) && !standalone(cur, known);
    }
    // The same long paragraph twice (a copy-paste in the source) is kept once.
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| han_len(p) < 40 || seen.insert(p.clone()));
    out
}

/// Collapses runs of whitespace to one space.
pub fn squash_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
