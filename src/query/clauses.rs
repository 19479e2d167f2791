//! Clauses of a question that are not what it asks: who asks or why
//! (`我是…的秘书，`), a body set aside (`不是福建那个`), a body named as
//! the issuer of the notice (`市场监管总局等部门联合发的通知里`), and the
//! associations it names one by one.

use crate::tokenizer::Term;

/// Words a clause opens with to refer back to the one before it
/// (`2019年是新中国成立70周年，那年…`): that one sets the scene.
const BACK: [&str; 6] = ["那年", "那一年", "这一年", "那次", "那届", "那时"];

/// Whether `rest` (what follows a clause) opens a clause that refers back
/// to it, making it the scene rather than what is asked.
pub(super) fn refers_back(rest: &str) -> bool {
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '，' | ',' | '；' | ';' | '。'));
    BACK.iter().any(|b| rest.starts_with(b))
}

/// The clauses of `norm` that say who asks or why (`我们是卖水果蔬菜的`,
/// `想给学生讲讲`) and ask nothing, when another clause asks: a clause that
/// opens with the asker or a purpose and holds no asking word.
pub(super) fn context_clauses(norm: &str, toks: &[Term]) -> Vec<std::ops::Range<usize>> {
    use regex::Regex;
    use std::sync::LazyLock;
    static ASKS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"吗|呢|什么|啥|哪|几|多少|谁|怎么|怎样|如何|是否|有没有|能不能|可不可以|要不要|会不会|[?？]")
            .unwrap()
    });
    const OPENERS: [&str; 9] = ["我", "咱", "本人", "本单位", "想", "打算", "准备", "为了", "要"];
    // Most questions have no clause that opens with the asker or a purpose:
    // that is read from the words at hand, before any clause is cut.
    let separator = |c: char| matches!(c, '，' | ',' | '；' | ';' | '。' | '！' | '!' | '：' | ':' | '?' | '？');
    let at_clause_start = |from: usize| norm[..from].trim_end().chars().next_back().is_none_or(separator);
    let opened = toks
        .iter()
        .any(|t| OPENERS.iter().any(|o| t.text.starts_with(o)) && at_clause_start(t.from));
    let backs = BACK
        .iter()
        .any(|b| norm.match_indices(b).any(|(at, _)| at_clause_start(at)));
    if !opened && !backs {
        return Vec::new();
    }
    let mut clauses = Vec::new();
    let mut start = 0;
    for (at, c) in norm.char_indices().chain(std::iter::once((norm.len(), '。'))) {
        if separator(c) {
            // The question mark belongs to its clause.
            let end = if matches!(c, '?' | '？') {
                at + c.len_utf8()
            } else {
                at
            };
            if end > start {
                clauses.push(start..end);
            }
            start = (at + c.len_utf8()).min(norm.len());
        }
    }
    if clauses.len() < 2 {
        return Vec::new();
    }
    let asking = |r: &std::ops::Range<usize>| ASKS.is_match(&norm[r.clone()]);
    let context: Vec<std::ops::Range<usize>> = clauses
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            let clause = norm[(*r).clone()].trim_start();
            let scene = clauses.get(i + 1).is_some() && refers_back(&norm[r.end..]);
            (OPENERS.iter().any(|o| clause.starts_with(o)) || scene) && !asking(r)
        })
        .map(|(_, r)| r.clone())
        .collect();
    match clauses.iter().any(|r| asking(r) && !context.contains(r)) {
        true => context,
        false => Vec::new(),
    }
}

