//! Ranking: the impact of a token on a page (decided when the index is built) and the
//! score of a page for a query (computed by `search.js` and `shouce search` alike, with
//! the same arithmetic in the same order, so both rank identically).
//!
//! **Impact** (1–63, one letter in the postings) layers the fields: a token in the
//! title adds 28, in a heading 14, in a tag 13, in the description 5, and the body adds
//! up to 12 by BM25's saturating term frequency with length normalisation (k1 = 1.2,
//! b = 0.75). Layering instead of BM25F's weighted counts keeps a title, heading or
//! tag match above any amount of body text, which is what a reader looking up a rule
//! expects; the body orders pages within a layer.
//!
//! **Score.** A query is a list of groups (a run of Chinese, a word, a site term…),
//! each with one or more readings of what was meant (the characters as typed, the
//! pinyin, the initials, a synonym), each a list of slots (a bigram, a word), each
//! with alternative tokens (the bigram typed, or any bigram read the same way: a
//! homophone typo). A slot scores the best of its alternatives, `weight × idf ×
//! impact`; a reading scores its slots' sum, scaled to the slot count of the first
//! reading; a group scores its best reading. The page's score is the groups' sum times
//! a coverage factor that favours pages matching every part of the query. Inputs are
//! integers (idf × 100 is stored), so Rust and JavaScript compute identical doubles.
//!
//! Two corrections keep the page the reader meant first:
//! * a reading other than the typed one (a synonym, the pinyin of a word the site
//!   has) counts its tokens at most as rare as the typed reading's rarest token: a
//!   rare synonym (退钱) must not outweigh a title that says 退款;
//! * a page whose title is the query (ignoring case, width, spaces and punctuation)
//!   is **named** for it: its score gains the best score of the query, so it comes
//!   first.

use std::collections::HashMap;

use super::query::{Group, Interp, Plan};

/// A token's presence on a page: the body count (low byte) and one bit per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields(u16);

impl Fields {
    pub const BODY: Fields = Fields(1);
    pub const TITLE: Fields = Fields(1 << 8);
    pub const HEADING: Fields = Fields(1 << 9);
    pub const TAG: Fields = Fields(1 << 10);
    pub const DESCRIPTION: Fields = Fields(1 << 11);

    /// Both occurrences together: fields joined, body counts added (at most 255).
    pub fn join(self, other: Fields) -> Fields {
        let count = ((self.0 & 0xFF) + (other.0 & 0xFF)).min(0xFF);
        Fields((self.0 | other.0) & 0xFF00 | count)
    }

    fn has(self, f: Fields) -> bool {
        self.0 & f.0 != 0
    }
}

const K1: f64 = 1.2;
const B: f64 = 0.75;
const BODY_MAX: f64 = 12.0;

/// The impact (1–63) of a token with these fields on a page of `length` body tokens.
pub fn impact(fields: Fields, length: u32, avg_length: f64) -> u8 {
    let tf = f64::from(fields.0 & 0xFF);
    let body = if tf > 0.0 {
        let norm = K1 * (1.0 - B + B * f64::from(length) / avg_length);
        tf / (tf + norm)
    } else {
        0.0
    };
    let mut v = 1 + (BODY_MAX * body).round() as u32;
    for (f, add) in [
        (Fields::TITLE, 28),
        (Fields::HEADING, 14),
        (Fields::TAG, 13),
        (Fields::DESCRIPTION, 5),
    ] {
        if fields.has(f) {
            v += add;
        }
    }
    v.min(63) as u8
}

/// idf × 100, at least 1 (BM25's idf, which stays positive for common tokens).
pub fn idf(df: u32, n: u32) -> u32 {
    let (df, n) = (f64::from(df), f64::from(n));
    let v = (1.0 + (n - df + 0.5) / (df + 0.5)).ln() * 100.0;
    (v.round() as u32).max(1)
}

