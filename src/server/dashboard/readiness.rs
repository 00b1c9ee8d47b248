//! Team readiness: every agent's standing on every exam, at a glance.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::{Html, Response};
use serde::Serialize;

use crate::spreadsheet::{Cell, CsvWriter};
use crate::store::AgentRow;

use super::super::auth::{CurrentUser, frame};
use super::super::error::ApiResult;
use super::super::gradebook::Certificate;
use super::super::state::AppState;
use super::{Filters, Pager, Scope, csv_response};

/// A certificate this close to expiry counts as "expiring".
const EXPIRING_MS: i64 = 30 * 24 * 3600 * 1000;
/// Agents per page of the table.
const PAGE_SIZE: usize = 50;

/// An agent's standing on one exam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Certified,
    Expiring,
    Recertify,
    Expired,
    Failed,
    Never,
}

impl Standing {
    pub const ALL: [Standing; 6] = [
        Standing::Certified,
        Standing::Expiring,
        Standing::Recertify,
        Standing::Expired,
        Standing::Failed,
        Standing::Never,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Certified => "certified",
            Standing::Expiring => "expiring",
            Standing::Recertify => "recertify",
            Standing::Expired => "expired",
            Standing::Failed => "failed",
            Standing::Never => "never",
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            Standing::Certified => "已认证",
            Standing::Expiring => "30 天内到期",
            Standing::Recertify => "需重新认证",
            Standing::Expired => "已过期",
            Standing::Failed => "未通过",
            Standing::Never => "未参加",
        }
    }

    /// Whether the agent may work the exam's topics today.
    pub fn is_valid(self) -> bool {
        matches!(self, Standing::Certified | Standing::Expiring)
    }

    /// The standing from the agent's newest unrevoked certificate (if any) and how
    /// many graded attempts they made.
    pub fn of(certificate: Option<&Certificate>, graded: u32, now_ms: i64) -> Standing {
        match certificate {
            Some(c) if c.expires_ms.is_some_and(|e| e <= now_ms) => Standing::Expired,
            Some(c) if c.stale => Standing::Recertify,
            Some(c) if c.expires_ms.is_some_and(|e| e - now_ms <= EXPIRING_MS) => {
                Standing::Expiring
            }
            Some(_) => Standing::Certified,
            None if graded > 0 => Standing::Failed,
            None => Standing::Never,
        }
    }
}

/// Every agent of a scope with a standing per exam (in the bank's exam order).
struct Board {
    exams: Vec<(String, String)>,
    agents: Vec<(AgentRow, Vec<Standing>)>,
}

async fn board(state: &AppState, scope: &Scope) -> ApiResult<Board> {
    let exams: Vec<(String, String)> = state
        .site
        .quizzes
        .iter()
        .filter(|q| q.quiz.is_exam())
        .map(|q| (q.quiz.id.clone(), q.quiz.title.clone()))
        .collect();
    let agents = state.store.agents(&scope.team).await?;
    let now = state.now_ms();
    let gradebook = state.gradebook.read(&state.store, &state.site).await?;
    let numbers: Vec<Option<u32>> = exams.iter().map(|(id, _)| gradebook.exam(id)).collect();
    let agents = agents
        .into_iter()
        .map(|agent| {
            let user = gradebook.user(&agent.id);
            let standings = numbers
                .iter()
                .map(|&exam| match (user, exam) {
                    (Some(user), Some(exam)) => Standing::of(
                        gradebook.newest_certificate(user, exam),
                        gradebook.graded(user, exam),
                        now,
                    ),
                    _ => Standing::Never,
                })
                .collect();
            (agent, standings)
        })
        .collect();
    Ok(Board { exams, agents })
}

#[derive(Serialize)]
struct Page<'a> {
    filters: &'a Filters,
    scope_team: &'a str,
    any_team: bool,
    teams: Vec<String>,
    exams: Vec<ExamColumn<'a>>,
    statuses: Vec<StatusOption>,
    ready_teams: Vec<TeamReady>,
    rows: Vec<Row<'a>>,
    total: usize,
    #[serde(flatten)]
    pager: Pager,
    csv: String,
}

#[derive(Serialize)]
struct ExamColumn<'a> {
    id: &'a str,
    title: &'a str,
    selected: bool,
    counts: Vec<(&'static str, &'static str, usize)>,
}

#[derive(Serialize)]
struct StatusOption {
    value: &'static str,
    text: &'static str,
    selected: bool,
}

#[derive(Serialize)]
struct TeamReady {
    team: String,
    agents: usize,
    ready: usize,
    all_ready: bool,
}

#[derive(Serialize)]
struct Row<'a> {
    login: &'a str,
    segment: String,
    name: &'a str,
    team: &'a str,
    cells: Vec<(&'static str, &'static str)>,
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(filters): Query<Filters>,
) -> ApiResult<Html<String>> {
    let scope = Scope::of(&user, &filters.team)?;
    scope.require_agents()?;
    let board = board(&state, &scope).await?;
    let selected = selected_exams(&board, &filters);
    let wanted = Standing::ALL
        .into_iter()
        .find(|s| s.as_str() == filters.status);
    let mut rows: Vec<&(AgentRow, Vec<Standing>)> = board
        .agents
        .iter()
        .filter(|(_, s)| wanted.is_none_or(|w| selected.iter().any(|&i| s[i] == w)))
        .collect();
    sort_rows(&mut rows, &filters.sort, &selected);
    let total = rows.len();
    let pager = Pager::new(total, PAGE_SIZE, filters.page, |n| filters.query(n));
    let teams = scope.teams(&state).await?;
    let view = Page {
        filters: &filters,
        scope_team: &scope.team,
        any_team: scope.any_team,
        teams,
        exams: exam_columns(&board, &selected),
        statuses: Standing::ALL
            .iter()
            .map(|s| StatusOption {
                value: s.as_str(),
                text: s.text(),
                selected: Some(*s) == wanted,
            })
            .collect(),
        ready_teams: ready_teams(&board, &selected),
        rows: pager
            .shown(rows.iter())
            .map(|(agent, standings)| Row {
                login: &agent.login,
                segment: super::encode(&agent.login),
                name: &agent.name,
                team: &agent.team,
                cells: selected
                    .iter()
                    .map(|&i| (standings[i].as_str(), standings[i].text()))
                    .collect(),
            })
            .collect(),
        total,
        pager,
        csv: filters.query(1),
    };
    let html = state
        .pages
        .render("server/dashboard.html", &frame(&state, Some(&user)), &view)?;
    Ok(Html(html))
}

