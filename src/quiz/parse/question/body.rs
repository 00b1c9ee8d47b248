//! The type-specific part of a question: `options`, `answer`, `items`, `pairs`,
//! `rubric` … → the candidate-facing [`Body`] and the key's [`Rule`].

use std::collections::HashSet;

use toml::Spanned;

use super::{RawPair, RawQuestion, missing};
use crate::quiz::model::{
    Body, DEFAULT_ALLOWED, DEFAULT_FORBIDDEN, Element, QuestionType, Rubric, Rule, Scoring,
};
use crate::quiz::parse::Report;

pub(super) fn body_and_rule(report: &mut Report, raw: &RawQuestion) -> Option<(Body, Rule)> {
    let kind = *raw.kind.get_ref();
    match kind {
        QuestionType::Single | QuestionType::Multiple | QuestionType::Scenario => {
            choice(report, raw, kind)
        }
        QuestionType::TrueFalse => {
            let Some(answer) = &raw.answer else {
                missing(report, raw, "answer");
                return None;
            };
            let Some(value) = answer.get_ref().as_bool() else {
                report.error(
                    answer.span(),
                    "the answer of a `true_false` question must be true or false",
                    "write answer = true or answer = false, without quotes",
                );
                return None;
            };
            let text = |f: &Option<Spanned<String>>| {
                f.as_ref().map(|s| s.get_ref().clone()).unwrap_or_default()
            };
            Some((
                Body::TrueFalse,
                Rule::TrueFalse {
                    answer: value,
                    feedback_true: text(&raw.feedback_true),
                    feedback_false: text(&raw.feedback_false),
                },
            ))
        }
        QuestionType::Number => number(report, raw),
        QuestionType::Text => {
            let Some(accepted) = &raw.accepted else {
                missing(report, raw, "accepted");
                return None;
            };
            let texts = non_empty_texts(report, accepted, "accepted answers", 1)?;
            Some((Body::Text, Rule::Text { accepted: texts }))
        }
        QuestionType::Ordering => {
            let Some(items) = &raw.items else {
                missing(report, raw, "items");
                return None;
            };
            let texts = non_empty_texts(report, items, "items", 2)?;
            let shown = display_order(raw.id.get_ref(), &texts);
            let items = shown.iter().map(|&i| texts[i].clone()).collect();
            let order = (0..texts.len()).map(|i| position(&shown, i)).collect();
            Some((Body::Ordering { items }, Rule::Ordering { order }))
        }
        QuestionType::Matching => matching(report, raw),
        QuestionType::Script => script(report, raw),
    }
}

fn position(shown: &[usize], original: usize) -> usize {
    shown.iter().position(|&i| i == original).unwrap_or(0)
}

/// A neutral display order: by a hash of the question id and the text, and never the
/// authored order (which is the answer).
fn display_order(id: &str, texts: &[String]) -> Vec<usize> {
    let mut shown: Vec<usize> = (0..texts.len()).collect();
    shown.sort_by_key(|&i| *blake3::hash(format!("{id}\0{}", texts[i]).as_bytes()).as_bytes());
    if shown.iter().enumerate().all(|(k, &i)| k == i) {
        shown.rotate_left(1);
    }
    shown
}

/// Checks a list of strings: at least `min`, none empty, none repeated.
fn non_empty_texts(
    report: &mut Report,
    list: &Spanned<Vec<Spanned<String>>>,
    what: &str,
    min: usize,
) -> Option<Vec<String>> {
    let before = report.problems.len();
    if list.get_ref().len() < min {
        report.error(
            list.span(),
            format!("needs at least {min} {what}"),
            format!("list {what} as [\"…\", \"…\"]"),
        );
    }
    let mut seen = HashSet::new();
    for text in list.get_ref() {
        if text.get_ref().trim().is_empty() {
            report.error(
                text.span(),
                format!("empty entry in {what}"),
                "remove it or write the text",
            );
        } else if !seen.insert(text.get_ref().trim()) {
            report.error(
                text.span(),
                format!("`{}` appears twice in {what}", text.get_ref()),
                "each entry must be different",
            );
        }
    }
    (report.problems.len() == before)
        .then(|| list.get_ref().iter().map(|t| t.get_ref().clone()).collect())
}

