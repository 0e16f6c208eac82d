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
    // Capped where the block sums' 16-bit lanes would overflow: only images over 10,000 px
    // wide get a working plane somewhat larger than the aim.
    ((long + WORK_LONG_SIDE / 2) / WORK_LONG_SIDE).clamp(1, MAX_FACTOR as u32) as usize
}

/// Downscales `frame` by `f` into a BT.601 luma plane, each pixel the mean over an `f` x `f`
/// block. `acc` is scratch space for the column sums of one block row. Colour is not kept: the
/// one check that needs it (glare) reads the few pixels it cares about from the frame itself.
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
        _ => blocks(f, frame, ow, oh, acc, luma),
    }
}

/// Box sums for any factor from 3 up: first down the columns, the `f` rows of a block row added
/// per pixel (a plain loop along the row, which vectorises), then across, `f` column sums per
/// block. One routine for every factor: a copy of the 2D loop per factor cost about 1 KB of
/// gzipped wasm each.
fn blocks(f: usize, frame: Frame<'_>, ow: usize, oh: usize, acc: &mut Vec<u32>, luma: &mut Plane) {
    let sw = ow * f;
    if acc.len() < 2 * sw {
        acc.resize(2 * sw, 0);
    }
    let (acc_rb, acc_ga) = acc[..2 * sw].split_at_mut(sw);
    let n = (f * f) as u32;
    let (half, den) = (128 * n, 256 * n);
    for oy in 0..oh {
        acc_rb.fill(0);
        acc_ga.fill(0);
        for dy in 0..f {
            let src = &frame.row((oy * f + dy) as u32)[..sw * 4];
            // SWAR: red and blue sum side by side in the two 16-bit halves of one u32 (green and
            // alpha in another), which cannot carry over for blocks of at most 256 pixels.
            for ((px, rb), ga) in src
                .chunks_exact(4)
                .zip(acc_rb.iter_mut())
                .zip(acc_ga.iter_mut())
            {
                let v = word(px);
                *rb += v & 0x00ff_00ff;
                *ga += (v >> 8) & 0x00ff_00ff;
            }
        }
        let out = &mut luma.data[oy * ow..(oy + 1) * ow];
        // 1080p's factor gets a fixed-length inner sum: a loop of three is mostly overhead.
        if f == 3 {
            across::<3>(3, out, acc_rb, acc_ga, half, den);
        } else {
            across::<0>(f, out, acc_rb, acc_ga, half, den);
        }
    }
}

/// The luma of each block from its `f` column sums (`F` = `f` when known at compile time, else 0).
#[inline(always)]
fn across<const F: usize>(f: usize, out: &mut [u8], rb: &[u32], ga: &[u32], half: u32, den: u32) {
    let f = if F > 0 { F } else { f };
    for ((l, rb), ga) in out
        .iter_mut()
        .zip(rb.chunks_exact(f))
        .zip(ga.chunks_exact(f))
    {
        let rb: u32 = rb.iter().sum();
        let g = ga.iter().sum::<u32>() & 0xffff;
        let (r, b) = (rb & 0xffff, rb >> 16);
        *l = ((77 * r + 150 * g + 29 * b + half) / den) as u8;
    }
}

