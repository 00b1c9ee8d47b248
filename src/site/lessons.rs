//! Where quiz links lead: `lessons` entries (relative to `content/`), a question's
//! `source` and links in quiz Markdown (relative to the quiz file), resolved against the
//! library. The build, the server and the tests share this resolution.

use crate::content::Library;
use crate::markdown::links;
use crate::quiz::Link;

use super::quizbank::DIR;

/// Where a quiz link leads: a page's source path (relative to `content/`) and anchor.
#[derive(Debug, PartialEq, Eq)]
pub struct Resolved<'a> {
    pub page: String,
    pub anchor: Option<&'a str>,
}

/// Resolves a `lessons` entry (relative to `content/`, as `rules/refund.md`).
pub fn resolve_lesson(link: &Link) -> Option<Resolved<'_>> {
    match links::classify(&link.target, "") {
        links::Target::Page { source, anchor } => Some(Resolved {
            page: source,
            anchor,
        }),
        _ => None,
    }
}

/// Resolves a question's `source` (relative to the quiz file, as
/// `../content/rules/refund.md#小二介入`).
pub fn resolve_source(link: &Link) -> Option<Resolved<'_>> {
    resolve_from_quiz(&link.target)
}

/// Resolves a link written in a quiz file, relative to it (`source`, and links in the
/// quiz's Markdown): a Markdown page below `content/`.
pub fn resolve_from_quiz(target: &str) -> Option<Resolved<'_>> {
    match links::classify(target, DIR) {
        links::Target::Page { source, anchor } => Some(Resolved {
            page: source.strip_prefix("content/")?.to_string(),
            anchor,
        }),
        _ => None,
    }
}

/// The href of a resolved link from the page at `from`, if its page exists.
pub fn page_href(lib: &Library, resolved: Resolved<'_>, from: &str) -> Option<String> {
    let page = lib.find(&resolved.page)?;
    let mut href = links::relative_url(from, lib.url_path(page));
    if let Some(anchor) = resolved.anchor {
        href.push('#');
        href.push_str(anchor);
    }
    Some(href)
}

/// The Markdown a question's `source` cites: the heading whose id is the link's anchor
/// and what follows it up to the next heading of the same or a higher level; the
/// page's whole body without an anchor.
pub fn cited_text(lib: &Library, link: &Link) -> Option<String> {
    let resolved = resolve_source(link)?;
    let page = lib.page(lib.find(&resolved.page)?)?;
    let body = &page.text[page.body_start..];
    let Some(anchor) = resolved.anchor else {
        return Some(body.trim().to_string());
    };
    let mut found: Option<(usize, Vec<&str>)> = None;
    for line in body.lines() {
        let level = heading_level(line);
        match (&mut found, level) {
            (Some((at, _)), Some(l)) if l <= *at => break,
            (Some((_, lines)), _) => lines.push(line),
            (None, Some(l)) if heading_id(line, l) == anchor => found = Some((l, vec![line])),
            (None, _) => {}
        }
    }
    found.map(|(_, lines)| lines.join("\n").trim().to_string())
}

pub(super) fn heading_level(line: &str) -> Option<usize> {
    let hashes = line.bytes().take_while(|b| *b == b'#').count();
    let rest = &line[hashes..];
    ((1..=6).contains(&hashes) && (rest.is_empty() || rest.starts_with([' ', '\t'])))
        .then_some(hashes)
}

fn heading_id(line: &str, level: usize) -> String {
    let text = line[level..].trim().trim_end_matches('#').trim();
    crate::markdown::heading::slugify(text)
}