fn choice(report: &mut Report, raw: &RawQuestion, kind: QuestionType) -> Option<(Body, Rule)> {
    let Some(options) = &raw.options else {
        missing(report, raw, "options");
        return None;
    };
    let before = report.problems.len();
    let list = options.get_ref();
    if list.len() < 2 {
        report.error(
            options.span(),
            "a choice question needs at least 2 options",
            "add options = [{ text = \"…\" }, { text = \"…\", correct = true }]",
        );
    }
    let mut seen = HashSet::new();
    for option in list {
        let text = option.text.get_ref().trim();
        if text.is_empty() {
            report.error(
                option.text.span(),
                "empty option text",
                "write the option's text",
            );
        } else if !seen.insert(text) {
            report.error(
                option.text.span(),
                format!("option `{text}` appears twice"),
                "each option must be different",
            );
        }
    }
    let correct: Vec<&Spanned<bool>> = list
        .iter()
        .filter_map(|o| o.correct.as_ref())
        .filter(|c| *c.get_ref())
        .collect();
    let one_only = matches!(kind, QuestionType::Single | QuestionType::Scenario);
    if correct.is_empty() {
        report.error(
            options.span(),
            "no option is marked correct",
            "add `correct = true` to the right option",
        );
    } else if one_only && correct.len() > 1 {
        report.error(
            correct[1].span(),
            format!(
                "{} options are marked correct; a `{}` question has exactly one",
                correct.len(),
                kind.as_str()
            ),
            "use type = \"multiple\" if several are right",
        );
    }
    if kind == QuestionType::Scenario {
        match &raw.buyer_message {
            Some(m) if !m.get_ref().trim().is_empty() => {}
            Some(m) => report.error(
                m.span(),
                "the buyer's message is empty",
                "write what the buyer says",
            ),
            None => missing(report, raw, "buyer_message"),
        }
    }
    if report.problems.len() > before {
        return None;
    }
    let texts: Vec<String> = list.iter().map(|o| o.text.get_ref().clone()).collect();
    let rule = Rule::Choice {
        correct: list
            .iter()
            .map(|o| o.correct.as_ref().is_some_and(|c| *c.get_ref()))
            .collect(),
        feedback: list.iter().map(|o| o.feedback.clone()).collect(),
        scoring: raw
            .scoring
            .as_ref()
            .map_or(Scoring::AllOrNothing, |s| *s.get_ref()),
    };
    let body = match kind {
        QuestionType::Multiple => Body::Multiple { options: texts },
        QuestionType::Scenario => Body::Scenario {
            buyer_message: raw
                .buyer_message
                .as_ref()
                .map(|m| m.get_ref().clone())
                .unwrap_or_default(),
            options: texts,
        },
        _ => Body::Single { options: texts },
    };
    Some((body, rule))
}

fn number(report: &mut Report, raw: &RawQuestion) -> Option<(Body, Rule)> {
    let Some(answer) = &raw.answer else {
        missing(report, raw, "answer");
        return None;
    };
    let value = match answer.get_ref() {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) if f.is_finite() => Some(*f),
        _ => None,
    };
    let Some(value) = value else {
        report.error(
            answer.span(),
            "the answer of a `number` question must be a number",
            "write it without quotes or unit, e.g. answer = 72, and the unit as unit = \"小时\"",
        );
        return None;
    };
    let tolerance = raw.tolerance.as_ref().map_or(0.0, |t| *t.get_ref());
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        let span = raw.tolerance.as_ref().map_or(answer.span(), Spanned::span);
        report.error(
            span,
            format!("tolerance {tolerance} is out of range"),
            "a tolerance is 0 or more, e.g. tolerance = 0.5",
        );
        return None;
    }
    let unit = raw
        .unit
        .as_ref()
        .map(|u| u.get_ref().trim().to_string())
        .filter(|u| !u.is_empty());
    let aliases = raw
        .unit_aliases
        .as_ref()
        .map(|a| a.get_ref().clone())
        .unwrap_or_default();
    let units = unit
        .iter()
        .cloned()
        .chain(aliases.into_iter().filter(|a| !a.trim().is_empty()))
        .collect();
    Some((
        Body::Number { unit },
        Rule::Number {
            value,
            tolerance,
            units,
        },
    ))
}

