//! `qmbot check`: loads the corpus with the bot's own loader
//! ([`crate::corpus`]: catalog → read → repair → lexicon → parse) and reports, per notice, what the parser understood: its
//! passages, themes, slogan lists and the items it attributed to ministries,
//! associations, regions and cities, with warnings for what looks wrong
//! (numbered items attributed to nobody, characters that look like PDF
//! damage the repair table does not cover, missing metadata).

use crate::catalog::Notice;
use crate::corpus::{self, Corpus};
use crate::entities::{EntityKind, Registry};
use crate::error::Result;
use crate::parse::{self, Kind, Parsed};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// What `check` reports about one notice. Serialised (`--json`) with
/// exactly these keys: `file`, `year`, `title`, `passages`, `themes`,
/// `slogan_lists`, `items`, `warnings`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The text file, relative to the data directory.
    pub file: String,
    /// The catalog year.
    pub year: i32,
    /// The catalog title.
    pub title: String,
    /// How many passages the parser made.
    pub passages: usize,
    /// The themes found (national and regional).
    pub themes: Vec<String>,
    /// The slogan lists found, with their scope (`全国` or a region).
    pub slogan_lists: Vec<SloganCount>,
    /// Items attributed to a body, by the body's kind.
    pub items: ItemCounts,
    /// What looks wrong.
    pub warnings: Vec<String>,
    /// Names and titles for the plain-text report.
    #[serde(skip)]
    pub detail: Detail,
}

/// One slogan list: whose it is and how many slogans it has.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SloganCount {
    /// `全国` or the region whose list it is.
    pub scope: String,
    /// The number of slogans.
    pub count: usize,
}

/// Items attributed to a body, by kind.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ItemCounts {
    /// Ministries, courts, commissions and other national bodies.
    pub ministry: usize,
    /// Federations and associations.
    pub association: usize,
    /// Provincial-level regions.
    pub region: usize,
    /// Cities.
    pub city: usize,
}

/// The names behind the counts, for people.
#[derive(Debug, Clone, Default)]
pub struct Detail {
    /// `(scope, theme)` per theme.
    pub themes: Vec<(String, String)>,
    /// `(section, heading)` per slogan list.
    pub slogan_titles: Vec<(String, String)>,
    /// The bodies with items, by kind (ministry, association, region, city).
    pub bodies: [Vec<String>; 4],
}

/// Reads the corpus in `dir` as the bot does and reports on every notice.
/// A missing directory, a broken catalog or an unreadable notice is an
/// error naming the file.
pub fn check_dir(dir: &Path) -> Result<Vec<Report>> {
    Ok(check_corpus(&Corpus::load(dir)?))
}

/// Reports on every notice of a loaded corpus.
pub fn check_corpus(corpus: &Corpus) -> Vec<Report> {
    (0..corpus.notices.len())
        .map(|i| report(&corpus.notices[i], &corpus.texts[i], &corpus.parse(i), &corpus.known))
        .collect()
}

/// Reports on one notice's text (raw: it is repaired here, as at load),
/// with the bodies `known` (those of the corpus it would join).
pub fn check_notice(notice: &Notice, raw: &str, known: &Registry) -> Report {
    let text = crate::repair::repair(raw);
    let parsed = corpus::parse_notice(notice, &text, known);
    report(notice, &text, &parsed, known)
}

/// The report on one notice: its repaired text and what the parser made of it.
fn report(notice: &Notice, text: &str, parsed: &Parsed, known: &Registry) -> Report {
    let mut warnings = Vec::new();
    let (items, bodies) = count_items(parsed, known);
    unattributed(parsed, &mut warnings);
    damage(text, &mut warnings);
    metadata(notice, text, parsed, known, &mut warnings);
    let lists: Vec<_> = parsed.slogans.iter().filter(|s| !s.items.is_empty()).collect();
    Report {
        file: notice.file.clone(),
        year: notice.year,
        title: notice.title.clone(),
        passages: parsed.passages.len(),
        themes: parsed.themes.iter().map(|t| t.text.clone()).collect(),
        slogan_lists: lists
            .iter()
            .map(|s| SloganCount {
                scope: s.scope.to_string(),
                count: s.items.len(),
            })
            .collect(),
        items,
        warnings,
        detail: Detail {
            themes: parsed
                .themes
                .iter()
                .map(|t| (t.scope.to_string(), t.text.clone()))
                .collect(),
            slogan_titles: lists.iter().map(|s| (s.section.clone(), s.title.clone())).collect(),
            bodies,
        },
    }
}

