//! The database: accounts, sessions, exam attempts, certificates, the audit log, rule
//! changes and their acknowledgements, and onboarding progress,
//! on SQLite (embedded, the default) or PostgreSQL through one code path (sqlx's `Any`
//! driver). Every SQL string of the program lives in this module and takes its values
//! as parameters. Times are milliseconds since the Unix epoch; the caller passes
//! "now" in (the server's clock), so nothing here reads the system time.

mod acknowledgements;
mod attempts;
mod audit;
mod certificates;
mod commit;
mod progress;
mod results;
pub mod roster;
mod sessions;
mod users;

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor as _};

pub use acknowledgements::{Acknowledged, PublishedPassage, RuleChange};
pub use attempts::{Attempt, ExamReset, Finished, NewAttempt, Submission};
pub use audit::AuditEntry;
pub use certificates::{CertificateRow, NewCertificate, cited_set_hash};
pub use progress::{LessonOpen, PracticeRow, ProgressCount};
pub use results::{
    AgentRow, GradebookCertificate, GradebookRow, GradebookTotals, ResultLine, Sitting,
    UnindexedAttempt,
};
pub use sessions::{LoginVerdict, Throttle};
pub use users::{NewUser, Role, User};

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("cannot run the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL `{0}`: use sqlite://FILE or postgres://…")]
    Url(String),
    #[error("{0}")]
    Conflict(String),
    #[error("stored data is damaged: {0}")]
    Damaged(String),
    #[error("database write failed: {0}")]
    Batch(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Connections to one database: a pool for reads and one for writes (on SQLite a single
/// connection, on PostgreSQL the same pool as the reads).
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    writer: AnyPool,
    committer: commit::Committer,
    backend: Backend,
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`); does not migrate.
    pub async fn connect(url: &str) -> Result<Store> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Url(url.to_string()));
        };
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let (pool, writer, committer) = match backend {
            Backend::Sqlite => {
                // SQLite takes one writer at a time. Its own wait for the write lock
                // sleeps (1, 2, 5 … 100 ms), so concurrent writers on several
                // connections queue in sleeps; one writing connection makes them queue
                // on the pool instead, in order and without sleeping. Readers have their
                // own connections (WAL lets them read beside the writer) and are
                // `query_only`, so a write sent to them fails loudly in tests.
                // The file cannot vanish under us, so connections are not pinged on
                // every acquire (each ping is a round trip to the connection's thread).
                let writer = options
                    .clone()
                    .max_connections(1)
                    .test_before_acquire(false)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move { sqlite_pragmas(conn).await })
                    })
                    .connect(url)
                    .await?;
                let readers = options
                    .max_connections(4)
                    .test_before_acquire(false)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            sqlite_pragmas(conn).await?;
                            conn.execute("PRAGMA query_only = ON").await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?;
                let committer = commit::Committer::grouped(writer.clone());
                (readers, writer, committer)
            }
            Backend::Postgres => {
                let pool = options.max_connections(16).connect(url).await?;
                (pool.clone(), pool.clone(), commit::Committer::Direct(pool))
            }
        };
        Ok(Store {
            pool,
            writer,
            committer,
            backend,
        })
    }

    /// Connects to the SQLite database in `file`, creating it if needed.
    pub async fn open_sqlite(file: &Path) -> Result<Store> {
        Store::connect(&sqlite_url(file)).await
    }

    /// Runs the embedded migrations that have not run yet, and moves data written
    /// before a migration into the shape it made when SQL alone cannot (the cited
    /// paragraphs of older certificates into content-addressed sets).
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("migrations/sqlite")
                    .run(self.writer())
                    .await?
            }
            Backend::Postgres => {
                sqlx::migrate!("migrations/postgres")
                    .run(self.writer())
                    .await?
            }
        }
        let moved = self.move_cited_sets().await?;
        if moved > 0 {
            tracing::info!(
                certificates = moved,
                "moved cited paragraphs into shared sets"
            );
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A consistent copy of a live SQLite database in `file` (which must not exist).
    pub async fn backup(&self, file: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Conflict(
                "`db backup` copies SQLite databases; back PostgreSQL up with pg_dump".into(),
            ));
        }
        if file.exists() {
            return Err(StoreError::Conflict(format!(
                "{} already exists: choose a new file name",
                file.display()
            )));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(file.to_string_lossy().into_owned())
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    /// The connections that read.
    fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The connection(s) that write: every INSERT, UPDATE and DELETE, and every
    /// transaction, goes through here.
    fn writer(&self) -> &AnyPool {
        &self.writer
    }
}

/// Every SQLite connection's settings.
async fn sqlite_pragmas(conn: &mut sqlx::AnyConnection) -> std::result::Result<(), sqlx::Error> {
    // WAL for readers beside the writer; FULL so an acknowledged write survives a power
    // cut; wait for another process's lock rather than fail.
    conn.execute("PRAGMA journal_mode = WAL").await?;
    conn.execute("PRAGMA synchronous = FULL").await?;
    conn.execute("PRAGMA busy_timeout = 10000").await?;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    Ok(())
}

/// The URL of the SQLite database in `file` (created if missing).
pub fn sqlite_url(file: &Path) -> String {
    format!("sqlite://{}?mode=rwc", file.display())
}

/// A new random id: 128 bits, hex (for rows and tokens alike).
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    // The OS generator failing means the machine cannot run a server safely.
    getrandom::fill(&mut bytes).expect("the operating system's random generator works");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random 64-bit number (paper seeds).
pub fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system's random generator works");
    u64::from_le_bytes(bytes)
}

/// How a secret token is stored: its blake3 hash, hex (a stolen database holds no
/// usable session or setup token).
pub fn token_hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

fn flag(value: bool) -> i64 {
    i64::from(value)
}
