//! The per-frame pipeline: downscale, find the document, rectify it, then measure sharpness,
//! glare and exposure on the document itself.

use super::geometry::Homography;
use super::plane::{Histogram, Plane};
use super::pyramid;
use super::quad::QuadDetector;
use super::sharpness::{Rect, Sharpness};
use super::{Feedback, Frame, Hint, Hints, ImageType, Point, Quad, Scores, Verdict};

/// The rectified document: ID-1's 1.586 aspect, long side 320 px. The normalised scale at which
/// sharpness means the same for every camera and distance.
const DOC_W: usize = 320;
const DOC_H: usize = 202;
/// The selfie's central face region (the oval guide's box), rectified to this size.
const FACE_W: usize = 160;
const FACE_H: usize = 208;
/// Thumbnail for frame-to-frame motion.
const THUMB_W: usize = 40;
const THUMB_H: usize = 30;

/// Decision thresholds.
///
/// The defaults were chosen from ROC curves on the generated fixture set
/// (`cargo run --release -p idv-tools --bin calibrate`), where labels are defined in
/// document-relative units (blur of at least 0.7 % of the card's long side is `blur`, at most
/// 0.25 % is sharp), never from the measures themselves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// Below this sharpness (0–1) a document is `blur`.
    pub min_sharpness: f32,
    /// Above this glare fraction a document is `glare`.
    pub max_glare: f32,
    /// Below this sharpness the selfie's face region is `blur_selfie`.
    pub min_selfie_sharpness: f32,
    /// Above this glare fraction the face region is `glare_selfie`.
    pub max_selfie_glare: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            min_sharpness: 0.30,
            max_glare: 0.015,
            min_selfie_sharpness: 0.20,
            max_selfie_glare: 0.02,
        }
    }
}

/// Analyses frames. Create one and keep it: it owns every buffer the analysis needs, so after
/// the first frame of a given size, [`Analyzer::analyze`] allocates nothing.
///
/// ```
/// use idv_capture::precheck::{Analyzer, Feedback, Frame, ImageType};
/// let grey = vec![128u8; 640 * 480 * 4];
/// let mut analyzer = Analyzer::default();
/// let verdict = analyzer.analyze(Frame::packed(&grey, 640, 480).unwrap(), ImageType::DocumentFront);
/// assert_eq!(verdict.feedback, Feedback::DocumentNotFound);
/// ```
#[derive(Debug, Default)]
pub struct Analyzer {
    thresholds: Thresholds,
    acc: Vec<u32>,
    luma: Plane,
    spread: Plane,
    half: Plane,
    rect_luma: Plane,
    rect_spread: Plane,
    quads: QuadDetector,
    sharpness: Sharpness,
    hist: Histogram,
    thumb: Vec<u8>,
    prev_thumb: Vec<u8>,
    has_prev: bool,
}

impl Analyzer {
    pub fn new(thresholds: Thresholds) -> Self {
        Self {
            thresholds,
            ..Self::default()
        }
    }

    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    pub fn set_thresholds(&mut self, t: Thresholds) {
        self.thresholds = t;
    }

    /// Forgets the previous frame, so the next motion score starts afresh (e.g. on a new step).
    pub fn reset_motion(&mut self) {
        self.has_prev = false;
    }

    /// Analyses one frame for the given image type.
    pub fn analyze(&mut self, frame: Frame<'_>, kind: ImageType) -> Verdict {
        let f = pyramid::factor_for(frame.width(), frame.height());
        pyramid::downscale(frame, f, &mut self.acc, &mut self.luma, &mut self.spread);
        let mut scores = Scores {
            frame_width: frame.width(),
            frame_height: frame.height(),
            ..Scores::default()
        };
        scores.motion = self.motion();
        let mut hints = Hints::default();
        let feedback = if kind.is_document() {
            self.document(f, &mut scores, &mut hints)
        } else {
            self.selfie(&mut scores, &mut hints)
        };
        Verdict {
            feedback,
            hints,
            scores,
        }
    }

