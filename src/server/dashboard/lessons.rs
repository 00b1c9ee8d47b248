//! Lessons that confuse: every lesson paragraph the exams' questions cite, ranked by
//! the share of marks people miss on the questions citing it, across the exams (or
//! one), for trainers deciding which lesson to rewrite. Aggregates only, like an
//! exam's statistics: trainers see every team, supervisors their own.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::extract::{Query, State};
use axum::response::{Html, Response};
use serde::Serialize;

use crate::quiz::{Link, analysis};
use crate::site::QuizFile;
use crate::spreadsheet::{Cell, CsvWriter};

use super::super::auth::{CurrentUser, frame};
use super::super::error::ApiResult;
use super::super::gradebook::Mirror;
use super::super::state::AppState;
use super::exam::{bank, members, round, select, window};
use super::{Filters, Scope, csv_response, paragraph};

/// Missed marks per cited paragraph, added up exam by exam.
#[derive(Default)]
pub(super) struct Tally<'s> {
    paragraphs: BTreeMap<&'s str, Cited<'s>>,
}

struct Cited<'s> {
    link: &'s Link,
    /// Questions citing it, and the exams they are in.
    questions: usize,
    exams: BTreeSet<&'s str>,
    responses: usize,
    missed: f64,
}

impl<'s> Tally<'s> {
    /// Adds an exam's responses (`bank` as [`bank`] makes it for `file`).
    pub(super) fn add(
        &mut self,
        file: &'s QuizFile,
        bank: &[analysis::Question],
        responses: &[&[analysis::Response]],
    ) {
        let mut sources: HashMap<u32, &'s Link> = HashMap::new();
        for (question, item) in bank.iter().zip(&file.quiz.items) {
            let Some(link) = &item.question.source else {
                continue;
            };
            sources.insert(question.key, link);
            let cited = self.paragraphs.entry(&link.target).or_insert(Cited {
                link,
                questions: 0,
                exams: BTreeSet::new(),
                responses: 0,
                missed: 0.0,
            });
            cited.questions += 1;
            cited.exams.insert(&file.quiz.title);
        }
        let rates = analysis::miss_rates(responses, |key| {
            sources.get(&key).map(|l| l.target.as_str())
        });
        for (target, n, rate) in rates {
            if let Some(cited) = self.paragraphs.get_mut(target) {
                cited.responses += n;
                cited.missed += rate * n as f64;
            }
        }
    }

    /// The paragraphs people answered, the most missed first (ties by source).
    pub(super) fn rows(self, state: &AppState) -> Vec<ParagraphRow> {
        let mut rows: Vec<(f64, ParagraphRow)> = self
            .paragraphs
            .into_values()
            .filter(|c| c.responses > 0)
            .map(|c| {
                let miss = c.missed / c.responses as f64;
                let (source, href) = paragraph(state, c.link);
                let row = ParagraphRow {
                    source,
                    href,
                    target: c.link.target.clone(),
                    questions: c.questions,
                    exams: c.exams.into_iter().collect::<Vec<_>>().join("、"),
                    responses: c.responses,
                    miss_rate: round(miss * 100.0),
                };
                (miss, row)
            })
            .collect();
        rows.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.target.cmp(&b.1.target)));
        rows.into_iter().map(|(_, row)| row).collect()
    }
}

/// A cited paragraph as the pages show it.
#[derive(Debug, Serialize)]
pub(super) struct ParagraphRow {
    /// "Page title · heading".
    source: String,
    href: Option<String>,
    /// The citation as the questions write it.
    target: String,
    questions: usize,
    exams: String,
    responses: usize,
    miss_rate: f64,
}

/// The exams the filters select (all when none, or an unknown one, is named).
fn exams<'s>(state: &'s AppState, filters: &Filters) -> Vec<&'s QuizFile> {
    let all = state.site.quizzes.iter().filter(|q| q.quiz.is_exam());
    let one: Vec<&QuizFile> = all.clone().filter(|q| q.quiz.id == filters.exam).collect();
    if one.is_empty() { all.collect() } else { one }
}

/// The ranked paragraphs of the scope's attempts the filters select.
async fn ranked(
    state: &AppState,
    scope: &Scope,
    filters: &Filters,
) -> ApiResult<Vec<ParagraphRow>> {
    let window = window(filters)?;
    let members = members(state, scope).await?;
    let files = exams(state, filters);
    let gradebook = state.gradebook.read(&state.store, &state.site).await?;
    let mut tally = Tally::default();
    for file in files {
        tally_exam(&mut tally, file, &gradebook, members.as_deref(), window);
    }
    drop(gradebook);
    Ok(tally.rows(state))
}

fn tally_exam<'s>(
    tally: &mut Tally<'s>,
    file: &'s QuizFile,
    gradebook: &Mirror,
    members: Option<&[String]>,
    window: (i64, i64),
) {
    let attempts = select(gradebook, &file.quiz.id, members, window);
    let responses: Vec<&[analysis::Response]> =
        attempts.iter().map(|a| gradebook.responses(a)).collect();
    tally.add(file, &bank(file, gradebook), &responses);
}

#[derive(Serialize)]
struct ExamOption<'a> {
    id: &'a str,
    title: &'a str,
    selected: bool,
}

/// `/dashboard/lessons/`.
pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(filters): Query<Filters>,
) -> ApiResult<Html<String>> {
    let scope = Scope::of(&user, &filters.team)?;
    let rows = ranked(&state, &scope, &filters).await?;
    let teams = scope.teams(&state).await?;
    let exams: Vec<ExamOption> = state
        .site
        .quizzes
        .iter()
        .filter(|q| q.quiz.is_exam())
        .map(|q| ExamOption {
            id: &q.quiz.id,
            title: &q.quiz.title,
            selected: q.quiz.id == filters.exam,
        })
        .collect();
    let page = serde_json::json!({
        "rows": rows,
        "exams": exams,
        "teams": teams,
        "filters": &filters,
        "any_team": scope.any_team,
        "scope_team": scope.team,
        "query": filters.query(1),
    });
    let html = state.pages.render(
        "server/dashboard_lessons.html",
        &frame(&state, Some(&user)),
        &page,
    )?;
    Ok(Html(html))
}

/// `/dashboard/lessons.csv`: the same rows.
pub async fn csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(filters): Query<Filters>,
) -> ApiResult<Response> {
    let scope = Scope::of(&user, &filters.team)?;
    let rows = ranked(&state, &scope, &filters).await?;
    let header = ["段落", "出处", "引用题数", "考试", "作答次数", "失分率%"];
    let mut out = CsvWriter::new(Vec::new(), &header)?;
    for row in &rows {
        out.row(&[
            Cell::Text(&row.source),
            Cell::Text(&row.target),
            Cell::Integer(row.questions as i64),
            Cell::Text(&row.exams),
            Cell::Integer(row.responses as i64),
            Cell::Number(row.miss_rate),
        ])?;
    }
    Ok(csv_response("lessons.csv", out.finish()?))
}
