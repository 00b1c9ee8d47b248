//! Rendering every page and section in parallel, then the files that need all of
//! them: the print view, `404.html`, the search results page (`search/`),
//! `sitemap.xml`. Links to anchors on other pages are checked here, once every page's
//! headings are known.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::content::{Child, Library, Page, ROOT};
use crate::error::{self, Diagnostic, Failure, Severity};
use crate::markdown::{self, Rendered, SiteMap, highlight::Highlighter, links, marker::Markers};

use super::anchors;
use super::cache::{Cache, CachedItem, Key, SiteKeys, item_key};
use super::context::{
    self, BodyView, Common, NotFoundContext, PageContext, PageView, PrintContext, PrintEntry,
    SearchPageContext, SectionContext, SectionView, SiteInfo,
};
use super::load::Inputs;
use super::nav::NavCache;
use super::practice::Practice;
use super::print;
use super::write::{Output, OutputMode};
use super::{BuildOptions, Progress, quizzes, search, sitemap};

/// Where the search results page goes (`search/index.html`; it reads `?q=` in the
/// browser). Not a page of the library, so it is in neither the sitemap nor the index.
pub const SEARCH_PAGE: &str = "search/";

/// The renderer's view of which pages and files exist.
struct Site<'a> {
    library: &'a Library,
    files: HashSet<&'a str>,
    skipped: HashSet<&'a str>,
}

impl SiteMap for Site<'_> {
    fn page_url(&self, source: &str) -> Option<&str> {
        self.library.find(source).map(|c| self.library.url_path(c))
    }

    fn has_asset(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    fn is_skipped(&self, source: &str) -> bool {
        self.skipped.contains(source)
    }
}

/// Shared, read-only state for the render threads.
struct Shared<'a> {
    inputs: &'a Inputs,
    site: Site<'a>,
    info: SiteInfo<'a>,
    highlighter: Highlighter,
    nav: Arc<NavCache>,
    options: &'a BuildOptions,
    out: &'a Output,
    cache: Option<&'a Cache>,
    keys: Option<SiteKeys>,
    practice: Practice<'a>,
}

/// One rendered page or section, minus the HTML already written to disk.
struct Outcome {
    item: Child,
    rendered: Arc<Rendered>,
    /// The body re-based for the print view, once known (reused from the cache or made
    /// while writing the print view).
    print: Option<Arc<String>>,
    /// The item's cache keys (whole page, Markdown only), when a cache is in use.
    key: Option<(Key, Key)>,
}

/// What rendering produced besides the files: warnings, and (for `dev`) the rendered
/// items to reuse next time.
pub struct RenderedSite {
    pub warnings: Vec<Diagnostic>,
    pub items: HashMap<String, CachedItem>,
    /// What the search index keeps for the next build (with a cache only).
    pub search: Option<crate::search::Memo>,
    /// The sidebars and the site-wide key they hold for (with a cache only).
    pub nav: Option<(Key, Arc<NavCache>)>,
}

