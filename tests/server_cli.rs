//! The operator commands: `shouce user add|import|reset-password|disable` and
//! `shouce db backup|migrate`, on a temp state folder; every account change is audited.

use std::path::Path;
use std::process::{Command, Output};

use shouce::store::{Role, Store};

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
    assert!(String::from_utf8_lossy(&refused.stderr).contains("line 1: unknown role `boss`"));
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
