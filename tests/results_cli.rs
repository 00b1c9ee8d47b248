//! `shouce demo seed` and `shouce results export` from the command line: the export
//! streams one line per graded attempt the seed reported, with a byte-order mark for
//! Excel, and filters by team and exam; `--xlsx` (or `-o FILE.xlsx`) writes the same
//! rows as a workbook, read back here with calamine.

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

/// Excel's serial date (days since 1899-12-30) as `YYYY-MM-DD HH:MM`, the CSV's form
/// (seconds dropped; the workbook keeps them).
fn serial_minute(serial: f64) -> String {
    let minutes = ((serial - 25_569.0) * 1440.0 + 1e-6).floor() as i64;
    let (days, minute) = (minutes.div_euclid(1440), minutes.rem_euclid(1440));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        minute / 60,
        minute % 60
    )
}

#[test]
fn the_workbook_holds_the_csv_rows_with_numbers_and_dates_typed() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let state = tempfile::tempdir().unwrap();
    let (ok, _, err) = shouce(&["demo", "seed", "--agents", "12"], state.path());
    assert!(ok, "{err}");
    let (ok, csv, err) = shouce(&["results", "export", "--demo"], state.path());
    assert!(ok, "{err}");
    let csv: Vec<Vec<String>> = csv
        .trim_start_matches('\u{feff}')
        .trim_end()
        .split("\r\n")
        .map(|line| line.split(',').map(str::to_owned).collect())
        .collect();

    // `-o FILE.xlsx` alone asks for a workbook.
    let out = state.path().join("成绩.xlsx");
    std::fs::write(&out, "an earlier export").unwrap();
    let (ok, said, err) = shouce(
        &["results", "export", "--demo", "-o", out.to_str().unwrap()],
        state.path(),
    );
    assert!(ok, "{err}");
    assert!(
        said.contains(&format!("wrote {} results", csv.len() - 1)),
        "{said}"
    );
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    assert_eq!(book.sheet_names(), ["成绩"]);
    let sheet = book.worksheet_range("成绩").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows.len(), csv.len());
    for (row, line) in rows.iter().zip(&csv) {
        for (cell, field) in row.iter().zip(line) {
            match cell {
                Data::String(text) => assert_eq!(text, field),
                Data::Float(n) => assert_eq!(n.to_string(), *field),
                Data::Int(n) => assert_eq!(n.to_string(), *field),
                Data::DateTime(at) => assert_eq!(serial_minute(at.as_f64()), *field),
                other => panic!("unexpected cell {other:?} for {field:?}"),
            }
        }
    }
    // The header is text; 交卷时间 is a date, 得分 a number, 是否通过 text.
    assert!(matches!(rows[1][4], Data::DateTime(_)), "{:?}", rows[1][4]);
    assert!(matches!(rows[1][6], Data::Float(_)), "{:?}", rows[1][6]);
    assert!(matches!(&rows[1][9], Data::String(s) if s == "是" || s == "否"));

    // To standard output when it is not a terminal (here a pipe): a zip file.
    let (ok, piped, err) = shouce(&["results", "export", "--demo", "--xlsx"], state.path());
    assert!(ok && piped.starts_with("PK"), "{err}");

    // A failed export leaves the earlier file as it was, and no temporary file behind.
    let before = std::fs::read(&out).unwrap();
    let (ok, _, err) = shouce(
        &[
            "results",
            "export",
            "--demo",
            "--exam",
            "no-such-exam",
            "--xlsx",
            "-o",
            out.to_str().unwrap(),
        ],
        state.path(),
    );
    assert!(!ok && err.contains("no-such-exam"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), before);
    let left: Vec<_> = std::fs::read_dir(state.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".shouce-export-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
