//! The only writer of the output folder.
//!
//! A build normally writes into a staging folder beside the output (same filesystem),
//! then swaps it in with one atomic exchange of the two folders (Linux
//! `renameat2(RENAME_EXCHANGE)`, macOS `RENAME_SWAP`), so there is no moment without a
//! complete output, and a failed or interrupted build leaves the previous site
//! untouched. Where the OS or filesystem has no exchange, two renames do it, and a
//! build stopped between them puts the previous site back the next time (`prepare`).
//! Which folder may be replaced at all, and the lock that keeps two builds apart, are
//! `outdir.rs`'s; the steps are named in `failpoint.rs`, where tests interrupt each.
//!
//! The site that was replaced is not deleted: it is kept beside the output as a *spare*
//! (`.public.shouce-spare`) and the next build recycles it as its staging folder,
//! overwriting its files and deleting only the ones the new build does not produce. A
//! 10,000-page site is 20,000 files and folders; deleting them and creating as many
//! new ones costs more than rendering the pages on some disks (ext4 without a journal
//! scans every recently freed inode on each allocation), and overwriting a file reuses
//! its inode. A *failed* build's staging folder is deleted (it may be what filled the
//! disk); one left by a killed build is recycled like a spare.
//!
//! A recycled folder also comes with its [`Ledger`]: a file whose content is the same as
//! the one already in the folder (and untouched since) is not written again, so
//! rebuilding an unchanged 10,000-page site writes almost nothing.
//!
//! `shouce dev` rebuilds the same site many times a minute. There the output keeps a
//! [`Manifest`] of what the last good build wrote and updates the folder in place:
//! unchanged files are not rewritten, changed ones are held in memory until the build
//! has succeeded and only then written, and files the new build no longer produces are
//! deleted. A failed rebuild therefore still leaves the served site as it was.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::error::Error;

use super::BuildOptions;
use super::failpoint::{Failpoints, Fault, Step};
use super::ledger::{Entry, Ledger};
use super::outdir::{self, Claim, MARKER, MARKER_TEXT, sibling};

mod staging;

use staging::{clear_way, prepare, remove_with_empty_parents};

/// Whether the build writes anything (`check` renders everything but writes nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    Write,
    Discard,
}

/// A fingerprint of one output file: its content hash, or for a copied file a hash
/// of its source path, size and modification time.
pub type Stamp = [u8; 32];

/// Every file of a built site, by path below the site root.
pub type Manifest = HashMap<String, Stamp>;

#[derive(Debug)]
enum Strategy {
    Staging {
        staging: PathBuf,
        /// Set when `staging` is a recycled site: the files it held, and the ones this
        /// build wrote (the rest are deleted before the swap).
        recycled: Option<Recycled>,
    },
    InPlace {
        previous: Manifest,
        pending: Mutex<Vec<Pending>>,
    },
    Discard,
}

#[derive(Debug)]
struct Recycled {
    existing: Vec<String>,
    written: Mutex<Vec<String>>,
    /// What the folder held, as far as its ledger knows.
    known: Ledger,
}

#[derive(Debug)]
enum Pending {
    Bytes(String, Vec<u8>),
    Copy(String, PathBuf),
}

#[derive(Debug)]
pub struct Output {
    /// The folder written: the output with links resolved (see `outdir.rs`).
    target: PathBuf,
    strategy: Strategy,
    /// Filled when the caller wants the manifest of this build (dev), else `None`.
    manifest: Option<Mutex<Manifest>>,
    /// The ledger of the folder being written (staging builds).
    ledger: Option<Mutex<HashMap<String, Entry>>>,
    files: AtomicUsize,
    finished: bool,
    /// Holds the output's lock for as long as the build writes.
    claim: Option<Claim>,
    failpoints: Failpoints,
    /// A failpoint stopped the build dead: leave everything as a kill would.
    crashed: AtomicBool,
}

/// Whether to remember what a build wrote, for an in-place rebuild later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    No,
    Manifest,
}

