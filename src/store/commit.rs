//! Group commit: the hot writes (answer saves, new attempts, grades) of many requests
//! share one transaction, and so one `fsync`, on SQLite.
//!
//! SQLite with `synchronous = FULL` syncs its log on every commit, and a sync costs
//! about half a millisecond here: one transaction per save would cap the server near
//! 2,000 writes a second whatever else it does. Instead each write is a *job* sent to
//! one task that owns the writing connection. The task takes every job waiting, runs
//! each in turn (a failing statement rolls back alone, the others stand; a job of
//! several statements wraps them in its own savepoint with `begin()`), commits once,
//! and only then answers each caller. So an acknowledged write is on disk,
//! exactly as with one transaction per write, and under load a batch holds dozens.
//!
//! PostgreSQL groups commits itself and takes concurrent writers, so there a job simply
//! runs in its own transaction on the pool: the SQL is the same either way.

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, Connection as _};
use tokio::sync::{mpsc, oneshot};

use super::{Result, StoreError};

/// Most jobs in one transaction: enough to share the sync widely, few enough that the
/// first caller in a batch does not wait long for the last.
const MAX_BATCH: usize = 128;

/// A write: statements run on the connection inside a transaction (or savepoint).
pub(super) type Work<T> =
    Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T>> + Send>;

/// A job once type-erased: runs its work and returns how to deliver its result once
/// the batch's commit has succeeded or failed.
type Job = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Deliver> + Send>;

/// Answers one caller with its job's result, given the fate of the batch's commit.
type Deliver = Box<dyn FnOnce(std::result::Result<(), String>) + Send>;

/// Where writes go.
#[derive(Clone)]
pub(super) enum Committer {
    /// SQLite: jobs are queued to the group-commit task.
    Grouped(mpsc::UnboundedSender<Job>),
    /// PostgreSQL: each job in its own transaction.
    Direct(AnyPool),
}

impl std::fmt::Debug for Committer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Committer::Grouped(_) => "Committer::Grouped",
            Committer::Direct(_) => "Committer::Direct",
        })
    }
}

impl Committer {
    /// Starts the group-commit task over `writer` (a one-connection pool). The task
    /// ends when every `Committer` clone is dropped.
    pub(super) fn grouped(writer: AnyPool) -> Committer {
        let (send, receive) = mpsc::unbounded_channel();
        tokio::spawn(run(writer, receive));
        Committer::Grouped(send)
    }

    /// Runs `work` in a transaction and returns its result once committed.
    pub(super) async fn write<T: Send + 'static>(&self, work: Work<T>) -> Result<T> {
        match self {
            Committer::Direct(pool) => {
                let mut tx = pool.begin().await?;
                let value = work(&mut tx).await?;
                tx.commit().await?;
                Ok(value)
            }
            Committer::Grouped(queue) => {
                let (reply, answer) = oneshot::channel::<Result<T>>();
                let job: Job = Box::new(move |conn| {
                    Box::pin(async move {
                        let result = match std::panic::AssertUnwindSafe(work(conn))
                            .catch_unwind()
                            .await
                        {
                            Ok(result) => result,
                            Err(_) => Err(StoreError::Batch("a database write panicked".into())),
                        };
                        let deliver: Deliver = Box::new(move |committed| {
                            let result = match committed {
                                Ok(()) => result,
                                Err(e) => Err(StoreError::Batch(e)),
                            };
                            // The caller may have gone (a dropped request): nothing to do.
                            let _ = reply.send(result);
                        });
                        deliver
                    })
                });
                queue
                    .send(job)
                    .map_err(|_| StoreError::Batch("the database is closed".into()))?;
                answer
                    .await
                    .map_err(|_| StoreError::Batch("the database write was abandoned".into()))?
            }
        }
    }
}

/// The group-commit loop: a batch at a time, until the queue closes.
async fn run(writer: AnyPool, mut queue: mpsc::UnboundedReceiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        commit(&writer, batch.drain(..)).await;
    }
}

