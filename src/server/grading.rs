//! Grading an attempt and deciding who may start one — pure functions over the quiz,
//! the drawn paper, the saved answers and "now"; the handlers do the IO.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::quiz::draw::{Paper, answer_from_json, displayed};
use crate::quiz::view::answer_json;
use crate::quiz::{ExamSettings, Item, grade};
use crate::store::{Attempt, CertificateRow};

/// One question's result, as stored with the attempt.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct QuestionResult {
    /// Position on the paper.
    pub index: usize,
    /// Index into the quiz's items.
    pub item: usize,
    pub points: f64,
    pub max_points: f64,
    pub correct: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    pub points: f64,
    pub max_points: f64,
    pub passed: bool,
    pub results: Vec<QuestionResult>,
}

/// Saved answers, normalised: only indices on the paper, only readable answers, in the
/// one JSON form (whatever a client sent is never stored as it came).
pub fn normalise_answers(
    paper: &Paper,
    raw: &serde_json::Value,
) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    let Some(obj) = raw.as_object() else {
        return out;
    };
    for (key, value) in obj {
        let Ok(index) = key.parse::<usize>() else {
            continue;
        };
        if index < paper.questions.len() {
            out.insert(index.to_string(), answer_json(&answer_from_json(value)));
        }
    }
    out
}

/// Grades every question of the paper with the practice grader.
pub fn grade_paper(
    items: &[Item],
    settings: &ExamSettings,
    paper: &Paper,
    answers: &serde_json::Map<String, serde_json::Value>,
) -> Graded {
    let blank = serde_json::Value::Null;
    let results: Vec<QuestionResult> = paper
        .questions
        .iter()
        .enumerate()
        .filter_map(|(index, pq)| {
            let item = items.get(pq.item)?;
            let (question, key) = displayed(item, pq);
            let answer = answer_from_json(answers.get(&index.to_string()).unwrap_or(&blank));
            let g = grade(&question, &key, &answer);
            Some(QuestionResult {
                index,
                item: pq.item,
                points: g.points_awarded,
                max_points: g.max_points,
                correct: g.correct,
            })
        })
        .collect();
    let points: f64 = results.iter().map(|r| r.points).sum();
    let max_points: f64 = results.iter().map(|r| r.max_points).sum();
    let passed =
        max_points > 0.0 && points * 100.0 >= f64::from(settings.pass_mark_percent) * max_points;
    Graded {
        points,
        max_points,
        passed,
        results,
    }
}

/// One question's outcome as the gradebook keeps it: the question's id, the share
/// of its marks earned, and the options chosen (their indices in the question as
/// written, not as shuffled on the paper; `None` when unanswered or not a choice).
pub type ResponseRecord = (String, f64, Option<Vec<usize>>);

/// The paper's outcomes for the gradebook (`graded_attempts.responses`), as JSON,
/// in paper order. Questions are named by id, so edits to the bank later do not move
/// an old attempt's answers to another question.
pub fn responses_json(
    items: &[Item],
    paper: &Paper,
    answers: &serde_json::Map<String, serde_json::Value>,
    results: &[QuestionResult],
) -> String {
    let records: Vec<ResponseRecord> = results
        .iter()
        .filter_map(|r| {
            let item = items.get(r.item)?;
            let order = paper.questions.get(r.index).map(|q| q.order.as_slice());
            let share = if r.max_points > 0.0 {
                (r.points / r.max_points).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let answer = answers.get(&r.index.to_string());
            Some((
                item.question.id.clone(),
                share,
                chosen(answer, order.unwrap_or(&[])),
            ))
        })
        .collect();
    serde_json::to_string(&records).unwrap_or_else(|_| "[]".into())
}

/// The options an answer chose, as their indices in the question as written (`order`
/// maps the shuffled positions shown back); `None` when not a choice answer, or blank.
fn chosen(answer: Option<&serde_json::Value>, order: &[usize]) -> Option<Vec<usize>> {
    let original = |shown: &serde_json::Value| {
        let k = usize::try_from(shown.as_u64()?).ok()?;
        Some(order.get(k).copied().unwrap_or(k))
    };
    let answer = answer?;
    if let Some(one) = answer.get("choice") {
        return original(one).map(|o| vec![o]);
    }
    let many = answer.get("choices")?.as_array()?;
    let picked: Vec<usize> = many.iter().filter_map(original).collect();
    (!picked.is_empty()).then_some(picked)
}

/// Points per topic, in the quiz's topic order (questions without a topic under "其他").
pub fn by_topic(items: &[Item], results: &[QuestionResult]) -> Vec<(String, f64, f64)> {
    let mut topics: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for r in results {
        let name = items
            .get(r.item)
            .and_then(|i| i.question.topic.clone())
            .unwrap_or_else(|| "其他".to_string());
        let entry = topics.entry(name).or_default();
        entry.0 += r.points;
        entry.1 += r.max_points;
    }
    topics.into_iter().map(|(n, (p, m))| (n, p, m)).collect()
}

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// A certificate this close to expiry may be renewed early.
const RENEW_WITHIN_MS: i64 = 30 * DAY_MS;

/// Why a new attempt may not start now, or `Ok`.
pub fn may_start(
    settings: &ExamSettings,
    attempts: &[Attempt],
    live_certificates: &[&CertificateRow],
    now_ms: i64,
) -> Result<(), String> {
    if live_certificates
        .iter()
        .any(|c| c.expires_ms.is_none_or(|e| e - now_ms > RENEW_WITHIN_MS))
    {
        return Err("你已经取得这项认证，证书仍在有效期内。".to_string());
    }
    let since_pass: Vec<&Attempt> = attempts
        .iter()
        .rev()
        .take_while(|a| a.passed != Some(true))
        .collect();
    if let Some(max) = settings.max_attempts
        && since_pass.len() >= max as usize
    {
        return Err(format!("考试机会已用完（最多 {max} 次），请联系培训组。"));
    }
    if let Some(last) = since_pass.first()
        && let Some(submitted) = last.submitted_ms
    {
        let ready = submitted + i64::from(settings.retake_after_hours) * HOUR_MS;
        if now_ms < ready {
            let hours = (ready - now_ms + HOUR_MS - 1) / HOUR_MS;
            return Err(format!(
                "未通过后需等待 {} 小时才能重考，还需约 {hours} 小时。",
                settings.retake_after_hours
            ));
        }
    }
    Ok(())
}

/// The expiry of a certificate issued at `issued_ms` that is valid `days` days.
pub fn expiry(issued_ms: i64, days: Option<u32>) -> Option<i64> {
    days.map(|d| issued_ms + i64::from(d) * DAY_MS)
}

#[cfg(test)]
mod tests;
