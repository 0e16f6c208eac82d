//! Uploads: validation (400 naming the field), the body limit (413), decompression bombs,
//! rejected images, idempotent retries, and agreement with the pre-check engine.

use futures_util::future::join_all;
use idv_capture::protocol::{Feedback, ImageType};
use image::{Rgb, RgbImage};
use serde_json::{json, Value};

use crate::common::*;

/// A started session on a sandbox with the given config: (sandbox, sid, user token, access token).
async fn started(config: idv_sandbox::Config) -> (Sandbox, String, String, String) {
    let sb = Sandbox::with(config).await;
    let token = sb.token().await;
    let (sid, user) = sb.session(&token, json!({})).await;
    (sb, sid, user, token)
}

#[tokio::test]
async fn invalid_uploads_are_400_naming_the_field() {
    let (sb, sid, user, token) = started(config()).await;
    let card = b64(card_jpeg());
    let with = |f: &dyn Fn(&mut Value)| {
        let mut body = image_body("document_front", &card, None);
        f(&mut body);
        body
    };
    let mut png = Vec::new();
    RgbImage::from_pixel(640, 480, Rgb([1, 2, 3]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let small = jpeg(&RgbImage::from_pixel(320, 240, Rgb([90, 90, 90])));
    let portrait_too_tall = jpeg(&RgbImage::from_pixel(640, 2200, Rgb([90, 90, 90])));
    let cases: Vec<(Value, &str)> = vec![
        (
            with(&|b| b["image"]["format"] = json!("png")),
            "image.format",
        ),
        (
            with(&|b| b["image"]["format"] = json!("JPG ")),
            "image.format",
        ),
        (
            with(&|b| b["image"]["image_type"] = json!("passport")),
            "image.image_type",
        ),
        (
            with(&|b| b["image"]["content"] = json!("not base64!")),
            "image.content",
        ),
        (
            with(&|b| b["image"]["content"] = json!(format!("data:image/jpeg;base64,{card}"))),
            "image.content",
        ),
        (
            with(&|b| b["image"]["content"] = json!(b64(&png))),
            "image.content",
        ),
        (
            with(&|b| b["image"]["content"] = json!(b64(&[0xFF, 0xD8, 0xFF, 0, 1, 2, 3]))),
            "image.content",
        ),
        (
            with(&|b| b["image"]["content"] = json!(b64(&small))),
            "image.content",
        ),
        (
            with(&|b| b["image"]["content"] = json!(b64(&portrait_too_tall))),
            "image.content",
        ),
        (
            with(&|b| b["image"]["content"] = json!(42)),
            "image.content",
        ),
        (
            with(&|b| {
                b["image"].as_object_mut().unwrap().remove("content");
            }),
            "image.content",
        ),
        (
            with(&|b| {
                b["image"].as_object_mut().unwrap().remove("format");
            }),
            "image.format",
        ),
        (
            with(&|b| {
                b["image"]["capture_margins"] =
                    json!({"top": -1, "bottom": 0, "left": 0, "right": 0})
            }),
            "image.capture_margins.top",
        ),
        (
            with(&|b| {
                b["image"]["capture_margins"] =
                    json!({"top": 240, "bottom": 240, "left": 0, "right": 0})
            }),
            "image.capture_margins",
        ),
        (
            with(&|b| b["image"]["capture_margins"] = json!({"top": 1})),
            "image.capture_margins.bottom",
        ),
        (
            with(&|b| b["image"]["image_id"] = json!("x".repeat(300))),
            "image.image_id",
        ),
        (json!({"device_info": {}}), "image"),
    ];
    for (body, field) in cases {
        let r = sb.upload(&sid, &user, &body).await;
        assert_error(r, 400, "invalid_request", Some(field)).await;
    }
    // Not JSON at all.
    let r = sb
        .http
        .post(sb.url(&format!("{SID_PATH}/{sid}/images")))
        .bearer_auth(&user)
        .header("content-type", "application/json")
        .body(r#"{"image": {"format": "jpg""#)
        .send()
        .await
        .unwrap();
    assert_error(r, 400, "malformed_body", None).await;
    // None of it was stored.
    let images: Value = sb
        .get_json(&format!("{SID_PATH}/{sid}/images"), &token)
        .await;
    assert_eq!(images["session_images"], json!([]));

    // "jpeg" (Transmit's SDK) is accepted as well as "jpg"; so is base64 without padding.
    let body = with(&|b| b["image"]["format"] = json!("jpeg"));
    assert_eq!(sb.upload(&sid, &user, &body).await.status(), 200);
    let unpadded = card.trim_end_matches('=').to_owned();
    let body = image_body("selfie", &unpadded, None);
    assert_eq!(sb.upload(&sid, &user, &body).await.status(), 200);
}

/// A small JPEG whose header claims 60000x60000 pixels is refused before any big allocation.
#[tokio::test]
async fn decompression_bombs_are_refused() {
    let (sb, sid, user, _) = started(config()).await;
    let mut bomb = grey_jpeg().to_vec();
    let sof = bomb
        .windows(2)
        .position(|w| w[0] == 0xFF && (w[1] == 0xC0 || w[1] == 0xC2))
        .expect("a SOF marker");
    // FF C0, length (2), precision (1), height (2), width (2).
    bomb[sof + 5..sof + 7].copy_from_slice(&60000u16.to_be_bytes());
    bomb[sof + 7..sof + 9].copy_from_slice(&60000u16.to_be_bytes());
    let r = sb
        .upload(
            &sid,
            &user,
            &image_body("document_front", &b64(&bomb), None),
        )
        .await;
    assert_error(r, 400, "invalid_request", Some("image.content")).await;
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let (sb, sid, user, _) = started(config()).await;
    // Just over the default 15 MiB.
    let huge = "A".repeat(15 * 1024 * 1024 + 1024);
    let r = sb
        .upload(&sid, &user, &image_body("selfie", &huge, None))
        .await;
    assert_error(r, 413, "payload_too_large", None).await;
    // The connection and the session are still fine.
    let r = sb
        .upload(&sid, &user, &image_body("selfie", &b64(card_jpeg()), None))
        .await;
    assert_eq!(r.status(), 200);
}

/// A rejected image is listed with `rejected: true` and does not count towards completion.
#[tokio::test]
async fn rejected_images_do_not_count() {
    let (sb, sid, user, token) = started(rejects_uniform()).await;
    let grey = b64(grey_jpeg());
    let card = b64(card_jpeg());
    let r: Value = sb
        .upload(&sid, &user, &image_body("document_front", &grey, None))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        r,
        json!({"feedback": "document_not_found", "complete": false,
               "missing_images": ["document_front", "document_back", "selfie"]})
    );
    for t in ["document_back", "selfie"] {
        let r = sb.upload(&sid, &user, &image_body(t, &card, None)).await;
        assert_eq!(r.json::<Value>().await.unwrap()["feedback"], "ok");
    }
    let s = sb.status(&sid, &user).await;
    assert_eq!(s["status"], "capturing");
    assert_eq!(s["missing_images"], json!(["document_front"]));
    let r: Value = sb
        .upload(&sid, &user, &image_body("document_front", &card, None))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        r,
        json!({"feedback": "ok", "complete": true, "missing_images": []})
    );

    let images: Value = sb
        .get_json(&format!("{SID_PATH}/{sid}/images"), &token)
        .await;
    let flags: Vec<(&str, bool)> = images["session_images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["type"].as_str().unwrap(),
                i["rejected"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("document_front", true),
            ("document_back", false),
            ("selfie", false),
            ("document_front", false)
        ]
    );
}

/// A sandbox judging uploads with the core's own pre-check engine.
async fn with_the_real_engine() -> Sandbox {
    Sandbox::with(idv_sandbox::Config {
        quality: std::sync::Arc::new(idv_sandbox::PrecheckEngine::default()),
        ..config()
    })
    .await
}

/// With the real engine, the sandbox answers exactly what the pre-check engine says about the
/// same pixels, and whatever the engine rejects is recorded as rejected. (The engine's verdict
/// on each image is not assumed: it is computed here on the same decoded pixels.)
#[tokio::test]
async fn feedback_is_the_pre_check_engines_verdict() {
    let sb = with_the_real_engine().await;
    let token = sb.token().await;
    let candidates: [(&str, &[u8]); 3] = [
        ("grey", grey_jpeg()),
        ("card", card_jpeg()),
        ("blurred card", blurred_card_jpeg()),
    ];
    for (name, bytes) in candidates {
        for t in [ImageType::DocumentFront, ImageType::Selfie] {
            // A fresh session each time, so no earlier image of this type hides a rejection.
            let (sid, user) = sb.session(&token, json!({})).await;
            let want = engine_verdict(bytes, t);
            let r = sb
                .upload(&sid, &user, &image_body(t.as_str(), &b64(bytes), None))
                .await;
            assert_eq!(r.status(), 200);
            let reply: Value = r.json().await.unwrap();
            assert_eq!(reply["feedback"], want.as_str(), "{name} as {t}");
            assert_eq!(reply["complete"], false);
            let missing = reply["missing_images"].as_array().unwrap();
            assert_eq!(
                missing.contains(&json!(t.as_str())),
                want != Feedback::Ok,
                "{name} as {t}"
            );
            let images: Value = sb
                .get_json(&format!("{SID_PATH}/{sid}/images"), &token)
                .await;
            let list = images["session_images"].as_array().unwrap();
            assert_eq!(list.len(), 1);
            assert_eq!(list[0]["rejected"], want != Feedback::Ok, "{name} as {t}");
        }
    }
}

/// Uploaded selfies get the on-device face checks: a real face is accepted, two faces are
/// `multi_face` and a picture without a face is `face_not_found`, each rejected and still missing.
#[tokio::test]
async fn selfies_get_the_face_checks() {
    let sb = with_the_real_engine().await;
    let token = sb.token().await;
    for (name, bytes, want) in [
        ("one face", selfie_jpeg(), "ok"),
        ("two faces", two_faces_jpeg(), "multi_face"),
        ("no face", grey_jpeg(), "face_not_found"),
    ] {
        let (sid, user) = sb.session(&token, json!({})).await;
        let r = sb
            .upload(&sid, &user, &image_body("selfie", &b64(bytes), None))
            .await;
        assert_eq!(r.status(), 200);
        let reply: Value = r.json().await.unwrap();
        assert_eq!(reply["feedback"], want, "{name}");
        let missing = reply["missing_images"].as_array().unwrap();
        assert_eq!(missing.contains(&json!("selfie")), want != "ok", "{name}");
    }
}

#[tokio::test]
async fn retries_with_the_same_image_id_are_idempotent() {
    let (sb, sid, user, token) = started(rejects_uniform()).await;
    let card = b64(card_jpeg());
    let first: Value = sb
        .upload(
            &sid,
            &user,
            &image_body("document_front", &card, Some("img-1")),
        )
        .await
        .json()
        .await
        .unwrap();
    // Retries, even with other bytes, get the stored answer and store nothing.
    for content in [&card, &b64(grey_jpeg())] {
        let again: Value = sb
            .upload(
                &sid,
                &user,
                &image_body("document_front", content, Some("img-1")),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(again, first);
    }
    assert_eq!(count(&sb, &sid, &token).await, 1);
    // The same ID for another type is a client bug.
    let r = sb
        .upload(&sid, &user, &image_body("selfie", &card, Some("img-1")))
        .await;
    assert_error(r, 409, "image_id_conflict", Some("image.image_id")).await;

    // Concurrent retries of one new image: one stored, every answer the same.
    let body = image_body("document_back", &card, Some("img-2"));
    let replies = join_all((0..6).map(|_| sb.upload(&sid, &user, &body))).await;
    let mut answers = Vec::new();
    for r in replies {
        assert_eq!(r.status(), 200);
        answers.push(r.json::<Value>().await.unwrap());
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    assert_eq!(count(&sb, &sid, &token).await, 2);

    // Completing the session, then retrying an earlier upload: still its first answer, not 409.
    let last: Value = sb
        .upload(&sid, &user, &image_body("selfie", &card, Some("img-3")))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(last["complete"], true);
    let retry: Value = sb
        .upload(&sid, &user, &image_body("selfie", &card, Some("img-3")))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(retry, last);
    let r = sb
        .upload(&sid, &user, &image_body("selfie", &card, Some("img-4")))
        .await;
    assert_error(r, 409, "session_complete", None).await;
    assert_eq!(count(&sb, &sid, &token).await, 3);
}

async fn count(sb: &Sandbox, sid: &str, token: &str) -> usize {
    sb.get(&format!("{SID_PATH}/{sid}/images"), token)
        .await
        .json::<Value>()
        .await
        .unwrap()["session_images"]
        .as_array()
        .unwrap()
        .len()
}
