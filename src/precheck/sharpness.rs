//! Sharpness by re-blurring (Crete et al., "The blur effect: perception and estimation with a new
//! no-reference perceptual blur metric", SPIE 2007).
//!
//! Blur an image once more with a 9-tap box and see how much of its neighbour-to-neighbour
//! variation is lost: a sharp image loses most, an already blurred one little. The measure is a
//! ratio, so it does not depend on the document's contrast or lighting, and it is taken along rows
//! and columns separately so motion blur in one direction is caught. Differences under the noise
//! floor are ignored, so sensor noise on a blurred card does not pass for detail.
//!
//! Each direction is measured on sums of a few pixels across it (7 on a document, 5 on a face):
//! an edge of print runs across the direction it is measured in, so it stays whole, while the
//! noise shrinks by the square root of the count. Without the sums, the noise gate had to choose
//! between letting sensor noise through on a dim card (where it read as detail: blurred cards in
//! frames at a gain of 0.2-0.35 scored as sharp) and dropping the faint print of a sharp one.

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
/// The most pixels summed across: 9 x 255 x 27 still fits u16.
const MAX_ACROSS: usize = 27;

/// Reusable buffers.
#[derive(Debug, Default)]
pub(crate) struct Sharpness {
    /// The plane summed over `across` neighbours perpendicular to the measured direction.
    smooth: Vec<u16>,
    box_row: Vec<u16>,
    col_sum: Vec<u16>,
    prev_col: Vec<u16>,
    /// Neighbour differences of the rows the noise gate samples.
    diff_rows: Vec<u8>,
    diffs: Histogram,
}

impl Sharpness {
    /// Blur (0 = crisp, 1 = no detail at all) of `r` in `p`: the worse of the two directions.
    ///
    /// `across` (odd) neighbours perpendicular to each direction are summed first: an edge runs
    /// across the direction it is measured in, so the sum keeps it whole while sensor noise
    /// shrinks by its square root.
    #[inline(never)]
    pub fn blur(&mut self, p: &Plane, r: Rect, across: usize) -> f32 {
        if r.x1 <= r.x0 + 2 || r.y1 <= r.y0 + 2 {
            return 1.0;
        }
        let k = across.clamp(1, MAX_ACROSS) | 1;
        self.smooth_columns(p, k);
        // One gate for both directions: either sum shrinks the noise alike.
        let gate = self.noise_gate(p.w, r, k);
        let bh = self.horizontal(p.w, r, gate);
        self.smooth_rows(p, k);
        let bv = self.vertical(p.w, p.h, r, gate);
        bh.max(bv)
    }

    /// `smooth` = sums of `k` vertically neighbouring pixels, rows clamped.
    #[inline(never)]
    fn smooth_columns(&mut self, p: &Plane, k: usize) {
        let (w, h) = (p.w, p.h);
        if self.smooth.len() < w * h {
            self.smooth.resize(w * h, 0);
        }
        let half = (k / 2) as isize;
        for y in 0..h {
            let out = &mut self.smooth[y * w..(y + 1) * w];
            out.fill(0);
            for d in -half..=half {
                add_row(
                    out,
                    p.row((y as isize + d).clamp(0, h as isize - 1) as usize),
                );
            }
        }
    }

    /// `smooth` = sums of `k` horizontally neighbouring pixels, columns clamped.
    #[inline(never)]
    fn smooth_rows(&mut self, p: &Plane, k: usize) {
        let (w, h) = (p.w, p.h);
        if self.smooth.len() < w * h {
            self.smooth.resize(w * h, 0);
        }
        if self.box_row.len() < w {
            self.box_row.resize(w, 0);
        }
        for y in 0..h {
            // Widened first, so one u16 box sum serves both uses (the package's size budget).
            self.box_row[..w].fill(0);
            add_row(&mut self.box_row[..w], p.row(y));
            box_sum_row(
                &self.box_row[..w],
                &mut self.smooth[y * w..(y + 1) * w],
                0,
                w,
                k / 2,
            );
        }
    }

