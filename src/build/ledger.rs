//! What a written site holds, kept beside it so the build that recycles the folder
//! (see `write.rs`) can leave unchanged files alone instead of writing them again.
//!
//! One line per file: its [`Stamp`] (content hash, or for a copied file a hash of the
//! source's path, size and time), and the size and modification time the file had
//! on disk right after it was written. A file is left alone only if all three still
//! match, so a file edited or replaced by hand since is written again. The ledger
//! names the folder it describes by the folder's inode, which a rename keeps: a
//! ledger that does not belong to the folder at hand (after a crash between two
//! renames, say) is ignored, and the build writes every file.
//!
//! Inodes and nanosecond times are Unix APIs. Elsewhere a folder has no identity the
//! ledger could name, so no ledger is ever trusted there: every build writes every
//! file, which is slower and just as correct.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use super::write::Stamp;

const HEADER: &str = "shouce-ledger 1";

/// One file as it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub stamp: Stamp,
    len: u64,
    mtime_ns: i128,
}

impl Entry {
    /// The entry for the file at `path` just written with `stamp`, if it can be read.
    pub fn of(path: &Path, stamp: Stamp) -> Option<Entry> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        meta.is_file().then(|| Entry {
            stamp,
            len: meta.len(),
            mtime_ns: mtime_ns(&meta),
        })
    }
}

#[cfg(unix)]
fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    use std::os::unix::fs::MetadataExt;
    i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec())
}

#[cfg(not(unix))]
fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128)
}

/// What names a folder across renames: its inode.
#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(meta.ino())
}

/// No portable identity: a ledger is written but never trusted.
#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Option<u64> {
    None
}

/// The files of one site folder.
#[derive(Debug, Default)]
pub struct Ledger {
    entries: HashMap<String, Entry>,
}

impl Ledger {
    pub fn new(entries: HashMap<String, Entry>) -> Ledger {
        Ledger { entries }
    }

    /// Reads the ledger at `file` if it describes the folder `tree`; else an empty one.
    pub fn load(file: &Path, tree: &Path) -> Ledger {
        let (Ok(text), Ok(meta)) = (std::fs::read_to_string(file), std::fs::metadata(tree)) else {
            return Ledger::default();
        };
        let mut lines = text.lines();
        if !Ledger::names(&mut lines, &meta) {
            return Ledger::default();
        }
        let entries = lines
            .filter_map(|line| {
                let mut parts = line.splitn(4, ' ');
                let stamp = *blake3::Hash::from_hex(parts.next()?).ok()?.as_bytes();
                let len = parts.next()?.parse().ok()?;
                let mtime_ns = parts.next()?.parse().ok()?;
                let path = parts.next()?.to_string();
                Some((
                    path,
                    Entry {
                        stamp,
                        len,
                        mtime_ns,
                    },
                ))
            })
            .collect();
        Ledger { entries }
    }

    /// Whether the ledger at `file` was written for the folder `tree`.
    pub fn describes(file: &Path, tree: &Path) -> bool {
        let (Ok(text), Ok(meta)) = (std::fs::read_to_string(file), std::fs::metadata(tree)) else {
            return false;
        };
        Ledger::names(&mut text.lines(), &meta)
    }

    /// Reads the header lines; whether they name the folder with metadata `meta`.
    fn names<'a>(lines: &mut impl Iterator<Item = &'a str>, meta: &std::fs::Metadata) -> bool {
        let Some(ino) = identity(meta) else {
            return false;
        };
        lines.next() == Some(HEADER) && lines.next() == Some(&ino.to_string())
    }

    /// Writes the ledger of the folder `tree` to `file`.
    pub fn save(&self, file: &Path, tree: &Path) -> std::io::Result<()> {
        let ino = identity(&std::fs::metadata(tree)?).unwrap_or(0);
        let mut paths: Vec<&String> = self.entries.keys().collect();
        paths.sort();
        let mut text = String::with_capacity(paths.len() * 120);
        let _ = writeln!(text, "{HEADER}\n{ino}");
        for path in paths {
            let e = &self.entries[path];
            let hex = blake3::Hash::from_bytes(e.stamp).to_hex();
            let _ = writeln!(text, "{hex} {} {} {path}", e.len, e.mtime_ns);
        }
        std::fs::write(file, text)
    }

    /// The entry of `relative` if the file in `tree` is still exactly what was written
    /// with `stamp`.
    pub fn unchanged(&self, tree: &Path, relative: &str, stamp: &Stamp) -> Option<Entry> {
        let entry = self.entries.get(relative).filter(|e| &e.stamp == stamp)?;
        let meta = std::fs::symlink_metadata(tree.join(relative)).ok()?;
        (meta.is_file() && meta.len() == entry.len && mtime_ns(&meta) == entry.mtime_ns)
            .then_some(*entry)
    }

    #[cfg(all(test, unix))]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[cfg(all(test, unix))]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

// The ledger is trusted on Unix only (see the module docs).
#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_ledger_round_trips_and_belongs_to_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("site");
        crate::fs::write(&tree.join("a b/index.html"), b"hello").unwrap();
        let stamp = *blake3::hash(b"hello").as_bytes();
        let entry = Entry::of(&tree.join("a b/index.html"), stamp).unwrap();
        let ledger = Ledger::new(HashMap::from([("a b/index.html".to_string(), entry)]));
        let file = dir.path().join("ledger");
        ledger.save(&file, &tree).unwrap();

        let loaded = Ledger::load(&file, &tree);
        assert_eq!(loaded.len(), 1);
        assert_eq!(
            loaded.unchanged(&tree, "a b/index.html", &stamp),
            Some(entry)
        );
        let other = *blake3::hash(b"other").as_bytes();
        assert_eq!(loaded.unchanged(&tree, "a b/index.html", &other), None);

        // Edited by hand: the size or time differs, so it is written again.
        std::thread::sleep(std::time::Duration::from_millis(10));
        std::fs::write(tree.join("a b/index.html"), b"HELLO").unwrap();
        assert_eq!(loaded.unchanged(&tree, "a b/index.html", &stamp), None);

        // A ledger read for another folder is empty.
        let elsewhere = dir.path().join("other");
        std::fs::create_dir(&elsewhere).unwrap();
        assert!(Ledger::load(&file, &elsewhere).is_empty());
        assert!(Ledger::load(&dir.path().join("missing"), &tree).is_empty());
    }
}
