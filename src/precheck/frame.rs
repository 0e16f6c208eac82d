use thiserror::Error;

/// A borrowed RGBA8 image: the unit every analysis works on.
///
/// `stride` is the distance in bytes between the starts of two rows, so a frame can view a
/// sub-rectangle of a larger buffer without copying.
///
/// ```
/// use idv_capture::precheck::Frame;
/// let pixels = vec![0u8; 4 * 3 * 2];
/// let frame = Frame::new(&pixels, 3, 2, 12).unwrap();
/// assert_eq!(frame.width(), 3);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    data: &'a [u8],
    width: u32,
    height: u32,
    stride: usize,
}

/// Why a buffer cannot be viewed as a frame.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum FrameError {
    #[error("frame is empty ({width}x{height})")]
    Empty { width: u32, height: u32 },
    #[error("stride {stride} is less than 4 x width {width}")]
    StrideTooSmall { stride: usize, width: u32 },
    #[error(
        "buffer holds {actual} bytes, a {width}x{height} frame with stride {stride} needs {needed}"
    )]
    BufferTooSmall {
        width: u32,
        height: u32,
        stride: usize,
        needed: usize,
        actual: usize,
    },
}

impl<'a> Frame<'a> {
    /// Views `data` as `width` x `height` RGBA pixels, rows `stride` bytes apart.
    pub fn new(data: &'a [u8], width: u32, height: u32, stride: usize) -> Result<Self, FrameError> {
        if width == 0 || height == 0 {
            return Err(FrameError::Empty { width, height });
        }
        let row = width as usize * 4;
        if stride < row {
            return Err(FrameError::StrideTooSmall { stride, width });
        }
        let needed = stride * (height as usize - 1) + row;
        if data.len() < needed {
            return Err(FrameError::BufferTooSmall {
                width,
                height,
                stride,
                needed,
                actual: data.len(),
            });
        }
        Ok(Self {
            data,
            width,
            height,
            stride,
        })
    }

    /// Views a tightly packed RGBA buffer (stride = 4 x width), as `ImageData` holds it.
    pub fn packed(data: &'a [u8], width: u32, height: u32) -> Result<Self, FrameError> {
        Self::new(data, width, height, width as usize * 4)
    }

    #[inline(always)]
    pub fn width(&self) -> u32 {
        self.width
    }

    #[inline(always)]
    pub fn height(&self) -> u32 {
        self.height
    }

    #[inline(always)]
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// The RGBA bytes of row `y`, exactly `4 * width` long.
    ///
    /// # Panics
    /// When `y >= height`; callers iterate `0..height`.
    #[inline(always)]
    pub fn row(&self, y: u32) -> &'a [u8] {
        let start = y as usize * self.stride;
        &self.data[start..start + self.width as usize * 4]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_short_buffers_and_bad_strides() {
        let buf = [0u8; 40];
        assert!(matches!(
            Frame::new(&buf, 3, 4, 12),
            Err(FrameError::BufferTooSmall { needed: 48, .. })
        ));
        assert!(matches!(
            Frame::new(&buf, 3, 2, 8),
            Err(FrameError::StrideTooSmall { .. })
        ));
        assert!(matches!(
            Frame::new(&buf, 0, 2, 8),
            Err(FrameError::Empty { .. })
        ));
        // The last row needs no padding after it.
        assert!(Frame::new(&buf, 2, 3, 16).is_ok());
    }
}
