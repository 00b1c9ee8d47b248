//! What the results views read: the agents in a scope (a team, or everyone), their
//! certificates and attempt counts for the readiness table, and an exam's submitted
//! attempts for its statistics. Read-only; a scope's team is always a bound parameter
//! (an empty string means every team).

use futures_util::{Stream, StreamExt as _};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::{Result, Store, StoreError};

/// An agent as the readiness table lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRow {
    pub id: String,
    pub login: String,
    pub name: String,
    pub team: String,
}

/// An agent's newest unrevoked certificate for one exam.
#[derive(Debug, Clone)]
pub struct StandingCertificate {
    pub user_id: String,
    pub exam_id: String,
    pub issued_ms: i64,
    pub expires_ms: Option<i64>,
    /// JSON: `[{"source": …, "hash": …, "text": …}]`.
    pub cited: String,
}

/// How many graded attempts an agent has made at one exam.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptCount {
    pub user_id: String,
    pub exam_id: String,
    pub graded: i64,
}

/// One graded attempt, for an exam's statistics.
#[derive(Debug, Clone)]
pub struct GradedAttempt {
    pub user_id: String,
    pub team: String,
    pub started_ms: i64,
    pub submitted_ms: i64,
    pub points: f64,
    pub max_points: f64,
    pub passed: bool,
    /// JSON of `quiz::draw::Paper`.
    pub paper: String,
    /// JSON object: question index → answer JSON.
    pub answers: String,
    /// JSON of the graded results.
    pub results: String,
}

