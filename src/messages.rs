//! Every frame text the engine puts around quoted notices, Chinese and
//! English. Internal error strings never reach a reply.

use crate::answer::Lang;
use crate::parse::Scope;

/// Joins years as `2017、2018` or `2017, 2018`.
pub fn years_list(lang: Lang, years: &[i32]) -> String {
    let sep = match lang {
        Lang::Zh => "、",
        Lang::En => ", ",
    };
    years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(sep)
}

/// What the corpus covers, for "not in the notices" replies.
pub fn coverage(lang: Lang, years: &[i32]) -> String {
    match lang {
        Lang::Zh => format!(
            "已收录的质量月通知年份：{}。可以问：某年的活动主题、活动口号，某部门、协会、省份或城市在某年开展的活动，通知的发布日期、文号和联系人。",
            years_list(lang, years)
        ),
        Lang::En => format!(
            "The notices I have cover Quality Month {}. Ask about a year's theme or slogans, what a ministry, association, province or city did in a given year, or a notice's date, number and contact.",
            years_list(lang, years)
        ),
    }
}

/// The question is empty or has nothing to search for.
pub fn empty(lang: Lang) -> String {
    match lang {
        Lang::Zh => "请输入一个关于全国“质量月”的问题，例如：“2024年质量月的主题是什么？”".to_string(),
        Lang::En => "Please ask a question about China's Quality Month, e.g. \"What was the 2024 theme?\"".to_string(),
    }
}

/// The notices do not answer the question.
pub fn not_found(lang: Lang) -> String {
    match lang {
        Lang::Zh => "已收录的通知中没有找到与这个问题相关的内容。".to_string(),
        Lang::En => "The notices I have do not answer this question.".to_string(),
    }
}

/// The year asked about is not in the corpus.
pub fn year_not_covered(lang: Lang, year: i32, relative: bool) -> String {
    match (lang, relative) {
        (Lang::Zh, false) => format!("没有收录{year}年的质量月通知，无法回答{year}年的问题。"),
        (Lang::Zh, true) => format!("按当前日期，这是{year}年；尚未收录{year}年的质量月通知。"),
        (Lang::En, false) => format!("I have no Quality Month notice for {year}, so I cannot answer for that year."),
        (Lang::En, true) => {
            format!("That is {year} by today's date, and I have no Quality Month notice for {year} yet.")
        }
    }
}

/// Heading of a theme.
pub fn theme(lang: Lang, year: i32, scope: &Scope) -> String {
    match (lang, scope.region()) {
        (Lang::Zh, None) => format!("{year}年全国“质量月”活动主题："),
        (Lang::Zh, Some(s)) => format!("{s}{year}年“质量月”活动主题："),
        (Lang::En, None) => format!("Theme of national Quality Month {year}: "),
        (Lang::En, Some(s)) => format!("Theme of Quality Month {year} in {s}: "),
    }
}

/// The year has no theme in the notices.
pub fn no_theme(lang: Lang, year: i32, with_theme: &[i32]) -> String {
    match lang {
        Lang::Zh => format!(
            "已收录的{year}年材料没有载明当年“质量月”的活动主题。载有主题的年份：{}。",
            years_list(lang, with_theme)
        ),
        Lang::En => format!(
            "The {year} material I have does not state that year's Quality Month theme. Years with a theme: {}.",
            years_list(lang, with_theme)
        ),
    }
}

/// A national theme given for a region that has none of its own.
pub fn national_theme_for(lang: Lang, region: &str) -> String {
    match lang {
        Lang::Zh => format!("通知没有单列{region}的主题，以下是全国统一的活动主题。"),
        Lang::En => format!("The notices give no separate theme for {region}; this is the national theme."),
    }
}

