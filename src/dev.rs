//! `shouce dev`: build, serve on 127.0.0.1, watch the sources, rebuild and live-reload.
//!
//! The shape is mdBook's `serve`: static files plus one websocket, fed by a broadcast
//! channel; with zola's pure [`classify`] deciding what a changed path means. State is
//! a value (`DevState`) shared by the handlers, not a global. A failed rebuild keeps
//! the last good site (the build only swaps its output in on success) and sends the
//! diagnostics to every open page, which shows them in an overlay until a rebuild
//! succeeds.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use notify::event::{MetadataKind, ModifyKind};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use tokio::sync::{broadcast, mpsc};

use crate::build::{self, BuildOptions};
use crate::error::{self, Error, Failure};

const LIVE_JS: &str = include_str!("dev/live.js");
const SCRIPT_TAG: &str = "<script src=\"/__shouce/live.js\"></script>";

/// What a changed path means for the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Not a source of the site (the output, editors' temp files, VCS files).
    Ignore,
    /// A page, quiz, template, theme file, static file or the config.
    Rebuild,
}

/// Decides what a change to `path` means. Pure: `root` is the site root.
pub fn classify(path: &Path, root: &Path, out_dir: &Path) -> ChangeKind {
    if path.starts_with(out_dir) {
        return ChangeKind::Ignore;
    }
    let Ok(relative) = path.strip_prefix(root) else {
        return ChangeKind::Ignore;
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let temp = name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913";
    if temp {
        return ChangeKind::Ignore;
    }
    let first = relative
        .components()
        .next()
        .and_then(|c| c.as_os_str().to_str())
        .unwrap_or("");
    match first {
        dir if SOURCE_DIRS.contains(&dir) => ChangeKind::Rebuild,
        _ if relative == Path::new(crate::config::FILE_NAME) => ChangeKind::Rebuild,
        _ => ChangeKind::Ignore,
    }
}

/// What the browser is told over the websocket.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Notice {
    Reload,
    Error { text: String },
}

#[derive(Debug)]
struct DevState {
    notices: broadcast::Sender<Notice>,
    /// The diagnostics of the last failed build, shown to pages that connect later.
    failing: RwLock<Option<String>>,
    /// The origins of the dev server's own pages (`http://127.0.0.1:PORT` and its
    /// loopback aliases): the only pages that may open the live-reload socket, which
    /// carries build errors (and those can quote an exam's answer lines).
    origins: Vec<String>,
}

/// The origins under which the dev server's pages are loaded: it listens on loopback
/// only, so those are the loopback names with its port. The `Host` header is not
/// trusted for this: a page of another site that rebinds its DNS name to 127.0.0.1
/// sends its own name in both `Host` and `Origin`.
fn own_origins(port: u16) -> Vec<String> {
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .map(|host| format!("http://{host}:{port}"))
        .collect()
}

pub async fn run(options: BuildOptions, port: u16, open: bool) -> Result<(), Failure> {
    // Watchers report absolute paths; compare them with absolute roots.
    let root = std::fs::canonicalize(&options.root).map_err(crate::fs::io_error(&options.root))?;
    let out_dir = root.join(
        options
            .out_dir
            .strip_prefix(&options.root)
            .unwrap_or(&options.out_dir),
    );
    let options = BuildOptions {
        root,
        out_dir,
        ..options
    };
    let listener = crate::server::bind("127.0.0.1", port).await?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::Other(e.to_string()))?;
    let (notices, _) = broadcast::channel(16);
    let state = Arc::new(DevState {
        notices,
        failing: RwLock::new(None),
        origins: own_origins(address.port()),
    });
    let mut cache = build::Cache::default();
    cache = rebuild(&options, &state, cache, "start").await;
    let url = format!("http://{address}/");
    println!("dev server on {url} — watching for changes (Ctrl-C to stop)");
    if open {
        open_browser(&url);
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<PathBuf>>();
    let mut watcher = watch(&options, tx)?;
    let app = router(&options.out_dir, state.clone());
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(crate::server::shutdown())
            .await
    });
    loop {
        tokio::select! {
            Some(paths) = rx.recv() => {
                let relevant: Vec<&PathBuf> = paths.iter().filter(|p| classify(p, &options.root, &options.out_dir) == ChangeKind::Rebuild).collect();
                for new_dir in relevant.iter().filter(|p| p.parent() == Some(options.root.as_path()) && p.is_dir()) {
                    // A source folder created after start (say, templates/): watch it too.
                    if let Err(e) = watcher.watch(new_dir, RecursiveMode::Recursive) {
                        eprintln!("warning: cannot watch {}: {e}", new_dir.display());
                    }
                }
                if let Some(first) = relevant.first() {
                    let what = first.strip_prefix(&options.root).unwrap_or(first).display().to_string();
                    cache = rebuild(&options, &state, cache, &what).await;
                }
            }
            () = crate::server::shutdown() => break,
        }
    }
    server.abort();
    Ok(())
}

