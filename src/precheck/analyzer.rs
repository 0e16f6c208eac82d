//! The per-frame pipeline: downscale, find the document, rectify it, then measure sharpness,
//! glare and exposure on the document itself.

use super::face::{assess, Face, FaceDetector, FaceLimits, CLEAR_FACE_SCORE};
use super::geometry::Homography;
use super::plane::{strip_max, Histogram, Plane};
use super::pyramid;
use super::quad::{Colours, QuadDetector};
use super::sharpness::{Rect, Sharpness};
use super::warp::warp;
use super::{FaceBox, Feedback, Frame, Hint, Hints, ImageType, Point, Quad, Scores, Verdict};

/// The rectified document: ID-1's 1.586 aspect, long side 320 px. The normalised scale at which
/// sharpness means the same for every camera and distance.
const DOC_W: usize = 320;
/// The card signature's grid: blocks of 20x20 px of the rectified card.
const SIG_W: usize = 16;
const SIG_H: usize = 10;

/// See [`Analyzer::card_signature`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CardSignature([f32; SIG_W * SIG_H]);

impl CardSignature {
    /// Correlation (−1 to 1) of two signatures, the better of as-is and turned 180°: a card
    /// turned upside down is still the same side.
    pub fn similarity(&self, other: &CardSignature) -> f32 {
        let n = self.0.len();
        let straight: f32 = self.0.iter().zip(&other.0).map(|(a, b)| a * b).sum();
        let turned: f32 = (0..n).map(|i| self.0[i] * other.0[n - 1 - i]).sum();
        straight.max(turned)
    }
}
const DOC_H: usize = 202;
/// Pixels summed across each direction sharpness is measured in (see `sharpness`): about the
/// height of small print on the rectified card, so letters' strokes stay whole in the sum, and 7 %
/// of the face box, less than the height of an eye. On faces 5 let the sensor noise of dim
/// frames read as detail (400 selfies each of seeds 7, 3, 5, 11, 1, 13, 17 and 23: 20 of 731
/// blurred faces read as sharp with 5, 8 with 7; 9 also failed 3 of 915 sharp ones).
const ACROSS: usize = 7;
/// How much blurrier than along the card's rows and columns its diagonals may read before they
/// decide the sharpness. Print runs along the rows and columns, so on a sharp card the diagonals
/// read a little blurrier: over the 555 sharp cards found in `calibrate` seeds 3, 5, 7 and 11, by
/// 0.02 at the median, 0.10 at the 95th percentile and 0.13 at the 98th.
const DIAGONAL_SLACK: f32 = 0.15;
/// Half the diagonal of the centre square [`Analyzer::diagonal_blur`] measures, as a share of
/// the rectified card's height: the square stays 5 % inside the card, as the row and column
/// measure does.
const DIAGONAL_REACH: f32 = 0.45;
/// The selfie's face box, rectified to this size for sharpness and glare: at most the width of
/// a face that passes the size check in a 640-px analysis frame (0.24 of 360-480 px, 86-115 px),
/// so an accepted face is hardly ever enlarged, and enlarging is what reads as blur.
const FACE_W: usize = 96;
const FACE_H: usize = 96;
/// Least share of the frame an outline found only on the eighth plane must cover. A smaller one
/// is under about 30 plane pixels long: its sides hold a few dozen edge points, no more than a
/// fold or a shadow in the background, and a card cut by the frame leaves such remnants too.
/// At 0.15, before the colour search: `calibrate` probe, seeds 7, 3, 5 and 11, 43 wrong (at
/// 0.18, 39: 4 parts of cut cards fewer, no card lost; at 0.21, 42; at 0.25, 44), held-out seeds
/// 1, 13, 17 and 23, 68 (at 0.18, 67).
const EIGHTH_MIN_COVERAGE: f32 = 0.18;
/// Least share of the frame an outline found only on the quarter plane must cover: the same
/// argument as [`EIGHTH_MIN_COVERAGE`], on a plane twice as fine. `calibrate` probe, seeds 7, 3,
/// 5 and 11: 39 -> 36 wrong (3 parts of cut cards or a card-like box fewer, no card lost; at 0.10
/// 38, at 0.18 36); held-out seeds 1, 13, 17 and 23: 67 -> 60 (at 0.10 61, at 0.18 61).
const QUARTER_MIN_COVERAGE: f32 = 0.15;
/// An identity document carries print on both sides: inside a blank outline (a phone's dark
/// screen, a picture frame, a plain box), the tones (5th to 95th percentile) span under a
/// twentieth of the scene's. Blur smears print but keeps the photo and bands apart: over 2,825
/// cards found in eight `calibrate` seeds (500 scenes each), the least was 0.145 of the scene,
/// a card smeared by motion blur 7 % of its length; blank objects read 0.005 and 0.017.
const BLANK_SPAN: i32 = 20;
/// Below this share of the half plane, an outline found there is checked for a larger one around
/// it on the quarter plane (`calibrate`, seeds 7, 3, 5 and 11: 2 photo boxes taken for the card
/// fewer, none newly wrong). At 0.2, 1 more, but a card of a fifth of the frame pays the quarter
/// search (`bench --size 640x480`: median 1.12 -> 1.68 ms). Under 0.15, the long side of a card
/// is under about 40 % of the frame's: a card held far off, which the user is asked to bring
/// closer anyway.
const SMALL_OUTLINE: f32 = 0.15;
/// The opponent colour channels searched where luma finds no card, as [`opponent`] weights:
/// red against green, and yellow (red and green) against blue, each at twice its difference,
/// so that a hue step as plain to the eye as a luma step meets the same thresholds.
/// `calibrate` probe, seeds 7, 3, 5 and 11: 51 -> 43 wrong (9 cards found, 1 false card); held-out
/// seeds 1, 13, 17 and 23: 78 -> 68. At once the difference: 44 and 72; at three times: 46 (the four seeds).
const OPPONENTS: [[i32; 3]; 2] = [[4, -4, 0], [2, 2, -4]];

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
        // Document sharpness: the best cut of the ROC pooled over `calibrate` seeds 1 (800
        // scenes), 3, 5, 7 and 11 (500 each) is 0.665, rounded down to the lenient side (sharp
        // documents' p5 is 0.69-0.73 per seed, blurred ones' p95 0.49-0.60). Selfies are
        // measured on the detected face box at 96 px: the committed real photos score 0.45-0.60
        // sharp in the posed scenes and 0.13-0.21 with a Gaussian blur of 3 % of the face width
        // (tools/tests/face_checks.rs); 0.40 sits between with room on both sides. The generated
        // set's ROC cuts agree (0.39-0.44 on seeds 1, 3, 5, 7 and 11). For document glare, the
        // ROC cut sits at 0.2 %, right above the ok cards' p95; 1 % of the area is the practical
        // bound (Regula's integrators use maxGlaringPart 0.01) and leaves real-world headroom. On
        // faces every clipped pixel counts (no halo test): real sharp portraits show up to 0.7 %
        // (a bright forehead), glared generated faces' p5 is 8 %, the ROC cut 3.7 %; 2 % is
        // between with room on both sides.
        Self {
            min_sharpness: 0.66,
            max_glare: 0.01,
            min_selfie_sharpness: 0.40,
            max_selfie_glare: 0.02,
        }
    }
}

