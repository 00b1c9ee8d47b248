//! Who has not acknowledged a rule change (`/dashboard/changes/` and its CSV): per
//! change and per team, with counts, for supervisors (their own team) and admins
//! (every team, or one). Trainers see no individuals, so neither route is theirs.
//! Filters in the URL: `team`, `change` (a change's id), `status` (`pending`, the
//! default, or `all`) and `page` (the list is paginated; the CSV has every row).

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Query, State};
use axum::response::{Html, Response};
use serde::{Deserialize, Serialize};

use crate::spreadsheet::{Cell, CsvWriter};
use crate::store::{Acknowledged, AgentRow, RuleChange};

use super::super::auth::{CurrentUser, frame};
use super::super::error::ApiResult;
use super::super::state::AppState;
use super::{Pager, Scope, csv_response, encode, minute};

/// Agents per page of the list (the CSV has them all).
const PAGE_SIZE: usize = 100;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AckFilters {
    pub team: String,
    pub change: String,
    pub status: String,
    pub page: usize,
}

impl AckFilters {
    fn all(&self) -> bool {
        self.status == "all"
    }

    /// The query string that reproduces these filters with `page` (for links).
    fn query(&self, page: usize) -> String {
        let pairs = [
            ("team", &self.team),
            ("change", &self.change),
            ("status", &self.status),
        ];
        let mut parts: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// One agent due to acknowledge one change (recorded after their account was made),
/// and when they did.
struct Due<'a> {
    change: &'a RuleChange,
    agent: &'a AgentRow,
    at_ms: Option<i64>,
}

/// The changes, the active agents in scope and their acknowledgements, read once per
/// request (three reads, whatever the number of agents) and joined here.
struct Ledger {
    changes: Vec<RuleChange>,
    agents: Vec<AgentRow>,
    /// Per change, when each user acknowledged it.
    acks: BTreeMap<String, Acknowledged>,
}

impl Ledger {
    async fn load(state: &AppState, scope: &Scope) -> ApiResult<Ledger> {
        let changes = state.store.rule_changes().await?;
        let agents = state.store.agents(&scope.team).await?;
        let acks = state.store.acknowledgements(&scope.team).await?;
        Ok(Ledger {
            changes,
            agents,
            acks,
        })
    }

    /// Everyone due per change the filters select (every change when none is named),
    /// newest change first, then by team and login.
    fn due<'a>(&'a self, filters: &'a AckFilters) -> impl Iterator<Item = Due<'a>> + 'a {
        self.changes
            .iter()
            .filter(move |c| filters.change.is_empty() || c.id == filters.change)
            .flat_map(move |change| {
                let acks = self.acks.get(&change.id);
                self.agents
                    .iter()
                    .filter(move |a| a.created_ms <= change.changed_ms)
                    .map(move |agent| Due {
                        change,
                        agent,
                        at_ms: acks.and_then(|m| m.get(&agent.id)).copied(),
                    })
            })
    }
}

fn wanted(filters: &AckFilters, due: &Due) -> bool {
    filters.all() || due.at_ms.is_none()
}

#[derive(Serialize, Default, Clone, Copy)]
struct Counts {
    due: usize,
    done: usize,
    pending: usize,
}

impl Counts {
    fn add(&mut self, done: bool) {
        self.due += 1;
        self.done += usize::from(done);
        self.pending = self.due - self.done;
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
struct AgentLine<'a> {
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
    rows: Vec<AgentLine<'a>>,
    total: usize,
    #[serde(flatten)]
    pager: Pager,
    csv: String,
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(filters): Query<AckFilters>,
) -> ApiResult<Html<String>> {
    let scope = Scope::of(&user, &filters.team)?;
    scope.require_agents()?;
    let ledger = Ledger::load(&state, &scope).await?;
    // Counts per change and team, over every change (the filter picks the list).
    let every = AckFilters {
        change: String::new(),
        ..filters.clone()
    };
    let mut counts: HashMap<&str, (Counts, BTreeMap<&str, Counts>)> = HashMap::new();
    for due in ledger.due(&every) {
        let (all, teams) = counts.entry(&due.change.id).or_default();
        all.add(due.at_ms.is_some());
        teams
            .entry(&due.agent.team)
            .or_default()
            .add(due.at_ms.is_some());
    }
    let changes = ledger
        .changes
        .iter()
        .map(|c| {
            let (all, teams) = counts.remove(c.id.as_str()).unwrap_or_default();
            ChangeRow {
                id: c.id.clone(),
                title: c.title.clone(),
                changed: minute(c.changed_ms),
                selected: c.id == filters.change,
                query: AckFilters {
                    change: c.id.clone(),
                    page: 0,
                    ..filters.clone()
                }
                .query(1),
                counts: all,
                teams: teams.into_iter().map(|(t, n)| (t.to_owned(), n)).collect(),
            }
        })
        .collect();
    let listed: Vec<Due> = ledger
        .due(&filters)
        .filter(|d| wanted(&filters, d))
        .collect();
    let total = listed.len();
    let pager = Pager::new(total, PAGE_SIZE, filters.page, |n| filters.query(n));
    let rows = pager
        .shown(listed.into_iter())
        .map(|d| AgentLine {
            login: &d.agent.login,
            segment: encode(&d.agent.login),
            name: &d.agent.name,
            team: &d.agent.team,
            change: &d.change.title,
            acknowledged: d.at_ms.map(minute),
        })
        .collect();
    let view = Page {
        filters: &filters,
        any_team: scope.any_team,
        scope_team: &scope.team,
        teams: scope.teams(&state).await?,
        changes,
        rows,
        total,
        pager,
        csv: filters.query(1),
    };
    let html = state.pages.render(
        "server/dashboard_changes.html",
        &frame(&state, Some(&user)),
        &view,
    )?;
    Ok(Html(html))
}

/// The same list as CSV: every agent the filters select, not one page.
pub async fn csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(filters): Query<AckFilters>,
) -> ApiResult<Response> {
    let scope = Scope::of(&user, &filters.team)?;
    scope.require_agents()?;
    let ledger = Ledger::load(&state, &scope).await?;
    let header = [
        "规则更新",
        "更新时间（UTC）",
        "工号",
        "姓名",
        "团队",
        "确认时间（UTC）",
    ];
    let mut out = CsvWriter::new(Vec::new(), &header)?;
    for d in ledger.due(&filters).filter(|d| wanted(&filters, d)) {
        out.row(&[
            Cell::Text(&d.change.title),
            Cell::Time(d.change.changed_ms),
            Cell::Text(&d.agent.login),
            Cell::Text(&d.agent.name),
            Cell::Text(&d.agent.team),
            d.at_ms.map_or(Cell::Empty, Cell::Time),
        ])?;
    }
    Ok(csv_response("acknowledgements.csv", out.finish()?))
}
