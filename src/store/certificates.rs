//! Certificates: issued on a pass, with their expiry and the hash and text of each
//! lesson paragraph the exam's questions cite (JSON), so a rebuilt handbook that
//! changes one can mark the certificate "re-certification needed". An admin's
//! revocation keeps its reason and is audited in the same transaction.
//!
//! The cited paragraphs are stored once per distinct set (`cited_sets`), named by the
//! blake3 hash of their JSON: the thousands of certificates of one exam on one version
//! of the handbook share one set. [`Store::move_cited_sets`] moves certificates issued
//! before the sets existed.

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

/// `SELECT` of the columns of [`CertificateRow`] (the cited set's text for `cited`)
/// `FROM certificates c`, then the rest of the query.
macro_rules! select_certificates {
    ($rest:literal) => {
        concat!(
            "SELECT c.id, c.user_id, c.exam_id, c.attempt_id, c.name, c.score_percent, ",
            "c.issued_ms, c.expires_ms, c.revoked_ms, c.revoked_reason, ",
            "COALESCE(s.cited, c.cited) AS cited ",
            "FROM certificates c LEFT JOIN cited_sets s ON s.hash = c.cited_set ",
            $rest
        )
    };
}

/// The name of a set of cited paragraphs: the blake3 hash of its JSON.
pub fn cited_set_hash(cited: &str) -> String {
    blake3::hash(cited.as_bytes()).to_hex().to_string()
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

/// Stores a set of cited paragraphs on `conn` unless it is stored already; its hash.
async fn insert_cited_set(conn: &mut AnyConnection, cited: &str) -> Result<String> {
    let hash = cited_set_hash(cited);
    sqlx::query(
        "INSERT INTO cited_sets (hash, cited) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING",
    )
    .bind(&hash)
    .bind(cited)
    .execute(&mut *conn)
    .await?;
    Ok(hash)
}

/// Inserts a certificate on `conn` (a connection or an open transaction).
pub(super) async fn insert_certificate(
    conn: &mut AnyConnection,
    new: &NewCertificate,
) -> Result<String> {
    let id = random_id();
    let set = insert_cited_set(conn, &new.cited).await?;
    sqlx::query(
        "INSERT INTO certificates (id, user_id, exam_id, attempt_id, name, score_percent, issued_ms, expires_ms, cited, cited_set) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', $9)",
    )
    .bind(&id)
    .bind(&new.user_id)
    .bind(&new.exam_id)
    .bind(&new.attempt_id)
    .bind(&new.name)
    .bind(new.score_percent)
    .bind(new.issued_ms)
    .bind(new.expires_ms)
    .bind(&set)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

impl Store {
    pub async fn certificate(&self, id: &str) -> Result<Option<CertificateRow>> {
        let row = sqlx::query(select_certificates!("WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(certificate).transpose()
    }

    /// The certificate an attempt earned, if any.
    pub async fn certificate_of_attempt(&self, attempt_id: &str) -> Result<Option<CertificateRow>> {
        let row = sqlx::query(select_certificates!("WHERE c.attempt_id = $1"))
            .bind(attempt_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(certificate).transpose()
    }

    /// A user's certificates, newest first.
    pub async fn certificates_of(&self, user_id: &str) -> Result<Vec<CertificateRow>> {
        let rows = sqlx::query(select_certificates!(
            "WHERE c.user_id = $1 ORDER BY c.issued_ms DESC, c.id"
        ))
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

    /// Moves the cited paragraphs of certificates issued before cited sets existed
    /// into their sets, a batch per transaction; how many certificates it moved.
    pub async fn move_cited_sets(&self) -> Result<u64> {
        const BATCH: i64 = 500;
        let mut moved = 0;
        // In id order from where the last batch ended: each batch reads only its rows.
        let mut after = String::new();
        loop {
            let mut tx = self.writer().begin().await?;
            let rows = sqlx::query(
                "SELECT id, cited FROM certificates WHERE id > $1 AND cited_set IS NULL \
                 ORDER BY id LIMIT $2",
            )
            .bind(&after)
            .bind(BATCH)
            .fetch_all(&mut *tx)
            .await?;
            let Some(last) = rows.last() else {
                return Ok(moved);
            };
            after = last.try_get("id")?;
            for row in &rows {
                let id: String = row.try_get("id")?;
                let cited: String = row.try_get("cited")?;
                let set = insert_cited_set(&mut tx, &cited).await?;
                sqlx::query("UPDATE certificates SET cited_set = $1, cited = '' WHERE id = $2")
                    .bind(&set)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                moved += 1;
            }
            tx.commit().await?;
        }
    }
}
