//! Text from a web page (`.html`, `.htm`): the body's text with one line
//! per block (paragraph, heading, list item, table row), leaving out
//! scripts, styles, forms and the page's furniture: navigation, header,
//! footer, breadcrumbs, side bars and share bars (by element, ARIA role, or a
//! class or id such as `nav`, `footer`, `breadcrumb`, `sidebar`, `share`).

use scraper::node::Node;
use scraper::{ElementRef, Html};

/// Elements whose content is never text of the notice.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button", "select",
    "textarea", "iframe", "svg", "canvas", "object", "embed", "head", "title", "meta", "link",
];

/// Class or id words that mark page furniture (compared case-insensitively
/// with the words of a class or id split at `-`, `_` and camel case).
const FURNITURE: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "header",
    "footer",
    "foot",
    "bottom",
    "breadcrumb",
    "breadcrumbs",
    "crumb",
    "crumbs",
    "position",
    "location",
    "sidebar",
    "side",
    "share",
    "copyright",
    "banner",
    "toolbar",
    "search",
    "login",
    "advert",
    "ads",
    "related",
    "comment",
    "comments",
];

/// ARIA roles of page furniture.
const FURNITURE_ROLES: &[&str] = &["navigation", "banner", "contentinfo", "complementary", "search"];

/// Elements that start a new line.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "tbody",
    "thead",
    "tr",
    "blockquote",
    "pre",
    "center",
    "hr",
    "address",
    "figure",
    "figcaption",
];

