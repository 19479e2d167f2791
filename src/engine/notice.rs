//! Answer kinds about a notice as a whole: the notice a document number
//! names, and when the event takes place.

use super::*;
use crate::query::DocRef;

impl Engine {
    /// The year whose notices hold every phrase the question quotes
    /// (`“质的有效提升 量的合理增长”是哪一年的口号`): a quotation names its
    /// notice as a document number does. None when no year, or several,
    /// hold them.
    pub(super) fn quoted_year(&self, q: &Question) -> Option<i32> {
        let mut found: Option<i32> = None;
        for phrase in quoted(q) {
            let mut years = self
                .passages_with_phrase(&phrase)
                .into_iter()
                .map(|i| self.passages[i].year);
            let year = years.next()?;
            if years.any(|y| y != year) || found.is_some_and(|f| f != year) {
                return None;
            }
            found = Some(year);
        }
        found
    }

    /// The notice a document number in the question belongs to: a notice's
    /// own number, or one quoted in its text (a national notice forwarded
    /// inside a provincial one), with the passage that quotes it.
    pub(super) fn doc_number_notice(&self, q: &Question) -> Option<(usize, Option<usize>)> {
        let asked = q.doc_number.as_ref()?;
        let own = self.notices.iter().position(|n| {
            n.doc_number
                .as_deref()
                .and_then(|d| DocRef::find(&compact(d)))
                .is_some_and(|(d, _)| d.same(asked))
        });
        if let Some(n) = own {
            return Some((n, None));
        }
        self.passages.iter().enumerate().find_map(|(i, p)| {
            let found = p.doc_ref.as_ref().is_some_and(|d| d.same(asked));
            found.then_some((p.notice, Some(i)))
        })
    }

    /// `国市监质〔2018〕131号是什么文件`: the notice the number names.
    pub(super) fn doc_number_answer(&self, q: &Question) -> Answer {
        let Some((n, at)) = self.doc_number_notice(q) else {
            return self.not_found(q, msg::not_found(q.lang));
        };
        let notice = &self.notices[n];
        let asked = q.raw.clone();
        let number = DocRef::find(&compact(&query::normalize(&asked)))
            .map(|(_, r)| compact(&query::normalize(&asked))[r].to_string())
            .unwrap_or_default();
        match at {
            None => {
                let text = msg::doc_number_of(q.lang, &number, &notice.title);
                let blocks = vec![self.block(text, std::slice::from_ref(&notice.title))];
                let cite = self.cite_notice(n, "文号", notice.doc_number.as_deref().unwrap_or(&notice.title));
                self.reply(q, true, blocks, vec![cite])
            }
            Some(pid) => {
                let p = &self.passages[pid];
                let marks = self.marks(q);
                let text = snippet(&p.text, &marks, SNIPPET_CHARS);
                let blocks = vec![
                    Block::plain(msg::doc_number_forwarded(q.lang, &number, &notice.title)),
                    self.block(text.clone(), &marks),
                ];
                self.reply(q, true, blocks, vec![self.cite(pid, &text)])
            }
        }
    }

    /// `质量月是几月`: the activity period each notice states (`活动时间`),
    /// the year asked or the newest one first.
    pub(super) fn period(&self, q: &Question, year: Option<i32>) -> Answer {
        self.opening(q, year, msg::period(q.lang), |_| true)
    }

    /// `质量月是谁主办的`: the sentences that open the notices, where the
    /// bodies that run the year's activity are named with its month.
    pub(super) fn organisers(&self, q: &Question, year: Option<i32>) -> Answer {
        self.opening(q, year, msg::organisers(q.lang), |text| {
            crate::query::asks::holds(query::Asks::Org, text)
        })
    }

    /// The opening statements of the year asked, or of the two newest years,
    /// that `keep` accepts, under `frame`.
    fn opening(&self, q: &Question, year: Option<i32>, frame: String, keep: impl Fn(&str) -> bool) -> Answer {
        let mut hits: Vec<&(usize, String)> = self
            .openings
            .iter()
            .filter(|(i, shown)| year.is_none_or(|y| self.passages[*i].year == y) && keep(shown))
            .collect();
        hits.dedup_by_key(|(i, _)| self.passages[*i].year);
        hits.truncate(2);
        if hits.is_empty() {
            return self.not_found(q, msg::not_found(q.lang));
        }
        let mut blocks = vec![Block::plain(frame)];
        let mut cites = Vec::new();
        for (pid, shown) in hits {
            let Some(m) = PERIOD.find(shown) else { continue };
            // The sentence that says it, not a window cut mid-sentence.
            let mut start = shown[..m.start()]
                .rfind(['。', '；', '\n'])
                .map_or(0, |b| b + '。'.len_utf8());
            // A long sentence from the clause that names the bodies.
            if shown[start..m.start()].chars().count() > 30 {
                start = shown[..m.start()].rfind('，').map_or(start, |b| b + '，'.len_utf8());
            }
            let end = shown[m.end()..]
                .find('。')
                .map_or(shown.len(), |b| m.end() + b + '。'.len_utf8());
            let marks = vec![m.as_str().to_string()];
            let text = snippet(&shown[start..end], &marks, SNIPPET_CHARS);
            blocks.push(self.block(text.clone(), &marks));
            cites.push(self.cite(*pid, &text));
        }
        self.reply(q, true, blocks, cites)
    }
}

/// A statement of when the year's activity runs (`活动时间：2023年9月`,
/// `定于2019年9月联合开展全国“质量月”活动`).
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:活动时间|时间)[:：为是]?\d{4}年\d{1,2}月|定于\d{4}年\d{1,2}月|\d{4}年\d{1,2}月(?:组织|联合)?(?:开展|举办)(?:全国)?“?质量月")
        .unwrap()
});

/// The passages of `passages` that state when the year's activity runs,
/// shown with a short heading above them (`二、活动时间`), newest year
/// first, then in order.
pub(super) fn openings(passages: &[Passage]) -> Vec<(usize, String)> {
    let with_heading = |i: usize| -> String {
        let p = &passages[i];
        match i.checked_sub(1).map(|h| &passages[h]) {
            Some(h) if h.notice == p.notice && h.compact.chars().count() <= 12 => {
                let sep = if h.compact.ends_with(['：', ':']) { "" } else { "：" };
                format!("{}{sep}{}", h.compact, p.compact)
            }
            _ => p.compact.clone(),
        }
    };
    let mut out: Vec<(usize, String)> = (0..passages.len())
        .map(|i| (i, with_heading(i)))
        .filter(|(_, shown)| PERIOD.is_match(shown))
        .collect();
    out.sort_by_key(|(i, _)| (std::cmp::Reverse(passages[*i].year), *i));
    out
}

/// The phrases the question quotes (`“质量强国有我”`, `《…》`), of four or
/// more characters, without whitespace.
pub(super) fn quoted(q: &Question) -> Vec<String> {
    static QUOTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"[“"「『《]([^“”"「」『』《》]{4,60})[”"」』》]"#).unwrap());
    // Most questions quote nothing: no regex search for them.
    if !q.norm.contains(['“', '"', '「', '『', '《']) {
        return Vec::new();
    }
    // The match without its quote marks (one character each): no capture
    // groups, which cost a slower search than finding the match does.
    QUOTED
        .find_iter(&q.norm)
        .map(|m| {
            let s = m.as_str();
            let inner = s.char_indices().nth(1).map_or(s.len(), |(b, _)| b);
            let close = s.char_indices().last().map_or(s.len(), |(b, _)| b);
            compact(&s[inner..close.max(inner)])
        })
        .filter(|p| p.chars().count() >= 4)
        .collect()
}
