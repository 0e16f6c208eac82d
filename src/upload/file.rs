//! The file-upload path: a photo the user picks instead of the camera (no camera, permission
//! denied, or simply preferred). Its header is checked here ([`probe`]); it is then decoded (by
//! the browser in the wasm build, by [`decode_file`] natively), pre-checked and encoded like a
//! camera frame.

use thiserror::Error;

/// Largest side accepted from a file. Phone cameras reach about 8000 px; anything bigger is not a
/// photo of a card, and decoding it would cost hundreds of megabytes.
pub const MAX_SIDE: u32 = 10_000;
/// Largest pixel count accepted from a file: 64 MP (e.g. 8192x8192). A 50 MP phone photo fits;
/// a 10000x10000 file, tiny when compressed, would decode to 400 MB of RGBA and can take a
/// phone's tab down.
pub const MAX_PIXELS: u64 = 64 << 20;
/// Decoder allocation ceiling, so a crafted file cannot exhaust the tab's memory.
#[cfg(not(target_arch = "wasm32"))]
const MAX_ALLOC: u64 = 512 << 20;

/// Why a picked file cannot be used.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum FileError {
    #[error("the file is not a JPEG or PNG image")]
    Unsupported,
    #[error("the image is damaged or truncated: {0}")]
    Corrupt(String),
    #[error("the image is {width}x{height} px, larger than this page accepts ({MAX_SIDE} px a side, 64 MP)")]
    TooLarge { width: u32, height: u32 },
}

/// The two formats a picked photo may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Jpeg,
    Png,
}

impl FileFormat {
    pub fn mime(self) -> &'static str {
        match self {
            FileFormat::Jpeg => "image/jpeg",
            FileFormat::Png => "image/png",
        }
    }
}

/// What a file's header says, read without decoding a pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    pub format: FileFormat,
    pub width: u32,
    pub height: u32,
}

/// Recognises a JPEG or PNG by its content (not its name or MIME type) and reads its size from
/// the header, refusing sizes over [`MAX_SIDE`] before anything is decoded: a decompression bomb
/// costs a few header bytes to reject.
///
/// ```
/// use idv_capture::upload::{probe, FileError};
/// assert_eq!(probe(b"GIF89a...."), Err(FileError::Unsupported));
/// ```
pub fn probe(bytes: &[u8]) -> Result<Probe, FileError> {
    let format = match imagesize::image_type(bytes) {
        Ok(imagesize::ImageType::Jpeg) => FileFormat::Jpeg,
        Ok(imagesize::ImageType::Png) => FileFormat::Png,
        _ => return Err(FileError::Unsupported),
    };
    let size = imagesize::blob_size(bytes).map_err(|e| FileError::Corrupt(e.to_string()))?;
    let side = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    let (width, height) = (side(size.width), side(size.height));
    if width == 0 || height == 0 {
        return Err(FileError::Corrupt(format!("{width}x{height} px")));
    }
    if width > MAX_SIDE || height > MAX_SIDE || width as u64 * height as u64 > MAX_PIXELS {
        return Err(FileError::TooLarge { width, height });
    }
    Ok(Probe {
        format,
        width,
        height,
    })
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

/// Decodes a JPEG or PNG file natively, after [`probe`] accepted its header.
///
/// ```
/// use idv_capture::upload::{decode_file, FileError};
/// assert_eq!(decode_file(b"GIF89a...."), Err(FileError::Unsupported));
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub fn decode_file(bytes: &[u8]) -> Result<DecodedImage, FileError> {
    use image::{ImageFormat, ImageReader, Limits};
    let p = probe(bytes)?;
    let format = match p.format {
        FileFormat::Jpeg => ImageFormat::Jpeg,
        FileFormat::Png => ImageFormat::Png,
    };
    let mut reader = ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::precheck::Frame;
    use crate::upload::{crop_for, encode_jpeg};

    fn png_of(img: impl Into<image::DynamicImage>) -> Vec<u8> {
        let mut png = Vec::new();
        img.into()
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        png
    }

    /// Both the header check and the decoder refuse `bytes` as `width` x `height`.
    fn assert_too_large(bytes: &[u8], width: u32, height: u32) {
        let too_large = FileError::TooLarge { width, height };
        assert_eq!(probe(bytes), Err(too_large.clone()));
        assert_eq!(decode_file(bytes), Err(too_large));
    }

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

    #[test]
    fn a_huge_declared_size_is_refused_from_the_header_alone() {
        // A PNG header declaring 20000x20000 and no pixel data: a decompression bomb's first bytes.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&20_000u32.to_be_bytes());
        png.extend_from_slice(&20_000u32.to_be_bytes());
        png.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        assert_too_large(&png, 20_000, 20_000);
    }

    #[test]
    fn a_cut_off_png_is_a_typed_error() {
        let png = png_of(image::RgbImage::from_fn(640, 480, |x, y| {
            image::Rgb([x as u8, y as u8, 90])
        }));
        assert!(decode_file(&png).is_ok());
        // The header is intact (so the size is known), the pixel data stops halfway.
        let cut = &png[..png.len() / 2];
        assert_eq!(probe(cut).map(|p| (p.width, p.height)), Ok((640, 480)));
        assert!(matches!(decode_file(cut), Err(FileError::Corrupt(_))));
    }

    #[test]
    fn a_real_decompression_bomb_is_refused_before_decoding() {
        // A valid PNG of 9000x9000 black pixels: about 80 KB on disk, 324 MB as RGBA.
        let png = png_of(image::GrayImage::new(9000, 9000));
        assert!(png.len() < 1 << 20, "{} bytes", png.len());
        assert_too_large(&png, 9000, 9000);
    }

    #[test]
    fn a_50_mb_file_is_judged_by_its_header() {
        let mut big = vec![0x5a; 50 << 20];
        assert_eq!(decode_file(&big), Err(FileError::Unsupported));
        // JPEG's magic bytes in front of 50 MB of noise: no frame header, a typed error.
        big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
        assert!(matches!(decode_file(&big), Err(FileError::Corrupt(_))));
    }

    #[test]
    fn the_header_gives_format_and_size() {
        let px = vec![90u8; 700 * 500 * 4];
        let j = encode_jpeg(
            Frame::packed(&px, 700, 500).unwrap(),
            crop_for(700, 500, None),
        )
        .unwrap();
        let p = probe(&j.bytes).unwrap();
        assert_eq!((p.format, p.width, p.height), (FileFormat::Jpeg, 700, 500));
    }
}
