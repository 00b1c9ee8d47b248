//! Grading: one pure function from a question, its key and an answer to a [`Grade`].
//!
//! No IO, no clock, no randomness, no panics: a malformed answer (wrong shape, an
//! index out of range, a repeated item) scores 0 with feedback saying so. The browser's
//! practice grader is a port of this file; keep the two in step.

mod text;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use super::model::{Answer, AnswerKey, Body, Question, Rubric, Rule, Scoring};
use text::{NumberProblem, char_count, normalize, parse_number, searchable};

/// The result of grading one answer.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Grade {
    /// `max_points × earned ÷ possible`, computed in that order (so JavaScript, which
    /// also uses doubles, gets the identical number).
    pub points_awarded: f64,
    pub max_points: f64,
    /// Full points.
    pub correct: bool,
    /// What to tell the candidate, in order: chosen options' feedback, what is missing,
    /// what is forbidden, why an answer could not be read.
    pub feedback: Vec<String>,
}

/// A fraction of the question's points, and what to say about it.
struct Outcome {
    earned: u64,
    possible: u64,
    feedback: Vec<String>,
}

impl Outcome {
    fn all_or_nothing(right: bool, feedback: Vec<String>) -> Self {
        Outcome {
            earned: u64::from(right),
            possible: 1,
            feedback,
        }
    }

    fn zero(message: impl Into<String>) -> Self {
        Outcome::all_or_nothing(false, vec![message.into()])
    }
}

const BLANK: &str = "未作答。";
const MALFORMED: &str = "答案格式无效，无法评分。";

/// Grades `answer` to `question` against `key`.
///
/// Rules, per question type (points are the question's `points`):
///
/// * **single** / **scenario** — [`Answer::Choice`]: full points for the correct
///   option, else 0. Feedback: the chosen option's feedback.
/// * **multiple** — [`Answer::Choices`] (order and repeats ignored). `all_or_nothing`:
///   full points for exactly the correct set. `per_option`: (correct options chosen −
///   wrong options chosen) ÷ correct options, floored at 0. Feedback: each chosen
///   option's feedback, then how many correct options were missed.
/// * **true_false** — [`Answer::Bool`]: full or 0; feedback for the value chosen.
/// * **number** — [`Answer::Text`] as typed: full-width digits are folded, thousands
///   commas and `a/b` fractions read, and a trailing unit (with or without a space)
///   must be one of the question's units or absent. Full points when
///   `|answer − value| ≤ tolerance`, else 0. A wrong unit or unreadable text is 0
///   with feedback saying so.
/// * **text** — [`Answer::Text`]: full points if it equals an accepted answer after
///   normalisation (full/half width, case, whitespace, trailing punctuation), else 0.
/// * **ordering** — [`Answer::Order`], a permutation of the displayed items: for n
///   items, each of the n(n−1)/2 pairs in the same relative order as the key earns
///   one share. Not a permutation: malformed, 0.
/// * **matching** — [`Answer::Matches`], one slot per left entry: each correct pair
///   earns one share of n. Unfilled slots earn nothing; a wrong length or an index
///   out of range is malformed, 0.
/// * **script** — [`Answer::Text`] graded by the rubric: each required element found
///   (any of its phrasings, compared width-folded, case- and space-insensitive) earns
///   one share of (number of elements); each distinct forbidden phrase present (after
///   masking allowed phrases such as `第一时间`) and a length outside the limits
///   (characters, whitespace not counted) each take one share away, floored at 0.
///   Feedback names every missing element, forbidden phrase and length problem.
///
/// Any type: [`Answer::Blank`] (or an empty text, list or set of slots) is 0 with
/// "未作答"; an answer of another type's shape, or a key that does not fit the
/// question, is 0 with "答案格式无效".
pub fn grade(question: &Question, key: &AnswerKey, answer: &Answer) -> Grade {
    let outcome = if is_blank(answer) {
        Outcome::zero(BLANK)
    } else {
        outcome(question, key, answer)
    };
    let max_points = f64::from(question.points);
    let points_awarded = if outcome.possible == 0 {
        0.0
    } else {
        max_points * outcome.earned as f64 / outcome.possible as f64
    };
    Grade {
        points_awarded,
        max_points,
        correct: outcome.possible > 0 && outcome.earned == outcome.possible,
        feedback: outcome.feedback,
    }
}

