//! Answer kinds: facts about a notice (date, document number), contacts,
//! and stated counts (`14个部门`).

use super::*;
use std::ops::Range;

impl Engine {
    pub(super) fn notices_for(&self, q: &Question, year: Option<i32>) -> Vec<usize> {
        let region = q
            .entities
            .iter()
            .map(|e| self.entities[*e].name.as_str())
            .find(|n| self.regions.iter().any(|r| r.as_deref() == Some(*n)));
        (0..self.notices.len())
            .filter(|n| year.is_none_or(|y| self.notices[*n].year == y))
            .filter(|n| region.is_none_or(|r| self.regions[*n].as_deref() == Some(r)))
            .collect()
    }

    pub(super) fn metadata(&self, q: &Question, year: Option<i32>) -> Answer {
        let notices = self.notices_for(q, year);
        if notices.is_empty() {
            return self.not_found(q, msg::not_found(q.lang));
        }
        let mut blocks = Vec::new();
        let mut cites = Vec::new();
        let mut missing = Vec::new();
        for n in notices {
            let notice = &self.notices[n];
            if q.intent.date {
                match notice.date {
                    Some(d) => {
                        let date = format!("{}年{}月{}日", d.year(), d.month(), d.day());
                        let text = msg::date(q.lang, &notice.title, &date);
                        let start = text.len() - date.len();
                        blocks.push(Block {
                            highlights: std::iter::once(start..text.len()).collect(),
                            text,
                        });
                        let at = self.find_in_notice(n, &date);
                        let section = at.map_or("落款".to_string(), |p| self.passages[p].section.clone());
                        cites.push(self.cite_notice(n, &section, &date));
                    }
                    None => missing.push(msg::no_date(q.lang, &notice.title)),
                }
                // The issuing office's printing line, quoted
                // (`市场监管总局办公厅 2019年8月23日印发`).
                if let Some((i, office)) = &self.notice_facts[n].printed {
                    let line = self.passages[*i].text.trim();
                    let text = msg::printed(q.lang, office.as_deref(), line);
                    let start = text.len() - line.len();
                    blocks.push(Block {
                        highlights: std::iter::once(start..text.len()).collect(),
                        text,
                    });
                    cites.push(self.cite(*i, &self.passages[*i].text));
                    missing.retain(|m| m != &msg::no_date(q.lang, &notice.title));
                }
            }
            if q.intent.doc_number {
                let mut any = false;
                // A regional notice that forwards a national one: asked about
                // the national notice, its number comes first.
                let national_first = self.regions[n].is_some() && (q.norm.contains("全国") || q.norm.contains("总局"));
                let first_block = blocks.len();
                let first_cite = cites.len();
                if let Some(num) = &notice.doc_number {
                    let text = msg::doc_number(q.lang, &notice.title, num);
                    let start = text.len() - num.len();
                    blocks.push(Block {
                        highlights: std::iter::once(start..text.len()).collect(),
                        text,
                    });
                    cites.push(self.cite_notice(n, "文号", num));
                    any = true;
                }
                let own = notice.doc_number.as_deref().map(compact).unwrap_or_default();
                for (i, num) in self.notice_facts[n].mentioned.iter().filter(|(_, num)| *num != own) {
                    blocks.push(self.block(msg::doc_number_mentioned(q.lang, num), std::slice::from_ref(num)));
                    cites.push(self.cite(*i, &self.passages[*i].text));
                    any = true;
                }
                if national_first && notice.doc_number.is_some() && cites.len() > first_cite + 1 {
                    blocks[first_block..].rotate_left(1);
                    cites[first_cite..].rotate_left(1);
                }
                if !any {
                    missing.push(msg::no_doc_number(q.lang, &notice.title));
                }
            }
        }
        if cites.is_empty() {
            return self.not_found(q, missing.join(""));
        }
        blocks.extend(missing.into_iter().map(Block::plain));
        self.reply(q, true, blocks, cites)
    }

    pub(super) fn find_in_notice(&self, notice: usize, needle: &str) -> Option<usize> {
        let needle = compact(needle);
        (0..self.passages.len())
            .find(|i| self.passages[*i].notice == notice && self.passages[*i].compact.contains(&needle))
    }

