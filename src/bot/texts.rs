//! Every text the bot shows its users, in one place. Chinese first; a short
//! English line where a newcomer may need it. Functions return plain text
//! (the caller escapes it) or, where noted, [`Block`]s with bold ranges.

use crate::answer::Block;

/// Builds a block from `(text, bold)` runs.
fn rich(runs: &[(&str, bool)]) -> Block {
    let mut text = String::new();
    let mut highlights = Vec::new();
    for (run, bold) in runs {
        let start = text.len();
        text.push_str(run);
        if *bold && !run.is_empty() {
            highlights.push(start..text.len());
        }
    }
    Block { text, highlights }
}

/// Example questions shown by /start and /help.
pub const EXAMPLES: &[&str] = &[
    "2024年全国质量月的主题是什么？",
    "2019年质量月有哪些宣传口号？",
    "2023年各地开展了哪些活动",
    "质量月活动由哪些部门主办？",
];

fn years_line(years: &[i32]) -> String {
    match (years.first(), years.last()) {
        (Some(first), Some(last)) if first == last => format!("{first}年"),
        (Some(_), Some(_)) => years.iter().map(|y| format!("{y}年")).collect::<Vec<_>>().join("、"),
        _ => "（暂无）".to_string(),
    }
}

/// `/start`: greeting plus the help text.
pub fn start(years: &[i32], bot_username: &str, commands: &str) -> Vec<Block> {
    let mut blocks = vec![rich(&[
        ("您好！我是全国“质量月”问答机器人。", true),
        (
            "\n我根据官方发布的质量月活动通知回答问题，并注明出处。\nHello! I answer questions about China's national Quality Month from the official notices, with sources.",
            false,
        ),
    ])];
    blocks.extend(help(years, bot_username, commands));
    blocks
}

/// `/help`: what the bot answers, the years covered, examples and commands.
pub fn help(years: &[i32], bot_username: &str, commands: &str) -> Vec<Block> {
    let examples = EXAMPLES.iter().map(|e| format!("• {e}")).collect::<Vec<_>>().join("\n");
    vec![
        rich(&[
            ("能回答什么", true),
            (
                "\n历年全国“质量月”的活动主题、宣传口号、主要活动、各地各部门的安排和通知原文要点。回答摘自通知原文，并列出通知标题、文号、章节和年份。通知没有涉及的内容，我会如实说明。",
                false,
            ),
        ]),
        rich(&[("收录年份：", true), (&years_line(years), false)]),
        rich(&[("示例问题", true), ("\n", false), (&examples, false)]),
        rich(&[
            ("怎么问", true),
            (
                &format!(
                    "\n• 私聊：直接发送问题。\n• 群组：发送 /ask@{bot_username} 问题，或在消息中 @{bot_username}，或回复我的消息。\n• 任意聊天：输入 @{bot_username} 问题，从弹出的结果中选择发送（内联模式）。"
                ),
                false,
            ),
        ]),
        rich(&[("命令", true), ("\n", false), (commands, false)]),
    ]
}

/// A command or mention without a question.
pub fn empty_question(bot_username: &str) -> String {
    format!(
        "请写上您的问题，例如：\n/ask {}\n或在群里：@{bot_username} {}",
        EXAMPLES[0], EXAMPLES[1]
    )
}

/// The longest question, in characters, the bot takes.
pub const MAX_QUESTION_CHARS: usize = 300;

/// A question over [`MAX_QUESTION_CHARS`].
pub fn question_too_long() -> String {
    format!(
        "问题太长了（最多 {MAX_QUESTION_CHARS} 字），请精简后再问。例如：{}",
        EXAMPLES[0]
    )
}

/// A question with no letters, digits or Chinese characters (emoji only, punctuation).
pub fn question_without_words() -> String {
    format!("没看懂这个问题，请用文字提问，例如：{}", EXAMPLES[0])
}

/// When an answer comes back without any paragraph.
pub fn nothing_found() -> String {
    "收录的质量月通知中没有找到相关内容。可以换个说法，或发送 /help 查看能回答的问题。".to_string()
}

/// `/theme abc` and the like.
pub fn bad_year(command: &str, arg: &str) -> String {
    let shown: String = arg.chars().take(20).collect();
    let more = if arg.chars().count() > 20 { "…" } else { "" };
    format!("“{shown}{more}”不是年份。用法：/{command} 2024（不写年份则为最新一年）。")
}

/// A year outside the corpus.
pub fn year_not_covered(year: i32, years: &[i32]) -> String {
    format!("没有收录{year}年的质量月通知。收录年份：{}。", years_line(years))
}

