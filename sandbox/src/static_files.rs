//! Static serving of the demo page and the package, under the strict CSP integrators will use.

use axum::http::{header, HeaderValue};
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
