//! What kind of answer a question asks for, read from its asking words
//! (`什么时候` wants a date, `在哪` a place, `谁` an organisation, `多少` a
//! number, `叫什么` a name), and whether a sentence holds such an answer.

use aho_corasick::AhoCorasick;
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// The kind of fact a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asks {
    /// A date or deadline (`10月15日前`, `9月底前`).
    Date,
    /// A place or an address (a city, a website).
    Place,
    /// An organisation (`哪个单位`, `谁`).
    Org,
    /// A number (`多少`, `第几届`).
    Number,
    /// A name (`叫什么`, `什么论坛`): quoted names and 会/论坛/大赛 phrases.
    Name,
}

struct Pattern {
    asks: Asks,
    /// The Chinese asking words, leftmost first (the earlier of two words
    /// at one place wins, so a longer word comes before its prefix).
    words: Vec<String>,
    /// The English ones, on word boundaries (looked for only in a question
    /// with Latin letters).
    english: Regex,
    answer: Regex,
}

fn re(s: &str) -> Regex {
    Regex::new(s).expect("built-in pattern")
}

fn words<S: AsRef<str>>(list: &[S]) -> Vec<String> {
    list.iter().map(|w| w.as_ref().to_string()).collect()
}

/// Every kind's asking words in one automaton, so that a question is read
/// once for all of them: it reports every occurrence of every word
/// (overlapping), and [`read_lower`] keeps, kind by kind, what a leftmost-
/// first search of that kind's list would find.
struct AllWords {
    automaton: AhoCorasick,
    /// For each word of the automaton: its kind (place in [`PATTERNS`])
    /// and its place in that kind's list.
    of: Vec<(usize, usize)>,
}

static ALL_WORDS: LazyLock<AllWords> = LazyLock::new(|| {
    let mut list: Vec<&str> = Vec::new();
    let mut of = Vec::new();
    for (k, p) in PATTERNS.iter().enumerate() {
        for (i, w) in p.words.iter().enumerate() {
            list.push(w);
            of.push((k, i));
        }
    }
    let automaton = super::small_automaton(list);
    AllWords { automaton, of }
});

/// The units a count question names (`多少个`, `几项`).
const COUNT_UNITS: &str = "个项种家次条类张名位届件批所人场期轮份篇";

/// The asking words of a count: `多少` with a unit before `多少` alone,
/// `第几届`, `第几`, `几` with a unit.
fn count_words() -> Vec<String> {
    let mut list: Vec<String> = COUNT_UNITS.chars().map(|u| format!("多少{u}")).collect();
    list.extend(["多少", "第几届", "第几"].map(String::from));
    list.extend(COUNT_UNITS.chars().map(|u| format!("几{u}")));
    list
}

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    vec![
        Pattern {
            asks: Asks::Date,
            words: words(&[
                "什么时候",
                "什么时间",
                "时间节点",
                "时间点",
                "时限",
                "啥时候",
                "啥时",
                "几时",
                "最晚",
                "最迟",
                "何时",
                "哪天",
                "哪一天",
                "几号",
                "几月几日",
                "几月份",
                "几月",
                "截止",
                "截至",
                "期限",
                "多久",
            ]),
            english: re(r"(?-u:\b)when(?-u:\b)|(?-u:\b)deadline(?-u:\b)|(?-u:\b)by what date(?-u:\b)"),
            answer: re(
                r"\d{1,2}\s*月\s*(?:\d{1,2}\s*日|底|中旬|上旬|下旬|初)|\d{4}\s*年\s*\d{1,2}\s*月|[前内]完成|月底前",
            ),
        },
        Pattern {
            asks: Asks::Place,
            words: words(&[
                "哪里",
                "在哪儿",
                "在哪",
                "哪儿",
                "什么地方",
                "哪个地方",
                "地点",
                "哪个城市",
                "哪座城市",
                "网址",
                "网站",
                "哪个平台",
                "什么平台",
            ]),
            english: re(r"(?-u:\b)where(?-u:\b)|(?-u:\b)website(?-u:\b)"),
            answer: re(
                r"[A-Za-z0-9.-]+\.(?:cn|com|org|net|gov)(?-u:\b)|（\p{Han}{2,4}）|在\p{Han}{2,6}(?:举办|举行|召开)|网站|平台|官网",
            ),
        },
        Pattern {
            asks: Asks::Org,
            words: words(&[
                "由谁",
                "是谁",
                "谁",
                "哪个单位",
                "哪些单位",
                "哪家",
                "哪个部门",
                "哪些部门",
                "哪个司局",
                "报送给",
                "报给",
            ]),
            english: re(
                r"(?-u:\b)who(?-u:\b)|(?-u:\b)which (?:department|organi[sz]ation|body|office|agency|unit|ministry|bureau)(?-u:\b)",
            ),
            answer: re(r"\p{Han}{2,12}(?:部|总局|局|委员会|委|署|院|协会|联合会|中心|办公室|司)"),
        },
        Pattern {
            asks: Asks::Number,
            words: words(&count_words()),
            english: re(r"(?-u:\b)how many(?-u:\b)|(?-u:\b)how much(?-u:\b)"),
            // A count, not a year or a date (`2023年9月` answers no `多少`).
            answer: re(
                r"\d+(?:\.\d+)?\s*(?:[个项种家类条届次名人位件张批所幅万亿千百%％×x*]|余|多|周年)|[一二三四五六七八九十百]+周年|第\s*\d+\s*[届次]|第[一二三四五六七八九十百]+[届次]|[一二三四五六七八九十百两]+[个项种家类条届次名]",
            ),
        },
        Pattern {
            asks: Asks::Name,
            words: words(&[
                "叫什么名字",
                "叫什么",
                "什么名字",
                "名称",
                "什么会",
                "什么大会",
                "哪些论坛",
                "什么论坛",
                "哪个论坛",
                "什么大赛",
                "什么比赛",
                "什么文件",
                "签什么",
                "签了什么",
                "签署了什么",
                "发布了什么",
                "印发了什么",
                "什么活动",
                "哪些活动",
            ]),
            english: re(r"(?-u:\b)which forum(?-u:\b)|(?-u:\b)name(?-u:\b)|(?-u:\b)called(?-u:\b)"),
            answer: re(
                r"“[^”]{2,40}”|《[^》]{2,40}》|\p{Han}{2,16}(?:大会|论坛|大赛|竞赛|展|会议|承诺|倡议|宣言|活动周|宣传周|开放日)",
            ),
        },
    ]
});

