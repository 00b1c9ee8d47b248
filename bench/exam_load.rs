//! Load generator for the exam server (`cargo run --release --example exam_load`).
//!
//! Starts `shouce serve` on the shipped handbook (SQLite in a temp state folder, or
//! `--database-url postgres://…`), creates the agents and their sessions straight in
//! the database (sign-in is Argon2id by design, so it is timed apart: a sample of
//! `--sign-ins` over HTTP), then has `--agents` concurrent agents, each on its own
//! keep-alive connection, sit exams for `--seconds`: start, open the paper, save answers
//! `--saves` times, submit, then the next exam with a fresh account.
//!
//! **Paced** (the default): the agents together offer `--rate` answer saves a second
//! (and with them starts, pages and submissions in proportion: 5 saves per exam at
//! 1,500 saves/s is 300 exams/s). Each request has a time it is due; its latency is
//! counted from then, not from when it was sent, so a server that falls behind is
//! charged for the queue it causes (no "coordinated omission"). `--rate 0` is the
//! **capacity** run: every agent sends its next request as soon as the last is answered.
//!
//! Prints requests per second and p50/p99/max latency per kind, and the errors (any
//! non-2xx/3xx answer). With `--crash`, kills the server with SIGKILL mid-load, restarts
//! it, and checks that every acknowledged submission is stored and graded, that every
//! attempt's stored JSON reads back, and that every stored pass has its certificate.

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
    saves: usize,
    /// Answer saves per second offered; 0 runs flat out.
    rate: f64,
    seconds: f64,
    sign_ins: usize,
    database_url: Option<String>,
    crash: bool,
}

