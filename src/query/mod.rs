//! Question understanding: normalisation (traditional → simplified,
//! full-width → half-width, control characters dropped), language, year
//! (`2024`, `2024年`, `二〇二四年`, `24年`, 今年/去年/最近), who the question
//! is about (regions, cities, organisations with their short and English
//! names), and intent (theme, slogans, activities, date, document number,
//! contact, lists such as 各地).

pub mod asks;
mod clauses;
mod docref;
mod intent;
mod normalize;
mod recut;
mod split;
mod stopwords;
mod years;

use crate::answer::Lang;
pub use crate::entities::EntityRec;
use crate::entities::{EntityKind, Registry};
use crate::lexicon::Glossary;
use crate::tokenizer::{self, Term};
pub use asks::Asks;
use clauses::{associations_named, context_clauses, issues, leads_the_month, refers_back, set_aside};
pub use docref::DocRef;
use jieba_rs::Jieba;
use normalize::to_lower;
pub use normalize::{fold_width, normalize, prepare};
pub use split::split_questions;
use stopwords::{EN_STOP, STOP};
use years::find_year;

/// At most this many characters of a question are analysed.
pub const MAX_CHARS: usize = 300;

/// How the question names its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearRef {
    /// No year.
    None,
    /// A year written out.
    Explicit(i32),
    /// 今年/去年/… resolved by the clock.
    Relative(i32),
    /// 最近/最新: the latest year of the corpus.
    Latest,
}

/// What the question asks for (several may hold).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Intent {
    /// 主题 / theme.
    pub theme: bool,
    /// 口号 / slogans.
    pub slogans: bool,
    /// When a notice was issued.
    pub date: bool,
    /// The document number.
    pub doc_number: bool,
    /// 联系人, phone, e-mail.
    pub contact: bool,
    /// What someone did.
    pub activities: bool,
    /// All items of one kind (各地, 各部门, 协会).
    pub list: Option<EntityKind>,
    /// When the event takes place (`质量月是几月`).
    pub period: bool,
    /// Which bodies issued the notice jointly (`联合发文单位`).
    pub issuers: bool,
    /// Who runs Quality Month itself (`质量月是谁主办的`, `who runs
    /// Quality Month`): a "who" question whose only words are organising verbs.
    pub organisers: bool,
}

/// A question, understood.
#[derive(Debug, Clone)]
pub struct Question {
    /// The question as asked.
    pub raw: String,
    /// Normalised text (simplified, half-width, no control characters).
    pub norm: String,
    /// `norm` lower-cased (English words), computed once.
    pub lower: String,
    /// Frame language.
    pub lang: Lang,
    /// The year asked about.
    pub year: YearRef,
    /// Entities named, by index into the registry, in order of appearance.
    pub entities: Vec<usize>,
    /// What is asked.
    pub intent: Intent,
    /// Content words left for full-text search (no years, entities,
    /// question words or fillers).
    pub terms: Vec<String>,
    /// Words to highlight in quoted text (content words and entity names).
    pub marks: Vec<String>,
    /// Runs of four or more content characters as written (`农业质量年`):
    /// a passage that contains one verbatim is likely the one asked about.
    pub phrases: Vec<String>,
    /// A document number the question names.
    pub doc_number: Option<DocRef>,
    /// The kind of fact the asking words want (a date, a place, …).
    pub asks: Option<Asks>,
    /// Everyday words of the question that have the notices' words for
    /// them in the lexicon's `[synonyms]` (both are in `terms`).
    pub everyday: Vec<String>,
    /// Associations named one by one, as written before `协会`
    /// (`标准化协会` in `中国标准化协会`), whether or not the registry
    /// knows them.
    pub associations: Vec<String>,
    /// Words jieba tags as nouns, names, idioms or set phrases (`奖金`,
    /// `GDP`): things asked about, where verbs and fillers only ask.
    pub nouns: Vec<String>,
    /// Words jieba tags as verbs (`颁发`, `办`): the relation asked
    /// about, which the notices may word differently (`颁奖`).
    pub verbs: Vec<String>,
    /// Verbs the question asks how to do (`怎么报名`): a thing the notices
    /// must describe for the question to be answered.
    pub how: Vec<String>,
    /// Entities the question sets aside (`不是福建省的`, `除了江苏`): no
    /// answer of theirs answers it.
    pub set_aside: Vec<usize>,
}

