//! Item analysis: how well each exam question and each exam measure what they should.
//!
//! Pure statistics over graded attempts, for the trainers' and supervisors' views: the
//! caller (the results server) reads attempts from the store and hands them in; nothing
//! here knows about HTTP, SQL or the clock.
//!
//! Every attempt is scored **on the paper actually drawn**: exams draw a paper per
//! attempt from a larger bank, so a question is analysed only over the attempts whose
//! paper contained it, and ranked against them by the attempt's score in percent.
//!
//! * **Facility index** `p`: the mean share of the question's marks earned (partial
//!   credit counts as its fraction), over the attempts that drew it.
//! * **Discrimination index** `D = p(upper) − p(lower)`, where the upper and lower
//!   groups are the top and bottom 27 % (Kelley's) of those attempts by their score
//!   (rounded to a whole number of attempts, at least one; ties are broken by the
//!   order attempts are given in, so the result is deterministic). Undefined with
//!   fewer than two attempts.
//! * **Distractor analysis**: for choice questions, the share of attempts choosing each
//!   option (and leaving it unanswered), overall and in the upper and lower groups: a
//!   wrong option the strong candidates choose points at a flawed key or an ambiguous
//!   prompt; one nobody chooses does no work.
//! * **Flags**: too easy (`p > 0.95`), too hard (`p < 0.30`), does not discriminate
//!   (`D < 0.20`), and discriminates the wrong way (`D < 0`: strong candidates get it
//!   wrong more often than weak ones).
//! * **Internal consistency** of the exam: Cronbach's alpha over the paper's *slots*
//!   (the first question drawn, the second, …), as Moodle does for random questions,
//!   since different attempts answer different questions. When every mark is 0 or 1
//!   this is exactly KR-20, and is reported as such. Population variances throughout;
//!   undefined with fewer than two attempts, fewer than two slots, or no variance in
//!   the totals. Only attempts with the most common paper length take part.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU64;

/// Kelley's share of attempts in each of the upper and lower groups.
pub const GROUP_SHARE: f64 = 0.27;
/// Above this facility a question is flagged as too easy.
pub const TOO_EASY: f64 = 0.95;
/// Below this facility a question is flagged as too hard.
pub const TOO_HARD: f64 = 0.30;
/// Below this discrimination a question is flagged as not discriminating.
pub const LOW_DISCRIMINATION: f64 = 0.20;
/// Options a choice question may have for its distractors to be told apart.
pub const MAX_OPTIONS: usize = 64;

/// One question of one attempt, as graded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Response {
    /// The question's key (see [`Question::key`]).
    pub question: u32,
    /// The share of the question's marks earned, `0.0..=1.0`.
    pub score: f32,
    /// The options chosen (choice questions), bit `i` for option `i`; `None` when the
    /// question was left unanswered or is not a choice question.
    pub chosen: Option<NonZeroU64>,
}

/// A question of the exam's bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    /// The number responses name it by.
    pub key: u32,
    /// How many options it has (0 for questions that are not choice questions).
    pub options: usize,
}

/// The options `indices` as [`Response::chosen`] has them (`None` for no option;
/// indices from [`MAX_OPTIONS`] on are dropped).
pub fn choices(indices: impl IntoIterator<Item = usize>) -> Option<NonZeroU64> {
    let bits = indices
        .into_iter()
        .filter(|&i| i < MAX_OPTIONS)
        .fold(0u64, |bits, i| bits | (1 << i));
    NonZeroU64::new(bits)
}

/// An attempt's score as a share of its paper's marks.
pub fn score(responses: &[Response]) -> f64 {
    if responses.is_empty() {
        return 0.0;
    }
    responses.iter().map(|r| f64::from(r.score)).sum::<f64>() / responses.len() as f64
}

/// What is flagged about a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Flag {
    TooEasy,
    TooHard,
    LowDiscrimination,
    NegativeDiscrimination,
}

/// How often one option was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionShare {
    /// The option's index, or `None` for "left unanswered".
    pub option: Option<usize>,
    pub share: f64,
    pub upper: f64,
    pub lower: f64,
}

/// The statistics of one question.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemStats {
    /// The question's position in the bank given to [`analyse`].
    pub question: usize,
    /// How many attempts drew it.
    pub attempts: usize,
    pub facility: f64,
    pub discrimination: Option<f64>,
    /// For choice questions: every option in order, then "unanswered".
    pub options: Vec<OptionShare>,
    pub flags: Vec<Flag>,
}

