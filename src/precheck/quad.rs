//! Document outline detection: Sobel edges, an orientation-guided Hough transform, and a search
//! over pairs of near-parallel lines for the quad that edges support best.
//!
//! Why lines and support rather than contours: a card's outline is four long straight edges even
//! when a finger, a glare spot or a low-contrast background breaks it, while a contour tracer needs
//! a closed, unbroken boundary. Every threshold is relative to the plane's size or to pixel
//! contrast, so the same code works for any resolution after the pyramid's downscale.

use std::f32::consts::PI;

use super::frame::Frame;
use super::geometry::{Line, LineFit};
use super::plane::{strip_max, Histogram, Plane};
use super::{Point, Quad};

/// Orientation bins over 180°: 1° each.
const N_THETA: usize = 180;
/// Width of a distance bin in pixels: with 1° bins, a 200 px side spreads over at most 2 bins.
const RHO_BIN: f32 = 2.0;
/// Fractional bits of the Hough vote's fixed point.
const HOUGH_SHIFT: i32 = 14;
/// Orientation bins each edge point votes in, on each side of its own: its gradient's angle
/// is only good to a few degrees.
const VOTE_SPREAD: i32 = 3;
/// The same on the coarser level, which is searched when the finer one finds no card: for sides
/// whose tone step is small against the background's texture (a grey card on wood grain), whose
/// edge points' angles spread over tens of degrees. ±5° on both levels found more cards still
/// (`calibrate`, four seeds: 40 more, and 8 more false ones) but cost every frame about 0.2 ms
/// natively in the outline search.
const COARSE_VOTE_SPREAD: i32 = 5;
/// Sobel magnitude (4 x grey levels per pixel) an edge point needs: a step of about 8 levels.
const EDGE_MAG: i32 = 32;
/// Magnitude a support sample needs: weaker than an edge seed, since a side is judged as a whole.
const SUPPORT_MAG: i32 = 20;
/// cos(25°): how closely a support sample's gradient must follow the side's normal.
const SUPPORT_COS: f32 = 0.906;
/// Lines kept from the Hough space, per family (horizontal-ish, vertical-ish). Kept per family so
/// that a page of text, whose many parallel lines are strong, cannot crowd out the card's sides.
const PEAKS_PER_FAMILY: usize = 14;
const MAX_PEAKS: usize = 2 * PEAKS_PER_FAMILY;
/// A side must separate two different tones: the mean difference across it (grey levels, sampled
/// `CONTRAST_OFFSET` px either side on the finer level, the same frame distance on the coarser)
/// must reach this on most of its length, with one sign. A line of text, a crease or a thin
/// stripe has the same tone on both sides and fails.
const MIN_CONTRAST: i32 = 8;
const CONTRAST_OFFSET: f32 = 3.0;
/// The span of tones (grey levels, 2nd to 98th percentile of the plane) below which the scene
/// counts as dim and its thresholds shrink in proportion: a well-exposed scene spans more.
const TONE_RANGE: i32 = 160;
/// The step in one colour channel that makes a side when the tone does not change across it.
/// Fixed, not scaled to the scene like [`MIN_CONTRAST`]: on a plain fabric, whose tone steps
/// are all faint, faint colour bands would pass for sides. 12 levels is about four standard
/// deviations of the difference of two means of 9 pixels with sensor noise of 6 levels.
const MIN_COLOUR_STEP: i32 = 12;

/// The plausible shapes of an ID-1 card (85.6 x 54 mm, 1.586) seen in perspective: a tilt of up
/// to about 28° foreshortens one side by cos 28° = 0.88. A card's photo box (about 1.29) falls
/// out until it is tilted 23° the other way; at 1.35 more photo boxes passed for cards
/// (calibrate: four scenes).
const MIN_ASPECT: f32 = 1.40;
const MAX_ASPECT: f32 = 2.0;
/// The proportions of the rectangle an outline is the image of, undoing the perspective: ID-1's
/// 1.586 within 18 % (in log ratio, 1.325 to 1.899). That holds ID-3 (a passport's page, 1.42)
/// and the corners' error: cards found whole, with every corner within 5 % of the card's
/// length, give 1.336 to 1.854 (`calibrate` seeds 7, 3, 5, 11, 1, 13, 17, 23 and the default
/// set, 2,930 cards). An outline cut from a card by the edge of its header band, a photo box or
/// a line of print keeps the card's width and loses part of its height: 1.9 to 3.
const TRUE_ASPECT: (f32, f32) = (1.325, 1.899);
/// The focal lengths a card may be seen at, in lengths of the frame's long side: fields of view
/// from 103° (0.4) to 28° (2.0) across it, from a wide webcam to a phone's 2x lens.
const FOCAL: (f32, f32) = (0.4, 2.0);
/// |cos| of the interior angles: between 70° and 110°, as a card in moderate perspective.
const MAX_CORNER_COS: f32 = 0.342;
/// Smallest outline, as a fraction of the plane's area.
const MIN_AREA: f32 = 0.05;
/// Support a quad needs: on its weakest side, and on average. A card's outline shows over most
/// of its length; outlines that edges back on only two thirds of it were more often a part of a
/// card, or of a page, than a card (calibrate's outline errors).
const MIN_SIDE_SUPPORT: f32 = 0.5;
const MIN_MEAN_SUPPORT: f32 = 0.8;
/// One side of four may show no tone step if edges back it on this much of its length: a card
/// on a surface of its own tone shows that side only as the thin shadow or highlight of its edge,
/// which the tone check takes for a line. Two such sides, or a less complete one, still fail: a
/// block of print is bounded by lines of text. 0.85 found more cards still, and as many more
/// false outlines on pages and cut-off cards (calibrate).
const FLAT_SIDE_SUPPORT: f32 = 0.95;
/// A side's run-on past a corner is judged when it reaches the frame's border at least this far
/// (of the side's length, and at least [`RUN_ON_MIN_PX`]) out: shorter ones are too short to
/// tell from the background. On the eighth plane a pixel is 8 of the frame's, so 5 px let the
/// edge of a page run 40 frame pixels past the corner of an outline unjudged (`calibrate`
/// probe, seeds 7, 3, 5, 11, 1, 13, 17, 23, 29, 31, 37, 41 and the default set: 3 outlines
/// fewer taken for cards at 4 px, none lost; 2 and 3 px gave the same; 0.07 of the side lost 4).
const RUN_ON_MIN: f32 = 0.1;
const RUN_ON_MIN_PX: f32 = 4.0;
/// How far past a corner [`QuadDetector::goes_on`] follows a side inside the plane, as a share
/// of the side's length: past the photo box or block of print a card's edge goes on for about a
/// third of the block's length or more. 0.2 took more true cards for parts (`calibrate`, seeds 7,
/// 3, 5 and 11: 4 cards lost), 0.5 let more parts pass (3 fewer caught).
const CONTINUE_REACH: f32 = 0.3;
/// The stretch of each side next to each corner, as fractions of the side's length from the
/// corner, that must have edges along it ([`QuadDetector::reaches_corners`]): mostly past the
/// rounding of an ID-1 card's corner (3.7 % of its long side, 5.9 % of its short one).
const CORNER_STRETCH: (f32, f32) = (0.02, 0.12);
/// The least share of that stretch edges must back.
const MIN_CORNER_SUPPORT: f32 = 0.3;
/// Corners that sides may stop short of: one, as where the finger holding the card or a glare
/// spot hides a corner.
const MAX_SHORT_CORNERS: usize = 1;

#[derive(Clone, Copy, Debug, Default)]
struct Peak {
    theta: usize,
    rho: i32,
    votes: u16,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct EdgePoint {
    x: u16,
    y: u16,
    theta: u8,
}

/// A found outline in the coordinates of the plane it was found in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Detection {
    pub quad: Quad,
    /// Mean fraction of each side's length that edges support (0–1).
    pub support: f32,
}

impl Detection {
    /// The same outline on a plane `k` times finer.
    pub fn scaled(self, k: f32) -> Detection {
        Detection {
            quad: self.quad.scaled(k, 0.0),
            ..self
        }
    }
}

/// Owns the buffers of the detection, reused from frame to frame.
#[derive(Debug)]
pub(crate) struct QuadDetector {
    gx: Vec<i16>,
    gy: Vec<i16>,
    mag: Vec<u16>,
    edges: Vec<EdgePoint>,
    acc: Vec<u16>,
    candidates: Vec<Peak>,
    edge_mag: i32,
    support_mag: i32,
    min_contrast: i32,
    /// The span of the last plane's tones (2nd to 98th percentile).
    tone_span: i32,
    sensitivity: i32,
    mag_hist: Histogram,
    tone_hist: Histogram,
    cos: [f32; N_THETA],
    sin: [f32; N_THETA],
    /// cos and sin over 2 · RHO_BIN, in Q[`HOUGH_SHIFT`]: the Hough vote in integers.
    /// Indexed by orientation bin + vote offset + COARSE_VOTE_SPREAD, so a vote needs no
    /// wrap-around:
    /// (cos, sin, the wrapped bin).
    vote_q: [(i32, i32, usize); N_THETA + 2 * COARSE_VOTE_SPREAD as usize],
    peaks: [Peak; MAX_PEAKS],
    n_peaks: usize,
    w: usize,
    h: usize,
}

