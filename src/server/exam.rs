//! The exam flow over HTTP: start (eligibility, draw, record), the exam page (questions
//! without answers, saved answers, the server's deadline), autosave, submit (or the
//! deadline) → grade → certificate, and the results page. Every attempt route checks
//! that the attempt is the signed-in agent's; someone else's is "not found".

use axum::Json;
use axum::extract::{Form, Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::quiz::draw::{ExamQuestionView, Paper, displayed};
use crate::quiz::{ExamSettings, Kind, Reveal, Rule};
use crate::site::{LessonIndex, QuizFile, lessons};
use crate::store::{Attempt, Finished, NewAttempt, NewCertificate, Submission, User};

use super::auth::{CurrentUser, frame};
use super::certificates::{CertStatus, status};
use super::error::{ApiError, ApiResult};
use super::grading::{self, QuestionResult};
use super::state::AppState;

/// The biggest answers document accepted (bytes).
pub const MAX_ANSWERS: usize = 256 * 1024;

fn exam<'a>(state: &'a AppState, id: &str) -> ApiResult<(&'a QuizFile, &'a ExamSettings)> {
    let file = state.site.quiz(id).ok_or(ApiError::NotFound)?;
    match &file.quiz.kind {
        Kind::Exam(settings) => Ok((file, settings)),
        Kind::Practice => Err(ApiError::NotFound),
    }
}

/// The attempt, if it is `user`'s. Its owner learns that an admin's reset voided it
/// (anyone else hears "not found", as for any attempt not theirs).
async fn owned(state: &AppState, user: &User, id: &str) -> ApiResult<Attempt> {
    match state.store.attempt_or_voided(id).await? {
        Some((a, None)) if a.user_id == user.id => Ok(a),
        Some((a, Some(_))) if a.user_id == user.id => {
            state.heads.forget(id);
            Err(ApiError::Refused(VOIDED.into()))
        }
        _ => Err(ApiError::NotFound),
    }
}

/// What the owner of a voided attempt hears, on its page and from an autosave.
const VOIDED: &str =
    "管理员已重置这场考试，这次作答已作废：不评分，也不计入考试次数。请回到考试页重新开始。";

fn paper(attempt: &Attempt) -> ApiResult<Paper> {
    serde_json::from_str(&attempt.paper)
        .map_err(|e| ApiError::Internal(format!("paper of {}: {e}", attempt.id)))
}

fn answers(attempt: &Attempt) -> serde_json::Map<String, serde_json::Value> {
    serde_json::from_str(&attempt.answers).unwrap_or_default()
}

fn attempt_url(state: &AppState, id: &str, what: &str) -> String {
    format!("{}attempt/{id}/{what}", state.base())
}

/// Markdown of a quiz (prompts, explanations) as HTML, its page links made absolute.
pub fn markdown(state: &AppState, text: &str) -> String {
    let base = state.base();
    let lib = &state.site.library;
    crate::markdown::snippet_with_links(text, &|dest| {
        let href = lessons::page_href(lib, lessons::resolve_from_quiz(dest)?, "")?;
        Some(format!("{base}{href}"))
    })
}

