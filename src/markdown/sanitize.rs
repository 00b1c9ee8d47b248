//! Raw HTML in Markdown is cleaned with ammonia: the handbook shares an origin with the
//! exam server, so a stray `<script>` or `onclick` must never run there.
//!
//! Only pages that contain raw HTML pay for this; the markup Shouce itself generates
//! (ids, callout and dialogue classes, copy buttons, task-list checkboxes) is allowed.

use std::collections::HashSet;

pub fn clean(html: &str) -> String {
    let extra_tags: HashSet<&str> = [
        "aside",
        "button",
        "input",
        "details",
        "summary",
        "figure",
        "figcaption",
        "mark",
        "kbd",
        "sup",
        "sub",
    ]
    .into_iter()
    .collect();
    let generic: HashSet<&str> = ["id", "class", "role", "aria-label", "title", "lang"]
        .into_iter()
        .collect();
    ammonia::Builder::default()
        .add_tags(extra_tags)
        .add_generic_attributes(generic)
        .add_tag_attributes("button", ["type", "data-copy"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("pre", ["data-lang"])
        .add_tag_attributes("ol", ["start"])
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("th", ["style"])
        .link_rel(Some("noopener"))
        .clean(html)
        .to_string()
}