/// Renders and writes the whole site; returns the warnings, or every error.
pub fn render_site(
    inputs: &Inputs,
    options: &BuildOptions,
    out: &Output,
    cache: Option<&Cache>,
) -> Result<RenderedSite, Failure> {
    let lib = &inputs.library;
    let mut order = vec![Child::Section(ROOT)];
    order.extend(lib.reading_order());
    let mut nav_keys: Vec<(usize, String)> = order
        .iter()
        .map(|c| (nav_section(lib, *c), links::root_prefix(lib.url_path(*c))))
        .collect();
    nav_keys.push((ROOT, links::root_prefix(print::PATH)));
    nav_keys.push((ROOT, links::root_prefix(SEARCH_PAGE)));
    nav_keys.push((ROOT, inputs.config.base_path().to_string()));
    // Pages that are not lessons (the quiz index, quiz and exam pages, the search
    // page) show the home's sidebar, one or two folders down.
    nav_keys.push((ROOT, "../".to_string()));
    nav_keys.push((ROOT, "../../".to_string()));
    let keys = cache.map(|_| SiteKeys::compute(inputs, options));
    // The sidebars depend on nothing the site-wide key does not cover.
    let reused = cache
        .and_then(|c| c.nav.as_ref())
        .zip(keys)
        .filter(|((key, _), keys)| *key == keys.everything)
        .map(|((_, nav), _)| Arc::clone(nav));
    let nav = match reused {
        Some(nav) => nav,
        None => Arc::new(
            NavCache::render(lib, &inputs.theme, nav_keys).map_err(|d| Failure::Author(vec![d]))?,
        ),
    };
    tracing::info!("sidebars rendered");
    let shared = Shared {
        inputs,
        site: Site {
            library: lib,
            files: inputs.files.iter().map(|c| c.to.as_str()).collect(),
            skipped: inputs.skipped_pages.iter().map(String::as_str).collect(),
        },
        info: SiteInfo::new(&inputs.config),
        highlighter: Highlighter::default(),
        nav: Arc::clone(&nav),
        options,
        out,
        cache,
        keys,
        practice: Practice::new(lib, &inputs.quizzes),
    };
    let bar = progress_bar(options.progress, order.len());
    let results: Vec<Result<Outcome, Failure>> = order
        .par_iter()
        .enumerate()
        .map(|(i, item)| {
            let prev = i.checked_sub(1).map(|j| order[j]);
            let next = order.get(i + 1).copied();
            let result = render_item(&shared, *item, prev, next);
            bar.inc(1);
            result
        })
        .collect();
    bar.finish_and_clear();
    tracing::info!("pages rendered");

    let mut diagnostics = inputs.warnings.clone();
    let mut outcomes = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(o) => {
                diagnostics.extend(o.rendered.diagnostics.iter().cloned());
                outcomes.push(o);
            }
            Err(Failure::Author(d)) => diagnostics.extend(d),
            Err(env) => return Err(env),
        }
    }
    let rendered: Vec<(Child, &Rendered)> = outcomes
        .iter()
        .map(|o| (o.item, o.rendered.as_ref()))
        .collect();
    let anchor_sets = anchors::sets(lib, &rendered);
    let policy = inputs.config.markdown.broken_links;
    diagnostics.extend(anchors::check(lib, &rendered, &anchor_sets, policy));
    diagnostics.extend(quizzes::check_links(
        lib,
        &anchor_sets,
        &inputs.quizzes,
        policy,
    ));
    diagnostics.extend(shared.practice.check_embeds(lib, &rendered));
    let mut search_memo = None;
    if !diagnostics.iter().any(Diagnostic::is_error) {
        // The search index is built while the print view renders (mostly one thread).
        let items: Vec<_> = outcomes
            .iter()
            .map(|o| (o.item, Arc::clone(&o.rendered)))
            .collect();
        let (site_files, index) = rayon::join(
            || write_site_files(&shared, &mut outcomes),
            || {
                let wanted = options.output == OutputMode::Write
                    && options.search == super::SearchIndex::Write;
                wanted.then(|| search::index(inputs, &items, cache.map(|c| &c.search)))
            },
        );
        diagnostics.extend(site_files?);
        if let Some((index, memo)) = index {
            search::write(out, &index)?;
            search_memo = memo;
        }
    }
    error::sort(&mut diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Failure::Author(diagnostics));
    }
    let items = outcomes
        .into_iter()
        .filter_map(|o| {
            let (page, markdown) = o.key?;
            Some((
                lib.url_path(o.item).to_string(),
                CachedItem {
                    page,
                    markdown,
                    rendered: o.rendered,
                    print: o.print,
                },
            ))
        })
        .collect();
    Ok(RenderedSite {
        warnings: diagnostics,
        items,
        search: search_memo,
        nav: keys.map(|k| (k.everything, nav)),
    })
}

fn progress_bar(progress: Progress, len: usize) -> ProgressBar {
    if progress == Progress::Hidden || len < 200 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} pages") {
        bar.set_style(style);
    }
    bar
}

/// The section whose sidebar an item shows: its own for a section, its parent's for a page.
fn nav_section(lib: &Library, item: Child) -> usize {
    match item {
        Child::Page(i) => lib.page_section[i],
        Child::Section(s) => s,
    }
}

fn common<'a>(
    shared: &'a Shared<'a>,
    root: String,
    section: usize,
    current: Option<Child>,
    kind: &'static str,
) -> Common<'a> {
    Common {
        site: &shared.info,
        nav_html: shared
            .nav
            .get(&shared.inputs.library, section, &root, current),
        root,
        assets: &shared.inputs.theme_assets.map,
        page_kind: kind,
        has_quizzes: !shared.inputs.quizzes.is_empty(),
    }
}