/// The 2x2 case (a 720p camera) in one pass: both source rows at once, luma written directly.
/// It is the most common factor and the frame's largest read.
#[inline(never)]
fn halve(frame: Frame<'_>, ow: usize, oh: usize, luma: &mut Plane) {
    for (oy, out) in luma.data[..ow * oh].chunks_exact_mut(ow).enumerate() {
        let a = &frame.row(2 * oy as u32)[..ow * 8];
        let b = &frame.row(2 * oy as u32 + 1)[..ow * 8];
        #[cfg(target_arch = "x86_64")]
        let (out, a, b) = {
            let done = halve_sse2(out, a, b);
            (&mut out[done..], &a[done * 8..], &b[done * 8..])
        };
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
/// [`halve`]'s row in SSE2 (the x86-64 baseline), 16 luma pixels at a time, with the same
/// integers: the four pixels' channels summed in 16-bit lanes, then weighted and paired by
/// `pmaddwd`. Returns how many pixels of `out` it wrote; the caller does the rest.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn halve_sse2(out: &mut [u8], a: &[u8], b: &[u8]) -> usize {
    use core::arch::x86_64::*;
    let n = out.len() / 16 * 16;
    for ((o, pa), pb) in out[..n]
        .chunks_exact_mut(16)
        .zip(a.chunks_exact(128))
        .zip(b.chunks_exact(128))
    {
        // SAFETY: SSE2 is in the x86-64 baseline; every load reads 16 bytes of a 128-byte
        // chunk and the store writes the 16 bytes of `o`, all unaligned.
        unsafe {
            let zero = _mm_setzero_si128();
            let weights = _mm_setr_epi16(77, 150, 29, 0, 77, 150, 29, 0);
            let ld = |s: &[u8], k: usize| _mm_loadu_si128(s[16 * k..].as_ptr() as *const __m128i);
            // Pixels 4k..4k + 4 of both rows: two 16-bit vectors of two pixels' channels each.
            let column_sums = |k: usize| {
                let (va, vb) = (ld(pa, k), ld(pb, k));
                let lo = _mm_add_epi16(_mm_unpacklo_epi8(va, zero), _mm_unpacklo_epi8(vb, zero));
                let hi = _mm_add_epi16(_mm_unpackhi_epi8(va, zero), _mm_unpackhi_epi8(vb, zero));
                // Each output pixel's two columns side by side, then added: lanes 0-3 are
                // pixel 2k's channel sums, lanes 4-7 pixel 2k + 1's.
                let s = _mm_add_epi16(_mm_unpacklo_epi64(lo, hi), _mm_unpackhi_epi64(lo, hi));
                // [77r + 150g, 29b] per pixel.
                _mm_madd_epi16(s, weights)
            };
            // Four luma values: the pairs of 32-bit lanes of two madd results, added.
            let four = |k: usize| {
                let (m0, m1) = (
                    _mm_castsi128_ps(column_sums(k)),
                    _mm_castsi128_ps(column_sums(k + 1)),
                );
                let even = _mm_castps_si128(_mm_shuffle_ps(m0, m1, 0b10_00_10_00));
                let odd = _mm_castps_si128(_mm_shuffle_ps(m0, m1, 0b11_01_11_01));
                _mm_srli_epi32(
                    _mm_add_epi32(_mm_add_epi32(even, odd), _mm_set1_epi32(512)),
                    10,
                )
            };
            let lo = _mm_packs_epi32(four(0), four(2));
            let hi = _mm_packs_epi32(four(4), four(6));
            _mm_storeu_si128(o.as_mut_ptr() as *mut __m128i, _mm_packus_epi16(lo, hi));
        }
    }
    n
}

const SWAR_MASK: u32 = 0x00ff_00ff;

/// Above this block side the 16-bit SWAR lanes of [`blocks`] could overflow (f² · 255 ≥ 2¹⁶).
const MAX_FACTOR: usize = 16;

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
        assert_eq!(factor_for(12_000, 9_000), MAX_FACTOR);
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
        blocks(2, frame, 37, 9, &mut acc, &mut general);
        halved.reset(37, 9);
        halve(frame, 37, 9, &mut halved);
        assert_eq!(general.data, halved.data);
    }

    #[test]
    fn blocks_are_the_luma_of_each_blocks_channel_means() {
        // Frames whose blocks do not tile them exactly, up to the largest factor, against the
        // formula block by block.
        let (w, h) = (104u32, 40u32);
        assert!(h as usize >= MAX_FACTOR);
        let px: Vec<u8> = (0..w * h * 4).map(|i| (i * 37 % 251) as u8).collect();
        let frame = Frame::packed(&px, w, h).unwrap();
        for f in [3usize, 4, 5, 6, MAX_FACTOR] {
            let (ow, oh) = (w as usize / f, h as usize / f);
            let (mut acc, mut l) = (Vec::new(), Plane::default());
            l.reset(ow, oh);
            blocks(f, frame, ow, oh, &mut acc, &mut l);
            for (i, &got) in l.data[..ow * oh].iter().enumerate() {
                let (bx, by) = (i % ow * f, i / ow * f);
                let mut rgb = [0u64; 3];
                for y in by..by + f {
                    for x in bx..bx + f {
                        for (c, sum) in rgb.iter_mut().enumerate() {
                            *sum += px[(y * w as usize + x) * 4 + c] as u64;
                        }
                    }
                }
                let n = (f * f) as u64;
                let want = (77 * rgb[0] + 150 * rgb[1] + 29 * rgb[2] + 128 * n) / (256 * n);
                assert_eq!(got as u64, want, "f = {f}, block {i}");
            }
        }
    }
}
