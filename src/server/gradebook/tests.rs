//! The mirror's bookkeeping, and the gradebook against a real store: grades that become
//! visible late, revocations, and attempts graded before the gradebook existed.

use super::*;
use crate::store::{GradebookCertificate, Sitting};

fn row(seq: i64, user: &str, certificate: Option<(&str, i64)>) -> GradebookRow {
    GradebookRow {
        seq,
        user_id: user.into(),
        exam_id: "e".into(),
        sitting: Sitting {
            started_ms: 0,
            submitted_ms: 60_000,
            points: 1.0,
            max_points: 2.0,
            passed: certificate.is_some(),
        },
        responses: r#"[["q1",1.0,[0]],["q2",0.0,null]]"#.into(),
        certificate: certificate.map(|(id, issued_ms)| GradebookCertificate {
            id: id.into(),
            issued_ms,
            expires_ms: None,
            cited_set: "s".into(),
        }),
    }
}

#[test]
fn rows_keep_log_order_and_the_newest_unrevoked_certificate_stands() {
    let mut m = Mirror::default();
    m.add(row(1, "u", Some(("c1", 10))));
    m.add(row(3, "u", Some(("c3", 30))));
    // Numbered before 3, visible after it.
    m.add(row(2, "u", None));
    let seqs: Vec<i64> = m.attempts().iter().map(|a| a.seq).collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert!(m.has(2) && !m.has(4));
    let (u, e) = (m.user("u").unwrap(), m.exam("e").unwrap());
    assert_eq!(m.graded(u, e), 3);
    assert_eq!(m.newest_certificate(u, e).unwrap().issued_ms, 30);
    m.revoke(vec!["c3".into()], 1);
    assert_eq!(m.newest_certificate(u, e).unwrap().issued_ms, 10);
    // A certificate revoked before the mirror saw it arrives revoked.
    m.revoke(vec!["c4".into()], 2);
    m.add(row(4, "u", Some(("c4", 40))));
    assert_eq!(m.newest_certificate(u, e).unwrap().issued_ms, 10);
    let responses = m.responses(&m.attempts()[0]);
    assert_eq!(responses.len(), 2);
    assert_eq!(responses[0].question, m.question("q1").unwrap());
    assert_eq!(responses[0].chosen, analysis::choices([0]));
    assert_eq!(responses[1].chosen, None);
}

#[test]
fn damaged_responses_count_the_attempt_without_them() {
    let mut m = Mirror::default();
    let mut damaged = row(1, "u", None);
    damaged.responses = "not json".into();
    m.add(damaged);
    assert_eq!(m.damaged(), 1);
    assert_eq!(m.attempts().len(), 1);
    assert!(m.responses(&m.attempts()[0]).is_empty());
}

#[test]
fn staleness_reaches_every_certificate_of_a_set() {
    let mut m = Mirror::default();
    m.add(row(1, "u", Some(("c1", 10))));
    m.add(row(2, "v", Some(("c2", 10))));
    assert_eq!(m.uncompared(), ["s"]);
    m.compared(&[("s".into(), true)]);
    assert!(m.certificates.iter().all(|c| c.stale));
    assert!(m.uncompared().is_empty());
    // Later certificates of a compared set take its answer.
    m.add(row(3, "w", Some(("c3", 10))));
    assert!(m.certificates[2].stale);
}

mod on_a_store {
    use std::path::Path;

    use sqlx::AnyPool;

    use super::super::{Gradebook, index_earlier_grades};
    use crate::content::DraftPolicy;
    use crate::quiz::Kind;
    use crate::quiz::draw;
    use crate::server::grading::{grade_paper, responses_json};
    use crate::site::Site;
    use crate::store::{NewAttempt, NewCertificate, NewUser, Role, Store, Submission, sqlite_url};

    const EXAM: &str = "aftersales-exam";

    fn site() -> Site {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        Site::load(repo, DraftPolicy::Exclude).unwrap().0
    }

