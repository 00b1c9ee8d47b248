//! Suggestions for a query that finds nothing: the site's words that sound nearly like
//! it or are spelt nearly like it, each with its pinyin. `search.js` has the same
//! steps (`suggest`), and `tests/search_parity.rs` compares them.
//!
//! A query that finds nothing has no token the site has, so a suggestion comes from a
//! changed query, tried in this order, group by group:
//! * a run of Chinese: the commonest readings of its characters, as they are and with
//!   one syllable changed by a fuzzy-pinyin pair (zh/z, ch/c, sh/s, n/l, f/h,
//!   ang/an, eng/en, ing/in: what input methods and southern speakers mix up);
//! * ASCII words (and side-by-side words joined): the word as typed, with two
//!   neighbours swapped, or with one letter dropped; a variant the site has as a word is
//!   suggested as it is (words of at most 8 letters), one that splits into pinyin is
//!   looked up as pinyin.
//!
//! A syllable sequence becomes a suggestion when the site has a word read so: each
//! syllable pair's pinyin token names the site's bigrams read that way (its
//! surfaces), and they are chained on their shared characters (七天, 天无, 无理,
//! 理由 → 七天无理由).

use std::collections::HashMap;

use super::pinyin::{self, Syllable};
use super::query::Plan;
use super::rank::Postings;
use super::tokenize;

/// At most this many suggestions.
pub const MAX_SUGGESTIONS: usize = 5;
/// At most this many changed queries per group.
const MAX_CANDIDATES: usize = 32;
/// Longer ASCII words are tried only as pinyin (the site's own words are short: sku, dsr).
const MAX_WORD_EDIT: usize = 8;
/// Initials (at the start) and finals (at the end) that are often mixed up.
const FUZZY_INITIALS: &[(&str, &str)] = &[
    ("zh", "z"),
    ("ch", "c"),
    ("sh", "s"),
    ("z", "zh"),
    ("c", "ch"),
    ("s", "sh"),
    ("n", "l"),
    ("l", "n"),
    ("f", "h"),
    ("h", "f"),
];
const FUZZY_FINALS: &[(&str, &str)] = &[
    ("ang", "an"),
    ("eng", "en"),
    ("ing", "in"),
    ("an", "ang"),
    ("en", "eng"),
    ("in", "ing"),
];

/// One suggestion: a word of the site and how it reads (empty for ASCII words).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Suggestion {
    pub text: String,
    pub reading: String,
}

/// A changed query worth trying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidate {
    Word(String),
    Syllables(Vec<Syllable>),
}

/// The changed queries to try for `plan`, in order; `reading` is a character's
/// commonest reading (as the engine has it).
pub fn candidates(plan: &Plan, reading: impl Fn(char) -> Option<String>) -> Vec<Candidate> {
    let mut out = Vec::new();
    for group in &plan.groups {
        let mut mine: Vec<Candidate> = Vec::new();
        let chars = group_chars(group);
        let syllables: Option<Vec<Syllable>> = chars
            .iter()
            .map(|c| reading(*c).and_then(|r| pinyin::syllable_id(&r)))
            .collect();
        if let Some(s) = syllables.filter(|s| s.len() >= 2) {
            fuzzy(&s, &mut mine);
        }
        let mut words: Vec<String> = Vec::new();
        if group.typed.len() >= 2 {
            words.push(group.typed.concat());
        }
        words.extend(group.typed.iter().cloned());
        for w in words
            .iter()
            .filter(|w| w.bytes().all(|b| b.is_ascii_lowercase()))
        {
            for edit in edits(w) {
                if edit != *w && (2..=MAX_WORD_EDIT).contains(&edit.len()) {
                    push(&mut mine, Candidate::Word(edit.clone()));
                }
                let split = pinyin::split(&edit).unwrap_or_default();
                if let Some(s) = split.into_iter().find(|s| s.len() >= 2) {
                    push(&mut mine, Candidate::Syllables(s));
                }
            }
        }
        mine.truncate(MAX_CANDIDATES);
        for c in mine {
            push(&mut out, c);
        }
    }
    out
}

/// The characters of a group's run of Chinese (its typed reading's bigram slots).
fn group_chars(group: &super::query::Group) -> Vec<char> {
    let mut chars = Vec::new();
    let pairs = group
        .interps
        .first()
        .into_iter()
        .flat_map(|i| &i.slots)
        .filter_map(|s| s.pair);
    for (a, b) in pairs {
        if chars.is_empty() {
            chars.push(a);
        }
        chars.push(b);
    }
    chars
}

fn push(out: &mut Vec<Candidate>, c: Candidate) {
    if !out.contains(&c) {
        out.push(c);
    }
}

/// The sequence as it is, then with one syllable changed by a fuzzy pair.
fn fuzzy(s: &[Syllable], out: &mut Vec<Candidate>) {
    push(out, Candidate::Syllables(s.to_vec()));
    for i in 0..s.len() {
        let text = pinyin::syllable(s[i]);
        let initials = FUZZY_INITIALS
            .iter()
            .filter_map(|(a, b)| text.strip_prefix(a).map(|rest| format!("{b}{rest}")));
        let finals = FUZZY_FINALS
            .iter()
            .filter_map(|(a, b)| text.strip_suffix(a).map(|rest| format!("{rest}{b}")));
        for changed in initials.chain(finals) {
            if let Some(id) = pinyin::syllable_id(&changed) {
                let mut v = s.to_vec();
                v[i] = id;
                push(out, Candidate::Syllables(v));
            }
        }
    }
}