pub async fn start(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    Path(exam_id): Path<String>,
) -> ApiResult<Response> {
    let (file, settings) = exam(&state, &exam_id)?;
    let Some(CurrentUser(user)) = user else {
        // Back to the exam's landing page after signing in (this route is POST only).
        let landing = format!("{}exams/{exam_id}/", state.base());
        let login_url = super::auth::login_url(&state, &landing);
        return Err(ApiError::SignIn { login_url });
    };
    if let Some(open) = state.store.open_attempt(&user.id, &exam_id).await? {
        return Ok(Redirect::to(&attempt_url(&state, &open.id, "")).into_response());
    }
    let now = state.now_ms();
    let attempts = state.store.attempts_since_reset(&user.id, &exam_id).await?;
    let certificates = state.store.certificates_of(&user.id).await?;
    let live: Vec<_> = certificates
        .iter()
        .filter(|c| c.exam_id == exam_id && status(&state, c, now).0 == CertStatus::Valid)
        .collect();
    if let Err(reason) = grading::may_start(settings, &attempts, &live, now) {
        return Err(ApiError::Refused(reason));
    }
    let seed = crate::store::random_u64();
    let drawn = crate::quiz::draw::draw(&file.quiz.items, settings, seed);
    let paper = serde_json::to_string(&drawn).map_err(|e| ApiError::Internal(e.to_string()))?;
    let deadline = now + i64::from(settings.time_limit_minutes) * 60_000;
    let new = NewAttempt {
        user_id: &user.id,
        exam_id: &exam_id,
        seed: seed as i64,
        paper: &paper,
        started_ms: now,
        deadline_ms: deadline,
    };
    let attempt = match state.store.start_attempt(&new).await {
        Ok(a) => a,
        // Two starts at once: the other one won; resume it.
        Err(crate::store::StoreError::Conflict(_)) => state
            .store
            .open_attempt(&user.id, &exam_id)
            .await?
            .ok_or(ApiError::NotFound)?,
        Err(e) => return Err(e.into()),
    };
    tracing::info!(attempt = %attempt.id, exam = %exam_id, "attempt started");
    Ok(Redirect::to(&attempt_url(&state, &attempt.id, "")).into_response())
}

#[derive(Serialize)]
struct AttemptPage<'a> {
    exam: ExamInfo<'a>,
    attempt: AttemptInfo<'a>,
    questions: Vec<ExamQuestionView>,
    answers_json: String,
}

#[derive(Serialize)]
struct ExamInfo<'a> {
    id: &'a str,
    title: &'a str,
    pass_mark_percent: u8,
}

#[derive(Serialize)]
struct AttemptInfo<'a> {
    id: &'a str,
    deadline_ms: i64,
    now_ms: i64,
}

/// Whether `now` is past a deadline and the grace after it.
fn past_grace(state: &AppState, deadline_ms: i64, now: i64) -> bool {
    now > deadline_ms + state.config.grace.whole_milliseconds() as i64
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let attempt = owned(&state, &user, &id).await?;
    let now = state.now_ms();
    if attempt.submitted_ms.is_some() || past_grace(&state, attempt.deadline_ms, now) {
        finish(&state, &attempt, None, now).await?;
        return Ok(Redirect::to(&attempt_url(&state, &id, "result")).into_response());
    }
    let (file, settings) = exam(&state, &attempt.exam_id)?;
    let paper = paper(&attempt)?;
    // The autosaves that follow will need it.
    state.heads.remember(&attempt, paper.clone());
    let questions = paper
        .questions
        .iter()
        .enumerate()
        .filter_map(|(i, pq)| {
            let (question, _key) = displayed(file.quiz.items.get(pq.item)?, pq);
            Some(ExamQuestionView::new(i, &question, &|t| {
                markdown(&state, t)
            }))
        })
        .collect();
    let saved = serde_json::Value::Object(answers(&attempt)).to_string();
    let page = AttemptPage {
        exam: ExamInfo {
            id: &file.quiz.id,
            title: &file.quiz.title,
            pass_mark_percent: settings.pass_mark_percent,
        },
        attempt: AttemptInfo {
            id: &attempt.id,
            deadline_ms: attempt.deadline_ms,
            now_ms: now,
        },
        questions,
        answers_json: crate::quiz::view::script_safe(&saved),
    };
    let html = state
        .pages
        .render("server/attempt.html", &frame(&state, Some(&user)), &page)?;
    Ok(Html(html).into_response())
}

#[derive(Deserialize)]
pub struct SaveBody {
    answers: serde_json::Value,
}

#[derive(Serialize)]
pub struct Saved {
    saved: bool,
    remaining_ms: i64,
}