    /// A store, and a second connection to its file for what no store call does.
    async fn store(dir: &tempfile::TempDir) -> (Store, AnyPool) {
        let file = dir.path().join("t.db");
        let store = Store::open_sqlite(&file).await.unwrap();
        store.migrate().await.unwrap();
        let raw = AnyPool::connect(&sqlite_url(&file)).await.unwrap();
        (store, raw)
    }

    async fn agent(store: &Store, login: &str) -> String {
        let new = NewUser {
            login: login.into(),
            name: "坐席".into(),
            team: "一组".into(),
            role: Role::Agent,
            password_hash: None,
        };
        store.add_user(&new, 0).await.unwrap().id
    }

    /// Sits the shipped exam with every question answered by option 0; the attempt's id.
    async fn sit(store: &Store, site: &Site, user: &str, at: i64, certify: bool) -> String {
        let file = site.quiz(EXAM).unwrap();
        let Kind::Exam(settings) = &file.quiz.kind else {
            panic!("{EXAM} is an exam");
        };
        let paper = draw::draw(&file.quiz.items, settings, at as u64);
        let mut answers = serde_json::Map::new();
        for i in 0..paper.questions.len() {
            answers.insert(i.to_string(), serde_json::json!({ "choice": 0 }));
        }
        let graded = grade_paper(&file.quiz.items, settings, &paper, &answers);
        let attempt = store
            .start_attempt(&NewAttempt {
                user_id: user,
                exam_id: EXAM,
                seed: 0,
                paper: &serde_json::to_string(&paper).unwrap(),
                started_ms: at,
                deadline_ms: at + 60_000,
            })
            .await
            .unwrap();
        let results = serde_json::to_string(&graded.results).unwrap();
        let responses = responses_json(&file.quiz.items, &paper, &answers, &graded.results);
        let certificate = certify.then(|| NewCertificate {
            user_id: user.into(),
            exam_id: EXAM.into(),
            attempt_id: attempt.id.clone(),
            name: "证书".into(),
            score_percent: 90.0,
            issued_ms: at + 1_000,
            expires_ms: None,
            cited: "[]".into(),
        });
        store
            .grade_attempt(
                &attempt.id,
                &Submission {
                    answers: &serde_json::Value::Object(answers).to_string(),
                    submitted_ms: at + 1_000,
                    points: graded.points,
                    max_points: graded.max_points,
                    passed: certify,
                    results: &results,
                    responses: &responses,
                },
                certificate,
            )
            .await
            .unwrap();
        attempt.id
    }

    async fn exec(raw: &AnyPool, sql: &'static str, values: &[&str]) {
        let mut query = sqlx::query(sql);
        for v in values {
            query = query.bind(*v);
        }
        query.execute(raw).await.unwrap();
    }

    /// Every grade and revocation committed before a read is in it. (Grades that
    /// become visible out of order happen on PostgreSQL only: see
    /// tests/server_dashboard.rs.)
    #[tokio::test]
    async fn the_mirror_sees_every_committed_grade_and_revocation() {
        let dir = tempfile::tempdir().unwrap();
        let (store, raw) = store(&dir).await;
        let site = site();
        let gradebook = Gradebook::default();
        assert!(
            gradebook
                .read(&store, &site)
                .await
                .unwrap()
                .attempts()
                .is_empty()
        );
        let user = agent(&store, "a").await;
        sit(&store, &site, &user, 1_000, true).await;
        {
            let m = gradebook.read(&store, &site).await.unwrap();
            let (u, e) = (m.user(&user).unwrap(), m.exam(EXAM).unwrap());
            assert_eq!((m.attempts().len(), m.graded(u, e)), (1, 1));
            assert!(m.newest_certificate(u, e).is_some());
            assert!(!m.responses(&m.attempts()[0]).is_empty());
        }
        sit(&store, &site, &user, 5_000, false).await;
        sit(&store, &site, &user, 9_000, true).await;
        {
            let m = gradebook.read(&store, &site).await.unwrap();
            let seqs: Vec<i64> = m.attempts().iter().map(|a| a.seq).collect();
            assert_eq!(seqs, [1, 2, 3]);
            let (u, e) = (m.user(&user).unwrap(), m.exam(EXAM).unwrap());
            assert_eq!(m.newest_certificate(u, e).unwrap().issued_ms, 10_000);
        }
        // Revoking the newer certificate leaves the older one standing.
        exec(
            &raw,
            "UPDATE certificates SET revoked_ms = 1 WHERE issued_ms = 10000",
            &[],
        )
        .await;
        {
            let m = gradebook.read(&store, &site).await.unwrap();
            let (u, e) = (m.user(&user).unwrap(), m.exam(EXAM).unwrap());
            assert_eq!(m.newest_certificate(u, e).unwrap().issued_ms, 2_000);
        }
        exec(&raw, "UPDATE certificates SET revoked_ms = 1", &[]).await;
        let m = gradebook.read(&store, &site).await.unwrap();
        let (u, e) = (m.user(&user).unwrap(), m.exam(EXAM).unwrap());
        assert!(
            m.newest_certificate(u, e).is_none(),
            "every certificate revoked"
        );
        assert_eq!(m.graded(u, e), 3);
    }

