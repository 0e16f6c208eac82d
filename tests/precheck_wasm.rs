//! The pre-check engine compiled to wasm, in headless Chromium: on generated scenes it must
//! reproduce, bit for bit, what the generator promises (its golden digest) and agree with the
//! scenes' labels as well as it does natively (`tools/tests/engine_accuracy.rs`).
#![cfg(target_arch = "wasm32")]

use idv_capture::precheck::{Analyzer, Frame, ImageType};
use idv_fixtures::dataset;
use idv_fixtures::labels::Label;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_generator_renders_the_same_pixels_as_natively() {
    assert_eq!(
        dataset::digest(5, &[0, 3, 7, 12], 0.15),
        dataset::GOLDEN_DIGEST
    );
}

#[wasm_bindgen_test]
fn engine_judges_generated_scenes_in_the_browser() {
    let mut analyzer = Analyzer::default();
    let (mut right, mut total) = (0, 0);
    for i in 0..40 {
        let scene = dataset::scene(20261125, i);
        if scene.truth.label == Label::Ambiguous {
            continue;
        }
        let img = &scene.image;
        analyzer.reset_motion();
        let v = analyzer.analyze(
            Frame::packed(&img.data, img.width, img.height).unwrap(),
            ImageType::DocumentFront,
        );
        total += 1;
        right += (v.feedback.as_str() == scene.truth.label.as_str()) as usize;
    }
    console_log!("wasm pre-check: {right}/{total} scenes judged as labelled");
    assert!(total >= 25, "too few labelled scenes: {total}");
    assert!(
        right as f64 >= 0.75 * total as f64,
        "{right}/{total} judged as labelled"
    );
}
