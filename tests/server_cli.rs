//! The operator commands: `shouce user add|import|reset-password|disable` and
//! `shouce db backup|migrate`, on a temp state folder; every account change is audited.

use std::path::Path;
use std::process::{Command, Output};

use shouce::store::{Finished, NewAttempt, NewCertificate, Role, Store, Submission};

const SHOUCE: &str = env!("CARGO_BIN_EXE_shouce");

fn shouce(state: &Path, args: &[&str]) -> Output {
    Command::new(SHOUCE)
        .args(args)
        .arg("--state")
        .arg(state)
        .env_remove("SHOUCE_DATABASE_URL")
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn accounts_are_added_imported_reset_disabled_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let added = ok(&shouce(
        &state,
        &[
            "user",
            "add",
            "A001",
            "--name",
            "张三",
            "--team",
            "售后一组",
        ],
    ));
    assert!(
        added.contains("http://127.0.0.1:8080/account/setup/"),
        "{added}"
    );
    let taken = shouce(&state, &["user", "add", "A001", "--name", "again"]);
    assert_eq!(taken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&taken.stderr).contains("taken"));
    let csv = dir.path().join("team.csv");
    std::fs::write(
        &csv,
        "\u{feff}工号,姓名,组,角色\r\nB001,李四,售前,agent\r\nB002,\"王, 五\",售前,trainer\r\n",
    )
    .unwrap();
    let imported = ok(&shouce(&state, &["user", "import", csv.to_str().unwrap()]));
    assert_eq!(
        imported
            .lines()
            .filter(|l| l.contains("/account/setup/"))
            .count(),
        2,
        "{imported}"
    );
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "C001,赵六,一组,boss\n").unwrap();
    let refused = shouce(&state, &["user", "import", bad.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("bad.csv:1:1"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("unknown role `boss`"));
    ok(&shouce(&state, &["user", "reset-password", "B001"]));
    ok(&shouce(&state, &["user", "disable", "B002"]));
    let backup = dir.path().join("copy.db");
    ok(&shouce(&state, &["db", "backup", backup.to_str().unwrap()]));
    ok(&shouce(&state, &["db", "migrate"]));
    let exists = shouce(&state, &["db", "backup", backup.to_str().unwrap()]);
    assert!(!exists.status.success(), "a backup never overwrites a file");

    let copy = Store::open_sqlite(&backup).await.unwrap();
    let b2 = copy.user_by_login("B002").await.unwrap().unwrap();
    assert_eq!(
        (b2.name.as_str(), b2.role, b2.disabled),
        ("王, 五", Role::Trainer, true)
    );
    assert!(copy.user_by_login("C001").await.unwrap().is_none());
    let log: Vec<String> = copy
        .audit_log(10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in [
        "user.add",
        "user.import",
        "user.reset-password",
        "user.disable",
    ] {
        assert!(log.iter().any(|a| a == action), "{action} in {log:?}");
    }
}

fn err(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn an_import_checks_the_whole_file_and_imports_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    ok(&shouce(
        &state,
        &["user", "add", "E001", "--name", "老员工"],
    ));
    let bad = dir.path().join("roster.csv");
    let mut bytes = "\u{feff}工号,姓名,组,角色\r\nE002,好人,一组,agent\r\nE003,,一组,agent\r\n"
        .as_bytes()
        .to_vec();
    bytes.extend_from_slice(b"E004,\xc0\xc1,x,agent\r\n");
    bytes.extend_from_slice("E005,钱,一组,boss\r\nE002,又一个,一组,agent\r\nE001,重名,一组,agent\r\n\"E006,x,y,agent\r\n".as_bytes());
    std::fs::write(&bad, &bytes).unwrap();
    let out = shouce(&state, &["user", "import", bad.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a bad roster is the author's mistake"
    );
    let stderr = err(&out);
    for (line, what) in [
        (3, "must not be empty"),
        (4, "not UTF-8"),
        (5, "unknown role `boss`"),
        (6, "listed twice (first on line 2)"),
        (7, "`E001` already has an account"),
        (8, "quoted field is not closed"),
    ] {
        assert!(
            stderr.contains(&format!("roster.csv:{line}:1")) && stderr.contains(what),
            "line {line}: {what} in\n{stderr}"
        );
    }
    let fixed = dir.path().join("fixed.csv");
    std::fs::write(
        &fixed,
        "\u{feff}工号,姓名,组,角色\r\nE002,好人,一组,agent\r\nE001,重名,一组,agent\r\nE007,\"孙, 七\",\"二\"\"组\"\"\",Supervisor\r\n",
    )
    .unwrap();
    let stderr = err(&shouce(
        &state,
        &["user", "import", fixed.to_str().unwrap()],
    ));
    assert!(
        stderr.contains("fixed.csv:3:1") && stderr.contains("`E001` already has an account"),
        "{stderr}"
    );
    let store = Store::open_sqlite(&state.join("shouce.db")).await.unwrap();
    assert!(
        store.user_by_login("E002").await.unwrap().is_none(),
        "nothing is imported from a file with a problem"
    );
    store.close().await;

    std::fs::write(
        &fixed,
        "\u{feff}工号,姓名,组,角色\r\nE002,好人,一组,agent\r\nE007,\"孙, 七\",\"二\"\"组\"\"\",Supervisor\r\n",
    )
    .unwrap();
    let imported = ok(&shouce(
        &state,
        &["user", "import", fixed.to_str().unwrap()],
    ));
    assert_eq!(imported.lines().count(), 2, "{imported}");
    let store = Store::open_sqlite(&state.join("shouce.db")).await.unwrap();
    let e7 = store.user_by_login("E007").await.unwrap().unwrap();
    assert_eq!(
        (e7.name.as_str(), e7.team.as_str(), e7.role),
        ("孙, 七", "二\"组\"", Role::Supervisor)
    );
    let imports = store
        .audit_log(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "user.import")
        .count();
    assert_eq!(imports, 2, "one audit entry per imported account");
}

#[tokio::test]
async fn exams_are_reset_and_certificates_revoked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    ok(&shouce(&state, &["user", "add", "F001", "--name", "冯一"]));
    let store = Store::open_sqlite(&state.join("shouce.db")).await.unwrap();
    let agent = store.user_by_login("F001").await.unwrap().unwrap();
    let exam = "aftersales-exam";
    let attempt = |started_ms: i64| NewAttempt {
        user_id: &agent.id,
        exam_id: exam,
        seed: 1,
        paper: "{\"questions\":[]}",
        started_ms,
        deadline_ms: started_ms + 1_000,
    };
    // A passed attempt with its certificate, then a retake left open.
    let first = store.start_attempt(&attempt(1_000)).await.unwrap();
    let passed = Submission {
        answers: "{}",
        submitted_ms: 1_500,
        points: 9.0,
        max_points: 10.0,
        passed: true,
        results: "[]",
        responses: "[]",
    };
    let certificate = NewCertificate {
        user_id: agent.id.clone(),
        exam_id: exam.to_string(),
        attempt_id: first.id.clone(),
        name: "售后规则认证".into(),
        score_percent: 90.0,
        issued_ms: 1_500,
        expires_ms: None,
        cited: "[]".into(),
    };
    let Finished::Now {
        certificate: Some(cert),
    } = store
        .grade_attempt(&first.id, &passed, Some(certificate))
        .await
        .unwrap()
    else {
        panic!("the attempt was graded before");
    };
    let open = store.start_attempt(&attempt(3_000)).await.unwrap();

    let stderr = err(&shouce(
        &state,
        &["exam", "reset", "F001", "nope", "--reason", "x"],
    ));
    assert!(stderr.contains("no exam `nope`"), "{stderr}");
    let stderr = err(&shouce(
        &state,
        &["exam", "reset", "F002", exam, "--reason", "x"],
    ));
    assert!(
        stderr.contains("no account has the login `F002`"),
        "{stderr}"
    );
    let stderr = err(&shouce(
        &state,
        &["exam", "reset", "F001", exam, "--reason", " "],
    ));
    assert!(stderr.contains("give a reason"), "{stderr}");
    let done = ok(&shouce(
        &state,
        &["exam", "reset", "F001", exam, "--reason", "主管申请重考"],
    ));
    assert!(
        done.contains(&format!("open attempt {} voided", open.id)),
        "{done}"
    );
    assert!(store.open_attempt(&agent.id, exam).await.unwrap().is_none());
    assert!(
        store
            .attempts_since_reset(&agent.id, exam)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.attempt_history(&agent.id).await.unwrap().len(),
        2,
        "the graded and the voided attempt are kept as history"
    );

    let stderr = err(&shouce(
        &state,
        &["certificate", "revoke", "nope", "--reason", "x"],
    ));
    assert!(stderr.contains("no certificate `nope`"), "{stderr}");
    ok(&shouce(
        &state,
        &["certificate", "revoke", &cert, "--reason", "证书误发"],
    ));
    let again = err(&shouce(
        &state,
        &["certificate", "revoke", &cert, "--reason", "x"],
    ));
    assert!(again.contains("revoked already"), "{again}");
    let row = store.certificate(&cert).await.unwrap().unwrap();
    assert!(row.revoked_ms.is_some());
    assert_eq!(row.revoked_reason.as_deref(), Some("证书误发"));
    let log = store.audit_log(10).await.unwrap();
    let revoke = log
        .iter()
        .find(|e| e.action == "certificate.revoke")
        .unwrap();
    assert!(revoke.actor.starts_with("cli:") && revoke.detail.contains("证书误发"));
    let reset = log.iter().find(|e| e.action == "exam.reset").unwrap();
    assert!(
        reset.detail.contains("F001 aftersales-exam: 主管申请重考")
            && reset.detail.contains(&open.id)
    );
    assert_eq!(
        log.iter().filter(|e| e.action != "user.add").count(),
        2,
        "failures write nothing"
    );
    store.close().await;
}
