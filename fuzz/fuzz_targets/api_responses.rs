//! The Verify API's answers, as the browser shell decodes them: the response text (fetch's
//! `text()`, so lossy UTF-8) through `serde_json::from_str` into the start, add-images and
//! status responses (`src/web/http.rs`), plus the error body and the open feedback decoding.
//! Nothing may panic; unknown feedback must decode to `other`; a decoded answer must survive
//! re-encoding unchanged.
#![no_main]

use idv_capture::protocol::{
    AddImagesResponse, ErrorBody, Feedback, SessionStatus, SessionStatusResponse,
    StartSessionResponse,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    // Feedback is decoded openly: any string is a code, unknown ones are `other`.
    let f = Feedback::parse(&text);
    let known = Feedback::ALL.iter().any(|k| k.as_str() == text) || text == "blurry";
    assert!(known || f == Feedback::Other, "{text:?} decoded as {f:?}");

    if let Ok(r) = serde_json::from_str::<StartSessionResponse>(&text) {
        let json = serde_json::to_string(&r).expect("encode start");
        let back: StartSessionResponse = serde_json::from_str(&json).expect("re-decode start");
        assert_eq!(
            (&back.session_id, &back.user_token, &back.required_images),
            (&r.session_id, &r.user_token, &r.required_images)
        );
    }

    if let Ok(r) = serde_json::from_str::<AddImagesResponse>(&text) {
        assert_eq!(r.feedback, Feedback::parse(&r.feedback_raw));
        let raw_known = Feedback::ALL.iter().any(|k| k.as_str() == r.feedback_raw)
            || r.feedback_raw == "blurry";
        assert!(raw_known || r.feedback == Feedback::Other);
        let json = serde_json::to_string(&r).expect("encode add-images");
        let back: AddImagesResponse = serde_json::from_str(&json).expect("re-decode add-images");
        assert_eq!(back, r);
    }

    if let Ok(r) = serde_json::from_str::<SessionStatusResponse>(&text) {
        let _ = r.status.is_final();
        let json = serde_json::to_string(&r).expect("encode status");
        let back: SessionStatusResponse = serde_json::from_str(&json).expect("re-decode status");
        assert_eq!(back, r);
        if r.status == SessionStatus::Unknown {
            assert_eq!(r.status.as_str(), "unknown");
        }
    }

    // Error bodies: not read by the shell today (it keeps the HTTP status), but the sandbox
    // sends them and integrators' code decodes them; straight from bytes too.
    if let Ok(e) = serde_json::from_str::<ErrorBody>(&text) {
        let json = serde_json::to_string(&e).expect("encode error body");
        assert_eq!(
            serde_json::from_str::<ErrorBody>(&json).expect("re-decode"),
            e
        );
    }
    let _ = serde_json::from_slice::<ErrorBody>(data);
    let _ = serde_json::from_slice::<AddImagesResponse>(data);
});
