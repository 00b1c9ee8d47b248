//! Sign-in state: server-side sessions (the cookie carries a random token; the table
//! keeps its hash), one-time setup links, and the failed-sign-in counters behind the
//! login rate limit and temporary lockout.

use sqlx::Row as _;

use super::{Result, Store, User, random_id, token_hash};

/// The login rate limit: so many failures per key within a window lock the key out.
#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    pub max_failures: i64,
    pub window_ms: i64,
    pub lockout_ms: i64,
}

/// Whether a key may try to sign in now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginVerdict {
    Allowed,
    LockedUntil(i64),
}

impl Store {
    /// Starts a session for `user_id`; returns the token for the cookie.
    pub async fn create_session(&self, user_id: &str, now_ms: i64) -> Result<String> {
        let token = random_id() + &random_id();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_ms, last_seen_ms) VALUES ($1, $2, $3, $3)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(now_ms)
        .execute(self.writer())
        .await?;
        Ok(token)
    }

    /// The session's user if the session exists, was seen within `idle_ms`, and the
    /// account is enabled; touches the session. An idle session is deleted.
    pub async fn session_user(
        &self,
        token: &str,
        now_ms: i64,
        idle_ms: i64,
    ) -> Result<Option<User>> {
        let hash = token_hash(token);
        // One query for the session and its account: this runs on every request.
        let row = sqlx::query(
            "SELECT s.last_seen_ms, u.id, u.login, u.name, u.team, u.role, u.password_hash, u.disabled \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let last_seen: i64 = row.try_get("last_seen_ms")?;
        if now_ms - last_seen > idle_ms {
            self.end_session(token).await?;
            return Ok(None);
        }
        let user = super::users::user(&row)?;
        if user.disabled {
            return Ok(None);
        }
        // Touch at most once a minute: most requests then only read.
        if now_ms - last_seen > 60_000 {
            sqlx::query("UPDATE sessions SET last_seen_ms = $1 WHERE token_hash = $2")
                .bind(now_ms)
                .bind(&hash)
                .execute(self.writer())
                .await?;
        }
        Ok(Some(user))
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(self.writer())
            .await?;
        Ok(())
    }

    pub async fn end_sessions_of(&self, user_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// A one-time link token that lets `user_id` set a password until `expires_ms`.
    pub async fn create_setup_link(&self, user_id: &str, expires_ms: i64) -> Result<String> {
        let token = random_id() + &random_id();
        sqlx::query(
            "INSERT INTO setup_links (token_hash, user_id, expires_ms) VALUES ($1, $2, $3)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(expires_ms)
        .execute(self.writer())
        .await?;
        Ok(token)
    }

    /// The user a setup link is for, if it is unused and unexpired.
    pub async fn setup_link_user(&self, token: &str, now_ms: i64) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT user_id FROM setup_links WHERE token_hash = $1 AND used_ms IS NULL AND expires_ms > $2",
        )
        .bind(token_hash(token))
        .bind(now_ms)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => self.user(&row.try_get::<String, _>("user_id")?).await,
            None => Ok(None),
        }
    }

    /// Marks a setup link used; false if it was already used (a race lost).
    pub async fn use_setup_link(&self, token: &str, now_ms: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE setup_links SET used_ms = $1 WHERE token_hash = $2 AND used_ms IS NULL AND expires_ms > $1",
        )
        .bind(now_ms)
        .bind(token_hash(token))
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Whether `key` is locked out now.
    pub async fn login_verdict(&self, key: &str, now_ms: i64) -> Result<LoginVerdict> {
        let row = sqlx::query("SELECT locked_until_ms FROM login_failures WHERE key = $1")
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        let until: i64 = match row {
            Some(row) => row.try_get("locked_until_ms")?,
            None => 0,
        };
        Ok(if until > now_ms {
            LoginVerdict::LockedUntil(until)
        } else {
            LoginVerdict::Allowed
        })
    }

    /// Counts a failed sign-in for `key`; locks it out once the window holds too many.
    pub async fn record_login_failure(
        &self,
        key: &str,
        now_ms: i64,
        throttle: Throttle,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO login_failures (key, failures, window_start_ms, locked_until_ms) VALUES ($1, 1, $2, 0) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN login_failures.window_start_ms < $3 THEN 1 ELSE login_failures.failures + 1 END, \
               window_start_ms = CASE WHEN login_failures.window_start_ms < $3 THEN $2 ELSE login_failures.window_start_ms END",
        )
        .bind(key)
        .bind(now_ms)
        .bind(now_ms - throttle.window_ms)
        .execute(self.writer())
        .await?;
        sqlx::query("UPDATE login_failures SET locked_until_ms = $1, failures = 0, window_start_ms = $2 WHERE key = $3 AND failures >= $4")
            .bind(now_ms + throttle.lockout_ms)
            .bind(now_ms)
            .bind(key)
            .bind(throttle.max_failures)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}
