//! QR decoding of a grey camera frame: rxing on the frame as captured, and a fallback pass on a
//! locally contrast-normalised copy for washed-out or dark cards (reference/qr-cards.md §1.6).
//!
//! Deliberately not here: whether the text is a card (`hakaru_wire::card`), deduplication of
//! reads and the camera threads (`camera`).

use super::frame::GrayFrame;
use rxing::{BarcodeFormat, DecodeHints};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Anything that turns a grey frame into the texts of the QR codes it shows. The camera's decode
/// thread, the corpus test and the benchmarks all go through this.
pub trait QrDecoder: Send {
    /// The texts of the QR codes found in `frame` (usually none or one). A frame that cannot be
    /// decoded (wrong size, a decoder fault) yields nothing; it never panics.
    fn decode(&mut self, frame: &GrayFrame) -> Vec<String>;
}

/// When [`CardDecoder`] runs its second, contrast-normalised pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FallbackSchedule {
    /// Plain pass only.
    Never,
    /// After every plain pass that found nothing (still images, print checks, the corpus).
    Always,
    /// After every n-th plain pass in a row that found nothing (live camera frames: the fallback
    /// costs ~3× the plain pass, and a card held up stays in view for many frames). `0` and `1`
    /// behave like [`FallbackSchedule::Always`].
    EveryNth(u32),
}

/// The project's QR decoder: rxing (QR only, `TryHarder`) on the frame, then — per its
/// [`FallbackSchedule`] — on [`local_contrast_normalise`]d copy of it.
#[derive(Debug, Clone)]
pub struct CardDecoder {
    schedule: FallbackSchedule,
    /// Plain passes in a row that found nothing (drives `EveryNth`).
    misses: u32,
}

impl CardDecoder {
    /// A decoder with the given fallback schedule.
    pub fn new(schedule: FallbackSchedule) -> CardDecoder {
        CardDecoder {
            schedule,
            misses: 0,
        }
    }

    /// For live camera frames: the fallback on every third empty frame (reference §1.6).
    pub fn for_camera() -> CardDecoder {
        CardDecoder::new(FallbackSchedule::EveryNth(3))
    }

    /// For still images (a scanned sheet, the corpus): the fallback whenever the plain pass fails.
    pub fn for_still_images() -> CardDecoder {
        CardDecoder::new(FallbackSchedule::Always)
    }

    /// This decoder's schedule.
    pub fn schedule(&self) -> FallbackSchedule {
        self.schedule
    }

    fn fallback_due(&mut self) -> bool {
        self.misses = self.misses.saturating_add(1);
        match self.schedule {
            FallbackSchedule::Never => false,
            FallbackSchedule::Always => true,
            FallbackSchedule::EveryNth(n) => n <= 1 || self.misses % n == 0,
        }
    }
}

impl Default for CardDecoder {
    fn default() -> CardDecoder {
        CardDecoder::for_camera()
    }
}

impl QrDecoder for CardDecoder {
    fn decode(&mut self, frame: &GrayFrame) -> Vec<String> {
        if !frame.is_consistent() || frame.width == 0 || frame.height == 0 {
            return Vec::new();
        }
        if let Some(text) = decode_plain(frame) {
            self.misses = 0;
            return vec![text];
        }
        if !self.fallback_due() {
            return Vec::new();
        }
        match decode_plain(&local_contrast_normalise(frame)) {
            Some(text) => {
                self.misses = 0;
                vec![text]
            }
            None => Vec::new(),
        }
    }
}

/// One rxing pass over `frame` as it is (QR only, `TryHarder`), panics caught. `None` when no
/// code was found, the frame is inconsistent, or rxing failed.
pub fn decode_plain(frame: &GrayFrame) -> Option<String> {
    if !frame.is_consistent() || frame.width == 0 || frame.height == 0 {
        return None;
    }
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut hints = DecodeHints {
            TryHarder: Some(true),
            ..DecodeHints::default()
        };
        rxing::helpers::detect_in_luma_slice_with_hints(
            &frame.data,
            frame.width,
            frame.height,
            Some(BarcodeFormat::QR_CODE),
            &mut hints,
        )
        .map(|r| r.getText().to_owned())
    }));
    match result {
        Ok(Ok(text)) if !text.is_empty() => Some(text),
        _ => None,
    }
}

/// Half the side of the LCN window (33 × 33 pixels).
const LCN_RADIUS: usize = 16;
/// Output grey level of the local mean.
const LCN_MID: f32 = 128.0;
/// Output grey levels per local standard deviation.
const LCN_GAIN: f32 = 50.0;
/// Smallest standard deviation divided by, so flat areas stay flat instead of amplifying noise.
const LCN_MIN_STD: f32 = 6.0;

