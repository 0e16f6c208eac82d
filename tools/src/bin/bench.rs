//! `bench [--frames DIR] [--runs N]`: times the pre-check natively on generated frames of
//! 640x480, 1280x720 and 1920x1080, and prints one JSON object per size.
//! With `--frames`, also writes each frame as raw RGBA (`WxH.rgba`) for the browser benchmark,
//! so both measure the same pixels.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use idv_capture::precheck::{Analyzer, Frame, ImageType};
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
        let mut analyzer = Analyzer::default();
        let mut feedback = None;
        for _ in 0..20 {
            feedback = Some(analyzer.analyze(frame, ImageType::DocumentFront).feedback);
        }
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(analyzer.analyze(frame, ImageType::DocumentFront));
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let q = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
        println!(
            "{}",
            json!({"width": w, "height": h, "median": q(0.5), "p95": q(0.95), "runs": runs, "feedback": feedback})
        );
    }
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!("usage: bench [--frames DIR] [--runs N] [--size WxH]");
    ExitCode::from(2)
}
