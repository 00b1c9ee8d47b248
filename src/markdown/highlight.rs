//! Code highlighting with syntect, as CSS classes (`sy-…`) rather than inline colours,
//! so one HTML serves both the light and the dark stylesheet.
//!
//! Loading syntect's syntax definitions costs tens of milliseconds, so a [`Highlighter`]
//! loads them on first use: a build with no fenced code never pays for it. It is a
//! value owned by the caller (no global), shared by reference across render threads.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "sy-" };

#[derive(Default)]
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
}

impl std::fmt::Debug for Highlighter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Highlighter").finish_non_exhaustive()
    }
}

impl Highlighter {
    fn syntaxes(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(SyntaxSet::load_defaults_newlines)
    }

    /// The `<pre>` block for `code` in language `lang` (a token such as `rust`,
    /// `toml`, `json`; unknown or empty languages are escaped as plain text).
    pub fn block(&self, code: &str, lang: &str) -> String {
        let lang = lang.split([',', ' ']).next().unwrap_or("").trim();
        let inner = self
            .classed(code, lang)
            .unwrap_or_else(|| super::escape_html(code));
        if lang.is_empty() {
            format!("<pre class=\"code\"><code>{inner}</code></pre>\n")
        } else {
            let lang = super::escape_html(lang);
            format!(
                "<pre class=\"code\" data-lang=\"{lang}\"><code class=\"language-{lang}\">{inner}</code></pre>\n"
            )
        }
    }

    fn classed(&self, code: &str, lang: &str) -> Option<String> {
        if lang.is_empty() || matches!(lang, "text" | "plain" | "txt") {
            return None;
        }
        let set = self.syntaxes();
        let syntax = set.find_syntax_by_token(lang)?;
        let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, STYLE);
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .ok()?;
        }
        Some(generator.finalize())
    }
}

/// A colour theme that syntect does not ship.
#[derive(Debug, PartialEq, Eq)]
pub struct UnknownTheme {
    pub name: String,
    pub available: Vec<String>,
}

/// The light and dark stylesheets for two of syntect's colour themes (loading the
/// theme set once), or every name that is not one of them.
pub fn stylesheets(light: &str, dark: &str) -> Result<(String, String), Vec<UnknownTheme>> {
    let themes = ThemeSet::load_defaults();
    let css = |name: &str| {
        themes
            .themes
            .get(name)
            .and_then(|t| css_for_theme_with_class_style(t, STYLE).ok())
    };
    match (css(light), css(dark)) {
        (Some(l), Some(d)) => Ok((l, d)),
        (l, d) => {
            let available: Vec<String> = themes.themes.keys().cloned().collect();
            let missing = [(light, l.is_none()), (dark, d.is_none())];
            Err(missing
                .into_iter()
                .filter(|(_, missing)| *missing)
                .map(|(name, _)| UnknownTheme {
                    name: name.to_string(),
                    available: available.clone(),
                })
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes_and_unknown_ones_are_escaped() {
        let h = Highlighter::default();
        let html = h.block("fn main() {}\n", "rust");
        assert!(html.contains("class=\"sy-"), "{html}");
        assert!(html.starts_with("<pre class=\"code\" data-lang=\"rust\">"));
        let html = h.block("<script>\n", "no-such-language");
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn stylesheets_exist_for_the_default_themes() {
        let (light, dark) = stylesheets("InspiredGitHub", "base16-ocean.dark").unwrap();
        assert!(light.contains(".sy-") && dark.contains(".sy-"));
        let unknown = stylesheets("InspiredGitHub", "no-such-theme").unwrap_err();
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].name, "no-such-theme");
        assert!(unknown[0].available.contains(&"InspiredGitHub".to_string()));
    }
}
