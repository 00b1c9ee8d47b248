//! The site's static files: a stateless router over the built `public/` folder, with
//! `404.html` for what is missing. Shared by `shouce dev` and `shouce serve` (which
//! mount it at `base_url`'s path). Paths are checked before the file system sees them:
//! a segment longer than a file name can be is simply not found, and a path that
//! starts with `//` is never redirected to a protocol-relative URL.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::services::{ServeDir, ServeFile};

/// The longest file name the file systems we run on accept (bytes).
const MAX_SEGMENT: usize = 255;

/// The router for a built site in `public`: static files, `404.html` for the rest.
pub fn router(public: &Path) -> Router {
    let not_found = ServeFile::new(public.join("404.html"));
    let files = ServeDir::new(public)
        .append_index_html_on_directories(true)
        .not_found_service(not_found);
    let guard_public = public.to_path_buf();
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            let page = guard_public.join("404.html");
            async move { guard(req, next, &page).await }
        }))
}

/// Refuses paths the file system must not see, with the site's 404 page.
async fn guard(mut req: Request, next: Next, not_found_page: &Path) -> Response {
    let path = req.uri().path();
    if path.split('/').any(|s| decoded_len(s) > MAX_SEGMENT) {
        return not_found(not_found_page).await;
    }
    if path.starts_with("//") {
        // `//rules` would come back as a redirect to `//rules/`, which a browser reads
        // as another host. Collapse the leading slashes first.
        let trimmed = format!("/{}", path.trim_start_matches('/'));
        let rebuilt = match req.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed,
        };
        match rebuilt.parse::<Uri>() {
            Ok(uri) => *req.uri_mut() = uri,
            Err(_) => return not_found(not_found_page).await,
        }
    }
    next.run(req).await
}

fn decoded_len(segment: &str) -> usize {
    percent_encoding::percent_decode_str(segment).count()
}

async fn not_found(page: &Path) -> Response {
    let body = tokio::fs::read(page)
        .await
        .unwrap_or_else(|_| b"not found".to_vec());
    (
        StatusCode::NOT_FOUND,
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// `router` mounted at `base_path` (`/` or `/kb/`).
pub fn mounted(public: &Path, base_path: &str) -> Router {
    let files = router(public);
    let prefix = base_path.trim_end_matches('/');
    if prefix.is_empty() {
        files
    } else {
        Router::new().nest_service(prefix, files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    async fn get(app: &Router, path: &str) -> (StatusCode, Option<String>, Vec<u8>) {
        let res = app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let location = res
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, location, body.to_vec())
    }

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        crate::fs::write(&dir.path().join("rules/index.html"), b"rules").unwrap();
        crate::fs::write(&dir.path().join("404.html"), b"missing").unwrap();
        dir
    }

    #[tokio::test]
    async fn serves_pretty_urls_and_the_404_page() {
        let dir = site();
        let app = router(dir.path());
        assert_eq!(get(&app, "/rules/").await.0, StatusCode::OK);
        let (status, _, body) = get(&app, "/nope/").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body, b"missing");
    }

    #[tokio::test]
    async fn a_long_segment_is_not_found_and_double_slashes_stay_on_this_host() {
        let dir = site();
        let app = router(dir.path());
        let long = format!("/{}", "a".repeat(300));
        assert_eq!(
            get(&app, &long).await,
            (StatusCode::NOT_FOUND, None, b"missing".to_vec())
        );
        let encoded = format!("/rules/{}", "%E4%B8%80".repeat(90));
        assert_eq!(get(&app, &encoded).await.0, StatusCode::NOT_FOUND);
        let (status, location, _) = get(&app, "//rules").await;
        assert!(status.is_redirection(), "{status}");
        assert_eq!(location.as_deref(), Some("/rules/"));
        assert_eq!(get(&app, "///rules/").await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn mounted_at_the_base_path() {
        let dir = site();
        let app = mounted(dir.path(), "/kb/");
        assert_eq!(get(&app, "/kb/rules/").await.0, StatusCode::OK);
        assert_eq!(get(&app, "/rules/").await.0, StatusCode::NOT_FOUND);
    }
}