/// The asking words of `norm` and the byte ranges they occupy.
pub fn read(norm: &str) -> (Option<Asks>, Vec<Range<usize>>) {
    read_lower(norm, &norm.to_lowercase())
}

/// [`read`] with the lower-cased text at hand.
pub(crate) fn read_lower(norm: &str, lower: &str) -> (Option<Asks>, Vec<Range<usize>>) {
    read_words(norm, lower, &[])
}

/// [`read_lower`] with the question's words (byte ranges and parts of
/// speech, as jieba cut and tagged it): an asking word whose tail begins a
/// longer word, or whose last word is a noun that the next noun follows,
/// names what is asked about rather than asking (`什么地方标准` asks what
/// standard, not where).
pub(crate) fn read_words(norm: &str, lower: &str, words: &[(Range<usize>, &str)]) -> (Option<Asks>, Vec<Range<usize>>) {
    let noun = |tag: &str| tag.starts_with('n') && tag != "nr";
    let tail_begins_a_word = |start: usize, end: usize| {
        words
            .iter()
            .any(|(w, _)| start < w.start && w.start < end && end < w.end)
            || words
                .iter()
                .any(|(w, tag)| w.end == end && w.start > start && noun(tag))
                && words.iter().any(|(w, tag)| w.start == end && noun(tag))
    };
    let hay = if lower.len() == norm.len() { lower } else { norm };
    let latin = hay.bytes().any(|b| b.is_ascii_alphabetic());
    // The asking words found, kind by kind in the order of [`PATTERNS`].
    let mut kinds: Vec<(Asks, Range<usize>)> = Vec::new();
    // Every occurrence of every word as (kind, start, place in the kind's
    // list, end): sorted, each kind's occurrences run by start, the
    // earliest-listed word first among those starting at one place.
    let mut found: Vec<(usize, usize, usize, usize)> = ALL_WORDS
        .automaton
        .find_overlapping_iter(hay)
        .map(|m| {
            let (k, i) = ALL_WORDS.of[m.pattern().as_usize()];
            (k, m.start(), i, m.end())
        })
        .collect();
    found.sort_unstable();
    for (k, p) in PATTERNS.iter().enumerate() {
        let mut end = 0;
        for &(_, start, _, m_end) in found.iter().filter(|f| f.0 == k) {
            // Leftmost first: the first-listed word at a place (the others
            // there start inside it), none inside a match.
            if start < end || tail_begins_a_word(start, m_end) {
                continue;
            }
            // `哪几种精神`, `哪几个部门` ask which, not how many.
            if p.asks == Asks::Number && hay[start..].starts_with('几') && hay[..start].ends_with('哪') {
                continue;
            }
            let mut range = start..m_end;
            // `多少 个`: whitespace and a unit after a bare `多少` belong to it.
            if p.asks == Asks::Number && &hay[range.clone()] == "多少" {
                let rest = &hay[range.end..];
                let spaced = rest.trim_start_matches(char::is_whitespace);
                range.end += rest.len() - spaced.len();
                if let Some(u) = spaced.chars().next().filter(|u| COUNT_UNITS.contains(*u)) {
                    range.end += u.len_utf8();
                }
            }
            end = range.end;
            kinds.push((p.asks, range));
        }
        if latin {
            for m in p.english.find_iter(hay) {
                kinds.push((p.asks, m.range()));
            }
        }
    }
    // `…跟周边几个省一起发布了什么`: a `几` that another asking word follows
    // counts loosely (a few provinces) and asks nothing; so does one whose
    // clause a later clause asks in (`盯住几类风险点，要开展什么行动`), unlike a
    // list of asking words (`几张、啥格式`).
    let last_other = kinds
        .iter()
        .filter(|(a, _)| *a != Asks::Number)
        .map(|(_, r)| r.start)
        .max();
    let asked_later = |at: usize| {
        hay[at..]
            .split_once(['，', ','])
            .is_some_and(|(_, rest)| rest.contains("什么") || rest.contains(['啥', '哪']))
    };
    kinds.retain(|(a, r)| {
        !(*a == Asks::Number
            && hay[r.clone()].starts_with('几')
            && (last_other.is_some_and(|o| o > r.start) || asked_later(r.end)))
    });
    let asks = kinds.first().map(|(a, _)| *a);
    (asks, kinds.into_iter().map(|(_, r)| r).collect())
}

