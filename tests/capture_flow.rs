//! The capture module end to end in headless Chromium, against the real sandbox over HTTP:
//! a real MediaStream (canvas `captureStream()` of generated scenes, or Chromium's fake camera)
//! through the real frame loop, pre-check, encoder and uploads.
#![cfg(target_arch = "wasm32")]

mod support;

use idv_capture::precheck::Frame;
use idv_capture::upload::{crop_for, encode_jpeg};
use idv_capture::{IdvCapture, Session};
use idv_fixtures::labels::Label;
use serde_json::{json, Value};
use support::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FAST: &str = "100ms";

/// A canvas camera showing a good card, switched to a good selfie when the selfie is asked for.
fn card_then_selfie() -> (CanvasCamera, Events) {
    let cam = CanvasCamera::new(scene(Label::Ok, false));
    let img = cam.image_handle();
    // The back is another picture than the front: the capture policy refuses a back that looks
    // like the front (`wrong_document_side`).
    let (front, back, selfie) = (
        scene(Label::Ok, false),
        video_frame("document_back"),
        scene(Label::Ok, true),
    );
    let events = Events::new(move |e| {
        if e["type"] == "capture_started" {
            *img.borrow_mut() = match e["imageType"].as_str() {
                Some("selfie") => selfie.clone(),
                Some("document_back") => back.clone(),
                _ => front.clone(),
            };
        }
    });
    (cam, events)
}

/// Runs a whole session of `s` on the front / back / selfie canvas camera; its outcome and events.
async fn run_with_camera(s: &Value) -> (Value, Events) {
    let (cam, events) = card_then_selfie();
    let mut capture = IdvCapture::new(options(s, &events, Some(&cam.stream))).unwrap();
    let outcome = settle(capture.run()).await.unwrap();
    (outcome, events)
}

/// The sandbox holds exactly one image of each type, none rejected.
async fn assert_one_accepted_image_per_type(sid: &str) {
    let mut stored = stored_images(sid).await;
    stored.sort();
    assert_eq!(
        stored,
        [
            ("document_back".into(), false),
            ("document_front".into(), false),
            ("selfie".into(), false)
        ]
    );
}

