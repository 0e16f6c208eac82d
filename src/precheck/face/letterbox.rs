//! Frame -> the network's 128x128 input: aspect kept, black border, each input pixel the plain
//! mean of its box of frame pixels. Area averaging, not point sampling: a 640-wide frame shrinks
//! 5x, and sampled pixels would alias skin texture and hair into noise the model never saw.

use super::lanes::widen_add;
use super::net::{Net, INPUT, INPUT_ONE};
use crate::precheck::Frame;

/// Where the frame sits in the 128x128 input, to map detections back.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Placement {
    pub ox: usize,
    pub oy: usize,
    /// Frame pixels per input pixel.
    pub sx: f32,
    pub sy: f32,
}

impl Placement {
    /// Input coordinates (0–1 over the 128 square) -> frame pixels.
    pub fn to_frame(self, x: f32, y: f32) -> (f32, f32) {
        let n = INPUT as f32;
        (
            (x * n - self.ox as f32) * self.sx,
            (y * n - self.oy as f32) * self.sy,
        )
    }
}

#[derive(Debug, Default)]
pub(super) struct Letterbox {
    /// Box edges in frame pixels, `cw + 1` and `ch + 1` of them, kept while the size holds.
    xs: Vec<usize>,
    ys: Vec<usize>,
    size: (u32, u32),
    /// Per frame column, RGBA sums over the frame rows of the current input row.
    cols: Vec<u32>,
}

impl Letterbox {
    #[inline(never)]
    pub fn fill(&mut self, frame: Frame<'_>, net: &mut Net) -> Placement {
        let (w, h) = (frame.width() as usize, frame.height() as usize);
        let long = w.max(h);
        let cw = ((w * INPUT + long / 2) / long).max(1);
        let ch = ((h * INPUT + long / 2) / long).max(1);
        let (ox, oy) = ((INPUT - cw) / 2, (INPUT - ch) / 2);
        if self.size != (frame.width(), frame.height()) {
            self.size = (frame.width(), frame.height());
            self.xs.clear();
            self.xs.extend((0..=cw).map(|i| i * w / cw));
            self.ys.clear();
            self.ys.extend((0..=ch).map(|j| j * h / ch));
            self.cols.resize(w * 4, 0);
            // The black border depends on the size alone, and nothing else writes the input.
            for y in 0..INPUT {
                for x in 0..INPUT {
                    if y < oy || y >= oy + ch || x < ox || x >= ox + cw {
                        let i = Net::input_index(x, y);
                        net.buf.input[i..i + 3].fill(-(INPUT_ONE as i16));
                    }
                }
            }
        }
        for j in 0..ch {
            let (y0, y1) = (self.ys[j], self.ys[j + 1].max(self.ys[j] + 1));
            // Rows first, a straight widening add the compiler vectorises; then each box's
            // columns.
            self.cols.fill(0);
            for y in y0..y1 {
                widen_add(&mut self.cols, frame.row(y as u32));
            }
            for i in 0..cw {
                let (x0, x1) = (self.xs[i], self.xs[i + 1].max(self.xs[i] + 1));
                let mut rgb = [0u32; 3];
                for px in self.cols[x0 * 4..x1 * 4].chunks_exact(4) {
                    rgb[0] += px[0];
                    rgb[1] += px[1];
                    rgb[2] += px[2];
                }
                // Mean / 127.5 - 1, as i16 (±INPUT_ONE is ±1).
                let k = INPUT_ONE / (127.5 * ((x1 - x0) * (y1 - y0)) as f32);
                let at = Net::input_index(ox + i, oy + j);
                for (dst, sum) in net.buf.input[at..at + 3].iter_mut().zip(rgb) {
                    *dst = (sum as f32 * k - INPUT_ONE).round_ties_even() as i16;
                }
            }
        }
        Placement {
            ox,
            oy,
            sx: w as f32 / cw as f32,
            sy: h as f32 / ch as f32,
        }
    }
}
