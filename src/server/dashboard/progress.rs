//! Onboarding progress: the handbook's `progress.js` asks who is signed in
//! (`GET /__shouce/me`, JSON) and sends what the browser kept in localStorage while
//! signed out or offline (`POST /__shouce/progress`, JSON, batched); agents see their
//! own path through the handbook (`/progress/`), supervisors each agent's (on the
//! agent page) and their team's (`/dashboard/progress/` and its CSV).
//!
//! The sync endpoint trusts nothing it is sent: the body has a fixed shape (unknown
//! fields refused, so there is no user field to forge: progress is always the session
//! user's), batches are bounded, pages must be lessons of the loaded handbook and
//! quizzes its practice quizzes (anything else is ignored and counted), and question
//! ids must be the quiz's own. Practice results are the browser's own grading (practice
//! keys are public anyway) and only show progress; they never count for certification.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::content::{Child, Library, ROOT};
use crate::spreadsheet::{Cell, CsvWriter};
use crate::store::{AgentRow, PracticeRow, ProgressCount, Role};

use super::super::auth::{CurrentUser, frame};
use super::super::error::{ApiError, ApiResult};
use super::super::state::AppState;
use super::{Filters, Pager, Scope, csv_response, encode, minute};

/// The most lesson opens and practice quizzes one batch may carry.
pub const MAX_LESSONS: usize = 1000;
pub const MAX_PRACTICE: usize = 200;
/// The most question ids one practice entry may list.
const MAX_QUESTIONS: usize = 500;

#[derive(Serialize)]
struct Me<'a> {
    signed_in: bool,
    /// Whether this user's progress is kept (agents).
    sync: bool,
    name: Option<&'a str>,
    /// Rule changes awaiting the user's acknowledgement.
    pending_changes: usize,
}

/// `GET /__shouce/me`: who is signed in, for the handbook's pages (never cached).
pub async fn me(State(state): State<AppState>, user: Option<CurrentUser>) -> ApiResult<Response> {
    let user = user.map(|CurrentUser(u)| u);
    let agent = user.as_ref().is_some_and(|u| u.role == Role::Agent);
    let pending_changes = match &user {
        Some(u) if agent => state.store.pending_changes(&u.id).await?.len(),
        _ => 0,
    };
    let me = Me {
        signed_in: user.is_some(),
        sync: agent,
        name: user.as_ref().map(|u| u.name.as_str()),
        pending_changes,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(me)).into_response())
}

