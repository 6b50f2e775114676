//! Where camera frames come from: the [`FrameSource`] seam, its error, and the two sources that
//! need no camera — [`ReplaySource`] (frames from memory) and [`SyntheticSource`] (cards from
//! [`crate::card::synth`] with gaps of empty room, for demo mode and tests).
//!
//! Deliberately not here: the real camera ([`super::device`]) and what happens to the frames
//! ([`super::reader`]).

use crate::card::frame::GrayFrame;
use crate::card::synth::{background_frame, card_frame, Variant};
use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

/// Why a source gives no frame. Each message says what to do next; the kiosk keeps working
/// with the handheld reader whatever this is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// No camera is connected (or the configured one is not).
    #[error(
        "カメラが見つかりません: カメラを接続するか、ハンディリーダーでカードを読み取ってください / \
         no camera found: connect a camera, or read cards with the handheld reader"
    )]
    NoCamera,
    /// A device exists but cannot capture (wrong kind of node, no usable format, no permission).
    #[error(
        "カメラを使えません ({0}): 別のカメラを接続するか、ハンディリーダーを使ってください / \
         the camera cannot be used ({0}): connect another camera, or use the handheld reader"
    )]
    Unusable(String),
    /// The camera was working and went away (unplugged, USB reset); the reader reopens it.
    #[error(
        "カメラとの接続が切れました ({0}): ケーブルを確認してください。自動で再接続します / \
         the camera disconnected ({0}): check its cable; it is reopened automatically"
    )]
    Disconnected(String),
    /// A replayed or synthetic source has no more frames.
    #[error(
        "再生用の映像が終わりました: 必要なら読み取りを再開してください / \
         the replayed frames have ended: restart the reader if more are needed"
    )]
    EndOfStream,
}

/// Anything that delivers grey frames, one at a time, blocking until the next is there.
///
/// Implementations may block for as long as their device does (nokhwa can block forever on a
/// stalled camera); the reader's watchdog copes with that by abandoning the source.
pub trait FrameSource: Send {
    /// The next frame.
    fn next_frame(&mut self) -> Result<GrayFrame, SourceError>;
}

impl<S: FrameSource + ?Sized> FrameSource for Box<S> {
    fn next_frame(&mut self) -> Result<GrayFrame, SourceError> {
        (**self).next_frame()
    }
}

/// Frames from memory, in order, then [`SourceError::EndOfStream`].
pub struct ReplaySource {
    frames: VecDeque<GrayFrame>,
    interval: Duration,
}

impl ReplaySource {
    /// Replays `frames` as fast as they are asked for.
    pub fn new(frames: impl IntoIterator<Item = GrayFrame>) -> ReplaySource {
        ReplaySource {
            frames: frames.into_iter().collect(),
            interval: Duration::ZERO,
        }
    }

    /// Waits `interval` before each frame, like a camera at `1 / interval` frames per second.
    pub fn with_interval(mut self, interval: Duration) -> ReplaySource {
        self.interval = interval;
        self
    }

    /// Frames not yet delivered.
    pub fn remaining(&self) -> usize {
        self.frames.len()
    }
}

impl fmt::Debug for ReplaySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplaySource")
            .field("remaining", &self.frames.len())
            .field("interval", &self.interval)
            .finish()
    }
}

impl FrameSource for ReplaySource {
    fn next_frame(&mut self) -> Result<GrayFrame, SourceError> {
        let frame = self.frames.pop_front().ok_or(SourceError::EndOfStream)?;
        if !self.interval.is_zero() {
            std::thread::sleep(self.interval);
        }
        Ok(frame)
    }
}

/// What a [`SyntheticSource`] shows. Defaults: no cards, [`Variant::Clean`], 1280×720, each card
/// for 30 frames then 60 frames of empty room, forever, at 30 frames per second, seed 1.
#[derive(Clone)]
pub struct SyntheticOptions {
    /// The card texts shown, in turn.
    pub tokens: Vec<String>,
    /// How the card frames are degraded.
    pub variant: Variant,
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Frames showing each card.
    pub card_frames: usize,
    /// Frames of empty room after each card.
    pub gap_frames: usize,
    /// Passes over `tokens` before [`SourceError::EndOfStream`]; `None` = forever.
    pub loops: Option<usize>,
    /// Wait before each frame (a camera's frame period).
    pub frame_interval: Duration,
    /// Seed for the frames (the same seed gives the same pixels).
    pub seed: u64,
}

impl Default for SyntheticOptions {
    fn default() -> SyntheticOptions {
        SyntheticOptions {
            tokens: Vec::new(),
            variant: Variant::Clean,
            width: 1280,
            height: 720,
            card_frames: 30,
            gap_frames: 60,
            loops: None,
            frame_interval: Duration::from_millis(33),
            seed: 1,
        }
    }
}

