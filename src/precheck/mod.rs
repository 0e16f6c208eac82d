//! On-device image quality analysis that predicts the Verify server's feedback codes.
//!
//! [`Analyzer`] turns an RGBA [`Frame`] into a [`Verdict`]; [`Stabilizer`] watches successive
//! verdicts and says when to capture, and which frame.

mod analyzer;
mod face;
mod frame;
mod geometry;
mod luma;
mod plane;
mod pyramid;
mod quad;
mod sharpness;
mod stabilizer;
mod verdict;
mod warp;

pub use crate::protocol::{Feedback, ImageType};
pub use analyzer::{Analyzer, CardSignature, Thresholds};
pub use face::{assess, Face, FaceDetector, FaceLimits, ModelError, KEYPOINTS};
pub use frame::{Frame, FrameError};
pub use luma::mean_luma;
pub use stabilizer::{Stabilizer, StabilizerConfig, StabilizerUpdate};
pub use verdict::{FaceBox, Hint, Hints, Point, Quad, Scores, Verdict};
#[cfg(feature = "diagnostics")]
pub use {analyzer::OutlineReport, quad::SideReport};