/// One batch from `progress.js`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    #[serde(default)]
    lessons: Vec<Opened>,
    #[serde(default)]
    practice: Vec<Practiced>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Opened {
    /// The page's URL path below the site root (`rules/refund/`).
    path: String,
    /// When, in milliseconds (clamped to now).
    at: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Practiced {
    quiz: String,
    /// Ids of the questions checked, and of those answered right.
    checked: Vec<String>,
    correct: Vec<String>,
}

#[derive(Serialize)]
pub struct Synced {
    lessons: usize,
    practice: usize,
    ignored: usize,
}

/// `POST /__shouce/progress`: stores the batch for the signed-in agent.
pub async fn sync(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    body: axum::body::Bytes,
) -> ApiResult<Json<Synced>> {
    if user.role != Role::Agent {
        return Err(ApiError::Forbidden("只记录客服的学习进度。"));
    }
    let batch: Batch =
        serde_json::from_slice(&body).map_err(|_| ApiError::BadRequest("学习记录的格式不对。"))?;
    let too_many = batch.lessons.len() > MAX_LESSONS
        || batch.practice.len() > MAX_PRACTICE
        || batch
            .practice
            .iter()
            .any(|p| p.checked.len() > MAX_QUESTIONS || p.correct.len() > MAX_QUESTIONS);
    if too_many {
        return Err(ApiError::BadRequest("一次发送的学习记录太多。"));
    }
    let now = state.now_ms();
    let lib = &state.site.library;
    let by_path: HashMap<&str, &str> = lessons(lib)
        .into_iter()
        .map(|(_, path, source, _)| (path, source))
        .collect();
    let mut ignored = 0;
    let mut opens: BTreeMap<String, i64> = BTreeMap::new();
    for o in &batch.lessons {
        match by_path.get(o.path.trim_start_matches('/')) {
            Some(source) => {
                let at = o.at.clamp(0, now);
                let e = opens.entry((*source).to_owned()).or_insert(at);
                *e = (*e).max(at);
            }
            None => ignored += 1,
        }
    }
    let mut practice = Vec::new();
    for p in &batch.practice {
        let Some(quiz) = state.site.quiz(&p.quiz).filter(|q| !q.quiz.is_exam()) else {
            ignored += 1;
            continue;
        };
        let ids: BTreeSet<&str> = quiz
            .quiz
            .items
            .iter()
            .map(|i| i.question.id.as_str())
            .collect();
        let checked: BTreeSet<&str> = p
            .checked
            .iter()
            .map(String::as_str)
            .filter(|q| ids.contains(q))
            .collect();
        let correct = p
            .correct
            .iter()
            .map(String::as_str)
            .filter(|q| checked.contains(q))
            .collect::<BTreeSet<_>>()
            .len();
        practice.push(PracticeRow {
            quiz_id: quiz.quiz.id.clone(),
            checked: checked.len() as i64,
            correct: correct as i64,
            total: ids.len() as i64,
            updated_ms: now,
        });
    }
    let opens: Vec<(String, i64)> = opens.into_iter().collect();
    state.store.record_lesson_opens(&user.id, &opens).await?;
    state.store.record_practice(&user.id, &practice).await?;
    Ok(Json(Synced {
        lessons: opens.len(),
        practice: practice.len(),
        ignored,
    }))
}

/// Every lesson in reading order: (top-level section, URL path, source path, title).
/// A section's own page (`_index.md`) is a lesson too.
fn lessons(lib: &Library) -> Vec<(usize, &str, &str, &str)> {
    let top = |section: usize| lib.ancestors(section).get(1).copied().unwrap_or(ROOT);
    lib.reading_order()
        .into_iter()
        .filter_map(|child| {
            let page = lib.page(child)?;
            let section = match child {
                Child::Page(i) => top(lib.page_section[i]),
                Child::Section(s) => top(s),
            };
            Some((
                section,
                lib.url_path(child),
                page.source.as_str(),
                lib.title(child),
            ))
        })
        .collect()
}

#[derive(Serialize, Default)]
pub struct Lesson {
    title: String,
    href: String,
    opened: bool,
}

#[derive(Serialize)]
pub struct Exercise {
    title: String,
    href: String,
    checked: i64,
    correct: i64,
    total: i64,
}

#[derive(Serialize)]
pub struct Stage {
    title: String,
    opened: usize,
    lessons: Vec<Lesson>,
    practice: Vec<Exercise>,
}

/// A user's path through the handbook: per top-level section, the lessons (opened or
/// not) and the practice quizzes whose first lesson is there; and the next lesson to
/// open (the first unopened one in reading order).
#[derive(Serialize)]
pub struct Path {
    stages: Vec<Stage>,
    opened: usize,
    total: usize,
    next: Option<Lesson>,
}

pub async fn path(state: &AppState, user_id: &str) -> ApiResult<Path> {
    let lib = &state.site.library;
    let base = state.base();
    let opened: BTreeSet<String> = state
        .store
        .lesson_opens(user_id)
        .await?
        .into_iter()
        .map(|o| o.page)
        .collect();
    let practiced: BTreeMap<String, PracticeRow> = state
        .store
        .practice_of(user_id)
        .await?
        .into_iter()
        .map(|p| (p.quiz_id.clone(), p))
        .collect();
    let mut stages: BTreeMap<usize, Stage> = BTreeMap::new();
    let mut order = Vec::new();
    let mut next = None;
    let all = lessons(lib);
    for &(section, url, source, title) in &all {
        let stage = stages.entry(section).or_insert_with(|| {
            order.push(section);
            Stage {
                title: lib.sections[section].title.clone(),
                opened: 0,
                lessons: Vec::new(),
                practice: Vec::new(),
            }
        });
        let lesson = Lesson {
            title: title.to_owned(),
            href: format!("{base}{url}"),
            opened: opened.contains(source),
        };
        stage.opened += usize::from(lesson.opened);
        if !lesson.opened && next.is_none() {
            next = Some(Lesson {
                title: lesson.title.clone(),
                href: lesson.href.clone(),
                opened: false,
            });
        }
        stage.lessons.push(lesson);
    }
    for quiz in state.site.quizzes.iter().filter(|q| !q.quiz.is_exam()) {
        let section = quiz
            .quiz
            .lessons
            .iter()
            .filter_map(crate::site::lessons::resolve_lesson)
            .find_map(|r| all.iter().find(|l| l.2 == r.page))
            .map_or(ROOT, |l| l.0);
        let done = practiced.get(&quiz.quiz.id);
        let exercise = Exercise {
            title: quiz.quiz.title.clone(),
            href: format!("{base}{}", quiz.url_path()),
            checked: done.map_or(0, |d| d.checked),
            correct: done.map_or(0, |d| d.correct),
            total: done.map_or(quiz.quiz.items.len() as i64, |d| d.total),
        };
        if let Some(stage) = stages.get_mut(&section) {
            stage.practice.push(exercise);
        }
    }
    let total = all.len();
    let opened_count = stages.values().map(|s| s.opened).sum();
    Ok(Path {
        stages: order
            .into_iter()
            .filter_map(|s| stages.remove(&s))
            .collect(),
        opened: opened_count,
        total,
        next,
    })
}

/// `/progress/`: the signed-in user's own path.
pub async fn own(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Html<String>> {
    let path = path(&state, &user.id).await?;
    let page = serde_json::json!({ "path": path, "own": true, "agent": &user });
    let html = state
        .pages
        .render("server/progress.html", &frame(&state, Some(&user)), &page)?;
    Ok(Html(html))
}

/// Agents per page of the team table.
const PAGE_SIZE: usize = 50;

/// How far an agent has come through the handbook's lessons (in order: the
/// discriminant indexes [`TeamSummary::reach`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    NotStarted,
    Reading,
    Finished,
}

impl Reach {
    const ALL: [Reach; 3] = [Reach::NotStarted, Reach::Reading, Reach::Finished];

    fn of(lessons: i64, total: usize) -> Reach {
        match lessons {
            0 => Reach::NotStarted,
            n if n >= total as i64 => Reach::Finished,
            _ => Reach::Reading,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Reach::NotStarted => "none",
            Reach::Reading => "reading",
            Reach::Finished => "done",
        }
    }

    fn text(self) -> &'static str {
        match self {
            Reach::NotStarted => "还没开始",
            Reach::Reading => "学习中",
            Reach::Finished => "每课都已打开",
        }
    }
}