/// Whether a forbidden phrase is one of the Advertising Law's absolute claims (the
/// built-in list), which the feedback names as such; a site's or a question's own
/// phrases (`包您满意`, `开票要加钱`) are reported without that reason.
pub fn is_advertising_law(phrase: &str) -> bool {
    super::model::DEFAULT_FORBIDDEN.contains(&phrase)
}

fn is_blank(answer: &Answer) -> bool {
    match answer {
        Answer::Blank => true,
        Answer::Text(t) => t.trim().is_empty(),
        Answer::Choices(v) | Answer::Order(v) => v.is_empty(),
        Answer::Matches(v) => v.iter().all(Option::is_none),
        Answer::Choice(_) | Answer::Bool(_) => false,
    }
}

fn outcome(question: &Question, key: &AnswerKey, answer: &Answer) -> Outcome {
    match (&question.body, &key.rule, answer) {
        (
            Body::Single { options } | Body::Scenario { options, .. },
            Rule::Choice {
                correct, feedback, ..
            },
            Answer::Choice(i),
        ) if *i < options.len() && correct.len() == options.len() => {
            Outcome::all_or_nothing(correct[*i], said(feedback.get(*i)))
        }
        (
            Body::Multiple { options },
            Rule::Choice {
                correct,
                feedback,
                scoring,
            },
            Answer::Choices(chosen),
        ) if correct.len() == options.len() => choose_many(correct, feedback, *scoring, chosen),
        (
            Body::TrueFalse,
            Rule::TrueFalse {
                answer: right,
                feedback_true,
                feedback_false,
            },
            Answer::Bool(b),
        ) => {
            let chosen = if *b { feedback_true } else { feedback_false };
            Outcome::all_or_nothing(b == right, said(Some(chosen)))
        }
        (
            Body::Number { .. },
            Rule::Number {
                value,
                tolerance,
                units,
            },
            Answer::Text(t),
        ) => number(*value, *tolerance, units, t),
        (Body::Text, Rule::Text { accepted }, Answer::Text(t)) => {
            let given = normalize(t);
            Outcome::all_or_nothing(accepted.iter().any(|a| normalize(a) == given), vec![])
        }
        (Body::Ordering { items }, Rule::Ordering { order }, Answer::Order(given)) => {
            ordering(items.len(), order, given)
        }
        (Body::Matching { left, right }, Rule::Matching { right_of }, Answer::Matches(given)) => {
            matching(left.len(), right.len(), right_of, given)
        }
        (
            Body::Script {
                min_chars,
                max_chars,
            },
            Rule::Script(rubric),
            Answer::Text(t),
        ) => script(rubric, (*min_chars, *max_chars), t),
        _ => Outcome::zero(MALFORMED),
    }
}

fn said(feedback: Option<&String>) -> Vec<String> {
    feedback
        .filter(|f| !f.trim().is_empty())
        .cloned()
        .into_iter()
        .collect()
}

fn choose_many(
    correct: &[bool],
    feedback: &[String],
    scoring: Scoring,
    chosen: &[usize],
) -> Outcome {
    if chosen.iter().any(|&i| i >= correct.len()) {
        return Outcome::zero(MALFORMED);
    }
    let chosen: BTreeSet<usize> = chosen.iter().copied().collect();
    let right = chosen.iter().filter(|&&i| correct[i]).count() as u64;
    let wrong = chosen.len() as u64 - right;
    let total = correct.iter().filter(|&&c| c).count() as u64;
    let mut said_all: Vec<String> = chosen.iter().flat_map(|&i| said(feedback.get(i))).collect();
    if right < total {
        said_all.push(format!("还有 {} 个正确选项没有选。", total - right));
    }
    if wrong > 0 {
        said_all.push(format!("选了 {wrong} 个错误选项。"));
    }
    match scoring {
        Scoring::AllOrNothing => Outcome::all_or_nothing(right == total && wrong == 0, said_all),
        Scoring::PerOption => Outcome {
            earned: right.saturating_sub(wrong),
            possible: total,
            feedback: said_all,
        },
    }
}

