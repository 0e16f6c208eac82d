//! The BlazeFace forward pass: 128x128x3 in, 896 logits and 896x16 box regressions out.
//!
//! Activations are NHWC with channels padded to multiples of 4 (the padding lanes stay 0), in
//! buffers sized once for the largest layer, so a frame allocates nothing.
//!
//! The 1x1 convolutions and the stem (87 % of the 30.8 M multiply-adds) run as integer dot
//! products: their input is quantised to i16 with one scale per tensor (15 bits: far finer than
//! the int8 weights), and `i32x4.dot_i16x8_s` does 8 multiply-adds per instruction. Depthwise
//! layers, pooling and the residual sums stay f32.

use super::lanes::{F4, H8, I4};
use super::model::{self, pad4, Layer, ModelError, BLOCKS};

pub(super) const INPUT: usize = 128;
pub(super) const ANCHORS: usize = 896;
/// The stem's input: the 128x128 RGB tensor with the 5x5 stride-2 SAME padding around it
/// (1 before, 2 after).
const STEM_IN: usize = INPUT + 3;
/// The stem's 5x5x3 inputs per output pixel, plus one zero to make whole pairs.
const STEM_TAPS: usize = 76;
/// The input tensor's scale: [-1, 1] as i16.
pub(super) const INPUT_ONE: f32 = 32767.0;
/// The largest activation: 64x64 pixels x 28 channels.
const ACT_MAX: usize = 64 * 64 * 28;
/// The largest zero-bordered depthwise input: 66x66 x 28.
const PAD_MAX: usize = 66 * 66 * 28;

#[derive(Debug)]
pub(super) struct Net {
    layers: Vec<Layer>,
    pub buf: Buffers,
}

#[derive(Debug)]
pub(super) struct Buffers {
    /// RGB, [-1, 1] as ±`INPUT_ONE`, `STEM_IN` x `STEM_IN` x 3, border 0.
    pub input: Vec<i16>,
    /// The stem's im2col: 64x64 rows of `STEM_TAPS`.
    cols: Vec<i16>,
    act: Vec<f32>,
    next: Vec<f32>,
    padded: Vec<f32>,
    dw: Vec<f32>,
    pooled: Vec<f32>,
    /// A 1x1 convolution's input, quantised.
    xq: Vec<i16>,
    head_cls: Vec<f32>,
    head_reg: Vec<f32>,
    /// Outputs, in anchor order.
    pub logits: Vec<f32>,
    pub boxes: Vec<f32>,
}

/// What follows a convolution's sum.
#[derive(Clone, Copy)]
enum Then<'a> {
    /// Nothing: the heads' raw outputs.
    Linear,
    /// ReLU, after adding a block's residual (`pad4(cin)` channels, zero-extended to the output's,
    /// as the graph's channel padding does) when there is one.
    Relu(Option<&'a [f32]>),
}

impl Net {
    pub fn new() -> Result<Self, ModelError> {
        Ok(Self {
            layers: model::load(model::BLOB)?,
            buf: Buffers {
                input: vec![0; STEM_IN * STEM_IN * 3],
                cols: vec![0; 64 * 64 * STEM_TAPS],
                act: vec![0.0; ACT_MAX],
                next: vec![0.0; ACT_MAX],
                padded: vec![0.0; PAD_MAX],
                dw: vec![0.0; ACT_MAX],
                pooled: vec![0.0; ACT_MAX / 4],
                xq: vec![0; ACT_MAX],
                head_cls: vec![0.0; 16 * 16 * 4],
                head_reg: vec![0.0; 16 * 16 * 32],
                logits: vec![0.0; ANCHORS],
                boxes: vec![0.0; ANCHORS * 16],
            },
        })
    }

    /// Index of the input tensor's pixel (x, y), channel 0.
    #[inline(always)]
    pub fn input_index(x: usize, y: usize) -> usize {
        ((y + 1) * STEM_IN + x + 1) * 3
    }

