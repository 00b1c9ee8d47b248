//! Quiz files (`quizzes/*.toml`) → a checked [`Quiz`], or every problem found.
//!
//! Pure: [`parse`] takes the file's path (for diagnostics) and its text. The TOML is
//! read once into a spanned document; the quiz's own keys and each `[[questions]]`
//! table are then deserialized separately (`deny_unknown_fields` on each), so a typo
//! in question 3 does not hide a typo in question 7. Within one table serde stops at
//! the first unknown key. The checks that need the whole file (duplicate ids, a bank
//! too small for a paper) run last. Diagnostics point at `path:line:col` of the value
//! at fault.
//!
//! # Format
//!
//! One quiz per file, keys in `snake_case`, any other key is an error.
//!
//! | key | | |
//! | --- | --- | --- |
//! | `id` | required | stable, no spaces, `/`, `#` or `?` |
//! | `title` | required | |
//! | `kind` | required | `"practice"` or `"exam"` |
//! | `lessons` | optional | pages the quiz covers, relative to `content/` |
//! | `pass_mark_percent` | exam, required | 0–100 |
//! | `time_limit_minutes` | exam, required | at least 1 |
//! | `questions_per_attempt` | exam, required | at most the number of questions |
//! | `max_attempts` | exam | unlimited when absent |
//! | `retake_after_hours` | exam | default 0 |
//! | `reveal` | exam | `"score"` (default) or `"answers"` |
//! | `[topic_quotas]` | exam | topic = questions per paper |
//! | `[certificate]` | exam | `name`, `valid_days` (no expiry when absent) |
//!
//! Every `[[questions]]` table has `id`, `type`, `prompt` (Markdown), and optionally
//! `points` (default 1), `topic`, `source` (a relative link to the paragraph that
//! teaches it) and `explanation` (Markdown). A link in any Markdown of a quiz is, like
//! `source`, relative to the quiz file (`../content/rules/refund.md#退款时限`); the
//! build resolves it for every page that shows the quiz and checks that it names a
//! page and heading. By `type`:
//!
//! | `type` | keys | |
//! | --- | --- | --- |
//! | `single` | `options` | exactly one option with `correct = true` |
//! | `multiple` | `options`, `scoring` | at least one correct; `"all_or_nothing"` (default) or `"per_option"` |
//! | `true_false` | `answer`, `feedback_true`, `feedback_false` | `answer = true` |
//! | `number` | `answer`, `tolerance`, `unit`, `unit_aliases` | `answer = 72`, `unit = "小时"` |
//! | `text` | `accepted` | accepted answers, compared normalised |
//! | `ordering` | `items` | in the correct order; shown shuffled |
//! | `matching` | `pairs` | `{ left = …, right = … }`; the right column is shown shuffled |
//! | `scenario` | `buyer_message`, `options` | like `single`, under a buyer's chat bubble |
//! | `script` | `[questions.rubric]` | `required` elements (`name`, `any_of`), `forbidden`, `allowed`, `min_chars`, `max_chars` |
//!
//! An option is `{ text = …, correct = true, feedback = … }` (inline, one per line, or
//! as `[[questions.options]]` tables). A complete exam, with every question type:
//!
#![doc = concat!("```toml\n", include_str!("example.toml"), "```")]

mod question;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;
use toml::Spanned;
use toml::de::{DeTable, Deserializer};

use super::model::{Certificate, ExamSettings, Item, Kind, Link, Quiz, Reveal};
use crate::error::{Diagnostic, Severity, SourcePos, toml_diagnostic};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuiz {
    id: Spanned<String>,
    title: Spanned<String>,
    kind: Spanned<RawKind>,
    #[serde(default)]
    lessons: Vec<Spanned<String>>,
    pass_mark_percent: Option<Spanned<i64>>,
    time_limit_minutes: Option<Spanned<u32>>,
    questions_per_attempt: Option<Spanned<u32>>,
    topic_quotas: Option<Spanned<BTreeMap<String, Spanned<u32>>>>,
    max_attempts: Option<Spanned<u32>>,
    retake_after_hours: Option<Spanned<u32>>,
    certificate: Option<Spanned<RawCertificate>>,
    reveal: Option<Spanned<Reveal>>,
    #[allow(dead_code)]
    questions: Option<IgnoredAny>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawKind {
    Practice,
    Exam,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCertificate {
    name: Spanned<String>,
    valid_days: Option<Spanned<u32>>,
}

/// The file being checked and the problems found so far.
struct Report<'a> {
    path: &'a Path,
    text: &'a str,
    problems: Vec<Diagnostic>,
}

impl Report<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>, hint: impl Into<String>) {
        let d = Diagnostic::at(Severity::Error, self.path, self.text, span, message);
        self.problems.push(d.with_hint(hint));
    }

    fn toml(&mut self, err: &toml::de::Error) {
        let d = toml_diagnostic(self.path, self.text, 0, err);
        // Trainers write topics in Chinese; bare TOML keys are ASCII only.
        let d = if d.message.starts_with("invalid unquoted key") {
            d.with_hint("keys that are not plain ASCII need double quotes, e.g. \"退款\" = 2")
        } else {
            d
        };
        self.problems.push(d);
    }

    fn line(&self, span: &Range<usize>) -> usize {
        SourcePos::of(self.text, span.start).line
    }
}

