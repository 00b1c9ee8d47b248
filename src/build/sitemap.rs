//! `sitemap.xml`: every page and section, in reading order, with absolute URLs. The
//! sitemap format allows only absolute URLs, so a site whose `base_url` is a path (`/`)
//! has no sitemap, and the build says why ([`NOT_WRITTEN`]).

use std::fmt::Write as _;

use crate::config::Config;
use crate::content::{Child, Library, ROOT};
use crate::error::Error;

use super::write::Output;

/// Why a build wrote no sitemap, printed after its summary.
pub const NOT_WRITTEN: &str = "no sitemap.xml: a sitemap lists absolute URLs, and base_url is \
a path; set base_url = \"https://your.host/\" in shouce.toml (or pass --base-url) to get one";

/// Writes `sitemap.xml` if the site's URLs can be absolute.
pub fn write(out: &Output, lib: &Library, extra: &[String], config: &Config) -> Result<(), Error> {
    if !config.has_absolute_base_url() {
        return Ok(());
    }
    out.write(
        "sitemap.xml",
        render(lib, extra, &config.base_url).as_bytes(),
    )
}

/// `extra`: URL paths of pages that are not lessons (the quiz index, quiz pages).
fn render(lib: &Library, extra: &[String], base_url: &str) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut items = vec![Child::Section(ROOT)];
    items.extend(lib.reading_order());
    let paths = items
        .into_iter()
        .map(|item| lib.url_path(item))
        .chain(extra.iter().map(String::as_str));
    for url_path in paths {
        let path: String = percent_encoding::utf8_percent_encode(url_path, PATH).to_string();
        let _ = writeln!(
            xml,
            "  <url><loc>{}</loc></url>",
            crate::markdown::escape_html(&format!("{base_url}{path}"))
        );
    }
    xml.push_str("</urlset>\n");
    xml
}

/// Characters escaped in a URL path: controls, space, and what would end the path.
const PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{DraftPolicy, Page};

    #[test]
    fn lists_every_page_with_encoded_absolute_urls() {
        let page = |s: &str| Page::parse(s, "+++\ntitle = \"t\"\n+++\n".to_string()).unwrap();
        let lib = Library::assemble(
            vec![page("规则/退款.md"), page("a.md")],
            DraftPolicy::Exclude,
        )
        .unwrap();
        let xml = render(&lib, &["quizzes/".to_string()], "https://kb.example/");
        assert!(xml.contains("<loc>https://kb.example/</loc>"));
        assert!(
            xml.contains("<loc>https://kb.example/%E8%A7%84%E5%88%99/%E9%80%80%E6%AC%BE/</loc>"),
            "{xml}"
        );
        assert!(
            xml.contains("<loc>https://kb.example/quizzes/</loc>"),
            "{xml}"
        );
        assert_eq!(xml.matches("<url>").count(), 5);
    }
}