fn options() -> Options {
    let mut o = Options {
        shouce: PathBuf::from("target/release/shouce"),
        agents: 500,
        saves: 5,
        rate: 1500.0,
        seconds: 10.0,
        sign_ins: 40,
        database_url: None,
        crash: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().expect("a value after the flag");
        match a.as_str() {
            "--shouce" => o.shouce = value().into(),
            "--agents" => o.agents = value().parse().expect("a number"),
            "--saves" => o.saves = value().parse().expect("a number"),
            "--rate" => o.rate = value().parse().expect("a number"),
            "--seconds" => o.seconds = value().parse().expect("a number"),
            "--sign-ins" => o.sign_ins = value().parse().expect("a number"),
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

/// When an agent's next request is due: every `period` after its first (paced), or as
/// soon as the last was answered (flat out).
struct Pace {
    next: Instant,
    period: Option<Duration>,
}

impl Pace {
    /// Waits until the next request is due and returns when that was.
    async fn due(&mut self) -> Instant {
        match self.period {
            Some(period) => {
                let due = self.next;
                self.next += period;
                tokio::time::sleep_until(due.into()).await;
                due
            }
            None => Instant::now(),
        }
    }
}

/// One agent's exam: start, open the paper, save, submit. Latencies count from when
/// each request was due.
async fn sit(
    conn: &mut Conn,
    cookie: &str,
    saves: usize,
    pace: &mut Pace,
    t: &Mutex<Timings>,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    let due = pace.due().await;
    let r = conn
        .send(
            "POST",
            &format!("/exam/{EXAM}/start"),
            Some(cookie),
            Some(("application/x-www-form-urlencoded", "")),
        )
        .await?;
    let took = due.elapsed();
    let Some(at) = r.location.filter(|l| l.starts_with("/attempt/")) else {
        t.lock().await.errors += 1;
        return Ok(());
    };
    t.lock().await.start.push(took);
    let id = at
        .trim_start_matches("/attempt/")
        .trim_end_matches('/')
        .to_string();
    let due = pace.due().await;
    let r = conn.send("GET", &at, Some(cookie), None).await?;
    record(t, r.status == 200, due.elapsed(), |t| &mut t.page).await;
    for i in 0..saves {
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        let body = format!(
            "{{\"answers\":{{\"0\":{{\"choice\":{}}},\"1\":{{\"text\":\"72 小时\"}}}}}}",
            i % 3
        );
        let due = pace.due().await;
        let r = conn
            .send(
                "POST",
                &format!("/attempt/{id}/answers"),
                Some(cookie),
                Some(("application/json", &body)),
            )
            .await?;
        record(t, r.status == 200, due.elapsed(), |t| &mut t.save).await;
    }
    let due = pace.due().await;
    let r = conn
        .send(
            "POST",
            &format!("/attempt/{id}/submit"),
            Some(cookie),
            Some(("application/x-www-form-urlencoded", "")),
        )
        .await?;
    let ok = r.status == 303 && r.location.is_some_and(|l| l.ends_with("/result"));
    record(t, ok, due.elapsed(), |t| &mut t.submit).await;
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
        "{name:>7}: {:>6} requests, {:>7.0}/s, p50 {:>6.1} ms, p99 {:>6.1} ms, max {:>6.1} ms",
        list.len(),
        list.len() as f64 / wall.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        list[list.len() - 1].as_secs_f64() * 1000.0
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

    // Every request of an exam, and how many exams each agent sits.
    let per_exam = o.saves + 3;
    let exams_per_s = if o.rate > 0.0 {
        o.rate / o.saves.max(1) as f64
    } else {
        // Flat out: enough accounts for a fast server (the run ends when they are used).
        2_000.0 / per_exam as f64 * 1.5
    };
    let rounds = ((o.seconds * exams_per_s / o.agents as f64).ceil() as usize).max(1);
    let accounts = o.agents * rounds + o.sign_ins;
    let mut users = Vec::with_capacity(accounts);
    for i in 0..accounts {
        let new = NewUser {
            login: format!("load-{}-{i}", &run_id[..6]),
            name: format!("坐席{i}"),
            team: String::new(),
            role: Role::Agent,
            password_hash: Some(hash.clone()),
        };
        users.push(store.add_user(&new, 0).await.expect("add an agent"));
    }
    println!(
        "exam_load: {} agents, {} exams each, {} saves per exam, {} on {}",
        o.agents,
        rounds,
        o.saves,
        if o.rate > 0.0 {
            format!(
                "paced at {:.0} saves/s ({:.0} exams/s, {:.0} requests/s)",
                o.rate,
                exams_per_s,
                exams_per_s * per_exam as f64
            )
        } else {
            "flat out (capacity)".to_string()
        },
        if o.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let timings = Arc::new(Mutex::new(Timings::default()));
    let stop = Arc::new(AtomicBool::new(false));

    // Sign-in, timed apart: a few accounts one after another over HTTP. The session
    // cookie's name comes from the server's answer.
    let signing_in = Instant::now();
    let mut cookie_name = None;
    for user in &users[o.agents * rounds..] {
        match sign_in(port, &user.login).await {
            Ok((cookie, took)) => {
                timings.lock().await.login.push(took);
                cookie_name = cookie.split_once('=').map(|(n, _)| n.to_string());
            }
            Err(_) => timings.lock().await.errors += 1,
        }
    }
    let login_wall = signing_in.elapsed();
    let cookie_name = cookie_name.expect("a sign-in set a session cookie");
    // The exam accounts' sessions, made in the database (as sign-in would).
    let mut cookies = vec![Vec::new(); o.agents];
    for (i, user) in users[..o.agents * rounds].iter().enumerate() {
        let token = store
            .create_session(&user.id, now_ms())
            .await
            .expect("a session");
        cookies[i % o.agents].push(format!("{cookie_name}={token}"));
    }

    // The measured phase: each agent sits its exams, paced or flat out.
    let period = (o.rate > 0.0)
        .then(|| Duration::from_secs_f64(o.agents as f64 / (exams_per_s * per_exam as f64)));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (n, mine) in cookies.into_iter().enumerate() {
        let (t, stop, saves) = (timings.clone(), stop.clone(), o.saves);
        // Agents start spread over one whole exam (`per_exam` periods), so that from
        // the first second the offered mix is the steady one: as many starts as
        // submissions, five saves to each.
        let first = started
            + period.map_or(Duration::ZERO, |p| {
                p.mul_f64(per_exam as f64 * n as f64 / o.agents as f64)
            });
        tasks.push(tokio::spawn(async move {
            let mut pace = Pace {
                next: first,
                period,
            };
            // An agent connects when it arrives, not all 500 at the first instant.
            tokio::time::sleep_until(first.into()).await;
            let Ok(mut conn) = Conn::open(port).await else {
                t.lock().await.errors += 1;
                return;
            };
            for cookie in mine {
                if sit(&mut conn, &cookie, saves, &mut pace, &t, &stop)
                    .await
                    .is_err()
                {
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
        tokio::time::sleep(Duration::from_secs_f64(o.seconds / 2.0)).await;
        stop.store(true, Ordering::Relaxed);
        server.kill().expect("SIGKILL the server");
        println!("killed the server (SIGKILL) mid-load");
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
    summary("sign-in", &mut t.login, login_wall);
    println!("(sign-in: {} one after another, Argon2id)", o.sign_ins);
    // Paced agents arrive spread over one exam's length and leave as spread: rates are
    // over the run less that one exam's length (the time all agents are at work).
    let busy = match period {
        Some(p) if wall > p * per_exam as u32 * 2 => wall - p * per_exam as u32,
        _ => wall,
    };
    summary("start", &mut t.start, busy);
    summary("page", &mut t.page, busy);
    summary("save", &mut t.save, busy);
    summary("submit", &mut t.submit, busy);
    println!(
        "{:>7}: {} (exam phase {:.1} s)",
        "errors",
        t.errors,
        wall.as_secs_f64()
    );
    if o.crash {
        let mut server = spawn_server(&o, &repo, state.path(), port);
        wait_ready(port).await;
        crash_check(&store, &users, &t.acknowledged).await;
        let _ = server.kill();
        let _ = server.wait();
    }
    store.close().await;
}

fn now_ms() -> i64 {
    shouce::server::millis(time::OffsetDateTime::now_utc())
}

/// After a SIGKILL and restart: every acknowledged submission is graded, every
/// attempt's JSON reads back, and every stored pass of a certifying exam has its
/// certificate (grade and certificate are written in one transaction).
async fn crash_check(store: &Store, users: &[shouce::store::User], acknowledged: &[String]) {
    let mut missing = 0;
    for id in acknowledged {
        let a = store.attempt(id).await.expect("read an attempt");
        if !a.is_some_and(|a| a.submitted_ms.is_some() && a.results.is_some() && a.passed.is_some())
        {
            missing += 1;
        }
    }
    println!(
        "after restart: {} acknowledged submissions, {missing} missing or ungraded",
        acknowledged.len()
    );
    let (mut attempts, mut damaged, mut passes, mut uncertified) = (0, 0, 0, 0);
    let mut stored = Vec::new();
    for user in users {
        stored.extend(
            store
                .attempt_history(&user.id)
                .await
                .expect("read the attempts"),
        );
    }
    for (a, _voided) in stored {
        attempts += 1;
        let reads = |text: &str| serde_json::from_str::<serde_json::Value>(text).is_ok();
        if !reads(&a.paper) || !reads(&a.answers) || a.results.as_deref().is_some_and(|r| !reads(r))
        {
            damaged += 1;
        }
        if a.passed == Some(true) {
            passes += 1;
            if store
                .certificate_of_attempt(&a.id)
                .await
                .expect("read")
                .is_none()
            {
                uncertified += 1;
            }
        }
    }
    println!(
        "stored: {attempts} attempts, {damaged} with unreadable JSON; {passes} passes, {uncertified} without their certificate"
    );
}
