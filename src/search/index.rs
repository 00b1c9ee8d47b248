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
//! edit tokenizes one page instead of all of them; and when the documents are the same
//! but a few, only the tokens those few have (or had) get new entries.

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
/// Surfaces (CJK bigrams) kept for a pinyin token (most have one or two).
pub(super) const MAX_SURFACES: usize = 8;
/// Surfaces kept for an initials token (~40 bigrams of a site share a pair of
/// initials on average; each one a query keeps may cost it a shard).
pub(super) const MAX_INITIALS_SURFACES: usize = 12;

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
///
/// Tokens are numbered (`keys`, `ids`; numbers are only ever added), so gathering
/// every page's postings is a counting sort over numbers, not a hash map per token.
#[derive(Debug, Default)]
pub struct Memo {
    docs: HashMap<[u8; 32], Arc<DocMemo>>,
    keys: Vec<Key>,
    ids: HashMap<Key, u32, BuildHasherDefault<KeyHasher>>,
    last: Option<Last>,
}

/// The last build's documents in order and its token entries by token number. When
/// the next build has the same documents but a few, only the tokens those few have
/// (had) get new entries: every other token's documents, their lengths, the document
/// count and the rounded average length are the same, and so is its entry.
#[derive(Debug)]
struct Last {
    kept: Vec<Arc<DocMemo>>,
    entries: Vec<Option<Arc<TokenEntry>>>,
    avg_len: u64,
    vocab: [u8; 32],
    /// How many token entries this build made (for the log and the tests).
    made: usize,
}

#[derive(Debug)]
struct DocMemo {
    /// (token number, fields).
    tokens: Vec<(u32, Fields)>,
    length: u32,
    /// The document's entry in its document file (a JSON array).
    entry: String,
}

/// A document as a memoised build sees it: known, or just tokenized.
enum DocState {
    Known([u8; 32], Arc<DocMemo>),
    Fresh([u8; 32], Vec<(Key, Fields)>, u32, String),
}

/// What one rayon job gathers from the run of documents it tokenizes.
#[derive(Default)]
struct Gathered {
    scratch: Scratch,
    tokens: TokenDocs,
    /// (document, body length) of the documents seen.
    lengths: Vec<(u32, u32)>,
}

impl Gathered {
    /// Joins the tokens of the next run of documents (rayon reduces neighbours in
    /// order, so postings stay in document order; `token_entry` checks).
    fn merge(mut self, other: Gathered) -> Gathered {
        for (k, docs) in other.tokens {
            self.tokens.entry(k).or_default().extend(docs);
        }
        self.lengths.extend(other.lengths);
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
    let matcher = (!vocab.terms.is_empty()).then(|| {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .build(&vocab.terms)
            .expect("terms are plain strings")
    });
    let n = docs.len() as u32;
    // Each token's postings as (token, its documents) in some order; the entries are
    // made from them in parallel (see `token_entries`).
    let (entries, doc_entries, memo) = match memo {
        None => {
            let (postings, lengths) = gather_all(docs, matcher.as_ref());
            log_gathered(started);
            let avg = avg_len(&lengths);
            let entries = token_entries(
                postings.par_iter().map(|(k, d)| (*k, d.as_slice())),
                &lengths,
                avg,
                &vocab.terms,
            );
            (entries.into_iter().map(Arc::new).collect(), None, None)
        }
        Some(old) => {
            let (entries, doc_entries, memo) =
                entries_memo(docs, vocab, matcher.as_ref(), old, started);
            (entries, Some(doc_entries), Some(memo))
        }
    };
    let surfaces = files::surfaces(entries.iter().map(AsRef::as_ref));
    let phonetic = files::phonetic_entries(&surfaces);
    let all = || entries.iter().map(AsRef::as_ref).chain(&phonetic);
    let mut out = IndexFiles {
        tokens: entries.len() + phonetic.len(),
        postings: entries.iter().map(|e| e.count).sum(),
        ..IndexFiles::default()
    };
    let bytes: usize = all()
        .map(|e| e.text.len() + e.postings.len() + 12)
        .sum::<usize>()
        + surfaces.values().map(String::len).sum::<usize>();
    let shards = (bytes / SHARD_BYTES)
        .next_power_of_two()
        .clamp(1, MAX_SHARDS) as u32;
    out.shards = shards;
    let mut by_shard: Vec<Vec<&TokenEntry>> = (0..shards).map(|_| Vec::new()).collect();
    for e in all() {
        by_shard[format::shard_of(&e.text, shards) as usize].push(e);
    }
    out.files = by_shard
        .into_par_iter()
        .enumerate()
        .map(|(i, mut tokens)| files::shard_file(i as u32, &mut tokens, &surfaces))
        .collect();
    out.files.extend(files::reading_files().iter().cloned());
    // Memoised entries are copied; a full build writes each document's entry straight
    // into its file.
    let doc_files: Vec<(String, Vec<u8>)> = match &doc_entries {
        Some(entries) => entries
            .par_chunks(DOC_CHUNK)
            .enumerate()
            .map(|(i, chunk)| {
                let capacity = chunk.iter().map(|e| e.len() + 1).sum();
                files::doc_file(i as u32, chunk.len(), capacity, |k, s| {
                    s.push_str(&chunk[k]);
                })
            })
            .collect(),
        None => docs
            .par_chunks(DOC_CHUNK)
            .enumerate()
            .map(|(i, chunk)| {
                let capacity = chunk.iter().map(files::doc_entry_capacity).sum();
                files::doc_file(i as u32, chunk.len(), capacity, |k, s| {
                    files::doc_entry_into(&chunk[k], s);
                })
            })
            .collect(),
    };
    out.files.extend(doc_files);
    let readings = files::site_readings(entries.iter().map(AsRef::as_ref));
    let manifest = files::manifest(n, shards, sections, vocab, &readings, &out.files);
    out.files
        .push((format::manifest_path(), manifest.into_bytes()));
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "search index: written"
    );
    (out, memo)
}