/// An automaton of built-in words, kept compact: a question is short, and
/// a DFA's table (over 200 KB for a hundred Chinese words, whose UTF-8 bytes
/// fall into many classes) costs a cache miss per byte where a contiguous
/// NFA stays in cache.
fn small_automaton<I, P>(words: I) -> aho_corasick::AhoCorasick
where
    I: IntoIterator<Item = P>,
    P: AsRef<[u8]>,
{
    aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(words)
        .expect("built-in words make a small automaton")
}

/// A Han character (as `\p{Han}` reads one, for the characters questions
/// use: the unified ideographs, their extensions and compatibility block,
/// `々` and `〇`).
pub(crate) fn is_han(c: char) -> bool {
    matches!(c, '\u{3005}' | '\u{3007}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

fn detect_lang(norm: &str) -> Lang {
    let han = norm.chars().filter(|c| is_han(*c)).count();
    let latin = norm.chars().filter(|c| c.is_ascii_alphabetic()).count();
    if han == 0 && latin >= 3 {
        Lang::En
    } else {
        Lang::Zh
    }
}

/// English words matched on word boundaries.
fn has_word(lower: &str, words: &[&str]) -> bool {
    words.iter().any(|w| {
        lower.match_indices(w).any(|(p, _)| {
            let before = lower[..p].chars().last();
            let after = lower[p + w.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric())
        })
    })
}

/// A one-character short name (皖, 鲁) counts only where it cannot be part
/// of a word: as a jieba token of its own, or between a year, a particle or
/// the edge of the question and 质量/省/的/开展/… .
fn single_char_alias_ok(norm: &str, range: std::ops::Range<usize>, toks: &[Term]) -> bool {
    // A run of short names (`苏浙皖赣沪`) names a joint action, not each region.
    static SHORT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        crate::entities::provinces()
            .into_iter()
            .flat_map(|p| p.names)
            .filter(|n| n.chars().count() == 1)
            .collect()
    });
    let neighbours = [norm[..range.start].chars().last(), norm[range.end..].chars().next()];
    if neighbours.iter().flatten().any(|c| SHORT.contains(*c)) {
        return false;
    }
    if toks.iter().any(|t| t.from == range.start && t.to == range.end) {
        return true;
    }
    let before = norm[..range.start].chars().last();
    let after = &norm[range.end..];
    let before_ok = before.is_none_or(|c| !is_han(c) || "年在和与及、省".contains(c));
    let after_ok = after.chars().next().is_none_or(|c| !is_han(c))
        || [
            "质量", "省", "地区", "的", "开展", "举办", "做", "干", "活动", "有", "在", "今年", "去年", "、", "和",
        ]
        .iter()
        .any(|w| after.starts_with(w));
    before_ok && after_ok
}

/// Maximal runs of Han characters outside `covered` (year, entities, asking
/// words and the stop words, which the caller has added), four characters
/// or longer.
fn phrases(norm: &str, covered: &[std::ops::Range<usize>]) -> Vec<String> {
    let particle = |c: char| {
        matches!(
            c,
            '的' | '了'
                | '是'
                | '吗'
                | '呢'
                | '啊'
                | '吧'
                | '有'
                | '在'
                | '和'
                | '与'
                | '及'
                | '都'
                | '也'
                | '把'
                | '被'
                | '让'
                | '给'
                | '从'
                | '对'
                | '为'
                | '么'
        )
    };
    let mut out = Vec::new();
    let mut run = 0..0;
    let mut chars = 0;
    let mut close = |run: &mut std::ops::Range<usize>, chars: &mut usize| {
        if *chars >= 4 {
            out.push(norm[run.clone()].to_string());
        }
        *chars = 0;
    };
    for (b, c) in norm.char_indices() {
        let inside_cut = covered.iter().any(|r| r.start <= b && b < r.end);
        if is_han(c) && !inside_cut && !particle(c) {
            if chars == 0 {
                run.start = b;
            }
            run.end = b + c.len_utf8();
            chars += 1;
        } else {
            close(&mut run, &mut chars);
        }
    }
    close(&mut run, &mut chars);
    out
}

