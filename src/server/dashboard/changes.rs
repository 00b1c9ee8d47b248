//! Rule changes as agents meet them: recording them when a rebuilt handbook is served
//! ([`publish`]), the agent's page of changes awaiting their acknowledgement with the
//! old and new text side by side (`/changes/`), and the acknowledgement itself (a POST,
//! behind the CSRF check, idempotent).
//!
//! A change is a tracked passage (`site::passages`: policy pages cut at headings, and
//! every cited paragraph) whose text differs from the version last published in this
//! database; a new passage and a removed one are changes too. The first start on a
//! database records the handbook as it is, with no changes.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;

use crate::site::passages::passages;
use crate::store::{PublishedPassage, Role, RuleChange, StoreError};

use super::super::auth::{CurrentUser, frame};
use super::super::error::{ApiError, ApiResult};
use super::super::state::AppState;
use super::minute;

/// Compares the loaded handbook's passages with the last published ones and records
/// each difference as a rule change (none on a database's first start). Returns how
/// many changes were recorded.
pub async fn publish(state: &AppState) -> Result<usize, StoreError> {
    let now = passages(&state.site.library, &state.site.quizzes);
    let before: BTreeMap<String, PublishedPassage> = state
        .store
        .published_passages()
        .await?
        .into_iter()
        .map(|p| (p.key.clone(), p))
        .collect();
    let first = before.is_empty();
    let mut current = Vec::new();
    let mut changes = Vec::new();
    let mut change = |key: &str, page: &str, title: &str, old: &str, new: &str| {
        changes.push(RuleChange {
            id: String::new(),
            passage: key.to_owned(),
            page: page.to_owned(),
            title: title.to_owned(),
            old_text: old.to_owned(),
            new_text: new.to_owned(),
            changed_ms: 0,
        });
    };
    for p in &now {
        let old = before.get(&p.key);
        if old.is_some_and(|o| o.hash == p.hash && o.title == p.title) {
            continue;
        }
        if !first && old.is_none_or(|o| o.hash != p.hash) {
            let old_text = old.map_or("", |o| o.text.as_str());
            change(&p.key, &p.page, &p.title, old_text, &p.text);
        }
        current.push(PublishedPassage {
            key: p.key.clone(),
            page: p.page.clone(),
            title: p.title.clone(),
            hash: p.hash.clone(),
            text: p.text.clone(),
        });
    }
    let kept: std::collections::BTreeSet<&str> = now.iter().map(|p| p.key.as_str()).collect();
    for old in before.values().filter(|o| !kept.contains(o.key.as_str())) {
        change(&old.key, &old.page, &old.title, &old.text, "");
        current.push(PublishedPassage {
            hash: String::new(),
            ..old.clone()
        });
    }
    if current.is_empty() {
        return Ok(0);
    }
    state
        .store
        .publish_passages(&current, &changes, state.now_ms())
        .await?;
    Ok(changes.len())
}

/// A run of text in a side of the diff: unchanged, or removed/added.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Run {
    pub changed: bool,
    pub text: String,
}

/// The old and new text as runs, character by character (Chinese has no spaces to
/// split words at), unchanged runs on both sides.
pub fn diff(old: &str, new: &str) -> (Vec<Run>, Vec<Run>) {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::configure()
        .timeout(std::time::Duration::from_millis(200))
        .diff_chars(old, new);
    let (mut left, mut right): (Vec<Run>, Vec<Run>) = (Vec::new(), Vec::new());
    let add = |side: &mut Vec<Run>, changed: bool, text: &str| match side.last_mut() {
        Some(last) if last.changed == changed => last.text.push_str(text),
        _ => side.push(Run {
            changed,
            text: text.to_owned(),
        }),
    };
    for c in diff.iter_all_changes() {
        match c.tag() {
            ChangeTag::Equal => {
                add(&mut left, false, c.value());
                add(&mut right, false, c.value());
            }
            ChangeTag::Delete => add(&mut left, true, c.value()),
            ChangeTag::Insert => add(&mut right, true, c.value()),
        }
    }
    (left, right)
}

#[derive(Serialize)]
pub struct ChangeView {
    id: String,
    title: String,
    href: Option<String>,
    changed: String,
    old: Vec<Run>,
    new: Vec<Run>,
    acknowledged: Option<String>,
}

impl ChangeView {
    fn of(state: &AppState, c: &RuleChange, acknowledged: Option<i64>) -> ChangeView {
        let (old, new) = diff(&c.old_text, &c.new_text);
        let lib = &state.site.library;
        let anchor = c.passage.split_once('#').map(|(_, a)| a);
        let href = lib.find(&c.page).map(|child| {
            let mut href = format!("{}{}", state.base(), lib.url_path(child));
            if let Some(a) = anchor {
                href.push('#');
                href.push_str(a);
            }
            href
        });
        ChangeView {
            id: c.id.clone(),
            title: c.title.clone(),
            href,
            changed: minute(c.changed_ms),
            old,
            new,
            acknowledged: acknowledged.map(minute),
        }
    }
}

#[derive(Serialize)]
struct Page {
    agent: bool,
    pending: Vec<ChangeView>,
    done: Vec<ChangeView>,
}

/// `/changes/`: for an agent, the changes awaiting their acknowledgement and the ones
/// they have acknowledged; for staff, every change (newest first).
pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Html<String>> {
    let agent = user.role == Role::Agent;
    let (pending, done) = if agent {
        let pending = state.store.pending_changes(&user.id).await?;
        let done = state.store.acknowledged_changes(&user.id).await?;
        (
            pending
                .iter()
                .map(|c| ChangeView::of(&state, c, None))
                .collect(),
            done.iter()
                .map(|(c, at)| ChangeView::of(&state, c, Some(*at)))
                .collect(),
        )
    } else {
        // Staff see every change, to know what their agents are asked to read.
        let all = state.store.rule_changes().await?;
        (
            all.iter()
                .map(|c| ChangeView::of(&state, c, None))
                .collect(),
            Vec::new(),
        )
    };
    let view = Page {
        agent,
        pending,
        done,
    };
    let html = state
        .pages
        .render("server/changes.html", &frame(&state, Some(&user)), &view)?;
    Ok(Html(html))
}

/// `POST /changes/{id}/acknowledge`: the agent has read the change. A repeat is
/// answered like the first; a change the agent is not due to acknowledge is "not
/// found".
pub async fn acknowledge(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    if user.role != Role::Agent {
        return Err(ApiError::Forbidden("只有客服需要确认规则更新。"));
    }
    if !state
        .store
        .acknowledge(&id, &user.id, state.now_ms())
        .await?
    {
        return Err(ApiError::NotFound);
    }
    Ok(Redirect::to(&format!("{}changes/", state.base())).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(side: &[Run]) -> Vec<(bool, &str)> {
        side.iter().map(|r| (r.changed, r.text.as_str())).collect()
    }

    #[test]
    fn diff_marks_what_changed_on_each_side() {
        let (old, new) = diff("买家 72 小时内未处理", "买家 48 小时内未处理");
        assert_eq!(
            runs(&old),
            [(false, "买家 "), (true, "72"), (false, " 小时内未处理")]
        );
        assert_eq!(
            runs(&new),
            [(false, "买家 "), (true, "48"), (false, " 小时内未处理")]
        );
        let (old, new) = diff("", "新规则");
        assert!(old.is_empty());
        assert_eq!(runs(&new), [(true, "新规则")]);
    }
}
