//! The slogan of the day: every slogan of every list in the corpus, in a
//! rotation fixed by the date alone, so every chat gets the same slogan on a
//! given day and no slogan comes back before all the others have been used.
//!
//! Days are grouped into cycles of `n` days (`n` = number of slogans). Each
//! cycle walks through a shuffle of all slogans, seeded by the cycle's number,
//! and a cycle never starts with the slogan the previous one ended with. A
//! new notice with slogans simply makes `n` larger: no code changes.

use crate::catalog::Notice;
use crate::engine::{Engine, SloganList};
use chrono::{Datelike, NaiveDate};

/// One slogan with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slogan {
    /// The slogan itself.
    pub text: String,
    /// The notice's year.
    pub year: i32,
    /// `全国`, or the region whose own list it is (e.g. `福建省`).
    pub scope: String,
    /// The list's heading.
    pub list_title: String,
    /// The notice's title.
    pub notice_title: String,
    /// The notice's document number, when it has one.
    pub doc_number: Option<String>,
    /// The section of the notice holding the list (e.g. `附件4`).
    pub section: String,
    /// The slogan's number in its list, from 1.
    pub number: usize,
}

impl Slogan {
    /// Whether the slogan comes from a region's own list rather than a
    /// national one.
    pub fn is_regional(&self) -> bool {
        self.scope != "全国"
    }
}

/// All slogans of the corpus in a stable order.
#[derive(Debug, Clone, Default)]
pub struct Rotation {
    slogans: Vec<Slogan>,
}

impl Rotation {
    /// Collects the slogans of `lists`; `notices` resolves their notice
    /// indices. Blank items are left out. The order does not depend on the
    /// order of the lists.
    pub fn new(lists: &[SloganList], notices: &[Notice]) -> Rotation {
        let mut slogans: Vec<Slogan> = lists
            .iter()
            .flat_map(|list| {
                let notice = notices.get(list.notice);
                list.items
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| !s.trim().is_empty())
                    .map(move |(i, text)| Slogan {
                        text: text.trim().to_string(),
                        year: list.year,
                        scope: list.scope.to_string(),
                        list_title: list.title.clone(),
                        notice_title: notice.map(|n| n.title.clone()).unwrap_or_default(),
                        doc_number: notice.and_then(|n| n.doc_number.clone()),
                        section: list.section.clone(),
                        number: i + 1,
                    })
            })
            .collect();
        slogans.sort_by(|a, b| {
            (a.year, &a.scope, &a.notice_title, &a.section, &a.list_title, a.number).cmp(&(
                b.year,
                &b.scope,
                &b.notice_title,
                &b.section,
                &b.list_title,
                b.number,
            ))
        });
        // The same slogan in two lists (人人创造质量 人人享受质量 is in Fujian's
        // 2018 list and the 2023 national one) is used once a cycle, from a
        // national list when it has one, else from the earliest.
        let key = |s: &Slogan| s.text.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut keep = vec![true; slogans.len()];
        for (i, s) in slogans.iter().enumerate() {
            match first.get(&key(s)).copied() {
                None => {
                    first.insert(key(s), i);
                }
                Some(j) if slogans[j].scope != "全国" && s.scope == "全国" => {
                    keep[j] = false;
                    first.insert(key(s), i);
                }
                Some(_) => keep[i] = false,
            }
        }
        let mut i = 0;
        slogans.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        Rotation { slogans }
    }

    /// The rotation over the engine's slogan lists.
    pub fn from_engine(engine: &Engine) -> Rotation {
        Rotation::new(engine.slogan_lists(), engine.notices())
    }

    /// How many slogans take part.
    pub fn len(&self) -> usize {
        self.slogans.len()
    }

    /// The slogans in rotation order.
    pub fn iter(&self) -> impl Iterator<Item = &Slogan> {
        self.slogans.iter()
    }

    /// True when the corpus has no slogans.
    pub fn is_empty(&self) -> bool {
        self.slogans.is_empty()
    }

    /// The slogan of `date`, or `None` when there are no slogans.
    pub fn for_date(&self, date: NaiveDate) -> Option<&Slogan> {
        let n = self.slogans.len() as i64;
        if n == 0 {
            return None;
        }
        let day = i64::from(date.num_days_from_ce());
        let (cycle, pos) = (day.div_euclid(n), day.rem_euclid(n) as usize);
        if n <= 2 {
            return self.slogans.get(pos);
        }
        let mut order = shuffle(n as usize, cycle);
        let prev = shuffle(n as usize, cycle - 1);
        if order[0] == prev[n as usize - 1] {
            // Positions 0 and 1 only; the cycle's last slogan stays put, so
            // the next cycle can check against `shuffle` alone.
            order.swap(0, 1);
        }
        self.slogans.get(order[pos])
    }
}

