//! On-device image quality analysis that predicts the Verify server's feedback codes.

mod frame;
mod luma;

pub use frame::{Frame, FrameError};
pub use luma::mean_luma;
