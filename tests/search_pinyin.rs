//! Issue 15: a pinyin query finds what its characters find. Over the handbook's own
//! vocabulary — every CJK bigram and every site term that occurs in at least two pages
//! (the index has no dictionary; its words are its bigrams and terms) — the pinyin of
//! each word (commonest readings, as an input method spells them) is searched run
//! together, spaced, and as initials (words of two characters), and compared with the
//! characters' own results: the share of the characters' pages it finds (all of them,
//! and of the first ten), and whether the first page is the same. Prints the figures;
//! fails when any kind finds less than 0.90 of the pages, or full pinyin puts the same
//! page first for less than 0.85 of the words (initials are too ambiguous to order
//! alike: tk is 退款 and a dozen other words).

#[path = "search/queries.rs"]
mod queries;

use std::collections::{BTreeSet, HashSet};

use shouce::search::{DirSource, Searcher, format, pinyin, tokenize};

const TARGET: f64 = 0.90;

/// The words of the handbook found in at least two pages (bigrams and terms).
fn vocabulary(out: &std::path::Path) -> Vec<String> {
    let mut words = BTreeSet::new();
    for entry in std::fs::read_dir(out.join("search/idx/s")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let shard = format::parse_script(&text).unwrap();
        for (token, e) in shard.as_object().unwrap() {
            let word = token.strip_prefix('=').unwrap_or(token);
            let cjk = word.chars().count() >= 2 && word.chars().all(tokenize::is_cjk);
            let df = format::decode_postings(e[1].as_str().unwrap()).len();
            if cjk && df >= 2 && (token.starts_with('=') || word.chars().count() == 2) {
                words.insert(word.to_string());
            }
        }
    }
    words.into_iter().collect()
}

fn syllables(word: &str) -> Option<Vec<&'static str>> {
    word.chars()
        .map(|c| pinyin::first_reading(c).map(pinyin::syllable))
        .collect()
}

#[derive(Default)]
struct Tally {
    words: usize,
    found: f64,
    found_top10: f64,
    same_first: usize,
}

impl Tally {
    fn add(&mut self, chars: &[u32], pinyin: &[u32]) {
        let p: HashSet<u32> = pinyin.iter().copied().collect();
        let share = |c: &[u32]| c.iter().filter(|d| p.contains(d)).count() as f64 / c.len() as f64;
        let p10: HashSet<u32> = pinyin.iter().take(10).copied().collect();
        let top: Vec<u32> = chars.iter().take(10).copied().collect();
        self.words += 1;
        self.found += share(chars);
        self.found_top10 +=
            top.iter().filter(|d| p10.contains(d)).count() as f64 / top.len() as f64;
        self.same_first += usize::from(chars.first() == pinyin.first());
    }

    fn line(&self, name: &str) -> String {
        let n = self.words.max(1) as f64;
        format!(
            "{name:<16} {:>6}  {:>8.3}  {:>12.3}  {:>10.3}",
            self.words,
            self.found / n,
            self.found_top10 / n,
            self.same_first as f64 / n
        )
    }
}

#[test]
fn pinyin_finds_what_the_characters_find() {
    let (_dir, out) = queries::build_handbook();
    let mut searcher = Searcher::open(DirSource(out.clone()), &out).unwrap();
    let words = vocabulary(&out);
    assert!(words.len() > 500, "only {} words", words.len());
    let (mut joined, mut spaced, mut initials) =
        (Tally::default(), Tally::default(), Tally::default());
    let docs = |r: Vec<(u32, f64)>| -> Vec<u32> { r.into_iter().map(|x| x.0).collect() };
    for w in &words {
        let Some(s) = syllables(w) else { continue };
        let chars = docs(searcher.ranked(w).unwrap());
        if chars.is_empty() {
            continue;
        }
        joined.add(&chars, &docs(searcher.ranked(&s.concat()).unwrap()));
        spaced.add(&chars, &docs(searcher.ranked(&s.join(" ")).unwrap()));
        if s.len() == 2 {
            let i: String = s.iter().map(|x| &x[..1]).collect();
            initials.add(&chars, &docs(searcher.ranked(&i).unwrap()));
        }
    }
    println!("pinyin query      words  found  found(top 10)  same first");
    for (name, t) in [
        ("full, run on", &joined),
        ("full, spaced", &spaced),
        ("initials (2)", &initials),
    ] {
        println!("{}", t.line(name));
    }
    for (name, t) in [
        ("run on", &joined),
        ("spaced", &spaced),
        ("initials", &initials),
    ] {
        let found = t.found / t.words as f64;
        assert!(
            found >= TARGET,
            "{name}: pinyin finds {found:.3} of the pages"
        );
    }
    let first = joined.same_first as f64 / joined.words as f64;
    assert!(
        first >= 0.85,
        "full pinyin puts the same page first for only {first:.3}"
    );
}
