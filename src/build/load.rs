//! Loading for the build: the site (`shouce.toml`, pages, quizzes: read by `site`) plus
//! what only the build needs (the theme, its assets, highlighting stylesheets, files to
//! copy), assembled into [`Inputs`]. This is the IO edge of the build.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::config::{self, Config};
use crate::content::Library;
use crate::error::{Diagnostic, Failure, Location, Severity};
use crate::markdown::highlight;
use crate::site::pages::PageCache;
use crate::theme::Theme;

use super::BuildOptions;
use super::assets::{self, Copy, ThemeAssets};
use super::cache::{Cache, HighlightCss, Key};
use super::quizzes::{self, QuizFile};

/// Everything a build reads, checked.
#[derive(Debug)]
pub struct Inputs {
    pub config: Config,
    pub library: Library,
    pub theme: Arc<Theme>,
    pub theme_assets: ThemeAssets,
    /// Non-Markdown files of `content/` and the site's `static/`.
    pub files: Vec<Copy>,
    /// `quizzes/*.toml`, checked one by one (links are checked after rendering).
    pub quizzes: Vec<QuizFile>,
    /// Freshness warnings and the like found while loading, and the errors that leave
    /// one file out but let the rest render (a page's front matter, a quiz, an
    /// attachment that may not be published): reported with the render phase's, so
    /// one run shows every mistake, and failing the build then.
    pub warnings: Vec<Diagnostic>,
    /// Pages left out for their errors (source paths): links to them are not reported
    /// as links to missing pages.
    pub skipped_pages: Vec<String>,
    /// A hash of each page's text, by source path (for dev's rebuild cache).
    pub text_keys: HashMap<String, Key>,
    /// The highlighting themes' names and stylesheets (for dev's rebuild cache).
    pub highlight_css: HighlightCss,
}

pub fn load(options: &BuildOptions, cache: Option<&Cache>) -> Result<Inputs, Failure> {
    let root = &options.root;
    let mut problems = Vec::new();
    let config = match Config::load(root)? {
        Ok(c) => Some(match &options.base_url {
            Some(url) => c.with_base_url(url),
            None => c,
        }),
        Err(d) => {
            problems.extend(d);
            None
        }
    };
    // Mistakes in single files: the file is left out and the rest still renders, so
    // one run reports them together with every link error (see `Inputs::warnings`).
    let walked = crate::site::pages::walk(root);
    problems.extend(walked.problems);
    let mut skipped = walked.unreadable;
    let (kept, screened) = assets::screen(root, walked.entries);
    skipped.extend(screened);
    let read = crate::site::pages::parse(kept, cache.map(|c| c as &dyn PageCache));
    skipped.extend(read.problems);
    let skipped_pages = read.skipped_pages;
    let (pages, text_keys, others) = (read.pages, read.text_keys, read.others);
    // Quiz problems do not stop the load: the pages still render, so one run also
    // reports the quizzes' broken links (checked once headings are known).
    let (quizzes, mut quiz_problems) = quizzes::load(root, config.as_ref());
    let theme = match &config {
        Some(c) => match Theme::load(root, &c.theme, cache.and_then(|c| c.theme.as_ref()))? {
            Ok(t) => Some(t),
            Err(d) => {
                problems.extend(d);
                None
            }
        },
        None => None,
    };
    let highlight_css = match &config {
        Some(c) => match cached_stylesheets(cache, c)
            .map_or_else(|| highlight_stylesheets(root, c), |css| Ok(Ok(css)))?
        {
            Ok(css) => Some(css),
            Err(d) => {
                problems.extend(d);
                None
            }
        },
        None => None,
    };
    let library = if problems.is_empty() || !pages.is_empty() {
        match Library::assemble(pages, options.drafts) {
            Ok(lib) => {
                quiz_problems.extend(quizzes::url_collisions(&lib, &quizzes));
                problems.extend(reserved_urls(&lib));
                Some(lib)
            }
            Err(d) => {
                problems.extend(d);
                None
            }
        }
    } else {
        None
    };
    let (Some(config), Some(theme), Some(library), Some((light_css, dark_css)), true) =
        (config, theme, library, highlight_css, problems.is_empty())
    else {
        problems.extend(skipped.into_iter().filter(Diagnostic::is_error));
        problems.extend(quiz_problems.into_iter().filter(Diagnostic::is_error));
        crate::error::sort(&mut problems);
        return Err(Failure::Author(problems));
    };
    let highlight_css = (
        (
            config.markdown.highlight_theme_light.clone(),
            config.markdown.highlight_theme_dark.clone(),
        ),
        (light_css.clone(), dark_css.clone()),
    );
    let theme_assets = ThemeAssets::collect(&theme.static_dir, light_css, &dark_css)?;
    let mut files: Vec<Copy> = others
        .into_iter()
        .map(|e| Copy {
            to: e.relative,
            from: e.path,
        })
        .collect();
    files.extend(assets::plain_files(&root.join("static"), "")?);
    let urls = (library.pages.iter().map(|p| p.url_path.as_str()))
        .chain(library.sections.iter().map(|s| s.url_path.as_str()))
        .collect::<Vec<_>>();
    // Errors, reported with the render phase's (files are copied only after it).
    let collisions = assets::page_collisions(root, &urls, &files);
    let mut warnings = quiz_problems;
    warnings.extend(skipped);
    warnings.extend(collisions);
    warnings.extend(overdue_reviews(&library, options));
    Ok(Inputs {
        config,
        library,
        theme,
        theme_assets,
        files,
        quizzes,
        warnings,
        skipped_pages,
        text_keys,
        highlight_css,
    })
}

