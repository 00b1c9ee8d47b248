//! Typed template contexts. Each is a borrowing struct serialised straight into Tera,
//! so what a template can see is written down here (and in the theme contract in
//! `themes/README.md`) rather than assembled ad hoc as JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Config;
use crate::content::{Child, Library, Page, Section};
use crate::date::Date;
use crate::markdown::heading::TocEntry;

#[derive(Debug, Serialize)]
pub struct SiteInfo<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    pub base_url: &'a str,
}

impl<'a> SiteInfo<'a> {
    pub fn new(config: &'a Config) -> Self {
        SiteInfo {
            title: &config.title,
            description: &config.description,
            language: &config.language,
            base_url: &config.base_url,
        }
    }
}

/// What every template gets.
#[derive(Debug, Serialize)]
pub struct Common<'a> {
    pub site: &'a SiteInfo<'a>,
    pub root: String,
    pub assets: &'a BTreeMap<String, String>,
    /// The sidebar, rendered by the theme's `nav.html` (see `build/nav.rs`).
    pub nav_html: String,
    pub page_kind: &'static str,
    /// The site has quizzes: the theme links to the quiz index (`quizzes/`).
    pub has_quizzes: bool,
}

/// One line of the sidebar. The tree is flattened depth-first so that templates render
/// it with one loop instead of a recursive macro (Tera macros cost microseconds per
/// call, and the sidebar is on every page): after an item, open a nested list if
/// `children_follow`, else close the item; then close `closes` nested lists.
#[derive(Debug, Serialize)]
pub struct NavItem<'a> {
    pub title: &'a str,
    pub path: &'a str,
    pub kind: &'static str,
    pub current: bool,
    /// An ancestor of the current page, or the current section: its children are listed.
    pub open: bool,
    pub has_children: bool,
    /// 0 for the home's children.
    pub depth: usize,
    pub children_follow: bool,
    pub closes: usize,
}

/// The sidebar for a page in section `at_section` (the current item is `current`).
/// Only sections on the way to the current page are expanded, so a page's size does
/// not grow with the size of the handbook.
pub fn nav(lib: &Library, at_section: usize, current: Option<Child>) -> Vec<NavItem<'_>> {
    let open = lib.ancestors(at_section);
    let mut items = Vec::new();
    flatten(lib, crate::content::ROOT, 0, &open, current, &mut items);
    items
}

fn flatten<'a>(
    lib: &'a Library,
    section: usize,
    depth: usize,
    open: &[usize],
    current: Option<Child>,
    out: &mut Vec<NavItem<'a>>,
) {
    for &child in &lib.sections[section].children {
        let (kind, has_children, is_open) = match child {
            Child::Page(_) => ("page", false, false),
            Child::Section(s) => (
                "section",
                !lib.sections[s].children.is_empty(),
                open.contains(&s),
            ),
        };
        out.push(NavItem {
            title: lib.title(child),
            path: lib.url_path(child),
            kind,
            current: Some(child) == current,
            open: is_open,
            has_children,
            depth,
            children_follow: is_open && has_children,
            closes: 0,
        });
        if let Child::Section(s) = child
            && is_open
            && has_children
        {
            flatten(lib, s, depth + 1, open, current, out);
            if let Some(last) = out.last_mut() {
                last.closes += 1;
            }
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Link<'a> {
    pub title: &'a str,
    pub path: &'a str,
}

pub fn link(lib: &Library, child: Child) -> Link<'_> {
    Link {
        title: lib.title(child),
        path: lib.url_path(child),
    }
}

/// Links from the home to `section` inclusive.
pub fn breadcrumbs(lib: &Library, section: usize) -> Vec<Link<'_>> {
    lib.ancestors(section)
        .into_iter()
        .map(|s| link(lib, Child::Section(s)))
        .collect()
}

#[derive(Debug, Serialize)]
pub struct PageView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub tags: &'a [String],
    pub path: &'a str,
    pub permalink: String,
    pub content: &'a str,
    pub toc: &'a [TocEntry],
    pub effective: Option<Date>,
    pub review_by: Option<Date>,
    pub overdue: bool,
    pub extra: &'a toml::Table,
    pub word_count: usize,
    pub reading_minutes: usize,
    pub source: &'a str,
}

/// Body-derived facts about a rendered page.
#[derive(Debug, Clone, Copy)]
pub struct BodyView<'a> {
    pub html: &'a str,
    pub toc: &'a [TocEntry],
    pub plain: &'a str,
}

impl<'a> PageView<'a> {
    pub fn new(page: &'a Page, body: BodyView<'a>, base_url: &str, today: Date) -> Self {
        let word_count = word_count(body.plain);
        let review_by = page.meta.review_by.as_ref().map(|(d, _)| *d);
        PageView {
            title: &page.meta.title,
            description: &page.meta.description,
            tags: &page.meta.tags,
            path: &page.url_path,
            permalink: format!("{base_url}{}", page.url_path),
            content: body.html,
            toc: body.toc,
            effective: page.meta.effective,
            review_by,
            overdue: review_by.is_some_and(|d| d < today),
            extra: &page.meta.extra,
            word_count,
            reading_minutes: word_count.div_ceil(400).max(1),
            source: &page.source,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PageContext<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub page: PageView<'a>,
    pub breadcrumbs: Vec<Link<'a>>,
    pub prev: Option<Link<'a>>,
    pub next: Option<Link<'a>>,
}

#[derive(Debug, Serialize)]
pub struct PageSummary<'a> {
    pub title: &'a str,
    pub path: &'a str,
    pub description: &'a str,
    pub tags: &'a [String],
    pub effective: Option<Date>,
    pub review_by: Option<Date>,
    pub overdue: bool,
}

#[derive(Debug, Serialize)]
pub struct SectionSummary<'a> {
    pub title: &'a str,
    pub path: &'a str,
    pub description: &'a str,
    pub page_count: usize,
}

