//! The handbook as authors wrote it: `content/**/*.md` → [`Page`]s arranged in a
//! [`Library`] of nested sections, sorted by weight.
//!
//! Everything here is pure: [`Page::parse`] takes a path and a string, and
//! [`Library::assemble`] takes parsed pages. Reading files is the build's job.

pub mod frontmatter;
mod library;

use std::path::PathBuf;

pub use frontmatter::FrontMatter;
pub use library::{Child, DraftPolicy, Library, ROOT, Section};

use crate::error::{Diagnostic, Location};

/// A section's own page inside its folder.
pub const SECTION_INDEX: &str = "_index.md";

/// One Markdown file: a lesson, or a section's `_index.md`.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path below `content/`, with `/` separators: `rules/refund.md`.
    pub source: String,
    /// Path shown in diagnostics: `content/rules/refund.md`.
    pub file: PathBuf,
    /// The whole file.
    pub text: String,
    pub body_start: usize,
    pub meta: FrontMatter,
    /// URL path below the site root, ending in `/` (`rules/refund/`; `` for the home).
    pub url_path: String,
}

impl Page {
    /// Parses one file's text. `source` is its path below `content/`.
    pub fn parse(source: &str, text: String) -> Result<Page, Vec<Diagnostic>> {
        let file = PathBuf::from("content").join(source);
        let split = frontmatter::split(&file, &text).map_err(|d| vec![d])?;
        let meta = frontmatter::parse(&file, &text, &split)?;
        let url_path = url_path(source, meta.slug.as_deref());
        if let Some(d) = unsafe_file_name(&file, source, meta.slug.is_some()) {
            return Err(vec![d]);
        }
        Ok(Page {
            source: source.to_string(),
            file,
            body_start: split.body_start,
            text,
            meta,
            url_path,
        })
    }

    pub fn is_section_index(&self) -> bool {
        self.source == SECTION_INDEX || self.source.ends_with("/_index.md")
    }

    /// The folder the file is in, below `content/` (`rules`, or `` at the top).
    pub fn dir(&self) -> &str {
        self.source.rsplit_once('/').map_or("", |(dir, _)| dir)
    }

    /// The Markdown after the front matter.
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }
}

/// Why `name` cannot be one segment of a URL path and of a folder in the output, if it
/// cannot: `.` and `..` would climb, a `:` would read as a scheme (`javascript:`),
/// `#`, `?` and `%` change what a URL means, `/` and `\` split it, controls, spaces
/// and quotes have no place in one, and a name ending in `.html` or `.xml` would
/// clash with the files the build writes (`index.html`, `sitemap.xml`).
pub fn segment_problem(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if name.is_empty() {
        Some("it is empty")
    } else if name == "." || name == ".." {
        Some("`.` and `..` name folders that already exist")
    } else if name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        Some("it holds a space or a control character")
    } else if name.contains(['/', '\\', ':', '#', '?', '%', '"', '\'', '<', '>', '`']) {
        Some("it holds one of / \\ : # ? % \" ' < > `")
    } else if [".html", ".htm", ".xml"].iter().any(|e| lower.ends_with(e)) {
        Some("a name ending in .html or .xml clashes with the files the build writes")
    } else {
        None
    }
}

/// An error if a folder of `source`, or its file name when no slug replaces it,
/// cannot be a URL segment (see [`segment_problem`]).
fn unsafe_file_name(file: &std::path::Path, source: &str, has_slug: bool) -> Option<Diagnostic> {
    let (dirs, name) = source.rsplit_once('/').unwrap_or(("", source));
    let stem = name.strip_suffix(".md").unwrap_or(name);
    let named_by_file = !has_slug && name != SECTION_INDEX;
    let segments = dirs.split('/').filter(|d| !d.is_empty());
    let (segment, why) = segments
        .chain(named_by_file.then_some(stem))
        .find_map(|s| segment_problem(s).map(|why| (s, why)))?;
    Some(
        Diagnostic::error(
            Location::file(file),
            format!("`{segment}` cannot be part of a page's URL: {why}"),
        )
        .with_hint(
            "rename the file or folder (letters, digits, `-`, `_`), or give the page a `slug`",
        ),
    )
}

/// `rules/refund.md` → `rules/refund/`; `rules/_index.md` → `rules/`; a slug replaces
/// the last segment of a page's URL.
fn url_path(source: &str, slug: Option<&str>) -> String {
    let (dir, file) = source.rsplit_once('/').unwrap_or(("", source));
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    if file == SECTION_INDEX {
        return prefix;
    }
    let stem = file.strip_suffix(".md").unwrap_or(file);
    format!("{prefix}{}/", slug.unwrap_or(stem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_derive_from_paths_and_slugs() {
        assert_eq!(url_path("rules/refund.md", None), "rules/refund/");
        assert_eq!(
            url_path("rules/refund.md", Some("tuikuan")),
            "rules/tuikuan/"
        );
        assert_eq!(url_path("rules/_index.md", None), "rules/");
        assert_eq!(url_path("_index.md", None), "");
        assert_eq!(url_path("start.md", None), "start/");
    }

    #[test]
    fn names_that_are_not_url_segments_are_refused() {
        for bad in [
            "",
            ".",
            "..",
            "a b",
            "a\u{7}",
            "javascript:x",
            "a#b",
            "a%20",
            "index.html",
            "Sitemap.XML",
        ] {
            assert!(segment_problem(bad).is_some(), "{bad:?}");
        }
        for good in ["refund", "退款规则", "v1.2", "a_b-c", "_index"] {
            assert_eq!(segment_problem(good), None, "{good:?}");
        }
        let page = |source: &str, front: &str| {
            Page::parse(source, format!("+++\ntitle = \"t\"\n{front}+++\n"))
        };
        assert!(page("a b/x.md", "slug = \"x\"\n").is_err());
        assert!(page("a/x#1.md", "").is_err());
        assert!(page("a/x#1.md", "slug = \"x1\"\n").is_ok());
        assert!(page("a/_index.md", "").is_ok());
    }

    #[test]
    fn parse_keeps_the_body_and_locates_errors_in_content() {
        let page = Page::parse("rules/a.md", "+++\ntitle = \"A\"\n+++\nbody\n".into()).unwrap();
        assert_eq!(page.body(), "body\n");
        assert_eq!(page.dir(), "rules");
        let errs = Page::parse("rules/a.md", "+++\n+++\n".into()).unwrap_err();
        assert_eq!(errs[0].location.path, PathBuf::from("content/rules/a.md"));
    }
}
