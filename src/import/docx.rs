//! Text from a Word document (`.docx`): the paragraphs of
//! `word/document.xml`, one per line, with Word's automatic numbering
//! (`一、`, `1.`, `（一）` …) written out from `word/numbering.xml`, table
//! cells separated by tabs, and tracked deletions, field codes and the
//! fallback copies of drawings left out.

use super::Problem;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashMap;
use std::io::Read;

/// The most a part may hold once unpacked (a guard against zip bombs).
const MAX_PART: u64 = 64 << 20;

/// Extracts the text of a `.docx` file's main document.
pub fn extract(bytes: &[u8]) -> Result<String, Problem> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| Problem::BadDocx(format!("broken zip archive ({e})")))?;
    let document = read_part(&mut zip, "word/document.xml")?
        .ok_or_else(|| Problem::BadDocx("no word/document.xml in the archive".to_string()))?;
    let numbering = match read_part(&mut zip, "word/numbering.xml")? {
        Some(xml) => Numbering::parse(&xml)?,
        None => Numbering::default(),
    };
    document_text(&document, numbering)
}

fn read_part<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Result<Option<String>, Problem> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(Problem::BadDocx(format!("cannot read {name} ({e})"))),
    };
    let mut xml = String::new();
    file.take(MAX_PART)
        .read_to_string(&mut xml)
        .map_err(|e| Problem::BadDocx(format!("cannot read {name} ({e})")))?;
    Ok(Some(xml))
}

fn xml_error(part: &str, e: impl std::fmt::Display) -> Problem {
    Problem::BadDocx(format!("malformed {part} ({e})"))
}

/// The value of the attribute `name` (e.g. `w:val`) of an element.
fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.try_get_attribute(name).ok().flatten().and_then(|a| {
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()
            .map(|v| v.into_owned())
    })
}

/// One level of a numbering definition.
#[derive(Debug, Clone)]
struct Level {
    start: u32,
    format: String,
    text: String,
}

/// `word/numbering.xml`: which label each list level gets.
#[derive(Debug, Default)]
struct Numbering {
    /// abstractNumId → levels by ilvl.
    abstract_levels: HashMap<String, HashMap<u32, Level>>,
    /// numId → abstractNumId.
    nums: HashMap<String, String>,
    /// numId → the current counter of each level.
    counters: HashMap<String, [u32; 9]>,
}

