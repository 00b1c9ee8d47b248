//! `shouce.toml`, the site configuration, parsed into a checked [`Config`].
//!
//! The raw struct mirrors the file (`deny_unknown_fields`, so a typo is an error with its
//! line) and keeps the span of every value it checks, so a problem points at the value
//! itself; [`Config`] is what the rest of the program sees, with defaults applied and
//! values normalised (a `base_url` always ends in `/`).

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::error::{Diagnostic, Error, Severity, toml_diagnostic};

pub const FILE_NAME: &str = "shouce.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Spanned<String>,
    #[serde(default)]
    description: String,
    base_url: Option<Spanned<String>>,
    language: Option<String>,
    theme: Option<String>,
    #[serde(default)]
    markdown: RawMarkdown,
    #[serde(default)]
    dialogue: RawDialogue,
    #[serde(default)]
    quizzes: RawQuizzes,
    #[serde(default)]
    search: RawSearch,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuizzes {
    #[serde(default)]
    forbidden: Vec<Spanned<String>>,
    #[serde(default)]
    allowed: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSearch {
    #[serde(default)]
    terms: Vec<Spanned<String>>,
    #[serde(default)]
    synonyms: Vec<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMarkdown {
    broken_links: Option<LinkPolicy>,
    raw_html: Option<RawHtml>,
    highlight_theme_light: Option<String>,
    highlight_theme_dark: Option<String>,
    #[serde(default)]
    link_schemes: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDialogue {
    customer_roles: Option<Spanned<Vec<Spanned<String>>>>,
    agent_roles: Option<Spanned<Vec<Spanned<String>>>>,
}

/// `[search]`: the site's vocabulary for the search index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SearchConfig {
    /// Domain terms kept whole (七天无理由, 小二介入): a page with the term itself
    /// outranks one that has its characters apart, and the term's pinyin is indexed.
    pub terms: Vec<String>,
    /// Groups of words a query may use for one another (`[["退款", "退钱"]]`).
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
    /// URL schemes links may use besides http, https, mailto and tel (lowercase).
    pub link_schemes: Vec<String>,
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
        let problems = check(&raw, path, source);
        if !problems.is_empty() {
            return Err(problems);
        }
        let defaults = DialogueRoles::default();
        let strings = |list: Vec<Spanned<String>>| list.into_iter().map(Spanned::into_inner);
        let roles = |r: Option<Spanned<Vec<Spanned<String>>>>| {
            r.map(|r| strings(r.into_inner()).collect::<Vec<_>>())
        };
        Ok(Config {
            title: raw.title.into_inner(),
            description: raw.description,
            base_url: normalize_base_url(raw.base_url.as_ref().map_or("/", |u| u.get_ref())),
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
                link_schemes: (raw.markdown.link_schemes.iter())
                    .map(|s| s.to_ascii_lowercase())
                    .collect(),
            },
            dialogue: DialogueRoles {
                customer: roles(raw.dialogue.customer_roles).unwrap_or(defaults.customer),
                agent: roles(raw.dialogue.agent_roles).unwrap_or(defaults.agent),
            },
            quizzes: QuizConfig {
                forbidden: strings(raw.quizzes.forbidden).collect(),
                allowed: strings(raw.quizzes.allowed).collect(),
            },
            search: SearchConfig {
                terms: strings(raw.search.terms).collect(),
                synonyms: raw
                    .search
                    .synonyms
                    .into_iter()
                    .map(|g| strings(g.into_inner()).collect())
                    .collect(),
            },
        })
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

    /// Whether pages can be given absolute URLs (`https://host/…`), which a sitemap needs.
    pub fn has_absolute_base_url(&self) -> bool {
        self.base_url.starts_with("https://") || self.base_url.starts_with("http://")
    }
}

/// Why `url` cannot be a base URL, if it cannot: it must be an absolute `http(s)://`
/// URL with a host, or a path from the host's root (`/`, `/handbook/`).
pub fn base_url_problem(url: &str) -> Option<String> {
    let url = url.trim();
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map(|rest| rest.split('/').next().unwrap_or(""));
    let problem = match host {
        Some("") => "has no host after the scheme",
        Some(_) if url.chars().any(|c| c.is_whitespace() || c.is_control()) => {
            "contains a space or a control character"
        }
        Some(_) => return None,
        None if url.is_empty() => return None,
        None if url.starts_with("//") => "is protocol-relative (starts with //)",
        None if url.contains("://") => "uses a scheme other than http or https",
        None if !url.starts_with('/') => {
            "is neither an absolute URL nor a path from the site's root"
        }
        None if url.chars().any(|c| c.is_whitespace() || c.is_control()) => {
            "contains a space or a control character"
        }
        None => return None,
    };
    Some(format!("base_url `{url}` {problem}"))
}

/// What a base URL looks like, for hints.
pub const BASE_URL_HINT: &str = "use the site's address, e.g. \"https://kb.example.com/\", or a path from the host's root, e.g. \"/\" or \"/handbook/\"";

/// Every problem of the values serde accepted, each at its value's span.
fn check(raw: &RawConfig, path: &Path, source: &str) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut at = |span: Range<usize>, message: String, hint: &str| {
        problems.push(Diagnostic::at(Severity::Error, path, source, span, message).with_hint(hint));
    };
    if raw.title.get_ref().trim().is_empty() {
        at(
            raw.title.span(),
            "the site title is empty".into(),
            "give the handbook a name, e.g. title = \"客服培训手册\"",
        );
    }
    if let Some(url) = &raw.base_url
        && let Some(problem) = base_url_problem(url.get_ref())
    {
        at(url.span(), problem, BASE_URL_HINT);
    }
    let phrases = raw.quizzes.forbidden.iter().chain(&raw.quizzes.allowed);
    for phrase in phrases.filter(|p| p.get_ref().trim().is_empty()) {
        at(
            phrase.span(),
            "forbidden and allowed phrases must not be empty".into(),
            "remove the empty string from the list",
        );
    }
    check_roles(raw, &mut at);
    for term in raw
        .search
        .terms
        .iter()
        .filter(|t| t.get_ref().trim().is_empty())
    {
        at(
            term.span(),
            "a search term is empty".into(),
            "list the words to keep whole, e.g. terms = [\"七天无理由\", \"小二介入\"]",
        );
    }
    for group in &raw.search.synonyms {
        let words = group.get_ref();
        if words.len() < 2 || words.iter().any(|w| w.get_ref().trim().is_empty()) {
            at(
                group.span(),
                "each synonym group needs two or more non-empty words".into(),
                "e.g. synonyms = [[\"退款\", \"退钱\"], [\"差评\", \"低分评价\"]]",
            );
        }
    }
    problems
}

