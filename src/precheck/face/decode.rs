//! Network outputs -> faces: the 896 SSD anchors of MediaPipe's short-range graph, sigmoid
//! scores, then weighted non-maximum suppression.

use super::net::{ANCHORS, INPUT};

/// MediaPipe's `min_score_thresh` for this model.
pub(super) const MIN_SCORE: f32 = 0.5;
/// MediaPipe's `min_suppression_threshold`.
const NMS_IOU: f32 = 0.3;

/// A raw detection in input units (0–1 over the 128 square): box x0, y0, x1, y1, then the six
/// keypoints' x, y.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Raw {
    pub score: f32,
    pub v: [f32; 16],
}

/// Anchor centres: 16x16 cells with 2 anchors each (stride 8), then 8x8 cells with 6 (stride
/// 16). Fixed anchor size 1, so only centres matter.
fn anchor(i: usize) -> (f32, f32) {
    let (cell, grid) = if i < 512 {
        (i / 2, 16)
    } else {
        ((i - 512) / 6, 8)
    };
    let g = grid as f32;
    (
        ((cell % grid) as f32 + 0.5) / g,
        ((cell / grid) as f32 + 0.5) / g,
    )
}

fn iou(a: &[f32; 16], b: &[f32; 16]) -> f32 {
    let ix = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let iy = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = ix * iy;
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// Decodes every anchor scoring at least `min_score` into `cands`, then merges them into `out`.
/// Both vectors keep their capacity between frames.
pub(super) fn detect(
    logits: &[f32],
    boxes: &[f32],
    min_score: f32,
    cands: &mut Vec<Raw>,
    out: &mut Vec<Raw>,
) {
    cands.clear();
    out.clear();
    let n = INPUT as f32;
    for i in 0..ANCHORS {
        let score = 1.0 / (1.0 + (-logits[i].clamp(-100.0, 100.0)).exp());
        if score.is_nan() || score < min_score {
            continue;
        }
        let r = &boxes[i * 16..i * 16 + 16];
        let (ax, ay) = anchor(i);
        let (cx, cy) = (r[0] / n + ax, r[1] / n + ay);
        let (w, h) = (r[2] / n, r[3] / n);
        let mut v = [0.0; 16];
        v[..4].copy_from_slice(&[cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0]);
        for k in 0..6 {
            v[4 + 2 * k] = r[4 + 2 * k] / n + ax;
            v[5 + 2 * k] = r[5 + 2 * k] / n + ay;
        }
        cands.push(Raw { score, v });
    }
    // Highest first; equal scores in anchor order, as the reference's stable sort has them. An
    // insertion sort: candidates are a handful per face (896 at the very worst), the standard
    // sorts cost kilobytes of wasm each, and the stable one allocates.
    for i in 1..cands.len() {
        let mut j = i;
        while j > 0 && cands[j - 1].score < cands[j].score {
            cands.swap(j - 1, j);
            j -= 1;
        }
    }
    // Weighted NMS: the best remaining candidate and everything overlapping it become one face,
    // their coordinates averaged by score; the face keeps the best score.
    while let Some(top) = cands.first().copied() {
        let (mut sum, mut wsum) = ([0.0f32; 16], 0.0f32);
        // The top itself always goes (a degenerate box has IoU 0 even with itself).
        let mut first = true;
        cands.retain(|c| {
            let merge = first || iou(&top.v, &c.v) > NMS_IOU;
            first = false;
            if merge {
                for (s, x) in sum.iter_mut().zip(&c.v) {
                    *s += c.score * x;
                }
                wsum += c.score;
                false
            } else {
                true
            }
        });
        sum.iter_mut().for_each(|s| *s /= wsum);
        out.push(Raw { v: sum, ..top });
    }
}