/// Rebuilds on a blocking thread, prints the time taken, tells the browsers. The
/// cache goes to the build thread and comes back with what this build learned.
async fn rebuild(
    options: &BuildOptions,
    state: &DevState,
    cache: build::Cache,
    cause: &str,
) -> build::Cache {
    let started = Instant::now();
    let opts = options.clone();
    let joined = tokio::task::spawn_blocking(move || {
        let mut cache = cache;
        let result = build::build_incremental(&opts, &mut cache);
        (result, cache)
    })
    .await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let Ok((result, cache)) = joined else {
        eprintln!("error: the build thread failed");
        return build::Cache::default();
    };
    match result {
        Ok(report) => {
            if !report.warnings.is_empty() {
                eprint!("{}", error::render_all(&report.warnings));
            }
            println!("rebuilt in {ms:.0} ms ({cause}): {} pages", report.pages);
            *state.failing.write().unwrap_or_else(|e| e.into_inner()) = None;
            let _ = state.notices.send(Notice::Reload);
        }
        Err(failure) => {
            let text = match failure {
                Failure::Author(d) => error::render_all(&d),
                Failure::Env(e) => format!("error: {e}\n"),
            };
            eprint!("{text}");
            let serving = if options.out_dir.join("index.html").is_file() {
                "still serving the last good site"
            } else {
                "the browser shows the errors until a build succeeds"
            };
            println!("build failed after {ms:.0} ms ({cause}); {serving}");
            *state.failing.write().unwrap_or_else(|e| e.into_inner()) = Some(text.clone());
            let _ = state.notices.send(Notice::Error { text });
        }
    }
    cache
}

/// The folders below the site root whose files are sources of the site.
const SOURCE_DIRS: [&str; 5] = ["content", "quizzes", "themes", "templates", "static"];

type Watcher = notify_debouncer_full::Debouncer<
    notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

fn watch(
    options: &BuildOptions,
    tx: mpsc::UnboundedSender<Vec<PathBuf>>,
) -> Result<Watcher, Error> {
    let handler = move |result: DebounceEventResult| {
        if let Ok(events) = result {
            let paths: Vec<PathBuf> = events
                .into_iter()
                .filter(|e| is_change(&e.event.kind))
                .flat_map(|e| e.event.paths)
                .collect();
            if !paths.is_empty() {
                let _ = tx.send(paths);
            }
        }
    };
    let root = &options.root;
    let mut debouncer = new_debouncer(
        Duration::from_millis(30),
        Some(Duration::from_millis(10)),
        handler,
    )
    .map_err(|e| Error::Watch {
        path: root.clone(),
        message: e.to_string(),
    })?;
    debouncer
        .watch(root, RecursiveMode::NonRecursive)
        .map_err(|e| Error::Watch {
            path: root.clone(),
            message: e.to_string(),
        })?;
    for dir in SOURCE_DIRS {
        let path = root.join(dir);
        if path.is_dir() {
            debouncer
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| Error::Watch {
                    path,
                    message: e.to_string(),
                })?;
        }
    }
    Ok(debouncer)
}

/// Creating, writing, renaming or removing a file changes the site; opening or reading
/// one (the build itself reads every page) does not.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

