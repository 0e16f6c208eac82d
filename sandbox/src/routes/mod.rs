//! The HTTP surface: which handler serves which method and path, and the layers around them.
//!
//! Routes are added through [`RouteTable`], which records each (method, path) it registers, so
//! a test can check that the OpenAPI document lists exactly the routes the router serves.

mod backend;
mod client;
mod demo;
mod oidc;

use std::sync::Arc;

use axum::handler::Handler;
use axum::http::{header, HeaderName, Method};
use axum::middleware;
use axum::routing::{self, any, MethodRouter};
use axum::Router;
use tower_http::cors::{Any, CorsLayer};

use crate::error::ApiError;
use crate::{faults, openapi, AppState};

type Shared = Arc<AppState>;

/// A router that remembers what it serves.
pub struct RouteTable {
    pub router: Router<Shared>,
    pub routes: Vec<(Method, &'static str)>,
}

impl RouteTable {
    fn new() -> Self {
        Self {
            router: Router::new(),
            routes: Vec::new(),
        }
    }

    fn add(mut self, method: Method, path: &'static str, route: MethodRouter<Shared>) -> Self {
        self.routes.push((method, path));
        // axum merges method routers registered for the same path.
        self.router = self.router.route(path, route);
        self
    }

    fn get<H: Handler<T, Shared>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::GET, path, routing::get(h))
    }

    fn post<H: Handler<T, Shared>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::POST, path, routing::post(h))
    }

    fn delete<H: Handler<T, Shared>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::DELETE, path, routing::delete(h))
    }
}

/// The emulated service: `/oidc/token` and everything under `/verify`. Faults apply here.
pub fn verify_api() -> RouteTable {
    // Paths are literals so they read exactly as the API (and openapi.json) writes them.
    RouteTable::new()
        .post("/oidc/token", oidc::token)
        .get("/verify/openapi.json", openapi::serve)
        .get("/verify/api/v1/sdk-settings", client::sdk_settings)
        .post("/verify/api/v1/verification", backend::create_session)
        .post("/verify/api/v1/verification/start", client::start)
        .delete("/verify/api/v1/verification/{sid}", backend::delete_session)
        .get("/verify/api/v1/verification/{sid}/result", backend::result)
        .get(
            "/verify/api/v1/verification/{sid}/consent",
            backend::consent,
        )
        .get(
            "/verify/api/v1/verification/{sid}/images",
            backend::list_images,
        )
        .post(
            "/verify/api/v1/verification/{sid}/images",
            client::add_image,
        )
        .get(
            "/verify/api/v1/verification/{sid}/images/{id}",
            backend::get_image,
        )
        .get("/verify/api/v1/verification/{sid}/status", client::status)
        .post("/verify/api/v1/verification/{sid}/events", client::events)
        .post(
            "/verify/api/v1/verification/{sid}/risk-session-token",
            client::risk_session_token,
        )
}

/// The sandbox's own endpoints: the demo backend and test control. Faults do not apply, so a
/// test can always clear them.
pub fn control() -> RouteTable {
    RouteTable::new()
        .post("/demo/session", demo::create_session)
        .get("/demo/session/{sid}/result", demo::result)
        .post("/sandbox/faults", faults::arm)
        .get("/sandbox/faults", faults::list)
        .delete("/sandbox/faults", faults::clear)
}

/// Every (method, path) served, for the OpenAPI check.
#[cfg(test)]
pub fn served() -> Vec<(Method, &'static str)> {
    let mut all = verify_api().routes;
    all.extend(control().routes);
    all
}

/// The API router with its layers, ready to merge with static serving.
pub fn router(state: Shared) -> Router {
    // A catch-all needs at least one character, so each bare prefix ("/oidc/") gets its own
    // route; without it, it would fall through to static serving (a bare 404 or 405, not JSON).
    let api = verify_api()
        .router
        .route("/verify/", any(not_found))
        .route("/verify/{*rest}", any(not_found))
        .route("/oidc/", any(not_found))
        .route("/oidc/{*rest}", any(not_found))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ));
    let control = control()
        .router
        .route("/demo/", any(not_found))
        .route("/demo/{*rest}", any(not_found))
        .route("/sandbox/", any(not_found))
        .route("/sandbox/{*rest}", any(not_found));
    // Browsers on another origin (an integrator's dev server) may call the sandbox, as they
    // call the real service.
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(Any)
        .allow_headers(Any)
        .expose_headers([
            HeaderName::from_static(client::PROCESSING_TIME_HEADER),
            header::WWW_AUTHENTICATE,
        ]);
    api.merge(control)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(cors)
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
