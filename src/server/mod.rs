//! The exam server: accounts, timed exams graded on the server, certificates.
//!
//! * [`router`]: the application's routes over an [`AppState`] (store, loaded site,
//!   clock, settings), with request ids, logs, limits, timeouts, panic catching and the
//!   CSRF check. Tests drive it with `oneshot` and a [`ManualClock`].
//! * [`files`]: the stateless static-file router (`public/`), shared with `shouce dev`.
//! * [`listen`]: the connection loop (header-read timeout, graceful shutdown).
//!
//! `commands` composes the two routers at the site's base path. The server never
//! imports `build`: it loads the site through `site`.

mod admin;
mod admin_audit;
mod auth;
mod certificates;
mod dashboard;
pub mod demo;
mod error;
mod exam;
pub mod files;
mod gradebook;
mod grading;
mod heads;
pub mod listen;
mod pages;
pub mod password;
mod state;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use dashboard::{RESULTS_HEADER, publish_rule_changes, results_cells, results_record};
pub use error::{ApiError, ApiResult};
pub use listen::{bind, shutdown};
pub use state::{
    AppState, ClientAddress, Clock, CookieSecurity, ManualClock, ServerConfig, SystemClock,
    instant, millis,
};

/// Adds the attempts graded before the gradebook existed to it (on a server's
/// first start after the upgrade); how many.
pub async fn index_earlier_grades(state: &AppState) -> Result<u64, crate::store::StoreError> {
    gradebook::index_earlier_grades(&state.store, &state.site).await
}

/// Reads the gradebook into memory (a server starts this in the background, so
/// that the first dashboard page does not wait for it).
pub async fn load_results(state: &AppState) -> Result<(), crate::store::StoreError> {
    state
        .gradebook
        .read(&state.store, &state.site)
        .await
        .map(drop)
}

/// The longest a request may take before the client gets 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The application's routes, at paths below the site's base path (the caller nests
/// them there).
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .route("/healthz", get(healthz))
        .route("/__shouce/exam.js", get(|| script(pages::EXAM_JS)))
        .route(
            "/__shouce/quiz-form.js",
            get(|| script(pages::QUIZ_FORM_JS)),
        )
        .route("/account/login", get(auth::login_page).post(auth::login))
        .route("/account/logout", post(auth::logout))
        .route(
            "/account/setup/{token}",
            get(auth::setup_page).post(auth::setup),
        )
        .route("/exam/{exam}/start", post(exam::start))
        .route("/attempt/{id}/", get(exam::page))
        .route("/attempt/{id}/answers", post(exam::save))
        .route("/attempt/{id}/submit", post(exam::submit))
        .route("/attempt/{id}/result", get(exam::result))
        .route("/certificates/", get(certificates::list))
        .route("/certificates/{id}/", get(certificates::show))
        .route("/verify/{id}", get(certificates::verify))
        .merge(dashboard::routes())
        .merge(admin::routes())
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(auth::csrf))
        .layer(axum::middleware::from_fn_with_state(state, error::dress))
        .layer(DefaultBodyLimit::max(exam::MAX_ANSWERS))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::Internal("a handler panicked".into()).into_response()
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", id, method = %req.method(), path = %req.uri().path())
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!("health check: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// One of the exam page's scripts, compiled into the binary.
async fn script(body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}

/// Grades attempts whose deadline and grace have passed (every `every`), so that a
/// closed browser still gets its result and certificate.
pub async fn grade_overdue(state: AppState, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        grade_overdue_now(&state).await;
    }
}

/// One pass of [`grade_overdue`]: how many attempts it graded.
pub async fn grade_overdue_now(state: &AppState) -> usize {
    let now = state.now_ms();
    let before = now - state.config.grace.whole_milliseconds() as i64;
    let list = match state.store.overdue_attempts(before).await {
        Ok(list) => list,
        Err(e) => {
            tracing::error!("listing overdue attempts failed: {e}");
            return 0;
        }
    };
    let mut graded = 0;
    for attempt in list {
        match exam::finish(state, &attempt, None, now).await {
            Ok(()) => graded += 1,
            Err(e) => {
                tracing::error!(attempt = %attempt.id, "grading an overdue attempt failed: {e:?}")
            }
        }
    }
    graded
}