/// Heading of a slogan list.
pub fn slogans(lang: Lang, year: i32, scope: &Scope, n: usize) -> String {
    match (lang, scope.region()) {
        (Lang::Zh, None) => format!("{year}年全国“质量月”活动口号（共{n}条）："),
        (Lang::Zh, Some(s)) => format!("{s}{year}年“质量月”活动口号（共{n}条，{s}自定）："),
        (Lang::En, None) => format!("Slogans of national Quality Month {year} ({n}):"),
        (Lang::En, Some(s)) => format!("Slogans of Quality Month {year} issued by {s} ({n}):"),
    }
}

/// The year has no slogan list.
pub fn no_slogans(lang: Lang, year: i32, with_slogans: &[i32]) -> String {
    match lang {
        Lang::Zh => format!(
            "已收录的{year}年材料中没有活动口号。载有口号的年份：{}。",
            years_list(lang, with_slogans)
        ),
        Lang::En => format!(
            "The {year} material I have has no slogans. Years with slogans: {}.",
            years_list(lang, with_slogans)
        ),
    }
}

/// The only list of a year is a region's own (Fujian 2018).
pub fn regional_list_only(lang: Lang, year: i32, scope: &Scope) -> String {
    match lang {
        Lang::Zh => format!("已收录的材料中没有{year}年全国统一的口号，只有{scope}发布的口号。"),
        Lang::En => format!("I have no national slogan list for {year}, only the one issued by {scope}."),
    }
}

/// Heading of one organisation's or region's item.
pub fn item(lang: Lang, year: i32, who: &str, who_en: Option<&str>) -> String {
    match lang {
        Lang::Zh => format!("{year}年全国“质量月”期间，{who}开展的主要活动："),
        Lang::En => format!(
            "What {} did in Quality Month {year}:",
            who_en.map_or(who.to_string(), |e| format!("{e} ({who})"))
        ),
    }
}

/// The body has no item in the year asked.
pub fn no_item(lang: Lang, year: i32, who: &str, other_years: &[i32]) -> String {
    let others = if other_years.is_empty() {
        String::new()
    } else {
        match lang {
            Lang::Zh => format!("{who}有条目的年份：{}。", years_list(lang, other_years)),
            Lang::En => format!(" {who} has items in: {}.", years_list(lang, other_years)),
        }
    };
    match lang {
        Lang::Zh => format!("{year}年的通知中没有{who}开展活动的条目。{others}"),
        Lang::En => format!("The {year} notice has no item about {who}.{others}"),
    }
}

/// The body has no item at all.
pub fn no_item_any(lang: Lang, who: &str) -> String {
    match lang {
        Lang::Zh => format!("已收录的通知中没有{who}开展活动的条目。"),
        Lang::En => format!("The notices I have contain no item about {who}."),
    }
}

/// Heading of a list of all items of one kind.
pub fn list(lang: Lang, year: i32, what_zh: &str, what_en: &str, n: usize) -> String {
    match lang {
        Lang::Zh => format!("{year}年全国“质量月”{what_zh}开展的主要活动（共{n}项）："),
        Lang::En => format!("What the {what_en} did in Quality Month {year} ({n} items):"),
    }
}

/// No list of that kind in the year.
pub fn no_list(lang: Lang, year: i32, what_zh: &str, what_en: &str) -> String {
    match lang {
        Lang::Zh => format!("{year}年的通知没有列出{what_zh}开展的活动。"),
        Lang::En => format!("The {year} notice does not list what the {what_en} did."),
    }
}

/// Heading of search results.
pub fn search(lang: Lang, year: Option<i32>) -> String {
    match (lang, year) {
        (Lang::Zh, Some(y)) => format!("{y}年的通知中相关的内容："),
        (Lang::Zh, None) => "通知中相关的内容：".to_string(),
        (Lang::En, Some(y)) => format!("From the {y} notice (quoted in Chinese):"),
        (Lang::En, None) => "From the notices (quoted in Chinese):".to_string(),
    }
}