fn count_items(parsed: &Parsed, known: &Registry) -> (ItemCounts, [Vec<String>; 4]) {
    let mut counts = ItemCounts::default();
    let mut bodies: [Vec<String>; 4] = Default::default();
    for p in parsed.passages.iter().filter(|p| p.kind == Kind::Item) {
        let Some(who) = p.who.first() else {
            continue;
        };
        let (count, slot) = match known.kind_of(who) {
            EntityKind::Ministry => (&mut counts.ministry, 0),
            EntityKind::Association => (&mut counts.association, 1),
            EntityKind::Province => (&mut counts.region, 2),
            EntityKind::City => (&mut counts.city, 3),
        };
        *count += 1;
        if !bodies[slot].contains(who) {
            bodies[slot].push(who.clone());
        }
    }
    (counts, bodies)
}

fn snippet(text: &str, chars: usize) -> String {
    let first = text.lines().next().unwrap_or("");
    let mut s: String = first.chars().take(chars).collect();
    if first.chars().count() > chars {
        s.push('…');
    }
    s
}

/// Numbered items in attachments that the parser could not attribute to a
/// body: a name it does not know, or a heading it took for an item.
fn unattributed(parsed: &Parsed, warnings: &mut Vec<String>) {
    for p in &parsed.passages {
        if p.kind == Kind::Item && p.who.is_empty() && p.section.starts_with("附件") {
            warnings.push(format!(
                "{}: numbered item not attributed to a body: “{}”",
                p.section,
                snippet(&p.text, 24)
            ));
        }
    }
}

/// Whether a Han character is in GB2312, the character set official
/// notices are written in.
fn in_gb2312(c: char) -> bool {
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
    !unmappable && bytes.len() == 2 && (0xB0..=0xF7).contains(&bytes[0]) && (0xA1..=0xFE).contains(&bytes[1])
}

/// Characters that PDF extraction leaves when it maps a glyph wrongly:
/// replacement characters, private-use code points, compatibility
/// ideographs and radicals (`⽅` for `方`), control characters, and Han
/// characters outside GB2312 (`収` for `发`, the repair table's kind).
pub fn looks_damaged(c: char) -> bool {
    let u = c as u32;
    let han = (0x3400..=0x4DBF).contains(&u) || (0x4E00..=0x9FFF).contains(&u) || (0x20000..=0x3FFFF).contains(&u);
    matches!(u, 0xFFFD | 0xE000..=0xF8FF | 0xF900..=0xFAFF | 0x2E80..=0x2FDF | 0xF0000..=0x10FFFF)
        || (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        || (han && !in_gb2312(c))
}

fn damage(text: &str, warnings: &mut Vec<String>) {
    let mut seen: BTreeMap<char, (usize, String)> = BTreeMap::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if looks_damaged(*c) {
            let e = seen.entry(*c).or_insert_with(|| {
                let from = i.saturating_sub(4);
                let to = (i + 5).min(chars.len());
                let context: String = chars[from..to].iter().filter(|c| !c.is_control()).collect();
                (0, context.split_whitespace().collect::<Vec<_>>().join(" "))
            });
            e.0 += 1;
        }
    }
    if seen.is_empty() {
        return;
    }
    let mut by_count: Vec<_> = seen.into_iter().collect();
    by_count.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    let shown: Vec<String> = by_count
        .iter()
        .take(8)
        .map(|(c, (n, ctx))| {
            let name = if c.is_control() {
                format!("U+{:04X}", *c as u32)
            } else {
                format!("{c} (U+{:04X})", *c as u32)
            };
            format!("{name} ×{n} in “{ctx}”")
        })
        .collect();
    let more = if by_count.len() > 8 {
        format!(" and {} more", by_count.len() - 8)
    } else {
        String::new()
    };
    warnings.push(format!(
        "{} characters outside the repair table look like PDF damage: {}{more}",
        by_count.len(),
        shown.join("; ")
    ));
}

fn metadata(notice: &Notice, text: &str, parsed: &Parsed, known: &Registry, warnings: &mut Vec<String>) {
    let missing = notice.missing_metadata();
    if !missing.is_empty() {
        warnings.push(format!("the catalog entry has no {}", missing.join(", ")));
    }
    let stated = crate::import::meta::detect(&parse::paragraphs(text, known)).year;
    if let Some(y) = stated.filter(|y| *y != notice.year) {
        warnings.push(format!(
            "the text is about Quality Month {y}, the catalog says {}",
            notice.year
        ));
    }
    if parsed.passages.is_empty() {
        warnings.push("no passages: the file is empty".to_string());
    }
    if parsed.themes.is_empty() {
        warnings.push("no theme found".to_string());
    }
    for s in parsed.slogans.iter().filter(|s| s.items.is_empty()) {
        warnings.push(format!("{}: slogan list “{}” has no slogans", s.section, s.title));
    }
}

/// The reports as a JSON array.
pub fn to_json(reports: &[Report]) -> String {
    serde_json::to_string_pretty(reports).expect("reports serialise")
}

