//! Building the index files from the site's documents.
//!
//! 1. Every document is tokenized in parallel into a sorted list of (token, fields and
//!    body count), one small vector per document; tokens are `u64` keys, so there is no
//!    string per occurrence.
//! 2. Each rayon job gathers a run of documents' tokens in a hash map (token →
//!    documents, in document order), neighbouring jobs' maps are merged, and every
//!    token (in parallel) becomes its document frequency, idf and postings: at most [`MAX_POSTINGS`]
//!    documents, those of highest impact (static index pruning: on 10,000 pages the
//!    commonest bigram is on every page, and no reader pages past the first few
//!    hundred). Only now is each token spelled out as text.
//! 3. Tokens go to shards by a hash of their text; the shard count grows with the
//!    index so a shard stays a few KB.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use aho_corasick::{AhoCorasick, MatchKind};
use rayon::prelude::*;

use super::format::{self, json_string};
use super::normalize;
use super::pinyin;
use super::rank::{self, Fields};
use super::tokenize::{self, Depth, Key};

/// At most this many documents per token (the highest-impact ones).
pub const MAX_POSTINGS: usize = 320;
/// Shards are sized to hold about this many bytes of tokens and postings.
const SHARD_BYTES: usize = 6000;
const MAX_SHARDS: usize = 4096;
/// Readings shards (all 20,924 characters of the table, ~4 KB each).
pub const READING_SHARDS: u32 = 64;
/// Characters of a document's text kept for snippets.
pub const MAX_TEXT: usize = 5000;
/// Documents per document file (neighbours in reading order share a file).
pub const DOC_CHUNK: usize = 4;
/// Surfaces (CJK bigrams) kept for a pinyin or initials token.
const MAX_SURFACES: usize = 8;

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
}

/// Builds the whole index.
pub fn build(docs: &[Document<'_>], sections: &[SectionEntry], vocab: &Vocabulary) -> IndexFiles {
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
    // A few big jobs, not rayon's many small ones: each job's map is merged (copied)
    // once more at every level of the reduction.
    let chunk = docs.len().div_ceil(4 * rayon::current_num_threads()).max(1);
    let gathered = docs
        .par_chunks(chunk)
        .enumerate()
        .map(|(c, docs)| {
            let mut g = Gathered::default();
            for (i, doc) in docs.iter().enumerate() {
                let d = (c * chunk + i) as u32;
                let length = tokenize_doc(doc, matcher.as_ref(), vocab, &mut g.scratch);
                for (k, f) in g.scratch.merged.drain(..) {
                    g.tokens.entry(k).or_default().push((d, f));
                }
                g.lengths.push((d, length));
            }
            g
        })
        .reduce(Gathered::default, Gathered::merge);
    lap("tokenized");
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
            token_entry(key, docs, &lengths, avg_len, n, &vocab.terms, buf)
        })
        .collect();
    lap("aggregated");
    add_surfaces(&mut entries);
    lap("surfaces");
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
        .map(|(i, mut tokens)| shard_file(i as u32, &mut tokens))
        .collect();
    lap("shards");
    out.files.extend(reading_files());
    lap("readings");
    let doc_files: Vec<(String, Vec<u8>)> = docs
        .par_chunks(DOC_CHUNK)
        .enumerate()
        .map(|(i, chunk)| doc_file(i as u32, chunk))
        .collect();
    out.files.extend(doc_files);
    lap("documents");
    let manifest = manifest(n, shards, sections, vocab, &out.files);
    out.files
        .push((format::manifest_path(), manifest.into_bytes()));
    out
}

#[derive(Default)]
struct Scratch {
    run: Vec<char>,
    occurrences: Vec<(Key, Fields)>,
    /// The document's tokens, each once, with its fields joined.
    merged: Vec<(Key, Fields)>,
    seen: Seen,
    term: Vec<char>,
}

