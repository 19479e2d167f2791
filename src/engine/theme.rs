//! Answer kind: the theme of a year (national, or a region's own).

use super::*;

impl Engine {
    pub(super) fn theme(&self, q: &Question, year: Option<i32>) -> Answer {
        let region = self.region_of(q);
        let mut years: Vec<i32> = match year {
            Some(y) => vec![y],
            None => self.themes.iter().map(|t| t.year).collect(),
        };
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        let mut blocks = Vec::new();
        let mut cites = Vec::new();
        // A region without a theme of its own gets the national theme as
        // context, but the notices do not answer the question.
        let mut substituted = false;
        for y in &years {
            let mut of_year: Vec<&Theme> = self.themes.iter().filter(|t| t.year == *y).collect();
            if let Some(r) = &region {
                if of_year.iter().any(|t| t.scope.region() == Some(r)) {
                    of_year.retain(|t| t.scope.region() == Some(r));
                } else {
                    of_year.retain(|t| t.scope.is_national());
                    if !of_year.is_empty() {
                        substituted = true;
                        blocks.push(Block::plain(msg::national_theme_for(q.lang, r)));
                    }
                }
            } else {
                // National first, then regional themes.
                of_year.sort_by_key(|t| !t.scope.is_national());
            }
            for t in of_year {
                let head = msg::theme(q.lang, t.year, &t.scope);
                let start = head.len();
                let text = format!("{head}{}", t.text);
                blocks.push(Block {
                    highlights: std::iter::once(start..text.len()).collect(),
                    text,
                });
                cites.push(self.cite(t.passage, &t.text));
            }
        }
        if cites.is_empty() {
            let with = sorted_years(self.themes.iter().map(|t| t.year));
            let y = year.unwrap_or_default();
            return self.not_found(q, msg::no_theme(q.lang, y, &with));
        }
        self.reply(q, !substituted, blocks, cites)
    }
}