fn router(out_dir: &Path, state: Arc<DevState>) -> Router {
    Router::new()
        .route("/__shouce/live.js", get(live_js))
        .route("/__shouce/ws", get(socket))
        .with_state(state)
        .merge(
            crate::server::files::router(out_dir)
                .layer(axum::middleware::map_response(inject_script)),
        )
}

async fn live_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        LIVE_JS,
    )
}

/// Upgrades a request from one of the dev server's own pages to the live-reload
/// socket; any other origin (or none) is refused with 403.
async fn socket(
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    State(state): State<Arc<DevState>>,
) -> Response {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if !origin.is_some_and(|o| state.origins.iter().any(|own| own == o)) {
        return (
            StatusCode::FORBIDDEN,
            "live reload is for the dev server's own pages",
        )
            .into_response();
    }
    // Subscribe before the handshake: a rebuild that finishes while the socket is
    // being upgraded is then queued for this page instead of lost.
    let notices = state.notices.subscribe();
    ws.on_upgrade(move |socket| notify_page(socket, state, notices))
}

async fn notify_page(
    mut socket: WebSocket,
    state: Arc<DevState>,
    mut notices: broadcast::Receiver<Notice>,
) {
    let failing = state
        .failing
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    if let Some(text) = failing
        && send(&mut socket, &Notice::Error { text }).await.is_err()
    {
        return;
    }
    while let Ok(notice) = notices.recv().await {
        if send(&mut socket, &notice).await.is_err() {
            return;
        }
    }
}

async fn send(socket: &mut WebSocket, notice: &Notice) -> Result<(), axum::Error> {
    let json = serde_json::to_string(notice).unwrap_or_default();
    socket.send(Message::Text(json.into())).await
}