impl Default for QuadDetector {
    fn default() -> Self {
        let mut cos = [0.0; N_THETA];
        let mut sin = [0.0; N_THETA];
        let (mut cos_q, mut sin_q) = ([0; N_THETA], [0; N_THETA]);
        let mut vote_q = [(0, 0, 0); N_THETA + 2 * COARSE_VOTE_SPREAD as usize];
        let q = (1 << HOUGH_SHIFT) as f32 / (2.0 * RHO_BIN);
        for t in 0..N_THETA {
            let a = t as f32 * PI / N_THETA as f32;
            (sin[t], cos[t]) = super::geometry::sin_cos(a);
            cos_q[t] = (cos[t] * q).round() as i32;
            sin_q[t] = (sin[t] * q).round() as i32;
        }
        for (k, v) in vote_q.iter_mut().enumerate() {
            let t = (k as i32 - COARSE_VOTE_SPREAD).rem_euclid(N_THETA as i32) as usize;
            *v = (cos_q[t], sin_q[t], t);
        }
        Self {
            gx: Vec::new(),
            gy: Vec::new(),
            mag: Vec::new(),
            edges: Vec::new(),
            acc: Vec::new(),
            candidates: Vec::new(),
            edge_mag: EDGE_MAG,
            support_mag: SUPPORT_MAG,
            min_contrast: MIN_CONTRAST,
            tone_span: 0,
            sensitivity: 1,
            mag_hist: Histogram::default(),
            tone_hist: Histogram::default(),
            cos,
            sin,
            vote_q,
            peaks: [Peak::default(); MAX_PEAKS],
            n_peaks: 0,
            w: 0,
            h: 0,
        }
    }
}

impl QuadDetector {
    /// Finds the best-supported card outline in `p`, if any. `sensitivity` (≥ 1) divides the
    /// gradient thresholds: for coarse planes, whose averaging has already removed noise.
    ///
    /// `colours`, when given, is the frame the plane was made from: a side across which the
    /// plane's tone does not change may still separate two colours (a pink card on a grey
    /// table), and the contrast check then looks at those.
    pub fn detect(
        &mut self,
        p: &Plane,
        sensitivity: i32,
        colours: Option<Colours<'_>>,
    ) -> Option<Detection> {
        self.sensitivity = sensitivity.max(1);
        if p.w < 16 || p.h < 16 {
            return None;
        }
        self.gradients(p);
        self.adapt_thresholds(p);
        self.edge_points();
        self.hough();
        self.find_peaks();
        let best = self.best_quad(p, colours)?;
        // The outline reported is the refined one, so it is judged again: refinement moves a
        // side by up to a bin or two onto its edge points, and only then may a side of a part of
        // a card the frame cuts (its photo box, the stretch below its header band) line up with
        // the card's edge going on past the corner. The refined line also lines up better with
        // any edge in the background, so this second look needs the run-on to the border to
        // keep the same tones either side, not only the same step: past a card's corner, wood
        // grain parallel to its side steps the same way but has wood, not card, on the inside.
        // (`calibrate` probe, the default set and 11 seeds of 500 scenes: 117 -> 113 wrong,
        // outlines in scenes without a whole card 36 -> 29; without the tones kept, 118 wrong,
        // and the session video's steady card flickers out of its capture.)
        let refined = self.refine(best);
        (!self.part_of_larger(&refined.quad, p, true)).then_some(refined)
    }

    /// The span of tones (grey levels, 2nd to 98th percentile) of the plane last searched.
    pub fn tone_span(&self) -> i32 {
        self.tone_span
    }

    #[inline(never)]
    fn gradients(&mut self, p: &Plane) {
        let (w, h) = (p.w, p.h);
        self.w = w;
        self.h = h;
        for buf in [&mut self.gx, &mut self.gy] {
            if buf.len() < w * h {
                buf.resize(w * h, 0);
            }
        }
        if self.mag.len() < w * h {
            self.mag.resize(w * h, 0);
        }
        // The loop below writes every pixel but the plane's 1-px border, which has no gradient.
        self.mag[..w].fill(0);
        self.mag[(h - 1) * w..w * h].fill(0);
        for y in 1..h - 1 {
            self.mag[y * w] = 0;
            self.mag[y * w + w - 1] = 0;
        }
        for y in 1..h - 1 {
            let (r0, r1, r2) = (p.row(y - 1), p.row(y), p.row(y + 1));
            let row = y * w + 1..(y + 1) * w - 1;
            // Slices of equal length let the passes below vectorise without bounds checks.
            let gx = &mut self.gx[row.clone()];
            let gy = &mut self.gy[row.clone()];
            let mag = &mut self.mag[row];
            let n = w - 2;
            let (r0, r1, r2) = (&r0[..n + 2], &r1[..n + 2], &r2[..n + 2]);
            #[cfg(target_arch = "x86_64")]
            let start = sobel_sse2([r0, r1, r2], gx, gy, mag);
            #[cfg(not(target_arch = "x86_64"))]
            let start = 0;
            for x in start..n {
                // Sobel sums are within ±1020: 16-bit lanes, eight pixels per vector.
                let a = |r: &[u8], i: usize| r[i] as i16;
                let dx = (a(r0, x + 2) + 2 * a(r1, x + 2) + a(r2, x + 2))
                    - (a(r0, x) + 2 * a(r1, x) + a(r2, x));
                let dy = (a(r2, x) + 2 * a(r2, x + 1) + a(r2, x + 2))
                    - (a(r0, x) + 2 * a(r0, x + 1) + a(r0, x + 2));
                gx[x] = dx;
                gy[x] = dy;
                // The squares sum exactly in i32 and convert exactly to f32 (under 2^22); the
                // root is below 1443, so the signed conversion, which vectorises, is exact too.
                let (dx, dy) = (dx as i32, dy as i32);
                mag[x] = ((dx * dx + dy * dy) as f32).sqrt() as i32 as u16;
            }
        }
        self.mag_hist.clear();
        self.mag_hist.add_rows_by(
            (1..h - 1).map(|y| &self.mag[y * w + 1..(y + 1) * w - 1]),
            |m| (m >> 2).min(255) as usize,
        );
    }

    /// Scales the gradient and tone-step thresholds to the scene: a white card on a white table,
    /// or a dim room, has all its edges weak, and fixed thresholds would see none. Two measures
    /// set the scale, and the lower wins: the strongest 5 % of gradients, and the span of the
    /// plane's tones (2nd to 98th percentile) against [`TONE_RANGE`]. An underexposed frame
    /// squeezes every step by its gain, the card's sides with them, while its print may still
    /// keep the strongest gradients high. The fixed values are the ceiling, so busy, well-lit
    /// scenes keep them.
    fn adapt_thresholds(&mut self, p: &Plane) {
        let p95 = self.mag_hist.quantile(0.95) as i32 * 4;
        self.tone_hist.clear();
        self.tone_hist.add_rows((0..p.h).map(|y| p.row(y)));
        let span = self.tone_hist.quantile(0.98) as i32 - self.tone_hist.quantile(0.02) as i32;
        self.tone_span = span;
        let level = |fixed: i32| ((p95 * fixed) / 96).min(fixed * span / TONE_RANGE);
        let scale = |fixed: i32, floor: i32| level(fixed).clamp(floor, fixed) / self.sensitivity;
        self.edge_mag = scale(EDGE_MAG, 12).max(6);
        self.support_mag = scale(SUPPORT_MAG, 8).max(4);
        self.min_contrast = level(MIN_CONTRAST).clamp(3, MIN_CONTRAST);
    }

    /// Thin edges by non-maximum suppression along the gradient, and keep their orientation bin.
    #[inline(never)]
    fn edge_points(&mut self) {
        self.edge_points_with::<true>();
    }

    /// [`Self::edge_points`], with the vector path on or off (the tests hold one to the other).
    #[inline(always)]
    fn edge_points_with<const VECTOR: bool>(&mut self) {
        let (w, h) = (self.w, self.h);
        self.edges.clear();
        // Reserve the worst case once, so a busier frame later does not reallocate.
        self.edges.reserve(w * h);
        let floor = self.edge_mag.clamp(0, u16::MAX as i32) as u16;
        for y in 2..h - 2 {
            let (x0, x1) = (y * w + 2, y * w + w - 2);
            let mut c = x0;
            while c < x1 {
                let end = (c + 16).min(x1);
                // Most of a frame is flat: find the strong gradients of 16 at a time as a bit
                // mask (a vectorised compare), and visit only those.
                let mags = &self.mag[c..end];
                let strong = if VECTOR {
                    strong_mask(mags, floor)
                } else {
                    strong_mask_scalar(mags, floor)
                };
                let mut kept = if strong == 0 {
                    0
                } else if VECTOR && end - c == 16 {
                    self.thin_mask(c, strong)
                } else {
                    self.thin_mask_scalar(c, end - c, strong)
                };
                while kept != 0 {
                    let i = c + kept.trailing_zeros() as usize;
                    kept &= kept - 1;
                    self.edges.push(EdgePoint {
                        x: (i - y * w) as u16,
                        y: y as u16,
                        theta: orientation_bin(self.gx[i] as i32, self.gy[i] as i32) as u8,
                    });
                }
                c = end;
            }
        }
    }

