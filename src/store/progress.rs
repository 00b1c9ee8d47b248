//! Onboarding progress: the lessons a signed-in user has opened and their practice
//! results per quiz, as their browser reported them (the server has checked the page
//! and quiz ids against the loaded handbook before they get here). Writes are upserts,
//! so sending the same batch twice changes nothing.

use sqlx::Row as _;

use super::{Result, Store};

/// One practice quiz's progress for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeRow {
    pub quiz_id: String,
    /// Questions checked, of `total`.
    pub checked: i64,
    pub correct: i64,
    pub total: i64,
    pub updated_ms: i64,
}

/// A lesson a user has opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonOpen {
    /// The page's source path below `content/`.
    pub page: String,
    pub first_ms: i64,
    pub last_ms: i64,
}

/// A user's progress in numbers, for team lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressCount {
    pub user_id: String,
    pub lessons: i64,
    /// Practice quizzes with every question checked.
    pub practice_done: i64,
}

impl Store {
    /// Records lesson opens (`(page, at_ms)`), keeping each page's first and last time.
    pub async fn record_lesson_opens(&self, user_id: &str, opens: &[(String, i64)]) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        for (page, at) in opens {
            sqlx::query(
                "INSERT INTO lesson_opens (user_id, page, first_ms, last_ms) VALUES ($1, $2, $3, $3) \
                 ON CONFLICT (user_id, page) DO UPDATE SET \
                 first_ms = CASE WHEN excluded.first_ms < lesson_opens.first_ms \
                            THEN excluded.first_ms ELSE lesson_opens.first_ms END, \
                 last_ms = CASE WHEN excluded.last_ms > lesson_opens.last_ms \
                           THEN excluded.last_ms ELSE lesson_opens.last_ms END",
            )
            .bind(user_id)
            .bind(page)
            .bind(*at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records practice progress: the latest report of each quiz replaces the last.
    pub async fn record_practice(&self, user_id: &str, rows: &[PracticeRow]) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        for r in rows {
            sqlx::query(
                "INSERT INTO practice_progress (user_id, quiz_id, checked, correct, total, updated_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (user_id, quiz_id) DO UPDATE SET checked = excluded.checked, \
                 correct = excluded.correct, total = excluded.total, updated_ms = excluded.updated_ms",
            )
            .bind(user_id)
            .bind(&r.quiz_id)
            .bind(r.checked)
            .bind(r.correct)
            .bind(r.total)
            .bind(r.updated_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The lessons `user_id` has opened.
    pub async fn lesson_opens(&self, user_id: &str) -> Result<Vec<LessonOpen>> {
        let rows = sqlx::query(
            "SELECT page, first_ms, last_ms FROM lesson_opens WHERE user_id = $1 ORDER BY page",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LessonOpen {
                    page: row.try_get("page")?,
                    first_ms: row.try_get("first_ms")?,
                    last_ms: row.try_get("last_ms")?,
                })
            })
            .collect()
    }

    /// `user_id`'s practice progress per quiz.
    pub async fn practice_of(&self, user_id: &str) -> Result<Vec<PracticeRow>> {
        let rows = sqlx::query(
            "SELECT quiz_id, checked, correct, total, updated_ms FROM practice_progress \
             WHERE user_id = $1 ORDER BY quiz_id",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PracticeRow {
                    quiz_id: row.try_get("quiz_id")?,
                    checked: row.try_get("checked")?,
                    correct: row.try_get("correct")?,
                    total: row.try_get("total")?,
                    updated_ms: row.try_get("updated_ms")?,
                })
            })
            .collect()
    }

    /// Lessons opened and practice quizzes finished, per active agent of `team` (every
    /// team when empty) who has any.
    pub async fn progress_counts(&self, team: &str) -> Result<Vec<ProgressCount>> {
        let rows = sqlx::query(
            "SELECT u.id AS user_id, \
             (SELECT COUNT(*) FROM lesson_opens l WHERE l.user_id = u.id) AS lessons, \
             (SELECT COUNT(*) FROM practice_progress p WHERE p.user_id = u.id \
              AND p.total > 0 AND p.checked >= p.total) AS practice_done \
             FROM users u WHERE u.role = 'agent' AND u.disabled = 0 AND ($1 = '' OR u.team = $1)",
        )
        .bind(team)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ProgressCount {
                    user_id: row.try_get("user_id")?,
                    lessons: row.try_get("lessons")?,
                    practice_done: row.try_get("practice_done")?,
                })
            })
            .collect()
    }
}
