//! From a captured frame (or a picked file) to the body of `POST …/images`: crop, scale into the
//! API's bounds, encode JPEG, base64, `image_id`, `device_info`. Pure: the browser shell only
//! supplies pixels, randomness and the user agent.

mod device;
mod encode;
mod file;
mod request;

pub use device::{device_info, DeviceFacts};
pub use encode::{crop_for, encode_jpeg, CropRect, EncodeError, Jpeg, JPEG_QUALITY};
#[cfg(not(target_arch = "wasm32"))]
pub use file::decode_file;
pub use file::{probe, DecodedImage, FileError, FileFormat, Probe, MAX_PIXELS, MAX_SIDE};
pub use request::{add_image_request, image_id};
