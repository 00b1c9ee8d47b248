//! A small site written into a temp dir from inline strings, built with the library
//! API (ripgrep's `dir.create`, mdBook's `BookTest`).

#![allow(dead_code)]

pub mod practice;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use shouce::build::{self, BuildOptions, Report};
use shouce::date::Date;
use shouce::error::{self, Failure};

pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    /// A site with the repository's default theme and a minimal config.
    pub fn new() -> Site {
        let site = Site {
            dir: tempfile::tempdir().unwrap(),
        };
        copy_dir(&repo().join("themes/default"), &site.path("themes/default"));
        site.file(
            "shouce.toml",
            "title = \"测试手册\"\nbase_url = \"https://kb.example/\"\n",
        );
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn file(&self, relative: &str, text: &str) -> &Self {
        self.bytes(relative, text.as_bytes())
    }

    pub fn bytes(&self, relative: &str, bytes: &[u8]) -> &Self {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
        self
    }

    /// A page with the given front matter lines and body.
    pub fn page(&self, relative: &str, front: &str, body: &str) -> &Self {
        self.file(
            &format!("content/{relative}"),
            &format!("+++\n{front}\n+++\n{body}"),
        )
    }

    pub fn options(&self) -> BuildOptions {
        BuildOptions {
            today: today(),
            ..BuildOptions::new(self.root())
        }
    }

    pub fn build(&self) -> Result<Report, Failure> {
        build::build(&self.options())
    }

    /// Builds, expecting author errors; returns them rendered as the CLI prints them.
    pub fn build_errors(&self) -> String {
        match self.build() {
            Err(Failure::Author(d)) => error::render_all(&d),
            Err(Failure::Env(e)) => panic!("expected author errors, got environment failure: {e}"),
            Ok(r) => panic!("expected the build to fail, it built {} pages", r.pages),
        }
    }

    /// Builds the site afresh into `full/` and returns what it wrote (to compare an
    /// incremental rebuild in `public/` against).
    pub fn full_build_tree(&self) -> BTreeMap<String, Vec<u8>> {
        let options = BuildOptions {
            out_dir: self.path("full"),
            ..self.options()
        };
        build::build(&options).unwrap();
        self.tree("full")
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
    }

    /// Every file below `relative`, path → bytes.
    pub fn tree(&self, relative: &str) -> BTreeMap<String, Vec<u8>> {
        let root = self.path(relative);
        walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().strip_prefix(&root).unwrap().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect()
    }
}

/// The day tests pretend it is, so overdue badges are stable.
pub fn today() -> Date {
    Date::parse("2026-11-25").unwrap()
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Replaces fingerprints (`style.1a2b3c4d.css`) so snapshots survive theme edits.
pub fn unhash(html: &str) -> String {
    let re = regex::Regex::new(r"\.[0-9a-f]{8}\.(css|js|svg)").unwrap();
    re.replace_all(html, ".HASH.$1").into_owned()
}
