//! Document numbers written in a question (`国市监质〔2018〕131号`).

use regex::Regex;
use std::sync::LazyLock;

/// A document number written in a question (`国市监质〔2018〕131号`, also
/// with `[]` or without brackets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRef {
    /// The issuer's prefix, e.g. `国市监质`.
    pub prefix: String,
    /// The year in the brackets.
    pub year: i32,
    /// The serial number.
    pub number: u32,
}

impl DocRef {
    /// Reads the first document number in `text`.
    pub fn find(text: &str) -> Option<(DocRef, std::ops::Range<usize>)> {
        static DOC: LazyLock<Regex> = LazyLock::new(|| {
            // The basic ideographs only: a small automaton (`\p{Han}` is a
            // large one, and no issuer's prefix needs more).
            Regex::new(
                r"([\x{4E00}-\x{9FFF}]{2,8}?)\s*(?:[〔\[［(（]\s*(\d{4})\s*[〕\]］)）]|(\d{4}))\s*第?\s*(\d{1,4})\s*号",
            )
            .unwrap()
        });
        // Every document number ends with digits and 号: most questions
        // have none, and `9月几号` has no digits before it.
        let numbered = text
            .match_indices('号')
            .any(|(at, _)| text[..at].trim_end().ends_with(|c: char| c.is_ascii_digit()));
        if !numbered {
            return None;
        }
        // The match by the fast automaton; the groups within it only.
        let m = DOC.find(text)?;
        let c = DOC.captures(&text[m.range()])?;
        let year = c.get(2).or(c.get(3))?.as_str().parse().ok()?;
        let number = c[4].parse().ok()?;
        Some((
            DocRef {
                prefix: c[1].to_string(),
                year,
                number,
            },
            m.range(),
        ))
    }

    /// Whether `other` is the same document (the prefix may be shortened).
    pub fn same(&self, other: &DocRef) -> bool {
        self.year == other.year
            && self.number == other.number
            && (self.prefix.ends_with(&other.prefix) || other.prefix.ends_with(&self.prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_before_hao_is_a_document_number() {
        let (d, r) = DocRef::find("国市监质〔2018〕131 号是什么文件").unwrap();
        assert_eq!((d.prefix.as_str(), d.year, d.number), ("国市监质", 2018, 131));
        assert_eq!(r.start, 0);
        let (d, _) = DocRef::find("质检总局2017第 65号").unwrap();
        assert_eq!((d.year, d.number), (2017, 65));
    }

    #[test]
    fn a_day_is_no_document_number() {
        assert!(DocRef::find("大会是9月几号开的").is_none());
        assert!(DocRef::find("2023年9月15号开幕吗").is_none());
        assert!(DocRef::find("一号文件").is_none());
    }
}