/// Which coefficient [`ExamStats::consistency`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coefficient {
    /// Every mark was 0 or 1.
    Kr20,
    CronbachAlpha,
}

/// The statistics of one exam.
#[derive(Debug, Clone, PartialEq)]
pub struct ExamStats {
    pub attempts: usize,
    /// Questions in the order of the bank given to [`analyse`].
    pub items: Vec<ItemStats>,
    pub consistency: Option<(Coefficient, f64)>,
}

/// One drawn question of one attempt, dealt to its question in rank order.
#[derive(Clone, Copy)]
struct Dealt {
    score: f32,
    chosen: Option<NonZeroU64>,
}

/// Analyses `attempts` (each its paper's responses, in the order the paper showed
/// them) of an exam whose bank is `bank`. Questions no attempt drew are left out;
/// responses to questions outside the bank are ignored, and so is a question's second
/// response in one attempt.
pub fn analyse(bank: &[Question], attempts: &[&[Response]]) -> ExamStats {
    let position = Positions::of(bank);
    // Strongest first; stable, so equal scores keep the order given.
    let scores: Vec<f64> = attempts.iter().map(|a| score(a)).collect();
    let mut ranked: Vec<usize> = (0..attempts.len()).collect();
    ranked.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut dealt: Vec<Vec<Dealt>> = vec![Vec::new(); bank.len()];
    let mut seen: Vec<usize> = vec![usize::MAX; bank.len()];
    for &a in &ranked {
        for r in attempts[a] {
            let Some(q) = position.get(r.question) else {
                continue;
            };
            if seen[q] == a {
                continue;
            }
            seen[q] = a;
            dealt[q].push(Dealt {
                score: r.score,
                chosen: r.chosen,
            });
        }
    }
    let items = bank
        .iter()
        .zip(&dealt)
        .enumerate()
        .filter_map(|(i, (question, drawn))| item_stats(i, question.options, drawn))
        .collect();
    ExamStats {
        attempts: attempts.len(),
        items,
        consistency: consistency(attempts),
    }
}

/// Where each key is in the bank: a table indexed by key when keys are small (they
/// are numbers handed out in order), a map otherwise.
enum Positions {
    Table(Vec<Option<usize>>),
    Map(HashMap<u32, usize>),
}

impl Positions {
    /// Keys up to this make a table.
    const TABLE_UP_TO: u32 = 1 << 16;

    fn of(bank: &[Question]) -> Positions {
        let small = bank
            .iter()
            .all(|q| q.key < Self::TABLE_UP_TO || q.key == u32::MAX);
        if small {
            let len = bank
                .iter()
                .filter(|q| q.key != u32::MAX)
                .map(|q| q.key as usize + 1)
                .max()
                .unwrap_or(0);
            let mut table = vec![None; len];
            for (i, q) in bank.iter().enumerate().rev() {
                if let Some(slot) = table.get_mut(q.key as usize) {
                    *slot = Some(i);
                }
            }
            Positions::Table(table)
        } else {
            let mut map = HashMap::new();
            for (i, q) in bank.iter().enumerate() {
                map.entry(q.key).or_insert(i);
            }
            Positions::Map(map)
        }
    }

    fn get(&self, key: u32) -> Option<usize> {
        match self {
            Positions::Table(table) => table.get(key as usize).copied().flatten(),
            Positions::Map(map) => map.get(&key).copied(),
        }
    }
}

/// One question's statistics from its responses, strongest attempt first.
fn item_stats(question: usize, options: usize, drawn: &[Dealt]) -> Option<ItemStats> {
    if drawn.is_empty() {
        return None;
    }
    let facility = mean(drawn.iter().map(|d| f64::from(d.score)));
    // Fewer than two attempts make no groups.
    let size = ((drawn.len() as f64 * GROUP_SHARE).round() as usize).max(1);
    let (upper, lower): (&[Dealt], &[Dealt]) = if drawn.len() < 2 {
        (&[], &[])
    } else {
        (&drawn[..size], &drawn[drawn.len() - size..])
    };
    let discrimination = (drawn.len() >= 2).then(|| {
        mean(upper.iter().map(|d| f64::from(d.score)))
            - mean(lower.iter().map(|d| f64::from(d.score)))
    });
    let options = if options == 0 {
        Vec::new()
    } else {
        let choices = (0..options.min(MAX_OPTIONS)).map(Some).chain([None]);
        choices
            .map(|option| OptionShare {
                option,
                share: share_choosing(drawn, option),
                upper: share_choosing(upper, option),
                lower: share_choosing(lower, option),
            })
            .collect()
    };
    Some(ItemStats {
        question,
        attempts: drawn.len(),
        facility,
        discrimination,
        options,
        flags: flags(facility, discrimination),
    })
}

