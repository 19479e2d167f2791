//! From raw notice text to structured passages: joins lines broken by PDF
//! extraction, then walks the paragraphs and recognises attachments
//! (`附件N`), numbered items (`一、`, `（一）`, `1.`, `- 1.`), who an item
//! is about, themes (`活动主题`, `主题：`) and slogan lists, and the noise
//! (statistics forms, distribution lists, signatures) that must not outrank
//! real content.

use crate::entities::{self, EntityKind};
use regex::Regex;
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
    /// Titles, distribution lists, signatures, dates.
    Meta,
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

/// Whose theme or slogan list it is: the whole country, or one
/// provincial-level region (by its canonical name, e.g. `福建省`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The national Quality Month.
    National,
    /// A region's own.
    Region(String),
}

impl Scope {
    /// The region, for a regional scope.
    pub fn region(&self) -> Option<&str> {
        match self {
            Scope::National => None,
            Scope::Region(r) => Some(r),
        }
    }

    /// Whether this is the national scope.
    pub fn is_national(&self) -> bool {
        *self == Scope::National
    }

    /// The region named in `text`, else national.
    pub fn of_text(text: &str) -> Scope {
        region_in(text).map_or(Scope::National, Scope::Region)
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::National => f.write_str("全国"),
            Scope::Region(r) => f.write_str(r),
        }
    }
}

impl From<&str> for Scope {
    fn from(s: &str) -> Scope {
        if s == "全国" {
            Scope::National
        } else {
            Scope::Region(s.to_string())
        }
    }
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
static THEME_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[一二三四五六七八九十]+、\s*)?(?:活动)?主题\s*[:：]?\s*$").unwrap());
static THEME_INLINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^主题\s*[:：]\s*(\S.*)$").unwrap());
static THEME_STATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"活动主题(?:确定)?为\s*[“\u{201A}]([^”\u{201B}]{4,40})[”\u{201B}]").unwrap());
static GLUED_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.*[。；])\s*([一二三四五六七八九十]+、[\p{Han}]{2,12})$").unwrap());

/// Characters that end a sentence or a clause heading a list.
fn ends_terminal(line: &str) -> bool {
    let last = line.trim_end().chars().last();
    // `主题为“质量：` is inside a quotation that goes on.
    if matches!(last, Some('：' | ':')) && line.matches('“').count() > line.matches('”').count() {
        return false;
    }
    matches!(last, Some('。' | '！' | '？' | '；' | '：' | ':' | ';' | '!' | '?'))
        || (line.trim_start().starts_with(['（', '(']) && matches!(last, Some('）' | ')')))
}

/// Whether a line opens a new unit: an item marker, an attachment, a label.
fn starts_unit(line: &str) -> bool {
    let l = line.trim();
    TOP.is_match(l)
        || SUB.is_match(l)
        || NUMBERED.is_match(l)
        || l.starts_with("附件")
        || l.starts_with("- 附件")
        || LABEL.is_match(l)
}

fn han_len(line: &str) -> usize {
    line.chars().filter(|c| !c.is_whitespace()).count()
}

