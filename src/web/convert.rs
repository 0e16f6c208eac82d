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