fn number(value: f64, tolerance: f64, units: &[String], typed: &str) -> Outcome {
    match parse_number(typed, units) {
        Ok(x) => {
            let slack = 1e-9 * value.abs().max(1.0);
            Outcome::all_or_nothing((x - value).abs() <= tolerance + slack, vec![])
        }
        Err(NumberProblem::Empty) => Outcome::zero(BLANK),
        Err(NumberProblem::NotANumber) => {
            Outcome::zero(format!("“{}”不是一个数字。", typed.trim()))
        }
        Err(NumberProblem::WrongUnit(unit)) => {
            let hint = match units.first() {
                Some(u) => format!("单位“{unit}”不对，应以“{u}”作答。"),
                None => format!("“{}”不是一个数字。", typed.trim()),
            };
            Outcome::zero(hint)
        }
    }
}

fn ordering(n: usize, order: &[usize], given: &[usize]) -> Outcome {
    let distinct: BTreeSet<usize> = given.iter().copied().collect();
    let permutation = given.len() == n && distinct.len() == n && distinct.iter().all(|&i| i < n);
    if !permutation || order.len() != n {
        return Outcome::zero(MALFORMED);
    }
    let mut position = vec![0; n];
    for (pos, &item) in given.iter().enumerate() {
        position[item] = pos;
    }
    let pairs = (n * n.saturating_sub(1) / 2) as u64;
    let mut earned = 0;
    for (k, &a) in order.iter().enumerate() {
        for &b in &order[k + 1..] {
            earned += u64::from(position.get(a) < position.get(b));
        }
    }
    let feedback = if earned < pairs {
        vec![format!("{pairs} 组先后关系中排对了 {earned} 组。")]
    } else {
        vec![]
    };
    Outcome {
        earned,
        possible: pairs,
        feedback,
    }
}

fn matching(n_left: usize, n_right: usize, right_of: &[usize], given: &[Option<usize>]) -> Outcome {
    let in_range = given.iter().flatten().all(|&j| j < n_right);
    if given.len() != n_left || right_of.len() != n_left || !in_range {
        return Outcome::zero(MALFORMED);
    }
    let earned = given
        .iter()
        .zip(right_of)
        .filter(|(g, r)| **g == Some(**r))
        .count() as u64;
    let feedback = if earned < n_left as u64 {
        vec![format!("{n_left} 组中配对正确 {earned} 组。")]
    } else {
        vec![]
    };
    Outcome {
        earned,
        possible: n_left as u64,
        feedback,
    }
}

fn script(rubric: &Rubric, (min, max): (Option<u32>, Option<u32>), reply: &str) -> Outcome {
    let text = searchable(reply);
    let mut feedback = Vec::new();
    let mut found = 0u64;
    for element in &rubric.required {
        if element
            .any_of
            .iter()
            .any(|p| !p.trim().is_empty() && text.contains(&searchable(p)))
        {
            found += 1;
        } else {
            let examples = element.any_of.join(" / ");
            feedback.push(format!("缺少要点：{}（例如：{examples}）。", element.name));
        }
    }
    let mut masked = text.clone();
    for allowed in &rubric.allowed {
        let allowed = searchable(allowed);
        if !allowed.is_empty() {
            masked = masked.replace(&allowed, "\u{FFFC}");
        }
    }
    let mut penalties = 0u64;
    for phrase in &rubric.forbidden {
        let p = searchable(phrase);
        if !p.is_empty() && masked.contains(&p) {
            penalties += 1;
            feedback.push(if is_advertising_law(phrase) {
                format!("使用了禁用词“{phrase}”（《广告法》禁止绝对化用语）。")
            } else {
                format!("使用了禁用词“{phrase}”。")
            });
        }
    }
    let count = char_count(reply) as u64;
    if let Some(min) = min.filter(|&m| count < u64::from(m)) {
        penalties += 1;
        feedback.push(format!("共 {count} 字，少于下限 {min} 字。"));
    }
    if let Some(max) = max.filter(|&m| count > u64::from(m)) {
        penalties += 1;
        feedback.push(format!("共 {count} 字，超过上限 {max} 字。"));
    }
    Outcome {
        earned: found.saturating_sub(penalties),
        possible: rubric.required.len() as u64,
        feedback,
    }
}
