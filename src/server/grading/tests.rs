use std::path::Path;

use super::*;
use crate::quiz::{Kind, Quiz, parse};

fn exam() -> (Quiz, ExamSettings) {
    let text = include_str!("../../../quizzes/aftersales-exam.toml");
    let quiz = parse(Path::new("quizzes/aftersales-exam.toml"), text).unwrap();
    let Kind::Exam(s) = quiz.kind.clone() else {
        panic!("an exam")
    };
    (quiz, s)
}

fn attempt(submitted_ms: Option<i64>, passed: Option<bool>) -> Attempt {
    Attempt {
        id: "a".into(),
        user_id: "u".into(),
        exam_id: "e".into(),
        seed: 0,
        paper: "{}".into(),
        answers: "{}".into(),
        started_ms: 0,
        deadline_ms: 0,
        submitted_ms,
        points: None,
        max_points: None,
        passed,
        results: None,
    }
}

#[test]
fn blank_papers_fail_and_junk_answers_are_dropped() {
    let (quiz, settings) = exam();
    let paper = crate::quiz::draw::draw(&quiz.items, &settings, 7);
    let junk =
        serde_json::json!({"0": {"choice": 99}, "x": 1, "999": {"choice": 0}, "1": "<script>"});
    let normal = normalise_answers(&paper, &junk);
    assert_eq!(normal.len(), 2, "{normal:?}");
    assert!(!normal.contains_key("999"));
    let graded = grade_paper(&quiz.items, &settings, &paper, &normal);
    assert!(!graded.passed);
    assert_eq!(graded.results.len(), paper.questions.len());
    assert!(graded.max_points > 0.0);
}

#[test]
fn retake_wait_attempt_limit_and_live_certificates_refuse_a_start() {
    let (_, mut settings) = exam();
    settings.max_attempts = Some(2);
    settings.retake_after_hours = 24;
    let hour = 3_600_000;
    assert!(may_start(&settings, &[], &[], 0).is_ok());
    let failed = [attempt(Some(0), Some(false))];
    let wait = may_start(&settings, &failed, &[], 23 * hour).unwrap_err();
    assert!(wait.contains("24 小时"), "{wait}");
    assert!(may_start(&settings, &failed, &[], 24 * hour).is_ok());
    let two = [attempt(Some(0), Some(false)), attempt(Some(0), Some(false))];
    assert!(
        may_start(&settings, &two, &[], 100 * hour)
            .unwrap_err()
            .contains("最多 2 次")
    );
    let after_pass = [attempt(Some(0), Some(false)), attempt(Some(0), Some(true))];
    assert!(may_start(&settings, &after_pass, &[], 100 * hour).is_ok());
    let cert = CertificateRow {
        id: "c".into(),
        user_id: "u".into(),
        exam_id: "e".into(),
        attempt_id: "a".into(),
        name: "n".into(),
        score_percent: 90.0,
        issued_ms: 0,
        expires_ms: Some(365 * 24 * hour),
        revoked_ms: None,
        revoked_reason: None,
        cited: "[]".into(),
    };
    assert!(may_start(&settings, &[], &[&cert], hour).is_err());
    assert!(
        may_start(&settings, &[], &[&cert], 340 * 24 * hour).is_ok(),
        "renewable in its last 30 days"
    );
}
