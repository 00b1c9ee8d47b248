//! End-to-end browser tests: headless Chromium (Debian's, through `playwright-core`)
//! drives the shipped handbook as built by the `shouce` binary, and `shouce dev`.
//!
//! The checks themselves are the Node scripts in `tests/browser/` (`site.mjs`,
//! `search.mjs`, `dev.mjs`, `quiz.mjs`); this file builds the site, installs their one npm dependency when
//! `tests/browser/node_modules` is missing (`npm ci`), runs them and fails with
//! their output. Needs `node`, `npm` and Chromium (`/usr/bin/chromium`, or set
//! `CHROMIUM`): `apt-get install chromium`.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const SHOUCE: &str = env!("CARGO_BIN_EXE_shouce");
/// Each script has its own time limit (50 s); this one only guards against a hang.
const SCRIPT_LIMIT: Duration = Duration::from_secs(120);

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn browser_dir() -> PathBuf {
    repo_root().join("tests").join("browser")
}

fn chromium() -> String {
    let path = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(
        Path::new(&path).is_file(),
        "no Chromium at {path}: install Debian's (apt-get install chromium) or set CHROMIUM"
    );
    path
}

/// Installs `playwright-core` into tests/browser/node_modules once per test run.
fn node_modules() {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    let ready = READY.get_or_init(|| {
        let dir = browser_dir();
        if dir
            .join("node_modules/playwright-core/package.json")
            .is_file()
        {
            return Ok(());
        }
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .map_err(|e| {
                format!(
                    "tests/browser/node_modules is missing and `npm ci` could not run ({e}): \
                     install Node.js and npm, then run `npm ci` in tests/browser"
                )
            })?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`npm ci` in tests/browser failed ({status})"))
        }
    });
    if let Err(message) = ready {
        panic!("{message}");
    }
}

/// Runs `node tests/browser/<script>` with `env`; panics with its output unless it exits 0.
fn run_script(script: &str, env: &[(&str, &Path)]) {
    node_modules();
    let chromium = chromium();
    let mut command = Command::new("node");
    command
        .arg(browser_dir().join(script))
        .current_dir(browser_dir())
        .env("SHOUCE_BIN", SHOUCE)
        .env("REPO_ROOT", repo_root())
        .env("CHROMIUM", chromium)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let started = Instant::now();
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("could not run node (install Node.js): {e}"));
    // read both pipes on threads so that a chatty script never blocks on a full pipe
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for node") {
            break Some(status);
        }
        if started.elapsed() > SCRIPT_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let took = started.elapsed().as_secs_f64();
    match status {
        Some(status) if status.success() => {
            println!("{stdout}{stderr}node {script}: passed in {took:.1} s");
        }
        Some(status) => panic!(
            "node tests/browser/{script} failed ({status}) after {took:.1} s\n\
             --- stdout ---\n{stdout}--- stderr ---\n{stderr}"
        ),
        None => panic!(
            "node tests/browser/{script} was killed after {took:.0} s\n\
             --- stdout ---\n{stdout}--- stderr ---\n{stderr}"
        ),
    }
}

/// Builds the shipped handbook into a temp dir; returns the dir (keep it alive) and the site.
fn build_handbook() -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    let build = Command::new(SHOUCE)
        .arg("-C")
        .arg(repo_root())
        .arg("build")
        .arg("--out")
        .arg(&site)
        .output()
        .expect("run shouce build");
    assert!(
        build.status.success(),
        "shouce build of the shipped handbook failed:\n{}{}",
        String::from_utf8_lossy(&build.stdout),
        String::from_utf8_lossy(&build.stderr)
    );
    (out, site)
}

#[test]
fn site() {
    let (_out, site) = build_handbook();
    run_script("site.mjs", &[("SITE_DIR", &site)]);
}

#[test]
fn search() {
    let (_out, site) = build_handbook();
    run_script("search.mjs", &[("SITE_DIR", &site)]);
}

#[test]
fn dev_live_reload() {
    run_script("dev.mjs", &[]);
}

/// Practice quizzes, on a small fixture site (not the shipped handbook's quizzes).
#[test]
fn practice_quiz() {
    let site = common::practice::site();
    if let Err(failure) = site.build() {
        panic!("the practice fixture did not build: {failure:?}");
    }
    run_script("quiz.mjs", &[("SITE_DIR", &site.path("public"))]);
}

/// `shouce serve` as the exam server: sign in, exam, reload, pass, certificate,
/// verification; a second agent fails and meets the retake wait.
#[test]
fn exam_server() {
    run_script("exam.mjs", &[]);
}

/// `shouce serve --demo` in the browser: a supervisor's team, a filter, an agent, an
/// exam's item analysis, and a CSV that matches the page.
#[test]
fn dashboard() {
    run_script("dashboard.mjs", &[]);
}
