//! What every request handler shares: the store, the loaded site (its quiz bank and
//! lessons), the clock, the server's settings and its page templates.

use std::sync::{Arc, Mutex};

use time::{Duration, OffsetDateTime};

use crate::site::Site;
use crate::store::{Store, Throttle};

use super::pages::Pages;

/// Where "now" comes from: the system clock, or a hand-set one in tests.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until moved (tests: deadlines, retake waits, expiry).
#[derive(Debug)]
pub struct ManualClock(Mutex<OffsetDateTime>);

impl ManualClock {
    pub fn new(at: OffsetDateTime) -> ManualClock {
        ManualClock(Mutex::new(at))
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Milliseconds since the Unix epoch (how the store keeps instants).
pub fn millis(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The instant `ms` milliseconds after the Unix epoch.
pub fn instant(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Whether cookies carry `Secure` (off only when serving plain HTTP on loopback).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieSecurity {
    Secure,
    LoopbackHttp,
}

/// Where client addresses come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAddress {
    /// The TCP peer; `X-Forwarded-For` is ignored.
    Peer,
    /// The last `X-Forwarded-For` entry (the one our proxy added).
    ForwardedFor,
}

/// The server's settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub cookies: CookieSecurity,
    pub client_address: ClientAddress,
    /// A session unused this long ends.
    pub idle: Duration,
    /// How late after the deadline a submission is still accepted.
    pub grace: Duration,
    /// Sign-in failures per client address.
    pub per_address: Throttle,
    /// Sign-in failures per account.
    pub per_account: Throttle,
    /// The site stylesheet's URL path below the base path (found in `public/`).
    pub stylesheet: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        let minutes = |m: i64| m * 60_000;
        ServerConfig {
            cookies: CookieSecurity::Secure,
            client_address: ClientAddress::Peer,
            idle: Duration::hours(2),
            grace: Duration::seconds(30),
            per_address: Throttle {
                max_failures: 30,
                window_ms: minutes(15),
                lockout_ms: minutes(15),
            },
            per_account: Throttle {
                max_failures: 5,
                window_ms: minutes(15),
                lockout_ms: minutes(15),
            },
            stylesheet: None,
        }
    }
}

/// The handlers' shared state (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub site: Arc<Site>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<ServerConfig>,
    pub pages: Arc<Pages>,
    /// Turns at computing a password hash (one per core).
    pub hashing: Arc<tokio::sync::Semaphore>,
    /// The immutable parts of the attempts in use (for autosaves).
    pub heads: Arc<super::heads::Heads>,
    /// Every graded attempt, mirrored for the results views.
    pub gradebook: Arc<super::gradebook::Gradebook>,
}

impl AppState {
    pub fn new(store: Store, site: Site, clock: Arc<dyn Clock>, config: ServerConfig) -> AppState {
        AppState {
            store,
            site: Arc::new(site),
            clock,
            config: Arc::new(config),
            pages: Arc::new(Pages::new()),
            hashing: Arc::new(super::password::hashing_limit()),
            heads: Arc::new(super::heads::Heads::default()),
            gradebook: Arc::new(super::gradebook::Gradebook::default()),
        }
    }

    pub fn now_ms(&self) -> i64 {
        millis(self.clock.now())
    }

    /// The site's base path (`/` or `/kb/`): every link the server writes starts here.
    pub fn base(&self) -> &str {
        self.site.config.base_path()
    }
}
