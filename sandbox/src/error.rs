//! Every way a request can fail, and the JSON body each one answers with.
//!
//! Bodies are [`ErrorBody`]: `{"error": code, "message": text, "field": path?}`. `field` names the
//! request field at fault (a dotted path into the JSON, a query parameter, or a header), so a
//! developer can fix a request from the response alone. Messages never echo a token or image bytes.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use idv_capture::protocol::ErrorBody;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ApiError {
    /// A field is missing, of the wrong type, or out of range.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// The body is not JSON (or not a form, for the token endpoint).
    #[error("request body is not valid {kind}: {detail}")]
    Malformed {
        kind: &'static str,
        field: Option<String>,
        detail: String,
    },
    #[error("request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },

    #[error("missing Authorization: Bearer token")]
    MissingToken,
    #[error("the token is malformed, unknown, or not valid for this resource")]
    InvalidToken,
    #[error("the access token has expired")]
    ExpiredToken,
    #[error("invalid client credentials")]
    InvalidClient,
    #[error("grant_type must be client_credentials")]
    UnsupportedGrantType,
    #[error("the start_token is unknown")]
    InvalidStartToken,
    #[error("the start_token has already been used")]
    StartTokenUsed,
    #[error("the session expired before it was started")]
    StartTokenExpired,

    #[error("Session not found")]
    SessionNotFound,
    #[error("Image not found")]
    ImageNotFound,
    #[error("no such endpoint")]
    NotFound,
    #[error("method not allowed on this endpoint")]
    MethodNotAllowed,

    #[error("All required images were successfully submitted")]
    SessionComplete,
    #[error("the session has not been started")]
    SessionNotStarted,
    #[error("the session expired at {expiration}")]
    SessionExpired { expiration: String },
    #[error("image_id {image_id:?} was already used for a {previous} image")]
    ImageIdConflict {
        image_id: String,
        previous: &'static str,
    },

    #[error("a session keeps at most {limit} images")]
    TooManyImages { limit: usize },

    #[error("injected fault (POST /sandbox/faults)")]
    InjectedFault { status: StatusCode },
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            Invalid { .. } | Malformed { .. } | UnsupportedGrantType => StatusCode::BAD_REQUEST,
            PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            MissingToken | InvalidToken | ExpiredToken | InvalidClient | InvalidStartToken
            | StartTokenUsed | StartTokenExpired => StatusCode::UNAUTHORIZED,
            SessionNotFound | ImageNotFound | NotFound => StatusCode::NOT_FOUND,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            SessionComplete
            | SessionNotStarted
            | SessionExpired { .. }
            | ImageIdConflict { .. }
            | TooManyImages { .. } => StatusCode::CONFLICT,
            InjectedFault { status } => *status,
            Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable code. The OAuth ones (`invalid_client`, `unsupported_grant_type`)
    /// are RFC 6749's.
    pub fn code(&self) -> &'static str {
        use ApiError::*;
        match self {
            Invalid { .. } => "invalid_request",
            Malformed { .. } => "malformed_body",
            PayloadTooLarge { .. } => "payload_too_large",
            MissingToken => "missing_token",
            InvalidToken => "invalid_token",
            ExpiredToken => "expired_token",
            InvalidClient => "invalid_client",
            UnsupportedGrantType => "unsupported_grant_type",
            InvalidStartToken => "invalid_start_token",
            StartTokenUsed => "start_token_used",
            StartTokenExpired => "start_token_expired",
            SessionNotFound => "session_not_found",
            ImageNotFound => "image_not_found",
            NotFound => "not_found",
            MethodNotAllowed => "method_not_allowed",
            SessionComplete => "session_complete",
            SessionNotStarted => "session_not_started",
            SessionExpired { .. } => "session_expired",
            ImageIdConflict { .. } => "image_id_conflict",
            TooManyImages { .. } => "too_many_images",
            InjectedFault { .. } => "injected_fault",
            Internal(_) => "internal_error",
        }
    }

    pub fn field(&self) -> Option<&str> {
        use ApiError::*;
        match self {
            Invalid { field, .. } => Some(field),
            Malformed { field, .. } => field.as_deref(),
            MissingToken | InvalidToken | ExpiredToken => Some("Authorization"),
            InvalidClient => Some("client_secret"),
            UnsupportedGrantType => Some("grant_type"),
            InvalidStartToken | StartTokenUsed | StartTokenExpired => Some("start_token"),
            ImageIdConflict { .. } => Some("image.image_id"),
            _ => None,
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: self.code().to_owned(),
            message: self.to_string(),
            field: self.field().map(str::to_owned),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, Json(self.body())).into_response();
        if status == StatusCode::UNAUTHORIZED {
            // RFC 6750: say which scheme the endpoint wants.
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
