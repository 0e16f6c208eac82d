//! The captured frame as the JPEG the API takes: cropped to the document with a margin, scaled
//! into the API's pixel bounds, encoded once.

use jpeg_encoder::{ColorType, Encoder};
use thiserror::Error;

use crate::precheck::{Frame, Quad};
use crate::protocol::ImageDto;

/// JPEG quality: high enough that the server's own blur check does not see block artefacts.
pub const JPEG_QUALITY: u8 = 90;

/// Margin around the document outline, as a fraction of its bounding box on each side. The server
/// runs its own document detection, which needs background around the card's edges.
const CROP_MARGIN: f32 = 0.15;

/// An encoded image, ready to upload.
#[derive(Clone, PartialEq, Eq)]
pub struct Jpeg {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Debug for Jpeg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Jpeg({}x{}, {} bytes)",
            self.width,
            self.height,
            self.bytes.len()
        )
    }
}

/// Why a frame could not become an upload.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum EncodeError {
    #[error(
        "the image is {width}x{height} px; the API needs at least {}x{} px",
        ImageDto::MIN_WIDTH,
        ImageDto::MIN_HEIGHT
    )]
    TooSmall { width: u32, height: u32 },
    #[error("JPEG encoding failed: {0}")]
    Encode(String),
}

/// A pixel rectangle inside the frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CropRect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// The area to upload: the outline's bounding box plus [`CROP_MARGIN`], grown around its centre to
/// the API's minimum size and kept inside the frame. Without an outline, the whole frame.
///
/// ```
/// use idv_capture::precheck::{Point, Quad};
/// use idv_capture::upload::crop_for;
/// let q = Quad([Point { x: 800.0, y: 400.0 }, Point { x: 1400.0, y: 400.0 },
///               Point { x: 1400.0, y: 780.0 }, Point { x: 800.0, y: 780.0 }]);
/// let r = crop_for(1920, 1080, Some(&q));
/// assert!(r.x <= 800 - 90 && r.x + r.width >= 1400 + 90);
/// assert!(r.width >= 640 && r.height >= 480);
/// ```
pub fn crop_for(width: u32, height: u32, quad: Option<&Quad>) -> CropRect {
    let full = CropRect {
        x: 0,
        y: 0,
        width,
        height,
    };
    let Some(q) = quad else { return full };
    let xs = q.0.map(|p| p.x);
    let ys = q.0.map(|p| p.y);
    let (x0, x1) = (
        xs.iter().copied().fold(f32::MAX, f32::min),
        xs.iter().copied().fold(f32::MIN, f32::max),
    );
    let (y0, y1) = (
        ys.iter().copied().fold(f32::MAX, f32::min),
        ys.iter().copied().fold(f32::MIN, f32::max),
    );
    if !(x0.is_finite() && x1.is_finite() && y0.is_finite() && y1.is_finite())
        || x1 <= x0
        || y1 <= y0
    {
        return full;
    }
    let (mx, my) = ((x1 - x0) * CROP_MARGIN, (y1 - y0) * CROP_MARGIN);
    let axis = |lo: f32, hi: f32, min: u32, limit: u32| -> (u32, u32) {
        let want = (hi - lo).max(min as f32).min(limit as f32);
        let centre = (lo + hi) / 2.0;
        // max/min, not clamp: clamp's panic message would pull f32 formatting into the package
        // (want <= limit, so the bounds are in order).
        let start = (centre - want / 2.0).max(0.0).min(limit as f32 - want);
        (start.floor() as u32, (want.ceil() as u32).min(limit))
    };
    let (x, w) = axis(x0 - mx, x1 + mx, ImageDto::MIN_WIDTH, width);
    let (y, h) = axis(y0 - my, y1 + my, ImageDto::MIN_HEIGHT, height);
    CropRect {
        x,
        y,
        width: w.min(width - x),
        height: h.min(height - y),
    }
}