    /// Whether the gradient at plane index `i` (not on the plane's 2-px border) is a local
    /// maximum across the edge.
    #[inline(always)]
    fn is_edge(&self, i: usize) -> bool {
        let w = self.w;
        let m = self.mag[i] as i32;
        let (gx, gy) = (self.gx[i] as i32, self.gy[i] as i32);
        // Neighbours across the edge: quantise the gradient to 0°, 45°, 90°, 135°.
        let (ax, ay) = (gx.abs(), gy.abs());
        let (dx, dy): (isize, isize) = if ay * 5 < ax * 2 {
            (1, 0)
        } else if ax * 5 < ay * 2 {
            (0, 1)
        } else if (gx > 0) == (gy > 0) {
            (1, 1)
        } else {
            (1, -1)
        };
        let j1 = (i as isize + dy * w as isize + dx) as usize;
        let j0 = (i as isize - dy * w as isize - dx) as usize;
        m >= self.mag[j0] as i32 && m > self.mag[j1] as i32
    }

    /// The bits of `strong` (the `n` pixels from plane index `c`) that [`Self::is_edge`] keeps.
    #[inline(always)]
    fn thin_mask_scalar(&self, c: usize, n: usize, strong: u32) -> u32 {
        (0..n)
            .filter(|&k| strong & (1 << k) != 0 && self.is_edge(c + k))
            .fold(0, |m, k| m | 1 << k)
    }

