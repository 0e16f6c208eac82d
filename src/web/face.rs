//! `FaceDetector`: the selfie's face detector on its own, for pages that draw their own guidance.

use wasm_bindgen::prelude::*;
use web_sys::ImageData;

use super::convert::{to_js, FrameSlot};
use crate::precheck::{FaceDetector, Frame};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** A face in frame pixels; the box may reach outside the frame. Keypoints: right eye, left eye,
 * nose tip, mouth, right ear, left ear (the subject's right: the image's left). */
export interface Face {
  score: number; x0: number; y0: number; x1: number; y1: number;
  keypoints: [Point, Point, Point, Point, Point, Point];
}
"#;

/// BlazeFace short-range (MediaPipe, Apache-2.0), run on the device. Keep one: the weights are
/// decoded once.
#[wasm_bindgen(js_name = FaceDetector)]
pub struct JsFaceDetector {
    inner: FaceDetector,
    slot: FrameSlot,
}

#[wasm_bindgen(js_class = FaceDetector)]
impl JsFaceDetector {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<JsFaceDetector, JsError> {
        Ok(JsFaceDetector {
            inner: FaceDetector::new()?,
            slot: FrameSlot::default(),
        })
    }

    /// The faces in an `ImageData`, most confident first.
    #[wasm_bindgen(unchecked_return_type = "Face[]")]
    pub fn detect(&mut self, image: &ImageData) -> Result<JsValue, JsError> {
        let data = image.data();
        let frame = Frame::packed(&data, image.width(), image.height())?;
        to_js(&self.inner.detect(frame))
    }

    /// As `Analyzer.frameBuffer`: a view of wasm memory to copy a frame into.
    #[wasm_bindgen(js_name = frameBuffer)]
    pub fn frame_buffer(&mut self, width: u32, height: u32) -> js_sys::Uint8Array {
        self.slot.view(width, height)
    }

    /// The faces in the frame last written into `frameBuffer()`.
    #[wasm_bindgen(js_name = detectBuffer, unchecked_return_type = "Face[]")]
    pub fn detect_buffer(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.inner.detect(self.slot.frame()?))
    }
}