/// Lines that stand alone: headings, document numbers, dates, short labels.
fn standalone(line: &str) -> bool {
    let l = line.trim();
    // A bare entity name (`福州市`) is a heading.
    if han_len(l) <= 10 && !l.contains(['，', '。', '、']) && leading_entity(l).is_some_and(|(n, _)| n.len() == l.len())
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
/// two ASCII words keep one.
pub fn paragraphs(text: &str) -> Vec<String> {
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
        let join = (open || wrapped_after_stop)
            && !starts_unit(line)
            && !standalone(line)
            && (sentence_like || (blank_before && last_line_len >= SHORT));
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
        open = !ends_terminal(cur) && !standalone(cur);
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

/// Entity names, longest first, for recognising who an item is about.
static PREFIX_NAMES: LazyLock<Vec<(&'static str, usize)>> = LazyLock::new(|| {
    entities::chinese_names()
        .into_iter()
        .filter(|(n, _)| n.chars().count() >= 2)
        .collect()
});

/// The canonical name of the entity `text` begins with, if any.
pub fn leading_entity(text: &str) -> Option<(String, EntityKind)> {
    for (name, i) in PREFIX_NAMES.iter() {
        if text.starts_with(name) {
            let e = &entities::ENTITIES[*i];
            return Some((e.name.to_string(), e.kind));
        }
    }
    entities::org_prefix(text).map(|n| (n.to_string(), entities::guess_kind(n)))
}

/// The region a title or issuer is about (`福建省 2018 年…口号` → 福建省).
pub fn region_in(text: &str) -> Option<String> {
    if text.contains("全国") {
        return None;
    }
    PREFIX_NAMES
        .iter()
        .filter(|(_, i)| entities::ENTITIES[*i].kind == EntityKind::Province)
        .find(|(n, _)| text.contains(n))
        .map(|(_, i)| entities::ENTITIES[*i].name.to_string())
}

#[derive(PartialEq)]
enum Mode {
    Normal,
    Slogans,
    Table,
    AttachmentList,
    Deleted,
    Logo,
}

struct Walker {
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

impl Walker {
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

    fn add_theme(&mut self, scope: Scope, text: &str) {
        let text = squash_spaces(text.trim_matches(|c: char| c.is_whitespace() || c == '“' || c == '”'));
        if text.is_empty() {
            return;
        }
        let p = self.push(self.label_or_section(), Kind::Theme, Vec::new(), text.clone());
        if !self.parsed.themes.iter().any(|t| t.scope == scope && t.text == text) {
            self.parsed.themes.push(ThemeRec {
                scope,
                text,
                passage: p,
            });
        }
    }

    fn label_or_section(&self) -> String {
        if self.top.is_some() {
            self.label()
        } else {
            self.section.clone()
        }
    }

    fn scope_of_list(&self, title: &str) -> Scope {
        Scope::of_text(title)
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
                self.mode = Mode::Slogans;
                let scope = self.scope_of_list(p);
                self.parsed.slogans.push(ParsedSlogans {
                    scope,
                    title: squash_spaces(p),
                    section: self.section.clone(),
                    items: Vec::new(),
                });
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
            self.push(self.section.clone(), Kind::Meta, Vec::new(), p.to_string());
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
        // Themes.
        if THEME_HEADING.is_match(p) {
            self.pending_theme = true;
            if let Some(c) = TOP.captures(p) {
                self.top = Some(c[1].to_string());
                self.sub = None;
            }
            self.open_item = None;
            return;
        }
        if let Some(c) = THEME_INLINE.captures(p) {
            let scope = self.current_list_scope();
            self.add_theme(scope, &c[1]);
            self.pending_theme = false;
            return;
        }
        if self.pending_theme {
            self.pending_theme = false;
            if han_len(p) <= 40 && !p.contains('。') {
                let scope = self.current_list_scope();
                self.add_theme(scope, p);
                return;
            }
        }
        if let Some(c) = THEME_STATED.captures(p) {
            // The paragraph stays searchable body text and is the theme's source.
            let scope = self.doc_region.clone().map_or(Scope::National, Scope::Region);
            let text = squash_spaces(&c[1]);
            self.body_count += 1;
            let section = if self.top.is_some() {
                self.label()
            } else {
                format!("{} · 第{}段", self.section, self.body_count)
            };
            self.open_item = None;
            let who = leading_entity(p).map(|(n, _)| vec![n]).unwrap_or_default();
            let passage = self.push(section, Kind::Body, who, p.to_string());
            if !self.parsed.themes.iter().any(|t| t.scope == scope && t.text == text) {
                self.parsed.themes.push(ThemeRec { scope, text, passage });
            }
            return;
        }
        // Slogans.
        if p.starts_with("口号") && han_len(p) <= 4 {
            if self.mode != Mode::Slogans {
                self.mode = Mode::Slogans;
                let title = "活动口号".to_string();
                let scope = self.current_list_scope();
                self.parsed.slogans.push(ParsedSlogans {
                    scope,
                    title,
                    section: self.section.clone(),
                    items: Vec::new(),
                });
            }
            return;
        }
        if self.mode == Mode::Slogans {
            let (num, text) = match NUMBERED.captures(p) {
                Some(c) => (Some(c[1].to_string()), c[2].trim().to_string()),
                None => (None, p.to_string()),
            };
            let is_slogan = !text.is_empty() && !text.contains('。') && !text.contains('：') && han_len(&text) <= 40;
            if is_slogan {
                let list = self.parsed.slogans.last_mut().expect("slogan mode has a list");
                list.items.push(squash_spaces(&text));
                let n = num.unwrap_or_else(|| list.items.len().to_string());
                let section = format!("{} · 口号{}", self.section, n);
                self.push(section, Kind::Slogan, Vec::new(), squash_spaces(&text));
                return;
            }
            self.mode = Mode::Normal;
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
            if let Some((who, _)) = leading_entity(p).filter(|(n, _)| {
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
        let who = leading_entity(p).map(|(n, _)| vec![n]).unwrap_or_default();
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

    fn current_list_scope(&self) -> Scope {
        match self.parsed.slogans.last() {
            Some(l) if l.section == self.section && self.in_attachment => l.scope.clone(),
            _ => Scope::National,
        }
    }

    fn start_item(&mut self, p: &str, rest: &str) {
        let label = self.label();
        let lead = leading_entity(rest);
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

/// Parses one notice's (repaired) text. `issuer` decides whose own theme an
/// inline `活动主题确定为“…”` is.
pub fn parse(text: &str, issuer: Option<&str>) -> Parsed {
    let paras = paragraphs(text);
    let mut w = Walker {
        parsed: Parsed::default(),
        doc_region: issuer.and_then(region_in),
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
    regional_themes_in_items(&mut w.parsed);
    w.parsed
}

/// A region's item that states its own theme (`福建省以“…”为主题，…`): the
/// theme of that region for the year. `以“…”为主题的论坛` names the theme of
/// one event, not the region's.
fn regional_themes_in_items(parsed: &mut Parsed) {
    static OWN_THEME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:以\s*[“\u{201A}]([^”\u{201B}]{4,40})[”\u{201B}]\s*为(?:活动)?主题|(?:活动)?主题(?:确定)?为\s*[“\u{201A}]([^”\u{201B}]{4,40})[”\u{201B}])([^的]|$)").unwrap()
    });
    for (i, p) in parsed.passages.iter().enumerate() {
        if p.kind != Kind::Item {
            continue;
        }
        let Some(region) = p.who.first().filter(|w| region_in(w).as_deref() == Some(w.as_str())) else {
            continue;
        };
        let Some(c) = OWN_THEME.captures(&p.text) else {
            continue;
        };
        let scope = Scope::Region(region.clone());
        if parsed.themes.iter().any(|t| t.scope == scope) {
            continue;
        }
        let Some(text) = c.get(1).or(c.get(2)).map(|m| squash_spaces(m.as_str())) else {
            continue;
        };
        parsed.themes.push(ThemeRec {
            scope,
            text,
            passage: i,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regions_item_states_its_own_theme() {
        let t = "附件3\n\n各地开展的主要活动\n\n一、浙江省\n\n浙江省以“浙里品质 匠心智造”为主题，举办质量大会。\n\n二、江苏省\n\n江苏省举办以“质量强省”为主题的论坛。";
        let parsed = parse(t, None);
        let themes: Vec<(String, String)> = parsed
            .themes
            .iter()
            .map(|t| (t.scope.to_string(), t.text.clone()))
            .collect();
        assert_eq!(
            themes,
            vec![("浙江省".to_string(), "浙里品质 匠心智造".to_string())],
            "{:?}",
            parsed.passages
        );
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
