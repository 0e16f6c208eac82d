//! idv-sandbox: a local emulator of the Transmit Security Verify API, and the server of the demo
//! page.
//!
//! [`app`] builds the whole router, so integration tests can serve it on a random loopback port.
//! Layout, one module per concern:
//! - `routes`: the HTTP surface (`oidc`, `backend`, `client`, `demo` handlers);
//! - `sessions`: session state machine and in-memory store; `results`: result bodies;
//! - `auth`: tokens; `images`: upload validation and decoding; `quality`: the pre-check bridge;
//! - `faults`: fault injection; `logging`: the request log; `openapi`: the API description;
//! - `extract`: body and query parsing; `error`: errors as JSON; `static_files`: `www/`, `pkg/`.

mod auth;
mod clock;
mod config;
mod duration;
mod error;
mod extract;
mod faults;
mod images;
mod logging;
mod openapi;
mod quality;
mod results;
mod routes;
mod sessions;
mod static_files;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use axum::http::HeaderMap;
use axum::middleware;
use axum::Router;
use tokio::sync::Semaphore;

pub use config::{Config, ConfigError, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
pub use duration::{parse as parse_duration, DurationError};
pub use quality::{PrecheckEngine, QualityCheck};

use auth::AccessTokens;
use error::ApiError;
use faults::Faults;
use sessions::{Session, Sessions};

/// The sandbox's router: the API, the demo backend, test control, and static files.
pub fn app(config: &Config) -> Router {
    let state = Arc::new(AppState::new(config.clone()));
    let router = routes::router(state).merge(static_files::router(config));
    if config.log_requests {
        router.layer(middleware::from_fn(logging::log))
    } else {
        router
    }
}

/// Shared by every request.
pub(crate) struct AppState {
    pub config: Config,
    pub tokens: AccessTokens,
    pub sessions: Sessions,
    pub faults: Faults,
    /// Bounds concurrent image decodes (each may need ~60 MB) to the number of cores.
    pub decode_permits: Semaphore,
}

impl AppState {
    fn new(mut config: Config) -> Self {
        // Durations are added to clocks; capping them (at 400 days) rules out overflow.
        config.session_ttl = config.session_ttl.min(duration::MAX);
        config.access_token_ttl = config.access_token_ttl.min(duration::MAX);
        config.processing_time = config.processing_time.min(duration::MAX);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            tokens: AccessTokens::new(config.access_token_ttl),
            sessions: Sessions::default(),
            faults: Faults::default(),
            decode_permits: Semaphore::new(cores),
            config,
        }
    }

    /// Ok if the request carries a live backend access token.
    pub fn require_backend(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let token = auth::bearer(headers)?;
        if !token.starts_with(auth::ACCESS_PREFIX) {
            return Err(ApiError::InvalidToken);
        }
        self.tokens.check(token, Instant::now())
    }

    /// The session, or 404.
    pub fn session(&self, sid: &str) -> Result<Arc<Mutex<Session>>, ApiError> {
        self.sessions.get(sid).ok_or(ApiError::SessionNotFound)
    }

    /// The session `sid`, if the request may use it: with the backend access token, or with
    /// that session's own user token. Another session's user token gets 401, exactly as a
    /// wrong token does.
    pub fn authorize_session(
        &self,
        headers: &HeaderMap,
        sid: &str,
    ) -> Result<Arc<Mutex<Session>>, ApiError> {
        let token = auth::bearer(headers)?;
        if token.starts_with(auth::ACCESS_PREFIX) {
            self.tokens.check(token, Instant::now())?;
            return self.session(sid);
        }
        let (token_sid, secret) =
            auth::split(token, auth::USER_PREFIX).ok_or(ApiError::InvalidToken)?;
        // Session IDs are not secret; only the secret part needs a constant-time compare.
        if token_sid != sid {
            return Err(ApiError::InvalidToken);
        }
        let session = self.session(sid)?;
        if !lock(&session).user_secret_matches(secret) {
            return Err(ApiError::InvalidToken);
        }
        Ok(session)
    }
}

// A panic while a lock is held would poison it; the data is still consistent (every update is
// a single assignment or push), so keep serving rather than fail every later request.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn read_lock<T>(m: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn write_lock<T>(m: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(PoisonError::into_inner)
}