    /// [`Self::thin_mask_scalar`] for a full strip of 16.
    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )))]
    #[inline(always)]
    fn thin_mask(&self, c: usize, strong: u32) -> u32 {
        self.thin_mask_scalar(c, 16, strong)
    }

    /// [`Self::is_edge`] for 16 pixels at once, in SIMD128: all four neighbour pairs are
    /// compared and the gradient's direction selects one, without a branch per pixel (the
    /// direction is as good as random from one edge pixel to the next).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    #[inline(always)]
    fn thin_mask(&self, c: usize, strong: u32) -> u32 {
        use core::arch::wasm32::*;
        let w = self.w;
        let lanes = |k: usize| {
            let ld = |s: &[u16], at: usize| {
                let s = &s[at..at + 8];
                // SAFETY: `s` holds eight u16; v128_load has no alignment requirement.
                unsafe { v128_load(s.as_ptr() as *const v128) }
            };
            let ldi = |s: &[i16]| {
                let s = &s[k..k + 8];
                // SAFETY: as above.
                unsafe { v128_load(s.as_ptr() as *const v128) }
            };
            let mag = &self.mag;
            let m = ld(mag, k);
            let (gx, gy) = (ldi(&self.gx), ldi(&self.gy));
            let (ax, ay) = (i16x8_abs(gx), i16x8_abs(gy));
            let times = |v: v128, n: i16| i16x8_mul(v, i16x8_splat(n));
            let horizontal = i16x8_lt(times(ay, 5), times(ax, 2));
            let vertical = i16x8_lt(times(ax, 5), times(ay, 2));
            let zero = i16x8_splat(0);
            let same = v128_not(v128_xor(i16x8_gt(gx, zero), i16x8_gt(gy, zero)));
            // A maximum against the neighbours at j0 (not above it) and j1 (below it), the
            // two sides of `is_edge`'s direction.
            let peak =
                |j0: usize, j1: usize| v128_and(i16x8_ge(m, ld(mag, j0)), i16x8_gt(m, ld(mag, j1)));
            let diagonal =
                v128_bitselect(peak(k - w - 1, k + w + 1), peak(k + w - 1, k - w + 1), same);
            let kept = v128_bitselect(
                peak(k - 1, k + 1),
                v128_bitselect(peak(k - w, k + w), diagonal, vertical),
                horizontal,
            );
            i16x8_bitmask(kept) as u32
        };
        strong & (lanes(c) | lanes(c + 8) << 8)
    }

    /// The SIMD128 [`Self::thin_mask`] in SSE2, which every x86-64 has: the native builds (CLI,
    /// sandbox, calibration) run the same selection eight pixels at a time.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn thin_mask(&self, c: usize, strong: u32) -> u32 {
        use core::arch::x86_64::*;
        let w = self.w;
        let ld = |s: &[u16], at: usize| {
            let s = &s[at..at + 8];
            // SAFETY: `s` holds eight u16; _mm_loadu_si128 has no alignment requirement.
            unsafe { _mm_loadu_si128(s.as_ptr() as *const __m128i) }
        };
        let ldi = |s: &[i16], at: usize| {
            let s = &s[at..at + 8];
            // SAFETY: as above.
            unsafe { _mm_loadu_si128(s.as_ptr() as *const __m128i) }
        };
        // SAFETY: SSE2 is part of the x86-64 baseline, so these intrinsics are always available.
        let lanes = |k: usize| unsafe {
            let m = ld(&self.mag, k);
            let (gx, gy) = (ldi(&self.gx, k), ldi(&self.gy, k));
            let zero = _mm_setzero_si128();
            let abs = |v: __m128i| _mm_max_epi16(v, _mm_sub_epi16(zero, v));
            let (ax, ay) = (abs(gx), abs(gy));
            let times = |v: __m128i, n: i16| _mm_mullo_epi16(v, _mm_set1_epi16(n));
            let horizontal = _mm_cmplt_epi16(times(ay, 5), times(ax, 2));
            let vertical = _mm_cmplt_epi16(times(ax, 5), times(ay, 2));
            let same = _mm_cmpeq_epi16(_mm_cmpgt_epi16(gx, zero), _mm_cmpgt_epi16(gy, zero));
            // Magnitudes are below 1443, so the signed compares order them.
            let peak = |j0: usize, j1: usize| {
                let (m0, m1) = (ld(&self.mag, j0), ld(&self.mag, j1));
                _mm_andnot_si128(_mm_cmplt_epi16(m, m0), _mm_cmpgt_epi16(m, m1))
            };
            let select = |a: __m128i, b: __m128i, s: __m128i| {
                _mm_or_si128(_mm_and_si128(s, a), _mm_andnot_si128(s, b))
            };
            let diagonal = select(peak(k - w - 1, k + w + 1), peak(k + w - 1, k - w + 1), same);
            select(
                peak(k - 1, k + 1),
                select(peak(k - w, k + w), diagonal, vertical),
                horizontal,
            )
        };
        // SAFETY: as above; the two masks of 0 or -1 per lane pack to one byte per pixel.
        let bits = unsafe { _mm_movemask_epi8(_mm_packs_epi16(lanes(c), lanes(c + 8))) };
        strong & bits as u32
    }

    /// Orientation bins a vote spreads over on each side: [`VOTE_SPREAD`], or
    /// [`COARSE_VOTE_SPREAD`] on the coarser level (sensitivity above 1).
    fn spread(&self) -> i32 {
        if self.sensitivity > 1 {
            COARSE_VOTE_SPREAD
        } else {
            VOTE_SPREAD
        }
    }

    /// How far either side of a side its tone step is read, in plane pixels: the same distance
    /// in the frame on every level, so a coarser level does not reach past a card's margin
    /// into its print.
    fn contrast_offset(&self) -> f32 {
        CONTRAST_OFFSET / self.sensitivity as f32
    }

    /// Distance bins on each side of zero.
    fn rho_offset(&self) -> i32 {
        (((self.w * self.w + self.h * self.h) as f32).sqrt() / RHO_BIN).ceil() as i32
    }

    #[inline(never)]
    fn hough(&mut self) {
        let off = self.rho_offset();
        let n_rho = (2 * off + 1) as usize;
        if self.acc.len() < N_THETA * n_rho {
            self.acc.resize(N_THETA * n_rho, 0);
        }
        self.acc[..N_THETA * n_rho].fill(0);
        // Fixed point (coordinates in half pixels, tables in Q14 per distance bin): no float
        // rounding call per vote. Planes are at most a few thousand pixels, far from overflow.
        let half_bin = 1 << (HOUGH_SHIFT - 1);
        for e in &self.edges {
            let (x2, y2) = (2 * e.x as i32 + 1, 2 * e.y as i32 + 1);
            // Vote only near the point's own orientation: cheaper, and clutter votes less.
            let spread = self.spread();
            let from = e.theta as usize + (COARSE_VOTE_SPREAD - spread) as usize;
            let span = from..from + 2 * spread as usize + 1;
            for &(c, s, t) in &self.vote_q[span] {
                let rho = ((x2 * c + y2 * s + half_bin) >> HOUGH_SHIFT) + off;
                if let Some(cell) = self.acc.get_mut(t * n_rho + rho as usize) {
                    *cell = cell.saturating_add(1);
                }
            }
        }
    }

    #[inline(never)]
    /// Local maxima of the Hough space, strongest first, thinned so each line appears once.
    fn find_peaks(&mut self) {
        let off = self.rho_offset();
        let n_rho = (2 * off + 1) as usize;
        let min_votes = (0.12 * self.w.min(self.h) as f32) as u16;
        self.candidates.clear();
        // Local maxima are at most one per 3x3 block; reserving that once keeps pushes allocation-free.
        self.candidates.reserve(N_THETA * n_rho / 9 + 1);
        for t in 0..N_THETA {
            let row = &self.acc[t * n_rho..(t + 1) * n_rho];
            for (c, chunk) in row.chunks(16).enumerate() {
                // Nearly all of the space is below the vote floor: skip it 16 cells at a time
                // with a max that vectorises.
                if strip_max(chunk) < min_votes {
                    continue;
                }
                for r in (c * 16).max(1)..(c * 16 + chunk.len()).min(n_rho - 1) {
                    let v = self.acc[t * n_rho + r];
                    if v < min_votes || !self.is_local_max(t, r, n_rho) {
                        continue;
                    }
                    self.candidates.push(Peak {
                        theta: t,
                        rho: ((r as i32 - off) as f32 * RHO_BIN) as i32,
                        votes: v,
                    });
                }
            }
        }
        self.candidates
            .sort_unstable_by_key(|p| std::cmp::Reverse(p.votes));
        self.n_peaks = 0;
        let (mut n_h, mut n_v) = (0, 0);
        for i in 0..self.candidates.len() {
            let c = self.candidates[i];
            let family = if is_horizontal(&c) {
                &mut n_h
            } else {
                &mut n_v
            };
            if *family >= PEAKS_PER_FAMILY || self.near_kept(&c) {
                continue;
            }
            *family += 1;
            self.peaks[self.n_peaks] = c;
            self.n_peaks += 1;
            if self.n_peaks == MAX_PEAKS {
                break;
            }
        }
    }

    fn is_local_max(&self, t: usize, r: usize, n_rho: usize) -> bool {
        let v = self.acc[t * n_rho + r];
        for dt in [N_THETA - 1, 0, 1] {
            let tt = (t + dt) % N_THETA;
            for rr in [r - 1, r, r + 1] {
                if (tt, rr) == (t, r) {
                    continue;
                }
                let o = self.acc[tt * n_rho + rr];
                // Ties go to the first in scan order, so a plateau yields one peak.
                if o > v || (o == v && (tt, rr) < (t, r)) {
                    return false;
                }
            }
        }
        true
    }

    /// A line within 4° and 2.5 % of the plane's size of a kept (stronger) one is its duplicate.
    fn near_kept(&self, c: &Peak) -> bool {
        let tol_rho = (0.025 * self.w.max(self.h) as f32).max(4.0) as i32;
        self.peaks[..self.n_peaks].iter().any(|p| {
            let dt = (p.theta as i32 - c.theta as i32).abs();
            let same = dt <= 4 && (p.rho - c.rho).abs() <= tol_rho;
            // Across the 0°/180° seam the same line has its rho negated.
            let wrapped = N_THETA as i32 - dt <= 4 && (p.rho + c.rho).abs() <= tol_rho;
            same || wrapped
        })
    }

    fn line(&self, p: &Peak) -> Line {
        Line {
            cos: self.cos[p.theta],
            sin: self.sin[p.theta],
            rho: p.rho as f32,
        }
    }

    #[inline(never)]
    fn best_quad(&self, plane: &Plane, colours: Option<Colours<'_>>) -> Option<Detection> {
        let (w, h) = (self.w as f32, self.h as f32);
        let peaks = &self.peaks[..self.n_peaks];
        let is_h = is_horizontal;
        let angle_gap = |a: &Peak, b: &Peak| {
            let d = (a.theta as i32 - b.theta as i32).unsigned_abs() as usize;
            d.min(N_THETA - d)
        };
        let mut best: Option<(f32, Detection)> = None;
        let max_gap = N_THETA / 6; // 30°
        for (i, a) in peaks.iter().enumerate().filter(|(_, p)| is_h(p)) {
            for b in peaks[i + 1..].iter().filter(|p| is_h(p)) {
                if angle_gap(a, b) > max_gap {
                    continue;
                }
                let (la, lb) = (self.line(a), self.line(b));
                let ya = (la.rho - w / 2.0 * la.cos) / la.sin;
                let yb = (lb.rho - w / 2.0 * lb.cos) / lb.sin;
                if (ya - yb).abs() < 0.12 * h {
                    continue;
                }
                let (top, bottom) = if ya < yb { (la, lb) } else { (lb, la) };
                for (j, c) in peaks.iter().enumerate().filter(|(_, p)| !is_h(p)) {
                    for d in peaks[j + 1..].iter().filter(|p| !is_h(p)) {
                        if angle_gap(c, d) > max_gap {
                            continue;
                        }
                        let (lc, ld) = (self.line(c), self.line(d));
                        let xc = (lc.rho - h / 2.0 * lc.sin) / lc.cos;
                        let xd = (ld.rho - h / 2.0 * ld.sin) / ld.cos;
                        if (xc - xd).abs() < 0.12 * w {
                            continue;
                        }
                        let (left, right) = if xc < xd { (lc, ld) } else { (ld, lc) };
                        let Some(quad) = corners(&top, &right, &bottom, &left) else {
                            continue;
                        };
                        if !self.plausible(&quad) {
                            continue;
                        }
                        // Support is at most 1, so the size term bounds the score: skip the
                        // costly support of an outline that could not beat the best so far.
                        let size = (quad.area() / (w * h)).sqrt().sqrt();
                        if best.as_ref().is_some_and(|(s, _)| size <= *s) {
                            continue;
                        }
                        let Some(support) = self.support(&quad, plane, colours) else {
                            continue;
                        };
                        let score = support * size;
                        // The part-of-a-larger-outline check last: only for an outline that would be
                        // the best.
                        if best.as_ref().is_none_or(|(s, _)| score > *s)
                            && self.reaches_corners(&quad)
                            && !self.part_of_larger(&quad, plane, false)
                        {
                            best = Some((score, Detection { quad, support }));
                        }
                    }
                }
            }
        }
        best.map(|(_, d)| d)
    }

    /// Whether the sides of `q` run into its corners, at all but [`MAX_SHORT_CORNERS`] of them:
    /// edges back both sides within [`CORNER_STRETCH`] of the corner. A card's edges meet at
    /// its corners. An outline put together from the lines of different things (a photo box's
    /// edge, a band of print, the edge of a card that the frame cuts) has corners where one line
    /// only crosses another, or where neither reaches: there a side stops short. The support
    /// over the whole side skips its ends, as card corners are rounded, so it cannot tell the
    /// two apart.
    fn reaches_corners(&self, q: &Quad) -> bool {
        let (t0, t1) = CORNER_STRETCH;
        let reaches = |a: Point, b: Point| self.support_over(a, b, t0, t1) >= MIN_CORNER_SUPPORT;
        let short = (0..4)
            .filter(|&k| {
                let (prev, c, next) = (q.0[(k + 3) % 4], q.0[k], q.0[(k + 1) % 4]);
                !(reaches(c, prev) && reaches(c, next))
            })
            .count();
        short <= MAX_SHORT_CORNERS
    }

    /// Whether `q` is part of a larger outline: a side of it goes on past a corner as the same
    /// boundary, with edges along it and the same tone step across it, either up to the plane's
    /// border or for a good part of its length inside the plane ([`Self::goes_on`]). The photo
    /// box or the header band of a card, and a block of its print, are bounded in part by the
    /// card's own edges, which go on past their corners; a card's own sides end at its corners.
    ///
    /// Only outlines that could win need this: inside a card that is wholly in the frame, the
    /// card's outline is the larger candidate and wins on size anyway. `same_tones`: a run-on
    /// to the border must also keep the tones either side of the side ([`Self::detect`]'s
    /// second look, at the refined outline).
    fn part_of_larger(&self, q: &Quad, plane: &Plane, same_tones: bool) -> bool {
        (0..8).any(|k| {
            let (a, b) = (q.0[k / 2], q.0[(k / 2 + 1) % 4]);
            let (a, b) = if k % 2 == 0 { (a, b) } else { (b, a) };
            self.goes_on(a, b, plane, true, same_tones) || self.goes_on(a, b, plane, false, false)
        })
    }

    /// [`Self::part_of_larger`]'s test for the side a-b past b: up to the plane's border
    /// (`to_border`), or for [`CONTINUE_REACH`] of the side's length inside the plane.
    ///
    /// To the border, edges must back half of the run-on, and two fifths of it keep the side's
    /// mean tone step (its sign, and at least half its size). Inside the plane the stretch is
    /// short, so it must look like a side: edges back it as well as one, three fifths of it keep
    /// the step the side has near b, and only a clear step counts (twice the least a side needs),
    /// since on a dim or blurred card a faint one also goes on along shadows and smeared print.
    /// With `same_tones`, the tone on each side of the run-on must also stay within half the
    /// step of the side's own.
    #[inline(never)]
    fn goes_on(
        &self,
        a: Point,
        b: Point,
        plane: &Plane,
        to_border: bool,
        same_tones: bool,
    ) -> bool {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 4.0 {
            return false;
        }
        let (ux, uy) = (dx / len, dy / len);
        let at = |t: f32| Point {
            x: b.x + ux * t,
            y: b.y + uy * t,
        };
        // Within the plane's border, 2 px in, where gradients are.
        let (x1, y1) = (self.w as f32 - 2.0, self.h as f32 - 2.0);
        // Where the stretch starts: 2 px past the corner, clear of the corner's own error. A
        // card's rounding lies before its corner, not past it, and a card cut by the frame may
        // show only a sliver beyond the part found (`calibrate` probe, seeds 7, 3, 5, 11, 1, 13,
        // 17 and 23: 80 -> 74 wrong, 9 fixed, 3 broken, against 5 % of the side and at least
        // 3 px to the border; inside the plane the start made no difference).
        let skip = 2.0;
        let s = at(skip);
        if !(1.0..=x1).contains(&s.x) || !(1.0..=y1).contains(&s.y) {
            return false;
        }
        let reach = |p: f32, u: f32, hi: f32| {
            if u > 0.0 {
                (hi - p) / u
            } else if u < 0.0 {
                (1.0 - p) / u
            } else {
                f32::INFINITY
            }
        };
        let border = skip + reach(s.x, ux, x1).min(reach(s.y, uy, y1));
        // The stretch's end, the edges it needs, where the side's step is read from, the least
        // step, the offset the steps are read at, and the fifths of the stretch that keep it.
        // To the border, the step is read at the plane's own offset, not at the frame distance
        // the sides are judged at: with that shorter reach on the coarser level, more true cards
        // failed as run-ons (calibrate, four seeds: 7 glare scenes fewer).
        let (end, support, from, least, off, fifths) = if to_border {
            if border - skip < (RUN_ON_MIN * len).max(RUN_ON_MIN_PX) {
                return false;
            }
            let least = self.min_contrast;
            (border, MIN_SIDE_SUPPORT, a, least, CONTRAST_OFFSET, 2)
        } else {
            let end = CONTINUE_REACH * len;
            if end > border {
                return false;
            }
            let (from, least) = (at(-0.3 * len), 2 * self.min_contrast);
            (
                end,
                MIN_MEAN_SUPPORT,
                from,
                least,
                self.contrast_offset(),
                3,
            )
        };
        let e = at(end);
        if self.side_support(s, e) < support {
            return false;
        }
        let side = tone_steps(plane, from, b, self.min_contrast, off);
        let step = side.mean;
        if step.abs() < least {
            return false;
        }
        let run = tone_steps(plane, s, e, (step.abs() / 2).max(self.min_contrast), off);
        let kept = |x: i32, y: i32| (x - y).abs() < step.abs() / 2;
        if same_tones && !(kept(run.left, side.left) && kept(run.right, side.right)) {
            return false;
        }
        5 * if step > 0 { run.pos } else { run.neg } >= fifths * run.n
    }

    fn plausible(&self, q: &Quad) -> bool {
        let (w, h) = (self.w as f32, self.h as f32);
        let inside =
            q.0.iter()
                .all(|p| p.x >= -0.1 * w && p.x <= 1.1 * w && p.y >= -0.1 * h && p.y <= 1.1 * h);
        if !inside || !q.is_convex() || q.area() < MIN_AREA * w * h {
            return false;
        }
        let [t, r, b, l] = q.sides();
        let (horiz, vert) = ((t + b) / 2.0, (l + r) / 2.0);
        let aspect = horiz.max(vert) / horiz.min(vert).max(1.0);
        if !(MIN_ASPECT..=MAX_ASPECT).contains(&aspect) {
            return false;
        }
        // Interior angles near 90°.
        let square = (0..4).all(|i| {
            let (p0, p1, p2) = (q.0[(i + 3) % 4], q.0[i], q.0[(i + 1) % 4]);
            let (ax, ay, bx, by) = (p0.x - p1.x, p0.y - p1.y, p2.x - p1.x, p2.y - p1.y);
            let c = (ax * bx + ay * by)
                / ((ax * ax + ay * ay).sqrt() * (bx * bx + by * by).sqrt()).max(1e-6);
            c.abs() <= MAX_CORNER_COS
        });
        if !square {
            return false;
        }
        // The image's proportions bound the tilt; the rectangle's are the card's. The principal
        // point is the frame's centre: the frame is the camera's whole picture.
        let m = w.max(h);
        let centre = Point {
            x: w / 2.0,
            y: h / 2.0,
        };
        let Some((a, b)) = q.rectangle_aspects(centre, (FOCAL.0 * m, FOCAL.1 * m)) else {
            return false;
        };
        let (lo, hi) = (a.min(b), a.max(b));
        let (least, most) = TRUE_ASPECT;
        // Held upright (portrait), the width over the height is the inverse.
        (lo <= most && hi >= least) || (lo <= 1.0 / least && hi >= 1.0 / most)
    }

    /// Fraction of each side backed by an aligned gradient; `None` if any side is too weak, or
    /// if two sides (or one short of [`FLAT_SIDE_SUPPORT`]) do not separate two tones.
    fn support(&self, q: &Quad, plane: &Plane, colours: Option<Colours<'_>>) -> Option<f32> {
        let mut sides = [0.0; 4];
        for (i, side) in sides.iter_mut().enumerate() {
            *side = self.side_support(q.0[i], q.0[(i + 1) % 4]);
            if *side < MIN_SIDE_SUPPORT {
                return None;
            }
        }
        let mut flat = 0;
        for (i, &s) in sides.iter().enumerate() {
            if self.side_step(plane, q.0[i], q.0[(i + 1) % 4], colours) < MIN_SIDE_SUPPORT {
                flat += 1;
                if flat > 1 || s < FLAT_SIDE_SUPPORT {
                    return None;
                }
            }
        }
        let mean = sides.iter().sum::<f32>() / 4.0;
        (mean >= MIN_MEAN_SUPPORT).then_some(mean)
    }

    /// Fraction of the side a-b with a tone step of one sign across it: in luma, read at
    /// [`Self::contrast_offset`], or else, where that is under half, the best colour channel of
    /// the frame, read at [`CONTRAST_OFFSET`] plane px. The colour is read only when needed: it
    /// samples the full frame.
    fn side_step(&self, plane: &Plane, a: Point, b: Point, colours: Option<Colours<'_>>) -> f32 {
        let luma = side_contrast(plane, a, b, self.min_contrast, self.contrast_offset());
        match colours {
            Some(c) if luma < MIN_SIDE_SUPPORT => {
                luma.max(c.contrast(a, b, MIN_COLOUR_STEP, CONTRAST_OFFSET))
            }
            _ => luma,
        }
    }

    /// Fraction of the side a-b backed by an aligned gradient, skipping its ends (card corners
    /// are rounded).
    fn side_support(&self, a: Point, b: Point) -> f32 {
        self.support_over(a, b, 0.1, 0.9)
    }

    /// Fraction of the stretch of a-b from `t0` to `t1` (fractions of its length from a)
    /// backed by a gradient across it, within a pixel of the line.
    fn support_over(&self, a: Point, b: Point, t0: f32, t1: f32) -> f32 {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 4.0 {
            return 0.0;
        }
        let (nx, ny) = (-dy / len, dx / len);
        let n = ((len * (t1 - t0)) / 1.5).max(8.0) as usize;
        let mut hits = 0;
        for k in 0..n {
            let t = t0 + (t1 - t0) * (k as f32 + 0.5) / n as f32;
            let (px, py) = (a.x + t * dx, a.y + t * dy);
            let hit = (-1..=1).any(|o| {
                // Truncation is floor for the positions that pass the test below (>= 1).
                let x = (px + o as f32 * nx) as isize;
                let y = (py + o as f32 * ny) as isize;
                if x < 1 || y < 1 || x >= self.w as isize - 1 || y >= self.h as isize - 1 {
                    return false;
                }
                let i = y as usize * self.w + x as usize;
                let m = self.mag[i] as i32;
                if m < self.support_mag {
                    return false;
                }
                let dot = (self.gx[i] as f32 * nx + self.gy[i] as f32 * ny).abs();
                dot >= SUPPORT_COS * m as f32
            });
            hits += hit as usize;
        }
        hits as f32 / n as f32
    }

    /// Re-fits each side to the edge points along it, for sub-bin accuracy.
    #[inline(never)]
    fn refine(&self, d: Detection) -> Detection {
        let q = d.quad;
        let mut lines = [Line::from_angle(0.0, 0.0); 4];
        for (i, line) in lines.iter_mut().enumerate() {
            let (a, b) = (q.0[i], q.0[(i + 1) % 4]);
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let len2 = dx * dx + dy * dy;
            let len = len2.sqrt();
            let (nx, ny) = (-dy / len, dx / len);
            let side = Line {
                cos: nx,
                sin: ny,
                rho: a.x * nx + a.y * ny,
            };
            let mut normal_angle = ny.atan2(nx);
            if normal_angle < 0.0 {
                normal_angle += PI;
            }
            let side_bin =
                ((normal_angle / PI * N_THETA as f32).round() as i32).rem_euclid(N_THETA as i32);
            let mut fit = LineFit::default();
            // A point within 2 px of the side lies within 2 px of its rows, and the edges are
            // in row order: only that band of them can count.
            let (y_lo, y_hi) = (a.y.min(b.y) - 3.0, a.y.max(b.y) + 3.0);
            let first = self.edges.partition_point(|e| (e.y as f32) < y_lo);
            let last = self.edges.partition_point(|e| (e.y as f32) <= y_hi);
            for e in &self.edges[first..last.max(first)] {
                let p = Point {
                    x: e.x as f32 + 0.5,
                    y: e.y as f32 + 0.5,
                };
                if side.distance(p).abs() > 2.0 {
                    continue;
                }
                let t = ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2;
                if !(0.1..=0.9).contains(&t) {
                    continue;
                }
                let dt = (e.theta as i32 - side_bin).rem_euclid(N_THETA as i32);
                if dt.min(N_THETA as i32 - dt) > 2 * self.spread() {
                    continue;
                }
                fit.add(p.x, p.y);
            }
            *line = if fit.count() >= 0.3 * len {
                Line::fit(&fit).unwrap_or(side)
            } else {
                side
            };
        }
        match corners(&lines[0], &lines[1], &lines[2], &lines[3]) {
            Some(r)
                if r.0
                    .iter()
                    .zip(q.0.iter())
                    .all(|(a, b)| super::geometry::dist(*a, *b) <= 4.0) =>
            {
                Detection {
                    quad: r,
                    support: d.support,
                }
            }
            _ => d,
        }
    }
}

