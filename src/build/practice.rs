//! Practice quizzes in the site: each gets a page at `quizzes/<id>/` (the theme's
//! `practice.html`), and a lesson embeds one with a ```` ```quiz ```` block naming its id.
//!
//! The view of each practice quiz ([`PracticeView`], which carries its key for the
//! browser grader) is built once per build, with links relative to the site root that
//! the theme prefixes with `root` (links inside its Markdown carry
//! `quizzes::ROOT_MARK`, which each embed replaces: only in the quiz's HTML, never in
//! the page's). Embeds are spliced into a page's body after its Markdown is rendered,
//! in place of the markers `markdown::quiz_block` leaves (keyed by the page's text,
//! so an author cannot forge one), rendering the partial `quiz.html` per page, since
//! `root` differs; the print view gets a
//! note linking to the quiz instead of a form it cannot run. `quiz.js` is loaded only
//! by pages that show a quiz: by the first quiz of the page.
//!
//! An embed naming an unknown quiz or an exam, or a quiz a page already embeds, is an
//! author's error located at the block (see [`Practice::check_embeds`]).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::content::{Child, Library};
use crate::error::{Diagnostic, Severity};
use crate::markdown::{self, Rendered, escape_html};
use crate::quiz::view::Renderers;
use crate::quiz::{Link, PracticeView};
use crate::theme::Theme;

use super::context::Common;
use super::quizzes::{self, PageOut, QuizFile};

/// The partial every quiz is rendered with.
pub const PARTIAL: &str = "quiz.html";
/// The template of a practice quiz's own page.
pub const PAGE: &str = "practice.html";

/// The site's practice quizzes, ready to show.
pub struct Practice<'a> {
    views: BTreeMap<&'a str, PracticeView>,
    exams: BTreeSet<&'a str>,
}

/// What `quiz.html` receives when embedded in a lesson.
#[derive(Serialize)]
struct EmbedContext<'a> {
    quiz: &'a PracticeView,
    root: &'a str,
    assets: &'a BTreeMap<String, String>,
    embedded: bool,
    load_script: bool,
}

/// What `practice.html` receives.
#[derive(Serialize)]
struct PageContext<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    quiz: &'a PracticeView,
    embedded: bool,
    load_script: bool,
}

impl<'a> Practice<'a> {
    /// Builds the view of every practice quiz: Markdown rendered and sanitized,
    /// `source` and `lessons` links resolved against the library (from the site root).
    pub fn new(lib: &Library, quizzes: &'a [QuizFile]) -> Practice<'a> {
        let source = |link: &Link| quizzes::source_href(lib, link, "");
        // Links to lessons lead from the site root; each page showing the quiz puts its
        // own way there in place of the mark.
        let markdown = |text: &str| {
            markdown::snippet_with_links(text, &|dest| quizzes::markdown_href(lib, dest))
        };
        let render = Renderers {
            markdown: &markdown,
            source: &source,
        };
        let mut views = BTreeMap::new();
        let mut exams = BTreeSet::new();
        for file in quizzes {
            let quiz = &file.quiz;
            let lessons = quizzes::lesson_links(lib, quiz, "");
            match PracticeView::new(quiz, lessons, &render) {
                Ok(view) => {
                    views.insert(quiz.id.as_str(), view);
                }
                Err(_) => {
                    exams.insert(quiz.id.as_str());
                }
            }
        }
        Practice { views, exams }
    }

    /// Embeds that name no practice quiz, or one the page already shows.
    pub fn check_embeds(&self, lib: &Library, rendered: &[(Child, &Rendered)]) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for (item, r) in rendered {
            let Some(page) = lib.page(*item) else {
                continue;
            };
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for embed in &r.quiz_refs {
                let id = embed.id.as_str();
                let (message, hint) = if self.exams.contains(id) {
                    (
                        format!("`{id}` is an exam; only practice quizzes can be embedded"),
                        "exams are taken on the exam server; link to its landing page instead"
                            .to_string(),
                    )
                } else if !self.views.contains_key(id) {
                    let known: Vec<&str> = self.views.keys().copied().collect();
                    let hint = match crate::error::closest(id, &known) {
                        Some(best) => format!("did you mean `{best}`?"),
                        None if known.is_empty() => {
                            "the site has no practice quizzes (quizzes/*.toml with kind = \"practice\")".to_string()
                        }
                        None => format!("practice quizzes: {}", known.join(", ")),
                    };
                    (format!("no practice quiz `{id}`"), hint)
                } else if let Some(first) = seen.insert(id, embed.span.start) {
                    let line = crate::error::SourcePos::of(&page.text, first).line;
                    (
                        format!("the quiz `{id}` is embedded twice on this page"),
                        format!("line {line} already embeds it; keep one"),
                    )
                } else {
                    continue;
                };
                problems.push(
                    Diagnostic::at(
                        Severity::Error,
                        &page.file,
                        &page.text,
                        embed.span.clone(),
                        message,
                    )
                    .with_hint(hint),
                );
            }
        }
        problems
    }