    /// Runs the network on `buf.input`, filling `logits` and `boxes`.
    pub fn run(&mut self) {
        let (stem, rest) = self.layers.split_at(1);
        let heads = &rest[2 * BLOCKS.len()..];
        let b = &mut self.buf;
        im2col(&b.input, &mut b.cols);
        conv(
            &stem[0],
            &b.cols,
            STEM_TAPS,
            1.0 / INPUT_ONE,
            64 * 64,
            Then::Relu(None),
            &mut b.act,
        );
        let mut size = 64;
        for (i, &(cin, _cout, stride)) in BLOCKS.iter().enumerate() {
            let (dw, pw) = (&rest[2 * i], &rest[2 * i + 1]);
            let out = size / stride;
            depthwise(dw, &b.act, size, &mut b.padded, &mut b.dw);
            let residual: &[f32] = if stride == 2 {
                max_pool(&b.act, size, pad4(cin), &mut b.pooled);
                &b.pooled
            } else {
                &b.act
            };
            let xs = pad4(cin);
            let sx = quantize_planar(&b.dw, out * out, xs, &mut b.xq);
            conv(
                pw,
                &b.xq,
                xs,
                sx,
                out * out,
                Then::Relu(Some(residual)),
                &mut b.next,
            );
            std::mem::swap(&mut b.act, &mut b.next);
            size = out;
            // Block 11's output (16x16x88) feeds the first pair of heads.
            if i == 10 {
                b.heads(&heads[0], &heads[2], 16, 2, 0);
            }
        }
        b.heads(&heads[1], &heads[3], 8, 6, 512);
    }
}

impl Buffers {
    /// The classifier and regressor on one feature map, scattered into anchor order:
    /// `per_cell` anchors per pixel, starting at anchor `first`.
    fn heads(&mut self, cls: &Layer, reg: &Layer, size: usize, per_cell: usize, first: usize) {
        let n = size * size;
        let xs = pad4(cls.shape.cin);
        let sx = quantize(&self.act[..n * xs], &mut self.xq);
        conv(cls, &self.xq, xs, sx, n, Then::Linear, &mut self.head_cls);
        conv(reg, &self.xq, xs, sx, n, Then::Linear, &mut self.head_reg);
        let (cs, rs) = (pad4(cls.shape.cout), pad4(reg.shape.cout));
        for p in 0..n {
            for a in 0..per_cell {
                let i = first + p * per_cell + a;
                self.logits[i] = self.head_cls[p * cs + a];
                self.boxes[i * 16..i * 16 + 16]
                    .copy_from_slice(&self.head_reg[p * rs + a * 16..p * rs + a * 16 + 16]);
            }
        }
    }
}

/// The stem's 5x5 stride-2 windows as rows, in the weights' (ky, kx, channel) order.
#[inline(never)]
fn im2col(input: &[i16], cols: &mut [i16]) {
    for (i, dst) in cols.chunks_exact_mut(STEM_TAPS).take(64 * 64).enumerate() {
        let (y, x) = (i / 64, i % 64);
        for (ky, d) in dst.chunks_exact_mut(15).enumerate() {
            let at = ((2 * y + ky) * STEM_IN + 2 * x) * 3;
            d.copy_from_slice(&input[at..at + 15]);
        }
        dst[75] = 0;
    }
}

/// The largest magnitude in `x` (a multiple of 4 long).
fn peak(x: &[f32]) -> f32 {
    let mut m = F4::splat(0.0);
    for c in x.chunks_exact(4) {
        m = m.max(F4::load(c).abs());
    }
    m.reduce_max()
}

/// The i16 step for values up to `m`, and its inverse; `None` when there is nothing to scale
/// (all zero, or not finite).
fn step_for(m: f32) -> Option<(f32, F4)> {
    (m > 0.0 && m.is_finite()).then(|| (m / 32767.0, F4::splat(32767.0 / m)))
}

/// Quantises the NHWC map `x` (a multiple of 8 long) to i16 with one scale, its largest
/// magnitude mapping to 32767; returns the value of 1 in `xq`.
#[inline(never)]
fn quantize(x: &[f32], xq: &mut [i16]) -> f32 {
    let Some((step, inv)) = step_for(peak(x)) else {
        xq[..x.len()].fill(0);
        return 1.0;
    };
    for (q, c) in xq.chunks_exact_mut(8).zip(x.chunks_exact(8)) {
        F4::to_i16x8(F4::load(c).mul(inv), F4::load(&c[4..]).mul(inv)).store(q);
    }
    step
}