/// The associations `norm` names one by one (`标准化协会` in
/// `中国标准化协会`) rather than the kind (`行业协会`, `哪些协会`,
/// `联合会、协会`): a word of content stands right before `协会` or
/// `联合会`, in its token or the one before it; it is given with that word.
pub(super) fn associations_named(norm: &str, toks: &[Term]) -> Vec<(String, usize)> {
    if !norm.contains("协会") && !norm.contains("联合会") {
        return Vec::new();
    }
    const KIND: [&str; 11] = [
        "行业",
        "相关",
        "有关",
        "各",
        "各类",
        "哪些",
        "哪个",
        "哪家",
        "全国性",
        "其他",
        "社会",
    ];
    let mut out = Vec::new();
    for word in ["联合会", "协会"] {
        for (at, _) in norm.match_indices(word) {
            // The text of the token that holds the word, before it, or else
            // of the token that ends where the word starts.
            // The longest such text (`有没有`, not its part `没有`).
            let before = toks
                .iter()
                .filter(|t| t.from < at && at <= t.to)
                .min_by_key(|t| t.from)
                .map(|t| &norm[t.from..at])
                .unwrap_or_default();
            let han = before.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
            let one = han >= 2
                && han == before.chars().count()
                && !KIND.iter().any(|k| before.ends_with(k))
                && !super::stopwords::STOP.contains(before)
                && !before.ends_with("联合");
            if one {
                out.push((format!("{before}{word}"), at));
            }
        }
    }
    out
}

/// Whether the words just before a name set it aside (`不是福建那个`,
/// `除了福建`, `not Fujian`): the question is about something else.
pub(super) fn set_aside(before: &str) -> bool {
    const WORDS: [&str; 9] = ["不是", "除了", "除", "不要", "不含", "并非", "而非", "not ", "except "];
    let before = before.trim_end();
    let before = before.strip_suffix("the").map_or(before, str::trim_end);
    WORDS.iter().any(|w| before.ends_with(w.trim_end())) && !before.ends_with("是不是")
}

/// `等14个部门` after a name: the other bodies that issued with it.
const AND_OTHERS: &str = "(?:等(?:[0-9一二三四五六七八九十]+个?)?(?:部门|单位|部委|机关))?";

/// Whether the words just after a name make it the issuer of the notice
/// asked about (`等部门联合发的通知里`, `印发的文件`), or the body that leads
/// the month itself (`牵头的质量月`, `主办的全国质量月`): the name says which
/// notice or which month, not whose activities are asked about.
#[cfg(test)]
fn issues_the_notice(after: &str) -> bool {
    issues(after) || leads_the_month(after).is_some()
}

/// The length of the words just after a name that make it the body leading
/// the month (`牵头的质量月`): they say which month and ask nothing.
pub(super) fn leads_the_month(after: &str) -> Option<usize> {
    use regex::Regex;
    use std::sync::LazyLock;
    static LEADS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            "^{AND_OTHERS}(?:联合|共同)?(?:牵头|主办|发起)(?:开展|举办)?的"
        ))
        .unwrap()
    });
    let rest = after.trim_start();
    let tail = &rest[LEADS.find(rest)?.end()..];
    let month = tail
        .trim_start_matches("全国")
        .trim_start_matches('“')
        .starts_with("质量月");
    month.then(|| after.len() - tail.len())
}

/// Whether the words just after a name say it issued the notice asked about.
pub(super) fn issues(after: &str) -> bool {
    use regex::Regex;
    use std::sync::LazyLock;
    static ISSUED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            "^{AND_OTHERS}(?:联合)?(?:印发|下发|发布|发出|发)(?:的|了)?(?:那份|这份|那个|这个)?(?:全国)?(?:“?质量月”?)?(?:活动)?(?:通知|文件)"
        ))
        .unwrap()
    });
    // Every way of saying it holds 发 just after the name or its 等….
    after.chars().take(12).any(|c| c == '发') && ISSUED.is_match(after.trim_start())
}

#[cfg(test)]
mod tests {
    use super::issues_the_notice;

    #[test]
    fn a_body_that_issued_the_notice_names_it() {
        assert!(issues_the_notice("等部门联合发的质量月通知里，活动主题是什么"));
        assert!(issues_the_notice("印发的通知要求各地做什么"));
        assert!(issues_the_notice("等14个部门发布的文件"));
        assert!(issues_the_notice("发的那份通知"));
        assert!(issues_the_notice("牵头的质量月主题是啥"));
        assert!(issues_the_notice("等部门联合主办的全国“质量月”口号"));
        assert!(!issues_the_notice("牵头开展了哪些活动"));
        // What the body did, or a notice it issues to others, is asked about.
        assert!(!issues_the_notice("开展了哪些活动"));
        assert!(!issues_the_notice("发布了哪些抽查结果"));
        assert!(!issues_the_notice("发起的活动"));
    }
}
