//! The only writer of the output folder.
//!
//! A build writes into a staging folder beside the output (same filesystem), then
//! swaps it in with two renames. A failed or interrupted build therefore leaves the
//! previous site untouched: the staging folder is removed on failure, on drop, and —
//! after a crash — at the start of the next build.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::Error;

/// Whether the build writes anything (`check` renders everything but writes nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    Write,
    Discard,
}

#[derive(Debug)]
pub struct Output {
    target: PathBuf,
    staging: PathBuf,
    mode: OutputMode,
    files: AtomicUsize,
    finished: bool,
}

impl Output {
    /// Prepares an empty staging folder for a build of `target`.
    pub fn begin(target: &Path, mode: OutputMode) -> Result<Output, Error> {
        let staging = sibling(target, "staging");
        if mode == OutputMode::Write {
            crate::fs::remove_dir_all(&staging)?;
            crate::fs::remove_dir_all(&sibling(target, "old"))?;
            crate::fs::create_dir_all(&staging)?;
        }
        Ok(Output {
            target: target.to_path_buf(),
            staging,
            mode,
            files: AtomicUsize::new(0),
            finished: false,
        })
    }

    /// Writes one file; `relative` uses `/` and is below the site root. Safe to call
    /// from many threads at once.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), Error> {
        self.files.fetch_add(1, Ordering::Relaxed);
        if self.mode == OutputMode::Discard {
            return Ok(());
        }
        crate::fs::write(&self.staging.join(relative), bytes)
    }

    /// Copies a file from disk into the site.
    pub fn copy(&self, relative: &str, from: &Path) -> Result<(), Error> {
        self.files.fetch_add(1, Ordering::Relaxed);
        if self.mode == OutputMode::Discard {
            return Ok(());
        }
        let to = self.staging.join(relative);
        if let Some(parent) = to.parent() {
            crate::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from, &to)
            .map(drop)
            .map_err(crate::fs::io_error(from))
    }

    pub fn file_count(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }

    /// Swaps the staging folder in place of the target.
    pub fn commit(mut self) -> Result<(), Error> {
        self.finished = true;
        if self.mode == OutputMode::Discard {
            return Ok(());
        }
        let old = sibling(&self.target, "old");
        if self.target.exists() {
            crate::fs::rename(&self.target, &old)?;
        }
        if let Err(e) = crate::fs::rename(&self.staging, &self.target) {
            let _ = std::fs::rename(&old, &self.target);
            return Err(e);
        }
        crate::fs::remove_dir_all(&old)
    }

    /// Throws the staging folder away, leaving the target as it was.
    pub fn abandon(mut self) {
        self.finished = true;
        self.discard_staging();
    }

    fn discard_staging(&self) {
        if self.mode == OutputMode::Write {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if !self.finished {
            self.discard_staging();
        }
    }
}

/// `public` → `.public.shouce-staging` in the same parent folder.
fn sibling(target: &Path, what: &str) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.shouce-{what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_and_abandon_keeps_the_previous_site() {
        let dir = tempfile::tempdir().unwrap();
        let public = dir.path().join("public");
        crate::fs::write(&public.join("old.html"), b"old").unwrap();

        let out = Output::begin(&public, OutputMode::Write).unwrap();
        out.write("a/index.html", b"new").unwrap();
        out.abandon();
        assert!(public.join("old.html").exists());
        assert!(!sibling(&public, "staging").exists());

        let out = Output::begin(&public, OutputMode::Write).unwrap();
        out.write("a/index.html", b"new").unwrap();
        assert_eq!(out.file_count(), 1);
        out.commit().unwrap();
        assert!(!public.join("old.html").exists());
        assert_eq!(std::fs::read(public.join("a/index.html")).unwrap(), b"new");
        assert!(!sibling(&public, "old").exists());
    }

    #[test]
    fn dropping_an_unfinished_output_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let public = dir.path().join("public");
        {
            let out = Output::begin(&public, OutputMode::Write).unwrap();
            out.write("x.html", b"x").unwrap();
        }
        assert!(!sibling(&public, "staging").exists());
        assert!(!public.exists());
    }

    #[test]
    fn discard_mode_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let public = dir.path().join("public");
        let out = Output::begin(&public, OutputMode::Discard).unwrap();
        out.write("x.html", b"x").unwrap();
        out.commit().unwrap();
        assert!(!public.exists());
    }
}
