//! The audit log page (`/admin/audit/`): every admin action, newest first, a page of
//! [`PER_PAGE`] entries at a time, for admins only.

use axum::extract::{Query, State};
use axum::response::Html;
use serde::{Deserialize, Serialize};

use super::admin::{admin, second};
use super::auth::{CurrentUser, frame};
use super::error::ApiResult;
use super::state::AppState;

/// Entries per page.
pub const PER_PAGE: i64 = 50;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    /// 1-based; anything unreadable is the first page.
    #[serde(default)]
    page: Option<String>,
}

#[derive(Serialize)]
struct Row {
    at: String,
    actor: String,
    action: String,
    detail: String,
}

#[derive(Serialize)]
struct AuditPage {
    entries: Vec<Row>,
    page: i64,
    pages: i64,
    total: i64,
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<AuditQuery>,
) -> ApiResult<Html<String>> {
    let user = admin(user)?;
    let total = state.store.audit_count().await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let page = query
        .page
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let entries = state
        .store
        .audit_page((page - 1) * PER_PAGE, PER_PAGE)
        .await?
        .into_iter()
        .map(|e| Row {
            at: second(e.at_ms),
            actor: e.actor,
            action: e.action,
            detail: e.detail,
        })
        .collect();
    let view = AuditPage {
        entries,
        page,
        pages,
        total,
    };
    Ok(Html(state.pages.render(
        "server/admin_audit.html",
        &frame(&state, Some(&user)),
        &view,
    )?))
}
