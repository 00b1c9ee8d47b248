//! The build pipeline: load → assemble → render (in parallel) → check links → write.
//!
//! ```text
//! shouce.toml, content/, themes/   load (read files; parse each one purely)
//!        │                         assemble (Library: sections, order, URLs)
//!        ▼                         render (rayon: markdown → context → template → file)
//!   staging folder  ──commit──▶ public/   (build/write.rs: the only writer)
//! ```
//!
//! Every author mistake found on the way is collected; the build fails only after a
//! phase is complete, so one run reports all of a phase's problems at once. Pages are
//! written to disk as they render (the whole site is never held in memory as HTML);
//! only page bodies are kept for the one-page print view.

mod anchors;
mod assets;
mod cache;
pub mod context;
pub mod failpoint;
mod ledger;
mod load;
mod nav;
pub mod outdir;
mod practice;
mod print;
pub mod quizzes;
mod render;
mod search;
mod sitemap;
pub mod write;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::content::DraftPolicy;
use crate::date::Date;
use crate::error::{Diagnostic, Failure};

pub use cache::Cache;
pub use failpoint::Failpoints;
pub use write::OutputMode;

/// Whether to draw a progress bar while pages render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Hidden,
    Bar,
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site root: where `shouce.toml`, `content/` and `themes/` are.
    pub root: PathBuf,
    /// Where the site goes (`public/` by default).
    pub out_dir: PathBuf,
    pub drafts: DraftPolicy,
    /// Overrides `base_url` from `shouce.toml`.
    pub base_url: Option<String>,
    /// Review dates before this day are overdue.
    pub today: Date,
    pub output: OutputMode,
    pub progress: Progress,
    pub search: SearchIndex,
    /// Where tests make writing the output fail or stop dead (none otherwise).
    pub failpoints: Failpoints,
}

/// Whether the build writes the search index (`Skip` only to measure what it costs:
/// the theme's search box needs it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchIndex {
    Write,
    Skip,
}

impl BuildOptions {
    /// Options for building the site at `root` into `root/public`.
    pub fn new(root: impl Into<PathBuf>) -> BuildOptions {
        let root = root.into();
        BuildOptions {
            out_dir: root.join("public"),
            root,
            drafts: DraftPolicy::Exclude,
            base_url: None,
            today: Date::today(),
            output: OutputMode::Write,
            progress: Progress::Hidden,
            search: SearchIndex::Write,
            failpoints: Failpoints::default(),
        }
    }
}

/// What a successful build did.
#[derive(Debug)]
pub struct Report {
    pub pages: usize,
    pub sections: usize,
    pub files: usize,
    pub elapsed: Duration,
    /// Problems that did not stop the build (overdue reviews, tolerated broken links).
    pub warnings: Vec<Diagnostic>,
    /// What the build left out on purpose, and why (no sitemap without an absolute
    /// base URL).
    pub notes: Vec<&'static str>,
}

impl Report {
    /// `built 42 pages in 6 sections (131 files) in 0.21 s`
    pub fn summary(&self, verb: &str) -> String {
        format!(
            "{verb} {} page{} in {} section{} ({} files) in {:.2} s",
            self.pages,
            if self.pages == 1 { "" } else { "s" },
            self.sections,
            if self.sections == 1 { "" } else { "s" },
            self.files,
            self.elapsed.as_secs_f64()
        )
    }
}

/// Builds the site. On failure the previous output folder is left as it was.
pub fn build(options: &BuildOptions) -> Result<Report, Failure> {
    build_with(options, None)
}

/// Builds the site reusing what `cache` kept from the last successful build, and
/// updates the output in place (see `write.rs`); the cache is refreshed on success.
pub fn build_incremental(options: &BuildOptions, cache: &mut Cache) -> Result<Report, Failure> {
    build_with(options, Some(cache))
}

fn build_with(options: &BuildOptions, mut cache: Option<&mut Cache>) -> Result<Report, Failure> {
    let started = Instant::now();
    let inputs = load::load(options, cache.as_deref())?;
    tracing::info!(ms = started.elapsed().as_millis() as u64, "loaded");
    let previous = cache.as_deref_mut().and_then(|c| c.manifest.take());
    let out = match previous {
        Some(manifest) if options.output == OutputMode::Write && options.out_dir.is_dir() => {
            write::Output::in_place(options, manifest)?
        }
        _ => {
            let record = if cache.is_some() {
                write::Record::Manifest
            } else {
                write::Record::No
            };
            write::Output::begin(options, record)?
        }
    };
    let result = render::render_site(&inputs, options, &out, cache.as_deref());
    let rendered = match result {
        Ok(rendered) => rendered,
        Err(failure) => {
            let manifest = out.abandon();
            if let Some(cache) = cache {
                cache.manifest = manifest;
            }
            return Err(failure);
        }
    };
    let files = out.file_count();
    tracing::info!(ms = started.elapsed().as_millis() as u64, "rendered");
    let manifest = out.commit()?;
    tracing::info!(ms = started.elapsed().as_millis() as u64, "committed");
    let report = Report {
        pages: inputs.library.pages.len(),
        sections: inputs.library.sections.len().saturating_sub(1),
        files,
        elapsed: started.elapsed(),
        warnings: rendered.warnings,
        notes: (!inputs.config.has_absolute_base_url())
            .then_some(sitemap::NOT_WRITTEN)
            .into_iter()
            .collect(),
    };
    if let Some(cache) = cache {
        let sections = inputs
            .library
            .sections
            .iter()
            .filter_map(|s| s.index.as_ref());
        cache.pages = inputs
            .library
            .pages
            .iter()
            .chain(sections)
            .filter_map(|p| {
                inputs
                    .text_keys
                    .get(&p.source)
                    .map(|k| (p.source.clone(), (*k, p.clone())))
            })
            .collect();
        cache.items = rendered.items;
        if let Some(memo) = rendered.search {
            cache.search = memo;
        }
        cache.manifest = manifest;
        cache.highlight_css = Some(inputs.highlight_css.clone());
        cache.theme = Some(Arc::clone(&inputs.theme));
        cache.nav = rendered.nav;
    }
    Ok(report)
}
