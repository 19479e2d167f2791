//! From raw notice text to structured passages: joins lines broken by PDF
//! extraction, then walks the paragraphs and recognises attachments
//! (`附件N`), numbered items (`一、`, `（一）`, `1.`, `- 1.`), who an item
//! is about, themes (`活动主题`, `主题：`) and slogan lists, and the noise
//! (statistics forms, distribution lists, signatures) that must not outrank
//! real content.
//!
//! Who an item is about comes from the bodies of the [`Registry`] the caller
//! passes (the provinces and the corpus's lexicon, see [`crate::corpus`]).
//! Line joining is in `lines.rs`, themes and slogan lists in `themes.rs`,
//! national or regional scope in `scope.rs`.

use crate::entities::Registry;
mod lines;
mod scope;
mod themes;

use lines::{han_len, starts_unit};
pub use lines::{paragraphs, squash_spaces};
use regex::Regex;
pub use scope::Scope;
use std::sync::LazyLock;

/// What a passage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A Quality Month theme.
    Theme,
    /// One slogan of a slogan list.
    Slogan,
    /// A numbered item of an attachment (an organisation's or region's activities).
    Item,
    /// Body text of a notice.
    Body,
    /// A contact block (联系人, 电话, 邮箱).
    Contact,
    /// Titles, signatures, dates.
    Meta,
    /// Who a notice is sent to and copied to (`主送：`, `抄送：`).
    Addressees,
    /// Statistics forms and other tables.
    Table,
}

/// One searchable unit of a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Where it is, e.g. `附件3 · 十九` or `正文 · 三（一）`.
    pub section: String,
    /// What it is.
    pub kind: Kind,
    /// Who the passage is about (canonical entity names), when it says.
    pub who: Vec<String>,
    /// The clean text.
    pub text: String,
}

/// A theme stated by a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeRec {
    /// National, or the region whose own theme it is.
    pub scope: Scope,
    /// The theme, spaces normalised.
    pub text: String,
    /// Index of the theme's passage in [`Parsed::passages`].
    pub passage: usize,
}

/// A slogan list found in a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSlogans {
    /// National, or the region whose list it is.
    pub scope: Scope,
    /// The list's heading.
    pub title: String,
    /// Section label, e.g. `附件4`.
    pub section: String,
    /// The slogans, numbering stripped.
    pub items: Vec<String>,
}

/// The structure of one notice.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Every passage in reading order.
    pub passages: Vec<Passage>,
    /// Themes the notice states.
    pub themes: Vec<ThemeRec>,
    /// Slogan lists the notice contains.
    pub slogans: Vec<ParsedSlogans>,
}

static ATTACHMENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^附件\s*(\d+)$").unwrap());
static TOP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^([一二三四五六七八九十百]+)、\s*(.*)$").unwrap());
static SUB: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*(.*)$").unwrap());
static NUMBERED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^-?\s*(\d{1,2})\s*[.．、]\s*(.*)$").unwrap());
static LABEL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[\p{Han} ]{1,5}[:：]").unwrap());
static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"〔\s*\d{4}\s*〕\s*\d+\s*号$").unwrap());
static DATE_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(印发)?$").unwrap());
static GLUED_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.*[。；])\s*([一二三四五六七八九十]+、[\p{Han}]{2,12})$").unwrap());

#[derive(PartialEq)]
enum Mode {
    Normal,
    Slogans,
    Table,
    AttachmentList,
    Deleted,
    Logo,
}

struct Walker<'a> {
    /// The bodies items can be about.
    known: &'a Registry,
    parsed: Parsed,
    doc_region: Option<String>,
    section: String,
    in_attachment: bool,
    expect_title: bool,
    mode: Mode,
    top: Option<String>,
    sub: Option<String>,
    open_item: Option<usize>,
    pending_theme: bool,
    body_count: usize,
}

