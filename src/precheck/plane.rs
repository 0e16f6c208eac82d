//! Single-channel 8-bit images that keep their allocation across frames.

/// A `w` x `h` grey plane. `data` never shrinks, so a new frame of the same or smaller size
/// costs no allocation.
#[derive(Debug, Default, Clone)]
pub(crate) struct Plane {
    pub w: usize,
    pub h: usize,
    pub data: Vec<u8>,
}

impl Plane {
    pub fn reset(&mut self, w: usize, h: usize) {
        self.w = w;
        self.h = h;
        if self.data.len() < w * h {
            self.data.resize(w * h, 0);
        }
    }

    #[inline]
    pub fn get(&self, x: usize, y: usize) -> u8 {
        self.data[y * self.w + x]
    }

    #[inline]
    pub fn row(&self, y: usize) -> &[u8] {
        &self.data[y * self.w..(y + 1) * self.w]
    }

    /// Bilinear sample at a continuous position (pixel centres at integer + 0.5),
    /// clamped to the plane.
    #[inline]
    pub fn sample(&self, x: f32, y: f32) -> f32 {
        let fx = (x - 0.5).clamp(0.0, (self.w - 1) as f32);
        let fy = (y - 0.5).clamp(0.0, (self.h - 1) as f32);
        let x0 = fx as usize;
        let y0 = fy as usize;
        let x1 = (x0 + 1).min(self.w - 1);
        let y1 = (y0 + 1).min(self.h - 1);
        let ax = fx - x0 as f32;
        let ay = fy - y0 as f32;
        let top = self.get(x0, y0) as f32 * (1.0 - ax) + self.get(x1, y0) as f32 * ax;
        let bot = self.get(x0, y1) as f32 * (1.0 - ax) + self.get(x1, y1) as f32 * ax;
        top * (1.0 - ay) + bot * ay
    }

    /// Halves `src` into `self` by 2x2 averaging (odd last row/column dropped).
    #[inline(never)]
    pub fn half_of(&mut self, src: &Plane) {
        let (w, h) = (src.w / 2, src.h / 2);
        self.reset(w, h);
        for y in 0..h {
            let r0 = src.row(2 * y);
            let r1 = src.row(2 * y + 1);
            let out = &mut self.data[y * w..(y + 1) * w];
            #[cfg(target_arch = "x86_64")]
            let (out, r0, r1) = {
                let done = half_row_sse2(out, r0, r1);
                (&mut out[done..], &r0[2 * done..], &r1[2 * done..])
            };
            for ((o, a), b) in out
                .iter_mut()
                .zip(r0.chunks_exact(2))
                .zip(r1.chunks_exact(2))
            {
                let s = a[0] as u16 + a[1] as u16 + b[0] as u16 + b[1] as u16;
                *o = ((s + 2) >> 2) as u8;
            }
        }
    }
}

/// [`Plane::half_of`]'s row in SSE2 (the x86-64 baseline), 16 pixels at a time, with the same
/// integers: each byte pair summed in a 16-bit lane, both rows added, rounded. Returns how many
/// pixels of `out` it wrote; the caller does the rest.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn half_row_sse2(out: &mut [u8], r0: &[u8], r1: &[u8]) -> usize {
    use core::arch::x86_64::*;
    let n = out.len() / 16 * 16;
    for ((o, a), b) in out[..n]
        .chunks_exact_mut(16)
        .zip(r0.chunks_exact(32))
        .zip(r1.chunks_exact(32))
    {
        // SAFETY: SSE2 is in the x86-64 baseline; the loads read the 32 bytes of `a` and `b`,
        // the store writes the 16 of `o`, all unaligned.
        unsafe {
            let ld = |s: &[u8], k: usize| _mm_loadu_si128(s.as_ptr().add(16 * k) as *const __m128i);
            let low = _mm_set1_epi16(0xff);
            let pairs = |v: __m128i| _mm_add_epi16(_mm_and_si128(v, low), _mm_srli_epi16(v, 8));
            let eight = |k: usize| {
                let s = _mm_add_epi16(pairs(ld(a, k)), pairs(ld(b, k)));
                _mm_srli_epi16(_mm_add_epi16(s, _mm_set1_epi16(2)), 2)
            };
            _mm_storeu_si128(
                o.as_mut_ptr() as *mut __m128i,
                _mm_packus_epi16(eight(0), eight(1)),
            );
        }
    }
    n
}

/// The largest value of a strip of at most 16. A full strip goes through a fixed-size array, which
/// the compiler turns into a few SIMD max instructions; as a slice of unknown length it would
/// stay scalar, as 16 is below the vectorised loop's minimum trip count.
#[inline(always)]
pub(crate) fn strip_max<T: Copy + Ord + Default>(strip: &[T]) -> T {
    match <&[T; 16]>::try_from(strip) {
        Ok(a) => a.iter().copied().fold(T::default(), T::max),
        Err(_) => strip.iter().copied().fold(T::default(), T::max),
    }
}

/// A 256-bin histogram with the order statistics the tone and edge checks need.
#[derive(Debug, Clone)]
pub(crate) struct Histogram {
    bins: [u32; 256],
    total: u32,
}

impl Default for Histogram {
    fn default() -> Self {
        Self {
            bins: [0; 256],
            total: 0,
        }
    }
}