/// One agent's progress in a team list.
struct Standing {
    agent: AgentRow,
    lessons: i64,
    practice_done: i64,
    last_ms: Option<i64>,
    reach: Reach,
}

/// Every agent of the scope with their progress, and the handbook's totals.
struct Board {
    agents: Vec<Standing>,
    lessons_total: usize,
    practice_total: usize,
}

async fn board(state: &AppState, scope: &Scope) -> ApiResult<Board> {
    let lessons_total = lessons(&state.site.library).len();
    let practice_total = state
        .site
        .quizzes
        .iter()
        .filter(|q| !q.quiz.is_exam())
        .count();
    let agents = state.store.agents(&scope.team).await?;
    let mut counts: HashMap<String, ProgressCount> = state
        .store
        .progress_counts(&scope.team)
        .await?
        .into_iter()
        .map(|c| (c.user_id.clone(), c))
        .collect();
    let agents = agents
        .into_iter()
        .map(|agent| {
            let c = counts.remove(&agent.id);
            let lessons = c.as_ref().map_or(0, |c| c.lessons);
            Standing {
                lessons,
                practice_done: c.as_ref().map_or(0, |c| c.practice_done),
                last_ms: c.and_then(|c| c.last_ms),
                reach: Reach::of(lessons, lessons_total),
                agent,
            }
        })
        .collect();
    Ok(Board {
        agents,
        lessons_total,
        practice_total,
    })
}

impl Board {
    /// The agents the filters select, in the order they ask for.
    fn select(&self, filters: &Filters) -> Vec<&Standing> {
        let wanted = Reach::ALL
            .into_iter()
            .find(|r| r.as_str() == filters.status);
        let mut rows: Vec<&Standing> = self
            .agents
            .iter()
            .filter(|s| wanted.is_none_or(|w| s.reach == w))
            .collect();
        let login = |a: &&Standing, b: &&Standing| a.agent.login.cmp(&b.agent.login);
        match filters.sort.as_str() {
            "login" => rows.sort_by(login),
            "name" => rows.sort_by(|a, b| a.agent.name.cmp(&b.agent.name).then(login(a, b))),
            // Furthest behind first.
            "lessons" => rows.sort_by(|a, b| {
                (a.lessons, a.practice_done)
                    .cmp(&(b.lessons, b.practice_done))
                    .then(login(a, b))
            }),
            // Longest without studying first (never before anyone).
            "idle" => rows.sort_by(|a, b| a.last_ms.cmp(&b.last_ms).then(login(a, b))),
            // By team, then login (the store's order).
            _ => {}
        }
        rows
    }
}

