//! `shouce init DIR`: a new handbook that builds and explains itself — a config, a few
//! pages that teach the format (front matter, sections, dialogues, callouts, links),
//! a practice quiz that shows the quiz format (and, beside it, the complete example of
//! every question type as a `.txt` the build ignores), and a copy of the default theme
//! to adapt. `tests/examples.rs` checks that the new site passes `check --strict`.

use std::path::Path;

use include_dir::{Dir, include_dir};

use crate::error::{Error, Failure};

static DEFAULT_THEME: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

const FILES: &[(&str, &str)] = &[
    ("shouce.toml", include_str!("scaffold/shouce.toml")),
    (".gitignore", "/public/\n/.public.shouce-*\n/.shouce/\n"),
    ("content/_index.md", include_str!("scaffold/_index.md")),
    (
        "content/guide/_index.md",
        include_str!("scaffold/guide/_index.md"),
    ),
    (
        "content/guide/pages.md",
        include_str!("scaffold/guide/pages.md"),
    ),
    (
        "content/guide/scripts.md",
        include_str!("scaffold/guide/scripts.md"),
    ),
    (
        "quizzes/guide-practice.toml",
        include_str!("scaffold/quizzes/guide-practice.toml"),
    ),
    // Every question type and exam setting, for reference: a `.txt` so it is not
    // loaded (it cites the sample handbook's pages, which a new site does not have).
    (
        "quizzes/example.toml.txt",
        include_str!("quiz/example.toml"),
    ),
];

/// Writes a new handbook into `dir`, which must not exist or be empty.
pub fn create(dir: &Path) -> Result<(), Failure> {
    let occupied = dir
        .read_dir()
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false);
    if occupied {
        return Err(Failure::Env(Error::Other(format!(
            "{} is not empty; choose a new folder",
            dir.display()
        ))));
    }
    for (path, text) in FILES {
        crate::fs::write(&dir.join(path), text.as_bytes())?;
    }
    write_dir(&DEFAULT_THEME, &dir.join("themes/default"))?;
    Ok(())
}

fn write_dir(embedded: &Dir<'_>, to: &Path) -> Result<(), Error> {
    for file in embedded.files() {
        crate::fs::write(&to.join(file.path()), file.contents())?;
    }
    for sub in embedded.dirs() {
        write_dir(sub, to)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::{self, BuildOptions};

    #[test]
    fn a_new_handbook_builds_without_problems() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("kb");
        create(&site).unwrap();
        assert!(site.join("themes/default/templates/page.html").exists());
        let report = build::build(&BuildOptions::new(&site)).unwrap();
        assert!(report.pages >= 2, "{report:?}");
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        assert!(site.join("public/quizzes/index.html").exists());
        assert!(create(&site).is_err(), "refuses a folder that is not empty");
    }
}
