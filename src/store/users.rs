//! Accounts: who may sign in, with which role. Password hashes are made and checked
//! by the caller (argon2id, off the async threads); this module only stores them.

use serde::Serialize;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::{AuditEntry, Result, Store, StoreError, flag, random_id};

/// What an account may do. Agents sit exams; trainers and supervisors also see
/// results; admins also manage accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    Trainer,
    Supervisor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Trainer => "trainer",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text.trim().to_ascii_lowercase().as_str() {
            "agent" => Some(Role::Agent),
            "trainer" => Some(Role::Trainer),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: String,
    /// What the user types to sign in (the employee id).
    pub login: String,
    pub name: String,
    pub team: String,
    pub role: Role,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub disabled: bool,
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub name: String,
    pub team: String,
    pub role: Role,
    pub password_hash: Option<String>,
}

pub(super) fn user(row: &AnyRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        login: row.try_get("login")?,
        name: row.try_get("name")?,
        team: row.try_get("team")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Damaged(format!("role `{role}`")))?,
        password_hash: row.try_get("password_hash")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
    })
}

/// Inserts an account through `executor` (the pool or a transaction); its new id.
async fn insert<'e, E>(executor: E, new: &NewUser, now_ms: i64) -> Result<String>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let id = random_id();
    sqlx::query(
        "INSERT INTO users (id, login, name, team, role, password_hash, disabled, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
    )
    .bind(&id)
    .bind(&new.login)
    .bind(&new.name)
    .bind(&new.team)
    .bind(new.role.as_str())
    .bind(new.password_hash.clone())
    .bind(now_ms)
    .execute(executor)
    .await?;
    Ok(id)
}

impl Store {
    /// Creates an account; a login that exists already is a conflict.
    pub async fn add_user(&self, new: &NewUser, now_ms: i64) -> Result<User> {
        if self.user_by_login(&new.login).await?.is_some() {
            return Err(StoreError::Conflict(format!(
                "the login `{}` is taken",
                new.login
            )));
        }
        let id = insert(self.writer(), new, now_ms).await?;
        self.user(&id)
            .await?
            .ok_or_else(|| StoreError::Damaged("a new user vanished".into()))
    }

    pub async fn user(&self, id: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT id, login, name, team, role, password_hash, disabled FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(user).transpose()
    }

    pub async fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        let row = sqlx::query("SELECT id, login, name, team, role, password_hash, disabled FROM users WHERE login = $1")
            .bind(login)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user).transpose()
    }

    /// Whether an enabled admin who has set a password exists (first start prints a
    /// setup link otherwise).
    pub async fn has_admin(&self) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND password_hash IS NOT NULL")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    pub async fn set_password_hash(&self, user_id: &str, hash: &str) -> Result<()> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Disables (or enables) an account and ends its sessions.
    pub async fn set_disabled(&self, user_id: &str, disabled: bool) -> Result<()> {
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(flag(disabled))
            .bind(user_id)
            .execute(self.writer())
            .await?;
        self.end_sessions_of(user_id).await
    }

    /// Up to `limit` accounts whose login or name contains `text`, by login.
    pub async fn find_users(&self, text: &str, limit: i64) -> Result<Vec<User>> {
        let escaped: String = text
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        let rows = sqlx::query(
            "SELECT id, login, name, team, role, password_hash, disabled FROM users \
             WHERE login LIKE $1 ESCAPE '\\' OR name LIKE $1 ESCAPE '\\' ORDER BY login LIMIT $2",
        )
        .bind(format!("%{escaped}%"))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(user).collect()
    }

    /// Creates every account, each with an audit entry (`audit` with the login and
    /// role as its detail), in one transaction: all of them or, on any failure (a login
    /// taken meanwhile), none.
    pub async fn add_users(&self, people: &[NewUser], audit: &AuditEntry) -> Result<Vec<User>> {
        let mut tx = self.writer().begin().await?;
        let mut ids = Vec::with_capacity(people.len());
        for new in people {
            let id = match insert(&mut *tx, new, audit.at_ms).await {
                Ok(id) => id,
                Err(StoreError::Db(sqlx::Error::Database(e))) if e.is_unique_violation() => {
                    return Err(StoreError::Conflict(format!(
                        "the login `{}` is taken",
                        new.login
                    )));
                }
                Err(e) => return Err(e),
            };
            let entry = AuditEntry {
                detail: format!("{} ({})", new.login, new.role.as_str()),
                ..audit.clone()
            };
            super::audit::insert(&mut *tx, &entry).await?;
            ids.push(id);
        }
        tx.commit().await?;
        let mut users = Vec::with_capacity(ids.len());
        for id in ids {
            users.push(
                self.user(&id)
                    .await?
                    .ok_or_else(|| StoreError::Damaged("a new user vanished".into()))?,
            );
        }
        Ok(users)
    }
}
