//! `ApiError`: what a failed request tells the client — a status and a short, safe
//! message in Chinese — while the cause (a database error, say) goes to the log with
//! the request's id. Nothing internal ever reaches a response body.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::store::StoreError;

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
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
