//! The site as one loaded value: its config, its library of pages and its quiz bank,
//! read from a site root. The build, `shouce serve` and the tests load through here;
//! the server never imports `build`. Where quiz links lead is behind [`LessonIndex`]
//! (as `markdown::SiteMap` is for pages).

pub mod lessons;
pub mod pages;
pub mod passages;
pub mod quizbank;

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::content::{DraftPolicy, Library};
use crate::error::{Diagnostic, Failure};
use crate::quiz::Link;

pub use quizbank::QuizFile;

/// A site, loaded and checked.
#[derive(Debug)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    pub library: Library,
    pub quizzes: Vec<QuizFile>,
}

impl Site {
    /// Reads the site at `root`: every author mistake at once, or the site and its
    /// warnings. (Links inside pages are checked by the build, which renders them.)
    pub fn load(root: &Path, drafts: DraftPolicy) -> Result<(Site, Vec<Diagnostic>), Failure> {
        let mut problems = Vec::new();
        let config = match Config::load(root)? {
            Ok(c) => Some(c),
            Err(d) => {
                problems.extend(d);
                None
            }
        };
        let read = pages::read(root, None);
        problems.extend(read.problems);
        let (quizzes, mut warnings) = quizbank::load(root, config.as_ref());
        let library = match Library::assemble(read.pages, drafts) {
            Ok(lib) => Some(lib),
            Err(d) => {
                problems.extend(d);
                None
            }
        };
        problems.extend(warnings.iter().filter(|d| d.is_error()).cloned());
        warnings.retain(|d| !d.is_error());
        match (config, library, problems.is_empty()) {
            (Some(config), Some(library), true) => Ok((
                Site {
                    root: root.to_path_buf(),
                    config,
                    library,
                    quizzes,
                },
                warnings,
            )),
            _ => {
                crate::error::sort(&mut problems);
                Err(Failure::Author(problems))
            }
        }
    }

    /// The quiz with this id.
    pub fn quiz(&self, id: &str) -> Option<&QuizFile> {
        self.quizzes.iter().find(|q| q.quiz.id == id)
    }
}

/// Where a question's `source` leads, and what it says.
pub trait LessonIndex: Send + Sync {
    /// The URL path (below the site root, with its anchor) of the cited paragraph.
    fn source_path(&self, link: &Link) -> Option<String>;
    /// The Markdown of the cited paragraph: its heading and the text up to the next
    /// heading of the same or a higher level (the whole page without an anchor).
    fn cited_text(&self, link: &Link) -> Option<String>;
}

impl LessonIndex for Library {
    fn source_path(&self, link: &Link) -> Option<String> {
        lessons::page_href(self, lessons::resolve_source(link)?, "")
    }

    fn cited_text(&self, link: &Link) -> Option<String> {
        lessons::cited_text(self, link)
    }
}
