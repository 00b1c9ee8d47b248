//! Links to headings on other pages (`page.md#anchor`) are checked once every page has
//! rendered, since only then are all heading ids known.

use std::collections::{HashMap, HashSet};

use crate::config::LinkPolicy;
use crate::content::{Child, Library};
use crate::error::{self, Diagnostic, Severity};
use crate::markdown::{AnchorRef, Rendered};

/// The heading ids of every rendered page, by source path.
pub type AnchorSets<'a> = HashMap<&'a str, HashSet<&'a str>>;

/// Collects the heading ids each rendered page has.
pub fn sets<'a>(lib: &'a Library, outcomes: &[(Child, &'a Rendered)]) -> AnchorSets<'a> {
    outcomes
        .iter()
        .filter_map(|(item, rendered)| {
            lib.page(*item).map(|p| {
                (
                    p.source.as_str(),
                    rendered.anchors.iter().map(String::as_str).collect(),
                )
            })
        })
        .collect()
}

/// The hint for a link to `#anchor` on a page whose headings are `known`.
pub fn hint(anchor: &str, known: Option<&HashSet<&str>>) -> String {
    let mut available: Vec<&str> = known
        .map(|s| s.iter().copied().collect())
        .unwrap_or_default();
    available.sort_unstable();
    match error::closest(anchor, &available) {
        Some(best) => format!(
            "did you mean `#{best}`? headings on that page: {}",
            available.join(", ")
        ),
        None if available.is_empty() => "that page has no headings".to_string(),
        None => format!("headings on that page: {}", available.join(", ")),
    }
}

/// Every `page.md#anchor` link must name a heading that exists on that page.
pub fn check(
    lib: &Library,
    outcomes: &[(Child, &Rendered)],
    anchors: &AnchorSets<'_>,
    policy: LinkPolicy,
) -> Vec<Diagnostic> {
    let source_of = |item: Child| lib.page(item);
    let severity = match policy {
        LinkPolicy::Error => Severity::Error,
        LinkPolicy::Warn => Severity::Warning,
    };
    let mut problems = Vec::new();
    for (item, rendered) in outcomes {
        let Some(page) = source_of(*item) else {
            continue;
        };
        for AnchorRef {
            source,
            anchor,
            span,
        } in &rendered.anchor_refs
        {
            let known = anchors.get(source.as_str());
            if known.is_some_and(|set| set.contains(anchor.as_str())) {
                continue;
            }
            let hint = hint(anchor, known);
            problems.push(
                Diagnostic::at(
                    severity,
                    &page.file,
                    &page.text,
                    span.clone(),
                    format!("no heading `#{anchor}` in content/{source}"),
                )
                .with_hint(hint),
            );
        }
    }
    problems
}