/// `哪三个`, `哪两项`: how many of which are asked for is part of the asking
/// (the notices list the three; they seldom say `三个`).
static WHICH_COUNT: LazyLock<Regex> = LazyLock::new(|| re("哪[一二三四五六七八九十两]+[个项条类种件点大方批位]?"));

/// The byte ranges of `哪` with a count of what is asked for (`哪三个`).
pub fn which_counts(norm: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    WHICH_COUNT.find_iter(norm).map(|m| m.range())
}

/// The verbs a question asks how to do (`怎么报名`, `如何才能申请`): a
/// verb of two characters or more right after 怎么/怎样/如何/咋, past a
/// modal word. One-character verbs (`怎么搞`, `怎么办`) ask what was done,
/// and so does a verb followed by 的 (`是怎么概括的`): how the notice put it.
pub fn how_verbs<'a>(norm: &'a str, words: &[(Range<usize>, &str)]) -> Vec<&'a str> {
    const HOW: [&str; 5] = ["怎么", "怎样", "如何", "咋", "怎么样"];
    const MODAL: [&str; 9] = ["才", "能", "才能", "可以", "去", "来", "要", "该", "应该"];
    let mut out = Vec::new();
    for (i, (r, _)) in words.iter().enumerate() {
        if !HOW.contains(&&norm[r.clone()]) {
            continue;
        }
        let rest = &words[i + 1..];
        if let Some(j) = rest
            .iter()
            .take(3)
            .position(|(r, _)| !MODAL.contains(&&norm[r.clone()]))
        {
            let (r, tag) = &rest[j];
            let w = &norm[r.clone()];
            let said = rest.get(j + 1).is_some_and(|(r, _)| &norm[r.clone()] == "的");
            if tag.starts_with('v') && w.chars().nth(1).is_some() && !said {
                out.push(w);
            }
        }
    }
    out
}

