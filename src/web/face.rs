//! `FaceDetector`: the selfie's face detector on its own, for pages that draw their own guidance.

use wasm_bindgen::prelude::*;
use web_sys::ImageData;

use super::convert::to_js;
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
    buffer: Vec<u8>,
    width: u32,
    height: u32,
}

#[wasm_bindgen(js_class = FaceDetector)]
impl JsFaceDetector {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<JsFaceDetector, JsError> {
        Ok(JsFaceDetector {
            inner: FaceDetector::new()?,
            buffer: Vec::new(),
            width: 0,
            height: 0,
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
        let len = width as usize * height as usize * 4;
        if self.buffer.len() != len {
            self.buffer.resize(len, 0);
        }
        self.width = width;
        self.height = height;
        // SAFETY: as in `Analyzer.frameBuffer`: the view aliases `self.buffer`, resized only here.
        unsafe { js_sys::Uint8Array::view(&self.buffer) }
    }

    /// The faces in the frame last written into `frameBuffer()`.
    #[wasm_bindgen(js_name = detectBuffer, unchecked_return_type = "Face[]")]
    pub fn detect_buffer(&mut self) -> Result<JsValue, JsError> {
        let frame = Frame::packed(&self.buffer, self.width, self.height)?;
        to_js(&self.inner.detect(frame))
    }
}