/// The orientation bin (0..N_THETA, 1° each, direction modulo 180°) of the gradient (gx, gy).
///
/// A polynomial arctangent (error under 0.001°) instead of `atan2`, which is a library call per
/// edge pixel; the bin is the same except within a hair of a bin boundary.
#[inline]
fn orientation_bin(gx: i32, gy: i32) -> usize {
    // Fold to the upper half plane: a direction and its opposite are the same line.
    let (x, y) = if gy < 0 || (gy == 0 && gx < 0) {
        (-gx as f32, -gy as f32)
    } else {
        (gx as f32, gy as f32)
    };
    let (ax, ay) = (x.abs(), y);
    if ax == 0.0 && ay == 0.0 {
        return 0;
    }
    // atan on [0, 1] of the smaller over the larger, then unfold the octant.
    let (lo, hi) = if ax >= ay { (ay, ax) } else { (ax, ay) };
    let z = lo / hi;
    let z2 = z * z;
    let mut a = z
        * (0.999_866
            + z2 * (-0.330_299_5 + z2 * (0.180_141 + z2 * (-0.085_133 + z2 * 0.020_835_1))));
    if ay > ax {
        a = PI / 2.0 - a;
    }
    if x < 0.0 {
        a = PI - a;
    }
    ((a * (N_THETA as f32 / PI) + 0.5) as usize) % N_THETA
}

