//! The BlazeFace forward pass: 128x128x3 in, 896 logits and 896x16 box regressions out.
//!
//! Activations are NHWC f32 with channels padded to multiples of 4 (the padding lanes stay 0),
//! in buffers sized once for the largest layer, so a frame allocates nothing.

use super::lanes::F4;
use super::model::{self, pad4, Layer, ModelError, BLOCKS};

pub(super) const INPUT: usize = 128;
pub(super) const ANCHORS: usize = 896;
/// The stem's input: the 128x128 RGB tensor with the 5x5 stride-2 SAME padding around it
/// (1 before, 2 after), so the stem reads without bounds tests.
const STEM_IN: usize = INPUT + 3;
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
    /// RGB in [-1, 1], `STEM_IN` x `STEM_IN` x 3, border 0.
    pub input: Vec<f32>,
    act: Vec<f32>,
    next: Vec<f32>,
    padded: Vec<f32>,
    dw: Vec<f32>,
    pooled: Vec<f32>,
    head_cls: Vec<f32>,
    head_reg: Vec<f32>,
    /// Outputs, in anchor order.
    pub logits: Vec<f32>,
    pub boxes: Vec<f32>,
}

impl Net {
    pub fn new() -> Result<Self, ModelError> {
        Ok(Self {
            layers: model::load(model::BLOB)?,
            buf: Buffers {
                input: vec![0.0; STEM_IN * STEM_IN * 3],
                act: vec![0.0; ACT_MAX],
                next: vec![0.0; ACT_MAX],
                padded: vec![0.0; PAD_MAX],
                dw: vec![0.0; ACT_MAX],
                pooled: vec![0.0; ACT_MAX / 4],
                head_cls: vec![0.0; 16 * 16 * 4],
                head_reg: vec![0.0; 16 * 16 * 32],
                logits: vec![0.0; ANCHORS],
                boxes: vec![0.0; ANCHORS * 16],
            },
        })
    }

    /// Index of the input tensor's pixel (x, y), channel 0.
    #[inline]
    pub fn input_index(x: usize, y: usize) -> usize {
        ((y + 1) * STEM_IN + x + 1) * 3
    }

