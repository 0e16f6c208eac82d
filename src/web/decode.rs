//! Picked files decoded by the browser (`createImageBitmap`), so the package ships no JPEG or
//! PNG decoder of its own. The header is checked first ([`upload::probe`]): a decompression bomb
//! or a foreign file is refused before the browser decodes anything.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, ImageBitmap};

use super::camera::Grabber;
use crate::upload::{self, DecodedImage, FileError};

/// Longest side kept from a picked photo: above the API's 3840 px, so nothing the upload could
/// use is lost, while a 48-megapixel photo costs the wasm heap 64 MB rather than 190 MB (and
/// wasm memory, once grown, is never given back).
const KEEP_SIDE: u32 = 4096;

pub(crate) async fn decode(bytes: &[u8]) -> Result<DecodedImage, FileError> {
    let probe = upload::probe(bytes)?;
    let corrupt = |e: JsValue| {
        let msg = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "the browser could not decode it".into());
        FileError::Corrupt(msg)
    };
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = BlobPropertyBag::new();
    opts.set_type(probe.format.mime());
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(corrupt)?;
    let window = web_sys::window().ok_or_else(|| FileError::Corrupt("no window".into()))?;
    let bitmap: ImageBitmap = JsFuture::from(
        window
            .create_image_bitmap_with_blob(&blob)
            .map_err(corrupt)?,
    )
    .await
    .map_err(corrupt)?
    .unchecked_into();
    let grabber = Grabber::new().map_err(corrupt)?;
    let drawn = grabber.draw_bitmap(&bitmap, KEEP_SIDE);
    bitmap.close();
    drawn.map_err(corrupt)?;
    let mut rgba = Vec::new();
    let (width, height) = grabber.read_into(&mut rgba).map_err(corrupt)?;
    Ok(DecodedImage {
        rgba,
        width,
        height,
    })
}
