//! Answer kind: the outline of a notice. A question that names one of a
//! notice's own headings (`三、重点安排`, `四、工作要求`, `一、指导思想`)
//! gets what stands under it: the lead sentence of each numbered part
//! (`（一）举办中国质量（成都）大会。` …), or the heading's paragraphs when
//! it has no parts. A question about a notice's attachments (`有哪些附件`)
//! gets the notice's list of them.
//!
//! The headings are the notices' own, found at load: nothing here knows
//! which headings a notice has.

use super::*;

/// One headed section of a notice, or a notice's list of attachments.
#[derive(Debug, Clone)]
pub(super) struct Section {
    /// The notice's year.
    year: i32,
    /// The heading without its numeral and whitespace (`重点安排`); `附件`
    /// for a list of attachments.
    heading: String,
    /// The heading's passage (the first line of an attachment list).
    passage: usize,
    /// What stands under it, in reading order: the numbered parts, or the
    /// paragraphs when there are none (the lines of an attachment list).
    parts: Vec<usize>,
    /// Whether `parts` are numbered parts (shown by their lead sentence).
    numbered: bool,
}

/// The section label of a national notice forwarded inside a region's own.
const FORWARDED: &str = "转发通知";
/// Every notice's sections, and each distinct heading with its sections.
/// A question is read once for the first two characters of every heading
/// (one automaton); only a heading whose start it holds is looked at there.
#[derive(Debug, Clone)]
pub(super) struct Outline {
    sections: Vec<Section>,
    /// Each distinct heading and its sections.
    headings: Vec<(String, Vec<usize>)>,
    /// The first two characters of every distinct heading, and the
    /// headings that start with each.
    heads: aho_corasick::AhoCorasick,
    of_head: Vec<Vec<usize>>,
}

impl Outline {
    /// The sections of `passages` (see [`sections`]), grouped by heading.
    pub(super) fn new(passages: &[Passage]) -> Outline {
        let sections = sections(passages);
        let mut headings: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, s) in sections.iter().enumerate() {
            match headings.iter_mut().find(|(h, _)| *h == s.heading) {
                Some((_, of)) => of.push(i),
                None => headings.push((s.heading.clone(), vec![i])),
            }
        }
        let mut heads: Vec<&str> = Vec::new();
        let mut of_head: Vec<Vec<usize>> = Vec::new();
        for (i, (h, _)) in headings.iter().enumerate() {
            let head = &h[..head_len(h)];
            match heads.iter().position(|x| *x == head) {
                Some(k) => of_head[k].push(i),
                None => {
                    heads.push(head);
                    of_head.push(vec![i]);
                }
            }
        }
        // Compact, to stay in cache while a question is read.
        let heads = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .build(&heads)
            .expect("headings make a small automaton");
        Outline {
            sections,
            headings,
            heads,
            of_head,
        }
    }

    /// The headings `q` names, by their sections.
    fn named<'a>(&'a self, q: &'a Question) -> impl Iterator<Item = &'a [usize]> + 'a {
        let norm = q.norm.as_str();
        self.heads.find_overlapping_iter(norm).flat_map(move |m| {
            self.of_head[m.pattern().as_usize()].iter().filter_map(move |&h| {
                let (heading, of) = &self.headings[h];
                let named = if heading == ATTACHMENTS {
                    ASKS_WHAT.is_match(&q.lower)
                } else {
                    names_heading_at(norm, m.start(), heading)
                };
                named.then_some(of.as_slice())
            })
        })
    }
}

/// The bytes of the first two characters of `heading`.
fn head_len(heading: &str) -> usize {
    heading.char_indices().nth(2).map_or(heading.len(), |(b, _)| b)
}

/// The word that names a notice's attachments.
const ATTACHMENTS: &str = "附件";
/// A heading this short (in characters) or shorter is a heading; longer
/// lines numbered `一、` are items.
const HEADING_CHARS: usize = 12;
/// At most this many paragraphs of a section without numbered parts are shown.
const PARAGRAPHS: usize = 2;
/// A lead sentence is cut to this many characters.
const LEAD_CHARS: usize = 80;

/// Words that ask what a list holds (`有哪些附件`, `附件是什么`).
static ASKS_WHAT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"哪些|哪几|什么|啥|几个|多少|清单|目录|列表|内容|包括|which|what|list").unwrap());

/// A numbered line of an attachment list (`2. 2023年…`, not a date).
static NUMBERED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d{1,2}[.．、]").unwrap());

