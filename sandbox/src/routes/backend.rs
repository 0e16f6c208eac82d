//! Backend endpoints, authorised by an access token from `/oidc/token`.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use idv_capture::protocol::{
    CreateSessionRequest, CreateSessionResponse, GetConsentApprovalResponse, ImageDto,
    SessionImageDto, SessionImagesResponse,
};
use serde::Deserialize;
use serde_json::json;

use crate::error::ApiError;
use crate::sessions::{NewSession, Outcome, Session, REQUIRED};
use crate::{auth, clock, duration, extract, lock, results, AppState};

pub async fn create_session(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<CreateSessionResponse>, ApiError> {
    state.require_backend(&headers)?;
    let bytes = extract::read_body(body, state.config.body_limit).await?;
    let req: CreateSessionRequest = extract::json_or_empty(&bytes)?;
    // 200, as Transmit's published documentation says (one mirror of the spec says 201;
    // clients should accept either).
    Ok(Json(create(&state, req)?))
}

/// Creates a session; shared with the demo backend, which calls it with its own authority.
pub fn create(
    state: &AppState,
    req: CreateSessionRequest,
) -> Result<CreateSessionResponse, ApiError> {
    let mock = req.mock_behavior.unwrap_or_default();
    let processing_time = match &mock.processing_time {
        Some(text) => duration::parse(text)
            .map_err(|e| ApiError::invalid("mock_behavior.processing_time", e.to_string()))?,
        None => state.config.processing_time,
    };
    // Deprecated and about retention, not capture: checked for form only. Likewise
    // `customer_information` is accepted and not kept: nothing in the API reads it back.
    if let Some(ttl) = &req.time_to_live {
        duration::parse(ttl).map_err(|e| ApiError::invalid("time_to_live", e.to_string()))?;
    }
    let outcome = Outcome {
        recommendation: mock
            .recommendation
            .or(mock.mock_recommendation)
            .unwrap_or_default(),
        processing_time,
        force_retry: mock.force_retry.unwrap_or(false),
        info: mock.info,
    };
    let auto_start = req.start.is_some() || req.auto_start == Some(true);
    let id = auth::random_hex(16)?;
    let start_secret = if auto_start {
        None
    } else {
        Some(auth::new_secret()?)
    };
    let start_token = start_secret
        .as_deref()
        .map(|s| auth::compose(auth::START_PREFIX, &id, s));
    let now = Instant::now();
    let session = Session::new(
        NewSession {
            id: id.clone(),
            start_secret,
            ttl: state.config.session_ttl,
            callback_url: req.callback_url,
            state: req.state,
            outcome,
            consent: req.start.and_then(|s| s.consent),
        },
        now,
        SystemTime::now(),
    );
    let expiration = session.expiration.clone();
    state.sessions.sweep(now);
    state.sessions.insert(session);
    Ok(CreateSessionResponse {
        start_token,
        session_id: id,
        expiration,
        missing_images: REQUIRED.to_vec(),
    })
}

#[derive(Deserialize)]
struct ResultQuery {
    detailed: Option<String>,
}

pub async fn result(
    State(state): State<Arc<AppState>>,
    Path(sid): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    state.require_backend(&headers)?;
    let q: ResultQuery = extract::query(raw.as_deref())?;
    // Absent means the current shape; `false` asks for the deprecated one.
    let detailed = match q.detailed.as_deref() {
        None | Some("true") => true,
        Some("false") => false,
        Some(_) => {
            return Err(ApiError::invalid(
                "detailed",
                "detailed must be true or false",
            ))
        }
    };
    let session = state.session(&sid)?;
    let mut s = lock(&session);
    let (now, wall) = (Instant::now(), SystemTime::now());
    Ok(if detailed {
        Json(results::detailed(&mut s, now, wall)).into_response()
    } else {
        Json(results::deprecated(&mut s, now, wall)).into_response()
    })
}

pub async fn delete_session(
    State(state): State<Arc<AppState>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    state.require_backend(&headers)?;
    if !state.sessions.remove(&sid) {
        return Err(ApiError::SessionNotFound);
    }
    Ok(Json(json!({ "message": "Session deleted" })))
}

pub async fn consent(
    State(state): State<Arc<AppState>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
) -> Result<Json<GetConsentApprovalResponse>, ApiError> {
    state.require_backend(&headers)?;
    let session = state.session(&sid)?;
    let s = lock(&session);
    let granted = s.consent().filter(|c| c.granted);
    Ok(Json(GetConsentApprovalResponse {
        consent_granted: granted.is_some(),
        consent_date: granted.map(|c| clock::rfc3339(c.at)),
    }))
}

pub async fn list_images(
    State(state): State<Arc<AppState>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
) -> Result<Json<SessionImagesResponse>, ApiError> {
    state.require_backend(&headers)?;
    let session = state.session(&sid)?;
    let s = lock(&session);
    let session_images = s
        .images()
        .iter()
        .map(|img| SessionImageDto {
            id: img.id.clone(),
            format: Some(ImageDto::FORMAT_JPG.into()),
            image_type: Some(img.image_type),
            rejected: img.rejected,
            original: true,
            original_id: None,
        })
        .collect();
    Ok(Json(SessionImagesResponse { session_images }))
}

#[derive(Deserialize)]
struct ImageQuery {
    format: Option<String>,
}

pub async fn get_image(
    State(state): State<Arc<AppState>>,
    Path((sid, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    state.require_backend(&headers)?;
    let q: ImageQuery = extract::query(raw.as_deref())?;
    let base64 = match q.format.as_deref() {
        None | Some("raw") => false,
        Some("base64") => true,
        Some(_) => return Err(ApiError::invalid("format", "format must be raw or base64")),
    };
    let session = state.session(&sid)?;
    // Clone the bytes handle (cheap) and release the lock before building the response.
    let jpeg = lock(&session)
        .images()
        .iter()
        .find(|img| img.id == id)
        .map(|img| img.jpeg.clone())
        .ok_or(ApiError::ImageNotFound)?;
    Ok(if base64 {
        let text = base64::engine::general_purpose::STANDARD.encode(&jpeg);
        (
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"))],
            text,
        )
            .into_response()
    } else {
        // `image/jpg` is what the API documents for this endpoint.
        (
            [(header::CONTENT_TYPE, HeaderValue::from_static("image/jpg"))],
            jpeg,
        )
            .into_response()
    })
}
