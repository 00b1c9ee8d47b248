//! The audit log: every admin action (account changes, exam resets, certificate
//! revocations) with who, what and when. An action and its entry are written in one
//! transaction where the action is a database change ([`insert`] takes any executor).

use sqlx::Row as _;

use super::{Result, Store, random_id};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at_ms: i64,
    /// `cli:<os user>` or `web:<login>`.
    pub actor: String,
    /// A dotted verb: `user.add`, `exam.reset`, `certificate.revoke`, …
    pub action: String,
    pub detail: String,
}

/// Writes `entry` through `executor` (the pool, or an open transaction).
pub(super) async fn insert<'e, E>(executor: E, entry: &AuditEntry) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (id, at_ms, actor, action, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(random_id())
    .bind(entry.at_ms)
    .bind(&entry.actor)
    .bind(&entry.action)
    .bind(&entry.detail)
    .execute(executor)
    .await?;
    Ok(())
}

impl Store {
    pub async fn audit(&self, entry: &AuditEntry) -> Result<()> {
        insert(self.writer(), entry).await
    }

    /// The newest `limit` entries, newest first.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        self.audit_page(0, limit).await
    }

    /// `limit` entries after skipping the `offset` newest, newest first.
    pub async fn audit_page(&self, offset: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT at_ms, actor, action, detail FROM audit_log \
             ORDER BY at_ms DESC, id DESC LIMIT $1 OFFSET $2",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    at_ms: r.try_get("at_ms")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }

    /// How many entries the log holds.
    pub async fn audit_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_log")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }
}