impl Numbering {
    fn parse(xml: &str) -> Result<Numbering, Problem> {
        let mut out = Numbering::default();
        let mut reader = Reader::from_str(xml);
        let mut abstract_id: Option<String> = None;
        let mut level: Option<(u32, Level)> = None;
        let mut num_id: Option<String> = None;
        loop {
            let event = reader.read_event().map_err(|e| xml_error("word/numbering.xml", e))?;
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let empty = matches!(event, Event::Empty(_));
                    match e.name().as_ref() {
                        "w:abstractNum" => abstract_id = attr(e, "w:abstractNumId"),
                        "w:lvl" if !empty => {
                            let ilvl = attr(e, "w:ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
                            level = Some((
                                ilvl,
                                Level {
                                    start: 1,
                                    format: "decimal".to_string(),
                                    text: String::new(),
                                },
                            ));
                        }
                        "w:start" => {
                            if let (Some((_, l)), Some(v)) = (level.as_mut(), attr(e, "w:val")) {
                                l.start = v.parse().unwrap_or(1);
                            }
                        }
                        "w:numFmt" => {
                            if let (Some((_, l)), Some(v)) = (level.as_mut(), attr(e, "w:val")) {
                                l.format = v;
                            }
                        }
                        "w:lvlText" => {
                            if let (Some((_, l)), Some(v)) = (level.as_mut(), attr(e, "w:val")) {
                                l.text = v;
                            }
                        }
                        "w:num" => num_id = attr(e, "w:numId"),
                        "w:abstractNumId" => {
                            if let (Some(n), Some(v)) = (num_id.as_ref(), attr(e, "w:val")) {
                                out.nums.insert(n.clone(), v);
                            }
                        }
                        _ => {}
                    }
                }
                Event::End(e) => match e.name().as_ref() {
                    "w:lvl" => {
                        if let (Some(a), Some((ilvl, l))) = (abstract_id.as_ref(), level.take()) {
                            out.abstract_levels.entry(a.clone()).or_default().insert(ilvl, l);
                        }
                    }
                    "w:abstractNum" => abstract_id = None,
                    "w:num" => num_id = None,
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(out)
    }

    /// The label of the next paragraph of list `num_id` at level `ilvl`,
    /// e.g. `一、` or `1.`; empty for bullets and unknown lists.
    fn next_label(&mut self, num_id: &str, ilvl: u32) -> String {
        let Some(levels) = self.nums.get(num_id).and_then(|a| self.abstract_levels.get(a)) else {
            return String::new();
        };
        let ilvl = ilvl.min(8) as usize;
        let counters = self.counters.entry(num_id.to_string()).or_insert([0; 9]);
        let start = |i: usize| levels.get(&(i as u32)).map_or(1, |l| l.start);
        counters[ilvl] = if counters[ilvl] == 0 {
            start(ilvl)
        } else {
            counters[ilvl] + 1
        };
        for deeper in counters.iter_mut().skip(ilvl + 1) {
            *deeper = 0;
        }
        let Some(level) = levels.get(&(ilvl as u32)) else {
            return String::new();
        };
        if level.format == "bullet" || level.format == "none" {
            return String::new();
        }
        let mut label = level.text.clone();
        for i in (0..=ilvl).rev() {
            let placeholder = format!("%{}", i + 1);
            if label.contains(&placeholder) {
                let n = if counters[i] == 0 { start(i) } else { counters[i] };
                let format = levels.get(&(i as u32)).map_or("decimal", |l| l.format.as_str());
                label = label.replace(&placeholder, &format_number(n, format));
            }
        }
        label
    }
}

/// A list number in one of Word's formats.
fn format_number(n: u32, format: &str) -> String {
    match format {
        "chineseCounting" | "chineseCountingThousand" | "chineseLegalSimplified" | "ideographDigital" => chinese(n),
        "ideographTraditional" => {
            const STEMS: [char; 10] = ['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸'];
            STEMS
                .get(n.saturating_sub(1) as usize)
                .map_or(n.to_string(), |c| c.to_string())
        }
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(0x2460 + n - 1).map_or(n.to_string(), |c| c.to_string())
        }
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
            .collect(),
        "lowerLetter" | "upperLetter" => {
            let base = if format == "lowerLetter" { b'a' } else { b'A' };
            let n = n.max(1) - 1;
            let letter = (base + (n % 26) as u8) as char;
            letter.to_string().repeat(n as usize / 26 + 1)
        }
        "lowerRoman" => roman(n).to_lowercase(),
        "upperRoman" => roman(n),
        _ => n.to_string(),
    }
}

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五.
pub(crate) fn chinese(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 || n >= 1000 {
        return n.to_string();
    }
    let (h, t, u) = (n / 100, n / 10 % 10, n % 10);
    let mut s = String::new();
    if h > 0 {
        s.push_str(DIGITS[h as usize]);
        s.push('百');
    }
    if t > 0 {
        if t > 1 || h > 0 {
            s.push_str(DIGITS[t as usize]);
        }
        s.push('十');
    } else if h > 0 && u > 0 {
        s.push('零');
    }
    if u > 0 {
        s.push_str(DIGITS[u as usize]);
    }
    s
}

fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (v, r) in TABLE {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// Walks `word/document.xml` and writes one line per paragraph.
fn document_text(xml: &str, mut numbering: Numbering) -> Result<String, Problem> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    let mut para = String::new();
    // Depths of elements whose content is skipped (deleted text, field
    // codes, fallback drawings) and of the elements that hold text.
    let mut skip = 0usize;
    let mut in_text = false;
    let mut in_run = 0usize;
    let mut in_ppr = false;
    let mut num: (Option<String>, u32) = (None, 0);
    let mut cell_depth = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| xml_error("word/document.xml", e))?;
        match &event {
            Event::Start(e) => {
                let name = e.name();
                let name = name.as_ref();
                if skip > 0 || matches!(name, "w:del" | "w:instrText" | "mc:Fallback" | "w:delText") {
                    skip += 1;
                    continue;
                }
                match name {
                    "w:t" => in_text = true,
                    "w:r" => in_run += 1,
                    "w:pPr" => in_ppr = true,
                    "w:tc" => cell_depth += 1,
                    "w:p" => {
                        para.clear();
                        num = (None, 0);
                    }
                    _ => {}
                }
            }
            Event::Empty(e) => {
                if skip > 0 {
                    continue;
                }
                match e.name().as_ref() {
                    "w:tab" if in_run > 0 => para.push('\t'),
                    "w:br" | "w:cr" if in_run > 0 => para.push('\n'),
                    "w:noBreakHyphen" if in_run > 0 => para.push('-'),
                    "w:numId" if in_ppr => num.0 = attr(e, "w:val"),
                    "w:ilvl" if in_ppr => num.1 = attr(e, "w:val").and_then(|v| v.parse().ok()).unwrap_or(0),
                    _ => {}
                }
            }
            Event::Text(t) if in_text && skip == 0 => para.push_str(&t.xml10_content()),
            Event::CData(t) if in_text && skip == 0 => para.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text && skip == 0 => match r.resolve_char_ref() {
                Ok(Some(c)) => para.push(c),
                _ => para.push_str(match r.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                }),
            },
            Event::End(e) => {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                match e.name().as_ref() {
                    "w:t" => in_text = false,
                    "w:r" => in_run = in_run.saturating_sub(1),
                    "w:pPr" => in_ppr = false,
                    "w:p" => {
                        let label = match &num.0 {
                            Some(id) if id != "0" && !para.trim().is_empty() => numbering.next_label(id, num.1),
                            _ => String::new(),
                        };
                        if cell_depth > 0 {
                            if !out.ends_with(['\t', '\n']) && !out.is_empty() && !para.is_empty() {
                                out.push(' ');
                            }
                        } else if !out.is_empty() && !out.ends_with('\n') {
                            out.push('\n');
                        }
                        out.push_str(&label);
                        out.push_str(&para);
                        if cell_depth == 0 {
                            out.push('\n');
                        }
                        para.clear();
                    }
                    "w:tc" => {
                        cell_depth = cell_depth.saturating_sub(1);
                        out.push('\t');
                    }
                    "w:tr" => {
                        while out.ends_with('\t') {
                            out.pop();
                        }
                        out.push('\n');
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    #[test]
    fn runs_are_joined_and_deletions_dropped() -> Result<(), Problem> {
        let xml = format!(
            r#"<w:document {W}><w:body>
            <w:p><w:r><w:t>为深入</w:t></w:r><w:proofErr/><w:r><w:t xml:space="preserve">贯彻 &amp; </w:t></w:r>
            <w:del><w:r><w:delText>旧文字</w:delText></w:r></w:del><w:r><w:tab/><w:t>落实</w:t></w:r></w:p>
            <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr><w:r><w:instrText>PAGE</w:instrText><w:t>第二段</w:t></w:r></w:p>
            </w:body></w:document>"#
        );
        let text = document_text(&xml, Numbering::default())?;
        assert_eq!(text, "为深入贯彻 & \t落实\n第二段\n");
        Ok(())
    }

    #[test]
    fn automatic_numbering_is_written_out() -> Result<(), Problem> {
        let numbering = format!(
            r#"<w:numbering {W}>
            <w:abstractNum w:abstractNumId="0">
              <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
              <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
            </w:abstractNum>
            <w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum>
            <w:num w:numId="3"><w:abstractNumId w:val="0"/></w:num>
            <w:num w:numId="4"><w:abstractNumId w:val="1"/></w:num>
            </w:numbering>"#
        );
        let p = |num: &str, lvl: u32, text: &str| {
            format!(
                r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="{num}"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
            )
        };
        let xml = format!(
            "<w:document {W}><w:body>{}{}{}{}{}</w:body></w:document>",
            p("3", 0, "活动主题"),
            p("3", 0, "活动内容"),
            p("3", 1, "广泛宣传"),
            p("4", 0, "要点"),
            (1..=10).map(|_| p("3", 0, "项")).collect::<String>(),
        );
        let text = document_text(&xml, Numbering::parse(&numbering)?)?;
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[..4], ["一、活动主题", "二、活动内容", "（一）广泛宣传", "要点"]);
        assert_eq!(lines[13], "十二、项");
        Ok(())
    }

    #[test]
    fn table_cells_are_tab_separated() -> Result<(), Problem> {
        let xml = format!(
            r#"<w:document {W}><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>活动</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>数量</w:t></w:r></w:p><w:p><w:r><w:t>(个)</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:r><w:t>完</w:t></w:r></w:p></w:body></w:document>"#
        );
        assert_eq!(document_text(&xml, Numbering::default())?, "活动\t数量 (个)\n完\n");
        Ok(())
    }

    #[test]
    fn chinese_numbers() {
        let got: Vec<String> = [1, 10, 11, 20, 21, 99, 100, 105, 110]
            .into_iter()
            .map(chinese)
            .collect();
        assert_eq!(
            got,
            [
                "一",
                "十",
                "十一",
                "二十",
                "二十一",
                "九十九",
                "一百",
                "一百零五",
                "一百一十"
            ]
        );
    }

    #[test]
    fn a_broken_archive_is_a_problem_not_a_panic() {
        let err = extract(b"PK\x03\x04 not really a zip").unwrap_err();
        assert!(err.to_string().contains("broken zip archive"), "{err}");
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file("hello.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, b"hi").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let err = extract(&bytes).unwrap_err();
        assert!(err.to_string().contains("no word/document.xml"), "{err}");
    }
}
