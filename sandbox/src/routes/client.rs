//! Client endpoints: what a browser calls, with the session's `user_token` (uploads and status
//! also take the backend access token, for backend-only flows).

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use idv_capture::protocol::{
    AddImageRequest, SdkSettings, SessionStatusResponse, StartSessionRequest, StartSessionResponse,
};
use serde_json::json;

use crate::error::ApiError;
use crate::faults::ForcedFeedback;
use crate::sessions::{StoredImage, Upload};
use crate::{auth, extract, images, lock, AppState};

/// Server-side processing time of an upload, which Transmit's SDK reads.
pub const PROCESSING_TIME_HEADER: &str = "x-ts-processing-time-ms";

/// Longest client `image_id` kept for idempotency.
const MAX_IMAGE_ID: usize = 256;

/// Small bodies (start, telemetry) never need more than this.
const SMALL_LIMIT: usize = 256 * 1024;

/// `POST /verification/start`. The start token is in the body; the Authorization header is
/// ignored, since Transmit's SDK sends `Bearer undefined` here.
pub async fn start(
    State(state): State<Arc<AppState>>,
    body: Body,
) -> Result<Json<StartSessionResponse>, ApiError> {
    let bytes = extract::read_body(body, SMALL_LIMIT).await?;
    let req: StartSessionRequest = extract::json(&bytes)?;
    let (sid, secret) =
        auth::split(&req.start_token, auth::START_PREFIX).ok_or(ApiError::InvalidStartToken)?;
    let session = state.sessions.get(sid).ok_or(ApiError::InvalidStartToken)?;
    let user_secret = auth::new_secret()?;
    let user_token = auth::compose(auth::USER_PREFIX, sid, &user_secret);
    let mut s = lock(&session);
    s.start(
        secret,
        req.consent,
        user_secret,
        Instant::now(),
        SystemTime::now(),
    )?;
    Ok(Json(StartSessionResponse {
        session_id: s.id.clone(),
        user_token,
        required_images: s.missing_images(),
        settings: None,
    }))
}

/// `POST /{sid}/images`: validate, decode, judge with the pre-check engine, record.
pub async fn add_image(
    State(state): State<Arc<AppState>>,
    forced: Option<Extension<ForcedFeedback>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    // Authorise before reading what may be megabytes of body.
    let session = state.authorize_session(&headers, &sid)?;
    let bytes = extract::read_body(body, state.config.body_limit).await?;
    let req: AddImageRequest = extract::json(&bytes)?;
    drop(bytes);
    let image = req.image;
    let image_id = image.image_id.clone();
    if image_id.as_ref().is_some_and(|id| id.len() > MAX_IMAGE_ID) {
        return Err(ApiError::invalid(
            "image.image_id",
            format!("image_id must be at most {MAX_IMAGE_ID} bytes"),
        ));
    }
    let started = Instant::now();
    {
        // Cheap checks first: a retry gets its stored answer, and a session that takes no
        // uploads is refused before any decoding.
        let mut s = lock(&session);
        if let Some(reply) = s.replay(image_id.as_deref(), image.image_type)? {
            return Ok(with_timing(Json(reply).into_response(), started));
        }
        s.ensure_accepting(Instant::now())?;
    }
    // Decoding is CPU-bound: run it off the async threads, a bounded number at a time, so
    // memory stays bounded under a burst of large uploads.
    let permit = state
        .decode_permits
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let checker = state.config.quality.clone();
    let image_type = image.image_type;
    let checked = tokio::task::spawn_blocking(move || images::check(&image, checker.as_ref()))
        .await
        .map_err(|e| ApiError::Internal(format!("image check failed: {e}")))??;
    drop(permit);
    let mut checked = checked;
    if let Some(Extension(ForcedFeedback(f))) = forced {
        checked.feedback = f;
    }
    let upload = Upload {
        image_id,
        stored: StoredImage {
            id: auth::random_hex(16)?,
            image_type,
            rejected: !checked.feedback.is_ok(),
            jpeg: checked.jpeg,
        },
        feedback: checked.feedback,
    };
    let reply = lock(&session).commit_upload(upload, Instant::now())?;
    Ok(with_timing(Json(reply).into_response(), started))
}

fn with_timing(mut response: Response, started: Instant) -> Response {
    let ms = started.elapsed().as_millis().to_string();
    if let Ok(v) = HeaderValue::from_str(&ms) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(PROCESSING_TIME_HEADER), v);
    }
    response
}

/// `GET /{sid}/status`.
pub async fn status(
    State(state): State<Arc<AppState>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
) -> Result<Json<SessionStatusResponse>, ApiError> {
    let session = state.authorize_session(&headers, &sid)?;
    let mut s = lock(&session);
    let status = s.status(Instant::now());
    Ok(Json(SessionStatusResponse {
        status,
        recapture_reason: s.recapture_reason().map(str::to_owned),
        missing_images: s.missing_images(),
        callback_url: s.callback_url.clone(),
        state: s.state.clone(),
    }))
}

/// `GET /sdk-settings?clientId=…`: auto-capture off, so Transmit's SDK does not look for the
/// service worker and models it cannot get here.
pub async fn sdk_settings() -> Json<SdkSettings> {
    Json(SdkSettings {
        autocapture_enabled: false,
        autocapture_settings: None,
        strings: Some(json!({})),
    })
}

/// `POST /{sid}/events`: Transmit's SDK telemetry. Accepted and ignored; `{sid}` may even be
/// the start token, so nothing is checked.
pub async fn events(body: Body) -> Result<Json<serde_json::Value>, ApiError> {
    // Read the body so the connection stays reusable.
    extract::read_body(body, SMALL_LIMIT).await?;
    Ok(Json(json!({})))
}

/// `POST /{sid}/risk-session-token`: the SDK hands over its Fraud Prevention session token.
/// The sandbox has no Fraud Prevention, so it only acknowledges.
pub async fn risk_session_token(body: Body) -> Result<Json<serde_json::Value>, ApiError> {
    extract::read_body(body, SMALL_LIMIT).await?;
    Ok(Json(json!({})))
}
