//! The session video the browser tests play (`front-back-selfie`, seed 1, as `make fixtures`
//! writes it), through the capture policy natively: each step captures within its steady stretch.
//! In Chromium a step that never captures only shows as a session that times out.

use idv_capture::capture::{AutoCapture, Policy};
use idv_capture::precheck::{Frame, ImageType};
use idv_fixtures::videos;

#[test]
fn each_step_of_the_session_video_is_captured() {
    let v = videos::front_back_selfie(1, 640, 480);
    let mut ac = AutoCapture::new(Policy::default());
    for (n, (kind, name)) in [
        (ImageType::DocumentFront, "document_front"),
        (ImageType::DocumentBack, "document_back"),
        (ImageType::Selfie, "selfie"),
    ]
    .into_iter()
    .enumerate()
    {
        let seg = v.info.sharp_step(name).unwrap();
        // Each step starts 2 s after the last; the camera keeps running between them.
        let t0 = 2000.0 * n as f64;
        ac.begin(kind, t0);
        let mut seen = Vec::new();
        let captured = seg.clone().any(|i| {
            let img = v.render_frame(i);
            let t = t0 + (i - seg.start) as f64 * 1000.0 / 30.0;
            let s = ac.frame(Frame::packed(&img.data, img.width, img.height).unwrap(), t);
            seen.push((i, s.verdict.feedback.as_str(), s.verdict.scores.quad));
            s.capture
        });
        assert!(
            captured,
            "{name}: no capture over frames {}..{}: {seen:?}",
            seg.start, seg.end
        );
    }
}
