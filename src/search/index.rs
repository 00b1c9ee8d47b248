//! Building the index files from the site's documents.
//!
//! 1. Every document is tokenized in parallel into a sorted list of (token, fields and
//!    body count), one small vector per document; tokens are `u64` keys, so there is no
//!    string per occurrence.
//! 2. The keys are spread over 64 partitions by a bijective mix of the key; each
//!    partition (in parallel) sorts its (token, document) pairs and turns each token's
//!    run into its document frequency, idf and postings: at most [`MAX_POSTINGS`]
//!    documents, those of highest impact (static index pruning: on 10,000 pages the
//!    commonest bigram is on every page, and no reader pages past the first few
//!    hundred). Only now is each token spelled out as text.
//! 3. Tokens go to shards by a hash of their text; the shard count grows with the
//!    index so a shard stays a few KB.

use std::collections::HashMap;

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
/// Surfaces (CJK bigrams) kept for a pinyin or initials token.
const MAX_SURFACES: usize = 8;
const PARTITION_BITS: u32 = 6;

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

/// One document's tokens: mixed keys ascending, with their [`Fields`].
struct DocTokens {
    keys: Vec<u64>,
    fields: Vec<Fields>,
    length: u32,
}

/// Builds the whole index.
pub fn build(docs: &[Document<'_>], sections: &[SectionEntry], vocab: &Vocabulary) -> IndexFiles {
    let matcher = (!vocab.terms.is_empty()).then(|| {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&vocab.terms)
            .expect("terms are plain strings")
    });
    let tokenized: Vec<DocTokens> = docs
        .par_iter()
        .map_init(Scratch::default, |s, d| {
            tokenize_doc(d, matcher.as_ref(), vocab, s)
        })
        .collect();
    let n = docs.len() as u32;
    let total_len: u64 = tokenized.iter().map(|t| u64::from(t.length)).sum();
    let avg_len = (total_len as f64 / f64::from(n.max(1))).max(1.0);
    let lengths: Vec<u32> = tokenized.iter().map(|t| t.length).collect();
    let mut entries: Vec<TokenEntry> = (0..1u64 << PARTITION_BITS)
        .into_par_iter()
        .flat_map_iter(|p| partition(p, &tokenized, &lengths, avg_len, n, &vocab.terms))
        .collect();
    drop(tokenized);
    add_surfaces(&mut entries);
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
    out.files.extend(reading_files());
    let doc_files: Vec<(String, Vec<u8>)> = docs
        .par_iter()
        .enumerate()
        .map(|(i, d)| doc_file(i as u32, d))
        .collect();
    out.files.extend(doc_files);
    let manifest = manifest(n, shards, sections, vocab, &out.files);
    out.files
        .push((format::manifest_path(), manifest.into_bytes()));
    out
}

#[derive(Default)]
struct Scratch {
    folded: String,
    run: Vec<char>,
    occurrences: Vec<(u64, Fields)>,
    term: Vec<char>,
}

