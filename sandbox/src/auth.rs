//! Tokens: minting, parsing, constant-time checks, and the store of backend access tokens.
//!
//! Every token is `<prefix><selector>.<secret>`. The selector says where to look (an access-token
//! ID, or the session ID for start and user tokens); the secret is then compared in constant time,
//! so response timing tells nothing about how much of a guess was right. The prefixes also let
//! the request log recognise and hide a token that a client put in a path.
//! Tokens are random (OS randomness via `getrandom`), opaque to clients, and never logged.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::lock;

/// Backend access tokens from `/oidc/token`.
pub const ACCESS_PREFIX: &str = "at_";
/// Single-use start tokens from session creation.
pub const START_PREFIX: &str = "st_";
/// Per-session client tokens from `/start`.
pub const USER_PREFIX: &str = "ut_";
/// Every prefix, for the log's redaction.
pub const PREFIXES: [&str; 3] = [ACCESS_PREFIX, START_PREFIX, USER_PREFIX];

/// `n` random bytes as lowercase hex.
pub fn random_hex(n: usize) -> Result<String, ApiError> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::Internal(format!("no randomness from the OS: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A fresh 256-bit secret.
pub fn new_secret() -> Result<String, ApiError> {
    random_hex(32)
}

/// `prefix + selector + "." + secret`.
pub fn compose(prefix: &str, selector: &str, secret: &str) -> String {
    format!("{prefix}{selector}.{secret}")
}

/// Splits a token of the given kind into (selector, secret).
pub fn split<'a>(token: &'a str, prefix: &str) -> Option<(&'a str, &'a str)> {
    let rest = token.strip_prefix(prefix)?;
    let (selector, secret) = rest.split_once('.')?;
    (!selector.is_empty() && !secret.is_empty()).then_some((selector, secret))
}

/// Constant-time equality (for equal lengths; lengths are not secret).
pub fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Checks client credentials: both comparisons always run, so timing does not say which failed.
pub fn credentials_match(id: &str, secret: &str, want_id: &str, want_secret: &str) -> bool {
    let id_ok = id.as_bytes().ct_eq(want_id.as_bytes());
    let secret_ok = secret.as_bytes().ct_eq(want_secret.as_bytes());
    (id_ok & secret_ok).into()
}

/// The token in `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750).
pub fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::MissingToken)?
        .to_str()
        .map_err(|_| ApiError::InvalidToken)?;
    // "Bearer" with nothing after it (some clients trim "Bearer ") is a missing token.
    let value = value.trim();
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::InvalidToken);
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(ApiError::MissingToken);
    }
    Ok(token)
}

/// Issued access tokens, by ID. Expired ones are kept a while so a client hears "expired"
/// rather than "invalid", then pruned when new tokens are issued.
pub struct AccessTokens {
    ttl: Duration,
    tokens: Mutex<HashMap<String, Issued>>,
}

struct Issued {
    secret: String,
    expires_at: Instant,
}

impl AccessTokens {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            tokens: Mutex::new(HashMap::new()),
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Mints a token valid for the configured lifetime.
    pub fn issue(&self, now: Instant) -> Result<String, ApiError> {
        let id = random_hex(16)?;
        let secret = new_secret()?;
        let token = compose(ACCESS_PREFIX, &id, &secret);
        let mut tokens = lock(&self.tokens);
        // Forget tokens that expired more than one lifetime ago.
        let keep_after = now.checked_sub(self.ttl);
        tokens.retain(|_, t| keep_after.is_none_or(|k| t.expires_at > k));
        let expires_at = now.checked_add(self.ttl).unwrap_or(now);
        tokens.insert(id, Issued { secret, expires_at });
        Ok(token)
    }

    /// Ok if `token` is a live access token.
    pub fn check(&self, token: &str, now: Instant) -> Result<(), ApiError> {
        let (id, secret) = split(token, ACCESS_PREFIX).ok_or(ApiError::InvalidToken)?;
        let tokens = lock(&self.tokens);
        let issued = tokens.get(id).ok_or(ApiError::InvalidToken)?;
        if !ct_eq(&issued.secret, secret) {
            return Err(ApiError::InvalidToken);
        }
        if now >= issued.expires_at {
            return Err(ApiError::ExpiredToken);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn tokens_round_trip_and_expire() {
        let store = AccessTokens::new(Duration::from_secs(10));
        let t0 = Instant::now();
        let token = store.issue(t0).unwrap();
        assert!(token.starts_with(ACCESS_PREFIX));
        assert!(store.check(&token, t0).is_ok());
        assert!(matches!(
            store.check(&token, t0 + Duration::from_secs(11)),
            Err(ApiError::ExpiredToken)
        ));
        // Change the last hex digit of the secret.
        let last = if token.ends_with('0') { "1" } else { "0" };
        let forged = format!("{}{last}", &token[..token.len() - 1]);
        assert!(matches!(
            store.check(&forged, t0),
            Err(ApiError::InvalidToken)
        ));
        assert!(matches!(
            store.check("at_x", t0),
            Err(ApiError::InvalidToken)
        ));
    }

    #[test]
    fn bearer_parsing() {
        let mut h = HeaderMap::new();
        assert!(matches!(bearer(&h), Err(ApiError::MissingToken)));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        assert_eq!(bearer(&h).unwrap(), "abc");
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert!(matches!(bearer(&h), Err(ApiError::InvalidToken)));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer"));
        assert!(matches!(bearer(&h), Err(ApiError::MissingToken)));
    }

    #[test]
    fn split_and_compare() {
        assert_eq!(split("ut_abc.def", USER_PREFIX), Some(("abc", "def")));
        assert_eq!(split("ut_abc.", USER_PREFIX), None);
        assert_eq!(split("st_abc.def", USER_PREFIX), None);
        assert!(ct_eq("same", "same") && !ct_eq("same", "Same") && !ct_eq("a", "ab"));
        assert!(credentials_match("a", "b", "a", "b"));
        assert!(!credentials_match("a", "x", "a", "b"));
        assert_eq!(random_hex(16).unwrap().len(), 32);
    }
}
