//! Rectification: resamples a quadrilateral of a plane (the document, the face box) into an
//! upright rectangle, bilinearly, in fixed point. The pre-check's costliest loop after the
//! downscale, so the package's build (WebAssembly SIMD128) and the native one (SSE2, the x86-64
//! baseline) blend eight pixels at a time; the taps are still fetched one by one, as neither has
//! a 16-bit gather.

use super::geometry::Homography;
use super::plane::Plane;

/// Resamples the region `hm` maps onto `(0..w) x (0..h)` from `src` into `dst`, bilinearly.
///
/// The hot loop of the rectification, so it runs in fixed point: the projective map is evaluated
/// exactly every [`WARP_STEP`] pixels of a row and stepped linearly in between (over 16 px of a
/// 320 px card in 25° of perspective the difference is under 0.05 px), with coordinates in 16.16
/// and weights of 8 bits. Positions are clamped so the 2x2 neighbourhood always lies inside
/// `src`: no per-tap edge test is needed.
#[inline(never)]
pub(crate) fn warp(src: &Plane, hm: &Homography, dst: &mut Plane, w: usize, h: usize) {
    warp_with::<true>(src, hm, dst, w, h);
}

/// [`warp`], with the vector path on or off (the tests hold one to the other).
#[inline(always)]
fn warp_with<const VECTOR: bool>(
    src: &Plane,
    hm: &Homography,
    dst: &mut Plane,
    w: usize,
    h: usize,
) {
    dst.reset(w, h);
    let sw = src.w;
    if sw < 2 || src.h < 2 {
        dst.data[..w * h].fill(src.data.first().copied().unwrap_or(0));
        return;
    }
    const ONE: f32 = 65536.0;
    let m = hm.matrix();
    // Source position of the pixel centre (x, y), in 16.16 with pixel centres at integers.
    // `as` saturates, so a wild homography clamps instead of wrapping.
    let at = |x: f32, y: f32| {
        let z = 1.0 / (m[6] * x + m[7] * y + m[8]);
        let sx = (m[0] * x + m[1] * y + m[2]) * z - 0.5;
        let sy = (m[3] * x + m[4] * y + m[5]) * z - 0.5;
        ((sx * ONE) as i32, (sy * ONE) as i32)
    };
    let max_x = (((sw - 1) as i32) << 16) - 1;
    let max_y = (((src.h - 1) as i32) << 16) - 1;
    let data = &src.data[..sw * src.h];
    for (y, out) in dst.data[..w * h].chunks_exact_mut(w).enumerate() {
        let yc = y as f32 + 0.5;
        let mut x0 = 0;
        let mut p0 = at(0.5, yc);
        while x0 < w {
            let x1 = (x0 + WARP_STEP).min(w);
            let p1 = at(x1 as f32 + 0.5, yc);
            let n = (x1 - x0) as i32;
            let (ddx, ddy) = (p1.0.saturating_sub(p0.0), p1.1.saturating_sub(p0.1));
            // Full segments divide by a shift (floor, within a 65536th of a pixel).
            let (dx, dy) = if n == WARP_STEP as i32 {
                (ddx >> WARP_SHIFT, ddy >> WARP_SHIFT)
            } else {
                (ddx / n, ddy / n)
            };
            // The steps are floored, so the positions between the ends can fall up to a step
            // count of 65536ths below the lower end: keep that margin from 0.
            let low = WARP_STEP as i32;
            let inside =
                |p: (i32, i32)| (low..=max_x).contains(&p.0) && (low..=max_y).contains(&p.1);
            let seg = Segment {
                data,
                stride: sw,
                start: p0,
                step: (dx, dy),
                max: (max_x, max_y),
            };
            // Both ends inside means every step between is: the usual case, without clamps.
            if inside(p0) && inside(p1) {
                if VECTOR {
                    seg.run_inside(&mut out[x0..x1]);
                } else {
                    seg.run::<false>(&mut out[x0..x1]);
                }
            } else {
                seg.run::<true>(&mut out[x0..x1]);
            }
            x0 = x1;
            p0 = p1;
        }
    }
}