fn check_roles(raw: &RawConfig, at: &mut impl FnMut(Range<usize>, String, &str)) {
    let sides = [&raw.dialogue.customer_roles, &raw.dialogue.agent_roles];
    for roles in sides.into_iter().flatten() {
        let names = roles.get_ref();
        let empty = names.iter().find(|n| n.get_ref().trim().is_empty());
        if names.is_empty() || empty.is_some() {
            at(
                empty.map_or(roles.span(), |n| n.span()),
                "dialogue roles must be non-empty names".into(),
                "e.g. customer_roles = [\"客户\", \"买家\"]",
            );
        }
    }
    let (Some(customer), Some(agent)) = (&raw.dialogue.customer_roles, &raw.dialogue.agent_roles)
    else {
        return check_against_defaults(raw, at);
    };
    for name in customer.get_ref() {
        if agent
            .get_ref()
            .iter()
            .any(|a| a.get_ref() == name.get_ref())
        {
            both_sides(name, at);
        }
    }
}

/// A role given for one side that is a default name of the other.
fn check_against_defaults(raw: &RawConfig, at: &mut impl FnMut(Range<usize>, String, &str)) {
    let defaults = DialogueRoles::default();
    let given = [
        (&raw.dialogue.customer_roles, &defaults.agent),
        (&raw.dialogue.agent_roles, &defaults.customer),
    ];
    for (roles, other) in given {
        for name in roles.iter().flat_map(|r| r.get_ref()) {
            if other.contains(name.get_ref()) {
                both_sides(name, at);
            }
        }
    }
}

fn both_sides(name: &Spanned<String>, at: &mut impl FnMut(Range<usize>, String, &str)) {
    at(
        name.span(),
        format!("`{}` is both a customer and an agent role", name.get_ref()),
        "each speaker name belongs to one side",
    );
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
    fn mistakes_are_located_at_their_value_not_at_the_first_mention_of_the_key() {
        // (shouce.toml, line:col of the error, what it says)
        let cases = [
            (
                "# the title of the handbook\ntitle = \"\"\n",
                (2, 9),
                "title is empty",
            ),
            (
                "title = \"x\" # terms\n[search]\nterms = [\"a\", \" \"]\n",
                (3, 15),
                "term is empty",
            ),
            (
                "title = \"x\" # synonyms\n[search]\nsynonyms = [[\"a\", \"b\"], [\"c\"]]\n",
                (3, 25),
                "two or more",
            ),
            (
                "title = \"[quizzes]\"\n[quizzes]\nforbidden = [\"\"]\n",
                (3, 14),
                "must not be empty",
            ),
            (
                "title = \"[dialogue]\"\n[dialogue]\nagent_roles = []\n",
                (3, 15),
                "non-empty names",
            ),
            (
                "title = \"客服\"\n[dialogue]\ncustomer_roles = [\"客户\", \"客服\"]\n",
                (3, 25),
                "both a customer and an agent",
            ),
            (
                "title = \"x\"\nbase_url = \"kb.example.com\"\n",
                (2, 12),
                "neither an absolute URL",
            ),
            (
                "title = \"x\"\nbase_url = \"https://\"\n",
                (2, 12),
                "no host",
            ),
            (
                "title = \"x\"\nbase_url = \"//cdn.example/\"\n",
                (2, 12),
                "protocol-relative",
            ),
            (
                "title = \"x\"\nbase_url = \"ftp://kb.example/\"\n",
                (2, 12),
                "other than http",
            ),
            (
                "title = \"x\"\nbase_url = \"/kb docs/\"\n",
                (2, 12),
                "a space",
            ),
        ];
        for (source, (line, col), says) in cases {
            let errs = parse(source).expect_err(source);
            assert_eq!(errs.len(), 1, "{source}: {errs:?}");
            let at = &errs[0].location;
            assert_eq!((at.line, at.col), (line, col), "{source}");
            assert!(
                errs[0].message.contains(says),
                "{source}: {}",
                errs[0].message
            );
        }
    }

    #[test]
    fn good_base_urls_pass_and_only_absolute_ones_can_make_a_sitemap() {
        for (url, absolute) in [
            ("/", false),
            ("/handbook", false),
            ("", false),
            ("https://kb.example.com", true),
            ("http://127.0.0.1:8080/kb/", true),
        ] {
            assert_eq!(base_url_problem(url), None, "{url}");
            let c = parse(&format!("title = \"x\"\nbase_url = \"{url}\"")).unwrap();
            assert_eq!(c.has_absolute_base_url(), absolute, "{url}");
        }
    }

    #[test]
    fn a_role_on_both_sides_is_rejected() {
        let errs = parse("title = \"x\"\n[dialogue]\ncustomer_roles = [\"客服\"]\n").unwrap_err();
        assert!(errs[0].message.contains("both"));
    }
}
