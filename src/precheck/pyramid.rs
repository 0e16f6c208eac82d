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

/// Downscales `frame` by `f` into a luma plane (BT.601) and a colour-spread plane
/// (max - min of the averaged R, G, B: 0 for greys, large for saturated colours).
/// `acc` is scratch space for one output row of R, G, B sums.
pub(crate) fn downscale(
    frame: Frame<'_>,
    f: usize,
    acc: &mut Vec<u32>,
    luma: &mut Plane,
    spread: &mut Plane,
) {
    let ow = frame.width() as usize / f;
    let oh = frame.height() as usize / f;
    luma.reset(ow, oh);
    spread.reset(ow, oh);
    if acc.len() < ow * 3 {
        acc.resize(ow * 3, 0);
    }
    let n = (f * f) as u32;
    for oy in 0..oh {
        let acc = &mut acc[..ow * 3];
        acc.fill(0);
        for dy in 0..f {
            let row = frame.row((oy * f + dy) as u32);
            for (ox, a) in acc.chunks_exact_mut(3).enumerate() {
                let px = &row[ox * f * 4..(ox + 1) * f * 4];
                let (mut r, mut g, mut b) = (0u32, 0u32, 0u32);
                for p in px.chunks_exact(4) {
                    r += p[0] as u32;
                    g += p[1] as u32;
                    b += p[2] as u32;
                }
                a[0] += r;
                a[1] += g;
                a[2] += b;
            }
        }
        let lrow = &mut luma.data[oy * ow..(oy + 1) * ow];
        let srow = &mut spread.data[oy * ow..(oy + 1) * ow];
        for ((a, l), s) in acc
            .chunks_exact(3)
            .zip(lrow.iter_mut())
            .zip(srow.iter_mut())
        {
            let (r, g, b) = (a[0] / n, a[1] / n, a[2] / n);
            *l = ((77 * r + 150 * g + 29 * b + 128) >> 8).min(255) as u8;
            *s = (r.max(g).max(b) - r.min(g).min(b)) as u8;
        }
    }
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
    fn downscale_averages_colour_and_measures_spread() {
        // 4x2 frame: left 2x2 block pure red, right 2x2 block mid grey.
        let mut px = Vec::new();
        for _ in 0..2 {
            px.extend([
                255, 0, 0, 255, 255, 0, 0, 255, 128, 128, 128, 255, 128, 128, 128, 255,
            ]);
        }
        let frame = Frame::packed(&px, 4, 2).unwrap();
        let (mut acc, mut l, mut s) = (Vec::new(), Plane::default(), Plane::default());
        downscale(frame, 2, &mut acc, &mut l, &mut s);
        assert_eq!((l.w, l.h), (2, 1));
        assert_eq!(l.data[0], 77);
        assert_eq!(l.data[1], 128);
        assert_eq!(s.data[0], 255);
        assert_eq!(s.data[1], 0);
    }
}
