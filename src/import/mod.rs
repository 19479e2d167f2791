//! `qmbot import`: turns a published notice (PDF, DOCX, web page or plain
//! text) into a clean text file and a `[[notice]]` catalog entry.
//!
//! The life of an import: [`extract`] reads each file's text (one module per
//! format); [`clean`] repairs wrong glyphs ([`crate::repair`]) and joins the
//! lines a PDF broke in mid-sentence with the parser's own rule
//! ([`crate::parse::paragraphs`]); [`meta`] reads the year, title, document
//! number, signature date and issuer from the text; [`propose`] puts this
//! together as a [`Proposal`], which [`write`] adds to the data directory
//! (the text file and the catalog entry) unless it is already there.
//!
//! A file that cannot be read gives an [`ImportError`] whose message is one
//! line naming the file and the reason; no input makes it panic.

pub mod docx;
pub mod html;
pub mod meta;
pub mod pdf;

use crate::catalog::{self, Notice};
use crate::entities::Registry;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// The file could not be read.
    #[error("cannot read it ({0})")]
    Io(#[from] std::io::Error),
    /// The file's type is not one that import reads.
    #[error("unsupported file type {0}: import reads .pdf, .docx, .html, .htm and .txt")]
    Unsupported(String),
    /// The PDF is damaged or not a PDF.
    #[error("not a readable PDF: {0}")]
    BadPdf(String),
    /// The PDF needs a password to open.
    #[error("the PDF is encrypted and needs a password to open; save an unprotected copy and import that")]
    Encrypted,
    /// The PDF has no text: its pages are images.
    #[error("the PDF has no text, its pages are images (a scan); run OCR first")]
    ImageOnly,
    /// Fonts whose glyphs cannot be mapped to characters.
    #[error("the PDF's font {0} has no Unicode map (ToUnicode), so its text cannot be read; import the DOCX or web page version instead")]
    NoUnicodeMap(String),
    /// The DOCX is damaged or not a DOCX.
    #[error("not a readable DOCX: {0}")]
    BadDocx(String),
    /// Nothing to import.
    #[error("no text found")]
    Empty,
}

/// A failed import: the file (or the data file that refuses it) and why.
/// Its message is one line, `FILE: reason`.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// An input file cannot be read.
    #[error("{}: {problem}", path.display())]
    Unreadable {
        /// The input file.
        path: PathBuf,
        /// Why it cannot be read.
        problem: Problem,
    },
    /// The notice cannot be added to the data directory.
    #[error("{}: {reason}", path.display())]
    Refused {
        /// The file that is in the way (the text file or the catalog).
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The data directory's catalog is broken.
    #[error(transparent)]
    Catalog(#[from] crate::Error),
}

/// Runs `f`, turning a panic into `Err` without printing the panic message
/// (third-party parsers panic on some inputs; the caller reports one line).
pub(crate) fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static HOOK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = HOOK.lock().unwrap_or_else(|e| e.into_inner());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    result
}

/// The raw text of one file, by its extension.
pub fn extract(path: &Path) -> Result<String, ImportError> {
    let unreadable = |problem: Problem| ImportError::Unreadable {
        path: path.to_path_buf(),
        problem,
    };
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !matches!(ext.as_str(), "pdf" | "docx" | "html" | "htm" | "txt") {
        let shown = if ext.is_empty() {
            "(no extension)".to_string()
        } else {
            format!(".{ext}")
        };
        return Err(unreadable(Problem::Unsupported(shown)));
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(Problem::Io(e)))?;
    let text = match ext.as_str() {
        "pdf" => pdf::extract(&bytes),
        "docx" => docx::extract(&bytes),
        "html" | "htm" => Ok(html::extract(&html::decode(&bytes))),
        _ => Ok(decode_text(&bytes)),
    }
    .map_err(unreadable)?;
    if text.chars().all(char::is_whitespace) {
        return Err(unreadable(Problem::Empty));
    }
    Ok(text)
}

/// Plain text in UTF-8 (with or without a byte order mark), UTF-16 with a
/// byte order mark, or else GB18030 (GBK, GB2312).
fn decode_text(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc.decode_without_bom_handling(&bytes[bom..]).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

/// Repairs the text and joins its broken lines into paragraphs, the way the
/// corpus loader will read it with the bodies `known`: the result is what
/// the bot will see.
pub fn clean(raw: &str, known: &Registry) -> Vec<String> {
    let normalised: String = raw
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| !matches!(c, '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{ad}'))
        .map(|c| match c {
            '\r' | '\u{c}' | '\u{b}' | '\u{2028}' | '\u{2029}' => '\n',
            '\u{a0}' => ' ',
            c => c,
        })
        .collect();
    // Justified PDF lines and HTML indentation leave runs of spaces.
    let mut normalised = normalised;
    while normalised.contains("  ") {
        normalised = normalised.replace("  ", " ");
    }
    crate::parse::paragraphs(&crate::repair::repair(&normalised), known)
}

