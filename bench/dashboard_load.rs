//! Results benchmark (`cargo run --release --example dashboard_load`).
//!
//! Seeds a company of `--agents` agents (default 10,000) with `--attempts` graded
//! attempts each (default 20: 200,000 attempts), simulated and graded by the demo's
//! code, in a fresh SQLite database in a temp folder, in `--keep FILE` (SQLite, kept
//! for later runs) or in `--database-url postgres://…`. A database that already has
//! agents (seeded by an earlier run) is migrated and reused instead. Then it adds any
//! attempts graded before the gradebook existed, reads the gradebook into memory, and
//! renders every dashboard page (`--only TEXT`: those whose name contains it) through
//! the server's router, signed in as the admin (every team), a supervisor (one team)
//! or an agent, `--runs` times each, and prints the time to the last byte of each
//! page: best, median and worst. The CSV export of all results is timed too, with the
//! most memory the process held before and after it (it streams: it must not grow
//! with the rows).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use futures_util::StreamExt as _;
use shouce::content::DraftPolicy;
use shouce::server::{self, AppState, CookieSecurity, ServerConfig, SystemClock};
use shouce::site::Site;
use shouce::store::Store;
use tower::ServiceExt as _;

const PASSWORD: &str = "benchmark password";

struct Options {
    agents: usize,
    attempts: usize,
    runs: usize,
    database_url: Option<String>,
    /// A SQLite file to seed once and reuse on later runs.
    keep: Option<PathBuf>,
    /// Time only the pages whose name contains this.
    only: Option<String>,
}

fn options() -> Options {
    let mut o = Options {
        agents: 10_000,
        attempts: 20,
        runs: 5,
        database_url: None,
        keep: None,
        only: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().expect("a value after the flag");
        match a.as_str() {
            "--agents" => o.agents = value().parse().expect("a number"),
            "--attempts" => o.attempts = value().parse().expect("a number"),
            "--runs" => o.runs = value().parse().expect("a number"),
            "--database-url" => o.database_url = Some(value()),
            "--keep" => o.keep = Some(PathBuf::from(value())),
            "--only" => o.only = Some(value()),
            other => panic!("unknown argument {other}"),
        }
    }
    o
}

/// The largest resident set so far (kB), from /proc (Linux).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One request through the router; the status, the body's length and the time to the
/// last byte.
async fn fetch(app: &axum::Router, path: &str, cookie: &str) -> (StatusCode, usize, Duration) {
    let clock = Instant::now();
    let req = Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("a request");
    let res = app.clone().oneshot(req).await.expect("the router answers");
    let status = res.status();
    let mut body = res.into_body().into_data_stream();
    let mut bytes = 0;
    while let Some(chunk) = body.next().await {
        bytes += chunk.expect("the body streams").len();
    }
    (status, bytes, clock.elapsed())
}