pub async fn save(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Json(body): Json<SaveBody>,
) -> ApiResult<Json<Saved>> {
    // The attempt's owner, paper and deadline never change: after the first save they
    // come from memory, and whether it is still open is the UPDATE's to say.
    let head = match state.heads.get(&id) {
        Some(head) => head,
        None => {
            let attempt = owned(&state, &user, &id).await?;
            if attempt.submitted_ms.is_some() {
                return Err(ApiError::Refused(EXAM_OVER.into()));
            }
            state.heads.remember(&attempt, paper(&attempt)?)
        }
    };
    if head.user_id != user.id {
        return Err(ApiError::NotFound);
    }
    let now = state.now_ms();
    if past_grace(&state, head.deadline_ms, now) {
        return Err(ApiError::Refused(EXAM_OVER.into()));
    }
    let normal = grading::normalise_answers(&head.paper, &body.answers);
    let text = serde_json::Value::Object(normal).to_string();
    if !state.store.save_answers(&id, &text).await? {
        // Graded or voided since: `owned` tells a voided attempt's owner so.
        owned(&state, &user, &id).await?;
        return Err(ApiError::Refused(EXAM_OVER.into()));
    }
    Ok(Json(Saved {
        saved: true,
        remaining_ms: (head.deadline_ms - now).max(0),
    }))
}

/// What an autosave after the end hears.
const EXAM_OVER: &str = "考试已经结束，答案没有保存。";

#[derive(Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    answers: String,
}

pub async fn submit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<SubmitForm>,
) -> ApiResult<Response> {
    let attempt = owned(&state, &user, &id).await?;
    let now = state.now_ms();
    let result_url = attempt_url(&state, &id, "result");
    if attempt.submitted_ms.is_some() {
        return Ok(Redirect::to(&result_url).into_response());
    }
    if past_grace(&state, attempt.deadline_ms, now) {
        // Too late: what was saved before the deadline is graded; this is refused.
        finish(&state, &attempt, None, now).await?;
        return Err(ApiError::Refused(
            "交卷时间已过：按截止前自动保存的答案评分。".into(),
        ));
    }
    let sent = (!form.answers.trim().is_empty())
        .then(|| serde_json::from_str::<serde_json::Value>(&form.answers))
        .transpose()
        .map_err(|_| ApiError::BadRequest("答案格式无效。"))?;
    finish(&state, &attempt, sent.as_ref(), now).await?;
    Ok(Redirect::to(&result_url).into_response())
}

/// Grades an open attempt (with `sent`, or its saved answers) and issues its
/// certificate on a pass. Does nothing if it is graded already.
pub async fn finish(
    state: &AppState,
    attempt: &Attempt,
    sent: Option<&serde_json::Value>,
    now: i64,
) -> ApiResult<()> {
    if attempt.submitted_ms.is_some() {
        return Ok(());
    }
    let (file, settings) = exam(state, &attempt.exam_id)?;
    let paper = paper(attempt)?;
    let answers = match sent {
        Some(v) => grading::normalise_answers(&paper, v),
        None => answers(attempt),
    };
    let graded = grading::grade_paper(&file.quiz.items, settings, &paper, &answers);
    let results =
        serde_json::to_string(&graded.results).map_err(|e| ApiError::Internal(e.to_string()))?;
    let responses = grading::responses_json(&file.quiz.items, &paper, &answers, &graded.results);
    let answers_text = serde_json::Value::Object(answers).to_string();
    let submission = Submission {
        answers: &answers_text,
        submitted_ms: now.min(attempt.deadline_ms + state.config.grace.whole_milliseconds() as i64),
        points: graded.points,
        max_points: graded.max_points,
        passed: graded.passed,
        results: &results,
        responses: &responses,
    };
    let certificate = match &settings.certificate {
        Some(cert) if graded.passed => Some(NewCertificate {
            user_id: attempt.user_id.clone(),
            exam_id: attempt.exam_id.clone(),
            attempt_id: attempt.id.clone(),
            name: cert.name.clone(),
            score_percent: (graded.points * 1000.0 / graded.max_points).round() / 10.0,
            issued_ms: now,
            expires_ms: grading::expiry(now, cert.valid_days),
            cited: super::certificates::cited_json(&state.site.library, &file.quiz),
        }),
        _ => None,
    };
    let done = state
        .store
        .grade_attempt(&attempt.id, &submission, certificate)
        .await?;
    if let Finished::Now {
        certificate: Some(id),
    } = done
    {
        tracing::info!(certificate = %id, attempt = %attempt.id, "certificate issued");
    }
    Ok(())
}