/// Heading of a notice's date.
pub fn date(lang: Lang, title: &str, date: &str) -> String {
    match lang {
        Lang::Zh => format!("《{title}》的成文日期：{date}"),
        Lang::En => format!("《{title}》 is dated {date}"),
    }
}

/// No date known for a notice.
pub fn no_date(lang: Lang, title: &str) -> String {
    match lang {
        Lang::Zh => format!("《{title}》的文本没有载明发布日期。"),
        Lang::En => format!("《{title}》 does not state its date."),
    }
}

/// A document number.
pub fn doc_number(lang: Lang, title: &str, number: &str) -> String {
    match lang {
        Lang::Zh => format!("《{title}》的文号：{number}"),
        Lang::En => format!("《{title}》 has the document number {number}"),
    }
}

/// A document number mentioned in a notice's text.
pub fn doc_number_mentioned(lang: Lang, number: &str) -> String {
    match lang {
        Lang::Zh => format!("通知中引用的文号：{number}"),
        Lang::En => format!("Also cited in the text: {number}"),
    }
}

/// No document number known.
pub fn no_doc_number(lang: Lang, title: &str) -> String {
    match lang {
        Lang::Zh => format!("《{title}》的文本没有载明文号。"),
        Lang::En => format!("《{title}》 does not state a document number."),
    }
}

/// Heading of contacts.
pub fn contact(lang: Lang, year: i32) -> String {
    match lang {
        Lang::Zh => format!("{year}年通知中的联系人："),
        Lang::En => format!("Contact given in the {year} notice:"),
    }
}

/// No contact in the notices of the year asked.
pub fn no_contact(lang: Lang, year: Option<i32>, with_contact: &[i32]) -> String {
    let list = years_list(lang, with_contact);
    match (lang, year) {
        (Lang::Zh, Some(y)) => format!("{y}年的通知没有载明联系人。载有联系人的年份：{list}。"),
        (Lang::Zh, None) => format!("通知中没有找到这样的联系人。载有联系人的年份：{list}。"),
        (Lang::En, Some(y)) => format!("The {y} notice gives no contact. Notices with a contact: {list}."),
        (Lang::En, None) => format!("No such contact in the notices. Notices with a contact: {list}."),
    }
}

/// A year-only question: what can be asked about it.
pub fn year_hint(lang: Lang, year: i32) -> String {
    match lang {
        Lang::Zh => format!("还可以问：{year}年的活动口号、某部门或某省份{year}年开展了哪些活动。"),
        Lang::En => format!("You can also ask for the {year} slogans or what a ministry or province did in {year}."),
    }
}

/// A year whose text does not name who did what.
pub fn names_lost(lang: Lang, year: i32, who: &str) -> String {
    match lang {
        Lang::Zh => format!("{year}年的材料没有标出各单位的名称，无法确认哪一段属于{who}；以下是与问题相关的段落。"),
        Lang::En => format!("The {year} text does not name who did what, so I cannot tell which passage is {who}'s; these passages match the question."),
    }
}

/// …and nothing matched the question either.
pub fn names_lost_none(lang: Lang, year: i32, who: &str) -> String {
    match lang {
        Lang::Zh => format!("{year}年的材料没有标出各单位的名称，也没有找到与{who}相关的段落。"),
        Lang::En => format!("The {year} text does not name who did what, and no passage about {who} was found."),
    }
}

/// Slogans asked for a region that has no list of its own.
pub fn national_slogans_for(lang: Lang, region: &str) -> String {
    match lang {
        Lang::Zh => format!("通知没有单列{region}的口号，以下是全国统一的活动口号。"),
        Lang::En => format!("The notices give no separate slogans for {region}; these are the national ones."),
    }
}