impl Walker<'_> {
    fn label(&self) -> String {
        let mut s = self.section.clone();
        if let Some(t) = &self.top {
            s.push_str(" · ");
            s.push_str(t);
            if let Some(u) = &self.sub {
                s.push('（');
                s.push_str(u);
                s.push('）');
            }
        }
        s
    }

    fn push(&mut self, section: String, kind: Kind, who: Vec<String>, text: String) -> usize {
        self.parsed.passages.push(Passage {
            section,
            kind,
            who,
            text,
        });
        self.parsed.passages.len() - 1
    }

    fn para(&mut self, p: &str) {
        let p = p.trim();
        if let Some(c) = ATTACHMENT.captures(p) {
            self.section = format!("附件{}", &c[1]);
            self.in_attachment = true;
            self.expect_title = true;
            self.mode = Mode::Normal;
            self.top = None;
            self.sub = None;
            self.open_item = None;
            self.pending_theme = false;
            return;
        }
        if self.mode == Mode::Table || p.contains('\t') || p.starts_with('<') {
            self.push(self.section.clone(), Kind::Table, Vec::new(), p.to_string());
            return;
        }
        if self.expect_title && !starts_unit(p) {
            self.expect_title = false;
            if p.contains("口号") {
                self.open_slogan_list(Scope::of_text(p, self.known), squash_spaces(p));
            } else if p.contains("统计表") {
                self.mode = Mode::Table;
            } else if p.contains("标志") {
                // A logo's description (colours, fonts) is one passage.
                self.mode = Mode::Logo;
                let i = self.push(self.section.clone(), Kind::Body, Vec::new(), p.to_string());
                self.open_item = Some(i);
                return;
            }
            self.push(self.section.clone(), Kind::Meta, Vec::new(), p.to_string());
            return;
        }
        self.expect_title = false;
        if self.mode == Mode::Logo {
            if let Some(i) = self.open_item {
                if !p.starts_with("抄送") && !p.starts_with("主送") && !DATE_LINE.is_match(p) {
                    let t = &mut self.parsed.passages[i].text;
                    t.push('\n');
                    t.push_str(p);
                    return;
                }
            }
            self.mode = Mode::Normal;
            self.open_item = None;
        }
        if self.mode == Mode::Deleted {
            self.push(self.section.clone(), Kind::Meta, Vec::new(), p.to_string());
            return;
        }
        if p.starts_with("附件：") || p.starts_with("附件:") || p.starts_with("- 附件") {
            self.mode = Mode::AttachmentList;
            self.push(self.section.clone(), Kind::Meta, Vec::new(), p.to_string());
            return;
        }
        if self.mode == Mode::AttachmentList {
            if NUMBERED.is_match(p) {
                self.push(self.section.clone(), Kind::Meta, Vec::new(), p.to_string());
                return;
            }
            self.mode = Mode::Normal;
        }
        if DOC_NUMBER.is_match(p) && self.body_count >= 3 && !self.in_attachment {
            // A second document number after body text: a forwarded notice starts.
            self.section = "转发通知".to_string();
            self.top = None;
            self.sub = None;
            self.body_count = 0;
        }
        if p.starts_with("主送") || p.starts_with("抄送") || DATE_LINE.is_match(p) || DOC_NUMBER.is_match(p) {
            self.open_item = None;
            // Whom it is sent to is a part of the notice of its own, wherever
            // it stands (after the attachments, often).
            let (section, kind) = match p.starts_with("主送") || p.starts_with("抄送") {
                true => (p.chars().take(2).collect(), Kind::Addressees),
                false => (self.section.clone(), Kind::Meta),
            };
            self.push(section, kind, Vec::new(), p.to_string());
            return;
        }
        if p.contains("删除的内容") {
            self.mode = Mode::Deleted;
            self.push(self.section.clone(), Kind::Meta, Vec::new(), p.to_string());
            return;
        }
        if p.starts_with("联系人") {
            let i = self.push(self.section.clone(), Kind::Contact, Vec::new(), p.to_string());
            self.open_item = Some(i);
            return;
        }
        if let Some(i) = self.open_item {
            if self.parsed.passages[i].kind == Kind::Contact && LABEL.is_match(p) && han_len(p) < 60 {
                let t = &mut self.parsed.passages[i].text;
                t.push('\n');
                t.push_str(p);
                return;
            }
        }
        if self.theme_para(p) || self.slogan_para(p) {
            return;
        }
        // Numbered items.
        if let Some(c) = TOP.captures(p) {
            self.top = Some(c[1].to_string());
            self.sub = None;
            let rest = c[2].trim().to_string();
            self.start_item(p, &rest);
            return;
        }
        if let Some(c) = SUB.captures(p) {
            self.sub = Some(c[1].to_string());
            if self.top.is_none() {
                self.top = Some(String::new());
            }
            let rest = c[2].trim().to_string();
            self.start_item(p, &rest);
            return;
        }
        // An entity name alone is a heading for what follows (`福州市`) in an
        // attachment; in the body it is a line of the issuers' list.
        if self.in_attachment && han_len(p) <= 12 && !p.contains(['，', '。']) {
            if let Some((who, _)) = self.known.leading_entity(p).filter(|(n, _)| {
                n.chars().count() == p.chars().count() || p.starts_with(n.as_str()) && han_len(p) == n.chars().count()
            }) {
                self.top = Some(p.to_string());
                self.sub = None;
                let i = self.push(self.section.clone(), Kind::Item, vec![who], p.to_string());
                self.open_item = Some(i);
                return;
            }
        }
        // Continuation of an open item.
        if let Some(i) = self.open_item {
            let kind = self.parsed.passages[i].kind;
            let heading_only = han_len(&self.parsed.passages[i].text) <= 14;
            if kind == Kind::Item && (self.in_attachment || heading_only) {
                let t = &mut self.parsed.passages[i].text;
                t.push('\n');
                t.push_str(p);
                return;
            }
        }
        // Plain body paragraph.
        let who = self.known.leading_entity(p).map(|(n, _)| vec![n]).unwrap_or_default();
        let kind = if !p.contains('。') && (han_len(p) < 80 || p.ends_with('：')) {
            Kind::Meta
        } else {
            Kind::Body
        };
        if kind == Kind::Body {
            self.body_count += 1;
        }
        let section = if self.top.is_some() {
            self.label()
        } else if kind == Kind::Body {
            format!("{} · 第{}段", self.section, self.body_count)
        } else {
            self.section.clone()
        };
        self.open_item = None;
        self.push(section, kind, who, p.to_string());
    }

    fn start_item(&mut self, p: &str, rest: &str) {
        let label = self.label();
        let lead = self.known.leading_entity(rest);
        let heading = han_len(rest) <= 12 && !rest.contains(['，', '。', '、']);
        if heading {
            match lead {
                Some((who, _)) if who.chars().count() == rest.chars().count() => {
                    let i = self.push(label, Kind::Item, vec![who], p.to_string());
                    self.open_item = Some(i);
                }
                _ => {
                    // A section heading such as `一、指导思想`: kept for search, not an answer.
                    self.push(label, Kind::Meta, Vec::new(), p.to_string());
                    self.open_item = None;
                }
            }
            return;
        }
        let who = lead.map(|(n, _)| vec![n]).unwrap_or_default();
        let kind = if self.in_attachment || !who.is_empty() {
            Kind::Item
        } else {
            Kind::Body
        };
        let i = self.push(label, kind, who, p.to_string());
        self.open_item = Some(i);
    }
}