#[derive(Debug, Serialize)]
pub struct SectionView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub content: &'a str,
    pub path: &'a str,
    pub permalink: String,
    pub toc: &'a [TocEntry],
    pub extra: Option<&'a toml::Table>,
    pub pages: Vec<PageSummary<'a>>,
    pub subsections: Vec<SectionSummary<'a>>,
}

impl<'a> SectionView<'a> {
    pub fn new(
        lib: &'a Library,
        id: usize,
        body: Option<BodyView<'a>>,
        base_url: &str,
        today: Date,
    ) -> Self {
        let section: &Section = &lib.sections[id];
        let mut pages = Vec::new();
        let mut subsections = Vec::new();
        for child in &section.children {
            match *child {
                Child::Page(i) => {
                    let p = &lib.pages[i];
                    let review_by = p.meta.review_by.as_ref().map(|(d, _)| *d);
                    pages.push(PageSummary {
                        title: &p.meta.title,
                        path: &p.url_path,
                        description: &p.meta.description,
                        tags: &p.meta.tags,
                        effective: p.meta.effective,
                        review_by,
                        overdue: review_by.is_some_and(|d| d < today),
                    });
                }
                Child::Section(s) => {
                    let sub = &lib.sections[s];
                    let page_count = sub
                        .children
                        .iter()
                        .filter(|c| matches!(c, Child::Page(_)))
                        .count();
                    subsections.push(SectionSummary {
                        title: &sub.title,
                        path: &sub.url_path,
                        description: sub.description(),
                        page_count,
                    });
                }
            }
        }
        SectionView {
            title: &section.title,
            description: section.description(),
            content: body.map_or("", |b| b.html),
            path: &section.url_path,
            permalink: format!("{base_url}{}", section.url_path),
            toc: body.map_or(&[], |b| b.toc),
            extra: section.index.as_ref().map(|p| &p.meta.extra),
            pages,
            subsections,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SectionContext<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub section: SectionView<'a>,
    pub breadcrumbs: Vec<Link<'a>>,
    pub prev: Option<Link<'a>>,
    pub next: Option<Link<'a>>,
}

#[derive(Debug, Serialize)]
pub struct PrintEntry<'a> {
    pub title: &'a str,
    pub path: &'a str,
    pub depth: usize,
    pub kind: &'static str,
    /// Stands for the page's HTML, re-based for the print view: the build puts the
    /// HTML in place of this marker after rendering (see `build/print.rs`).
    pub content: String,
    /// The entry's id in the print view (`p7`); its headings' ids start with `p7-`.
    pub anchor: String,
    pub effective: Option<Date>,
    pub review_by: Option<Date>,
    pub overdue: bool,
}

#[derive(Debug, Serialize)]
pub struct PrintContext<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub pages: Vec<PrintEntry<'a>>,
}

#[derive(Debug, Serialize)]
pub struct NotFoundContext<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
}

/// The search results page (`search/`): the results are found in the browser, so it
/// gets only what every template gets.
#[derive(Debug, Serialize)]
pub struct SearchPageContext<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
}

/// Chinese characters count one each, other words one per run of letters or digits.
pub fn word_count(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for ch in text.chars() {
        if is_cjk(ch) {
            count += 1;
            in_word = false;
        } else if is_word_char(ch) {
            if !in_word {
                count += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    count
}

/// A letter or digit. ASCII and the CJK punctuation and full-width blocks (most of
/// what surrounds Chinese text) are decided without Unicode table lookups, which
/// otherwise cost more than the rest of the count.
fn is_word_char(ch: char) -> bool {
    match ch as u32 {
        0..=0x7F => ch.is_ascii_alphanumeric(),
        0x3000..=0x303F => false,
        0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => true,
        0xFF00..=0xFFEF => false,
        _ => ch.is_alphanumeric(),
    }
}

fn is_cjk(ch: char) -> bool {
    matches!(ch as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{DraftPolicy, Page};

    #[test]
    fn nav_is_flat_with_list_markers() {
        let page = |s: &str| Page::parse(s, format!("+++\ntitle = \"{s}\"\n+++\n")).unwrap();
        let lib = Library::assemble(
            vec![
                page("a/b/c.md"),
                page("a/d.md"),
                page("e/f.md"),
                page("g.md"),
            ],
            DraftPolicy::Exclude,
        )
        .unwrap();
        let c = lib.find("a/b/c.md").unwrap();
        let b = lib.sections.iter().position(|s| s.dir == "a/b").unwrap();
        let nav = nav(&lib, b, Some(c));
        let shape: Vec<(&str, usize, bool, usize, bool)> = nav
            .iter()
            .map(|i| (i.title, i.depth, i.children_follow, i.closes, i.current))
            .collect();
        assert_eq!(
            shape,
            vec![
                ("a", 0, true, 0, false),
                ("b", 1, true, 0, false),
                ("a/b/c.md", 2, false, 1, true),
                ("a/d.md", 1, false, 1, false),
                ("e", 0, false, 0, false),
                ("g.md", 0, false, 0, false)
            ]
        );
    }

    #[test]
    fn counts_chinese_characters_and_latin_words() {
        assert_eq!(word_count("退款率 = refund rate 3%"), 3 + 3);
        assert_eq!(word_count(""), 0);
        // Full-width letters are a word; CJK punctuation splits; other scripts count.
        assert_eq!(word_count("退款，ＤＳＲ评分。café ok"), 2 + 1 + 2 + 1 + 1);
    }
}