/// Tokenizes one document into `s.merged`; returns its body length in tokens.
fn tokenize_doc(
    doc: &Document<'_>,
    matcher: Option<&AhoCorasick>,
    vocab: &Vocabulary,
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
                let i = hit.pattern().as_usize();
                emit(Key::term(i));
                s.term.clear();
                s.term.extend(vocab.terms[i].chars());
                tokenize::term_phonetics(&s.term, &mut emit);
            }
        }
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

struct TokenEntry {
    key: Key,
    text: String,
    df: u32,
    idf: u32,
    count: usize,
    postings: String,
    surfaces: Option<String>,
}

fn token_entry(
    key: Key,
    mut docs: Vec<(u32, Fields)>,
    lengths: &[u32],
    avg_len: f64,
    n: u32,
    terms: &[String],
    postings: &mut Vec<(u32, u8)>,
) -> TokenEntry {
    let df = docs.len() as u32;
    if !docs.is_sorted_by_key(|d| d.0) {
        docs.sort_unstable_by_key(|d| d.0);
    }
    postings.clear();
    postings.extend(
        docs.iter()
            .map(|(d, f)| (*d, rank::impact(*f, lengths[*d as usize], avg_len))),
    );
    if postings.len() > MAX_POSTINGS {
        postings.select_nth_unstable_by(MAX_POSTINGS - 1, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        postings.truncate(MAX_POSTINGS);
        postings.sort_unstable_by_key(|p| p.0);
    }
    let ids: Vec<u32> = postings.iter().map(|p| p.0).collect();
    let impacts: Vec<u8> = postings.iter().map(|p| p.1).collect();
    let mut encoded = String::with_capacity(postings.len() * 3 + 2);
    format::encode_postings(&ids, &impacts, &mut encoded);
    TokenEntry {
        key,
        text: key.text(terms),
        df,
        idf: rank::idf(df, n),
        count: postings.len(),
        postings: encoded,
        surfaces: None,
    }
}

/// Gives every pinyin and initials token the commonest CJK bigrams that read so.
fn add_surfaces(entries: &mut [TokenEntry]) {
    let mut readers: HashMap<Key, Vec<(u32, &str)>> = HashMap::new();
    let mut phon = Vec::new();
    for e in entries.iter() {
        if let Some((a, b)) = e.key.chars() {
            phon.clear();
            tokenize::phonetic(a, b, &mut phon);
            for k in &phon {
                readers.entry(*k).or_default().push((e.df, e.text.as_str()));
            }
        }
    }
    let surfaces: HashMap<Key, String> = readers
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            let words: Vec<&str> = v.iter().take(MAX_SURFACES).map(|x| x.1).collect();
            (k, words.join(" "))
        })
        .collect();
    for e in entries.iter_mut().filter(|e| e.key.is_phonetic()) {
        e.surfaces = surfaces.get(&e.key).cloned();
    }
}

fn shard_file(i: u32, tokens: &mut [TokenEntry]) -> (String, Vec<u8>) {
    tokens.sort_unstable_by(|a, b| a.text.cmp(&b.text));
    let len: usize = tokens
        .iter()
        .map(|t| t.text.len() + t.postings.len() + 16)
        .sum();
    let mut s = String::with_capacity(len + 32);
    s.push_str(&format!("ShouceSearch._s({i},{{"));
    for (n, t) in tokens.iter().enumerate() {
        if n > 0 {
            s.push(',');
        }
        json_string(&t.text, &mut s);
        s.push_str(&format!(":[{},\"{}\"", t.idf, t.postings));
        if let Some(surfaces) = &t.surfaces {
            s.push(',');
            json_string(surfaces, &mut s);
        }
        s.push(']');
    }
    s.push_str("})\n");
    (format::shard_path(i), s.into_bytes())
}

