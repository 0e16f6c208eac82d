//! One line per request on stderr: `METHOD /path STATUS 12ms`.
//!
//! Only the path is logged (no query string, headers or body), and any path segment that looks
//! like one of the sandbox's tokens is replaced by `{token}`: Transmit's SDK puts the start token
//! in the `/events` path before it has a session ID.

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::auth::PREFIXES;
use crate::faults::Dropped;

/// Longest path logged, so a hostile client cannot write huge log lines.
const MAX_PATH: usize = 200;

pub async fn log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = redact(req.uri().path());
    let response = next.run(req).await;
    let status = if response.extensions().get::<Dropped>().is_some() {
        "dropped".to_owned()
    } else {
        response.status().as_u16().to_string()
    };
    eprintln!(
        "{method} {path} {status} {}ms",
        started.elapsed().as_millis()
    );
    response
}

fn redact(path: &str) -> String {
    let redacted: Vec<&str> = path
        .split('/')
        .map(|seg| {
            if PREFIXES.iter().any(|p| seg.starts_with(p)) {
                "{token}"
            } else {
                seg
            }
        })
        .collect();
    crate::images::truncate(&redacted.join("/"), MAX_PATH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_paths_are_hidden() {
        assert_eq!(
            redact("/verify/api/v1/verification/st_abc.def/events"),
            "/verify/api/v1/verification/{token}/events"
        );
        assert_eq!(redact("/verify/openapi.json"), "/verify/openapi.json");
        assert!(redact(&"/a".repeat(500)).chars().count() <= MAX_PATH + 1);
    }
}
