//! Validation and decoding of an uploaded image, then its quality verdict.
//!
//! Everything here is synchronous and CPU-bound; the route runs it on the blocking pool.

use std::io::Cursor;

use axum::body::Bytes;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use idv_capture::precheck::Frame;
use idv_capture::protocol::{CaptureMargins, Feedback, ImageDto};
use image::error::ImageError;
use image::{ImageFormat, ImageReader, Limits};

use crate::error::ApiError;
use crate::quality::QualityCheck;

/// The decoder's allocation cap: a 3840x2160 RGBA frame is 33 MB; anything needing more than
/// twice that is refused rather than decoded.
const MAX_DECODE_ALLOC: u64 = 64 * 1024 * 1024;

/// Standard alphabet; padding optional, since some encoders drop it.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A checked image.
#[derive(Debug)]
pub struct Checked {
    pub jpeg: Bytes,
    pub feedback: Feedback,
}

/// Validates `image` as the API does, decodes it, and asks `checker` for the feedback.
/// Errors are 400s naming the field.
pub fn check(image: &ImageDto, checker: &dyn QualityCheck) -> Result<Checked, ApiError> {
    if !image.format_is_jpeg() {
        return Err(ApiError::invalid(
            "image.format",
            format!(
                "format must be \"jpg\" (\"jpeg\" is also accepted), got {:?}",
                truncate(&image.format, 20)
            ),
        ));
    }
    let jpeg = decode_base64(&image.content)?;
    if !jpeg.starts_with(&[0xFF, 0xD8, 0xFF]) {
        let found = image::guess_format(&jpeg)
            .map(|f| format!(" (it looks like {f:?})"))
            .unwrap_or_default();
        return Err(ApiError::invalid(
            "image.content",
            format!("content is not a JPEG{found}"),
        ));
    }
    let (width, height) = reader(&jpeg)
        .into_dimensions()
        .map_err(|e| undecodable(&e))?;
    check_bounds(width, height)?;
    let rgba = reader(&jpeg)
        .decode()
        .map_err(|e| undecodable(&e))?
        .into_rgba8();
    let frame = crop(&rgba, width, height, image.capture_margins)?;
    let feedback = checker.check(frame, image.image_type);
    Ok(Checked {
        jpeg: Bytes::from(jpeg),
        feedback,
    })
}

fn decode_base64(content: &str) -> Result<Vec<u8>, ApiError> {
    if content.starts_with("data:") {
        return Err(ApiError::invalid(
            "image.content",
            "content must be bare base64, without a data: URL prefix",
        ));
    }
    if content.is_empty() {
        return Err(ApiError::invalid("image.content", "content is empty"));
    }
    let decoded = if content.bytes().any(|b| b.is_ascii_whitespace()) {
        // MIME-style line breaks: tolerate them, as most base64 decoders do.
        let compact: String = content
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        BASE64.decode(compact)
    } else {
        BASE64.decode(content)
    };
    decoded.map_err(|e| ApiError::invalid("image.content", format!("content is not base64: {e}")))
}

/// A JPEG reader with the API's pixel bounds and an allocation cap, so a small file that
/// claims a huge image (a decompression bomb) is refused before any large allocation.
fn reader(jpeg: &[u8]) -> ImageReader<Cursor<&[u8]>> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(ImageDto::MAX_WIDTH);
    limits.max_image_height = Some(ImageDto::MAX_HEIGHT);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(jpeg), ImageFormat::Jpeg);
    reader.limits(limits);
    reader
}

fn undecodable(e: &ImageError) -> ApiError {
    let message = match e {
        ImageError::Limits(_) => format!(
            "the image is larger than {}x{} or needs too much memory to decode",
            ImageDto::MAX_WIDTH,
            ImageDto::MAX_HEIGHT
        ),
        other => format!("content is not a decodable JPEG: {other}"),
    };
    ApiError::invalid("image.content", message)
}

fn check_bounds(width: u32, height: u32) -> Result<(), ApiError> {
    let ok = (ImageDto::MIN_WIDTH..=ImageDto::MAX_WIDTH).contains(&width)
        && (ImageDto::MIN_HEIGHT..=ImageDto::MAX_HEIGHT).contains(&height);
    if ok {
        return Ok(());
    }
    Err(ApiError::invalid(
        "image.content",
        format!(
            "the image is {width}x{height}; it must be {}-{} px wide and {}-{} px high",
            ImageDto::MIN_WIDTH,
            ImageDto::MAX_WIDTH,
            ImageDto::MIN_HEIGHT,
            ImageDto::MAX_HEIGHT
        ),
    ))
}

