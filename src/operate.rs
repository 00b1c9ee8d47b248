//! The exam server's operator commands: `serve` (after the build: load the site, open
//! and migrate the database, print the first admin's setup link, listen),
//! `user add|import|reset-password|disable`, `exam reset`, `certificate revoke` and
//! `db backup|migrate`. Every account change, reset and revocation lands in the audit
//! log as `cli:<os user>`. An import checks the whole roster (and which employee ids
//! exist already) before it writes, then creates every account or none.

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;

use crate::build::BuildOptions;
use crate::cli::{
    CertificateCommand, DbCommand, DemoCommand, ExamCommand, ResultsCommand, ServeArgs, StoreArgs,
    UserCommand,
};
use crate::error::{Diagnostic, Error, Failure, Location};
use crate::server::{self, AppState, ClientAddress, CookieSecurity, ServerConfig, SystemClock};
use crate::site::Site;
use crate::spreadsheet::Cell;
use crate::store::{AuditEntry, ExamReset, NewUser, Role, Store, StoreError};

/// The state folder's default name, in the site root.
pub const STATE_DIR: &str = ".shouce";
/// How long a setup link works.
const SETUP_LINK_HOURS: i64 = 72;

fn env(e: impl std::fmt::Display) -> Failure {
    Failure::Env(Error::Other(e.to_string()))
}

fn now_ms() -> i64 {
    server::millis(time::OffsetDateTime::now_utc())
}

/// Which of the state folder's databases a command uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    /// `shouce.db`: the company's real records.
    Real,
    /// `demo.db`: the made-up company of `shouce demo seed`.
    Demo,
}

impl Database {
    fn file_name(self) -> &'static str {
        match self {
            Database::Real => "shouce.db",
            Database::Demo => "demo.db",
        }
    }
}

/// The SQLite file of `which` in the state folder (creating the folder).
fn sqlite_file(
    root: &Path,
    args: &StoreArgs,
    which: Database,
) -> Result<std::path::PathBuf, Failure> {
    let dir = args.state.clone().unwrap_or_else(|| root.join(STATE_DIR));
    std::fs::create_dir_all(&dir).map_err(|source| {
        Failure::Env(Error::Io {
            path: dir.clone(),
            source,
        })
    })?;
    Ok(dir.join(which.file_name()))
}

/// Opens (creating the state folder and SQLite file if needed) and migrates.
pub async fn open_store(root: &Path, args: &StoreArgs) -> Result<Store, Failure> {
    open_database(root, args, Database::Real).await
}

/// Opens `which` database (a `--database-url` names it instead) and migrates.
pub async fn open_database(
    root: &Path,
    args: &StoreArgs,
    which: Database,
) -> Result<Store, Failure> {
    let store = match &args.database_url {
        Some(url) => Store::connect(url).await,
        None => Store::open_sqlite(&sqlite_file(root, args, which)?).await,
    }
    .map_err(env)?;
    store.migrate().await.map_err(env)?;
    Ok(store)
}

pub async fn serve(options: &BuildOptions, args: ServeArgs) -> Result<(), Failure> {
    let (site, _warnings) = Site::load(&options.root, options.drafts)?;
    let which = if args.demo {
        Database::Demo
    } else {
        Database::Real
    };
    let store = open_database(&options.root, &args.store, which).await?;
    let base = site.config.base_path().to_string();
    let listener = server::bind(&args.host, args.port)
        .await
        .map_err(Failure::Env)?;
    let local = listener.local_addr().map_err(env)?;
    let origin = format!("http://{local}{base}");
    if !store.has_admin().await.map_err(env)? {
        let token = admin_setup_link(&store).await.map_err(env)?;
        println!(
            "first start: set the admin's password (user `admin`) at {origin}account/setup/{token}"
        );
    }
    let loopback =
        args.host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()) || args.host == "localhost";
    let config = ServerConfig {
        cookies: if loopback {
            CookieSecurity::LoopbackHttp
        } else {
            CookieSecurity::Secure
        },
        client_address: if args.behind_proxy {
            ClientAddress::ForwardedFor
        } else {
            ClientAddress::Peer
        },
        stylesheet: stylesheet(&options.out_dir),
        ..ServerConfig::default()
    };
    let state = AppState::new(store.clone(), site, Arc::new(SystemClock), config);
    let indexed = server::index_earlier_grades(&state).await.map_err(env)?;
    if indexed > 0 {
        println!("added {indexed} earlier graded attempt(s) to the gradebook");
    }
    let warm = state.clone();
    tokio::spawn(async move {
        if let Err(e) = server::load_results(&warm).await {
            tracing::warn!("the gradebook could not be read yet: {e}");
        }
    });
    let changed = server::publish_rule_changes(&state).await.map_err(env)?;
    if changed > 0 {
        println!(
            "{changed} rule passage(s) changed since the last start: agents are asked to acknowledge them at {origin}changes/"
        );
    }
    let app = compose(server::router(state.clone()), &options.out_dir, &base);
    tokio::spawn(server::grade_overdue(state, Duration::from_secs(15)));
    println!(
        "serving {} and the exam server on {origin} (Ctrl-C to stop)",
        options.out_dir.display()
    );
    server::listen::serve(listener, app, server::shutdown()).await;
    store.close().await;
    Ok(())
}

