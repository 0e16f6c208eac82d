//! The sandbox's request handling, in process: a fresh `idv_sandbox::app` per input, driven with
//! `tower::ServiceExt::oneshot` on a current-thread runtime. Every parser a request meets runs as
//! it does behind a socket: the router and path parameters, `Authorization` (bearer and basic),
//! the token form, query strings, JSON bodies (`extract::json`), durations, base64 image content,
//! the JPEG decoder, capture margins and the pre-check.
//!
//! An input is a request written like HTTP/1:
//!
//! ```text
//! POST /verify/api/v1/verification/{sid}/images
//! Authorization: Bearer {ut}
//!
//! {"image": {...}}
//! ```
//!
//! Before sending, `{at}` becomes a live access token, `{sid}` and `{ut}` a started session and
//! its user token, `{sid2}` and `{st}` a created, unstarted session and its start token (in the
//! target, header values and body), so inputs get past authorization.
//!
//! Nothing may panic, no request may end in a 500, and every error from the API's own paths must
//! be the JSON error body.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderName, HeaderValue, Method, Request, StatusCode, Uri};
use axum::Router;
use idv_capture::protocol::{
    CreateSessionResponse, ErrorBody, StartSessionResponse, TokenResponse,
};
use idv_sandbox::{app, Config};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use tokio::runtime::Runtime;
use tower::ServiceExt;

fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    runtime().block_on(run(data));
});

struct Secrets {
    at: String,
    sid: String,
    ut: String,
    sid2: String,
    st: String,
}

impl Secrets {
    fn substitute(&self, input: &[u8]) -> Vec<u8> {
        let pairs: [(&[u8], &str); 5] = [
            (b"{at}", &self.at),
            (b"{sid}", &self.sid),
            (b"{ut}", &self.ut),
            (b"{sid2}", &self.sid2),
            (b"{st}", &self.st),
        ];
        let mut out = Vec::with_capacity(input.len());
        let mut i = 0;
        'scan: while i < input.len() {
            if input[i] == b'{' {
                for (pat, value) in pairs {
                    if input[i..].starts_with(pat) {
                        out.extend_from_slice(value.as_bytes());
                        i += pat.len();
                        continue 'scan;
                    }
                }
            }
            out.push(input[i]);
            i += 1;
        }
        out
    }
}

async fn run(data: &[u8]) {
    let config = Config {
        // Nothing to serve statically: the fuzzer is after the API, not the file system.
        www_dir: PathBuf::from("/nonexistent/idv-fuzz/www"),
        pkg_dir: PathBuf::from("/nonexistent/idv-fuzz/pkg"),
        log_requests: false,
        ..Config::default()
    };
    let app = app(&config);
    let secrets = setup(&app).await;
    let Some(req) = parse(data, &secrets) else {
        return;
    };
    let path = req.uri().path().to_owned();
    let response = app.oneshot(req).await.expect("infallible");
    let status = response.status();
    let body = to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("response body");
    assert_ne!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "500 for {path}: {}",
        String::from_utf8_lossy(&body)
    );
    let api = ["/verify/", "/oidc/", "/demo/", "/sandbox/"]
        .iter()
        .any(|p| path.starts_with(p));
    if api && (status.is_client_error() || status.is_server_error()) {
        let e: ErrorBody = serde_json::from_slice(&body).unwrap_or_else(|err| {
            panic!(
                "{status} for {path} is not a JSON error body ({err}): {}",
                String::from_utf8_lossy(&body)
            )
        });
        assert!(!e.error.is_empty());
    }
}

/// A live access token, a started session and an unstarted one.
async fn setup(app: &Router) -> Secrets {
    let token: TokenResponse = call(
        app,
        Method::POST,
        "/oidc/token",
        None,
        "grant_type=client_credentials&client_id=sandbox&client_secret=sandbox-secret",
    )
    .await;
    let at = token.access_token;
    let one = create(app, &at).await;
    let two = create(app, &at).await;
    let started: StartSessionResponse = call(
        app,
        Method::POST,
        "/verify/api/v1/verification/start",
        None,
        &format!(
            r#"{{"start_token":"{}"}}"#,
            one.start_token.expect("start token")
        ),
    )
    .await;
    Secrets {
        at,
        sid: started.session_id,
        ut: started.user_token,
        sid2: two.session_id,
        st: two.start_token.expect("start token"),
    }
}

async fn create(app: &Router, at: &str) -> CreateSessionResponse {
    call(
        app,
        Method::POST,
        "/verify/api/v1/verification",
        Some(&format!("Bearer {at}")),
        "{}",
    )
    .await
}

async fn call<T: DeserializeOwned>(
    app: &Router,
    method: Method,
    uri: &str,
    auth: Option<&str>,
    body: &str,
) -> T {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(a) = auth {
        req = req.header(header::AUTHORIZATION, a);
    }
    let req = req
        .body(Body::from(body.to_owned()))
        .expect("setup request");
    let response = app.clone().oneshot(req).await.expect("infallible");
    assert!(
        response.status().is_success(),
        "setup: {uri} answered {}",
        response.status()
    );
    let bytes = to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("setup body");
    serde_json::from_slice(&bytes).expect("setup answer")
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\r', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t' | b'\r'] = s {
        s = rest;
    }
    s
}

/// The request an input describes, or `None` if its request line is unusable.
fn parse(data: &[u8], secrets: &Secrets) -> Option<Request<Body>> {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &[][..]),
    };
    let mut lines = head.split(|&b| b == b'\n');
    let first = secrets.substitute(trim(lines.next()?));
    let space = first.iter().position(|&b| b == b' ')?;
    let method = Method::from_bytes(&first[..space]).ok()?;
    let uri = Uri::try_from(trim(&first[space + 1..])).ok()?;
    let mut req = Request::builder().method(method).uri(uri);
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(trim(&line[..colon])),
            HeaderValue::from_bytes(&secrets.substitute(trim(&line[colon + 1..]))),
        ) else {
            continue;
        };
        req = req.header(name, value);
    }
    req.body(Body::from(secrets.substitute(body))).ok()
}