/// The sections of every notice: each top-level heading of the body with
/// what stands under it, and each list of attachments.
pub(super) fn sections(passages: &[Passage]) -> Vec<Section> {
    static TOP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[一二三四五六七八九十]+、(\p{Han}{2,})$").unwrap());
    let mut out = Vec::new();
    for (i, p) in passages.iter().enumerate() {
        let first = p.compact.trim_start_matches(['-', ' ']);
        if p.kind == Kind::Meta && first.starts_with(ATTACHMENTS) && !p.section.starts_with(ATTACHMENTS) {
            if let Some(rest) = first.strip_prefix("附件：").or_else(|| first.strip_prefix("附件:")) {
                let mut parts: Vec<usize> = Vec::new();
                if !rest.is_empty() {
                    parts.push(i);
                }
                parts.extend((i + 1..passages.len()).take_while(|j| {
                    let q = &passages[*j];
                    q.notice == p.notice && q.kind == Kind::Meta && NUMBERED.is_match(&q.compact)
                }));
                if !parts.is_empty() {
                    out.push(Section {
                        year: p.year,
                        heading: ATTACHMENTS.to_string(),
                        passage: i,
                        parts,
                        numbered: false,
                    });
                }
            }
            continue;
        }
        if let Some(section) = introduced(passages, i) {
            out.push(section);
            continue;
        }
        let Some(c) = TOP.captures(&p.compact) else { continue };
        let heading = c[1].to_string();
        if p.kind != Kind::Meta || heading.chars().count() > HEADING_CHARS || p.section.starts_with(ATTACHMENTS) {
            continue;
        }
        // `正文 · 三` holds `正文 · 三（一）` …, not `正文 · 三十`.
        let label = &p.section;
        let under: Vec<usize> = (i + 1..passages.len())
            .take_while(|j| {
                let q = &passages[*j];
                q.notice == p.notice
                    && (q.section == *label
                        || q.section.starts_with(label) && q.section[label.len()..].starts_with('（'))
            })
            .collect();
        let numbered: Vec<usize> = under
            .iter()
            .copied()
            .filter(|j| passages[*j].section != *label && passages[*j].compact.starts_with(['（', '(']))
            .collect();
        let (parts, numbered) = match numbered.len() {
            0 => (
                under
                    .into_iter()
                    .filter(|j| passages[*j].kind == Kind::Body)
                    .take(PARAGRAPHS)
                    .collect(),
                false,
            ),
            _ => (numbered, true),
        };
        if !parts.is_empty() {
            out.push(Section {
                year: p.year,
                heading,
                passage: i,
                parts,
                numbered,
            });
        }
    }
    out
}

/// A paragraph that ends by naming what follows (`…具体要求如下：`), with
/// the top-level headings after it: the section of that name, whose parts
/// are the headings. None for any other paragraph.
fn introduced(passages: &[Passage], i: usize) -> Option<Section> {
    static HEADED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[一二三四五六七八九十]+、").unwrap());
    let p = &passages[i];
    let before = p
        .compact
        .strip_suffix("如下：")
        .or_else(|| p.compact.strip_suffix("如下:"))?;
    let clause = before.rsplit(['，', '。', '；', '：']).next()?;
    let clause = clause.trim_start_matches("现就").trim_start_matches("现将");
    let name = clause.strip_suffix("通知").unwrap_or(clause);
    let han = name.chars().count();
    if !(2..=6).contains(&han) || !name.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        return None;
    }
    // The headings of the same part of the notice (`正文 · 一`, `正文 · 二` …).
    let base = p.section.split(" · ").next().unwrap_or_default();
    let parts: Vec<usize> = (i + 1..passages.len())
        .take_while(|&j| passages[j].notice == p.notice && passages[j].section.starts_with(&format!("{base} · ")))
        .filter(|&j| passages[j].kind == Kind::Meta && HEADED.is_match(&passages[j].compact))
        .collect();
    (parts.len() >= 2).then(|| Section {
        year: p.year,
        heading: name.to_string(),
        passage: i,
        parts,
        numbered: true,
    })
}