/// The area inside `capture_margins`, as a view into the decoded pixels (no copy). Margins are
/// taken in pixels, as Transmit's SDK computes them; they must leave a non-empty area.
fn crop(
    rgba: &[u8],
    width: u32,
    height: u32,
    margins: Option<CaptureMargins>,
) -> Result<Frame<'_>, ApiError> {
    let stride = width as usize * 4;
    let internal = |e| ApiError::Internal(format!("decoded frame: {e}"));
    let Some(m) = margins else {
        return Frame::packed(rgba, width, height).map_err(internal);
    };
    let px = |v: f64, name: &str| -> Result<u32, ApiError> {
        if v.is_finite() && v >= 0.0 {
            Ok(v.round().min(f64::from(u32::MAX)) as u32)
        } else {
            Err(ApiError::invalid(
                format!("image.capture_margins.{name}"),
                "margins must be finite and not negative",
            ))
        }
    };
    let (top, bottom) = (px(m.top, "top")?, px(m.bottom, "bottom")?);
    let (left, right) = (px(m.left, "left")?, px(m.right, "right")?);
    let w = width.saturating_sub(left.saturating_add(right));
    let h = height.saturating_sub(top.saturating_add(bottom));
    if w == 0 || h == 0 {
        return Err(ApiError::invalid(
            "image.capture_margins",
            format!("the margins leave no area of the {width}x{height} image"),
        ));
    }
    let offset = top as usize * stride + left as usize * 4;
    let data = rgba
        .get(offset..)
        .ok_or_else(|| ApiError::invalid("image.capture_margins", "the margins leave no area"))?;
    Frame::new(data, w, h, stride).map_err(internal)
}

/// At most `max` characters of `s`, for echoing client input in a message.
pub fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use idv_capture::protocol::ImageType;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([120, 120, 120]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
            .encode_image(&img)
            .unwrap();
        out
    }

    fn dto(content: String) -> ImageDto {
        ImageDto {
            format: "jpg".into(),
            image_type: ImageType::DocumentFront,
            content,
            capture_margins: None,
            image_id: None,
            signature: None,
            raw_barcode_data: None,
        }
    }

    fn field(r: Result<Checked, ApiError>) -> String {
        r.unwrap_err().field().unwrap_or_default().to_owned()
    }

    const OK: fn(Frame<'_>, ImageType) -> Feedback = |_, _| Feedback::Ok;

    #[test]
    fn accepts_a_valid_jpeg_and_crops_to_the_margins() {
        let b64 = BASE64.encode(jpeg(640, 480));
        let seen = |f: Frame<'_>, _| {
            assert_eq!((f.width(), f.height()), (600, 470));
            Feedback::Glare
        };
        let mut img = dto(b64);
        img.capture_margins = Some(CaptureMargins {
            top: 5.0,
            bottom: 5.0,
            left: 20.0,
            right: 20.0,
        });
        assert_eq!(check(&img, &seen).unwrap().feedback, Feedback::Glare);
        img.capture_margins = Some(CaptureMargins {
            top: 300.0,
            bottom: 300.0,
            ..Default::default()
        });
        assert_eq!(field(check(&img, &OK)), "image.capture_margins");
    }

    #[test]
    fn refuses_bad_content_naming_the_field() {
        assert_eq!(field(check(&dto("%%%".into()), &OK)), "image.content");
        assert_eq!(field(check(&dto(String::new()), &OK)), "image.content");
        assert_eq!(
            field(check(&dto("data:image/jpeg;base64,AAAA".into()), &OK)),
            "image.content"
        );
        assert_eq!(
            field(check(&dto(BASE64.encode(b"not a jpeg")), &OK)),
            "image.content"
        );
        assert_eq!(
            field(check(&dto(BASE64.encode(jpeg(320, 240))), &OK)),
            "image.content"
        );
        let mut img = dto(BASE64.encode(jpeg(640, 480)));
        img.format = "png".into();
        assert_eq!(field(check(&img, &OK)), "image.format");
        img.format = "jpeg".into();
        assert!(check(&img, &OK).is_ok());
    }
}
