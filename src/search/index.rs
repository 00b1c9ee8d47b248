//! Building the index files from the site's documents.
//!
//! 1. Every document is tokenized ([`gather`]) into its distinct tokens with the
//!    fields each is in; tokens are `u64` keys, so there is no string per occurrence.
//! 2. Each rayon job gathers a run of documents' tokens in a hash map (token →
//!    documents, in document order), neighbouring jobs' maps are merged, and every
//!    token (in parallel) becomes its document frequency, idf and postings: at most
//!    [`MAX_POSTINGS`] documents, those of highest impact (static index pruning: on
//!    10,000 pages the commonest bigram is on every page, and no reader pages past
//!    the first few hundred). Only now is each token spelled out as text.
//! 3. Tokens go to shards by a hash of their text; the shard count grows with the
//!    index so a shard stays about 3 KB ([`files`]).
//!
//! `shouce dev` passes a [`Memo`] of the last build: documents whose fields are
//! unchanged reuse their tokens and their document file entry, so a rebuild after an
//! edit tokenizes one page instead of all of them.

mod files;
mod gather;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use aho_corasick::{AhoCorasick, MatchKind};
use rayon::prelude::*;

use super::format;
use super::normalize;
use super::rank::Fields;
use super::tokenize::Key;
use files::TokenEntry;
use gather::Scratch;

/// At most this many documents per token (the highest-impact ones).
pub const MAX_POSTINGS: usize = 320;
/// Shards are sized to hold about this many bytes of tokens and postings.
const SHARD_BYTES: usize = 3000;
const MAX_SHARDS: usize = 4096;
/// Documents are tokenized in this many jobs per thread (few: every job's token map is
/// merged into its neighbour's, copying its postings).
const JOBS_PER_THREAD: usize = 1;
/// Readings shards (all 20,924 characters of the table, ~1 KB each).
pub const READING_SHARDS: u32 = 256;
/// Characters of a document's text kept for snippets.
pub const MAX_TEXT: usize = 5000;
/// Documents per document file (neighbours in reading order share a file).
pub const DOC_CHUNK: usize = 2;
/// Surfaces (CJK bigrams) kept for a pinyin or initials token.
pub(super) const MAX_SURFACES: usize = 8;

/// One page (or section page) to index.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    /// Source path below `content/`.
    pub path: &'a str,
    /// URL relative to the site root.
    pub url: &'a str,
    pub title: &'a str,
    /// The section whose path the result shows (an index into the sections list).
    pub section: Option<usize>,
    pub headings: Vec<&'a str>,
    pub tags: &'a [String],
    pub description: &'a str,
    /// The page's text without markup.
    pub body: &'a str,
}

/// A section for the result's section path.
#[derive(Debug, Clone)]
pub struct SectionEntry {
    pub title: String,
    pub parent: Option<usize>,
}

/// The site's vocabulary (`[search]` in `shouce.toml`), folded.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub terms: Vec<String>,
    pub synonyms: Vec<Vec<String>>,
}

impl Vocabulary {
    pub fn new(terms: &[String], synonyms: &[Vec<String>]) -> Vocabulary {
        let fold = |s: &String| normalize::folded(s.trim());
        let mut terms: Vec<String> = terms.iter().map(fold).filter(|t| !t.is_empty()).collect();
        terms.sort();
        terms.dedup();
        Vocabulary {
            terms,
            synonyms: synonyms
                .iter()
                .map(|g| g.iter().map(fold).filter(|t| !t.is_empty()).collect())
                .collect(),
        }
    }
}

/// The index as files (paths below the site root), with figures for reports.
#[derive(Debug, Default)]
pub struct IndexFiles {
    pub files: Vec<(String, Vec<u8>)>,
    pub tokens: usize,
    pub postings: usize,
    pub shards: u32,
}

impl IndexFiles {
    pub fn bytes(&self) -> usize {
        self.files.iter().map(|(_, b)| b.len()).sum()
    }
}

/// Each token's documents with the token's fields on them. Keys are mixed by the
/// hasher, so hashing costs two multiplications.
type TokenDocs = HashMap<Key, Vec<(u32, Fields)>, BuildHasherDefault<KeyHasher>>;

/// What `shouce dev` keeps of one build's index for the next: each document's tokens
/// and document-file entry, by a hash of everything they depend on.
#[derive(Debug, Default)]
pub struct Memo {
    docs: HashMap<[u8; 32], Arc<DocMemo>>,
}

#[derive(Debug)]
struct DocMemo {
    tokens: Vec<(Key, Fields)>,
    length: u32,
    /// The document's entry in its document file (a JSON array).
    entry: String,
}

