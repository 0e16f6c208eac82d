//! Tokens: the token endpoint, backend and client authorisation, start_token single use,
//! cross-session denial.

use std::time::Duration;

use base64::Engine;
use idv_sandbox::Config;
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn token_endpoint_follows_client_credentials() {
    let sb = Sandbox::start().await;
    let post = |form: Vec<(&'static str, &'static str)>| {
        sb.http.post(sb.url("/oidc/token")).form(&form).send()
    };
    let r = post(vec![
        ("grant_type", "client_credentials"),
        ("client_id", "sandbox"),
        ("client_secret", "sandbox-secret"),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert!(body["access_token"].as_str().unwrap().len() > 60);

    let wrong = post(vec![
        ("grant_type", "client_credentials"),
        ("client_id", "sandbox"),
        ("client_secret", "nope"),
    ]);
    assert_error(
        wrong.await.unwrap(),
        401,
        "invalid_client",
        Some("client_secret"),
    )
    .await;
    let no_creds = post(vec![("grant_type", "client_credentials")]);
    assert_error(
        no_creds.await.unwrap(),
        401,
        "invalid_client",
        Some("client_secret"),
    )
    .await;
    let grant = post(vec![("grant_type", "password")]);
    assert_error(
        grant.await.unwrap(),
        400,
        "unsupported_grant_type",
        Some("grant_type"),
    )
    .await;
    let missing = post(vec![("client_id", "sandbox")]);
    assert_error(
        missing.await.unwrap(),
        400,
        "invalid_request",
        Some("grant_type"),
    )
    .await;

    // client_secret_basic works too.
    let basic = base64::engine::general_purpose::STANDARD.encode("sandbox:sandbox-secret");
    let r = sb
        .http
        .post(sb.url("/oidc/token"))
        .header("authorization", format!("Basic {basic}"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn credentials_come_from_the_config() {
    let sb = Sandbox::with(Config {
        client_id: "acme".into(),
        client_secret: "s3cret".into(),
        ..config()
    })
    .await;
    let r = sb
        .http
        .post(sb.url("/oidc/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "acme"),
            ("client_secret", "s3cret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = sb
        .http
        .post(sb.url("/oidc/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "sandbox"),
            ("client_secret", "sandbox-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

/// Every backend endpoint refuses a missing, wrong, or user token; a live access token passes.
#[tokio::test]
async fn backend_endpoints_need_an_access_token() {
    let sb = Sandbox::start().await;
    let token = sb.token().await;
    let (sid, user) = sb.session(&token, json!({})).await;
    let backend: Vec<(&str, String)> = vec![
        ("POST", SID_PATH.to_owned()),
        ("GET", format!("{SID_PATH}/{sid}/result")),
        ("GET", format!("{SID_PATH}/{sid}/consent")),
        ("GET", format!("{SID_PATH}/{sid}/images")),
        ("GET", format!("{SID_PATH}/{sid}/images/x")),
        ("DELETE", format!("{SID_PATH}/{sid}")),
        ("POST", "/sandbox/faults".to_owned()),
        ("GET", "/sandbox/faults".to_owned()),
        ("DELETE", "/sandbox/faults".to_owned()),
    ];
    for (method, path) in &backend {
        let req = |bearer: Option<&str>| {
            let mut r = sb
                .http
                .request(method.parse().unwrap(), sb.url(path))
                .json(&json!({}));
            if let Some(b) = bearer {
                r = r.bearer_auth(b);
            }
            r.send()
        };
        let r = req(None).await.unwrap();
        assert_eq!(r.headers()["www-authenticate"], "Bearer", "{method} {path}");
        assert_error(r, 401, "missing_token", Some("Authorization")).await;
        let forged = format!("{}x", &token[..token.len() - 1]);
        for bad in [forged.as_str(), "undefined", user.as_str()] {
            let r = req(Some(bad)).await.unwrap();
            assert_error(r, 401, "invalid_token", Some("Authorization")).await;
        }
    }
    // The same requests with the access token get past authorisation.
    let r = sb.get(&format!("{SID_PATH}/{sid}/images/x"), &token).await;
    assert_error(r, 404, "image_not_found", None).await;
}

#[tokio::test]
async fn expired_access_tokens_are_refused() {
    let sb = Sandbox::with(Config {
        access_token_ttl: Duration::from_millis(300),
        ..config()
    })
    .await;
    let token = sb.token().await;
    let created = sb.create(&token, json!({})).await;
    let sid = created["session_id"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(350)).await;
    let r = sb.get(&format!("{SID_PATH}/{sid}/result"), &token).await;
    assert_error(r, 401, "expired_token", Some("Authorization")).await;
    let r = sb.get(&format!("{SID_PATH}/{sid}/status"), &token).await;
    assert_error(r, 401, "expired_token", Some("Authorization")).await;
}

#[tokio::test]
async fn start_token_is_single_use_and_needs_no_authorization_header() {
    let sb = Sandbox::start().await;
    let token = sb.token().await;
    let created = sb.create(&token, json!({})).await;
    let start_token = created["start_token"].as_str().unwrap();

    let r = sb.start_with(start_token).await;
    assert_eq!(r.status(), 200);
    let started: Value = r.json().await.unwrap();
    assert_eq!(started["session_id"], created["session_id"]);
    assert_eq!(
        started["required_images"],
        json!(["document_front", "document_back", "selfie"])
    );
    let r = sb.start_with(start_token).await;
    assert_error(r, 401, "start_token_used", Some("start_token")).await;

    for bad in ["", "st_nope.nope", "garbage", &format!("{start_token}x")] {
        let r = sb.start_with(bad).await;
        assert_error(r, 401, "invalid_start_token", Some("start_token")).await;
    }
    let r = sb
        .http
        .post(sb.url(&format!("{SID_PATH}/start")))
        .json(&json!({"consent": {"granted": true, "document_id": "x"}}))
        .send()
        .await
        .unwrap();
    assert_error(r, 400, "invalid_request", Some("start_token")).await;
}

/// Two starts racing on one token: exactly one wins, every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_starts_have_exactly_one_winner() {
    let sb = Sandbox::start().await;
    let token = sb.token().await;
    for _ in 0..15 {
        let created = sb.create(&token, json!({})).await;
        let st = created["start_token"].as_str().unwrap();
        let (a, b) = tokio::join!(sb.start_with(st), sb.start_with(st));
        let mut codes = [a.status().as_u16(), b.status().as_u16()];
        codes.sort();
        assert_eq!(codes, [200, 401]);
        let loser = if a.status() == 401 { a } else { b };
        assert_error(loser, 401, "start_token_used", Some("start_token")).await;
    }
}

/// A session's user_token gets nothing of another session.
#[tokio::test]
async fn user_tokens_are_confined_to_their_session() {
    let sb = Sandbox::start().await;
    let token = sb.token().await;
    let (a, token_a) = sb.session(&token, json!({})).await;
    let (b, token_b) = sb.session(&token, json!({})).await;
    let img = image_body("selfie", &b64(card_jpeg()), None);

    assert_eq!(sb.status(&a, &token_a).await["status"], "capturing");
    let r = sb.get(&format!("{SID_PATH}/{b}/status"), &token_a).await;
    assert_error(r, 401, "invalid_token", Some("Authorization")).await;
    let r = sb.upload(&b, &token_a, &img).await;
    assert_error(r, 401, "invalid_token", Some("Authorization")).await;
    // Nor the backend endpoints of its own session.
    let r = sb.get(&format!("{SID_PATH}/{a}/result"), &token_a).await;
    assert_error(r, 401, "invalid_token", Some("Authorization")).await;
    // A's token with B's secret, or B's ID with A's secret: both refused.
    let spliced = format!("ut_{b}.{}", token_a.split_once('.').unwrap().1);
    let r = sb.get(&format!("{SID_PATH}/{b}/status"), &spliced).await;
    assert_error(r, 401, "invalid_token", Some("Authorization")).await;
    // Nothing was stored in B.
    let images: Value = sb.get_json(&format!("{SID_PATH}/{b}/images"), &token).await;
    assert_eq!(images["session_images"], json!([]));
    assert_eq!(sb.upload(&b, &token_b, &img).await.status(), 200);
    // The backend token works on every session.
    assert_eq!(sb.status(&a, &token).await["status"], "capturing");
    let r = sb.get(&format!("{SID_PATH}/{a}/status"), "").await;
    assert_error(r, 401, "missing_token", Some("Authorization")).await;
}