/// The word, then with two neighbours swapped, then with one letter dropped.
fn edits(w: &str) -> Vec<String> {
    let b = w.as_bytes();
    let mut out = vec![w.to_string()];
    for i in 1..b.len() {
        let mut v = b.to_vec();
        v.swap(i - 1, i);
        out.push(String::from_utf8(v).unwrap_or_default());
    }
    for i in 0..b.len() {
        let mut v = b.to_vec();
        v.remove(i);
        out.push(String::from_utf8(v).unwrap_or_default());
    }
    out
}

fn pair_token(a: Syllable, b: Syllable) -> String {
    tokenize::pinyin_text(pinyin::syllable(a), pinyin::syllable(b))
}

/// Every token the candidates need, in order, without repeats.
pub fn tokens(candidates: &[Candidate]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in candidates {
        let mine = match c {
            Candidate::Word(w) => vec![w.clone()],
            Candidate::Syllables(s) => s.windows(2).map(|p| pair_token(p[0], p[1])).collect(),
        };
        for t in mine {
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

/// The suggestions the looked-up tokens allow, in candidate order.
pub fn suggestions(
    candidates: &[Candidate],
    lookup: &HashMap<String, Postings>,
) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = Vec::new();
    for c in candidates {
        let found = match c {
            Candidate::Word(w) => {
                lookup
                    .get(w)
                    .filter(|p| !p.docs.is_empty())
                    .map(|_| Suggestion {
                        text: w.clone(),
                        reading: String::new(),
                    })
            }
            Candidate::Syllables(s) => chain(s, lookup).map(|text| Suggestion {
                text,
                reading: s.iter().map(|x| pinyin::syllable(*x)).collect(),
            }),
        };
        if let Some(s) = found.filter(|s| !out.iter().any(|o| o.text == s.text)) {
            out.push(s);
            if out.len() == MAX_SUGGESTIONS {
                break;
            }
        }
    }
    out
}

/// A word of the site read as `s`: each pair's first surface that continues the word.
fn chain(s: &[Syllable], lookup: &HashMap<String, Postings>) -> Option<String> {
    let mut word: Vec<char> = Vec::new();
    for p in s.windows(2) {
        let surfaces = &lookup.get(&pair_token(p[0], p[1]))?.surfaces;
        let next = surfaces.iter().find_map(|w| {
            let cs: Vec<char> = w.chars().collect();
            (cs.len() == 2 && word.last().is_none_or(|l| *l == cs[0])).then_some(cs)
        })?;
        if word.is_empty() {
            word.push(next[0]);
        }
        word.push(next[1]);
    }
    Some(word.into_iter().collect())
}

/// What `shouce search` says when nothing matches.
pub fn message(query: &str, suggestions: &[Suggestion]) -> String {
    let mut s = format!("no pages match “{}”", query.trim());
    if !suggestions.is_empty() {
        let list: Vec<String> = suggestions
            .iter()
            .map(|x| {
                if x.reading.is_empty() {
                    x.text.clone()
                } else {
                    format!("{} ({})", x.text, x.reading)
                }
            })
            .collect();
        s.push_str(&format!("; did you mean: {}?", list.join(", ")));
    } else {
        s.push_str("; try fewer or shorter words, or pinyin (tuikuan, tk)");
    }
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Vocabulary;
    use crate::search::query;

    fn reading(c: char) -> Option<String> {
        pinyin::first_reading(c).map(|r| pinyin::syllable(r).to_string())
    }

    fn postings(surfaces: &[&str]) -> Postings {
        Postings {
            idf: 100,
            docs: vec![(0, 30)],
            surfaces: surfaces.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn chinese_runs_try_their_reading_and_fuzzy_changes() {
        let plan = query::plan("只能", &Vocabulary::default());
        let c = candidates(&plan, reading);
        let t = tokens(&c);
        assert_eq!(t[0], "p:zhi neng");
        assert!(t.contains(&"p:zi neng".to_string()) && t.contains(&"p:zhi nen".to_string()));
        let mut lookup = HashMap::new();
        lookup.insert("p:zhi neng".to_string(), postings(&["智能", "只能"]));
        let s = suggestions(&c, &lookup);
        assert_eq!(
            s,
            [Suggestion {
                text: "智能".into(),
                reading: "zhineng".into()
            }]
        );
    }

    #[test]
    fn words_try_dropped_and_swapped_letters_as_words_and_pinyin() {
        let plan = query::plan("tuikaun dsrr", &Vocabulary::default());
        let c = candidates(&plan, reading);
        let mut lookup = HashMap::new();
        lookup.insert("p:tui kuan".to_string(), postings(&["退款"]));
        lookup.insert("dsr".to_string(), postings(&[]));
        let s = suggestions(&c, &lookup);
        let texts: Vec<&str> = s.iter().map(|x| x.text.as_str()).collect();
        assert_eq!(texts, ["退款", "dsr"]);
        assert_eq!(s[0].reading, "tuikuan");
    }

    #[test]
    fn syllables_chain_into_one_word() {
        let s: Vec<Syllable> = ["qi", "tian", "wu"]
            .iter()
            .map(|x| pinyin::syllable_id(x).unwrap())
            .collect();
        let mut lookup = HashMap::new();
        lookup.insert("p:qi tian".to_string(), postings(&["七天"]));
        lookup.insert("p:tian wu".to_string(), postings(&["田五", "天无"]));
        assert_eq!(chain(&s, &lookup).as_deref(), Some("七天无"));
        lookup.remove("p:tian wu");
        assert_eq!(chain(&s, &lookup), None);
        assert!(message("x", &[]).contains("no pages match “x”"));
    }
}
