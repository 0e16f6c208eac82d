//! The file-upload path: a photo the user picks instead of the camera (no camera, permission
//! denied, or simply preferred). Decoded here, then pre-checked and encoded like a camera frame.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};
use thiserror::Error;

/// Largest side accepted from a file. Phone cameras reach about 8000 px; anything bigger is not a
/// photo of a card, and decoding it would cost hundreds of megabytes.
const MAX_SIDE: u32 = 10_000;
/// Decoder allocation ceiling, so a crafted header cannot exhaust the tab's memory.
const MAX_ALLOC: u64 = 512 << 20;

/// Why a picked file cannot be used.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum FileError {
    #[error("the file is not a JPEG or PNG image")]
    Unsupported,
    #[error("the image is damaged or truncated: {0}")]
    Corrupt(String),
    #[error("the image is {width}x{height} px, larger than the {MAX_SIDE} px this page accepts")]
    TooLarge { width: u32, height: u32 },
}

/// A decoded picture, RGBA, rows packed.
#[derive(Clone, PartialEq, Eq)]
pub struct DecodedImage {
    pub rgba: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Debug for DecodedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DecodedImage({}x{})", self.width, self.height)
    }
}

/// Decodes a JPEG or PNG file, recognised by its content, not its name.
///
/// ```
/// use idv_capture::upload::{decode_file, FileError};
/// assert_eq!(decode_file(b"GIF89a...."), Err(FileError::Unsupported));
/// ```
pub fn decode_file(bytes: &[u8]) -> Result<DecodedImage, FileError> {
    let format = image::guess_format(bytes).map_err(|_| FileError::Unsupported)?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png) {
        return Err(FileError::Unsupported);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| FileError::Corrupt(e.to_string()))?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(FileError::TooLarge { width, height });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| FileError::Corrupt(e.to_string()))?
        .into_rgba8();
    Ok(DecodedImage {
        width: img.width(),
        height: img.height(),
        rgba: img.into_raw(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precheck::Frame;
    use crate::upload::{crop_for, encode_jpeg};

    #[test]
    fn an_encoded_capture_decodes_back() {
        let px: Vec<u8> = (0..800 * 600 * 4).map(|i| (i % 251) as u8).collect();
        let f = Frame::packed(&px, 800, 600).unwrap();
        let j = encode_jpeg(f, crop_for(800, 600, None)).unwrap();
        let d = decode_file(&j.bytes).unwrap();
        assert_eq!((d.width, d.height, d.rgba.len()), (800, 600, 800 * 600 * 4));
    }

    #[test]
    fn truncated_and_foreign_files_are_typed_errors() {
        let px = vec![77u8; 640 * 480 * 4];
        let f = Frame::packed(&px, 640, 480).unwrap();
        let j = encode_jpeg(f, crop_for(640, 480, None)).unwrap();
        // The JPEG decoder fills a cut-off scan with grey (as browsers do), so only a file cut inside
        // its headers is refused; a grey band then fails the pre-check instead.
        assert!(matches!(
            decode_file(&j.bytes[..200]),
            Err(FileError::Corrupt(_))
        ));
        assert_eq!(decode_file(b""), Err(FileError::Unsupported));
        assert_eq!(decode_file(b"%PDF-1.7"), Err(FileError::Unsupported));
    }
}
