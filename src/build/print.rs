//! The one-page print view of the whole handbook.
//!
//! Each page's HTML was written for the page's own URL, so on `print/` its relative
//! links would point the wrong way and its heading ids would collide with other pages'.
//! [`rebase`] rewrites one page's HTML for the print view: ids get the entry's prefix
//! (`p7-小二介入`), links to pages that are in the book become jumps within it
//! (`#p7-小二介入`), and other relative links and images are re-based on `print/`.
//! URLs with a scheme (`https:`, `tel:`, `sms:`…) and site-absolute ones are left
//! alone. The HTML is rewritten by lol_html, a streaming HTML rewriter, so only real
//! attributes change, and a rebased path is written back percent-encoded as it was
//! read: what was one attribute value stays one.
//!
//! Pages' bodies reach the template as markers ([`Markers::fresh`], a random key per
//! rendering, so nothing an author writes can stand for a body) and are spliced in
//! afterwards: pushing megabytes of bodies through Tera cost more than rendering the
//! pages themselves.

use std::collections::HashMap;

use lol_html::html_content::Element;
use lol_html::{RewriteStrSettings, element, rewrite_str};

use crate::markdown::{escape_html, links};

/// The URL path of the print view.
pub const PATH: &str = "print/";

/// Where each page is in the print view: URL path → entry anchor (`p7`).
pub type Anchors<'a> = HashMap<&'a str, String>;

/// The id of the `n`th entry (1-based, as Tera's `loop.index`).
pub fn entry_anchor(n: usize) -> String {
    format!("p{n}")
}

/// What one page's body is rebased from and to.
struct Rebase<'a> {
    url_path: &'a str,
    anchor: &'a str,
    book: &'a Anchors<'a>,
}

/// Rewrites `html`, the body of the page at `url_path`, for the print view.
pub fn rebase(html: &str, url_path: &str, anchor: &str, book: &Anchors<'_>) -> String {
    let rebase = Rebase {
        url_path,
        anchor,
        book,
    };
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("[id]", |el| {
            rebase.id(el);
            Ok(())
        }))
        .append_element_content_handler(element!("[href], [src]", |el| {
            rebase.urls(el);
            Ok(())
        }))
        .with_strict(false);
    // Without strict mode and memory limits lol_html has no way to fail; should it
    // ever, the page is shown as text rather than as HTML that was not rewritten.
    rewrite_str(html, settings).unwrap_or_else(|_| escape_html(html))
}

impl Rebase<'_> {
    fn id(&self, el: &mut Element) {
        if let Some(id) = el.get_attribute("id") {
            let _ = el.set_attribute("id", &format!("{}-{id}", self.anchor));
        }
    }

    fn urls(&self, el: &mut Element) {
        let is_link = el.tag_name() == "a";
        for attr in ["href", "src"] {
            if let Some(value) = el.get_attribute(attr) {
                let is_jump = if attr == "href" && is_link {
                    Jump::Allowed
                } else {
                    Jump::Never
                };
                let _ = el.set_attribute(attr, &self.url(&value, is_jump));
            }
        }
    }

    /// One URL as written in the page's HTML (percent- and entity-encoded).
    fn url(&self, value: &str, jump: Jump) -> String {
        if let Some(fragment) = value.strip_prefix('#') {
            return format!("#{}-{fragment}", self.anchor);
        }
        if value.is_empty() || value.starts_with('/') || links::scheme(value).is_some() {
            return value.to_string();
        }
        let split = value.find(['#', '?']).unwrap_or(value.len());
        let (path, suffix) = value.split_at(split);
        // `.` and `..` look the same encoded or not, so the encoded path is joined for
        // the output and the decoded one for looking up the book's pages.
        let Some(target) = links::join(self.url_path, path) else {
            return value.to_string();
        };
        let is_dir = path.is_empty() || path.ends_with('/') || path.ends_with('.');
        let target = if is_dir && !target.is_empty() {
            format!("{target}/")
        } else {
            target
        };
        if jump == Jump::Allowed
            && let Some(entry) = self.book_entry(&target)
        {
            return match suffix.strip_prefix('#') {
                Some(f) if !f.is_empty() => format!("#{entry}-{f}"),
                _ => format!("#{entry}"),
            };
        }
        let mut url = links::relative_url(PATH, &target);
        url.push_str(suffix);
        url
    }

    fn book_entry(&self, target: &str) -> Option<&String> {
        let decoded = percent_encoding::percent_decode_str(target).decode_utf8_lossy();
        self.book.get(decoded.as_ref())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Jump {
    /// A link (`<a href>`) to a page in the book becomes a jump within the print view.
    Allowed,
    /// An image or a stylesheet keeps pointing at the file.
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> Anchors<'static> {
        HashMap::from([
            ("rules/refund/", "p2".to_string()),
            ("start/", "p1".to_string()),
            ("", "p0".to_string()),
        ])
    }

    #[test]
    fn ids_and_same_page_links_get_the_entry_prefix() {
        let html = "<h2 id=\"小二介入\">x</h2><a href=\"#小二介入\">y</a>";
        assert_eq!(
            rebase(html, "rules/refund/", "p2", &book()),
            "<h2 id=\"p2-小二介入\">x</h2><a href=\"#p2-小二介入\">y</a>"
        );
    }

    #[test]
    fn links_to_pages_in_the_book_become_jumps() {
        let html = "<a href=\"../../start/\">a</a><a href=\"../refund/#%E5%B0%8F\">b</a><a href=\"../../%E9%80%80/\">c</a>";
        let mut book = book();
        book.insert("退/", "p4".to_string());
        assert_eq!(
            rebase(html, "rules/shipping/", "p3", &book),
            "<a href=\"#p1\">a</a><a href=\"#p2-%E5%B0%8F\">b</a><a href=\"#p4\">c</a>"
        );
    }

    #[test]
    fn files_and_other_links_are_rebased_on_the_print_view() {
        let html = "<img src=\"../flow.png\" alt=\"图\"><a href=\"https://tmall.com\">t</a><a class=\"x\" href=\"../../other/\">o</a>";
        assert_eq!(
            rebase(html, "rules/refund/", "p2", &book()),
            "<img src=\"../rules/flow.png\" alt=\"图\"><a href=\"https://tmall.com\">t</a><a class=\"x\" href=\"../other/\">o</a>"
        );
    }

    #[test]
    fn the_home_page_links_resolve_from_the_root() {
        let html = "<a href=\"rules/refund/\">r</a><a href=\"./\">home</a><img src=\"./a.png\">";
        assert_eq!(
            rebase(html, "", "p9", &book()),
            "<a href=\"#p2\">r</a><a href=\"#p0\">home</a><img src=\"../a.png\">"
        );
    }

    #[test]
    fn other_schemes_and_text_are_left_alone() {
        let html = "<p>x=\"y\" href=\"z\"</p><a href=\"tel:+86-10\">t</a><a href=\"sms:10086\">s</a><a href=\"Mailto:a@b.c\">m</a>";
        assert_eq!(rebase(html, "rules/refund/", "p2", &book()), html);
    }

    #[test]
    fn encoded_quotes_stay_inside_their_attribute() {
        let html = "<a href=\"x%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E\">a</a>";
        let out = rebase(html, "rules/refund/", "p2", &book());
        assert_eq!(
            out,
            "<a href=\"../rules/refund/x%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E\">a</a>"
        );
    }
}