    /// Attempts graded before the gradebook existed are added once, with the responses a
    /// grade written today would have.
    #[tokio::test]
    async fn earlier_grades_are_indexed_once() {
        let dir = tempfile::tempdir().unwrap();
        let (store, raw) = store(&dir).await;
        let site = site();
        let user = agent(&store, "a").await;
        let id = sit(&store, &site, &user, 1_000, true).await;
        let row = sqlx::query("SELECT responses FROM graded_attempts")
            .fetch_one(&raw)
            .await
            .unwrap();
        let written: String = sqlx::Row::get(&row, "responses");
        exec(
            &raw,
            "DELETE FROM graded_attempts WHERE attempt_id = $1",
            &[&id],
        )
        .await;
        assert_eq!(index_earlier_grades(&store, &site).await.unwrap(), 1);
        assert_eq!(index_earlier_grades(&store, &site).await.unwrap(), 0);
        let row = sqlx::query("SELECT responses FROM graded_attempts")
            .fetch_one(&raw)
            .await
            .unwrap();
        assert_eq!(sqlx::Row::get::<String, _>(&row, "responses"), written);
        let gradebook = Gradebook::default();
        let m = gradebook.read(&store, &site).await.unwrap();
        let (u, e) = (m.user(&user).unwrap(), m.exam(EXAM).unwrap());
        assert!(m.newest_certificate(u, e).is_some());
    }

    /// Certificates written before cited sets existed are moved into shared sets and
    /// read back as they were.
    #[tokio::test]
    async fn older_certificates_move_into_shared_cited_sets() {
        let dir = tempfile::tempdir().unwrap();
        let (store, raw) = store(&dir).await;
        let site = site();
        let user = agent(&store, "a").await;
        let a = sit(&store, &site, &user, 1_000, false).await;
        let b = sit(&store, &site, &user, 5_000, false).await;
        let cited = r#"[{"source":"rules.md#x","hash":"h","text":"旧文"}]"#;
        for (id, attempt) in [("c1", &a), ("c2", &b)] {
            exec(
                &raw,
                "INSERT INTO certificates (id, user_id, exam_id, attempt_id, name, score_percent, \
                 issued_ms, cited) VALUES ($1, $2, 'aftersales-exam', $3, 'n', 90, 1, $4)",
                &[id, &user, attempt, cited],
            )
            .await;
        }
        store.migrate().await.unwrap();
        for id in ["c1", "c2"] {
            assert_eq!(store.certificate(id).await.unwrap().unwrap().cited, cited);
        }
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM cited_sets) AS sets, \
             (SELECT COUNT(*) FROM certificates WHERE cited = '' AND cited_set IS NOT NULL) AS moved",
        )
        .fetch_one(&raw)
        .await
        .unwrap();
        let counts: (i64, i64) = (sqlx::Row::get(&row, "sets"), sqlx::Row::get(&row, "moved"));
        assert_eq!(counts, (1, 2), "one shared set; the rows' own text emptied");
    }
}
