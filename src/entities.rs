//! Who an item is about: the bodies the notices name, with the short names,
//! old names and English names people use in questions.
//!
//! The provincial-level regions and their standard one-character short names
//! (粤, 沪, 黔 …) are built in ([`provinces`]); ministries, associations and
//! cities come from `data/lexicon.toml` ([`crate::lexicon`]). A [`Registry`]
//! holds them all and finds their names in text with Aho-Corasick automata
//! (leftmost-longest, so 新疆生产建设兵团 wins over 新疆). Items whose
//! organisation is listed nowhere are still found by [`org_prefix`], which
//! recognises names by their endings (…部, …协会).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, Input, MatchKind, StartKind};
use serde::Deserialize;
use std::ops::Range;
use std::sync::LazyLock;

/// What kind of body an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    /// A ministry, court, commission or other national body.
    Ministry,
    /// A national federation or association.
    Association,
    /// A provincial-level region (incl. 新疆生产建设兵团).
    Province,
    /// A city.
    City,
}

/// The provincial-level regions: canonical name, Chinese short names (with
/// the standard one-character ones; 吉, 黑, 青, 宁 and 新 are left out, they
/// are too common as characters), English names in lower case.
const PROVINCES: &[(&str, &[&str], &[&str])] = &[
    ("北京市", &["北京", "京"], &["beijing"]),
    ("天津市", &["天津", "津"], &["tianjin"]),
    ("河北省", &["河北", "冀"], &["hebei"]),
    ("山西省", &["山西", "晋"], &["shanxi"]),
    (
        "内蒙古自治区",
        &["内蒙古", "内蒙", "蒙"],
        &["inner mongolia", "nei mongol"],
    ),
    ("辽宁省", &["辽宁", "辽"], &["liaoning"]),
    ("吉林省", &["吉林"], &["jilin"]),
    ("黑龙江省", &["黑龙江", "龙江"], &["heilongjiang"]),
    ("上海市", &["上海", "沪"], &["shanghai"]),
    ("江苏省", &["江苏", "苏"], &["jiangsu"]),
    ("浙江省", &["浙江", "浙"], &["zhejiang"]),
    ("安徽省", &["安徽", "皖"], &["anhui"]),
    ("福建省", &["福建", "闽"], &["fujian"]),
    ("江西省", &["江西", "赣"], &["jiangxi"]),
    ("山东省", &["山东", "鲁"], &["shandong"]),
    ("河南省", &["河南", "豫"], &["henan"]),
    ("湖北省", &["湖北", "鄂"], &["hubei"]),
    ("湖南省", &["湖南", "湘"], &["hunan"]),
    ("广东省", &["广东", "粤"], &["guangdong", "canton"]),
    ("广西壮族自治区", &["广西", "桂"], &["guangxi"]),
    ("海南省", &["海南", "琼"], &["hainan"]),
    ("重庆市", &["重庆", "渝"], &["chongqing"]),
    ("四川省", &["四川", "川"], &["sichuan"]),
    ("贵州省", &["贵州", "黔"], &["guizhou"]),
    ("云南省", &["云南", "滇"], &["yunnan"]),
    ("西藏自治区", &["西藏", "藏"], &["tibet", "xizang"]),
    ("陕西省", &["陕西", "陕"], &["shaanxi"]),
    ("甘肃省", &["甘肃", "陇"], &["gansu"]),
    ("青海省", &["青海"], &["qinghai"]),
    ("宁夏回族自治区", &["宁夏"], &["ningxia"]),
    ("新疆维吾尔自治区", &["新疆", "新疆自治区"], &["xinjiang"]),
    (
        "新疆生产建设兵团",
        &["兵团", "新疆兵团"],
        &["xinjiang production and construction corps", "xpcc", "bingtuan"],
    ),
];

/// One body the registry knows: built in, from the lexicon, or found in the
/// notices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRec {
    /// Canonical name.
    pub name: String,
    /// Kind of body.
    pub kind: EntityKind,
    /// Chinese names to match (canonical first).
    pub names: Vec<String>,
    /// English names, lower case; the first one is shown in English replies.
    pub en: Vec<String>,
    /// Words of the body's own activities, for texts that lost who did what.
    pub topics: Vec<String>,
}

