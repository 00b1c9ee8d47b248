//! Exam attempts: the drawn paper (JSON), the answers saved so far (JSON), the
//! deadline, and once submitted the grade and each question's result (JSON). At most
//! one open attempt per agent and exam (a unique index says so).
//!
//! An admin's exam reset ([`Store::reset_exam`]) voids the open attempt, if any: the row
//! stays as history but is never graded, saved to or counted, and every query the exam
//! flow uses skips it (to the agent it is "not found"). Attempts started before the
//! latest reset no longer count toward the attempt limit and retake wait
//! ([`Store::attempts_since_reset`]); graded attempts are never deleted.

use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use sqlx::{Connection as _, Row as _};

use super::certificates::{NewCertificate, insert_certificate};
use super::{AuditEntry, Result, Store, StoreError, flag, random_id};

/// What grading an attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    /// This call graded it; the certificate's id if one was issued.
    Now { certificate: Option<String> },
    /// It had been graded before (a repeated or racing submission).
    Before,
}

#[derive(Debug, Clone)]
pub struct Attempt {
    pub id: String,
    pub user_id: String,
    pub exam_id: String,
    pub seed: i64,
    /// JSON of `quiz::draw::Paper`.
    pub paper: String,
    /// JSON object: question index → answer JSON.
    pub answers: String,
    pub started_ms: i64,
    pub deadline_ms: i64,
    pub submitted_ms: Option<i64>,
    pub points: Option<f64>,
    pub max_points: Option<f64>,
    pub passed: Option<bool>,
    /// JSON of the graded results.
    pub results: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewAttempt<'a> {
    pub user_id: &'a str,
    pub exam_id: &'a str,
    pub seed: i64,
    pub paper: &'a str,
    pub started_ms: i64,
    pub deadline_ms: i64,
}

/// A graded attempt to store.
#[derive(Debug, Clone)]
pub struct Submission<'a> {
    pub answers: &'a str,
    pub submitted_ms: i64,
    pub points: f64,
    pub max_points: f64,
    pub passed: bool,
    pub results: &'a str,
    /// Each question's outcome as the statistics read it (`graded_attempts.responses`).
    pub responses: &'a str,
}

fn attempt(row: &AnyRow) -> Result<Attempt> {
    Ok(Attempt {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        exam_id: row.try_get("exam_id")?,
        seed: row.try_get("seed")?,
        paper: row.try_get("paper")?,
        answers: row.try_get("answers")?,
        started_ms: row.try_get("started_ms")?,
        deadline_ms: row.try_get("deadline_ms")?,
        submitted_ms: row.try_get("submitted_ms")?,
        points: row.try_get("points")?,
        max_points: row.try_get("max_points")?,
        passed: row.try_get::<Option<i64>, _>("passed")?.map(|p| p != 0),
        results: row.try_get("results")?,
    })
}

