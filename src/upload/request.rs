//! The upload body: base64 JPEG, an `image_id` per capture, and the device description.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::Jpeg;
use crate::protocol::{AddImageRequest, CaptureMargins, DeviceInfoDto, ImageDto, ImageType};

/// An `image_id` from 16 random bytes (the shell draws them from `crypto.getRandomValues`).
/// One per capture; a retry of the same capture re-sends it, so the server stores it once.
///
/// ```
/// assert_eq!(idv_capture::upload::image_id([0xab; 16]), format!("img_{}", "ab".repeat(16)));
/// ```
pub fn image_id(random: [u8; 16]) -> String {
    let mut s = String::with_capacity(4 + 32);
    s.push_str("img_");
    for b in random {
        s.push(char::from(b"0123456789abcdef"[(b >> 4) as usize]));
        s.push(char::from(b"0123456789abcdef"[(b & 15) as usize]));
    }
    s
}

/// The `POST …/images` body for one capture.
pub fn add_image_request(
    jpeg: &Jpeg,
    image_type: ImageType,
    image_id: &str,
    device_info: Option<DeviceInfoDto>,
    capture_margins: Option<CaptureMargins>,
) -> AddImageRequest {
    AddImageRequest {
        image: ImageDto {
            format: ImageDto::FORMAT_JPG.to_string(),
            image_type,
            content: STANDARD.encode(&jpeg.bytes),
            capture_margins,
            image_id: Some(image_id.to_string()),
            signature: None,
            raw_barcode_data: None,
        },
        device_info,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_what_the_schema_documents() {
        let j = Jpeg {
            bytes: vec![0xff, 0xd8, 0xff],
            width: 640,
            height: 480,
        };
        let r = add_image_request(&j, ImageType::DocumentBack, "img_1", None, None);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["image"]["content"], "/9j/");
        assert_eq!(v["image"]["format"], "jpg");
        assert_eq!(
            v["image"]["type"]
                .as_str()
                .or(v["image"]["image_type"].as_str()),
            Some("document_back")
        );
        assert_eq!(v["image"]["image_id"], "img_1");
    }

    #[test]
    fn image_ids_differ_with_their_randomness() {
        assert_ne!(image_id([1; 16]), image_id([2; 16]));
        assert_eq!(image_id([0; 16]).len(), 36);
    }
}