/// Runs `jobs` in one transaction, commits once, then answers every caller. If the
/// transaction cannot even begin, the jobs are dropped with their reply channels and
/// their callers hear "abandoned"; the cause is logged.
async fn commit(writer: &AnyPool, jobs: impl Iterator<Item = Job>) {
    let mut conn = match writer.acquire().await {
        Ok(conn) => conn,
        Err(e) => return tracing::error!("a group commit could not start: {e}"),
    };
    let mut tx = match conn.begin().await {
        Ok(tx) => tx,
        Err(e) => return tracing::error!("a group commit could not start: {e}"),
    };
    // No savepoint per job: most jobs are one statement, which SQLite applies whole or
    // not at all; a job of several statements opens its own.
    let mut owed = Vec::with_capacity(MAX_BATCH);
    for job in jobs {
        owed.push(job(&mut tx).await);
    }
    let committed = tx.commit().await.map_err(|e| {
        tracing::error!("a group commit failed: {e}");
        e.to_string()
    });
    for deliver in owed {
        deliver(committed.clone());
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{NewAttempt, NewUser, Role, Store, StoreError, Submission};

    async fn store(dir: &tempfile::TempDir) -> Store {
        let store = Store::open_sqlite(&dir.path().join("t.db")).await.unwrap();
        store.migrate().await.unwrap();
        store
    }

    async fn agent(store: &Store, login: &str) -> crate::store::User {
        let new = NewUser {
            login: login.into(),
            name: "坐席".into(),
            team: String::new(),
            role: Role::Agent,
            password_hash: None,
        };
        store.add_user(&new, 0).await.unwrap()
    }

    fn attempt<'a>(user_id: &'a str, exam_id: &'a str) -> NewAttempt<'a> {
        NewAttempt {
            user_id,
            exam_id,
            seed: 1,
            paper: "{\"questions\":[]}",
            started_ms: 0,
            deadline_ms: 60_000,
        }
    }

    /// Many writes at once share batches; a job that fails (a second open attempt at
    /// the same exam) fails alone, and every acknowledged write reads back.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_job_fails_alone_in_its_batch() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let user = agent(&store, "a").await;
        let exams: Vec<String> = (0..40).map(|i| format!("exam-{}", i % 20)).collect();
        let news: Vec<NewAttempt> = exams.iter().map(|e| attempt(&user.id, e)).collect();
        let results =
            futures_util::future::join_all(news.iter().map(|new| store.start_attempt(new))).await;
        let (ok, conflicts): (Vec<_>, Vec<_>) = results.into_iter().partition(|r| r.is_ok());
        assert_eq!(ok.len(), 20, "one open attempt per exam");
        assert!(
            conflicts
                .iter()
                .all(|r| matches!(r, Err(StoreError::Conflict(_))))
        );
        let saves = futures_util::future::join_all(ok.iter().map(|a| {
            let a = a.as_ref().unwrap();
            store.save_answers(&a.id, "{\"0\":{\"choice\":1}}")
        }))
        .await;
        assert!(saves.into_iter().all(|s| s.unwrap()));
        for a in &ok {
            let stored = store
                .attempt(&a.as_ref().unwrap().id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(stored.answers, "{\"0\":{\"choice\":1}}");
        }
    }

    /// A graded attempt takes no more saves, and grading twice is harmless.
    #[tokio::test]
    async fn grading_closes_the_attempt_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let user = agent(&store, "b").await;
        let a = store.start_attempt(&attempt(&user.id, "x")).await.unwrap();
        let s = Submission {
            answers: "{}",
            submitted_ms: 1,
            points: 1.0,
            max_points: 2.0,
            passed: false,
            results: "[]",
            responses: "[]",
        };
        assert!(store.finish_attempt(&a.id, &s).await.unwrap());
        assert!(!store.finish_attempt(&a.id, &s).await.unwrap());
        assert!(!store.save_answers(&a.id, "{}").await.unwrap());
    }
}