/// The application's routes and the static files, both at the base path.
pub fn compose(app: Router, public: &Path, base: &str) -> Router {
    let prefix = base.trim_end_matches('/');
    let app = if prefix.is_empty() {
        app
    } else {
        Router::new().nest(prefix, app)
    };
    app.merge(server::files::mounted(public, base))
}

/// The built site's stylesheet (`style.<hash>.css`), as a path below the base path.
fn stylesheet(public: &Path) -> Option<String> {
    crate::fs::walk_files(public)
        .files
        .into_iter()
        .map(|e| e.relative)
        .filter(|r| {
            let name = r.rsplit('/').next().unwrap_or(r);
            name.starts_with("style.") && name.ends_with(".css")
        })
        .min_by_key(|r| r.len())
}

async fn admin_setup_link(store: &Store) -> Result<String, StoreError> {
    let admin = match store.user_by_login("admin").await? {
        Some(u) => u,
        None => {
            let new = NewUser {
                login: "admin".into(),
                name: "管理员".into(),
                team: String::new(),
                role: Role::Admin,
                password_hash: None,
            };
            store.add_user(&new, now_ms()).await?
        }
    };
    store
        .create_setup_link(&admin.id, now_ms() + SETUP_LINK_HOURS * 3_600_000)
        .await
}

fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

async fn audit(store: &Store, action: &str, detail: String) -> Result<(), Failure> {
    let entry = AuditEntry {
        at_ms: now_ms(),
        actor: actor(),
        action: action.into(),
        detail,
    };
    store.audit(&entry).await.map_err(env)
}

fn link(url: &str, token: &str) -> String {
    format!("{}/account/setup/{token}", url.trim_end_matches('/'))
}

pub async fn user(root: &Path, args: &StoreArgs, action: UserCommand) -> Result<(), Failure> {
    let store = open_store(root, args).await?;
    let expires = || now_ms() + SETUP_LINK_HOURS * 3_600_000;
    match action {
        UserCommand::Add {
            login,
            name,
            team,
            role,
            url,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                env(format!(
                    "unknown role `{role}`: use agent, trainer, supervisor or admin"
                ))
            })?;
            let new = NewUser {
                login: login.trim().into(),
                name,
                team,
                role,
                password_hash: None,
            };
            let user = store.add_user(&new, now_ms()).await.map_err(env)?;
            audit(
                &store,
                "user.add",
                format!("{} ({})", user.login, role.as_str()),
            )
            .await?;
            let token = store
                .create_setup_link(&user.id, expires())
                .await
                .map_err(env)?;
            println!(
                "added {}: set a password at {}",
                user.login,
                link(&url, &token)
            );
        }
        UserCommand::Import { file, url } => import(&store, &file, &url).await?,
        UserCommand::ResetPassword { login, url } => {
            let user = find(&store, &login).await?;
            store.end_sessions_of(&user.id).await.map_err(env)?;
            let token = store
                .create_setup_link(&user.id, expires())
                .await
                .map_err(env)?;
            audit(&store, "user.reset-password", user.login.clone()).await?;
            println!(
                "{}: set a new password at {}",
                user.login,
                link(&url, &token)
            );
        }
        UserCommand::Disable { login } => {
            let user = find(&store, &login).await?;
            store.set_disabled(&user.id, true).await.map_err(env)?;
            audit(&store, "user.disable", user.login.clone()).await?;
            println!("disabled {}", user.login);
        }
    }
    store.close().await;
    Ok(())
}

