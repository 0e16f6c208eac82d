//! # idv-capture
//!
//! The browser side of an identity-document verification session against the Transmit Security
//! Verify API: camera, on-device quality pre-check, auto-capture and upload.
//!
//! The crate is a pure core with a thin browser shell:
//! - [`precheck`]: image analysis on RGBA frames. Plain Rust, tested natively.
//! - [`protocol`]: the Verify API's codes and wire types.
//! - [`camera`]: which camera to open, at what resolution.
//! - [`capture`]: the live loop's policy: analyse, keep the best still frame, auto-capture.
//! - [`session`]: the verification session as a pure state machine, driven by the browser shell.
//! - [`upload`]: crop, JPEG encoding and the upload body; the file-upload path's decoder.
//! - `web` (wasm32 only): wires the camera, fetch and JS events to the core, and exports the JS API.

pub mod camera;
pub mod capture;
pub mod precheck;
pub mod protocol;
pub mod session;
pub mod text;
pub mod upload;

#[cfg(target_arch = "wasm32")]
mod web;
#[cfg(target_arch = "wasm32")]
pub use web::{IdvCapture, Session};

// The library's own wasm unit tests (the SIMD128 kernels held to their scalar forms) run in
// headless Chromium with the rest of `wasm-pack test --headless --chrome`.
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
