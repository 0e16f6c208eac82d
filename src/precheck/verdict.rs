//! What the analysis says about one frame.

use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

use crate::protocol::Feedback;

/// Local guidance the server has no code for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hint {
    TooDark,
    TooBright,
    TooFar,
    TooClose,
    NotCentered,
    PartlyOutOfFrame,
    HoldStill,
}

impl Hint {
    pub const ALL: [Hint; 7] = [
        Hint::TooDark,
        Hint::TooBright,
        Hint::TooFar,
        Hint::TooClose,
        Hint::NotCentered,
        Hint::PartlyOutOfFrame,
        Hint::HoldStill,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Hint::TooDark => "too_dark",
            Hint::TooBright => "too_bright",
            Hint::TooFar => "too_far",
            Hint::TooClose => "too_close",
            Hint::NotCentered => "not_centered",
            Hint::PartlyOutOfFrame => "partly_out_of_frame",
            Hint::HoldStill => "hold_still",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of hints in one byte, so a verdict costs no allocation per frame.
/// It serialises as a JSON array of hint names, in [`Hint::ALL`] order.
///
/// ```
/// use idv_capture::precheck::{Hint, Hints};
/// let mut h = Hints::default();
/// h.insert(Hint::TooFar);
/// assert!(h.contains(Hint::TooFar));
/// assert_eq!(serde_json::to_string(&h).unwrap(), r#"["too_far"]"#);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Hints(u8);

impl Hints {
    pub fn insert(&mut self, h: Hint) {
        self.0 |= h.bit();
    }
    pub fn remove(&mut self, h: Hint) {
        self.0 &= !h.bit();
    }
    pub fn contains(self, h: Hint) -> bool {
        self.0 & h.bit() != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Hint> {
        Hint::ALL.into_iter().filter(move |h| self.contains(*h))
    }
}

impl FromIterator<Hint> for Hints {
    fn from_iter<I: IntoIterator<Item = Hint>>(iter: I) -> Self {
        let mut s = Hints::default();
        iter.into_iter().for_each(|h| s.insert(h));
        s
    }
}

impl Serialize for Hints {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for h in self.iter() {
            seq.serialize_element(&h)?;
        }
        seq.end()
    }
}

/// A point in frame pixels of the analysed frame (x right, y down).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// A document outline: corners in order top-left, top-right, bottom-right, bottom-left
/// as the document appears in the frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Quad(pub [Point; 4]);

/// The selfie's main face, in pixels of the analysed frame (the box may reach outside it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct FaceBox {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
    /// Detection confidence, 0.5–1.
    pub score: f32,
    /// Tilt of the eye line in degrees (positive: clockwise on screen).
    pub roll: f32,
}

impl From<&crate::precheck::Face> for FaceBox {
    fn from(f: &crate::precheck::Face) -> Self {
        FaceBox {
            x0: f.x0,
            y0: f.y0,
            x1: f.x1,
            y1: f.y1,
            score: f.score,
            roll: f.roll_degrees(),
        }
    }
}

impl FaceBox {
    pub fn quad(&self) -> Quad {
        Quad::rect(self.x0, self.y0, self.x1 - self.x0, self.y1 - self.y0)
    }
}

/// The numbers behind a verdict, for a UI to plot and for calibration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Scores {
    /// 0 (flat) to 1 (crisp): how much fine detail survives at the normalised scale.
    pub sharpness: f32,
    /// Fraction (0–1) of the measured region that is specular glare.
    pub glare: f32,
    /// Mean luma (0–1) of the measured region.
    pub brightness: f32,
    /// Fraction (0–1) of the measured region that is clipped dark.
    pub dark_clipped: f32,
    /// The document outline, when found (document types only).
    pub quad: Option<Quad>,
    /// How well the outline is supported by edges (0–1).
    pub quad_confidence: f32,
    /// The selfie's main face, when one was found.
    pub face: Option<FaceBox>,
    /// How many faces the selfie frame holds.
    pub faces: u32,
    /// Document (or face box) area over frame area (0–1); 0 when none was found.
    pub coverage: f32,
    /// Offset of the document's (or face's) centre from the frame's centre, in fractions of the
    /// frame size.
    pub offset_x: f32,
    pub offset_y: f32,
    /// Mean absolute change (0–1) from the previous analysed frame: camera or hand motion.
    pub motion: f32,
    /// Width and height of the analysed frame, the coordinate space of `quad`.
    pub frame_width: u32,
    pub frame_height: u32,
}

impl Scores {
    /// What the frame's subject outline is: the document, or the selfie's face box.
    pub fn outline(&self) -> Option<Quad> {
        self.quad.or(self.face.map(|f| f.quad()))
    }
}

/// The outcome for one frame: the server code we predict, local hints, and the numbers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub feedback: Feedback,
    pub hints: Hints,
    pub scores: Scores,
}