impl Asks {
    /// This kind's bit in a [`kinds`] set.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Whether `text` gives an answer of kind `asks` (what [`all_answers`] finds,
/// without collecting it).
pub fn holds(asks: Asks, text: &str) -> bool {
    PATTERNS.iter().any(|p| p.asks == asks && p.answer.is_match(text))
}

/// Every answer of the kinds in `kinds` (a set of [`Asks::bit`]) that
/// `text` gives: each kind's bit and the byte range, kind by kind.
pub fn all_answers(kinds: u8, text: &str) -> Vec<(u8, Range<usize>)> {
    PATTERNS
        .iter()
        .filter(|p| kinds & p.asks.bit() != 0)
        .flat_map(|p| p.answer.find_iter(text).map(|m| (p.asks.bit(), m.range())))
        .collect()
}

/// The kinds of answer `text` holds, as a bit set of [`Asks::bit`].
pub fn kinds(text: &str) -> u8 {
    PATTERNS
        .iter()
        .filter(|p| p.answer.is_match(text))
        .fold(0, |set, p| set | p.asks.bit())
}

/// The unit a count question asks in (`几个部门` → 个, `多少年` → 年,
/// `多少钱` → 元, `第几届` → 届); none when it names none (`多少？`).
pub fn unit(norm: &str) -> Option<char> {
    const UNITS: &str = "个项种家类条届次名人位件张批所幅年天元期轮份篇场册本部台套座辆艘架只";
    ["多少", "几"].iter().find_map(|w| {
        norm.match_indices(w)
            .find_map(|(at, _)| match norm[at + w.len()..].chars().next()? {
                '钱' => Some('元'),
                c if UNITS.contains(c) => Some(c),
                _ => None,
            })
    })
}

/// Whether `text` states a count in `unit` (`20周年` in 年, `14个` in 个,
/// `5万元` in 元, `第五届` in 届).
pub fn counts_in(unit: char, text: &str) -> bool {
    text.match_indices(unit).any(|(at, _)| {
        let before = text[..at].trim_end_matches(|c: char| c.is_whitespace() || "周万亿千百多余".contains(c));
        before
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit() || "一二三四五六七八九十两".contains(c))
            // A year is no count of years (`2024年`).
            && !(unit == '年' && before.chars().rev().take_while(|c| c.is_ascii_digit()).count() == 4)
    })
}

/// Whether `norm` asks for a day (`几号`, `哪天`, `几月几日`), where a
/// month (`2023年9月`) does not answer.
pub fn wants_a_day(norm: &str) -> bool {
    static DAY: LazyLock<Regex> = LazyLock::new(|| re(r"几号|几日|哪天|哪一天|哪日|具体日期|(?-u:\b)what day(?-u:\b)"));
    DAY.is_match(norm)
}

