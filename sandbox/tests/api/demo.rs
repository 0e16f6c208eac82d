//! The demo backend that `www/` uses in place of an integrator's server.

use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn demo_backend_runs_a_session_without_exposing_the_access_token() {
    let sb = Sandbox::start().await;
    let r = sb.http.post(sb.url("/demo/session")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let created: Value = r.json().await.unwrap();
    let keys: Vec<&String> = created.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["server_path", "session_id", "start_token"]);
    assert_eq!(created["server_path"], format!("{}/verify", sb.url));
    let sid = created["session_id"].as_str().unwrap();

    let result = |sid: String| {
        let sb = &sb;
        async move {
            let r = sb
                .http
                .get(sb.url(&format!("/demo/session/{sid}/result")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(result(sid.to_owned()).await["status"], "pending");

    let r = sb
        .start_with(created["start_token"].as_str().unwrap())
        .await;
    let user = r.json::<Value>().await.unwrap()["user_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for t in ["document_front", "document_back", "selfie"] {
        let r = sb
            .upload(sid, &user, &image_body(t, &b64(card_jpeg()), None))
            .await;
        assert_eq!(r.status(), 200);
    }
    sb.wait_while_processing(sid, &user).await;
    let done = result(sid.to_owned()).await;
    assert_eq!(done["status"], "complete");
    assert_eq!(done["recommendation"], "ALLOW");

    // mock_behavior passes through; unknown sessions are 404.
    let r = sb
        .http
        .post(sb.url("/demo/session"))
        .json(&json!({"mock_behavior": {"recommendation": "DENY", "processing_time": "0s"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = sb
        .http
        .post(sb.url("/demo/session"))
        .json(&json!({"mock_behavior": {"processing_time": "later"}}))
        .send()
        .await
        .unwrap();
    assert_error(
        r,
        400,
        "invalid_request",
        Some("mock_behavior.processing_time"),
    )
    .await;
    let r = sb
        .http
        .get(sb.url("/demo/session/nope/result"))
        .send()
        .await
        .unwrap();
    assert_error(r, 404, "session_not_found", None).await;
}
