//! The handbook's rule passages: the parts of the text whose changes agents must read
//! and acknowledge. Pure: a loaded `Library` and quiz bank in, passages out.
//!
//! What is tracked, and why:
//! * every **policy page** — one whose front matter has an `effective` date (the mark
//!   the handbook gives pages that state platform or company rules; `rules/` carries it
//!   throughout) — cut at every heading into non-overlapping passages (the text before
//!   the first heading is one too), so an edit shows as the few passages it touched;
//! * every paragraph a quiz question cites as its `source` (`lessons::cited_text`, the
//!   heading up to the next of its level), when it is not on a policy page already:
//!   a question graded against a changed paragraph is a changed rule for the agent.
//!
//! A passage's key is its page's source path and heading id (`rules/refund.md#退款率`;
//! the page alone for its opening text). Headings inside fenced code are not headings.

use std::collections::BTreeMap;

use crate::content::{Library, Page};
use crate::markdown::heading::{IdAllocator, slugify};

use super::QuizFile;
use super::lessons;

/// One tracked passage as the loaded handbook has it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// `rules/refund.md#退款率`, or `rules/refund.md` for the opening text.
    pub key: String,
    /// The page's source path below `content/`.
    pub page: String,
    /// "page title · heading", as lists show it.
    pub title: String,
    /// The Markdown of the passage, trimmed.
    pub text: String,
    /// blake3 of `text`, hex.
    pub hash: String,
}

impl Passage {
    fn new(page: &Page, anchor: Option<&str>, heading: Option<&str>, text: String) -> Passage {
        let key = match anchor {
            Some(a) => format!("{}#{a}", page.source),
            None => page.source.clone(),
        };
        let title = match heading {
            Some(h) => format!("{} · {h}", page.meta.title),
            None => page.meta.title.clone(),
        };
        Passage {
            key,
            page: page.source.clone(),
            title,
            hash: blake3::hash(text.as_bytes()).to_hex().to_string(),
            text,
        }
    }
}

/// Every tracked passage of the handbook, sorted by key.
pub fn passages(lib: &Library, quizzes: &[QuizFile]) -> Vec<Passage> {
    let mut found: BTreeMap<String, Passage> = BTreeMap::new();
    let indexes = lib.sections.iter().filter_map(|s| s.index.as_ref());
    for page in lib.pages.iter().chain(indexes) {
        if page.meta.effective.is_some() {
            for p in split(page) {
                found.insert(p.key.clone(), p);
            }
        }
    }
    for link in quizzes
        .iter()
        .flat_map(|q| &q.quiz.items)
        .filter_map(|i| i.question.source.as_ref())
    {
        let Some(resolved) = lessons::resolve_source(link) else {
            continue;
        };
        let Some(page) = lib.find(&resolved.page).and_then(|c| lib.page(c)) else {
            continue;
        };
        if page.meta.effective.is_some() {
            continue;
        }
        let Some(text) = lessons::cited_text(lib, link) else {
            continue;
        };
        let heading = resolved
            .anchor
            .and_then(|_| text.lines().next())
            .map(|l| l.trim_start_matches('#').trim().to_owned());
        let p = Passage::new(page, resolved.anchor, heading.as_deref(), text);
        found.entry(p.key.clone()).or_insert(p);
    }
    found.into_values().collect()
}

/// A policy page cut at every heading (outside fenced code).
fn split(page: &Page) -> Vec<Passage> {
    let body = &page.text[page.body_start..];
    let mut ids = IdAllocator::default();
    let mut out = Vec::new();
    let mut current: (Option<String>, Option<String>, Vec<&str>) = (None, None, Vec::new());
    let mut fence: Option<&str> = None;
    for line in body.lines() {
        let trimmed = line.trim_start();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
            current.2.push(line);
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            current.2.push(line);
            continue;
        }
        if let Some(level) = lessons::heading_level(line) {
            let text = line[level..].trim().trim_end_matches('#').trim();
            let (anchor, heading, lines) = std::mem::replace(
                &mut current,
                (
                    Some(ids.unique(slugify(text))),
                    Some(text.to_owned()),
                    vec![line],
                ),
            );
            push(&mut out, page, anchor, heading, &lines);
        } else {
            current.2.push(line);
        }
    }
    let (anchor, heading, lines) = current;
    push(&mut out, page, anchor, heading, &lines);
    out
}

fn push(
    out: &mut Vec<Passage>,
    page: &Page,
    anchor: Option<String>,
    heading: Option<String>,
    lines: &[&str],
) {
    let text = lines.join("\n").trim().to_owned();
    if text.is_empty() {
        return;
    }
    out.push(Passage::new(
        page,
        anchor.as_deref(),
        heading.as_deref(),
        text,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::DraftPolicy;

    fn library(pages: &[(&str, &str)]) -> Library {
        let pages = pages
            .iter()
            .map(|(source, text)| Page::parse(source, (*text).to_owned()).unwrap())
            .collect();
        Library::assemble(pages, DraftPolicy::Exclude).unwrap()
    }

    #[test]
    fn policy_pages_are_cut_at_every_heading_and_other_pages_are_not_tracked() {
        let rule = "+++\ntitle = \"退款\"\neffective = 2027-01-01\n+++\n开头。\n\n## 时限\n72 小时。\n\n```\n## 不是标题\n```\n\n### 例外\n预售。\n\n## 时限\n重复的标题。\n";
        let lib = library(&[
            ("rules/refund.md", rule),
            (
                "scripts/hello.md",
                "+++\ntitle = \"你好\"\n+++\n## 开场\n您好。\n",
            ),
        ]);
        let got = passages(&lib, &[]);
        let keys: Vec<&str> = got.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "rules/refund.md",
                "rules/refund.md#例外",
                "rules/refund.md#时限",
                "rules/refund.md#时限-1"
            ]
        );
        let limit = &got[2];
        assert_eq!(limit.title, "退款 · 时限");
        assert!(limit.text.starts_with("## 时限\n72 小时。"));
        assert!(limit.text.contains("## 不是标题"), "{}", limit.text);
        assert!(!limit.text.contains("预售"));
        assert_eq!(got[0].text, "开头。");
        assert_eq!(
            limit.hash,
            blake3::hash(limit.text.as_bytes()).to_hex().to_string()
        );
    }
}
