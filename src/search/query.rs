//! A query → a [`Plan`]: groups of slots of alternative tokens (see [`super::rank`]).
//! `search.js` builds the same plan step by step; keep the two in step.
//!
//! 1. Fold the query; find the site's synonyms and terms in it (leftmost, longest).
//!    A synonym becomes one group read as each member of its synonym group; a term
//!    adds its whole-term token.
//! 2. The rest splits into runs of Chinese, ASCII words and separators. Question words
//!    are dropped from the Chinese (如何退款 → 退款), then particles cut it as in pages.
//!    A run of one character is a unigram slot, a longer one a slot per bigram.
//! 3. An ASCII word is read as itself and, if it is pinyin, as pinyin (`tuikuan` →
//!    `p:tui kuan`), or else, if it is 2–6 letters, as initials (`tk` → `i:tk`). Words that
//!    are each pinyin and stand side by side (`tui kuan`) are also read together.
//!    Once the index is loaded, a word that occurs in the site is read only as itself.
//! 4. Each bigram slot later gains its homophones (the pinyin of the bigram), once the
//!    readings of its characters are loaded ([`Plan::add_homophones`]).
//! 5. Every pinyin and initials token then gains the site's bigrams read so, once its
//!    shard is loaded ([`Plan::add_surfaces`]): `tuikuan` finds 退款 in any page text.

use std::collections::HashMap;

