//! Tokenizing one document into its distinct tokens, each with the fields it is in.

use aho_corasick::AhoCorasick;

use super::super::normalize;
use super::super::rank::Fields;
use super::super::tokenize::{self, Depth, Key};
use super::Document;

/// Buffers reused from one document to the next.
#[derive(Default)]
pub(super) struct Scratch {
    run: Vec<char>,
    occurrences: Vec<(Key, Fields)>,
    /// The document's tokens, each once, with its fields joined.
    pub(super) merged: Vec<(Key, Fields)>,
    seen: Seen,
}

/// Tokenizes one document into `s.merged`; returns its body length in tokens.
pub(super) fn tokenize_doc(
    doc: &Document<'_>,
    matcher: Option<&AhoCorasick>,
    s: &mut Scratch,
) -> u32 {
    s.occurrences.clear();
    let mut length = 0u32;
    let fields = [
        (doc.title, Fields::TITLE),
        (doc.description, Fields::DESCRIPTION),
    ];
    let headings = doc.headings.iter().map(|h| (*h, Fields::HEADING));
    let tags = doc.tags.iter().map(|t| (t.as_str(), Fields::TAG));
    let all = fields
        .into_iter()
        .chain(headings)
        .chain(tags)
        .chain(std::iter::once((doc.body, Fields::BODY)));
    for (text, field) in all {
        let depth = if field == Fields::BODY {
            Depth::Body
        } else {
            Depth::Short
        };
        let occ = &mut s.occurrences;
        let mut emit = |k: Key| {
            occ.push((k, field));
            if field == Fields::BODY {
                length += 1;
            }
        };
        tokenize::tokens(text, depth, &mut s.run, &mut emit);
        if let Some(m) = matcher {
            for hit in m.find_iter(text) {
                emit(Key::term(hit.pattern().as_usize()));
            }
        }
    }
    let name = normalize::name(doc.title);
    if !name.is_empty() {
        s.occurrences.push((Key::title(&name), Fields::TITLE));
    }
    s.merged.clear();
    s.seen.start(s.occurrences.len());
    for (k, f) in s.occurrences.drain(..) {
        match s.seen.slot(k, s.merged.len()) {
            Some(i) => s.merged[i].1 = s.merged[i].1.join(f),
            None => s.merged.push((k, f)),
        }
    }
    length
}

/// A small open-addressing set of keys with their position in `merged`, reused for
/// every document (sorting each document's occurrences cost more than tokenizing).
#[derive(Default)]
struct Seen {
    slots: Vec<(u64, u32)>,
}

impl Seen {
    const EMPTY: u64 = u64::MAX;

    fn start(&mut self, occurrences: usize) {
        let size = (occurrences * 2).next_power_of_two().max(64);
        self.slots.clear();
        self.slots.resize(size, (Self::EMPTY, 0));
    }

    /// The position of `k` if it was seen; else records it at position `next`.
    fn slot(&mut self, k: Key, next: usize) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut h = k.0.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^= h >> 29;
        let mut i = h as usize & mask;
        loop {
            let (key, at) = self.slots[i];
            if key == k.0 {
                return Some(at as usize);
            }
            if key == Self::EMPTY {
                self.slots[i] = (k.0, next as u32);
                return None;
            }
            i = (i + 1) & mask;
        }
    }
}
