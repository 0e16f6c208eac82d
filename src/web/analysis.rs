//! The headless pre-check API: `precheck()`, `Analyzer`, `meanLuma()`, `thresholds()`.

use wasm_bindgen::prelude::*;
use web_sys::ImageData;

use super::convert::{image_type, to_js, FrameSlot};
use crate::precheck::{self, Analyzer, Frame};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** Which image of the session a frame is for. */
export type ImageType = "document_front" | "document_back" | "selfie";
/** The server's feedback codes (unknown ones decode to "other"). */
export type Feedback =
  | "ok" | "other" | "document_not_found" | "face_not_found" | "document_face_not_found" | "obstructed"
  | "blur" | "glare" | "document_not_supported" | "document_not_matching" | "wrong_document_side"
  | "multi_face" | "face_rotated" | "face_too_small" | "face_too_close" | "closed_eyes"
  | "face_angle_too_large" | "face_close_to_border" | "face_occluded" | "face_cropped"
  | "barcode_not_found" | "glare_selfie" | "blur_selfie" | "restricted_criteria";
/** Local guidance the server has no code for. */
export type Hint = "too_dark" | "too_bright" | "too_far" | "too_close" | "not_centered" | "partly_out_of_frame" | "hold_still";
export interface Point { x: number; y: number }
/** The selfie's main face in frame pixels (it may reach outside the frame); `roll` in degrees, positive clockwise. */
export interface FaceBox { x0: number; y0: number; x1: number; y1: number; score: number; roll: number }
/** The numbers behind a verdict. `quad` corners: top-left, top-right, bottom-right, bottom-left, in frame pixels.
 * Selfies: `face` is the main face found on the device (`null` when none), `faces` how many there are. */
export interface Scores {
  sharpness: number; glare: number; brightness: number; dark_clipped: number;
  quad: [Point, Point, Point, Point] | null; quad_confidence: number;
  face: FaceBox | null; faces: number; coverage: number;
  offset_x: number; offset_y: number; motion: number; frame_width: number; frame_height: number;
}
/** The pre-check's verdict on one frame: the server code it predicts, hints, and scores. */
export interface Verdict { feedback: Feedback; hints: Hint[]; scores: Scores }
/** The cut-offs the pre-check judges `scores` against, e.g. to mark them on a quality meter. */
export interface Thresholds { minSharpness: number; maxGlare: number; minSelfieSharpness: number; maxSelfieGlare: number }
"#;

/// The pre-check's default thresholds, as `{ minSharpness, maxGlare, minSelfieSharpness,
/// maxSelfieGlare }`: a UI marks them on its sharpness and glare meters.
#[wasm_bindgen(unchecked_return_type = "Thresholds")]
pub fn thresholds() -> Result<JsValue, JsError> {
    let t = precheck::Thresholds::default();
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Cutoffs {
        min_sharpness: f32,
        max_glare: f32,
        min_selfie_sharpness: f32,
        max_selfie_glare: f32,
    }
    to_js(&Cutoffs {
        min_sharpness: t.min_sharpness,
        max_glare: t.max_glare,
        min_selfie_sharpness: t.min_selfie_sharpness,
        max_selfie_glare: t.max_selfie_glare,
    })
}

/// Mean BT.601 luma (0–255) of a tightly packed RGBA buffer, as `ImageData.data` holds it.
#[wasm_bindgen(js_name = meanLuma)]
pub fn mean_luma(data: &[u8], width: u32, height: u32) -> Result<f64, JsError> {
    let frame = Frame::packed(data, width, height)?;
    Ok(precheck::mean_luma(frame))
}

/// One-shot pre-check of an image. For a stream of frames, keep an `Analyzer` instead.
#[wasm_bindgen(js_name = precheck, unchecked_return_type = "Verdict")]
pub fn precheck(
    image: &ImageData,
    #[wasm_bindgen(js_name = imageType, unchecked_param_type = "ImageType")] image_type_name: &str,
) -> Result<JsValue, JsError> {
    JsAnalyzer::new().analyze(image, image_type_name)
}

/// A reusable frame analyser: it keeps its buffers between frames.
#[wasm_bindgen(js_name = Analyzer)]
pub struct JsAnalyzer {
    inner: Analyzer,
    slot: FrameSlot,
}

#[wasm_bindgen(js_class = Analyzer)]
impl JsAnalyzer {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> JsAnalyzer {
        JsAnalyzer {
            inner: Analyzer::default(),
            slot: FrameSlot::default(),
        }
    }

    /// Analyses an `ImageData` (copied into wasm memory).
    #[wasm_bindgen(unchecked_return_type = "Verdict")]
    pub fn analyze(
        &mut self,
        image: &ImageData,
        #[wasm_bindgen(js_name = imageType, unchecked_param_type = "ImageType")]
        image_type_name: &str,
    ) -> Result<JsValue, JsError> {
        let kind = image_type(image_type_name)?;
        let data = image.data();
        let frame = Frame::packed(&data, image.width(), image.height())?;
        to_js(&self.inner.analyze(frame, kind))
    }

    /// A view of a `width` x `height` RGBA buffer inside wasm memory, for copying frames in
    /// without an intermediate allocation (e.g. `VideoFrame.copyTo`). The view is invalidated
    /// when wasm memory grows: ask for it again after any call that may allocate.
    #[wasm_bindgen(js_name = frameBuffer)]
    pub fn frame_buffer(&mut self, width: u32, height: u32) -> js_sys::Uint8Array {
        self.slot.view(width, height)
    }

    /// Analyses the frame last written into `frameBuffer()`.
    #[wasm_bindgen(js_name = analyzeBuffer, unchecked_return_type = "Verdict")]
    pub fn analyze_buffer(
        &mut self,
        #[wasm_bindgen(js_name = imageType, unchecked_param_type = "ImageType")]
        image_type_name: &str,
    ) -> Result<JsValue, JsError> {
        let kind = image_type(image_type_name)?;
        to_js(&self.inner.analyze(self.slot.frame()?, kind))
    }
}