/// As [`quantize`], from the depthwise's planar layout (`[c4 / 4][n][4]`) into NHWC rows of
/// `c4`, the layout the 1x1 convolution reads.
#[inline(never)]
fn quantize_planar(x: &[f32], n: usize, c4: usize, xq: &mut [i16]) -> f32 {
    let x = &x[..n * c4];
    let Some((step, inv)) = step_for(peak(x)) else {
        xq[..n * c4].fill(0);
        return 1.0;
    };
    let groups = c4 / 4;
    let q = |g: usize, p: usize| F4::load(&x[(g * n + p) * 4..]).mul(inv);
    for (p, row) in xq[..n * c4].chunks_exact_mut(c4).enumerate() {
        let mut g = 0;
        while g + 2 <= groups {
            F4::to_i16x8(q(g, p), q(g + 1, p)).store(&mut row[4 * g..]);
            g += 2;
        }
        if g < groups {
            let mut tail = [0i16; 8];
            F4::to_i16x8(q(g, p), F4::splat(0.0)).store(&mut tail);
            row[4 * g..4 * g + 4].copy_from_slice(&tail[..4]);
        }
    }
    step
}

/// A convolution as a matrix product: `n` pixels (a multiple of 4) of `l.pairs` input pairs,
/// rows `xs` apart in `xq` (value of 1: `sx`), into `pad4(cout)` channels per pixel.
#[inline(never)]
fn conv(l: &Layer, xq: &[i16], xs: usize, sx: f32, n: usize, then: Then, out: &mut [f32]) {
    let groups = pad4(l.shape.cout) / 4;
    for p in (0..n).step_by(4) {
        let mut g = 0;
        while g + 2 <= groups {
            conv_block::<2>(l, xq, xs, sx, p, g, then, out);
            g += 2;
        }
        if g < groups {
            conv_block::<1>(l, xq, xs, sx, p, g, then, out);
        }
    }
}

/// Four pixels from `p` against output groups `g..g + L`: 4L accumulators, and each weight
/// vector loaded once serves four pixels.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn conv_block<const L: usize>(
    l: &Layer,
    xq: &[i16],
    xs: usize,
    sx: f32,
    p: usize,
    g: usize,
    then: Then,
    out: &mut [f32],
) {
    let np = l.pairs;
    let span = 2 * np;
    let rows: [&[i16]; 4] = std::array::from_fn(|k| &xq[(p + k) * xs..(p + k) * xs + span]);
    let w0 = &l.q[g * np * 8..(g + 1) * np * 8];
    let w1 = &l.q[(g + L - 1) * np * 8..(g + L) * np * 8];
    let mut acc = [[I4::zero(); L]; 4];
    // Fixed-size chunks: zipping slice iterators of arrays sizes them with shifts, where
    // `chunks_exact` divides by a run-time chunk length.
    let [r0, r1, r2, r3] = rows.map(as_arrays::<2>);
    let (w0, w1) = (as_arrays::<8>(w0), as_arrays::<8>(w1));
    let pairs = r0.iter().zip(r1).zip(r2.iter().zip(r3));
    for (((a, b), (c, d)), (wa, wb)) in pairs.zip(w0.iter().zip(w1)) {
        let wv = [H8::load(wa), H8::load(wb)];
        for (acc, x) in acc.iter_mut().zip([a, b, c, d]) {
            let x = H8::pair(x);
            for j in 0..L {
                acc[j] = acc[j].dot_add(x, wv[j]);
            }
        }
    }
    let c4 = 4 * (pad4(l.shape.cout) / 4);
    let sxv = F4::splat(sx);
    for j in 0..L {
        let o = 4 * (g + j);
        let scale = F4::load(&l.scale[o..]).mul(sxv);
        let bias = F4::load(&l.bias[o..]);
        for (k, a) in acc.iter().enumerate() {
            let v = bias.mul_add(a[j].to_f4(), scale);
            let v = match then {
                Then::Linear => v,
                Then::Relu(res) => {
                    let rs = pad4(l.shape.cin);
                    let v = match res {
                        Some(r) if o < rs => v.add(F4::load(&r[(p + k) * rs + o..])),
                        _ => v,
                    };
                    v.max(F4::splat(0.0))
                }
            };
            v.store(&mut out[(p + k) * c4 + o..]);
        }
    }
}

/// `s` as whole `N`-arrays (a remainder is left out): `slice::as_chunks`, which needs Rust 1.88.
#[inline(always)]
fn as_arrays<const N: usize>(s: &[i16]) -> &[[i16; N]] {
    // SAFETY: `[i16; N]` has the size of N i16s and their alignment, and `len / N` arrays lie
    // within `s`; the borrow keeps `s` alive and shared.
    unsafe { std::slice::from_raw_parts(s.as_ptr().cast::<[i16; N]>(), s.len() / N) }
}

