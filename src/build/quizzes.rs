//! Quizzes in the build.
//!
//! * [`load`]: reads `quizzes/*.toml` (the IO edge; parsing is `quiz::parse`, pure),
//!   adds the site's `[quizzes]` phrases to every rubric, and finds what no single file
//!   can show: two quizzes with one id, a quiz whose page would collide with a lesson.
//! * [`check_links`]: once every page has rendered and its headings are known, each
//!   `lessons` entry must name a page, and each question's `source` and each link in
//!   its Markdown a page and heading.
//! * [`render_pages`]: the quiz index (`quizzes/`) and each exam's landing page
//!   (`exams/<id>/`), from the views in `quiz::landing` — never a question of an exam.
//!
//! Practice quizzes get their own pages and embeds from `practice.rs`.

use std::ops::Range;

use serde::Serialize;

use crate::config::LinkPolicy;
use crate::content::Library;
use crate::error::{self, Diagnostic, Location, Severity};
use crate::markdown::links;
use crate::quiz::landing::{ExamLanding, LessonLink, QuizSummary};
use crate::quiz::{self, Link, Quiz};

use super::anchors::{self, AnchorSets};
use super::context::Common;

pub use crate::site::lessons::{Resolved, resolve_lesson, resolve_source};
use crate::site::lessons::{page_href, resolve_from_quiz};
pub use crate::site::quizbank::{DIR, INDEX_PATH, QuizFile, load, url_path};

/// A quiz page whose URL a lesson already has.
pub fn url_collisions(lib: &Library, quizzes: &[QuizFile]) -> Vec<Diagnostic> {
    let urls: std::collections::HashSet<&str> = lib
        .pages
        .iter()
        .map(|p| p.url_path.as_str())
        .chain(lib.sections.iter().map(|s| s.url_path.as_str()))
        .collect();
    let taken = |path: &str| urls.contains(path);
    let mut problems = Vec::new();
    if !quizzes.is_empty() && taken(INDEX_PATH) {
        problems.push(
            Diagnostic::error(
                Location::file("content/quizzes"),
                "the quiz index needs the URL /quizzes/, which a lesson section already has",
            )
            .with_hint("rename the content/quizzes folder (or set its pages' slug)"),
        );
    }
    for file in quizzes {
        let path = file.url_path();
        if taken(&path) {
            problems.push(
                Diagnostic::at(
                    Severity::Error,
                    &file.file,
                    &file.text,
                    file.id_span(),
                    format!("the quiz's page /{path} is also a lesson's URL"),
                )
                .with_hint("give the quiz another id, or move the lesson"),
            );
        }
    }
    problems
}

/// Stands for a page's way to the site root in quiz Markdown rendered once for every
/// page that shows it; each page replaces it with its own (see [`with_root`]).
pub const ROOT_MARK: &str = "__shouce_root__/";

/// Whether a link in a quiz's Markdown (prompt, feedback, explanation) is the quiz's
/// own: one to a Markdown page, written relative to the quiz file like `source`.
/// Other links (web addresses, files, `#…`) are left as written.
fn is_page_link(dest: &str) -> bool {
    matches!(links::classify(dest, DIR), links::Target::Page { .. })
}

/// The href of a link in a quiz's Markdown, from the site root behind [`ROOT_MARK`],
/// when it names a page; `None` leaves it as written (`check_links` reports a page
/// link that names nothing).
pub fn markdown_href(lib: &Library, dest: &str) -> Option<String> {
    let href = page_href(lib, resolve_from_quiz(dest)?, "")?;
    Some(format!("{ROOT_MARK}{href}"))
}

/// `html` with [`ROOT_MARK`] replaced by `root` (a page's way to the site root).
pub fn with_root(html: String, root: &str) -> String {
    if html.contains(ROOT_MARK) {
        html.replace(ROOT_MARK, root)
    } else {
        html
    }
}

/// The href, from the page at `from` (a URL path), of the lesson paragraph a
/// question's `source` names; `None` if it names nothing (`check_links` reports that).
pub fn source_href(lib: &Library, link: &Link, from: &str) -> Option<String> {
    page_href(lib, resolve_source(link)?, from)
}

