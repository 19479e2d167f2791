//! Answer kind: the theme of a year (national, or a region's own).

use super::*;

impl Engine {
    pub(super) fn theme(&self, q: &Question, year: Option<i32>) -> Answer {
        let region = self.region_of(q);
        let national_too = asks_national_too(&q.norm);
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
            let mut of_year: Vec<&Theme> = self
                .themes
                .iter()
                .filter(|t| t.year == *y && !self.set_aside(q, &t.scope))
                .collect();
            if let Some(r) = &region {
                if of_year.iter().any(|t| t.scope.region() == Some(r)) {
                    // `福建的主题和全国的有什么不同`: the national theme too, after.
                    of_year.retain(|t| t.scope.region() == Some(r) || national_too && t.scope.is_national());
                    of_year.sort_by_key(|t| t.scope.is_national());
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

/// Whether a question about a region's theme asks for the national one
/// too: it names 全国 other than in the event's name (`福建和全国的主题`),
/// or compares (`和全国质量月的主题有什么不同`).
fn asks_national_too(norm: &str) -> bool {
    static COMPARE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"区别|不同|不一样|差别|差异|相比|比较|对比|一样吗|相同").unwrap());
    let scope = norm.match_indices("全国").any(|(b, w)| {
        let rest = norm[b + w.len()..].trim_start_matches(['“', '"', '「']);
        !rest.starts_with("质量月")
    });
    norm.contains("全国") && (scope || COMPARE.is_match(norm))
}

#[cfg(test)]
mod tests {
    use super::asks_national_too;

    #[test]
    fn the_national_theme_is_asked_too_where_the_question_compares_or_names_the_nation() {
        assert!(asks_national_too("2018年全国质量月主题和福建的主题有啥不一样"));
        assert!(asks_national_too("福建和全国的主题"));
        assert!(!asks_national_too("福建省2018年全国质量月主题"));
        assert!(!asks_national_too("福建2018年“质量月”主题是什么"));
    }
}