const WARP_SHIFT: u32 = 4;
const WARP_STEP: usize = 1 << WARP_SHIFT;

/// A run of output pixels whose source positions step linearly (16.16 fixed point).
#[derive(Clone, Copy)]
struct Segment<'a> {
    data: &'a [u8],
    stride: usize,
    start: (i32, i32),
    step: (i32, i32),
    max: (i32, i32),
}

impl Segment<'_> {
    /// [`Segment::run`] for a segment whose ends are inside the clamp box, so every position
    /// is: eight pixels per step where SIMD128 or SSE2 is on.
    #[inline(always)]
    fn run_inside(&self, out: &mut [u8]) {
        #[cfg(any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        ))]
        {
            let done = self.run_simd(out);
            let tail = Segment {
                start: (
                    self.start
                        .0
                        .wrapping_add(self.step.0.wrapping_mul(done as i32)),
                    self.start
                        .1
                        .wrapping_add(self.step.1.wrapping_mul(done as i32)),
                ),
                ..*self
            };
            tail.run::<false>(&mut out[done..]);
        }
        #[cfg(not(any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        )))]
        self.run::<false>(out);
    }

    #[inline(always)]
    fn run<const CLAMP: bool>(&self, out: &mut [u8]) {
        let (mut sx, mut sy) = self.start;
        let sw = self.stride;
        for o in out {
            let (fx, fy) = if CLAMP {
                (sx.clamp(0, self.max.0), sy.clamp(0, self.max.1))
            } else {
                (sx, sy)
            };
            let i = (fy >> 16) as usize * sw + (fx >> 16) as usize;
            let (ax, ay) = ((fx >> 8) & 255, (fy >> 8) & 255);
            // One slice, one bounds check, for the four taps.
            let q = &self.data[i..i + sw + 2];
            let (q0, q1, q2, q3) = (q[0] as i32, q[1] as i32, q[sw] as i32, q[sw + 1] as i32);
            // a·(256−w) + b·w as 256·a + (b−a)·w: the same integers with one multiply each.
            let t = (q0 << 8) + (q1 - q0) * ax;
            let b = (q2 << 8) + (q3 - q2) * ax;
            *o = (((t << 8) + (b - t) * ay + (1 << 15)) >> 16) as u8;
            // Between the segment's ends, so no overflow; wrapping keeps the loop check-free.
            sx = sx.wrapping_add(self.step.0);
            sy = sy.wrapping_add(self.step.1);
        }
    }
}

#[cfg(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
))]
impl Segment<'_> {
    /// The first source position of the vector step `s` (pixels `8s..8s + 8`), if all the taps
    /// of its eight pixels lie inside `data`. The first and last positions bound the rest (they
    /// step linearly), so one check covers every tap of the step.
    #[inline(always)]
    fn eight_inside(&self, s: usize) -> Option<(i32, i32)> {
        let (step_x, step_y) = self.step;
        let k = 8 * s as i32;
        let sx = self.start.0.wrapping_add(step_x.wrapping_mul(k));
        let sy = self.start.1.wrapping_add(step_y.wrapping_mul(k));
        let last = (
            sx.wrapping_add(7 * step_x) >> 16,
            sy.wrapping_add(7 * step_y) >> 16,
        );
        let (x_lo, x_hi) = ((sx >> 16).min(last.0), (sx >> 16).max(last.0));
        let (y_lo, y_hi) = ((sy >> 16).min(last.1), (sy >> 16).max(last.1));
        let top = (y_hi as usize + 1) * self.stride + x_hi as usize + 1;
        (x_lo >= 0 && y_lo >= 0 && top < self.data.len()).then_some((sx, sy))
    }
}

