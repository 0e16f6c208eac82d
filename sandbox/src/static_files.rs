//! Static serving of the demo page and the package, under the strict CSP integrators will use.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::Config;

/// The policy the demo page must work under: no inline script or style, no eval; wasm compilation
/// allowed. `connect-src 'self'` also proves the module talks to no other origin.
pub const CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; \
object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

pub fn router(config: &Config) -> Router {
    // ServeDir takes MIME types from mime_guess, which maps .wasm to application/wasm and
    // .js/.mjs to text/javascript, as module scripts and WebAssembly.instantiateStreaming require.
    Router::new()
        .nest_service("/pkg", ServeDir::new(&config.pkg_dir))
        .fallback_service(ServeDir::new(&config.www_dir))
        .layer(middleware::from_fn(refuse_overlong))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}

/// Longest file name (NAME_MAX) and, well under PATH_MAX, the longest path served.
const MAX_NAME: usize = 255;
const MAX_PATH: usize = 1024;

/// No file has a longer name or path, so 404; ServeDir would try to open it, meet ENAMETOOLONG,
/// and answer 500. The lengths are of the encoded path, never shorter than the decoded one.
async fn refuse_overlong(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.len() > MAX_PATH || path.split('/').any(|s| s.len() > MAX_NAME) {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(req).await
}
