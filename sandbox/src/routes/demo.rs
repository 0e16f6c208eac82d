//! The demo backend: stands in for an integrator's server so `www/` can run a whole session.
//!
//! It creates sessions with the sandbox's own authority (as an integrator's server would with
//! its client credentials) and hands the page only what a page may hold: the session ID and
//! the single-use start token, never an access token.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use idv_capture::protocol::{CreateSessionRequest, MockBehavior, SessionResult};
use serde::{Deserialize, Serialize};

use super::backend;
use crate::error::ApiError;
use crate::{extract, lock, results, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct DemoSessionRequest {
    #[serde(default)]
    pub mock_behavior: Option<MockBehavior>,
}

#[derive(Debug, Serialize)]
pub struct DemoSessionResponse {
    pub session_id: String,
    pub start_token: String,
    /// The Verify API base for the client, like Transmit's `serverPath`: this server's
    /// origin + `/verify`.
    pub server_path: String,
}

pub async fn create_session(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<DemoSessionResponse>, ApiError> {
    let bytes = extract::read_body(body, 64 * 1024).await?;
    let req: DemoSessionRequest = extract::json_or_empty(&bytes)?;
    let created = backend::create(
        &state,
        CreateSessionRequest {
            mock_behavior: req.mock_behavior,
            ..Default::default()
        },
    )?;
    let start_token = created
        .start_token
        .ok_or_else(|| ApiError::Internal("session was auto-started".into()))?;
    Ok(Json(DemoSessionResponse {
        session_id: created.session_id,
        start_token,
        server_path: server_path(&headers),
    }))
}

pub async fn result(
    State(state): State<Arc<AppState>>,
    Path(sid): Path<String>,
) -> Result<Json<SessionResult>, ApiError> {
    let session = state.session(&sid)?;
    let mut s = lock(&session);
    Ok(Json(results::detailed(
        &mut s,
        Instant::now(),
        SystemTime::now(),
    )))
}

/// `http://<Host>/verify`, or the relative `/verify` when the Host header is absent or odd
/// (it is echoed to the page, so only plain host:port characters are trusted).
fn server_path(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        });
    match host {
        Some(h) => format!("http://{h}/verify"),
        None => "/verify".to_owned(),
    }
}
