use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// The image kinds a session asks for (`missing_images`, `image_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageType {
    DocumentFront,
    DocumentBack,
    Selfie,
}

impl ImageType {
    pub const ALL: [ImageType; 3] = [Self::DocumentFront, Self::DocumentBack, Self::Selfie];

    /// The wire name, e.g. `"document_front"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DocumentFront => "document_front",
            Self::DocumentBack => "document_back",
            Self::Selfie => "selfie",
        }
    }

    /// True for the two document sides, which get the quad-based checks.
    pub fn is_document(self) -> bool {
        !matches!(self, Self::Selfie)
    }
}

impl fmt::Display for ImageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the three image types.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("unknown image type {0:?}; expected document_front, document_back or selfie")]
pub struct ParseImageTypeError(pub String);

impl FromStr for ImageType {
    type Err = ParseImageTypeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| ParseImageTypeError(s.to_owned()))
    }
}

macro_rules! feedback_enum {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        /// The server's per-image feedback code (`AddImagesResponse.feedback`), all 24 documented values.
        ///
        /// Decoding is open: the legacy `blurry` maps to [`Feedback::Blur`], and anything unknown
        /// (such as the web SDK's `unclassifiable`) maps to [`Feedback::Other`]. Keep the raw
        /// string alongside when it matters for display or logs.
        ///
        /// ```
        /// use idv_capture::protocol::Feedback;
        /// assert_eq!(Feedback::parse("blurry"), Feedback::Blur);
        /// assert_eq!(Feedback::parse("unclassifiable"), Feedback::Other);
        /// assert_eq!(Feedback::GlareSelfie.as_str(), "glare_selfie");
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Feedback { $($variant),+ }

        impl Feedback {
            pub const ALL: &'static [Feedback] = &[$(Feedback::$variant),+];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self { $(Feedback::$variant => $name),+ }
            }

            /// Open decoding: never fails.
            pub fn parse(s: &str) -> Feedback {
                // A scan of the wire names: one string compare loop in the wasm, where a match
                // compiles to a tree of them.
                match s {
                    "blurry" => Feedback::Blur,
                    _ => Feedback::ALL
                        .iter()
                        .copied()
                        .find(|f| f.as_str() == s)
                        .unwrap_or(Feedback::Other),
                }
            }
        }
    };
}

feedback_enum! {
    Ok => "ok",
    Other => "other",
    DocumentNotFound => "document_not_found",
    FaceNotFound => "face_not_found",
    DocumentFaceNotFound => "document_face_not_found",
    Obstructed => "obstructed",
    Blur => "blur",
    Glare => "glare",
    DocumentNotSupported => "document_not_supported",
    DocumentNotMatching => "document_not_matching",
    WrongDocumentSide => "wrong_document_side",
    MultiFace => "multi_face",
    FaceRotated => "face_rotated",
    FaceTooSmall => "face_too_small",
    FaceTooClose => "face_too_close",
    ClosedEyes => "closed_eyes",
    FaceAngleTooLarge => "face_angle_too_large",
    FaceCloseToBorder => "face_close_to_border",
    FaceOccluded => "face_occluded",
    FaceCropped => "face_cropped",
    BarcodeNotFound => "barcode_not_found",
    GlareSelfie => "glare_selfie",
    BlurSelfie => "blur_selfie",
    RestrictedCriteria => "restricted_criteria",
}

impl Feedback {
    pub fn is_ok(self) -> bool {
        self == Feedback::Ok
    }
}

impl fmt::Display for Feedback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The wire name, as [`Feedback::as_str`] gives it.
impl Serialize for Feedback {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Feedback {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        Ok(Feedback::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_has_the_24_documented_codes_and_round_trips() {
        assert_eq!(Feedback::ALL.len(), 24);
        for &f in Feedback::ALL {
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.as_str()));
            assert_eq!(serde_json::from_str::<Feedback>(&json).unwrap(), f);
        }
    }

    #[test]
    fn feedback_decoding_is_open() {
        let f: Feedback = serde_json::from_str("\"blurry\"").unwrap();
        assert_eq!(f, Feedback::Blur);
        let f: Feedback = serde_json::from_str("\"unclassifiable\"").unwrap();
        assert_eq!(f, Feedback::Other);
        assert!(serde_json::from_str::<Feedback>("3").is_err());
    }

    #[test]
    fn image_type_parses_only_the_enum() {
        assert_eq!("selfie".parse::<ImageType>().unwrap(), ImageType::Selfie);
        assert!("passport".parse::<ImageType>().is_err());
        let t: ImageType = serde_json::from_str("\"document_back\"").unwrap();
        assert_eq!(t, ImageType::DocumentBack);
    }
}
