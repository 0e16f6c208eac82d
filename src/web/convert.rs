//! Conversions between core types and JS values.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::precheck::ImageType;

/// Serialises to plain JS objects (`null` for absent values, arrays for sequences), as JSON would.
pub(crate) fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

pub(crate) fn image_type(s: &str) -> Result<ImageType, JsError> {
    s.parse::<ImageType>()
        .map_err(|e| JsError::new(&e.to_string()))
}

/// A JS `Error` with a typed `code` property, as every rejected promise of this package carries.
pub(crate) fn js_error(code: crate::session::ErrorCode, detail: &str) -> JsValue {
    let e = js_sys::Error::new(&format!("{}: {detail}", code.as_str()));
    let _ = js_sys::Reflect::set(&e, &"code".into(), &code.as_str().into());
    e.into()
}

/// A frame buffer inside wasm memory that JS copies camera frames into (e.g. with
/// `VideoFrame.copyTo`), so no intermediate allocation is made per frame.
#[derive(Default)]
pub(crate) struct FrameSlot {
    buffer: Vec<u8>,
    width: u32,
    height: u32,
}

impl FrameSlot {
    /// A view of a `width` x `height` RGBA buffer. It is invalidated when wasm memory grows:
    /// JS asks for it again after any call that may allocate.
    pub fn view(&mut self, width: u32, height: u32) -> js_sys::Uint8Array {
        let len = width as usize * height as usize * 4;
        if self.buffer.len() != len {
            self.buffer.resize(len, 0);
        }
        self.width = width;
        self.height = height;
        // SAFETY: the view aliases `self.buffer`, which lives as long as its owner and is only
        // resized here; JS is told that growth invalidates it.
        unsafe { js_sys::Uint8Array::view(&self.buffer) }
    }

    /// The frame last written into the view.
    pub fn frame(&self) -> Result<crate::precheck::Frame<'_>, crate::precheck::FrameError> {
        crate::precheck::Frame::packed(&self.buffer, self.width, self.height)
    }
}
