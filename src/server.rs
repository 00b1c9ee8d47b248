//! The site server: serves the built `public/` folder over HTTP. (The exam and results
//! API joins this router in a later release.)

use std::net::SocketAddr;
use std::path::Path;

use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::Error;

/// The router for a built site in `public`: static files, `404.html` for the rest.
pub fn router(public: &Path) -> Router {
    let not_found = ServeFile::new(public.join("404.html"));
    let files = ServeDir::new(public)
        .append_index_html_on_directories(true)
        .not_found_service(not_found);
    Router::new().fallback_service(files)
}

/// Binds `host:port` and serves `public` until interrupted.
pub async fn serve(public: &Path, host: &str, port: u16) -> Result<(), Error> {
    let app = router(public);
    let listener = bind(host, port).await?;
    println!(
        "serving {} on http://{}/ (Ctrl-C to stop)",
        public.display(),
        listener
            .local_addr()
            .map_or_else(|_| format!("{host}:{port}"), |a| a.to_string())
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| Error::Other(format!("server failed: {e}")))
}

pub async fn bind(host: &str, port: u16) -> Result<tokio::net::TcpListener, Error> {
    let addr = format!("{host}:{port}");
    let parsed: Result<SocketAddr, _> = addr.parse();
    let result = match parsed {
        Ok(sa) => tokio::net::TcpListener::bind(sa).await,
        Err(_) => tokio::net::TcpListener::bind(&addr).await,
    };
    result.map_err(|source| Error::Bind { addr, source })
}

pub async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    #[tokio::test]
    async fn serves_pretty_urls_and_the_404_page() {
        let dir = tempfile::tempdir().unwrap();
        crate::fs::write(&dir.path().join("rules/index.html"), b"rules").unwrap();
        crate::fs::write(&dir.path().join("404.html"), b"missing").unwrap();
        let app = router(dir.path());
        let ok = app
            .clone()
            .oneshot(Request::get("/rules/").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        let missing = app
            .oneshot(Request::get("/nope/").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let body = axum::body::to_bytes(missing.into_body(), 1024)
            .await
            .unwrap();
        assert_eq!(&body[..], b"missing");
    }
}
