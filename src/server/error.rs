//! `ApiError`: what a failed request tells the client — a status and a short, safe
//! message in Chinese — while the cause (a database error, say) goes to the log with
//! the request's id. Nothing internal ever reaches a response body.
//!
//! The body is a bare page with the message, which scripts read (the exam page's
//! autosave shows it). A browser navigating to the page (it accepts `text/html`) gets
//! the message dressed in the site's layout by [`dress`] (the header showing who is
//! signed in), with a way back to the handbook.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

use super::auth::{frame, session_token, user_of};
use super::state::AppState;

#[derive(Debug)]
pub enum ApiError {
    /// Not there, or not yours (the two are not told apart).
    NotFound,
    /// Signing in is needed; `to` is where to go back after.
    SignIn {
        login_url: String,
    },
    Forbidden(&'static str),
    BadRequest(&'static str),
    /// Refused by policy (attempts left, retake wait, deadline), with the reason.
    Refused(String),
    TooManyAttempts,
    /// A failure of ours; the cause is logged, never shown.
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError::Internal(e.to_string())
    }
}

/// Writing a response body (a CSV file into memory) failed: ours, never the client's.
impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> ApiError {
        ApiError::Internal(e.to_string())
    }
}

impl From<tera::Error> for ApiError {
    fn from(e: tera::Error) -> ApiError {
        let mut cause = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            cause.push_str(&format!(": {s}"));
            source = s.source();
        }
        ApiError::Internal(cause)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            ApiError::NotFound => (StatusCode::NOT_FOUND, "找不到这个页面。".to_string()),
            ApiError::SignIn { login_url } => {
                return (
                    StatusCode::SEE_OTHER,
                    [(header::LOCATION, login_url)],
                    "请先登录。",
                )
                    .into_response();
            }
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, m.to_string()),
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.to_string()),
            ApiError::Refused(m) => (StatusCode::CONFLICT, m),
            ApiError::TooManyAttempts => (
                StatusCode::TOO_MANY_REQUESTS,
                "登录失败次数过多，请稍后再试。".to_string(),
            ),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "服务器出错了，请稍后再试；如果一直出错，请联系培训组。".to_string(),
                )
            }
        };
        let body = format!(
            "<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><title>{0}</title><p>{0}</p></html>",
            crate::markdown::escape_html(&message)
        );
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response();
        response.extensions_mut().insert(Told(message));
        response
    }
}

/// The message an error response carries, for [`dress`].
#[derive(Clone)]
struct Told(String);

#[derive(Serialize)]
struct MessagePage<'a> {
    heading: &'static str,
    message: Option<&'a str>,
    link: Link<'a>,
}

#[derive(Serialize)]
struct Link<'a> {
    href: &'a str,
    text: &'static str,
}

/// Middleware: an error answered to a browser's navigation becomes a page in the
/// site's layout (same status and headers); answers to scripts stay bare.
pub async fn dress(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let navigating = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let token = navigating.then(|| session_token(req.headers())).flatten();
    let mut response = next.run(req).await;
    let Some(Told(message)) = response.extensions_mut().remove::<Told>() else {
        return response;
    };
    if !navigating {
        return response;
    }
    let user = user_of(&state, token.as_deref()).await;
    let heading = heading(response.status());
    // "找不到这个页面。" under the heading "找不到这个页面" says nothing more.
    let message = Some(message.as_str()).filter(|m| !m.starts_with(heading));
    let page = MessagePage {
        heading,
        message,
        link: Link {
            href: state.base(),
            text: "回到手册首页",
        },
    };
    match state
        .pages
        .render("server/message.html", &frame(&state, user.as_ref()), &page)
    {
        Ok(html) => {
            let (mut parts, _) = response.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(html))
        }
        Err(e) => {
            if let ApiError::Internal(cause) = e {
                tracing::error!(%cause, "the error page failed to render");
            }
            response
        }
    }
}

/// The title of an error page.
fn heading(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "找不到这个页面",
        StatusCode::FORBIDDEN => "没有权限",
        StatusCode::BAD_REQUEST => "请求有误",
        StatusCode::CONFLICT => "无法继续",
        StatusCode::TOO_MANY_REQUESTS => "请稍后再试",
        _ => "出错了",
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