impl Histogram {
    pub fn clear(&mut self) {
        self.bins = [0; 256];
        self.total = 0;
    }

    #[cfg(test)]
    pub fn add(&mut self, v: u8) {
        self.bins[v as usize] += 1;
        self.total += 1;
    }

    /// Adds every value of every slice.
    pub fn add_rows<'a>(&mut self, rows: impl IntoIterator<Item = &'a [u8]>) {
        self.add_rows_by(rows, |v| v as usize);
    }

    /// Adds every value of every slice to its bin `bin(value)`, which must be below 256. Four
    /// partial histograms take alternate values, so that runs of equal values (flat print, a white
    /// card) do not serialise on one counter.
    pub fn add_rows_by<'a, T: Copy + 'a>(
        &mut self,
        rows: impl IntoIterator<Item = &'a [T]>,
        bin: impl Fn(T) -> usize,
    ) {
        let mut part = [[0u32; 256]; 4];
        for values in rows {
            let chunks = values.chunks_exact(4);
            for &v in chunks.remainder() {
                part[0][bin(v)] += 1;
            }
            for c in chunks {
                part[0][bin(c[0])] += 1;
                part[1][bin(c[1])] += 1;
                part[2][bin(c[2])] += 1;
                part[3][bin(c[3])] += 1;
            }
            self.total += values.len() as u32;
        }
        for (i, b) in self.bins.iter_mut().enumerate() {
            *b += part[0][i] + part[1][i] + part[2][i] + part[3][i];
        }
    }

    pub fn total(&self) -> u32 {
        self.total
    }

    /// The smallest value with at least `q` (0–1) of the samples at or below it.
    pub fn quantile(&self, q: f32) -> u8 {
        let target = ((self.total as f32 * q).ceil() as u32).max(1);
        let mut acc = 0;
        for (v, &n) in self.bins.iter().enumerate() {
            acc += n;
            if acc >= target {
                return v as u8;
            }
        }
        255
    }

    pub fn mean(&self) -> f32 {
        if self.total == 0 {
            return 0.0;
        }
        let s: u64 = self
            .bins
            .iter()
            .enumerate()
            .map(|(v, &n)| v as u64 * n as u64)
            .sum();
        s as f32 / self.total as f32
    }

    /// Fraction of samples at or above `v`.
    pub fn fraction_at_least(&self, v: u8) -> f32 {
        if self.total == 0 {
            return 0.0;
        }
        let n: u32 = self.bins[v as usize..].iter().sum();
        n as f32 / self.total as f32
    }

    /// Fraction of samples at or below `v`.
    pub fn fraction_at_most(&self, v: u8) -> f32 {
        if self.total == 0 {
            return 0.0;
        }
        let n: u32 = self.bins[..=v as usize].iter().sum();
        n as f32 / self.total as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_is_the_rounded_mean_of_each_block_on_wide_planes() {
        // Wide enough for the vector rows (16 pixels at a time) and an odd tail, over the
        // whole byte range.
        let (w, h) = (75, 6);
        let mut src = Plane::default();
        src.reset(w, h);
        let mut state = 5u32;
        for v in src.data.iter_mut() {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *v = (state >> 24) as u8;
        }
        let mut dst = Plane::default();
        dst.half_of(&src);
        for y in 0..h / 2 {
            for x in 0..w / 2 {
                let at = |dx: usize, dy: usize| src.data[(2 * y + dy) * w + 2 * x + dx] as u32;
                let mean = (at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1) + 2) / 4;
                assert_eq!(dst.data[y * (w / 2) + x] as u32, mean, "({x}, {y})");
            }
        }
    }

    #[test]
    fn half_averages_blocks() {
        let mut src = Plane::default();
        src.reset(4, 2);
        src.data.copy_from_slice(&[0, 4, 8, 8, 4, 8, 8, 8]);
        let mut dst = Plane::default();
        dst.half_of(&src);
        assert_eq!((dst.w, dst.h), (2, 1));
        assert_eq!(&dst.data[..2], &[4, 8]);
    }

    #[test]
    fn bilinear_sample_interpolates_between_centres() {
        let mut p = Plane::default();
        p.reset(2, 1);
        p.data.copy_from_slice(&[0, 100]);
        assert_eq!(p.sample(0.5, 0.5), 0.0);
        assert_eq!(p.sample(1.0, 0.5), 50.0);
        assert_eq!(p.sample(9.0, 0.5), 100.0);
    }

    #[test]
    fn adding_a_slice_counts_like_adding_each_value() {
        let values: Vec<u8> = (0..1003u32).map(|i| (i * 7 % 256) as u8).collect();
        let (mut one, mut all) = (Histogram::default(), Histogram::default());
        values.iter().for_each(|&v| one.add(v));
        all.add_rows([&values[..500], &values[500..]]);
        assert_eq!((one.bins, one.total), (all.bins, all.total));
    }

    #[test]
    fn histogram_quantiles() {
        let mut h = Histogram::default();
        for v in 0..=99u8 {
            h.add(v);
        }
        assert_eq!(h.quantile(0.5), 49);
        assert_eq!(h.quantile(1.0), 99);
        assert!((h.fraction_at_least(90) - 0.1).abs() < 1e-6);
        assert!((h.mean() - 49.5).abs() < 1e-4);
    }
}