async fn find(store: &Store, login: &str) -> Result<crate::store::User, Failure> {
    store
        .user_by_login(login.trim())
        .await
        .map_err(env)?
        .ok_or_else(|| env(format!("no account has the login `{login}`")))
}

async fn import(store: &Store, file: &Path, url: &str) -> Result<(), Failure> {
    let bytes = std::fs::read(file).map_err(|source| {
        Failure::Env(Error::Io {
            path: file.to_path_buf(),
            source,
        })
    })?;
    let at = |line: usize, message: String| {
        Diagnostic::error(
            Location {
                path: file.to_path_buf(),
                line,
                col: 1,
            },
            message,
        )
    };
    let roster = crate::store::roster::people(&bytes);
    let mut problems: Vec<Diagnostic> = roster
        .problems
        .into_iter()
        .map(|p| at(p.line, p.message))
        .collect();
    for l in &roster.listed {
        if store
            .user_by_login(&l.user.login)
            .await
            .map_err(env)?
            .is_some()
        {
            problems.push(at(
                l.line,
                format!("the employee id `{}` already has an account", l.user.login),
            ));
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|d| d.location.line);
        return Err(Failure::Author(problems));
    }
    let listed = roster.listed;
    let people: Vec<NewUser> = listed.into_iter().map(|l| l.user).collect();
    let entry = AuditEntry {
        at_ms: now_ms(),
        actor: actor(),
        action: "user.import".into(),
        detail: String::new(),
    };
    let users = store
        .add_users(&people, &entry)
        .await
        .map_err(|e| env(format!("{}: nothing imported: {e}", file.display())))?;
    for user in &users {
        let token = store
            .create_setup_link(&user.id, now_ms() + SETUP_LINK_HOURS * 3_600_000)
            .await
            .map_err(env)?;
        println!("{},{}", user.login, link(url, &token));
    }
    eprintln!(
        "imported {} accounts; send each person their link",
        users.len()
    );
    Ok(())
}

/// `shouce exam reset LOGIN EXAM --reason …`.
pub async fn exam(root: &Path, args: &StoreArgs, action: ExamCommand) -> Result<(), Failure> {
    let ExamCommand::Reset {
        login,
        exam,
        reason,
    } = action;
    let (site, _warnings) = Site::load(root, crate::content::DraftPolicy::Exclude)?;
    if !site.quiz(&exam).is_some_and(|q| q.quiz.is_exam()) {
        return Err(env(format!("there is no exam `{exam}` in quizzes/")));
    }
    let reason = required_reason(&reason)?;
    let store = open_store(root, args).await?;
    let user = find(&store, &login).await?;
    let entry = AuditEntry {
        at_ms: now_ms(),
        actor: actor(),
        action: "exam.reset".into(),
        detail: format!("{} {exam}: {reason}", user.login),
    };
    let reset = ExamReset {
        user_id: &user.id,
        exam_id: &exam,
        reason,
        audit: &entry,
    };
    let voided = store.reset_exam(&reset).await.map_err(env)?;
    match voided {
        Some(id) => println!(
            "reset {exam} for {}: open attempt {id} voided; they may start again",
            user.login
        ),
        None => println!("reset {exam} for {}: they may start again", user.login),
    }
    store.close().await;
    Ok(())
}

/// `shouce certificate revoke ID --reason …`.
pub async fn certificate(
    root: &Path,
    args: &StoreArgs,
    action: CertificateCommand,
) -> Result<(), Failure> {
    let CertificateCommand::Revoke { id, reason } = action;
    let reason = required_reason(&reason)?;
    let store = open_store(root, args).await?;
    let cert = store
        .certificate(id.trim())
        .await
        .map_err(env)?
        .ok_or_else(|| env(format!("there is no certificate `{id}`")))?;
    let holder = store
        .user(&cert.user_id)
        .await
        .map_err(env)?
        .map_or_else(|| cert.user_id.clone(), |u| u.login);
    let entry = AuditEntry {
        at_ms: now_ms(),
        actor: actor(),
        action: "certificate.revoke".into(),
        detail: format!("{} ({holder}, {}): {reason}", cert.id, cert.name),
    };
    if !store
        .revoke_with_reason(&cert.id, reason, &entry)
        .await
        .map_err(env)?
    {
        return Err(env(format!("certificate {} is revoked already", cert.id)));
    }
    println!("revoked certificate {} of {holder}", cert.id);
    store.close().await;
    Ok(())
}

