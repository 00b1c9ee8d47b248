//! The exam server under test: the shipped handbook loaded through `site`, a store on
//! SQLite (a temp file) or on a throwaway PostgreSQL started from the system's
//! binaries, `router(state)` driven with `oneshot`, and a hand-set clock.

#![allow(dead_code)]

pub mod admin_scenarios;
pub mod postgres;
pub mod scenarios;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use shouce::content::DraftPolicy;
use shouce::quiz::draw::{Paper, displayed};
use shouce::quiz::{Body as QBody, Rule};
use shouce::server::{self, AppState, CookieSecurity, ManualClock, ServerConfig};
use shouce::site::Site;
use shouce::store::{NewUser, Role, Store, User};
use tower::ServiceExt;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped handbook, loaded once per test binary.
pub fn shipped_site() -> Site {
    let (site, _) = Site::load(&repo(), DraftPolicy::Exclude).expect("the shipped handbook loads");
    site
}

pub struct Harness {
    pub app: Router,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    _dir: Option<tempfile::TempDir>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookie: Option<String>,
    pub body: String,
}

static PASSWORD_HASH: OnceLock<String> = OnceLock::new();
pub const PASSWORD: &str = "correct horse battery";

impl Harness {
    /// A fresh SQLite database in a temp dir.
    pub async fn sqlite() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&dir.path().join("test.db"))
            .await
            .unwrap();
        Harness::on(store, Some(dir), shipped_site()).await
    }

    pub async fn on(store: Store, dir: Option<tempfile::TempDir>, site: Site) -> Harness {
        store.migrate().await.unwrap();
        let clock = Arc::new(ManualClock::new(
            time::macros::datetime!(2027-03-01 09:00 UTC),
        ));
        let config = ServerConfig {
            cookies: CookieSecurity::LoopbackHttp,
            ..ServerConfig::default()
        };
        let state = AppState::new(store, site, clock.clone(), config);
        Harness {
            app: server::router(state.clone()),
            state,
            clock,
            _dir: dir,
        }
    }

    /// The same database and clock, over another loaded site (a rebuilt handbook).
    pub fn with_site(&self, site: Site) -> Harness {
        let mut state = self.state.clone();
        state.site = Arc::new(site);
        Harness {
            app: server::router(state.clone()),
            state,
            clock: self.clock.clone(),
            _dir: None,
        }
    }

    pub async fn user(&self, login: &str, name: &str, role: Role) -> User {
        let hash = PASSWORD_HASH
            .get_or_init(|| server::password::hash(PASSWORD).unwrap())
            .clone();
        let new = NewUser {
            login: login.into(),
            name: name.into(),
            team: "售后一组".into(),
            role,
            password_hash: Some(hash),
        };
        self.state.store.add_user(&new, 0).await.unwrap()
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let text = |name| {
            res.headers()
                .get(name)
                .map(|v: &header::HeaderValue| v.to_str().unwrap().to_string())
        };
        let (location, set_cookie) = (text(header::LOCATION), text(header::SET_COOKIE));
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), 1 << 22)
            .await
            .unwrap();
        Reply {
            status,
            location,
            set_cookie,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::get(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    pub async fn post_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> Reply {
        let body = serde_urlencoded::to_string(form).unwrap();
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    pub async fn post_json(
        &self,
        path: &str,
        cookie: Option<&str>,
        json: &serde_json::Value,
    ) -> Reply {
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(json.to_string())).unwrap())
            .await
    }

    /// Signs in; the session cookie (`name=value`).
    pub async fn sign_in(&self, login: &str) -> String {
        let r = self
            .post_form(
                "/account/login",
                None,
                &[("login", login), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        r.set_cookie.unwrap().split(';').next().unwrap().to_string()
    }

    /// Starts (or resumes) an exam; the attempt id.
    pub async fn start(&self, cookie: &str, exam: &str) -> Reply {
        self.post_form(&format!("/exam/{exam}/start"), Some(cookie), &[])
            .await
    }

    pub async fn start_ok(&self, cookie: &str, exam: &str) -> String {
        let r = self.start(cookie, exam).await;
        let location = r.location.unwrap_or_default();
        assert!(
            location.starts_with("/attempt/"),
            "{} {location} {}",
            r.status,
            r.body
        );
        attempt_id(&location)
    }

    pub async fn paper(&self, attempt: &str) -> Paper {
        let a = self.state.store.attempt(attempt).await.unwrap().unwrap();
        serde_json::from_str(&a.paper).unwrap()
    }

    /// The right answers to an attempt's paper, in the exam page's JSON form.
    pub async fn right_answers(&self, attempt: &str, exam: &str) -> serde_json::Value {
        let paper = self.paper(attempt).await;
        let quiz = &self.state.site.quiz(exam).unwrap().quiz;
        let mut out = serde_json::Map::new();
        for (i, pq) in paper.questions.iter().enumerate() {
            let (question, key) = displayed(&quiz.items[pq.item], pq);
            out.insert(i.to_string(), right(&question.body, &key.rule));
        }
        serde_json::Value::Object(out)
    }
}

fn right(body: &QBody, rule: &Rule) -> serde_json::Value {
    use serde_json::json;
    match rule {
        Rule::Choice { correct, .. } => {
            let chosen: Vec<usize> = (0..correct.len()).filter(|i| correct[*i]).collect();
            if matches!(body, QBody::Multiple { .. }) {
                json!({ "choices": chosen })
            } else {
                json!({ "choice": chosen[0] })
            }
        }
        Rule::TrueFalse { answer, .. } => json!({ "bool": answer }),
        Rule::Number { value, .. } => json!({ "text": value.to_string() }),
        Rule::Text { accepted } => json!({ "text": accepted[0] }),
        Rule::Ordering { order } => json!({ "order": order }),
        Rule::Matching { right_of } => json!({ "matches": right_of }),
        Rule::Script(rubric) => {
            let mut text: String = rubric
                .required
                .iter()
                .map(|e| format!("{}。", e.any_of[0]))
                .collect();
            let min = match body {
                QBody::Script { min_chars, .. } => min_chars.unwrap_or(0) as usize,
                _ => 0,
            };
            while text.chars().count() < min {
                text.push_str("请您放心。");
            }
            json!({ "text": text })
        }
    }
}

/// `/attempt/<id>/…` → id.
pub fn attempt_id(location: &str) -> String {
    location
        .trim_start_matches("/attempt/")
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

pub fn exists(path: &Path) -> bool {
    path.exists()
}