/// The lessons a quiz covers, as links from the page at `from`.
pub fn lesson_links(lib: &Library, quiz: &Quiz, from: &str) -> Vec<LessonLink> {
    quiz.lessons
        .iter()
        .filter_map(|link| {
            let resolved = resolve_lesson(link)?;
            let page = lib.find(&resolved.page)?;
            Some(LessonLink {
                title: lib.title(page).to_string(),
                href: links::relative_url(from, lib.url_path(page)),
            })
        })
        .collect()
}

/// Every lesson, source and Markdown link of every quiz must name a page, and a
/// source's or Markdown link's anchor a heading on it. Broken links follow the site's
/// `broken_links` policy.
pub fn check_links(
    lib: &Library,
    anchors: &AnchorSets<'_>,
    quizzes: &[QuizFile],
    policy: LinkPolicy,
) -> Vec<Diagnostic> {
    let severity = match policy {
        LinkPolicy::Error => Severity::Error,
        LinkPolicy::Warn => Severity::Warning,
    };
    let mut sources: Vec<&str> = lib.pages.iter().map(|p| p.source.as_str()).collect();
    sources.extend(
        lib.sections
            .iter()
            .filter_map(|s| s.index.as_ref())
            .map(|p| p.source.as_str()),
    );
    sources.sort_unstable();
    let mut problems = Vec::new();
    for file in quizzes {
        let report = |span: &Range<usize>, message: String, hint: String| {
            Diagnostic::at(severity, &file.file, &file.text, span.clone(), message).with_hint(hint)
        };
        let missing_page = |page: &str, how: &str| {
            let hint = match error::closest(page, &sources) {
                Some(best) => format!("did you mean `{how}{best}`?"),
                None => {
                    format!("write the path of a page below content/, e.g. `{how}rules/refund.md`")
                }
            };
            (format!("no page content/{page}"), hint)
        };
        for lesson in &file.quiz.lessons {
            match resolve_lesson(lesson) {
                None => problems.push(report(
                    &lesson.span,
                    format!("`{}` is not a lesson page", lesson.target),
                    "lessons are Markdown pages, written relative to content/, e.g. `rules/refund.md`".into(),
                )),
                Some(r) if lib.find(&r.page).is_none() => {
                    let (message, hint) = missing_page(&r.page, "");
                    problems.push(report(&lesson.span, message, hint));
                }
                Some(_) => {}
            }
        }
        // A resolved link's page must exist, and its anchor be a heading there.
        let page_problem = |span: &Range<usize>, r: Resolved<'_>| {
            if lib.find(&r.page).is_none() {
                let (message, hint) = missing_page(&r.page, "../content/");
                return Some(report(span, message, hint));
            }
            let anchor = r.anchor?;
            let known = anchors.get(r.page.as_str());
            (!known.is_some_and(|set| set.contains(anchor))).then(|| {
                report(
                    span,
                    format!("no heading `#{anchor}` in content/{}", r.page),
                    anchors::hint(anchor, known),
                )
            })
        };
        for item in &file.quiz.items {
            if let Some(source) = &item.question.source {
                match resolve_source(source) {
                    Some(r) => problems.extend(page_problem(&source.span, r)),
                    None => problems.push(report(
                        &source.span,
                        format!("`{}` does not point at a lesson page", source.target),
                        "a source is relative to the quiz file: `../content/<folder>/<page>.md#<heading>`".into(),
                    )),
                }
            }
            let texts = markdown_texts(item);
            for dest in texts
                .iter()
                .flat_map(|t| crate::markdown::link_destinations(t))
            {
                if !is_page_link(&dest) {
                    continue;
                }
                // The destination as written in the file (TOML strings rarely escape a path).
                let span = file
                    .text
                    .find(&format!("]({dest}"))
                    .map_or(0..0, |at| at + 2..at + 2 + dest.len());
                match resolve_from_quiz(&dest) {
                    Some(r) => problems.extend(page_problem(&span, r)),
                    None => problems.push(report(
                        &span,
                        format!("the link `{dest}` in question `{}` does not point at a lesson page", item.question.id),
                        "links in a quiz are relative to the quiz file, like `source`: `../content/<folder>/<page>.md#<heading>`".into(),
                    )),
                }
            }
        }
    }
    problems
}