/// Encodes `crop` of `frame` as a JPEG inside the API's bounds, downscaling when it is larger.
///
/// ```
/// use idv_capture::precheck::Frame;
/// use idv_capture::upload::{crop_for, encode_jpeg, EncodeError};
/// let px = vec![128u8; 320 * 240 * 4];
/// let small = Frame::packed(&px, 320, 240).unwrap();
/// assert_eq!(encode_jpeg(small, crop_for(320, 240, None)),
///            Err(EncodeError::TooSmall { width: 320, height: 240 }));
/// ```
pub fn encode_jpeg(frame: Frame<'_>, crop: CropRect) -> Result<Jpeg, EncodeError> {
    let crop = clamp_crop(frame, crop);
    if crop.width < ImageDto::MIN_WIDTH || crop.height < ImageDto::MIN_HEIGHT {
        return Err(EncodeError::TooSmall {
            width: crop.width,
            height: crop.height,
        });
    }
    let mut rgb = Vec::with_capacity(crop.width as usize * crop.height as usize * 3);
    for y in crop.y..crop.y + crop.height {
        let row = &frame.row(y)[crop.x as usize * 4..(crop.x + crop.width) as usize * 4];
        for px in row.chunks_exact(4) {
            rgb.extend_from_slice(&px[..3]);
        }
    }
    let scale = (ImageDto::MAX_WIDTH as f32 / crop.width as f32)
        .min(ImageDto::MAX_HEIGHT as f32 / crop.height as f32);
    if scale < 1.0 {
        // Never below the minimum on the other axis: a 4000x500 strip stays at least 480 high.
        let w =
            ((crop.width as f32 * scale) as u32).clamp(ImageDto::MIN_WIDTH, ImageDto::MAX_WIDTH);
        let h =
            ((crop.height as f32 * scale) as u32).clamp(ImageDto::MIN_HEIGHT, ImageDto::MAX_HEIGHT);
        let small = shrink_rgb(&rgb, crop.width, crop.height, w, h);
        return encode_rgb(&small, w, h);
    }
    encode_rgb(&rgb, crop.width, crop.height)
}

/// Encodes packed RGB at [`JPEG_QUALITY`].
fn encode_rgb(rgb: &[u8], width: u32, height: u32) -> Result<Jpeg, EncodeError> {
    let mut bytes = Vec::new();
    // Both sides are at most the API's 3840x2160, inside JPEG's u16 range.
    let side = |v: u32| u16::try_from(v).map_err(|_| EncodeError::Encode(format!("{v} px")));
    Encoder::new(&mut bytes, JPEG_QUALITY)
        .encode(rgb, side(width)?, side(height)?, ColorType::Rgb)
        .map_err(|e| EncodeError::Encode(e.to_string()))?;
    Ok(Jpeg {
        bytes,
        width,
        height,
    })
}

/// Shrinks packed RGB from `sw`x`sh` to `dw`x`dh` (each no larger) by area averaging: every
/// output pixel is the mean of the source area it covers, partly covered pixels weighted by
/// their share. It keeps edges as sharp as a downscale can, and the server's own blur check
/// must not see a softer picture than the user was shown. Two rows of scratch, not a second
/// image: a 12 MP file would otherwise need about 100 MB.
fn shrink_rgb(src: &[u8], sw: u32, sh: u32, dw: u32, dh: u32) -> Vec<u8> {
    let (sw, sh, dw, dh) = (sw as usize, sh as usize, dw as usize, dh as usize);
    let x_taps = area_taps(sw, dw);
    let mut out = Vec::with_capacity(dw * dh * 3);
    let mut acc = vec![0.0f32; dw * 3];
    let mut row = vec![0.0f32; dw * 3];
    // The source row `row` holds, resampled across: a row on the boundary between two output
    // rows serves both, and is resampled once.
    let mut row_of = usize::MAX;
    for (y0, weights) in area_taps(sh, dh) {
        acc.fill(0.0);
        for (k, wy) in weights.iter().enumerate() {
            let y = y0 + k;
            if y != row_of {
                let line = &src[y * sw * 3..(y + 1) * sw * 3];
                for (o, (x0, wx)) in row.chunks_exact_mut(3).zip(&x_taps) {
                    let mut px = [0.0f32; 3];
                    for (s, w) in line[x0 * 3..].chunks_exact(3).zip(wx) {
                        for c in 0..3 {
                            px[c] += f32::from(s[c]) * w;
                        }
                    }
                    o.copy_from_slice(&px);
                }
                row_of = y;
            }
            for (a, r) in acc.iter_mut().zip(&row) {
                *a += r * wy;
            }
        }
        out.extend(acc.iter().map(|v| (v + 0.5).clamp(0.0, 255.0) as u8));
    }
    out
}

