//! Signing in and out: the session cookie, the current-user extractors, the CSRF
//! check on unsafe methods, the login rate limit, and one-time setup links (the first
//! admin's, and every password set or reset).

use axum::extract::{ConnectInfo, Form, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::store::{LoginVerdict, User};

use super::error::{ApiError, ApiResult};
use super::pages::Frame;
use super::password;
use super::state::{AppState, ClientAddress, CookieSecurity};

pub const COOKIE: &str = "shouce_session";

/// The signed-in user of a request (or a redirect to the sign-in page).
pub struct CurrentUser(pub User);

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

async fn session_user(parts: &Parts, state: &AppState) -> ApiResult<Option<User>> {
    let Some(token) = cookie(&parts.headers, COOKIE) else {
        return Ok(None);
    };
    let idle = state.config.idle.whole_milliseconds() as i64;
    Ok(state
        .store
        .session_user(token, state.now_ms(), idle)
        .await?)
}

/// A request's session token, kept by middleware that may need the user afterwards.
pub(super) fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, COOKIE).map(str::to_owned)
}

/// The user signed in with `token`, if any; a failed lookup counts as signed out (for
/// pages that only show who is signed in, such as an error page's header).
pub(super) async fn user_of(state: &AppState, token: Option<&str>) -> Option<User> {
    let idle = state.config.idle.whole_milliseconds() as i64;
    state
        .store
        .session_user(token?, state.now_ms(), idle)
        .await
        .ok()
        .flatten()
}

impl axum::extract::OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> ApiResult<Option<CurrentUser>> {
        Ok(session_user(parts, state).await?.map(CurrentUser))
    }
}

/// Where the sign-in page sends a user back to.
pub fn login_url(state: &AppState, next: &str) -> String {
    format!("{}account/login?next={}", state.base(), url_encode(next))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<CurrentUser> {
        match session_user(parts, state).await? {
            Some(user) => Ok(CurrentUser(user)),
            None => Err(ApiError::SignIn {
                login_url: login_url(state, parts.uri.path()),
            }),
        }
    }
}

fn url_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Refuses a request with an unsafe method that a browser says comes from another
/// site (`Sec-Fetch-Site`), or whose `Origin` is not this host. Requests with neither
/// header come from programs, not browsers, and carry no ambient cookie risk.
pub async fn csrf(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || same_origin(req.headers()) {
        next.run(req).await
    } else {
        tracing::warn!(uri = %req.uri(), "cross-site request refused");
        ApiError::Forbidden("跨站请求已被拒绝。").into_response()
    }
}

fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return site == "same-origin";
    }
    match (text("origin"), text("host")) {
        (None, _) => true,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host),
        (Some(_), None) => false,
    }
}

/// The client's address, for rate limits and logs: the TCP peer, or with
/// `--behind-proxy` the last `X-Forwarded-For` entry (the one our proxy added).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<ClientAddr> {
        let peer = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>();
        Ok(ClientAddr(client_address(
            &parts.headers,
            peer,
            state.config.client_address,
        )))
    }
}

fn client_address(
    headers: &HeaderMap,
    peer: Option<&ConnectInfo<std::net::SocketAddr>>,
    how: ClientAddress,
) -> String {
    let forwarded = || {
        headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(|s| s.trim().to_string())
    };
    match how {
        ClientAddress::ForwardedFor => forwarded(),
        ClientAddress::Peer => None,
    }
    .or_else(|| peer.map(|c| c.0.ip().to_string()))
    .unwrap_or_else(|| "unknown".to_string())
}

fn session_cookie(state: &AppState, token: &str, max_age: i64) -> HeaderValue {
    set_cookie(state, &format!("{COOKIE}={token}; HttpOnly"), max_age)
}

/// A cookie scripts may read, holding no secret: it only tells the handbook's
/// `progress.js` that asking `/__shouce/me` is worth a request (on a static host, or
/// signed out, it sends none, so no page logs a failed request).
pub const SIGNED_IN_COOKIE: &str = "shouce_signed_in";

fn signed_in_cookie(state: &AppState, max_age: i64) -> HeaderValue {
    set_cookie(state, &format!("{SIGNED_IN_COOKIE}=1"), max_age)
}

