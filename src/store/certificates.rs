//! Certificates: issued on a pass, with their expiry and the hash and text of each
//! lesson paragraph the exam's questions cite (JSON), so a rebuilt handbook that
//! changes one can mark the certificate "re-certification needed". An admin's
//! revocation keeps its reason and is audited in the same transaction.

use sqlx::AnyConnection;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::{AuditEntry, Result, Store, random_id};

#[derive(Debug, Clone)]
pub struct CertificateRow {
    pub id: String,
    pub user_id: String,
    pub exam_id: String,
    pub attempt_id: String,
    pub name: String,
    pub score_percent: f64,
    pub issued_ms: i64,
    pub expires_ms: Option<i64>,
    pub revoked_ms: Option<i64>,
    pub revoked_reason: Option<String>,
    /// JSON: `[{"source": …, "hash": …, "text": …}]`.
    pub cited: String,
}

/// A certificate to issue. It owns its text, so that it can travel to the group-commit
/// task with the grade it belongs to.
#[derive(Debug, Clone)]
pub struct NewCertificate {
    pub user_id: String,
    pub exam_id: String,
    pub attempt_id: String,
    pub name: String,
    pub score_percent: f64,
    pub issued_ms: i64,
    pub expires_ms: Option<i64>,
    pub cited: String,
}

fn certificate(row: &AnyRow) -> Result<CertificateRow> {
    Ok(CertificateRow {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        exam_id: row.try_get("exam_id")?,
        attempt_id: row.try_get("attempt_id")?,
        name: row.try_get("name")?,
        score_percent: row.try_get("score_percent")?,
        issued_ms: row.try_get("issued_ms")?,
        expires_ms: row.try_get("expires_ms")?,
        revoked_ms: row.try_get("revoked_ms")?,
        revoked_reason: row.try_get("revoked_reason")?,
        cited: row.try_get("cited")?,
    })
}

/// Inserts a certificate on `conn` (a connection or an open transaction).
pub(super) async fn insert_certificate(
    conn: &mut AnyConnection,
    new: &NewCertificate,
) -> Result<String> {
    let id = random_id();
    sqlx::query(
        "INSERT INTO certificates (id, user_id, exam_id, attempt_id, name, score_percent, issued_ms, expires_ms, cited) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(&new.user_id)
    .bind(&new.exam_id)
    .bind(&new.attempt_id)
    .bind(&new.name)
    .bind(new.score_percent)
    .bind(new.issued_ms)
    .bind(new.expires_ms)
    .bind(&new.cited)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

impl Store {
    pub async fn issue_certificate(&self, new: &NewCertificate) -> Result<String> {
        let mut conn = self.writer().acquire().await?;
        insert_certificate(&mut conn, new).await
    }

    pub async fn certificate(&self, id: &str) -> Result<Option<CertificateRow>> {
        let row = sqlx::query("SELECT * FROM certificates WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(certificate).transpose()
    }

    /// The certificate an attempt earned, if any.
    pub async fn certificate_of_attempt(&self, attempt_id: &str) -> Result<Option<CertificateRow>> {
        let row = sqlx::query("SELECT * FROM certificates WHERE attempt_id = $1")
            .bind(attempt_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(certificate).transpose()
    }

    /// A user's certificates, newest first.
    pub async fn certificates_of(&self, user_id: &str) -> Result<Vec<CertificateRow>> {
        let rows = sqlx::query(
            "SELECT * FROM certificates WHERE user_id = $1 ORDER BY issued_ms DESC, id",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(certificate).collect()
    }

    pub async fn revoke_certificate(&self, id: &str, now_ms: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE certificates SET revoked_ms = $1 WHERE id = $2 AND revoked_ms IS NULL",
        )
        .bind(now_ms)
        .bind(id)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revokes a certificate with a reason, in one transaction with its audit entry
    /// (whose time is the revocation's). False, and nothing written, if it was
    /// revoked already.
    pub async fn revoke_with_reason(
        &self,
        id: &str,
        reason: &str,
        audit: &AuditEntry,
    ) -> Result<bool> {
        let mut tx = self.writer().begin().await?;
        let done = sqlx::query(
            "UPDATE certificates SET revoked_ms = $1, revoked_reason = $2 \
             WHERE id = $3 AND revoked_ms IS NULL",
        )
        .bind(audit.at_ms)
        .bind(reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        super::audit::insert(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }
}
