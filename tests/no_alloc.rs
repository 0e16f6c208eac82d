//! The frame loop must not allocate: after warm-up, `Analyzer::analyze` and `Stabilizer::push`
//! make zero heap allocations, checked with a counting global allocator.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use idv_capture::precheck::{Analyzer, Feedback, Frame, ImageType, Stabilizer};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A light card with dark text bars, slightly rotated, on a dark textured background.
fn card_frame(w: u32, h: u32, shift: f32) -> Vec<u8> {
    let (cx, cy) = (w as f32 / 2.0 + shift, h as f32 / 2.0);
    let (hw, hh) = (w as f32 * 0.32, w as f32 * 0.32 / 1.586);
    let (s, c) = (0.08f32.sin(), 0.08f32.cos());
    let mut px = vec![0u8; (w * h * 4) as usize];
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            let (u, v) = (c * dx + s * dy, -s * dx + c * dy);
            let inside = u.abs() < hw && v.abs() < hh;
            let text = inside
                && v.abs() < 0.8 * hh
                && u.abs() < 0.9 * hw
                && ((v / hh * 8.0).rem_euclid(1.0) < 0.3)
                && ((u / hw * 40.0).rem_euclid(1.0) < 0.6);
            let val = if text {
                40
            } else if inside {
                225
            } else {
                (50 + ((x * 7 + y * 13) % 23)) as u8
            };
            let i = ((y * w + x) * 4) as usize;
            px[i..i + 4].copy_from_slice(&[val, val, val.saturating_sub(10), 255]);
        }
    }
    px
}

/// The committed astronaut photo, scaled to the frame's height and centred on a grey wall: a
/// selfie with a real face, so the face detector's whole path runs (decode, NMS, face box).
fn selfie_frame(w: u32, h: u32, shift: i64) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/photos/astronaut.jpg");
    let photo = image::open(path).unwrap().to_rgba8();
    let face = image::imageops::resize(&photo, h, h, image::imageops::FilterType::Triangle);
    let mut frame = image::RgbaImage::from_pixel(w, h, image::Rgba([110, 112, 118, 255]));
    image::imageops::overlay(&mut frame, &face, (w - h) as i64 / 2 + shift, 0);
    frame.into_raw()
}

#[test]
fn analysis_allocates_nothing_after_warm_up() {
    let mut analyzer = Analyzer::default();
    let mut stabilizer = Stabilizer::default();
    for (w, h) in [(1280u32, 720u32), (640, 480)] {
        let frames: Vec<Vec<u8>> = (0..4).map(|i| card_frame(w, h, i as f32)).collect();
        // Warm-up at the largest size first grows every buffer once.
        for f in &frames {
            analyzer.analyze(Frame::packed(f, w, h).unwrap(), ImageType::DocumentFront);
        }
        let selfies: Vec<Vec<u8>> = (0..2).map(|i| selfie_frame(w, h, i)).collect();
        // A frame with no card takes every fallback of the outline search.
        let empty = vec![120u8; (w * h * 4) as usize];
        analyzer.analyze(Frame::packed(&frames[0], w, h).unwrap(), ImageType::Selfie);
        analyzer.analyze(Frame::packed(&selfies[0], w, h).unwrap(), ImageType::Selfie);
        analyzer.analyze(
            Frame::packed(&empty, w, h).unwrap(),
            ImageType::DocumentFront,
        );
        let before = ALLOCS.load(Ordering::SeqCst);
        let (mut seen_ok, mut seen_face) = (false, false);
        for (i, f) in frames.iter().cycle().take(12).enumerate() {
            let (kind, f) = match i % 4 {
                3 if i % 8 == 7 => (ImageType::DocumentFront, &empty),
                3 => (ImageType::Selfie, f),
                2 => (ImageType::Selfie, &selfies[i % 2]),
                _ => (ImageType::DocumentFront, f),
            };
            let mut v = analyzer.analyze(Frame::packed(f, w, h).unwrap(), kind);

            seen_ok |= kind == ImageType::DocumentFront && v.feedback == Feedback::Ok;
            seen_face |= kind == ImageType::Selfie && v.scores.faces == 1;
            stabilizer.push(&mut v, i as f64 * 33.0);
        }
        let after = ALLOCS.load(Ordering::SeqCst);
        assert_eq!(
            after - before,
            0,
            "{w}x{h}: {} allocations in 12 frames",
            after - before
        );
        assert!(
            seen_ok,
            "{w}x{h}: the card was never found, so the full pipeline did not run"
        );
        assert!(seen_face, "{w}x{h}: no face was found in the selfie frames");
    }
}
