//! What the results views read: the agents in a scope (a team, or everyone), the
//! gradebook of graded attempts (`graded_attempts`, numbered in the order grades were
//! written, with the certificate each earned) that the server mirrors in memory, and
//! the stream of results for the export. A scope's team is always a bound parameter
//! (an empty string means every team). It writes only to add attempts graded before
//! the gradebook existed.

use futures_util::{Stream, StreamExt as _};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::{Backend, Result, Store, StoreError};

/// An agent as the readiness table lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRow {
    pub id: String,
    pub login: String,
    pub name: String,
    pub team: String,
    /// When the account was made (rule changes before it are not theirs to confirm).
    pub created_ms: i64,
}

/// One graded attempt as the gradebook reads it, with the certificate it earned.
#[derive(Debug, Clone)]
pub struct GradebookRow {
    /// Its place in the order grades were written.
    pub seq: i64,
    pub user_id: String,
    pub exam_id: String,
    pub sitting: Sitting,
    /// JSON: `[[question id, share of marks, [chosen option indices] or null], …]`.
    pub responses: String,
    pub certificate: Option<GradebookCertificate>,
}

/// A certificate as the readiness table needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradebookCertificate {
    pub id: String,
    pub issued_ms: i64,
    pub expires_ms: Option<i64>,
    /// The hash naming its set of cited paragraphs.
    pub cited_set: String,
}

/// What [`Store::gradebook_since`] saw besides the rows, in the same snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GradebookTotals {
    /// Graded attempts in the log; `None` on SQLite, where a grade numbered earlier
    /// can never become visible after a later one (one writer at a time numbers and
    /// commits each), so no count is needed to tell.
    pub graded: Option<i64>,
    /// Revoked certificates.
    pub revoked: i64,
}

/// A graded attempt written before `graded_attempts` existed.
#[derive(Debug, Clone)]
pub struct UnindexedAttempt {
    pub id: String,
    pub exam_id: String,
    pub paper: String,
    pub answers: String,
    pub results: String,
}

/// The rest of [`Store::gradebook_since`]'s query after its `graded` column: the
/// revocations counted, then the log's rows after `$1` (none: one row of NULLs).
macro_rules! gradebook_rows {
    () => {
        concat!(
            "t.revoked, g.seq, g.responses, g.user_id, g.exam_id, ",
            "g.started_ms, g.submitted_ms, g.points, g.max_points, g.passed, ",
            "c.id AS certificate_id, c.issued_ms, c.expires_ms, c.cited_set ",
            "FROM (SELECT COUNT(*) AS revoked FROM certificates WHERE revoked_ms IS NOT NULL) t ",
            "LEFT JOIN graded_attempts g ON g.seq > $1 ",
            "LEFT JOIN certificates c ON c.attempt_id = g.attempt_id ",
            "ORDER BY g.seq"
        )
    };
}

impl Store {
    /// The active agents of `team` (every team when empty), by team and login.
    ///
    /// Read as one row of JSON: the SQLite driver hands each row from its own thread
    /// to the caller's, and at ten thousand agents those hand-offs cost several times
    /// what the query does.
    pub async fn agents(&self, team: &str) -> Result<Vec<AgentRow>> {
        let query = match self.backend {
            Backend::Sqlite => sqlx::query(
                "SELECT json_group_array(json_array(id, login, name, team, created_ms)) AS agents \
                 FROM users WHERE role = 'agent' AND disabled = 0 AND ($1 = '' OR team = $1)",
            ),
            Backend::Postgres => sqlx::query(
                "SELECT COALESCE(json_agg(json_build_array(id, login, name, team, created_ms)), '[]')::text \
                 AS agents FROM users \
                 WHERE role = 'agent' AND disabled = 0 AND ($1 = '' OR team = $1)",
            ),
        };
        let row = query.bind(team).fetch_one(self.pool()).await?;
        let json: String = row.try_get("agents")?;
        let mut agents: Vec<AgentRow> =
            serde_json::from_str::<Vec<(String, String, String, String, i64)>>(&json)
                .map_err(|e| StoreError::Damaged(format!("the agents read as JSON: {e}")))?
                .into_iter()
                .map(|(id, login, name, team, created_ms)| AgentRow {
                    id,
                    login,
                    name,
                    team,
                    created_ms,
                })
                .collect();
        agents.sort_by(|a, b| a.team.cmp(&b.team).then_with(|| a.login.cmp(&b.login)));
        Ok(agents)
    }