/// For each of `dst` output pixels along an axis of `src` pixels (`dst <= src`): the first source
/// pixel it covers and the normalised weight of each source pixel from there.
fn area_taps(src: usize, dst: usize) -> Vec<(usize, Vec<f32>)> {
    let step = src as f64 / dst as f64;
    (0..dst)
        .map(|i| {
            let (lo, hi) = (i as f64 * step, ((i + 1) as f64 * step).min(src as f64));
            let first = lo.floor() as usize;
            let last = (hi.ceil() as usize).clamp(first + 1, src);
            let weights = (first..last)
                .map(|j| ((hi.min(j as f64 + 1.0) - lo.max(j as f64)) / step) as f32)
                .collect();
            (first, weights)
        })
        .collect()
}

fn clamp_crop(frame: Frame<'_>, c: CropRect) -> CropRect {
    let x = c.x.min(frame.width());
    let y = c.y.min(frame.height());
    CropRect {
        x,
        y,
        width: c.width.min(frame.width() - x),
        height: c.height.min(frame.height() - y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precheck::Point;

    fn decode(j: &Jpeg) -> image::DynamicImage {
        image::load_from_memory_with_format(&j.bytes, image::ImageFormat::Jpeg).expect("valid JPEG")
    }

    #[test]
    fn whole_frame_within_bounds_is_kept_at_its_size() {
        let px = vec![200u8; 1280 * 720 * 4];
        let f = Frame::packed(&px, 1280, 720).unwrap();
        let j = encode_jpeg(f, crop_for(1280, 720, None)).unwrap();
        assert_eq!((j.width, j.height), (1280, 720));
        let d = decode(&j);
        assert_eq!((d.width(), d.height()), (1280, 720));
    }

    #[test]
    fn oversized_frames_are_scaled_into_the_bounds() {
        let (w, h) = (4096u32, 2304u32);
        let px = vec![90u8; (w * h * 4) as usize];
        let f = Frame::packed(&px, w, h).unwrap();
        let j = encode_jpeg(f, crop_for(w, h, None)).unwrap();
        assert!(j.width <= ImageDto::MAX_WIDTH && j.height <= ImageDto::MAX_HEIGHT);
        assert!(j.width >= 3800, "{j:?}");
    }

    #[test]
    fn shrinking_averages_the_covered_area() {
        // 4x2 -> 2x1: each output pixel is the mean of a 2x2 block.
        let src: Vec<u8> = [0u8, 100, 200, 50, 10, 20, 30, 40]
            .iter()
            .flat_map(|&v| [v, 255 - v, 7])
            .collect();
        let out = shrink_rgb(&src, 4, 2, 2, 1);
        assert_eq!(out, vec![33, 223, 7, 80, 175, 7]);
        // 3 -> 2 along a row: the middle pixel is split half and half.
        let out = shrink_rgb(&[0, 0, 0, 90, 90, 90, 180, 180, 180], 3, 1, 2, 1);
        assert_eq!(out, vec![30, 30, 30, 150, 150, 150]);
        // An oversized flat frame stays flat, and a sharp edge stays a one-pixel step.
        let (w, h) = (4032usize, 3024usize);
        let src: Vec<u8> = (0..w * h)
            .flat_map(|i| if i % w < w / 2 { [20u8; 3] } else { [220u8; 3] })
            .collect();
        let (dw, dh) = (2880, 2160);
        let out = shrink_rgb(&src, w as u32, h as u32, dw, dh);
        assert_eq!(out.len(), (dw * dh * 3) as usize);
        let row = &out[..dw as usize * 3];
        assert!(row[..1439 * 3].iter().all(|&v| v == 20));
        assert!(row[1441 * 3..].iter().all(|&v| v == 220));
    }

    #[test]
    fn a_small_card_crop_grows_to_the_minimum_and_stays_inside() {
        let q = Quad([
            Point { x: 10.0, y: 10.0 },
            Point { x: 110.0, y: 10.0 },
            Point { x: 110.0, y: 70.0 },
            Point { x: 10.0, y: 70.0 },
        ]);
        let r = crop_for(1280, 720, Some(&q));
        assert_eq!((r.x, r.y, r.width, r.height), (0, 0, 640, 480));
        let r = crop_for(700, 500, Some(&q.scaled(1.0, 600.0)));
        assert!(r.x + r.width <= 700 && r.y + r.height <= 500, "{r:?}");
    }

    #[test]
    fn nonsense_outlines_fall_back_to_the_whole_frame() {
        let nan = Point {
            x: f32::NAN,
            y: 1.0,
        };
        let r = crop_for(800, 600, Some(&Quad([nan; 4])));
        assert_eq!((r.width, r.height), (800, 600));
    }
}
