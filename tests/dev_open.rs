//! `shouce dev --open` on a machine without a browser: the opener's noise is not shown,
//! one line says where to go instead, and the opener does not linger as a zombie.
#![cfg(target_os = "linux")]

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Site;

/// The children of `pid` that have exited but were never waited for.
fn zombie_children(pid: u32) -> Vec<String> {
    let mut zombies = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return zombies;
    };
    for task in tasks.filter_map(Result::ok) {
        let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for child in children.split_whitespace() {
            let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
            // "pid (comm) S ...": the state follows the command name's closing paren.
            let state = stat.rsplit_once(") ").map(|(_, rest)| &rest[..1]);
            if state == Some("Z") {
                zombies.push(stat);
            }
        }
    }
    zombies
}

#[test]
fn open_without_a_browser_says_so_once_and_leaves_no_zombie() {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"", "欢迎。\n");
    // An opener that fails noisily, as xdg-open does with no browser installed.
    let bin = tempfile::tempdir().unwrap();
    let opener = bin.path().join("xdg-open");
    std::fs::write(
        &opener,
        "#!/bin/sh\necho 'xdg-open: no method available for opening' >&2\necho OPENER-NOISE\nexit 3\n",
    )
    .unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut dev = Command::new(env!("CARGO_BIN_EXE_shouce"))
        .args(["-C"])
        .arg(site.root())
        .args(["dev", "--port", "0", "--open"])
        .env("PATH", path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(dev.stdout.take().unwrap());
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut seen = Vec::new();
    while let Ok(line) = received.recv_timeout(Duration::from_secs(30)) {
        let done = line.starts_with("could not open a browser");
        seen.push(line);
        if done {
            break;
        }
    }
    // The opener has exited by now; give the reaper a moment, then look for zombies.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut zombies = zombie_children(dev.id());
    while !zombies.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        zombies = zombie_children(dev.id());
    }
    dev.kill().unwrap();
    let output = dev.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let all = format!("{}\n{stderr}", seen.join("\n"));
    assert!(
        seen.last()
            .is_some_and(|l| l.starts_with("could not open a browser; visit http://127.0.0.1:")),
        "{all}"
    );
    assert!(
        !all.contains("OPENER-NOISE") && !all.contains("no method"),
        "{all}"
    );
    assert!(
        zombies.is_empty(),
        "the opener was never reaped: {zombies:?}"
    );
}