    pub(super) fn contact(&self, q: &Question, year: Option<i32>) -> Answer {
        let notices = self.notices_for(q, year);
        let hits: Vec<usize> = (0..self.passages.len())
            .filter(|i| self.passages[*i].kind == Kind::Contact && notices.contains(&self.passages[*i].notice))
            .collect();
        if hits.is_empty() {
            let with = sorted_years(self.passages.iter().filter(|p| p.kind == Kind::Contact).map(|p| p.year));
            return self.not_found(q, msg::no_contact(q.lang, year, &with));
        }
        let mut blocks = Vec::new();
        let mut cites = Vec::new();
        for i in hits {
            let p = &self.passages[i];
            blocks.push(Block::plain(msg::contact(q.lang, p.year)));
            blocks.push(self.block(p.text.clone(), &self.marks(q)));
            cites.push(self.cite(i, &p.text));
        }
        self.reply(q, true, blocks, cites)
    }

    /// `多少个部门…`: the passages that state a number of that thing
    /// (`市场监管总局等 14 个部门`), when the notices state one.
    pub(super) fn count(&self, q: &Question, year: Option<i32>) -> Option<Answer> {
        let (classifier, noun): (String, Vec<char>) = match counted_word(&q.norm) {
            Some((classifier, noun)) => (classifier.map(String::from).unwrap_or_default(), noun),
            // `how many departments`: the counted word, as the notices write it.
            None if q.lower.contains("how many") => {
                let lower = &q.lower;
                let after = &lower[lower.find("how many")? + 8..];
                let word = after.split_whitespace().next()?;
                (String::new(), self.glossary.get(word)?.chars().collect())
            }
            None => return None,
        };
        for len in (2..=noun.len()).rev() {
            let what: String = noun[..len].iter().collect();
            // Cheap first: some stated count must be followed by the word.
            if !self.counted.contains(&what) {
                continue;
            }
            let members = guards::members_asked(q);
            // The counts every passage states were found at load.
            let mut hits: Vec<(usize, Range<usize>)> = Vec::new();
            for c in &self.counts {
                if hits.len() == 3 {
                    break;
                }
                // One statement per passage: its first.
                if hits.last().is_some_and(|(pid, _)| *pid == c.pid) {
                    continue;
                }
                let p = &self.passages[c.pid];
                if year.is_some_and(|y| p.year != y) || !matches!(p.kind, Kind::Body | Kind::Item) {
                    continue;
                }
                // `“六新六特六优”18个…具体是哪18个`: a count of a set that is
                // not listed does not say which.
                if self.names_unlisted(&members, c.pid) {
                    continue;
                }
                if let Some(end) = c.counts(&p.text, &classifier, &what) {
                    hits.push((c.pid, c.start..end));
                }
            }
            if hits.is_empty() {
                continue;
            }
            let mut blocks = vec![Block::plain(msg::search(q.lang, year))];
            let mut cites = Vec::new();
            for (pid, range) in hits {
                let text = &self.passages[pid].text;
                let m = text[range].to_string();
                let marks = vec![m];
                let shown = snippet(text, &marks, SNIPPET_CHARS);
                blocks.push(self.block(shown.clone(), &marks));
                cites.push(self.cite(pid, &shown));
            }
            return Some(self.reply(q, true, blocks, cites));
        }
        None
    }
}

/// A count a passage states: digits, maybe a classifier (`14个…`,
/// `25 个…`), and where the counted word would begin.
#[derive(Debug, Clone)]
pub(super) struct StatedCount {
    pid: usize,
    /// Where the digits begin.
    start: usize,
    /// The classifier after the digits, if any.
    classifier: Option<char>,
    /// Where a word right after the digits begins.
    bare: usize,
    /// Where the counted word begins.
    after: usize,
}

/// What `多少`/`几` asks to count: the first that a Han word follows, with
/// the measure word between them if any (`几个部门` → `个`, `部门`) and at
/// most four characters of the word (`几届` → none, `届`).
fn counted_word(norm: &str) -> Option<(Option<char>, Vec<char>)> {
    const CLASSIFIERS: &str = "个种类项条家名批届次所";
    let han_run = |s: &str| -> Vec<char> { s.chars().take_while(|c| query::is_han(*c)).take(4).collect() };
    let asks = norm.match_indices("多少").chain(norm.match_indices('几'));
    let mut at: Vec<(usize, usize)> = asks.map(|(i, m)| (i, i + m.len())).collect();
    at.sort_unstable();
    at.into_iter().find_map(|(_, end)| {
        let rest = norm[end..].trim_start();
        let first = rest.chars().next()?;
        if CLASSIFIERS.contains(first) {
            let noun = han_run(rest[first.len_utf8()..].trim_start());
            if !noun.is_empty() {
                return Some((Some(first), noun));
            }
        }
        let noun = han_run(rest);
        (!noun.is_empty()).then_some((None, noun))
    })
}

