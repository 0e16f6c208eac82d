//! Sharpness by re-blurring (Crete et al., "The blur effect: perception and estimation with a new
//! no-reference perceptual blur metric", SPIE 2007).
//!
//! Blur an image once more with a 9-tap box and see how much of its neighbour-to-neighbour
//! variation is lost: a sharp image loses most, an already blurred one little. The measure is a
//! ratio, so it does not depend on the document's contrast or lighting, and it is taken along rows
//! and columns separately so motion blur in one direction is caught. Differences under the noise
//! floor are ignored, so sensor noise on a blurred card does not pass for detail.

use super::plane::{Histogram, Plane};

/// A rectangle of a plane, `[x0, x1) x [y0, y1)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rect {
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
}

impl Rect {
    /// The plane minus a margin of `m` (fraction) of its width and height on each side.
    pub fn inset(w: usize, h: usize, m: f32) -> Rect {
        let mx = (w as f32 * m) as usize;
        let my = (h as f32 * m) as usize;
        Rect {
            x0: mx,
            y0: my,
            x1: w - mx,
            y1: h - my,
        }
    }
}

const RADIUS: usize = 4; // a 9-tap box

/// Reusable row and column buffers.
#[derive(Debug, Default)]
pub(crate) struct Sharpness {
    box_row: Vec<u16>,
    col_sum: Vec<u16>,
    prev_col: Vec<u16>,
    /// Neighbour differences of the rows the noise gate samples.
    diff_rows: Vec<u8>,
    diffs: Histogram,
}

impl Sharpness {
    /// Blur (0 = crisp, 1 = no detail at all) of `r` in `p`: the worse of the two directions.
    #[inline(never)]
    pub fn blur(&mut self, p: &Plane, r: Rect) -> f32 {
        if r.x1 <= r.x0 + 2 || r.y1 <= r.y0 + 2 {
            return 1.0;
        }
        let gate = self.noise_gate(p, r);
        let bh = self.horizontal(p, r, gate);
        let bv = self.vertical(p, r, gate);
        bh.max(bv)
    }

    /// Twice the median neighbour difference, at least 2 levels: on a document most pixel pairs lie
    /// in flat print, where the difference is sensor noise. Every other row is enough for a
    /// median of tens of thousands of pairs.
    #[inline(never)]
    fn noise_gate(&mut self, p: &Plane, r: Rect) -> u16 {
        self.diffs.clear();
        let n = r.x1 - r.x0 - 1;
        let rows = (r.y1 - r.y0).div_ceil(2);
        if self.diff_rows.len() < n * rows {
            self.diff_rows.resize(n * rows, 0);
        }
        for (y, out) in (r.y0..r.y1)
            .step_by(2)
            .zip(self.diff_rows.chunks_exact_mut(n))
        {
            let row = &p.row(y)[r.x0..r.x1];
            for ((d, &a), &b) in out.iter_mut().zip(&row[1..]).zip(row) {
                *d = a.abs_diff(b);
            }
        }
        self.diffs.add_rows([&self.diff_rows[..n * rows]]);
        (2 * self.diffs.quantile(0.5) as u16).max(2)
    }

    #[inline(never)]
    fn horizontal(&mut self, p: &Plane, r: Rect, gate: u16) -> f32 {
        let w = p.w;
        if self.box_row.len() < w {
            self.box_row.resize(w, 0);
        }
        let (mut s_f, mut s_v) = (0u64, 0u64);
        for y in r.y0..r.y1 {
            let row = p.row(y);
            box_sum_row(row, &mut self.box_row[..w], r.x0, r.x1);
            let px = &row[r.x0..r.x1];
            let boxed = &self.box_row[r.x0..r.x1];
            let (f, v) = gated_sums(&px[1..], &px[..px.len() - 1], &boxed[1..], boxed, gate);
            s_f += f as u64;
            s_v += v as u64;
        }
        ratio(s_f, s_v)
    }

    #[inline(never)]
    fn vertical(&mut self, p: &Plane, r: Rect, gate: u16) -> f32 {
        let (w, h) = (p.w, p.h);
        for buf in [&mut self.col_sum, &mut self.prev_col] {
            if buf.len() < w {
                buf.resize(w, 0);
            }
        }
        // Running vertical 9-tap sums with clamped rows, started at y0 - 1.
        let start = r.y0.saturating_sub(1);
        let clamp = |y: isize| y.clamp(0, h as isize - 1) as usize;
        let cols = r.x0..r.x1;
        self.col_sum[..w].fill(0);
        for k in -(RADIUS as isize)..=RADIUS as isize {
            let row = p.row(clamp(start as isize + k));
            for (c, &v) in self.col_sum[cols.clone()]
                .iter_mut()
                .zip(&row[cols.clone()])
            {
                *c += v as u16;
            }
        }
        let (mut s_f, mut s_v) = (0u64, 0u64);
        for y in start + 1..r.y1 {
            self.prev_col[cols.clone()].copy_from_slice(&self.col_sum[cols.clone()]);
            let out = &p.row(clamp(y as isize - 1 - RADIUS as isize))[cols.clone()];
            let inc = &p.row(clamp(y as isize + RADIUS as isize))[cols.clone()];
            for ((c, &i), &o) in self.col_sum[cols.clone()].iter_mut().zip(inc).zip(out) {
                *c = *c + i as u16 - o as u16;
            }
            if y < r.y0 + 1 {
                continue;
            }
            let (f, v) = gated_sums(
                &p.row(y)[cols.clone()],
                &p.row(y - 1)[cols.clone()],
                &self.col_sum[cols.clone()],
                &self.prev_col[cols.clone()],
                gate,
            );
            s_f += f as u64;
            s_v += v as u64;
        }
        ratio(s_f, s_v)
    }
}

