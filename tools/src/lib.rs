//! Shared pieces of the native tools.

use std::path::Path;

use thiserror::Error;

/// Why an image file could not be analysed.
#[derive(Debug, Error)]
pub enum LoadError {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a JPEG or PNG image")]
    UnsupportedFormat,
    #[error("cannot decode: {0}")]
    Decode(#[from] image::ImageError),
}

/// Upper bounds for decoding untrusted files: a decompression bomb fails here instead of
/// exhausting memory. 8192 px covers every phone camera.
pub const MAX_SIDE: u32 = 8192;
pub const MAX_ALLOC: u64 = 512 * 1024 * 1024;

/// Decodes a JPEG or PNG file into RGBA8, refusing anything else.
pub fn load_rgba(path: &Path) -> Result<image::RgbaImage, LoadError> {
    let bytes = std::fs::read(path)?;
    decode_rgba(&bytes)
}

/// Decodes JPEG or PNG bytes into RGBA8 with [`MAX_SIDE`] and [`MAX_ALLOC`] limits.
pub fn decode_rgba(bytes: &[u8]) -> Result<image::RgbaImage, LoadError> {
    let format = match image::guess_format(bytes) {
        Ok(f @ (image::ImageFormat::Jpeg | image::ImageFormat::Png)) => f,
        _ => return Err(LoadError::UnsupportedFormat),
    };
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    Ok(reader.decode()?.to_rgba8())
}
