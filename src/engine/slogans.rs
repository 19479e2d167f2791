//! Answer kind: the slogan lists of a year.

use super::*;
use std::fmt::Write as _;

impl Engine {
    pub(super) fn slogans(&self, q: &Question, year: Option<i32>) -> Answer {
        let region = self.region_of(q);
        let with = sorted_years(self.slogans.iter().map(|s| s.year));
        let Some(y) = year.or_else(|| with.last().copied()) else {
            return self.not_found(q, msg::not_found(q.lang));
        };
        let mut lists: Vec<&SloganList> = self
            .slogans
            .iter()
            .filter(|s| s.year == y && !self.set_aside(q, &s.scope))
            .collect();
        let mut notes = Vec::new();
        // Given as context when the list asked for does not exist.
        let mut substituted = false;
        if let Some(r) = &region {
            if lists.iter().any(|s| s.scope.region() == Some(r)) {
                lists.retain(|s| s.scope.region() == Some(r));
            } else if lists.iter().any(|s| s.scope.is_national()) {
                substituted = true;
                notes.push(Block::plain(msg::national_slogans_for(q.lang, r)));
            }
        }
        let national_asked = ["国家层面", "全国统一", "national list", "national slogans"]
            .iter()
            .any(|w| q.lower.contains(w));
        lists.sort_by_key(|s| !s.scope.is_national());
        if lists.is_empty() {
            return self.not_found(q, msg::no_slogans(q.lang, y, &with));
        }
        let words = self.marks(q);
        let marks = text::Marks::new(&words);
        let mut blocks = notes;
        if lists.iter().all(|s| !s.scope.is_national()) {
            substituted |= national_asked;
            blocks.push(Block::plain(msg::regional_list_only(q.lang, y, &lists[0].scope)));
        }
        let mut cites = Vec::new();
        for s in lists {
            let mut text = msg::slogans(q.lang, s.year, &s.scope, s.items.len());
            for (i, item) in s.items.iter().enumerate() {
                let _ = write!(text, "\n{}. {}", i + 1, item);
            }
            blocks.push(self.block_marked(text, &marks, &[]));
            cites.push(self.cite_notice(s.notice, &s.section, &s.items.join("；")));
        }
        self.reply(q, !substituted, blocks, cites)
    }
}
