//! Answer kind: the bodies that issued a notice jointly — the names listed
//! above its document number (`国家市场监督管理总局 / 中央宣传部 / … /
//! 国市监质〔2019〕162号`), also for a national notice forwarded inside a
//! provincial one.

use super::*;

/// One cell of a header: a body's name.
static BODY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[\p{Han}（）()]{2,24}(?:部|局|委员会|委|院|署|行|社|室|办公室|中心|联合会|协会|总会|工会|商会|团中央|台|会)$",
    )
    .unwrap()
});
/// A document number line.
static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[〔\[［]\s*\d{4}\s*[〕\]］]\s*\d+\s*号").unwrap());

/// The bodies listed above one document number.
pub(super) struct Header {
    year: i32,
    number: String,
    names: Vec<String>,
    /// The passages of the list, then the document number's.
    passages: Vec<usize>,
}

/// Every header of the notices (names above a document number), in reading
/// order; found at load.
pub(super) fn headers(all: &[Passage]) -> Vec<Header> {
    let mut out = Vec::new();
    for (i, p) in all.iter().enumerate() {
        if !matches!(p.kind, Kind::Meta | Kind::Table) || !DOC_NUMBER.is_match(&p.text) {
            continue;
        }
        let mut names: Vec<String> = Vec::new();
        let mut passages = Vec::new();
        let mut j = i;
        while j > 0 {
            j -= 1;
            let above = &all[j];
            if above.notice != p.notice || !matches!(above.kind, Kind::Meta | Kind::Table) {
                break;
            }
            let cells: Vec<&str> = above
                .text
                .split(['\t', '\n'])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            if cells.is_empty() || !cells.iter().all(|c| BODY.is_match(c)) {
                break;
            }
            passages.push(j);
            for c in cells.into_iter().rev() {
                names.push(c.to_string());
            }
        }
        names.reverse();
        let mut seen = std::collections::HashSet::new();
        names.retain(|n| seen.insert(n.clone()));
        passages.reverse();
        passages.push(i);
        if names.len() >= 2 {
            let number = DOC_NUMBER
                .find(&p.text)
                .map(|m| p.text[..m.end()].trim().to_string())
                .unwrap_or_default();
            out.push(Header {
                year: p.year,
                number: compact(&number),
                names,
                passages,
            });
        }
    }
    out
}

impl Engine {
    /// `2019年通知是哪些部门联合发的`: the longest header of the year's notices.
    pub(super) fn issuers(&self, q: &Question, year: Option<i32>) -> Answer {
        let Some(year) = year.or(self.latest_year()) else {
            return self.not_found(q, msg::not_found(q.lang));
        };
        let Some(h) = self
            .headers
            .iter()
            .filter(|h| h.year == year)
            .max_by_key(|h| h.names.len())
        else {
            return self.not_found(q, msg::not_found(q.lang));
        };
        let list = h.names.join("、");
        let blocks = vec![
            Block::plain(msg::issuers(q.lang, &h.number, h.names.len())),
            self.block(list.clone(), &[] as &[&str]),
        ];
        let first = h.passages[0];
        self.reply(q, true, blocks, vec![self.cite(first, &list)])
    }
}