/// The highlighting stylesheets the config asks for, or where it names an unknown theme.
/// The stylesheets the last build made, if the config still names the same themes
/// (loading syntect's theme set takes tens of milliseconds).
fn cached_stylesheets(cache: Option<&Cache>, config: &Config) -> Option<(String, String)> {
    let (names, css) = cache?.highlight_css.as_ref()?;
    let wanted = (
        config.markdown.highlight_theme_light.clone(),
        config.markdown.highlight_theme_dark.clone(),
    );
    (names == &wanted).then(|| css.clone())
}

fn highlight_stylesheets(
    root: &Path,
    config: &Config,
) -> Result<Result<(String, String), Vec<Diagnostic>>, crate::error::Error> {
    let markdown = &config.markdown;
    let unknown = match highlight::stylesheets(
        &markdown.highlight_theme_light,
        &markdown.highlight_theme_dark,
    ) {
        Ok(css) => return Ok(Ok(css)),
        Err(unknown) => unknown,
    };
    let source = crate::fs::read_to_string(&root.join(config::FILE_NAME))?;
    let problems = unknown
        .into_iter()
        .map(|u| {
            let start = source.find(&format!("\"{}\"", u.name)).map_or(0, |i| i + 1);
            Diagnostic::at(
                Severity::Error,
                Path::new(config::FILE_NAME),
                &source,
                start..start + u.name.len(),
                format!("no highlighting theme is called `{}`", u.name),
            )
            .with_hint(format!("choose one of: {}", u.available.join(", ")))
        })
        .collect();
    Ok(Err(problems))
}

/// Pages whose URL the build needs for itself (the print view, the search page).
fn reserved_urls(library: &Library) -> Vec<Diagnostic> {
    let reserved = [super::print::PATH, super::render::SEARCH_PAGE];
    let pages = library
        .pages
        .iter()
        .map(|p| (p.url_path.as_str(), p.file.clone()));
    let sections = library.sections.iter().map(|s| {
        let file = s.index.as_ref().map_or_else(
            || Path::new("content").join(s.url_path.trim_end_matches('/')),
            |p| p.file.clone(),
        );
        (s.url_path.as_str(), file)
    });
    pages
        .chain(sections)
        .filter(|(url, _)| reserved.contains(url))
        .map(|(url, file)| {
            Diagnostic::error(
                Location::file(file),
                format!("the URL /{url} is the handbook's own page"),
            )
            .with_hint("rename the file or its folder, or set `slug` in its front matter")
        })
        .collect()
}

/// A warning for every page whose `review_by` date has passed.
fn overdue_reviews(library: &Library, options: &BuildOptions) -> Vec<Diagnostic> {
    let indexes = library.sections.iter().filter_map(|s| s.index.as_ref());
    library
        .pages
        .iter()
        .chain(indexes)
        .filter_map(|page| {
            let (date, span) = page.meta.review_by.as_ref()?;
            (*date < options.today).then(|| {
                Diagnostic::at(Severity::Warning, &page.file, &page.text, span.clone(), format!("overdue for review since {date}"))
                    .with_hint("check the page against the current platform rules, then move `review_by` forward")
            })
        })
        .collect()
}
