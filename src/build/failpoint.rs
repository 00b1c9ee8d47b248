//! Failpoints: the named steps of writing a site, where a test can make the build fail
//! (an I/O error) or stop dead (as if killed), to prove that no step loses the site.
//!
//! A build without a hook (every build outside tests) pays one `Option` check per step.

use std::fmt;
use std::sync::Arc;

/// One step of writing the output (see `write.rs`), in the order a build takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// The output folder is checked and locked.
    Claim,
    /// The staging folder is made or recycled from the spare.
    Prepare,
    /// One file is written into the staging folder (the hook is told its path).
    Write,
    /// Files of a recycled folder the new site no longer has are deleted.
    Prune,
    /// The staging folder takes the output's place.
    Exchange,
    /// Only where there is no atomic exchange ([`Fault::NoExchange`]): the output has
    /// been moved aside and the staging folder is about to be renamed in its place.
    Rename,
    /// The replaced site is kept as the spare.
    Spare,
    /// The new site's ledger is saved.
    Ledger,
}

impl Step {
    /// The steps of every build where the OS has an atomic exchange (all but `Rename`).
    pub const ALL: [Step; 7] = [
        Step::Claim,
        Step::Prepare,
        Step::Write,
        Step::Prune,
        Step::Exchange,
        Step::Spare,
        Step::Ledger,
    ];
}

/// What goes wrong at a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The step fails with this I/O error; the build cleans up as after any failure.
    Fail(std::io::ErrorKind),
    /// The process stops dead before the step: nothing is cleaned up.
    Crash,
    /// At [`Step::Exchange`]: act as on a system without an atomic exchange, where the
    /// swap takes two renames (the Windows path, tested on Linux).
    NoExchange,
}

type Hook = dyn Fn(Step, &str) -> Option<Fault> + Send + Sync;

/// A hook asked before every step, with the step and the path it concerns.
#[derive(Clone, Default)]
pub struct Failpoints(Option<Arc<Hook>>);

impl Failpoints {
    pub fn new(hook: impl Fn(Step, &str) -> Option<Fault> + Send + Sync + 'static) -> Self {
        Failpoints(Some(Arc::new(hook)))
    }

    pub(crate) fn at(&self, step: Step, path: &std::path::Path) -> Option<Fault> {
        let hook = self.0.as_ref()?;
        hook(step, &path.to_string_lossy())
    }
}

impl fmt::Debug for Failpoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Failpoints(hook)"
        } else {
            "Failpoints(none)"
        })
    }
}