    /// Runs the network on `self.input`, filling `logits` and `boxes`.
    pub fn run(&mut self) {
        let (stem, rest) = self.layers.split_at(1);
        let heads = &rest[2 * BLOCKS.len()..];
        let b = &mut self.buf;
        stem_conv(&stem[0], &b.input, &mut b.act);
        let mut size = 64;
        for (i, &(cin, _cout, stride)) in BLOCKS.iter().enumerate() {
            let dw = &rest[2 * i];
            let pw = &rest[2 * i + 1];
            let out = size / stride;
            depthwise(dw, &b.act, size, &mut b.padded, &mut b.dw);
            let residual: &[f32] = if stride == 2 {
                max_pool(&b.act, size, pad4(cin), &mut b.pooled);
                &b.pooled
            } else {
                &b.act
            };
            pointwise(pw, &b.dw, out * out, Some(residual), &mut b.next);
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
        pointwise(cls, &self.act, n, None, &mut self.head_cls);
        pointwise(reg, &self.act, n, None, &mut self.head_reg);
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

/// 5x5 stride 2, 3 -> 24 channels, then ReLU: 128x128 -> 64x64. Two output pixels at a time,
/// so each weight vector loaded serves both.
#[inline(never)]
fn stem_conv(l: &Layer, input: &[f32], out: &mut [f32]) {
    const C4: usize = 24 / 4;
    let bias: [F4; C4] = std::array::from_fn(|o| F4::load(&l.bias[o * 4..]));
    for (y, out_row) in out[..64 * 64 * 24].chunks_exact_mut(64 * 24).enumerate() {
        for (x2, dst) in out_row.chunks_exact_mut(2 * 24).enumerate() {
            let mut acc = [bias; 2];
            for ky in 0..5 {
                let row = &input[((2 * y + ky) * STEM_IN + 4 * x2) * 3..];
                // Pixel 0 reads taps 0..5 of this row, pixel 1 the same taps two columns on.
                for (t, w) in l.w[ky * 5 * 3 * 24..(ky + 1) * 5 * 3 * 24]
                    .chunks_exact(24)
                    .enumerate()
                {
                    let (v0, v1) = (F4::splat(row[t]), F4::splat(row[t + 6]));
                    for (o, w) in w.chunks_exact(4).enumerate() {
                        let w = F4::load(w);
                        acc[0][o] = acc[0][o].mul_add(v0, w);
                        acc[1][o] = acc[1][o].mul_add(v1, w);
                    }
                }
            }
            for (d, a) in dst.chunks_exact_mut(24).zip(&acc) {
                for (d, a) in d.chunks_exact_mut(4).zip(a) {
                    a.max(F4::splat(0.0)).store(d);
                }
            }
        }
    }
}

/// Depthwise 3x3 with SAME padding, stride 1 or 2, no activation: copies `x` (`size`² pixels)
/// into a zero-bordered buffer first, so the taps need no bounds tests.
#[inline(never)]
fn depthwise(l: &Layer, x: &[f32], size: usize, padded: &mut [f32], out: &mut [f32]) {
    let c4 = pad4(l.shape.cout);
    let ps = size + 2;
    let row_len = ps * c4;
    padded[..row_len].fill(0.0);
    padded[(ps - 1) * row_len..ps * row_len].fill(0.0);
    for y in 0..size {
        let dst = &mut padded[(y + 1) * row_len..(y + 2) * row_len];
        dst[..c4].fill(0.0);
        dst[row_len - c4..].fill(0.0);
        dst[c4..row_len - c4].copy_from_slice(&x[y * size * c4..(y + 1) * size * c4]);
    }
    // SAME: stride 1 pads 1 before; stride 2 on an even size pads 0 before and 1 after, so its
    // taps start one further into the bordered buffer.
    let (s, off) = (l.shape.stride, l.shape.stride - 1);
    let osize = size / s;
    // The channel count as a constant: every index below is then static, so the bounds tests
    // and the per-pixel index arithmetic disappear (they cost more than the multiply-adds).
    macro_rules! by_channels {
        ($($c:literal)*) => {
            match c4 {
                $($c => dw_rows::<$c>(l, padded, row_len, s, off, osize, out),)*
                _ => unreachable!("BlazeFace has no {c4}-channel depthwise layer"),
            }
        };
    }
    by_channels!(24 28 32 36 44 48 56 64 72 80 88 96);
}

#[inline(always)]
fn dw_rows<const C4: usize>(
    l: &Layer,
    padded: &[f32],
    row_len: usize,
    s: usize,
    off: usize,
    osize: usize,
    out: &mut [f32],
) {
    let fixed = |v: &[f32]| -> [f32; C4] { std::array::from_fn(|i| v[i]) };
    let bias = fixed(&l.bias);
    let wts: [[f32; C4]; 9] = std::array::from_fn(|t| fixed(&l.w[t * C4..]));
    for (oy, out_row) in out[..osize * osize * C4]
        .chunks_exact_mut(osize * C4)
        .enumerate()
    {
        let rows: [&[f32]; 3] = std::array::from_fn(|ky| {
            let y = s * oy + ky + off;
            &padded[y * row_len..(y + 1) * row_len]
        });
        for (ox, dst) in out_row.chunks_exact_mut(C4).enumerate() {
            let x0 = (s * ox + off) * C4;
            let mut taps: [&[f32; C4]; 9] = [&bias; 9];
            for (t, tap) in taps.iter_mut().enumerate() {
                let at = x0 + (t % 3) * C4;
                if let Ok(v) = <&[f32; C4]>::try_from(&rows[t / 3][at..at + C4]) {
                    *tap = v;
                }
            }
            for c in (0..C4).step_by(4) {
                // One partial sum per kernel row: three short dependency chains, not one of 9.
                let mut acc = [F4::load(&bias[c..]), F4::splat(0.0), F4::splat(0.0)];
                for (t, (tap, w)) in taps.iter().zip(&wts).enumerate() {
                    let a = &mut acc[t / 3];
                    *a = a.mul_add(F4::load(&tap[c..]), F4::load(&w[c..]));
                }
                acc[0].add(acc[1]).add(acc[2]).store(&mut dst[c..]);
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

/// 1x1 conv over `n` pixels (a multiple of 4: every map here is). With a residual: adds it
/// (its channels zero-extended to the output's, as the graph's channel padding does) and applies
/// ReLU; without: linear (the heads).
fn pointwise(l: &Layer, x: &[f32], n: usize, residual: Option<&[f32]>, out: &mut [f32]) {
    let c4 = pad4(l.shape.cout);
    for p in (0..n).step_by(4) {
        let mut o = 0;
        while o + 8 <= c4 {
            pw_block::<2>(l, x, p, o, residual, out);
            o += 8;
        }
        if o < c4 {
            pw_block::<1>(l, x, p, o, residual, out);
        }
    }
}

/// Four pixels from `p` against `4 * L` output channels from `o`: 4L accumulators, and each
/// weight vector loaded once serves four pixels.
#[inline(always)]
fn pw_block<const L: usize>(
    l: &Layer,
    x: &[f32],
    p: usize,
    o: usize,
    residual: Option<&[f32]>,
    out: &mut [f32],
) {
    let (cin, cs_in, c4) = (l.shape.cin, pad4(l.shape.cin), pad4(l.shape.cout));
    let bias: [F4; L] = std::array::from_fn(|j| F4::load(&l.bias[o + 4 * j..]));
    let mut acc = [bias; 4];
    let px = &x[p * cs_in..(p + 4) * cs_in];
    let (r0, rest) = px.split_at(cs_in);
    let (r1, rest) = rest.split_at(cs_in);
    let (r2, r3) = rest.split_at(cs_in);
    let rows = r0[..cin]
        .iter()
        .zip(&r1[..cin])
        .zip(&r2[..cin])
        .zip(&r3[..cin]);
    for (w, (((&a, &b), &c), &d)) in l.w.chunks_exact(c4).zip(rows) {
        let w = &w[o..o + 4 * L];
        let wv: [F4; L] = std::array::from_fn(|j| F4::load(&w[4 * j..]));
        for (acc, v) in acc.iter_mut().zip([a, b, c, d]) {
            let v = F4::splat(v);
            for j in 0..L {
                acc[j] = acc[j].mul_add(v, wv[j]);
            }
        }
    }
    for (k, a) in acc.iter().enumerate() {
        for (j, v) in a.iter().enumerate() {
            let ch = o + 4 * j;
            let v = match residual {
                // The residual is the block input, which has this layer's input channels.
                Some(r) if ch < cs_in => v.add(F4::load(&r[(p + k) * cs_in + ch..])),
                _ => *v,
            };
            let v = if residual.is_some() {
                v.max(F4::splat(0.0))
            } else {
                v
            };
            v.store(&mut out[(p + k) * c4 + ch..]);
        }
    }
}
