//! Shared pieces of the native tools.

use std::path::Path;

use idv_fixtures::{dataset, labels::Label};

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

/// The benchmark's frame: the first generated scene of the given size whose label is `ok` (a
/// sharp card in perspective on a textured background, so every stage of the pipeline runs),
/// identical for the native and the browser runs.
pub fn bench_frame(width: u32, height: u32) -> Option<Vec<u8>> {
    bench_scenes(width, height, Label::Ok)
        .next()
        .map(|s| s.image.data)
}

/// The first generated frame of the given size with no card at all: the engine runs every
/// search it has (the coarser levels, the opponent colours) before it gives up.
pub fn bench_empty_frame(width: u32, height: u32) -> Option<Vec<u8>> {
    bench_scenes(width, height, Label::DocumentNotFound)
        .take(20)
        .find(|s| s.truth.corners.is_none())
        .map(|s| s.image.data)
}

/// The benchmark seed's scenes of this size aimed at `label`, rendered one at a time as taken.
fn bench_scenes(
    width: u32,
    height: u32,
    label: Label,
) -> impl Iterator<Item = idv_fixtures::scene::Scene> {
    (0..4000)
        .filter(move |&i| {
            let spec = dataset::scene_spec(BENCH_SEED, i);
            spec.width == width && spec.height == height && dataset::target(BENCH_SEED, i) == label
        })
        .map(|i| dataset::scene(BENCH_SEED, i))
}

const BENCH_SEED: u64 = 4242;

pub mod calibration {
    //! ROC analysis for choosing thresholds.

    /// The ROC of a score against binary labels, and the threshold that maximises balanced
    /// accuracy (`score > threshold` predicts positive).
    #[derive(Clone, Debug, PartialEq)]
    pub struct Roc {
        pub auc: f64,
        pub threshold: f32,
        pub balanced_accuracy: f64,
        pub n: usize,
    }

    /// `samples`: (score, is_positive). `None` without both classes.
    ///
    /// ```
    /// let r = idv_tools::calibration::roc([(0.1, false), (0.2, false), (0.8, true), (0.9, true)]).unwrap();
    /// assert_eq!(r.auc, 1.0);
    /// assert!(r.threshold >= 0.2 && r.threshold < 0.8);
    /// ```
    pub fn roc(samples: impl IntoIterator<Item = (f32, bool)>) -> Option<Roc> {
        let mut s: Vec<(f32, bool)> = samples.into_iter().collect();
        let pos = s.iter().filter(|x| x.1).count();
        let neg = s.len() - pos;
        if pos == 0 || neg == 0 {
            return None;
        }
        s.sort_by(|a, b| b.0.total_cmp(&a.0));
        // Sweep from the highest score down: everything above the cut is predicted positive.
        let (mut tp, mut fp) = (0usize, 0usize);
        let mut auc = 0.0;
        let mut best = (f64::MIN, f32::MAX);
        let mut i = 0;
        while i < s.len() {
            let score = s[i].0;
            let (tp0, fp0) = (tp, fp);
            while i < s.len() && s[i].0 == score {
                if s[i].1 {
                    tp += 1
                } else {
                    fp += 1
                }
                i += 1;
            }
            auc += (fp - fp0) as f64 * (tp + tp0) as f64 / 2.0;
            let bal = 0.5 * (tp as f64 / pos as f64 + (neg - fp) as f64 / neg as f64);
            if bal > best.0 {
                // Cut halfway to the next lower score, so the threshold sits between the classes.
                let next = s.get(i).map_or(score - 1e-3, |x| x.0);
                best = (bal, (score + next) / 2.0);
            }
        }
        Some(Roc {
            auc: auc / (pos as f64 * neg as f64),
            threshold: best.1,
            balanced_accuracy: best.0,
            n: s.len(),
        })
    }
}

/// Writes a scene with the found outline (red) and the true corners (green) drawn over it, for
/// looking at what calibration got wrong.
pub fn debug_overlay(
    dir: &Path,
    index: usize,
    scene: &idv_fixtures::scene::Scene,
    v: &idv_capture::precheck::Verdict,
) -> Result<(), image::ImageError> {
    let img = &scene.image;
    let mut out =
        image::RgbaImage::from_raw(img.width, img.height, img.data.clone()).ok_or_else(|| {
            image::ImageError::Limits(image::error::LimitError::from_kind(
                image::error::LimitErrorKind::DimensionError,
            ))
        })?;
    let mut dot = |x: f64, y: f64, c: [u8; 4]| {
        for dy in -2i64..=2 {
            for dx in -2i64..=2 {
                let (px, py) = (x as i64 + dx, y as i64 + dy);
                if px >= 0 && py >= 0 && (px as u32) < out.width() && (py as u32) < out.height() {
                    out.put_pixel(px as u32, py as u32, image::Rgba(c));
                }
            }
        }
    };
    let mut line = |a: (f64, f64), b: (f64, f64), c: [u8; 4]| {
        for k in 0..=200 {
            let t = k as f64 / 200.0;
            dot(a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1), c);
        }
    };
    if let Some(t) = scene.truth.corners {
        for i in 0..4 {
            line(
                (t[i][0], t[i][1]),
                (t[(i + 1) % 4][0], t[(i + 1) % 4][1]),
                [0, 255, 0, 255],
            );
        }
    }
    if let Some(q) = v.scores.quad {
        for i in 0..4 {
            let (a, b) = (q.0[i], q.0[(i + 1) % 4]);
            line(
                (a.x as f64, a.y as f64),
                (b.x as f64, b.y as f64),
                [255, 0, 0, 255],
            );
        }
    }
    std::fs::create_dir_all(dir).map_err(image::ImageError::IoError)?;
    let name = format!(
        "{index:04}-{}-as-{}.png",
        scene.truth.label.as_str(),
        v.feedback.as_str()
    );
    image::imageops::resize(
        &out,
        480,
        480 * out.height() / out.width(),
        image::imageops::FilterType::Triangle,
    )
    .save(dir.join(name))
}
