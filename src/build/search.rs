//! The search index as build output: every page and section page with a source file
//! becomes a search document (title, headings, tags, description, the Markdown's
//! plain text), [`crate::search::build`] turns them into files, and they are written
//! under `search/idx/` like any other output.
//!
//! The index is rebuilt on every build, `dev` included; in `dev` the cache keeps a
//! [`Memo`] so only edited pages are tokenized again, and only the files whose bytes
//! changed are rewritten.

use std::sync::Arc;

use rayon::prelude::*;

use crate::content::{Child, ROOT};
use crate::error::Error;
use crate::markdown::Rendered;
use crate::markdown::heading::TocEntry;
use crate::search::{self, Document, IndexFiles, Memo, SectionEntry, Vocabulary};

use super::load::Inputs;
use super::write::Output;

/// Builds the index of the rendered items (in reading order). With `memo` (dev's
/// cache), unchanged pages are not tokenized again, and the next memo is returned.
pub fn index(
    inputs: &Inputs,
    items: &[(Child, Arc<Rendered>)],
    memo: Option<&Memo>,
) -> (IndexFiles, Option<Memo>) {
    let lib = &inputs.library;
    // The home is not part of any result's section path: section s is entry s - 1.
    let entry = |s: usize| (s != ROOT).then(|| s - 1);
    let sections: Vec<SectionEntry> = lib
        .sections
        .iter()
        .skip(1)
        .map(|s| SectionEntry {
            title: s.title.clone(),
            parent: s.parent.and_then(entry),
        })
        .collect();
    let docs: Vec<Document<'_>> = items
        .iter()
        .filter_map(|(item, rendered)| {
            let page = lib.page(*item)?;
            let mut headings = Vec::new();
            flatten(&rendered.toc, &mut headings);
            let section = match *item {
                Child::Page(i) => entry(lib.page_section[i]),
                Child::Section(s) => lib.sections[s].parent.and_then(entry),
            };
            Some(Document {
                path: &page.source,
                url: lib.url_path(*item),
                title: lib.title(*item),
                section,
                headings,
                tags: &page.meta.tags,
                description: &page.meta.description,
                body: &rendered.plain,
            })
        })
        .collect();
    let vocab = Vocabulary::new(&inputs.config.search.terms, &inputs.config.search.synonyms);
    search::build_with(&docs, &sections, &vocab, memo)
}

fn flatten<'a>(toc: &'a [TocEntry], out: &mut Vec<&'a str>) {
    for entry in toc {
        out.push(&entry.title);
        flatten(&entry.children, out);
    }
}

/// Writes the index files.
pub fn write(out: &Output, index: &IndexFiles) -> Result<(), Error> {
    index
        .files
        .par_iter()
        .try_for_each(|(path, bytes)| out.write(path, bytes))
}
