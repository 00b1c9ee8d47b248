//! The index files: what they are called, how they are spelled, and reading them back.
//!
//! Every file is a script that hands its data to the runtime, so the browser loads it
//! with a `<script>` tag (which works from `file://`, where `fetch` does not):
//!
//! ```text
//! search/idx/manifest.js   ShouceSearch._m({…})              settings, sections, vocabulary
//! search/idx/s/17.js       ShouceSearch._s(17,{"退款":[idf,"postings"],…})
//! search/idx/r/5.js        ShouceSearch._r(5,{"只":"zhi",…})  readings of characters
//! search/idx/d/42.js       ShouceSearch._d(42,[[path,url,title,section,text],…])  documents 42·dc …
//! ```
//!
//! A token's shard is FNV-1a (32 bit) of its UTF-16 code units modulo the shard count;
//! a character's readings shard the same with the readings shard count.
//!
//! Postings are a string over a 64-letter alphabet: the count, then the document
//! numbers as gaps, each a little-endian base-32 varint (letters 32–63 say "more
//! follows"), then one letter per document for its impact (1–63). Gzip shrinks that to
//! about 1.5 bytes a posting, against ~4 for JSON arrays.

use serde_json::Value;

/// Folder of the index below the site root.
pub const DIR: &str = "search/idx";
pub const ALPHABET: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

pub fn manifest_path() -> String {
    format!("{DIR}/manifest.js")
}
pub fn shard_path(i: u32) -> String {
    format!("{DIR}/s/{i}.js")
}
pub fn readings_path(i: u32) -> String {
    format!("{DIR}/r/{i}.js")
}
pub fn doc_path(i: u32) -> String {
    format!("{DIR}/d/{i}.js")
}

/// FNV-1a over UTF-16 code units (what `search.js` computes with `charCodeAt`).
pub fn hash(token: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for unit in token.encode_utf16() {
        h ^= u32::from(unit);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

pub fn shard_of(token: &str, shards: u32) -> u32 {
    hash(token) % shards
}

/// Encodes postings (documents ascending, impacts 1..=63).
pub fn encode_postings(docs: &[u32], impacts: &[u8], out: &mut String) {
    varint(docs.len() as u32, out);
    let mut last = 0;
    for (i, d) in docs.iter().enumerate() {
        varint(if i == 0 { *d } else { d - last }, out);
        last = *d;
    }
    out.extend(impacts.iter().map(|i| ALPHABET[(*i & 63) as usize] as char));
}

fn varint(mut v: u32, out: &mut String) {
    loop {
        let low = (v & 31) as usize;
        v >>= 5;
        if v == 0 {
            out.push(ALPHABET[low] as char);
            return;
        }
        out.push(ALPHABET[low | 32] as char);
    }
}

fn letter_value(b: u8) -> u32 {
    match b {
        b'0'..=b'9' => u32::from(b - b'0'),
        b'a'..=b'z' => u32::from(b - b'a') + 10,
        b'A'..=b'Z' => u32::from(b - b'A') + 36,
        b'-' => 62,
        _ => 63,
    }
}

/// Decodes postings into (document, impact) pairs, documents ascending.
pub fn decode_postings(s: &str) -> Vec<(u32, u32)> {
    let bytes = s.as_bytes();
    let mut at = 0;
    let mut next = || {
        let mut v = 0u32;
        let mut shift = 0;
        while at < bytes.len() {
            let d = letter_value(bytes[at]);
            at += 1;
            v |= (d & 31) << shift;
            shift += 5;
            if d < 32 {
                break;
            }
        }
        v
    };
    let n = next() as usize;
    let mut docs = Vec::with_capacity(n);
    let mut last = 0;
    for i in 0..n {
        let gap = next();
        last = if i == 0 { gap } else { last + gap };
        docs.push(last);
    }
    let impacts = bytes.get(at..).unwrap_or_default();
    docs.into_iter()
        .zip(impacts.iter().map(|b| letter_value(*b)))
        .collect()
}

/// Appends `s` as a JSON string literal that is also safe inside a script.
pub fn json_string(s: &str, out: &mut String) {
    out.push('"');
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        let escaped = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\u{2028}' => "\\u2028",
            '\u{2029}' => "\\u2029",
            '<' => "\\u003c",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        plain = i + c.len_utf8();
        if escaped.is_empty() {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push_str(escaped);
        }
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

/// Reads the data out of an index script: the JSON after `ShouceSearch._x(` (and a
/// number and comma, for shards and documents), up to the closing `)`.
pub fn parse_script(text: &str) -> Option<Value> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let inner = text.get(open + 1..close)?;
    let data = match inner.find(['{', '[']) {
        Some(i) if inner[..i].trim_end().ends_with(',') => &inner[i..],
        _ => inner,
    };
    serde_json::from_str(data).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_round_trip() {
        let docs = [0, 3, 31, 32, 1000, 70000];
        let impacts = [1, 63, 20, 5, 9, 33];
        let mut s = String::new();
        encode_postings(&docs, &impacts, &mut s);
        assert!(s.bytes().all(|b| ALPHABET.contains(&b)));
        let back = decode_postings(&s);
        assert_eq!(back.iter().map(|p| p.0).collect::<Vec<_>>(), docs);
        assert_eq!(back.iter().map(|p| p.1 as u8).collect::<Vec<_>>(), impacts);
        assert!(decode_postings("0").is_empty());
    }

    #[test]
    fn scripts_parse_back() {
        let mut s = String::from("ShouceSearch._s(3,{\"a\":");
        json_string("x\"<\n\u{2028}", &mut s);
        s.push_str("})\n");
        let v = parse_script(&s).unwrap();
        assert_eq!(v["a"], "x\"<\n\u{2028}");
        assert_eq!(parse_script("ShouceSearch._m({\"n\":1})").unwrap()["n"], 1);
        assert_eq!(hash(""), 0x811c_9dc5);
        assert_eq!(hash("a"), 0xe40c_292c);
    }
}