/// [`QuadDetector::gradients`]' row in SSE2 (the x86-64 baseline), eight pixels at a time, with
/// the same numbers: the squares summed exactly by `pmaddwd`, the root taken in f32 and
/// truncated. `rows` are the three source rows, `n + 2` pixels each for `n` outputs. Returns how
/// many pixels it wrote; the caller does the rest.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn sobel_sse2(rows: [&[u8]; 3], gx: &mut [i16], gy: &mut [i16], mag: &mut [u16]) -> usize {
    use core::arch::x86_64::*;
    let n = gx.len().min(gy.len()).min(mag.len());
    let end = n / 8 * 8;
    if rows.iter().any(|r| r.len() < end + 2) {
        return 0;
    }
    for x in (0..end).step_by(8) {
        // SAFETY: SSE2 is in the x86-64 baseline. The loads read bytes x..x + 10 of rows at
        // least `end + 2` long, the stores eight lanes of slices at least `end` long.
        unsafe {
            let zero = _mm_setzero_si128();
            let px = |r: &[u8], o: usize| {
                _mm_unpacklo_epi8(
                    _mm_loadl_epi64(r.as_ptr().add(x + o) as *const __m128i),
                    zero,
                )
            };
            let [r0, r1, r2] = rows;
            let col = |o: usize| {
                _mm_add_epi16(
                    _mm_add_epi16(px(r0, o), px(r2, o)),
                    _mm_slli_epi16(px(r1, o), 1),
                )
            };
            let row = |r: &[u8]| {
                _mm_add_epi16(
                    _mm_add_epi16(px(r, 0), px(r, 2)),
                    _mm_slli_epi16(px(r, 1), 1),
                )
            };
            let dx = _mm_sub_epi16(col(2), col(0));
            let dy = _mm_sub_epi16(row(r2), row(r0));
            _mm_storeu_si128(gx.as_mut_ptr().add(x) as *mut __m128i, dx);
            _mm_storeu_si128(gy.as_mut_ptr().add(x) as *mut __m128i, dy);
            // dx² + dy² per pixel, exact in i32: (dx, dy) pairs through pmaddwd.
            let sq = |v: __m128i| _mm_madd_epi16(v, v);
            let root = |v: __m128i| _mm_cvttps_epi32(_mm_sqrt_ps(_mm_cvtepi32_ps(v)));
            let lo = root(sq(_mm_unpacklo_epi16(dx, dy)));
            let hi = root(sq(_mm_unpackhi_epi16(dx, dy)));
            _mm_storeu_si128(
                mag.as_mut_ptr().add(x) as *mut __m128i,
                _mm_packs_epi32(lo, hi),
            );
        }
    }
    end
}

/// Bit k set when `mags[k] >= floor`, for up to 16 magnitudes.
#[inline(always)]
fn strong_mask(mags: &[u16], floor: u16) -> u32 {
    #[cfg(target_arch = "x86_64")]
    if let Ok(m) = <&[u16; 16]>::try_from(mags) {
        use core::arch::x86_64::*;
        // SAFETY: SSE2 is in the x86-64 baseline; `m` holds 16 u16, two unaligned loads.
        return unsafe {
            let p = m.as_ptr() as *const __m128i;
            // v >= floor exactly when floor - v saturates to 0.
            let f = _mm_set1_epi16(floor as i16);
            let zero = _mm_setzero_si128();
            let ge = |v: __m128i| _mm_cmpeq_epi16(_mm_subs_epu16(f, v), zero);
            let both = _mm_packs_epi16(ge(_mm_loadu_si128(p)), ge(_mm_loadu_si128(p.add(1))));
            _mm_movemask_epi8(both) as u32
        };
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if let Ok(m) = <&[u16; 16]>::try_from(mags) {
        use core::arch::wasm32::*;
        let f = u16x8_splat(floor);
        // SAFETY: `m` holds 16 u16, two vectors; v128_load has no alignment requirement.
        let (lo, hi) = unsafe {
            let p = m.as_ptr() as *const v128;
            (v128_load(p), v128_load(p.add(1)))
        };
        return u16x8_bitmask(u16x8_ge(lo, f)) as u32
            | (u16x8_bitmask(u16x8_ge(hi, f)) as u32) << 8;
    }
    strong_mask_scalar(mags, floor)
}

/// [`strong_mask`] without SIMD.
#[inline(always)]
fn strong_mask_scalar(mags: &[u16], floor: u16) -> u32 {
    mags.iter()
        .enumerate()
        .fold(0u32, |m, (k, &v)| m | (((v >= floor) as u32) << k))
}

/// Horizontal-ish lines have their normal within 45° of vertical.
fn is_horizontal(p: &Peak) -> bool {
    (N_THETA / 4..3 * N_THETA / 4).contains(&p.theta)
}

/// Fraction of a side along which the tone a few pixels to its left differs from the tone to
/// its right by at least `min_contrast`, counting only the more common sign.
fn side_contrast(p: &Plane, a: Point, b: Point, min_contrast: i32, off: f32) -> f32 {
    let t = tone_steps(p, a, b, min_contrast, off);
    t.pos.max(t.neg) as f32 / t.n.max(1) as f32
}

/// The tone steps across a side (left minus right) at [`across`]'s samples.
#[derive(Clone, Copy, Default)]
struct ToneSteps {
    /// Samples in all (0 for a side too short to judge).
    n: usize,
    /// Steps of at least the floor, and of at most minus the floor.
    pos: usize,
    neg: usize,
    /// The mean step over the samples on the plane, and the mean tone to the left and right.
    mean: i32,
    left: i32,
    right: i32,
}

fn tone_steps(p: &Plane, a: Point, b: Point, floor: i32, off: f32) -> ToneSteps {
    let Some((n, pairs)) = across(a, b, off) else {
        return ToneSteps::default();
    };
    let inside = |q: Point| q.x >= 0.0 && q.y >= 0.0 && q.x < p.w as f32 && q.y < p.h as f32;
    let (mut t, mut left, mut right, mut on) = (
        ToneSteps {
            n,
            ..ToneSteps::default()
        },
        0,
        0,
        0,
    );
    for (l, r) in pairs {
        if !inside(l) || !inside(r) {
            continue;
        }
        let (tl, tr) = (
            p.get(l.x as usize, l.y as usize) as i32,
            p.get(r.x as usize, r.y as usize) as i32,
        );
        let d = tl - tr;
        t.pos += (d >= floor) as usize;
        t.neg += (d <= -floor) as usize;
        left += tl;
        right += tr;
        on += 1;
    }
    t.left = left / on.max(1);
    t.right = right / on.max(1);
    t.mean = (left - right) / on.max(1);
    t
}

/// Where a contrast check samples the side a-b: pairs of points `off` px to its left and right,
/// at evenly spaced points of its middle 80 %; and how many (`None` for a side too short to
/// judge).
fn across(a: Point, b: Point, off: f32) -> Option<(usize, impl Iterator<Item = (Point, Point)>)> {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 4.0 {
        return None;
    }
    let (nx, ny) = (-dy / len * off, dx / len * off);
    let n = ((len * 0.8) / 2.0).max(8.0) as usize;
    let pairs = (0..n).map(move |k| {
        let t = 0.1 + 0.8 * (k as f32 + 0.5) / n as f32;
        let (px, py) = (a.x + t * dx, a.y + t * dy);
        (
            Point {
                x: px + nx,
                y: py + ny,
            },
            Point {
                x: px - nx,
                y: py - ny,
            },
        )
    });
    Some((n, pairs))
}

/// The RGBA frame behind a plane, read at plane coordinates.
#[derive(Clone, Copy)]
pub(crate) struct Colours<'a> {
    frame: Frame<'a>,
    /// Frame pixels per plane pixel.
    scale: f32,
}

