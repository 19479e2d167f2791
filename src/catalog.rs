//! `data/catalog.toml`: one `[[notice]]` table per notice file.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::path::Path;

/// One notice as described in the catalog.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// The text file, relative to the data directory.
    pub file: String,
    /// The Quality Month year the notice is about.
    pub year: i32,
    /// The notice's title.
    pub title: String,
    /// Who issued it.
    #[serde(default)]
    pub issuer: Option<String>,
    /// The document number, e.g. 国市监质〔2019〕162号.
    #[serde(default)]
    pub doc_number: Option<String>,
    /// The date the notice states, `YYYY-MM-DD` (a TOML date or a string).
    #[serde(default, deserialize_with = "date")]
    pub date: Option<chrono::NaiveDate>,
    /// Where the notice was published.
    #[serde(default)]
    pub source_url: Option<String>,
}

impl Notice {
    /// The metadata the entry lacks, of `issuer`, `doc_number` and `date`.
    pub fn missing_metadata(&self) -> Vec<&'static str> {
        [
            ("issuer", self.issuer.is_none()),
            ("doc_number", self.doc_number.is_none()),
            ("date", self.date.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, missing)| missing.then_some(name))
        .collect()
    }
}

/// Accepts `date = 2019-08-22` (TOML date) and `date = "2019-08-22"`.
fn date<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<chrono::NaiveDate>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Toml(toml::value::Datetime),
    }
    let text = match Raw::deserialize(d)? {
        Raw::Text(s) => s,
        Raw::Toml(t) => t.to_string(),
    };
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("date {text:?} is not YYYY-MM-DD")))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    notice: Vec<Notice>,
}

/// Reads and checks `catalog.toml` in `dir`.
pub fn load(dir: &Path) -> Result<Vec<Notice>> {
    let path = dir.join("catalog.toml");
    let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    let invalid = |message: String| Error::Invalid {
        path: path.clone(),
        message,
    };
    let parsed: CatalogFile = toml::from_str(&text).map_err(|e| invalid(e.message().to_string()))?;
    if parsed.notice.is_empty() {
        return Err(invalid("no [[notice]] entries".to_string()));
    }
    for (i, n) in parsed.notice.iter().enumerate() {
        let at = format!("[[notice]] #{} (file = {:?})", i + 1, n.file);
        if n.file.trim().is_empty() {
            return Err(invalid(format!("{at}: `file` is empty")));
        }
        if !(1949..=2200).contains(&n.year) {
            return Err(invalid(format!("{at}: year {} is out of range", n.year)));
        }
        if n.title.trim().is_empty() {
            return Err(invalid(format!("{at}: `title` is empty")));
        }
        if !dir.join(&n.file).is_file() {
            return Err(invalid(format!("{at}: file not found in {}", dir.display())));
        }
    }
    Ok(parsed.notice)
}
