//! Decides when to capture: after the document has held still with an `ok` verdict long enough,
//! and which frame of that still window is the sharpest.

use super::geometry::dist;
use super::{Feedback, Hint, Quad, Verdict};

/// Tuning of the stillness test. Defaults follow Stripe Identity's shipping values
/// (500 ms still, IoU ≥ 0.95).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StabilizerConfig {
    /// How long the verdict must stay `ok` and the document still, in ms.
    pub hold_ms: f64,
    /// Two outlines count as the same position at this IoU or more…
    pub min_iou: f32,
    /// …or when no corner moved more than this fraction of the outline's diagonal.
    pub max_corner_drift: f32,
    /// Without an outline (selfie): the largest frame-to-frame motion score that counts as still.
    pub max_motion: f32,
    /// Consecutive frames where the outline is lost or jumps elsewhere that the window survives.
    /// Outline detection flickers on single frames (a camera's noise, a hand's shadow); a real
    /// move shows up in every following frame and restarts the window soon after.
    pub max_misses: u32,
}

impl Default for StabilizerConfig {
    fn default() -> Self {
        Self {
            hold_ms: 500.0,
            min_iou: 0.95,
            max_corner_drift: 0.02,
            max_motion: 0.02,
            max_misses: 2,
        }
    }
}

/// What [`Stabilizer::push`] says about the frame just pushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StabilizerUpdate {
    /// This frame is the sharpest of the current still window: keep it (the caller copies the
    /// full-resolution frame now, as the stabilizer holds no pixels).
    pub is_best: bool,
    /// The window has lasted `hold_ms`: capture the kept best frame.
    pub ready: bool,
}

/// Watches successive verdicts.
///
/// ```
/// use idv_capture::precheck::{Feedback, Hints, Scores, Stabilizer, Verdict};
/// let mut s = Stabilizer::default();
/// let ok = Verdict { feedback: Feedback::Ok, hints: Hints::default(), scores: Scores { sharpness: 0.8, ..Scores::default() } };
/// let mut v = ok;
/// assert!(!s.push(&mut v, 0.0).ready);
/// let mut v = ok;
/// assert!(s.push(&mut v, 600.0).ready);
/// ```
#[derive(Debug, Default)]
pub struct Stabilizer {
    config: StabilizerConfig,
    window_start: Option<f64>,
    anchor: Option<Quad>,
    best_sharpness: f32,
    best_at: f64,
    misses: u32,
}

