use super::Frame;

/// Mean BT.601 luma (0–255) of a frame, ignoring alpha.
///
/// Integer weights (77, 150, 29)/256 keep it exact across native and wasm builds.
///
/// ```
/// use idv_capture::precheck::{mean_luma, Frame};
/// let grey = [100u8, 100, 100, 255].repeat(16);
/// assert!((mean_luma(Frame::packed(&grey, 4, 4).unwrap()) - 100.0).abs() < 0.5);
/// ```
pub fn mean_luma(frame: Frame<'_>) -> f64 {
    let mut total: u64 = 0;
    for y in 0..frame.height() {
        let mut row_sum: u32 = 0;
        for px in frame.row(y).chunks_exact(4) {
            row_sum += (77 * px[0] as u32 + 150 * px[1] as u32 + 29 * px[2] as u32) >> 8;
        }
        total += row_sum as u64;
    }
    total as f64 / (frame.width() as f64 * frame.height() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_follow_bt601() {
        let red = [255u8, 0, 0, 255].repeat(4);
        let green = [0u8, 255, 0, 255].repeat(4);
        let blue = [0u8, 0, 255, 255].repeat(4);
        let luma = |b: &[u8]| mean_luma(Frame::packed(b, 2, 2).unwrap());
        assert!((luma(&red) - 76.0).abs() < 1.0);
        assert!((luma(&green) - 149.0).abs() < 1.0);
        assert!((luma(&blue) - 28.0).abs() < 1.0);
    }

    #[test]
    fn honours_stride_padding() {
        // 2x2 frame of value 200, each row padded with 8 bytes of 0 that must not count.
        let mut buf = Vec::new();
        for _ in 0..2 {
            buf.extend([200u8, 200, 200, 255].repeat(2));
            buf.extend([0u8; 8]);
        }
        let frame = Frame::new(&buf, 2, 2, 16).unwrap();
        assert!((mean_luma(frame) - 199.0).abs() < 1.5);
    }
}
