//! Text from a PDF. pdf-extract reads documents whose fonts map to Unicode
//! (embedded fonts with a `ToUnicode` map, standard encodings), placing
//! line breaks where the lines end. It panics on CJK fonts that use a
//! predefined CMap such as `UniGB-UCS2-H` (non-embedded fonts, common in
//! older government PDFs), so the fonts are surveyed first: such documents,
//! and any document pdf-extract fails on, are read by a small extractor over
//! lopdf that decodes UCS-2/UTF-16 and GBK/Big5 CMaps itself and breaks
//! lines where the text moves down the page.
//!
//! Refused with a reason: damaged files, encrypted files that need a
//! password, pages without text (scans), and fonts without a Unicode map.

use super::Problem;
use lopdf::{Dictionary, Document, Object};
use std::collections::BTreeMap;

/// Extracts the text of a PDF file.
pub fn extract(bytes: &[u8]) -> Result<String, Problem> {
    let doc = match super::quietly(|| Document::load_mem(bytes)) {
        Ok(Ok(doc)) => doc,
        Ok(Err(e)) => return Err(Problem::BadPdf(one_line(&e.to_string()))),
        Err(_) => return Err(Problem::BadPdf("the file is damaged".to_string())),
    };
    if doc.is_encrypted() {
        return Err(Problem::Encrypted);
    }
    if doc.get_pages().is_empty() {
        return Err(Problem::BadPdf("it has no pages".to_string()));
    }
    let survey = super::quietly(|| survey_fonts(&doc)).unwrap_or_default();
    let text = if survey.needs_own_reader() {
        own_text(&doc)?
    } else {
        match super::quietly(|| pdf_extract::extract_text_from_mem(bytes)) {
            Ok(Ok(text)) => text,
            // pdf-extract gave up or panicked on something: read it ourselves.
            Ok(Err(_)) | Err(_) => own_text(&doc)?,
        }
    };
    let text = drop_page_numbers(&text);
    if text.chars().filter(|c| !c.is_whitespace()).count() == 0 {
        return Err(Problem::ImageOnly);
    }
    Ok(text)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How the text of one font is turned into Unicode.
#[derive(Debug, Clone)]
enum Decoder {
    /// A predefined Unicode CMap (`UniGB-UCS2-H`, `UniGB-UTF16-H` …): the
    /// string is UTF-16 big-endian.
    Utf16,
    /// A predefined CMap over a legacy code page (`GBK-EUC-H` …).
    Legacy(&'static encoding_rs::Encoding),
    /// What lopdf knows: simple encodings and `ToUnicode` maps.
    Lopdf,
    /// No way to Unicode: a composite font with neither a `ToUnicode` map
    /// nor a known CMap.
    Unreadable(String),
}

/// What the fonts of a document need.
#[derive(Debug, Default)]
struct Survey {
    /// A font uses a predefined CJK CMap (pdf-extract panics on these).
    predefined: bool,
    /// A font has no way to Unicode.
    unreadable: bool,
}

impl Survey {
    fn needs_own_reader(&self) -> bool {
        self.predefined || self.unreadable
    }
}

fn name_of(dict: &Dictionary, doc: &Document, key: &[u8]) -> Option<String> {
    let obj = dict.get_deref(key, doc).ok()?;
    obj.as_name().ok().map(|n| String::from_utf8_lossy(n).into_owned())
}

/// The decoder of a font dictionary.
fn decoder(font: &Dictionary, doc: &Document) -> Decoder {
    let subtype = name_of(font, doc, b"Subtype").unwrap_or_default();
    if subtype != "Type0" {
        return Decoder::Lopdf;
    }
    let has_to_unicode = font.get_deref(b"ToUnicode", doc).is_ok_and(|o| o.as_stream().is_ok());
    let base = name_of(font, doc, b"BaseFont").unwrap_or_else(|| "(unnamed)".to_string());
    match name_of(font, doc, b"Encoding") {
        Some(cmap) if cmap.starts_with("Uni") && (cmap.contains("UCS2") || cmap.contains("UTF16")) => Decoder::Utf16,
        Some(cmap) if cmap.starts_with("Identity") => {
            if has_to_unicode {
                Decoder::Lopdf
            } else {
                Decoder::Unreadable(base)
            }
        }
        Some(cmap) => match legacy_cmap(&cmap) {
            Some(enc) => Decoder::Legacy(enc),
            None if has_to_unicode => Decoder::Lopdf,
            None => Decoder::Unreadable(base),
        },
        // An embedded CMap stream: readable through a ToUnicode map only.
        None if has_to_unicode => Decoder::Lopdf,
        None => Decoder::Unreadable(base),
    }
}

/// The code page of a predefined CJK CMap over a legacy encoding.
fn legacy_cmap(name: &str) -> Option<&'static encoding_rs::Encoding> {
    let stem = name.trim_end_matches("-H").trim_end_matches("-V");
    match stem {
        "GB-EUC" | "GBpc-EUC" | "GBK-EUC" | "GBKp-EUC" => Some(encoding_rs::GBK),
        "GBK2K" => Some(encoding_rs::GB18030),
        "B5pc" | "ETen-B5" | "HKscs-B5" | "ETenms-B5" => Some(encoding_rs::BIG5),
        "90ms-RKSJ" | "90msp-RKSJ" => Some(encoding_rs::SHIFT_JIS),
        "KSC-EUC" | "KSCms-UHC" => Some(encoding_rs::EUC_KR),
        _ => None,
    }
}

fn survey_fonts(doc: &Document) -> Survey {
    let mut s = Survey::default();
    for page in doc.get_pages().values() {
        let Ok(fonts) = doc.get_page_fonts(*page) else {
            continue;
        };
        for font in fonts.values() {
            match decoder(font, doc) {
                Decoder::Utf16 | Decoder::Legacy(_) => s.predefined = true,
                Decoder::Unreadable(_) => s.unreadable = true,
                Decoder::Lopdf => {}
            }
        }
    }
    s
}

/// A 2-D affine matrix `[a b c d e f]`.
#[derive(Debug, Clone, Copy)]
struct Matrix([f32; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self × other`.
    fn then(self, o: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [oa, ob, oc, od, oe, of] = o.0;
        Matrix([
            a * oa + b * oc,
            a * ob + b * od,
            c * oa + d * oc,
            c * ob + d * od,
            e * oa + f * oc + oe,
            e * ob + f * od + of,
        ])
    }

    fn translate(tx: f32, ty: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, tx, ty])
    }
}

fn numbers(operands: &[Object]) -> Vec<f32> {
    operands.iter().filter_map(|o| o.as_float().ok()).collect()
}

/// The text of every page, read with lopdf. Fails when most of the text is
/// in fonts that cannot be mapped to Unicode.
fn own_text(doc: &Document) -> Result<String, Problem> {
    let mut out = String::new();
    let mut shown = 0usize;
    let mut unreadable: BTreeMap<String, usize> = BTreeMap::new();
    for page in doc.get_pages().values() {
        let fonts: BTreeMap<Vec<u8>, (Decoder, Option<lopdf::Encoding>)> = doc
            .get_page_fonts(*page)
            .map(|fonts| {
                fonts
                    .into_iter()
                    .map(|(name, font)| {
                        let dec = decoder(font, doc);
                        let enc = match dec {
                            Decoder::Lopdf => font.get_font_encoding(doc).ok(),
                            _ => None,
                        };
                        (name, (dec, enc))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let Ok(content) = doc.get_and_decode_page_content(*page) else {
            continue;
        };
        let mut ctm = Matrix::IDENTITY;
        let mut stack: Vec<Matrix> = Vec::new();
        let mut tm = Matrix::IDENTITY;
        let mut tlm = Matrix::IDENTITY;
        let mut leading = 0.0f32;
        let mut size = 12.0f32;
        let mut font: Option<&(Decoder, Option<lopdf::Encoding>)> = None;
        let mut last_y: Option<f32> = None;
        for op in &content.operations {
            let n = numbers(&op.operands);
            let mut strings: Vec<&Object> = Vec::new();
            match op.operator.as_str() {
                "q" => stack.push(ctm),
                "Q" => ctm = stack.pop().unwrap_or(Matrix::IDENTITY),
                "cm" if n.len() == 6 => ctm = Matrix([n[0], n[1], n[2], n[3], n[4], n[5]]).then(ctm),
                "BT" => {
                    tm = Matrix::IDENTITY;
                    tlm = Matrix::IDENTITY;
                }
                "Tf" => {
                    font = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|name| fonts.get(name));
                    if let Some(s) = n.first() {
                        size = *s;
                    }
                }
                "TL" if !n.is_empty() => leading = n[0],
                "Td" | "TD" if n.len() == 2 => {
                    if op.operator == "TD" {
                        leading = -n[1];
                    }
                    tlm = Matrix::translate(n[0], n[1]).then(tlm);
                    tm = tlm;
                }
                "Tm" if n.len() == 6 => {
                    tlm = Matrix([n[0], n[1], n[2], n[3], n[4], n[5]]);
                    tm = tlm;
                }
                "T*" => {
                    tlm = Matrix::translate(0.0, -leading).then(tlm);
                    tm = tlm;
                }
                "'" | "\"" => {
                    tlm = Matrix::translate(0.0, -leading).then(tlm);
                    tm = tlm;
                    strings.extend(op.operands.last());
                }
                "Tj" => strings.extend(op.operands.first()),
                "TJ" => {
                    if let Some(Object::Array(items)) = op.operands.first() {
                        strings.extend(items.iter());
                    }
                }
                _ => {}
            }
            if strings.is_empty() {
                continue;
            }
            // A new line when the text moved down (or up) by more than half
            // a line.
            let at = tm.then(ctm);
            let y = at.0[5];
            let height = (size * (at.0[3].abs().max(at.0[2].abs()))).abs().max(1.0);
            // Lines are separated by a blank line, as pdf-extract writes
            // them, so the parser's rule for PDF text applies to both.
            if let Some(prev) = last_y {
                if (y - prev).abs() > height * 0.5 && !out.ends_with('\n') {
                    out.push_str("\n\n");
                }
            }
            last_y = Some(y);
            for s in strings {
                match s {
                    Object::String(bytes, _) => {
                        let Some((dec, enc)) = font else {
                            continue;
                        };
                        let text = match dec {
                            Decoder::Utf16 => encoding_rs::UTF_16BE.decode_without_bom_handling(bytes).0.into_owned(),
                            Decoder::Legacy(e) => e.decode_without_bom_handling(bytes).0.into_owned(),
                            Decoder::Lopdf => enc
                                .as_ref()
                                .and_then(|e| Document::decode_text(e, bytes).ok())
                                .unwrap_or_default(),
                            Decoder::Unreadable(name) => {
                                *unreadable.entry(name.clone()).or_default() += bytes.len() / 2;
                                shown += bytes.len() / 2;
                                continue;
                            }
                        };
                        shown += text.chars().count();
                        out.push_str(&text);
                    }
                    // A large negative adjustment between words is a space.
                    Object::Integer(_) | Object::Real(_) => {
                        let adj = s.as_float().unwrap_or(0.0);
                        if adj < -250.0 && out.chars().last().is_some_and(|c| c.is_ascii_alphanumeric()) {
                            out.push(' ');
                        }
                    }
                    _ => {}
                }
            }
        }
        out.push_str("\n\n");
    }
    let lost: usize = unreadable.values().sum();
    if lost > 0 && lost * 10 > shown {
        let names: Vec<&str> = unreadable.keys().map(|s| s.as_str()).collect();
        return Err(Problem::NoUnicodeMap(names.join(", ")));
    }
    Ok(out)
}

/// Drops the page numbers that notices print in the footer (`— 2 —`,
/// `- 2 -`, `第 2 页`, `第2页 共5页`).
fn drop_page_numbers(text: &str) -> String {
    static PAGE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^(?:[-—–－─]+\s*\d{1,3}\s*[-—–－─]+|第\s*\d{1,3}\s*页(?:\s*[，,/]?\s*共\s*\d{1,3}\s*页)?)$")
            .expect("valid regex")
    });
    let mut out = String::with_capacity(text.len());
    for line in text.lines().filter(|l| !PAGE.is_match(l.trim())) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_dropped() {
        let t = drop_page_numbers("深入贯\n— 2 —\n彻\n- 13 -\n第 3 页 共 5 页\n2025年\n");
        assert_eq!(t, "深入贯\n彻\n2025年\n");
    }

    #[test]
    fn predefined_cmaps_are_recognised() {
        assert!(legacy_cmap("GBK-EUC-H").is_some());
        assert!(legacy_cmap("UniGB-UCS2-H").is_none());
        assert!(legacy_cmap("Adobe-GB1-5").is_none());
    }

    #[test]
    fn a_predefined_cmap_is_read_here_and_would_panic_in_pdf_extract() -> Result<(), Problem> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/cid-nonembedded.pdf");
        let bytes = std::fs::read(path)?;
        // The trap this module exists for (pdf-extract 0.12).
        let direct = super::super::quietly(|| pdf_extract::extract_text_from_mem(&bytes));
        assert!(
            direct.is_err(),
            "pdf-extract no longer panics on UniGB-UCS2-H: the survey may be simplified"
        );
        let text = extract(&bytes)?;
        assert!(text.contains("夯实质量基础"), "{text}");
        Ok(())
    }

    #[test]
    fn garbage_is_a_problem_not_a_panic() {
        for bytes in [
            &b""[..],
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
            b"\x00\xff\xfe",
        ] {
            let err = extract(bytes).unwrap_err();
            assert!(matches!(err, Problem::BadPdf(_)), "{err}");
            assert!(!err.to_string().contains('\n'));
        }
    }
}
