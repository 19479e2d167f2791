//! Answer kinds: every item of one kind in a year (各地, 各部门, 协会), and
//! the overview of a year.

use super::*;

impl Engine {
    /// A year and nothing else: which notices cover it, its theme when one
    /// is stated, and what else can be asked.
    pub(super) fn overview(&self, q: &Question, year: i32) -> Answer {
        let mut a = self.theme(q, Some(year));
        if !a.found {
            a.blocks.clear();
            a.found = true;
        }
        for (n, notice) in self.notices.iter().enumerate().filter(|(_, n)| n.year == year) {
            a.blocks.push(Block::plain(msg::notice_line(
                q.lang,
                &notice.title,
                notice.doc_number.as_deref(),
            )));
            if !a.citations.iter().any(|c| c.file == notice.file) {
                a.citations.push(self.cite_notice(n, "", &notice.title));
            }
        }
        a.blocks.push(Block::plain(msg::year_hint(q.lang, year)));
        a
    }

    pub(super) fn list(&self, q: &Question, year: i32, kind: EntityKind) -> Answer {
        let (zh, en) = match kind {
            EntityKind::Province => ("各地", "provinces"),
            EntityKind::City => ("各城市", "cities"),
            EntityKind::Ministry => ("联合主办单位", "organising ministries"),
            EntityKind::Association => ("相关联合会、协会", "associations"),
        };
        let kind_of = |name: &str| self.entities.iter().find(|e| e.name == name).map(|e| e.kind);
        let hits: Vec<usize> = (0..self.passages.len())
            .filter(|i| {
                let p = &self.passages[*i];
                p.year == year && p.kind == Kind::Item && p.who.first().and_then(|w| kind_of(w)) == Some(kind)
            })
            .collect();
        if hits.is_empty() {
            return self.not_found(q, msg::no_list(q.lang, year, zh, en));
        }
        let words = self.marks(q);
        let marks = text::Marks::new(&words);
        let mut blocks = vec![Block::plain(msg::list(q.lang, year, zh, en, hits.len()))];
        let mut cites = Vec::new();
        for i in hits {
            let p = &self.passages[i];
            blocks.push(self.block_marked(p.text.clone(), &marks, &[]));
            cites.push(self.cite(i, &p.text));
        }
        self.reply(q, true, blocks, cites)
    }
}