    fn document(&mut self, f: usize, scores: &mut Scores, hints: &mut Hints) -> Feedback {
        self.half.half_of(&self.luma);
        let Some(found) = self.quads.detect(&self.half) else {
            // Still report tone over the whole frame, so a UI can say "too dark" before anything else.
            self.tone_of_plane(scores, hints);
            return Feedback::DocumentNotFound;
        };
        // Half-plane pixel -> frame pixel: the half plane is 2f frame pixels per pixel.
        let quad = found.quad.scaled(2.0 * f as f32, 0.0);
        scores.quad = Some(quad);
        scores.quad_confidence = found.support;
        let (fw, fh) = (scores.frame_width as f32, scores.frame_height as f32);
        scores.coverage = (quad.area() / (fw * fh)).min(1.0);
        let c = quad.centroid();
        scores.offset_x = c.x / fw - 0.5;
        scores.offset_y = c.y / fh - 0.5;
        let out = position_hints(&quad, fw, fh, hints);

        // Rectify from the working plane, or its half when the card is large there: both are
        // area-averaged, so the resampling to 320 px does not alias.
        let q_work = found.quad.scaled(2.0, 0.0);
        let long = q_work.sides().into_iter().fold(0.0f32, f32::max);
        let (src_scale, use_half) = if long > 1.5 * DOC_W as f32 {
            (0.5, true)
        } else {
            (1.0, false)
        };
        let q_src = q_work.scaled(src_scale, 0.0);
        let q_src = landscape(&q_src);
        if let Some(hm) = Homography::rect_to_quad(DOC_W as f32, DOC_H as f32, &q_src) {
            let src = if use_half { &self.half } else { &self.luma };
            warp(src, &hm, &mut self.rect_luma, DOC_W, DOC_H);
            // Colour spread only matters for glare, which needs no more than the working plane.
            let hs = if use_half {
                Homography::rect_to_quad(DOC_W as f32, DOC_H as f32, &landscape(&q_work))
            } else {
                Some(hm)
            };
            if let Some(hs) = hs {
                warp(&self.spread, &hs, &mut self.rect_spread, DOC_W, DOC_H);
            }
        }
        let inner = Rect::inset(DOC_W, DOC_H, 0.05);
        scores.sharpness = 1.0 - self.sharpness.blur(&self.rect_luma, inner);
        self.tone(inner, scores, hints);

        if out {
            Feedback::DocumentNotFound
        } else if scores.sharpness < self.thresholds.min_sharpness {
            Feedback::Blur
        } else if scores.glare > self.thresholds.max_glare {
            Feedback::Glare
        } else {
            Feedback::Ok
        }
    }

    fn selfie(&mut self, scores: &mut Scores, hints: &mut Hints) -> Feedback {
        // The oval guide: centred, 62 % of the short side tall, 3:4.
        let (w, h) = (self.luma.w as f32, self.luma.h as f32);
        let oh = 0.62 * w.min(h);
        let ow = 0.75 * oh;
        let (x0, y0) = ((w - ow) / 2.0, (h - oh) / 2.0);
        let q = Quad([
            Point { x: x0, y: y0 },
            Point { x: x0 + ow, y: y0 },
            Point {
                x: x0 + ow,
                y: y0 + oh,
            },
            Point { x: x0, y: y0 + oh },
        ]);
        if let Some(hm) = Homography::rect_to_quad(FACE_W as f32, FACE_H as f32, &q) {
            warp(&self.luma, &hm, &mut self.rect_luma, FACE_W, FACE_H);
            warp(&self.spread, &hm, &mut self.rect_spread, FACE_W, FACE_H);
        }
        // The box inscribed in the oval: eyes, nose and mouth, not the background at its corners.
        let inner = Rect::inset(FACE_W, FACE_H, 0.146);
        scores.sharpness = 1.0 - self.sharpness.blur(&self.rect_luma, inner);
        self.tone(inner, scores, hints);
        if scores.sharpness < self.thresholds.min_selfie_sharpness {
            Feedback::BlurSelfie
        } else if scores.glare > self.thresholds.max_selfie_glare {
            Feedback::GlareSelfie
        } else {
            Feedback::Ok
        }
    }

    /// Exposure and glare over `r` of the rectified region.
    fn tone(&mut self, r: Rect, scores: &mut Scores, hints: &mut Hints) {
        self.hist.clear();
        for y in r.y0..r.y1 {
            for &v in &self.rect_luma.row(y)[r.x0..r.x1] {
                self.hist.add(v);
            }
        }
        // Specular glare is clipped, colourless, and brighter than the document's own white:
        // a white card that is simply well lit is not glare.
        let median = self.hist.quantile(0.5);
        let floor = GLARE_LEVEL.max(median.saturating_add(12));
        let mut glare = 0u32;
        for y in r.y0..r.y1 {
            let (l, s) = (self.rect_luma.row(y), self.rect_spread.row(y));
            for x in r.x0..r.x1 {
                glare += (l[x] >= floor && s[x] <= GLARE_MAX_SPREAD) as u32;
            }
        }
        scores.glare = glare as f32 / self.hist.total().max(1) as f32;
        exposure(&self.hist, scores, hints);
    }

