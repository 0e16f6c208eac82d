//! On-device face detection for the selfie: MediaPipe's BlazeFace short-range model (Apache-2.0,
//! © Google LLC, weights repacked to int8 by `make weights`), run by our own dependency-free
//! forward pass.
//!
//! The frame is letterboxed to 128x128, the network gives 896 anchor scores and boxes, and
//! weighted NMS merges them into [`Face`]s with six keypoints. [`assess`] turns them into the
//! server's face feedback codes. It does not cover `closed_eyes`: BlazeFace has no eyelids.

mod assess;
mod decode;
mod lanes;
mod letterbox;
mod model;
mod net;
#[cfg(test)]
mod tests;

pub use assess::{assess, FaceLimits};
pub use model::ModelError;

use super::{Frame, Point};
use decode::Raw;
use letterbox::{Letterbox, Placement};
use net::Net;
use serde::Serialize;

/// The six keypoints, in the model's order. "Right" is the subject's right, which is the image's
/// left in an unmirrored camera frame.
pub const KEYPOINTS: [&str; 6] = [
    "right_eye",
    "left_eye",
    "nose_tip",
    "mouth",
    "right_ear",
    "left_ear",
];

/// A detected face, in pixels of the analysed frame. The box may reach outside the frame when
/// the face does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Face {
    /// Detection confidence, 0.5–1.
    pub score: f32,
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
    /// See [`KEYPOINTS`].
    pub keypoints: [Point; 6],
}

impl Face {
    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }
    /// The tilt of the eye line in degrees, positive when the face leans clockwise on screen.
    pub fn roll_degrees(&self) -> f32 {
        let [r, l, ..] = self.keypoints;
        (l.y - r.y).atan2(l.x - r.x).to_degrees()
    }
}

/// Finds faces in frames. Create one and keep it: the weights are decoded once (a few ms), and
/// after the first frame of a given size [`FaceDetector::detect`] allocates nothing.
///
/// ```
/// use idv_capture::precheck::{FaceDetector, Frame};
/// let grey = vec![128u8; 320 * 240 * 4];
/// let mut detector = FaceDetector::new().unwrap();
/// assert!(detector.detect(Frame::packed(&grey, 320, 240).unwrap()).is_empty());
/// ```
#[derive(Debug)]
pub struct FaceDetector {
    net: Net,
    letterbox: Letterbox,
    cands: Vec<Raw>,
    raw: Vec<Raw>,
    faces: Vec<Face>,
    /// The frame mirrored along one edge, for [`FaceDetector::detect_at_edges`].
    mirror: Vec<u8>,
    /// Where the frame of the last [`FaceDetector::detect`] sat in the network's input.
    place: Placement,
}

/// The least score of a [`FaceDetector::faint_face`].
const FAINT_SCORE: f32 = 0.4;
/// The score of a clear face: the committed photos, whole or halved at an edge, score
/// 0.72-0.97. A face found across a mirrored edge must score at least this…
pub(crate) const CLEAR_FACE_SCORE: f32 = 0.7;
/// …and be no wider than this fraction of the frame's short side.
const EDGE_MAX_WIDTH: f32 = 0.7;

/// An edge [`FaceDetector::detect_at_edges`] mirrors the frame along: left or right
/// (`across_x`), top or bottom; `low` is the left or top one.
#[derive(Clone, Copy)]
struct Edge {
    across_x: bool,
    low: bool,
}

impl Edge {
    const ALL: [Edge; 4] = [
        Edge {
            across_x: true,
            low: true,
        },
        Edge {
            across_x: true,
            low: false,
        },
        Edge {
            across_x: false,
            low: true,
        },
        Edge {
            across_x: false,
            low: false,
        },
    ];

    /// Along an axis of `n` pixels: the half of the frame by this edge, then its mirror image
    /// beyond the edge, so the edge lands mid-axis. Returns, for mirrored index `i`, the frame's
    /// index.
    fn source(self, i: usize, n: usize) -> usize {
        let half = n / 2;
        match (self.low, i) {
            (true, i) if i < half => half - 1 - i,
            (true, i) => i - half,
            (false, i) if i < n - half => i + half,
            (false, i) => n - 1 - (i - (n - half)),
        }
    }

    /// Where the edge lies on the mirrored axis, and what to add to a mirrored coordinate to
    /// get the frame's.
    fn seam_and_shift(self, n: usize) -> (f32, f32) {
        let half = n / 2;
        if self.low {
            (half as f32, -(half as f32))
        } else {
            ((n - half) as f32, half as f32)
        }
    }
}

impl FaceDetector {
    /// Loads the embedded weights.
    pub fn new() -> Result<Self, ModelError> {
        Ok(Self {
            net: Net::new()?,
            letterbox: Letterbox::default(),
            cands: Vec::with_capacity(net::ANCHORS),
            raw: Vec::with_capacity(16),
            faces: Vec::with_capacity(16),
            mirror: Vec::new(),
            place: Placement::default(),
        })
    }

    /// The faces of the last detection.
    pub fn faces(&self) -> &[Face] {
        &self.faces
    }

