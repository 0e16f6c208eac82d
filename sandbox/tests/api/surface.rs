//! The rest of the surface: OpenAPI, what Transmit's SDK calls besides the documented API,
//! unknown routes, CORS, and static files under the CSP.

use std::path::PathBuf;

use idv_sandbox::Config;
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn openapi_document_is_served() {
    let sb = Sandbox::start().await;
    let r = sb
        .http
        .get(sb.url("/verify/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/oidc/token",
        "/verify/api/v1/verification",
        "/verify/api/v1/verification/start",
        "/verify/api/v1/verification/{sid}/images",
        "/demo/session",
        "/sandbox/faults",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path}");
    }
}

/// Transmit's web SDK also calls sdk-settings, events and risk-session-token; a drop-in
/// sandbox answers them.
#[tokio::test]
async fn sdk_side_calls_are_answered() {
    let sb = Sandbox::start().await;
    let r = sb
        .http
        .get(sb.url("/verify/api/v1/sdk-settings?clientId=demo"))
        .header("authorization", "Bearer undefined")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap()["autocapture_enabled"],
        false
    );
    let token = sb.token().await;
    let created = sb.create(&token, json!({})).await;
    // Before start, the SDK posts events with the start token in place of the session ID.
    let st = created["start_token"].as_str().unwrap();
    for path in [
        format!("{SID_PATH}/{st}/events"),
        format!("{SID_PATH}/x/risk-session-token"),
    ] {
        let r = sb
            .http
            .post(sb.url(&path))
            .header("authorization", "Bearer ")
            .json(&json!({"event_type": "page_view", "page_view_req": {}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
}

/// Fuzz finding (sandbox_requests): `POST /oidc/` fell through to static serving and answered a
/// bare 405. The API prefixes with nothing after them are unknown routes too.
#[tokio::test]
async fn bare_api_prefixes_answer_json() {
    let sb = Sandbox::start().await;
    for path in ["/verify/", "/oidc/", "/sandbox/", "/demo/"] {
        for method in [reqwest::Method::GET, reqwest::Method::POST] {
            let r = sb
                .http
                .request(method.clone(), sb.url(path))
                .body("grant_type=client_credentials")
                .send()
                .await
                .unwrap();
            assert_error(r, 404, "not_found", None).await;
        }
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let sb = Sandbox::start().await;
    for path in [
        "/verify/api/v2/anything",
        "/oidc/userinfo",
        "/sandbox/nope",
        "/demo/x/y/z",
    ] {
        let r = sb.http.get(sb.url(path)).send().await.unwrap();
        assert_error(r, 404, "not_found", None).await;
    }
    let r = sb
        .http
        .put(sb.url(&format!("{SID_PATH}/start")))
        .send()
        .await
        .unwrap();
    assert_error(r, 405, "method_not_allowed", None).await;
    // A browser on another origin may call the API.
    let r = sb
        .http
        .request(
            reqwest::Method::OPTIONS,
            sb.url(&format!("{SID_PATH}/x/images")),
        )
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
}

/// A fresh `root` under the temp dir with `www/` (an `index.html`) and `pkg/` for static serving:
/// `(root, www, pkg)`.
fn served_folders(name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let root = std::env::temp_dir().join(format!("idv-sandbox-{name}-{}", std::process::id()));
    let (www, pkg) = (root.join("www"), root.join("pkg"));
    std::fs::create_dir_all(&www).unwrap();
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html><title>t</title>").unwrap();
    (root, www, pkg)
}

#[tokio::test]
async fn static_files_are_served_with_the_csp_and_wasm_mime() {
    let (root, www, pkg) = served_folders("static");
    std::fs::write(pkg.join("m.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(pkg.join("m.js"), "export {};").unwrap();
    let sb = Sandbox::with(Config {
        www_dir: www,
        pkg_dir: pkg,
        ..config()
    })
    .await;
    let r = sb.http.get(sb.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"));
    assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"));
    let r = sb.http.get(sb.url("/pkg/m.wasm")).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/wasm");
    let r = sb.http.get(sb.url("/pkg/m.js")).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/javascript");
    let _ = std::fs::remove_dir_all(&root);
}

/// Fuzz finding (sandbox_requests): a path segment longer than a file name can be (NAME_MAX,
/// 255 bytes) or a path longer than PATH_MAX made the static server's open fail with
/// ENAMETOOLONG, answered as a 500.
#[tokio::test]
async fn overlong_static_paths_are_404_not_500() {
    // Served folders that exist, so the open reaches the long name itself.
    let (root, www, pkg) = served_folders("long");
    let sb = Sandbox::with(Config {
        www_dir: www,
        pkg_dir: pkg,
        ..config()
    })
    .await;
    let long = "a".repeat(300);
    let deep = "/abcdefgh".repeat(600);
    for path in [
        format!("/{long}"),
        format!("/vriefy/{long}/x"),
        format!("/pkg/{long}"),
        deep.clone(),
        format!("/pkg{deep}"),
    ] {
        let r = sb.http.get(sb.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{}", &path[..40]);
        assert!(r.headers().contains_key("content-security-policy"));
    }
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn static_serving_does_not_leave_its_folders() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (root, www, pkg) = served_folders("traversal");
    const SECRET: &str = "secret-outside-the-served-folders";
    std::fs::write(root.join("secret.txt"), SECRET).unwrap();
    let sb = Sandbox::with(Config {
        www_dir: www,
        pkg_dir: pkg,
        ..config()
    })
    .await;
    let addr = sb
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    // Raw request lines: an HTTP client library would normalise the dot segments away.
    let raw_get = |path: String| {
        let addr = addr.clone();
        async move {
            let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
            let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
            s.write_all(req.as_bytes()).await.unwrap();
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer).await;
            answer
        }
    };
    // The control: the same raw request for a served file works.
    let ok = raw_get("/index.html".into()).await;
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/pkg/../../secret.txt",
        "/pkg/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "//../secret.txt",
    ] {
        let answer = raw_get(path.into()).await;
        let status = answer.lines().next().unwrap_or("");
        assert!(!answer.contains(SECRET), "{path} leaked the file: {status}");
        assert!(!status.contains(" 200 "), "{path}: {status}");
    }
    let _ = std::fs::remove_dir_all(&root);
}
