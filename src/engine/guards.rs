//! Questions that are not about the notices at all: another named event,
//! or a place where the question needs one.

use super::*;

impl Engine {
    /// Whether passage `pid` names one of the sets whose members are asked
    /// (`members`, from [`members_asked`]) without listing them.
    pub(super) fn names_unlisted(&self, members: &[String], pid: usize) -> bool {
        let text = &self.passages[pid].compact;
        members
            .iter()
            .any(|m| text.contains(m.as_str()) && !lists_members(text, m))
    }

    /// A named day, week, month or festival (`消费者权益日`, `世界标准日`)
    /// that the notices never mention: the question is about another event.
    /// A shortened name of one they do mention (`电梯宣传周` for
    /// 电梯安全宣传周) is not another event, nor is a kind of event
    /// (`认证类宣传周`: 类 makes it a description).
    pub(super) fn other_event(&self, norm: &str) -> Option<String> {
        const NOT_NAME: &str = "年几每哪本上下这个两一二三四五六七八九十当些的有么什是在和与及了吗呢啊请问要各期间类";
        if !norm.contains(['日', '周', '月', '节']) {
            return None;
        }
        let mut chars: Vec<char> = Vec::with_capacity(norm.len());
        chars.extend(norm.chars().filter(|c| !c.is_whitespace()));
        let name_char = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c) && !NOT_NAME.contains(c);
        for i in 3..chars.len() {
            if !matches!(chars[i], '日' | '周' | '月' | '节') {
                continue;
            }
            // 日期, 周年, 月份 … are words of their own.
            if chars
                .get(i + 1)
                .is_some_and(|n| "期子年边份约能目点度底初刊报".contains(*n))
            {
                continue;
            }
            let mut start = i;
            while start > 0 && i - start < 7 && name_char(chars[start - 1]) {
                start -= 1;
            }
            if i - start < 3 {
                continue;
            }
            let name: String = chars[start..=i].iter().collect();
            if name.ends_with("质量月") || self.corpus.contains(&name) {
                continue;
            }
            let head: String = chars[start..i - 2].iter().collect();
            let tail: String = chars[i - 2..=i].iter().collect();
            if near(&self.corpus, &head, &tail) {
                continue;
            }
            return Some(name);
        }
        None
    }
}

/// Whether `corpus` holds `head`, then at most six characters of one line,
/// then `tail` (`质量开放日` is near `质量…开放日`).
fn near(corpus: &suffix::SuffixTable, head: &str, tail: &str) -> bool {
    let text = corpus.text();
    corpus.positions(head).iter().any(|&at| {
        let at = at as usize;
        let rest = &text[at + head.len()..];
        let mut gaps = rest.char_indices();
        for _ in 0..=6 {
            match gaps.next() {
                Some((b, c)) => {
                    if rest[b..].starts_with(tail) {
                        return true;
                    }
                    if c == '\n' {
                        return false;
                    }
                }
                None => return false,
            }
        }
        false
    })
}

/// The entities `sentence` names by a name of two characters or more, every
/// start tried (`新疆` inside a longer name too); found at load.
pub(super) fn entities_named(entities: &Registry, sentence: &str) -> Vec<usize> {
    let mut found = Vec::new();
    entities.scan_chinese(sentence, |r, e| {
        if sentence[r].chars().nth(1).is_some() && !found.contains(&e) {
            found.push(e);
        }
        false
    });
    found
}

/// Whether entity `e` is a place (a province or a city).
pub(super) fn is_place(entities: &Registry, e: usize) -> bool {
    matches!(entities[e].kind, EntityKind::Province | EntityKind::City)
}

/// Whether `sentence` (trimmed) names a place that question `q` does not:
/// where a thing the question names takes place is no answer to "where"
/// when the question says it already (`成都` for `中国质量（成都）大会在哪个场馆`),
/// nor is a sentence that names no place. `given` are the answers the
/// sentence gives (kind bit and range, found at load) and `named` the
/// entities it names ([`entities_named`]).
pub(super) fn names_a_new_place(
    entities: &Registry,
    sentence: &str,
    given: &[(u8, std::ops::Range<usize>)],
    named: &[usize],
    q: &Question,
) -> bool {
    let asked = &compact(&q.norm);
    // Whether `text` holds one of entity `e`'s names of two characters or more.
    let names = |e: usize, text: &str| {
        entities[e]
            .names
            .iter()
            .any(|n| n.chars().count() >= 2 && text.contains(n.as_str()))
    };
    let of_kind = |kind: crate::query::Asks| {
        given
            .iter()
            .filter(move |(k, _)| *k == kind.bit())
            .map(|(_, r)| &sentence[r.clone()])
    };
    static IN_PARENS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"（(\p{Han}{2,4})）").unwrap());
    let new = |place: &str| !asked.contains(&compact(place));
    let stated = of_kind(crate::query::Asks::Place).map(|m| {
        // `在成都举办`: the place is what stands between.
        let m = m.strip_prefix('在').unwrap_or(m);
        ["举办", "举行", "召开"]
            .iter()
            .fold(m, |m, v| m.strip_suffix(v).unwrap_or(m))
    });
    // `报给哪里`: where a thing is sent may be an office (`报送市场监管总局
    // （质量发展局）`), one the question does not name already, by a body's
    // name or by the word its name ends with (`总局` for `市场监管总局`).
    const SENT: [&str; 9] = ["报送", "上报", "报至", "报给", "送至", "交至", "提交", "寄送", "发送"];
    let office = || {
        of_kind(crate::query::Asks::Org).any(|o| {
            SENT.iter().any(|v| o.contains(v))
                && new(o)
                && !q
                    .terms
                    .iter()
                    .any(|t| t.chars().nth(1).is_some() && o.ends_with(t.as_str()))
                && !q.entities.iter().any(|&e| names(e, o))
        })
    };
    IN_PARENS.captures_iter(sentence).any(|c| new(&c[1]))
        || office()
        || stated.filter(|m| !m.starts_with('（')).any(new)
        || named.iter().any(|&e| is_place(entities, e) && !names(e, asked))
}

/// The names a question asks the members of (`那批“江苏精品”具体是哪些产品`,
/// `“六新六特六优”…具体是哪18个`): the names it quotes, when it asks which
/// ones exactly.
pub(super) fn members_asked(q: &Question) -> Vec<String> {
    static MEMBERS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:具体|分别|都)(?:是|有|包括|包含)?哪").unwrap());
    if !MEMBERS.is_match(&q.norm) {
        return Vec::new();
    }
    super::notice::quoted(q)
}

/// Whether `text` (without whitespace) lists anything after `name` in the
/// sentence that names it (a `、` or `：`): a text that only names a set
/// (`发布一批“江苏精品”`) does not say what is in it.
pub(super) fn lists_members(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let rest = &text[at + name.len()..];
        let end = rest.find(['。', '；', '\n']).unwrap_or(rest.len());
        rest[..end].contains(['、', '：'])
    })
}