/// A token and its documents with the fields it is in on each.
type TokenPostings = (Key, Vec<(u32, Fields)>);

fn log_gathered(started: std::time::Instant) {
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "search index: gathered"
    );
}

/// The documents' average length for ranking, rounded to steps of about 2 % (as
/// `f64` bits) so that editing a page seldom changes it (see [`Last`]).
fn avg_len(lengths: &[u32]) -> u64 {
    let total: u64 = lengths.iter().map(|l| u64::from(*l)).sum();
    let avg = (total as f64 / lengths.len().max(1) as f64).max(1.0);
    ((avg.log2() * 32.0).round() / 32.0).exp2().to_bits()
}

/// Every token's entry (idf, pruned and encoded postings), in parallel, in order.
fn token_entries<'a>(
    postings: impl IndexedParallelIterator<Item = (Key, &'a [(u32, Fields)])>,
    lengths: &[u32],
    avg_len: u64,
    terms: &[String],
) -> Vec<TokenEntry> {
    let n = lengths.len() as u32;
    let avg = f64::from_bits(avg_len);
    postings
        .map_init(Vec::new, |buf, (key, docs)| {
            files::token_entry(key, docs, lengths, avg, n, terms, buf)
        })
        .collect()
}

/// The token numbers that have documents, with them.
fn nonempty<'a>(
    docs: impl Iterator<Item = &'a [(u32, Fields)]>,
) -> Vec<(usize, &'a [(u32, Fields)])> {
    docs.enumerate().filter(|(_, d)| !d.is_empty()).collect()
}

/// The memoised documents' postings, gathered by a counting sort: token number `id`
/// has the documents `flat[starts[id]..starts[id + 1]]`, ascending.
struct Flat {
    starts: Vec<u32>,
    flat: Vec<(u32, Fields)>,
}

impl Flat {
    fn gather(kept: &[Arc<DocMemo>], tokens: usize) -> Flat {
        let mut starts = vec![0u32; tokens + 1];
        for m in kept {
            for (id, _) in &m.tokens {
                starts[*id as usize + 1] += 1;
            }
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut flat = vec![(0u32, Fields::BODY); starts[tokens] as usize];
        let mut next = starts.clone();
        for (d, m) in kept.iter().enumerate() {
            for (id, f) in &m.tokens {
                let at = &mut next[*id as usize];
                flat[*at as usize] = (d as u32, *f);
                *at += 1;
            }
        }
        Flat { starts, flat }
    }

    fn docs(&self, id: usize) -> &[(u32, Fields)] {
        &self.flat[self.starts[id] as usize..self.starts[id + 1] as usize]
    }
}

/// Every document tokenized afresh: per-job hash maps, merged.
fn gather_all(
    docs: &[Document<'_>],
    matcher: Option<&AhoCorasick>,
) -> (Vec<TokenPostings>, Vec<u32>) {
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
                let length = gather::tokenize_doc(doc, matcher, &mut g.scratch);
                let tokens = std::mem::take(&mut g.scratch.merged);
                g.add(d, &tokens, length);
                g.scratch.merged = tokens;
            }
            g
        })
        .reduce(Gathered::default, Gathered::merge);
    let mut lengths = vec![0u32; docs.len()];
    for (d, len) in gathered.lengths {
        lengths[d as usize] = len;
    }
    (gathered.tokens.into_iter().collect(), lengths)
}

