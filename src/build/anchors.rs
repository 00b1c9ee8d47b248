//! Links to headings on other pages (`page.md#anchor`) are checked once every page has
//! rendered, since only then are all heading ids known.

use std::collections::{HashMap, HashSet};

use crate::config::LinkPolicy;
use crate::content::{Child, Library};
use crate::error::{self, Diagnostic, Severity};
use crate::markdown::{AnchorRef, Rendered};

/// Every `page.md#anchor` link must name a heading that exists on that page.
pub fn check(
    lib: &Library,
    outcomes: &[(Child, &Rendered)],
    policy: LinkPolicy,
) -> Vec<Diagnostic> {
    let source_of = |item: Child| lib.page(item);
    let anchors: HashMap<&str, HashSet<&str>> = outcomes
        .iter()
        .filter_map(|(item, rendered)| {
            source_of(*item).map(|p| {
                (
                    p.source.as_str(),
                    rendered.anchors.iter().map(String::as_str).collect(),
                )
            })
        })
        .collect();
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
            let mut available: Vec<&str> = known
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default();
            available.sort_unstable();
            let hint = match error::closest(anchor, &available) {
                Some(best) => format!(
                    "did you mean `#{best}`? headings on that page: {}",
                    available.join(", ")
                ),
                None if available.is_empty() => "that page has no headings".to_string(),
                None => format!("headings on that page: {}", available.join(", ")),
            };
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
