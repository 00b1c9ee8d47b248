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

/// Swaps the folders `a` and `b` in one step, where the OS has such a step (Linux
/// `renameat2(RENAME_EXCHANGE)`, macOS `RENAME_SWAP`); `Ok(false)` where it has none
/// or the filesystem refuses it, and the caller falls back to two renames.
pub fn exchange(a: &Path, b: &Path) -> Result<bool, Error> {
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "macos"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(true),
            Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => Ok(false),
            Err(e) => Err(io_error(b)(e.into())),
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "macos")))]
    {
        let _ = (a, b);
        Ok(false)
    }
}

/// One entry found by [`walk_files`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkEntry {
    /// Full path on disk.
    pub path: PathBuf,
    /// Path relative to the walked root, with `/` separators.
    pub relative: String,
}

/// What [`walk_files`] found: the files, and the entries it could not read (a broken
/// link, a folder without permission), which callers report rather than stop at.
#[derive(Debug, Default)]
pub struct Walk {
    pub files: Vec<WalkEntry>,
    pub unreadable: Vec<(String, std::io::Error)>,
}

/// Every file below `root`, sorted by relative path. Hidden files and folders
/// (a leading `.`) and editor backups (a trailing `~`) are skipped.
pub fn walk_files(root: &Path) -> Walk {
    let mut walk = Walk::default();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() => walk.files.push(WalkEntry {
                relative: relative(root, entry.path()),
                path: entry.into_path(),
            }),
            Ok(_) => {}
            Err(e) => {
                let path = e.path().map_or_else(String::new, |p| relative(root, p));
                let source = e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("the folder links back to itself"));
                walk.unreadable.push((path, source));
            }
        }
    }
    walk.files.sort_by(|a, b| a.relative.cmp(&b.relative));
    walk
}

/// Every entry below `root` that is not a folder (hidden ones included, links not
/// followed), as relative paths in no particular order. For the build's own output,
/// where nothing is skipped and unreadable entries do not matter.
pub fn walk_all_files(root: &Path) -> Vec<String> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| relative(root, e.path()))
        .collect()
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
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
            .files
            .into_iter()
            .map(|e| e.relative)
            .collect();
        assert_eq!(found, vec!["a.md", "b/x.md"]);
    }

    #[test]
    #[cfg(unix)]
    fn broken_links_are_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("a.md"), b"x").unwrap();
        std::os::unix::fs::symlink("/nonexistent/target", dir.path().join("b.md")).unwrap();
        let walk = walk_files(dir.path());
        assert_eq!(walk.files.len(), 1);
        assert_eq!(walk.unreadable[0].0, "b.md");
    }

    #[test]
    fn io_errors_name_the_path() {
        let err = read(Path::new("/nonexistent/shouce.toml")).unwrap_err();
        assert!(err.to_string().starts_with("/nonexistent/shouce.toml:"));
    }
}