    /// Twice the median neighbour difference of the sums of `k`, at least 2 levels a summed
    /// pixel: on a document most pixel pairs lie in flat print, where the difference is sensor
    /// noise. Every other row is enough for a
    /// median of tens of thousands of pairs.
    #[inline(never)]
    fn noise_gate(&mut self, w: usize, r: Rect, k: usize) -> u16 {
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
            let row = &self.smooth[y * w + r.x0..y * w + r.x1];
            for ((d, &a), &b) in out.iter_mut().zip(&row[1..]).zip(row) {
                *d = a.abs_diff(b).min(255) as u8;
            }
        }
        self.diffs.add_rows([&self.diff_rows[..n * rows]]);
        (2 * self.diffs.quantile(0.5) as u16).max(2 * k as u16)
    }

    #[inline(never)]
    fn horizontal(&mut self, w: usize, r: Rect, gate: u16) -> f32 {
        if self.box_row.len() < w {
            self.box_row.resize(w, 0);
        }
        let (mut s_f, mut s_v) = (0u64, 0u64);
        for y in r.y0..r.y1 {
            let row = &self.smooth[y * w..(y + 1) * w];
            box_sum_row(row, &mut self.box_row[..w], r.x0, r.x1, RADIUS);
            let px = &row[r.x0..r.x1];
            let boxed = &self.box_row[r.x0..r.x1];
            let (f, v) = gated_sums(&px[1..], &px[..px.len() - 1], &boxed[1..], boxed, gate);
            s_f += f as u64;
            s_v += v as u64;
        }
        ratio(s_f, s_v)
    }

    #[inline(never)]
    fn vertical(&mut self, w: usize, h: usize, r: Rect, gate: u16) -> f32 {
        for buf in [&mut self.col_sum, &mut self.prev_col] {
            if buf.len() < w {
                buf.resize(w, 0);
            }
        }
        let smooth = &self.smooth[..w * h];
        let row = |y: usize| &smooth[y * w + r.x0..y * w + r.x1];
        // Running vertical 9-tap sums with clamped rows, started at y0 - 1.
        let start = r.y0.saturating_sub(1);
        let clamp = |y: isize| y.clamp(0, h as isize - 1) as usize;
        let cols = r.x0..r.x1;
        let col_sum = &mut self.col_sum[cols.clone()];
        let prev_col = &mut self.prev_col[cols];
        col_sum.fill(0);
        for k in -(RADIUS as isize)..=RADIUS as isize {
            add_row16(col_sum, row(clamp(start as isize + k)));
        }
        let (mut s_f, mut s_v) = (0u64, 0u64);
        for y in start + 1..r.y1 {
            prev_col.copy_from_slice(col_sum);
            // In, then out: the sum never dips below zero.
            add_row16(col_sum, row(clamp(y as isize + RADIUS as isize)));
            sub_row16(col_sum, row(clamp(y as isize - 1 - RADIUS as isize)));
            if y < r.y0 + 1 {
                continue;
            }
            let (f, v) = gated_sums(row(y), row(y - 1), col_sum, prev_col, gate);
            s_f += f as u64;
            s_v += v as u64;
        }
        ratio(s_f, s_v)
    }
}

/// `acc[i] += row[i]`, widening: the one loop both smoothing passes use.
#[inline(never)]
fn add_row(acc: &mut [u16], row: &[u8]) {
    for (a, &v) in acc.iter_mut().zip(row) {
        *a += v as u16;
    }
}

/// `acc[i] += row[i]`, for the box sums.
#[inline(never)]
fn add_row16(acc: &mut [u16], row: &[u16]) {
    for (a, &v) in acc.iter_mut().zip(row) {
        *a += v;
    }
}

/// `acc[i] -= row[i]`.
#[inline(never)]
fn sub_row16(acc: &mut [u16], row: &[u16]) {
    for (a, &v) in acc.iter_mut().zip(row) {
        *a -= v;
    }
}