    fn tone_of_plane(&mut self, scores: &mut Scores, hints: &mut Hints) {
        self.hist.clear();
        for &v in &self.luma.data[..self.luma.w * self.luma.h] {
            self.hist.add(v);
        }
        exposure(&self.hist, scores, hints);
    }

    /// Mean absolute difference (0–1) between this frame's thumbnail and the previous one.
    fn motion(&mut self) -> f32 {
        self.thumb.resize(THUMB_W * THUMB_H, 0);
        let (sx, sy) = (
            self.luma.w as f32 / THUMB_W as f32,
            self.luma.h as f32 / THUMB_H as f32,
        );
        for ty in 0..THUMB_H {
            for tx in 0..THUMB_W {
                let v = self
                    .luma
                    .sample((tx as f32 + 0.5) * sx, (ty as f32 + 0.5) * sy);
                self.thumb[ty * THUMB_W + tx] = v as u8;
            }
        }
        let m = if self.has_prev && self.prev_thumb.len() == self.thumb.len() {
            let s: u32 = self
                .thumb
                .iter()
                .zip(&self.prev_thumb)
                .map(|(a, b)| a.abs_diff(*b) as u32)
                .sum();
            s as f32 / (self.thumb.len() as f32 * 255.0)
        } else {
            0.0
        };
        std::mem::swap(&mut self.thumb, &mut self.prev_thumb);
        self.has_prev = true;
        m
    }
}

const GLARE_LEVEL: u8 = 247;
const GLARE_MAX_SPREAD: u8 = 28;

fn exposure(hist: &Histogram, scores: &mut Scores, hints: &mut Hints) {
    scores.brightness = hist.mean() / 255.0;
    scores.dark_clipped = hist.fraction_at_most(8);
    // Too dark: even the brightest tenth is dim. Too bright: even the darkest tenth is light, or a
    // quarter is blown out.
    if hist.quantile(0.9) < 70 {
        hints.insert(Hint::TooDark);
    }
    if hist.quantile(0.1) > 200 || hist.fraction_at_least(250) > 0.25 {
        hints.insert(Hint::TooBright);
    }
}

/// Position hints; true when the document is cut by the frame's edge.
fn position_hints(q: &Quad, fw: f32, fh: f32, hints: &mut Hints) -> bool {
    let margin = 0.01 * fw.min(fh);
    let out =
        q.0.iter()
            .any(|p| p.x < margin || p.y < margin || p.x > fw - margin || p.y > fh - margin);
    if out {
        hints.insert(Hint::PartlyOutOfFrame);
    }
    // Long side relative to the frame: a card should fill most of the guide.
    let [t, r, b, l] = q.sides();
    let long = ((t + b) / 2.0).max((l + r) / 2.0);
    let rel = long / fw.max(fh);
    if rel < 0.40 {
        hints.insert(Hint::TooFar);
    } else if rel > 0.95 || out {
        hints.insert(Hint::TooClose);
    }
    let c = q.centroid();
    if (c.x / fw - 0.5).abs() > 0.15 || (c.y / fh - 0.5).abs() > 0.15 {
        hints.insert(Hint::NotCentered);
    }
    out
}

/// Reorders corners so the first side is a long side: portrait-held cards rectify to landscape.
fn landscape(q: &Quad) -> Quad {
    let [t, r, b, l] = q.sides();
    if t + b >= l + r {
        *q
    } else {
        let p = q.0;
        Quad([p[3], p[0], p[1], p[2]])
    }
}

/// Resamples the region `hm` maps onto `(0..w) x (0..h)` from `src` into `dst`.
fn warp(src: &Plane, hm: &Homography, dst: &mut Plane, w: usize, h: usize) {
    dst.reset(w, h);
    for y in 0..h {
        for x in 0..w {
            let (sx, sy) = hm.map(x as f32 + 0.5, y as f32 + 0.5);
            dst.data[y * w + x] = src.sample(sx, sy).round() as u8;
        }
    }
}
