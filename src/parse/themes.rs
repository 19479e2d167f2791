//! Themes and slogan lists: a theme under its heading (`一、活动主题`), after
//! `主题：`, stated in a sentence (`活动主题确定为“…”`) or inside a region's
//! item (`福建省以“…”为主题，…`); slogan lists under an attachment title with
//! `口号` or a `口号：` label, with whose list it is.

use super::*;

static THEME_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[一二三四五六七八九十]+、\s*)?(?:活动)?主题\s*[:：]?\s*$").unwrap());
static THEME_INLINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^主题\s*[:：]\s*(\S.*)$").unwrap());
static THEME_STATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"活动主题(?:确定)?为\s*[“\u{201A}]([^”\u{201B}]{4,40})[”\u{201B}]").unwrap());

impl Walker<'_> {
    /// Opens a slogan list with its heading; the slogans that follow join it.
    pub(super) fn open_slogan_list(&mut self, scope: Scope, title: String) {
        self.mode = Mode::Slogans;
        self.parsed.slogans.push(ParsedSlogans {
            scope,
            title,
            section: self.section.clone(),
            items: Vec::new(),
        });
    }

    fn add_theme(&mut self, scope: Scope, text: &str) {
        let text = squash_spaces(text.trim_matches(|c: char| c.is_whitespace() || c == '“' || c == '”'));
        if text.is_empty() {
            return;
        }
        let p = self.push(self.label_or_section(), Kind::Theme, Vec::new(), text.clone());
        if !self.parsed.themes.iter().any(|t| t.scope == scope && t.text == text) {
            self.parsed.themes.push(ThemeRec {
                scope,
                text,
                passage: p,
            });
        }
    }

    fn label_or_section(&self) -> String {
        if self.top.is_some() {
            self.label()
        } else {
            self.section.clone()
        }
    }

    /// The scope of a theme or list under the current slogan list's
    /// attachment: that list's, else national.
    fn current_list_scope(&self) -> Scope {
        match self.parsed.slogans.last() {
            Some(l) if l.section == self.section && self.in_attachment => l.scope.clone(),
            _ => Scope::National,
        }
    }

    /// Takes paragraph `p` when it is about a theme: a theme heading, the
    /// theme after one or after `主题：`, or a sentence stating the theme.
    pub(super) fn theme_para(&mut self, p: &str) -> bool {
        if THEME_HEADING.is_match(p) {
            self.pending_theme = true;
            if let Some(c) = TOP.captures(p) {
                self.top = Some(c[1].to_string());
                self.sub = None;
            }
            self.open_item = None;
            return true;
        }
        if let Some(c) = THEME_INLINE.captures(p) {
            let scope = self.current_list_scope();
            self.add_theme(scope, &c[1]);
            self.pending_theme = false;
            return true;
        }
        if self.pending_theme {
            self.pending_theme = false;
            if han_len(p) <= 40 && !p.contains('。') {
                let scope = self.current_list_scope();
                self.add_theme(scope, p);
                return true;
            }
        }
        let Some(c) = THEME_STATED.captures(p) else {
            return false;
        };
        // The paragraph stays searchable body text and is the theme's source.
        let scope = self.doc_region.clone().map_or(Scope::National, Scope::Region);
        let text = squash_spaces(&c[1]);
        self.body_count += 1;
        let section = if self.top.is_some() {
            self.label()
        } else {
            format!("{} · 第{}段", self.section, self.body_count)
        };
        self.open_item = None;
        let who = self.known.leading_entity(p).map(|(n, _)| vec![n]).unwrap_or_default();
        let passage = self.push(section, Kind::Body, who, p.to_string());
        if !self.parsed.themes.iter().any(|t| t.scope == scope && t.text == text) {
            self.parsed.themes.push(ThemeRec { scope, text, passage });
        }
        true
    }

    /// Takes paragraph `p` when it is a `口号` label or a slogan of the open
    /// list; anything else ends the list.
    pub(super) fn slogan_para(&mut self, p: &str) -> bool {
        if p.starts_with("口号") && han_len(p) <= 4 {
            if self.mode != Mode::Slogans {
                let scope = self.current_list_scope();
                self.open_slogan_list(scope, "活动口号".to_string());
            }
            return true;
        }
        if self.mode != Mode::Slogans {
            return false;
        }
        let (num, text) = match NUMBERED.captures(p) {
            Some(c) => (Some(c[1].to_string()), c[2].trim().to_string()),
            None => (None, p.to_string()),
        };
        let is_slogan = !text.is_empty() && !text.contains('。') && !text.contains('：') && han_len(&text) <= 40;
        if !is_slogan {
            self.mode = Mode::Normal;
            return false;
        }
        let list = self.parsed.slogans.last_mut().expect("slogan mode has a list");
        list.items.push(squash_spaces(&text));
        let n = num.unwrap_or_else(|| list.items.len().to_string());
        let section = format!("{} · 口号{}", self.section, n);
        self.push(section, Kind::Slogan, Vec::new(), squash_spaces(&text));
        true
    }
}