/// Heading of `/sources`.
pub fn sources_heading(count: usize) -> Block {
    rich(&[
        (&format!("收录的通知（共 {count} 份）"), true),
        ("\n回答均摘自以下通知：", false),
    ])
}

/// One notice in `/sources`.
pub fn source_line(
    number: usize,
    title: &str,
    doc_number: Option<&str>,
    year: i32,
    date: Option<chrono::NaiveDate>,
) -> String {
    let mut line = format!("{number}. 《{title}》");
    if let Some(doc) = doc_number {
        line.push_str(&format!("（{doc}）"));
    }
    line.push_str(&format!(" · {year}年"));
    if let Some(d) = date {
        line.push_str(&format!(" · {}", d.format("%Y-%m-%d")));
    }
    line
}

/// The short apology after an internal error.
pub fn apology() -> String {
    "抱歉，处理这条消息时出错了，请稍后再试。Sorry, something went wrong; please try again later.".to_string()
}

/// An unknown command (in a private chat, or addressed to this bot).
pub fn unknown_command() -> String {
    "不认识这个命令。发送 /help 查看可用命令，或直接发送问题。".to_string()
}

/// A private message that is not text (sticker, photo…).
pub fn only_text() -> String {
    "目前只能回答文字问题，请直接发送问题，例如：2024年质量月主题是什么？".to_string()
}

/// Note appended to an inline result that had to be shortened.
pub fn inline_truncated(bot_username: &str) -> String {
    format!("（内容较长，完整回答请私聊 @{bot_username} 提问）")
}

/// Inline result title for the answer to a query.
pub fn inline_answer_title(found: bool, query: &str) -> String {
    if found {
        format!("回答：{query}")
    } else {
        format!("未找到：{query}")
    }
}

/// Inline result title for the latest theme.
pub fn inline_theme_title(year: Option<i32>) -> String {
    match year {
        Some(y) => format!("{y}年质量月主题"),
        None => "质量月主题".to_string(),
    }
}

/// Inline result title for the latest slogans.
pub fn inline_slogans_title(year: Option<i32>) -> String {
    match year {
        Some(y) => format!("{y}年质量月宣传口号"),
        None => "质量月宣传口号".to_string(),
    }
}

/// Inline result title for one quoted source.
pub fn inline_source_title(number: usize, year: i32, section: &str) -> String {
    if section.is_empty() {
        format!("出处{number}：{year}年通知")
    } else {
        format!("出处{number}：{year}年通知 · {section}")
    }
}

/// Inline result: how to use inline mode (shown with the defaults).
pub fn inline_help_title() -> String {
    "输入问题，例如：2024年质量月主题".to_string()
}

/// Answer to a button press the bot no longer knows.
pub fn callback_expired() -> String {
    "这个按钮已失效。".to_string()
}

/// Answer to a page button whose answer is no longer kept (or unknown).
pub fn pages_expired() -> String {
    format!(
        "这个列表已过期（保存 {} 天），请重新提问。This list has expired; please ask again.",
        crate::storage::pages::KEEP_DAYS
    )
}

/// Answer to the position button of a paged answer.
pub fn page_position(page: usize, pages: usize) -> String {
    format!("第 {page}/{pages} 页")
}

/// Answer to a page button when the page could not be shown.
pub fn page_failed() -> String {
    "暂时无法翻页，请稍后再试。".to_string()
}

/// The one notice a chat gets when it asks faster than the bot may reply.
pub fn too_fast() -> String {
    "问得太快了，请稍后再问".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: `/theme <4000 characters>` echoed the whole argument and
    /// Telegram refused the message as too long.
    #[test]
    fn bad_year_does_not_echo_a_long_argument() {
        let t = bad_year("theme", &"年".repeat(4000));
        assert!(t.chars().count() < 80, "{t}");
    }

    #[test]
    fn callback_answers_fit_telegram() {
        // answerCallbackQuery takes at most 200 characters.
        for t in [
            callback_expired(),
            pages_expired(),
            page_position(99, 99),
            page_failed(),
        ] {
            assert!(t.chars().count() <= 200, "{t}");
        }
    }

    #[test]
    fn rich_marks_bold_runs() {
        let b = rich(&[("标题", true), ("正文", false)]);
        assert_eq!(b.text, "标题正文");
        assert_eq!(b.highlights.len(), 1);
        assert_eq!(b.highlights[0], 0.."标题".len());
    }

    #[test]
    fn help_names_years_and_examples() {
        let blocks = help(&[2017, 2024], "qm_bot", "/ask — 提问");
        let all: String = blocks.iter().map(|b| b.text.as_str()).collect();
        assert!(all.contains("2017年、2024年"));
        assert!(all.contains(EXAMPLES[0]));
        assert!(all.contains("/ask@qm_bot"));
    }
}
