//! What the sandbox serves and how it behaves.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;

use crate::duration;
use crate::quality::{PrecheckEngine, QualityCheck};

/// Default client credentials for `/oidc/token` (override with `SANDBOX_CLIENT_ID` and
/// `SANDBOX_CLIENT_SECRET`).
pub const DEFAULT_CLIENT_ID: &str = "sandbox";
pub const DEFAULT_CLIENT_SECRET: &str = "sandbox-secret";

#[derive(Clone)]
pub struct Config {
    /// The demo page (`www/`), served at `/`.
    pub www_dir: PathBuf,
    /// The wasm-pack output (`pkg/`), served at `/pkg/`.
    pub pkg_dir: PathBuf,
    /// Client credentials accepted by `/oidc/token`.
    pub client_id: String,
    pub client_secret: String,
    /// How long a session can be started and take uploads (`expiration`). Default 1 h.
    pub session_ttl: Duration,
    /// Lifetime of an access token (`expires_in`). Default 1 h.
    pub access_token_ttl: Duration,
    /// `processing` time when `mock_behavior.processing_time` is absent. Default 2 s.
    pub processing_time: Duration,
    /// Largest request body, in bytes; more is refused with 413. Default 15 MiB.
    pub body_limit: usize,
    /// One stderr line per request.
    pub log_requests: bool,
    /// The per-image quality verdict. Default: the core's pre-check engine.
    pub quality: Arc<dyn QualityCheck>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            www_dir: "www".into(),
            pkg_dir: "pkg".into(),
            client_id: DEFAULT_CLIENT_ID.into(),
            client_secret: DEFAULT_CLIENT_SECRET.into(),
            session_ttl: Duration::from_secs(3600),
            access_token_ttl: Duration::from_secs(3600),
            processing_time: Duration::from_secs(2),
            body_limit: 15 * 1024 * 1024,
            log_requests: true,
            quality: Arc::new(PrecheckEngine::default()),
        }
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{var}: {source}")]
    Duration {
        var: &'static str,
        source: duration::DurationError,
    },
}

impl Config {
    /// The defaults, overridden by `SANDBOX_CLIENT_ID`, `SANDBOX_CLIENT_SECRET` and
    /// `SANDBOX_SESSION_TTL` (a duration such as `"10m"`). Empty variables count as unset.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::default().with_env(|k| std::env::var(k).ok())
    }

    /// [`Config::from_env`] with a custom variable source (for tests).
    pub fn with_env(mut self, var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |k: &str| var(k).filter(|v| !v.is_empty());
        if let Some(id) = var("SANDBOX_CLIENT_ID") {
            self.client_id = id;
        }
        if let Some(secret) = var("SANDBOX_CLIENT_SECRET") {
            self.client_secret = secret;
        }
        if let Some(ttl) = var("SANDBOX_SESSION_TTL") {
            self.session_ttl = duration::parse(&ttl).map_err(|source| ConfigError::Duration {
                var: "SANDBOX_SESSION_TTL",
                source,
            })?;
        }
        Ok(self)
    }
}

// Hand-written so the client secret never reaches a log.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("www_dir", &self.www_dir)
            .field("pkg_dir", &self.pkg_dir)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("session_ttl", &self.session_ttl)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("processing_time", &self.processing_time)
            .field("body_limit", &self.body_limit)
            .field("log_requests", &self.log_requests)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_defaults() {
        let c = Config::default()
            .with_env(|k| match k {
                "SANDBOX_CLIENT_ID" => Some("me".into()),
                "SANDBOX_CLIENT_SECRET" => Some(String::new()),
                "SANDBOX_SESSION_TTL" => Some("10m".into()),
                _ => None,
            })
            .unwrap();
        assert_eq!(c.client_id, "me");
        assert_eq!(c.client_secret, DEFAULT_CLIENT_SECRET);
        assert_eq!(c.session_ttl, Duration::from_secs(600));
        assert!(!format!("{c:?}").contains(DEFAULT_CLIENT_SECRET));
        assert!(Config::default()
            .with_env(|k| (k == "SANDBOX_SESSION_TTL").then(|| "soon".into()))
            .is_err());
    }
}