fn uploaded(events: &Events) -> Vec<(String, String)> {
    events
        .of_type("image_uploaded")
        .iter()
        .map(|e| {
            (
                e["imageType"].as_str().unwrap().to_string(),
                e["feedback"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[wasm_bindgen_test]
async fn a_full_session_captures_front_back_and_selfie_to_complete() {
    let s = demo_session(json!({"processing_time": FAST})).await;
    let (outcome, events) = run_with_camera(&s).await;
    assert_eq!(
        outcome,
        json!({"status": "complete"}),
        "events: {:?}",
        events.types()
    );
    assert_eq!(
        uploaded(&events),
        [
            ("document_front".into(), "ok".into()),
            ("document_back".into(), "ok".into()),
            ("selfie".into(), "ok".into())
        ]
    );
    let types = events.types();
    assert_eq!(types.first().map(String::as_str), Some("session_started"));
    assert_eq!(types.last().map(String::as_str), Some("completed"));
    assert!(types.contains(&"processing".to_string()));
    assert_eq!(
        events.of_type("camera_ready").len(),
        1,
        "one camera for the whole session"
    );
    // Live guidance reached the app, throttled, and each capture stayed inside the API's bounds.
    // The app gets each uploaded JPEG with its event, e.g. for a review screen.
    assert!(!events.of_type("frame_verdict").is_empty());
    let captured = events.of_type("image_captured");
    assert_eq!(captured.len(), 3, "{:?}", events.types());
    for c in captured {
        let (w, h) = (c["width"].as_u64().unwrap(), c["height"].as_u64().unwrap());
        assert!(
            (640..=3840).contains(&w) && (480..=2160).contains(&h),
            "{c}"
        );
        assert_eq!(c["jpeg"]["length"], c["bytes"], "{c}");
        assert_eq!(c["jpeg"]["soi"], true, "{c}");
    }
    assert_one_accepted_image_per_type(s["session_id"].as_str().unwrap()).await;
}

#[wasm_bindgen_test]
async fn a_server_blur_feedback_recaptures_that_image() {
    let s = demo_session(json!({"processing_time": FAST})).await;
    let sid = s["session_id"].as_str().unwrap().to_string();
    arm_fault(json!({"path_prefix": format!("/verify/api/v1/verification/{sid}/images"), "feedback": "blur"}))
        .await;
    let (outcome, events) = run_with_camera(&s).await;
    assert_eq!(outcome, json!({"status": "complete"}));
    assert_eq!(
        uploaded(&events)[..2],
        [
            ("document_front".into(), "blur".into()),
            ("document_front".into(), "ok".into())
        ]
    );
    let again = events
        .of_type("capture_started")
        .into_iter()
        .find(|e| e["guidance"] == "blur")
        .expect("the re-capture carries the server's code as guidance");
    assert_eq!(again["imageType"], "document_front");
    let stored = stored_images(&sid).await;
    assert_eq!(stored.iter().filter(|(_, rejected)| *rejected).count(), 1);
    assert_eq!(stored.len(), 4);
}

#[wasm_bindgen_test]
async fn a_reused_start_token_is_token_invalid() {
    let s = demo_session(json!({})).await;
    let (path, token) = (
        s["server_path"].as_str().unwrap().to_string(),
        s["start_token"].as_str().unwrap().to_string(),
    );
    let first = settle(Session::start(
        path.clone(),
        token.clone(),
        JsValue::UNDEFINED,
    ))
    .await;
    assert!(first.is_ok(), "{first:?}");
    let again = settle(Session::start(path, token, JsValue::UNDEFINED)).await;
    assert_eq!(again.unwrap_err()["code"], "token_invalid");

    let (outcome, events) = run_with_camera(&s).await;
    assert_eq!(
        outcome,
        json!({"status": "failed", "code": "token_invalid"})
    );
    let errors = events.of_type("error");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["code"], "token_invalid");
    assert_eq!(errors[0]["recoverable"], false);
    assert!(
        events.of_type("camera_ready").is_empty(),
        "no camera before the session starts"
    );
}

#[wasm_bindgen_test]
async fn two_503s_and_a_garbled_answer_then_success_store_exactly_one_image_per_type() {
    let s = demo_session(json!({"processing_time": FAST})).await;
    let sid = s["session_id"].as_str().unwrap().to_string();
    let images = format!("/verify/api/v1/verification/{sid}/images");
    arm_fault(json!({"path_prefix": images, "method": "POST", "status": 503, "times": 2})).await;
    // Then the server stores the front but its answer arrives cut in half (malformed JSON).
    arm_fault(json!({"path_prefix": images, "method": "POST", "garble": true})).await;
    let (outcome, events) = run_with_camera(&s).await;
    assert_eq!(
        outcome,
        json!({"status": "complete"}),
        "{:?}",
        events.types()
    );
    assert_eq!(
        events.of_type("image_captured").len(),
        3,
        "retries re-send, they do not re-capture"
    );
    assert!(events.of_type("error").is_empty(), "{:?}", events.types());
    assert_one_accepted_image_per_type(&sid).await;
}

/// A JPEG file of a generated scene, as a user would pick from their photos.
fn photo(label: Label, selfie: bool) -> Vec<u8> {
    let (px, w, h) = scene(label, selfie);
    let f = Frame::packed(&px, w, h).unwrap();
    encode_jpeg(f, crop_for(w, h, None)).unwrap().bytes
}

async fn wait_for(events: &Events, t: &str, n: usize) {
    for _ in 0..400 {
        if events.of_type(t).len() >= n {
            return;
        }
        sleep_ms(25).await;
    }
    panic!("no {n} {t} events in 10 s: {:?}", events.types());
}

#[wasm_bindgen_test]
async fn with_the_camera_denied_the_file_path_completes_the_session() {
    js_sys::eval(
        "window.__idvGum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
         navigator.mediaDevices.getUserMedia = () =>
           Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));",
    )
    .unwrap();
    let s = demo_session(json!({"processing_time": FAST})).await;
    let events = Events::new(|_| {});
    let mut capture = IdvCapture::new(options(&s, &events, None)).unwrap();
    let run = capture.run();
    wait_for(&events, "error", 1).await;
    let e = &events.of_type("error")[0];
    assert_eq!(
        (e["code"].as_str(), e["recoverable"].as_bool()),
        (Some("camera_permission_denied"), Some(true))
    );

    // Bad files first: each refused with a typed error, and nothing is lost. The PNG header
    // declares 20000x20000 (a decompression bomb's first bytes): refused before any decoding.
    let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bomb.extend_from_slice(&20_000u32.to_be_bytes());
    bomb.extend_from_slice(&20_000u32.to_be_bytes());
    bomb.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    let good = photo(Label::Ok, false);
    let truncated = good[..good.len() / 3].to_vec();
    // Images of a type the API does not take, whatever MIME type the page was told: judged by
    // their content, a GIF and a WebP are refused.
    let gif = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;".to_vec();
    let webp = b"RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f\0\0\0\x10\x07\x10\x11\x11\x88\x88\xfe\x07\0"
        .to_vec();
    for bad in [b"not an image".to_vec(), Vec::new(), bomb, gif, webp] {
        let r = settle(capture.submit_file(bad)).await;
        assert_eq!(r.unwrap_err()["code"], "unsupported_file");
    }
    // A cut-off JPEG: the browser either refuses it or fills the missing rows with grey, which
    // the pre-check then refuses. Either way nothing is uploaded.
    match settle(capture.submit_file(truncated)).await {
        Err(e) => assert_eq!(e["code"], "unsupported_file"),
        Ok(r) => assert_eq!(r["accepted"], false, "{r}"),
    }
    for (i, selfie) in [false, false, true].into_iter().enumerate() {
        wait_for(&events, "capture_started", i + 1).await;
        let r = settle(capture.submit_file(photo(Label::Ok, selfie)))
            .await
            .unwrap();
        assert_eq!(r["accepted"], true, "{r}");
    }
    let outcome = settle(run).await.unwrap();
    js_sys::eval("navigator.mediaDevices.getUserMedia = window.__idvGum;").unwrap();
    assert_eq!(
        outcome,
        json!({"status": "complete"}),
        "{:?}",
        events.types()
    );
    assert_eq!(
        stored_images(s["session_id"].as_str().unwrap()).await.len(),
        3
    );
}

#[wasm_bindgen_test]
async fn stop_mid_capture_releases_the_real_camera() {
    // No `stream` option: getUserMedia on Chromium's fake camera (fed the generated two-tone.y4m).
    let s = demo_session(json!({})).await;
    let events = Events::new(|_| {});
    let opts = options(&s, &events, None);
    let container: web_sys::Element = js_sys::Reflect::get(&opts, &"container".into())
        .unwrap()
        .unchecked_into();
    let mut capture = IdvCapture::new(opts).unwrap();
    let run = capture.run();
    wait_for(&events, "camera_ready", 1).await;
    wait_for(&events, "frame_verdict", 1).await;
    let video: web_sys::HtmlVideoElement = container
        .query_selector("video")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let stream: web_sys::MediaStream = video.src_object().unwrap().unchecked_into();
    let track: web_sys::MediaStreamTrack = stream.get_video_tracks().get(0).unchecked_into();
    assert_eq!(track.ready_state(), web_sys::MediaStreamTrackState::Live);
    capture.stop();
    assert_eq!(track.ready_state(), web_sys::MediaStreamTrackState::Ended);
    let outcome = settle(run).await.unwrap();
    assert_eq!(outcome, json!({"status": "stopped"}));
    let n = events.log.borrow().len();
    sleep_ms(300).await;
    assert_eq!(events.log.borrow().len(), n, "no event after stop()");
}

#[wasm_bindgen_test]
fn a_bad_server_path_is_refused_before_anything_starts() {
    let events = Events::new(|_| {});
    let s = json!({"server_path": "http://evil.example.com/verify", "start_token": "st"});
    assert!(IdvCapture::new(options(&s, &events, None)).is_err());
    let s = json!({"server_path": "https://api.example.com/verify?x=1", "start_token": "st"});
    assert!(IdvCapture::new(options(&s, &events, None)).is_err());
}

/// The selfie step shows two faces: the capture module must not take the picture. When one
/// person is left, the same stream is captured and the session completes, so the wait was the
/// two faces' doing.
#[wasm_bindgen_test]
async fn a_selfie_stream_with_two_faces_is_not_auto_captured() {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    let s = demo_session(json!({"processing_time": FAST})).await;
    let cam = CanvasCamera::new(scene(Label::Ok, false));
    let img = cam.image_handle();
    let (front, back, two, one) = (
        scene(Label::Ok, false),
        video_frame("document_back"),
        two_faces_frame(),
        scene(Label::Ok, true),
    );
    let one_left = Rc::new(Cell::new(false));
    let selfie_started = Rc::new(Cell::new(false));
    // For each selfie capture: was only one person in view when it was taken?
    let selfie_captures = Rc::new(RefCell::new(Vec::new()));
    let (flag, started, caps) = (
        one_left.clone(),
        selfie_started.clone(),
        selfie_captures.clone(),
    );
    let events = Events::new(move |e| match e["type"].as_str() {
        Some("capture_started") => {
            *img.borrow_mut() = match e["imageType"].as_str() {
                Some("selfie") => {
                    started.set(true);
                    two.clone()
                }
                Some("document_back") => back.clone(),
                _ => front.clone(),
            };
        }
        Some("image_captured") if e["imageType"] == "selfie" => caps.borrow_mut().push(flag.get()),
        _ => {}
    });
    let mut capture = IdvCapture::new(options(&s, &events, Some(&cam.stream))).unwrap();
    let run = capture.run();
    // Four seconds of two faces once the selfie step is on screen, then one person.
    let img = cam.image_handle();
    wasm_bindgen_futures::spawn_local(async move {
        while !selfie_started.get() {
            sleep_ms(50).await;
        }
        sleep_ms(4000).await;
        *img.borrow_mut() = one;
        one_left.set(true);
    });
    let outcome = settle(run).await.unwrap();
    assert_eq!(
        outcome,
        json!({"status": "complete"}),
        "{:?}",
        events.types()
    );
    assert_eq!(
        *selfie_captures.borrow(),
        [true],
        "a selfie was taken with two faces in view"
    );
    let verdicts: Vec<Value> = events
        .of_type("frame_verdict")
        .into_iter()
        .filter(|v| v["imageType"] == "selfie")
        .collect();
    let multi = verdicts
        .iter()
        .filter(|v| v["feedback"] == "multi_face")
        .count();
    assert!(multi > 0, "no selfie verdict said multi_face: {verdicts:?}");
    assert!(
        verdicts
            .iter()
            .any(|v| v["feedback"] == "ok" && v["scores"]["faces"] == 1),
        "{verdicts:?}"
    );
    assert_one_accepted_image_per_type(s["session_id"].as_str().unwrap()).await;
}
