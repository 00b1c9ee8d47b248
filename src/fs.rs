//! Thin wrappers over the filesystem that attach the path to every IO error.
//!
//! This module decides nothing about *which* files matter; callers do. Walking is
//! sorted so that every later stage sees files in the same order on every run.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// Wraps an IO error with the path it concerns.
pub fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(io_error(path))
}

pub fn read_to_string(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(io_error(path))
}

pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    std::fs::write(path, bytes).map_err(io_error(path))
}

pub fn create_dir_all(path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path).map_err(io_error(path))
}

pub fn remove_dir_all(path: &Path) -> Result<(), Error> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(path)(e)),
        _ => Ok(()),
    }
}

pub fn rename(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::rename(from, to).map_err(io_error(from))
}

/// One entry found by [`walk_files`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkEntry {
    /// Full path on disk.
    pub path: PathBuf,
    /// Path relative to the walked root, with `/` separators.
    pub relative: String,
}

/// Every file below `root`, sorted by relative path. Hidden files and folders
/// (a leading `.`) are skipped: editors leave swap files there.
pub fn walk_files(root: &Path) -> Result<Vec<WalkEntry>, Error> {
    let mut out = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(root).to_path_buf();
            let source = e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("filesystem loop"));
            Error::Io { path, source }
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        out.push(WalkEntry {
            path: entry.path().to_path_buf(),
            relative,
        });
    }
    out.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(out)
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|s| s.starts_with('.') || s.ends_with('~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_is_sorted_relative_and_skips_hidden() {
        let dir = tempfile::tempdir().unwrap();
        for p in ["b/x.md", "a.md", ".git/config", "b/.x.md.swp", "c~"] {
            write(&dir.path().join(p), b"x").unwrap();
        }
        let found: Vec<_> = walk_files(dir.path())
            .unwrap()
            .into_iter()
            .map(|e| e.relative)
            .collect();
        assert_eq!(found, vec!["a.md", "b/x.md"]);
    }

    #[test]
    fn io_errors_name_the_path() {
        let err = read(Path::new("/nonexistent/shouce.toml")).unwrap_err();
        assert!(err.to_string().starts_with("/nonexistent/shouce.toml:"));
    }
}
