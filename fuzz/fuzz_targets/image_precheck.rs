//! A picked file, natively: the header check (`upload::probe`), the JPEG/PNG decoder
//! (`upload::decode_file`, bounded by `MAX_SIDE` and `image::Limits`), then the pre-check
//! (`precheck::Analyzer::analyze`) on the decoded RGBA for each image type, as the file-upload
//! path does. Nothing may panic; the decoded size must respect the bounds.
#![no_main]

use idv_capture::precheck::{Analyzer, Frame, ImageType};
use idv_capture::upload::{decode_file, probe, MAX_SIDE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let probed = probe(data);
    let Ok(img) = decode_file(data) else {
        return;
    };
    let p = probed.expect("decode_file accepted a file that probe refuses");
    assert!(img.width <= MAX_SIDE && img.height <= MAX_SIDE);
    assert_eq!(
        (p.width, p.height),
        (img.width, img.height),
        "header and decoder disagree"
    );
    assert_eq!(img.rgba.len(), img.width as usize * img.height as usize * 4);
    let frame =
        Frame::packed(&img.rgba, img.width, img.height).expect("a decoded image is a frame");
    // One analyzer for the three types, as a capture flow keeps one: the second and third calls
    // also run the motion measure against the previous frame.
    let mut analyzer = Analyzer::default();
    for kind in ImageType::ALL {
        let verdict = analyzer.analyze(frame, kind);
        let _ = analyzer.card_signature();
        assert_eq!(verdict.scores.frame_width, img.width);
    }
});
