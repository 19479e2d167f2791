//! Answer kind: who did what — the items of a ministry, association,
//! region or city.

use super::*;

/// The share of a particular question's rare words a passage naming a body
/// must hold, in a year that lost who did what.
const ITEM_SHARE: f32 = 0.5;

impl Engine {
    pub(super) fn items(&self, q: &Question, year: Option<i32>) -> Answer {
        let marks = self.marks(q);
        let mut blocks = Vec::new();
        let mut cites = Vec::new();
        let mut missing = Vec::new();
        let strong = self.strong_terms(q);
        // The kind of fact asked for, which an item must state to answer.
        let asked = q.asks.filter(|a| *a != query::Asks::Name && !q.intent.activities);
        let members = guards::members_asked(q);
        let marker = std::cell::OnceCell::new();
        // A year whose text lost the names of who did what (the 2017 PDF):
        // a passage that names a body is not its item, and the question's
        // other words may still find the passage.
        let names_lost = year.is_some_and(|y| {
            !self
                .passages
                .iter()
                .any(|p| p.year == y && p.kind == Kind::Item && !p.who.is_empty())
        });
        // The rare words not part of a longer one (`联席` of `联席会议`), in
        // such a year only.
        let particular: Vec<&str> = match names_lost {
            true => strong
                .iter()
                .copied()
                .filter(|t| !strong.iter().any(|u| u.len() > t.len() && u.contains(*t)))
                .collect(),
            false => Vec::new(),
        };
        for e in &q.entities {
            let ent = &self.entities[*e];
            let mut hits: Vec<usize> = self
                .passages_of(&ent.name)
                .iter()
                .copied()
                .filter(|i| year.is_none_or(|y| self.passages[*i].year == y))
                .collect();
            // Newest first; within a year, reading order.
            hits.sort_by_key(|i| (std::cmp::Reverse(self.passages[*i].year), *i));
            if year.is_none() {
                let newest: Vec<i32> = {
                    let mut ys: Vec<i32> = hits.iter().map(|i| self.passages[*i].year).collect();
                    ys.dedup();
                    ys.into_iter().take(3).collect()
                };
                hits.retain(|i| newest.contains(&self.passages[*i].year));
            }
            // A question about something the items never mention
            // (`福建…实施方案要求什么时候完成`) is not asking what the body did.
            if !strong.is_empty()
                && !hits
                    .iter()
                    .any(|i| strong.iter().any(|t| self.passages[*i].lower.contains(*t)))
            {
                hits.clear();
            }
            // Where that passage is only text that names the body, it must
            // hold what a particular question (two or more rare words) asks
            // about, at least half of it (`质检总局会同…成员单位要搞什么考核`
            // stands in a passage of its own).
            if names_lost && particular.len() >= 2 {
                hits.retain(|i| {
                    let held = particular
                        .iter()
                        .filter(|t| self.passages[*i].lower.contains(**t))
                        .count();
                    held as f32 >= particular.len() as f32 * ITEM_SHARE
                });
            }
            // `…第几届`, `…什么时候交`: only an item that states such a fact.
            if let Some(a) = asked {
                hits.retain(|i| states(q, a, &self.passages[*i].text));
            }
            // `…“江苏精品”具体是哪些`: an item that names the set without
            // listing it does not say which.
            hits.retain(|i| !self.names_unlisted(&members, *i));
            if hits.is_empty() {
                missing.push(*e);
                continue;
            }
            let marker = marker.get_or_init(|| text::Marks::new(&marks));
            for i in hits {
                let p = &self.passages[i];
                let en = ent.en.first().map(|s| title_case(s));
                blocks.push(Block::plain(msg::item(q.lang, p.year, &ent.name, en.as_deref())));
                blocks.push(self.block_marked(p.text.clone(), marker, &[]));
                cites.push(self.cite(i, &p.text));
            }
        }
        if !cites.is_empty() {
            return self.reply(q, true, blocks, cites);
        }
        let e = &self.entities[missing[0]];
        let topics = &e.topics;
        if names_lost && (!q.terms.is_empty() || !topics.is_empty()) {
            let mut unnamed = q.clone();
            unnamed.entities.clear();
            unnamed.terms.retain(|t| self.known(t));
            for t in topics {
                if !unnamed.terms.iter().any(|x| x == t) {
                    unnamed.terms.push(t.to_string());
                }
                unnamed.marks.push(t.to_string());
            }
            let mut a = self.search(&unnamed, year);
            if a.found {
                a.blocks.insert(
                    0,
                    Block::plain(msg::names_lost(q.lang, year.unwrap_or_default(), &e.name)),
                );
                return a;
            }
        }
        // No item names the body: look in the text of that year for it.
        let stems = e.stems();
        let mut terms: Vec<String> = q.terms.clone();
        for s in &stems {
            for t in crate::tokenizer::terms(&self.jieba, s) {
                if !terms.iter().any(|x| *x == t.text) {
                    terms.push(t.text.into_owned());
                }
            }
        }
        let region_docs: Vec<usize> = (0..self.notices.len())
            .filter(|n| {
                self.regions[*n].as_deref() == Some(e.name.as_str()) && year.is_none_or(|y| self.notices[*n].year == y)
            })
            .collect();
        // A question for a fact (`哪天`, `多少册`) is left to the search, which
        // finds it in a sentence about what the question names, not in any
        // passage naming the body.
        let hits = match asked {
            None => self.index.search(&terms, year, 40),
            Some(_) => Vec::new(),
        };
        let mut good: Vec<usize> = hits
            .into_iter()
            .map(|(pid, _)| pid)
            .filter(|pid| !self.names_unlisted(&members, *pid))
            .filter(|pid| {
                let p = &self.passages[*pid];
                // The body must be what the passage is about: its full name
                // once, or the short stem (水利 for 水利部) more than once.
                // In a year whose items name their bodies, only the full name
                // counts (教育 in 宣传教育 is not 教育部).
                matches!(p.kind, Kind::Item | Kind::Body | Kind::Contact)
                    && (e
                        .names
                        .iter()
                        .any(|n| n.chars().count() >= 3 && p.text.contains(n.as_str()))
                        || names_lost && stems.iter().any(|s| p.text.matches(s.as_str()).count() >= 2)
                        || region_docs.contains(&p.notice))
            })
            .take(2)
            .collect();
        if good.is_empty() {
            // A region's own notice: its body is what it did.
            good = (0..self.passages.len())
                .filter(|i| {
                    let p = &self.passages[*i];
                    region_docs.contains(&p.notice)
                        && p.kind == Kind::Body
                        && p.section.starts_with("正文")
                        // Its own notice is about the region: a date or a
                        // count asked may stand in its body (a place or a body
                        // is left to the search, which reads it in a sentence
                        // about what is asked).
                        && asked.is_none_or(|a| {
                            matches!(a, query::Asks::Date | query::Asks::Number) && states(q, a, &p.text)
                        })
                })
                .take(4)
                .collect();
        }
        if !good.is_empty() {
            let mut marks = marks;
            marks.extend(stems.iter().map(String::as_str));
            blocks.push(Block::plain(msg::search(q.lang, year)));
            for pid in good {
                let text = snippet(&self.passages[pid].text, &marks, SNIPPET_CHARS * 2);
                blocks.push(self.block(text.clone(), &marks));
                cites.push(self.cite(pid, &text));
            }
            return self.reply(q, true, blocks, cites);
        }
        let other = sorted_years(self.passages_of(&e.name).iter().map(|i| self.passages[*i].year));
        let reason = match year {
            Some(y) if names_lost => msg::names_lost_none(q.lang, y, &e.name),
            Some(y) => msg::no_item(q.lang, y, &e.name, &other),
            None => msg::no_item_any(q.lang, &e.name),
        };
        self.not_found(q, reason)
    }
}

/// Whether `text` states the kind of fact `q` asks for: a count in the unit
/// asked (`3000 册` for `多少册`), or any fact of that kind.
fn states(q: &Question, asks: query::Asks, text: &str) -> bool {
    match (asks, query::asks::unit(&q.norm)) {
        (query::Asks::Number, Some(unit)) => query::asks::counts_in(unit, text),
        _ => query::asks::holds(asks, text),
    }
}
