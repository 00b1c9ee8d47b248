//! Who has not acknowledged a rule change (`/dashboard/changes/` and its CSV): per
//! change and per team, with counts, for supervisors (their own team) and admins
//! (every team, or one). Trainers see no individuals, so neither route is theirs.
//! Filters in the URL: `team`, `change` (a change's id), `status` (`pending`, the
//! default, or `all`).

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::{Html, Response};
use serde::{Deserialize, Serialize};

use crate::spreadsheet::{Cell, CsvWriter};
use crate::store::{AckRow, RuleChange, User};

use super::super::auth::{CurrentUser, frame};
use super::super::error::{ApiError, ApiResult};
use super::super::state::AppState;
use super::{Scope, csv_response, encode, minute};

/// The most agents the page lists (the CSV has them all).
const SHOWN: usize = 500;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AckFilters {
    pub team: String,
    pub change: String,
    pub status: String,
}

impl AckFilters {
    fn all(&self) -> bool {
        self.status == "all"
    }

    fn query(&self) -> String {
        let pairs = [
            ("team", &self.team),
            ("change", &self.change),
            ("status", &self.status),
        ];
        let parts: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

#[derive(Serialize)]
struct Counts {
    due: usize,
    done: usize,
    pending: usize,
}

impl Counts {
    fn of<'a>(rows: impl Iterator<Item = &'a AckRow>) -> Counts {
        let (mut due, mut done) = (0, 0);
        for r in rows {
            due += 1;
            done += usize::from(r.at_ms.is_some());
        }
        Counts {
            due,
            done,
            pending: due - done,
        }
    }
}

#[derive(Serialize)]
struct ChangeRow {
    id: String,
    title: String,
    changed: String,
    selected: bool,
    query: String,
    counts: Counts,
    teams: Vec<(String, Counts)>,
}

#[derive(Serialize)]
struct AgentRow<'a> {
    login: &'a str,
    segment: String,
    name: &'a str,
    team: &'a str,
    change: &'a str,
    acknowledged: Option<String>,
}

#[derive(Serialize)]
struct Page<'a> {
    filters: &'a AckFilters,
    any_team: bool,
    scope_team: &'a str,
    teams: Vec<String>,
    changes: Vec<ChangeRow>,
    rows: Vec<AgentRow<'a>>,
    total: usize,
    truncated: bool,
    csv: String,
}

/// The changes the filters select, and every due agent's row for them.
async fn load(
    state: &AppState,
    user: &User,
    filters: &AckFilters,
) -> ApiResult<(Scope, Vec<RuleChange>, Vec<AckRow>)> {
    let scope = Scope::of(user, &filters.team)?;
    scope.require_agents()?;
    let changes = state.store.rule_changes().await?;
    let rows = state
        .store
        .acknowledgement_rows(&scope.team, &filters.change)
        .await?;
    Ok((scope, changes, rows))
}

fn wanted(filters: &AckFilters, row: &AckRow) -> bool {
    filters.all() || row.at_ms.is_none()
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(filters): Query<AckFilters>,
) -> ApiResult<Html<String>> {
    let (scope, changes, rows) = load(&state, &user, &filters).await?;
    let mut by_change: BTreeMap<&str, Vec<&AckRow>> = BTreeMap::new();
    for r in &rows {
        by_change.entry(&r.change_id).or_default().push(r);
    }
    let titles: BTreeMap<&str, &str> = changes
        .iter()
        .map(|c| (c.id.as_str(), c.title.as_str()))
        .collect();
    let change_rows = changes
        .iter()
        .map(|c| {
            let mine = by_change.get(c.id.as_str()).map_or(&[][..], Vec::as_slice);
            let mut teams: BTreeMap<&str, Vec<&AckRow>> = BTreeMap::new();
            for r in mine {
                teams.entry(&r.team).or_default().push(r);
            }
            ChangeRow {
                id: c.id.clone(),
                title: c.title.clone(),
                changed: minute(c.changed_ms),
                selected: c.id == filters.change,
                query: AckFilters {
                    change: c.id.clone(),
                    ..filters.clone()
                }
                .query(),
                counts: Counts::of(mine.iter().copied()),
                teams: teams
                    .into_iter()
                    .map(|(t, rs)| (t.to_owned(), Counts::of(rs.into_iter())))
                    .collect(),
            }
        })
        .collect();
    let listed: Vec<&AckRow> = rows.iter().filter(|r| wanted(&filters, r)).collect();
    let total = listed.len();
    let shown = listed
        .into_iter()
        .take(SHOWN)
        .map(|r| AgentRow {
            login: &r.login,
            segment: encode(&r.login),
            name: &r.name,
            team: &r.team,
            change: titles.get(r.change_id.as_str()).copied().unwrap_or(""),
            acknowledged: r.at_ms.map(minute),
        })
        .collect();
    let teams = scope.teams(&state).await?;
    let view = Page {
        filters: &filters,
        any_team: scope.any_team,
        scope_team: &scope.team,
        teams,
        changes: change_rows,
        rows: shown,
        total,
        truncated: total > SHOWN,
        csv: filters.query(),
    };
    let html = state.pages.render(
        "server/dashboard_changes.html",
        &frame(&state, Some(&user)),
        &view,
    )?;
    Ok(Html(html))
}

/// The same list as CSV: every agent the filters select, not only the first ones.
pub async fn csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(filters): Query<AckFilters>,
) -> ApiResult<Response> {
    let (_, changes, rows) = load(&state, &user, &filters).await?;
    let by_id: BTreeMap<&str, &RuleChange> = changes.iter().map(|c| (c.id.as_str(), c)).collect();
    let internal = |e: std::io::Error| ApiError::Internal(e.to_string());
    let header = [
        "规则更新",
        "更新时间（UTC）",
        "工号",
        "姓名",
        "团队",
        "确认时间（UTC）",
    ];
    let mut out = CsvWriter::new(Vec::new(), &header).map_err(internal)?;
    for r in rows.iter().filter(|r| wanted(&filters, r)) {
        let Some(c) = by_id.get(r.change_id.as_str()) else {
            continue;
        };
        let changed = minute(c.changed_ms);
        let at = r.at_ms.map(minute);
        out.row(&[
            Cell::Text(&c.title),
            Cell::Text(&changed),
            Cell::Text(&r.login),
            Cell::Text(&r.name),
            Cell::Text(&r.team),
            at.as_deref().map_or(Cell::Empty, Cell::Text),
        ])
        .map_err(internal)?;
    }
    Ok(csv_response(
        "acknowledgements.csv",
        out.finish().map_err(internal)?,
    ))
}