/// The commonest reading of every character of the table, for homophones in queries.
fn reading_files() -> Vec<(String, Vec<u8>)> {
    let mut shards: Vec<String> = (0..READING_SHARDS)
        .map(|i| format!("ShouceSearch._r({i},{{"))
        .collect();
    let mut buf = String::new();
    for cp in 0x4E00..=0x9FFFu32 {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        let Some(reading) = pinyin::first_reading(c) else {
            continue;
        };
        buf.clear();
        buf.push(c);
        let shard = &mut shards[format::shard_of(&buf, READING_SHARDS) as usize];
        if !shard.ends_with('{') {
            shard.push(',');
        }
        shard.push('"');
        shard.push(c);
        shard.push_str("\":\"");
        shard.push_str(pinyin::syllable(reading));
        shard.push('"');
    }
    shards
        .into_iter()
        .enumerate()
        .map(|(i, mut s)| {
            s.push_str("})\n");
            (format::readings_path(i as u32), s.into_bytes())
        })
        .collect()
}

fn doc_file(i: u32, docs: &[Document<'_>]) -> (String, Vec<u8>) {
    let len: usize = docs
        .iter()
        .map(|d| d.body.len().min(MAX_TEXT * 3) + 200)
        .sum();
    let mut s = String::with_capacity(len + 32);
    s.push_str(&format!("ShouceSearch._d({i},["));
    let mut text = String::new();
    for (n, d) in docs.iter().enumerate() {
        if n > 0 {
            s.push(',');
        }
        s.push('[');
        for part in [d.path, d.url, d.title] {
            json_string(part, &mut s);
            s.push(',');
        }
        s.push_str(&d.section.map_or(-1, |x| x as i64).to_string());
        s.push(',');
        snippet_text(d.body, &mut text);
        json_string(&text, &mut s);
        s.push(']');
    }
    s.push_str("])\n");
    (format::doc_path(i), s.into_bytes())
}

/// The first [`MAX_TEXT`] characters of a page's text, whitespace runs as one space.
fn snippet_text(body: &str, text: &mut String) {
    text.clear();
    let mut chars = 0;
    let mut space = false;
    for c in body.chars() {
        if chars >= MAX_TEXT {
            break;
        }
        if c.is_whitespace() {
            space = !text.is_empty();
            continue;
        }
        if space {
            text.push(' ');
            chars += 1;
            space = false;
        }
        text.push(c);
        chars += 1;
    }
}

fn manifest(
    n: u32,
    shards: u32,
    sections: &[SectionEntry],
    vocab: &Vocabulary,
    files: &[(String, Vec<u8>)],
) -> String {
    let mut hasher = blake3::Hasher::new();
    for (path, bytes) in files {
        hasher.update(path.as_bytes()).update(bytes);
    }
    let version = hasher.finalize().to_hex()[..10].to_string();
    let list = |items: &mut dyn Iterator<Item = &str>| {
        let mut s = String::from("[");
        for (i, item) in items.enumerate() {
            if i > 0 {
                s.push(',');
            }
            json_string(item, &mut s);
        }
        s.push(']');
        s
    };
    let sections: Vec<String> = sections
        .iter()
        .map(|sec| {
            let mut s = String::from("[");
            json_string(&sec.title, &mut s);
            s.push_str(&format!(",{}]", sec.parent.map_or(-1, |p| p as i64)));
            s
        })
        .collect();
    let synonyms: Vec<String> = vocab
        .synonyms
        .iter()
        .map(|g| list(&mut g.iter().map(String::as_str)))
        .collect();
    format!(
        "ShouceSearch._m({{\"v\":\"{version}\",\"n\":{n},\"s\":{shards},\"r\":{READING_SHARDS},\"dc\":{DOC_CHUNK},\
         \"sy\":{},\"stop\":{},\"keep\":{},\"ask\":{},\"terms\":{},\"syn\":[{}],\"sec\":[{}]}})\n",
        list(&mut pinyin::syllables().iter().copied()),
        list(&mut std::iter::once(tokenize::STOP_CHARS)),
        list(&mut tokenize::PROTECTED.iter().copied()),
        list(&mut tokenize::QUESTION_WORDS.iter().copied()),
        list(&mut vocab.terms.iter().map(String::as_str)),
        synonyms.join(","),
        sections.join(","),
    )
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