/// Whether `text` names a day of a month (`10月15日`, `9月底`).
pub fn names_a_day(text: &str) -> bool {
    static DAY: LazyLock<Regex> =
        LazyLock::new(|| re(r"月\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日号]|月\s*[底末]"));
    DAY.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asking_words_are_read_as_the_regular_expressions_read_them() {
        let units = "[个项种家次条类张名位届件批所人场期轮份篇]";
        let chinese = [
            re(
                r"什么时候|什么时间|时间节点|时间点|时限|啥时候?|几时|最晚|最迟|何时|哪天|哪一天|几号|几月几日|几月份?|截止|截至|期限|多久",
            ),
            re(r"哪里|在哪儿?|哪儿|什么地方|哪个地方|地点|哪个城市|哪座城市|网址|网站|哪个平台|什么平台"),
            re(r"由谁|是谁|谁|哪个单位|哪些单位|哪家|哪个部门|哪些部门|哪个司局|报送给|报给"),
            re(&format!(r"多少\s*{units}?|第几届|第几|几{units}")),
            re(
                r"叫什么名字|叫什么|什么名字|名称|什么会|什么大会|哪些论坛|什么论坛|哪个论坛|什么大赛|什么比赛|什么文件|签什么|签了什么|签署了什么|发布了什么|印发了什么|什么活动|哪些活动",
            ),
        ];
        let mut questions: Vec<String> = [
            "多少 个部门",
            "多少  ",
            "有多少\u{3000}项？多少钱",
            "第几届第几",
            "几月份几月几日啥时啥时候",
            "在哪儿在哪里哪儿",
            "是谁由谁谁报给报送给",
            "叫什么名字叫什么名称",
            "多少多少个几个几",
            "哪几种精神有几种",
        ]
        .map(String::from)
        .to_vec();
        for file in [
            "../../eval/heldout.jsonl",
            "../../eval/heldout7.jsonl",
            "../../tests/dev.jsonl",
        ] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src/query")
                .join(file);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            questions.extend(text.lines().filter_map(|l| {
                serde_json::from_str::<serde_json::Value>(l).ok()?["q"]
                    .as_str()
                    .map(String::from)
            }));
        }
        assert!(questions.len() > 100);
        for q in &questions {
            let lower = q.to_lowercase();
            let (_, ranges) = read_lower(q, &lower);
            let hay = if lower.len() == q.len() { &lower } else { q };
            let chinese_ranges: Vec<Range<usize>> = ranges.into_iter().filter(|r| !hay[r.clone()].is_ascii()).collect();
            // A count's `几…` after 哪 (`哪几种`) asks which, not how many.
            let which = |k: usize, r: &Range<usize>| {
                k == 3 && hay[r.clone()].starts_with('几') && hay[..r.start].ends_with('哪')
            };
            let want: Vec<Range<usize>> = chinese
                .iter()
                .enumerate()
                .flat_map(|(k, r)| r.find_iter(hay).map(move |m| (k, m.range())))
                .filter(|(k, r)| !which(*k, r))
                .map(|(_, r)| r)
                .collect();
            assert_eq!(chinese_ranges, want, "{q}");
        }
    }

    #[test]
    fn asking_words_name_the_answer_kind() {
        assert_eq!(read("总结什么时候报送").0, Some(Asks::Date));
        assert_eq!(read("启动仪式在哪里举办").0, Some(Asks::Place));
        assert_eq!(read("由哪个单位主办").0, Some(Asks::Org));
        assert_eq!(read("是第几届").0, Some(Asks::Number));
        assert_eq!(read("要弘扬哪几种精神").0, None);
        let q = "要让哪三个“深入人心”";
        let r: Vec<&str> = which_counts(q).map(|r| &q[r]).collect();
        assert_eq!(r, vec!["哪三个"]);
        assert_eq!(read("盯住几类风险点，要开展什么行动").0, None);
        assert_eq!(read("要附图片，几张、啥格式").0, Some(Asks::Number));
        assert_eq!(read("有几种精神").0, Some(Asks::Number));
        assert_eq!(read("成果展叫什么名字").0, Some(Asks::Name));
        assert_eq!(read("2024年广东省开展了哪些工作").0, None);
    }

    /// The byte ranges of `text` that give an answer of kind `asks`.
    fn answers(asks: Asks, text: &str) -> Vec<Range<usize>> {
        all_answers(asks.bit(), text).into_iter().map(|(_, r)| r).collect()
    }

    #[test]
    fn sentences_with_answers() {
        assert_eq!(kinds("请于10月15日前报送"), Asks::Date.bit());
        assert_eq!(kinds("没有"), 0);
        assert!(!answers(Asks::Date, "请于10月15日前报送").is_empty());
        assert!(!answers(Asks::Date, "9月底前完成").is_empty());
        assert!(!answers(Asks::Place, "详见www.samr.gov.cn").is_empty());
        assert!(!answers(Asks::Name, "举办“质量开放日”活动").is_empty());
        assert!(answers(Asks::Number, "没有数字").is_empty());
        assert!(!answers(Asks::Number, "以制度实施20周年为契机").is_empty());
        assert!(answers(Asks::Number, "2024年9月").is_empty());
    }

    #[test]
    fn a_day_is_answered_by_a_day() {
        assert!(wants_a_day("大会具体是9月几号开幕"));
        assert!(wants_a_day("报名截止到哪天"));
        assert!(!wants_a_day("什么时候举办"));
        assert!(names_a_day("请于10月15日前报送"));
        assert!(names_a_day("9月底前完成"));
        assert!(!names_a_day("2023年9月举办中国质量（成都）大会"));
        assert!(!names_a_day("2023年9月印发国市监质〔2023〕12号"));
        assert!(!names_a_day("9月起30日内完成"));
    }

    #[test]
    fn a_count_is_in_the_unit_asked() {
        assert_eq!(unit("2024年缺陷召回制度实施多少年了"), Some('年'));
        assert_eq!(unit("认证要花多少钱"), Some('元'));
        assert_eq!(unit("一共召回了多少辆汽车"), Some('辆'));
        assert_eq!(unit("几个部门联合发文"), Some('个'));
        assert_eq!(unit("覆盖多少？"), None);
        assert!(counts_in('年', "以缺陷召回制度实施20周年为契机"));
        assert!(!counts_in('年', "2024年消费品质量安全"));
        assert!(!counts_in('元', "庆祝成立70周年"));
        assert!(counts_in('个', "市场监管总局等25个部门"));
    }
}