/// Local contrast normalisation: every pixel becomes `128 + 50·(v − mean)/max(std, 6)` over the
/// 33 × 33 window around it (clipped at the frame's edges), clamped to 0–255. A card with 35 grey
/// levels between its modules comes out with full contrast. An inconsistent frame comes back as
/// an empty frame of the same size.
pub fn local_contrast_normalise(frame: &GrayFrame) -> GrayFrame {
    let (w, h) = (frame.width as usize, frame.height as usize);
    if !frame.is_consistent() || w == 0 || h == 0 {
        return GrayFrame::filled(frame.width, frame.height, LCN_MID as u8);
    }
    let src = &frame.data;
    let mut out = vec![0u8; w * h];
    // Column sums over the rows in the vertical window, slid down the frame; each output row is
    // then a horizontal sliding window over them. Same result as integral images, less memory.
    let mut col_sum = vec![0u32; w];
    let mut col_sq = vec![0u32; w];
    let add_row = |sum: &mut [u32], sq: &mut [u32], row: &[u8]| {
        for ((s, q), &v) in sum.iter_mut().zip(sq.iter_mut()).zip(row) {
            let v = u32::from(v);
            *s += v;
            *q += v * v;
        }
    };
    let sub_row = |sum: &mut [u32], sq: &mut [u32], row: &[u8]| {
        for ((s, q), &v) in sum.iter_mut().zip(sq.iter_mut()).zip(row) {
            let v = u32::from(v);
            *s -= v;
            *q -= v * v;
        }
    };
    for row in src.chunks_exact(w).take(LCN_RADIUS.min(h - 1) + 1) {
        add_row(&mut col_sum, &mut col_sq, row);
    }
    // Horizontal prefix sums of the column sums for the current row (u64: 33 rows × 255² × 1280).
    let mut pre_sum = vec![0u64; w + 1];
    let mut pre_sq = vec![0u64; w + 1];
    for y in 0..h {
        // Window rows: y0..=y1.
        let y0 = y.saturating_sub(LCN_RADIUS);
        let y1 = (y + LCN_RADIUS).min(h - 1);
        let rows = (y1 - y0 + 1) as u64;
        for x in 0..w {
            pre_sum[x + 1] = pre_sum[x] + u64::from(col_sum[x]);
            pre_sq[x + 1] = pre_sq[x] + u64::from(col_sq[x]);
        }
        let src_row = &src[y * w..(y + 1) * w];
        let out_row = &mut out[y * w..(y + 1) * w];
        for (x, (o, &v)) in out_row.iter_mut().zip(src_row).enumerate() {
            let x0 = x.saturating_sub(LCN_RADIUS);
            let x1 = (x + LCN_RADIUS).min(w - 1);
            let n = ((x1 - x0 + 1) as u64 * rows) as f32;
            let s = (pre_sum[x1 + 1] - pre_sum[x0]) as f32;
            let q = (pre_sq[x1 + 1] - pre_sq[x0]) as f32;
            let mean = s / n;
            let var = (q / n - mean * mean).max(0.0);
            let std = var.sqrt().max(LCN_MIN_STD);
            let value = LCN_MID + LCN_GAIN * (f32::from(v) - mean) / std;
            *o = value.clamp(0.0, 255.0) as u8;
        }
        // Slide the vertical window one row down.
        if y + 1 < h {
            if y >= LCN_RADIUS {
                sub_row(&mut col_sum, &mut col_sq, &src[y0 * w..(y0 + 1) * w]);
            }
            let next = y + 1 + LCN_RADIUS;
            if next < h {
                add_row(&mut col_sum, &mut col_sq, &src[next * w..(next + 1) * w]);
            }
        }
    }
    GrayFrame {
        width: frame.width,
        height: frame.height,
        data: out,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::card::synth::{background_frame, card_frame, Variant};

    const TOKEN: &str = "K1AEACUAAB4JAAAA2OEADWPG5MQQW2NVYBHU";

    /// The LCN of a frame computed the slow way, straight from the definition.
    fn lcn_reference(frame: &GrayFrame) -> Vec<u8> {
        let (w, h) = (frame.width as i64, frame.height as i64);
        let r = LCN_RADIUS as i64;
        let mut out = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let (mut s, mut q, mut n) = (0f64, 0f64, 0f64);
                for yy in (y - r).max(0)..=(y + r).min(h - 1) {
                    for xx in (x - r).max(0)..=(x + r).min(w - 1) {
                        let v = f64::from(frame.data[(yy * w + xx) as usize]);
                        s += v;
                        q += v * v;
                        n += 1.0;
                    }
                }
                let mean = s / n;
                let std = (q / n - mean * mean).max(0.0).sqrt().max(6.0);
                let v = f64::from(frame.data[(y * w + x) as usize]);
                out.push((128.0 + 50.0 * (v - mean) / std).clamp(0.0, 255.0) as u8);
            }
        }
        out
    }

    #[test]
    fn lcn_matches_its_definition() {
        // Small odd sizes exercise the clipped windows at every edge.
        for (w, h) in [(50u32, 41u32), (7, 90), (1, 1), (40, 2)] {
            let data = (0..w * h)
                .map(|i| ((i * 7919 + (i / w) * 31) % 251) as u8)
                .collect();
            let frame = GrayFrame {
                width: w,
                height: h,
                data,
            };
            let fast = local_contrast_normalise(&frame);
            let slow = lcn_reference(&frame);
            assert_eq!(fast.width, w);
            assert_eq!(fast.height, h);
            for (i, (a, b)) in fast.data.iter().zip(&slow).enumerate() {
                assert!(
                    (i32::from(*a) - i32::from(*b)).abs() <= 1,
                    "{w}×{h} pixel {i}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn lcn_keeps_flat_areas_mid_grey_and_stretches_faint_edges() {
        let flat = GrayFrame::filled(64, 64, 200);
        assert!(local_contrast_normalise(&flat)
            .data
            .iter()
            .all(|&v| v == 128));
        // Stripes 20 grey levels apart come out far apart.
        let data = (0..64 * 64)
            .map(|i| if (i % 64) / 4 % 2 == 0 { 120 } else { 140 })
            .collect();
        let faint = GrayFrame {
            width: 64,
            height: 64,
            data,
        };
        let out = local_contrast_normalise(&faint);
        let (lo, hi) = out
            .data
            .iter()
            .fold((255u8, 0u8), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        assert!(lo < 90 && hi > 170, "{lo}..{hi}");
    }

    #[test]
    fn decodes_a_clean_card_with_the_plain_pass() {
        let frame = card_frame(TOKEN, Variant::Clean, 1280, 720, 1);
        assert_eq!(decode_plain(&frame).as_deref(), Some(TOKEN));
        let mut d = CardDecoder::new(FallbackSchedule::Never);
        assert_eq!(d.decode(&frame), vec![TOKEN.to_owned()]);
    }

    #[test]
    fn the_fallback_reads_a_low_contrast_card_the_plain_pass_misses() {
        // Find a low-contrast frame the plain pass misses (most of them, reference §1.4).
        let frame = (0..20)
            .map(|seed| card_frame(TOKEN, Variant::LowContrast, 1280, 720, seed))
            .find(|f| {
                decode_plain(f).is_none() && decode_plain(&local_contrast_normalise(f)).is_some()
            })
            .expect("some low-contrast frame only the LCN pass reads");
        assert!(CardDecoder::new(FallbackSchedule::Never)
            .decode(&frame)
            .is_empty());
        assert_eq!(
            CardDecoder::new(FallbackSchedule::Always).decode(&frame),
            vec![TOKEN.to_owned()]
        );
    }

    #[test]
    fn every_nth_runs_the_fallback_on_every_nth_empty_frame_in_a_row() {
        let hard = (0..20)
            .map(|seed| card_frame(TOKEN, Variant::LowContrast, 1280, 720, seed))
            .find(|f| {
                decode_plain(f).is_none() && decode_plain(&local_contrast_normalise(f)).is_some()
            })
            .expect("some low-contrast frame only the LCN pass reads");
        let mut d = CardDecoder::new(FallbackSchedule::EveryNth(3));
        assert!(d.decode(&hard).is_empty(), "1st miss: plain only");
        assert!(d.decode(&hard).is_empty(), "2nd miss: plain only");
        assert_eq!(d.decode(&hard), vec![TOKEN.to_owned()], "3rd: fallback");
        // The count starts again after a read.
        assert!(d.decode(&hard).is_empty());
        assert!(d.decode(&hard).is_empty());
        assert_eq!(d.decode(&hard).len(), 1);
        // A clean read in between resets the count.
        let clean = card_frame(TOKEN, Variant::Clean, 1280, 720, 2);
        assert!(d.decode(&hard).is_empty());
        assert_eq!(d.decode(&clean).len(), 1);
        assert!(d.decode(&hard).is_empty());
        assert!(d.decode(&hard).is_empty());
        assert_eq!(d.decode(&hard).len(), 1);
    }

    #[test]
    fn backgrounds_and_broken_frames_yield_nothing() {
        let mut d = CardDecoder::new(FallbackSchedule::Always);
        for seed in 0..3 {
            assert!(d.decode(&background_frame(1280, 720, seed)).is_empty());
        }
        let short = GrayFrame {
            width: 640,
            height: 480,
            data: vec![0; 100],
        };
        assert!(d.decode(&short).is_empty());
        let empty = GrayFrame {
            width: 0,
            height: 0,
            data: Vec::new(),
        };
        assert!(d.decode(&empty).is_empty());
        assert!(d.decode(&GrayFrame::filled(1, 1, 0)).is_empty());
        assert_eq!(
            local_contrast_normalise(&short).data.len(),
            640 * 480,
            "an inconsistent frame normalises to a flat frame of its size"
        );
    }

    #[test]
    fn the_decoder_can_move_to_another_thread() {
        fn is_send<T: Send>() {}
        is_send::<CardDecoder>();
        let mut boxed: Box<dyn QrDecoder> = Box::new(CardDecoder::for_camera());
        let frame = card_frame(TOKEN, Variant::Clean, 1280, 720, 3);
        let got = std::thread::spawn(move || boxed.decode(&frame))
            .join()
            .unwrap();
        assert_eq!(got, vec![TOKEN.to_owned()]);
    }
}