/// Over pairs of neighbouring pixels (`cur[i]`, `prev[i]`) and their box sums: the sum of the
/// 9x differences that pass the noise gate, and of how much of each the box blur removed.
/// Branch-free, so it vectorises; sums of up to [`MAX_ACROSS`] pixels keep 9x a difference in u16,
/// and a row's sums fit u32. Called once a row, so not inlined: one copy for both directions.
#[inline(never)]
fn gated_sums(
    cur: &[u16],
    prev: &[u16],
    box_cur: &[u16],
    box_prev: &[u16],
    gate: u16,
) -> (u32, u32) {
    let n = cur
        .len()
        .min(prev.len())
        .min(box_cur.len())
        .min(box_prev.len());
    let (mut s_f, mut s_v) = (0u32, 0u32);
    for i in 0..n {
        let d = cur[i].abs_diff(prev[i]);
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

/// Sums over `2 radius + 1` taps along a row, edges clamped, for `x0..x1`: plain shifted adds
/// where the window lies inside the row (they vectorise), the clamped form only near its ends.
/// Never inlined: its two callers share one copy of the vectorised loop (the package's size).
#[inline(never)]
fn box_sum_row(row: &[u16], out: &mut [u16], x0: usize, x1: usize, radius: usize) {
    let n = row.len().min(out.len());
    let (x0, x1) = (x0.min(n), x1.min(n));
    let at = |i: isize| row[i.clamp(0, n as isize - 1) as usize];
    let clamped = |x: usize| {
        (x as isize - radius as isize..=(x + radius) as isize)
            .map(at)
            .sum()
    };
    // Interior: windows that need no clamping.
    let a = x0.max(radius);
    let b = x1.min(n.saturating_sub(radius)).max(a);
    out[a..b].fill(0);
    for k in 0..=2 * radius {
        add_row16(&mut out[a..b], &row[a + k - radius..b + k - radius]);
    }
    for x in (x0..a).chain(b..x1) {
        out[x] = clamped(x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: usize = 7;

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
        let sharp = s.blur(&stripes(160, 100, 6, 0), r, 1);
        let soft = s.blur(&stripes(160, 100, 6, 2), r, 1);
        let softer = s.blur(&stripes(160, 100, 6, 6), r, 1);
        assert!(sharp < 0.3, "sharp {sharp}");
        assert!(sharp < soft && soft < softer, "{sharp} {soft} {softer}");
        // Halving the contrast leaves the measure nearly unchanged.
        let mut low = stripes(160, 100, 6, 2);
        low.data.iter_mut().for_each(|v| *v = 100 + (*v - 40) / 2);
        assert!((s.blur(&low, r, 1) - soft).abs() < 0.08);
    }

    /// A dim, low-contrast pattern (a card in a dark room) with sensor noise of sigma about 5.
    fn dim_and_noisy(blur_passes: usize) -> Plane {
        let mut p = stripes(240, 160, 16, blur_passes);
        let mut state = 0x2545_f491_u32;
        for v in p.data.iter_mut() {
            // Sum of four uniform draws: near-Gaussian, sigma 5.
            let mut n = 0i32;
            for _ in 0..4 {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                n += (state % 18) as i32 - 9;
            }
            let dim = 30 + (*v as i32 - 40) / 5;
            *v = (dim + n / 2).clamp(0, 255) as u8;
        }
        p
    }

    #[test]
    fn noise_on_a_blurred_dim_card_does_not_pass_for_detail() {
        let mut s = Sharpness::default();
        let r = Rect::inset(240, 160, 0.05);
        let sharp = s.blur(&dim_and_noisy(0), r, DOC);
        let blurred = s.blur(&dim_and_noisy(12), r, DOC);
        let blurred_plain = s.blur(&dim_and_noisy(12), r, 1);
        assert!(sharp < 0.25, "sharp {sharp}");
        assert!(blurred > sharp + 0.1, "sharp {sharp}, blurred {blurred}");
        // Without the sum across, the noise reads as detail.
        assert!(
            blurred > blurred_plain + 0.1,
            "{blurred} vs {blurred_plain}"
        );
    }

    #[test]
    fn a_flat_region_has_no_detail() {
        let mut p = Plane::default();
        p.reset(50, 50);
        p.data.fill(90);
        assert_eq!(
            Sharpness::default().blur(&p, Rect::inset(50, 50, 0.1), 1),
            1.0
        );
    }
}
