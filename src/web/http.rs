//! The Verify API over `fetch` (gloo-net), locked to the origin the app configured.
//!
//! Requests omit cookies and refuse redirects, so a token can only ever reach `serverPath`'s
//! origin; every request is aborted by `stop()` or after [`REQUEST_TIMEOUT_MS`].

use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder};
use serde::de::DeserializeOwned;
use web_sys::{AbortSignal, RequestCredentials, RequestRedirect};

use super::clock::Stop;
use crate::protocol::{
    AddImageRequest, AddImagesResponse, SessionStatusResponse, StartSessionRequest,
    StartSessionResponse,
};
use crate::session::{Api, ApiError, Credentials};

const REQUEST_TIMEOUT_MS: u32 = 30_000;

/// Why a `serverPath` is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum ServerPathError {
    #[error("serverPath must be a URL, e.g. https://api.example.com/verify")]
    NotAUrl,
    #[error("serverPath must use https (http is allowed only for localhost)")]
    Insecure,
    #[error("serverPath must not carry credentials, a query or a fragment")]
    Extra,
}

pub(crate) struct FetchApi {
    base: String,
    stop: Rc<Stop>,
}

impl FetchApi {
    pub(crate) fn new(server_path: &str, stop: Rc<Stop>) -> Result<Self, ServerPathError> {
        // A relative path ("/verify") means the page's own origin.
        let url = web_sys::Url::new(server_path)
            .or_else(|_| {
                let origin = web_sys::window()
                    .and_then(|w| w.location().origin().ok())
                    .unwrap_or_default();
                web_sys::Url::new_with_base(server_path, &origin)
            })
            .map_err(|_| ServerPathError::NotAUrl)?;
        let local = matches!(url.hostname().as_str(), "localhost" | "127.0.0.1" | "[::1]");
        match url.protocol().as_str() {
            "https:" => {}
            "http:" if local => {}
            _ => return Err(ServerPathError::Insecure),
        }
        if !url.username().is_empty()
            || !url.password().is_empty()
            || !url.search().is_empty()
            || !url.hash().is_empty()
        {
            return Err(ServerPathError::Extra);
        }
        let base = format!("{}{}", url.origin(), url.pathname().trim_end_matches('/'));
        Ok(Self { base, stop })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1/verification{}", self.base, path)
    }

    fn builder(&self, b: RequestBuilder, token: Option<&str>) -> RequestBuilder {
        let timeout = AbortSignal::timeout_with_u32(REQUEST_TIMEOUT_MS);
        let signals = js_sys::Array::of1(&timeout);
        if let Some(s) = self.stop.signal() {
            signals.push(&s);
        }
        let signal = AbortSignal::any(&signals);
        let b = b
            .credentials(RequestCredentials::Omit)
            .redirect(RequestRedirect::Error)
            .abort_signal(Some(&signal))
            .header("Accept", "application/json");
        match token {
            Some(t) => b.header("Authorization", &format!("Bearer {t}")),
            None => b,
        }
    }

    async fn send<T: DeserializeOwned>(
        req: Result<Request, gloo_net::Error>,
    ) -> Result<T, ApiError> {
        let req = req.map_err(|_| ApiError::Decode)?;
        let resp = req.send().await.map_err(|_| ApiError::Network)?;
        let status = resp.status();
        if !(200..300).contains(&status) {
            return Err(ApiError::Http { status });
        }
        let text = resp.text().await.map_err(|_| ApiError::Network)?;
        serde_json::from_str(&text).map_err(|_| ApiError::Decode)
    }
}

impl Api for FetchApi {
    async fn start(&self, req: &StartSessionRequest) -> Result<StartSessionResponse, ApiError> {
        let b = self.builder(Request::post(&self.url("/start")), None);
        Self::send(b.json(req)).await
    }

    async fn upload(
        &self,
        s: &Credentials,
        req: &AddImageRequest,
    ) -> Result<AddImagesResponse, ApiError> {
        let path = format!("/{}/images", encode_segment(&s.session_id));
        let b = self.builder(Request::post(&self.url(&path)), Some(&s.user_token));
        Self::send(b.json(req)).await
    }

    async fn status(&self, s: &Credentials) -> Result<SessionStatusResponse, ApiError> {
        let path = format!("/{}/status", encode_segment(&s.session_id));
        let b = self.builder(Request::get(&self.url(&path)), Some(&s.user_token));
        Self::send(b.build()).await
    }
}

/// A session id from the server as one path segment: it cannot add segments or a query.
fn encode_segment(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}