/// Adds the live-reload script to every HTML page served. A 404 without a page (no
/// `404.html` yet, because the first build failed) becomes a small page, so that the
/// error overlay has somewhere to appear.
async fn inject_script(response: Response) -> Response {
    let response = if response.status() == StatusCode::NOT_FOUND && !is_html(&response) {
        let page = "<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>shouce dev</title><body><p>这个页面还不存在：站点尚未成功构建，或地址有误。</p></body></html>";
        let mut placeholder = Response::new(axum::body::Body::from(page));
        *placeholder.status_mut() = StatusCode::NOT_FOUND;
        placeholder.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        placeholder
    } else {
        response
    };
    if !is_html(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 256 * 1024 * 1024).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let html = String::from_utf8_lossy(&bytes);
    let injected = match html.rfind("</body>") {
        Some(i) => format!("{}{SCRIPT_TAG}{}", &html[..i], &html[i..]),
        None => format!("{html}{SCRIPT_TAG}"),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Response::from_parts(parts, axum::body::Body::from(injected))
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Asks the desktop to open `url`. The opener's own output is discarded (without a
/// browser, `xdg-open` prints a screenful), and a thread waits for it so that it
/// never lingers as a zombie; if it fails, one line says where to go instead.
fn open_browser(url: &str) {
    use std::process::{Command, Stdio};
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let spawned = Command::new(opener)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let fallback = format!("could not open a browser; visit {url}");
    match spawned {
        Ok(mut child) => {
            std::thread::spawn(move || {
                // `explorer` exits with 1 even when it opened the page.
                let failed = child
                    .wait()
                    .map_or(true, |s| !s.success() && !cfg!(windows));
                if failed {
                    println!("{fallback}");
                }
            });
        }
        Err(_) => println!("{fallback}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(app: Router, uri: &str) -> (StatusCode, String) {
        use tower::ServiceExt;
        let request = axum::http::Request::get(uri)
            .body(axum::body::Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    fn state() -> Arc<DevState> {
        Arc::new(DevState {
            notices: broadcast::channel(1).0,
            failing: RwLock::new(None),
            origins: own_origins(1111),
        })
    }

    #[tokio::test]
    async fn pages_get_the_live_reload_script_and_other_files_do_not() {
        let dir = tempfile::tempdir().unwrap();
        crate::fs::write(
            &dir.path().join("a/index.html"),
            b"<html><body><p>x</p></body></html>",
        )
        .unwrap();
        crate::fs::write(&dir.path().join("style.css"), b"p{}").unwrap();
        let app = router(dir.path(), state());
        let (status, body) = get(app.clone(), "/a/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.ends_with(&format!("<p>x</p>{SCRIPT_TAG}</body></html>")),
            "{body}"
        );
        assert_eq!(get(app.clone(), "/style.css").await.1, "p{}");
        assert!(get(app, "/__shouce/live.js").await.1.contains("WebSocket"));
    }

    #[tokio::test]
    async fn without_a_built_site_a_missing_page_can_still_show_the_overlay() {
        let dir = tempfile::tempdir().unwrap();
        let (status, body) = get(router(dir.path(), state()), "/rules/").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains(SCRIPT_TAG), "{body}");
    }

    /// Serves the dev router on a free loopback port; returns its address.
    async fn serve_dev(dir: &Path) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let state = Arc::new(DevState {
            notices: broadcast::channel(4).0,
            failing: RwLock::new(None),
            origins: own_origins(address.port()),
        });
        let app = router(dir, state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        address
    }

    /// Sends a WebSocket handshake with `origin` (if any); returns the status line.
    async fn handshake(address: std::net::SocketAddr, origin: Option<&str>) -> String {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let origin = origin.map_or(String::new(), |o| format!("Origin: {o}\r\n"));
        let request = format!(
            "GET /__shouce/ws HTTP/1.1\r\nHost: {address}\r\n{origin}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut reader = tokio::io::BufReader::new(stream);
        let mut status = String::new();
        reader.read_line(&mut status).await.unwrap();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).await.unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        status
    }

    #[tokio::test]
    async fn only_the_dev_servers_own_pages_may_open_the_live_reload_socket() {
        let dir = tempfile::tempdir().unwrap();
        let address = serve_dev(dir.path()).await;
        let port = address.port();
        let own = [
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}"),
        ];
        for origin in &own {
            let status = handshake(address, Some(origin)).await;
            assert!(status.contains(" 101 "), "{origin}: {status}");
        }
        let foreign = [
            Some("https://evil.example".to_owned()),
            // a rebinding attack: another site's name resolved to 127.0.0.1
            Some(format!("http://evil.example:{port}")),
            Some(format!("http://127.0.0.1:{}", port.wrapping_add(1))),
            Some(format!("https://127.0.0.1:{port}")),
            Some("null".to_owned()),
            None,
        ];
        for origin in &foreign {
            let status = handshake(address, origin.as_deref()).await;
            assert!(status.contains(" 403 "), "{origin:?}: {status}");
        }
    }

    #[test]
    fn reading_a_file_is_not_a_change() {
        use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, RenameMode};
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(!is_change(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::AccessTime
        ))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Data(
            DataChange::Content
        ))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Name(
            RenameMode::Both
        ))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
    }

    #[test]
    fn classifies_sources_output_and_editor_files() {
        let root = Path::new("/site");
        let out = Path::new("/site/public");
        assert_eq!(
            classify(Path::new("/site/content/a.md"), root, out),
            ChangeKind::Rebuild
        );
        assert_eq!(
            classify(Path::new("/site/shouce.toml"), root, out),
            ChangeKind::Rebuild
        );
        assert_eq!(
            classify(Path::new("/site/themes/default/static/app.js"), root, out),
            ChangeKind::Rebuild
        );
        assert_eq!(
            classify(Path::new("/site/public/index.html"), root, out),
            ChangeKind::Ignore
        );
        assert_eq!(
            classify(Path::new("/site/content/.a.md.swp"), root, out),
            ChangeKind::Ignore
        );
        assert_eq!(
            classify(Path::new("/site/content/a.md~"), root, out),
            ChangeKind::Ignore
        );
        assert_eq!(
            classify(Path::new("/site/.public.shouce-staging/x"), root, out),
            ChangeKind::Ignore
        );
        assert_eq!(
            classify(Path::new("/site/target/debug/x"), root, out),
            ChangeKind::Ignore
        );
    }
}