/// The text file for a notice's paragraphs: one paragraph a line. When the
/// parser would read that differently (it joins a line to the one before if
/// that one leaves a sentence open), the paragraphs are separated by blank
/// lines, or, failing that, the repaired extraction is kept with its line
/// breaks so the loader joins them itself.
fn file_text(paras: &[String], repaired_raw: &str, known: &Registry) -> String {
    for sep in ["\n", "\n\n"] {
        let mut text = paras.join(sep);
        text.push('\n');
        if crate::parse::paragraphs(&text, known) == paras {
            return text;
        }
    }
    repaired_raw.to_string()
}

/// A notice ready to be added: its catalog entry, its text, and what could
/// not be detected.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The catalog entry (file name relative to the data directory).
    pub notice: Notice,
    /// The text file's content.
    pub text: String,
    /// Metadata that was not found (the operator should add it by hand).
    pub missing: Vec<&'static str>,
}

/// A file name part from an input file's name: letters, digits, `-`, `_`;
/// without a leading year.
fn name_part(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name = String::new();
    for c in stem.chars() {
        if c.is_alphanumeric() || c == '_' {
            name.push(c);
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name.trim_matches('-').to_string();
    let without_year = match name.get(..5) {
        Some(p) if p[..4].chars().all(|c| c.is_ascii_digit()) && p.ends_with(['-', '_']) => name[5..].to_string(),
        _ => name,
    };
    if without_year.is_empty() {
        "notice".to_string()
    } else {
        without_year
    }
}

/// Reads the files (a notice and, in order, its attachments) and proposes
/// one catalog entry and text; lines are joined knowing the bodies `known`
/// (those of the corpus the notice will join). `year` overrides the year
/// found in the text.
pub fn propose(files: &[PathBuf], year: Option<i32>, known: &Registry) -> Result<Proposal, ImportError> {
    let first = files.first().ok_or_else(|| ImportError::Refused {
        path: PathBuf::from("import"),
        reason: "no file given".to_string(),
    })?;
    let mut paras = Vec::new();
    let mut repaired = String::new();
    for f in files {
        let raw = extract(f)?;
        paras.extend(clean(&raw, known));
        if !repaired.is_empty() && !repaired.ends_with('\n') {
            repaired.push('\n');
        }
        repaired.push_str(&crate::repair::repair(&raw));
    }
    let meta = meta::detect(&paras);
    let year = year.or(meta.year);
    let mut missing = Vec::new();
    if year.is_none() {
        missing.push("year");
    }
    if meta.title.is_none() {
        missing.push("title");
    }
    let year = year.unwrap_or(0);
    let notice = Notice {
        file: format!("{year}-{}.txt", name_part(first)),
        year,
        title: meta.title.unwrap_or_default(),
        issuer: meta.issuer,
        doc_number: meta.doc_number,
        date: meta.date,
        source_url: None,
    };
    missing.extend(notice.missing_metadata());
    Ok(Proposal {
        notice,
        text: file_text(&paras, &repaired, known),
        missing,
    })
}

impl Proposal {
    /// The `[[notice]]` table for `catalog.toml`.
    pub fn catalog_entry(&self) -> String {
        let n = &self.notice;
        let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
        let mut t = String::from("[[notice]]\n");
        t.push_str(&format!("file = {}\n", quote(&n.file)));
        if n.year == 0 {
            t.push_str("year = 0  # not found in the text: pass --year\n");
        } else {
            t.push_str(&format!("year = {}\n", n.year));
        }
        if n.title.is_empty() {
            t.push_str("title = \"\"  # not found in the text\n");
        } else {
            t.push_str(&format!("title = {}\n", quote(&n.title)));
        }
        if let Some(i) = &n.issuer {
            t.push_str(&format!("issuer = {}\n", quote(i)));
        }
        if let Some(d) = &n.doc_number {
            t.push_str(&format!("doc_number = {}\n", quote(d)));
        }
        if let Some(d) = n.date {
            t.push_str(&format!("date = {}\n", d.format("%Y-%m-%d")));
        }
        if let Some(u) = &n.source_url {
            t.push_str(&format!("source_url = {}\n", quote(u)));
        }
        t
    }

    /// Why this proposal cannot be written into `dir`, if it cannot: no year
    /// or title, or the file or an entry for the same notice exists.
    pub fn conflict(&self, dir: &Path) -> Result<(), ImportError> {
        let n = &self.notice;
        let target = dir.join(&n.file);
        let refuse = |path: PathBuf, reason: String| Err(ImportError::Refused { path, reason });
        if n.year == 0 {
            return refuse(target, "no year found in the text; pass --year YYYY".to_string());
        }
        if n.title.is_empty() {
            return refuse(
                target,
                "no title found in the text; write the text file and its catalog entry by hand".to_string(),
            );
        }
        if target.exists() {
            return refuse(target, "already exists; the notice was imported before".to_string());
        }
        let catalog_path = dir.join("catalog.toml");
        if has_entries(&catalog_path) {
            for e in catalog::load(dir)? {
                let same_number = e.doc_number.is_some() && e.doc_number == n.doc_number;
                let same_title = e.year == n.year && e.title == n.title;
                if e.file == n.file || same_number || same_title {
                    return refuse(
                        catalog_path,
                        format!("already has an entry for this notice (file = {:?})", e.file),
                    );
                }
            }
        }
        Ok(())
    }
}

/// Whether a catalog file exists with at least one table (an empty or
/// comment-only catalog is a new corpus; anything else is checked in full).
fn has_entries(catalog_path: &Path) -> bool {
    match std::fs::read_to_string(catalog_path) {
        Ok(text) => text
            .lines()
            .map(str::trim)
            .any(|l| !l.is_empty() && !l.starts_with('#')),
        Err(_) => catalog_path.exists(),
    }
}

/// Writes the proposal into `dir`: the text file, then the catalog entry
/// appended to `catalog.toml` (created when missing). Refuses when the
/// notice is already there; returns the text file's path.
pub fn write(proposal: &Proposal, dir: &Path) -> Result<PathBuf, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::Refused {
            path: dir.to_path_buf(),
            reason: "data directory not found".to_string(),
        });
    }
    proposal.conflict(dir)?;
    let target = dir.join(&proposal.notice.file);
    let io = |path: &Path, e: std::io::Error| ImportError::Refused {
        path: path.to_path_buf(),
        reason: format!("cannot write it ({e})"),
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
        .map_err(|e| io(&target, e))?;
    file.write_all(proposal.text.as_bytes()).map_err(|e| io(&target, e))?;
    let catalog_path = dir.join("catalog.toml");
    let appended = (|| -> std::io::Result<()> {
        let existing = std::fs::read_to_string(&catalog_path).unwrap_or_default();
        let mut entry = String::new();
        if !existing.is_empty() {
            if !existing.ends_with('\n') {
                entry.push('\n');
            }
            entry.push('\n');
        }
        entry.push_str(&proposal.catalog_entry());
        let mut catalog = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&catalog_path)?;
        catalog.write_all(entry.as_bytes())
    })();
    if let Err(e) = appended {
        // Leave the directory as it was.
        let _ = std::fs::remove_file(&target);
        return Err(io(&catalog_path, e));
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_come_from_the_input_without_its_year() {
        assert_eq!(name_part(Path::new("/tmp/notice.pdf")), "notice");
        assert_eq!(name_part(Path::new("2025-notice.docx")), "notice");
        assert_eq!(
            name_part(Path::new("关于开展质量月活动的通知.pdf")),
            "关于开展质量月活动的通知"
        );
        assert_eq!(name_part(Path::new("a b&c.html")), "a-b-c");
        assert_eq!(name_part(Path::new("2025.pdf")), "2025");
        assert_eq!(name_part(Path::new("...pdf")), "notice");
    }

    #[test]
    fn the_written_text_reads_back_as_the_same_paragraphs() {
        for f in [
            "2017-main-activities.txt",
            "2018-fujian-forward.txt",
            "2019-notice.txt",
            "2023-notice.txt",
            "2024-attachments.txt",
        ] {
            let raw = std::fs::read_to_string(format!("{}/data/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap();
            let known = Registry::shipped();
            let paras = clean(&raw, known);
            let text = file_text(&paras, &crate::repair::repair(&raw), known);
            assert_eq!(crate::parse::paragraphs(&text, known), paras, "{f}");
        }
    }

    #[test]
    fn legacy_text_encodings_are_decoded() {
        let (gbk, _, _) = encoding_rs::GBK.encode("2025年全国“质量月”");
        assert_eq!(decode_text(&gbk), "2025年全国“质量月”");
        assert_eq!(decode_text("\u{feff}质量".as_bytes()), "质量");
    }

    #[test]
    fn quietly_catches_panics() {
        let r = quietly(|| -> u8 { panic!("unsupported encoding UniGB-UCS2-H") });
        assert!(r.is_err());
        assert_eq!(quietly(|| 7).ok(), Some(7));
    }
}