impl Output {
    /// Claims and locks the output folder of `options` and prepares a staging folder
    /// for it: the spare site (or what an interrupted build left) if there is one,
    /// else a new folder.
    pub fn begin(options: &BuildOptions, record: Record) -> Result<Output, Error> {
        let mut out = Output::new(&options.out_dir, Strategy::Discard, record);
        out.failpoints = options.failpoints.clone();
        if options.output == OutputMode::Discard {
            return Ok(out);
        }
        out.at(Step::Claim, &options.out_dir)?;
        let claim = outdir::claim(&options.root, &options.out_dir)?;
        out.target.clone_from(&claim.target);
        out.claim = Some(claim);
        out.at(Step::Prepare, &sibling(&out.target, "staging"))?;
        out.strategy = prepare(&out.target)?;
        out.ledger = Some(Mutex::new(HashMap::new()));
        if let Strategy::Staging { staging, recycled } = &out.strategy {
            crate::fs::write(&staging.join(MARKER), MARKER_TEXT.as_bytes())?;
            if let Some(r) = recycled {
                lock(&r.written).push(MARKER.to_string());
            }
        }
        Ok(out)
    }

    /// Updates the output of `options`, which holds the site described by `previous`
    /// (this process wrote it), in place.
    pub fn in_place(options: &BuildOptions, previous: Manifest) -> Result<Output, Error> {
        let claim = outdir::relock(&options.out_dir)?;
        let strategy = Strategy::InPlace {
            previous,
            pending: Mutex::new(Vec::new()),
        };
        let mut out = Output::new(&claim.target, strategy, Record::Manifest);
        out.claim = Some(claim);
        Ok(out)
    }

    fn new(target: &Path, strategy: Strategy, record: Record) -> Output {
        Output {
            target: target.to_path_buf(),
            strategy,
            ledger: None,
            manifest: (record == Record::Manifest).then(|| Mutex::new(Manifest::new())),
            files: AtomicUsize::new(0),
            finished: false,
            claim: None,
            failpoints: Failpoints::default(),
            crashed: AtomicBool::new(false),
        }
    }

    /// Asks the failpoints about `step`: an injected failure is an I/O error on `path`.
    fn at(&self, step: Step, path: &Path) -> Result<(), Error> {
        self.apply(step, path, self.failpoints.at(step, path))
    }

    /// Acts on the fault a failpoint asked for at `step`.
    fn apply(&self, step: Step, path: &Path, fault: Option<Fault>) -> Result<(), Error> {
        match fault {
            None | Some(Fault::NoExchange) => Ok(()),
            Some(Fault::Fail(kind)) => Err(crate::fs::io_error(path)(kind.into())),
            Some(Fault::Crash) => {
                self.crashed.store(true, Ordering::Relaxed);
                Err(Error::Other(format!(
                    "stopped dead before {step:?} (failpoint)"
                )))
            }
        }
    }

    /// A step the site does not depend on (keeping the spare, saving the ledger): a
    /// failure is logged, not returned; only a crash stops the build there.
    fn optional(&self, step: Step, path: &Path, act: impl FnOnce() -> std::io::Result<()>) {
        let result = match self.at(step, path) {
            Ok(()) => act().map_err(crate::fs::io_error(path)),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            tracing::warn!("{step:?} skipped: {e}");
        }
    }

