//! The preview the UI shows so the participant can aim the card: a small grey copy of a frame
//! ([`downscale`]) at a low rate ([`PreviewPacer`], sans-IO).
//!
//! Deliberately not here: sending previews and dropping them for a slow receiver
//! ([`super::reader`]), and encoding them for the web UI (the station).

use crate::card::frame::GrayFrame;
use std::fmt;
use std::time::{Duration, Instant};

/// A downscaled grey frame, row-major, `width * height` bytes. Its `Debug` form never shows the
/// pixels (they show a card and a face).
#[derive(Clone, PartialEq, Eq)]
pub struct PreviewFrame {
    /// Pixels per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// `width * height` luma values.
    pub data: Vec<u8>,
}

impl fmt::Debug for PreviewFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PreviewFrame({}×{})", self.width, self.height)
    }
}

/// Preview size and rate. Defaults: at most 320×180 (a 1280×720 frame shrunk 4×), one every
/// 200 ms (5 per second).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviewConfig {
    /// Least time between two previews.
    pub interval: Duration,
    /// Widest preview in pixels.
    pub max_width: u32,
    /// Tallest preview in pixels.
    pub max_height: u32,
}

impl Default for PreviewConfig {
    fn default() -> PreviewConfig {
        PreviewConfig {
            interval: Duration::from_millis(200),
            max_width: 320,
            max_height: 180,
        }
    }
}

/// `frame` shrunk to fit inside `max_width × max_height`, aspect ratio kept, each output pixel
/// the mean of the input pixels it covers. Never enlarges; an empty or inconsistent frame gives
/// an empty preview.
pub fn downscale(frame: &GrayFrame, max_width: u32, max_height: u32) -> PreviewFrame {
    let (w, h) = (u64::from(frame.width), u64::from(frame.height));
    if w == 0 || h == 0 || max_width == 0 || max_height == 0 || !frame.is_consistent() {
        return PreviewFrame {
            width: 0,
            height: 0,
            data: Vec::new(),
        };
    }
    // The larger of the two shrink factors, as a fraction, so the result fits both limits.
    let (mw, mh) = (u64::from(max_width), u64::from(max_height));
    let (ow, oh) = if w <= mw && h <= mh {
        (w, h)
    } else if w * mh >= h * mw {
        (mw, (h * mw / w).max(1))
    } else {
        ((w * mh / h).max(1), mh)
    };
    let mut data = Vec::with_capacity((ow * oh) as usize);
    for oy in 0..oh {
        let (y0, y1) = (oy * h / oh, ((oy + 1) * h / oh).max(oy * h / oh + 1));
        for ox in 0..ow {
            let (x0, x1) = (ox * w / ow, ((ox + 1) * w / ow).max(ox * w / ow + 1));
            let mut sum = 0u64;
            for y in y0..y1 {
                let row = (y * w) as usize;
                sum += frame.data[row + x0 as usize..row + x1 as usize]
                    .iter()
                    .map(|&v| u64::from(v))
                    .sum::<u64>();
            }
            let n = (y1 - y0) * (x1 - x0);
            data.push(((sum + n / 2) / n) as u8);
        }
    }
    PreviewFrame {
        width: ow as u32,
        height: oh as u32,
        data,
    }
}

/// Decides which frames become previews: the first, then one per `interval`. When frames come
/// late the next preview is due `interval` after the late one (no bursts to catch up).
#[derive(Debug, Clone)]
pub struct PreviewPacer {
    interval: Duration,
    next_due: Option<Instant>,
}

impl PreviewPacer {
    /// One preview per `interval`.
    pub fn new(interval: Duration) -> PreviewPacer {
        PreviewPacer {
            interval,
            next_due: None,
        }
    }

    /// A frame arrived at `now`: whether it is due to become a preview.
    pub fn due(&mut self, now: Instant) -> bool {
        match self.next_due {
            Some(at) if now < at => false,
            Some(at) => {
                let next = at + self.interval;
                self.next_due = Some(if next > now {
                    next
                } else {
                    now + self.interval
                });
                true
            }
            None => {
                self.next_due = Some(now + self.interval);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinks_by_box_means_and_keeps_the_aspect_ratio() {
        // 8×4: left half 0, right half 200, bottom-right quarter 100.
        let mut f = GrayFrame::filled(8, 4, 0);
        for y in 0..4 {
            for x in 4..8 {
                f.data[y * 8 + x] = if y >= 2 { 100 } else { 200 };
            }
        }
        let p = downscale(&f, 2, 2);
        assert_eq!((p.width, p.height), (2, 1));
        assert_eq!(p.data, [0, 150]);
        let p = downscale(&f, 4, 100);
        assert_eq!((p.width, p.height), (4, 2));
        assert_eq!(p.data, [0, 0, 200, 200, 0, 0, 100, 100]);
        let big = downscale(&GrayFrame::filled(1280, 720, 77), 320, 180);
        assert_eq!((big.width, big.height), (320, 180));
        assert!(big.data.iter().all(|&v| v == 77));
        let tall = downscale(&GrayFrame::filled(100, 400, 5), 320, 180);
        assert_eq!((tall.width, tall.height), (45, 180));
    }

    #[test]
    fn never_enlarges_and_copes_with_odd_sizes() {
        let f = GrayFrame::filled(3, 2, 9);
        assert_eq!(downscale(&f, 320, 180).data, f.data);
        let odd = downscale(&GrayFrame::filled(7, 5, 3), 2, 2);
        assert_eq!((odd.width, odd.height), (2, 1));
        assert!(downscale(&GrayFrame::filled(0, 0, 0), 320, 180)
            .data
            .is_empty());
        assert_eq!(format!("{odd:?}"), "PreviewFrame(2×1)");
    }

    #[test]
    fn paces_previews_without_bursts() {
        #[allow(clippy::disallowed_methods)] // a fixed base; every later time is t + offset
        let t = Instant::now();
        let ms = Duration::from_millis;
        let mut p = PreviewPacer::new(ms(200));
        // 30 fps for 2 s → 10 previews.
        let n = (0..60).filter(|i| p.due(t + ms(i * 33 + 1))).count();
        assert_eq!(n, 10);
        // A 1 s gap, then frames again: one preview now, the next 200 ms later.
        assert!(p.due(t + ms(3000)));
        assert!(!p.due(t + ms(3100)));
        assert!(p.due(t + ms(3200)));
    }
}
