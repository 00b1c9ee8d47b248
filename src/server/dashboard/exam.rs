//! One exam's statistics: attempts, pass rate, score and time-taken distributions,
//! the weekly trend, item analysis per question and the lesson paragraphs people
//! miss. Aggregates only (trainers see them too); the results export, which lists
//! agents, needs a scope that may see agents' records.

use std::collections::{BTreeMap, HashSet};

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use serde::Serialize;

use crate::chart::{self, Bar, Point};
use crate::quiz::analysis::{self, Coefficient, ExamStats, Flag};
use crate::quiz::{Body as QBody, ExamSettings, Kind, Rule};
use crate::site::QuizFile;
use crate::spreadsheet::{BOM, Cell, CsvWriter, record};
use crate::store::ResultLine;
use futures_util::StreamExt as _;

use super::super::auth::{CurrentUser, frame};
use super::super::error::{ApiError, ApiResult};
use super::super::gradebook::{Graded, Mirror};
use super::super::state::{AppState, instant};
use super::lessons::{ParagraphRow, Tally};
use super::{Filters, Scope, csv_response};

const DAY_MS: i64 = 86_400_000;

/// The exam named in the path, with its settings.
fn exam<'a>(state: &'a AppState, id: &str) -> ApiResult<(&'a QuizFile, &'a ExamSettings)> {
    let file = state.site.quiz(id).ok_or(ApiError::NotFound)?;
    match &file.quiz.kind {
        Kind::Exam(settings) => Ok((file, settings)),
        Kind::Practice => Err(ApiError::NotFound),
    }
}

/// `[from, to)` in milliseconds from the filters' inclusive dates (open when empty).
pub(super) fn window(filters: &Filters) -> ApiResult<(i64, i64)> {
    let day = |text: &str| -> ApiResult<Option<i64>> {
        if text.is_empty() {
            return Ok(None);
        }
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let date = time::Date::parse(text, format)
            .map_err(|_| ApiError::BadRequest("日期请写成 2027-03-01 这样的格式。"))?;
        Ok(Some(date.midnight().assume_utc().unix_timestamp() * 1000))
    };
    let from = day(&filters.from)?.unwrap_or(i64::MIN);
    let to = day(&filters.to)?.map_or(i64::MAX, |d| d + DAY_MS);
    Ok((from, to))
}

/// Who the scope's team is (every user's id), or `None` for every team.
pub(super) async fn members(state: &AppState, scope: &Scope) -> ApiResult<Option<Vec<String>>> {
    if scope.team.is_empty() {
        return Ok(None);
    }
    Ok(Some(state.store.team_members(&scope.team).await?))
}

/// The graded attempts at exam `id` by `members` (everyone when `None`) submitted in
/// `[from, to)`, in the gradebook's order.
pub(super) fn select<'m>(
    gradebook: &'m Mirror,
    id: &str,
    members: Option<&[String]>,
    (from, to): (i64, i64),
) -> Vec<&'m Graded> {
    let Some(exam) = gradebook.exam(id) else {
        return Vec::new();
    };
    let members: Option<HashSet<u32>> =
        members.map(|ids| ids.iter().filter_map(|id| gradebook.user(id)).collect());
    gradebook
        .attempts()
        .iter()
        .filter(|a| a.exam == exam && a.submitted_ms >= from && a.submitted_ms < to)
        .filter(|a| members.as_ref().is_none_or(|m| m.contains(&a.user)))
        .collect()
}

/// The bank as the analysis takes it: each question by its number in the gradebook, with
/// its option count. A question no attempt answered has no number and gets one that
/// no response has.
pub(super) fn bank(file: &QuizFile, gradebook: &Mirror) -> Vec<analysis::Question> {
    file.quiz
        .items
        .iter()
        .map(|item| analysis::Question {
            key: gradebook.question(&item.question.id).unwrap_or(u32::MAX),
            options: options(&item.question.body).map_or(0, Vec::len),
        })
        .collect()
}