/// The issuing office's printing line of a notice, quoted (it ends the text).
pub fn printed(lang: Lang, office: Option<&str>, line: &str) -> String {
    match (lang, office) {
        (Lang::Zh, Some(office)) => format!("印发：{office} {line}"),
        (Lang::Zh, None) => format!("印发：{line}"),
        (Lang::En, Some(office)) => format!("Printed by {office}: {line}"),
        (Lang::En, None) => format!("Printed: {line}"),
    }
}

/// The question names another event, not Quality Month.
pub fn other_event(lang: Lang, event: &str) -> String {
    match lang {
        Lang::Zh => format!("“{event}”不在已收录的质量月通知中，无法回答。"),
        Lang::En => format!("“{event}” is not in the Quality Month notices I have."),
    }
}

/// The user asks the bot to write something.
pub fn no_writing(lang: Lang) -> String {
    match lang {
        Lang::Zh => "我只引用质量月通知的原文，不创作口号、诗文或讲稿。可以问各年的官方口号，例如“2024年质量月口号”。".to_string(),
        Lang::En => "I only quote the Quality Month notices and do not write slogans or texts. Ask for a year's official slogans instead, e.g. \"2024 slogans\".".to_string(),
    }
}

/// One notice of a year, for overviews.
pub fn notice_line(lang: Lang, title: &str, doc_number: Option<&str>) -> String {
    let num = doc_number.map(|d| format!("（{d}）")).unwrap_or_default();
    match lang {
        Lang::Zh => format!("收录的通知：《{title}》{num}"),
        Lang::En => format!("Notice: 《{title}》{num}"),
    }
}

/// A document number asked about, found as a notice's own number.
pub fn doc_number_of(lang: Lang, number: &str, title: &str) -> String {
    match lang {
        Lang::Zh => format!("{number}是《{title}》的文号。"),
        Lang::En => format!("{number} is the document number of 《{title}》."),
    }
}

/// A document number asked about, found forwarded inside another notice.
pub fn doc_number_forwarded(lang: Lang, number: &str, title: &str) -> String {
    match lang {
        Lang::Zh => format!("{number}出现在《{title}》中（转发或引用）："),
        Lang::En => format!("{number} is quoted in 《{title}》 (forwarded or cited):"),
    }
}

/// Heading of what stands under a heading of a notice (`重点安排`), or of
/// its list of attachments (`附件`), with how many parts follow.
pub fn outline(lang: Lang, title: &str, heading: &str, n: usize) -> String {
    match (lang, heading) {
        (Lang::Zh, "附件") => format!("《{title}》的附件（共{n}项）："),
        (Lang::Zh, _) => format!("《{title}》中“{heading}”部分（共{n}项）："),
        (Lang::En, "附件") => format!("The attachments of 《{title}》 ({n}, quoted in Chinese):"),
        (Lang::En, _) => format!("The section “{heading}” of 《{title}》 ({n} parts, quoted in Chinese):"),
    }
}

/// When the event takes place, as the notices state it.
pub fn period(lang: Lang) -> String {
    match lang {
        Lang::Zh => "通知中规定的活动时间：".to_string(),
        Lang::En => "The period the notices set (quoted in Chinese):".to_string(),
    }
}

/// Heading of the opening statements that name who runs Quality Month.
pub fn organisers(lang: Lang) -> String {
    match lang {
        Lang::Zh => "通知开头写明的主办单位：".to_string(),
        Lang::En => "Who runs it, as the notices open (quoted in Chinese):".to_string(),
    }
}

/// Heading of the bodies listed above a notice's document number.
pub fn issuers(lang: Lang, number: &str, count: usize) -> String {
    match lang {
        Lang::Zh => format!("文号{number}的通知，文首列出的发文单位（{count}个）："),
        Lang::En => format!("The issuing bodies listed at the head of the notice {number} ({count}):"),
    }
}

/// The heading of one question's reply in a message that asks several.
pub fn part_question(lang: Lang, part: &str) -> String {
    match lang {
        Lang::Zh => format!("问：{part}"),
        Lang::En => format!("Q: {part}"),
    }
}
