//! The session lifecycle: create, start, upload, processing, complete or recapture, results,
//! images, consent, delete, expiry, unknown sessions.

use std::time::Duration;

use idv_sandbox::Config;
use serde_json::{json, Value};

use crate::common::*;

async fn upload_all(sb: &Sandbox, sid: &str, bearer: &str) -> Vec<Value> {
    let mut replies = Vec::new();
    for t in ["document_front", "document_back", "selfie"] {
        let r = sb
            .upload(sid, bearer, &image_body(t, &b64(card_jpeg()), None))
            .await;
        assert_eq!(r.status(), 200);
        assert!(r.headers().contains_key("x-ts-processing-time-ms"));
        replies.push(r.json().await.unwrap());
    }
    replies
}

#[tokio::test]
async fn a_session_goes_from_pending_to_complete() {
    let sb = Sandbox::start().await;
    let token = sb.token().await;
    let created = sb
        .create(
            &token,
            json!({"callback_url": "https://example.test/done", "state": "csrf-1",
                   "customer_information": {"external_user_id": "u-1"}, "time_to_live": "90d"}),
        )
        .await;
    let sid = created["session_id"].as_str().unwrap().to_owned();
    assert_eq!(
        created["missing_images"],
        json!(["document_front", "document_back", "selfie"])
    );
    let expiration = created["expiration"].as_str().unwrap();
    assert!(
        expiration.ends_with('Z') && expiration.len() == 24,
        "{expiration}"
    );

    let s = sb.status(&sid, &token).await;
    assert_eq!(s["status"], "pending");
    assert_eq!(s["callback_url"], "https://example.test/done");
    assert_eq!(s["state"], "csrf-1");
    let consent: Value = sb
        .get_json(&format!("{SID_PATH}/{sid}/consent"), &token)
        .await;
    assert_eq!(consent, json!({"consent_granted": false}));
    // Not started: the backend cannot upload yet.
    let r = sb
        .upload(&sid, &token, &image_body("selfie", &b64(card_jpeg()), None))
        .await;
    assert_error(r, 409, "session_not_started", None).await;

    let r = sb
        .start_with(created["start_token"].as_str().unwrap())
        .await;
    let user = r.json::<Value>().await.unwrap()["user_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let s = sb.status(&sid, &user).await;
    assert_eq!(s["status"], "capturing");
    assert!(s.get("recapture_reason").is_none());

    let replies = upload_all(&sb, &sid, &user).await;
    assert_eq!(
        replies[0],
        json!({"feedback": "ok", "complete": false, "missing_images": ["document_back", "selfie"]})
    );
    assert_eq!(replies[1]["missing_images"], json!(["selfie"]));
    assert_eq!(
        replies[2],
        json!({"feedback": "ok", "complete": true, "missing_images": []})
    );

    let s = sb.status(&sid, &user).await;
    assert_eq!(
        (s["status"].as_str(), &s["missing_images"]),
        (Some("processing"), &json!([]))
    );
    let r: Value = sb
        .get_json(&format!("{SID_PATH}/{sid}/result"), &token)
        .await;
    assert_eq!(r, json!({"session_id": sid, "status": "processing"}));
    let r = sb
        .upload(&sid, &user, &image_body("selfie", &b64(card_jpeg()), None))
        .await;
    let body = assert_error(r, 409, "session_complete", None).await;
    assert_eq!(
        body["message"],
        "All required images were successfully submitted"
    );

    assert_eq!(
        sb.wait_while_processing(&sid, &user).await["status"],
        "complete"
    );

    // The result, in both shapes.
    let r: Value = sb
        .get_json(&format!("{SID_PATH}/{sid}/result?detailed=true"), &token)
        .await;
    assert_eq!(r["status"], "complete");
    assert_eq!(r["recommendation"], "ALLOW");
    assert_eq!(r["person"]["full_name"], "Jane Sample");
    assert!(r["person"]["age"].as_f64().unwrap() >= 30.0);
    assert_eq!(r["document"]["type"], "drivers_license");
    assert_eq!(r["document"]["country"], "US");
    assert_eq!(
        r["checks"]["document_authentication"]["recommendation"],
        "ALLOW"
    );
    assert_eq!(r["checks"]["risk_recommendation"]["recommendation"], "N/A");
    let used: Vec<&str> = r["verification_images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["type"].as_str().unwrap())
        .collect();
    assert_eq!(used, ["document_front", "document_back", "selfie"]);
    // Typed decoding with the shared protocol types works on the real answer.
    let typed: idv_capture::protocol::SessionResult = serde_json::from_value(r.clone()).unwrap();
    assert!(matches!(
        typed,
        idv_capture::protocol::SessionResult::Complete(_)
    ));

    let old: Value = sb
        .get_json(&format!("{SID_PATH}/{sid}/result?detailed=false"), &token)
        .await;
    assert_eq!(old["recommendation"], "ALLOW");
    assert_eq!(old["verified_info"]["person"]["given_name"], "Jane");
    assert!(old.get("rejection_description").is_none());
    let bad = sb
        .get(&format!("{SID_PATH}/{sid}/result?detailed=maybe"), &token)
        .await;
    assert_error(bad, 400, "invalid_request", Some("detailed")).await;

    // Consent from the start call.
    let consent: Value = sb
        .get_json(&format!("{SID_PATH}/{sid}/consent"), &token)
        .await;
    assert_eq!(consent["consent_granted"], true);
    assert!(consent["consent_date"].as_str().unwrap().ends_with('Z'));

    // Images: metadata, raw bytes, base64.
    let images: Value = sb
        .get_json(&format!("{SID_PATH}/{sid}/images"), &token)
        .await;
    let list = images["session_images"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    for (img, used) in list
        .iter()
        .zip(r["verification_images"].as_array().unwrap())
    {
        assert_eq!(img["id"], used["id"]);
        assert_eq!(img["format"], "jpg");
        assert_eq!(
            (img["rejected"].as_bool(), img["original"].as_bool()),
            (Some(false), Some(true))
        );
    }
    let id = list[0]["id"].as_str().unwrap();
    let raw = sb
        .get(&format!("{SID_PATH}/{sid}/images/{id}"), &token)
        .await;
    assert_eq!(raw.headers()["content-type"], "image/jpg");
    assert_eq!(raw.bytes().await.unwrap().as_ref(), card_jpeg());
    let text = sb
        .get(
            &format!("{SID_PATH}/{sid}/images/{id}?format=base64"),
            &token,
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(text, b64(card_jpeg()));
    let bad = sb
        .get(&format!("{SID_PATH}/{sid}/images/{id}?format=png"), &token)
        .await;
    assert_error(bad, 400, "invalid_request", Some("format")).await;
    let bad = sb
        .get(&format!("{SID_PATH}/{sid}/images/nope"), &token)
        .await;
    assert_error(bad, 404, "image_not_found", None).await;

    // Delete: everything about the session is gone.
    let del = sb.delete(&format!("{SID_PATH}/{sid}"), &token).await;
    assert_eq!(del.status(), 200);
    for path in ["result", "images", "consent", "status"] {
        let r = sb.get(&format!("{SID_PATH}/{sid}/{path}"), &token).await;
        assert_error(r, 404, "session_not_found", None).await;
    }
    let r = sb
        .get(&format!("{SID_PATH}/{sid}/images/{id}"), &token)
        .await;
    assert_error(r, 404, "session_not_found", None).await;
    let r = sb.get(&format!("{SID_PATH}/{sid}/status"), &user).await;
    assert_error(r, 404, "session_not_found", None).await;
    let again = sb.delete(&format!("{SID_PATH}/{sid}"), &token).await;
    assert_error(again, 404, "session_not_found", None).await;
}

#[tokio::test]
async fn force_retry_asks_for_a_recapture_then_completes() {
    let sb = Sandbox::start().await;
    let token = sb.token().await;
    let (sid, user) = sb
        .session(
            &token,
            json!({"mock_behavior": {"force_retry": true, "processing_time": "150ms"}}),
        )
        .await;
    upload_all(&sb, &sid, &user).await;
    let s = sb.wait_while_processing(&sid, &user).await;
    assert_eq!(s["status"], "recapture");
    assert_eq!(s["recapture_reason"], "poor_image_quality");
    assert_eq!(
        s["missing_images"],
        json!(["document_front", "document_back", "selfie"])
    );
    let r: Value = sb
        .get_json(&format!("{SID_PATH}/{sid}/result"), &token)
        .await;
    assert_eq!(r["status"], "recapture");

    let replies = upload_all(&sb, &sid, &user).await;
    assert_eq!(
        replies[0]["missing_images"],
        json!(["document_back", "selfie"])
    );
    assert_eq!(replies[2]["complete"], true);
    let s = sb.wait_while_processing(&sid, &user).await;
    assert_eq!(s["status"], "complete");
    assert!(s.get("recapture_reason").is_none());

    let r: Value = sb
        .get_json(&format!("{SID_PATH}/{sid}/result"), &token)
        .await;
    // The result uses the images of the second attempt.
    let images: Value = sb
        .get_json(&format!("{SID_PATH}/{sid}/images"), &token)
        .await;
    let all = images["session_images"].as_array().unwrap();
    assert_eq!(all.len(), 6);
    let second: Vec<&Value> = all[3..].iter().map(|i| &i["id"]).collect();
    let used: Vec<&Value> = r["verification_images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["id"])
        .collect();
    assert_eq!(used, second);
}

#[tokio::test]
async fn mock_behavior_sets_recommendation_and_details() {
    let sb = Sandbox::start().await;
    let token = sb.token().await;
    let (sid, user) = sb
        .session(
            &token,
            json!({"mock_behavior": {
                "mock_recommendation": "CHALLENGE", "recommendation": "DENY", "processing_time": "0s",
                "info": {
                    "person_details": {"given_name": "Marie", "surname": "Curie", "full_name": "Marie Curie",
                                       "gender": "F", "date_of_birth": "1867-11-07T00:00:00.000Z"},
                    "document_details": {"type": "passport", "country": "FRA", "id_value": "12AB34567",
                                         "valid_until": "2031-01-01T00:00:00.000Z"}
                }
            }}),
        )
        .await;
    upload_all(&sb, &sid, &user).await;
    assert_eq!(
        sb.wait_while_processing(&sid, &user).await["status"],
        "complete"
    );
    let r: Value = sb
        .get_json(&format!("{SID_PATH}/{sid}/result"), &token)
        .await;
    assert_eq!(r["recommendation"], "DENY");
    assert_eq!(r["person"]["full_name"], "Marie Curie");
    assert_eq!(r["person"]["gender"], "female");
    assert_eq!(r["person"]["national_id"], "12AB34567");
    assert!(r["person"]["age"].as_f64().unwrap() > 150.0);
    assert_eq!(r["document"]["type"], "passport");
    assert_eq!(r["document"]["country"], "FR");
    assert_eq!(r["document"]["number"], "12AB34567");
    assert_eq!(r["document"]["expiration_date"], "2031-01-01T00:00:00.000Z");
    assert_eq!(
        r["checks"]["document_authentication"]["recommendation"],
        "DENY"
    );
    assert_eq!(
        r["checks"]["document_authentication"]["reasons"],
        json!(["document_tampering"])
    );
    let old: Value = sb
        .get_json(&format!("{SID_PATH}/{sid}/result?detailed=false"), &token)
        .await;
    assert_eq!(old["recommendation"], "DENY");
    assert!(old["rejection_description"].as_array().unwrap().len() == 1);
    assert_eq!(old["extracted_info"]["document"]["country"], "FRA");
    assert!(old.get("verified_info").is_none());
}

#[tokio::test]
async fn create_validates_its_fields() {
    let sb = Sandbox::start().await;
    let token = sb.token().await;
    let post = |body: &'static str| {
        sb.http
            .post(sb.url(SID_PATH))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let cases = [
        (
            r#"{"mock_behavior": {"processing_time": "soon"}}"#,
            "mock_behavior.processing_time",
        ),
        (
            r#"{"mock_behavior": {"recommendation": "MAYBE"}}"#,
            "mock_behavior.recommendation",
        ),
        (r#"{"time_to_live": "forever"}"#, "time_to_live"),
        (
            r#"{"start": {"consent": {"granted": true}}}"#,
            "start.consent.document_id",
        ),
        (
            r#"{"mock_behavior": {"info": {"document_details": {}}}}"#,
            "mock_behavior.info.document_details.type",
        ),
    ];
    for (body, field) in cases {
        assert_error(
            post(body).await.unwrap(),
            400,
            "invalid_request",
            Some(field),
        )
        .await;
    }
    assert_error(post("{nope").await.unwrap(), 400, "malformed_body", None).await;
    // An empty body is a valid create (some backends send none).
    let r = post("").await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.json::<Value>().await.unwrap()["start_token"].is_string());
}

/// `start` (or the deprecated `auto_start`) makes a backend-only session: no start token,
/// capturing at once, uploads with the access token.
#[tokio::test]
async fn auto_started_sessions_take_backend_uploads() {
    let sb = Sandbox::start().await;
    let token = sb.token().await;
    let created = sb
        .create(
            &token,
            json!({"start": {"consent": {"granted": true, "document_id": "v2"}}}),
        )
        .await;
    assert!(created.get("start_token").is_none());
    let sid = created["session_id"].as_str().unwrap();
    assert_eq!(sb.status(sid, &token).await["status"], "capturing");
    let consent: Value = sb
        .get_json(&format!("{SID_PATH}/{sid}/consent"), &token)
        .await;
    assert_eq!(consent["consent_granted"], true);
    let replies = upload_all(&sb, sid, &token).await;
    assert_eq!(replies[2]["complete"], true);

    let created = sb.create(&token, json!({"auto_start": true})).await;
    assert!(created.get("start_token").is_none());
    let sid = created["session_id"].as_str().unwrap();
    assert_eq!(sb.status(sid, &token).await["status"], "capturing");
}

#[tokio::test]
async fn sessions_expire() {
    // Long enough for three debug-build uploads, short enough to wait for.
    let ttl = Duration::from_millis(1000);
    let sb = Sandbox::with(Config {
        session_ttl: ttl,
        ..config()
    })
    .await;
    let token = sb.token().await;
    let (started, user) = sb.session(&token, json!({})).await;
    let unstarted = sb.create(&token, json!({})).await;
    // Completed before expiry: survives it.
    let (done, done_user) = sb
        .session(&token, json!({"mock_behavior": {"processing_time": "0s"}}))
        .await;
    upload_all(&sb, &done, &done_user).await;
    assert_eq!(sb.status(&started, &user).await["status"], "capturing");
    tokio::time::sleep(ttl).await;

    let s = sb.status(&started, &user).await;
    assert_eq!(s["status"], "expired");
    let r = sb
        .upload(
            &started,
            &user,
            &image_body("selfie", &b64(card_jpeg()), None),
        )
        .await;
    assert_error(r, 409, "session_expired", None).await;
    let r: Value = sb
        .get_json(&format!("{SID_PATH}/{started}/result"), &token)
        .await;
    assert_eq!(r["status"], "error");
    let r = sb
        .start_with(unstarted["start_token"].as_str().unwrap())
        .await;
    assert_error(r, 401, "start_token_expired", Some("start_token")).await;
    assert_eq!(sb.status(&done, &done_user).await["status"], "complete");
}

#[tokio::test]
async fn unknown_sessions_are_404() {
    let sb = Sandbox::start().await;
    let token = sb.token().await;
    let sid = "00000000000000000000000000000000";
    for path in ["result", "images", "images/x", "consent", "status"] {
        let r = sb.get(&format!("{SID_PATH}/{sid}/{path}"), &token).await;
        assert_error(r, 404, "session_not_found", None).await;
    }
    let r = sb
        .upload(sid, &token, &image_body("selfie", &b64(card_jpeg()), None))
        .await;
    assert_error(r, 404, "session_not_found", None).await;
    let r = sb.delete(&format!("{SID_PATH}/{sid}"), &token).await;
    assert_error(r, 404, "session_not_found", None).await;
}