impl Engine {
    /// The sections the question names by their heading, in the year asked
    /// or else the latest year that has such a heading; empty when the
    /// question names none.
    fn named_sections(&self, q: &Question, year: Option<i32>) -> Vec<&Section> {
        let outline = &self.outline;
        // A region named (`福建的通知有哪些附件`) names its own notices.
        let region = self.region_of(q);
        let of_region = |s: &&Section| {
            region.is_none() || self.regions[self.passages[s.passage].notice].as_deref() == region.as_deref()
        };
        let mut found: Vec<&Section> = outline
            .named(q)
            .flatten()
            .map(|&i| &outline.sections[i])
            .filter(of_region)
            .collect();
        // A notice forwarded inside a region's own (`转发通知`) is the
        // region's when the question names the region, and the national
        // one when it names a body of the State Council.
        let forwarded = |s: &&Section| self.passages[s.passage].section.starts_with(FORWARDED);
        let national_body = q
            .entities
            .iter()
            .any(|e| self.entities[*e].kind != EntityKind::Province);
        if region.is_some() {
            found.retain(|s| !forwarded(s));
        } else if national_body && found.iter().any(forwarded) {
            found.retain(forwarded);
        }
        let year = year.or_else(|| found.iter().map(|s| s.year).max());
        found.retain(|s| Some(s.year) == year);
        // A longer heading the question names hides one inside it.
        let all = found.clone();
        found.retain(|s| {
            !all.iter()
                .any(|t| t.heading.len() > s.heading.len() && t.heading.contains(&s.heading))
        });
        found
    }

    /// Whether the question names a heading or the attachments of a notice
    /// (of the year asked, when it asks one). A heading goes with no body
    /// but a region (what a ministry did is its item); attachments go with
    /// any, a ministry naming the notice it issued.
    pub(super) fn names_a_section(&self, q: &Question, year: Option<i32>) -> bool {
        let only_regions = q
            .entities
            .iter()
            .all(|e| self.entities[*e].kind == EntityKind::Province);
        // Most questions name no heading: nothing is collected for them.
        self.outline.named(q).next().is_some()
            && (only_regions || q.norm.contains(ATTACHMENTS))
            && !self.named_sections(q, year).is_empty()
    }

    /// `2023年质量月的重点安排有哪些`: what stands under the heading.
    pub(super) fn outline(&self, q: &Question, year: Option<i32>) -> Answer {
        let sections = self.named_sections(q, year);
        if sections.is_empty() {
            return self.not_found(q, msg::not_found(q.lang));
        }
        let mut blocks = Vec::new();
        let mut cites = Vec::new();
        for s in sections {
            let notice = &self.notices[self.passages[s.passage].notice];
            blocks.push(Block::plain(msg::outline(
                q.lang,
                &notice.title,
                &s.heading,
                s.parts.len(),
            )));
            let mut shown = Vec::with_capacity(s.parts.len());
            for &j in &s.parts {
                let text = &self.passages[j].text;
                let lead = match s.numbered {
                    true => shorten(lead_sentence(text), LEAD_CHARS),
                    false => text.clone(),
                };
                shown.push(lead.clone());
                blocks.push(self.block(lead, &[&s.heading]));
            }
            let cited = shown.join(" ");
            cites.push(self.cite(s.passage, &cited));
        }
        self.reply(q, true, blocks, cites)
    }
}

/// Whether `norm` names `heading` as a thing asked about: the heading
/// itself (`重点安排`), or its two halves around a list question
/// (`活动有哪些要求` for `活动要求`), followed by no more content
/// (`活动要求企业参加吗` asks something else).
#[cfg(test)]
fn names_heading(norm: &str, heading: &str) -> bool {
    let head = &heading[..head_len(heading)];
    norm.match_indices(head)
        .any(|(b, _)| names_heading_at(norm, b, heading))
}

/// [`names_heading`] where the heading's first two characters stand at
/// byte `at` of `norm`.
fn names_heading_at(norm: &str, at: usize, heading: &str) -> bool {
    const BETWEEN: [&str; 6] = ["有哪些", "都有哪些", "有什么", "有啥", "有哪几项", "的"];
    let ends_well = |rest: &str| {
        rest.chars()
            .next()
            .is_none_or(|c| !('\u{4e00}'..='\u{9fff}').contains(&c) || "有是包都具主部内呢吗啥什哪分的共几".contains(c))
    };
    let from = &norm[at..];
    if from.strip_prefix(heading).is_some_and(ends_well) {
        return true;
    }
    let half = head_len(heading);
    // Only a heading of four characters is named in two halves.
    if heading.len() - half != half || heading[half..].chars().nth(2).is_some() || heading[half..].is_empty() {
        return false;
    }
    let (head, tail) = heading.split_at(half);
    let after = &from[head.len()..];
    BETWEEN.iter().any(|w| {
        after
            .strip_prefix(w)
            .and_then(|r| r.strip_prefix(tail))
            .is_some_and(ends_well)
    })
}