/// Depthwise 3x3 with SAME padding, stride 1 or 2, no activation, from `x` (`size`² pixels,
/// NHWC) into `out` *planar by lane group*: `[c4 / 4][osize][osize][4]`.
///
/// The input is first copied into the same planar layout with a zero border. Within a group,
/// neighbouring pixels are then 16 bytes apart, so a pixel's 9 taps are constant offsets from
/// three row pointers, and the group's 9 weight vectors stay in registers for the whole plane.
#[inline(never)]
fn depthwise(l: &Layer, x: &[f32], size: usize, padded: &mut [f32], out: &mut [f32]) {
    let c4 = pad4(l.shape.cout);
    let groups = c4 / 4;
    let ps = size + 2;
    let plane = ps * ps * 4;
    for g in 0..groups {
        let dst = &mut padded[g * plane..(g + 1) * plane];
        dst[..ps * 4].fill(0.0);
        dst[(ps - 1) * ps * 4..].fill(0.0);
        for y in 0..size {
            let row = &mut dst[(y + 1) * ps * 4..(y + 2) * ps * 4];
            row[..4].fill(0.0);
            row[(ps - 1) * 4..].fill(0.0);
            let src = &x[y * size * c4..(y + 1) * size * c4];
            for (d, s) in row[4..(ps - 1) * 4]
                .chunks_exact_mut(4)
                .zip(src.chunks_exact(c4))
            {
                d.copy_from_slice(&s[4 * g..4 * g + 4]);
            }
        }
    }
    // SAME: stride 1 pads 1 before; stride 2 on an even size pads 0 before and 1 after, so its
    // taps start one further into the bordered plane.
    let (s, off) = (l.shape.stride, l.shape.stride - 1);
    let osize = size / s;
    // The loop below reads unchecked (bounds tests cost more than its multiply-adds). Its
    // farthest tap is row and column s * (osize - 1) + off + 2 of a plane: inside it when that is
    // below ps, as it is for both strides. Checked once here, with the buffers' lengths.
    let fits = s * (osize - 1) + off + 2 < ps
        && padded.len() >= groups * plane
        && out.len() >= groups * osize * osize * 4
        && l.w.len() >= 9 * c4
        && l.bias.len() >= c4;
    if !fits {
        return;
    }
    for g in 0..groups {
        let w: [F4; 9] = std::array::from_fn(|t| F4::load(&l.w[t * c4 + 4 * g..]));
        let bias = F4::load(&l.bias[4 * g..]);
        let pin = padded[g * plane..].as_ptr();
        let pout = out[g * osize * osize * 4..].as_mut_ptr();
        for oy in 0..osize {
            let rows: [usize; 3] = std::array::from_fn(|ky| (s * oy + off + ky) * ps * 4);
            for ox in 0..osize {
                let x0 = (s * ox + off) * 4;
                // SAFETY: the taps lie in this group's plane and the store in its output plane,
                // by the checks above.
                unsafe {
                    let tap = |ky: usize, kx: usize| F4::load_ptr(pin.add(rows[ky] + x0 + 4 * kx));
                    // One partial sum per kernel row: three short dependency chains, not one of 9.
                    let a0 = bias
                        .mul_add(tap(0, 0), w[0])
                        .mul_add(tap(0, 1), w[1])
                        .mul_add(tap(0, 2), w[2]);
                    let a1 = tap(1, 0)
                        .mul(w[3])
                        .mul_add(tap(1, 1), w[4])
                        .mul_add(tap(1, 2), w[5]);
                    let a2 = tap(2, 0)
                        .mul(w[6])
                        .mul_add(tap(2, 1), w[7])
                        .mul_add(tap(2, 2), w[8]);
                    a0.add(a1)
                        .add(a2)
                        .store_ptr(pout.add((oy * osize + ox) * 4));
                }
            }
        }
    }
}

/// 2x2 stride-2 max pool: the residual path of a stride-2 block.
#[inline(never)]
fn max_pool(x: &[f32], size: usize, c4: usize, out: &mut [f32]) {
    let o = size / 2;
    for y in 0..o {
        for xo in 0..o {
            for c in (0..c4).step_by(4) {
                let at = |yy: usize, xx: usize| F4::load(&x[(yy * size + xx) * c4 + c..]);
                let m = at(2 * y, 2 * xo)
                    .max(at(2 * y, 2 * xo + 1))
                    .max(at(2 * y + 1, 2 * xo))
                    .max(at(2 * y + 1, 2 * xo + 1));
                m.store(&mut out[(y * o + xo) * c4 + c..]);
            }
        }
    }
}