impl EntityRec {
    /// A body known only by the one name the notices give it.
    pub fn named(name: &str, kind: EntityKind) -> EntityRec {
        EntityRec {
            name: name.to_string(),
            kind,
            names: vec![name.to_string()],
            en: Vec::new(),
            topics: Vec::new(),
        }
    }

    /// The part of the name that text about the body is sure to contain
    /// (`水利部` → `水利`), used to check a fallback hit.
    pub fn stems(&self) -> Vec<String> {
        let mut v: Vec<String> = self.names.iter().filter(|n| n.chars().count() >= 2).cloned().collect();
        for suffix in ["部门", "总局", "总署", "部", "委", "局", "署", "省", "市", "自治区"] {
            if let Some(s) = self.name.strip_suffix(suffix) {
                if s.chars().count() >= 2 {
                    v.push(s.to_string());
                }
            }
        }
        v
    }
}

/// The built-in provincial-level regions.
pub fn provinces() -> Vec<EntityRec> {
    PROVINCES
        .iter()
        .map(|(name, aliases, en)| EntityRec {
            name: name.to_string(),
            kind: EntityKind::Province,
            names: std::iter::once(name)
                .chain(aliases.iter())
                .map(|s| s.to_string())
                .collect(),
            en: en.iter().map(|s| s.to_string()).collect(),
            topics: Vec::new(),
        })
        .collect()
}

/// An automaton over some of the registry's names, with the entity each
/// pattern names.
#[derive(Debug, Clone)]
struct Matcher {
    automaton: AhoCorasick,
    entity: Vec<usize>,
}

impl Matcher {
    fn new<'a>(names: impl IntoIterator<Item = (&'a str, usize)>, case_insensitive: bool) -> Matcher {
        let (patterns, entity): (Vec<&str>, Vec<usize>) = names.into_iter().unzip();
        // A contiguous NFA: compact enough to stay in cache while a
        // question is read (a DFA of the names is megabytes).
        let automaton = AhoCorasickBuilder::new()
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Both)
            .ascii_case_insensitive(case_insensitive)
            .build(patterns)
            .expect("entity names make a small automaton");
        Matcher { automaton, entity }
    }

    /// Leftmost-longest matches from left to right. A match `accept`
    /// refuses is skipped by one character, so a name starting inside it can
    /// still match.
    fn scan(&self, text: &str, mut accept: impl FnMut(Range<usize>, usize) -> bool) {
        let mut at = 0;
        while at < text.len() {
            let Some(m) = self.automaton.find(Input::new(text).span(at..text.len())) else {
                break;
            };
            at = if accept(m.range(), self.entity[m.pattern().as_usize()]) {
                m.end()
            } else {
                m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8)
            };
        }
    }

    /// The longest name `text` starts with.
    fn leading(&self, text: &str) -> Option<(Range<usize>, usize)> {
        let m = self.automaton.find(Input::new(text).anchored(Anchored::Yes))?;
        Some((m.range(), self.entity[m.pattern().as_usize()]))
    }
}

/// Every entity the engine knows, and automata that find their names:
/// Chinese names, English names (ASCII case-insensitive) and the names of
/// provinces of two or more characters.
#[derive(Debug, Clone)]
pub struct Registry {
    entities: Vec<EntityRec>,
    chinese: Matcher,
    english: Matcher,
    /// Whether every English name has a Latin letter (so a text without
    /// one names none).
    english_lettered: bool,
    regions: Matcher,
}

