//! The site's pages: walks `content/`, reads every Markdown file and parses it (in
//! parallel; parsing is `content::Page::parse`, pure). Other files of `content/` are
//! handed back as they are (the build copies them). A [`PageCache`] lets `shouce dev`
//! skip pages whose text has not changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::content::Page;
use crate::error::{Diagnostic, Location, SourcePos};
use crate::fs::WalkEntry;

/// A hash of a page's bytes (blake3).
pub type TextKey = [u8; 32];

/// Pages parsed by an earlier load, by source path and text hash.
pub trait PageCache: Sync {
    fn page(&self, relative: &str, key: &TextKey) -> Option<Page>;
}

/// What reading `content/` found.
#[derive(Debug, Default)]
pub struct Pages {
    pub pages: Vec<Page>,
    /// A hash of each page's text, by source path.
    pub text_keys: HashMap<String, TextKey>,
    /// Files of `content/` that are not Markdown.
    pub others: Vec<WalkEntry>,
    /// Every mistake found; [`parse`] puts here only the ones that leave one page out.
    pub problems: Vec<Diagnostic>,
    /// The pages left out for their mistakes (source paths below `content/`).
    pub skipped_pages: Vec<String>,
}

/// The files below `root/content`, before any is read.
#[derive(Debug, Default)]
pub struct Walked {
    pub entries: Vec<WalkEntry>,
    /// Files that could not even be listed (one diagnostic each).
    pub unreadable: Vec<Diagnostic>,
    /// Mistakes of the site as a whole (no `content/` folder).
    pub problems: Vec<Diagnostic>,
}

pub fn text_key(bytes: &[u8]) -> TextKey {
    *blake3::hash(bytes).as_bytes()
}

/// Reads and parses every page below `root/content`; every mistake in `problems`.
pub fn read(root: &Path, cache: Option<&dyn PageCache>) -> Pages {
    let walked = walk(root);
    let mut out = parse(walked.entries, cache);
    out.problems.extend(walked.unreadable);
    out.problems.extend(walked.problems);
    out
}

/// Lists the files below `root/content` (the build screens them before [`parse`]).
pub fn walk(root: &Path) -> Walked {
    let mut out = Walked::default();
    let content_dir = root.join("content");
    if content_dir.is_dir() {
        let walk = crate::fs::walk_files(&content_dir);
        for (path, source) in walk.unreadable {
            out.unreadable.push(
                Diagnostic::error(Location::file(Path::new("content").join(path)), format!("cannot read the file: {source}"))
                    .with_hint("check that the file exists (a link may point nowhere) and that you may read it"),
            );
        }
        out.entries = walk.files;
    } else {
        out.problems.push(
            Diagnostic::error(Location::file("content"), "there is no content/ folder").with_hint(
                "create content/ with Markdown pages, or run `shouce init` to start a handbook",
            ),
        );
    }
    out
}

/// Reads and parses the Markdown files among `entries` (in parallel); the others are
/// handed back. A page with a mistake is left out, its mistakes in `problems`.
pub fn parse(entries: Vec<WalkEntry>, cache: Option<&dyn PageCache>) -> Pages {
    let mut out = Pages::default();
    let (markdown, others): (Vec<WalkEntry>, Vec<WalkEntry>) = entries
        .into_iter()
        .partition(|e| e.relative.ends_with(".md"));
    out.others = others;
    let parsed: Vec<Result<(TextKey, Page), Vec<Diagnostic>>> =
        markdown.par_iter().map(|e| read_page(e, cache)).collect();
    out.pages.reserve(parsed.len());
    for (entry, result) in markdown.iter().zip(parsed) {
        match result {
            Ok((key, page)) => {
                out.text_keys.insert(page.source.clone(), key);
                out.pages.push(page);
            }
            Err(d) => {
                out.skipped_pages.push(entry.relative.clone());
                out.problems.extend(d);
            }
        }
    }
    out
}

fn read_page(
    entry: &WalkEntry,
    cache: Option<&dyn PageCache>,
) -> Result<(TextKey, Page), Vec<Diagnostic>> {
    let shown = PathBuf::from("content").join(&entry.relative);
    let bytes = crate::fs::read(&entry.path).map_err(|e| {
        vec![
            Diagnostic::error(
                Location::file(&shown),
                format!("cannot read the file: {}", io_reason(&e)),
            )
            .with_hint("check that the file exists and that you may read it"),
        ]
    })?;
    let key = text_key(&bytes);
    if let Some(page) = cache.and_then(|c| c.page(&entry.relative, &key)) {
        return Ok((key, page));
    }
    let text = String::from_utf8(bytes).map_err(|e| vec![invalid_utf8(&shown, &e)])?;
    Page::parse(&entry.relative, text).map(|page| (key, page))
}

fn io_reason(err: &crate::error::Error) -> String {
    match err {
        crate::error::Error::Io { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

fn invalid_utf8(path: &Path, err: &std::string::FromUtf8Error) -> Diagnostic {
    let valid = err.utf8_error().valid_up_to();
    let bytes = err.as_bytes();
    let prefix = String::from_utf8_lossy(&bytes[..valid]);
    let pos = SourcePos::of(&prefix, valid);
    let line_end = bytes[valid..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |i| valid + i);
    let line = String::from_utf8_lossy(&bytes[pos.line_start..line_end]).into_owned();
    let mut d = Diagnostic::error(Location { path: path.to_path_buf(), line: pos.line, col: pos.col }, "the file is not valid UTF-8")
        .with_hint("save the file as UTF-8 (in most editors: Save with Encoding → UTF-8); GBK files must be converted");
    d.source_line = Some(line);
    d
}
