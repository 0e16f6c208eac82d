//! The face detector's weights: parsing the committed int8 blob (made by
//! scripts/weights/convert.py, layout documented there) into f32 layers laid out for the forward
//! pass, and checking that it holds exactly the BlazeFace short-range architecture.

use thiserror::Error;

/// MediaPipe's BlazeFace short-range weights, repacked to int8 per output channel. Apache-2.0,
/// © Google LLC; see NOTICE and `make weights`.
pub(super) const BLOB: &[u8] = include_bytes!("blazeface_short_i8.bin");

/// Why a weights blob cannot be used.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ModelError {
    #[error("face model: not a BFI8 version 2 blob")]
    BadHeader,
    #[error("face model: blob ends inside layer {0}")]
    Truncated(usize),
    #[error("face model: layer {layer} is {found}, the architecture needs {expected}")]
    Architecture {
        layer: usize,
        found: String,
        expected: String,
    },
    #[error("face model: {0} bytes after the last layer")]
    TrailingBytes(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Conv,
    Depthwise,
}

/// One layer's shape as the blob declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Shape {
    pub kind: Kind,
    pub kernel: usize,
    pub stride: usize,
    /// TFLite's SAME padding (else VALID): the forward pass pads exactly as the graph says.
    pub same: bool,
    pub cin: usize,
    pub cout: usize,
}

/// A layer laid out for the forward pass, output channels padded to multiples of 4 (zero
/// weights, scales and biases), so every inner loop works in whole 4-lane groups.
///
/// Convolutions stay integer: their input index `i = (ky * k + kx) * cin + ci` (the stem's
/// im2col order; just `ci` for 1x1) runs in pairs, and `q[((oc * pairs + p) * 4 + j) * 2 + e]`
/// is the weight of output `4 * oc + j` for input `2 * p + e`, the operand order of
/// `i32x4.dot_i16x8_s`. Output `o` is then `bias[o] + scale[o] * input_scale * sum`.
///
/// Depthwise layers are dequantised: `w[(ky * k + kx) * cout4 + c]`.
#[derive(Debug)]
pub(super) struct Layer {
    pub shape: Shape,
    pub w: Vec<f32>,
    pub q: Vec<i16>,
    /// Input pairs per output group: half the convolution's input count, rounded up.
    pub pairs: usize,
    pub scale: Vec<f32>,
    pub bias: Vec<f32>,
}

pub(super) fn pad4(c: usize) -> usize {
    c.div_ceil(4) * 4
}

/// The BlazeFace short-range graph: a 5x5 stride-2 stem, 16 blocks (depthwise 3x3 then
/// pointwise), then the classifier and regressor heads on the 16x16 and 8x8 maps.
pub(super) const BLOCKS: [(usize, usize, usize); 16] = [
    (24, 24, 1),
    (24, 28, 1),
    (28, 32, 2),
    (32, 36, 1),
    (36, 42, 1),
    (42, 48, 2),
    (48, 56, 1),
    (56, 64, 1),
    (64, 72, 1),
    (72, 80, 1),
    (80, 88, 1),
    (88, 96, 2),
    (96, 96, 1),
    (96, 96, 1),
    (96, 96, 1),
    (96, 96, 1),
];

fn expected_shapes() -> Vec<Shape> {
    let conv = |kernel, stride, same, cin, cout| Shape {
        kind: Kind::Conv,
        kernel,
        stride,
        same,
        cin,
        cout,
    };
    let mut v = vec![conv(5, 2, true, 3, 24)];
    for (cin, cout, stride) in BLOCKS {
        v.push(Shape {
            kind: Kind::Depthwise,
            kernel: 3,
            stride,
            same: true,
            cin,
            cout: cin,
        });
        v.push(conv(1, 1, false, cin, cout));
    }
    // Heads, in graph order: classifiers (16x16, 8x8), then regressors.
    v.extend([
        conv(1, 1, true, 88, 2),
        conv(1, 1, true, 96, 6),
        conv(1, 1, true, 88, 32),
        conv(1, 1, true, 96, 96),
    ]);
    v
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
    layer: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let s = self
            .b
            .get(self.at..self.at + n)
            .ok_or(ModelError::Truncated(self.layer))?;
        self.at += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<usize, ModelError> {
        Ok(self.take(1)?[0] as usize)
    }
    fn u16(&mut self) -> Result<usize, ModelError> {
        let s = self.take(2)?;
        Ok(u16::from_le_bytes([s[0], s[1]]) as usize)
    }
    /// `n` little-endian IEEE half floats, widened to f32.
    fn f16s(&mut self, n: usize) -> Result<Vec<f32>, ModelError> {
        Ok(self
            .take(n * 2)?
            .chunks_exact(2)
            .map(|c| f16_to_f32(u16::from_le_bytes([c[0], c[1]])))
            .collect())
    }
}