/// The first sentence of `text` (up to and with its `。`), or all of it.
fn lead_sentence(text: &str) -> &str {
    match text.find('。') {
        Some(b) => &text[..b + '。'.len_utf8()],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Notice;

    fn notice(year: i32) -> Notice {
        Notice {
            year,
            title: format!("关于开展{year}年全国“质量月”活动的通知"),
            file: format!("{year}.txt"),
            issuer: None,
            doc_number: None,
            date: None,
            source_url: None,
        }
    }

    const TEXT: &str =
        "各有关单位：\n\n为推动高质量发展，定于2030年9月开展全国“质量月”活动。现将有关事项通知如下。\n\n\
        一、指导思想\n\n坚持以质量为本，推动各项工作落实落地，营造全社会重视质量的良好氛围。\n\n\
        二、重点安排\n\n（一）举办未来质量大会。大会在某市召开，设三个分论坛。\n\n\
        （二）开展质量开放日活动。组织检验检测机构向公众开放。\n\n\
        三、工作要求\n\n（一）加强组织领导。各地要高度重视。\n\n（二）严禁摊派收费。不得增加企业负担。\n\n\
        附件：1. 2030年各地开展的主要活动\n2. 2030年活动口号\n";

    #[test]
    fn a_heading_named_gets_the_lead_sentence_of_each_part() -> Result<()> {
        let e = Engine::from_texts(vec![notice(2030)], &[TEXT.to_string()])?;
        let day = NaiveDate::from_ymd_opt(2031, 1, 1).unwrap();
        let a = e.answer("2030年质量月的重点安排有哪些", day);
        let text: Vec<&str> = a.blocks.iter().map(|b| b.text.as_str()).collect();
        assert!(a.found, "{text:?}");
        assert!(text[0].contains("重点安排") && text[0].contains('2'), "{text:?}");
        assert_eq!(text[1..], ["（一）举办未来质量大会。", "（二）开展质量开放日活动。"]);
        // Yearless: the latest notice with that heading.
        let a = e.answer("质量月的工作要求是什么", day);
        assert!(
            a.blocks.iter().any(|b| b.text.contains("严禁摊派收费")),
            "{:?}",
            a.blocks
        );
        assert_eq!(a.citations[0].year, 2030);
        // A heading without parts: its paragraph.
        let a = e.answer("2030年的指导思想", day);
        assert!(
            a.blocks.iter().any(|b| b.text.contains("坚持以质量为本")),
            "{:?}",
            a.blocks
        );
        Ok(())
    }

    #[test]
    fn a_paragraph_that_names_what_follows_is_a_section_of_its_headings() -> Result<()> {
        let text = "各设区市：\n\n现将通知转发给你们，请认真贯彻落实，结合实际开展活动。具体要求如下：\n\n\
            一、开展质量提升行动\n\n各地要开展质量提升行动，推动质量工作。\n\n\
            二、及时做好总结工作\n\n活动结束后，请及时报送总结材料。\n";
        let e = Engine::from_texts(vec![notice(2030)], &[text.to_string()])?;
        let day = NaiveDate::from_ymd_opt(2031, 1, 1).unwrap();
        let a = e.answer("2030年提了哪几条具体要求", day);
        let shown: Vec<&str> = a.blocks.iter().map(|b| b.text.as_str()).collect();
        assert!(a.found, "{shown:?}");
        assert_eq!(shown[1..], ["一、开展质量提升行动", "二、及时做好总结工作"]);
        Ok(())
    }

    #[test]
    fn a_heading_is_named_whole_or_around_a_list_question() {
        assert!(names_heading("2023年质量月的重点安排有哪些", "重点安排"));
        assert!(names_heading("2019年质量月活动有哪些要求", "活动要求"));
        assert!(names_heading("工作要求", "工作要求"));
        assert!(!names_heading("质量月活动要求企业参加吗", "活动要求"));
        assert!(!names_heading("活动有哪些", "活动要求"));
    }

    #[test]
    fn the_attachments_are_listed_when_asked() -> Result<()> {
        let e = Engine::from_texts(vec![notice(2030)], &[TEXT.to_string()])?;
        let day = NaiveDate::from_ymd_opt(2031, 1, 1).unwrap();
        let a = e.answer("2030年的通知有哪些附件？", day);
        let all: String = a.blocks.iter().map(|b| b.text.as_str()).collect();
        assert!(
            a.found && all.contains("各地开展的主要活动") && all.contains("活动口号"),
            "{all}"
        );
        Ok(())
    }
}