/// Decodes an HTML file's bytes: UTF-8 (with or without a byte order mark),
/// else the charset its `<meta>` declares, else GB18030 (which covers GBK
/// and GB2312, the usual encodings of Chinese government pages).
pub fn decode(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc.decode_without_bom_handling(&bytes[bom..]).0.into_owned();
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    let declared = head.find("charset").and_then(|i| {
        let rest = head[i + "charset".len()..].trim_start_matches([' ', '=', '"', '\'']);
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        encoding_rs::Encoding::for_label(&rest.as_bytes()[..end])
    });
    let enc = declared
        .filter(|e| *e != encoding_rs::UTF_8)
        .unwrap_or(encoding_rs::GB18030);
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

/// Extracts the notice's text from an HTML page.
pub fn extract(html: &str) -> String {
    let doc = Html::parse_document(html);
    let mut out = Text::default();
    walk(doc.root_element(), &mut out);
    out.finish()
}

/// Words of a class or id: `article-content` → `article`, `content`;
/// `breadCrumb` → `bread`, `crumb`.
fn words(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .flat_map(|part| {
            let mut pieces = Vec::new();
            let mut cur = String::new();
            for c in part.chars() {
                if c.is_ascii_uppercase() && !cur.is_empty() && !cur.chars().all(|x| x.is_ascii_uppercase()) {
                    pieces.push(std::mem::take(&mut cur));
                }
                cur.push(c);
            }
            pieces.push(cur);
            pieces.push(part.to_string());
            pieces
        })
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
}

fn is_furniture(el: &ElementRef) -> bool {
    let e = el.value();
    if DROPPED.contains(&e.name()) {
        return true;
    }
    if e.attr("hidden").is_some() || e.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = e.attr("style") {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    if e.attr("role")
        .is_some_and(|r| FURNITURE_ROLES.contains(&r.to_ascii_lowercase().as_str()))
    {
        return true;
    }
    let names = e.attr("class").into_iter().chain(e.attr("id"));
    names.flat_map(words).any(|w| FURNITURE.contains(&w.as_str()))
}

/// Collects text with HTML's whitespace rules: runs of spaces collapse to
/// one, a line break in the source between two Chinese characters
/// disappears (as browsers render it), blocks end lines.
#[derive(Default)]
struct Text {
    out: String,
    /// Whitespace seen since the last character, and whether it held a newline.
    pending_space: bool,
    pending_newline: bool,
}

impl Text {
    fn push_text(&mut self, s: &str) {
        for c in s.chars() {
            // &nbsp; and &emsp; are spaces the author typed: kept as spaces.
            if c == '\u{a0}' || c == '\u{2003}' || c == '\u{2002}' {
                self.flush_space();
                self.out.push(' ');
                continue;
            }
            if c.is_ascii_whitespace() || c == '\u{200b}' {
                self.pending_space = true;
                self.pending_newline |= c == '\n' || c == '\r';
                continue;
            }
            if self.pending_space {
                // A line break next to Chinese text is no space (browsers
                // render `质量\n强国` as 质量强国); other whitespace is one.
                let prev = self.out.chars().last();
                let by_cjk = prev.is_some_and(is_wide) || is_wide(c);
                if !(self.pending_newline && by_cjk) {
                    self.flush_space();
                }
            }
            self.pending_space = false;
            self.pending_newline = false;
            self.out.push(c);
        }
    }

    fn flush_space(&mut self) {
        if self.pending_space && !self.out.is_empty() && !self.out.ends_with(['\n', ' ', '\t']) {
            self.out.push(' ');
        }
        self.pending_space = false;
        self.pending_newline = false;
    }

    fn newline(&mut self) {
        self.pending_space = false;
        self.pending_newline = false;
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn tab(&mut self) {
        self.pending_space = false;
        self.pending_newline = false;
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        self.out.push('\t');
    }

    fn finish(mut self) -> String {
        self.newline();
        self.out
    }
}

/// Chinese characters and punctuation, which take no spaces around them.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF | 0x2014 | 0x2018..=0x201F | 0x2026)
}

fn walk(el: ElementRef, out: &mut Text) {
    if is_furniture(&el) {
        return;
    }
    let name = el.value().name();
    let block = BLOCKS.contains(&name);
    if block {
        out.newline();
    }
    if name == "br" {
        out.newline();
        return;
    }
    let mut item = el
        .value()
        .attr("start")
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or(1);
    let mut first_cell = true;
    for child in el.children() {
        match child.value() {
            Node::Text(t) => out.push_text(t),
            Node::Element(_) => {
                let Some(child_el) = ElementRef::wrap(child) else {
                    continue;
                };
                let child_name = child_el.value().name();
                if name == "ol" && child_name == "li" && !is_furniture(&child_el) {
                    // A numbered list keeps its numbers, as the notice shows them.
                    out.newline();
                    out.push_text(&format!("{item}."));
                    item += 1;
                    walk_inline_start(child_el, out);
                    continue;
                }
                if matches!(child_name, "td" | "th") {
                    if !first_cell {
                        out.tab();
                    }
                    first_cell = false;
                    walk_cell(child_el, out);
                    continue;
                }
                walk(child_el, out);
            }
            _ => {}
        }
    }
    if block {
        out.newline();
    }
}

/// The children of a list item, after its number (no line break between).
fn walk_inline_start(li: ElementRef, out: &mut Text) {
    for child in li.children() {
        match child.value() {
            Node::Text(t) => out.push_text(t),
            Node::Element(_) => {
                if let Some(e) = ElementRef::wrap(child) {
                    // A paragraph inside the item stays on the number's line.
                    if matches!(e.value().name(), "p" | "span" | "div") && !is_furniture(&e) {
                        walk_inline_start(e, out);
                    } else {
                        walk(e, out);
                    }
                }
            }
            _ => {}
        }
    }
    out.newline();
}

/// A table cell's content on one line.
fn walk_cell(cell: ElementRef, out: &mut Text) {
    if is_furniture(&cell) {
        return;
    }
    for child in cell.children() {
        match child.value() {
            Node::Text(t) => out.push_text(t),
            Node::Element(_) => {
                if let Some(e) = ElementRef::wrap(child) {
                    if e.value().name() == "br" {
                        out.pending_space = true;
                    } else {
                        walk_cell(e, out);
                        out.pending_space = out.pending_space || BLOCKS.contains(&e.value().name());
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furniture_scripts_and_styles_are_dropped() {
        let html = r#"<html><head><title>标题_网站</title><style>p{color:red}</style></head><body>
            <div class="top-header"><ul class="navBar"><li><a>首页</a></li></ul></div>
            <nav>导航</nav><div class="breadCrumb">当前位置：首页</div>
            <div id="zoom"><h1>关于开展2025年全国“质量月”活动的通知</h1>
            <p>&emsp;&emsp;为深入贯彻落实党中央、
               国务院关于建设质量强国的决策部署。</p>
            <script>document.write("脚本")</script><p style="display: none">隐藏</p>
            <ol start="3"><li>口号甲</li><li><p>口号乙</p></li></ol>
            <table><tr><td>项目</td><td>数量<br>(个)</td></tr></table></div>
            <div class="share-bar">分享到</div><div id="footer">版权所有</div>
            <footer>页脚</footer></body></html>"#;
        let text = extract(html);
        assert_eq!(
            text,
            "关于开展2025年全国“质量月”活动的通知\n  为深入贯彻落实党中央、国务院关于建设质量强国的决策部署。\n3.口号甲\n4.口号乙\n项目\t数量 (个)\n"
        );
    }

    #[test]
    fn spaces_between_words_are_kept() {
        assert_eq!(
            extract("<p>夯实质量基础  共享品质生活</p>"),
            "夯实质量基础 共享品质生活\n"
        );
        assert_eq!(extract("<p>GB/T\n19000 标准</p>"), "GB/T 19000 标准\n");
        assert_eq!(
            extract("<p>“剑网2025\n    ”专项行动，在20\n  个机场</p>"),
            "“剑网2025”专项行动，在20个机场\n"
        );
    }

    #[test]
    fn legacy_encodings_are_decoded() {
        let (gbk, _, _) = encoding_rs::GBK.encode("<meta charset=\"gb2312\"><p>质量月</p>");
        assert!(decode(&gbk).contains("质量月"));
        let (gbk, _, _) = encoding_rs::GBK.encode("<p>没有声明的质量月</p>");
        assert!(decode(&gbk).contains("没有声明的质量月"));
        assert_eq!(decode("\u{feff}<p>质量</p>".as_bytes()), "<p>质量</p>");
    }
}
