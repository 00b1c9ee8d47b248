//! Certificates: the agent's list, the printable page, the public verification page,
//! and whether a certificate still stands — valid, expired, revoked, or needing
//! re-certification because the handbook now says something else in a paragraph the
//! exam cites (the text at issue is kept with the certificate and compared with the
//! site this server loaded).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Html;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Iso8601;

use crate::content::Library;
use crate::quiz::Quiz;
use crate::site::LessonIndex;
use crate::store::CertificateRow;

use super::auth::{CurrentUser, frame};
use super::error::{ApiError, ApiResult};
use super::state::{AppState, instant};

/// One cited paragraph as it read when the certificate was issued.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Cited {
    pub source: String,
    pub hash: String,
    pub text: String,
}

/// The paragraphs the exam's questions cite, as JSON (sorted by source).
pub fn cited_json(lib: &Library, quiz: &Quiz) -> String {
    let mut cited: BTreeMap<String, Cited> = BTreeMap::new();
    for item in &quiz.items {
        let Some(link) = &item.question.source else {
            continue;
        };
        let text = lib.cited_text(link).unwrap_or_default();
        cited.entry(link.target.clone()).or_insert_with(|| Cited {
            source: link.target.clone(),
            hash: blake3::hash(text.as_bytes()).to_hex().to_string(),
            text,
        });
    }
    serde_json::to_string(&cited.into_values().collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertStatus {
    Valid,
    Expired,
    Revoked,
    Recertify,
}

impl CertStatus {
    pub fn text(self) -> &'static str {
        match self {
            CertStatus::Valid => "有效",
            CertStatus::Expired => "已过期",
            CertStatus::Revoked => "已撤销",
            CertStatus::Recertify => "需要重新认证（相关规则已修改）",
        }
    }
}

/// A changed paragraph: what it said at issue and what it says now.
#[derive(Debug, Serialize)]
pub struct Change {
    source: String,
    old: String,
    new: String,
}

/// The certificate's status now, and the cited paragraphs that changed since issue.
pub fn status(state: &AppState, c: &CertificateRow, now_ms: i64) -> (CertStatus, Vec<Change>) {
    let changes = changes(state, c);
    let status = if c.revoked_ms.is_some() {
        CertStatus::Revoked
    } else if c.expires_ms.is_some_and(|e| e <= now_ms) {
        CertStatus::Expired
    } else if !changes.is_empty() {
        CertStatus::Recertify
    } else {
        CertStatus::Valid
    };
    (status, changes)
}

fn changes(state: &AppState, c: &CertificateRow) -> Vec<Change> {
    let cited: Vec<Cited> = serde_json::from_str(&c.cited).unwrap_or_default();
    let Some(quiz) = state.site.quiz(&c.exam_id) else {
        return Vec::new();
    };
    cited
        .into_iter()
        .filter_map(|old| {
            let link = quiz
                .quiz
                .items
                .iter()
                .filter_map(|i| i.question.source.as_ref())
                .find(|l| l.target == old.source)?;
            let now = state.site.library.cited_text(link).unwrap_or_default();
            (blake3::hash(now.as_bytes()).to_hex().as_str() != old.hash).then_some(Change {
                source: old.source,
                old: old.text,
                new: now,
            })
        })
        .collect()
}

fn day(ms: i64) -> String {
    let at = instant(ms);
    at.date()
        .format(&Iso8601::DATE)
        .unwrap_or_else(|_| at.date().to_string())
}

#[derive(Serialize)]
struct ListItem {
    id: String,
    name: String,
    issued: String,
    status: CertStatus,
    status_text: &'static str,
}

pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Html<String>> {
    let now = state.now_ms();
    let certificates: Vec<ListItem> = state
        .store
        .certificates_of(&user.id)
        .await?
        .into_iter()
        .map(|c| {
            let (status, _) = status(&state, &c, now);
            ListItem {
                name: c.name,
                issued: day(c.issued_ms),
                id: c.id,
                status,
                status_text: status.text(),
            }
        })
        .collect();
    let page = serde_json::json!({ "certificates": certificates });
    Ok(Html(state.pages.render(
        "server/certificates.html",
        &frame(&state, Some(&user)),
        &page,
    )?))
}

#[derive(Serialize)]
struct Printable {
    id: String,
    name: String,
    holder: String,
    team: String,
    score: f64,
    issued: String,
    expires: Option<String>,
    status: CertStatus,
    status_text: &'static str,
}

pub async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Html<String>> {
    let c = state
        .store
        .certificate(&id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let staff = user.role >= crate::store::Role::Trainer;
    if c.user_id != user.id && !staff {
        return Err(ApiError::NotFound);
    }
    let holder = state
        .store
        .user(&c.user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (status, changed) = status(&state, &c, state.now_ms());
    let printable = Printable {
        id: c.id.clone(),
        name: c.name.clone(),
        holder: holder.name,
        team: holder.team,
        score: c.score_percent,
        issued: day(c.issued_ms),
        expires: c.expires_ms.map(day),
        status,
        status_text: status.text(),
    };
    let page = serde_json::json!({ "c": printable, "changed": changed });
    Ok(Html(state.pages.render(
        "server/certificate.html",
        &frame(&state, Some(&user)),
        &page,
    )?))
}

/// Public: the holder's name and the status, nothing else.
pub async fn verify(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Html<String>> {
    let found = match state.store.certificate(&id).await? {
        Some(c) => state.store.user(&c.user_id).await?.map(|u| (c, u)),
        None => None,
    };
    let page = match found {
        Some((c, holder)) => {
            let (status, _) = status(&state, &c, state.now_ms());
            // Verification speaks of the certificate itself: a rule change is the
            // agent's to act on, not a third party's to see.
            let shown = if status == CertStatus::Recertify {
                CertStatus::Valid
            } else {
                status
            };
            serde_json::json!({ "found": true, "holder": holder.name, "status": shown, "status_text": shown.text() })
        }
        None => serde_json::json!({ "found": false }),
    };
    Ok(Html(state.pages.render(
        "server/verify.html",
        &frame(&state, None),
        &page,
    )?))
}
