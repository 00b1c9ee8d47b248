//! The browser's practice grader (`themes/default/static/quiz.js`) agrees with the Rust
//! `quiz::grade()`: `node tests/browser/quiz-grader.mjs` grades every case of
//! `tests/quiz/grade_cases.json` (written by the Rust table tests, which fail when it
//! is stale) and compares points, full marks and feedback exactly. Needs Node.

use std::path::PathBuf;
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_browser_grader_agrees_with_the_rust_grader() {
    let cases = repo().join("tests/quiz/grade_cases.json");
    let text = std::fs::read_to_string(&cases).expect("tests/quiz/grade_cases.json");
    let parsed: Vec<serde_json::Value> = serde_json::from_str(&text).expect("valid JSON");
    let types: std::collections::BTreeSet<&str> = parsed
        .iter()
        .filter_map(|c| c["question"]["type"].as_str())
        .collect();
    assert_eq!(types.len(), 9, "every question type has cases: {types:?}");

    let output = Command::new("node")
        .arg(repo().join("tests/browser/quiz-grader.mjs"))
        .arg(&cases)
        .arg(repo().join("themes/default/static/quiz.js"))
        .output()
        .unwrap_or_else(|e| panic!("could not run node (install Node.js): {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser grader disagrees ({}):\n{stdout}{stderr}",
        output.status
    );
    assert!(
        stdout.contains(&format!("{} cases agree", parsed.len())),
        "{stdout}"
    );
    println!("{stdout}");
}
