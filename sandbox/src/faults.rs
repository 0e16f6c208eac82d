//! Fault injection for client retry tests: `POST /sandbox/faults` arms a fault, later requests to
//! the Verify API (`/verify/…`, `/oidc/…`) whose path starts with its prefix meet it, and
//! `DELETE /sandbox/faults` clears them all.
//!
//! A fault answers an HTTP status, adds a delay, or drops the connection, for the next `times`
//! matching requests. A delay alone delays the request and then serves it normally.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;

use idv_capture::protocol::Feedback;

use crate::error::ApiError;
use crate::extract;
use crate::{lock, AppState};

/// Longest delay a fault may add, so a forgotten fault cannot hang a test run for long.
const MAX_DELAY_MS: u64 = 120_000;

/// The body of `POST /sandbox/faults`. Unknown fields are refused, so a typo does not arm a
/// fault that silently does nothing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Requests whose path starts with this, e.g. `/verify/api/v1/verification/`.
    pub path_prefix: String,
    /// Only requests with this method (any if absent).
    #[serde(default)]
    pub method: Option<String>,
    /// Answer with this status (200–599) and a JSON error body.
    #[serde(default)]
    pub status: Option<u16>,
    /// How many matching requests meet the fault (default 1).
    #[serde(default)]
    pub times: Option<u32>,
    /// Delay each matching request by this many milliseconds first.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Close the connection without an answer.
    #[serde(default)]
    pub drop_connection: Option<bool>,
    /// Serve the request, but judge an uploaded image with this feedback code instead of the
    /// pre-check's (e.g. `"blur"`), to test a client's re-capture path.
    #[serde(default)]
    pub feedback: Option<Feedback>,
    /// Serve the request, then send only the first half of its answer's body: the request takes
    /// effect, and the client gets JSON it cannot parse (a proxy cutting a response short).
    #[serde(default)]
    pub garble: Option<bool>,
}

/// The feedback a `feedback` fault imposes on the upload it meets.
#[derive(Clone, Copy, Debug)]
pub struct ForcedFeedback(pub Feedback);

/// An armed fault.
#[derive(Clone, Debug, Serialize)]
pub struct Fault {
    pub id: u64,
    pub path_prefix: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Matching requests still to meet it.
    pub remaining: u32,
    pub delay_ms: u64,
    pub drop_connection: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback: Option<Feedback>,
    pub garble: bool,
}

impl Fault {
    fn matches(&self, method: &Method, path: &str) -> bool {
        path.starts_with(&self.path_prefix)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()))
    }
}

/// The armed faults, in the order they were set: a request meets the first that matches.
#[derive(Default)]
pub struct Faults {
    next_id: AtomicU64,
    armed: Mutex<Vec<Fault>>,
}

impl Faults {
    pub fn arm(&self, spec: FaultSpec) -> Result<Fault, ApiError> {
        if !spec.path_prefix.starts_with('/') {
            return Err(ApiError::invalid(
                "path_prefix",
                "path_prefix must start with /",
            ));
        }
        if let Some(s) = spec.status {
            if !(200..=599).contains(&s) {
                return Err(ApiError::invalid("status", "status must be 200-599"));
            }
        }
        let delay_ms = spec.delay_ms.unwrap_or(0);
        if delay_ms > MAX_DELAY_MS {
            return Err(ApiError::invalid(
                "delay_ms",
                format!("delay_ms must be at most {MAX_DELAY_MS}"),
            ));
        }
        let drop_connection = spec.drop_connection.unwrap_or(false);
        let garble = spec.garble.unwrap_or(false);
        if spec.status.is_none()
            && delay_ms == 0
            && !drop_connection
            && spec.feedback.is_none()
            && !garble
        {
            return Err(ApiError::invalid(
                "status",
                "a fault needs a status, a delay_ms, drop_connection, a feedback or garble",
            ));
        }
        if let Some(m) = &spec.method {
            if Method::from_bytes(m.as_bytes()).is_err() {
                return Err(ApiError::invalid("method", "not an HTTP method"));
            }
        }
        let times = spec.times.unwrap_or(1);
        if times == 0 {
            return Err(ApiError::invalid("times", "times must be at least 1"));
        }
        let fault = Fault {
            id: self.next_id.fetch_add(1, Ordering::Relaxed) + 1,
            path_prefix: spec.path_prefix,
            method: spec.method,
            status: spec.status,
            remaining: times,
            delay_ms,
            drop_connection,
            feedback: spec.feedback,
            garble,
        };
        lock(&self.armed).push(fault.clone());
        Ok(fault)
    }