impl Thresholds {
    /// The feedback for a measured region (a found document, or the selfie's face region).
    ///
    /// Glare before blur: a highlight wipes out the print under it, which also reads as lost
    /// detail, while blur does not create clipped highlights.
    pub fn judge(&self, kind: ImageType, scores: &Scores) -> Feedback {
        let (max_glare, min_sharpness, glare, blur) = if kind.is_document() {
            (
                self.max_glare,
                self.min_sharpness,
                Feedback::Glare,
                Feedback::Blur,
            )
        } else {
            (
                self.max_selfie_glare,
                self.min_selfie_sharpness,
                Feedback::GlareSelfie,
                Feedback::BlurSelfie,
            )
        };
        if scores.glare > max_glare {
            glare
        } else if scores.sharpness < min_sharpness {
            blur
        } else {
            Feedback::Ok
        }
    }
}

/// [`Analyzer::explain_outline`]'s account of each side (top, right, bottom, left).
#[cfg(feature = "diagnostics")]
#[derive(Clone, Copy, Debug)]
pub struct OutlineReport {
    pub half: [super::quad::SideReport; 4],
    pub quarter: [super::quad::SideReport; 4],
    pub eighth: [super::quad::SideReport; 4],
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
    half: Plane,
    quarter: Plane,
    eighth: Plane,
    rect_luma: Plane,
    /// `rect_luma` holds the document of the last analysed frame.
    has_card: bool,
    quads: QuadDetector,
    sharpness: Sharpness,
    hist: Histogram,
    thumb: Vec<u8>,
    prev_thumb: Vec<u8>,
    has_prev: bool,
    /// Made on the first selfie frame: its weights take a few ms and ~0.5 MB to decode.
    faces: Option<FaceDetector>,
    face_limits: FaceLimits,
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

    /// The appearance of the document found in the last analysed frame, as a brightness- and
    /// contrast-normalised grid of block means of the rectified card; `None` if that frame held no
    /// document. Two sides of a card compare low ([`CardSignature::similarity`]), the same side
    /// seen twice compares high, so a capture flow can tell that the card was not turned over.
    pub fn card_signature(&self) -> Option<CardSignature> {
        let r = &self.rect_luma;
        if !self.has_card || r.w < SIG_W || r.h < SIG_H {
            return None;
        }
        let mut v = [0.0f32; SIG_W * SIG_H];
        let (bw, bh) = (r.w / SIG_W, r.h / SIG_H);
        for (i, cell) in v.iter_mut().enumerate() {
            let (bx, by) = ((i % SIG_W) * bw, (i / SIG_W) * bh);
            let sum: u32 = (by..by + bh)
                .map(|y| r.row(y)[bx..bx + bw].iter().map(|&p| p as u32).sum::<u32>())
                .sum();
            *cell = sum as f32 / (bw * bh) as f32;
        }
        let mean = v.iter().sum::<f32>() / v.len() as f32;
        v.iter_mut().for_each(|x| *x -= mean);
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm < 1e-3 {
            return None;
        }
        v.iter_mut().for_each(|x| *x /= norm);
        Some(CardSignature(v))
    }

    /// How the outline detector saw the sides of a card whose true corners (frame pixels,
    /// top-left first, clockwise) are `truth`: on the half plane it searches first, and on the
    /// quarter and eighth planes it falls back to.
    #[cfg(feature = "diagnostics")]
    pub fn explain_outline(&mut self, frame: Frame<'_>, truth: Quad) -> OutlineReport {
        let f = pyramid::factor_for(frame.width(), frame.height());
        pyramid::downscale(frame, f, &mut self.acc, &mut self.luma);
        self.half.half_of(&self.luma);
        let t = truth.scaled(1.0 / (2.0 * f as f32), 0.0);
        let colours = |scale: usize| Some(Colours::new(frame, (scale * f) as f32));
        let half = self.quads.explain(&self.half, 1, colours(2), &t);
        self.quarter.half_of(&self.half);
        let quarter = self
            .quads
            .explain(&self.quarter, 2, colours(4), &t.scaled(0.5, 0.0));
        self.eighth.half_of(&self.quarter);
        let eighth = self
            .quads
            .explain(&self.eighth, 4, colours(8), &t.scaled(0.25, 0.0));
        OutlineReport {
            half,
            quarter,
            eighth,
        }
    }

