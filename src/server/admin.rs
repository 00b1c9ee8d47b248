//! The admins' pages (`/admin/…`): find an account, see its attempts (voided ones
//! too) and certificates, reset an exam for an agent, revoke a certificate with a
//! reason, and read the audit log ([`admin_audit`](super::admin_audit)).
//!
//! Only role `admin` may open or act on any of it: the pages span every team and
//! the audit log names every account, while supervisors already have their own
//! team's records on the dashboard. Every action is a POST behind the CSRF check, must
//! carry a reason and a ticked confirmation, and is written with its audit entry in
//! one transaction (the store's `reset_exam` / `revoke_with_reason`).

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use crate::store::{AuditEntry, ExamReset, Role, User};

use super::auth::{CurrentUser, frame};
use super::certificates::status;
use super::error::{ApiError, ApiResult};
use super::state::{AppState, instant};

/// The longest reason kept (characters).
const MAX_REASON: usize = 500;
/// The most accounts a search lists.
const SEARCH_LIMIT: i64 = 50;

/// The admin routes (below the base path).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/", get(|| async { Redirect::to("users/") }))
        .route("/admin/users/", get(search))
        .route("/admin/users/{login}/", get(user_page))
        .route("/admin/users/{login}/reset", post(reset))
        .route("/admin/certificates/{id}/revoke", post(revoke))
        .route("/admin/audit/", get(super::admin_audit::page))
}

/// The signed-in user, if an admin.
pub(super) fn admin(user: CurrentUser) -> ApiResult<User> {
    match user.0.role {
        Role::Admin => Ok(user.0),
        _ => Err(ApiError::Forbidden("只有管理员可以使用账户管理。")),
    }
}

/// An instant as `2027-03-01 09:05:07` (UTC).
pub(super) fn second(ms: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let at = instant(ms);
    at.format(format).unwrap_or_else(|_| at.to_string())
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Serialize)]
struct Found {
    login: String,
    /// The login as a URL segment.
    segment: String,
    name: String,
    team: String,
    role: Role,
    disabled: bool,
}

async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<SearchQuery>,
) -> ApiResult<Html<String>> {
    let user = admin(user)?;
    let q = query.q.trim();
    let found: Vec<Found> = if q.is_empty() {
        Vec::new()
    } else {
        let users = state.store.find_users(q, SEARCH_LIMIT).await?;
        users
            .into_iter()
            .map(|u| Found {
                segment: segment(&u.login),
                login: u.login,
                name: u.name,
                team: u.team,
                role: u.role,
                disabled: u.disabled,
            })
            .collect()
    };
    let page = serde_json::json!({ "q": q, "found": found, "searched": !q.is_empty() });
    Ok(Html(state.pages.render(
        "server/admin_users.html",
        &frame(&state, Some(&user)),
        &page,
    )?))
}

#[derive(Deserialize, Default)]
pub struct UserQuery {
    #[serde(default)]
    done: String,
}

#[derive(Serialize)]
struct AttemptRow {
    exam: String,
    started: String,
    submitted: Option<String>,
    percent: Option<f64>,
    /// `passed`, `failed`, `open` or `voided`.
    outcome: &'static str,
    outcome_text: &'static str,
}

#[derive(Serialize)]
struct CertRow {
    id: String,
    name: String,
    issued: String,
    status_text: &'static str,
    revoked: bool,
    reason: Option<String>,
}

#[derive(Serialize)]
struct ExamChoice {
    id: String,
    title: String,
}

#[derive(Serialize)]
struct UserPage {
    account: Found,
    done: Option<&'static str>,
    attempts: Vec<AttemptRow>,
    certificates: Vec<CertRow>,
    exams: Vec<ExamChoice>,
}

fn exam_title(state: &AppState, id: &str) -> String {
    state
        .site
        .quiz(id)
        .map_or_else(|| id.to_string(), |q| q.quiz.title.clone())
}

async fn account(state: &AppState, login: &str) -> ApiResult<User> {
    state
        .store
        .user_by_login(login)
        .await?
        .ok_or(ApiError::NotFound)
}

