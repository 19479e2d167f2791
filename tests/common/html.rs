//! Telegram's HTML parse mode, as strict as the real Bot API: the fake server
//! uses it to reject what Telegram would reject, and tests use it to look at
//! the visible text of a message.

/// The tags Telegram accepts in HTML parse mode.
const ALLOWED_TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
];

/// Telegram's message length limit, in UTF-16 code units of the visible text.
pub const MAX_MESSAGE_UTF16: usize = 4096;

/// The length Telegram counts: UTF-16 code units.
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Parses `text` the way Telegram's HTML parse mode does and returns the
/// visible text, or the error description Telegram would give (without the
/// `Bad Request: ` prefix).
pub fn parse(text: &str) -> Result<String, String> {
    let mut visible = String::with_capacity(text.len());
    let mut stack: Vec<String> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = text[i..].chars().next().expect("in bounds");
        match c {
            '<' => {
                let end = text[i..]
                    .find('>')
                    .map(|e| i + e)
                    .ok_or_else(|| format!("can't parse entities: Unclosed start tag at byte offset {i}"))?;
                let inner = &text[i + 1..end];
                if let Some(name) = inner.strip_prefix('/') {
                    let name = name.trim().to_ascii_lowercase();
                    match stack.pop() {
                        Some(open) if open == name => {}
                        Some(open) => {
                            return Err(format!(
                                "can't parse entities: Can't find end tag corresponding to start tag \"{open}\" (found \"</{name}>\" at byte offset {i})"
                            ))
                        }
                        None => {
                            return Err(format!(
                                "can't parse entities: Unexpected end tag at byte offset {i}"
                            ))
                        }
                    }
                } else {
                    let name_end = inner
                        .find(|ch: char| ch.is_whitespace() || ch == '/')
                        .unwrap_or(inner.len());
                    let name = inner[..name_end].to_ascii_lowercase();
                    let attrs = inner[name_end..].trim();
                    if !ALLOWED_TAGS.contains(&name.as_str()) {
                        return Err(format!(
                            "can't parse entities: Unsupported start tag \"{name}\" at byte offset {i}"
                        ));
                    }
                    if attrs.ends_with('/') {
                        return Err(format!(
                            "can't parse entities: Unsupported self-closing tag \"{name}\" at byte offset {i}"
                        ));
                    }
                    match name.as_str() {
                        "a" if !attrs.starts_with("href=") => {
                            return Err(format!(
                                "can't parse entities: Tag \"a\" must have attribute \"href\" at byte offset {i}"
                            ))
                        }
                        "span" if !attrs.contains("tg-spoiler") => {
                            return Err(format!(
                                "can't parse entities: Tag \"span\" must have class \"tg-spoiler\" at byte offset {i}"
                            ))
                        }
                        "a" | "span" | "tg-emoji" | "code" | "pre" | "blockquote" => {}
                        _ if !attrs.is_empty() => {
                            return Err(format!(
                                "can't parse entities: Tag \"{name}\" must not have attributes at byte offset {i}"
                            ))
                        }
                        _ => {}
                    }
                    stack.push(name);
                }
                i = end + 1;
            }
            '&' => {
                let rest = &text[i + 1..];
                let semi = rest
                    .find(';')
                    .filter(|&s| s > 0 && s <= 10 && rest[..s].chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '#'))
                    .ok_or_else(|| {
                        format!(
                            "can't parse entities: Character '&' is reserved and must be escaped as \"&amp;\" (byte offset {i})"
                        )
                    })?;
                let name = &rest[..semi];
                let decoded = match name {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    _ => {
                        let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                            u32::from_str_radix(hex, 16).ok()
                        } else if let Some(dec) = name.strip_prefix('#') {
                            dec.parse::<u32>().ok()
                        } else {
                            None
                        };
                        code.and_then(char::from_u32).ok_or_else(|| {
                            format!("can't parse entities: Unsupported HTML entity \"&{name};\" at byte offset {i}")
                        })?
                    }
                };
                visible.push(decoded);
                i += 1 + semi + 1;
            }
            _ => {
                visible.push(c);
                i += c.len_utf8();
            }
        }
    }
    if let Some(open) = stack.pop() {
        return Err(format!(
            "can't parse entities: Can't find end tag corresponding to start tag \"{open}\""
        ));
    }
    Ok(visible)
}

/// Checks a message text as `sendMessage` would, given its `parse_mode`;
/// returns the visible text or Telegram's full error description.
pub fn check_message_text(text: &str, parse_mode: Option<&str>) -> Result<String, String> {
    let visible = match parse_mode.map(|m| m.to_ascii_lowercase()) {
        Some(m) if m == "html" => parse(text).map_err(|e| format!("Bad Request: {e}"))?,
        _ => text.to_string(),
    };
    if visible.trim().is_empty() {
        return Err("Bad Request: message text is empty".to_string());
    }
    if utf16_len(&visible) > MAX_MESSAGE_UTF16 {
        return Err("Bad Request: message is too long".to_string());
    }
    Ok(visible)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_telegram_accepts() {
        assert_eq!(
            parse("<b>粗</b> &lt;x&gt; &amp; &#20013; a > b").unwrap(),
            "粗 <x> & 中 a > b"
        );
        assert_eq!(parse("<a href=\"https://x\">l</a><i><b>n</b></i>").unwrap(), "ln");
    }

    #[test]
    fn rejects_what_telegram_rejects() {
        for bad in [
            "<b>x",
            "<b><i>x</b></i>",
            "</b>",
            "<p>x</p>",
            "a < b",
            "a & b",
            "<br/>",
            "&nbsp;",
        ] {
            assert!(parse(bad).is_err(), "{bad} should be rejected");
        }
        assert!(check_message_text(&"字".repeat(4097), None).is_err());
        assert!(check_message_text(&"字".repeat(4096), None).is_ok());
        // Two UTF-16 units per emoji.
        assert!(check_message_text(&"😀".repeat(2049), None).is_err());
        assert!(check_message_text("<b> </b>", Some("HTML")).is_err());
    }
}