fn render_item(
    shared: &Shared<'_>,
    item: Child,
    prev: Option<Child>,
    next: Option<Child>,
) -> Result<Outcome, Failure> {
    let lib = &shared.inputs.library;
    let page = lib.page(item);
    let url_path = lib.url_path(item);
    let out_path = format!("{url_path}index.html");
    let text_key = page.and_then(|p| shared.inputs.text_keys.get(&p.source));
    // (whole page, Markdown only) cache keys, when dev's cache is in use.
    let keys = shared.keys.map(|k| {
        (
            item_key(&k.everything, url_path, text_key),
            item_key(&k.links, url_path, text_key),
        )
    });
    if let (Some(cache), Some((key, _))) = (shared.cache, keys)
        && let Some((rendered, print)) = cache.item(url_path, &key)
        && shared.out.keep(&out_path)
    {
        return Ok(Outcome {
            item,
            rendered,
            print,
            key: keys,
        });
    }
    let reused = match (shared.cache, keys) {
        (Some(cache), Some((_, markdown_key))) => cache.markdown(url_path, &markdown_key),
        _ => None,
    };
    let rendered = reused
        .unwrap_or_else(|| Arc::new(page.map(|p| render_markdown(shared, p)).unwrap_or_default()));
    let root = links::root_prefix(url_path);
    let assets = &shared.inputs.theme_assets.map;
    let html = shared
        .practice
        .page_body(&shared.inputs.theme, &rendered, &root, assets)
        .map_err(|d| Failure::Author(vec![d]))?;
    let body = BodyView {
        html: &html,
        toc: &rendered.toc,
        plain: &rendered.plain,
    };
    let base_url = &shared.inputs.config.base_url;
    let today = shared.options.today;
    let link = |c: Option<Child>| c.map(|c| context::link(lib, c));
    // Room for the theme's chrome around the body, so the buffer rarely grows.
    let capacity = rendered.html.len() + 16 * 1024;
    let html = match item {
        Child::Page(i) => {
            let p = &lib.pages[i];
            let section = lib.page_section[i];
            let template = template_name(shared, p, "page.html")?;
            let ctx = PageContext {
                common: common(shared, root.clone(), section, Some(item), "page"),
                page: PageView::new(p, body, base_url, today),
                breadcrumbs: context::breadcrumbs(lib, section),
                prev: link(prev),
                next: link(next),
            };
            shared.inputs.theme.render_bytes(template, &ctx, capacity)
        }
        Child::Section(s) => {
            let section = &lib.sections[s];
            let (default, kind) = if s == ROOT {
                ("index.html", "index")
            } else {
                ("section.html", "section")
            };
            let template = match &section.index {
                Some(p) => template_name(shared, p, default)?,
                None => default,
            };
            let parent = section.parent.unwrap_or(ROOT);
            let ctx = SectionContext {
                common: common(shared, root.clone(), s, Some(item), kind),
                section: SectionView::new(lib, s, page.map(|_| body), base_url, today),
                breadcrumbs: if s == ROOT {
                    Vec::new()
                } else {
                    context::breadcrumbs(lib, parent)
                },
                prev: link(prev),
                next: link(next),
            };
            shared.inputs.theme.render_bytes(template, &ctx, capacity)
        }
    };
    let html = html.map_err(|d| Failure::Author(vec![d]))?;
    shared.out.write(&out_path, &html)?;
    Ok(Outcome {
        item,
        rendered,
        print: None,
        key: keys,
    })
}

fn render_markdown(shared: &Shared<'_>, page: &Page) -> Rendered {
    let config = &shared.inputs.config;
    let source = markdown::Source {
        file: &page.file,
        text: &page.text,
        body_start: page.body_start,
        source: &page.source,
        url_path: &page.url_path,
    };
    let options = markdown::Options {
        markdown: &config.markdown,
        roles: &config.dialogue,
        highlighter: &shared.highlighter,
    };
    markdown::render(source, &shared.site, options)
}

/// The template a page asked for, if the theme has it, else the default.
fn template_name<'a>(
    shared: &Shared<'_>,
    page: &'a Page,
    default: &'a str,
) -> Result<&'a str, Failure> {
    match &page.meta.template {
        None => Ok(default),
        Some((name, _)) if shared.inputs.theme.has(name) => Ok(name),
        Some((name, span)) => Err(Failure::Author(vec![
            Diagnostic::at(
                Severity::Error,
                &page.file,
                &page.text,
                span.clone(),
                format!("there is no template `{name}`"),
            )
            .with_hint(
                "add it to the site's templates/ folder, or remove `template` to use the default",
            ),
        ])),
    }
}