impl Stabilizer {
    pub fn new(config: StabilizerConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// Starts over (after a capture, or on a new step).
    pub fn reset(&mut self) {
        self.window_start = None;
        self.anchor = None;
        self.best_sharpness = 0.0;
        self.best_at = 0.0;
        self.misses = 0;
    }

    /// Counts a frame that does not fit the open window; true while the window may survive it.
    fn tolerate_miss(&mut self) -> bool {
        if self.window_start.is_some() && self.misses < self.config.max_misses {
            self.misses += 1;
            true
        } else {
            false
        }
    }

    /// Timestamp (ms) of the best frame of the current window, if a window is open.
    pub fn best_timestamp(&self) -> Option<f64> {
        self.window_start.map(|_| self.best_at)
    }

    fn same_place(&self, a: &Quad, q: &Quad) -> bool {
        let diag = dist(a.0[0], a.0[2]).max(1.0);
        let drift =
            a.0.iter()
                .zip(q.0.iter())
                .map(|(p, r)| dist(*p, *r))
                .fold(0.0, f32::max);
        a.iou(q) >= self.config.min_iou || drift <= self.config.max_corner_drift * diag
    }

    /// Feeds the verdict of the frame taken at `t_ms`. Adds [`Hint::HoldStill`] to it while the
    /// frame is good but moving or not yet held long enough.
    pub fn push(&mut self, v: &mut Verdict, t_ms: f64) -> StabilizerUpdate {
        let good = v.feedback == Feedback::Ok
            && !v.hints.contains(Hint::PartlyOutOfFrame)
            && !v.hints.contains(Hint::TooFar);
        let not_ready = StabilizerUpdate {
            is_best: false,
            ready: false,
        };
        if !good {
            // A lost outline may be a detection flicker; a measured defect (blur, glare) is not.
            let lost = matches!(
                v.feedback,
                Feedback::DocumentNotFound | Feedback::FaceNotFound
            );
            if !(lost && self.tolerate_miss()) {
                self.reset();
            }
            return not_ready;
        }
        let still = self.window_start.is_some()
            && match (self.anchor, v.scores.outline()) {
                (Some(a), Some(q)) => self.same_place(&a, &q),
                // No outline: stillness is the frame's own motion.
                (None, None) => v.scores.motion <= self.config.max_motion,
                _ => false,
            };
        if !still && self.anchor.is_some() && v.scores.outline().is_some() && self.tolerate_miss() {
            v.hints.insert(Hint::HoldStill);
            return not_ready;
        }
        if !still {
            self.misses = 0;
            self.window_start = Some(t_ms);
            self.anchor = v.scores.outline();
            self.best_sharpness = v.scores.sharpness;
            self.best_at = t_ms;
            v.hints.insert(Hint::HoldStill);
            return StabilizerUpdate {
                is_best: true,
                ready: false,
            };
        }
        self.misses = 0;
        let is_best = v.scores.sharpness > self.best_sharpness;
        if is_best {
            self.best_sharpness = v.scores.sharpness;
            self.best_at = t_ms;
        }
        let ready = t_ms - self.window_start.unwrap_or(t_ms) >= self.config.hold_ms;
        if !ready {
            v.hints.insert(Hint::HoldStill);
        }
        StabilizerUpdate { is_best, ready }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precheck::{Hints, Point, Quad, Scores};

    fn verdict(fb: Feedback, x: f32, sharp: f32) -> Verdict {
        let q = Quad([
            Point { x, y: 100.0 },
            Point {
                x: x + 300.0,
                y: 100.0,
            },
            Point {
                x: x + 300.0,
                y: 290.0,
            },
            Point { x, y: 290.0 },
        ]);
        Verdict {
            feedback: fb,
            hints: Hints::default(),
            scores: Scores {
                quad: Some(q),
                sharpness: sharp,
                ..Scores::default()
            },
        }
    }

    #[test]
    fn ready_after_hold_time_and_keeps_the_sharpest() {
        let mut s = Stabilizer::default();
        let sharp = [0.5, 0.7, 0.6, 0.65, 0.62, 0.61, 0.6];
        let mut ups = Vec::new();
        for (i, &sh) in sharp.iter().enumerate() {
            let mut v = verdict(Feedback::Ok, 100.0 + (i % 2) as f32, sh);
            ups.push(s.push(&mut v, i as f64 * 100.0));
        }
        assert!(!ups[4].ready && ups[5].ready, "{ups:?}");
        assert!(ups[1].is_best && !ups[2].is_best);
        assert_eq!(s.best_timestamp(), Some(100.0));
    }

    #[test]
    fn motion_or_a_bad_verdict_restarts_the_window() {
        let mut s = Stabilizer::default();
        let mut t = 0.0;
        for x in [100.0, 100.0, 100.0, 160.0, 160.0, 160.0, 160.0, 160.0] {
            let mut v = verdict(Feedback::Ok, x, 0.5);
            let u = s.push(&mut v, t);
            assert!(!u.ready || t >= 800.0, "ready too early at {t}");
            t += 100.0;
        }
        let mut v = verdict(Feedback::Blur, 160.0, 0.1);
        assert!(!s.push(&mut v, t).ready);
        let mut v = verdict(Feedback::Ok, 160.0, 0.5);
        let u = s.push(&mut v, t + 100.0);
        assert!(!u.ready && v.hints.contains(Hint::HoldStill));
    }

    #[test]
    fn a_flickering_outline_does_not_restart_the_window_but_a_real_move_does() {
        let mut s = Stabilizer::default();
        // Held at x=100; frame 2 finds another outline, frame 4 none: both are flickers.
        let script = [
            (Feedback::Ok, 100.0),
            (Feedback::Ok, 100.0),
            (Feedback::Ok, 150.0),
            (Feedback::Ok, 100.0),
            (Feedback::DocumentNotFound, 100.0),
            (Feedback::Ok, 100.0),
        ];
        let ups: Vec<_> = script
            .iter()
            .enumerate()
            .map(|(i, &(fb, x))| s.push(&mut verdict(fb, x, 0.5), i as f64 * 100.0))
            .collect();
        assert!(ups[5].ready, "{ups:?}");
        // Moved to x=200 for good: three frames there restart the window at the new place.
        let mut t = 600.0;
        for _ in 0..3 {
            assert!(!s.push(&mut verdict(Feedback::Ok, 200.0, 0.5), t).ready);
            t += 100.0;
        }
        let mut last = s.push(&mut verdict(Feedback::Ok, 200.0, 0.5), t);
        assert!(!last.ready, "the new window has only just opened");
        for _ in 0..5 {
            t += 100.0;
            last = s.push(&mut verdict(Feedback::Ok, 200.0, 0.5), t);
        }
        assert!(last.ready);
    }
}
