//! The browser shell: JS exports over the pure core. Only compiled for wasm32.

use wasm_bindgen::prelude::*;

use crate::precheck::{self, Frame};

/// Mean BT.601 luma (0–255) of a tightly packed RGBA buffer, as `ImageData.data` holds it.
#[wasm_bindgen(js_name = meanLuma)]
pub fn mean_luma(data: &[u8], width: u32, height: u32) -> Result<f64, JsError> {
    let frame = Frame::packed(data, width, height)?;
    Ok(precheck::mean_luma(frame))
}
