//! The results views (`/dashboard/…`): team readiness for supervisors, and each
//! exam's statistics and item analysis for trainers — server-rendered, role-gated,
//! with filters kept in the URL and CSV exports of what each page shows.
//!
//! Who sees what ([`Scope`]): admins see every team; supervisors only their own team
//! (a `team` filter naming another one is ignored); trainers see question and lesson
//! statistics for every team but no agent's own record; agents see none of it.
//!
//! * [`readiness`]: each agent's standing per exam (certified, expiring within 30
//!   days, expired, re-certification needed, failed, never attempted), counts, a
//!   sortable, filterable, paginated table, and which teams are fully certified.
//! * [`exam`]: attempts, pass rate, score and time-taken distributions, the weekly
//!   trend, item analysis (`quiz::analysis`) and the lesson paragraphs people miss.
//! * [`lessons`]: the lesson paragraphs the exams cite, ranked by the marks people miss
//!   on their questions, across exams.
//! * [`changes`]: rule changes recorded when a rebuilt handbook is served, the agent's
//!   page of changes to read and acknowledge (`/changes/`).
//! * [`acknowledgements`]: who has not acknowledged which change, per team, and its CSV.
//! * [`progress`]: onboarding progress — the handbook's sync endpoints, the agent's own
//!   path through the handbook, and each team's progress.

mod acknowledgements;
mod agent;
mod changes;
mod exam;
mod lessons;
mod progress;
mod readiness;

pub use changes::publish as publish_rule_changes;
pub use exam::{RESULTS_HEADER, results_cells, results_record};

use axum::Router;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::spreadsheet::minute;
use crate::store::{Role, User};

use super::error::{ApiError, ApiResult};
use super::state::AppState;

/// The dashboard's routes (below the base path).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard/", get(readiness::page))
        .route("/dashboard/status.csv", get(readiness::csv))
        .route("/dashboard/agents/{login}/", get(agent::page))
        .route("/dashboard/changes/", get(acknowledgements::page))
        .route("/dashboard/changes.csv", get(acknowledgements::csv))
        .route("/changes/", get(changes::page))
        .route("/changes/{id}/acknowledge", post(changes::acknowledge))
        .route("/__shouce/me", get(progress::me))
        .route("/__shouce/progress", post(progress::sync))
        .route("/progress/", get(progress::own))
        .route("/dashboard/progress/", get(progress::team))
        .route("/dashboard/progress.csv", get(progress::team_csv))
        .route("/dashboard/exams/", get(exam::index))
        .route("/dashboard/lessons/", get(lessons::page))
        .route("/dashboard/lessons.csv", get(lessons::csv))
        .route("/dashboard/exams/{exam}/", get(exam::page))
        .route("/dashboard/exams/{exam}/items.csv", get(exam::items_csv))
        .route(
            "/dashboard/exams/{exam}/results.csv",
            get(exam::results_csv),
        )
}

/// What the signed-in user may see of the results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The team whose results are shown; empty for every team.
    pub team: String,
    /// Whether individual agents' records may be shown.
    pub agents: bool,
    /// Whether the user may choose the team.
    pub any_team: bool,
}

impl Scope {
    /// The scope of `user` asking for `team` (empty: every team they may see).
    pub fn of(user: &User, team: &str) -> ApiResult<Scope> {
        match user.role {
            Role::Admin => Ok(Scope {
                team: team.to_owned(),
                agents: true,
                any_team: true,
            }),
            Role::Supervisor => Ok(Scope {
                team: user.team.clone(),
                agents: true,
                any_team: false,
            }),
            Role::Trainer => Ok(Scope {
                team: team.to_owned(),
                agents: false,
                any_team: true,
            }),
            Role::Agent => Err(ApiError::Forbidden(
                "只有主管、培训师和管理员可以查看成绩统计。",
            )),
        }
    }