#[derive(Serialize, Default)]
struct TeamSummary {
    team: String,
    agents: usize,
    /// Agents per [`Reach`], in its order.
    reach: [usize; 3],
    practice_done: usize,
}

#[derive(Serialize)]
struct TeamRow<'a> {
    login: &'a str,
    segment: String,
    name: &'a str,
    team: &'a str,
    lessons: i64,
    practice_done: i64,
    last: Option<String>,
}

#[derive(Serialize)]
struct TeamPage<'a> {
    filters: &'a Filters,
    any_team: bool,
    scope_team: &'a str,
    teams: Vec<String>,
    statuses: Vec<(&'static str, &'static str, bool)>,
    summary: Vec<TeamSummary>,
    overall: TeamSummary,
    rows: Vec<TeamRow<'a>>,
    total: usize,
    #[serde(flatten)]
    pager: Pager,
    csv: String,
    lessons_total: usize,
    practice_total: usize,
}

fn summaries(board: &Board) -> (Vec<TeamSummary>, TeamSummary) {
    let mut teams: BTreeMap<&str, TeamSummary> = BTreeMap::new();
    let mut overall = TeamSummary::default();
    for s in &board.agents {
        let team = teams.entry(&s.agent.team).or_insert_with(|| TeamSummary {
            team: s.agent.team.clone(),
            ..TeamSummary::default()
        });
        let reach = s.reach as usize;
        let all_practice = s.practice_done >= board.practice_total as i64;
        for summary in [&mut *team, &mut overall] {
            summary.agents += 1;
            summary.reach[reach] += 1;
            summary.practice_done += usize::from(all_practice);
        }
    }
    (teams.into_values().collect(), overall)
}

/// `/dashboard/progress/`: how far each agent has come through the handbook (lessons
/// opened, practice quizzes finished, when last active), counted per team, in a
/// filterable, sortable, paginated table (supervisors: their own team; admins: any or
/// all; trainers and agents: none).
pub async fn team(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(filters): Query<Filters>,
) -> ApiResult<Html<String>> {
    let scope = Scope::of(&user, &filters.team)?;
    scope.require_agents()?;
    let board = board(&state, &scope).await?;
    let rows = board.select(&filters);
    let total = rows.len();
    let pager = Pager::new(total, PAGE_SIZE, filters.page, |n| filters.query(n));
    let (summary, overall) = summaries(&board);
    let view = TeamPage {
        filters: &filters,
        any_team: scope.any_team,
        scope_team: &scope.team,
        teams: scope.teams(&state).await?,
        statuses: Reach::ALL
            .iter()
            .map(|r| (r.as_str(), r.text(), r.as_str() == filters.status))
            .collect(),
        summary,
        overall,
        rows: pager
            .shown(rows.into_iter())
            .map(|s| TeamRow {
                login: &s.agent.login,
                segment: encode(&s.agent.login),
                name: &s.agent.name,
                team: &s.agent.team,
                lessons: s.lessons,
                practice_done: s.practice_done,
                last: s.last_ms.map(minute),
            })
            .collect(),
        total,
        pager,
        csv: filters.query(1),
        lessons_total: board.lessons_total,
        practice_total: board.practice_total,
    };
    let html = state.pages.render(
        "server/dashboard_progress.html",
        &frame(&state, Some(&user)),
        &view,
    )?;
    Ok(Html(html))
}

/// `/dashboard/progress.csv`: the same table, every agent the filters select.
pub async fn team_csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(filters): Query<Filters>,
) -> ApiResult<Response> {
    let scope = Scope::of(&user, &filters.team)?;
    scope.require_agents()?;
    let board = board(&state, &scope).await?;
    let header = [
        "工号",
        "姓名",
        "团队",
        "已打开的课",
        "课程总数",
        "做完的练习",
        "练习总数",
        "进度",
        "最近学习（UTC）",
    ];
    let mut out = CsvWriter::new(Vec::new(), &header)?;
    for s in board.select(&filters) {
        out.row(&[
            Cell::Text(&s.agent.login),
            Cell::Text(&s.agent.name),
            Cell::Text(&s.agent.team),
            Cell::Integer(s.lessons),
            Cell::Integer(board.lessons_total as i64),
            Cell::Integer(s.practice_done),
            Cell::Integer(board.practice_total as i64),
            Cell::Text(s.reach.text()),
            s.last_ms.map_or(Cell::Empty, Cell::Time),
        ])?;
    }
    Ok(csv_response("progress.csv", out.finish()?))
}
