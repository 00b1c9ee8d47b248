//! Spelling the index out as files: token shards, readings, documents, manifest.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::BuildHasherDefault;
use std::sync::LazyLock;

use rayon::prelude::*;

use super::super::format::{self, json_string};
use super::super::pinyin;
use super::super::rank::{self, Fields};
use super::super::tokenize::{self, Key};
use super::super::tradition;
use super::{
    DOC_CHUNK, Document, KeyHasher, MAX_INITIALS_SURFACES, MAX_POSTINGS, MAX_SURFACES, MAX_TEXT,
    READING_SHARDS, SectionEntry, Vocabulary,
};

#[derive(Debug)]
pub(super) struct TokenEntry {
    pub(super) key: Key,
    pub(super) text: String,
    df: u32,
    idf: u32,
    pub(super) count: usize,
    pub(super) postings: String,
}

pub(super) fn token_entry(
    key: Key,
    docs: &[(u32, Fields)],
    lengths: &[u32],
    avg_len: f64,
    n: u32,
    terms: &[String],
    postings: &mut Vec<(u32, u8)>,
) -> TokenEntry {
    let df = docs.len() as u32;
    postings.clear();
    postings.extend(
        docs.iter()
            .map(|(d, f)| (*d, rank::impact(*f, lengths[*d as usize], avg_len))),
    );
    if !postings.is_sorted_by_key(|p| p.0) {
        postings.sort_unstable_by_key(|p| p.0);
    }
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
    }
}

/// Each pinyin and initials token's surfaces, space-separated.
pub(super) type Surfaces = HashMap<Key, String, BuildHasherDefault<KeyHasher>>;

/// The commonest CJK bigrams that read as each pinyin and initials token (at most
/// [`MAX_SURFACES`], [`MAX_INITIALS_SURFACES`] for initials; space-separated), from all
/// the index's bigrams. Each token's readers are sorted and joined in parallel.
pub(super) fn surfaces<'a>(entries: impl Iterator<Item = &'a TokenEntry>) -> Surfaces {
    let mut readers: HashMap<Key, Vec<(u32, &str)>, BuildHasherDefault<KeyHasher>> =
        HashMap::default();
    let mut phon = Vec::new();
    for e in entries {
        if let Some((a, b)) = e.key.chars() {
            phon.clear();
            tokenize::phonetic(a, b, &mut phon);
            for k in &phon {
                readers.entry(*k).or_default().push((e.df, e.text.as_str()));
            }
        }
    }
    let readers: Vec<(Key, Vec<(u32, &str)>)> = readers.into_iter().collect();
    readers
        .into_par_iter()
        .map(|(k, mut v)| {
            let keep = if k.is_initials() {
                MAX_INITIALS_SURFACES
            } else {
                MAX_SURFACES
            };
            let by_df = |a: &(u32, &str), b: &(u32, &str)| b.0.cmp(&a.0).then(a.1.cmp(b.1));
            if v.len() > keep {
                v.select_nth_unstable_by(keep - 1, by_df);
                v.truncate(keep);
            }
            v.sort_unstable_by(by_df);
            let mut words = String::with_capacity(v.len() * 7);
            for (i, (_, w)) in v.iter().enumerate() {
                if i > 0 {
                    words.push(' ');
                }
                words.push_str(w);
            }
            (k, words)
        })
        .collect()
}

/// An entry without postings for every pinyin and initials token that has surfaces:
/// a query reads such a token as its surfaces (see [`super::super::query`]).
pub(super) fn phonetic_entries(surfaces: &Surfaces) -> Vec<TokenEntry> {
    let mut keys: Vec<Key> = surfaces.keys().copied().collect();
    keys.par_sort_unstable();
    let mut empty = String::new();
    format::encode_postings(&[], &[], &mut empty);
    keys.into_par_iter()
        .map(|key| TokenEntry {
            key,
            text: key.text(&[]),
            df: 0,
            idf: 0,
            count: 0,
            postings: empty.clone(),
        })
        .collect()
}

/// A token shard; pinyin and initials tokens carry their `surfaces`.
pub(super) fn shard_file(
    i: u32,
    tokens: &mut [&TokenEntry],
    surfaces: &Surfaces,
) -> (String, Vec<u8>) {
    tokens.sort_unstable_by(|a, b| a.text.cmp(&b.text));
    let len: usize = tokens
        .iter()
        .map(|t| t.text.len() + t.postings.len() + 16)
        .sum();
    let mut s = String::with_capacity(len + 32);
    let _ = write!(s, "ShouceSearch._s({i},{{");
    for (n, t) in tokens.iter().enumerate() {
        if n > 0 {
            s.push(',');
        }
        json_string(&t.text, &mut s);
        let _ = write!(s, ":[{},\"{}\"", t.idf, t.postings);
        if t.key.is_phonetic()
            && let Some(words) = surfaces.get(&t.key)
        {
            s.push(',');
            json_string(words, &mut s);
        }
        s.push(']');
    }
    s.push_str("})\n");
    (format::shard_path(i), s.into_bytes())
}