/// `pair` (with its own flags) for the site's base path, `SameSite=Strict`, and
/// `Secure` unless serving plain HTTP on loopback.
fn set_cookie(state: &AppState, pair: &str, max_age: i64) -> HeaderValue {
    let secure = match state.config.cookies {
        CookieSecurity::Secure => "; Secure",
        CookieSecurity::LoopbackHttp => "",
    };
    let value = format!(
        "{pair}; Path={}; SameSite=Strict; Max-Age={max_age}{secure}",
        state.base()
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub(super) fn frame<'a>(state: &'a AppState, user: Option<&'a User>) -> Frame<'a> {
    Frame {
        base: state.base(),
        stylesheet: state.config.stylesheet.as_deref(),
        site_title: &state.site.config.title,
        user,
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

#[derive(Debug, Serialize)]
struct LoginPage<'a> {
    next: &'a str,
    login: &'a str,
    error: Option<&'a str>,
}

pub async fn login_page(
    State(state): State<AppState>,
    Query(q): Query<LoginQuery>,
) -> ApiResult<Html<String>> {
    let page = LoginPage {
        next: &q.next,
        login: "",
        error: None,
    };
    Ok(Html(state.pages.render(
        "server/login.html",
        &frame(&state, None),
        &page,
    )?))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Where to go after signing in: a path on this site, never another host.
fn safe_next(state: &AppState, next: &str) -> String {
    let ok = next.starts_with(state.base()) && !next.starts_with("//") && !next.contains('\\');
    if ok {
        next.to_string()
    } else {
        state.base().to_string()
    }
}

pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<LoginForm>,
) -> ApiResult<Response> {
    let now = state.now_ms();
    let addr_key = format!("addr:{addr}");
    let login = form.login.trim().to_string();
    let account_key = format!("login:{login}");
    for key in [&addr_key, &account_key] {
        if let LoginVerdict::LockedUntil(_) = state.store.login_verdict(key, now).await? {
            return Err(ApiError::TooManyAttempts);
        }
    }
    let user = state.store.user_by_login(&login).await?;
    let hash = user
        .as_ref()
        .filter(|u| !u.disabled)
        .and_then(|u| u.password_hash.clone());
    let ok = password::verify_blocking(form.password, hash, &state.hashing).await;
    let Some(user) = user.filter(|_| ok) else {
        state
            .store
            .record_login_failure(&addr_key, now, state.config.per_address)
            .await?;
        state
            .store
            .record_login_failure(&account_key, now, state.config.per_account)
            .await?;
        let page = LoginPage {
            next: &form.next,
            login: &login,
            error: Some("工号或密码不对。"),
        };
        let html = state
            .pages
            .render("server/login.html", &frame(&state, None), &page)?;
        return Ok((StatusCode::UNAUTHORIZED, Html(html)).into_response());
    };
    state.store.clear_login_failures(&account_key).await?;
    sign_in(&state, &user, &safe_next(&state, &form.next)).await
}

async fn sign_in(state: &AppState, user: &User, to: &str) -> ApiResult<Response> {
    let token = state.store.create_session(&user.id, state.now_ms()).await?;
    let max_age = state.config.idle.whole_seconds().max(60) * 12;
    let mut res = Redirect::to(to).into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(state, &token, max_age));
    res.headers_mut()
        .append(header::SET_COOKIE, signed_in_cookie(state, max_age));
    Ok(res)
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = cookie(&headers, COOKIE) {
        state.store.end_session(token).await?;
    }
    let mut res = Redirect::to(state.base()).into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    res.headers_mut()
        .append(header::SET_COOKIE, signed_in_cookie(&state, 0));
    Ok(res)
}

#[derive(Debug, Serialize)]
struct SetupPage<'a> {
    account: &'a User,
    token: &'a str,
    error: Option<&'a str>,
}

pub async fn setup_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Html<String>> {
    let user = state
        .store
        .setup_link_user(&token, state.now_ms())
        .await?
        .ok_or(ApiError::NotFound)?;
    let page = SetupPage {
        account: &user,
        token: &token,
        error: None,
    };
    Ok(Html(state.pages.render(
        "server/setup.html",
        &frame(&state, None),
        &page,
    )?))
}

#[derive(Debug, Deserialize)]
pub struct SetupForm {
    password: String,
}

pub async fn setup(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<SetupForm>,
) -> ApiResult<Response> {
    let now = state.now_ms();
    let user = state
        .store
        .setup_link_user(&token, now)
        .await?
        .ok_or(ApiError::NotFound)?;
    if form.password.chars().count() < password::MIN_LENGTH {
        let page = SetupPage {
            account: &user,
            token: &token,
            error: Some("密码至少 10 个字符。"),
        };
        let html = state
            .pages
            .render("server/setup.html", &frame(&state, None), &page)?;
        return Ok((StatusCode::BAD_REQUEST, Html(html)).into_response());
    }
    let hash = password::hash_blocking(form.password, &state.hashing)
        .await
        .map_err(ApiError::Internal)?;
    if !state.store.use_setup_link(&token, now).await? {
        return Err(ApiError::NotFound);
    }
    state.store.set_password_hash(&user.id, &hash).await?;
    state.store.end_sessions_of(&user.id).await?;
    sign_in(&state, &user, state.base()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_reads_fetch_metadata_then_origin() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(same_origin(&headers(&[
            ("origin", "http://a.test:8080"),
            ("host", "a.test:8080")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "http://evil.test"),
            ("host", "a.test:8080")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "null"),
            ("host", "a.test")
        ])));
        assert!(same_origin(&headers(&[])));
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_proxy() {
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 10.0.0.7")]);
        let peer = ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 4000)));
        assert_eq!(
            client_address(&h, Some(&peer), ClientAddress::Peer),
            "127.0.0.1"
        );
        assert_eq!(
            client_address(&h, Some(&peer), ClientAddress::ForwardedFor),
            "10.0.0.7"
        );
        assert_eq!(
            client_address(&headers(&[]), Some(&peer), ClientAddress::ForwardedFor),
            "127.0.0.1"
        );
        assert_eq!(
            client_address(&headers(&[]), None, ClientAddress::Peer),
            "unknown"
        );
    }

    #[test]
    fn cookies_are_found_among_others() {
        let h = headers(&[("cookie", "a=1; shouce_session=abc; b=2")]);
        assert_eq!(cookie(&h, COOKIE), Some("abc"));
        assert_eq!(cookie(&headers(&[]), COOKIE), None);
    }
}