/// The share of `responses` that chose `option` (`None`: left unanswered).
fn share_choosing(responses: &[Dealt], option: Option<usize>) -> f64 {
    if responses.is_empty() {
        return 0.0;
    }
    let count = responses
        .iter()
        .filter(|r| match (r.chosen, option) {
            (Some(chosen), Some(option)) => chosen.get() & (1 << option) != 0,
            (None, None) => true,
            _ => false,
        })
        .count();
    count as f64 / responses.len() as f64
}

fn flags(facility: f64, discrimination: Option<f64>) -> Vec<Flag> {
    let mut flags = Vec::new();
    if facility > TOO_EASY {
        flags.push(Flag::TooEasy);
    }
    if facility < TOO_HARD {
        flags.push(Flag::TooHard);
    }
    match discrimination {
        Some(d) if d < 0.0 => flags.push(Flag::NegativeDiscrimination),
        Some(d) if d < LOW_DISCRIMINATION => flags.push(Flag::LowDiscrimination),
        _ => {}
    }
    flags
}

/// Cronbach's alpha over slots (KR-20 when every mark is 0 or 1).
fn consistency(attempts: &[&[Response]]) -> Option<(Coefficient, f64)> {
    let mut lengths: BTreeMap<usize, usize> = BTreeMap::new();
    for attempt in attempts {
        *lengths.entry(attempt.len()).or_default() += 1;
    }
    // The most common length; the longer one on a tie.
    let (&k, _) = lengths.iter().max_by_key(|&(len, count)| (*count, *len))?;
    let scored: Vec<&[Response]> = attempts.iter().copied().filter(|a| a.len() == k).collect();
    if scored.len() < 2 || k < 2 {
        return None;
    }
    let slot_variances: f64 = (0..k)
        .map(|slot| variance(scored.iter().map(|a| f64::from(a[slot].score))))
        .sum();
    let totals = variance(
        scored
            .iter()
            .map(|a| a.iter().map(|r| f64::from(r.score)).sum()),
    );
    if totals <= f64::EPSILON {
        return None;
    }
    let k = k as f64;
    let value = k / (k - 1.0) * (1.0 - slot_variances / totals);
    let dichotomous = scored
        .iter()
        .flat_map(|a| a.iter())
        .all(|r| r.score == 0.0 || r.score == 1.0);
    let coefficient = if dichotomous {
        Coefficient::Kr20
    } else {
        Coefficient::CronbachAlpha
    };
    Some((coefficient, value))
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// Population variance.
fn variance(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = mean(values.clone());
    mean(values.map(|v| (v - m) * (v - m)))
}

/// Miss rates by a grouping of questions (the lesson paragraph a question cites, a
/// topic): for each group, how many responses fell in it and the share of marks they
/// missed, highest miss rate first (ties by group, for a stable order). `group_of`
/// returns `None` for questions outside every group.
pub fn miss_rates<G: Ord + Copy>(
    attempts: &[&[Response]],
    group_of: impl Fn(u32) -> Option<G>,
) -> Vec<(G, usize, f64)> {
    // Per question first (a cheap lookup per response), then per group.
    let mut small: Vec<(usize, f64)> = Vec::new();
    let mut large: HashMap<u32, (usize, f64)> = HashMap::new();
    for response in attempts.iter().flat_map(|a| a.iter()) {
        let entry = if response.question < Positions::TABLE_UP_TO {
            let k = response.question as usize;
            if small.len() <= k {
                small.resize(k + 1, (0, 0.0));
            }
            &mut small[k]
        } else {
            large.entry(response.question).or_default()
        };
        entry.0 += 1;
        entry.1 += 1.0 - f64::from(response.score);
    }
    let by_question = small
        .into_iter()
        .enumerate()
        .filter(|(_, (n, _))| *n > 0)
        .map(|(k, sums)| (k as u32, sums))
        .chain(large);
    let mut sums: BTreeMap<G, (usize, f64)> = BTreeMap::new();
    for (question, (n, missed)) in by_question {
        if let Some(group) = group_of(question) {
            let entry = sums.entry(group).or_default();
            entry.0 += n;
            entry.1 += missed;
        }
    }
    let mut rates: Vec<(G, usize, f64)> = sums
        .into_iter()
        .map(|(group, (n, missed))| (group, n, missed / n as f64))
        .collect();
    rates.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    rates
}

#[cfg(test)]
mod tests;