/// Understands `raw`. `today_year` resolves 今年/去年; `entities` is the
/// registry (built-in, lexicon and discovered bodies), `glossary` maps
/// English words to the notices' words.
pub fn understand(raw: &str, today_year: i32, jieba: &Jieba, entities: &Registry, glossary: &Glossary) -> Question {
    let norm = normalize(raw);
    let lang = detect_lang(&norm);
    let lower = to_lower(&norm);
    let doc = DocRef::find(&norm);
    let (year, mut covered) = find_year(&norm, &lower, today_year, doc.as_ref().map(|(_, r)| r.clone()));
    let doc_number = doc.map(|(d, r)| {
        covered.push(r);
        d
    });
    let (words, tags) = tokenizer::analyse(jieba, &norm);
    let toks = recut::words(jieba, &norm, words);

    // Entities: Chinese names, leftmost-longest, left to right without
    // overlap (新疆生产建设兵团 is not also 新疆); a one-character short name
    // only where it cannot be part of a word.
    let overlaps = |covered: &[std::ops::Range<usize>], range: &std::ops::Range<usize>| {
        covered.iter().any(|r| r.start < range.end && range.start < r.end)
    };
    let mut found: Vec<(usize, usize)> = Vec::new(); // (byte position, entity)
    let mut aside: Vec<usize> = Vec::new();
    entities.scan_chinese(&norm, |range, i| {
        let single = norm[range.clone()].chars().count() == 1;
        if overlaps(&covered, &range) || single && !single_char_alias_ok(&norm, range.clone(), &toks) {
            return false;
        }
        // `（不是福建那个）`, `除了福建`: a body set aside is not asked about,
        // nor a national body named as the notice's issuer (`市场监管总局等
        // 部门联合发的通知里`): that says which notice.
        let ministry = entities.entities()[i].kind == EntityKind::Ministry;
        let leads = leads_the_month(&norm[range.end..]).filter(|_| ministry);
        let issuer = ministry && (leads.is_some() || issues(&norm[range.end..]));
        if let Some(n) = leads {
            covered.push(range.end..range.end + n);
        }
        let excluded = set_aside(&norm[..range.start]);
        if excluded && !aside.contains(&i) {
            aside.push(i);
        }
        if !found.iter().any(|(_, j)| *j == i) && !excluded && !issuer {
            found.push((range.start, i));
        }
        covered.push(range);
        true
    });
    // English names on word boundaries, the same way (`xinjiang production
    // and construction corps` is not also `xinjiang`).
    entities.scan_english(&norm, |range, i| {
        let before = norm[..range.start].chars().last();
        let after = norm[range.end..].chars().next();
        let bounded =
            !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric());
        if !bounded || overlaps(&covered, &range) {
            return false;
        }
        if !found.iter().any(|(_, j)| *j == i) && !set_aside(&norm[..range.start]) {
            found.push((range.start, i));
        }
        covered.push(range);
        true
    });
    found.sort_unstable();
    let mut ents: Vec<usize> = found.iter().map(|(_, i)| *i).collect();
    let mut extra_terms: Vec<String> = Vec::new();
    let mut glossed_words: Vec<String> = Vec::new();

    // Words that ask for the notice's number or contact are no content
    // (the ranges are the question's own where lower-casing kept its bytes).
    let aligned = lower.len() == norm.len();
    let mut intent = intent::detect_intent_with(&lower, |r| {
        if aligned {
            covered.push(r)
        }
    });
    let associations = associations_named(&norm, &toks);
    if !ents.is_empty() || intent.list == Some(EntityKind::Association) && !associations.is_empty() {
        // A named body is not a list question (中国质量协会 is not 各协会),
        // nor is one the registry does not know (`中国标准化协会`).
        intent.list = None;
    }

    // English words the notices say in Chinese.
    if lang == Lang::En {
        // Words inside a name already found (`supervision` in the
        // State-owned Assets Supervision and Administration Commission)
        // are the name's, not the question's.
        let mut glossed = lower.clone();
        if lower.len() == norm.len() {
            for r in &covered {
                if glossed.is_char_boundary(r.start) && glossed.is_char_boundary(r.end) {
                    glossed.replace_range(r.clone(), &" ".repeat(r.len()));
                }
            }
        }
        for (en, zh) in glossary.candidates(&glossed) {
            if has_word(&glossed, &[en]) {
                glossed = glossed.replace(en, " ");
                glossed_words.extend(en.split(' ').map(String::from));
                for t in tokenizer::terms(jieba, zh) {
                    if !extra_terms.iter().any(|x| *x == t.text) {
                        extra_terms.push(t.text.into_owned());
                    }
                }
            }
        }
    }
    // Asking words say what kind of answer is wanted; they are not content.
    let words: Vec<(std::ops::Range<usize>, &str)> = tags.iter().map(|t| (t.byte_start..t.byte_end, t.tag)).collect();
    let (asks, asking) = asks::read_words(&norm, &lower, &words);
    let how: Vec<String> = asks::how_verbs(&norm, &words).into_iter().map(to_lower).collect();
    covered.extend(asking);
    covered.extend(asks::which_counts(&norm));
    // `谁主办的`: with a "who", organising verbs ask who runs the event.
    if asks == Some(Asks::Org) && ents.is_empty() {
        let organising = intent::organising_words(&lower, lower.len() == norm.len());
        intent.organisers = !organising.is_empty();
        covered.extend(organising);
    }
    // Sub-words of a stop word (质量 inside 质量月) are no content either.
    for t in &toks {
        if t.text.chars().count() >= 2 && STOP.contains(&*t.text) {
            covered.push(t.from..t.to);
        }
    }
    let mut terms: Vec<String> = extra_terms.clone();
    let mut everyday: Vec<String> = Vec::new();
    // Function words by jieba's part of speech: adverbs, pronouns,
    // conjunctions, particles, prepositions, modal words, interjections,
    // onomatopoeia and locatives (`最后`, `到底`, `那边`, `还是`) carry no
    // content, whatever the stop list says.
    let function_words: Vec<&str> = tags
        .iter()
        .filter(|t| {
            matches!(
                t.tag,
                "d" | "r" | "c" | "u" | "p" | "y" | "e" | "o" | "f" | "ul" | "uj" | "uz" | "ud" | "ug" | "uv"
            )
        })
        .map(|t| t.word)
        .collect();
    let nouns: Vec<String> = tags
        .iter()
        .filter(|t| t.tag.starts_with('n') || matches!(t.tag, "eng" | "i" | "l" | "j"))
        .map(|t| to_lower(t.word))
        .collect();
    let verbs: Vec<String> = tags
        .iter()
        .filter(|t| t.tag.starts_with('v') && t.tag != "vn")
        .map(|t| to_lower(t.word))
        .collect();
    let mut marks: Vec<String> = extra_terms.iter().filter(|t| t.chars().count() >= 2).cloned().collect();
    // Clauses that say who asks or why (`我们是卖水果蔬菜的，…`): their words
    // are kept apart, and dropped when the rest of the question asks
    // something of its own.
    let context = context_clauses(&norm, &toks);
    let (mut context_terms, mut context_marks): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for t in &toks {
        if covered.iter().any(|r| r.start <= t.from && t.to <= r.end) {
            continue;
        }
        let in_context = context.iter().any(|r| r.start <= t.from && t.to <= r.end);
        let (terms, marks) = match in_context {
            true => (&mut context_terms, &mut context_marks),
            false => (&mut terms, &mut marks),
        };
        let w = &*t.text;
        let lone_ascii = w.len() == 1 && w.is_ascii() || glossed_words.iter().any(|g| g == w);
        // Tokens are lower case already.
        let synonyms = glossary.synonyms(w);
        let function = function_words.contains(&w) && synonyms.is_none();
        if STOP.contains(&w) || EN_STOP.contains(&w) || lone_ascii || function || w.chars().all(|c| c.is_ascii_digit())
        {
            continue;
        }
        // An everyday word is searched as the notices' words too (`照片` →
        // `图片`); the engine drops it where the notices never use it.
        if let Some(formal) = synonyms {
            everyday.push(w.to_string());
            for f in formal {
                for ft in tokenizer::terms(jieba, f) {
                    if !terms.iter().any(|x| *x == ft.text) {
                        terms.push(ft.text.to_string());
                    }
                    if ft.text.chars().count() >= 2 && !marks.iter().any(|x| *x == ft.text) {
                        marks.push(ft.text.into_owned());
                    }
                }
            }
        }
        if !terms.iter().any(|x| x == w) {
            terms.push(w.to_string());
        }
        if w.chars().count() >= 2 && !marks.iter().any(|x| x == w) {
            marks.push(w.to_string());
        }
    }
    let asks_its_own = terms.iter().filter(|t| t.chars().count() >= 2).count() >= 2
        || intent.theme
        || intent.slogans
        || intent.contact
        || intent.doc_number
        || intent.date
        || intent.period;
    let mut associations = associations;
    if asks_its_own {
        // `我是个体劳动者协会的秘书，…`: who asks is not what is asked.
        associations.retain(|(_, at)| !context.iter().any(|r| r.contains(at)));
        // Nor is a body named in the scene (`2018年是市场监管总局…第一次牵头，
        // 那年…`).
        let scene: Vec<&std::ops::Range<usize>> = context.iter().filter(|r| refers_back(&norm[r.end..])).collect();
        if !scene.is_empty() {
            ents = found
                .iter()
                .filter(|(at, _)| !scene.iter().any(|r| r.contains(at)))
                .map(|(_, i)| *i)
                .collect();
        }
        covered.extend(context);
    } else {
        for t in context_terms {
            if !terms.contains(&t) {
                terms.push(t);
            }
        }
        for m in context_marks {
            if !marks.contains(&m) {
                marks.push(m);
            }
        }
    }
    let phrases = phrases(&norm, &covered);
    Question {
        associations: associations.into_iter().map(|(a, _)| a).collect(),
        phrases,
        raw: raw.to_string(),
        norm,
        lower,
        lang,
        year,
        entities: ents,
        intent,
        terms,
        marks,
        doc_number,
        asks,
        everyday,
        nouns,
        verbs,
        how,
        set_aside: aside,
    }
}

