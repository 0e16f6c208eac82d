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
use letterbox::Letterbox;
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
        })
    }

    /// The faces in `frame`, most confident first.
    pub fn detect(&mut self, frame: Frame<'_>) -> &[Face] {
        let place = self.letterbox.fill(frame, &mut self.net);
        self.net.run();
        decode::detect(
            &self.net.buf.logits,
            &self.net.buf.boxes,
            &mut self.cands,
            &mut self.raw,
        );
        self.faces.clear();
        for r in &self.raw {
            let (x0, y0) = place.to_frame(r.v[0], r.v[1]);
            let (x1, y1) = place.to_frame(r.v[2], r.v[3]);
            let keypoints = std::array::from_fn(|k| {
                let (x, y) = place.to_frame(r.v[4 + 2 * k], r.v[5 + 2 * k]);
                Point { x, y }
            });
            self.faces.push(Face {
                score: r.score,
                x0,
                y0,
                x1,
                y1,
                keypoints,
            });
        }
        &self.faces
    }
}