async fn sign_in(app: &axum::Router, login: &str) -> String {
    let form = format!("login={login}&password={}", PASSWORD.replace(' ', "+"));
    let req = Request::post("/account/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .expect("a request");
    let res = app.clone().oneshot(req).await.expect("the router answers");
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    cookie.unwrap_or_else(|| panic!("{login} could not sign in ({})", res.status()))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let o = options();
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (site, _) = Site::load(&repo, DraftPolicy::Exclude).expect("the shipped handbook loads");
    let dir = tempfile::tempdir().expect("a temp dir");
    let (store, backend) = match (&o.database_url, &o.keep) {
        (Some(url), _) => (Store::connect(url).await.expect("connect"), "PostgreSQL"),
        (None, Some(path)) => (Store::open_sqlite(path).await.expect("open"), "SQLite"),
        (None, None) => (
            Store::open_sqlite(&dir.path().join("results.db"))
                .await
                .expect("open"),
            "SQLite",
        ),
    };
    let migrating = Instant::now();
    store.migrate().await.expect("migrate");
    // A database seeded by an earlier run (`--keep FILE`, or a PostgreSQL one) is reused.
    let kept = !store.agents("").await.expect("agents").is_empty();
    if kept {
        println!(
            "dashboard_load on {backend}: reusing the seeded database (migrated in {:.1} s)",
            migrating.elapsed().as_secs_f64()
        );
        // One seeded before agents' activity was part of the volume gets it now.
        if store.rule_changes().await.expect("changes").is_empty() {
            let now = server::millis(time::OffsetDateTime::now_utc());
            let seeding = Instant::now();
            let made = server::demo::seed_activity(&store, &site, 7, now)
                .await
                .expect("seed activity");
            println!(
                "added {} lesson opens and {} acknowledgements of {} rule changes in {:.0} s",
                made.lessons_opened,
                made.acknowledged,
                server::demo::VOLUME_CHANGES,
                seeding.elapsed().as_secs_f64()
            );
        }
    } else {
        let now = server::millis(time::OffsetDateTime::now_utc());
        let hash = server::password::hash(PASSWORD).expect("hash");
        let seeding = Instant::now();
        let made = server::demo::seed_volume(&store, &site, &hash, o.agents, o.attempts, 7, now)
            .await
            .expect("seed");
        println!(
            "dashboard_load on {backend}: seeded {} agents, {} attempts, {} certificates, \
             {} lesson opens, {} acknowledgements in {:.0} s",
            made.agents,
            made.attempts,
            made.certificates,
            made.lessons_opened,
            made.acknowledged,
            seeding.elapsed().as_secs_f64()
        );
    }

    let exams: Vec<String> = site
        .quizzes
        .iter()
        .filter(|q| matches!(q.quiz.kind, shouce::quiz::Kind::Exam(_)))
        .map(|q| q.quiz.id.clone())
        .collect();
    let config = ServerConfig {
        cookies: CookieSecurity::LoopbackHttp,
        ..ServerConfig::default()
    };
    let state = AppState::new(store.clone(), site, Arc::new(SystemClock), config);
    let indexing = Instant::now();
    let indexed = server::index_earlier_grades(&state).await.expect("index");
    if indexed > 0 {
        println!(
            "added {indexed} attempts graded before the gradebook existed in {:.1} s",
            indexing.elapsed().as_secs_f64()
        );
    }
    let loading = Instant::now();
    server::load_results(&state)
        .await
        .expect("the gradebook loads");
    println!(
        "gradebook read into memory in {:.2} s (a server does this in the background on start); peak memory {} kB",
        loading.elapsed().as_secs_f64(),
        peak_rss_kb().unwrap_or(0)
    );
    let app = server::router(state);
    let admin = sign_in(&app, "admin").await;
    let supervisor = sign_in(&app, "sup3").await;
    let agent = sign_in(&app, "V00003").await;

    let team = server::demo::TEAMS[2];
    let team_q: String = url_encode(team);
    let mut pages: Vec<(String, String, &str)> = vec![
        ("readiness, all teams".into(), "/dashboard/".into(), &admin),
        (
            "readiness, sorted by name, page 40".into(),
            "/dashboard/?sort=name&page=40".into(),
            &admin,
        ),
        (
            "readiness, one team, expired".into(),
            format!("/dashboard/?team={team_q}&status=expired"),
            &admin,
        ),
        (
            "readiness (supervisor)".into(),
            "/dashboard/".into(),
            &supervisor,
        ),
        (
            "agent".into(),
            "/dashboard/agents/V00003/".into(),
            &supervisor,
        ),
        ("exams".into(), "/dashboard/exams/".into(), &admin),
        (
            "lessons that confuse, all exams and teams".into(),
            "/dashboard/lessons/".into(),
            &admin,
        ),
        (
            "lessons that confuse, one team, 2026".into(),
            format!("/dashboard/lessons/?team={team_q}&from=2026-01-01&to=2026-12-31"),
            &admin,
        ),
        (
            "onboarding progress, all teams".into(),
            "/dashboard/progress/".into(),
            &admin,
        ),
        (
            "onboarding progress (supervisor)".into(),
            "/dashboard/progress/".into(),
            &supervisor,
        ),
        (
            "onboarding progress, furthest behind, page 20".into(),
            "/dashboard/progress/?sort=lessons&page=20".into(),
            &admin,
        ),
        (
            "onboarding progress CSV".into(),
            "/dashboard/progress.csv".into(),
            &admin,
        ),
        (
            "rule-change acknowledgements, all teams".into(),
            "/dashboard/changes/".into(),
            &admin,
        ),
        (
            "acknowledgements, one team, everyone, page 5".into(),
            format!("/dashboard/changes/?team={team_q}&status=all&page=5"),
            &admin,
        ),
        (
            "acknowledgements CSV".into(),
            "/dashboard/changes.csv".into(),
            &admin,
        ),
        ("agent's own progress".into(), "/progress/".into(), &agent),
        ("agent's rule changes".into(), "/changes/".into(), &agent),
    ];
    for exam in &exams {
        pages.push((
            format!("exam {exam} (item analysis)"),
            format!("/dashboard/exams/{exam}/"),
            &admin,
        ));
        pages.push((
            format!("exam {exam}, one team, 2026"),
            format!("/dashboard/exams/{exam}/?team={team_q}&from=2026-01-01&to=2026-12-31"),
            &admin,
        ));
    }
    pages.push((
        "team status CSV".into(),
        "/dashboard/status.csv".into(),
        &admin,
    ));
    if let Some(exam) = exams.first() {
        pages.push((
            format!("item statistics CSV ({exam})"),
            format!("/dashboard/exams/{exam}/items.csv"),
            &admin,
        ));
    }

    println!(
        "{:<52} {:>8} {:>8} {:>8} {:>9}",
        "page", "best ms", "med ms", "max ms", "bytes"
    );
    let mut slowest: f64 = 0.0;
    let wanted = |name: &str| o.only.as_deref().is_none_or(|only| name.contains(only));
    for (name, path, cookie) in pages.iter().filter(|(name, _, _)| wanted(name)) {
        let mut times = Vec::new();
        let mut size = 0;
        let mut failed = None;
        for _ in 0..o.runs {
            let (status, bytes, took) = fetch(&app, path, cookie).await;
            if status != StatusCode::OK {
                failed = Some((status, took));
                break;
            }
            times.push(took);
            size = bytes;
            // A page far over the target is timed once: repeating it says nothing more.
            if took > Duration::from_secs(5) {
                break;
            }
        }
        if let Some((status, took)) = failed {
            println!("{name:<52} answered {status} after {:.0} ms", ms(took));
            slowest = slowest.max(ms(took));
            continue;
        }
        times.sort();
        let worst = ms(times[times.len() - 1]);
        slowest = slowest.max(ms(times[times.len() / 2]));
        println!(
            "{name:<52} {:>8.1} {:>8.1} {:>8.1} {size:>9}",
            ms(times[0]),
            ms(times[times.len() / 2]),
            worst
        );
    }
    println!(
        "slowest page (median, or the failed answer's time): {slowest:.1} ms (target < 200 ms)"
    );

    // The export of every result: streamed, so memory must not grow with the rows.
    let before = peak_rss_kb();
    for exam in exams.iter().filter(|_| wanted("results CSV")) {
        let (status, bytes, took) = fetch(
            &app,
            &format!("/dashboard/exams/{exam}/results.csv"),
            &admin,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        println!("results CSV {exam}: {bytes} bytes in {:.0} ms", ms(took));
    }
    if let (Some(before), Some(after)) = (before, peak_rss_kb()) {
        println!("peak memory before the exports {before} kB, after {after} kB");
    }
    store.close().await;
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