async fn user_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(login): Path<String>,
    Query(query): Query<UserQuery>,
) -> ApiResult<Html<String>> {
    let user = admin(user)?;
    let agent = account(&state, &login).await?;
    let now = state.now_ms();
    let attempts = state
        .store
        .attempt_history(&agent.id)
        .await?
        .into_iter()
        .map(|(a, voided_ms)| {
            let (outcome, outcome_text) = match (voided_ms, a.submitted_ms, a.passed) {
                (Some(_), _, _) => ("voided", "已作废（重置）"),
                (None, None, _) => ("open", "进行中"),
                (None, Some(_), Some(true)) => ("passed", "通过"),
                (None, Some(_), _) => ("failed", "未通过"),
            };
            AttemptRow {
                exam: exam_title(&state, &a.exam_id),
                started: second(a.started_ms),
                submitted: a.submitted_ms.map(second),
                percent: a
                    .points
                    .zip(a.max_points)
                    .filter(|(_, m)| *m > 0.0)
                    .map(|(p, m)| (p * 1000.0 / m).round() / 10.0),
                outcome,
                outcome_text,
            }
        })
        .collect();
    let certificates = state
        .store
        .certificates_of(&agent.id)
        .await?
        .into_iter()
        .map(|c| {
            let (st, _) = status(&state, &c, now);
            CertRow {
                issued: second(c.issued_ms),
                status_text: st.text(),
                revoked: c.revoked_ms.is_some(),
                reason: c.revoked_reason,
                id: c.id,
                name: c.name,
            }
        })
        .collect();
    let exams = state
        .site
        .quizzes
        .iter()
        .filter(|q| q.quiz.is_exam())
        .map(|q| ExamChoice {
            id: q.quiz.id.clone(),
            title: q.quiz.title.clone(),
        })
        .collect();
    let page = UserPage {
        done: match query.done.as_str() {
            "reset" => Some("考试已重置：该员工可以重新开始考试。"),
            "revoked" => Some("证书已撤销。"),
            _ => None,
        },
        account: Found {
            segment: segment(&agent.login),
            login: agent.login,
            name: agent.name,
            team: agent.team,
            role: agent.role,
            disabled: agent.disabled,
        },
        attempts,
        certificates,
        exams,
    };
    Ok(Html(state.pages.render(
        "server/admin_user.html",
        &frame(&state, Some(&user)),
        &page,
    )?))
}

/// What every admin action's form sends.
#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    exam: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: String,
}

impl ActionForm {
    /// The reason, once the confirmation is ticked and a reason given.
    fn checked(&self) -> ApiResult<&str> {
        if self.confirm != "yes" {
            return Err(ApiError::BadRequest("请勾选确认框后再提交。"));
        }
        let reason = self.reason.trim();
        if reason.is_empty() {
            return Err(ApiError::BadRequest("请填写原因：它会记入审计日志。"));
        }
        if reason.chars().count() > MAX_REASON {
            return Err(ApiError::BadRequest("原因太长（最多 500 字）。"));
        }
        Ok(reason)
    }
}

fn entry(user: &User, action: &str, detail: String, at_ms: i64) -> AuditEntry {
    AuditEntry {
        at_ms,
        actor: format!("web:{}", user.login),
        action: action.into(),
        detail,
    }
}

fn segment(login: &str) -> String {
    percent_encoding::utf8_percent_encode(login, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn user_url(state: &AppState, login: &str, done: &str) -> String {
    format!(
        "{}admin/users/{}/?done={done}",
        state.base(),
        segment(login)
    )
}

async fn reset(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(login): Path<String>,
    Form(form): Form<ActionForm>,
) -> ApiResult<Response> {
    let user = admin(user)?;
    let reason = form.checked()?;
    let agent = account(&state, &login).await?;
    let exam = state
        .site
        .quiz(&form.exam)
        .filter(|q| q.quiz.is_exam())
        .ok_or(ApiError::BadRequest("没有这场考试。"))?;
    let exam_id = &exam.quiz.id;
    let audit = entry(
        &user,
        "exam.reset",
        format!("{} {exam_id}: {reason}", agent.login),
        state.now_ms(),
    );
    let voided = state
        .store
        .reset_exam(&ExamReset {
            user_id: &agent.id,
            exam_id,
            reason,
            audit: &audit,
        })
        .await?;
    tracing::info!(agent = %agent.login, exam = %exam_id, voided = ?voided, "exam reset");
    Ok(Redirect::to(&user_url(&state, &agent.login, "reset")).into_response())
}

async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> ApiResult<Response> {
    let user = admin(user)?;
    let reason = form.checked()?;
    let cert = state
        .store
        .certificate(&id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let holder = state
        .store
        .user(&cert.user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let audit = entry(
        &user,
        "certificate.revoke",
        format!("{} ({}, {}): {reason}", cert.id, holder.login, cert.name),
        state.now_ms(),
    );
    if !state
        .store
        .revoke_with_reason(&cert.id, reason, &audit)
        .await?
    {
        return Err(ApiError::Refused("这张证书已经撤销过了。".into()));
    }
    tracing::info!(certificate = %cert.id, "certificate revoked");
    Ok(Redirect::to(&user_url(&state, &holder.login, "revoked")).into_response())
}
