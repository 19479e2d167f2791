//! The catalog fields a notice states about itself: the Quality Month year
//! (`开展2025年全国“质量月”活动`), the title (`…关于开展…的通知`), the
//! document number (`国市监质〔2025〕88号` on a line of its own), the
//! signature date (`2025年8月18日` or `二〇二五年八月十八日` on a line of its
//! own) and the issuer (the title's part before `关于` or `转发`, as written).

use chrono::NaiveDate;
use regex::Regex;
use std::sync::LazyLock;

/// What the text says about itself; `None` where it does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// The Quality Month year.
    pub year: Option<i32>,
    /// The title.
    pub title: Option<String>,
    /// The document number, brackets normalised to `〔〕`.
    pub doc_number: Option<String>,
    /// The signature date.
    pub date: Option<NaiveDate>,
    /// Who issued it, from the title.
    pub issuer: Option<String>,
}

static YEAR_OPENING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"开展\s*(\d{4})\s*年(?:度)?\s*全国\s*[“\u{201A}\u{201C}]?\s*质量月").unwrap());
static YEAR_ANY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{4})\s*年(?:度)?\s*全国\s*[“\u{201A}\u{201C}]?\s*质量月").unwrap());
static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([\p{Han}]{1,12})\s*[〔\[［(（【]\s*(\d{4})\s*[〕\]］)）】]\s*(\d{1,4})\s*号$").unwrap()
});
static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$").unwrap());
static DATE_HAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([〇零○Ｏ０一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日$")
        .unwrap()
});

/// Removes the spaces PDF extraction leaves around Chinese text
/// (`开展 2018 年全国 “质量月”` → `开展2018年全国“质量月”`); spaces
/// between two ASCII words stay.
pub fn tidy(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            let j = (i..chars.len())
                .find(|&k| !chars[k].is_whitespace())
                .unwrap_or(chars.len());
            let before = out.chars().last();
            let after = chars.get(j).copied();
            if before.is_some_and(|b| b.is_ascii()) && after.is_some_and(|a| a.is_ascii()) {
                out.push(' ');
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

fn han_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .map(|p| p as u32)
        .or(matches!(c, '零' | '○' | 'Ｏ' | '０').then_some(0))
}

/// `十八` → 18, `八` → 8, `二十` → 20.
fn han_number(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        [d] => han_digit(*d),
        ['十', u] => Some(10 + han_digit(*u)?),
        [t, '十'] => Some(han_digit(*t)? * 10),
        [t, '十', u] => Some(han_digit(*t)? * 10 + han_digit(*u)?),
        _ => None,
    }
}

fn date_of(line: &str) -> Option<NaiveDate> {
    let l = line.trim();
    if let Some(c) = DATE.captures(l) {
        return NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
    }
    let c = DATE_HAN.captures(l)?;
    let year = c[1].chars().try_fold(0u32, |acc, d| Some(acc * 10 + han_digit(d)?))?;
    NaiveDate::from_ymd_opt(year as i32, han_number(&c[2])?, han_number(&c[3])?)
}

fn doc_number_of(line: &str) -> Option<String> {
    let c = DOC_NUMBER.captures(line.trim())?;
    Some(format!("{}〔{}〕{}号", &c[1], &c[2], &c[3]))
}

/// Whether a paragraph is the start of the notice's body (a sentence).
fn is_body(p: &str) -> bool {
    p.contains('。') && p.chars().count() > 40
}

/// A title at the start of a paragraph: `…关于…的通知` (the parser may have
/// joined the addressees' line to it).
static TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[^。，：；]{0,60}?关于[^。；]{2,100}?(?:通知|意见|方案|决定|函)").unwrap());

/// The title: `…关于…通知` near the top (joined with the lines it was
/// broken into), else the first short line about Quality Month.
fn title_of(paras: &[String]) -> Option<String> {
    let body = paras
        .iter()
        .take(20)
        .position(|p| is_body(p))
        .unwrap_or(paras.len().min(20));
    // The title may open the first body paragraph when the parser joined it
    // with what follows.
    let head: Vec<String> = paras.iter().take(body + 1).map(|p| tidy(p)).collect();
    for (i, t) in head.iter().enumerate() {
        if let Some(m) = TITLE.find(t) {
            return Some(m.as_str().to_string());
        }
        if i < body && t.contains("关于") && !t.contains('。') && t.chars().count() <= 100 {
            // A title broken over lines: `…活动的` + `通知`.
            let mut title = t.clone();
            for n in head.iter().take(body).skip(i + 1).take(3) {
                if n.chars().count() > 30 || doc_number_of(n).is_some() || date_of(n).is_some() {
                    break;
                }
                title.push_str(n);
                if let Some(m) = TITLE.find(&title) {
                    return Some(m.as_str().to_string());
                }
            }
        }
    }
    // A heading such as `2017年全国“质量月”主办单位` + `开展的主要活动`.
    let i = head
        .iter()
        .take(body)
        .position(|t| t.contains("质量月") && t.chars().count() <= 80 && !t.ends_with(['：', ':']))?;
    let mut title = head[i].clone();
    if let Some(next) = head.get(i + 1).filter(|n| i + 1 < body && continues_heading(n)) {
        title.push_str(next);
    }
    Some(title)
}