impl Store {
    /// The active agents of `team` (every team when empty), by team and login.
    pub async fn agents(&self, team: &str) -> Result<Vec<AgentRow>> {
        let rows = sqlx::query(
            "SELECT id, login, name, team FROM users \
             WHERE role = 'agent' AND disabled = 0 AND ($1 = '' OR team = $1) \
             ORDER BY team, login",
        )
        .bind(team)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AgentRow {
                    id: row.try_get("id")?,
                    login: row.try_get("login")?,
                    name: row.try_get("name")?,
                    team: row.try_get("team")?,
                })
            })
            .collect()
    }

    /// The teams that have active agents, sorted.
    pub async fn teams(&self) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT DISTINCT team FROM users WHERE role = 'agent' AND disabled = 0 ORDER BY team",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|row| Ok(row.try_get("team")?)).collect()
    }

    /// Every unrevoked certificate of the active agents of `team`, newest first (the
    /// caller keeps the first per agent and exam).
    pub async fn standing_certificates(&self, team: &str) -> Result<Vec<StandingCertificate>> {
        let rows = sqlx::query(
            "SELECT c.user_id, c.exam_id, c.issued_ms, c.expires_ms, c.cited \
             FROM certificates c JOIN users u ON u.id = c.user_id \
             WHERE c.revoked_ms IS NULL AND u.role = 'agent' AND u.disabled = 0 \
             AND ($1 = '' OR u.team = $1) \
             ORDER BY c.issued_ms DESC, c.id",
        )
        .bind(team)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StandingCertificate {
                    user_id: row.try_get("user_id")?,
                    exam_id: row.try_get("exam_id")?,
                    issued_ms: row.try_get("issued_ms")?,
                    expires_ms: row.try_get("expires_ms")?,
                    cited: row.try_get("cited")?,
                })
            })
            .collect()
    }

    /// Graded attempts per agent and exam, for the active agents of `team`.
    pub async fn attempt_counts(&self, team: &str) -> Result<Vec<AttemptCount>> {
        let rows = sqlx::query(
            "SELECT a.user_id, a.exam_id, COUNT(*) AS graded \
             FROM attempts a JOIN users u ON u.id = a.user_id \
             WHERE a.submitted_ms IS NOT NULL AND u.role = 'agent' AND u.disabled = 0 \
             AND ($1 = '' OR u.team = $1) \
             GROUP BY a.user_id, a.exam_id",
        )
        .bind(team)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AttemptCount {
                    user_id: row.try_get("user_id")?,
                    exam_id: row.try_get("exam_id")?,
                    graded: row.try_get("graded")?,
                })
            })
            .collect()
    }

    /// The graded attempts at `exam_id` by agents of `team` (every team when empty)
    /// submitted in `[from_ms, to_ms)`, oldest first.
    pub async fn graded_attempts(
        &self,
        exam_id: &str,
        team: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<GradedAttempt>> {
        let rows = sqlx::query(
            "SELECT a.user_id, u.team, a.started_ms, a.submitted_ms, a.points, a.max_points, \
             a.passed, a.paper, a.answers, a.results \
             FROM attempts a JOIN users u ON u.id = a.user_id \
             WHERE a.exam_id = $1 AND a.submitted_ms IS NOT NULL AND a.results IS NOT NULL \
             AND ($2 = '' OR u.team = $2) AND a.submitted_ms >= $3 AND a.submitted_ms < $4 \
             ORDER BY a.submitted_ms, a.id",
        )
        .bind(exam_id)
        .bind(team)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(GradedAttempt {
                    user_id: row.try_get("user_id")?,
                    team: row.try_get("team")?,
                    started_ms: row.try_get("started_ms")?,
                    submitted_ms: row.try_get("submitted_ms")?,
                    points: row.try_get::<Option<f64>, _>("points")?.unwrap_or(0.0),
                    max_points: row.try_get::<Option<f64>, _>("max_points")?.unwrap_or(0.0),
                    passed: row
                        .try_get::<Option<i64>, _>("passed")?
                        .is_some_and(|p| p != 0),
                    paper: row.try_get("paper")?,
                    answers: row.try_get("answers")?,
                    results: row
                        .try_get::<Option<String>, _>("results")?
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Every graded attempt at `exam_id` by agents of `team` submitted in
    /// `[from_ms, to_ms)`, oldest first, read from the database as the consumer takes
    /// them (a few rows buffered), so that an export of all results is never held in
    /// memory.
    pub fn stream_results(
        &self,
        exam_id: String,
        team: String,
        from_ms: i64,
        to_ms: i64,
    ) -> impl Stream<Item = Result<ResultLine>> + Send + 'static {
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<ResultLine>>(64);
        let pool = self.pool.clone();
        tokio::spawn(async move {
            let mut rows = sqlx::query(
                "SELECT u.login, u.name, u.team, a.exam_id, a.started_ms, a.submitted_ms, \
                 a.points, a.max_points, a.passed \
                 FROM attempts a JOIN users u ON u.id = a.user_id \
                 WHERE a.exam_id = $1 AND a.submitted_ms IS NOT NULL \
                 AND ($2 = '' OR u.team = $2) AND a.submitted_ms >= $3 AND a.submitted_ms < $4 \
                 ORDER BY a.submitted_ms, a.id",
            )
            .bind(exam_id)
            .bind(team)
            .bind(from_ms)
            .bind(to_ms)
            .fetch(&pool);
            while let Some(row) = rows.next().await {
                let line = row.map_err(StoreError::from).and_then(|r| result_line(&r));
                // The consumer went away (the client hung up): stop reading.
                if tx.send(line).await.is_err() {
                    break;
                }
            }
        });
        futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        })
    }
}

/// One line of the results export.
#[derive(Debug, Clone)]
pub struct ResultLine {
    pub login: String,
    pub name: String,
    pub team: String,
    pub exam_id: String,
    pub started_ms: i64,
    pub submitted_ms: i64,
    pub points: f64,
    pub max_points: f64,
    pub passed: bool,
}

fn result_line(row: &AnyRow) -> Result<ResultLine> {
    Ok(ResultLine {
        login: row.try_get("login")?,
        name: row.try_get("name")?,
        team: row.try_get("team")?,
        exam_id: row.try_get("exam_id")?,
        started_ms: row.try_get("started_ms")?,
        submitted_ms: row.try_get("submitted_ms")?,
        points: row.try_get::<Option<f64>, _>("points")?.unwrap_or(0.0),
        max_points: row.try_get::<Option<f64>, _>("max_points")?.unwrap_or(0.0),
        passed: row
            .try_get::<Option<i64>, _>("passed")?
            .is_some_and(|p| p != 0),
    })
}
