//! Raw HTML in Markdown is cleaned with ammonia: the handbook shares an origin with the
//! exam server, so a stray `<script>` or `onclick` must never run there.
//!
//! Only pages that contain raw HTML pay for this; the markup Shouce itself generates
//! (ids, callout and dialogue classes, copy buttons, task-list checkboxes) is allowed.
//!
//! ammonia's parser (html5ever) walks the stack of open elements for every tag, so a
//! page nested N deep costs N²: 10,000 nested `<div>`s took a minute. [`too_deep`]
//! measures the nesting first with lol_html, a streaming parser that keeps no tree,
//! and the renderer refuses pages nested deeper than [`MAX_DEPTH`] (the depth at
//! which browsers stop nesting, too).

use std::cell::Cell;
use std::collections::HashSet;
use std::rc::Rc;

use lol_html::{EndTagHandler, RewriteStrSettings, element, rewrite_str};

/// The deepest nesting of elements a sanitized page may have.
pub const MAX_DEPTH: usize = 512;

/// Elements whose end tag may be left out (`<li>a<li>b`): not counted, since a
/// streaming parser would see them pile up where a browser closes them.
const OPTIONAL_END: [&str; 18] = [
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot", "rb",
    "rt", "rp", "rtc", "colgroup", "caption",
];

/// Whether elements in `html` nest deeper than [`MAX_DEPTH`]. Linear in `html`.
pub fn too_deep(html: &str) -> bool {
    let depth = Rc::new(Cell::new(0usize));
    let deepest = Rc::new(Cell::new(0usize));
    let (open, max) = (Rc::clone(&depth), Rc::clone(&deepest));
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("*", move |el| {
            if OPTIONAL_END.contains(&el.tag_name().as_str()) {
                return Ok(());
            }
            let Some(handlers) = el.end_tag_handlers() else {
                return Ok(()); // a void element: <br>, <img>
            };
            open.set(open.get() + 1);
            max.set(max.get().max(open.get()));
            let closed = Rc::clone(&open);
            let on_end: EndTagHandler<'static> = Box::new(move |_| {
                closed.set(closed.get().saturating_sub(1));
                Ok(())
            });
            handlers.push(on_end);
            Ok(())
        }))
        .with_strict(false);
    // lol_html cannot fail without strict mode or memory limits; if it did, the page is
    // treated as too deep rather than handed to the quadratic parser.
    rewrite_str(html, settings).is_err() || deepest.get() > MAX_DEPTH
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_open_elements_but_not_optional_ends() {
        let deep = |n: usize| format!("{}x{}", "<div>".repeat(n), "</div>".repeat(n));
        assert!(!too_deep(&deep(MAX_DEPTH)));
        assert!(too_deep(&deep(MAX_DEPTH + 1)));
        assert!(too_deep(&"<b>".repeat(MAX_DEPTH + 1)));
        assert!(!too_deep(&format!("<ul>{}</ul>", "<li>a".repeat(2000))));
        assert!(!too_deep(&"<p>a<br><img src=x>".repeat(2000)));
        assert!(!too_deep(&"<div>x</div>".repeat(2000)));
    }
}
