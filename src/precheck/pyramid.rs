//! Area-averaged downscaling of the camera frame to the working resolution.
//!
//! Analysis runs at a fixed scale (long side about 640, then 320 for edges) whatever the camera
//! gives, so thresholds mean the same on a 640x480 webcam and a 4K phone. Box averaging, not
//! point sampling: it keeps sensor noise and aliasing from passing for sharpness.

use super::plane::Plane;
use super::Frame;

/// The working long side the downscale factor aims at.
pub(crate) const WORK_LONG_SIDE: u32 = 640;

/// The integer box factor that brings `frame` nearest to [`WORK_LONG_SIDE`].
pub(crate) fn factor_for(width: u32, height: u32) -> usize {
    let long = width.max(height);
    ((long + WORK_LONG_SIDE / 2) / WORK_LONG_SIDE).max(1) as usize
}

/// Downscales `frame` by `f` into a BT.601 luma plane, each pixel the mean over an `f` x `f`
/// block. `acc` is scratch space for one output row of sums. Colour is not kept: the one check
/// that needs it (glare) reads the few pixels it cares about from the frame itself.
pub(crate) fn downscale(frame: Frame<'_>, f: usize, acc: &mut Vec<u32>, luma: &mut Plane) {
    let ow = frame.width() as usize / f;
    let oh = frame.height() as usize / f;
    luma.reset(ow, oh);
    if f == 1 {
        for y in 0..oh {
            let src = frame.row(y as u32);
            for (p, l) in src
                .chunks_exact(4)
                .zip(luma.data[y * ow..(y + 1) * ow].iter_mut())
            {
                *l = luma_of(p) as u8;
            }
        }
        return;
    }
    match f {
        2 => halve(frame, ow, oh, luma),
        3 => blocks(Fixed::<3>, frame, ow, oh, acc, luma),
        4 => blocks(Fixed::<4>, frame, ow, oh, acc, luma),
        _ => blocks(Any(f), frame, ow, oh, acc, luma),
    }
}

/// A block size: known at compile time for the common factors, so the inner loops unroll and
/// vectorise, or at run time for the rest.
trait Factor: Copy {
    fn get(self) -> usize;
}
#[derive(Clone, Copy)]
struct Fixed<const F: usize>;
impl<const F: usize> Factor for Fixed<F> {
    #[inline(always)]
    fn get(self) -> usize {
        F
    }
}
#[derive(Clone, Copy)]
struct Any(usize);
impl Factor for Any {
    #[inline(always)]
    fn get(self) -> usize {
        self.0
    }
}

fn blocks<B: Factor>(
    b: B,
    frame: Frame<'_>,
    ow: usize,
    oh: usize,
    acc: &mut Vec<u32>,
    luma: &mut Plane,
) {
    let f = b.get();
    if f > MAX_SWAR_FACTOR {
        return blocks_wide(f, frame, ow, oh, acc, luma);
    }
    if acc.len() < 2 * ow {
        acc.resize(2 * ow, 0);
    }
    let (acc_rb, acc_g) = acc[..2 * ow].split_at_mut(ow);
    let n = (f * f) as u32;
    for oy in 0..oh {
        acc_rb.fill(0);
        acc_g.fill(0);
        for dy in 0..f {
            let src = &frame.row((oy * f + dy) as u32)[..ow * f * 4];
            // SWAR: red and blue sum side by side in the two 16-bit halves of one u32, which
            // cannot carry over for blocks of at most 256 pixels; luma is formed once per block.
            for ((block, rb), g) in src
                .chunks_exact(4 * f)
                .zip(acc_rb.iter_mut())
                .zip(acc_g.iter_mut())
            {
                let (mut s_rb, mut s_g) = (0u32, 0u32);
                for px in block.chunks_exact(4) {
                    let v = word(px);
                    s_rb += v & 0x00ff_00ff;
                    s_g += (v >> 8) & 0xff;
                }
                *rb += s_rb;
                *g += s_g;
            }
        }
        let half = 128 * n;
        let den = 256 * n;
        for ((l, rb), g) in luma.data[oy * ow..(oy + 1) * ow]
            .iter_mut()
            .zip(acc_rb.iter())
            .zip(acc_g.iter())
        {
            let (r, b) = (rb & 0xffff, rb >> 16);
            *l = ((77 * r + 150 * g + 29 * b + half) / den) as u8;
        }
    }
}

/// The 2x2 case (a 720p camera) in one pass: both source rows at once, luma written directly.
/// It is the most common factor and the frame's largest read.
#[inline(never)]
fn halve(frame: Frame<'_>, ow: usize, oh: usize, luma: &mut Plane) {
    for (oy, out) in luma.data[..ow * oh].chunks_exact_mut(ow).enumerate() {
        let a = &frame.row(2 * oy as u32)[..ow * 8];
        let b = &frame.row(2 * oy as u32 + 1)[..ow * 8];
        for ((l, pa), pb) in out.iter_mut().zip(a.chunks_exact(8)).zip(b.chunks_exact(8)) {
            let (a0, a1) = (word(&pa[..4]), word(&pa[4..]));
            let (b0, b1) = (word(&pb[..4]), word(&pb[4..]));
            let rb = (a0 & SWAR_MASK) + (a1 & SWAR_MASK) + (b0 & SWAR_MASK) + (b1 & SWAR_MASK);
            let ga = ((a0 >> 8) & SWAR_MASK)
                + ((a1 >> 8) & SWAR_MASK)
                + ((b0 >> 8) & SWAR_MASK)
                + ((b1 >> 8) & SWAR_MASK);
            let (r, g, b) = (rb & 0xffff, ga & 0xffff, rb >> 16);
            *l = ((77 * r + 150 * g + 29 * b + 512) >> 10) as u8;
        }
    }
}