/// Unchanged documents from the memo, the others tokenized; then the token entries:
/// when the documents are the last build's but a few (and the rounded average length
/// is the same), only the tokens of those few are made again (see [`Last`]);
/// otherwise all, from postings gathered by a counting sort over token numbers.
fn entries_memo(
    docs: &[Document<'_>],
    vocab: &Vocabulary,
    matcher: Option<&AhoCorasick>,
    old: &Memo,
    started: std::time::Instant,
) -> (Vec<Arc<TokenEntry>>, Vec<String>, Memo) {
    let mut vocab_key = blake3::Hasher::new();
    for t in &vocab.terms {
        vocab_key.update(t.as_bytes()).update(&[0]);
    }
    let vocab_key_bytes = *vocab_key.finalize().as_bytes();
    let seen: Vec<DocState> = docs
        .par_iter()
        .map_init(Scratch::default, |scratch, doc| {
            let key = doc_key(doc, vocab_key.clone());
            match old.docs.get(&key) {
                Some(m) => DocState::Known(key, Arc::clone(m)),
                None => {
                    let length = gather::tokenize_doc(doc, matcher, scratch);
                    let tokens = std::mem::take(&mut scratch.merged);
                    DocState::Fresh(key, tokens, length, files::doc_entry(doc))
                }
            }
        })
        .collect();
    let reused = seen
        .iter()
        .filter(|s| matches!(s, DocState::Known(..)))
        .count();
    tracing::debug!(reused, of = docs.len(), "search index: pages reused");
    let mut memo = Memo {
        docs: HashMap::with_capacity(docs.len()),
        keys: old.keys.clone(),
        ids: old.ids.clone(),
        last: None,
    };
    let mut kept: Vec<Arc<DocMemo>> = Vec::with_capacity(docs.len());
    for s in seen {
        let (key, m) = match s {
            DocState::Known(key, m) => (key, m),
            DocState::Fresh(key, tokens, length, entry) => {
                let tokens = tokens
                    .into_iter()
                    .map(|(k, f)| {
                        let next = memo.keys.len() as u32;
                        let id = *memo.ids.entry(k).or_insert(next);
                        if id == next {
                            memo.keys.push(k);
                        }
                        (id, f)
                    })
                    .collect();
                let m = Arc::new(DocMemo {
                    tokens,
                    length,
                    entry,
                });
                (key, m)
            }
        };
        memo.docs.insert(key, Arc::clone(&m));
        kept.push(m);
    }
    log_gathered(started);
    let lengths: Vec<u32> = kept.iter().map(|m| m.length).collect();
    let avg = avg_len(&lengths);
    let tokens = memo.keys.len();
    // The entries kept from the last build, and each token to make an entry for with
    // its documents (in document order).
    let postings: Vec<Vec<(u32, Fields)>>;
    let flat: Flat;
    let (mut entries, redo) = match old.last.as_ref().filter(|last| {
        last.kept.len() == kept.len() && last.avg_len == avg && last.vocab == vocab_key_bytes
    }) {
        Some(last) => {
            // The tokens the changed documents had or have.
            let mut redo = vec![false; tokens];
            for d in (0..kept.len()).filter(|&d| !Arc::ptr_eq(&last.kept[d], &kept[d])) {
                for (id, _) in last.kept[d].tokens.iter().chain(&kept[d].tokens) {
                    redo[*id as usize] = true;
                }
            }
            let mut docs = vec![Vec::new(); tokens];
            for (d, m) in kept.iter().enumerate() {
                for (id, f) in m.tokens.iter().filter(|(id, _)| redo[*id as usize]) {
                    docs[*id as usize].push((d as u32, *f));
                }
            }
            postings = docs;
            let entries: Vec<_> = (0..tokens)
                .map(|id| match redo[id] {
                    true => None,
                    false => last.entries.get(id).cloned().flatten(),
                })
                .collect();
            (entries, nonempty(postings.iter().map(Vec::as_slice)))
        }
        None => {
            flat = Flat::gather(&kept, tokens);
            (
                vec![None; tokens],
                nonempty((0..tokens).map(|id| flat.docs(id))),
            )
        }
    };
    let fresh = token_entries(
        redo.par_iter().map(|(id, docs)| (memo.keys[*id], *docs)),
        &lengths,
        avg,
        &vocab.terms,
    );
    for ((id, _), e) in redo.iter().zip(fresh) {
        entries[*id] = Some(Arc::new(e));
    }
    let made = redo.len();
    let doc_entries = kept.iter().map(|m| m.entry.clone()).collect();
    let all: Vec<Arc<TokenEntry>> = entries.iter().flatten().cloned().collect();
    let last = memo.last.insert(Last {
        kept,
        entries,
        avg_len: avg,
        vocab: vocab_key_bytes,
        made,
    });
    tracing::debug!(
        made = last.made,
        of = tokens,
        "search index: token entries made"
    );
    (all, doc_entries, memo)
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
        // Edits that keep the average length: only the edited pages' tokens are made
        // again, and the files are still exactly a full build's.
        let mut memo = memo;
        for (d, body) in [
            (7, "退款原因7 第9页"),
            (8, "发货原因8 第8页"),
            (7, "退款原因7 第7页"),
        ] {
            edited[d].body = body;
            let (fresh, _) = build_with(&edited, &[], &Vocabulary::default(), None);
            let (reused, next) = build_with(&edited, &[], &Vocabulary::default(), memo.as_ref());
            assert_eq!(
                fresh.files, reused.files,
                "after editing page {d} to {body}"
            );
            let last = next.as_ref().and_then(|m| m.last.as_ref()).unwrap();
            assert!(
                last.made < 20 && last.made < last.entries.len() / 10,
                "{} of {} entries made again",
                last.made,
                last.entries.len()
            );
            memo = next;
        }
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
