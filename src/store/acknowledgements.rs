//! Rule changes and their acknowledgements: the last published version of each tracked
//! passage, the changes recorded when a rebuilt handbook is served, and who confirmed
//! having read each one.
//!
//! Who must acknowledge a change: the active agents (role `agent`, not disabled) whose
//! account existed when the change was recorded. Someone who joins later learns the
//! current text from the handbook and never knew the old one.

use std::collections::{BTreeMap, HashMap};

use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::{Backend, Result, Store, StoreError, random_id};

/// A passage as last published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPassage {
    pub key: String,
    pub page: String,
    pub title: String,
    pub hash: String,
    pub text: String,
}

/// A recorded change of one passage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleChange {
    pub id: String,
    pub passage: String,
    pub page: String,
    pub title: String,
    /// Empty for a new passage.
    pub old_text: String,
    /// Empty for a removed passage.
    pub new_text: String,
    pub changed_ms: i64,
}

/// Who acknowledged one change: user id to when.
pub type Acknowledged = HashMap<String, i64>;

impl Store {
    /// Every passage as last published.
    pub async fn published_passages(&self) -> Result<Vec<PublishedPassage>> {
        let rows = sqlx::query("SELECT key, page, title, hash, text FROM passages ORDER BY key")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(PublishedPassage {
                    key: row.try_get("key")?,
                    page: row.try_get("page")?,
                    title: row.try_get("title")?,
                    hash: row.try_get("hash")?,
                    text: row.try_get("text")?,
                })
            })
            .collect()
    }

    /// Publishes `current` passages (new or changed; `hash` empty for one removed) and
    /// records `changes`, in one transaction: a crash leaves the old versions, so the
    /// next start finds the same changes again.
    pub async fn publish_passages(
        &self,
        current: &[PublishedPassage],
        changes: &[RuleChange],
        now_ms: i64,
    ) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        for p in current {
            if p.hash.is_empty() {
                sqlx::query("DELETE FROM passages WHERE key = $1")
                    .bind(&p.key)
                    .execute(&mut *tx)
                    .await?;
                continue;
            }
            sqlx::query(
                "INSERT INTO passages (key, page, title, hash, text, published_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (key) DO UPDATE SET page = $2, title = $3, hash = $4, text = $5, \
                 published_ms = $6",
            )
            .bind(&p.key)
            .bind(&p.page)
            .bind(&p.title)
            .bind(&p.hash)
            .bind(&p.text)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        for c in changes {
            sqlx::query(
                "INSERT INTO rule_changes (id, passage, page, title, old_text, new_text, changed_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(random_id())
            .bind(&c.passage)
            .bind(&c.page)
            .bind(&c.title)
            .bind(&c.old_text)
            .bind(&c.new_text)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every recorded change, newest first.
    pub async fn rule_changes(&self) -> Result<Vec<RuleChange>> {
        let rows = sqlx::query(
            "SELECT c.id, c.passage, c.page, c.title, c.old_text, c.new_text, c.changed_ms \
             FROM rule_changes c ORDER BY c.changed_ms DESC, c.title, c.id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(rule_change).collect()
    }

    /// The changes `user_id` is due to acknowledge (recorded after their account was
    /// made) and has not, newest first.
    pub async fn pending_changes(&self, user_id: &str) -> Result<Vec<RuleChange>> {
        let rows = sqlx::query(
            "SELECT c.id, c.passage, c.page, c.title, c.old_text, c.new_text, c.changed_ms \
             FROM rule_changes c JOIN users u ON u.id = $1 \
             WHERE u.role = 'agent' AND c.changed_ms >= u.created_ms \
             AND NOT EXISTS (SELECT 1 FROM acknowledgements a \
                             WHERE a.change_id = c.id AND a.user_id = $1) \
             ORDER BY c.changed_ms DESC, c.title, c.id",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(rule_change).collect()
    }

    /// The changes `user_id` has acknowledged, with when, newest change first.
    pub async fn acknowledged_changes(&self, user_id: &str) -> Result<Vec<(RuleChange, i64)>> {
        let rows = sqlx::query(
            "SELECT c.id, c.passage, c.page, c.title, c.old_text, c.new_text, c.changed_ms, \
             a.at_ms FROM rule_changes c JOIN acknowledgements a ON a.change_id = c.id \
             WHERE a.user_id = $1 ORDER BY c.changed_ms DESC, c.title, c.id",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((rule_change(row)?, row.try_get("at_ms")?)))
            .collect()
    }

    /// Records that `user_id` has read change `change_id` (once: a repeat keeps the
    /// first time). False when there is no such change or the user is not due to
    /// acknowledge it.
    pub async fn acknowledge(&self, change_id: &str, user_id: &str, now_ms: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO acknowledgements (change_id, user_id, at_ms) \
             SELECT c.id, u.id, $3 FROM rule_changes c JOIN users u ON u.id = $2 \
             WHERE c.id = $1 AND u.role = 'agent' AND c.changed_ms >= u.created_ms \
             ON CONFLICT (change_id, user_id) DO NOTHING",
        )
        .bind(change_id)
        .bind(user_id)
        .bind(now_ms)
        .execute(self.writer())
        .await?;
        if done.rows_affected() > 0 {
            return Ok(true);
        }
        let already = sqlx::query(
            "SELECT 1 AS one FROM acknowledgements WHERE change_id = $1 AND user_id = $2",
        )
        .bind(change_id)
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(already.is_some())
    }

    /// Per change, when each user of `team` (every team when empty) acknowledged it:
    /// one JSON object per change, as there is one acknowledgement per agent and
    /// change (tens of thousands in a company) and decoding rows one by one costs
    /// more than the reading.
    pub async fn acknowledgements(&self, team: &str) -> Result<BTreeMap<String, Acknowledged>> {
        let query = match self.backend {
            // Read in table order and grouped after: through the primary key's index
            // every row would be a lookup, twice as slow.
            Backend::Sqlite => sqlx::query(
                "SELECT change_id, json_group_object(user_id, at_ms) AS acks \
                 FROM acknowledgements NOT INDEXED \
                 WHERE $1 = '' OR user_id IN (SELECT id FROM users WHERE team = $1) \
                 GROUP BY change_id",
            ),
            Backend::Postgres => sqlx::query(
                "SELECT change_id, json_object_agg(user_id, at_ms)::text AS acks \
                 FROM acknowledgements \
                 WHERE $1 = '' OR user_id IN (SELECT id FROM users WHERE team = $1) \
                 GROUP BY change_id",
            ),
        };
        let rows = query.bind(team).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let json: String = row.try_get("acks")?;
                let by_user = serde_json::from_str(&json).map_err(|e| {
                    StoreError::Damaged(format!("the acknowledgements read as JSON: {e}"))
                })?;
                Ok((row.try_get("change_id")?, by_user))
            })
            .collect()
    }
}

fn rule_change(row: &AnyRow) -> Result<RuleChange> {
    Ok(RuleChange {
        id: row.try_get("id")?,
        passage: row.try_get("passage")?,
        page: row.try_get("page")?,
        title: row.try_get("title")?,
        old_text: row.try_get("old_text")?,
        new_text: row.try_get("new_text")?,
        changed_ms: row.try_get("changed_ms")?,
    })
}
