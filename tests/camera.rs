//! Browser test: a real getUserMedia frame from Chromium's fake camera, fed the generated
//! `two-tone.y4m` (see the Makefile's `webdriver.json`), analysed by the wasm build.
#![cfg(target_arch = "wasm32")]

mod support;

use idv_capture::precheck::{mean_luma, Frame};
use idv_fixtures::camera::two_tone_expected_luma;
use support::sleep_ms;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, MediaStream,
    MediaStreamConstraints,
};

wasm_bindgen_test_configure!(run_in_browser);

async fn camera_frame() -> (Vec<u8>, u32, u32, MediaStream) {
    let window = web_sys::window().unwrap();
    let constraints = MediaStreamConstraints::new();
    constraints.set_video(&JsValue::TRUE);
    let stream: MediaStream = JsFuture::from(
        window
            .navigator()
            .media_devices()
            .unwrap()
            .get_user_media_with_constraints(&constraints)
            .unwrap(),
    )
    .await
    .expect("getUserMedia on the fake camera")
    .dyn_into()
    .unwrap();
    let doc = window.document().unwrap();
    let video: HtmlVideoElement = doc.create_element("video").unwrap().dyn_into().unwrap();
    video.set_muted(true);
    video.set_src_object(Some(&stream));
    JsFuture::from(video.play().unwrap()).await.unwrap();
    for _ in 0..100 {
        if video.ready_state() >= 2 && video.video_width() > 0 {
            break;
        }
        sleep_ms(50).await;
    }
    let (w, h) = (video.video_width(), video.video_height());
    assert!(w > 0 && h > 0, "the fake camera delivered no frame");
    let canvas: HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    ctx.draw_image_with_html_video_element(&video, 0.0, 0.0)
        .unwrap();
    let data = ctx
        .get_image_data(0.0, 0.0, w as f64, h as f64)
        .unwrap()
        .data()
        .0;
    (data, w, h, stream)
}

#[wasm_bindgen_test]
async fn fake_camera_frame_has_the_generated_mean_luma() {
    let (rgba, w, h, stream) = camera_frame().await;
    assert_eq!(
        (w, h),
        (640, 480),
        "the fake camera streams the generated 640x480 video"
    );

    let measured = mean_luma(Frame::packed(&rgba, w, h).unwrap());
    let expected = two_tone_expected_luma(w as usize, h as usize);
    wasm_bindgen_test::console_log!("mean luma {measured:.3}, expected {expected:.3}");
    // Chroma subsampling and the browser's YUV->RGB rounding move the mean by well under 1 level; a full-range decode would be 1.5 off.
    assert!(
        (measured - expected).abs() < 1.0,
        "mean luma {measured:.2}, expected {expected:.2}"
    );

    // The scene's structure arrives too, not just its average: the left quarter is dark, the right light.
    let quarter = (w / 4) as usize * 4;
    let left: Vec<u8> = rgba
        .chunks_exact(w as usize * 4)
        .flat_map(|r| r[..quarter].to_vec())
        .collect();
    let right: Vec<u8> = rgba
        .chunks_exact(w as usize * 4)
        .flat_map(|r| r[r.len() - quarter..].to_vec())
        .collect();
    let l = mean_luma(Frame::packed(&left, w / 4, h).unwrap());
    let r = mean_luma(Frame::packed(&right, w / 4, h).unwrap());
    assert!(l < 40.0 && r > 160.0, "left {l:.1}, right {r:.1}");

    for t in stream.get_tracks().iter() {
        t.unchecked_into::<web_sys::MediaStreamTrack>().stop();
    }
}