impl Store {
    /// Records a new open attempt. Fails with a conflict if one is open already.
    pub async fn start_attempt(&self, new: &NewAttempt<'_>) -> Result<Attempt> {
        let attempt = Attempt {
            id: random_id(),
            user_id: new.user_id.to_string(),
            exam_id: new.exam_id.to_string(),
            seed: new.seed,
            paper: new.paper.to_string(),
            answers: "{}".to_string(),
            started_ms: new.started_ms,
            deadline_ms: new.deadline_ms,
            submitted_ms: None,
            points: None,
            max_points: None,
            passed: None,
            results: None,
        };
        self.committer
            .write(Box::new(move |conn| {
                Box::pin(async move {
                    let inserted = sqlx::query(
                        "INSERT INTO attempts (id, user_id, exam_id, seed, paper, answers, started_ms, deadline_ms) \
                         VALUES ($1, $2, $3, $4, $5, '{}', $6, $7)",
                    )
                    .bind(&attempt.id)
                    .bind(&attempt.user_id)
                    .bind(&attempt.exam_id)
                    .bind(attempt.seed)
                    .bind(&attempt.paper)
                    .bind(attempt.started_ms)
                    .bind(attempt.deadline_ms)
                    .execute(&mut *conn)
                    .await;
                    match inserted {
                        Ok(_) => Ok(attempt),
                        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                            Err(StoreError::Conflict(
                                "an attempt at this exam is already open".into(),
                            ))
                        }
                        Err(e) => Err(e.into()),
                    }
                })
            }))
            .await
    }

    /// An attempt that was not voided.
    pub async fn attempt(&self, id: &str) -> Result<Option<Attempt>> {
        let row = sqlx::query("SELECT * FROM attempts WHERE id = $1 AND voided_ms IS NULL")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(attempt).transpose()
    }

    /// An attempt, voided or not, with the time it was voided (by an exam reset).
    pub async fn attempt_or_voided(&self, id: &str) -> Result<Option<(Attempt, Option<i64>)>> {
        let row = sqlx::query("SELECT * FROM attempts WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref()
            .map(|row| Ok((attempt(row)?, row.try_get("voided_ms")?)))
            .transpose()
    }

    /// The agent's open attempt at an exam, if any.
    pub async fn open_attempt(&self, user_id: &str, exam_id: &str) -> Result<Option<Attempt>> {
        let row = sqlx::query(
            "SELECT * FROM attempts WHERE user_id = $1 AND exam_id = $2 AND submitted_ms IS NULL \
             AND voided_ms IS NULL",
        )
        .bind(user_id)
        .bind(exam_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(attempt).transpose()
    }

    /// The agent's attempts at an exam (not voided), oldest first.
    pub async fn attempts_of(&self, user_id: &str, exam_id: &str) -> Result<Vec<Attempt>> {
        let rows = sqlx::query(
            "SELECT * FROM attempts WHERE user_id = $1 AND exam_id = $2 AND voided_ms IS NULL \
             ORDER BY started_ms, id",
        )
        .bind(user_id)
        .bind(exam_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(attempt).collect()
    }

    /// Saves the answers of an open attempt (false if it is no longer open).
    pub async fn save_answers(&self, id: &str, answers: &str) -> Result<bool> {
        let (id, answers) = (id.to_string(), answers.to_string());
        self.committer
            .write(Box::new(move |conn| {
                Box::pin(async move {
                    let done = sqlx::query(
                        "UPDATE attempts SET answers = $1 WHERE id = $2 AND submitted_ms IS NULL AND voided_ms IS NULL",
                    )
                    .bind(&answers)
                    .bind(&id)
                    .execute(&mut *conn)
                    .await?;
                    Ok(done.rows_affected() == 1)
                })
            }))
            .await
    }

    /// Stores the grade of an open attempt; false if another request graded it first
    /// (the caller then reads the stored grade: submitting twice is harmless).
    pub async fn finish_attempt(&self, id: &str, s: &Submission<'_>) -> Result<bool> {
        Ok(matches!(
            self.grade_attempt(id, s, None).await?,
            Finished::Now { .. }
        ))
    }

    /// Stores the grade of an open attempt and, if it earned one, its certificate, in
    /// one transaction: a crash between the two cannot leave a pass without its
    /// certificate.
    pub async fn grade_attempt(
        &self,
        id: &str,
        s: &Submission<'_>,
        certificate: Option<NewCertificate>,
    ) -> Result<Finished> {
        let (id, answers, results, responses) = (
            id.to_string(),
            s.answers.to_string(),
            s.results.to_string(),
            s.responses.to_string(),
        );
        let (submitted_ms, points, max_points, passed) =
            (s.submitted_ms, s.points, s.max_points, s.passed);
        self.committer
            .write(Box::new(move |conn| {
                Box::pin(async move {
                    // Grade and certificate together or not at all.
                    let mut tx = conn.begin().await?;
                    let done = sqlx::query(
                        "UPDATE attempts SET answers = $1, submitted_ms = $2, points = $3, max_points = $4, \
                         passed = $5, results = $6 WHERE id = $7 AND submitted_ms IS NULL AND voided_ms IS NULL",
                    )
                    .bind(&answers)
                    .bind(submitted_ms)
                    .bind(points)
                    .bind(max_points)
                    .bind(flag(passed))
                    .bind(&results)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() != 1 {
                        return Ok(Finished::Before);
                    }
                    insert_graded(&mut tx, &id, &responses).await?;
                    let certificate = match &certificate {
                        Some(new) => Some(insert_certificate(&mut tx, new).await?),
                        None => None,
                    };
                    tx.commit().await?;
                    Ok(Finished::Now { certificate })
                })
            }))
            .await
    }

    /// Open attempts whose deadline passed before `before_ms` (to grade them).
    pub async fn overdue_attempts(&self, before_ms: i64) -> Result<Vec<Attempt>> {
        let rows =
            sqlx::query("SELECT * FROM attempts WHERE submitted_ms IS NULL AND voided_ms IS NULL AND deadline_ms < $1")
                .bind(before_ms)
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(attempt).collect()
    }
}

/// Adds a graded attempt to the gradebook's log (`graded_attempts`) on `conn`, with
/// the grade as the attempt's row has it (skipped if it is there already).
pub(super) async fn insert_graded(
    conn: &mut AnyConnection,
    attempt_id: &str,
    responses: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO graded_attempts (attempt_id, user_id, exam_id, started_ms, submitted_ms, \
         points, max_points, passed, responses) \
         SELECT id, user_id, exam_id, started_ms, submitted_ms, points, max_points, passed, $2 \
         FROM attempts WHERE id = $1 AND submitted_ms IS NOT NULL \
         ON CONFLICT (attempt_id) DO NOTHING",
    )
    .bind(attempt_id)
    .bind(responses)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An admin's reset of one agent's exam.
#[derive(Debug, Clone)]
pub struct ExamReset<'a> {
    pub user_id: &'a str,
    pub exam_id: &'a str,
    pub reason: &'a str,
    /// Who, when, and what (the voided attempt's id is appended).
    pub audit: &'a AuditEntry,
}

impl Store {
    /// The agent's attempts at an exam that count toward its attempt limit and retake
    /// wait: not voided, started after the latest reset (an attempt open at the reset
    /// was voided by it). Oldest first.
    pub async fn attempts_since_reset(&self, user_id: &str, exam_id: &str) -> Result<Vec<Attempt>> {
        let rows = sqlx::query(
            "SELECT * FROM attempts WHERE user_id = $1 AND exam_id = $2 AND voided_ms IS NULL \
             AND started_ms > COALESCE((SELECT MAX(r.at_ms) FROM exam_resets r \
             WHERE r.user_id = $1 AND r.exam_id = $2), -1) \
             ORDER BY started_ms, id",
        )
        .bind(user_id)
        .bind(exam_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(attempt).collect()
    }

    /// Every attempt of a user at every exam, voided ones included (with the time of
    /// voiding), newest first.
    pub async fn attempt_history(&self, user_id: &str) -> Result<Vec<(Attempt, Option<i64>)>> {
        let rows =
            sqlx::query("SELECT * FROM attempts WHERE user_id = $1 ORDER BY started_ms DESC, id")
                .bind(user_id)
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|row| Ok((attempt(row)?, row.try_get("voided_ms")?)))
            .collect()
    }

    /// Resets an agent's exam, in one transaction with its audit entry: voids the open
    /// attempt (returned), and records the reset so earlier attempts stop counting.
    pub async fn reset_exam(&self, reset: &ExamReset<'_>) -> Result<Option<String>> {
        let at = reset.audit.at_ms;
        let mut tx = self.writer().begin().await?;
        let voided: Option<String> = sqlx::query(
            "UPDATE attempts SET voided_ms = $1 WHERE user_id = $2 AND exam_id = $3 \
             AND submitted_ms IS NULL AND voided_ms IS NULL RETURNING id",
        )
        .bind(at)
        .bind(reset.user_id)
        .bind(reset.exam_id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get("id"))
        .transpose()?;
        sqlx::query(
            "INSERT INTO exam_resets (id, user_id, exam_id, at_ms, actor, reason) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(random_id())
        .bind(reset.user_id)
        .bind(reset.exam_id)
        .bind(at)
        .bind(&reset.audit.actor)
        .bind(reset.reason)
        .execute(&mut *tx)
        .await?;
        let mut entry = reset.audit.clone();
        if let Some(id) = &voided {
            entry
                .detail
                .push_str(&format!("; voided open attempt {id}"));
        }
        super::audit::insert(&mut *tx, &entry).await?;
        tx.commit().await?;
        Ok(voided)
    }
}