    /// For a frame where [`FaceDetector::detect`] found nothing: a face cut by the frame's edge.
    ///
    /// The detector needs most of a face, and loses one more than about a third outside the frame.
    /// A face is nearly symmetric, so the half that is in view, mirrored along the edge, reads as
    /// a whole face centred on the edge: each edge in turn, the frame's half along it is mirrored
    /// across it, and a face found straddling the seam is returned in frame coordinates, its box
    /// and keypoints reaching past the edge (so [`assess`] calls it `face_cropped`). Four more
    /// passes of the network, so it is only worth running when the frame has no face.
    pub fn detect_at_edges(&mut self, frame: Frame<'_>) -> &[Face] {
        self.faces.clear();
        let (w, h) = (frame.width() as usize, frame.height() as usize);
        if w < 4 || h < 4 {
            return &self.faces;
        }
        for edge in Edge::ALL {
            self.mirror.resize(w * h * 4, 0);
            for y in 0..h {
                let dst = &mut self.mirror[y * w * 4..(y + 1) * w * 4];
                let sy = if edge.across_x { y } else { edge.source(y, h) };
                let src = frame.row(sy as u32);
                if edge.across_x {
                    for (x, px) in dst.chunks_exact_mut(4).enumerate() {
                        let sx = edge.source(x, w);
                        px.copy_from_slice(&src[sx * 4..sx * 4 + 4]);
                    }
                } else {
                    dst.copy_from_slice(src);
                }
            }
            // Moved out for the pass (no copy, no allocation): `infer` borrows all of `self`.
            let mirror = std::mem::take(&mut self.mirror);
            let place = match Frame::packed(&mirror, w as u32, h as u32) {
                Ok(virt) => Some(self.infer(virt)),
                Err(_) => None,
            };
            self.mirror = mirror;
            let Some(place) = place else {
                break;
            };
            // Mirrored -> frame: a shift along the mirrored axis.
            let (seam, shift) = edge.seam_and_shift(if edge.across_x { w } else { h });
            self.faces.clear();
            for r in &self.raw {
                // In mirrored coordinates first: the seam test is there.
                let f = face_of(r, place, (0.0, 0.0));
                let (lo, hi) = if edge.across_x {
                    (f.x0, f.x1)
                } else {
                    (f.y0, f.y1)
                };
                let straddles = lo < seam && seam < hi;
                // A mirror makes anything symmetric, and symmetry looks face-like: a mirrored
                // collar or shoulder can pass the detector's 0.5. Half faces of the committed
                // photos score 0.72-0.97 with boxes of 0.31-0.55 of the short side; the one false
                // face seen (a mirrored space-suit collar) scored 0.63 with a box the frame's
                // whole height. So: a clear score, and no larger than an acceptable face.
                let plausible =
                    f.score >= CLEAR_FACE_SCORE && f.width() <= EDGE_MAX_WIDTH * w.min(h) as f32;
                if straddles && plausible {
                    let d = if edge.across_x {
                        (shift, 0.0)
                    } else {
                        (0.0, shift)
                    };
                    self.faces.push(face_of(r, place, d));
                }
            }
            if !self.faces.is_empty() {
                break;
            }
        }
        &self.faces
    }

    /// The faces in `frame`, most confident first.
    pub fn detect(&mut self, frame: Frame<'_>) -> &[Face] {
        let place = self.infer(frame);
        self.place = place;
        self.faces.clear();
        self.faces
            .extend(self.raw.iter().map(|r| face_of(r, place, (0.0, 0.0))));
        &self.faces
    }

    /// For a frame where [`FaceDetector::detect`] found nothing, called before any other pass:
    /// the most confident detection of that same pass that scores at least [`FAINT_SCORE`], if
    /// any. Blur and glare take a face's score down with its detail: of 731 generated blurred
    /// faces, the 12 that no longer reach 0.5 all score 0.43-0.49, while over 320 frames without
    /// a face the best detection scores 0.33 (`calibrate`'s selfies, seeds 1, 3, 5, 7, 11, 13, 17
    /// and 23). The caller decides what a faint face is worth: it is no face for placement.
    pub fn faint_face(&mut self) -> Option<Face> {
        decode::detect(
            &self.net.buf.logits,
            &self.net.buf.boxes,
            FAINT_SCORE,
            &mut self.cands,
            &mut self.raw,
        );
        self.raw.first().map(|r| face_of(r, self.place, (0.0, 0.0)))
    }

    /// Letterbox, network, decoding: the raw detections of `frame` into `self.raw`.
    fn infer(&mut self, frame: Frame<'_>) -> Placement {
        let place = self.letterbox.fill(frame, &mut self.net);
        self.net.run();
        decode::detect(
            &self.net.buf.logits,
            &self.net.buf.boxes,
            decode::MIN_SCORE,
            &mut self.cands,
            &mut self.raw,
        );
        place
    }
}

/// A raw detection in frame pixels, moved by `shift`.
fn face_of(r: &Raw, place: Placement, shift: (f32, f32)) -> Face {
    let at = |i: usize| {
        let (x, y) = place.to_frame(r.v[i], r.v[i + 1]);
        (x + shift.0, y + shift.1)
    };
    let ((x0, y0), (x1, y1)) = (at(0), at(2));
    Face {
        score: r.score,
        x0,
        y0,
        x1,
        y1,
        keypoints: std::array::from_fn(|k| {
            let (x, y) = at(4 + 2 * k);
            Point { x, y }
        }),
    }
}
