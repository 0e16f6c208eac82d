//! Detected faces -> the server's face feedback codes, from geometry alone. Blur and glare are
//! measured on the face box by the analyzer.

use super::Face;
use crate::protocol::Feedback;

/// Where a face must be for the server to accept it, as fractions of the frame.
///
/// The server's own limits are not published. These are set from the detector's measured
/// behaviour (docs in `../../../../shared/research/face-detection.md`, §3.2) and the variant tests
/// in `tests.rs`: a normal arm's-length selfie has a face box 30–60 % of the frame's short side;
/// the acceptance case "about 14 % of the frame width" (0.19 of a 4:3 frame's short side) must be
/// `face_too_small`. The eye-line roll reads upright heads within about ±8° and under-reads large
/// rolls (a 40° roll of the astronaut photo reads about 29°, `tools/tests/face_checks.rs`), so
/// 20° keeps a natural tilt `ok` and still makes a 40° roll `face_rotated`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaceLimits {
    /// Extra faces count for `multi_face` from this score: a little above the detector's 0.5, so a
    /// face-like pattern in the background does not block the capture.
    pub second_face_score: f32,
    /// Box width over the frame's short side: below this, `face_too_small`.
    pub min_width: f32,
    /// Above this, `face_too_close`.
    pub max_width: f32,
    /// A box reaching outside the frame by more than this fraction of its own size is
    /// `face_cropped`; by less, `face_close_to_border`.
    pub max_outside: f32,
    /// A box nearer an edge than this fraction of the frame's short side is `face_close_to_border`.
    pub min_margin: f32,
    /// |roll| above this many degrees is `face_rotated`.
    pub max_roll_degrees: f32,
}

impl Default for FaceLimits {
    fn default() -> Self {
        Self {
            second_face_score: 0.6,
            min_width: 0.24,
            max_width: 0.70,
            max_outside: 0.08,
            min_margin: 0.03,
            max_roll_degrees: 20.0,
        }
    }
}

/// The code for a frame's faces (most confident first, as [`super::FaceDetector::detect`] gives
/// them): `Ok` means the geometry is fine and blur and glare decide. `closed_eyes` is never
/// predicted: the detector sees eye centres, not eyelids.
///
/// ```
/// use idv_capture::precheck::{assess, Face, FaceLimits, Feedback};
/// assert_eq!(assess(&[], 640.0, 480.0, &FaceLimits::default()), Feedback::FaceNotFound);
/// ```
pub fn assess(faces: &[Face], w: f32, h: f32, lim: &FaceLimits) -> Feedback {
    let Some(face) = faces.first() else {
        return Feedback::FaceNotFound;
    };
    if faces[1..].iter().any(|f| f.score >= lim.second_face_score) {
        return Feedback::MultiFace;
    }
    let short = w.min(h);
    let (fw, fh) = (face.width(), face.height());
    let outside = [
        -face.x0 / fw,
        -face.y0 / fh,
        (face.x1 - w) / fw,
        (face.y1 - h) / fh,
    ];
    // Eyes, nose and mouth: if one is off-frame, part of the face is missing whatever the box says.
    let inner_out = face.keypoints[..4]
        .iter()
        .any(|p| p.x < 0.0 || p.y < 0.0 || p.x > w || p.y > h);
    let spans_frame =
        (outside[0] > 0.0 && outside[2] > 0.0) || (outside[1] > 0.0 && outside[3] > 0.0);
    if fw > lim.max_width * short || spans_frame {
        return Feedback::FaceTooClose;
    }
    if inner_out || outside.iter().any(|&o| o > lim.max_outside) {
        return Feedback::FaceCropped;
    }
    let margin = face.x0.min(face.y0).min(w - face.x1).min(h - face.y1);
    if margin < lim.min_margin * short {
        return Feedback::FaceCloseToBorder;
    }
    if fw < lim.min_width * short {
        return Feedback::FaceTooSmall;
    }
    if face.roll_degrees().abs() > lim.max_roll_degrees {
        return Feedback::FaceRotated;
    }
    Feedback::Ok
}