    pub fn clear(&self) -> usize {
        std::mem::take(&mut *lock(&self.armed)).len()
    }

    pub fn list(&self) -> Vec<Fault> {
        lock(&self.armed).clone()
    }

    /// Takes one use of the first fault matching this request, if any.
    fn take(&self, method: &Method, path: &str) -> Option<Fault> {
        let mut armed = lock(&self.armed);
        let i = armed.iter().position(|f| f.matches(method, path))?;
        let fault = armed[i].clone();
        armed[i].remaining -= 1;
        if armed[i].remaining == 0 {
            armed.remove(i);
        }
        Some(fault)
    }
}

/// Marks a response whose connection the fault layer drops, for the request log.
#[derive(Clone, Copy, Debug)]
pub struct Dropped;

/// Middleware on the Verify API routes.
pub async fn inject(State(state): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let Some(fault) = state.faults.take(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    if fault.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
    }
    if fault.drop_connection {
        return dropped();
    }
    if let Some(f) = fault.feedback {
        req.extensions_mut().insert(ForcedFeedback(f));
    }
    match fault.status.and_then(|s| StatusCode::from_u16(s).ok()) {
        Some(status) => ApiError::InjectedFault { status }.into_response(),
        None if fault.garble => garbled(next.run(req).await).await,
        None => next.run(req).await,
    }
}

/// `response` with only the first half of its body (the sandbox's own answers are small).
async fn garbled(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2)))
}

/// A response whose body fails at once: hyper then aborts the connection, so the client sees
/// the connection closed with no complete answer, as when a proxy or server dies mid-request.
fn dropped() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "connection dropped by an injected fault",
        ))
    });
    let mut response = Response::new(Body::from_stream(failing));
    response.extensions_mut().insert(Dropped);
    response
}

pub async fn arm(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<impl IntoResponse, ApiError> {
    state.require_backend(&headers)?;
    let bytes = extract::read_body(body, state.config.body_limit).await?;
    let spec: FaultSpec = extract::json(&bytes)?;
    let fault = state.faults.arm(spec)?;
    Ok((StatusCode::CREATED, Json(fault)))
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    state.require_backend(&headers)?;
    Ok(Json(json!({ "faults": state.faults.list() })))
}

pub async fn clear(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    state.require_backend(&headers)?;
    Ok(Json(json!({ "cleared": state.faults.clear() })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(prefix: &str, times: u32) -> FaultSpec {
        FaultSpec {
            path_prefix: prefix.into(),
            method: None,
            status: Some(503),
            times: Some(times),
            delay_ms: None,
            drop_connection: None,
            feedback: None,
            garble: None,
        }
    }

    #[test]
    fn faults_are_used_up_in_order() {
        let f = Faults::default();
        f.arm(spec("/verify/a", 2)).unwrap();
        f.arm(spec("/verify/", 1)).unwrap();
        assert!(f.take(&Method::GET, "/oidc/token").is_none());
        assert_eq!(f.take(&Method::GET, "/verify/a/1").unwrap().id, 1);
        assert_eq!(f.take(&Method::GET, "/verify/a/1").unwrap().id, 1);
        assert_eq!(f.take(&Method::GET, "/verify/a/1").unwrap().id, 2);
        assert!(f.take(&Method::GET, "/verify/a/1").is_none());
        assert!(f.arm(spec("verify", 1)).is_err());
        assert!(f.arm(spec("/v", 0)).is_err());
        let mut bad = spec("/v", 1);
        bad.status = Some(99);
        assert!(f.arm(bad).is_err());
    }
}