/// Where the quiz's top-level `id` value is written, for diagnostics that concern the
/// whole quiz (a duplicate id across files, a page URL it collides with).
pub fn id_span(text: &str) -> Option<Range<usize>> {
    #[derive(Deserialize)]
    struct IdOnly {
        id: Spanned<String>,
    }
    toml::from_str::<IdOnly>(text).ok().map(|raw| raw.id.span())
}

/// Parses and checks one quiz file. Collects every problem it can find.
pub fn parse(path: &Path, text: &str) -> Result<Quiz, Vec<Diagnostic>> {
    let mut report = Report {
        path,
        text,
        problems: Vec::new(),
    };
    let (document, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        errors.iter().for_each(|e| report.toml(e));
        return Err(report.problems);
    }
    let questions = document.get_ref().get("questions").cloned();
    let whole = 0..text.len().min(text.find('\n').unwrap_or(text.len()));
    let raw = RawQuiz::deserialize(Deserializer::from(document))
        .map_err(|e| report.toml(&e))
        .ok();

    let mut items = Vec::new();
    let mut ids: HashMap<String, Range<usize>> = HashMap::new();
    match questions.map(|q| (q.span(), q.into_inner())) {
        Some((_, toml::de::DeValue::Array(array))) if !array.is_empty() => {
            for value in array {
                let Some((item, id_span)) = question::check(&mut report, value) else {
                    continue;
                };
                if let Some(first) = ids.get(&item.question.id) {
                    let line = report.line(first);
                    report.error(
                        id_span,
                        format!("duplicate question id `{}`", item.question.id),
                        format!("line {line} already uses it; ids must be unique within a quiz"),
                    );
                } else {
                    ids.insert(item.question.id.clone(), id_span);
                }
                items.push(item);
            }
        }
        Some((span, _)) => report.error(
            span,
            "`questions` must be a non-empty list of `[[questions]]` tables",
            "start each question with a `[[questions]]` line",
        ),
        None => report.error(
            whole,
            "the quiz has no questions",
            "add at least one `[[questions]]` table",
        ),
    }
    let Some(raw) = raw else {
        return Err(report.problems);
    };
    let quiz = check_quiz(&mut report, raw, items);
    if report.problems.is_empty() {
        Ok(quiz)
    } else {
        Err(report.problems)
    }
}

fn check_quiz(report: &mut Report, raw: RawQuiz, items: Vec<Item>) -> Quiz {
    let id_span = raw.id.span();
    let id = raw.id.get_ref().clone();
    if !question::usable_id(&id) {
        report.error(
            id_span,
            format!("`{id}` is not a usable quiz id"),
            "an id is one URL segment: no spaces, `/`, `#` or `?`, e.g. id = \"rules-practice\"",
        );
    }
    if raw.title.get_ref().trim().is_empty() {
        report.error(
            raw.title.span(),
            "the title is empty",
            "e.g. title = \"售后规则练习\"",
        );
    }
    let mut lessons = Vec::new();
    for lesson in &raw.lessons {
        let span = lesson.span();
        if lesson.get_ref().trim().is_empty() {
            report.error(
                span.clone(),
                "empty lesson path",
                "e.g. \"rules/intervention.md\"",
            );
        }
        lessons.push(Link {
            target: lesson.get_ref().clone(),
            span,
        });
    }
    let kind = match *raw.kind.get_ref() {
        RawKind::Practice => {
            practice_has_no_exam_keys(report, &raw);
            Kind::Practice
        }
        RawKind::Exam => exam(report, &raw, &items),
    };
    Quiz {
        id,
        title: raw.title.get_ref().clone(),
        kind,
        lessons,
        items,
    }
}

fn practice_has_no_exam_keys(report: &mut Report, raw: &RawQuiz) {
    let spans = [
        (
            "pass_mark_percent",
            raw.pass_mark_percent.as_ref().map(Spanned::span),
        ),
        (
            "time_limit_minutes",
            raw.time_limit_minutes.as_ref().map(Spanned::span),
        ),
        (
            "questions_per_attempt",
            raw.questions_per_attempt.as_ref().map(Spanned::span),
        ),
        ("topic_quotas", raw.topic_quotas.as_ref().map(Spanned::span)),
        ("max_attempts", raw.max_attempts.as_ref().map(Spanned::span)),
        (
            "retake_after_hours",
            raw.retake_after_hours.as_ref().map(Spanned::span),
        ),
        ("certificate", raw.certificate.as_ref().map(Spanned::span)),
        ("reveal", raw.reveal.as_ref().map(Spanned::span)),
    ];
    for (key, span) in spans {
        if let Some(span) = span {
            report.error(
                span,
                format!("`{key}` only applies to exams"),
                "remove it, or set kind = \"exam\"",
            );
        }
    }
}

