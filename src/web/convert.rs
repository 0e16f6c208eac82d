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