/// The exams the filters select (all when none or an unknown one is named), as
/// indices into the board's exams.
fn selected_exams(board: &Board, filters: &Filters) -> Vec<usize> {
    let one = board.exams.iter().position(|(id, _)| *id == filters.exam);
    match one {
        Some(i) => vec![i],
        None => (0..board.exams.len()).collect(),
    }
}

fn sort_rows(rows: &mut [&(AgentRow, Vec<Standing>)], sort: &str, selected: &[usize]) {
    match sort {
        "name" => rows.sort_by(|a, b| a.0.name.cmp(&b.0.name).then(a.0.login.cmp(&b.0.login))),
        "login" => rows.sort_by(|a, b| a.0.login.cmp(&b.0.login)),
        // Worst standing first: who needs attention.
        "status" => rows.sort_by(|a, b| {
            let worst = |s: &[Standing]| selected.iter().map(|&i| s[i]).max();
            worst(&b.1)
                .cmp(&worst(&a.1))
                .then(a.0.login.cmp(&b.0.login))
        }),
        // By team, then login (the store's order).
        _ => {}
    }
}

fn exam_columns<'a>(board: &'a Board, selected: &[usize]) -> Vec<ExamColumn<'a>> {
    board
        .exams
        .iter()
        .enumerate()
        .map(|(i, (id, title))| {
            let mut counts: BTreeMap<Standing, usize> = BTreeMap::new();
            for (_, standings) in &board.agents {
                *counts.entry(standings[i]).or_default() += 1;
            }
            ExamColumn {
                id,
                title,
                selected: selected.len() == 1 && selected[0] == i,
                counts: Standing::ALL
                    .iter()
                    .map(|s| (s.as_str(), s.text(), counts.get(s).copied().unwrap_or(0)))
                    .collect(),
            }
        })
        .collect()
}

/// Per team: how many agents hold a valid certificate on every selected exam.
fn ready_teams(board: &Board, selected: &[usize]) -> Vec<TeamReady> {
    let mut teams: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (agent, standings) in &board.agents {
        let entry = teams.entry(&agent.team).or_default();
        entry.0 += 1;
        if selected.iter().all(|&i| standings[i].is_valid()) {
            entry.1 += 1;
        }
    }
    teams
        .into_iter()
        .map(|(team, (agents, ready))| TeamReady {
            team: team.to_owned(),
            agents,
            ready,
            all_ready: agents == ready,
        })
        .collect()
}

/// The same table as a CSV file (every row the filters select, not one page).
pub async fn csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(filters): Query<Filters>,
) -> ApiResult<Response> {
    let scope = Scope::of(&user, &filters.team)?;
    scope.require_agents()?;
    let board = board(&state, &scope).await?;
    let selected = selected_exams(&board, &filters);
    let mut header = vec!["工号", "姓名", "团队"];
    header.extend(selected.iter().map(|&i| board.exams[i].1.as_str()));
    let mut out = CsvWriter::new(Vec::new(), &header)?;
    let wanted = Standing::ALL
        .into_iter()
        .find(|s| s.as_str() == filters.status);
    for (agent, standings) in &board.agents {
        if wanted.is_some_and(|w| !selected.iter().any(|&i| standings[i] == w)) {
            continue;
        }
        let mut cells = vec![
            Cell::Text(&agent.login),
            Cell::Text(&agent.name),
            Cell::Text(&agent.team),
        ];
        cells.extend(selected.iter().map(|&i| Cell::Text(standings[i].text())));
        out.row(&cells)?;
    }
    Ok(csv_response("team-status.csv", out.finish()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certificate(expires_ms: Option<i64>, stale: bool) -> Certificate {
        Certificate::new(0, expires_ms, stale)
    }

    #[test]
    fn standing_follows_the_newest_certificate_then_the_attempts() {
        let day = 24 * 3600 * 1000;
        let now = 100 * day;
        let cases = [
            (Some(certificate(None, false)), 1, Standing::Certified),
            (
                Some(certificate(Some(now + 31 * day), false)),
                1,
                Standing::Certified,
            ),
            (
                Some(certificate(Some(now + 30 * day), false)),
                1,
                Standing::Expiring,
            ),
            (Some(certificate(Some(now), false)), 1, Standing::Expired),
            (None, 2, Standing::Failed),
            (None, 0, Standing::Never),
            (
                Some(certificate(Some(now + 5 * day), true)),
                1,
                Standing::Recertify,
            ),
            // An expired certificate is expired, whatever changed since.
            (
                Some(certificate(Some(now - day), true)),
                1,
                Standing::Expired,
            ),
        ];
        for (c, graded, expected) in cases {
            assert_eq!(Standing::of(c.as_ref(), graded, now), expected);
        }
    }
}