fn required_reason(reason: &str) -> Result<&str, Failure> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(env("give a reason (--reason …): it goes in the audit log"));
    }
    Ok(reason)
}

pub async fn db(root: &Path, args: &StoreArgs, action: DbCommand) -> Result<(), Failure> {
    let store = open_store(root, args).await?;
    match action {
        DbCommand::Backup { file } => {
            store.backup(&file).await.map_err(env)?;
            println!("backed up to {}", file.display());
        }
        DbCommand::Migrate => println!("the database is up to date"),
    }
    store.close().await;
    Ok(())
}

/// `shouce demo seed`: a fresh demo database (the state folder's `demo.db`, which is
/// replaced; never the real one) filled with a made-up company.
pub async fn demo(root: &Path, args: &StoreArgs, action: DemoCommand) -> Result<(), Failure> {
    let DemoCommand::Seed { agents, seed } = action;
    let (site, _warnings) = Site::load(root, crate::content::DraftPolicy::Exclude)?;
    if args.database_url.is_none() {
        let file = sqlite_file(root, args, Database::Demo)?;
        for suffix in ["", "-wal", "-shm"] {
            let path = std::path::PathBuf::from(format!("{}{suffix}", file.display()));
            if path.exists() {
                std::fs::remove_file(&path)
                    .map_err(|source| Failure::Env(Error::Io { path, source }))?;
            }
        }
    }
    let store = open_database(root, args, Database::Demo).await?;
    let started = std::time::Instant::now();
    let hash = tokio::task::spawn_blocking(|| server::password::hash(server::demo::PASSWORD))
        .await
        .map_err(env)?
        .map_err(env)?;
    let made = server::demo::seed(&store, &site, &hash, agents, seed, now_ms())
        .await
        .map_err(env)?;
    store.close().await;
    println!(
        "demo database: {} agents in {} teams, {} graded attempts, {} certificates ({:.1} s)",
        made.agents,
        server::demo::TEAMS.len(),
        made.attempts,
        made.certificates,
        started.elapsed().as_secs_f64()
    );
    println!(
        "next: shouce serve --demo, then sign in as `admin` (or a team's supervisor `sup1` … `sup5`, or `trainer`) with the password `{}` and open /dashboard/",
        server::demo::PASSWORD
    );
    Ok(())
}

/// `shouce results export`: every graded attempt as CSV or as a workbook, streamed row
/// by row from the database (never held in memory) to standard output or to a file.
/// A file is written beside its destination and put in its place once complete, so an
/// export that fails leaves an earlier file as it was.
pub async fn results(root: &Path, args: &StoreArgs, action: ResultsCommand) -> Result<(), Failure> {
    use futures_util::StreamExt as _;
    use std::io::IsTerminal as _;
    let ResultsCommand::Export {
        exam,
        team,
        out,
        xlsx,
        demo,
    } = action;
    let xlsx = xlsx
        || out.as_deref().is_some_and(|path| {
            path.extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("xlsx"))
        });
    if xlsx && out.is_none() && std::io::stdout().is_terminal() {
        return Err(env(
            "a workbook is a binary file: write it with `-o results.xlsx` (or redirect standard output to a file)",
        ));
    }
    let (site, _warnings) = Site::load(root, crate::content::DraftPolicy::Exclude)?;
    let exams: Vec<String> = match exam {
        Some(id) if site.quiz(&id).is_some_and(|q| q.quiz.is_exam()) => vec![id],
        Some(id) => return Err(env(format!("there is no exam `{id}` in quizzes/"))),
        None => site
            .quizzes
            .iter()
            .filter(|q| q.quiz.is_exam())
            .map(|q| q.quiz.id.clone())
            .collect(),
    };
    let which = if demo { Database::Demo } else { Database::Real };
    let store = open_database(root, args, which).await?;
    let staged = out.as_deref().map(Staged::beside).transpose()?;
    let output: Box<dyn std::io::Write + Send> = match &staged {
        Some(staged) => Box::new(staged.handle()?),
        None => Box::new(std::io::stdout()),
    };
    let output = std::io::BufWriter::new(output);
    let scratch = staged.as_ref().map(|s| s.folder.as_path());
    let mut export = Export::start(xlsx, output, scratch)?;
    let mut lines = 0usize;
    for exam in exams {
        let mut rows = std::pin::pin!(store.stream_results(exam, team.clone(), i64::MIN, i64::MAX));
        while let Some(row) = rows.next().await {
            let row = row.map_err(env)?;
            export.row(&crate::server::results_cells(&row))?;
            lines += 1;
        }
    }
    export.finish()?;
    store.close().await;
    if let Some(staged) = staged {
        let path = staged.put_in_place()?;
        println!("wrote {lines} results to {}", path.display());
    }
    Ok(())
}