/// The print view, 404 page, search results page, sitemap and static files.
fn write_site_files(
    shared: &Shared<'_>,
    outcomes: &mut [Outcome],
) -> Result<Vec<Diagnostic>, Failure> {
    let lib = &shared.inputs.library;
    let out = shared.out;
    let in_book: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.item != Child::Section(ROOT))
        .collect();
    let book: print::Anchors = in_book
        .iter()
        .enumerate()
        .map(|(n, o)| (lib.url_path(o.item), print::entry_anchor(n + 1)))
        .collect();
    let markers = Markers::fresh();
    let entries: Vec<PrintEntry> = in_book
        .par_iter()
        .enumerate()
        .map(|(n, o)| {
            let (kind, page, depth) = match o.item {
                Child::Page(i) => (
                    "page",
                    Some(&lib.pages[i]),
                    lib.depth(lib.page_section[i]) + usize::from(lib.page_section[i] != ROOT),
                ),
                Child::Section(s) => ("section", lib.page(o.item), lib.depth(s)),
            };
            let review_by = page.and_then(|p| p.meta.review_by.as_ref().map(|(d, _)| *d));
            let anchor = print::entry_anchor(n + 1);
            PrintEntry {
                title: lib.title(o.item),
                path: lib.url_path(o.item),
                depth,
                kind,
                content: markers.marker(n + 1),
                anchor,
                effective: page.and_then(|p| p.meta.effective),
                review_by,
                overdue: review_by.is_some_and(|d| d < shared.options.today),
            }
        })
        .collect();
    let bodies: Vec<Arc<String>> = in_book
        .par_iter()
        .enumerate()
        .map(|(n, o)| {
            let rebase = || {
                print::rebase(
                    &shared
                        .practice
                        .print_body(&o.rendered, lib.url_path(o.item)),
                    lib.url_path(o.item),
                    &print::entry_anchor(n + 1),
                    &book,
                )
            };
            o.print.clone().unwrap_or_else(|| Arc::new(rebase()))
        })
        .collect();
    let mut problems = Vec::new();
    let print = PrintContext {
        common: common(shared, links::root_prefix(print::PATH), ROOT, None, "print"),
        pages: entries,
    };
    match shared.inputs.theme.render("print.html", &print) {
        Ok(html) => out.write(
            &format!("{}index.html", print::PATH),
            markers
                .splice(&html, |n| bodies.get(n.wrapping_sub(1)).map(|b| b.as_str()))
                .as_bytes(),
        )?,
        Err(d) => problems.push(d),
    }
    tracing::info!("print view written");
    for (outcome, body) in outcomes
        .iter_mut()
        .filter(|o| o.item != Child::Section(ROOT))
        .zip(bodies)
    {
        outcome.print = Some(body);
    }
    let base_path = shared.inputs.config.base_path().to_string();
    let not_found = NotFoundContext {
        common: common(shared, base_path, ROOT, None, "404"),
    };
    match shared.inputs.theme.render("404.html", &not_found) {
        Ok(html) => out.write("404.html", html.as_bytes())?,
        Err(d) => problems.push(d),
    }
    let page_common = |root, kind| common(shared, root, ROOT, None, kind);
    let quiz_pages = quizzes::render_pages(
        lib,
        &shared.inputs.quizzes,
        &shared.inputs.theme,
        &page_common,
    )
    .and_then(|mut pages| {
        pages.extend(
            shared
                .practice
                .render_pages(&shared.inputs.theme, &page_common)?,
        );
        Ok(pages)
    });
    let mut extra = Vec::new();
    match quiz_pages {
        Ok(pages) => {
            for (path, html) in pages {
                out.write(&path, &html)?;
                extra.push(path.trim_end_matches("index.html").to_string());
            }
        }
        Err(d) => problems.push(d),
    }
    extra.sort();
    let search = SearchPageContext {
        common: page_common(links::root_prefix(SEARCH_PAGE), "search"),
    };
    match shared.inputs.theme.render("search.html", &search) {
        Ok(html) => out.write(&format!("{SEARCH_PAGE}index.html"), html.as_bytes())?,
        Err(d) => problems.push(d),
    }
    sitemap::write(out, lib, &extra, &shared.inputs.config)?;
    shared.inputs.theme_assets.write(out)?;
    for copy in &shared.inputs.files {
        out.copy(&copy.to, &copy.from)?;
    }
    Ok(problems)
}