    /// A page's body with its quizzes in place (`root`: the page's way to the root).
    /// Unknown ids leave nothing (`check_embeds` fails the build for them).
    pub fn page_body<'h>(
        &self,
        theme: &Theme,
        rendered: &'h Rendered,
        root: &str,
        assets: &BTreeMap<String, String>,
    ) -> Result<Cow<'h, str>, Diagnostic> {
        if rendered.quiz_refs.is_empty() || !rendered.markers.found_in(&rendered.html) {
            return Ok(Cow::Borrowed(&rendered.html));
        }
        let mut failure = None;
        let mut load_script = true;
        let html = rendered.markers.splice(&rendered.html, |n| {
            let view = self.views.get(rendered.quiz_refs.get(n)?.id.as_str())?;
            let context = EmbedContext {
                quiz: view,
                root,
                assets,
                embedded: true,
                load_script,
            };
            match theme.render(PARTIAL, &context) {
                Ok(html) => {
                    load_script = false;
                    // Only the quiz's own HTML: the page's text is the author's.
                    Some(quizzes::with_root(html, root))
                }
                Err(d) => {
                    failure.get_or_insert(d);
                    None
                }
            }
        });
        match failure {
            Some(d) => Err(d),
            None => Ok(Cow::Owned(html)),
        }
    }

    /// A page's body for the print view: each embed becomes a note linking to the
    /// quiz's own page (relative to the page at `url_path`, like the rest of the body).
    pub fn print_body<'h>(&self, rendered: &'h Rendered, url_path: &str) -> Cow<'h, str> {
        if rendered.quiz_refs.is_empty() {
            return Cow::Borrowed(&rendered.html);
        }
        Cow::Owned(rendered.markers.splice(&rendered.html, |n| {
            let view = self.views.get(rendered.quiz_refs.get(n)?.id.as_str())?;
            let href = markdown::links::relative_url(url_path, &format!("quizzes/{}/", view.id));
            Some(format!(
                "<p class=\"quiz-print-note\">练习：<a href=\"{}\">{}</a>（共 {} 题，请在网页上作答）</p>\n",
                escape_html(&href),
                escape_html(&view.title),
                view.questions.len()
            ))
        }))
    }

    /// Each practice quiz's own page. `common` gives a page's shared template context
    /// from its root prefix and page kind.
    pub fn render_pages<'c>(
        &self,
        theme: &Theme,
        common: &dyn Fn(String, &'static str) -> Common<'c>,
    ) -> Result<Vec<PageOut>, Diagnostic> {
        let mut pages = Vec::with_capacity(self.views.len());
        for view in self.views.values() {
            let path = format!("{}{}/", quizzes::INDEX_PATH, view.id);
            let root = markdown::links::root_prefix(&path);
            let context = PageContext {
                common: common(root.clone(), "practice"),
                quiz: view,
                embedded: false,
                load_script: true,
            };
            let html = quizzes::with_root(theme.render(PAGE, &context)?, &root);
            pages.push((format!("{path}index.html"), html.into_bytes()));
        }
        Ok(pages)
    }
}
