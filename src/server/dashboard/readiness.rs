//! Team readiness: every agent's standing on every exam, at a glance.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Query, State};
use axum::response::{Html, Response};
use serde::Serialize;

use crate::site::LessonIndex;
use crate::spreadsheet::{Cell, CsvWriter};
use crate::store::{AgentRow, AttemptCount, StandingCertificate};

use super::super::auth::{CurrentUser, frame};
use super::super::certificates::Cited;
use super::super::error::{ApiError, ApiResult};
use super::super::state::AppState;
use super::{Filters, Scope, csv_response};

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
    /// many graded attempts they made; `changed` tells whether a paragraph the
    /// certificate cites now reads differently.
    pub fn of(
        certificate: Option<&StandingCertificate>,
        graded: i64,
        changed: impl Fn(&StandingCertificate) -> bool,
        now_ms: i64,
    ) -> Standing {
        match certificate {
            Some(c) if c.expires_ms.is_some_and(|e| e <= now_ms) => Standing::Expired,
            Some(c) if changed(c) => Standing::Recertify,
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
    let mut certificates: HashMap<(String, String), StandingCertificate> = HashMap::new();
    for c in state.store.standing_certificates(&scope.team).await? {
        // Newest first: keep the first per agent and exam.
        certificates
            .entry((c.user_id.clone(), c.exam_id.clone()))
            .or_insert(c);
    }
    let counts: HashMap<(String, String), i64> = state
        .store
        .attempt_counts(&scope.team)
        .await?
        .into_iter()
        .map(
            |AttemptCount {
                 user_id,
                 exam_id,
                 graded,
             }| ((user_id, exam_id), graded),
        )
        .collect();
    let current = CurrentParagraphs::new(state);
    let now = state.now_ms();
    let agents = agents
        .into_iter()
        .map(|agent| {
            let standings = exams
                .iter()
                .map(|(exam, _)| {
                    let key = (agent.id.clone(), exam.clone());
                    let graded = counts.get(&key).copied().unwrap_or(0);
                    Standing::of(certificates.get(&key), graded, |c| current.changed(c), now)
                })
                .collect();
            (agent, standings)
        })
        .collect();
    Ok(Board { exams, agents })
}

/// The hash of each cited paragraph as the loaded handbook has it, to tell which
/// certificates cite a paragraph that has changed since they were issued.
struct CurrentParagraphs {
    hashes: HashMap<(String, String), String>,
}

impl CurrentParagraphs {
    fn new(state: &AppState) -> CurrentParagraphs {
        let mut hashes = HashMap::new();
        for file in state.site.quizzes.iter().filter(|q| q.quiz.is_exam()) {
            for link in file
                .quiz
                .items
                .iter()
                .filter_map(|i| i.question.source.as_ref())
            {
                let text = state.site.library.cited_text(link).unwrap_or_default();
                let hash = blake3::hash(text.as_bytes()).to_hex().to_string();
                hashes.insert((file.quiz.id.clone(), link.target.clone()), hash);
            }
        }
        CurrentParagraphs { hashes }
    }

    fn changed(&self, certificate: &StandingCertificate) -> bool {
        let cited: Vec<Cited> = serde_json::from_str(&certificate.cited).unwrap_or_default();
        cited.iter().any(|c| {
            let key = (certificate.exam_id.clone(), c.source.clone());
            self.hashes.get(&key).is_some_and(|now| *now != c.hash)
        })
    }
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
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
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
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = filters.page.clamp(1, pages);
    let shown = rows.iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE);
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
        rows: shown
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
        page,
        pages,
        prev: (page > 1).then(|| filters.query(page - 1)),
        next: (page < pages).then(|| filters.query(page + 1)),
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
    let internal = |e: std::io::Error| ApiError::Internal(e.to_string());
    let mut out = CsvWriter::new(Vec::new(), &header).map_err(internal)?;
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
        out.row(&cells).map_err(internal)?;
    }
    Ok(csv_response(
        "team-status.csv",
        out.finish().map_err(internal)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certificate(expires_ms: Option<i64>) -> StandingCertificate {
        StandingCertificate {
            user_id: "u".into(),
            exam_id: "e".into(),
            issued_ms: 0,
            expires_ms,
            cited: "[]".into(),
        }
    }

    #[test]
    fn standing_follows_the_newest_certificate_then_the_attempts() {
        let day = 24 * 3600 * 1000;
        let now = 100 * day;
        let unchanged = |_: &StandingCertificate| false;
        let cases = [
            (Some(certificate(None)), 1, Standing::Certified),
            (
                Some(certificate(Some(now + 31 * day))),
                1,
                Standing::Certified,
            ),
            (
                Some(certificate(Some(now + 30 * day))),
                1,
                Standing::Expiring,
            ),
            (Some(certificate(Some(now))), 1, Standing::Expired),
            (None, 2, Standing::Failed),
            (None, 0, Standing::Never),
        ];
        for (c, graded, expected) in cases {
            assert_eq!(Standing::of(c.as_ref(), graded, unchanged, now), expected);
        }
        let changed = |_: &StandingCertificate| true;
        let c = certificate(Some(now + 5 * day));
        assert_eq!(Standing::of(Some(&c), 1, changed, now), Standing::Recertify);
        // An expired certificate is expired, whatever changed since.
        let c = certificate(Some(now - day));
        assert_eq!(Standing::of(Some(&c), 1, changed, now), Standing::Expired);
    }
}