impl Registry {
    /// Compiles the names of `entities`.
    pub fn new(entities: Vec<EntityRec>) -> Registry {
        fn named(i: usize, e: &EntityRec) -> impl Iterator<Item = (&str, usize)> {
            e.names.iter().map(move |n| (n.as_str(), i))
        }
        // A national body is often named without its `中国`/`全国`
        // (`中小商业企业协会`): that form, where five or more characters
        // remain and no other body has that name.
        let all: Vec<&str> = entities
            .iter()
            .flat_map(|e| e.names.iter().map(String::as_str))
            .collect();
        fn national<'e>(i: usize, e: &'e EntityRec, all: &[&str]) -> Option<(&'e str, usize)> {
            let rest = ["中国", "全国"]
                .iter()
                .find_map(|p| e.name.strip_prefix(p))
                .filter(|r| r.chars().count() >= 5 && !all.contains(r));
            rest.map(|r| (r, i))
        }
        let chinese = Matcher::new(
            entities
                .iter()
                .enumerate()
                .flat_map(|(i, e)| named(i, e).chain(national(i, e, &all)))
                .filter(|(n, _)| !n.is_empty()),
            false,
        );
        let english_lettered = entities
            .iter()
            .flat_map(|e| &e.en)
            .all(|n| n.is_empty() || n.bytes().any(|b| b.is_ascii_alphabetic()));
        let english = Matcher::new(
            entities
                .iter()
                .enumerate()
                .flat_map(|(i, e)| e.en.iter().map(move |n| (n.as_str(), i)))
                .filter(|(n, _)| !n.is_empty()),
            true,
        );
        let regions = Matcher::new(
            entities
                .iter()
                .enumerate()
                .filter(|(_, e)| e.kind == EntityKind::Province)
                .flat_map(|(i, e)| named(i, e))
                .filter(|(n, _)| n.chars().count() >= 2),
            false,
        );
        Registry {
            entities,
            chinese,
            english,
            english_lettered,
            regions,
        }
    }

    /// The entities, in registry order (indices are stable).
    pub fn entities(&self) -> &[EntityRec] {
        &self.entities
    }

    /// Iterates over the entities.
    pub fn iter(&self) -> std::slice::Iter<'_, EntityRec> {
        self.entities.iter()
    }

    /// Number of entities.
    pub fn len(&self) -> usize {
        self.entities.len()
    }

    /// Whether the registry is empty.
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// The index of the entity whose canonical name is `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.entities.iter().position(|e| e.name == name)
    }

    /// Chinese names in `text`, leftmost-longest, left to right; `accept`
    /// gets each match (byte range, entity index) and says whether it counts.
    pub fn scan_chinese(&self, text: &str, accept: impl FnMut(Range<usize>, usize) -> bool) {
        self.chinese.scan(text, accept)
    }

    /// English names in `text` (ASCII case-insensitive), like [`Registry::scan_chinese`].
    pub fn scan_english(&self, text: &str, accept: impl FnMut(Range<usize>, usize) -> bool) {
        if self.english_lettered && !text.bytes().any(|b| b.is_ascii_alphabetic()) {
            return;
        }
        self.english.scan(text, accept)
    }

    /// The entity whose name of two or more characters `text` begins with
    /// (the longest such name).
    pub fn leading(&self, text: &str) -> Option<&EntityRec> {
        let (range, i) = self.chinese.leading(text)?;
        (text[range].chars().count() >= 2).then(|| &self.entities[i])
    }

    /// The first province named in `text`.
    pub fn region_in(&self, text: &str) -> Option<&EntityRec> {
        let m = self.regions.automaton.find(text)?;
        Some(&self.entities[self.regions.entity[m.pattern().as_usize()]])
    }
}

impl std::ops::Index<usize> for Registry {
    type Output = EntityRec;

    fn index(&self, i: usize) -> &EntityRec {
        &self.entities[i]
    }
}

/// The registry of the provinces and the shipped lexicon.
static SHIPPED: LazyLock<Registry> = LazyLock::new(|| Registry::new(crate::lexicon::Lexicon::shipped().entities()));

impl Registry {
    /// The provinces and the bodies of the shipped `data/lexicon.toml`: the
    /// registry of a corpus without a lexicon of its own.
    pub fn shipped() -> &'static Registry {
        &SHIPPED
    }

    /// The canonical name and kind of the body `text` begins with: a name
    /// the registry knows, else one recognised by its ending ([`org_prefix`]).
    pub fn leading_entity(&self, text: &str) -> Option<(String, EntityKind)> {
        self.leading(text)
            .map(|e| (e.name.clone(), e.kind))
            .or_else(|| org_prefix(text).map(|n| (n.to_string(), guess_kind(n))))
    }

    /// The kind of the body named `name`: the registry's, else guessed from
    /// its ending.
    pub fn kind_of(&self, name: &str) -> EntityKind {
        self.position(name)
            .map(|i| self.entities[i].kind)
            .unwrap_or_else(|| guess_kind(name))
    }

    /// The region a title or issuer is about (`福建省 2018 年…口号` →
    /// 福建省); none for national texts (`全国`).
    pub fn region_named(&self, text: &str) -> Option<String> {
        if text.contains("全国") {
            return None;
        }
        self.region_in(text).map(|e| e.name.clone())
    }
}

