//! `shouce.toml`, the site configuration, parsed into a checked [`Config`].
//!
//! The raw struct mirrors the file (`deny_unknown_fields`, so a typo is an error with its
//! line); [`Config`] is what the rest of the program sees, with defaults applied and
//! values normalised (a `base_url` always ends in `/`).

use std::path::Path;

use serde::Deserialize;

use crate::error::{Diagnostic, Error, Severity, toml_diagnostic};

pub const FILE_NAME: &str = "shouce.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    #[serde(default)]
    description: String,
    base_url: Option<String>,
    language: Option<String>,
    theme: Option<String>,
    #[serde(default)]
    markdown: RawMarkdown,
    #[serde(default)]
    dialogue: RawDialogue,
    #[serde(default)]
    quizzes: RawQuizzes,
    #[serde(default)]
    search: SearchConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuizzes {
    #[serde(default)]
    forbidden: Vec<String>,
    #[serde(default)]
    allowed: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMarkdown {
    broken_links: Option<LinkPolicy>,
    raw_html: Option<RawHtml>,
    highlight_theme_light: Option<String>,
    highlight_theme_dark: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDialogue {
    customer_roles: Option<Vec<String>>,
    agent_roles: Option<Vec<String>>,
}

/// `[search]`: the site's vocabulary for the search index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// Domain terms kept whole (七天无理由, 小二介入): a page with the term itself
    /// outranks one that has its characters apart, and the term's pinyin is indexed.
    #[serde(default)]
    pub terms: Vec<String>,
    /// Groups of words a query may use for one another (`[["退款", "退钱"]]`).
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
}

/// What to do with a link to a missing page or heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkPolicy {
    /// The build fails (the default).
    Error,
    /// The build goes on and reports a warning (for imported material).
    Warn,
}

/// What to do with raw HTML written inside Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawHtml {
    /// Cleaned by ammonia: no scripts, no event handlers (the default).
    Sanitize,
    /// Passed through untouched; only for content you fully trust.
    Trust,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MarkdownConfig {
    pub broken_links: LinkPolicy,
    pub raw_html: RawHtml,
    pub highlight_theme_light: String,
    pub highlight_theme_dark: String,
}

/// Speaker names that mark the two sides of a ```` ```dialogue ```` block.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DialogueRoles {
    pub customer: Vec<String>,
    pub agent: Vec<String>,
}

impl Default for DialogueRoles {
    fn default() -> Self {
        let own = |names: &[&str]| names.iter().map(|s| s.to_string()).collect();
        DialogueRoles {
            customer: own(&["客户", "买家", "顾客", "Customer", "Buyer"]),
            agent: own(&["客服", "卖家", "Agent", "Seller"]),
        }
    }
}

/// Site-wide additions to every script-writing question's rubric (`[quizzes]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct QuizConfig {
    /// Phrases no reply may contain, on top of the built-in Advertising-Law list.
    pub forbidden: Vec<String>,
    /// Phrases that contain a forbidden one but are fine to say.
    pub allowed: Vec<String>,
}

/// The checked site configuration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Always ends with `/`; `/` when the site is served from a host's root.
    pub base_url: String,
    pub language: String,
    pub theme: String,
    pub markdown: MarkdownConfig,
    pub dialogue: DialogueRoles,
    pub quizzes: QuizConfig,
    pub search: SearchConfig,
}

