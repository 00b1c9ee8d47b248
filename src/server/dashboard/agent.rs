//! One agent's record: attempts with scores and times, certificates and their
//! standing, weakest topics, and the lesson paragraphs behind the questions they
//! missed, and their onboarding progress (lessons opened, practice done). Supervisors see their own team's agents, admins everyone, an agent only
//! themselves; another team's agent is "not found", as for any record not yours.

use axum::extract::{Path, State};
use axum::response::Html;
use serde::Serialize;

use crate::quiz::analysis;
use crate::store::{Role, User};

use super::super::auth::{CurrentUser, frame};
use super::super::certificates::status;
use super::super::error::{ApiError, ApiResult};
use super::super::grading::{QuestionResult, by_topic};
use super::super::state::{AppState, instant};
use super::{minute, paragraph};

#[derive(Serialize)]
struct Page<'a> {
    agent: &'a User,
    attempts: Vec<AttemptRow>,
    certificates: Vec<CertificateRow>,
    topics: Vec<TopicRow>,
    missed: Vec<MissedRow>,
    /// Onboarding progress: lessons opened and practice done.
    path: super::progress::Path,
}

#[derive(Serialize)]
struct AttemptRow {
    exam: String,
    started: String,
    minutes: Option<f64>,
    percent: Option<f64>,
    /// A standing's class name for the badge, and its text.
    outcome: &'static str,
    outcome_text: &'static str,
}

#[derive(Serialize)]
struct CertificateRow {
    id: String,
    name: String,
    issued: String,
    expires: String,
    status: &'static str,
}

#[derive(Serialize)]
struct TopicRow {
    topic: String,
    percent: f64,
}

#[derive(Serialize)]
struct MissedRow {
    source: String,
    href: Option<String>,
    miss_rate: f64,
}

/// Whether `viewer` may see `agent`'s record.
fn may_see(viewer: &User, agent: &User) -> bool {
    match viewer.role {
        Role::Admin => true,
        Role::Supervisor => viewer.team == agent.team,
        Role::Trainer => false,
        Role::Agent => viewer.id == agent.id,
    }
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(login): Path<String>,
) -> ApiResult<Html<String>> {
    if user.role == Role::Trainer {
        return Err(ApiError::Forbidden(
            "培训师只能查看题目和课程的统计，不能查看个人记录。",
        ));
    }
    let agent = state
        .store
        .user_by_login(&login)
        .await?
        .filter(|a| a.role == Role::Agent && may_see(&user, a))
        .ok_or(ApiError::NotFound)?;
    let mut attempts = Vec::new();
    let mut topics: Vec<(String, f64, f64)> = Vec::new();
    let mut missed = Vec::new();
    for file in state.site.quizzes.iter().filter(|q| q.quiz.is_exam()) {
        let items = &file.quiz.items;
        let mut graded = Vec::new();
        for a in state.store.attempts_of(&agent.id, &file.quiz.id).await? {
            let results: Vec<QuestionResult> =
                serde_json::from_str(a.results.as_deref().unwrap_or("[]")).unwrap_or_default();
            for (topic, points, max) in by_topic(items, &results) {
                match topics.iter_mut().find(|t| t.0 == topic) {
                    Some(t) => (t.1, t.2) = (t.1 + points, t.2 + max),
                    None => topics.push((topic, points, max)),
                }
            }
            // Questions by their place in this exam's bank.
            let responses: Vec<analysis::Response> = results
                .iter()
                .filter(|r| r.item < items.len())
                .map(|r| analysis::Response {
                    question: r.item as u32,
                    score: if r.max_points > 0.0 {
                        (r.points / r.max_points) as f32
                    } else {
                        0.0
                    },
                    chosen: None,
                })
                .collect();
            graded.push(responses);
            attempts.push(AttemptRow {
                exam: file.quiz.title.clone(),
                started: minute(a.started_ms),
                minutes: a
                    .submitted_ms
                    .map(|s| ((s - a.started_ms) as f64 / 6_000.0).round() / 10.0),
                percent: a
                    .points
                    .zip(a.max_points)
                    .filter(|(_, m)| *m > 0.0)
                    .map(|(p, m)| (p * 1000.0 / m).round() / 10.0),
                outcome: match a.passed {
                    Some(true) => "certified",
                    Some(false) => "failed",
                    None => "never",
                },
                outcome_text: match a.passed {
                    Some(true) => "通过",
                    Some(false) => "未通过",
                    None => "进行中",
                },
            });
        }
        let source_of = |question: u32| {
            let item = items.get(question as usize)?;
            item.question.source.as_ref().map(|l| l.target.as_str())
        };
        let graded: Vec<&[analysis::Response]> = graded.iter().map(Vec::as_slice).collect();
        for (source, _, rate) in analysis::miss_rates(&graded, source_of) {
            if rate <= 0.0 {
                continue;
            }
            let link = items
                .iter()
                .filter_map(|i| i.question.source.as_ref())
                .find(|l| l.target == source);
            let (label, href) = link.map_or((source.to_owned(), None), |l| paragraph(&state, l));
            missed.push(MissedRow {
                source: label,
                href,
                miss_rate: (rate * 1000.0).round() / 10.0,
            });
        }
    }
    missed.sort_by(|a, b| {
        b.miss_rate
            .total_cmp(&a.miss_rate)
            .then(a.source.cmp(&b.source))
    });
    let mut topics: Vec<TopicRow> = topics
        .into_iter()
        .filter(|(_, _, max)| *max > 0.0)
        .map(|(topic, points, max)| TopicRow {
            topic,
            percent: (points * 1000.0 / max).round() / 10.0,
        })
        .collect();
    // Weakest first.
    topics.sort_by(|a, b| a.percent.total_cmp(&b.percent).then(a.topic.cmp(&b.topic)));
    let now = state.now_ms();
    let certificates = state
        .store
        .certificates_of(&agent.id)
        .await?
        .iter()
        .map(|c| CertificateRow {
            id: c.id.clone(),
            name: c.name.clone(),
            issued: instant(c.issued_ms).date().to_string(),
            expires: c
                .expires_ms
                .map_or_else(|| "长期有效".to_owned(), |e| instant(e).date().to_string()),
            status: status(&state, c, now).0.text(),
        })
        .collect();
    let path = super::progress::path(&state, &agent.id).await?;
    let view = Page {
        path,
        agent: &agent,
        attempts,
        certificates,
        topics,
        missed,
    };
    let html = state.pages.render(
        "server/dashboard_agent.html",
        &frame(&state, Some(&user)),
        &view,
    )?;
    Ok(Html(html))
}
