//! A grey (luma) camera frame: what every decode path takes.
//!
//! Deliberately not here: colour, and conversion from camera formats (`camera`).

use std::fmt;

/// An 8-bit grey image, row-major, `width * height` bytes, no padding.
#[derive(Clone, PartialEq, Eq)]
pub struct GrayFrame {
    /// Pixels per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// `width * height` luma values.
    pub data: Vec<u8>,
}

impl GrayFrame {
    /// A frame of one grey level.
    pub fn filled(width: u32, height: u32, level: u8) -> GrayFrame {
        GrayFrame {
            width,
            height,
            data: vec![level; width as usize * height as usize],
        }
    }

    /// Whether `data` holds exactly `width * height` bytes.
    pub fn is_consistent(&self) -> bool {
        self.data.len() == self.width as usize * self.height as usize
    }
}

impl fmt::Debug for GrayFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A frame may show a card (and a face): never its pixels.
        write!(f, "GrayFrame({}×{})", self.width, self.height)
    }
}
