//! One `[[questions]]` table → an [`Item`] (question + key), with every problem in it.
//! The keys common to all types are checked here, the type-specific ones in [`body`].

mod body;

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeValue, ValueDeserializer};

use super::Report;
use crate::quiz::model::{AnswerKey, Item, Link, Question, QuestionType, Scoring};
use body::body_and_rule;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: Spanned<String>,
    #[serde(rename = "type")]
    kind: Spanned<QuestionType>,
    prompt: Spanned<String>,
    points: Option<Spanned<i64>>,
    topic: Option<String>,
    source: Option<Spanned<String>>,
    #[serde(default)]
    explanation: String,
    options: Option<Spanned<Vec<RawOption>>>,
    scoring: Option<Spanned<Scoring>>,
    buyer_message: Option<Spanned<String>>,
    answer: Option<Spanned<toml::Value>>,
    feedback_true: Option<Spanned<String>>,
    feedback_false: Option<Spanned<String>>,
    tolerance: Option<Spanned<f64>>,
    unit: Option<Spanned<String>>,
    unit_aliases: Option<Spanned<Vec<String>>>,
    accepted: Option<Spanned<Vec<Spanned<String>>>>,
    items: Option<Spanned<Vec<Spanned<String>>>>,
    pairs: Option<Spanned<Vec<RawPair>>>,
    rubric: Option<Spanned<RawRubric>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    text: Spanned<String>,
    correct: Option<Spanned<bool>>,
    #[serde(default)]
    feedback: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPair {
    left: Spanned<String>,
    right: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRubric {
    #[serde(default)]
    required: Vec<RawElement>,
    #[serde(default)]
    forbidden: Vec<String>,
    #[serde(default)]
    allowed: Vec<String>,
    min_chars: Option<Spanned<u32>>,
    max_chars: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawElement {
    name: Spanned<String>,
    any_of: Spanned<Vec<Spanned<String>>>,
}

/// An id is one URL segment.
pub(super) fn usable_id(id: &str) -> bool {
    !id.is_empty() && !id.contains(['/', '\\', '#', '?']) && !id.chars().any(char::is_whitespace)
}

/// Checks one question table; `None` when it has problems (they are in `report`).
/// Also returns the id's span, for the duplicate check.
pub(super) fn check(
    report: &mut Report,
    value: Spanned<DeValue<'_>>,
) -> Option<(Item, Range<usize>)> {
    let raw = match RawQuestion::deserialize(ValueDeserializer::from(value)) {
        Ok(raw) => raw,
        Err(e) => {
            report.toml(&e);
            return None;
        }
    };
    let before = report.problems.len();
    let id = raw.id.get_ref().clone();
    if !usable_id(&id) {
        report.error(
            raw.id.span(),
            format!("`{id}` is not a usable question id"),
            "no spaces, `/`, `#` or `?`, e.g. id = \"intervention-hours\"",
        );
    }
    if raw.prompt.get_ref().trim().is_empty() {
        report.error(
            raw.prompt.span(),
            "the prompt is empty",
            "write the question, e.g. prompt = \"……？\"",
        );
    }
    let points = match &raw.points {
        None => 1,
        Some(p) => u32::try_from(*p.get_ref())
            .ok()
            .filter(|&p| p > 0)
            .unwrap_or_else(|| {
                report.error(
                    p.span(),
                    format!("{} points is not allowed", p.get_ref()),
                    "points is a whole number of 1 or more",
                );
                1
            }),
    };
    let source = raw.source.as_ref().map(|s| {
        if s.get_ref().trim().is_empty() {
            report.error(
                s.span(),
                "the source is empty",
                "link the paragraph, e.g. \"../content/rules/intervention.md#小二介入\"",
            );
        }
        Link {
            target: s.get_ref().clone(),
            span: s.span(),
        }
    });
    reject_stray_keys(report, &raw);
    let (body, rule) = body_and_rule(report, &raw)?;
    if report.problems.len() > before {
        return None;
    }
    let question = Question {
        id,
        prompt: raw.prompt.into_inner(),
        points,
        topic: raw.topic,
        source,
        body,
    };
    let key = AnswerKey {
        explanation: raw.explanation,
        rule,
    };
    Some((Item { question, key }, raw.id.span()))
}

fn allowed_keys(kind: QuestionType) -> &'static [&'static str] {
    match kind {
        QuestionType::Single => &["options"],
        QuestionType::Multiple => &["options", "scoring"],
        QuestionType::TrueFalse => &["answer", "feedback_true", "feedback_false"],
        QuestionType::Number => &["answer", "tolerance", "unit", "unit_aliases"],
        QuestionType::Text => &["accepted"],
        QuestionType::Ordering => &["items"],
        QuestionType::Matching => &["pairs"],
        QuestionType::Scenario => &["buyer_message", "options"],
        QuestionType::Script => &["rubric"],
    }
}

fn reject_stray_keys(report: &mut Report, raw: &RawQuestion) {
    fn span<T>(v: &Option<Spanned<T>>) -> Option<Range<usize>> {
        v.as_ref().map(Spanned::span)
    }
    let present = [
        ("options", span(&raw.options)),
        ("scoring", span(&raw.scoring)),
        ("buyer_message", span(&raw.buyer_message)),
        ("answer", span(&raw.answer)),
        ("feedback_true", span(&raw.feedback_true)),
        ("feedback_false", span(&raw.feedback_false)),
        ("tolerance", span(&raw.tolerance)),
        ("unit", span(&raw.unit)),
        ("unit_aliases", span(&raw.unit_aliases)),
        ("accepted", span(&raw.accepted)),
        ("items", span(&raw.items)),
        ("pairs", span(&raw.pairs)),
        ("rubric", span(&raw.rubric)),
    ];
    let kind = *raw.kind.get_ref();
    let allowed = allowed_keys(kind);
    for (key, span) in present {
        if let Some(span) = span.filter(|_| !allowed.contains(&key)) {
            report.error(
                span,
                format!("`{key}` does not apply to a `{}` question", kind.as_str()),
                format!(
                    "a `{}` question takes: {}",
                    kind.as_str(),
                    allowed.join(", ")
                ),
            );
        }
    }
}

fn missing(report: &mut Report, raw: &RawQuestion, key: &str) {
    let kind = raw.kind.get_ref().as_str();
    report.error(
        raw.kind.span(),
        format!("a `{kind}` question needs `{key}`"),
        format!("add `{key} = …` to this question"),
    );
}