/// Parses one notice's (repaired) text. Items are about the bodies of
/// `known`; `issuer` decides whose own theme an inline `活动主题确定为“…”` is.
pub fn parse(text: &str, issuer: Option<&str>, known: &Registry) -> Parsed {
    let paras = paragraphs(text, known);
    let mut w = Walker {
        known,
        parsed: Parsed::default(),
        doc_region: issuer.and_then(|i| known.region_named(i)),
        section: "正文".to_string(),
        in_attachment: false,
        expect_title: false,
        mode: Mode::Normal,
        top: None,
        sub: None,
        open_item: None,
        pending_theme: false,
        body_count: 0,
    };
    let mut first_attachment: Option<u32> = None;
    let mut before_first = 0;
    for p in &paras {
        if let Some(c) = ATTACHMENT.captures(p.trim()) {
            if first_attachment.is_none() {
                first_attachment = c[1].parse().ok();
                before_first = w.parsed.passages.len();
            }
        }
        w.para(p);
    }
    // Text before `附件2` with no `附件1` heading is attachment 1 (a file
    // that holds only the attachments).
    if let Some(n) = first_attachment.filter(|n| *n > 1) {
        let label = format!("附件{}", n - 1);
        for p in &mut w.parsed.passages[..before_first] {
            if let Some(rest) = p.section.strip_prefix("正文") {
                p.section = format!("{label}{rest}");
            }
            if p.kind == Kind::Body && !p.who.is_empty() {
                p.kind = Kind::Item;
            }
        }
        for l in &mut w.parsed.slogans {
            if let Some(rest) = l.section.strip_prefix("正文") {
                l.section = format!("{label}{rest}");
            }
        }
    }
    // A heading whose content was a duplicate (dropped above) says nothing.
    let empty: Vec<usize> = (0..w.parsed.passages.len())
        .filter(|i| {
            let p = &w.parsed.passages[*i];
            p.kind == Kind::Item && !p.who.is_empty() && !p.text.contains('\n') && han_len(&p.text) <= 14
        })
        .collect();
    if !empty.is_empty() && w.parsed.themes.iter().all(|t| !empty.contains(&t.passage)) {
        let mut shift = vec![0usize; w.parsed.passages.len()];
        let mut removed = 0;
        for (i, s) in shift.iter_mut().enumerate() {
            if empty.contains(&i) {
                removed += 1;
            }
            *s = removed;
        }
        for t in &mut w.parsed.themes {
            t.passage -= shift[t.passage];
        }
        let mut i = 0;
        w.parsed.passages.retain(|_| {
            i += 1;
            !empty.contains(&(i - 1))
        });
    }
    themes::regional_themes_in_items(&mut w.parsed, known);
    w.parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraphs(text: &str) -> Vec<String> {
        super::paragraphs(text, Registry::shipped())
    }

    fn parse(text: &str, issuer: Option<&str>) -> Parsed {
        super::parse(text, issuer, Registry::shipped())
    }

    #[test]
    fn broken_lines_are_joined_without_spaces() {
        let t = "召开主题为“质量”的大会，深入贯\n\n彻党中央、国务院关于质量工作的决策部署，围绕提高经济社会\n\n发展质量和效率等议题进行研讨。 \n\n质检总局会同有关部门组织\n\n开展质量状况调查，组织质量比对和会商会诊，找准比较优势。";
        let p = paragraphs(t);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("深入贯彻党中央"));
        assert!(p[1].starts_with("质检总局会同有关部门组织开展质量状况调查"));
    }

    #[test]
    fn ascii_words_keep_a_space() {
        let p = paragraphs(
            "组织广大企业宣贯学习新版 GB/T 19000（ISO \n\n9000）系列质量管理体系标准，推进打造质量管理体系认证。",
        );
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("ISO 9000"), "{}", p[0]);
    }

    #[test]
    fn short_lines_and_headings_stay_apart() {
        let p = paragraphs("一、活动主题\n\n增强质量意识 推进高质量发展\n\n二、活动内容\n加强市场监管 建设质量强省\n推动高质量发展 建设质量强省");
        assert_eq!(p.len(), 5, "{p:?}");
        let slogans =
            "筑牢质量强省梦 迈向质量新征程\n深化供给侧结构性改革...推进质量强省建设\n夯实国家质量基础 加强全面质量管理";
        assert_eq!(paragraphs(slogans).len(), 3);
    }

    #[test]
    fn a_full_width_line_ending_in_a_full_stop_goes_on() {
        let t = "深入开展质量标准与质量追溯技术规范宣贯培训，规范农产\n\n品产前、产中、产后各环节的作业流程。加强有机产品认证示\n\n范区、良好农业规范认证示范区建设，促进绿色、优质农产品。\n\n开展农产品电子商务质量提升专题研讨，推广线上交易农产品\n\n质量管理经验、技术、标准。搭建品牌宣传平台。 \n\n举办新形势下装备质量监督工作\n\n创新论坛。 ";
        let p = paragraphs(t);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("农产品。开展农产品电子商务"), "{p:?}");
    }

    #[test]
    fn a_numbered_list_entry_ends_before_the_signature() {
        let t = "附件：1.2030年各地开展的主要活动安排表格一览\n2.2030年质量月活动情况统计表和报送说明\n\n某某省质量强省工作联席会议办公室\n\n2030 年 8 月 29 日";
        let p = paragraphs(t);
        assert_eq!(p[1], "2.2030年质量月活动情况统计表和报送说明", "{p:?}");
        assert_eq!(p[2], "某某省质量强省工作联席会议办公室", "{p:?}");
    }

    #[test]
    fn a_colon_inside_quotes_does_not_end_the_line() {
        let p = paragraphs("召开主题为“质量：\n\n改善供给·引领未来”的第二届中国质量（上海）大会，深入研讨。");
        assert_eq!(p.len(), 1, "{p:?}");
    }

    #[test]
    fn glued_heading_is_split_and_duplicates_dropped() {
        let long = "以城市地铁，主要公共场所、出租车、公交车 LED 屏为重点开展质量强市暨“质量月”主题宣传活动。";
        let t = format!("{long}\n\n{long}三、泉州市\n\n开展课题调研活动。");
        let p = paragraphs(&t);
        assert_eq!(
            p,
            vec![
                long.to_string(),
                "三、泉州市".to_string(),
                "开展课题调研活动。".to_string()
            ]
        );
    }

    #[test]
    fn items_themes_and_slogans_are_structured() {
        let t = "一、活动主题\n\n增强质量意识 推进高质量发展\n\n附件 3\n\n2023 年全国“质量月”各地开展的主要活动\n\n十九、广东省开展“质量”走进“广东开学第一课”活动，举办广东省企业首席质量官大赛。\n\n三、最高人民法院发布一批典型案例。\n\n附件 4\n\n2023 年全国“质量月”活动口号\n\n主题：\n\n增强质量意识 推进高质量发展\n\n口号：\n\n- 1.大力增强质量意识 加快建设质量强国\n- 2.提升质量竞争力 共筑质量强国梦\n\n主送:各省市场监管局。";
        let parsed = parse(t, None);
        assert_eq!(parsed.themes.len(), 1, "{:?}", parsed.themes);
        assert_eq!(parsed.themes[0].text, "增强质量意识 推进高质量发展");
        let gd = parsed
            .passages
            .iter()
            .find(|p| p.who == vec!["广东省".to_string()])
            .unwrap();
        assert_eq!(gd.section, "附件3 · 十九");
        assert_eq!(gd.kind, Kind::Item);
        let court = parsed
            .passages
            .iter()
            .find(|p| p.who == vec!["最高人民法院".to_string()])
            .unwrap();
        assert_eq!(court.section, "附件3 · 三");
        assert_eq!(parsed.slogans.len(), 1);
        assert_eq!(parsed.slogans[0].scope, Scope::National);
        assert_eq!(
            parsed.slogans[0].items,
            vec!["大力增强质量意识 加快建设质量强国", "提升质量竞争力 共筑质量强国梦"]
        );
    }

    #[test]
    fn city_sections_and_regional_slogans() {
        let t = "附件 2\n\n福建省 2018 年“质量月”活动口号\n\n加强市场监管 建设质量强省\n推动高质量发展 建设质量强省\n\n删除的内容：为中国质量拼搏\n为质量中国加油\n\n附件 3\n\n福建省创建“全国质量强市示范城市” 2018年“质量月”主要活动安排\n\n一、福州市\n\n举办全市“质量月”网络启动仪式；开展市民质量满意度测评，扎实推进创建工作。\n\n二、厦门市\n\n开展质量月公益宣传。";
        let parsed = parse(t, Some("福建省质量强省工作联席会议办公室"));
        assert_eq!(parsed.slogans.len(), 1);
        assert_eq!(parsed.slogans[0].scope, Scope::Region("福建省".to_string()));
        assert_eq!(parsed.slogans[0].items.len(), 2);
        let fz = parsed
            .passages
            .iter()
            .find(|p| p.who == vec!["福州市".to_string()])
            .unwrap();
        assert!(fz.text.contains("网络启动仪式"), "{}", fz.text);
        assert_eq!(fz.section, "附件3 · 一");
    }

    #[test]
    fn text_before_attachment_two_is_attachment_one() {
        let t = "2024年全国“质量月”联合主办单位\n开展的主要活动\n\n三、最高人民法院发布涉产品质量纠纷案件典型案例。\n\n附件2\n2024年全国“质量月”相关联合会、协会\n开展的主要活动\n\n一、中国质量协会开展质量标杆经验交流。";
        let parsed = parse(t, None);
        let court = parsed
            .passages
            .iter()
            .find(|p| p.who == vec!["最高人民法院".to_string()])
            .unwrap();
        assert_eq!(court.section, "附件1 · 三");
        let caq = parsed
            .passages
            .iter()
            .find(|p| p.who == vec!["中国质量协会".to_string()])
            .unwrap();
        assert_eq!(caq.section, "附件2 · 一");
    }
}
