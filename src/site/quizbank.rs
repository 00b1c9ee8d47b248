//! The quiz bank: reads `quizzes/*.toml` (the IO edge; parsing is `quiz::parse`,
//! pure), adds the site's `[quizzes]` phrases to every rubric, and finds what no single
//! file can show: two quizzes with one id.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{self, Diagnostic, Error, Location, Severity};
use crate::quiz::{self, Quiz};

/// The folder quizzes are read from, below the site root.
pub const DIR: &str = "quizzes";
/// The URL path of the quiz index.
pub const INDEX_PATH: &str = "quizzes/";

/// One quiz file, checked, with its text kept for later diagnostics.
#[derive(Debug, Clone)]
pub struct QuizFile {
    /// As shown in diagnostics: `quizzes/rules.toml`.
    pub file: PathBuf,
    pub text: String,
    pub quiz: Quiz,
}

impl QuizFile {
    /// The URL path of the quiz's own page: practice quizzes under `quizzes/`, exam
    /// landing pages under `exams/`.
    pub fn url_path(&self) -> String {
        url_path(&self.quiz)
    }

    /// Where the quiz's `id` is written (for diagnostics).
    pub fn id_span(&self) -> Range<usize> {
        quiz::id_span(&self.text).unwrap_or(0..0)
    }
}

/// The URL path of a quiz's page.
pub fn url_path(quiz: &Quiz) -> String {
    if quiz.is_exam() {
        format!("exams/{}/", quiz.id)
    } else {
        format!("{INDEX_PATH}{}/", quiz.id)
    }
}

/// Reads and checks every quiz of the site at `root`: the quizzes, or every problem.
/// A site without a `quizzes/` folder has no quizzes.
pub fn load(root: &Path, config: Option<&Config>) -> (Vec<QuizFile>, Vec<Diagnostic>) {
    let dir = root.join(DIR);
    let mut problems = Vec::new();
    if !dir.is_dir() {
        return (Vec::new(), problems);
    }
    let walk = crate::fs::walk_files(&dir);
    for (path, source) in walk.unreadable {
        problems.push(
            Diagnostic::error(
                Location::file(Path::new(DIR).join(path)),
                format!("cannot read the file: {source}"),
            )
            .with_hint("check that the file exists and that you may read it"),
        );
    }
    let mut quizzes = Vec::new();
    for entry in walk.files {
        let shown = Path::new(DIR).join(&entry.relative);
        if !entry.relative.ends_with(".toml") {
            if !is_notes(&entry.relative) {
                problems.push(
                    Diagnostic::warning(Location::file(&shown), "not a quiz file: ignored")
                        .with_hint(
                            "quiz files end in .toml; rename it, or move it out of quizzes/",
                        ),
                );
            }
            continue;
        }
        match read(&entry.path, &shown) {
            Err(d) => problems.push(d),
            Ok(text) => match quiz::parse(&shown, &text) {
                Ok(mut quiz) => {
                    if let Some(config) = config {
                        quiz.add_site_phrases(&config.quizzes.forbidden, &config.quizzes.allowed);
                    }
                    quizzes.push(QuizFile {
                        file: shown,
                        text,
                        quiz,
                    });
                }
                Err(d) => problems.extend(d),
            },
        }
    }
    problems.extend(duplicate_ids(&quizzes));
    (quizzes, problems)
}

/// `README.md` and other notes trainers keep beside their quizzes.
fn is_notes(relative: &str) -> bool {
    relative.ends_with(".md") || relative.ends_with(".txt")
}

fn read(path: &Path, shown: &Path) -> Result<String, Diagnostic> {
    let bytes = crate::fs::read(path).map_err(|e| {
        let reason = match e {
            Error::Io { source, .. } => source.to_string(),
            other => other.to_string(),
        };
        Diagnostic::error(
            Location::file(shown),
            format!("cannot read the file: {reason}"),
        )
        .with_hint("check that the file exists and that you may read it")
    })?;
    String::from_utf8(bytes).map_err(|_| {
        Diagnostic::error(Location::file(shown), "the file is not valid UTF-8")
            .with_hint("save the file as UTF-8 (in most editors: Save with Encoding → UTF-8)")
    })
}

fn duplicate_ids(quizzes: &[QuizFile]) -> Vec<Diagnostic> {
    let mut first: HashMap<&str, &QuizFile> = HashMap::new();
    let mut problems = Vec::new();
    for file in quizzes {
        match first.get(file.quiz.id.as_str()) {
            None => {
                first.insert(&file.quiz.id, file);
            }
            Some(earlier) => {
                let at = error::SourcePos::of(&earlier.text, earlier.id_span().start);
                problems.push(
                    Diagnostic::at(
                        Severity::Error,
                        &file.file,
                        &file.text,
                        file.id_span(),
                        format!("two quizzes have the id `{}`", file.quiz.id),
                    )
                    .with_hint(format!(
                        "ids name a quiz's page and its results; {}:{}:{} already uses it, so choose another",
                        earlier.file.display(),
                        at.line,
                        at.col
                    )),
                );
            }
        }
    }
    problems
}
