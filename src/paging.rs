//! Long answers as pages: one Telegram message that shows one page at a
//! time, with a row of buttons `◀ 上一页 · 2/5 · 下一页 ▶` under it. Pure
//! functions that send nothing; the Telegram side is `crate::bot::paged`.
//!
//! - The pages are the messages [`crate::format`] splits an answer into
//!   (each within [`crate::format::MESSAGE_BUDGET`]); an answer that fits in
//!   one message has no pages and no buttons ([`needs_pages`]).
//! - The pages themselves are kept server-side (`crate::storage::pages`)
//!   under a short [`PageId`]; a button carries only that id and a page
//!   number ([`Press`]), well within Telegram's 64 bytes of `callback_data`.
//! - [`keyboard`] lays out the row: the previous page (absent on the first),
//!   the position (a button that changes nothing), the next page (absent on
//!   the last).

/// The label of the button to the previous page.
pub const PREVIOUS: &str = "◀ 上一页";
/// The label of the button to the next page.
pub const NEXT: &str = "下一页 ▶";

/// What every page button's `callback_data` starts with.
const PREFIX: &str = "pg";

/// Telegram's limit on `callback_data`, in bytes.
pub const CALLBACK_DATA_LIMIT: usize = 64;

/// The longest id a button carries.
const MAX_ID_LEN: usize = 32;

/// The id of a stored paged answer: 1 to 32 characters of `0-9a-z`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageId(String);

impl PageId {
    /// Checks an id read from a button or the store.
    pub fn parse(text: &str) -> Option<PageId> {
        let ok = !text.is_empty()
            && text.len() <= MAX_ID_LEN
            && text.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
        ok.then(|| PageId(text.to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a page button asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Press {
    /// Show page `page` (1-based) of answer `id`.
    Go {
        /// The stored answer.
        id: PageId,
        /// The page to show.
        page: usize,
    },
    /// The position button: changes nothing.
    Position {
        /// The page shown.
        page: usize,
        /// How many pages there are.
        pages: usize,
    },
}

impl Press {
    /// The button's `callback_data`: `pg:<id>:<page>` or `pg:at:<page>/<pages>`.
    pub fn encode(&self) -> String {
        match self {
            Press::Go { id, page } => format!("{PREFIX}:{}:{page}", id.as_str()),
            Press::Position { page, pages } => format!("{PREFIX}:at:{page}/{pages}"),
        }
    }

    /// Reads a button's `callback_data`; `None` for anything else (stale
    /// buttons of older versions, forged data).
    pub fn decode(data: &str) -> Option<Press> {
        if data.len() > CALLBACK_DATA_LIMIT {
            return None;
        }
        let rest = data.strip_prefix(PREFIX)?.strip_prefix(':')?;
        let (head, tail) = rest.split_once(':')?;
        let number = |s: &str| -> Option<usize> {
            let ok = !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
            s.parse().ok().filter(|&n| ok && n >= 1)
        };
        if head == "at" {
            let (page, pages) = tail.split_once('/')?;
            let (page, pages) = (number(page)?, number(pages)?);
            return (page <= pages).then_some(Press::Position { page, pages });
        }
        Some(Press::Go {
            id: PageId::parse(head)?,
            page: number(tail)?,
        })
    }
}

/// One inline button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    /// What it shows.
    pub label: String,
    /// Its `callback_data`.
    pub data: String,
}

/// The button row under page `page` (1-based, clamped) of `pages` pages:
/// previous (not on the first page), position, next (not on the last).
/// Empty for a single page.
pub fn keyboard(id: &PageId, page: usize, pages: usize) -> Vec<Button> {
    if pages <= 1 {
        return Vec::new();
    }
    let page = page.clamp(1, pages);
    let go = |label: &str, page: usize| Button {
        label: label.to_string(),
        data: Press::Go { id: id.clone(), page }.encode(),
    };
    let mut row = Vec::with_capacity(3);
    if page > 1 {
        row.push(go(PREVIOUS, page - 1));
    }
    row.push(Button {
        label: format!("{page}/{pages}"),
        data: Press::Position { page, pages }.encode(),
    });
    if page < pages {
        row.push(go(NEXT, page + 1));
    }
    row
}

/// Whether a reply already split into messages is paged: when it does not
/// fit in one message. Its pages are then those messages, in order.
pub fn needs_pages(messages: &[String]) -> bool {
    messages.len() > 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> PageId {
        PageId::parse("0123456789abcdef").unwrap()
    }

    #[test]
    fn ids_are_short_lowercase_alphanumerics() {
        assert!(PageId::parse("abc123").is_some());
        for bad in ["", "ABC", "a:b", "a/b", "页", &"a".repeat(33)] {
            assert!(PageId::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn presses_round_trip_within_64_bytes() {
        let long = PageId::parse(&"z".repeat(MAX_ID_LEN)).unwrap();
        for press in [
            Press::Go { id: id(), page: 1 },
            Press::Go { id: long, page: 9999 },
            Press::Position { page: 2, pages: 5 },
            Press::Position {
                page: 9999,
                pages: 9999,
            },
        ] {
            let data = press.encode();
            assert!(data.len() <= CALLBACK_DATA_LIMIT, "{data}");
            assert_eq!(Press::decode(&data), Some(press), "{data}");
        }
        assert_eq!(Press::Go { id: id(), page: 2 }.encode(), "pg:0123456789abcdef:2");
    }

    #[test]
    fn anything_else_is_not_a_press() {
        for bad in [
            "",
            "page:2",
            "pg",
            "pg:",
            "pg:abc",
            "pg:abc:",
            "pg:abc:0",
            "pg:abc:-1",
            "pg:abc:+1",
            "pg:abc:1x",
            "pg:abc:99999",
            "pg:ABC:1",
            "pg:at:3/2",
            "pg:at:1",
            "pg:at:0/2",
            "pgx:abc:1",
            "pg:abc:1:2",
        ] {
            assert_eq!(Press::decode(bad), None, "{bad:?}");
        }
        assert_eq!(Press::decode(&format!("pg:abc:1{}", " ".repeat(70))), None);
    }

    #[test]
    fn keyboard_shows_previous_position_next() {
        let labels = |page| -> Vec<String> { keyboard(&id(), page, 5).into_iter().map(|b| b.label).collect() };
        assert_eq!(labels(1), vec!["1/5", NEXT]);
        assert_eq!(labels(2), vec![PREVIOUS, "2/5", NEXT]);
        assert_eq!(labels(5), vec![PREVIOUS, "5/5"]);
        assert_eq!(labels(9), vec![PREVIOUS, "5/5"], "clamped to the last page");
        let row = keyboard(&id(), 2, 5);
        assert_eq!(Press::decode(&row[0].data), Some(Press::Go { id: id(), page: 1 }));
        assert_eq!(Press::decode(&row[1].data), Some(Press::Position { page: 2, pages: 5 }));
        assert_eq!(Press::decode(&row[2].data), Some(Press::Go { id: id(), page: 3 }));
        assert!(keyboard(&id(), 1, 1).is_empty());
    }

    #[test]
    fn only_replies_longer_than_one_message_have_pages() {
        assert!(!needs_pages(&[]));
        assert!(!needs_pages(&["a".into()]));
        assert!(needs_pages(&["a".into(), "b".into()]));
    }
}