    /// Forgets the previous frame, so the next motion score starts afresh (e.g. on a new step).
    pub fn reset_motion(&mut self) {
        self.has_prev = false;
    }

    /// Analyses one frame for the given image type.
    pub fn analyze(&mut self, frame: Frame<'_>, kind: ImageType) -> Verdict {
        let f = pyramid::factor_for(frame.width(), frame.height());
        pyramid::downscale(frame, f, &mut self.acc, &mut self.luma);
        let mut scores = Scores {
            frame_width: frame.width(),
            frame_height: frame.height(),
            ..Scores::default()
        };
        scores.motion = self.motion();
        self.has_card = false;
        let mut hints = Hints::default();
        let feedback = if kind.is_document() {
            self.document(frame, f, &mut scores, &mut hints)
        } else {
            self.selfie(frame, f, &mut scores, &mut hints)
        };
        Verdict {
            feedback,
            hints,
            scores,
        }
    }

    #[inline(never)]
    fn document(
        &mut self,
        frame: Frame<'_>,
        f: usize,
        scores: &mut Scores,
        hints: &mut Hints,
    ) -> Feedback {
        self.half.half_of(&self.luma);
        // A strongly blurred card has soft edges at this scale; a coarser one restores their
        // contrast. The eighth plane (80 px wide) is the last resort for a card blurred by 3-7 % of
        // its length, whose sides at the quarter still spread over several pixels and lose the
        // Hough vote to sharper clutter (wood grain, fabric).
        // Colours, in frame pixels per plane pixel: the half plane is 2f, the quarter 4f, the
        // eighth 8f.
        let colours = |scale: usize| Some(Colours::new(frame, (scale * f) as f32));
        let mut found = self.quads.detect(&self.half, 1, colours(2));
        let span = self.quads.tone_span();
        // A photo box or a block of print is a card-like rectangle inside a card. Where the outline
        // found is small, look on the quarter plane too, where fine print and small boxes lose the
        // vote to the card's own edges: an outline there that holds most of the small one is the
        // card.
        let half_area = (self.half.w * self.half.h) as f32;
        if let Some(small) = found.filter(|d| d.quad.area() < SMALL_OUTLINE * half_area) {
            self.quarter.half_of(&self.half);
            let a = small.quad.area();
            let around = self
                .quads
                .detect(&self.quarter, 2, colours(4))
                .map(|d| d.scaled(2.0))
                .filter(|d| d.quad.area() > 2.0 * a && d.quad.overlap(&small.quad) >= 0.5 * a);
            found = around.or(found);
        }
        for k in [2, 4] {
            if found.is_some() {
                break;
            }
            // k: half-plane pixels per pixel of this level.
            let (src, dst) = if k == 2 {
                (&self.half, &mut self.quarter)
            } else {
                (&self.quarter, &mut self.eighth)
            };
            dst.half_of(src);
            let least = if k == 4 {
                EIGHTH_MIN_COVERAGE
            } else {
                QUARTER_MIN_COVERAGE
            };
            let area = (dst.w * dst.h) as f32;
            found = self
                .quads
                .detect(dst, k as i32, colours(2 * k))
                .filter(|d| d.quad.area() >= least * area)
                .map(|d| d.scaled(k as f32));
        }
        if found.is_none() {
            // Luma finds no card where a card differs from the table in hue alone (lavender on
            // sage, navy on dark green, dark red on black): look at two opponent colour
            // channels, on the quarter plane's grid (its luma is no longer needed). At full
            // sensitivity: a colour plane is smooth, and the coarse levels' lowered thresholds let
            // the faint hue of paper on a white desk through. Only as large an outline as the
            // eighth level may give: a photo box is as colourful as a card.
            let (w, h) = (self.quarter.w, self.quarter.h);
            let least = EIGHTH_MIN_COVERAGE * (w * h) as f32;
            for weights in OPPONENTS {
                opponent(frame, 4 * f, weights, &mut self.quarter);
                found = self
                    .quads
                    .detect(&self.quarter, 1, colours(4))
                    .filter(|d| d.quad.area() >= least)
                    .map(|d| d.scaled(2.0));
                if found.is_some() {
                    break;
                }
            }
        }
        let Some(found) = found else {
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
        let Some(hm) = Homography::rect_to_quad(DOC_W as f32, DOC_H as f32, &q_src) else {
            self.tone_of_plane(scores, hints);
            return Feedback::DocumentNotFound;
        };
        // First, while `rect_luma` is free to hold the turned centre.
        let diagonal = self.diagonal_blur(use_half, &hm);
        let src = if use_half { &self.half } else { &self.luma };
        warp(src, &hm, &mut self.rect_luma, DOC_W, DOC_H);
        self.has_card = true;
        let to_frame = ToFrame {
            hm,
            scale: f as f32 / src_scale,
        };
        let inner = Rect::inset(DOC_W, DOC_H, 0.05);
        scores.sharpness = 1.0 - self.sharpness.blur(&self.rect_luma, inner, ACROSS);
        scores.sharpness = scores.sharpness.min(1.0 + DIAGONAL_SLACK - diagonal);
        self.tone(inner, frame, &to_frame, false, scores, hints);
        // `tone` left the document's histogram in `hist`.
        let print = self.hist.quantile(0.95) as i32 - self.hist.quantile(0.05) as i32;

        if out || print * BLANK_SPAN < span {
            Feedback::DocumentNotFound
        } else {
            self.thresholds.judge(ImageType::DocumentFront, scores)
        }
    }

    /// Blur along the card's diagonals: [`Sharpness::blur`] on the centre of the card, resampled
    /// from the working plane (or its half, `use_half`) through `hm`, the card's rectification,
    /// with its rows and columns turned 45°. It runs before the card itself is rectified, as it
    /// borrows `rect_luma`.
    ///
    /// Motion smears print along its own direction only. At a slant to the card's lines of
    /// print, the strokes that lie along it stay sharp across both the rows and the columns, and
    /// only a direction near the motion sees the smear. `calibrate` probe, seeds 7, 3, 5, 11, 1,
    /// 13, 17, 23, 29, 31, 37 and 41 (500 scenes each) and the default set: 6 cards smeared by
    /// motion of 1.3 to 2.8 times the labels' bound read as sharp; with this measure none does,
    /// and no card changed from sharp to blurred.
    fn diagonal_blur(&mut self, use_half: bool, hm: &Homography) -> f32 {
        let (cx, cy, d) = (
            DOC_W as f32 / 2.0,
            DOC_H as f32 / 2.0,
            DIAGONAL_REACH * DOC_H as f32,
        );
        let at = |x: f32, y: f32| {
            let (x, y) = hm.map(x, y);
            Point { x, y }
        };
        let diamond = Quad([
            at(cx - d, cy),
            at(cx, cy - d),
            at(cx + d, cy),
            at(cx, cy + d),
        ]);
        let side = (d * std::f32::consts::SQRT_2) as usize;
        let Some(hd) = Homography::rect_to_quad(side as f32, side as f32, &diamond) else {
            return 0.0;
        };
        let src = if use_half { &self.half } else { &self.luma };
        warp(src, &hd, &mut self.rect_luma, side, side);
        self.sharpness
            .blur(&self.rect_luma, Rect::inset(side, side, 0.0), ACROSS)
    }

    /// The selfie: find the face, judge its place in the frame, then measure sharpness and glare
    /// on the face box itself.
    #[inline(never)]
    fn selfie(
        &mut self,
        frame: Frame<'_>,
        f: usize,
        scores: &mut Scores,
        hints: &mut Hints,
    ) -> Feedback {
        if self.faces.is_none() {
            // The weights are compiled in and checked by tests, so this cannot fail in a build
            // that passed them; if it ever did, no face is ever found rather than a panic.
            self.faces = FaceDetector::new().ok();
        }
        let Some(detector) = self.faces.as_mut() else {
            self.tone_of_plane(scores, hints);
            return Feedback::FaceNotFound;
        };
        let mut faint = None;
        let faces = if detector.detect(frame).is_empty() {
            faint = detector.faint_face();
            // No whole face: perhaps one cut by the frame's edge (`face_cropped`, not
            // `face_not_found`: the user only has to move).
            detector.detect_at_edges(frame)
        } else {
            detector.faces()
        };
        let (fw, fh) = (frame.width() as f32, frame.height() as f32);
        let placement = assess(faces, fw, fh, &self.face_limits);
        scores.faces = faces.len() as u32;
        let Some(face) = faces.first().copied() else {
            // A face too faint for the detector's bar, that blur or glare plainly spoils: that is
            // what took its score down, and what the user has to fix. A faint face that measures
            // clean is not taken for a face.
            if let Some(face) = faint {
                let before = (*scores, *hints);
                let measured = self.face_tone(&face, frame, f, scores, hints);
                if let Some(m @ (Feedback::BlurSelfie | Feedback::GlareSelfie)) = measured {
                    scores.face = Some(FaceBox::from(&face));
                    return m;
                }
                (*scores, *hints) = before;
            }
            self.tone_of_plane(scores, hints);
            return Feedback::FaceNotFound;
        };
        let fb = FaceBox::from(&face);
        scores.face = Some(fb);
        scores.coverage = (face.width() * face.height() / (fw * fh)).clamp(0.0, 1.0);
        scores.offset_x = (face.x0 + face.x1) / (2.0 * fw) - 0.5;
        scores.offset_y = (face.y0 + face.y1) / (2.0 * fh) - 0.5;
        face_hints(placement, scores, hints);
        let Some(measured) = self.face_tone(&face, frame, f, scores, hints) else {
            self.tone_of_plane(scores, hints);
            return placement;
        };
        // Where the face is comes first: moving fixes it, and it changes blur and glare anyway.
        // Except the roll: it is read from the eye keypoints, which a highlight on the face
        // displaces (`calibrate`: 6 of 36 glared selfies read as rotated), so glare wins over it,
        // and so does clear blur, which smears them (17 of the 731 blurred faces counted at `ACROSS`
        // read as rotated).
        // Clear: under 3/4 of the bar, as a tilted face reads softer in its upright box (real
        // photos rolled 40 degrees: 0.38-0.52, upright 0.45-0.58).
        // Blur also swells the box: a box too large for an acceptable face, from a detection
        // under the score real faces reach, is a blurred face's when it measures blurred (9 of
        // 731 blurred faces got one, at 0.50-0.59 and 0.97-1.58 of the short side; no sharp one).
        match (placement, measured) {
            (Feedback::FaceTooClose, Feedback::BlurSelfie) if face.score < CLEAR_FACE_SCORE => {
                Feedback::BlurSelfie
            }
            (Feedback::FaceRotated, Feedback::GlareSelfie) => Feedback::GlareSelfie,
            (Feedback::FaceRotated, Feedback::BlurSelfie)
                if scores.sharpness < 0.75 * self.thresholds.min_selfie_sharpness =>
            {
                Feedback::BlurSelfie
            }
            (Feedback::Ok, m) => m,
            (p, _) => p,
        }
    }

    /// Sharpness, exposure and glare on the part of `face`'s box inside the frame, in the
    /// working plane (`f` frame pixels to its pixel), and the code they give; `None` for a box
    /// too degenerate to rectify.
    fn face_tone(
        &mut self,
        face: &Face,
        frame: Frame<'_>,
        f: usize,
        scores: &mut Scores,
        hints: &mut Hints,
    ) -> Option<Feedback> {
        let (fw, fh) = (frame.width() as f32, frame.height() as f32);
        let s = f as f32;
        let (x0, y0) = (face.x0.max(0.0) / s, face.y0.max(0.0) / s);
        let (x1, y1) = (face.x1.min(fw) / s, face.y1.min(fh) / s);
        let q = Quad::rect(x0, y0, (x1 - x0).max(1.0), (y1 - y0).max(1.0));
        let hm = Homography::rect_to_quad(FACE_W as f32, FACE_H as f32, &q)?;
        warp(&self.luma, &hm, &mut self.rect_luma, FACE_W, FACE_H);
        let to_frame = ToFrame { hm, scale: s };
        // The box runs from brows to chin; its outer tenth is mostly hair, ears and background.
        let inner = Rect::inset(FACE_W, FACE_H, 0.1);
        scores.sharpness = 1.0 - self.sharpness.blur(&self.rect_luma, inner, ACROSS);
        self.tone(inner, frame, &to_frame, true, scores, hints);
        Some(self.thresholds.judge(ImageType::Selfie, scores))
    }

    /// Exposure and glare over `r` of the rectified region, a face's if `skin`.
    #[inline(never)]
    fn tone(
        &mut self,
        r: Rect,
        frame: Frame<'_>,
        to_frame: &ToFrame,
        skin: bool,
        scores: &mut Scores,
        hints: &mut Hints,
    ) {
        self.hist.clear();
        let rect = &self.rect_luma;
        self.hist
            .add_rows((r.y0..r.y1).map(|y| &rect.row(y)[r.x0..r.x1]));
        // Specular glare is clipped in every channel (so colourless), and brighter than the
        // document's own white: a white card that is simply well lit is not glare. The white is
        // the upper quartile (the paper, on a light card; glare covers less than a quarter of any
        // card we can read), and glare must stand above it; at most [`GLARE_CEILING`], so a
        // clipped core counts even on the palest paper.
        let (median, white) = (self.hist.quantile(0.5), self.hist.quantile(0.75));
        let floor = GLARE_LEVEL
            .max(median.saturating_add(12))
            .max(white.saturating_add(3).min(GLARE_CEILING));
        let colour_floor = floor.saturating_sub(if skin { SKIN_GLARE_SLACK } else { 0 });
        let (w, lum) = (self.rect_luma.w, &self.rect_luma.data);
        let (mut glare, mut edge, mut soft) = (0u32, 0u32, 0u32);
        for y in r.y0..r.y1 {
            let row = &lum[y * w..(y + 1) * w];
            let mut x0 = r.x0;
            while x0 < r.x1 {
                let x1 = (x0 + 16).min(r.x1);
                // Nearly all of a card is below the glare floor: skip it 16 pixels at a time
                // with a max that vectorises.
                let strip = x0..x1;
                x0 = x1;
                if strip_max(&row[strip.clone()]) < floor {
                    continue;
                }
                for x in strip {
                    let i = y * w + x;
                    // Colour is read from the camera frame itself, and only for the few bright
                    // pixels: a specular highlight clips every channel, while pale or tinted
                    // paper that reads bright in luma keeps a channel below the floor.
                    if lum[i] < floor || to_frame.darkest_channel(frame, x, y) < colour_floor {
                        continue;
                    }
                    glare += 1;
                    // Skin has no white print to overexpose, and a reflection in glasses ends at
                    // a hard edge yet is glare all the same: on a face every clipped pixel counts
                    // (no halo test). The test also failed in dim frames, where a highlight's
                    // surroundings stay dark (gains of 0.3-0.7: 16 of 575 glared faces read as
                    // ok, 3 as blurred; none without it, and no sharp face more).
                    if skin {
                        continue;
                    }
                    // A specular highlight fades out through a bright halo; overexposed white print
                    // ends at a hard edge. Look 3 px beyond each border pixel of the clipped area.
                    for (dx, dy) in [(1isize, 0isize), (-1, 0), (0, 1), (0, -1)] {
                        let (nx, ny) = (x as isize + dx, y as isize + dy);
                        let (fx, fy) = (x as isize + 3 * dx, y as isize + 3 * dy);
                        if fx < r.x0 as isize
                            || fy < r.y0 as isize
                            || fx >= r.x1 as isize
                            || fy >= r.y1 as isize
                        {
                            continue;
                        }
                        if lum[ny as usize * w + nx as usize] >= floor {
                            continue;
                        }
                        edge += 1;
                        soft += (lum[fy as usize * w + fx as usize] >= HALO_LEVEL) as u32;
                    }
                }
            }
        }
        let softness = if edge == 0 {
            1.0
        } else {
            soft as f32 / edge as f32
        };
        scores.glare = glare as f32 / self.hist.total().max(1) as f32 * softness;
        exposure(&self.hist, scores, hints);
    }

    fn tone_of_plane(&mut self, scores: &mut Scores, hints: &mut Hints) {
        self.hist.clear();
        self.hist
            .add_rows([&self.luma.data[..self.luma.w * self.luma.h]]);
        exposure(&self.hist, scores, hints);
    }

    /// Mean absolute difference (0–1) between this frame's thumbnail and the previous one.
    #[inline(never)]
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

/// Least luma, and least value of each of its channels, a glare pixel has: within 3 levels of
/// clipping. Paper that reads 255 in luma with one channel at 252 (255, 255, 252) is pale, not
/// glared: on two blurred cards exposed 1.17x such paper read as glare while only the luma was
/// held to the floor (and colour to a spread of 28 levels). A sensor clips after its noise, so
/// a specular core reads a flat 255 (JPEG moves it a level or two), while paper a few levels under
/// clipping is over-exposed, not glared: its print is still there. At 247, the pale paper of
/// frames exposed 1.08-1.2x read as glare (`calibrate`, seeds 7, 3, 5 and 11: 13 wrong answers
/// more, none fewer).
const GLARE_LEVEL: u8 = 252;
/// How far under the glare floor one channel of a glare pixel on a face may be: a highlight on
/// skin is tinted by the light the skin scatters (`calibrate --count 2 --selfies 200`, seed 3:
/// 3 of 38 glared selfies read as ok with every channel held to the floor, 2 with this slack,
/// as with the colour spread of 28 levels it replaces).
const SKIN_GLARE_SLACK: u8 = 25;
/// The highest the glare floor goes on the palest paper (its upper quartile + 3), so that a
/// clipped core still counts there.
const GLARE_CEILING: u8 = 254;
/// Luma a glare halo keeps 3 px outside the clipped core.
const HALO_LEVEL: u8 = 190;

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

/// The local hints that go with a face placement code, so a UI can say which way to move.
fn face_hints(placement: Feedback, scores: &Scores, hints: &mut Hints) {
    match placement {
        Feedback::FaceTooSmall => hints.insert(Hint::TooFar),
        Feedback::FaceTooClose => hints.insert(Hint::TooClose),
        Feedback::FaceCropped | Feedback::FaceCloseToBorder => hints.insert(Hint::PartlyOutOfFrame),
        _ => {}
    }
    if scores.offset_x.abs() > 0.15 || scores.offset_y.abs() > 0.15 {
        hints.insert(Hint::NotCentered);
    }
}

/// `plane` (its size kept) = an opponent colour channel of `frame`: `weights` for red, green
/// and blue (summing to 0) over the `block` x `block` (even) pixels under each plane pixel,
/// halved, 128 for grey. Every other row and column is read: hue varies slowly, and this runs on the
/// frames without a card, which should not cost a camera frame's time.
fn opponent(frame: Frame<'_>, block: usize, weights: [i32; 3], plane: &mut Plane) {
    // Twice the (block / 2)^2 pixels read.
    let n = (block * block / 2) as i32;
    for (i, v) in plane.data[..plane.w * plane.h].iter_mut().enumerate() {
        let (ox, oy) = (i % plane.w, i / plane.w);
        let mut sum = 0;
        for y in (oy * block..(oy + 1) * block).step_by(2) {
            let row = frame.row(y as u32);
            for x in (ox * block..(ox + 1) * block).step_by(2) {
                for (w, &c) in weights.iter().zip(&row[4 * x..]) {
                    sum += w * c as i32;
                }
            }
        }
        *v = (128 + sum / n).clamp(0, 255) as u8;
    }
}

/// Position hints; true when the document is cut by the frame's edge.
fn position_hints(q: &Quad, fw: f32, fh: f32, hints: &mut Hints) -> bool {
    let [t, r, b, l] = q.sides();
    let long = ((t + b) / 2.0).max((l + r) / 2.0);
    // How far the farthest corner lies beyond the frame (negative: inside).
    let beyond =
        q.0.iter()
            .map(|p| (-p.x).max(-p.y).max(p.x - fw).max(p.y - fh))
            .fold(f32::MIN, f32::max);
    // Touching the edge is worth a hint; only a corner clearly outside loses part of the
    // document. Clearly: 3 % of the card's length. The straight sides of an ID-1 card (corner
    // radius 3.18 mm) meet 1.3 mm beyond its rounded corner, 1.5 % of its length, and blur spreads
    // an edge outward. At 2 %, 10 blurred or ok cards in frame read as cut (`calibrate` seeds 7,
    // 3, 5, 11, 1, 13, 17, 23, 500 scenes each; no card labelled cut read as whole at 3 %).
    let out = beyond > 0.03 * long;
    if beyond > -0.01 * fw.min(fh) {
        hints.insert(Hint::PartlyOutOfFrame);
    }
    // Long side relative to the frame: a card should fill most of the guide.
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

/// Where a pixel of the rectified region lies in the camera frame.
struct ToFrame {
    /// Rectified pixel -> working-plane pixel.
    hm: Homography,
    /// Working-plane pixel -> frame pixel.
    scale: f32,
}

impl ToFrame {
    /// The least of R, G and B over the 2x2 frame pixels under rectified pixel (x, y).
    ///
    /// A specular core is clipped solid, far past what the sensor holds; paper just under
    /// clipping is pushed to 255 here and there by sensor noise or JPEG ringing. One pixel read
    /// such speckles as glare on pale cards exposed 1.16-1.19x (`calibrate` seeds 7, 3, 5, 11, 1,
    /// 13, 17, 23: 4 of 8 such false glares gone with 2x2, no glare missed).
    fn darkest_channel(&self, frame: Frame<'_>, x: usize, y: usize) -> u8 {
        let (sx, sy) = self.hm.map(x as f32 + 0.5, y as f32 + 0.5);
        let (w, h) = (frame.width() - 1, frame.height() - 1);
        let (fx, fy) = (
            ((sx * self.scale) as u32).min(w),
            ((sy * self.scale) as u32).min(h),
        );
        let mut m = 255u8;
        for row in [frame.row(fy), frame.row((fy + 1).min(h))] {
            for x in [fx, (fx + 1).min(w)] {
                let p = &row[x as usize * 4..x as usize * 4 + 3];
                m = m.min(p[0]).min(p[1]).min(p[2]);
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precheck::plane::Histogram;

    fn quad(x0: f32, y0: f32, w: f32, h: f32) -> Quad {
        Quad::rect(x0, y0, w, h)
    }

    fn hints_for(q: Quad) -> (bool, Hints) {
        let mut h = Hints::default();
        let out = position_hints(&q, 1280.0, 720.0, &mut h);
        (out, h)
    }

    #[test]
    fn a_centred_card_of_good_size_gets_no_position_hint() {
        let (out, h) = hints_for(quad(290.0, 155.0, 700.0, 441.0));
        assert!(!out);
        assert!(h.is_empty(), "{:?}", h.iter().collect::<Vec<_>>());
    }

    #[test]
    fn position_hints_follow_the_outline() {
        let (out, h) = hints_for(quad(540.0, 300.0, 300.0, 189.0));
        assert!(!out && h.contains(Hint::TooFar));
        let (out, h) = hints_for(quad(40.0, 40.0, 700.0, 441.0));
        assert!(!out && h.contains(Hint::NotCentered));
        // Touching the edge is a hint; a corner clearly outside loses part of the card.
        let (out, h) = hints_for(quad(581.0, 150.0, 699.0, 441.0));
        assert!(!out && h.contains(Hint::PartlyOutOfFrame));
        // 2.5 % of the card's length out: the sharp corner the sides make, not the rounded card.
        let (out, h) = hints_for(quad(598.0, 150.0, 700.0, 441.0));
        assert!(!out && h.contains(Hint::PartlyOutOfFrame));
        let (out, h) = hints_for(quad(700.0, 150.0, 700.0, 441.0));
        assert!(out && h.contains(Hint::PartlyOutOfFrame) && h.contains(Hint::TooClose));
    }

    #[test]
    fn exposure_hints_use_the_region_not_its_mean() {
        let hint = |values: &[(u8, u32)]| {
            let mut hist = Histogram::default();
            for &(v, n) in values {
                (0..n).for_each(|_| hist.add(v));
            }
            let (mut s, mut h) = (Scores::default(), Hints::default());
            exposure(&hist, &mut s, &mut h);
            h
        };
        // A dark navy card with light print is not "too dark".
        assert!(hint(&[(30, 80), (180, 20)]).is_empty());
        assert!(hint(&[(20, 90), (60, 10)]).contains(Hint::TooDark));
        assert!(hint(&[(230, 90), (255, 10)]).contains(Hint::TooBright));
        assert!(hint(&[(120, 60), (255, 40)]).contains(Hint::TooBright));
    }

    /// A 400x252 card of print (lines of upright strokes and short bars, as text is) on a dark
    /// table in a 640x480 frame, smeared by a camera motion of `smear` px along `dir`.
    fn printed_card(smear: f32, dir: (f32, f32)) -> Vec<u8> {
        let (w, h) = (640i32, 480i32);
        let mut lum = Plane::default();
        lum.reset(w as usize, h as usize);
        lum.data.fill(40);
        let mut state = 0x9e37_79b9_u32;
        let mut rnd = |n: u32| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state % n) as i32
        };
        let mut fill = |x0: i32, y0: i32, x1: i32, y1: i32, v: u8| {
            for y in y0..y1 {
                lum.data[(y * w + x0) as usize..(y * w + x1) as usize].fill(v);
            }
        };
        fill(120, 114, 520, 366, 215);
        for line in 0..9 {
            let top = 130 + line * 25;
            let mut x = 135;
            while x < 500 {
                let (gw, gh, y) = if rnd(3) == 0 {
                    (6 + rnd(4), 2, top + rnd(10))
                } else {
                    (2 + rnd(3), 8 + rnd(4), top)
                };
                fill(x, y, x + gw, y + gh, 60);
                x += gw + 2 + rnd(4);
            }
        }
        // The smear is a line sampled every half pixel, bilinearly, as a camera's is: not a
        // comb of whole-pixel shifts, which would leave steps for sharpness to find.
        let norm = (dir.0 * dir.0 + dir.1 * dir.1).sqrt();
        let (ux, uy) = (dir.0 / norm, dir.1 / norm);
        let steps = (2.0 * smear) as i32;
        let mut data = vec![255u8; (w * h * 4) as usize];
        for (i, px) in data.chunks_exact_mut(4).enumerate() {
            let (x, y) = ((i as i32 % w) as f32, (i as i32 / w) as f32);
            let sum: f32 = (0..=steps)
                .map(|k| {
                    let t = (k - steps / 2) as f32 / 2.0;
                    // Plane::sample puts pixel centres at integer + 0.5.
                    lum.sample(x + 0.5 + t * ux, y + 0.5 + t * uy)
                })
                .sum();
            let v = (sum / (steps + 1) as f32).round() as u8;
            px[..3].fill(v);
        }
        data
    }

    #[test]
    fn motion_at_a_slant_to_the_print_is_blur() {
        let mut an = Analyzer::new(Thresholds::default());
        let mut judge = |data: &[u8]| {
            let frame = Frame::packed(data, 640, 480).unwrap();
            let v = an.analyze(frame, ImageType::DocumentFront);
            // What the card's rows and columns alone make of it.
            let inner = Rect::inset(DOC_W, DOC_H, 0.05);
            let rows_and_columns = 1.0 - an.sharpness.blur(&an.rect_luma, inner, ACROSS);
            (v.feedback, rows_and_columns)
        };
        let min = Thresholds::default().min_sharpness;
        let (sharp, _) = judge(&printed_card(0.0, (1.0, 0.0)));
        assert_eq!(sharp, Feedback::Ok);
        // 12 px of motion is 3 % of the card's length (the labels' bound for blur is 2.5 %), at
        // 18° to the lines of print either way: strokes along it stay sharp across the rows and
        // the columns alike, and only the diagonals see the smear.
        for dir in [(3.0, 1.0), (3.0, -1.0)] {
            let (feedback, rows_and_columns) = judge(&printed_card(12.0, dir));
            assert_eq!(feedback, Feedback::Blur, "{dir:?}");
            assert!(rows_and_columns >= min, "{dir:?}: {rows_and_columns}");
        }
    }

    /// A 640x480 frame: a card (400x252) on a dark table, grey on its left and `paper` on its
    /// right 42 %, the two blending over 20 px, and a specular highlight (a clipped core fading
    /// through a halo) at its centre if `spot`. The blend is soft, so that no hard edge tells
    /// over-exposed paper from glare; the grey keeps the card's median well under the paper.
    fn card_frame(paper: [u8; 3], spot: bool) -> Vec<u8> {
        let (w, h) = (640usize, 480usize);
        let mut data = vec![0u8; w * h * 4];
        for y in 0..h {
            for x in 0..w {
                let on_card = (120..520).contains(&x) && (114..366).contains(&y);
                let t = ((x as f32 - 330.0) / 20.0).clamp(0.0, 1.0);
                let mut px = if on_card {
                    paper.map(|c| (100.0 + t * (c as f32 - 100.0)).round() as u8)
                } else {
                    [45, 40, 35]
                };
                let r = ((x as f32 - 320.0).powi(2) + (y as f32 - 240.0).powi(2)).sqrt();
                if spot && r < 60.0 {
                    // Flat at 255 out to 30 px, then fading over the next 30.
                    let a = ((60.0 - r) / 30.0).min(1.0);
                    px = px.map(|c| (c as f32 + a * (255.0 - c as f32)).round() as u8);
                }
                data[(y * w + x) * 4..(y * w + x) * 4 + 4]
                    .copy_from_slice(&[px[0], px[1], px[2], 255]);
            }
        }
        data
    }

    #[test]
    fn a_card_that_differs_from_the_table_in_hue_alone_is_found() {
        // Lavender on sage: luma 165.4 against 164.7, nothing for the luma search to see.
        let (w, h) = (640usize, 480usize);
        let (x0, x1, y0, y1) = (120, 520, 114, 366);
        let mut data = vec![255u8; w * h * 4];
        for (i, px) in data.chunks_exact_mut(4).enumerate() {
            let (x, y) = (i % w, i / w);
            let on_card = (x0..x1).contains(&x) && (y0..y1).contains(&y);
            px[..3].copy_from_slice(if on_card {
                &[176, 156, 186]
            } else {
                &[160, 170, 150]
            });
        }
        let mut an = Analyzer::new(Thresholds::default());
        let v = an.analyze(
            Frame::packed(&data, w as u32, h as u32).unwrap(),
            ImageType::DocumentFront,
        );
        assert_ne!(v.feedback, Feedback::DocumentNotFound);
        let q = v.scores.quad.expect("the card's outline");
        let truth = quad(x0 as f32, y0 as f32, (x1 - x0) as f32, (y1 - y0) as f32);
        for (a, b) in q.0.iter().zip(truth.0.iter()) {
            assert!(
                (a.x - b.x).abs() < 8.0 && (a.y - b.y).abs() < 8.0,
                "{a:?} vs {b:?}"
            );
        }
    }

    #[test]
    fn a_blank_card_shaped_object_is_not_a_document() {
        // A dark slab the shape of a card (a phone face down, a plain box) on a light table,
        // then the same outline with lines of print on it.
        let (w, h) = (640usize, 480usize);
        let frame = |print: bool| {
            let mut data = vec![255u8; w * h * 4];
            for (i, px) in data.chunks_exact_mut(4).enumerate() {
                let (x, y) = (i % w, i / w);
                let on_card = (120..520).contains(&x) && (114..366).contains(&y);
                let printed = print && (150..490).contains(&x) && (y / 12) % 2 == 0;
                let v = match (on_card, printed) {
                    (false, _) => 200,
                    (true, false) => 40,
                    (true, true) => 150,
                };
                px[..3].fill(v);
            }
            data
        };
        let mut an = Analyzer::new(Thresholds::default());
        let mut judge = |data: &[u8]| {
            let v = an.analyze(
                Frame::packed(data, w as u32, h as u32).unwrap(),
                ImageType::DocumentFront,
            );
            assert!(v.scores.quad.is_some(), "the outline is found either way");
            v.feedback
        };
        assert_eq!(judge(&frame(false)), Feedback::DocumentNotFound);
        assert_ne!(judge(&frame(true)), Feedback::DocumentNotFound);
    }

    #[test]
    fn paper_pale_in_luma_with_a_channel_below_clipping_is_not_glare() {
        let mut an = Analyzer::new(Thresholds::default());
        let glare = |an: &mut Analyzer, data: &[u8]| {
            let v = an.analyze(
                Frame::packed(data, 640, 480).unwrap(),
                ImageType::DocumentFront,
            );
            assert!(v.scores.quad.is_some());
            v.scores.glare
        };
        // Cream paper at (255, 255, 250) reads 254 in luma, at the glare floor, but its blue
        // channel is not clipped.
        assert_eq!(glare(&mut an, &card_frame([255, 255, 250], false)), 0.0);
        // A highlight clips every channel, on cream paper and on light grey.
        let on_cream = glare(&mut an, &card_frame([255, 255, 250], true));
        assert!(on_cream > 0.02, "{on_cream}");
        let on_grey = glare(&mut an, &card_frame([200, 205, 210], true));
        assert!(on_grey > 0.02, "{on_grey}");
    }

    #[test]
    fn paper_pushed_to_clipping_here_and_there_is_not_glare() {
        // White paper with one pixel of every 2x2 block at 250, as sensor noise or JPEG ringing
        // leaves paper just under clipping: the luma plane reads it clipped, the frame does not
        // hold it clipped anywhere solid.
        let mut data = card_frame([255, 255, 255], false);
        for (i, px) in data.chunks_exact_mut(4).enumerate() {
            if (i % 640) % 2 == 1 && (i / 640) % 2 == 1 && px[0] == 255 {
                px[..3].copy_from_slice(&[250, 250, 250]);
            }
        }
        let mut an = Analyzer::new(Thresholds::default());
        let v = an.analyze(
            Frame::packed(&data, 640, 480).unwrap(),
            ImageType::DocumentFront,
        );
        assert!(v.scores.quad.is_some());
        assert!(v.scores.glare < 0.01, "{}", v.scores.glare);
    }

    #[test]
    fn landscape_puts_a_long_side_first() {
        let portrait = quad(0.0, 0.0, 100.0, 160.0);
        let l = landscape(&portrait);
        let [t, r, b, lft] = l.sides();
        assert!(t + b > r + lft);
    }
}