/// The commonest reading of every Chinese character the site's bigrams have, as one
/// string of characters per syllable (in the order of `pinyin::syllables()`). It goes
/// in the manifest, so that a query in the site's own characters needs no readings
/// file before it can add homophones: one round of files less for a typo.
pub(super) fn site_readings<'a>(entries: impl Iterator<Item = &'a TokenEntry>) -> Vec<String> {
    let mut chars = std::collections::BTreeSet::new();
    for e in entries {
        if let Some((a, b)) = e.key.chars() {
            chars.insert(a);
            chars.insert(b);
        }
    }
    let mut by_syllable = vec![String::new(); pinyin::syllables().len()];
    for c in chars {
        if let Some(r) = pinyin::first_reading(c) {
            by_syllable[usize::from(r)].push(c);
        }
    }
    by_syllable
}

/// The commonest reading of every character of the table, for homophones in queries,
/// followed by its simplified form if it is a traditional character (`"評":"ping评"`).
pub(super) fn reading_files() -> &'static [(String, Vec<u8>)] {
    &READINGS
}

/// The same for every site: made once per process.
static READINGS: LazyLock<Vec<(String, Vec<u8>)>> = LazyLock::new(|| {
    let mut shards: Vec<String> = (0..READING_SHARDS)
        .map(|i| format!("ShouceSearch._r({i},{{"))
        .collect();
    let outside = tradition::pairs()
        .iter()
        .map(|p| p.0)
        .filter(|c| !(0x4E00..=0x9FFF).contains(&(*c as u32)));
    let chars = (0x4E00..=0x9FFFu32)
        .filter_map(char::from_u32)
        .chain(outside);
    let mut buf = String::new();
    for c in chars {
        let reading = pinyin::first_reading(c).map_or("", pinyin::syllable);
        let simple = tradition::simplified(c);
        if reading.is_empty() && simple == c {
            continue;
        }
        buf.clear();
        buf.push(c);
        let shard = &mut shards[format::shard_of(&buf, READING_SHARDS) as usize];
        if !shard.ends_with('{') {
            shard.push(',');
        }
        shard.push('"');
        shard.push(c);
        shard.push_str("\":\"");
        shard.push_str(reading);
        if simple != c {
            shard.push(simple);
        }
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
});

/// One document's entry in its document file: `[path,url,title,section,text]`, and
/// when the text has traditional characters, a sixth element: each of them followed
/// by its simplified form (`"評评價价"`), so `search.js` marks them in snippets as
/// the engine does.
pub(super) fn doc_entry(d: &Document<'_>) -> String {
    let mut s = String::with_capacity(doc_entry_capacity(d));
    doc_entry_into(d, &mut s);
    s
}

/// About the bytes of a document's entry (its text is most of them).
pub(super) fn doc_entry_capacity(d: &Document<'_>) -> usize {
    d.body.len().min(MAX_TEXT * 3) + d.path.len() * 2 + d.title.len() + 64
}

/// Appends a document's entry (see [`doc_entry`]) to `s`.
pub(super) fn doc_entry_into(d: &Document<'_>, s: &mut String) {
    s.push('[');
    for part in [d.path, d.url, d.title] {
        json_string(part, s);
        s.push(',');
    }
    let _ = write!(s, "{},", d.section.map_or(-1, |x| x as i64));
    let mut folds = String::new();
    text_json(d.body, s, &mut folds);
    if !folds.is_empty() {
        s.push(',');
        json_string(&folds, s);
    }
    s.push(']');
}

/// A document file: the entries of documents `i·DOC_CHUNK …`, `len` of them, each
/// appended by `entry(k, file)` (the entries are written straight into the file, not
/// made one by one and copied: they are most of the index's bytes).
pub(super) fn doc_file(
    i: u32,
    len: usize,
    capacity: usize,
    entry: impl Fn(usize, &mut String),
) -> (String, Vec<u8>) {
    let mut s = String::with_capacity(capacity + 32);
    let _ = write!(s, "ShouceSearch._d({i},[");
    for k in 0..len {
        if k > 0 {
            s.push(',');
        }
        entry(k, &mut s);
    }
    s.push_str("])\n");
    (format::doc_path(i), s.into_bytes())
}

/// The first [`MAX_TEXT`] characters of a page's text, whitespace runs as one space,
/// as a JSON string (what [`json_string`] writes for that text; a test checks). Runs
/// of ordinary characters are copied whole: this is most of the index's bytes. On the
/// way, each traditional character of that text not yet in `folds` is added to it,
/// followed by its simplified form (one pass over the text for both).
fn text_json(body: &str, out: &mut String, folds: &mut String) {
    out.push('"');
    let mut run = 0; // start of the run of ordinary characters not yet copied
    let mut chars = 0;
    let mut space = false; // a whitespace run was skipped after some text
    let mut any = false;
    for (i, c) in body.char_indices() {
        if chars >= MAX_TEXT {
            out.push_str(&body[run..i]);
            run = body.len();
            break;
        }
        if c.is_whitespace() {
            out.push_str(&body[run..i]);
            run = i + c.len_utf8();
            space = any;
            continue;
        }
        if space {
            out.push(' ');
            chars += 1;
            space = false;
        }
        any = true;
        chars += 1;
        if c >= tradition::FIRST {
            let simple = tradition::simplified(c);
            if simple != c && !folds.contains(c) {
                folds.push(c);
                folds.push(simple);
            }
        }
        if matches!(c, '"' | '\\' | '<' | '\u{2028}' | '\u{2029}') || (c as u32) < 0x20 {
            out.push_str(&body[run..i]);
            run = i + c.len_utf8();
            let mut one = String::new();
            json_string(c.encode_utf8(&mut [0; 4]), &mut one);
            out.push_str(&one[1..one.len() - 1]);
        }
    }
    if run < body.len() {
        out.push_str(&body[run..]);
    }
    out.push('"');
}

pub(super) fn manifest(
    n: u32,
    shards: u32,
    sections: &[SectionEntry],
    vocab: &Vocabulary,
    readings: &[String],
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
         \"sy\":{},\"rd\":{},\"stop\":{},\"keep\":{},\"ask\":{},\"terms\":{},\"syn\":[{}],\"sec\":[{}]}})\n",
        list(&mut pinyin::syllables().iter().copied()),
        list(&mut readings.iter().map(String::as_str)),
        list(&mut std::iter::once(tokenize::STOP_CHARS)),
        list(&mut tokenize::PROTECTED.iter().copied()),
        list(&mut tokenize::QUESTION_WORDS.iter().copied()),
        list(&mut vocab.terms.iter().map(String::as_str)),
        synonyms.join(","),
        sections.join(","),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(body: &str) -> String {
        let mut text = String::new();
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
        let mut out = String::new();
        json_string(&text, &mut out);
        out
    }

    #[test]
    fn a_document_entry_lists_its_traditional_characters_once_each() {
        fn doc(body: &str) -> Document<'_> {
            Document {
                path: "a.md",
                url: "a/",
                title: "評價",
                section: Some(1),
                headings: Vec::new(),
                tags: &[],
                description: "",
                body,
            }
        }
        assert_eq!(
            doc_entry(&doc("評價 評價\n退貨")),
            r#"["a.md","a/","評價",1,"評價 評價 退貨","評评價价貨货"]"#
        );
        assert_eq!(
            doc_entry(&doc("评价")),
            r#"["a.md","a/","評價",1,"评价"]"#,
            "no sixth element without traditional text (the title does not count)"
        );
        let body = format!("{}評", "字".repeat(MAX_TEXT));
        assert!(
            doc_entry(&doc(&body)).ends_with("字\"]"),
            "only the text kept counts"
        );
        // A full build's document file is its entries, as written one by one.
        let docs = [doc("評價"), doc("退款")];
        let (_, bytes) = doc_file(3, 2, 0, |k, s| doc_entry_into(&docs[k], s));
        let entries: Vec<String> = docs.iter().map(doc_entry).collect();
        let expected = format!("ShouceSearch._d(3,[{}])\n", entries.join(","));
        assert_eq!(String::from_utf8(bytes).unwrap(), expected);
    }

    #[test]
    fn text_json_collapses_whitespace_and_escapes_like_json_string() {
        let long = "退款".repeat(MAX_TEXT);
        for body in [
            "",
            "  \n ",
            "  买家\n\n 申请\u{3000}退款 \"原因\" <b>\\ \u{2028}x\u{1}",
            "a  b\tc",
            long.as_str(),
            &format!("{}  尾", "字".repeat(MAX_TEXT - 1)),
        ] {
            let mut fast = String::new();
            text_json(body, &mut fast, &mut String::new());
            assert_eq!(fast, slow(body), "{body:?}");
        }
    }
}