    /// The teams the user may choose from (their own alone when they may not choose).
    pub async fn teams(&self, state: &AppState) -> ApiResult<Vec<String>> {
        if self.any_team {
            Ok(state.store.teams().await?)
        } else {
            Ok(vec![self.team.clone()])
        }
    }

    /// Refuses users who may not see individual agents' records.
    pub fn require_agents(&self) -> ApiResult<()> {
        if self.agents {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "培训师只能查看题目和课程的统计，不能查看个人记录。",
            ))
        }
    }
}

/// The filters every dashboard page reads from its URL.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Filters {
    pub team: String,
    pub exam: String,
    pub status: String,
    pub sort: String,
    pub page: usize,
    /// `YYYY-MM-DD`, inclusive.
    pub from: String,
    /// `YYYY-MM-DD`, inclusive.
    pub to: String,
}

impl Filters {
    /// The query string that reproduces these filters with `page` (for links).
    pub fn query(&self, page: usize) -> String {
        let pairs = [
            ("team", self.team.as_str()),
            ("exam", self.exam.as_str()),
            ("status", self.status.as_str()),
            ("sort", self.sort.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
        ];
        let mut query: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        if page > 1 {
            query.push(format!("page={page}"));
        }
        if query.is_empty() {
            String::new()
        } else {
            format!("?{}", query.join("&"))
        }
    }
}

/// Where a paginated list is: the page shown (from 1), how many there are, and the
/// query strings of the pages before and after (flattened into the page's context).
#[derive(Debug, serde::Serialize)]
struct Pager {
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
    #[serde(skip)]
    size: usize,
}

impl Pager {
    /// Page `asked` (clamped) of `total` items, `size` a page; `link(n)` is the query
    /// string of page `n`.
    fn new(total: usize, size: usize, asked: usize, link: impl Fn(usize) -> String) -> Pager {
        let pages = total.div_ceil(size).max(1);
        let page = asked.clamp(1, pages);
        Pager {
            page,
            pages,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
            size,
        }
    }

    /// The items of the page shown.
    fn shown<T>(&self, items: impl Iterator<Item = T>) -> impl Iterator<Item = T> {
        items.skip((self.page - 1) * self.size).take(self.size)
    }
}

/// A cited paragraph as the results show it: "page title · heading" and the link to
/// it (`None` when the handbook no longer has it).
fn paragraph(state: &AppState, link: &crate::quiz::Link) -> (String, Option<String>) {
    use crate::site::{LessonIndex, lessons};
    let lib = &state.site.library;
    let resolved = lessons::resolve_source(link);
    let title = resolved
        .as_ref()
        .and_then(|r| lib.find(&r.page))
        .map(|child| lib.title(child).to_owned());
    let label = match (title, resolved.as_ref().and_then(|r| r.anchor)) {
        (Some(title), Some(anchor)) => format!("{title} · {}", anchor.replace('-', " ")),
        (Some(title), None) => title,
        (None, _) => link.target.clone(),
    };
    let href = lib
        .source_path(link)
        .map(|p| format!("{}{p}", state.base()));
    (label, href)
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A CSV download named `name`.
fn csv_response(name: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::Pager;

    #[test]
    fn pager_clamps_the_page_and_links_its_neighbours() {
        let link = |n: usize| format!("?page={n}");
        let first = Pager::new(0, 10, 0, link);
        assert_eq!(
            (first.page, first.pages, first.prev, first.next),
            (1, 1, None, None)
        );
        let middle = Pager::new(25, 10, 2, link);
        assert_eq!(
            (middle.prev.as_deref(), middle.next.as_deref()),
            (Some("?page=1"), Some("?page=3"))
        );
        assert_eq!(
            middle.shown(0..25).collect::<Vec<_>>(),
            (10..20).collect::<Vec<_>>()
        );
        let beyond = Pager::new(25, 10, 9, link);
        assert_eq!((beyond.page, beyond.next.as_deref()), (3, None));
        assert_eq!(beyond.shown(0..25).count(), 5);
    }
}