/// Endings that mark an organisation name at the start of an item, for
/// bodies no table knows.
const ORG_ENDINGS: &[&str] = &[
    "联合会",
    "促进会",
    "协会",
    "总局",
    "总署",
    "总社",
    "委员会",
    "部",
    "委",
    "局",
    "署",
    "院",
    "会",
];

/// Recognises an organisation name at the start of `text` by its ending,
/// e.g. `中国饭店协会组织开展…` → `中国饭店协会`. The name must be 3 to 16
/// characters of Han script.
pub fn org_prefix(text: &str) -> Option<&str> {
    let mut best: Option<usize> = None;
    let mut chars = 0;
    for (i, c) in text.char_indices() {
        if !('\u{4e00}'..='\u{9fff}').contains(&c) {
            break;
        }
        chars += 1;
        if chars > 16 {
            break;
        }
        let end = i + c.len_utf8();
        if chars >= 3 && ORG_ENDINGS.iter().any(|e| text[..end].ends_with(e)) {
            best = Some(end);
            // Prefer the shortest name ending in a strong suffix: stop at the
            // first association-like or ministry-like ending.
            if ["联合会", "促进会", "协会", "总局", "总署", "总社", "委员会"]
                .iter()
                .any(|e| text[..end].ends_with(e))
            {
                break;
            }
        }
    }
    let end = best?;
    Some(&text[..end])
}

/// The kind an auto-detected organisation name most likely has.
pub fn guess_kind(name: &str) -> EntityKind {
    if name.ends_with("协会") || name.ends_with("联合会") || name.ends_with("促进会") {
        EntityKind::Association
    } else if name.ends_with('省') || name.ends_with("自治区") {
        EntityKind::Province
    } else if name.ends_with('市') {
        EntityKind::City
    } else {
        EntityKind::Ministry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_prefix_finds_unknown_bodies() {
        assert_eq!(org_prefix("中国饭店协会组织开展美食节"), Some("中国饭店协会"));
        assert_eq!(org_prefix("应急管理部开展消防产品"), Some("应急管理部"));
        assert_eq!(org_prefix("开展“质量月”活动"), None);
    }

    #[test]
    fn names_match_leftmost_longest() {
        let r = &*SHIPPED;
        let mut found = Vec::new();
        r.scan_chinese("新疆生产建设兵团和新疆、工信部", |range, i| {
            found.push((range, r[i].name.as_str()));
            true
        });
        let names: Vec<&str> = found.iter().map(|(_, n)| *n).collect();
        assert_eq!(names, vec!["新疆生产建设兵团", "新疆维吾尔自治区", "工业和信息化部"]);
        assert_eq!(r.leading("福州市举办").map(|e| e.name.as_str()), Some("福州市"));
        assert_eq!(r.leading("粤港澳").map(|e| e.name.as_str()), None);
        assert_eq!(
            r.region_in("福建省质量强省工作联席会议办公室").map(|e| e.name.as_str()),
            Some("福建省")
        );
    }

    #[test]
    fn a_refused_match_lets_later_names_match() {
        let r = &*SHIPPED;
        let mut found = Vec::new();
        r.scan_chinese("粤广东", |range, i| {
            let keep = range.len() > 3;
            if keep {
                found.push(r[i].name.clone());
            }
            keep
        });
        assert_eq!(found, vec!["广东省"]);
    }

    #[test]
    fn bodies_come_from_the_registry_given() {
        let shipped = Registry::shipped();
        assert_eq!(
            shipped.leading_entity("福州市举办").map(|e| e.0),
            Some("福州市".to_string())
        );
        let only_provinces = Registry::new(provinces());
        assert_eq!(only_provinces.leading_entity("福州市举办"), None);
        assert_eq!(
            only_provinces.leading_entity("广东省开展").map(|e| e.0),
            Some("广东省".to_string())
        );
        assert_eq!(only_provinces.kind_of("福州市"), EntityKind::City);
        assert_eq!(shipped.region_named("全国质量月"), None);
        assert_eq!(shipped.region_named("福建省质量强省办公室"), Some("福建省".to_string()));
    }

    #[test]
    fn names_are_unique_per_entity() {
        let mut seen = std::collections::HashMap::new();
        for (i, e) in SHIPPED.iter().enumerate() {
            for n in &e.names {
                if let Some(prev) = seen.insert(n.clone(), i) {
                    assert_eq!(prev, i, "{n} names two entities");
                }
            }
        }
    }
}