#[cfg(test)]
mod tests {
    use super::normalize::{maybe_traditional, to_simplified};
    use super::*;
    use crate::lexicon::Lexicon;
    use std::sync::LazyLock;

    static LEXICON: LazyLock<Lexicon> = LazyLock::new(Lexicon::shipped);
    static REG: LazyLock<Registry> = LazyLock::new(|| Registry::new(LEXICON.entities()));
    static GLOSSARY: LazyLock<Glossary> = LazyLock::new(|| LEXICON.glossary());
    /// The shipped words and names, and two phrases the notices quote (the
    /// engine derives such words from the corpus).
    static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
        let names = REG.iter().flat_map(|e| e.names.iter().map(String::as_str));
        crate::tokenizer::build_jieba(
            LEXICON.words.iter().map(String::as_str).chain(names),
            ["美豫名品", "桂质贷"],
        )
    });

    fn q(s: &str) -> Question {
        understand(s, 2026, &JIEBA, &REG, &GLOSSARY)
    }

    fn names(q: &Question) -> Vec<&str> {
        q.entities.iter().map(|i| REG[*i].name.as_str()).collect()
    }

    #[test]
    fn a_clause_referred_back_to_is_the_scene() {
        let a = q("2018年是市场监管总局第一次牵头，那年全国的活动主题是什么？");
        assert!(a.entities.is_empty(), "{:?}", a.entities);
        assert!(!a.terms.iter().any(|t| t == "牵头"), "{:?}", a.terms);
        assert_eq!(a.year, YearRef::Explicit(2018));
    }

    #[test]
    fn how_to_do_a_thing_names_the_verb_but_how_it_was_put_does_not() {
        assert_eq!(q("湖北那个活动，企业怎么报名？").how, ["报名"]);
        assert_eq!(q("如何才能申请参加").how, ["申请"]);
        assert!(q("宁夏发布的成果是怎么概括的？").how.is_empty());
        assert!(q("江苏质量月怎么搞的").how.is_empty());
        assert!(q("2024年的主题是什么").how.is_empty());
    }

    #[test]
    fn lower_case_is_that_of_the_standard_library() {
        for s in [
            "2024年质量月的主题",
            "What was the THEME？",
            "ＱＣ小组",
            "“质量强国”—2024",
            "ǅ Σ İ Ⅻ",
            "",
        ] {
            assert_eq!(to_lower(s), s.to_lowercase(), "{s}");
        }
    }

    #[test]
    fn years_in_many_forms() {
        assert_eq!(q("2024年的主题").year, YearRef::Explicit(2024));
        assert_eq!(q("质量月 2019 口号").year, YearRef::Explicit(2019));
        assert_eq!(q("二〇二三年广东").year, YearRef::Explicit(2023));
        assert_eq!(q("二零一九年的口号").year, YearRef::Explicit(2019));
        assert_eq!(q("24年主题").year, YearRef::Explicit(2024));
        assert_eq!(q("今年海关总署做什么").year, YearRef::Relative(2026));
        assert_eq!(q("去年的口号").year, YearRef::Relative(2025));
        assert_eq!(q("最近一次质量月的主题").year, YearRef::Latest);
        assert_eq!(q("What was the theme in 2019?").year, YearRef::Explicit(2019));
        assert_eq!(q("质量月口号").year, YearRef::None);
        assert_eq!(q("覆盖142种产品").year, YearRef::None);
        assert_eq!(q("抽查2000种产品").year, YearRef::None);
        assert_eq!(q("质量月举办了40年").year, YearRef::None);
        assert_eq!(q("40年来质量月").year, YearRef::None);
        assert_eq!(q("24年质量月").year, YearRef::Explicit(2024));
        assert_eq!(q("一九年质量月的口号都有啥").year, YearRef::Explicit(2019));
        assert_eq!(q("二四年的主题").year, YearRef::Explicit(2024));
        assert_eq!(q("过了二三年").year, YearRef::None);
        assert_eq!(q("第十一年").year, YearRef::None);
        assert_eq!(q("当年的口号").year, YearRef::None);
    }

    #[test]
    fn document_numbers() {
        for s in [
            "国市监质〔2018〕131号是什么",
            "国市监质[2018]131号",
            "国市监质2018131号",
        ] {
            let x = q(s);
            let d = x.doc_number.as_ref().expect(s);
            assert_eq!((d.prefix.as_str(), d.year, d.number), ("国市监质", 2018, 131), "{s}");
            assert_eq!(x.year, YearRef::None, "{s}");
        }
    }

    #[test]
    fn simplified_as_fast2s_converts() {
        let every: String = (0x800u32..0x10000).filter_map(char::from_u32).collect();
        for text in [
            every.as_str(),
            "看著藉口苧麻批覆乾隆計畫質量月",
            "质量月是几月",
            "2024年質量月",
        ] {
            assert_eq!(to_simplified(text), fast2s::convert(text));
        }
        assert!(maybe_traditional('質') && !maybe_traditional('质') && !maybe_traditional('a'));
    }

    #[test]
    fn traditional_and_full_width_are_normalised() {
        let x = q("２０２３年質量月口號");
        assert_eq!(x.year, YearRef::Explicit(2023));
        assert!(x.intent.slogans);
        assert!(x.norm.contains("质量月口号"), "{}", x.norm);
        assert_eq!(
            normalize("ＷＨＡＴ\u{3000}ｔｈｅｍｅ　２０２４？（主题）"),
            "WHAT theme 2024？（主题）"
        );
        assert_eq!(fold_width("０７：３０"), "07:30");
    }

    #[test]
    fn a_clause_about_the_asker_is_no_content() {
        let a = q("我们是卖水果蔬菜的，24年质量月农业部门有没有搞包装方面的国标解读？");
        assert!(
            !a.terms.iter().any(|t| t.contains("水果") || t.contains("蔬菜")),
            "{:?}",
            a.terms
        );
        assert!(a.terms.iter().any(|t| t == "包装"), "{:?}", a.terms);
        let a = q("想给学生讲讲，23年质量月主题是啥");
        assert!(!a.terms.iter().any(|t| t == "学生"), "{:?}", a.terms);
        // The asker's clause holds what is asked about when the rest only
        // points at it.
        let a = q("我们公司想搞个质量知识竞赛，2023年有没有类似的？");
        assert!(a.terms.iter().any(|t| t.contains("竞赛")), "{:?}", a.terms);
        // A clause that opens with the asker and asks is a question.
        let a = q("我们在福建，质量月总结要交几张照片？");
        assert_eq!(names(&a), vec!["福建省"]);
    }

    #[test]
    fn asking_words_that_name_a_thing_or_count_loosely_ask_nothing() {
        // `地方标准` is what is asked about, not where.
        assert_ne!(q("上海市2023年质量月发布了什么地方标准").asks, Some(Asks::Place));
        assert_eq!(q("2023年中国质量大会在什么地方开").asks, Some(Asks::Place));
        // `几个省` that another asking word follows counts loosely.
        assert_ne!(q("上海跟周边几个省一起发布了什么地方标准").asks, Some(Asks::Number));
        assert_eq!(q("2019年质量月是几个部门联合开展的").asks, Some(Asks::Number));
        // Why the question is asked: a clause that opens with 要.
        let a = q("2019年质量月主题是什么？要写进报告");
        assert!(!a.terms.iter().any(|t| t == "报告"), "{:?}", a.terms);
    }

    #[test]
    fn an_unknown_association_is_no_list() {
        let a = q("24年中国标准化协会质量月做了什么");
        assert_eq!(a.intent.list, None);
        assert_eq!(a.associations, vec!["标准化协会"]);
        // `有没有` before 协会 asks whether; it names no association.
        assert!(q("18年有没有协会搞过公益活动").associations.is_empty());
        for kind in [
            "2023年有哪些行业协会参加了质量月",
            "2024年各协会做了什么",
            "2023年有哪些联合会、协会开展了活动",
        ] {
            assert_eq!(q(kind).intent.list, Some(EntityKind::Association), "{kind}");
        }
    }

    #[test]
    fn a_body_set_aside_is_not_asked_about() {
        assert!(names(&q("18年全国质量月主题（不是福建那个）")).is_empty());
        assert!(names(&q("除了福建，还有哪些省开展了活动")).is_empty());
        assert_eq!(names(&q("是不是福建开展了质量月活动")), vec!["福建省"]);
        assert!(names(&q("2018 theme, not Fujian's")).is_empty());
    }

    #[test]
    fn entities_with_aliases() {
        assert_eq!(names(&q("2023年粤质量月")), vec!["广东省"]);
        assert_eq!(names(&q("2023年皖质量月活动")), vec!["安徽省"]);
        assert_eq!(names(&q("2023年鲁质量月活动")), vec!["山东省"]);
        assert_eq!(names(&q("2024年津开展了什么")), vec!["天津市"]);
        assert_eq!(names(&q("2024年蒙质量月活动")), vec!["内蒙古自治区"]);
        assert!(names(&q("蒙受损失")).is_empty());
        assert!(names(&q("美豫名品是什么")).is_empty());
        assert!(names(&q("桂质贷")).is_empty());
        assert_eq!(names(&q("2024年新疆质量月活动")), vec!["新疆维吾尔自治区"]);
        assert_eq!(names(&q("兵团2024年做了什么")), vec!["新疆生产建设兵团"]);
        assert_eq!(names(&q("工信部和国资委")), vec!["工业和信息化部", "国务院国资委"]);
        assert_eq!(names(&q("What did Inner Mongolia do in 2024?")), vec!["内蒙古自治区"]);
        assert_eq!(names(&q("央行2019年质量月")), vec!["中国人民银行"]);
        assert_eq!(names(&q("2024年中国质量协会质量月活动")), vec!["中国质量协会"]);
        assert!(names(&q("2024年的口号")).is_empty());
    }

    #[test]
    fn intents() {
        assert!(q("2024年全国质量月主题").intent.theme);
        assert!(q("What are the slogans for Quality Month 2024?").intent.slogans);
        assert!(q("2019年质量月通知是哪天发布的").intent.date);
        assert!(q("福建2018年质量月活动联系人").intent.contact);
        assert_eq!(q("2023年各地开展了哪些活动").intent.list, Some(EntityKind::Province));
        assert_eq!(q("2023年中国质量协会").intent.list, None);
        assert_eq!(q("What are the slogans for Quality Month 2024?").lang, Lang::En);
        assert_eq!(q("2024年质量月口号").lang, Lang::Zh);
    }

    #[test]
    fn a_verb_split_before_a_particle_is_joined() {
        // jieba cuts `抄/送给/了`; the notices' word is `抄送`.
        assert_eq!(q("2019年通知抄送给了哪些单位").terms, vec!["抄送".to_string()]);
        assert!(q("总结报送到哪个单位").terms.contains(&"报送".to_string()));
        // Colloquial `干嘛` asks; it is no content.
        assert!(!q("清风行动是干嘛的").terms.iter().any(|t| t == "干嘛"));
    }

    #[test]
    fn a_verb_and_a_little_is_the_verb() {
        // jieba's rare nouns `交点`/`收点` are a verb and `点` here.
        let t = q("活动要企业交点钱吗").terms;
        assert!(
            t.contains(&"收费".to_string()) && !t.iter().any(|t| t == "交点"),
            "{t:?}"
        );
        let t = q("可以向企业收点费用吗").terms;
        assert!(
            t.contains(&"费用".to_string()) && !t.iter().any(|t| t == "收点"),
            "{t:?}"
        );
        // Everyday words of that shape stay whole.
        assert!(q("试点城市有哪些").terms.contains(&"试点".to_string()));
        assert!(q("有什么亮点活动").terms.iter().all(|t| t != "亮"));
    }

    #[test]
    fn content_terms_drop_fillers() {
        let x = q("2017年质量月期间水利部门印发了什么文件");
        assert!(
            !x.terms.iter().any(|t| t == "2017" || t == "质量月" || t == "什么"),
            "{:?}",
            x.terms
        );
        let y = q("2017年农垦系列活动的主题");
        assert!(y.terms.contains(&"农垦".to_string()), "{:?}", y.terms);
        assert!(
            q("2024年全国质量月主题").terms.is_empty(),
            "{:?}",
            q("2024年全国质量月主题").terms
        );
    }

    #[test]
    fn hostile_input_is_harmless() {
        for s in [
            "",
            "\u{0}\u{7}\u{1b}[31m",
            "😀😀😀",
            "AND (",
            "title:*",
            "<b>x</b>",
            &"质".repeat(100_000),
        ] {
            let x = q(s);
            assert!(x.norm.chars().count() <= MAX_CHARS);
        }
    }
}
