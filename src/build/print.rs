//! The one-page print view of the whole handbook.
//!
//! Each page's HTML was written for the page's own URL, so on `print/` its relative
//! links would point the wrong way and its heading ids would collide with other pages'.
//! [`rebase`] rewrites one page's HTML for the print view: ids get the entry's prefix
//! (`p7-小二介入`), links to pages that are in the book become jumps within it
//! (`#p7-小二介入`), and other relative links and images are re-based on `print/`.

use std::collections::HashMap;

use crate::markdown::links;

/// The URL path of the print view.
pub const PATH: &str = "print/";

/// Where each page is in the print view: URL path → entry anchor (`p7`).
pub type Anchors<'a> = HashMap<&'a str, String>;

/// Marks where entry `n`'s content goes in the rendered template. Pushing megabytes of
/// page bodies through Tera (as JSON values, then through the renderer) cost more than
/// rendering the pages themselves, so the template gets this short marker instead and
/// [`splice`] puts the bodies in afterwards. Private-use characters: Tera leaves them
/// alone, and no author writes them.
pub fn marker(n: usize) -> String {
    format!("\u{F8F0}{n}\u{F8F1}")
}

/// Replaces every [`marker`] in `html` with the body it stands for.
pub fn splice<B: std::ops::Deref<Target = String>>(html: &str, bodies: &[B]) -> String {
    let mut out = String::with_capacity(html.len() + bodies.iter().map(|b| b.len()).sum::<usize>());
    let mut rest = html;
    while let Some(start) = rest.find('\u{F8F0}') {
        let after = &rest[start + '\u{F8F0}'.len_utf8()..];
        let Some(end) = after.find('\u{F8F1}') else {
            break;
        };
        let body = after[..end]
            .parse::<usize>()
            .ok()
            .and_then(|n| bodies.get(n.wrapping_sub(1)));
        out.push_str(&rest[..start]);
        match body {
            Some(body) => out.push_str(body),
            None => out.push_str(
                &rest[start..start + '\u{F8F0}'.len_utf8() + end + '\u{F8F1}'.len_utf8()],
            ),
        }
        rest = &after[end + '\u{F8F1}'.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// The id of the `n`th entry (1-based, as Tera's `loop.index`).
pub fn entry_anchor(n: usize) -> String {
    format!("p{n}")
}

/// Rewrites `html`, the body of the page at `url_path`, for the print view.
pub fn rebase(html: &str, url_path: &str, anchor: &str, book: &Anchors<'_>) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    while let Some(i) = rest.find("=\"") {
        let (before, after) = rest.split_at(i + 2);
        out.push_str(before);
        let Some(end) = after.find('"') else {
            rest = after;
            break;
        };
        let value = &after[..end];
        let attr = attribute_name(before);
        match attr {
            "id" => {
                out.push_str(anchor);
                out.push('-');
                out.push_str(value);
            }
            "href" | "src" => {
                out.push_str(&rebase_url(value, url_path, anchor, book, attr == "href"))
            }
            _ => out.push_str(value),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The attribute name just before `="` at the end of `text`.
fn attribute_name(text: &str) -> &str {
    let name = &text[..text.len() - 2];
    let start = name
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .map_or(0, |i| i + 1);
    &name[start..]
}

fn rebase_url(
    value: &str,
    url_path: &str,
    anchor: &str,
    book: &Anchors<'_>,
    is_link: bool,
) -> String {
    if let Some(fragment) = value.strip_prefix('#') {
        return format!("#{anchor}-{fragment}");
    }
    let external = value.is_empty()
        || value.starts_with('/')
        || value.contains("://")
        || value.starts_with("mailto:")
        || value.starts_with("data:");
    if external {
        return value.to_string();
    }
    let (path, fragment) = match value.find('#') {
        Some(i) => (&value[..i], Some(&value[i + 1..])),
        None => (value, None),
    };
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let Some(target) = links::join(url_path, &decoded) else {
        return value.to_string();
    };
    let target_dir = if decoded.ends_with('/')
        || decoded.is_empty()
        || decoded.ends_with("./")
        || target.is_empty()
    {
        format!("{target}/").trim_start_matches('/').to_string()
    } else {
        target.clone()
    };
    if is_link && let Some(entry) = book.get(target_dir.as_str()) {
        return match fragment {
            Some(f) if !f.is_empty() => format!("#{entry}-{f}"),
            _ => format!("#{entry}"),
        };
    }
    let mut url = links::relative_url(PATH, &target_dir);
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> Anchors<'static> {
        HashMap::from([
            ("rules/refund/", "p2".to_string()),
            ("start/", "p1".to_string()),
        ])
    }

    #[test]
    fn markers_are_replaced_by_their_bodies() {
        let html = format!("<a>{}</a><b>{}</b>{}", marker(1), marker(2), marker(9));
        let bodies = [
            Box::new("一".to_string()),
            Box::new("<p>二</p>".to_string()),
        ];
        assert_eq!(
            splice(&html, &bodies),
            format!("<a>一</a><b><p>二</p></b>{}", marker(9))
        );
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
        let html = "<a href=\"../../start/\">a</a><a href=\"../refund/#%E5%B0%8F\">b</a>";
        assert_eq!(
            rebase(html, "rules/shipping/", "p3", &book()),
            "<a href=\"#p1\">a</a><a href=\"#p2-%E5%B0%8F\">b</a>"
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
        let html = "<a href=\"rules/refund/\">r</a><a href=\"./\">home</a>";
        assert_eq!(
            rebase(html, "", "p0", &book()),
            "<a href=\"#p2\">r</a><a href=\"../\">home</a>"
        );
    }
}
