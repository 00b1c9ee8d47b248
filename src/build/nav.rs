//! The sidebar, rendered once per section instead of once per page.
//!
//! Every page of a section shows the same sidebar (the home's children, with the
//! sections on the way to the page expanded); only the current item differs. The
//! theme's `nav.html` is therefore rendered once for each (section, root) pair, and each
//! page gets a copy with `aria-current="page"` added to the link to itself, found by
//! its `href="{{ root }}{{ item.path }}"`. On a 10,000-page handbook this turns ~10,000
//! sidebar renders into a few hundred.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::content::{Child, Library};
use crate::error::Diagnostic;
use crate::theme::Theme;

use super::context::{self, NavItem};

pub const TEMPLATE: &str = "nav.html";

#[derive(Debug, Serialize)]
struct NavContext<'a> {
    root: &'a str,
    nav: Vec<NavItem<'a>>,
}

/// Rendered sidebars keyed by (section whose pages show it, root prefix).
#[derive(Debug, Default)]
pub struct NavCache {
    rendered: HashMap<(usize, String), String>,
}

impl NavCache {
    /// Renders the sidebar for every key in `keys` (duplicates are fine).
    pub fn render(
        lib: &Library,
        theme: &Theme,
        keys: Vec<(usize, String)>,
    ) -> Result<NavCache, Diagnostic> {
        let mut keys = keys;
        keys.sort();
        keys.dedup();
        let rendered = keys
            .into_par_iter()
            .map(|(section, root)| {
                let ctx = NavContext {
                    root: &root,
                    nav: context::nav(lib, section, None),
                };
                theme
                    .render(TEMPLATE, &ctx)
                    .map(|html| ((section, root), html))
            })
            .collect::<Result<HashMap<_, _>, _>>()?;
        Ok(NavCache { rendered })
    }

    /// The sidebar for a page of `section` at `root`, with `current` marked.
    pub fn get(&self, lib: &Library, section: usize, root: &str, current: Option<Child>) -> String {
        let Some(html) = self.rendered.get(&(section, root.to_string())) else {
            return String::new();
        };
        match current {
            Some(child) => mark_current(html, &format!("href=\"{root}{}\"", lib.url_path(child))),
            None => html.clone(),
        }
    }
}

/// Adds `aria-current="page"` after the first occurrence of `href`.
fn mark_current(html: &str, href: &str) -> String {
    match html.find(href) {
        Some(i) => {
            let end = i + href.len();
            let mut out = String::with_capacity(html.len() + 24);
            out.push_str(&html[..end]);
            out.push_str(" aria-current=\"page\"");
            out.push_str(&html[end..]);
            out
        }
        None => html.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_only_the_exact_link() {
        let html = "<a href=\"../rules/\">R</a><a href=\"../rules/refund/\">r</a>";
        assert_eq!(
            mark_current(html, "href=\"../rules/refund/\""),
            "<a href=\"../rules/\">R</a><a href=\"../rules/refund/\" aria-current=\"page\">r</a>"
        );
        assert_eq!(mark_current(html, "href=\"../nope/\""), html);
    }
}