impl Config {
    /// Parses the text of `shouce.toml`. Pure: `path` is only used in diagnostics.
    pub fn parse(path: &Path, source: &str) -> Result<Config, Vec<Diagnostic>> {
        let raw: RawConfig =
            toml::from_str(source).map_err(|e| vec![toml_diagnostic(path, source, 0, &e)])?;
        let defaults = DialogueRoles::default();
        let config = Config {
            title: raw.title,
            description: raw.description,
            base_url: normalize_base_url(raw.base_url.as_deref().unwrap_or("/")),
            language: raw.language.unwrap_or_else(|| "zh-CN".into()),
            theme: raw.theme.unwrap_or_else(|| "default".into()),
            markdown: MarkdownConfig {
                broken_links: raw.markdown.broken_links.unwrap_or(LinkPolicy::Error),
                raw_html: raw.markdown.raw_html.unwrap_or(RawHtml::Sanitize),
                highlight_theme_light: raw
                    .markdown
                    .highlight_theme_light
                    .unwrap_or_else(|| "InspiredGitHub".into()),
                highlight_theme_dark: raw
                    .markdown
                    .highlight_theme_dark
                    .unwrap_or_else(|| "base16-ocean.dark".into()),
            },
            dialogue: DialogueRoles {
                customer: raw.dialogue.customer_roles.unwrap_or(defaults.customer),
                agent: raw.dialogue.agent_roles.unwrap_or(defaults.agent),
            },
            quizzes: QuizConfig {
                forbidden: raw.quizzes.forbidden,
                allowed: raw.quizzes.allowed,
            },
            search: raw.search,
        };
        let problems = config.check(path, source);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// Reads `shouce.toml` from the site root.
    pub fn load(root: &Path) -> Result<Result<Config, Vec<Diagnostic>>, Error> {
        let path = root.join(FILE_NAME);
        if !path.is_file() {
            return Err(Error::Other(format!(
                "no {FILE_NAME} in {}: this is not a Shouce site; run `shouce init DIR` to create one, or pass `-C DIR`",
                root.display()
            )));
        }
        let source = crate::fs::read_to_string(&path)?;
        Ok(Config::parse(Path::new(FILE_NAME), &source))
    }

    pub fn with_base_url(mut self, base_url: &str) -> Config {
        self.base_url = normalize_base_url(base_url);
        self
    }

    /// The path part of `base_url` (`/` or `/handbook/`), for links that cannot be relative.
    pub fn base_path(&self) -> &str {
        match self.base_url.find("://") {
            Some(i) => {
                let after = &self.base_url[i + 3..];
                after.find('/').map_or("/", |j| &after[j..])
            }
            None => &self.base_url,
        }
    }

    fn check(&self, path: &Path, source: &str) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let at_key = |key: &str, message: String, hint: &str| {
            let start = source.find(key).unwrap_or(0);
            Diagnostic::at(
                Severity::Error,
                path,
                source,
                start..start + key.len(),
                message,
            )
            .with_hint(hint)
        };
        if self.title.trim().is_empty() {
            problems.push(at_key(
                "title",
                "the site title is empty".into(),
                "give the handbook a name, e.g. title = \"客服培训手册\"",
            ));
        }
        let phrases = self.quizzes.forbidden.iter().chain(&self.quizzes.allowed);
        if phrases.into_iter().any(|p| p.trim().is_empty()) {
            problems.push(at_key(
                "[quizzes]",
                "forbidden and allowed phrases must not be empty".into(),
                "remove the empty string from the list",
            ));
        }
        let roles = [&self.dialogue.customer, &self.dialogue.agent];
        if roles
            .iter()
            .any(|r| r.is_empty() || r.iter().any(|n| n.trim().is_empty()))
        {
            problems.push(at_key(
                "[dialogue]",
                "dialogue roles must be non-empty names".into(),
                "e.g. customer_roles = [\"客户\", \"买家\"]",
            ));
        }
        if let Some(both) = self
            .dialogue
            .customer
            .iter()
            .find(|n| self.dialogue.agent.contains(n))
        {
            problems.push(at_key(
                both,
                format!("`{both}` is both a customer and an agent role"),
                "each speaker name belongs to one side",
            ));
        }
        let search = &self.search;
        if search.terms.iter().any(|t| t.trim().is_empty()) {
            problems.push(at_key(
                "terms",
                "a search term is empty".into(),
                "list the words to keep whole, e.g. terms = [\"七天无理由\", \"小二介入\"]",
            ));
        }
        if search
            .synonyms
            .iter()
            .any(|g| g.len() < 2 || g.iter().any(|w| w.trim().is_empty()))
        {
            problems.push(at_key(
                "synonyms",
                "each synonym group needs two or more non-empty words".into(),
                "e.g. synonyms = [[\"退款\", \"退钱\"], [\"差评\", \"低分评价\"]]",
            ));
        }
        problems
    }
}

fn normalize_base_url(url: &str) -> String {
    let url = url.trim();
    if url.is_empty() {
        "/".into()
    } else if url.ends_with('/') {
        url.into()
    } else {
        format!("{url}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::parse(Path::new("shouce.toml"), src)
    }

    #[test]
    fn defaults_apply() {
        let c = parse("title = \"手册\"").unwrap();
        assert_eq!(c.language, "zh-CN");
        assert_eq!(c.base_url, "/");
        assert_eq!(c.theme, "default");
        assert_eq!(c.markdown.broken_links, LinkPolicy::Error);
        assert_eq!(c.markdown.raw_html, RawHtml::Sanitize);
        assert!(c.dialogue.agent.contains(&"客服".to_string()));
    }

    #[test]
    fn base_url_is_normalised_and_its_path_extracted() {
        let c = parse("title = \"x\"\nbase_url = \"https://a.example/kb\"").unwrap();
        assert_eq!(c.base_url, "https://a.example/kb/");
        assert_eq!(c.base_path(), "/kb/");
        assert_eq!(c.with_base_url("https://b.example").base_path(), "/");
    }

    #[test]
    fn unknown_keys_and_bad_values_are_located() {
        let errs = parse("title = \"x\"\n[markdown]\nbroken_link = \"warn\"\n").unwrap_err();
        assert_eq!(errs[0].location.line, 3);
        let errs = parse("title = \"x\"\n[markdown]\nbroken_links = \"maybe\"\n").unwrap_err();
        assert_eq!(errs[0].location.line, 3);
    }

    #[test]
    fn search_vocabulary_is_read_and_checked() {
        let c = parse("title = \"x\"\n[search]\nterms = [\"七天无理由\"]\nsynonyms = [[\"退款\", \"退钱\"]]\n").unwrap();
        assert_eq!(c.search.terms, ["七天无理由"]);
        assert_eq!(c.search.synonyms, [["退款", "退钱"]]);
        let errs = parse("title = \"x\"\n[search]\nsynonyms = [[\"退款\"]]\n").unwrap_err();
        assert_eq!(errs[0].location.line, 3);
        let errs = parse("title = \"x\"\n[search]\nterm = []\n").unwrap_err();
        assert_eq!(errs[0].location.line, 3);
    }

    #[test]
    fn a_role_on_both_sides_is_rejected() {
        let errs = parse("title = \"x\"\n[dialogue]\ncustomer_roles = [\"客服\"]\n").unwrap_err();
        assert!(errs[0].message.contains("both"));
    }
}