/// What one rayon job gathers from the run of documents it tokenizes.
#[derive(Default)]
struct Gathered {
    scratch: Scratch,
    tokens: TokenDocs,
    /// (document, body length) of the documents seen.
    lengths: Vec<(u32, u32)>,
    /// With a memo: each document's number, key and memo entry.
    memo: Vec<(u32, [u8; 32], Arc<DocMemo>)>,
}

impl Gathered {
    /// Joins the tokens of the next run of documents (rayon reduces neighbours in
    /// order, so postings stay in document order; `token_entry` checks).
    fn merge(mut self, other: Gathered) -> Gathered {
        for (k, docs) in other.tokens {
            self.tokens.entry(k).or_default().extend(docs);
        }
        self.lengths.extend(other.lengths);
        self.memo.extend(other.memo);
        self
    }

    fn add(&mut self, d: u32, tokens: &[(Key, Fields)], length: u32) {
        for (k, f) in tokens {
            self.tokens.entry(*k).or_default().push((d, *f));
        }
        self.lengths.push((d, length));
    }
}

/// Builds the whole index.
pub fn build(docs: &[Document<'_>], sections: &[SectionEntry], vocab: &Vocabulary) -> IndexFiles {
    build_with(docs, sections, vocab, None).0
}

/// Builds the whole index reusing what `memo` (from the last build) kept of unchanged
/// documents; returns the memo for the next build when one was given.
pub fn build_with(
    docs: &[Document<'_>],
    sections: &[SectionEntry],
    vocab: &Vocabulary,
    memo: Option<&Memo>,
) -> (IndexFiles, Option<Memo>) {
    let started = std::time::Instant::now();
    let lap = |what: &str| {
        tracing::debug!(
            ms = started.elapsed().as_millis() as u64,
            "search index: {what}"
        );
    };
    let matcher = (!vocab.terms.is_empty()).then(|| {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .build(&vocab.terms)
            .expect("terms are plain strings")
    });
    let vocab_key = memo.map(|_| {
        let mut h = blake3::Hasher::new();
        for t in &vocab.terms {
            h.update(t.as_bytes()).update(&[0]);
        }
        h
    });
    let chunk = docs
        .len()
        .div_ceil(JOBS_PER_THREAD * rayon::current_num_threads())
        .max(1);
    let gathered = docs
        .par_chunks(chunk)
        .enumerate()
        .map(|(c, docs)| {
            let mut g = Gathered::default();
            for (i, doc) in docs.iter().enumerate() {
                let d = (c * chunk + i) as u32;
                let (Some(memo), Some(vocab_key)) = (memo, &vocab_key) else {
                    let length = gather::tokenize_doc(doc, matcher.as_ref(), vocab, &mut g.scratch);
                    let tokens = std::mem::take(&mut g.scratch.merged);
                    g.add(d, &tokens, length);
                    g.scratch.merged = tokens;
                    continue;
                };
                let key = doc_key(doc, vocab_key.clone());
                let entry = memo.docs.get(&key).cloned().unwrap_or_else(|| {
                    let length = gather::tokenize_doc(doc, matcher.as_ref(), vocab, &mut g.scratch);
                    Arc::new(DocMemo {
                        tokens: std::mem::take(&mut g.scratch.merged),
                        length,
                        entry: files::doc_entry(doc),
                    })
                });
                g.add(d, &entry.tokens, entry.length);
                g.memo.push((d, key, entry));
            }
            g
        })
        .reduce(Gathered::default, Gathered::merge);
    lap("tokenized");
    if let Some(m) = memo {
        let reused = gathered
            .memo
            .iter()
            .filter(|e| m.docs.contains_key(&e.1))
            .count();
        tracing::debug!(reused, of = docs.len(), "search index: documents reused");
    }
    let n = docs.len() as u32;
    let mut lengths = vec![0u32; docs.len()];
    for (d, len) in gathered.lengths {
        lengths[d as usize] = len;
    }
    let total_len: u64 = lengths.iter().map(|l| u64::from(*l)).sum();
    let avg_len = (total_len as f64 / f64::from(n.max(1))).max(1.0);
    let tokens: Vec<(Key, Vec<(u32, Fields)>)> = gathered.tokens.into_iter().collect();
    let mut entries: Vec<TokenEntry> = tokens
        .into_par_iter()
        .map_init(Vec::new, |buf, (key, docs)| {
            files::token_entry(key, docs, &lengths, avg_len, n, &vocab.terms, buf)
        })
        .collect();
    lap("aggregated");
    files::add_surfaces(&mut entries);
    let mut out = IndexFiles {
        tokens: entries.len(),
        postings: entries.iter().map(|e| e.count).sum(),
        ..IndexFiles::default()
    };
    let bytes: usize = entries
        .iter()
        .map(|e| e.text.len() + e.postings.len() + 12)
        .sum();
    let shards = (bytes / SHARD_BYTES)
        .next_power_of_two()
        .clamp(1, MAX_SHARDS) as u32;
    out.shards = shards;
    let mut by_shard: Vec<Vec<TokenEntry>> = (0..shards).map(|_| Vec::new()).collect();
    for e in entries {
        by_shard[format::shard_of(&e.text, shards) as usize].push(e);
    }
    out.files = by_shard
        .into_par_iter()
        .enumerate()
        .map(|(i, mut tokens)| files::shard_file(i as u32, &mut tokens))
        .collect();
    lap("shards");
    out.files.extend(files::reading_files().iter().cloned());
    let mut memo_entries = gathered.memo;
    if !memo_entries.is_sorted_by_key(|m| m.0) {
        memo_entries.sort_unstable_by_key(|m| m.0);
    }
    let doc_files: Vec<(String, Vec<u8>)> = if memo.is_some() {
        memo_entries
            .par_chunks(DOC_CHUNK)
            .enumerate()
            .map(|(i, chunk)| files::doc_file(i as u32, chunk.iter().map(|m| m.2.entry.as_str())))
            .collect()
    } else {
        docs.par_chunks(DOC_CHUNK)
            .enumerate()
            .map(|(i, chunk)| {
                let entries: Vec<String> = chunk.iter().map(files::doc_entry).collect();
                files::doc_file(i as u32, entries.iter().map(String::as_str))
            })
            .collect()
    };
    out.files.extend(doc_files);
    lap("documents");
    let manifest = files::manifest(n, shards, sections, vocab, &out.files);
    out.files
        .push((format::manifest_path(), manifest.into_bytes()));
    let memo = memo.map(|_| Memo {
        docs: memo_entries.into_iter().map(|(_, k, e)| (k, e)).collect(),
    });
    (out, memo)
}

/// A hash of everything a document's tokens and document-file entry depend on.
fn doc_key(doc: &Document<'_>, mut h: blake3::Hasher) -> [u8; 32] {
    for part in [doc.path, doc.url, doc.title, doc.description, doc.body] {
        h.update(part.as_bytes()).update(&[0]);
    }
    for heading in &doc.headings {
        h.update(heading.as_bytes()).update(&[1]);
    }
    for tag in doc.tags {
        h.update(tag.as_bytes()).update(&[2]);
    }
    h.update(&doc.section.map_or(u64::MAX, |s| s as u64).to_le_bytes());
    *h.finalize().as_bytes()
}

/// Hashes a [`Key`] with a bijective mix of its bits (keys are already unique
/// integers; SipHash would cost more than the rest of the aggregation).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 32;
        x = x.wrapping_mul(0xd6e8_feb8_6659_fd93);
        x ^ (x >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8 | u64::from(*b)) ^ (self.0 >> 56);
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_and_token_is_indexed_whatever_the_job_split() {
        let bodies: Vec<String> = (0..300).map(|i| format!("退款原因{i} 第{i}页")).collect();
        let docs: Vec<Document<'_>> = bodies
            .iter()
            .map(|b| Document {
                path: "p.md",
                url: "p/",
                title: "退款",
                section: None,
                headings: Vec::new(),
                tags: &[],
                description: "",
                body: b,
            })
            .collect();
        let index = build(&docs, &[], &Vocabulary::default());
        let again = build(&docs, &[], &Vocabulary::default());
        assert_eq!(index.files, again.files, "output is deterministic");
        // With a memo (dev), the first and a repeated build give the same files.
        let (first, memo) = build_with(&docs, &[], &Vocabulary::default(), Some(&Memo::default()));
        assert_eq!(first.files, index.files);
        let (second, _) = build_with(&docs, &[], &Vocabulary::default(), memo.as_ref());
        assert_eq!(second.files, index.files);
        let mut edited = docs.clone();
        edited[7].body = "换了内容";
        let (fresh, _) = build_with(&edited, &[], &Vocabulary::default(), None);
        let (reused, _) = build_with(&edited, &[], &Vocabulary::default(), memo.as_ref());
        assert_eq!(
            fresh.files, reused.files,
            "an edited page is tokenized again"
        );
        let shard = index
            .files
            .iter()
            .find(|(p, _)| *p == format::shard_path(format::shard_of("退款", index.shards)))
            .unwrap();
        let v = format::parse_script(std::str::from_utf8(&shard.1).unwrap()).unwrap();
        let postings = format::decode_postings(v["退款"][1].as_str().unwrap());
        assert_eq!(postings.len(), 300.min(MAX_POSTINGS));
        assert!(postings.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