fn matching(report: &mut Report, raw: &RawQuestion) -> Option<(Body, Rule)> {
    let Some(pairs) = &raw.pairs else {
        missing(report, raw, "pairs");
        return None;
    };
    let side = |f: fn(&RawPair) -> &Spanned<String>| {
        Spanned::new(
            pairs.span(),
            pairs
                .get_ref()
                .iter()
                .map(|p| f(p).clone())
                .collect::<Vec<_>>(),
        )
    };
    let left = non_empty_texts(report, &side(|p| &p.left), "left entries of the pairs", 2);
    let right = non_empty_texts(report, &side(|p| &p.right), "right entries of the pairs", 2);
    let (left, right) = (left?, right?);
    let shown = display_order(raw.id.get_ref(), &right);
    let right_of = (0..left.len()).map(|i| position(&shown, i)).collect();
    let right = shown.iter().map(|&i| right[i].clone()).collect();
    Some((Body::Matching { left, right }, Rule::Matching { right_of }))
}

fn script(report: &mut Report, raw: &RawQuestion) -> Option<(Body, Rule)> {
    let Some(rubric) = &raw.rubric else {
        missing(report, raw, "rubric");
        return None;
    };
    let before = report.problems.len();
    let r = rubric.get_ref();
    if r.required.is_empty() {
        report.error(
            rubric.span(),
            "the rubric has no required element",
            "add [[questions.rubric.required]] with name = \"…\" and any_of = [\"…\"]",
        );
    }
    let mut required = Vec::new();
    for element in &r.required {
        if element.name.get_ref().trim().is_empty() {
            report.error(
                element.name.span(),
                "a required element has an empty name",
                "name it, e.g. name = \"道歉\"",
            );
        }
        let any_of = non_empty_texts(report, &element.any_of, "phrasings", 1).unwrap_or_default();
        required.push(Element {
            name: element.name.get_ref().clone(),
            any_of,
        });
    }
    let (min_chars, max_chars) = (
        r.min_chars.as_ref().map(|m| *m.get_ref()),
        r.max_chars.as_ref().map(|m| *m.get_ref()),
    );
    if let (Some(min), Some(max), Some(span)) = (
        min_chars,
        max_chars,
        r.max_chars.as_ref().map(Spanned::span),
    ) && min > max
    {
        report.error(
            span,
            format!("max_chars {max} is below min_chars {min}"),
            "raise max_chars or lower min_chars",
        );
    }
    if report.problems.len() > before {
        return None;
    }
    let with_defaults = |defaults: &[&str], own: &[String]| -> Vec<String> {
        let mut all: Vec<String> = defaults.iter().map(|s| s.to_string()).collect();
        all.extend(
            own.iter()
                .filter(|s| !s.trim().is_empty() && !all.contains(s))
                .cloned()
                .collect::<Vec<_>>(),
        );
        all
    };
    let rubric = Rubric {
        required,
        forbidden: with_defaults(DEFAULT_FORBIDDEN, &r.forbidden),
        allowed: with_defaults(DEFAULT_ALLOWED, &r.allowed),
    };
    Some((
        Body::Script {
            min_chars,
            max_chars,
        },
        Rule::Script(rubric),
    ))
}