/// A permutation of `0..n` fixed by `seed` (Fisher–Yates over SplitMix64).
fn shuffle(n: usize, seed: i64) -> Vec<usize> {
    let mut state = (seed as u64) ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn notice(year: i32, title: &str) -> Notice {
        Notice {
            file: format!("{year}.txt"),
            year,
            title: title.to_string(),
            issuer: None,
            doc_number: Some(format!("国市监质〔{year}〕1号")),
            date: None,
            source_url: None,
        }
    }

    fn list(year: i32, scope: &str, notice: usize, n: usize) -> SloganList {
        SloganList {
            year,
            scope: scope.into(),
            title: format!("{year}年{scope}质量月宣传口号"),
            notice,
            section: "附件".to_string(),
            items: (1..=n).map(|i| format!("{scope}{year}口号{i}")).collect(),
        }
    }

    fn corpus() -> Rotation {
        let notices = vec![notice(2018, "福建转发通知"), notice(2019, "2019年质量月通知")];
        Rotation::new(&[list(2019, "全国", 1, 7), list(2018, "福建省", 0, 4)], &notices)
    }

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Duration::days(n)
    }

    #[test]
    fn empty_corpus_has_no_slogan() {
        let r = Rotation::new(&[], &[]);
        assert!(r.is_empty());
        assert_eq!(r.for_date(day(0)), None);
        // Lists with only blank items count as empty.
        let mut l = list(2019, "全国", 0, 0);
        l.items = vec!["  ".into()];
        assert!(Rotation::new(&[l], &[notice(2019, "x")]).for_date(day(0)).is_none());
    }

    #[test]
    fn a_slogan_in_two_lists_is_used_once_from_the_national_list() {
        let notices = vec![notice(2018, "福建转发通知"), notice(2023, "2023年质量月通知")];
        let mut fj = list(2018, "福建省", 0, 2);
        fj.items.push("人人创造质量 人人享受质量".into());
        let mut cn = list(2023, "全国", 1, 2);
        cn.items.push("人人创造质量  人人享受质量".into());
        let r = Rotation::new(&[fj, cn], &notices);
        assert_eq!(r.len(), 5);
        let n = r.len() as i64;
        let start = (0..n).find(|d| i64::from(day(*d).num_days_from_ce()) % n == 0).unwrap();
        let cycle: Vec<&Slogan> = (0..n).map(|d| r.for_date(day(start + d)).unwrap()).collect();
        let shared: Vec<&&Slogan> = cycle.iter().filter(|s| s.text.starts_with("人人创造质量")).collect();
        assert_eq!(shared.len(), 1, "{shared:?}");
        assert!(r
            .slogans
            .iter()
            .any(|s| s.text.starts_with("人人创造质量") && s.scope == "全国"));
    }

    #[test]
    fn same_date_same_slogan() {
        let (a, b) = (corpus(), corpus());
        for d in 0..50 {
            assert_eq!(a.for_date(day(d)), b.for_date(day(d)));
        }
    }

    #[test]
    fn every_cycle_uses_all_slogans_once() {
        let r = corpus();
        let n = r.len() as i64;
        assert_eq!(n, 11);
        // Find the start of a cycle and check several whole cycles.
        let start = (0..n).find(|d| i64::from(day(*d).num_days_from_ce()) % n == 0).unwrap();
        for c in 0..20 {
            let seen: HashSet<_> = (0..n)
                .map(|i| r.for_date(day(start + c * n + i)).unwrap().text.clone())
                .collect();
            assert_eq!(seen.len(), n as usize, "cycle {c} repeats a slogan");
        }
    }

    #[test]
    fn never_the_same_slogan_two_days_running() {
        for r in [
            corpus(),
            Rotation::new(&[list(2019, "全国", 0, 2)], &[notice(2019, "x")]),
        ] {
            for d in 0..400 {
                assert_ne!(r.for_date(day(d)), r.for_date(day(d + 1)), "day {d}");
            }
        }
    }

    #[test]
    fn order_of_lists_does_not_matter() {
        let notices = vec![notice(2018, "福建转发通知"), notice(2019, "2019年质量月通知")];
        let b = Rotation::new(&[list(2018, "福建省", 0, 4), list(2019, "全国", 1, 7)], &notices);
        let a = corpus();
        for d in 0..30 {
            assert_eq!(a.for_date(day(d)), b.for_date(day(d)));
        }
    }

    #[test]
    fn slogans_carry_their_source() {
        let r = corpus();
        // Two cycles' worth of days hold at least one whole cycle.
        let all: Vec<&Slogan> = (0..22).map(|d| r.for_date(day(d)).unwrap()).collect();
        let fj = all.iter().find(|s| s.text == "福建省2018口号3").unwrap();
        assert_eq!(fj.number, 3);
        assert_eq!(fj.year, 2018);
        assert_eq!(fj.notice_title, "福建转发通知");
        assert!(fj.is_regional());
        let national = all.iter().find(|s| s.text == "全国2019口号7").unwrap();
        assert_eq!(national.number, 7);
        assert_eq!(national.notice_title, "2019年质量月通知");
        assert_eq!(national.doc_number.as_deref(), Some("国市监质〔2019〕1号"));
        assert!(!national.is_regional());
    }

    #[test]
    fn a_new_list_joins_the_rotation() {
        let notices = vec![
            notice(2018, "福建转发通知"),
            notice(2019, "2019年质量月通知"),
            notice(2025, "2025年通知"),
        ];
        let r = Rotation::new(
            &[
                list(2019, "全国", 1, 7),
                list(2018, "福建省", 0, 4),
                list(2025, "全国", 2, 3),
            ],
            &notices,
        );
        assert_eq!(r.len(), 14);
        let seen: HashSet<_> = (0..14 * 3).map(|d| r.for_date(day(d)).unwrap().text.clone()).collect();
        assert!(seen.contains("全国2025口号2"));
    }
}
