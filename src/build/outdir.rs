//! The output folder: which folder a build may replace, and that one build at a time
//! writes it.
//!
//! Shouce replaces only a folder it made. Every site it writes holds a marker file,
//! [`MARKER`]; a build writes into a folder that has the marker, is empty or does not
//! exist yet, and refuses any other with an error and a hint, so a mistyped `--out`
//! never moves a user's files away. A folder that is, contains or sits inside the
//! site's sources (the site root, `content/`, `static/`, `themes/`, `quizzes/`) is
//! refused even when marked.
//!
//! An output that is a symbolic link stays a link: the build writes the folder the
//! link points to (whose staging and spare folders sit beside that folder), under the
//! same rule, so a link to a folder of the user's is refused like the folder itself.
//!
//! A lock file beside the output (`.public.shouce-lock`, an OS file lock, released
//! when the process ends however it ends) makes a second build of the same output
//! fail at once with a clear message instead of mixing two sites.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::fs::io_error;

/// The file that marks a folder as a site Shouce wrote.
pub const MARKER: &str = ".shouce-output";

/// What the marker says to whoever opens it.
pub const MARKER_TEXT: &str = "This folder is a site written by Shouce. Every build replaces all of it: keep nothing of your own here.\n";

/// The folders of a site root that hold its sources (the ones `shouce dev` watches).
pub const SOURCES: [&str; 5] = ["content", "quizzes", "themes", "templates", "static"];

/// An output folder this build may write, locked until the claim is dropped.
#[derive(Debug)]
pub struct Claim {
    /// The folder to write: the output with links resolved, absolute.
    pub target: PathBuf,
    _lock: Option<File>,
}

/// Checks that the build of the site at `root` may replace `out_dir`, and locks it.
pub fn claim(root: &Path, out_dir: &Path) -> Result<Claim, Error> {
    let target = resolve(out_dir)?;
    outside_sources(root, &target)?;
    // Checked before the lock file is made, so a refused build leaves no trace.
    owned(&target)?;
    let lock = lock(&target)?;
    Ok(Claim {
        target,
        _lock: lock,
    })
}

/// Locks `out_dir`, which the last build of this process wrote (an in-place rebuild).
pub fn relock(out_dir: &Path) -> Result<Claim, Error> {
    let target = resolve(out_dir)?;
    let lock = lock(&target)?;
    Ok(Claim {
        target,
        _lock: lock,
    })
}

/// `public` → `.public.shouce-staging` in the same parent folder.
pub fn sibling(target: &Path, what: &str) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.shouce-{what}"))
}

/// The absolute path of the folder to write: links followed (the output itself may
/// be one), the parent created if missing.
fn resolve(out_dir: &Path) -> Result<PathBuf, Error> {
    let absolute = std::path::absolute(out_dir).map_err(io_error(out_dir))?;
    if std::fs::symlink_metadata(&absolute).is_ok() {
        return std::fs::canonicalize(&absolute).map_err(|e| {
            refused(
                &absolute,
                &format!("is a link to a folder that cannot be reached ({e})"),
                "point the link at an existing folder, or remove it and build again",
            )
        });
    }
    let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
        return Err(refused(
            &absolute,
            "is not a folder a site can be written to",
            "choose a folder for --out",
        ));
    };
    crate::fs::create_dir_all(parent)?;
    let parent = std::fs::canonicalize(parent).map_err(io_error(parent))?;
    Ok(parent.join(name))
}

fn outside_sources(root: &Path, target: &Path) -> Result<(), Error> {
    let root = std::fs::canonicalize(root).map_err(io_error(root))?;
    let hint = "write the site to a folder of its own, such as public/ in the site root";
    if root.starts_with(target) {
        let problem = format!(
            "is or contains the site being built ({}); building would replace its sources",
            root.display()
        );
        return Err(refused(target, &problem, hint));
    }
    for source in SOURCES {
        // A source folder the site does not have yet is kept free for it all the same.
        let folder = std::fs::canonicalize(root.join(source)).unwrap_or(root.join(source));
        if target.starts_with(&folder) {
            let problem = format!("is inside the site's sources ({source}/)");
            return Err(refused(target, &problem, hint));
        }
    }
    Ok(())
}

fn lock(target: &Path) -> Result<Option<File>, Error> {
    let path = sibling(target, "lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(TryLockError::WouldBlock) => Err(refused(
            target,
            "another build is writing this folder right now",
            "wait for it to finish (`shouce dev` rebuilds on every change: stop it first), \
             then build again",
        )),
        // A filesystem without locks: build unlocked rather than not at all.
        Err(TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => Ok(None),
        Err(TryLockError::Error(e)) => Err(io_error(&path)(e)),
    }
}

/// Whether `target` is Shouce's to replace: missing, empty, or marked.
fn owned(target: &Path) -> Result<(), Error> {
    let meta = match std::fs::metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(target)(e)),
    };
    if !meta.is_dir() {
        return Err(refused(
            target,
            "is a file, not a folder",
            "choose a folder for --out",
        ));
    }
    let empty = std::fs::read_dir(target)
        .map_err(io_error(target))?
        .next()
        .is_none();
    if empty || target.join(MARKER).is_file() || built_before_markers(target) {
        return Ok(());
    }
    Err(refused(
        target,
        &format!(
            "holds files Shouce did not write (it has no {MARKER} file), and a build \
             replaces the whole folder"
        ),
        "choose a new or empty folder for --out, or move these files away first",
    ))
}

/// A site written before sites were marked still has the ledger naming its folder.
fn built_before_markers(target: &Path) -> bool {
    super::ledger::Ledger::describes(&sibling(target, "ledger"), target)
}

fn refused(path: &Path, problem: &str, hint: &str) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        problem: problem.to_string(),
        hint: hint.to_string(),
    }
}
