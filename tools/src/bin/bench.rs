//! `bench [--frames DIR] [--runs N]`: times the pre-check natively on generated frames of
//! 640x480, 1280x720 and 1920x1080, and prints one JSON object per size; then the selfie's face
//! detector on a 640x480 frame of the committed astronaut photo (`{"face": true, ...}`), and
//! (without `--size`) a 1280x720 frame with no card (`{"no_card": true, ...}`).
//! With `--frames`, also writes each frame as raw RGBA (`WxH.rgba`, `selfie-640x480.rgba`) for
//! the browser benchmark, so both measure the same pixels.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use idv_capture::precheck::{Analyzer, FaceDetector, Feedback, Frame, ImageType};
use serde_json::json;

const SIZES: [(u32, u32); 3] = [(640, 480), (1280, 720), (1920, 1080)];

fn main() -> ExitCode {
    let mut frames_dir: Option<PathBuf> = None;
    let mut runs = 300usize;
    let mut only: Option<(u32, u32)> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--frames", Some(d)) => frames_dir = Some(d.into()),
            ("--size", Some(wh)) => match wh.split_once('x').map(|(w, h)| (w.parse(), h.parse())) {
                Some((Ok(w), Ok(h))) => only = Some((w, h)),
                _ => return usage(),
            },
            ("--runs", Some(n)) => match n.parse() {
                Ok(n) => runs = n,
                Err(_) => return usage(),
            },
            _ => return usage(),
        }
    }
    let sizes = only.map(|s| vec![s]).unwrap_or(SIZES.to_vec());
    for (w, h) in sizes {
        let Some(rgba) = idv_tools::bench_frame(w, h) else {
            eprintln!("bench: the generator makes no {w}x{h} scene");
            return ExitCode::FAILURE;
        };
        if let Some(dir) = &frames_dir {
            if let Err(e) = std::fs::create_dir_all(dir)
                .and_then(|_| std::fs::write(dir.join(format!("{w}x{h}.rgba")), &rgba))
            {
                eprintln!("bench: cannot write frames: {e}");
                return ExitCode::FAILURE;
            }
        }
        let frame = match Frame::packed(&rgba, w, h) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("bench: {e}");
                return ExitCode::FAILURE;
            }
        };
        let (median, p95, feedback) = time_document(frame, runs);
        println!(
            "{}",
            json!({"width": w, "height": h, "median": median, "p95": p95, "runs": runs, "feedback": feedback})
        );
    }
    if only.is_none() {
        if let Err(code) = empty(runs) {
            return code;
        }
    }
    face(frames_dir.as_deref(), runs)
}

/// A 1280x720 frame with no card: the most the document pre-check does on a frame (every
/// outline search, luma and colour, before `document_not_found`).
fn empty(runs: usize) -> Result<(), ExitCode> {
    let (w, h) = (1280, 720);
    let Some(rgba) = idv_tools::bench_empty_frame(w, h) else {
        eprintln!("bench: the generator makes no {w}x{h} scene without a card");
        return Err(ExitCode::FAILURE);
    };
    let frame = Frame::packed(&rgba, w, h).map_err(|e| {
        eprintln!("bench: {e}");
        ExitCode::FAILURE
    })?;
    let (median, p95, feedback) = time_document(frame, runs);
    println!(
        "{}",
        json!({"no_card": true, "width": w, "height": h, "median": median, "p95": p95, "runs": runs, "feedback": feedback})
    );
    Ok(())
}

/// Median and p95 (ms) of `runs` document analyses of `frame` after a warm-up of 20, and the
/// verdict.
fn time_document(frame: Frame<'_>, runs: usize) -> (f64, f64, Feedback) {
    let mut analyzer = Analyzer::default();
    let mut feedback = Feedback::Other;
    for _ in 0..20 {
        feedback = analyzer.analyze(frame, ImageType::DocumentFront).feedback;
    }
    let times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(analyzer.analyze(frame, ImageType::DocumentFront));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let (median, p95) = quantiles(times);
    (median, p95, feedback)
}

fn quantiles(mut times: Vec<f64>) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    let q = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    (q(0.5), q(0.95))
}

/// The face detector alone, on the astronaut photo framed as a 640x480 selfie.
fn face(frames_dir: Option<&std::path::Path>, runs: usize) -> ExitCode {
    let photo =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/photos/astronaut.jpg");
    let img = match idv_tools::load_rgba(&photo) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("bench: {}: {e}", photo.display());
            return ExitCode::FAILURE;
        }
    };
    // A selfie's framing: the face about 40 % of the frame's short side, centred.
    let (w, h) = (640u32, 480u32);
    let crop = image::imageops::crop_imm(&img, 90, 30, 272, 204).to_image();
    let frame_img = image::imageops::resize(&crop, w, h, image::imageops::FilterType::Triangle);
    if let Some(dir) = frames_dir {
        if let Err(e) = std::fs::write(dir.join("selfie-640x480.rgba"), frame_img.as_raw()) {
            eprintln!("bench: cannot write frames: {e}");
            return ExitCode::FAILURE;
        }
    }
    let Ok(frame) = Frame::packed(frame_img.as_raw(), w, h) else {
        return ExitCode::FAILURE;
    };
    let mut detector = match FaceDetector::new() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let faces = detector.detect(frame).len();
    for _ in 0..20 {
        detector.detect(frame);
    }
    let times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(detector.detect(frame));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let (median, p95) = quantiles(times);
    println!(
        "{}",
        json!({"face": true, "width": w, "height": h, "median": median, "p95": p95, "runs": runs, "faces": faces})
    );
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!("usage: bench [--frames DIR] [--runs N] [--size WxH]");
    ExitCode::from(2)
}
