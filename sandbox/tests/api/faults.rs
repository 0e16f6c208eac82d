//! Fault injection: statuses, delays, dropped connections; used up, listed, cleared.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::*;

async fn arm(sb: &Sandbox, token: &str, spec: Value) -> reqwest::Response {
    sb.http
        .post(sb.url("/sandbox/faults"))
        .bearer_auth(token)
        .json(&spec)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn faults_are_injected_used_up_and_cleared() {
    let sb = Sandbox::start().await;
    let token = sb.token().await;
    let (sid, user) = sb.session(&token, json!({})).await;
    let status_path = format!("{SID_PATH}/{sid}/status");

    // A status, twice.
    let r = arm(
        &sb,
        &token,
        json!({"path_prefix": "/verify/api/v1/verification/", "status": 503, "times": 2}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let fault: Value = r.json().await.unwrap();
    assert_eq!(fault["remaining"], 2);
    for _ in 0..2 {
        let r = sb.get(&status_path, &user).await;
        assert_error(r, 503, "injected_fault", None).await;
    }
    assert_eq!(sb.get(&status_path, &user).await.status(), 200);

    // Only for the method given; other paths are untouched.
    arm(
        &sb,
        &token,
        json!({"path_prefix": "/verify/api/v1/verification/", "method": "POST", "status": 429}),
    )
    .await;
    assert_eq!(sb.get(&status_path, &user).await.status(), 200);
    let r = sb
        .upload(&sid, &user, &image_body("selfie", &b64(card_jpeg()), None))
        .await;
    assert_error(r, 429, "injected_fault", None).await;
    let listed: Value = sb
        .get("/sandbox/faults", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["faults"], json!([]));

    // A delay, then the normal answer.
    arm(
        &sb,
        &token,
        json!({"path_prefix": "/verify/api/v1/verification/", "delay_ms": 300}),
    )
    .await;
    let t = Instant::now();
    assert_eq!(sb.get(&status_path, &user).await.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(300));

    // A dropped connection: the client gets no HTTP answer at all.
    arm(
        &sb,
        &token,
        json!({"path_prefix": "/oidc/token", "drop_connection": true}),
    )
    .await;
    let r = sb
        .http
        .post(sb.url("/oidc/token"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await;
    assert!(r.is_err(), "expected a transport error, got {r:?}");

    // Many times, listed, then cleared: requests are served normally again.
    arm(
        &sb,
        &token,
        json!({"path_prefix": "/verify/", "status": 500, "times": 1000}),
    )
    .await;
    arm(
        &sb,
        &token,
        json!({"path_prefix": "/oidc/", "status": 502, "times": 5}),
    )
    .await;
    let r = sb.get(&status_path, &user).await;
    assert_error(r, 500, "injected_fault", None).await;
    let listed: Value = sb
        .get("/sandbox/faults", &token)
        .await
        .json()
        .await
        .unwrap();
    let remaining: Vec<&Value> = listed["faults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["remaining"])
        .collect();
    assert_eq!(remaining, [&json!(999), &json!(5)]);
    // Faults never block the sandbox's own endpoints.
    assert_eq!(
        sb.http
            .post(sb.url("/demo/session"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let cleared = sb.delete("/sandbox/faults", &token).await;
    assert_eq!(
        cleared.json::<Value>().await.unwrap(),
        json!({"cleared": 2})
    );
    assert_eq!(sb.get(&status_path, &user).await.status(), 200);
    sb.token().await;
}

#[tokio::test]
async fn fault_specs_are_validated() {
    let sb = Sandbox::start().await;
    let token = sb.token().await;
    let cases = [
        (json!({"status": 503}), "path_prefix"),
        (
            json!({"path_prefix": "verify", "status": 503}),
            "path_prefix",
        ),
        (json!({"path_prefix": "/verify", "status": 99}), "status"),
        (json!({"path_prefix": "/verify"}), "status"),
        (
            json!({"path_prefix": "/verify", "status": 503, "times": 0}),
            "times",
        ),
        (
            json!({"path_prefix": "/verify", "delay_ms": 999_999}),
            "delay_ms",
        ),
        (
            json!({"path_prefix": "/verify", "status": 503, "method": "GE T"}),
            "method",
        ),
    ];
    for (spec, field) in cases {
        assert_error(
            arm(&sb, &token, spec).await,
            400,
            "invalid_request",
            Some(field),
        )
        .await;
    }
    // A typo is refused rather than arming a fault that does nothing.
    let r = arm(
        &sb,
        &token,
        json!({"path_prefix": "/verify", "status_code": 503}),
    )
    .await;
    assert_eq!(r.status(), 400);
}

/// A sandbox with a started session whose uploads meet a fault with these fields:
/// `(sandbox, session id, user token, access token)`.
async fn with_images_fault(fields: Value) -> (Sandbox, String, String, String) {
    let sb = Sandbox::start().await;
    let token = sb.token().await;
    let (sid, user) = sb.session(&token, json!({})).await;
    let mut spec = fields;
    spec["path_prefix"] = json!(format!("{SID_PATH}/{sid}/images"));
    assert_eq!(arm(&sb, &token, spec).await.status(), 201);
    (sb, sid, user, token)
}

#[tokio::test]
async fn a_feedback_fault_rejects_one_good_image_with_that_code() {
    let (sb, sid, user, _) = with_images_fault(json!({"feedback": "blur"})).await;
    let body = image_body("document_front", &b64(card_jpeg()), None);
    let first: Value = sb.upload(&sid, &user, &body).await.json().await.unwrap();
    assert_eq!(first["feedback"], "blur");
    assert!(first["missing_images"]
        .as_array()
        .unwrap()
        .contains(&json!("document_front")));
    // Used up: the same image is now judged on its own merits.
    let second: Value = sb.upload(&sid, &user, &body).await.json().await.unwrap();
    assert_eq!(second["feedback"], "ok");
}

#[tokio::test]
async fn a_garble_fault_serves_the_request_and_cuts_its_answer() {
    let (sb, sid, user, token) = with_images_fault(json!({"garble": true})).await;
    let body = image_body("document_front", &b64(card_jpeg()), Some("front-1"));
    let first = sb.upload(&sid, &user, &body).await;
    assert_eq!(first.status(), 200);
    let text = first.text().await.unwrap();
    assert!(
        serde_json::from_str::<Value>(&text).is_err() && text.starts_with('{'),
        "{text}"
    );
    // It took effect: the same image_id again is the stored answer, and one image is kept.
    let second: Value = sb.upload(&sid, &user, &body).await.json().await.unwrap();
    assert_eq!(second["feedback"], "ok");
    let images: Value = sb
        .get_json(&format!("{SID_PATH}/{sid}/images"), &token)
        .await;
    assert_eq!(images["session_images"].as_array().unwrap().len(), 1);
}
