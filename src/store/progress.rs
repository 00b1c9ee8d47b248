//! Onboarding progress: the lessons a signed-in user has opened and their practice
//! results per quiz, as their browser reported them (the server has checked the page
//! and quiz ids against the loaded handbook before they get here). Writes are upserts,
//! so sending the same batch twice changes nothing; each also recounts the user's
//! `progress_totals` row, which team lists read.

use sqlx::Row as _;

use super::{Backend, Result, Store, StoreError};

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
    /// The last lesson opened or practice reported (`None`: nothing yet).
    pub last_ms: Option<i64>,
}

/// Recounts one user's `progress_totals` row from their lesson opens and practice,
/// inside the transaction that changed them.
const RECOUNT: &str = "INSERT INTO progress_totals \
     (user_id, lessons, opened_ms, practice_done, practised_ms) \
     SELECT $1, \
     (SELECT COUNT(*) FROM lesson_opens l WHERE l.user_id = $1), \
     (SELECT MAX(l.last_ms) FROM lesson_opens l WHERE l.user_id = $1), \
     (SELECT COUNT(*) FROM practice_progress p \
      WHERE p.user_id = $1 AND p.total > 0 AND p.checked >= p.total), \
     (SELECT MAX(p.updated_ms) FROM practice_progress p WHERE p.user_id = $1) \
     ON CONFLICT (user_id) DO UPDATE SET lessons = excluded.lessons, \
     opened_ms = excluded.opened_ms, practice_done = excluded.practice_done, \
     practised_ms = excluded.practised_ms";

impl Store {
    /// Records lesson opens (`(page, at_ms)`), keeping each page's first and last time.
    pub async fn record_lesson_opens(&self, user_id: &str, opens: &[(String, i64)]) -> Result<()> {
        if opens.is_empty() {
            return Ok(());
        }
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
        sqlx::query(RECOUNT).bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records practice progress: the latest report of each quiz replaces the last.
    pub async fn record_practice(&self, user_id: &str, rows: &[PracticeRow]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
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
        sqlx::query(RECOUNT).bind(user_id).execute(&mut *tx).await?;
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

    /// Lessons opened, practice quizzes finished and when last active, per active
    /// agent of `team` (every team when empty): one row of `progress_totals` each,
    /// read as one JSON row (decoding thousands of rows one by one costs more).
    pub async fn progress_counts(&self, team: &str) -> Result<Vec<ProgressCount>> {
        let query = match self.backend {
            Backend::Sqlite => sqlx::query(
                "SELECT json_group_array(json_array(u.id, t.lessons, t.opened_ms, \
                 t.practice_done, t.practised_ms)) AS counts \
                 FROM users u JOIN progress_totals t ON t.user_id = u.id \
                 WHERE u.role = 'agent' AND u.disabled = 0 AND ($1 = '' OR u.team = $1)",
            ),
            Backend::Postgres => sqlx::query(
                "SELECT COALESCE(json_agg(json_build_array(u.id, t.lessons, t.opened_ms, \
                 t.practice_done, t.practised_ms)), '[]')::text AS counts \
                 FROM users u JOIN progress_totals t ON t.user_id = u.id \
                 WHERE u.role = 'agent' AND u.disabled = 0 AND ($1 = '' OR u.team = $1)",
            ),
        };
        let row = query.bind(team).fetch_one(self.pool()).await?;
        let json: String = row.try_get("counts")?;
        type Totals = (String, i64, Option<i64>, i64, Option<i64>);
        let counts: Vec<Totals> = serde_json::from_str(&json)
            .map_err(|e| StoreError::Damaged(format!("the progress read as JSON: {e}")))?;
        Ok(counts
            .into_iter()
            .map(
                |(user_id, lessons, opened, practice_done, practised)| ProgressCount {
                    user_id,
                    lessons,
                    practice_done,
                    last_ms: opened.max(practised),
                },
            )
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn exec(store: &Store, sql: &'static str) {
        sqlx::query(sql).execute(store.writer()).await.unwrap();
    }

    fn of<'a>(counts: &'a [ProgressCount], user: &str) -> Option<&'a ProgressCount> {
        counts.iter().find(|c| c.user_id == user)
    }

    /// A database with progress written before `progress_totals` existed is counted
    /// by the migration; every later write recounts its user.
    #[tokio::test]
    async fn totals_are_filled_from_earlier_progress_and_kept_by_writes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&dir.path().join("progress.db"))
            .await
            .unwrap();
        let mut before = sqlx::migrate!("migrations/sqlite");
        let earlier: Vec<_> = before
            .migrations
            .iter()
            .filter(|m| m.version < 5)
            .cloned()
            .collect();
        before.migrations = earlier.into();
        before.run(store.writer()).await.unwrap();
        exec(
            &store,
            "INSERT INTO users (id, login, name, team, role, created_ms) VALUES \
             ('u1', 'A1', '甲', 't', 'agent', 0), ('u2', 'A2', '乙', 't', 'agent', 0)",
        )
        .await;
        exec(
            &store,
            "INSERT INTO lesson_opens (user_id, page, first_ms, last_ms) VALUES \
             ('u1', 'a.md', 5, 10), ('u1', 'b.md', 20, 30), ('u1', 'c.md', 15, 15)",
        )
        .await;
        exec(
            &store,
            "INSERT INTO practice_progress (user_id, quiz_id, checked, correct, total, updated_ms) \
             VALUES ('u1', 'q1', 5, 4, 5, 40), ('u1', 'q2', 2, 2, 6, 25), ('u1', 'q3', 0, 0, 0, 1)",
        )
        .await;
        store.migrate().await.unwrap();
        let counts = store.progress_counts("t").await.unwrap();
        let u1 = of(&counts, "u1").unwrap();
        assert_eq!((u1.lessons, u1.practice_done, u1.last_ms), (3, 1, Some(40)));
        assert_eq!(of(&counts, "u2"), None);

        store
            .record_lesson_opens("u2", &[("a.md".into(), 50), ("b.md".into(), 45)])
            .await
            .unwrap();
        store
            .record_lesson_opens("u1", &[("a.md".into(), 60), ("d.md".into(), 2)])
            .await
            .unwrap();
        let done = PracticeRow {
            quiz_id: "q2".into(),
            checked: 6,
            correct: 5,
            total: 6,
            updated_ms: 70,
        };
        store.record_practice("u1", &[done]).await.unwrap();
        let counts = store.progress_counts("").await.unwrap();
        let u1 = of(&counts, "u1").unwrap();
        assert_eq!((u1.lessons, u1.practice_done, u1.last_ms), (4, 2, Some(70)));
        let u2 = of(&counts, "u2").unwrap();
        assert_eq!((u2.lessons, u2.practice_done, u2.last_ms), (2, 0, Some(50)));
        // Another team's list does not have them.
        assert!(store.progress_counts("other").await.unwrap().is_empty());
    }
}