/// Red and blue (or green and alpha, shifted) side by side in the 16-bit halves of a word
/// (SWAR): the sums of four pixels cannot carry from one half into the other.
const SWAR_MASK: u32 = 0x00ff_00ff;

/// Above this block side the 16-bit SWAR lanes of [`blocks`] could overflow (f² · 255 ≥ 2¹⁶).
const MAX_SWAR_FACTOR: usize = 16;

/// Per-pixel luma sums for very large factors (frames of 10k pixels and more).
fn blocks_wide(
    f: usize,
    frame: Frame<'_>,
    ow: usize,
    oh: usize,
    acc: &mut Vec<u32>,
    luma: &mut Plane,
) {
    if acc.len() < ow {
        acc.resize(ow, 0);
    }
    let acc = &mut acc[..ow];
    let n = (f * f) as u64;
    for oy in 0..oh {
        acc.fill(0);
        for dy in 0..f {
            let src = &frame.row((oy * f + dy) as u32)[..ow * f * 4];
            for (block, a) in src.chunks_exact(4 * f).zip(acc.iter_mut()) {
                *a += block.chunks_exact(4).map(luma_of).sum::<u32>();
            }
        }
        for (l, a) in luma.data[oy * ow..(oy + 1) * ow].iter_mut().zip(acc.iter()) {
            *l = ((*a as u64 + n / 2) / n) as u8;
        }
    }
}

/// One RGBA pixel as a little-endian word, in the form LLVM turns into a single load.
#[inline(always)]
fn word(px: &[u8]) -> u32 {
    <[u8; 4]>::try_from(px).map_or(0, u32::from_le_bytes)
}

/// BT.601 luma with integer weights of one RGBA pixel.
#[inline(always)]
fn luma_of(p: &[u8]) -> u32 {
    // One u32 load and shifts: the form that vectorises.
    let v = u32::from_le_bytes([p[0], p[1], p[2], p[3]]);
    (77 * (v & 0xff) + 150 * ((v >> 8) & 0xff) + 29 * ((v >> 16) & 0xff) + 128) >> 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_aims_at_the_working_size() {
        assert_eq!(factor_for(640, 480), 1);
        assert_eq!(factor_for(1280, 720), 2);
        assert_eq!(factor_for(1920, 1080), 3);
        assert_eq!(factor_for(4000, 3000), 6);
        assert_eq!(factor_for(100, 80), 1);
        assert_eq!(factor_for(480, 1280), 2);
    }

    #[test]
    fn downscale_averages_luma() {
        // 4x2 frame: left 2x2 block pure red, right 2x2 block mid grey.
        let mut px = Vec::new();
        for _ in 0..2 {
            px.extend([
                255, 0, 0, 255, 255, 0, 0, 255, 128, 128, 128, 255, 128, 128, 128, 255,
            ]);
        }
        let frame = Frame::packed(&px, 4, 2).unwrap();
        let (mut acc, mut l) = (Vec::new(), Plane::default());
        downscale(frame, 2, &mut acc, &mut l);
        assert_eq!((l.w, l.h), (2, 1));
        assert_eq!(&l.data[..2], &[77, 128]);
    }

    #[test]
    fn the_one_pass_halving_matches_the_general_blocks() {
        // 37 output columns: two full blocks and a remainder.
        let (w, h) = (74u32, 18u32);
        let px: Vec<u8> = (0..w * h * 4).map(|i| (i * 37 % 251) as u8).collect();
        let frame = Frame::packed(&px, w, h).unwrap();
        let (mut acc, mut general, mut halved) = (Vec::new(), Plane::default(), Plane::default());
        general.reset(37, 9);
        blocks(Any(2), frame, 37, 9, &mut acc, &mut general);
        halved.reset(37, 9);
        halve(frame, 37, 9, &mut halved);
        assert_eq!(general.data, halved.data);
    }

    #[test]
    fn runtime_and_compile_time_factors_agree() {
        let (w, h) = (30u32, 18u32);
        let px: Vec<u8> = (0..w * h * 4).map(|i| (i * 37 % 251) as u8).collect();
        let frame = Frame::packed(&px, w, h).unwrap();
        let run = |fixed: bool| {
            let (mut acc, mut l) = (Vec::new(), Plane::default());
            l.reset(10, 6);
            if fixed {
                blocks(Fixed::<3>, frame, 10, 6, &mut acc, &mut l);
            } else {
                blocks(Any(3), frame, 10, 6, &mut acc, &mut l);
            }
            l.data
        };
        assert_eq!(run(true), run(false));
    }
}
