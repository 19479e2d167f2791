//! Reading what users send: questions, year arguments, mentions. Pure
//! functions, unit-tested.

use super::texts::MAX_QUESTION_CHARS;

/// A question after cleaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// Ready for the engine.
    Text(String),
    /// Nothing left after cleaning.
    Empty,
    /// Over [`MAX_QUESTION_CHARS`].
    TooLong,
    /// No letter, digit or Chinese character (emoji only, punctuation).
    NoWords,
}

/// Cleans a question: control characters become spaces, runs of whitespace
/// collapse, the ends are trimmed.
pub fn question(raw: &str) -> Question {
    let mut cleaned = String::with_capacity(raw.len().min(4 * MAX_QUESTION_CHARS + 4));
    let mut chars = 0usize;
    let mut pending_space = false;
    for c in raw.chars() {
        let c = if c.is_control() || c.is_whitespace() || is_invisible(c) {
            ' '
        } else {
            c
        };
        if c == ' ' {
            pending_space = !cleaned.is_empty();
            continue;
        }
        if pending_space {
            cleaned.push(' ');
            chars += 1;
            pending_space = false;
        }
        cleaned.push(c);
        chars += 1;
        if chars > MAX_QUESTION_CHARS {
            return Question::TooLong;
        }
    }
    if cleaned.is_empty() {
        Question::Empty
    } else if !cleaned.chars().any(char::is_alphanumeric) {
        Question::NoWords
    } else {
        Question::Text(cleaned)
    }
}

/// Zero-width and direction marks that render as nothing.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
}

/// The argument of `/theme` or `/slogans` is not a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAYear;

/// Parses the optional year of `/theme` and `/slogans`: empty → `Ok(None)`;
/// `2024`, `2024年`, `２０２４` → `Ok(Some(2024))`; anything else → `Err`.
pub fn year_arg(arg: &str) -> Result<Option<i32>, NotAYear> {
    let arg = arg.trim();
    if arg.is_empty() {
        return Ok(None);
    }
    let digits = crate::query::fold_width(arg.trim_end_matches('年').trim());
    if digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit()) {
        digits.parse().map(Some).map_err(|_| NotAYear)
    } else {
        Err(NotAYear)
    }
}

fn is_username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// If `text` mentions `@username` (case-insensitive, as a whole word),
/// returns the text with every such mention removed, cleaned of extra spaces.
pub fn strip_mention(text: &str, username: &str) -> Option<String> {
    if username.is_empty() {
        return None;
    }
    let needle = format!("@{}", username.to_ascii_lowercase());
    let lower = text.to_ascii_lowercase(); // same byte offsets as `text`
    let mut out = String::with_capacity(text.len());
    let mut found = false;
    let mut pos = 0;
    let mut search = 0;
    while let Some(i) = lower[search..].find(&needle).map(|i| i + search) {
        let end = i + needle.len();
        let before_ok = !text[..i].chars().next_back().is_some_and(is_username_char);
        let after_ok = !text[end..].chars().next().is_some_and(is_username_char);
        if before_ok && after_ok {
            out.push_str(&text[pos..i]);
            out.push(' ');
            pos = end;
            found = true;
        }
        search = end;
    }
    if !found {
        return None;
    }
    out.push_str(&text[pos..]);
    Some(out.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Whether `text` is a command addressed to another bot (`/cmd@other_bot`).
pub fn command_for_other_bot(text: &str, username: &str) -> bool {
    let Some(rest) = text.strip_prefix('/') else {
        return false;
    };
    let word = rest.split_whitespace().next().unwrap_or("");
    match word.split_once('@') {
        Some((_, target)) => !target.eq_ignore_ascii_case(username),
        None => false,
    }
}

/// Whether `text` looks like a command (`/word…`).
pub fn looks_like_command(text: &str) -> bool {
    text.strip_prefix('/')
        .and_then(|r| r.chars().next())
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_cleaned() {
        assert_eq!(
            question("  2024年\u{0}质量月\t主题\u{200B}？\n"),
            Question::Text("2024年 质量月 主题 ？".into())
        );
        assert_eq!(question(" \n\t"), Question::Empty);
        assert_eq!(question(""), Question::Empty);
        assert_eq!(question("😀😀🎉"), Question::NoWords);
        assert_eq!(question("？？！"), Question::NoWords);
        assert_eq!(question(&"质".repeat(100 * 1024)), Question::TooLong);
        assert_eq!(question("AND ("), Question::Text("AND (".into()));
        assert_eq!(question("title:*"), Question::Text("title:*".into()));
        assert_eq!(question("<b>主题</b>"), Question::Text("<b>主题</b>".into()));
    }

    #[test]
    fn years_parse() {
        assert_eq!(year_arg(""), Ok(None));
        assert_eq!(year_arg(" 2024 "), Ok(Some(2024)));
        assert_eq!(year_arg("2019年"), Ok(Some(2019)));
        assert_eq!(year_arg("２０２３"), Ok(Some(2023)));
        assert_eq!(year_arg("abc"), Err(NotAYear));
        assert_eq!(year_arg("20245"), Err(NotAYear));
        assert_eq!(year_arg("-202"), Err(NotAYear));
    }

    #[test]
    fn mentions_are_stripped_case_insensitively() {
        assert_eq!(
            strip_mention("@QM_test_bot 2024年主题？", "qm_test_bot").as_deref(),
            Some("2024年主题？")
        );
        assert_eq!(
            strip_mention("请问 @qm_test_bot，2019年口号", "qm_test_bot").as_deref(),
            Some("请问 ，2019年口号")
        );
        assert_eq!(strip_mention("@qm_test_bot", "qm_test_bot").as_deref(), Some(""));
        assert_eq!(strip_mention("@qm_test_bot2 hi", "qm_test_bot"), None);
        assert_eq!(strip_mention("mail@qm_test_bot", "qm_test_bot"), None);
        assert_eq!(strip_mention("没有提到", "qm_test_bot"), None);
    }

    #[test]
    fn commands_for_other_bots_are_recognised() {
        assert!(command_for_other_bot("/ask@other_bot 主题", "qm_test_bot"));
        assert!(!command_for_other_bot("/ask@QM_Test_Bot 主题", "qm_test_bot"));
        assert!(!command_for_other_bot("/ask 主题", "qm_test_bot"));
        assert!(!command_for_other_bot("主题", "qm_test_bot"));
        assert!(looks_like_command("/foo"));
        assert!(!looks_like_command("/ 主题"));
        assert!(!looks_like_command("主题"));
    }
}
