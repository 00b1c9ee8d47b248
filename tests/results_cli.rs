//! `shouce demo seed` and `shouce results export` from the command line: the export
//! streams one line per graded attempt the seed reported, with a byte-order mark for
//! Excel, and filters by team and exam.

use std::process::Command;

fn shouce(args: &[&str], state: &std::path::Path) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_shouce"))
        .arg("-C")
        .arg(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .arg("--state")
        .arg(state)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_export_has_a_line_per_graded_attempt_of_the_demo_company() {
    let state = tempfile::tempdir().unwrap();
    let (ok, seeded, err) = shouce(&["demo", "seed", "--agents", "25"], state.path());
    assert!(ok, "{err}");
    // "demo database: 25 agents in 5 teams, N graded attempts, …"
    let attempts: usize = seeded
        .split(" graded attempts")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{seeded}"));
    assert!(state.path().join("demo.db").exists());
    assert!(
        !state.path().join("shouce.db").exists(),
        "the real database was touched"
    );
    let (ok, csv, err) = shouce(&["results", "export", "--demo"], state.path());
    assert!(ok, "{err}");
    assert!(csv.starts_with("\u{feff}工号,姓名,团队,考试,"));
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 1 + attempts, "{}", lines[0]);
    // Filters: one team's lines are exactly the lines naming that team.
    let (_, team, _) = shouce(
        &["results", "export", "--demo", "--team", "售后一组"],
        state.path(),
    );
    let team_lines = team.trim_end().split("\r\n").skip(1).count();
    let expected = lines.iter().filter(|l| l.contains(",售后一组,")).count();
    assert_eq!(team_lines, expected);
    assert!(team_lines > 0);
    let (ok, _, err) = shouce(
        &["results", "export", "--demo", "--exam", "no-such-exam"],
        state.path(),
    );
    assert!(!ok && err.contains("no-such-exam"), "{err}");
    // Seeding again replaces the demo company instead of failing on its logins.
    let (ok, _, err) = shouce(&["demo", "seed", "--agents", "5"], state.path());
    assert!(ok, "{err}");
    let (_, csv, _) = shouce(&["results", "export", "--demo"], state.path());
    assert!(csv.trim_end().split("\r\n").count() < lines.len());
}
