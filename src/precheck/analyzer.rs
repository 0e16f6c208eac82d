//! The per-frame pipeline. (Work in progress: the measures land with the pre-check engine.)

use super::{Feedback, Frame, Hints, ImageType, Scores, Verdict};

/// Decision thresholds. The defaults come from calibration on the generated fixture set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    pub min_sharpness: f32,
    pub max_glare: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            min_sharpness: 0.3,
            max_glare: 0.02,
        }
    }
}

/// Analyses frames. Create once; it owns every buffer it needs.
#[derive(Debug, Default)]
pub struct Analyzer {
    thresholds: Thresholds,
}

impl Analyzer {
    pub fn new(thresholds: Thresholds) -> Self {
        Self { thresholds }
    }

    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// Analyses one frame for the given image type.
    pub fn analyze(&mut self, frame: Frame<'_>, kind: ImageType) -> Verdict {
        let _ = kind;
        Verdict {
            feedback: Feedback::Ok,
            hints: Hints::default(),
            scores: Scores {
                brightness: super::mean_luma(frame) as f32 / 255.0,
                frame_width: frame.width(),
                frame_height: frame.height(),
                ..Scores::default()
            },
        }
    }
}
