//! From a captured frame (or a picked file) to the body of `POST …/images`: crop, scale into the
//! API's bounds, encode JPEG, base64, `image_id`, `device_info`. Pure: the browser shell only
//! supplies pixels, randomness and the user agent.

mod device;
mod encode;
mod file;
mod request;

pub use device::{device_info, DeviceFacts};
pub use encode::{crop_for, encode_jpeg, CropRect, EncodeError, Jpeg, JPEG_QUALITY};
pub use file::{decode_file, DecodedImage, FileError};
pub use request::{add_image_request, image_id};
