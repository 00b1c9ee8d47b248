//! The staging folder's life beside the output: made or recycled from the spare (or
//! from what a killed build left), pruned, and swapped into the output's place (one
//! atomic exchange, or two renames where the OS has none).

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::Ordering;

use crate::error::Error;

use super::super::failpoint::{Fault, Step};
use super::super::ledger::Ledger;
use super::super::outdir::sibling;
use super::{Output, Recycled, Strategy};

/// The staging folder for `target`: the spare site, or what a killed build left, if
/// there is one (recycled), else a new folder.
pub(super) fn prepare(target: &Path) -> Result<Strategy, Error> {
    let staging = sibling(target, "staging");
    let old = sibling(target, "old");
    if !target.exists() && old.is_dir() {
        // Stopped between the two renames of `swap`'s fallback: the previous site.
        crate::fs::rename(&old, target)?;
    }
    for spare in [sibling(target, "spare"), old] {
        if !staging.is_dir() && spare.is_dir() {
            crate::fs::rename(&spare, &staging)?;
        }
        // Two spares only after a crash at the wrong moment: keep one.
        crate::fs::remove_dir_all(&spare)?;
    }
    let spare_ledger = sibling(target, "spare-ledger");
    let recycled = if staging.is_dir() {
        let walk = crate::fs::walk_all_files(&staging);
        // Read before the folder changes; it no longer holds afterwards.
        let known = Ledger::load(&spare_ledger, &staging);
        let _ = std::fs::remove_file(&spare_ledger);
        Some(Recycled {
            existing: walk,
            written: Mutex::new(Vec::new()),
            known,
        })
    } else {
        crate::fs::create_dir_all(&staging)?;
        None
    };
    Ok(Strategy::Staging { staging, recycled })
}

impl Output {
    /// Puts `staging` in the place of the target; the replaced site, if any, ends up
    /// at `staging`.
    pub(super) fn swap(&self, staging: &Path) -> Result<(), Error> {
        let target = &self.target;
        let fault = self.failpoints.at(Step::Exchange, target);
        self.apply(Step::Exchange, target, fault)?;
        if !target.exists() {
            return crate::fs::rename(staging, target);
        }
        if fault != Some(Fault::NoExchange) && crate::fs::exchange(staging, target)? {
            return Ok(());
        }
        // No exchange here: two renames. A build killed between them leaves the
        // previous site at `old`, and the next one puts it back (`prepare`).
        let old = sibling(target, "old");
        crate::fs::rename(target, &old)?;
        let second = self
            .at(Step::Rename, target)
            .and_then(|()| crate::fs::rename(staging, target));
        if let Err(e) = second {
            if !self.crashed.load(Ordering::Relaxed) {
                let _ = std::fs::rename(&old, target);
            }
            return Err(e);
        }
        crate::fs::rename(&old, staging)
    }
}

/// Makes room to write `relative` in a recycled folder where the last site had a
/// folder at that path, or a file where this one needs a folder.
pub(super) fn clear_way(root: &Path, relative: &str) {
    let mut path = root.to_path_buf();
    for part in relative.split('/') {
        path.push(part);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() && path.as_path() != root.join(relative) => {}
            Ok(meta) if meta.is_dir() => {
                let _ = std::fs::remove_dir_all(&path);
            }
            Ok(_) => {
                let _ = std::fs::remove_file(&path);
            }
            Err(_) => break,
        }
    }
}

/// Deletes a file the new build no longer has, and the folders it leaves empty.
pub(super) fn remove_with_empty_parents(root: &Path, relative: &str) {
    let path = root.join(relative);
    let _ = std::fs::remove_file(&path);
    let mut dir = path.parent();
    while let Some(d) = dir.filter(|d| *d != root) {
        if std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