fn options(body: &QBody) -> Option<&Vec<String>> {
    match body {
        QBody::Single { options }
        | QBody::Multiple { options }
        | QBody::Scenario { options, .. } => Some(options),
        _ => None,
    }
}

#[derive(Serialize)]
struct Page<'a> {
    exam_id: &'a str,
    title: &'a str,
    filters: &'a Filters,
    any_team: bool,
    scope_team: &'a str,
    teams: Vec<String>,
    agents_visible: bool,
    query: String,
    #[serde(flatten)]
    figures: Figures,
}

#[derive(Serialize)]
struct ItemRow {
    id: String,
    prompt: String,
    topic: String,
    attempts: usize,
    facility: f64,
    discrimination: Option<f64>,
    flags: Vec<&'static str>,
    options: Vec<OptionRow>,
}

#[derive(Serialize)]
struct OptionRow {
    text: String,
    key: bool,
    share: f64,
    upper: f64,
    lower: f64,
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(filters): Query<Filters>,
) -> ApiResult<Html<String>> {
    let scope = Scope::of(&user, &filters.team)?;
    let (file, settings) = exam(&state, &id)?;
    let window = window(&filters)?;
    let members = members(&state, &scope).await?;
    let teams = scope.teams(&state).await?;
    let figures = {
        let gradebook = state.gradebook.read(&state.store, &state.site).await?;
        let attempts = select(&gradebook, &id, members.as_deref(), window);
        Figures::of(&state, file, settings, &gradebook, &attempts)
    };
    let view = Page {
        exam_id: &file.quiz.id,
        title: &file.quiz.title,
        filters: &filters,
        any_team: scope.any_team,
        scope_team: &scope.team,
        teams,
        agents_visible: scope.agents,
        query: filters.query(1),
        figures,
    };
    let html = state.pages.render(
        "server/dashboard_exam.html",
        &frame(&state, Some(&user)),
        &view,
    )?;
    Ok(Html(html))
}

