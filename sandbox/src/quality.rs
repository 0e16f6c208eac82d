//! The per-image quality verdict: the core's pre-check engine, run natively on the decoded pixels.
//!
//! It sits behind a trait so tests of the sandbox's own bookkeeping (rejected images, missing
//! types) can force a verdict without depending on how the engine judges a given picture.

use std::fmt;

use idv_capture::precheck::{Analyzer, Frame, Thresholds};
use idv_capture::protocol::{Feedback, ImageType};

/// Judges one image the way the Verify server would.
pub trait QualityCheck: Send + Sync + 'static {
    fn check(&self, frame: Frame<'_>, image_type: ImageType) -> Feedback;
}

/// Any `Fn(Frame, ImageType) -> Feedback` is a checker.
impl<F> QualityCheck for F
where
    F: Fn(Frame<'_>, ImageType) -> Feedback + Send + Sync + 'static,
{
    fn check(&self, frame: Frame<'_>, image_type: ImageType) -> Feedback {
        self(frame, image_type)
    }
}

/// The default: `idv_capture::precheck::Analyzer` with its default thresholds, so the sandbox
/// answers exactly what the on-device pre-check predicts.
#[derive(Clone, Copy, Default)]
pub struct PrecheckEngine {
    pub thresholds: Thresholds,
}

impl QualityCheck for PrecheckEngine {
    fn check(&self, frame: Frame<'_>, image_type: ImageType) -> Feedback {
        // An Analyzer owns its scratch buffers; one per request keeps requests independent.
        Analyzer::new(self.thresholds)
            .analyze(frame, image_type)
            .feedback
    }
}

impl fmt::Debug for PrecheckEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrecheckEngine").finish_non_exhaustive()
    }
}