impl<'a> Colours<'a> {
    pub fn new(frame: Frame<'a>, scale: f32) -> Self {
        Self { frame, scale }
    }

    /// Mean R, G and B over the frame pixels under the plane pixel around (x, y), from a 3x3
    /// grid of them (the plane is area-averaged; single frame pixels carry sensor noise), into
    /// `out`; `false` if any of them is outside the frame.
    // Called twice per sample: one out-of-line copy keeps the package smaller.
    #[inline(never)]
    fn read(&self, x: f32, y: f32, out: &mut [i32; 3]) -> bool {
        let (fw, fh) = (self.frame.width() as f32, self.frame.height() as f32);
        let mut sum = [0i32; 3];
        for k in 0..9 {
            let fx = (x + (k % 3) as f32 / 3.0 - 1.0 / 3.0) * self.scale;
            let fy = (y + (k / 3) as f32 / 3.0 - 1.0 / 3.0) * self.scale;
            if !(0.0..fw).contains(&fx) || !(0.0..fh).contains(&fy) {
                return false;
            }
            let i = fx as usize * 4;
            for (s, &v) in sum.iter_mut().zip(&self.frame.row(fy as u32)[i..i + 3]) {
                *s += v as i32;
            }
        }
        *out = sum.map(|s| s / 9);
        true
    }

    /// [`side_contrast`] in colour: the fraction of the side across which one channel steps by
    /// `min_contrast` or more, with one sign (the best channel's).
    fn contrast(&self, a: Point, b: Point, min_contrast: i32, off: f32) -> f32 {
        let Some((n, pairs)) = across(a, b, off) else {
            return 0.0;
        };
        let (mut pos, mut neg) = ([0usize; 3], [0usize; 3]);
        let (mut l, mut r) = ([0i32; 3], [0i32; 3]);
        for (lp, rp) in pairs {
            if !self.read(lp.x, lp.y, &mut l) || !self.read(rp.x, rp.y, &mut r) {
                continue;
            }
            for c in 0..3 {
                let d = l[c] - r[c];
                pos[c] += (d >= min_contrast) as usize;
                neg[c] += (d <= -min_contrast) as usize;
            }
        }
        let best = (0..3).map(|c| pos[c].max(neg[c])).max().unwrap_or(0);
        best as f32 / n as f32
    }
}

/// How the detector saw one side of a known outline: for calibration's account of a miss.
#[cfg(feature = "diagnostics")]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SideReport {
    /// Fraction of the side that aligned gradients back (a quad needs 0.5 on each side).
    pub support: f32,
    /// Fraction of the side with a tone step across it, of one sign, as the detector judges it
    /// ([`QuadDetector::side_step`]: luma, or colour where luma is under 0.5; needs 0.5).
    pub contrast: f32,
    /// Whether a line kept from the Hough space matches the side (within 3° and 6 px).
    pub in_peaks: bool,
}

#[cfg(feature = "diagnostics")]
impl QuadDetector {
    /// Runs the detection on `p`, then reports how it saw each side (top, right, bottom, left)
    /// of the true outline `truth`, in `p`'s coordinates.
    pub(crate) fn explain(
        &mut self,
        p: &Plane,
        sensitivity: i32,
        colours: Option<Colours<'_>>,
        truth: &Quad,
    ) -> [SideReport; 4] {
        let _ = self.detect(p, sensitivity, colours);
        if self.w != p.w || self.h != p.h {
            // Too small a plane to detect in: nothing was computed.
            return [SideReport::default(); 4];
        }
        std::array::from_fn(|i| {
            let (a, b) = (truth.0[i], truth.0[(i + 1) % 4]);
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let len = (dx * dx + dy * dy).sqrt().max(1e-6);
            let (nx, ny) = (-dy / len, dx / len);
            let rho = a.x * nx + a.y * ny;
            let theta = ny.atan2(nx).to_degrees();
            let in_peaks = self.peaks[..self.n_peaks].iter().any(|pk| {
                let line = self.line(pk);
                let t = line.sin.atan2(line.cos).to_degrees();
                // The same line has its normal (and rho) reversed half a turn away.
                [(0.0, 1.0), (180.0, -1.0), (-180.0, -1.0)]
                    .iter()
                    .any(|&(turn, sign)| {
                        (t + turn - theta).abs() <= 3.0 && (sign * line.rho - rho).abs() <= 6.0
                    })
            });
            SideReport {
                support: self.side_support(a, b),
                contrast: self.side_step(p, a, b, colours),
                in_peaks,
            }
        })
    }
}

