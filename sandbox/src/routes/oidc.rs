//! `POST /oidc/token`: the OAuth 2.0 client-credentials grant that gives backends an access token.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use idv_capture::protocol::{TokenRequest, TokenResponse};

use crate::auth;
use crate::error::ApiError;
use crate::extract;
use crate::AppState;

/// A token form is tiny; anything bigger is not one.
const FORM_LIMIT: usize = 64 * 1024;

/// Credentials come from the form (`client_secret_post`) or from HTTP Basic
/// (`client_secret_basic`), the two methods RFC 6749 requires servers to support.
pub async fn token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = extract::read_body(body, FORM_LIMIT).await?;
    let text = std::str::from_utf8(&bytes).map_err(|_| ApiError::Malformed {
        kind: "form",
        field: None,
        detail: "not UTF-8".into(),
    })?;
    let form: TokenRequest = extract::query(Some(text))?;
    if form.grant_type != "client_credentials" {
        return Err(ApiError::UnsupportedGrantType);
    }
    let (id, secret) = match (form.client_id, form.client_secret) {
        (Some(id), Some(secret)) => (id, secret),
        _ => basic_credentials(&headers).ok_or(ApiError::InvalidClient)?,
    };
    let config = &state.config;
    if !auth::credentials_match(&id, &secret, &config.client_id, &config.client_secret) {
        return Err(ApiError::InvalidClient);
    }
    let access_token = state.tokens.issue(Instant::now())?;
    let body = TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: state.tokens.ttl().as_secs(),
    };
    let mut response = Json(body).into_response();
    // RFC 6749 §5.1: token responses must not be cached.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}