/// Everything the exam's page shows about the selected attempts.
#[derive(Serialize)]
struct Figures {
    attempts: usize,
    passed: usize,
    pass_rate: Option<f64>,
    mean_percent: Option<f64>,
    consistency: Option<(&'static str, f64)>,
    score_chart: String,
    score_bars: Vec<Bar>,
    time_chart: String,
    time_bars: Vec<Bar>,
    trend_chart: String,
    trend: Vec<Point>,
    items: Vec<ItemRow>,
    paragraphs: Vec<ParagraphRow>,
}

impl Figures {
    fn of(
        state: &AppState,
        file: &QuizFile,
        settings: &ExamSettings,
        gradebook: &Mirror,
        attempts: &[&Graded],
    ) -> Figures {
        let responses: Vec<&[analysis::Response]> =
            attempts.iter().map(|a| gradebook.responses(a)).collect();
        let bank = bank(file, gradebook);
        let stats = analysis::analyse(&bank, &responses);
        let percents: Vec<f64> = attempts.iter().map(|a| a.percent()).collect();
        let passed = attempts.iter().filter(|a| a.passed).count();
        let score_bars = chart::histogram(percents.iter().copied(), 0.0, 10.0, 10, |lo, hi| {
            format!("{lo}–{hi}")
        });
        let step = f64::from(settings.time_limit_minutes.max(10)) / 10.0;
        let minutes = attempts.iter().map(|a| a.minutes());
        let time_bars = chart::histogram(minutes, 0.0, step, 10, |lo, hi| {
            format!("{}–{} 分", lo.round(), hi.round())
        });
        let trend = weekly_pass_rate(attempts);
        Figures {
            attempts: attempts.len(),
            passed,
            pass_rate: (!attempts.is_empty())
                .then(|| round(passed as f64 * 100.0 / attempts.len() as f64)),
            mean_percent: (!percents.is_empty())
                .then(|| round(percents.iter().sum::<f64>() / percents.len() as f64)),
            consistency: stats.consistency.map(|(c, v)| {
                let name = match c {
                    Coefficient::Kr20 => "KR-20",
                    Coefficient::CronbachAlpha => "Cronbach's α",
                };
                (name, (v * 100.0).round() / 100.0)
            }),
            score_chart: chart::bar_chart("scores", "得分分布（百分比）", &score_bars),
            score_bars,
            time_chart: chart::bar_chart("times", "用时分布（分钟）", &time_bars),
            time_bars,
            trend_chart: chart::line_chart("trend", "每周通过率（%）", &trend, 100.0),
            trend,
            items: item_rows(file, &stats),
            paragraphs: {
                let mut tally = Tally::default();
                tally.add(file, &bank, &responses);
                tally.rows(state)
            },
        }
    }
}

pub(super) fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Pass rate per week (weeks start on Monday, UTC), labelled by the Monday's date.
fn weekly_pass_rate(attempts: &[&Graded]) -> Vec<Point> {
    let mut weeks: BTreeMap<i64, (usize, usize)> = BTreeMap::new();
    for a in attempts {
        let day = a.submitted_ms.div_euclid(DAY_MS);
        // 1970-01-01 was a Thursday: day + 3 counts from a Monday.
        let monday = day - (day + 3).rem_euclid(7);
        let entry = weeks.entry(monday).or_default();
        entry.0 += 1;
        entry.1 += usize::from(a.passed);
    }
    weeks
        .into_iter()
        .map(|(monday, (n, passed))| Point {
            label: instant(monday * DAY_MS).date().to_string(),
            value: round(passed as f64 * 100.0 / n as f64),
        })
        .collect()
}

fn item_rows(file: &QuizFile, stats: &ExamStats) -> Vec<ItemRow> {
    stats
        .items
        .iter()
        .filter_map(|s| {
            let item = file.quiz.items.get(s.question)?;
            let texts = options(&item.question.body);
            let keys = match &item.key.rule {
                Rule::Choice { correct, .. } => correct.as_slice(),
                _ => &[],
            };
            let options = s
                .options
                .iter()
                .map(|o| {
                    let index = o.option;
                    OptionRow {
                        text: match index {
                            Some(i) => texts.and_then(|t| t.get(i)).cloned().unwrap_or_default(),
                            None => "（未作答）".to_owned(),
                        },
                        key: index.is_some_and(|i| keys.get(i).copied().unwrap_or(false)),
                        share: round(o.share * 100.0),
                        upper: round(o.upper * 100.0),
                        lower: round(o.lower * 100.0),
                    }
                })
                .collect();
            Some(ItemRow {
                id: item.question.id.clone(),
                prompt: item.question.prompt.chars().take(80).collect(),
                topic: item.question.topic.clone().unwrap_or_default(),
                attempts: s.attempts,
                facility: (s.facility * 100.0).round() / 100.0,
                discrimination: s.discrimination.map(|d| (d * 100.0).round() / 100.0),
                flags: s.flags.iter().map(|f| flag_text(*f)).collect(),
                options,
            })
        })
        .collect()
}

fn flag_text(flag: Flag) -> &'static str {
    match flag {
        Flag::TooEasy => "过于简单",
        Flag::TooHard => "过难",
        Flag::LowDiscrimination => "区分度低",
        Flag::NegativeDiscrimination => "高分者反而答错",
    }
}