use super::index::Vocabulary;
use super::normalize;
use super::pinyin;
use super::rank::{EXACT, HOMOPHONE, INITIALS, PINYIN, Postings, SWAPPED, SYNONYM};
use super::tokenize::{self, Depth, Key, QUESTION_WORDS, WORD_MAX};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub groups: Vec<Group>,
    /// The token of pages named for the query (their title is the query).
    pub named: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub interps: Vec<Interp>,
    /// The ASCII words of the group: when the site has all of them, the other
    /// readings (pinyin, initials) are dropped.
    pub words: Vec<String>,
    /// The same words as typed (not cut to [`WORD_MAX`]), for suggestions.
    pub typed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interp {
    pub weight: u32,
    pub slots: Vec<Slot>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub alts: Vec<Alt>,
    /// The two characters of a bigram slot, whose homophones may be added.
    pub pair: Option<(char, char)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alt {
    pub token: String,
    pub weight: u32,
}

impl Slot {
    fn one(token: String, pair: Option<(char, char)>) -> Slot {
        Slot {
            alts: vec![Alt {
                token,
                weight: EXACT,
            }],
            pair,
        }
    }
}

impl Plan {
    /// Every token the plan looks up, in order, without repeats.
    pub fn tokens(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for alt in self.alts() {
            if !out.contains(&alt.token) {
                out.push(alt.token.clone());
            }
        }
        out.extend(
            self.named
                .iter()
                .filter(|t| !out.contains(t))
                .cloned()
                .collect::<Vec<_>>(),
        );
        out
    }

    fn alts(&self) -> impl Iterator<Item = &Alt> {
        self.groups
            .iter()
            .flat_map(|g| &g.interps)
            .flat_map(|i| &i.slots)
            .flat_map(|s| &s.alts)
    }

    /// The characters whose readings the homophones need, in order, without repeats.
    pub fn chars(&self) -> Vec<char> {
        let mut out = Vec::new();
        let pairs = self
            .groups
            .iter()
            .flat_map(|g| &g.interps)
            .flat_map(|i| &i.slots)
            .filter_map(|s| s.pair);
        for (a, b) in pairs {
            for c in [a, b] {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        out
    }

    fn slots_mut(&mut self) -> impl Iterator<Item = &mut Slot> {
        self.groups
            .iter_mut()
            .flat_map(|g| &mut g.interps)
            .flat_map(|i| &mut i.slots)
    }

    /// Adds to each bigram slot that the site does not have (`present` is false: a
    /// typo, most likely) the pinyin of its two characters (their commonest readings),
    /// which [`Plan::add_surfaces`] reads as the site's bigrams that sound the same,
    /// and the two characters swapped (单客价 for 客单价).
    pub fn add_homophones(
        &mut self,
        reading: impl Fn(char) -> Option<String>,
        present: impl Fn(&str) -> bool,
    ) {
        for slot in self.slots_mut() {
            let Some((a, b)) = slot.pair else { continue };
            if present(&slot.alts[0].token) {
                continue;
            }
            if let (Some(ra), Some(rb)) = (reading(a), reading(b)) {
                slot.alts.push(Alt {
                    token: tokenize::pinyin_text(&ra, &rb),
                    weight: HOMOPHONE,
                });
            }
            if a != b {
                slot.alts.push(Alt {
                    token: format!("{b}{a}"),
                    weight: SWAPPED,
                });
            }
        }
    }

    /// The surfaces of the plan's pinyin and initials tokens that `lookup` has (the
    /// site's bigrams read so), to be looked up before [`Plan::add_surfaces`].
    pub fn surface_tokens(&self, lookup: &HashMap<String, Postings>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for alt in self.alts().filter(|a| is_phonetic(&a.token)) {
            for t in lookup.get(&alt.token).map_or(&[][..], |p| &p.surfaces[..]) {
                if !out.contains(t) {
                    out.push(t.clone());
                }
            }
        }
        out
    }

    /// Adds to each slot, for each of its pinyin and initials tokens, the site's bigrams
    /// read so (its surfaces, commonest first), as pages have them. The commonest is
    /// what an input method offers first and keeps the token's weight; the others get
    /// half of it, and no more weight × idf than the commonest, so a rare homophone
    /// (推款 for tuikuan) does not outrank the word meant (退款).
    pub fn add_surfaces(&mut self, lookup: &HashMap<String, Postings>) {
        for slot in self.slots_mut() {
            let phonetic: Vec<Alt> = slot
                .alts
                .iter()
                .filter(|a| is_phonetic(&a.token))
                .cloned()
                .collect();
            for alt in phonetic {
                let Some(p) = lookup.get(&alt.token) else {
                    continue;
                };
                let idfs: Vec<Option<u32>> = p
                    .surfaces
                    .iter()
                    .map(|t| lookup.get(t).map(|x| x.idf))
                    .collect();
                let first = idfs.first().copied().flatten().unwrap_or(0);
                for (k, (token, idf)) in p.surfaces.iter().zip(idfs).enumerate() {
                    let Some(idf) = idf.filter(|i| *i > 0) else {
                        continue;
                    };
                    let weight = if k == 0 {
                        alt.weight
                    } else {
                        alt.weight * first.min(idf) / (2 * idf)
                    };
                    if weight > 0 && !slot.alts.iter().any(|a| &a.token == token) {
                        slot.alts.push(Alt {
                            token: token.clone(),
                            weight,
                        });
                    }
                }
            }
        }
    }

    /// Drops the pinyin and initials readings of words the site has.
    pub fn prefer_words(&mut self, present: impl Fn(&str) -> bool) {
        for g in &mut self.groups {
            if !g.words.is_empty() && g.words.iter().all(|w| present(w)) {
                g.interps.truncate(1);
            }
        }
    }
}

/// Plans a query. Question words are dropped unless nothing else is left.
pub fn plan(query: &str, vocab: &Vocabulary) -> Plan {
    let mut p = plan_with(query, vocab, true);
    if p.groups.is_empty() {
        p = plan_with(query, vocab, false);
    }
    let name = normalize::name(query);
    if !p.groups.is_empty() && !name.is_empty() {
        p.named = Some(tokenize::title_text(&name));
    }
    p
}

fn plan_with(query: &str, vocab: &Vocabulary, drop_questions: bool) -> Plan {
    let q: Vec<char> = query.chars().map(normalize::fold).collect();
    let phrases = phrases(vocab);
    let mut plan = Plan::default();
    let mut text: Vec<char> = Vec::new();
    let mut i = 0;
    while i < q.len() {
        let mut best: Option<&Phrase> = None;
        for p in &phrases {
            if q[i..].starts_with(&p.chars) && best.is_none_or(|b| p.chars.len() > b.chars.len()) {
                best = Some(p);
            }
        }
        match best {
            Some(p) => {
                segment(&text, drop_questions, &mut plan);
                text.clear();
                plan.groups.push(vocab_group(p, &phrases, vocab));
                i += p.chars.len();
            }
            None => {
                text.push(q[i]);
                i += 1;
            }
        }
    }
    segment(&text, drop_questions, &mut plan);
    plan.groups
        .retain(|g| g.interps.iter().any(|i| !i.slots.is_empty()));
    plan
}

struct Phrase {
    chars: Vec<char>,
    text: String,
    synonyms: Option<usize>,
}

/// Synonym members (group by group), then terms that are not members.
fn phrases(vocab: &Vocabulary) -> Vec<Phrase> {
    let mut out: Vec<Phrase> = Vec::new();
    for (g, group) in vocab.synonyms.iter().enumerate() {
        for m in group {
            out.push(Phrase {
                chars: m.chars().collect(),
                text: m.clone(),
                synonyms: Some(g),
            });
        }
    }
    for t in &vocab.terms {
        if !out.iter().any(|p| &p.text == t) {
            out.push(Phrase {
                chars: t.chars().collect(),
                text: t.clone(),
                synonyms: None,
            });
        }
    }
    out.retain(|p| !p.chars.is_empty());
    out
}

fn vocab_group(p: &Phrase, phrases: &[Phrase], vocab: &Vocabulary) -> Group {
    let mut members = vec![p.text.as_str()];
    if let Some(g) = p.synonyms {
        members.extend(
            phrases
                .iter()
                .filter(|o| o.synonyms == Some(g) && o.text != p.text)
                .map(|o| o.text.as_str()),
        );
    }
    let interps = members
        .iter()
        .enumerate()
        .map(|(n, m)| Interp {
            weight: if n == 0 { EXACT } else { SYNONYM },
            slots: literal_slots(m, n == 0, vocab),
        })
        .collect();
    Group {
        interps,
        words: Vec::new(),
        typed: Vec::new(),
    }
}

/// The tokens of a phrase as pages have them, one slot each, and its term token.
fn literal_slots(text: &str, typed: bool, vocab: &Vocabulary) -> Vec<Slot> {
    let mut keys = Vec::new();
    let mut run = Vec::new();
    tokenize::tokens(text, Depth::Body, &mut run, &mut |k| keys.push(k));
    let mut slots: Vec<Slot> = keys
        .into_iter()
        .map(|k: Key| Slot::one(k.text(&[]), k.chars().filter(|_| typed)))
        .collect();
    if vocab.terms.iter().any(|t| t == text) {
        slots.push(Slot::one(format!("={text}"), None));
    }
    slots
}

enum Piece {
    Cjk(Vec<char>),
    Word(String),
    Space,
    Other,
}

fn pieces(text: &[char]) -> Vec<Piece> {
    let mut out = Vec::new();
    for &c in text {
        let piece = if tokenize::is_cjk(c) {
            Piece::Cjk(vec![c])
        } else if tokenize::is_word(c) {
            Piece::Word(c.to_string())
        } else if c.is_whitespace() {
            Piece::Space
        } else {
            Piece::Other
        };
        match (out.last_mut(), piece) {
            (Some(Piece::Cjk(run)), Piece::Cjk(c)) => run.extend(c),
            (Some(Piece::Word(w)), Piece::Word(c)) => w.push_str(&c),
            (Some(Piece::Space), Piece::Space) => {}
            (_, p) => out.push(p),
        }
    }
    out
}

/// Turns free text (no synonyms or terms in it) into groups.
fn segment(text: &[char], drop_questions: bool, plan: &mut Plan) {
    let mut words: Vec<String> = Vec::new();
    for piece in pieces(text) {
        match piece {
            Piece::Word(w) => {
                words.push(w);
                continue;
            }
            Piece::Space => continue,
            Piece::Cjk(run) => {
                word_groups(&words, plan);
                words.clear();
                cjk_groups(&run, drop_questions, plan);
            }
            Piece::Other => {
                word_groups(&words, plan);
                words.clear();
            }
        }
    }
    word_groups(&words, plan);
}

fn cjk_groups(run: &[char], drop_questions: bool, plan: &mut Plan) {
    let mut keep = vec![true; run.len()];
    if drop_questions {
        let mut i = 0;
        while i < run.len() {
            let hit = QUESTION_WORDS.iter().find(|w| {
                let w: Vec<char> = w.chars().collect();
                run[i..].starts_with(&w)
            });
            match hit {
                Some(w) => {
                    let n = w.chars().count();
                    keep[i..i + n].fill(false);
                    i += n;
                }
                None => i += 1,
            }
        }
    }
    let mut start = 0;
    for i in 0..=run.len() {
        if i == run.len() || !keep[i] {
            if i > start {
                tokenize::cut(&run[start..i], |part| plan.groups.push(cjk_group(part)));
            }
            start = i + 1;
        }
    }
}

fn cjk_group(part: &[char]) -> Group {
    let slots = if part.len() == 1 {
        vec![Slot::one(part[0].to_string(), None)]
    } else {
        part.windows(2)
            .map(|p| Slot::one(format!("{}{}", p[0], p[1]), Some((p[0], p[1]))))
            .collect()
    };
    Group {
        interps: vec![Interp {
            weight: EXACT,
            slots,
        }],
        words: Vec::new(),
        typed: Vec::new(),
    }
}

fn word_token(w: &str) -> String {
    w.chars().take(WORD_MAX).collect()
}

fn is_letters(w: &str) -> bool {
    w.bytes().all(|b| b.is_ascii_lowercase())
}

fn word_groups(words: &[String], plan: &mut Plan) {
    if words.is_empty() {
        return;
    }
    let splits: Vec<Option<Vec<Vec<u16>>>> = words
        .iter()
        .map(|w| {
            if is_letters(w) {
                pinyin::split(w)
            } else {
                None
            }
        })
        .collect();
    if words.len() >= 2 && splits.iter().all(Option::is_some) {
        let syllables: Vec<u16> = splits
            .iter()
            .flatten()
            .flat_map(|s| s[0].iter().copied())
            .collect();
        plan.groups.push(Group {
            interps: vec![
                Interp {
                    weight: EXACT,
                    slots: words
                        .iter()
                        .map(|w| Slot::one(word_token(w), None))
                        .collect(),
                },
                pinyin_interp(&syllables),
            ],
            words: words.iter().map(|w| word_token(w)).collect(),
            typed: words.to_vec(),
        });
        return;
    }
    for (w, split) in words.iter().zip(splits) {
        let mut interps = vec![Interp {
            weight: EXACT,
            slots: vec![Slot::one(word_token(w), None)],
        }];
        if let Some(split) = &split {
            for s in split.iter().filter(|s| s.len() >= 2) {
                interps.push(pinyin_interp(s));
            }
        } else if is_letters(w) && (2..=6).contains(&w.len()) {
            let b = w.as_bytes();
            interps.push(Interp {
                weight: INITIALS,
                slots: b
                    .windows(2)
                    .map(|p| Slot::one(tokenize::initials_text(p[0] - b'a', p[1] - b'a'), None))
                    .collect(),
            });
        }
        plan.groups.push(Group {
            interps,
            words: vec![word_token(w)],
            typed: vec![w.clone()],
        });
    }
}

fn is_phonetic(token: &str) -> bool {
    token.starts_with("p:") || token.starts_with("i:")
}

fn pinyin_interp(syllables: &[u16]) -> Interp {
    Interp {
        weight: PINYIN,
        slots: syllables
            .windows(2)
            .map(|p| {
                Slot::one(
                    tokenize::pinyin_text(pinyin::syllable(p[0]), pinyin::syllable(p[1])),
                    None,
                )
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(q: &str, vocab: &Vocabulary) -> Vec<Vec<Vec<String>>> {
        plan(q, vocab)
            .groups
            .iter()
            .map(|g| {
                g.interps
                    .iter()
                    .map(|i| i.slots.iter().map(|s| s.alts[0].token.clone()).collect())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn question_words_and_particles_drop_out() {
        let v = Vocabulary::default();
        assert_eq!(shape("如何退款", &v), [[["退款"]]]);
        assert_eq!(
            shape("退款的原因是什么", &v),
            [vec![vec!["退款"]], vec![vec!["原因", "因是"]]]
        );
        assert_eq!(shape("如何", &v), [[["如何"]]]);
        assert_eq!(shape("税", &v), [[["税"]]]);
    }

    #[test]
    fn words_read_as_pinyin_and_initials() {
        let v = Vocabulary::default();
        assert_eq!(
            shape("tuikuan", &v),
            [vec![vec!["tuikuan"], vec!["p:tui kuan"]]]
        );
        assert_eq!(shape("tk", &v), [vec![vec!["tk"], vec!["i:tk"]]]);
        assert_eq!(
            shape("tui kuan", &v),
            [vec![vec!["tui", "kuan"], vec!["p:tui kuan"]]]
        );
        assert_eq!(shape("DSR 评分", &v)[1], [["评分"]]);
    }

    #[test]
    fn terms_and_synonyms_are_groups() {
        let v = Vocabulary::new(
            &["七天无理由".into()],
            &[vec!["退款".into(), "退钱".into()]],
        );
        let s = shape("退钱七天无理由", &v);
        assert_eq!(s[0], [["退钱"], ["退款"]]);
        assert_eq!(s[1], [["七天", "天无", "无理", "理由", "=七天无理由"]]);
    }

    #[test]
    fn homophones_join_bigram_slots() {
        let mut p = plan("只能", &Vocabulary::default());
        let reading = |c| pinyin::first_reading(c).map(|r| pinyin::syllable(r).to_string());
        p.add_homophones(reading, |_| true);
        assert_eq!(
            p.groups[0].interps[0].slots[0].alts.len(),
            1,
            "the site has 只能"
        );
        p.add_homophones(reading, |_| false);
        let alts: Vec<&str> = p.groups[0].interps[0].slots[0]
            .alts
            .iter()
            .map(|a| a.token.as_str())
            .collect();
        assert_eq!(alts, ["只能", "p:zhi neng", "能只"]);
        assert_eq!(p.chars(), ['只', '能']);
    }
}