fn tokenize_doc(
    doc: &Document<'_>,
    matcher: Option<&AhoCorasick>,
    vocab: &Vocabulary,
    s: &mut Scratch,
) -> DocTokens {
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
        normalize::fold_into(text, &mut s.folded);
        let depth = if field == Fields::BODY {
            Depth::Body
        } else {
            Depth::Short
        };
        let occ = &mut s.occurrences;
        let mut emit = |k: Key| {
            occ.push((mix(k.0), field));
            if field == Fields::BODY {
                length += 1;
            }
        };
        tokenize::tokens(&s.folded, depth, &mut s.run, &mut emit);
        if let Some(m) = matcher {
            for hit in m.find_iter(&s.folded) {
                let i = hit.pattern().as_usize();
                emit(Key::term(i));
                s.term.clear();
                s.term.extend(vocab.terms[i].chars());
                tokenize::term_phonetics(&s.term, &mut emit);
            }
        }
    }
    s.occurrences.sort_unstable_by_key(|o| o.0);
    let mut keys = Vec::with_capacity(s.occurrences.len() / 2);
    let mut fields: Vec<Fields> = Vec::with_capacity(s.occurrences.len() / 2);
    for (k, f) in s.occurrences.drain(..) {
        match (keys.last(), fields.last_mut()) {
            (Some(last), Some(merged)) if *last == k => *merged = merged.join(f),
            _ => {
                keys.push(k);
                fields.push(f);
            }
        }
    }
    DocTokens {
        keys,
        fields,
        length,
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

fn partition(
    p: u64,
    docs: &[DocTokens],
    lengths: &[u32],
    avg_len: f64,
    n: u32,
    terms: &[String],
) -> Vec<TokenEntry> {
    let shift = 64 - PARTITION_BITS;
    let mut pairs: Vec<(u64, u32, Fields)> = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let start = doc.keys.partition_point(|k| k >> shift < p);
        let end = doc.keys.partition_point(|k| k >> shift <= p);
        pairs.extend((start..end).map(|i| (doc.keys[i], d as u32, doc.fields[i])));
    }
    pairs.sort_unstable_by_key(|e| (e.0, e.1));
    let mut out = Vec::new();
    let mut postings: Vec<(u32, u8)> = Vec::new();
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        let key = Key(unmix(run[0].0));
        let df = run.len() as u32;
        postings.clear();
        postings.extend(
            run.iter()
                .map(|(_, d, f)| (*d, rank::impact(*f, lengths[*d as usize], avg_len))),
        );
        if postings.len() > MAX_POSTINGS {
            postings
                .select_nth_unstable_by(MAX_POSTINGS - 1, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            postings.truncate(MAX_POSTINGS);
            postings.sort_unstable_by_key(|p| p.0);
        }
        let docs: Vec<u32> = postings.iter().map(|p| p.0).collect();
        let impacts: Vec<u8> = postings.iter().map(|p| p.1).collect();
        let mut encoded = String::with_capacity(postings.len() * 3 + 2);
        format::encode_postings(&docs, &impacts, &mut encoded);
        out.push(TokenEntry {
            key,
            text: key.text(terms),
            df,
            idf: rank::idf(df, n),
            count: postings.len(),
            postings: encoded,
            surfaces: None,
        });
    }
    out
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

fn doc_file(i: u32, d: &Document<'_>) -> (String, Vec<u8>) {
    let mut text = String::with_capacity(d.body.len().min(MAX_TEXT * 3));
    let mut chars = 0;
    let mut space = false;
    for c in d.body.chars() {
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
    let mut s = String::with_capacity(text.len() + 200);
    s.push_str(&format!("ShouceSearch._d({i},["));
    for part in [d.path, d.url, d.title] {
        json_string(part, &mut s);
        s.push(',');
    }
    s.push_str(&d.section.map_or(-1, |x| x as i64).to_string());
    s.push(',');
    json_string(&text, &mut s);
    s.push_str("])\n");
    (format::doc_path(i), s.into_bytes())
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
        "ShouceSearch._m({{\"v\":\"{version}\",\"n\":{n},\"s\":{shards},\"r\":{READING_SHARDS},\
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

const MIX: u64 = 0xd6e8_feb8_6659_fd93;
const UNMIX: u64 = inverse(MIX);

/// A bijection on u64 that spreads keys evenly over the partitions.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 32;
    x = x.wrapping_mul(MIX);
    x ^ (x >> 32)
}

fn unmix(mut x: u64) -> u64 {
    x ^= x >> 32;
    x = x.wrapping_mul(UNMIX);
    x ^ (x >> 32)
}

/// The inverse of an odd number modulo 2^64 (Newton's iteration).
const fn inverse(a: u64) -> u64 {
    let mut x = a;
    let mut i = 0;
    while i < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        i += 1;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixing_is_a_bijection() {
        for x in [0u64, 1, 42, u64::MAX, 0x1234_5678_9abc_def0] {
            assert_eq!(unmix(mix(x)), x);
        }
        assert_eq!(MIX.wrapping_mul(UNMIX), 1);
    }
}