fn corners(top: &Line, right: &Line, bottom: &Line, left: &Line) -> Option<Quad> {
    Some(Quad([
        top.intersect(left)?,
        top.intersect(right)?,
        bottom.intersect(right)?,
        bottom.intersect(left)?,
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_polynomial_orientation_bins_like_atan2() {
        let mut off_by_one = 0;
        for gx in (-1020..=1020).step_by(7) {
            for gy in (-1020..=1020).step_by(11) {
                let mut theta = (gy as f32).atan2(gx as f32);
                if theta < 0.0 {
                    theta += PI;
                }
                let exact = ((theta / PI * N_THETA as f32).round() as usize) % N_THETA;
                let fast = orientation_bin(gx, gy);
                let d = exact.abs_diff(fast).min(N_THETA - exact.abs_diff(fast));
                assert!(d <= 1, "({gx}, {gy}): {exact} vs {fast}");
                off_by_one += d;
            }
        }
        // Only exact ties at a bin boundary may round the other way.
        assert!(off_by_one < 20, "{off_by_one} of 27 000 differ by a bin");
    }

    /// A light card-shaped quad on a dark background, drawn by inside-test (no anti-aliasing).
    fn draw(w: usize, h: usize, q: &Quad, inside: u8, outside: u8) -> Plane {
        let mut p = Plane::default();
        p.reset(w, h);
        for y in 0..h {
            for x in 0..w {
                let pt = Point {
                    x: x as f32 + 0.5,
                    y: y as f32 + 0.5,
                };
                let ins = (0..4).all(|i| {
                    let (a, b) = (q.0[i], q.0[(i + 1) % 4]);
                    (b.x - a.x) * (pt.y - a.y) - (b.y - a.y) * (pt.x - a.x) >= 0.0
                });
                p.data[y * w + x] = if ins { inside } else { outside };
            }
        }
        p
    }

    /// As [`draw`], with the edges antialiased (4x4 samples a pixel), as a camera sees them: an
    /// aliased edge's steps turn its gradients away from the edge's slope.
    fn draw_smooth(w: usize, h: usize, q: &Quad, inside: u8, outside: u8) -> Plane {
        let fine = draw(4 * w, 4 * h, &q.scaled(4.0, 0.0), inside, outside);
        let mut p = Plane::default();
        p.reset(w, h);
        for y in 0..h {
            for x in 0..w {
                let sum: u32 = (0..16)
                    .map(|k| fine.data[(4 * y + k / 4) * 4 * w + 4 * x + k % 4] as u32)
                    .sum();
                p.data[y * w + x] = (sum / 16) as u8;
            }
        }
        p
    }

    /// Paints the inside of `q` on `p` in `value`.
    fn paint(p: &mut Plane, q: &Quad, value: u8) {
        let mask = draw(p.w, p.h, q, 1, 0);
        for (v, m) in p.data.iter_mut().zip(&mask.data) {
            if *m == 1 {
                *v = value;
            }
        }
    }

    /// A 320x200 plane: a light `shape` (200) on a dark background (60), and on it a mid-grey
    /// box (120), such as a card's photo box or block of print.
    fn box_on(shape: &Quad, the_box: &Quad) -> Plane {
        let mut p = draw(320, 200, shape, 200, 60);
        paint(&mut p, the_box, 120);
        p
    }

    /// Checks that no card is found where `the_box` is part of `shape`, and returns the card
    /// found where the box is drawn on its own.
    fn a_part_alone(shape: &Quad, the_box: &Quad) -> Detection {
        let on_shape = box_on(shape, the_box);
        assert!(QuadDetector::default().detect(&on_shape, 1, None).is_none());
        let alone = draw(320, 200, the_box, 120, 60);
        QuadDetector::default()
            .detect(&alone, 1, None)
            .expect("the box on its own is a card")
    }

    fn pt(x: f32, y: f32) -> Point {
        Point { x, y }
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn the_vector_thinning_keeps_the_scalar_edges() {
        // Noise plus a tilted card: edges in every direction, strips cut by the plane's edge.
        let q = Quad([
            pt(40.3, 30.1),
            pt(250.2, 52.7),
            pt(231.0, 180.4),
            pt(22.5, 160.9),
        ]);
        let mut p = draw(283, 211, &q, 200, 60);
        let mut state = 7u32;
        for v in p.data.iter_mut() {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *v = v.saturating_add((state >> 27) as u8);
        }
        let mut d = QuadDetector::default();
        d.gradients(&p);
        d.adapt_thresholds(&p);
        d.edge_points_with::<false>();
        let slow = d.edges.clone();
        d.edge_points_with::<true>();
        assert!(slow.len() > 300, "{}", slow.len());
        assert!(d.edges == slow);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn gradients_are_the_sobel_formula_at_every_pixel() {
        // Noise over the full byte range (the largest sums), on a width that leaves a tail.
        let (w, h) = (101, 9);
        let mut p = Plane::default();
        p.reset(w, h);
        let mut state = 99u32;
        for v in p.data.iter_mut() {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *v = if state >> 31 == 0 {
                0
            } else {
                (state >> 16) as u8 | 0xf0
            };
        }
        let mut d = QuadDetector::default();
        d.gradients(&p);
        let at = |x: usize, y: usize| p.data[y * w + x] as i32;
        for y in 1..h - 1 {
            for x in 1..w - 1 {
                let dx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1)
                    - at(x - 1, y - 1)
                    - 2 * at(x - 1, y)
                    - at(x - 1, y + 1);
                let dy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1)
                    - at(x - 1, y - 1)
                    - 2 * at(x, y - 1)
                    - at(x + 1, y - 1);
                let i = y * w + x;
                assert_eq!((d.gx[i] as i32, d.gy[i] as i32), (dx, dy), "({x}, {y})");
                let m = ((dx * dx + dy * dy) as f64).sqrt() as u16;
                assert_eq!(d.mag[i], m, "({x}, {y})");
            }
        }
    }

    #[test]
    fn a_colour_step_makes_a_side_where_the_tone_does_not_change() {
        // Left half pink, right half a grey of nearly the same luma (133 against 128).
        let (w, h) = (64u32, 48u32);
        let mut rgba = Vec::new();
        for _ in 0..h {
            for x in 0..w {
                rgba.extend_from_slice(if x < 32 {
                    &[200, 100, 128, 255]
                } else {
                    &[128, 128, 128, 255]
                });
            }
        }
        let frame = Frame::packed(&rgba, w, h).expect("frame");
        let c = Colours::new(frame, 2.0);
        // The boundary is at plane x = 16 (frame x = 32).
        let (a, b) = (pt(16.0, 4.0), pt(16.0, 20.0));
        assert!(c.contrast(a, b, MIN_COLOUR_STEP, CONTRAST_OFFSET) > 0.9);
        // Along a line within one colour, nothing.
        assert_eq!(
            c.contrast(
                pt(6.0, 4.0),
                pt(6.0, 20.0),
                MIN_COLOUR_STEP,
                CONTRAST_OFFSET
            ),
            0.0
        );
        // Out of the frame: no samples, no contrast, no panic.
        assert_eq!(
            c.contrast(
                pt(-50.0, -4.0),
                pt(-50.0, 20.0),
                MIN_COLOUR_STEP,
                CONTRAST_OFFSET
            ),
            0.0
        );
    }

    /// A card in perspective on a 320x200 plane.
    fn tilted_card() -> Quad {
        Quad([
            pt(60.0, 50.0),
            pt(250.0, 40.0),
            pt(258.0, 160.0),
            pt(64.0, 168.0),
        ])
    }

    #[cfg(feature = "diagnostics")]
    #[test]
    fn explains_the_sides_of_a_card_and_not_of_a_misplaced_outline() {
        let truth = tilted_card();
        let p = draw(320, 200, &truth, 210, 60);
        let mut d = QuadDetector::default();
        for s in d.explain(&p, 1, None, &truth) {
            assert!(s.support > 0.9 && s.contrast > 0.9 && s.in_peaks, "{s:?}");
        }
        let off = truth.scaled(1.0, 25.0);
        for s in d.explain(&p, 1, None, &off) {
            assert!(s.support < 0.5 && !s.in_peaks, "{s:?}");
        }
    }

    #[test]
    fn finds_a_tilted_card() {
        let truth = tilted_card();
        let p = draw(320, 200, &truth, 210, 60);
        let d = QuadDetector::default().detect(&p, 1, None).expect("quad");
        for (a, b) in d.quad.0.iter().zip(truth.0.iter()) {
            assert!(super::super::geometry::dist(*a, *b) < 2.0, "{a:?} vs {b:?}");
        }
        assert!(d.support > 0.9);
    }

    #[test]
    fn an_outline_inside_a_card_the_frame_cuts_is_not_a_card() {
        // A card running off the plane's right edge, and on it a box whose top is the card's top:
        // card-shaped (170x100), but its top side goes on, as the card's edge, to the border.
        let the_box = Quad::rect(100.0, 40.0, 170.0, 100.0);
        let d = a_part_alone(&Quad::rect(100.0, 40.0, 300.0, 130.0), &the_box);
        for (a, b) in d.quad.0.iter().zip(the_box.0.iter()) {
            assert!(super::super::geometry::dist(*a, *b) < 2.0, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn an_outline_a_sliver_short_of_the_border_on_a_cut_card_is_not_a_card() {
        // As above, but the box ends 25 px before the border: of the card beyond it, the frame
        // shows a sliver of 14 % of the box's length. (The card's bottom lies 15 px below the
        // box's, too short a run-on for the box's left side to tell.)
        let the_box = Quad::rect(115.0, 40.0, 180.0, 100.0);
        a_part_alone(&Quad::rect(115.0, 40.0, 300.0, 115.0), &the_box);
    }

    #[test]
    fn an_outline_a_few_pixels_short_of_the_border_on_a_coarse_plane_is_not_a_card() {
        // On an 80x60 plane (the eighth level of a 640x480 frame), a card-shaped box (52x33) at
        // the top of a page that runs off the bottom: the box's sides go on as the page's edges
        // for 4.5 px to the border, 36 px of the frame.
        let the_box = Quad::rect(12.0, 18.5, 52.0, 33.0);
        let mut on_page = draw(80, 60, &Quad::rect(12.0, 18.5, 52.0, 50.0), 200, 60);
        paint(&mut on_page, &the_box, 120);
        assert!(QuadDetector::default().detect(&on_page, 4, None).is_none());
        let alone = draw(80, 60, &the_box, 120, 60);
        assert!(QuadDetector::default().detect(&alone, 4, None).is_some());
    }

    #[test]
    fn an_outline_whose_side_goes_on_inside_the_frame_is_not_a_card() {
        // A card-shaped box (130x82) at the top of a larger, squarer shape wholly in the plane:
        // the box's top side goes on past both its corners as the shape's top edge, for about
        // a third of its length, which ends well before the plane's border.
        let the_box = Quad::rect(80.0, 30.0, 130.0, 82.0);
        a_part_alone(&Quad::rect(40.0, 30.0, 215.0, 166.0), &the_box);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn an_outline_of_card_shape_only_in_the_image_is_not_a_card() {
        // Turned 42° about its vertical axis, a strip 2.5 times as wide as high looks 1.9 times
        // as wide as high, as a card may; its converging sides show it is at least 2.0 times as
        // wide for any focal length from 0.4 to 2 widths of the plane. A card turned 20° is found.
        let seen = |aspect: f32, yaw: f32| {
            let q =
                super::super::geometry::seen_rectangle(aspect, yaw, 288.0, 3.2, pt(160.0, 100.0));
            QuadDetector::default().detect(&draw_smooth(320, 200, &q, 200, 60), 1, None)
        };
        assert!(seen(2.5, 42.0).is_none());
        assert!(seen(1.586, 20.0).is_some());
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn an_outline_whose_sides_stop_short_of_its_corners_is_not_a_card() {
        // A card-shaped box with a notch of 14 % of each side at the chosen corners: there the
        // sides stop short of the corner their lines meet at, as lines of different things do.
        // The lines through the notches' inner edges make outlines of the wrong shape.
        let (x, y, w, h) = (85.0, 52.0, 150.0, 95.0);
        let notched = |corners: &[usize]| {
            let mut p = draw(320, 200, &Quad::rect(x, y, w, h), 200, 60);
            let (nw, nh) = (0.14 * w, 0.14 * h);
            for &k in corners {
                let nx = if k == 1 || k == 2 { x + w - nw } else { x };
                let ny = if k >= 2 { y + h - nh } else { y };
                paint(&mut p, &Quad::rect(nx, ny, nw, nh), 60);
            }
            p
        };
        assert!(QuadDetector::default()
            .detect(&notched(&[0, 1, 2, 3]), 1, None)
            .is_none());
        assert!(QuadDetector::default()
            .detect(&notched(&[0, 2]), 1, None)
            .is_none());
        // One corner hidden, as by the finger holding the card: still a card.
        let one = QuadDetector::default().detect(&notched(&[2]), 1, None);
        assert!(one.is_some_and(|d| d.quad.area() > 0.9 * w * h));
    }

    #[test]
    fn finds_nothing_on_a_flat_plane_or_a_square() {
        let mut flat = Plane::default();
        flat.reset(320, 200);
        flat.data.fill(128);
        assert!(QuadDetector::default().detect(&flat, 1, None).is_none());
        // A square is not card-shaped.
        let sq = Quad([
            pt(100.0, 40.0),
            pt(220.0, 40.0),
            pt(220.0, 160.0),
            pt(100.0, 160.0),
        ]);
        assert!(QuadDetector::default()
            .detect(&draw(320, 200, &sq, 200, 50), 1, None)
            .is_none());
    }
}