/// Item statistics as CSV: one row per question and option.
pub async fn items_csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(filters): Query<Filters>,
) -> ApiResult<Response> {
    let scope = Scope::of(&user, &filters.team)?;
    let (file, _) = exam(&state, &id)?;
    let window = window(&filters)?;
    let members = members(&state, &scope).await?;
    let stats = {
        let gradebook = state.gradebook.read(&state.store, &state.site).await?;
        let attempts = select(&gradebook, &id, members.as_deref(), window);
        let responses: Vec<&[analysis::Response]> =
            attempts.iter().map(|a| gradebook.responses(a)).collect();
        analysis::analyse(&bank(file, &gradebook), &responses)
    };
    let header = [
        "题目",
        "主题",
        "作答次数",
        "难度系数",
        "区分度",
        "标记",
        "选项",
        "正确选项",
        "选择比例%",
        "高分组%",
        "低分组%",
    ];
    let mut out = CsvWriter::new(Vec::new(), &header)?;
    for row in item_rows(file, &stats) {
        let flags = row.flags.join("；");
        let head = [
            Cell::Text(&row.id),
            Cell::Text(&row.topic),
            Cell::Integer(row.attempts as i64),
            Cell::Number(row.facility),
            row.discrimination.map_or(Cell::Empty, Cell::Number),
            Cell::Text(&flags),
        ];
        if row.options.is_empty() {
            out.row(&head)?;
        }
        for o in &row.options {
            let mut cells = head.to_vec();
            cells.extend([
                Cell::Text(&o.text),
                Cell::Text(if o.key { "是" } else { "" }),
                Cell::Number(o.share),
                Cell::Number(o.upper),
                Cell::Number(o.lower),
            ]);
            out.row(&cells)?;
        }
    }
    Ok(csv_response(&format!("{id}-items.csv"), out.finish()?))
}

/// The columns of the results export (the HTTP download and `shouce results export`).
pub const RESULTS_HEADER: [&str; 10] = [
    "工号",
    "姓名",
    "团队",
    "考试",
    "交卷时间（UTC）",
    "用时（分钟）",
    "得分",
    "满分",
    "百分比",
    "是否通过",
];

/// One graded attempt as the cells of a results export row (CSV or workbook).
pub fn results_cells(row: &ResultLine) -> [Cell<'_>; 10] {
    let percent = if row.sitting.max_points > 0.0 {
        round(row.sitting.points * 100.0 / row.sitting.max_points)
    } else {
        0.0
    };
    let minutes = round((row.sitting.submitted_ms - row.sitting.started_ms) as f64 / 60_000.0);
    [
        Cell::Text(&row.login),
        Cell::Text(&row.name),
        Cell::Text(&row.team),
        Cell::Text(&row.exam_id),
        Cell::Time(row.sitting.submitted_ms),
        Cell::Number(minutes),
        Cell::Number(row.sitting.points),
        Cell::Number(row.sitting.max_points),
        Cell::Number(percent),
        Cell::Text(if row.sitting.passed { "是" } else { "否" }),
    ]
}

/// One graded attempt as a line of the results export.
pub fn results_record(row: &ResultLine) -> String {
    record(&results_cells(row))
}

/// Every graded attempt of the exam in scope as CSV, streamed from the database row by
/// row (an export of all results is never held in memory).
pub async fn results_csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(filters): Query<Filters>,
) -> ApiResult<Response> {
    let scope = Scope::of(&user, &filters.team)?;
    scope.require_agents()?;
    exam(&state, &id)?;
    let (from, to) = window(&filters)?;
    let rows = state.store.stream_results(id.clone(), scope.team, from, to);
    let header = RESULTS_HEADER.map(Cell::Text);
    let first = format!("{BOM}{}", record(&header));
    let lines = rows.map(|row| {
        row.map(|row| results_record(&row))
            .map_err(|e| std::io::Error::other(e.to_string()))
    });
    let body = futures_util::stream::once(async move { Ok(first) }).chain(lines);
    let mut response = csv_response(&format!("{id}-results.csv"), Vec::new());
    *response.body_mut() = Body::from_stream(body);
    Ok(response)
}

#[derive(Serialize)]
struct ExamLink<'a> {
    id: &'a str,
    title: &'a str,
}

/// The exams whose statistics the user may open.
pub async fn index(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Html<String>> {
    Scope::of(&user, "")?;
    let exams: Vec<ExamLink> = state
        .site
        .quizzes
        .iter()
        .filter(|q| q.quiz.is_exam())
        .map(|q| ExamLink {
            id: &q.quiz.id,
            title: &q.quiz.title,
        })
        .collect();
    #[derive(Serialize)]
    struct Index<'a> {
        exams: Vec<ExamLink<'a>>,
    }
    let html = state.pages.render(
        "server/dashboard_exams.html",
        &frame(&state, Some(&user)),
        &Index { exams },
    )?;
    Ok(Html(html))
}
