//! A message that asks several questions (`…放在质量月里吗？最近一届是第几届？`):
//! the parts between its question marks.

/// The questions `text` asks, in order: the parts between question marks
/// (`？`, `?`) that hold at least two letters or digits, trimmed of spaces
/// and punctuation. A message with fewer than two such parts asks one
/// question, and gets an empty list.
pub fn split_questions(text: &str) -> Vec<&str> {
    // The part of a message a question is read from, and at most
    // `MAX_PARTS` questions of it (a message of a thousand question marks
    // is not a thousand questions).
    let text = match text.char_indices().nth(super::MAX_CHARS) {
        Some((at, _)) => &text[..at],
        None => text,
    };
    let mut parts: Vec<&str> = text
        .split(['？', '?'])
        .map(|p| p.trim_matches(|c: char| c.is_whitespace() || is_punct(c)))
        .filter(|p| p.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
        .collect();
    if parts.len() < 2 {
        return Vec::new();
    }
    parts.truncate(MAX_PARTS);
    parts
}

/// The most questions one message is answered as.
const MAX_PARTS: usize = 4;

fn is_punct(c: char) -> bool {
    !c.is_alphanumeric()
        && !matches!(
            c,
            '“' | '”' | '《' | '》' | '（' | '）' | '(' | ')' | '〔' | '〕' | '[' | ']'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_question_marks() {
        assert_eq!(
            split_questions("中国质量奖颁奖也是放在质量月里吗？最近一届是第几届？"),
            vec!["中国质量奖颁奖也是放在质量月里吗", "最近一届是第几届"]
        );
        assert_eq!(split_questions("2023年主题? 口号呢?"), vec!["2023年主题", "口号呢"]);
    }

    #[test]
    fn one_question_is_not_split() {
        assert!(split_questions("2024年质量月的主题是什么？").is_empty());
        assert!(split_questions("什么？？").is_empty());
        assert!(split_questions("2019年质量月的主题").is_empty());
        // A part without content (`嗯？`) does not count.
        assert!(split_questions("嗯？2023年的主题是什么？").is_empty());
    }

    #[test]
    fn a_long_message_is_at_most_four_questions() {
        let flood = "2023年主题是什么？".repeat(20_000);
        assert_eq!(split_questions(&flood).len(), 4);
    }

    #[test]
    fn brackets_stay_with_their_part() {
        assert_eq!(
            split_questions("福建有哪几个城市在创建？（18年那份通知）"),
            vec!["福建有哪几个城市在创建", "（18年那份通知）"]
        );
    }
}
