//! Reading a corpus directory: the one loader behind both [`crate::Engine`]
//! and `qmbot check`, so that the check reports exactly what the bot reads.
//!
//! [`Corpus::load`] reads `catalog.toml` ([`crate::catalog`]), every notice
//! file it lists, repairs their glyphs once ([`crate::repair`]) and reads the
//! vocabulary ([`crate::lexicon`], the shipped one when the directory has
//! none). [`Corpus::parse`] structures one notice with the bodies the
//! vocabulary knows ([`Corpus::known`]).

use crate::catalog::{self, Notice};
use crate::entities::Registry;
use crate::error::{Error, Result};
use crate::lexicon::Lexicon;
use crate::parse::{self, Parsed};
use std::path::Path;

/// The notices of a corpus, their repaired texts and the vocabulary.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The catalog entries, in catalog order.
    pub notices: Vec<Notice>,
    /// Each notice's text, glyphs repaired (same order as `notices`).
    pub texts: Vec<String>,
    /// The vocabulary of `lexicon.toml`.
    pub lexicon: Lexicon,
    /// The bodies the parser recognises: the provinces and the lexicon's.
    pub known: Registry,
}

impl Corpus {
    /// Reads `dir/catalog.toml`, every notice it lists (repaired) and
    /// `dir/lexicon.toml`. A missing directory, a broken catalog or lexicon
    /// or an unreadable notice is an error naming the file.
    pub fn load(dir: &Path) -> Result<Corpus> {
        if !dir.is_dir() {
            return Err(Error::Invalid {
                path: dir.to_path_buf(),
                message: "data directory not found".to_string(),
            });
        }
        let notices = catalog::load(dir)?;
        let mut raw = Vec::with_capacity(notices.len());
        for n in &notices {
            let path = dir.join(&n.file);
            raw.push(std::fs::read_to_string(&path).map_err(|source| Error::Io { path, source })?);
        }
        let lexicon = Lexicon::load(dir)?;
        Ok(Corpus::from_texts(lexicon, notices, &raw))
    }

    /// A corpus from a lexicon, catalog entries and their raw texts (repaired here).
    pub fn from_texts(lexicon: Lexicon, notices: Vec<Notice>, raw: &[String]) -> Corpus {
        let known = Registry::new(lexicon.entities());
        Corpus {
            texts: raw.iter().map(|t| crate::repair::repair(t)).collect(),
            notices,
            lexicon,
            known,
        }
    }

    /// The structure of the notice at `i`, as the engine reads it.
    pub fn parse(&self, i: usize) -> Parsed {
        parse_notice(&self.notices[i], &self.texts[i], &self.known)
    }
}

/// The bodies the parser recognises in the corpus at `dir`: the provinces
/// and those of `dir/lexicon.toml` (of the shipped lexicon when there is none).
pub fn known_bodies(dir: &Path) -> Result<Registry> {
    Ok(Registry::new(Lexicon::load(dir)?.entities()))
}

/// Parses one notice's repaired text with the bodies `known`; the issuer
/// decides whose own theme an inline `活动主题确定为“…”` is.
pub fn parse_notice(notice: &Notice, text: &str, known: &Registry) -> Parsed {
    parse::parse(text, notice.issuer.as_deref(), known)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice() -> Notice {
        Notice {
            file: "n2030.txt".into(),
            year: 2030,
            title: "2030年质量月通知".into(),
            issuer: None,
            doc_number: None,
            date: None,
            source_url: None,
        }
    }

    #[test]
    fn items_are_about_the_bodies_of_the_corpus_lexicon() -> Result<()> {
        let text = "附件3\n\n2030年全国“质量月”各地开展的主要活动\n\n一、苏州市举办质量嘉年华活动，发布质量白皮书。\n"
            .to_string();
        let item_who = |corpus: &Corpus| {
            corpus
                .parse(0)
                .passages
                .iter()
                .find(|p| p.text.contains("嘉年华"))
                .map(|p| p.who.clone())
        };
        let shipped = Corpus::from_texts(Lexicon::shipped(), vec![notice()], std::slice::from_ref(&text));
        assert_eq!(item_who(&shipped), Some(Vec::new()));
        let own = Lexicon::parse(
            "[[entity]]\nname = \"苏州市\"\nkind = \"city\"\n",
            Path::new("lexicon.toml"),
        )?;
        let corpus = Corpus::from_texts(own, vec![notice()], &[text]);
        assert_eq!(item_who(&corpus), Some(vec!["苏州市".to_string()]));
        Ok(())
    }

    #[test]
    fn texts_are_repaired_once_at_load() {
        let corpus = Corpus::from_texts(Lexicon::shipped(), vec![notice()], &["质量収展".to_string()]);
        assert_eq!(corpus.texts, vec!["质量发展".to_string()]);
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_it() {
        let err = Corpus::load(Path::new("/nonexistent/qmbot-data")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/qmbot-data"), "{err}");
    }
}
