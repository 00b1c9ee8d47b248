//! Load generator for the exam server (`cargo run --release --example exam_load`).
//!
//! Starts `shouce serve` on the shipped handbook (SQLite in a temp state folder, or
//! `--database-url postgres://…`), creates the agents straight in the database (one
//! shared password hash: sign-in cost is measured separately), signs them in over HTTP,
//! then has `--agents` concurrent agents each start the exam, open the paper, save
//! answers `--saves` times and submit, `--rounds` times with fresh accounts. Prints
//! requests per second and p50/p99 latency per kind, and the errors (any non-2xx/3xx
//! status). With `--crash`, kills the server with SIGKILL mid-load, restarts it, and
//! checks that every acknowledged submission is stored and graded.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use shouce::store::{NewUser, Role, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

const EXAM: &str = "aftersales-exam";
const PASSWORD: &str = "load test password";

struct Options {
    shouce: PathBuf,
    agents: usize,
    rounds: usize,
    saves: usize,
    database_url: Option<String>,
    crash: bool,
}

fn options() -> Options {
    let mut o = Options {
        shouce: PathBuf::from("target/release/shouce"),
        agents: 500,
        rounds: 2,
        saves: 5,
        database_url: None,
        crash: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().expect("a value after the flag");
        match a.as_str() {
            "--shouce" => o.shouce = value().into(),
            "--agents" => o.agents = value().parse().expect("a number"),
            "--rounds" => o.rounds = value().parse().expect("a number"),
            "--saves" => o.saves = value().parse().expect("a number"),
            "--database-url" => o.database_url = Some(value()),
            "--crash" => o.crash = true,
            other => panic!("unknown argument {other}"),
        }
    }
    o
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

struct Reply {
    status: u16,
    location: Option<String>,
    cookie: Option<String>,
}

impl Conn {
    async fn open(port: u16) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(("127.0.0.1", port)).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            buf: Vec::with_capacity(64 * 1024),
        })
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<(&str, &str)>,
    ) -> std::io::Result<Reply> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if let Some(c) = cookie {
            req.push_str(&format!("Cookie: {c}\r\n"));
        }
        let (kind, data) = body.unwrap_or(("text/plain", ""));
        if method == "POST" {
            req.push_str(&format!(
                "Content-Type: {kind}\r\nContent-Length: {}\r\n",
                data.len()
            ));
        }
        req.push_str("\r\n");
        req.push_str(data);
        self.stream.write_all(req.as_bytes()).await?;
        self.read().await
    }

    async fn read(&mut self) -> std::io::Result<Reply> {
        self.buf.clear();
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 16 * 1024];
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::Error::other("connection closed"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).into_owned();
        let header = |name: &str| {
            head.lines()
                .find(|l| l.to_ascii_lowercase().starts_with(&format!("{name}:")))
                .map(|l| l[name.len() + 1..].trim().to_string())
        };
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let length: usize = header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        while self.buf.len() < head_end + length {
            let mut chunk = [0u8; 16 * 1024];
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::Error::other("connection closed mid-body"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
        let cookie = header("set-cookie").and_then(|c| c.split(';').next().map(str::to_string));
        Ok(Reply {
            status,
            location: header("location"),
            cookie,
        })
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[derive(Default)]
struct Timings {
    login: Vec<Duration>,
    start: Vec<Duration>,
    page: Vec<Duration>,
    save: Vec<Duration>,
    submit: Vec<Duration>,
    errors: usize,
    acknowledged: Vec<String>,
}

fn spawn_server(o: &Options, repo: &std::path::Path, state: &std::path::Path, port: u16) -> Child {
    let mut cmd = Command::new(&o.shouce);
    cmd.arg("-C")
        .arg(repo)
        .arg("serve")
        .arg("--port")
        .arg(port.to_string())
        .arg("--state")
        .arg(state);
    if let Some(url) = &o.database_url {
        cmd.arg("--database-url").arg(url);
    }
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start shouce serve")
}

async fn wait_ready(port: u16) {
    for _ in 0..600 {
        if let Ok(mut c) = Conn::open(port).await
            && let Ok(r) = c.send("GET", "/healthz", None, None).await
            && r.status == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not start");
}

/// Signs in on a new connection: the session cookie and how long it took.
async fn sign_in(port: u16, login: &str) -> std::io::Result<(String, Duration)> {
    let mut conn = Conn::open(port).await?;
    let form = format!("login={login}&password={}", PASSWORD.replace(' ', "+"));
    let clock = Instant::now();
    let kind = "application/x-www-form-urlencoded";
    let r = conn
        .send("POST", "/account/login", None, Some((kind, &form)))
        .await?;
    match r.cookie.filter(|_| r.status == 303) {
        Some(cookie) => Ok((cookie, clock.elapsed())),
        None => Err(std::io::Error::other(format!(
            "sign-in answered {}",
            r.status
        ))),
    }
}

/// One agent's exam: start, open the paper, save, submit.
async fn sit(
    conn: &mut Conn,
    cookie: &str,
    saves: usize,
    t: &Mutex<Timings>,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    let clock = Instant::now();
    let r = conn
        .send(
            "POST",
            &format!("/exam/{EXAM}/start"),
            Some(cookie),
            Some(("application/x-www-form-urlencoded", "")),
        )
        .await?;
    let took = clock.elapsed();
    let Some(at) = r.location.filter(|l| l.starts_with("/attempt/")) else {
        t.lock().await.errors += 1;
        return Ok(());
    };
    t.lock().await.start.push(took);
    let id = at
        .trim_start_matches("/attempt/")
        .trim_end_matches('/')
        .to_string();
    let clock = Instant::now();
    let r = conn.send("GET", &at, Some(cookie), None).await?;
    record(t, r.status == 200, clock.elapsed(), |t| &mut t.page).await;
    for i in 0..saves {
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        let body = format!(
            "{{\"answers\":{{\"0\":{{\"choice\":{}}},\"1\":{{\"text\":\"72 小时\"}}}}}}",
            i % 3
        );
        let clock = Instant::now();
        let r = conn
            .send(
                "POST",
                &format!("/attempt/{id}/answers"),
                Some(cookie),
                Some(("application/json", &body)),
            )
            .await?;
        record(t, r.status == 200, clock.elapsed(), |t| &mut t.save).await;
    }
    let clock = Instant::now();
    let r = conn
        .send(
            "POST",
            &format!("/attempt/{id}/submit"),
            Some(cookie),
            Some(("application/x-www-form-urlencoded", "")),
        )
        .await?;
    let ok = r.status == 303 && r.location.is_some_and(|l| l.ends_with("/result"));
    record(t, ok, clock.elapsed(), |t| &mut t.submit).await;
    if ok {
        t.lock().await.acknowledged.push(id);
    }
    Ok(())
}

async fn record(
    t: &Mutex<Timings>,
    ok: bool,
    took: Duration,
    list: impl FnOnce(&mut Timings) -> &mut Vec<Duration>,
) {
    let mut t = t.lock().await;
    if ok {
        list(&mut t).push(took);
    } else {
        t.errors += 1;
    }
}

fn summary(name: &str, list: &mut [Duration], wall: Duration) {
    if list.is_empty() {
        println!("{name:>7}: none");
        return;
    }
    list.sort_unstable();
    let pct = |p: f64| {
        list[((list.len() as f64 * p) as usize).min(list.len() - 1)].as_secs_f64() * 1000.0
    };
    println!(
        "{name:>7}: {:>6} requests, {:>7.0}/s over the run, p50 {:>6.1} ms, p99 {:>6.1} ms",
        list.len(),
        list.len() as f64 / wall.as_secs_f64(),
        pct(0.50),
        pct(0.99)
    );
}

#[tokio::main]
async fn main() {
    let o = options();
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let state = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = spawn_server(&o, &repo, state.path(), port);
    wait_ready(port).await;
    let url = o
        .database_url
        .clone()
        .unwrap_or_else(|| shouce::store::sqlite_url(&state.path().join("shouce.db")));
    let store = Store::connect(&url).await.expect("open the database");
    let hash = shouce::server::password::hash(PASSWORD).unwrap();
    let run_id = shouce::store::random_id();
    let accounts = o.agents * o.rounds;
    for i in 0..accounts {
        let new = NewUser {
            login: format!("load-{}-{i}", &run_id[..6]),
            name: format!("坐席{i}"),
            team: String::new(),
            role: Role::Agent,
            password_hash: Some(hash.clone()),
        };
        store.add_user(&new, 0).await.expect("add an agent");
    }
    println!(
        "exam_load: {} agents × {} rounds, {} saves each, on {}",
        o.agents,
        o.rounds,
        o.saves,
        if o.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let timings = Arc::new(Mutex::new(Timings::default()));
    let stop = Arc::new(AtomicBool::new(false));
    // Phase 1: every account signs in (Argon2id on the server), `agents` at a time.
    let signing_in = Instant::now();
    let mut cookies = vec![Vec::new(); o.agents];
    let mut logins = Vec::new();
    for worker in 0..o.agents {
        let (t, run_id, rounds, agents) = (timings.clone(), run_id.clone(), o.rounds, o.agents);
        logins.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for round in 0..rounds {
                let login = format!("load-{}-{}", &run_id[..6], round * agents + worker);
                match sign_in(port, &login).await {
                    Ok((cookie, took)) => {
                        t.lock().await.login.push(took);
                        got.push(cookie);
                    }
                    Err(_) => t.lock().await.errors += 1,
                }
            }
            got
        }));
    }
    for (worker, task) in logins.into_iter().enumerate() {
        cookies[worker] = task.await.unwrap_or_default();
    }
    let login_wall = signing_in.elapsed();
    // Phase 2 (measured): each agent sits its exams.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for mine in cookies {
        let (t, stop, saves) = (timings.clone(), stop.clone(), o.saves);
        tasks.push(tokio::spawn(async move {
            let Ok(mut conn) = Conn::open(port).await else {
                t.lock().await.errors += 1;
                return;
            };
            for cookie in mine {
                if sit(&mut conn, &cookie, saves, &t, &stop).await.is_err() {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    t.lock().await.errors += 1;
                    match Conn::open(port).await {
                        Ok(c) => conn = c,
                        Err(_) => return,
                    }
                }
            }
        }));
    }
    if o.crash {
        tokio::time::sleep(Duration::from_secs(3)).await;
        stop.store(true, Ordering::Relaxed);
        server.kill().expect("SIGKILL the server");
        println!("killed the server (SIGKILL) after 3 s of load");
    }
    for task in tasks {
        let _ = task.await;
    }
    let wall = started.elapsed();
    if !o.crash {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(server.id().to_string())
            .status();
    }
    let _ = server.wait();
    let mut t = timings.lock().await;
    summary("login", &mut t.login, login_wall);
    println!(
        "(sign-in phase {:.1} s; the rest over the exam phase)",
        login_wall.as_secs_f64()
    );
    summary("start", &mut t.start, wall);
    summary("page", &mut t.page, wall);
    summary("save", &mut t.save, wall);
    summary("submit", &mut t.submit, wall);
    println!(
        "{:>7}: {} (in {:.1} s)",
        "errors",
        t.errors,
        wall.as_secs_f64()
    );
    if o.crash {
        let mut server = spawn_server(&o, &repo, state.path(), port);
        wait_ready(port).await;
        let mut missing = 0;
        for id in &t.acknowledged {
            let a = store.attempt(id).await.expect("read an attempt");
            if !a.is_some_and(|a| {
                a.submitted_ms.is_some() && a.results.is_some() && a.passed.is_some()
            }) {
                missing += 1;
            }
        }
        println!(
            "after restart: {} acknowledged submissions, {missing} missing or ungraded",
            t.acknowledged.len()
        );
        let _ = server.kill();
        let _ = server.wait();
    }
    store.close().await;
}