fn exam(report: &mut Report, raw: &RawQuiz, items: &[Item]) -> Kind {
    let kind_span = raw.kind.span();
    let mut required = |name: &str, present: bool| {
        if !present {
            report.error(
                kind_span.clone(),
                format!("an exam needs `{name}`"),
                format!("add `{name} = …` above the first [[questions]]"),
            );
        }
    };
    required("pass_mark_percent", raw.pass_mark_percent.is_some());
    required("time_limit_minutes", raw.time_limit_minutes.is_some());
    required("questions_per_attempt", raw.questions_per_attempt.is_some());

    let pass_mark_percent = match &raw.pass_mark_percent {
        Some(p) if (0..=100).contains(p.get_ref()) => *p.get_ref() as u8,
        Some(p) => {
            report.error(
                p.span(),
                format!("pass mark {}% is outside 0–100", p.get_ref()),
                "write a percentage, e.g. pass_mark_percent = 80",
            );
            0
        }
        None => 0,
    };
    let positive = |report: &mut Report, value: Option<&Spanned<u32>>, what: &str| {
        let v = value?;
        if *v.get_ref() == 0 {
            report.error(
                v.span(),
                format!("`{what}` must be at least 1"),
                "use a whole number of 1 or more",
            );
        }
        Some(*v.get_ref())
    };
    let time_limit_minutes = positive(
        report,
        raw.time_limit_minutes.as_ref(),
        "time_limit_minutes",
    );
    let per_attempt = positive(
        report,
        raw.questions_per_attempt.as_ref(),
        "questions_per_attempt",
    );
    let max_attempts = positive(report, raw.max_attempts.as_ref(), "max_attempts");

    let bank = items.len() as u32;
    if let (Some(n), Some(span)) = (
        per_attempt,
        raw.questions_per_attempt.as_ref().map(Spanned::span),
    ) && n > bank
    {
        report.error(
            span,
            format!("a paper draws {n} questions but the bank has only {bank}"),
            "add questions or lower questions_per_attempt",
        );
    }
    let topic_quotas = quotas(report, raw, items, per_attempt);
    let certificate = raw.certificate.as_ref().map(|c| {
        let c = c.get_ref();
        if c.name.get_ref().trim().is_empty() {
            report.error(
                c.name.span(),
                "the certificate name is empty",
                "e.g. name = \"售后规则认证\"",
            );
        }
        let valid_days = positive(report, c.valid_days.as_ref(), "valid_days");
        Certificate {
            name: c.name.get_ref().clone(),
            valid_days,
        }
    });
    Kind::Exam(ExamSettings {
        pass_mark_percent,
        time_limit_minutes: time_limit_minutes.unwrap_or(0),
        questions_per_attempt: per_attempt.unwrap_or(0),
        topic_quotas,
        max_attempts,
        retake_after_hours: raw.retake_after_hours.as_ref().map_or(0, |h| *h.get_ref()),
        certificate,
        reveal: raw.reveal.as_ref().map_or(Reveal::Score, |r| *r.get_ref()),
    })
}

fn quotas(
    report: &mut Report,
    raw: &RawQuiz,
    items: &[Item],
    per_attempt: Option<u32>,
) -> BTreeMap<String, u32> {
    let Some(table) = &raw.topic_quotas else {
        return BTreeMap::new();
    };
    let mut total = 0u32;
    for (topic, quota) in table.get_ref() {
        let available = items
            .iter()
            .filter(|i| i.question.topic.as_deref() == Some(topic.as_str()))
            .count() as u32;
        total = total.saturating_add(*quota.get_ref());
        if *quota.get_ref() > available {
            report.error(
                quota.span(),
                format!(
                    "topic `{topic}` needs {} questions per paper but the bank has {available}",
                    quota.get_ref()
                ),
                format!("add questions with topic = \"{topic}\" or lower the quota"),
            );
        }
    }
    if let Some(n) = per_attempt.filter(|&n| total > n) {
        report.error(
            table.span(),
            format!("the topic quotas add up to {total}, more than the {n} questions per paper"),
            "lower the quotas or raise questions_per_attempt",
        );
    }
    table
        .get_ref()
        .iter()
        .map(|(t, q)| (t.clone(), *q.get_ref()))
        .collect()
}