/// A short line that goes on a heading: no punctuation, no number, date or
/// item marker.
fn continues_heading(line: &str) -> bool {
    line.chars().count() <= 16
        && !line.contains(['，', '。', '、', '：', ':', '；'])
        && !line.starts_with(|c: char| c.is_ascii_digit() || "一二三四五六七八九十（(附".contains(c))
        && doc_number_of(line).is_none()
        && date_of(line).is_none()
}

/// The issuer named by a title: the part before `转发` or `关于`
/// (`福建省…办公室转发…` → the office, `市场监管总局等14个部门关于…` →
/// `市场监管总局等14个部门`).
fn issuer_of(title: &str) -> Option<String> {
    let cut = [title.find("转发"), title.find("关于")].into_iter().flatten().min()?;
    let prefix = title[..cut].trim();
    (!prefix.is_empty() && prefix.chars().count() <= 40).then(|| prefix.to_string())
}

/// Reads the metadata from a notice's paragraphs.
pub fn detect(paras: &[String]) -> Meta {
    let all = paras.join("\n");
    let year = YEAR_OPENING
        .captures(&all)
        .or_else(|| YEAR_ANY.captures(&all))
        .and_then(|c| c[1].parse().ok());
    let title = title_of(paras);
    // The document number on a line of its own before the body; a number
    // quoted in the body (a forwarded notice's) is not this notice's.
    let doc_number = paras
        .iter()
        .take(30)
        .take_while(|p| !is_body(p))
        .find_map(|p| doc_number_of(p));
    // The signature date: the first date alone on a line, before the
    // attachments (a `…印发` line is the printing date, not the signature).
    let first_attachment = paras
        .iter()
        .position(|p| {
            let p = p.trim();
            p.starts_with("附件") && p.chars().count() <= 4
        })
        .unwrap_or(paras.len());
    let date = paras[..first_attachment]
        .iter()
        .find_map(|p| date_of(p))
        .or_else(|| paras.iter().find_map(|p| date_of(p)));
    let issuer = title.as_deref().and_then(issuer_of);
    Meta {
        year,
        title,
        doc_number,
        date,
        issuer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::paragraphs;
    use crate::repair::repair;

    fn meta_of(file: &str) -> Meta {
        let text = std::fs::read_to_string(format!("{}/data/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        detect(&paragraphs(&repair(&text), crate::entities::Registry::shipped()))
    }

    #[test]
    fn the_shipped_notices_state_their_catalog_entries() {
        let m = meta_of("2019-notice.txt");
        assert_eq!(m.year, Some(2019));
        assert_eq!(
            m.title.as_deref(),
            Some("市场监管总局等14个部门关于开展2019年全国“质量月”活动的通知")
        );
        assert_eq!(m.doc_number.as_deref(), Some("国市监质〔2019〕162号"));
        assert_eq!(m.date, NaiveDate::from_ymd_opt(2019, 8, 22));
        assert_eq!(m.issuer.as_deref(), Some("市场监管总局等14个部门"));

        let m = meta_of("2018-fujian-forward.txt");
        assert_eq!(m.year, Some(2018));
        assert_eq!(
            m.title.as_deref(),
            Some("福建省质量强省工作联席会议办公室转发市场监管总局等关于开展2018年全国“质量月”活动的通知")
        );
        assert_eq!(m.doc_number.as_deref(), Some("闽质强省办〔2018〕10号"));
        assert_eq!(m.date, NaiveDate::from_ymd_opt(2018, 8, 29));
        assert_eq!(m.issuer.as_deref(), Some("福建省质量强省工作联席会议办公室"));

        let m = meta_of("2017-main-activities.txt");
        assert_eq!(m.year, Some(2017));
        assert_eq!(m.title.as_deref(), Some("2017年全国“质量月”主办单位开展的主要活动"));
        assert_eq!(meta_of("2024-attachments.txt").year, Some(2024));
        assert_eq!(meta_of("2023-notice.txt").year, Some(2023));
    }

    #[test]
    fn title_broken_over_lines_and_written_dates() {
        let paras: Vec<String> = [
            "国市监质发[2025] 88 号",
            "市场监管总局等26个部门关于开展2025年全国“质量月”活动的",
            "通知",
            "各省、自治区、直辖市市场监管局：",
            "为深入贯彻落实党中央、国务院关于建设质量强国的决策部署，市场监管总局等部门定于2025年9月联合开展全国“质量月”活动。现就有关事项通知如下：",
            "二〇二五年八月十八日",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let m = detect(&paras);
        assert_eq!(
            m.title.as_deref(),
            Some("市场监管总局等26个部门关于开展2025年全国“质量月”活动的通知")
        );
        assert_eq!(m.doc_number.as_deref(), Some("国市监质发〔2025〕88号"));
        assert_eq!(m.date, NaiveDate::from_ymd_opt(2025, 8, 18));
        assert_eq!(m.year, Some(2025));
        assert_eq!(m.issuer.as_deref(), Some("市场监管总局等26个部门"));
    }

    #[test]
    fn tidy_keeps_spaces_between_ascii_words_only() {
        assert_eq!(tidy(" 开展 2018 年全国 “质量月”活动 "), "开展2018年全国“质量月”活动");
        assert_eq!(tidy("GB/T 19000 标准"), "GB/T 19000标准");
    }
}