#[derive(Serialize)]
struct ResultPage<'a> {
    exam: ExamInfo<'a>,
    result: ResultInfo,
    topics: Vec<TopicRow>,
    missed: Vec<Missed>,
    reveal: bool,
    certificate_id: Option<String>,
}

#[derive(Serialize)]
struct ResultInfo {
    points: f64,
    max_points: f64,
    percent: f64,
    passed: bool,
}

#[derive(Serialize)]
struct TopicRow {
    name: String,
    points: f64,
    max_points: f64,
}

#[derive(Serialize)]
struct Missed {
    prompt_html: String,
    source_href: Option<String>,
    answer_html: Option<String>,
}

pub async fn result(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut attempt = owned(&state, &user, &id).await?;
    let now = state.now_ms();
    if attempt.submitted_ms.is_none() {
        if !past_grace(&state, attempt.deadline_ms, now) {
            return Ok(Redirect::to(&attempt_url(&state, &id, "")).into_response());
        }
        finish(&state, &attempt, None, now).await?;
        attempt = owned(&state, &user, &id).await?;
    }
    let (file, settings) = exam(&state, &attempt.exam_id)?;
    let results: Vec<QuestionResult> =
        serde_json::from_str(attempt.results.as_deref().unwrap_or("[]"))
            .map_err(|e| ApiError::Internal(format!("results of {id}: {e}")))?;
    let paper = paper(&attempt)?;
    let reveal = settings.reveal == Reveal::Answers;
    let missed = results
        .iter()
        .filter(|r| !r.correct)
        .filter_map(|r| missed(&state, &file.quiz.items, &paper, r, reveal))
        .collect();
    let (points, max_points) = (
        attempt.points.unwrap_or(0.0),
        attempt.max_points.unwrap_or(0.0),
    );
    let page = ResultPage {
        exam: ExamInfo {
            id: &file.quiz.id,
            title: &file.quiz.title,
            pass_mark_percent: settings.pass_mark_percent,
        },
        result: ResultInfo {
            points: round1(points),
            max_points: round1(max_points),
            percent: if max_points > 0.0 {
                round1(points * 100.0 / max_points)
            } else {
                0.0
            },
            passed: attempt.passed == Some(true),
        },
        topics: grading::by_topic(&file.quiz.items, &results)
            .into_iter()
            .map(|(name, p, m)| TopicRow {
                name,
                points: round1(p),
                max_points: round1(m),
            })
            .collect(),
        missed,
        reveal,
        certificate_id: state.store.certificate_of_attempt(&id).await?.map(|c| c.id),
    };
    let html = state
        .pages
        .render("server/result.html", &frame(&state, Some(&user)), &page)?;
    Ok(Html(html).into_response())
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn missed(
    state: &AppState,
    items: &[crate::quiz::Item],
    paper: &Paper,
    r: &QuestionResult,
    reveal: bool,
) -> Option<Missed> {
    let item = items.get(r.item)?;
    let (question, key) = displayed(item, paper.questions.get(r.index)?);
    let source_href = question
        .source
        .as_ref()
        .and_then(|l| state.site.library.source_path(l))
        .map(|p| format!("{}{p}", state.base()));
    let answer_html = reveal.then(|| {
        let mut html = String::new();
        if let (Rule::Choice { correct, .. }, Some(options)) =
            (&key.rule, options_of(&question.body))
        {
            let right: Vec<&str> = options
                .iter()
                .zip(correct)
                .filter(|(_, c)| **c)
                .map(|(o, _)| o.as_str())
                .collect();
            html.push_str(&format!(
                "<p>正确答案：{}</p>",
                crate::markdown::escape_html(&right.join("；"))
            ));
        }
        html.push_str(&markdown(state, &key.explanation));
        html
    });
    Some(Missed {
        prompt_html: markdown(state, &question.prompt),
        source_href,
        answer_html,
    })
}

fn options_of(body: &crate::quiz::Body) -> Option<&Vec<String>> {
    use crate::quiz::Body;
    match body {
        Body::Single { options } | Body::Multiple { options } | Body::Scenario { options, .. } => {
            Some(options)
        }
        _ => None,
    }
}