impl fmt::Debug for SyntheticOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The tokens are card texts: count them, never show them.
        f.debug_struct("SyntheticOptions")
            .field("tokens", &self.tokens.len())
            .field("variant", &self.variant)
            .field("size", &format_args!("{}×{}", self.width, self.height))
            .field("card_frames", &self.card_frames)
            .field("gap_frames", &self.gap_frames)
            .field("loops", &self.loops)
            .field("frame_interval", &self.frame_interval)
            .finish()
    }
}

/// Shows each token's card for `card_frames` frames, then the empty room for `gap_frames`,
/// cycling through the tokens (see [`SyntheticOptions`]). The frames are drawn once, when the
/// source is made.
pub struct SyntheticSource {
    cards: Vec<GrayFrame>,
    background: GrayFrame,
    options: SyntheticOptions,
    /// Position in the current pass: token index and frame within its card + gap.
    token: usize,
    frame: usize,
    passes: usize,
}

impl SyntheticSource {
    /// Draws the frames for `options`.
    pub fn new(options: SyntheticOptions) -> SyntheticSource {
        let (w, h) = (options.width, options.height);
        let cards = options
            .tokens
            .iter()
            .enumerate()
            .map(|(i, token)| card_frame(token, options.variant, w, h, options.seed + i as u64))
            .collect();
        let background = background_frame(w, h, options.seed);
        SyntheticSource {
            cards,
            background,
            options,
            token: 0,
            frame: 0,
            passes: 0,
        }
    }
}

impl fmt::Debug for SyntheticSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyntheticSource")
            .field("options", &self.options)
            .field("passes", &self.passes)
            .finish()
    }
}

impl FrameSource for SyntheticSource {
    fn next_frame(&mut self) -> Result<GrayFrame, SourceError> {
        let per_token = self.options.card_frames + self.options.gap_frames;
        if self.options.loops.is_some_and(|n| self.passes >= n) || per_token == 0 {
            return Err(SourceError::EndOfStream);
        }
        let frame = match self.cards.get(self.token) {
            Some(card) if self.frame < self.options.card_frames => card.clone(),
            _ => self.background.clone(),
        };
        self.frame += 1;
        if self.frame >= per_token {
            self.frame = 0;
            self.token += 1;
            if self.token >= self.cards.len().max(1) {
                self.token = 0;
                self.passes += 1;
            }
        }
        if !self.options.frame_interval.is_zero() {
            std::thread::sleep(self.options.frame_interval);
        }
        Ok(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_yields_its_frames_then_ends() {
        let mut r = ReplaySource::new([GrayFrame::filled(2, 1, 7), GrayFrame::filled(2, 1, 9)]);
        assert_eq!(r.next_frame().unwrap().data, [7, 7]);
        assert_eq!(r.remaining(), 1);
        assert_eq!(r.next_frame().unwrap().data, [9, 9]);
        assert_eq!(r.next_frame(), Err(SourceError::EndOfStream));
    }

    #[test]
    fn synthetic_shows_each_card_then_a_gap_for_the_given_passes() {
        let mut s = SyntheticSource::new(SyntheticOptions {
            tokens: vec!["K1AAAA".into(), "K1BBBB".into()],
            width: 320,
            height: 240,
            card_frames: 2,
            gap_frames: 1,
            loops: Some(2),
            frame_interval: Duration::ZERO,
            ..SyntheticOptions::default()
        });
        let frames: Vec<GrayFrame> = std::iter::from_fn(|| s.next_frame().ok()).collect();
        assert_eq!(frames.len(), 12, "2 passes × 2 tokens × (2 card + 1 gap)");
        let bg = &frames[2];
        assert_eq!(&frames[5], bg);
        assert_eq!(frames[0], frames[1]);
        assert_ne!(&frames[0], bg);
        assert_ne!(frames[0], frames[3], "two tokens, two different cards");
        assert_eq!(frames[0], frames[6], "the second pass repeats the first");
        assert_eq!(s.next_frame(), Err(SourceError::EndOfStream));
    }

    #[test]
    fn debug_never_shows_tokens() {
        let s = SyntheticSource::new(SyntheticOptions {
            tokens: vec!["K1SECRETTOKEN".into()],
            width: 320,
            height: 240,
            ..SyntheticOptions::default()
        });
        let text = format!("{s:?}");
        assert!(!text.contains("SECRET"), "{text}");
    }

    #[test]
    fn errors_say_what_to_do_in_both_languages() {
        let text = SourceError::NoCamera.to_string();
        assert!(
            text.contains("ハンディリーダー") && text.contains("handheld reader"),
            "{text}"
        );
    }
}