impl Report {
    /// The report as people read it.
    pub fn to_plain(&self) -> String {
        let mut s = format!("{} · {} · {}\n", self.file, self.year, self.title);
        s.push_str(&format!("  passages: {}\n", self.passages));
        if self.detail.themes.is_empty() {
            s.push_str("  themes: none\n");
        }
        for (scope, theme) in &self.detail.themes {
            s.push_str(&format!("  theme ({scope}): {theme}\n"));
        }
        if self.slogan_lists.is_empty() {
            s.push_str("  slogan lists: none\n");
        }
        for (list, (section, title)) in self.slogan_lists.iter().zip(&self.detail.slogan_titles) {
            s.push_str(&format!(
                "  slogan list ({}): {} slogans · {section} {title}\n",
                list.scope, list.count
            ));
        }
        let i = &self.items;
        s.push_str(&format!(
            "  items: {} ministries, {} associations, {} regions, {} cities\n",
            i.ministry, i.association, i.region, i.city
        ));
        for (label, names) in ["ministries", "associations", "regions", "cities"]
            .iter()
            .zip(&self.detail.bodies)
        {
            if !names.is_empty() {
                s.push_str(&format!("    {label}: {}\n", names.join("、")));
            }
        }
        if self.warnings.is_empty() {
            s.push_str("  warnings: none\n");
        } else {
            s.push_str(&format!("  warnings ({}):\n", self.warnings.len()));
            for w in &self.warnings {
                s.push_str(&format!("    - {w}\n"));
            }
        }
        s
    }
}

/// All reports as people read them, with a closing count.
pub fn to_plain(reports: &[Report]) -> String {
    let mut s = String::new();
    for r in reports {
        s.push_str(&r.to_plain());
        s.push('\n');
    }
    let warned = reports.iter().filter(|r| !r.warnings.is_empty()).count();
    s.push_str(&format!(
        "{} notices, {} passages; {warned} with warnings\n",
        reports.len(),
        reports.iter().map(|r| r.passages).sum::<usize>()
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
    }

    #[test]
    fn the_shipped_corpus_is_reported() -> Result<()> {
        let reports = check_dir(&data())?;
        assert_eq!(reports.len(), 5);
        let r2024 = reports.iter().find(|r| r.year == 2024).unwrap();
        assert_eq!(r2024.themes, vec!["加强质量支撑 共建质量强国".to_string()]);
        assert_eq!(
            r2024.slogan_lists,
            vec![SloganCount {
                scope: "全国".into(),
                count: 10
            }]
        );
        assert!(r2024.items.region > 20, "{:?}", r2024.items);
        let r2018 = reports.iter().find(|r| r.year == 2018).unwrap();
        assert_eq!(r2018.slogan_lists[0].scope, "福建省");
        assert!(r2018.items.city > 0, "{:?}", r2018.items);
        Ok(())
    }

    #[test]
    fn the_check_reports_the_passages_the_engine_indexes() -> Result<()> {
        let corpus = Corpus::load(&data())?;
        let reports = check_corpus(&corpus);
        let engine = crate::Engine::from_corpus(corpus)?;
        let checked: usize = reports.iter().map(|r| r.passages).sum();
        assert_eq!(checked, engine.passage_count());
        Ok(())
    }

    #[test]
    fn json_has_exactly_the_contract_keys() -> Result<()> {
        let reports = check_dir(&data())?;
        let v: serde_json::Value = serde_json::from_str(&to_json(&reports)).unwrap();
        let first = v.as_array().unwrap()[0].as_object().unwrap();
        let keys: Vec<&str> = first.keys().map(|k| k.as_str()).collect();
        let mut want = [
            "file",
            "year",
            "title",
            "passages",
            "themes",
            "slogan_lists",
            "items",
            "warnings",
        ];
        want.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(got, want);
        Ok(())
    }

    #[test]
    fn damage_outside_the_repair_table_is_reported() {
        let n = Notice {
            file: "x.txt".into(),
            year: 2025,
            title: "t".into(),
            issuer: None,
            doc_number: None,
            date: None,
            source_url: None,
        };
        let r = check_notice(
            &n,
            "开展2025年全国“质量月”活动。⽅案\u{fffd}，质量収展。",
            Registry::shipped(),
        );
        let w = r.warnings.iter().find(|w| w.contains("PDF damage")).unwrap();
        assert!(w.contains("⽅ (U+2F45)"), "{w}");
        assert!(w.contains("U+FFFD"), "{w}");
        // 収 is in the repair table: repaired, not reported.
        assert!(!w.contains('収'), "{w}");
        assert!(r.warnings.iter().any(|w| w.contains("no issuer, doc_number, date")));
    }

    #[test]
    fn gb2312_membership() {
        assert!(in_gb2312('质'));
        assert!(in_gb2312('闽'));
        assert!(!in_gb2312('収'));
        assert!(!in_gb2312('質'));
    }
}