/// The rows of an export on their way out, as CSV or as a workbook.
enum Export<W: std::io::Write + Send> {
    Csv(crate::spreadsheet::CsvWriter<W>),
    Xlsx(Box<crate::spreadsheet::xlsx::XlsxWriter>, W),
}

impl<W: std::io::Write + Send> Export<W> {
    fn start(xlsx: bool, out: W, scratch: Option<&Path>) -> Result<Self, Failure> {
        let header = crate::server::RESULTS_HEADER;
        if xlsx {
            let book = crate::spreadsheet::xlsx::XlsxWriter::new("成绩", &header, scratch)
                .map_err(workbook)?;
            Ok(Export::Xlsx(Box::new(book), out))
        } else {
            let csv = crate::spreadsheet::CsvWriter::new(out, &header).map_err(written)?;
            Ok(Export::Csv(csv))
        }
    }

    fn row(&mut self, cells: &[Cell]) -> Result<(), Failure> {
        match self {
            Export::Csv(csv) => csv.row(cells).map_err(written),
            Export::Xlsx(book, _) => book.row(cells).map_err(workbook),
        }
    }

    fn finish(self) -> Result<(), Failure> {
        let mut out = match self {
            Export::Csv(csv) => csv.finish().map_err(written)?,
            Export::Xlsx(book, mut out) => {
                book.finish(&mut out).map_err(workbook)?;
                out
            }
        };
        out.flush().map_err(written)
    }
}

fn written(e: std::io::Error) -> Failure {
    env(format!("cannot write the export: {e}"))
}

fn workbook(e: rust_xlsxwriter::XlsxError) -> Failure {
    env(format!("cannot write the workbook: {e}"))
}

/// An export file being written: a temporary file in the destination's folder, renamed
/// over the destination once the export is complete (and removed if it is not).
struct Staged {
    file: tempfile::NamedTempFile,
    folder: std::path::PathBuf,
    path: std::path::PathBuf,
}

impl Staged {
    fn beside(path: &Path) -> Result<Staged, Failure> {
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let io = |source| {
            Failure::Env(Error::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        if path.is_dir() {
            return Err(env(format!("{} is a folder: name a file", path.display())));
        }
        let file = tempfile::Builder::new()
            .prefix(".shouce-export-")
            .tempfile_in(&folder)
            .map_err(io)?;
        Ok(Staged {
            file,
            folder,
            path: path.to_path_buf(),
        })
    }

    fn handle(&self) -> Result<std::fs::File, Failure> {
        self.file.as_file().try_clone().map_err(written)
    }

    fn put_in_place(self) -> Result<std::path::PathBuf, Failure> {
        let Staged { file, path, .. } = self;
        file.persist(&path).map_err(|e| {
            Failure::Env(Error::Io {
                path: path.clone(),
                source: e.error,
            })
        })?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    #[test]
    fn an_export_takes_the_place_of_its_file_only_when_complete() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("成绩.csv");
        std::fs::write(&path, "earlier").unwrap();
        let files = || std::fs::read_dir(dir.path()).unwrap().count();
        // Abandoned half-way: the earlier file stays and the temporary one goes.
        {
            let staged = Staged::beside(&path).unwrap();
            staged.handle().unwrap().write_all(b"half").unwrap();
            assert_eq!(files(), 2);
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "earlier");
        assert_eq!(files(), 1);
        // Complete: it replaces the file.
        let staged = Staged::beside(&path).unwrap();
        staged.handle().unwrap().write_all(b"new").unwrap();
        assert_eq!(staged.put_in_place().unwrap(), path);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(files(), 1);
        // A folder is not a file.
        assert!(Staged::beside(dir.path()).is_err());
    }
}