/// Over pairs of neighbouring pixels (`cur[i]`, `prev[i]`) and their box sums: the sum of the
/// 9x differences that pass the noise gate, and of how much of each the box blur removed.
/// Branch-free, so it vectorises; a row's sums fit u32 (2295 per pair).
#[inline]
fn gated_sums(cur: &[u8], prev: &[u8], box_cur: &[u16], box_prev: &[u16], gate: u16) -> (u32, u32) {
    let n = cur
        .len()
        .min(prev.len())
        .min(box_cur.len())
        .min(box_prev.len());
    let (mut s_f, mut s_v) = (0u32, 0u32);
    for i in 0..n {
        let d = cur[i].abs_diff(prev[i]) as u16;
        let d_f = if d >= gate { d * 9 } else { 0 };
        let d_b = box_cur[i].abs_diff(box_prev[i]);
        s_f += d_f as u32;
        s_v += d_f.saturating_sub(d_b) as u32;
    }
    (s_f, s_v)
}

fn ratio(s_f: u64, s_v: u64) -> f32 {
    if s_f == 0 {
        1.0
    } else {
        (s_f - s_v) as f32 / s_f as f32
    }
}

/// 9-tap box sums along a row, edges clamped, for `x0..x1`: plain shifted adds where the window
/// lies inside the row (they vectorise), the clamped form only near its ends.
fn box_sum_row(row: &[u8], out: &mut [u16], x0: usize, x1: usize) {
    let n = row.len().min(out.len());
    let (x0, x1) = (x0.min(n), x1.min(n));
    let at = |i: isize| row[i.clamp(0, n as isize - 1) as usize] as u16;
    let clamped = |x: usize| {
        (x as isize - RADIUS as isize..=(x + RADIUS) as isize)
            .map(at)
            .sum()
    };
    // Interior: windows that need no clamping.
    let a = x0.max(RADIUS);
    let b = x1.min(n.saturating_sub(RADIUS)).max(a);
    out[a..b].fill(0);
    for k in 0..=2 * RADIUS {
        for (o, &v) in out[a..b]
            .iter_mut()
            .zip(&row[a + k - RADIUS..b + k - RADIUS])
        {
            *o += v as u16;
        }
    }
    for x in (x0..a).chain(b..x1) {
        out[x] = clamped(x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripes(w: usize, h: usize, period: usize, blur_passes: usize) -> Plane {
        let mut p = Plane::default();
        p.reset(w, h);
        for y in 0..h {
            for x in 0..w {
                let on = (x / period + y / period) % 2 == 0;
                p.data[y * w + x] = if on { 200 } else { 40 };
            }
        }
        for _ in 0..blur_passes {
            let src = p.data.clone();
            for y in 1..h - 1 {
                for x in 1..w - 1 {
                    let mut s = 0u32;
                    for dy in 0..3 {
                        for dx in 0..3 {
                            s += src[(y + dy - 1) * w + x + dx - 1] as u32;
                        }
                    }
                    p.data[y * w + x] = (s / 9) as u8;
                }
            }
        }
        p
    }

    #[test]
    fn blur_rises_with_blurring_and_ignores_contrast() {
        let mut s = Sharpness::default();
        let r = Rect::inset(160, 100, 0.05);
        let sharp = s.blur(&stripes(160, 100, 6, 0), r);
        let soft = s.blur(&stripes(160, 100, 6, 2), r);
        let softer = s.blur(&stripes(160, 100, 6, 6), r);
        assert!(sharp < 0.3, "sharp {sharp}");
        assert!(sharp < soft && soft < softer, "{sharp} {soft} {softer}");
        // Halving the contrast leaves the measure nearly unchanged.
        let mut low = stripes(160, 100, 6, 2);
        low.data.iter_mut().for_each(|v| *v = 100 + (*v - 40) / 2);
        assert!((s.blur(&low, r) - soft).abs() < 0.08);
    }

    #[test]
    fn a_flat_region_has_no_detail() {
        let mut p = Plane::default();
        p.reset(50, 50);
        p.data.fill(90);
        assert_eq!(Sharpness::default().blur(&p, Rect::inset(50, 50, 0.1)), 1.0);
    }
}