/// IEEE 754 binary16 to f32, exactly (every half float is an f32). `f16` is not stable Rust yet,
/// and a crate for two loads at start-up is not worth it.
fn f16_to_f32(h: u16) -> f32 {
    let negative = h >> 15 == 1;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let magnitude = match exp {
        // Zero and subnormals: man * 2^-24, exact in f32.
        0 => man as f32 * f32::from_bits(0x3380_0000),
        0x1f => f32::from_bits(0x7f80_0000 | (man << 13)),
        e => f32::from_bits(((e + 112) << 23) | (man << 13)),
    };
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// Parses and dequantises a blob, refusing anything but the expected architecture.
pub(super) fn load(blob: &[u8]) -> Result<Vec<Layer>, ModelError> {
    if blob.len() < 8 || &blob[..4] != b"BFI8" || blob[4..6] != [2, 0] {
        return Err(ModelError::BadHeader);
    }
    let count = u16::from_le_bytes([blob[6], blob[7]]) as usize;
    let expected = expected_shapes();
    let mut r = Reader {
        b: blob,
        at: 8,
        layer: 0,
    };
    let mut layers = Vec::with_capacity(count);
    for (i, want) in expected.iter().enumerate() {
        r.layer = i;
        if i >= count {
            return Err(ModelError::Truncated(i));
        }
        let kind = match r.u8()? {
            0 => Kind::Conv,
            1 => Kind::Depthwise,
            k => {
                return Err(ModelError::Architecture {
                    layer: i,
                    found: format!("layer kind {k}"),
                    expected: format!("{want:?}"),
                })
            }
        };
        let (kernel, stride, pad, cin, cout) = (r.u8()?, r.u8()?, r.u8()?, r.u16()?, r.u16()?);
        let shape = Shape {
            kind,
            kernel,
            stride,
            same: pad == 0,
            cin,
            cout,
        };
        if shape != *want {
            return Err(ModelError::Architecture {
                layer: i,
                found: format!("{shape:?}"),
                expected: format!("{want:?}"),
            });
        }
        let c4 = pad4(cout);
        let padded = |v: Vec<f32>| {
            let mut p = vec![0.0; c4];
            p[..cout].copy_from_slice(&v);
            p
        };
        let scale = padded(r.f16s(cout)?);
        let bias = padded(r.f16s(cout)?);
        let taps = kernel * kernel;
        let mut layer = Layer {
            shape,
            w: Vec::new(),
            q: Vec::new(),
            pairs: 0,
            scale,
            bias,
        };
        match kind {
            Kind::Conv => {
                // Blob: [co][tap][ci], i.e. [co][i].
                let inputs = taps * cin;
                let src = r.take(cout * inputs)?;
                let pairs = inputs.div_ceil(2);
                let mut q = vec![0i16; c4 * pairs * 2];
                for co in 0..cout {
                    let (oc, j) = (co / 4, co % 4);
                    for (i, &v) in src[co * inputs..(co + 1) * inputs].iter().enumerate() {
                        q[((oc * pairs + i / 2) * 4 + j) * 2 + i % 2] = v as i8 as i16;
                    }
                }
                layer.q = q;
                layer.pairs = pairs;
            }
            Kind::Depthwise => {
                let src = r.take(taps * cout)?;
                let mut w = vec![0.0; taps * c4];
                for t in 0..taps {
                    for c in 0..cout {
                        w[t * c4 + c] = src[t * cout + c] as i8 as f32 * layer.scale[c];
                    }
                }
                layer.w = w;
            }
        }
        layers.push(layer);
    }
    if count != expected.len() {
        return Err(ModelError::Architecture {
            layer: expected.len(),
            found: format!("{count} layers"),
            expected: format!("{} layers", expected.len()),
        });
    }
    if r.at != blob.len() {
        return Err(ModelError::TrailingBytes(blob.len() - r.at));
    }
    Ok(layers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_blob_is_blazeface_short_range() {
        let layers = load(BLOB).unwrap();
        assert_eq!(layers.len(), 37);
        let weights: usize = layers
            .iter()
            .map(|l| {
                let s = l.shape;
                s.kernel
                    * s.kernel
                    * if s.kind == Kind::Conv {
                        s.cin * s.cout
                    } else {
                        s.cout
                    }
            })
            .sum();
        // The published model's parameter count (without biases).
        assert_eq!(
            weights + layers.iter().map(|l| l.shape.cout).sum::<usize>(),
            101_390
        );
    }

    #[test]
    fn half_floats_widen_exactly() {
        for (h, f) in [
            (0x3c00, 1.0),
            (0xc000, -2.0),
            (0x0001, 5.960_464_5e-8),
            (0x8000, -0.0),
            (0x7bff, 65504.0),
            (0x3555, 0.333_251_95),
            (0x0400, 6.103_515_6e-5),
        ] {
            assert_eq!(f16_to_f32(h), f, "{h:#06x}");
        }
        assert_eq!(f16_to_f32(0x7c00), f32::INFINITY);
        assert!(f16_to_f32(0x7e00).is_nan());
    }

    #[test]
    fn damaged_blobs_are_typed_errors() {
        assert_eq!(load(b"nope").unwrap_err(), ModelError::BadHeader);
        assert!(matches!(load(&BLOB[..5000]), Err(ModelError::Truncated(_))));
        let mut long = BLOB.to_vec();
        long.push(0);
        assert_eq!(load(&long).unwrap_err(), ModelError::TrailingBytes(1));
        let mut wrong = BLOB.to_vec();
        wrong[8 + 4] = 4; // the stem's input channels
        assert!(matches!(
            load(&wrong),
            Err(ModelError::Architecture { layer: 0, .. })
        ));
        // An unknown layer kind, and a pointwise layer (the first, layer 2) declared SAME.
        let mut wrong = BLOB.to_vec();
        wrong[8] = 7;
        assert!(matches!(
            load(&wrong),
            Err(ModelError::Architecture { layer: 0, .. })
        ));
        let layer2 = 8 + (8 + 24 * 4 + 24 * 75) + (8 + 24 * 4 + 9 * 24);
        let mut wrong = BLOB.to_vec();
        assert_eq!(wrong[layer2 + 3], 1, "VALID");
        wrong[layer2 + 3] = 0;
        assert!(matches!(
            load(&wrong),
            Err(ModelError::Architecture { layer: 2, .. })
        ));
    }
}