#[cfg(target_arch = "x86_64")]
impl Segment<'_> {
    /// The SIMD128 [`Segment::run_simd`] in SSE2 (the x86-64 baseline), with the same integers,
    /// so the same bytes: the taps are gathered one by one and the two blends run on eight
    /// pixels at a time.
    #[inline(always)]
    fn run_simd(&self, out: &mut [u8]) -> usize {
        use core::arch::x86_64::*;
        let (step_x, step_y) = self.step;
        if self.stride >= 1 << 15 {
            return 0;
        }
        let steps = out.len() / 8;
        // The eight lanes' offsets from a step's first position, per axis.
        let lane_offsets = |d: i32| {
            let o = |j: i32| d.wrapping_mul(j);
            // SAFETY: SSE2 is in the x86-64 baseline.
            unsafe {
                (
                    _mm_setr_epi32(0, d, o(2), o(3)),
                    _mm_setr_epi32(o(4), o(5), o(6), o(7)),
                )
            }
        };
        let offsets = (lane_offsets(step_x), lane_offsets(step_y));
        // SAFETY: SSE2 is in the x86-64 baseline.
        let (high, pitch) = unsafe {
            (
                _mm_set1_epi32(-65536),
                _mm_set1_epi32((self.stride as i32) << 16 | 1),
            )
        };
        for s in 0..steps {
            let Some((sx, sy)) = self.eight_inside(s) else {
                return 8 * s;
            };
            // SAFETY: SSE2 is in the x86-64 baseline. Every tap index lies in the box checked
            // above, whose farthest tap is inside `data`; the one store writes the eight bytes of
            // `o`, unaligned.
            unsafe {
                let pos = |start: i32, o: __m128i| _mm_add_epi32(_mm_set1_epi32(start), o);
                let (fx0, fx1) = (pos(sx, offsets.0 .0), pos(sx, offsets.0 .1));
                let (fy0, fy1) = (pos(sy, offsets.1 .0), pos(sy, offsets.1 .1));
                // y·stride + x by one pmaddwd: x in the low 16 bits of each lane, y in the high
                // (both non-negative and below 2^15, as is the stride: checked above).
                let index = |fx: __m128i, fy: __m128i| {
                    let xy = _mm_or_si128(_mm_srli_epi32(fx, 16), _mm_and_si128(fy, high));
                    _mm_madd_epi16(xy, pitch)
                };
                let mut idx = [0u32; 8];
                _mm_storeu_si128(idx.as_mut_ptr() as *mut __m128i, index(fx0, fy0));
                _mm_storeu_si128(idx.as_mut_ptr().add(4) as *mut __m128i, index(fx1, fy1));
                // The taps one by one (SSE2 has no gather), each row pair as one 16-bit read.
                let base = self.data.as_ptr();
                let pair = |i: u32| {
                    let p = base.add(i as usize);
                    (
                        (p as *const u16).read_unaligned() as i32,
                        (p.add(self.stride) as *const u16).read_unaligned() as i32,
                    )
                };
                let (mut t, mut b) = (_mm_setzero_si128(), _mm_setzero_si128());
                macro_rules! lane {
                    ($j:literal) => {
                        let (pt, pb) = pair(idx[$j]);
                        t = _mm_insert_epi16(t, pt, $j);
                        b = _mm_insert_epi16(b, pb, $j);
                    };
                }
                lane!(0);
                lane!(1);
                lane!(2);
                lane!(3);
                lane!(4);
                lane!(5);
                lane!(6);
                lane!(7);
                // The weights are bits 8-15 of the positions.
                let weight = |f0: __m128i, f1: __m128i| {
                    let w = |f: __m128i| _mm_and_si128(_mm_srli_epi32(f, 8), _mm_set1_epi32(255));
                    _mm_packs_epi32(w(f0), w(f1))
                };
                let (ax, ay) = (weight(fx0, fx1), weight(fy0, fy1));
                let full = _mm_set1_epi16(256);
                // Left tap in the low byte, right tap in the high one; a·(256−w) + b·w stays
                // below 2^16, so the wrapping 16-bit products are exact.
                let lerp = |v: __m128i| {
                    let (l, r) = (_mm_and_si128(v, _mm_set1_epi16(255)), _mm_srli_epi16(v, 8));
                    _mm_add_epi16(
                        _mm_mullo_epi16(l, _mm_sub_epi16(full, ax)),
                        _mm_mullo_epi16(r, ax),
                    )
                };
                let (t, b) = (lerp(t), lerp(b));
                let inv = _mm_sub_epi16(full, ay);
                // Full 32-bit products of u16 lanes: low and high halves, interleaved.
                let wide = |v: __m128i, w: __m128i| {
                    let (lo, hi) = (_mm_mullo_epi16(v, w), _mm_mulhi_epu16(v, w));
                    (_mm_unpacklo_epi16(lo, hi), _mm_unpackhi_epi16(lo, hi))
                };
                let ((t0, t1), (b0, b1)) = (wide(t, inv), wide(b, ay));
                let round = _mm_set1_epi32(1 << 15);
                let sum = |x: __m128i, y: __m128i| {
                    _mm_srli_epi32(_mm_add_epi32(_mm_add_epi32(x, y), round), 16)
                };
                // Each lane is at most 255: the saturating packs are exact.
                let v16 = _mm_packs_epi32(sum(t0, b0), sum(t1, b1));
                let o = &mut out[8 * s..8 * s + 8];
                _mm_storel_epi64(o.as_mut_ptr() as *mut __m128i, _mm_packus_epi16(v16, v16));
            }
        }
        8 * steps
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl Segment<'_> {
    /// The blend of [`Segment::run`] for eight pixels at a time, with the same integers, so the
    /// same bytes. Returns how many pixels it wrote (a multiple of eight); the caller does the
    /// rest. The taps are read as one 16-bit load per row pair.
    #[inline(always)]
    fn run_simd(&self, out: &mut [u8]) -> usize {
        use core::arch::wasm32::*;
        let sw = self.stride as i32;
        let (step_x, step_y) = self.step;
        let lanes_lo = i32x4(0, 1, 2, 3);
        let lanes_hi = i32x4(4, 5, 6, 7);
        let byte = i32x4_splat(255);
        let full = i16x8_splat(256);
        let steps = out.len() / 8;
        for s in 0..steps {
            let Some((sx, sy)) = self.eight_inside(s) else {
                return 8 * s;
            };
            let px =
                |lanes: v128| i32x4_add(i32x4_splat(sx), i32x4_mul(lanes, i32x4_splat(step_x)));
            let py =
                |lanes: v128| i32x4_add(i32x4_splat(sy), i32x4_mul(lanes, i32x4_splat(step_y)));
            let (fx0, fx1, fy0, fy1) = (px(lanes_lo), px(lanes_hi), py(lanes_lo), py(lanes_hi));
            let index = |fx: v128, fy: v128| {
                i32x4_add(
                    i32x4_mul(i32x4_shr(fy, 16), i32x4_splat(sw)),
                    i32x4_shr(fx, 16),
                )
            };
            let (i0, i1) = (index(fx0, fy0), index(fx1, fy1));
            let idx = [
                i32x4_extract_lane::<0>(i0),
                i32x4_extract_lane::<1>(i0),
                i32x4_extract_lane::<2>(i0),
                i32x4_extract_lane::<3>(i0),
                i32x4_extract_lane::<0>(i1),
                i32x4_extract_lane::<1>(i1),
                i32x4_extract_lane::<2>(i1),
                i32x4_extract_lane::<3>(i1),
            ];
            // SAFETY: every index lies in the box checked above, whose farthest tap
            // (`top`) is inside `data`.
            let pair = |i: i32| unsafe {
                let p = self.data.as_ptr().add(i as usize);
                (
                    u16::from_le_bytes([*p, *p.add(1)]),
                    u16::from_le_bytes([*p.add(self.stride), *p.add(self.stride + 1)]),
                )
            };
            let taps = idx.map(pair);
            let t = u16x8(
                taps[0].0, taps[1].0, taps[2].0, taps[3].0, taps[4].0, taps[5].0, taps[6].0,
                taps[7].0,
            );
            let b = u16x8(
                taps[0].1, taps[1].1, taps[2].1, taps[3].1, taps[4].1, taps[5].1, taps[6].1,
                taps[7].1,
            );
            let weight = |f0: v128, f1: v128| {
                i16x8_narrow_i32x4(
                    v128_and(i32x4_shr(f0, 8), byte),
                    v128_and(i32x4_shr(f1, 8), byte),
                )
            };
            let (ax, ay) = (weight(fx0, fx1), weight(fy0, fy1));
            // Left tap in the low byte, right tap in the high one; a·(256−w) + b·w stays
            // below 2^16, so the wrapping 16-bit products are exact.
            let lerp = |v: v128| {
                let (l, r) = (v128_and(v, u16x8_splat(255)), u16x8_shr(v, 8));
                i16x8_add(i16x8_mul(l, i16x8_sub(full, ax)), i16x8_mul(r, ax))
            };
            let (t, b) = (lerp(t), lerp(b));
            let inv = i16x8_sub(full, ay);
            let round = u32x4_splat(1 << 15);
            let lo = u32x4_add(
                u32x4_add(
                    u32x4_extmul_low_u16x8(t, inv),
                    u32x4_extmul_low_u16x8(b, ay),
                ),
                round,
            );
            let hi = u32x4_add(
                u32x4_add(
                    u32x4_extmul_high_u16x8(t, inv),
                    u32x4_extmul_high_u16x8(b, ay),
                ),
                round,
            );
            let v16 = u16x8_narrow_i32x4(u32x4_shr(lo, 16), u32x4_shr(hi, 16));
            let v8 = u8x16_narrow_i16x8(v16, v16);
            let bytes = u64x2_extract_lane::<0>(v8).to_le_bytes();
            out[8 * s..8 * s + 8].copy_from_slice(&bytes);
        }
        8 * steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precheck::Quad;

    // In the wasm test build this runs in the browser, where the SIMD128 path is the one built.
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn the_vector_warp_gives_the_scalar_bytes() {
        let mut src = Plane::default();
        src.reset(211, 150);
        let mut state = 12345u32;
        for v in src.data.iter_mut() {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *v = (state >> 24) as u8;
        }
        let p = |x: f32, y: f32| crate::precheck::Point { x, y };
        let quads = [
            // Tilted, in perspective, well inside.
            Quad([
                p(30.3, 20.7),
                p(180.2, 35.1),
                p(170.9, 130.4),
                p(25.1, 118.8),
            ]),
            // Enlarged: fewer source pixels than output pixels.
            Quad([p(60.0, 50.0), p(120.5, 52.0), p(119.0, 90.3), p(61.2, 88.0)]),
            // Corners on and beyond the plane's edges: the clamped path.
            Quad([p(-5.0, 0.0), p(211.0, -3.0), p(215.0, 150.0), p(0.0, 152.0)]),
            Quad([p(0.5, 0.5), p(210.5, 0.5), p(210.5, 149.5), p(0.5, 149.5)]),
        ];
        for q in quads {
            let Some(hm) = Homography::rect_to_quad(320.0, 202.0, &q) else {
                panic!("no homography for {q:?}");
            };
            let (mut fast, mut slow) = (Plane::default(), Plane::default());
            warp_with::<true>(&src, &hm, &mut fast, 320, 202);
            warp_with::<false>(&src, &hm, &mut slow, 320, 202);
            assert!(fast.data == slow.data, "{q:?}");
        }
    }
}