/// Every piece of Markdown of a question and its key (prompt, feedback, explanation),
/// as the practice view renders them.
fn markdown_texts(item: &quiz::Item) -> Vec<String> {
    let texts = std::cell::RefCell::new(Vec::new());
    let collect = |t: &str| {
        texts.borrow_mut().push(t.to_string());
        String::new()
    };
    let render = quiz::view::Renderers {
        markdown: &collect,
        source: &|_| None,
    };
    let key = quiz::view::key_view(&item.key, &render);
    let _ = quiz::view::QuestionView::new(&item.question, key, &render);
    texts.into_inner()
}

#[derive(Serialize)]
struct IndexContext<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    practice: Vec<QuizSummary>,
    exams: Vec<QuizSummary>,
}

#[derive(Serialize)]
struct ExamContext<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    exam: ExamLanding,
}

/// A page to write: its path below the output folder and its HTML.
pub type PageOut = (String, Vec<u8>);

/// The quiz index and every exam's landing page. `common` gives a page's shared
/// template context from its root prefix and page kind.
pub fn render_pages<'a>(
    lib: &Library,
    quizzes: &[QuizFile],
    theme: &crate::theme::Theme,
    common: &dyn Fn(String, &'static str) -> Common<'a>,
) -> Result<Vec<PageOut>, Diagnostic> {
    let mut pages = Vec::new();
    if quizzes.is_empty() {
        return Ok(pages);
    }
    let mut practice = Vec::new();
    let mut exams = Vec::new();
    for file in quizzes {
        let quiz = &file.quiz;
        let href = links::relative_url(INDEX_PATH, &file.url_path());
        let summary = QuizSummary::new(quiz, href, lesson_links(lib, quiz, INDEX_PATH));
        if quiz.is_exam() {
            exams.push(summary);
        } else {
            practice.push(summary);
        }
        let path = file.url_path();
        if let Some(exam) = ExamLanding::new(quiz, lesson_links(lib, quiz, &path)) {
            let ctx = ExamContext {
                common: common(links::root_prefix(&path), "exam"),
                exam,
            };
            pages.push((
                format!("{path}index.html"),
                theme.render("exam.html", &ctx)?.into_bytes(),
            ));
        }
    }
    let ctx = IndexContext {
        common: common(links::root_prefix(INDEX_PATH), "quizzes"),
        practice,
        exams,
    };
    let html = theme.render("quizzes.html", &ctx)?;
    pages.push((format!("{INDEX_PATH}index.html"), html.into_bytes()));
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(target: &str) -> Link {
        Link {
            target: target.into(),
            span: 0..0,
        }
    }

    #[test]
    fn sources_resolve_from_the_quiz_folder_into_content() {
        let l = link("../content/rules/refund.md#小二介入");
        assert_eq!(
            resolve_source(&l),
            Some(Resolved {
                page: "rules/refund.md".into(),
                anchor: Some("小二介入"),
            })
        );
        let l = link("../content/start.md");
        assert_eq!(resolve_source(&l).unwrap().anchor, None);
        assert_eq!(resolve_source(&link("rules/refund.md")), None);
        assert_eq!(resolve_source(&link("../../content/a.md")), None);
        assert_eq!(resolve_source(&link("../content/pic.png")), None);
    }

    #[test]
    fn lessons_resolve_from_content() {
        assert_eq!(
            resolve_lesson(&link("rules/refund.md")).unwrap().page,
            "rules/refund.md"
        );
        assert_eq!(resolve_lesson(&link("https://example.com")), None);
    }

    #[test]
    fn quiz_pages_live_under_quizzes_and_exams() {
        let example = crate::quiz::parse(
            std::path::Path::new("e.toml"),
            include_str!("../quiz/example.toml"),
        )
        .unwrap();
        assert_eq!(url_path(&example), "exams/after-sales-rules-exam/");
    }
}