/// Weights (percent) of the kinds of alternatives and readings.
pub const EXACT: u32 = 100;
/// A bigram read the same as the one typed (an input-method typo).
pub const HOMOPHONE: u32 = 55;
/// A bigram with its two characters swapped (单客 for 客单).
pub const SWAPPED: u32 = 50;
/// Latin letters read as full pinyin.
pub const PINYIN: u32 = 90;
/// Latin letters read as initials.
pub const INITIALS: u32 = 70;
/// Another member of a synonym group.
pub const SYNONYM: u32 = 90;
/// How much coverage matters: a page matching every group keeps its score, one
/// matching a fraction c of the query keeps (1 + COVERAGE·c²) / (1 + COVERAGE).
const COVERAGE: f64 = 3.0;

/// A token's data: idf × 100 and postings (document, impact).
#[derive(Debug, Clone, Default)]
pub struct Postings {
    pub idf: u32,
    pub docs: Vec<(u32, u32)>,
    /// For pinyin and initials tokens: the CJK bigrams that read so.
    pub surfaces: Vec<String>,
}

/// Scores every page that matches; best first (ties by page number).
pub fn score(plan: &Plan, lookup: &HashMap<String, Postings>) -> Vec<(u32, f64)> {
    let slots: Vec<(usize, usize, usize)> = plan
        .groups
        .iter()
        .enumerate()
        .flat_map(|(g, group)| {
            group
                .interps
                .iter()
                .enumerate()
                .flat_map(move |(i, interp)| (0..interp.slots.len()).map(move |s| (g, i, s)))
        })
        .collect();
    let index: HashMap<(usize, usize, usize), usize> =
        slots.iter().enumerate().map(|(n, k)| (*k, n)).collect();
    let caps: Vec<u32> = plan.groups.iter().map(|g| idf_cap(g, lookup)).collect();
    let mut per_doc: HashMap<u32, Vec<f64>> = HashMap::new();
    for (n, (g, i, s)) in slots.iter().enumerate() {
        for alt in &plan.groups[*g].interps[*i].slots[*s].alts {
            let Some(p) = lookup.get(&alt.token) else {
                continue;
            };
            let idf = if *i > 0 && caps[*g] > 0 {
                p.idf.min(caps[*g])
            } else {
                p.idf
            };
            let base = f64::from(alt.weight) * f64::from(idf);
            for (doc, imp) in &p.docs {
                let v = base * f64::from(*imp);
                let row = per_doc
                    .entry(*doc)
                    .or_insert_with(|| vec![0.0; slots.len()]);
                if v > row[n] {
                    row[n] = v;
                }
            }
        }
    }
    let mut out: Vec<(u32, f64)> = per_doc
        .into_iter()
        .map(|(doc, row)| (doc, doc_score(plan, &index, &row)))
        .filter(|(_, s)| *s > 0.0)
        .collect();
    let named = plan.named.as_ref().and_then(|t| lookup.get(t));
    if let Some(named) = named {
        let top = out.iter().map(|x| x.1).fold(0.0, f64::max);
        for (doc, s) in &mut out {
            if named.docs.binary_search_by_key(doc, |x| x.0).is_ok() {
                *s += top;
            }
        }
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// The highest idf among the tokens of the group's typed reading that the site has
/// (0 when it has none): the other readings count their tokens at most this rare.
fn idf_cap(group: &Group, lookup: &HashMap<String, Postings>) -> u32 {
    group.interps.first().map_or(0, |typed| {
        typed
            .slots
            .iter()
            .flat_map(|s| &s.alts)
            .filter_map(|a| lookup.get(&a.token))
            .map(|p| p.idf)
            .max()
            .unwrap_or(0)
    })
}

fn doc_score(plan: &Plan, index: &HashMap<(usize, usize, usize), usize>, row: &[f64]) -> f64 {
    let mut raw = 0.0;
    let mut covered = 0.0;
    for (g, group) in plan.groups.iter().enumerate() {
        let base_slots = group.interps.first().map_or(1, |i| i.slots.len()) as f64;
        let mut best = 0.0;
        let mut best_cov = 0.0;
        for (i, interp) in group.interps.iter().enumerate() {
            let (sum, matched) = interp_sum(interp, |s| row[index[&(g, i, s)]]);
            let n = interp.slots.len() as f64;
            let v = f64::from(interp.weight) * sum * base_slots / n;
            if v > best {
                best = v;
                best_cov = matched / n;
            }
        }
        raw += best;
        covered += best_cov;
    }
    let c = covered / plan.groups.len() as f64;
    raw * (1.0 + COVERAGE * c * c) / (1.0 + COVERAGE) / 1_000_000.0
}

fn interp_sum(interp: &Interp, value: impl Fn(usize) -> f64) -> (f64, f64) {
    let mut sum = 0.0;
    let mut matched = 0.0;
    for s in 0..interp.slots.len() {
        let v = value(s);
        sum += v;
        if v > 0.0 {
            matched += 1.0;
        }
    }
    (sum, matched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_beats_any_amount_of_body() {
        let title = impact(Fields::TITLE.join(Fields::BODY), 500, 500.0);
        let mut body = Fields::BODY;
        for _ in 0..200 {
            body = body.join(Fields::BODY);
        }
        assert!(impact(body, 500, 500.0) < title);
        assert_eq!(impact(Fields(0xFFFF), 1, 500.0), 63);
        assert!(impact(Fields::BODY, 100, 500.0) > impact(Fields::BODY, 2000, 500.0));
    }

    fn postings(idf: u32, docs: &[(u32, u32)]) -> Postings {
        Postings {
            idf,
            docs: docs.to_vec(),
            surfaces: Vec::new(),
        }
    }

    #[test]
    fn a_rare_synonym_counts_no_rarer_than_the_word_typed() {
        let vocab = crate::search::Vocabulary::new(&[], &[vec!["退款".into(), "退钱".into()]]);
        let plan = crate::search::query::plan("退款", &vocab);
        // Page 0 has 退款 in its title; page 1 says 退钱 once in its body.
        let mut lookup = HashMap::new();
        lookup.insert("退款".to_string(), postings(44, &[(0, 61)]));
        lookup.insert("退钱".to_string(), postings(300, &[(1, 17)]));
        let ranked = score(&plan, &lookup);
        assert_eq!(ranked[0].0, 0, "{ranked:?}");
        assert!(ranked[1].1 < ranked[0].1 / 2.0);
    }

    #[test]
    fn a_page_named_for_the_query_comes_first() {
        let vocab = crate::search::Vocabulary::default();
        let plan = crate::search::query::plan("描述 不符！", &vocab);
        let named = plan.named.clone().unwrap();
        assert_eq!(named, crate::search::tokenize::title_text("描述不符"));
        let mut lookup = HashMap::new();
        lookup.insert("描述".to_string(), postings(80, &[(0, 63), (1, 30)]));
        lookup.insert("不符".to_string(), postings(90, &[(0, 63), (1, 30)]));
        lookup.insert(named.clone(), postings(200, &[(1, 29)]));
        let ranked = score(&plan, &lookup);
        assert_eq!(ranked.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 0]);
        lookup.remove(&named);
        assert_eq!(
            score(&plan, &lookup)[0].0,
            0,
            "without the name, impact decides"
        );
    }

    #[test]
    fn headings_and_tags_outrank_any_body_frequency() {
        let many = (0..255).fold(Fields::BODY, |f, _| f.join(Fields::BODY));
        let body = impact(many, 100, 500.0);
        for field in [Fields::HEADING, Fields::TAG] {
            assert!(impact(field, 2000, 500.0) > body, "{field:?}");
        }
        assert!(
            impact(Fields::TITLE, 2000, 500.0) > impact(Fields::HEADING.join(many), 100, 500.0)
        );
    }

    #[test]
    fn idf_falls_with_document_frequency() {
        assert!(idf(1, 1000) > idf(10, 1000));
        assert!(idf(1000, 1000) >= 1);
    }
}