    /// Writes one file; `relative` uses `/` and is below the site root. Safe to call
    /// from many threads at once.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), Error> {
        self.files.fetch_add(1, Ordering::Relaxed);
        let stamp = (self.manifest.is_some() || self.ledger.is_some())
            .then(|| *blake3::hash(bytes).as_bytes());
        match &self.strategy {
            Strategy::Discard => {}
            Strategy::Staging { staging, recycled } => {
                let stamp = stamp.expect("staging outputs keep a ledger");
                self.put(staging, recycled.as_ref(), relative, stamp, |path| {
                    crate::fs::write(path, bytes)
                })?;
            }
            Strategy::InPlace { previous, pending } => {
                if previous.get(relative) != stamp.as_ref() {
                    lock(pending).push(Pending::Bytes(relative.to_string(), bytes.to_vec()));
                }
            }
        }
        self.remember(relative, stamp);
        Ok(())
    }

    /// Copies a file from disk into the site.
    pub fn copy(&self, relative: &str, from: &Path) -> Result<(), Error> {
        self.files.fetch_add(1, Ordering::Relaxed);
        let stamp = match (&self.manifest, &self.ledger) {
            (None, None) => None,
            _ => Some(copy_stamp(from)?),
        };
        match &self.strategy {
            Strategy::Discard => {}
            Strategy::Staging { staging, recycled } => {
                let stamp = stamp.expect("staging outputs keep a ledger");
                self.put(staging, recycled.as_ref(), relative, stamp, |path| {
                    copy_file(from, path)
                })?;
            }
            Strategy::InPlace { previous, pending } => {
                if previous.get(relative) != stamp.as_ref() {
                    lock(pending).push(Pending::Copy(relative.to_string(), from.to_path_buf()));
                }
            }
        }
        self.remember(relative, stamp);
        Ok(())
    }

    /// Puts one file into the staging folder with `store`, unless a recycled folder
    /// already holds exactly that file; records it in the ledger either way.
    fn put(
        &self,
        staging: &Path,
        recycled: Option<&Recycled>,
        relative: &str,
        stamp: Stamp,
        store: impl Fn(&Path) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let path = staging.join(relative);
        self.at(Step::Write, &path)?;
        let entry = match recycled {
            None => {
                store(&path)?;
                Entry::of(&path, stamp)
            }
            Some(r) => {
                lock(&r.written).push(relative.to_string());
                match r.known.unchanged(staging, relative, &stamp) {
                    Some(entry) => Some(entry),
                    None => {
                        if store(&path).is_err() {
                            clear_way(staging, relative);
                            store(&path)?;
                        }
                        Entry::of(&path, stamp)
                    }
                }
            }
        };
        if let (Some(ledger), Some(entry)) = (&self.ledger, entry) {
            lock(ledger).insert(relative.to_string(), entry);
        }
        Ok(())
    }

    /// Keeps the file at `relative` as the last build wrote it, if this output is an
    /// in-place rebuild that knows it; returns `false` when the caller must write it.
    pub fn keep(&self, relative: &str) -> bool {
        let Strategy::InPlace { previous, .. } = &self.strategy else {
            return false;
        };
        let Some(stamp) = previous.get(relative) else {
            return false;
        };
        self.files.fetch_add(1, Ordering::Relaxed);
        self.remember(relative, Some(*stamp));
        true
    }

    fn remember(&self, relative: &str, stamp: Option<Stamp>) {
        if let (Some(manifest), Some(stamp)) = (&self.manifest, stamp) {
            lock(manifest).insert(relative.to_string(), stamp);
        }
    }

    pub fn file_count(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }

    /// Puts the build in place of the target; returns its manifest if one was kept.
    pub fn commit(mut self) -> Result<Option<Manifest>, Error> {
        let manifest = self
            .manifest
            .take()
            .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()));
        match &self.strategy {
            Strategy::Discard => {}
            Strategy::Staging { staging, recycled } => {
                if let Some(r) = recycled {
                    self.at(Step::Prune, staging)?;
                    let written: HashSet<String> = lock(&r.written).drain(..).collect();
                    for stale in r.existing.iter().filter(|f| !written.contains(*f)) {
                        remove_with_empty_parents(staging, stale);
                    }
                }
                self.swap(staging)?;
                self.keep_replaced(staging)?;
            }
            Strategy::InPlace { previous, pending } => {
                for item in lock(pending).drain(..) {
                    match item {
                        Pending::Bytes(rel, bytes) => {
                            crate::fs::write(&self.target.join(rel), &bytes)?
                        }
                        Pending::Copy(rel, from) => copy_file(&from, &self.target.join(rel))?,
                    }
                }
                // The site changed in place: its ledger no longer holds.
                let _ = std::fs::remove_file(sibling(&self.target, "ledger"));
                let current = manifest.as_ref().expect("in-place outputs keep a manifest");
                for stale in previous.keys().filter(|k| !current.contains_key(*k)) {
                    remove_with_empty_parents(&self.target, stale);
                }
            }
        }
        self.finished = true;
        Ok(manifest)
    }

    /// After the swap: the replaced site (now at `staging`) becomes the spare, and the
    /// ledgers follow their folders. Neither matters to the site now in place.
    fn keep_replaced(&self, staging: &Path) -> Result<(), Error> {
        let spare = sibling(&self.target, "spare");
        self.optional(Step::Spare, &spare, || match staging.exists() {
            true => std::fs::rename(staging, &spare),
            false => Ok(()),
        });
        let ledger = sibling(&self.target, "ledger");
        self.optional(Step::Ledger, &ledger, || {
            let _ = std::fs::rename(&ledger, sibling(&self.target, "spare-ledger"));
            let entries = self.ledger.as_ref().map(lock).map(|e| e.clone());
            // Only an optimisation: without it the next build writes every file.
            Ledger::new(entries.unwrap_or_default()).save(&ledger, &self.target)
        });
        match self.crashed.load(Ordering::Relaxed) {
            true => Err(Error::Other(
                "stopped dead after the swap (failpoint)".into(),
            )),
            false => Ok(()),
        }
    }

    /// Throws the build away, leaving the target as it was. An in-place output hands
    /// back the manifest it was given, which still describes the target.
    pub fn abandon(mut self) -> Option<Manifest> {
        self.finished = true;
        self.discard_staging();
        match std::mem::replace(&mut self.strategy, Strategy::Discard) {
            Strategy::InPlace { previous, .. } => Some(previous),
            _ => None,
        }
    }

    /// Deletes a failed build's staging folder: what it holds may be what filled the
    /// disk, and a later build must not inherit it.
    fn discard_staging(&self) {
        if let Strategy::Staging { staging, .. } = &self.strategy {
            let _ = std::fs::remove_dir_all(staging);
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if !self.finished && !self.crashed.load(Ordering::Relaxed) {
            self.discard_staging();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Copies `from` to `to`; an error names the source only when it cannot be read,
/// and otherwise the file that could not be written.
fn copy_file(from: &Path, to: &Path) -> Result<(), Error> {
    if let Some(parent) = to.parent() {
        crate::fs::create_dir_all(parent)?;
    }
    let mut source = std::fs::File::open(from).map_err(crate::fs::io_error(from))?;
    let mut copy = std::fs::File::create(to).map_err(crate::fs::io_error(to))?;
    std::io::copy(&mut source, &mut copy)
        .map(drop)
        .map_err(crate::fs::io_error(to))
}

fn copy_stamp(from: &Path) -> Result<Stamp, Error> {
    let meta = std::fs::metadata(from).map_err(crate::fs::io_error(from))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let mut hasher = blake3::Hasher::new();
    hasher.update(from.as_os_str().as_encoded_bytes());
    hasher.update(&meta.len().to_le_bytes());
    hasher.update(&modified.to_le_bytes());
    Ok(*hasher.finalize().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Options that write the site at `public`, beside which the site root is.
    fn options(public: &Path, output: OutputMode) -> BuildOptions {
        BuildOptions {
            out_dir: public.to_path_buf(),
            output,
            ..BuildOptions::new(public.parent().unwrap())
        }
    }

    #[test]
    fn commit_replaces_and_abandon_keeps_the_previous_site() {
        let dir = tempfile::tempdir().unwrap();
        let public = dir.path().join("public");
        crate::fs::write(&public.join("old.html"), b"old").unwrap();
        crate::fs::write(&public.join(MARKER), MARKER_TEXT.as_bytes()).unwrap();

        let out = Output::begin(&options(&public, OutputMode::Write), Record::No).unwrap();
        out.write("a/index.html", b"new").unwrap();
        out.abandon();
        assert!(public.join("old.html").exists());
        assert!(!public.join("a").exists());
        assert!(!sibling(&public, "staging").exists());

        let out = Output::begin(&options(&public, OutputMode::Write), Record::No).unwrap();
        out.write("a/index.html", b"new").unwrap();
        assert_eq!(out.file_count(), 1);
        assert!(out.commit().unwrap().is_none());
        assert!(!public.join("old.html").exists());
        assert_eq!(std::fs::read(public.join("a/index.html")).unwrap(), b"new");
        assert!(!sibling(&public, "old").exists());
        assert!(!sibling(&public, "staging").exists());
    }

    /// A full staging build of `public` that writes `pages` (path, text).
    fn build_site(public: &Path, pages: &[(&str, &str)]) {
        let out = Output::begin(&options(public, OutputMode::Write), Record::No).unwrap();
        for (path, text) in pages {
            out.write(path, text.as_bytes()).unwrap();
        }
        out.commit().unwrap();
    }

    fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut all: Vec<(String, Vec<u8>)> = crate::fs::walk_all_files(dir)
            .into_iter()
            .filter(|f| f != MARKER)
            .map(|f| {
                let bytes = std::fs::read(dir.join(&f)).unwrap();
                (f, bytes)
            })
            .collect();
        all.sort();
        all
    }

    #[test]
    #[cfg(unix)]
    fn the_replaced_site_is_recycled_by_the_next_build() {
        let dir = tempfile::tempdir().unwrap();
        let public = dir.path().join("public");
        let spare = sibling(&public, "spare");
        let build = |pages: &[(&str, &str)]| build_site(&public, pages);
        build(&[
            ("a/index.html", "a1"),
            ("b/index.html", "b1"),
            ("x/y/z.html", "z1"),
        ]);
        assert!(!spare.exists(), "nothing to keep after the first build");
        build(&[("a/index.html", "a2"), ("c/index.html", "c2")]);
        assert!(
            spare.join("x/y/z.html").exists(),
            "the replaced site is kept"
        );
        let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
        let recycled = inode(&spare.join("a/index.html"));
        // The third build writes into the first build's folder: its files are
        // overwritten in place, a file where a folder was (and the reverse) is fine,
        // and what the new site lacks is gone.
        build(&[
            ("a/index.html", "a3"),
            ("b", "b is a file now"),
            ("x/y/z.html/index.html", "deeper"),
        ]);
        assert_eq!(inode(&public.join("a/index.html")), recycled);
        assert_eq!(
            files(&public),
            [
                ("a/index.html".to_string(), b"a3".to_vec()),
                ("b".to_string(), b"b is a file now".to_vec()),
                ("x/y/z.html/index.html".to_string(), b"deeper".to_vec()),
            ]
        );
        assert_eq!(
            files(&spare),
            [
                ("a/index.html".to_string(), b"a2".to_vec()),
                ("c/index.html".to_string(), b"c2".to_vec()),
            ]
        );
    }

    #[test]
    #[cfg(unix)]
    fn a_recycled_folder_keeps_the_files_that_did_not_change() {
        let dir = tempfile::tempdir().unwrap();
        let public = dir.path().join("public");
        let build = |pages: &[(&str, &str)]| build_site(&public, pages);
        let mtime = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
        let site = [
            ("a/index.html", "A"),
            ("b/index.html", "B"),
            ("c.html", "C"),
        ];
        build(&site);
        build(&site);
        // The spare is the first build's folder, which the third build recycles.
        let before = mtime(&sibling(&public, "spare").join("a/index.html"));
        let edited = sibling(&public, "spare").join("c.html");
        std::thread::sleep(std::time::Duration::from_millis(20));
        // Someone edits a file of the spare by hand: it must not survive.
        std::fs::write(&edited, "C").unwrap();
        std::fs::write(sibling(&public, "spare").join("b/index.html"), "tampered").unwrap();
        build(&[
            ("a/index.html", "A"),
            ("b/index.html", "B"),
            ("c.html", "C2"),
        ]);
        // The third build recycled the first one's folder: `a` was left alone (same
        // file, same time), `b` was written again because it no longer matched, and
        // `c` because it changed.
        assert_eq!(mtime(&public.join("a/index.html")), before);
        assert_eq!(
            files(&public),
            [
                ("a/index.html".to_string(), b"A".to_vec()),
                ("b/index.html".to_string(), b"B".to_vec()),
                ("c.html".to_string(), b"C2".to_vec()),
            ]
        );
        // A fourth build after an in-place (dev) update of the site does not trust
        // the site's ledger any more.
        let manifest = {
            let out =
                Output::begin(&options(&public, OutputMode::Write), Record::Manifest).unwrap();
            for (path, text) in [
                ("a/index.html", "A"),
                ("b/index.html", "B"),
                ("c.html", "C2"),
            ] {
                out.write(path, text.as_bytes()).unwrap();
            }
            out.commit().unwrap().unwrap()
        };
        let out = Output::in_place(&options(&public, OutputMode::Write), manifest).unwrap();
        out.write("a/index.html", b"A, edited in dev").unwrap();
        out.commit().unwrap();
        assert!(!sibling(&public, "ledger").exists());
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_full_disk_is_reported_on_the_file_that_could_not_be_written() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("guide.pdf");
        std::fs::write(&source, b"%PDF").unwrap();
        // /dev/full accepts the open and fails every write with ENOSPC.
        let full = Path::new("/dev/full");
        let err = copy_file(&source, full).unwrap_err();
        assert!(err.to_string().starts_with("/dev/full: "), "{err}");
        let err = crate::fs::write(full, b"x").unwrap_err();
        assert!(err.to_string().starts_with("/dev/full: "), "{err}");
        let missing = dir.path().join("missing.pdf");
        let err = copy_file(&missing, &dir.path().join("out.pdf")).unwrap_err();
        assert!(err.to_string().contains("missing.pdf"), "{err}");
    }

    #[test]
    fn a_failed_build_leaves_the_site_and_its_staging_is_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let public = dir.path().join("public");
        build_site(&public, &[("keep.html", "v1")]);
        {
            let out = Output::begin(&options(&public, OutputMode::Write), Record::No).unwrap();
            out.write("half.html", b"interrupted").unwrap();
            // dropped without commit, as when a build fails or panics
        }
        assert_eq!(files(&public), [("keep.html".to_string(), b"v1".to_vec())]);
        for what in ["staging", "spare"] {
            assert!(!sibling(&public, what).exists(), "{what} left behind");
        }
        build_site(&public, &[("keep.html", "v2")]);
        assert_eq!(files(&public), [("keep.html".to_string(), b"v2".to_vec())]);
    }

    #[test]
    fn dropping_an_unfinished_output_leaves_no_site() {
        let dir = tempfile::tempdir().unwrap();
        let public = dir.path().join("public");
        {
            let out = Output::begin(&options(&public, OutputMode::Write), Record::No).unwrap();
            out.write("x.html", b"x").unwrap();
        }
        assert!(!sibling(&public, "staging").exists());
        assert!(!public.exists());
    }

    #[test]
    fn discard_mode_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let public = dir.path().join("public");
        let out = Output::begin(&options(&public, OutputMode::Discard), Record::No).unwrap();
        out.write("x.html", b"x").unwrap();
        out.commit().unwrap();
        assert!(!public.exists());
    }

    #[test]
    fn in_place_rebuilds_write_only_what_changed_and_remove_what_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let public = dir.path().join("public");
        let out = Output::begin(&options(&public, OutputMode::Write), Record::Manifest).unwrap();
        for f in ["a/index.html", "b/index.html", "c/index.html"] {
            out.write(f, f.as_bytes()).unwrap();
        }
        let manifest = out.commit().unwrap().unwrap();
        assert_eq!(manifest.len(), 3);
        let before = std::fs::metadata(public.join("a/index.html"))
            .unwrap()
            .modified()
            .unwrap();

        let out = Output::in_place(&options(&public, OutputMode::Write), manifest.clone()).unwrap();
        out.write("a/index.html", b"a/index.html").unwrap();
        assert!(out.keep("b/index.html"));
        assert!(!out.keep("z/index.html"), "unknown files must be written");
        out.write("d/index.html", b"new").unwrap();
        assert!(
            !public.join("d").exists(),
            "nothing is written before commit"
        );
        let after = out.commit().unwrap().unwrap();
        assert_eq!(after.len(), 3);
        assert_eq!(
            std::fs::metadata(public.join("a/index.html"))
                .unwrap()
                .modified()
                .unwrap(),
            before
        );
        assert!(public.join("d/index.html").exists());
        assert!(
            !public.join("c").exists(),
            "a page that is gone takes its folder with it"
        );

        let out = Output::in_place(&options(&public, OutputMode::Write), after).unwrap();
        out.write("a/index.html", b"changed").unwrap();
        assert!(out.abandon().is_some());
        assert_eq!(
            std::fs::read(public.join("a/index.html")).unwrap(),
            b"a/index.html"
        );
    }
}