/// A region's item that states its own theme (`福建省以“…”为主题，…`): the
/// theme of that region for the year. `以“…”为主题的论坛` names the theme of
/// one event, not the region's.
pub(super) fn regional_themes_in_items(parsed: &mut Parsed, known: &Registry) {
    static OWN_THEME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:以\s*[“\u{201A}]([^”\u{201B}]{4,40})[”\u{201B}]\s*为(?:活动)?主题|(?:活动)?主题(?:确定)?为\s*[“\u{201A}]([^”\u{201B}]{4,40})[”\u{201B}])([^的]|$)").unwrap()
    });
    for (i, p) in parsed.passages.iter().enumerate() {
        if p.kind != Kind::Item {
            continue;
        }
        let Some(region) = p
            .who
            .first()
            .filter(|w| known.region_named(w).as_deref() == Some(w.as_str()))
        else {
            continue;
        };
        let Some(c) = OWN_THEME.captures(&p.text) else {
            continue;
        };
        let scope = Scope::Region(region.clone());
        if parsed.themes.iter().any(|t| t.scope == scope) {
            continue;
        }
        let Some(text) = c.get(1).or(c.get(2)).map(|m| squash_spaces(m.as_str())) else {
            continue;
        };
        parsed.themes.push(ThemeRec {
            scope,
            text,
            passage: i,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regions_item_states_its_own_theme() {
        let t = "附件3\n\n各地开展的主要活动\n\n一、浙江省\n\n浙江省以“浙里品质 匠心智造”为主题，举办质量大会。\n\n二、江苏省\n\n江苏省举办以“质量强省”为主题的论坛。";
        let parsed = parse(t, None, Registry::shipped());
        let themes: Vec<(String, String)> = parsed
            .themes
            .iter()
            .map(|t| (t.scope.to_string(), t.text.clone()))
            .collect();
        assert_eq!(
            themes,
            vec![("浙江省".to_string(), "浙里品质 匠心智造".to_string())],
            "{:?}",
            parsed.passages
        );
    }

    #[test]
    fn a_stated_theme_belongs_to_the_issuers_region() {
        let t = "我省“质量月”活动主题确定为“质量第一 效益优先”，各地要结合实际开展活动。";
        let parsed = parse(t, Some("福建省质量强省工作联席会议办公室"), Registry::shipped());
        assert_eq!(parsed.themes.len(), 1, "{:?}", parsed.themes);
        assert_eq!(parsed.themes[0].scope, Scope::Region("福建省".to_string()));
        assert_eq!(parsed.themes[0].text, "质量第一 效益优先");
        let only_provinces = Registry::new(crate::entities::provinces());
        let national = parse(t, Some("全国质量月活动组委会"), &only_provinces);
        assert_eq!(national.themes[0].scope, Scope::National);
    }
}