    /// The ids of every user of `team`, disabled ones included (their results stay in
    /// the team's statistics).
    pub async fn team_members(&self, team: &str) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT id FROM users WHERE team = $1")
            .bind(team)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| Ok(row.try_get("id")?)).collect()
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

    /// The graded attempts after `seq` in the log, in order, handed to `each` as they
    /// are read (the first load reads every one: they are not collected), and the
    /// log's totals in the same snapshot, so the caller can tell whether a grade
    /// numbered earlier became visible late (PostgreSQL numbers rows when they are
    /// inserted, not when they commit, and many servers may write at once).
    pub async fn gradebook_since(
        &self,
        seq: i64,
        mut each: impl FnMut(GradebookRow),
    ) -> Result<GradebookTotals> {
        let query = match self.backend {
            Backend::Sqlite => sqlx::query(concat!("SELECT NULL AS graded, ", gradebook_rows!())),
            Backend::Postgres => sqlx::query(concat!(
                "SELECT (SELECT COUNT(*) FROM graded_attempts) AS graded, ",
                gradebook_rows!()
            )),
        };
        let mut rows = query.bind(seq).fetch(self.pool());
        let mut totals = None;
        while let Some(row) = rows.next().await {
            let row = row?;
            totals.get_or_insert(GradebookTotals {
                graded: row.try_get("graded")?,
                revoked: row.try_get("revoked")?,
            });
            let Some(seq) = row.try_get::<Option<i64>, _>("seq")? else {
                continue;
            };
            let certificate = match row.try_get::<Option<String>, _>("certificate_id")? {
                Some(id) => Some(GradebookCertificate {
                    id,
                    issued_ms: row.try_get("issued_ms")?,
                    expires_ms: row.try_get("expires_ms")?,
                    cited_set: row
                        .try_get::<Option<String>, _>("cited_set")?
                        .unwrap_or_default(),
                }),
                None => None,
            };
            each(GradebookRow {
                seq,
                user_id: row.try_get("user_id")?,
                exam_id: row.try_get("exam_id")?,
                sitting: sitting(&row)?,
                responses: row.try_get("responses")?,
                certificate,
            });
        }
        totals.ok_or_else(|| StoreError::Damaged("the gradebook's totals were not read".into()))
    }

    /// The ids of every revoked certificate.
    pub async fn revoked_certificates(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT id FROM certificates WHERE revoked_ms IS NOT NULL")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| Ok(row.try_get("id")?)).collect()
    }

    /// The JSON of a set of cited paragraphs.
    pub async fn cited_set(&self, hash: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT cited FROM cited_sets WHERE hash = $1")
            .bind(hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("cited")).transpose()?)
    }

    /// Up to `limit` graded attempts whose id sorts after `after` that are not in the
    /// gradebook's log yet (graded before it existed), in id order (so that a caller
    /// going through them all reads each attempt once).
    pub async fn unindexed_attempts(
        &self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<UnindexedAttempt>> {
        let rows = sqlx::query(
            "SELECT a.id, a.exam_id, a.paper, a.answers, a.results FROM attempts a \
             LEFT JOIN graded_attempts g ON g.attempt_id = a.id \
             WHERE a.id > $1 AND a.submitted_ms IS NOT NULL AND a.results IS NOT NULL \
             AND g.seq IS NULL ORDER BY a.id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(UnindexedAttempt {
                    id: row.try_get("id")?,
                    exam_id: row.try_get("exam_id")?,
                    paper: row.try_get("paper")?,
                    answers: row.try_get("answers")?,
                    results: row
                        .try_get::<Option<String>, _>("results")?
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Adds graded attempts to the gradebook's log, with their responses, in one
    /// transaction (one a concurrent server added already is skipped).
    pub async fn index_attempts(&self, indexed: &[(String, String)]) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        for (attempt_id, responses) in indexed {
            super::attempts::insert_graded(&mut tx, attempt_id, responses).await?;
        }
        tx.commit().await?;
        Ok(())
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
    pub sitting: Sitting,
}

/// When a graded attempt was sat, and its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sitting {
    pub started_ms: i64,
    pub submitted_ms: i64,
    pub points: f64,
    pub max_points: f64,
    pub passed: bool,
}

/// The [`Sitting`] of a row with the attempt's columns.
fn sitting(row: &AnyRow) -> Result<Sitting> {
    Ok(Sitting {
        started_ms: row.try_get("started_ms")?,
        submitted_ms: row.try_get("submitted_ms")?,
        points: row.try_get::<Option<f64>, _>("points")?.unwrap_or(0.0),
        max_points: row.try_get::<Option<f64>, _>("max_points")?.unwrap_or(0.0),
        passed: row
            .try_get::<Option<i64>, _>("passed")?
            .is_some_and(|p| p != 0),
    })
}

fn result_line(row: &AnyRow) -> Result<ResultLine> {
    Ok(ResultLine {
        login: row.try_get("login")?,
        name: row.try_get("name")?,
        team: row.try_get("team")?,
        exam_id: row.try_get("exam_id")?,
        sitting: sitting(row)?,
    })
}