impl StatedCount {
    /// Where this count of `what` in `classifier` (when empty: one of
    /// 个种类项条家名, or none) ends, if it is one.
    fn counts(&self, text: &str, classifier: &str, what: &str) -> Option<usize> {
        let unit_ok = match (classifier, self.classifier) {
            ("", None) => true,
            ("", Some(c)) => "个种类项条家名".contains(c),
            (want, Some(c)) => want.starts_with(c) && want.chars().count() == 1,
            (_, None) => false,
        };
        if unit_ok && text[self.after..].starts_with(what) {
            Some(self.after + what.len())
        } else if classifier.is_empty() && text[self.bare..].starts_with(what) {
            Some(self.bare + what.len())
        } else {
            None
        }
    }
}

/// The words of two to four characters that follow a stated count, right
/// after its digits or after its classifier (what [`StatedCount::counts`]
/// can match).
pub(super) fn counted_words(counts: &[StatedCount], passages: &[Passage]) -> rustc_hash::FxHashSet<String> {
    let mut out = rustc_hash::FxHashSet::default();
    for c in counts {
        let text = &passages[c.pid].text;
        for start in [c.after, c.bare] {
            let rest = &text[start..];
            for (n, (b, ch)) in rest.char_indices().take(4).enumerate() {
                if n >= 1 {
                    out.insert(rest[..b + ch.len_utf8()].to_string());
                }
            }
        }
    }
    out
}

/// Every count the passages state, in passage order.
pub(super) fn stated_counts(passages: &[Passage]) -> Vec<StatedCount> {
    static COUNT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[0-9]+(\s*)(?:([个种类项条家名批届次所])\s*)?").unwrap());
    let mut out = Vec::new();
    for (pid, p) in passages.iter().enumerate() {
        for c in COUNT.captures_iter(&p.text) {
            let whole = c.get(0).expect("the whole match");
            out.push(StatedCount {
                pid,
                start: whole.start(),
                classifier: c.get(2).and_then(|m| m.as_str().chars().next()),
                bare: c.get(1).expect("the space group").end(),
                after: whole.end(),
            });
        }
    }
    out
}

/// What a notice says of itself, found once at load.
#[derive(Debug, Clone, Default)]
pub(super) struct NoticeFacts {
    /// The passage of its `…年…月…日印发` line, and the office named just
    /// above it (`市场监管总局办公厅`), if any.
    pub printed: Option<(usize, Option<String>)>,
    /// The document numbers its passages mention, first mention of each,
    /// in order, with the passage.
    pub mentioned: Vec<(usize, String)>,
}

/// The [`NoticeFacts`] of each of `notices` notices.
pub(super) fn notice_facts(notices: usize, passages: &[Passage]) -> Vec<NoticeFacts> {
    let mut facts = vec![NoticeFacts::default(); notices];
    for (i, p) in passages.iter().enumerate() {
        let f = &mut facts[p.notice];
        if f.printed.is_none() && PRINTED.is_match(&p.compact) {
            let office = i
                .checked_sub(1)
                .map(|j| &passages[j])
                .filter(|above| above.notice == p.notice && above.compact.chars().count() <= 24)
                .filter(|above| OFFICE.is_match(&above.compact))
                .map(|above| above.compact.clone());
            f.printed = Some((i, office));
        }
        for m in DOC_NUMBER_IN_TEXT.find_iter(&p.text) {
            let num = compact(m.as_str());
            let num = num.trim_start_matches(['见', '文', '的', '（', '(']).to_string();
            if !f.mentioned.iter().any(|(_, n)| *n == num) {
                f.mentioned.push((i, num));
            }
        }
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::counted_word;

    fn read(q: &str) -> Option<(Option<char>, String)> {
        counted_word(q).map(|(c, w)| (c, w.into_iter().collect()))
    }

    #[test]
    fn the_counted_word_follows_duoshao_or_ji() {
        assert_eq!(read("有多少个部门参加"), Some((Some('个'), "部门参加".into())));
        assert_eq!(read("覆盖几 种 重点产品"), Some((Some('种'), "重点产品".into())));
        assert_eq!(read("一共几届？"), Some((None, "届".into())));
        assert_eq!(read("联合发文的有多少部门"), Some((None, "部门".into())));
        // The first asking word that a word follows.
        assert_eq!(read("几？多少家企业"), Some((Some('家'), "企业".into())));
        assert_eq!(read("主题是什么"), None);
        assert_eq!(read("多少？"), None);
    }
}
