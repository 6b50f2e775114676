//! Classifying one complete line from the port: a measurement frame, a weight line, a PC-mode
//! reply, a device status — or something to skip. Lines are not assumed to be results
//! (reference §2: replies, weight lines and junk share the port).

use crate::scale::pc_mode::Reply;
use crate::scale::status::DeviceStatus;
use crate::scale::tanita::{FrameError, Reading, ReadingError, TanitaFrame};
use crate::scale::weight::WeightReading;

/// Why bytes from the port did not become a reading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum DecodeError {
    /// The frame itself is bad (checksum, truncation, structure).
    #[error("{0}")]
    Frame(#[from] FrameError),
    /// The frame verified but a field could not be read.
    #[error("{0}")]
    Reading(#[from] ReadingError),
    /// A line grew past the buffer bound without a line end; it was dropped.
    #[error("line longer than {limit} bytes without a line end; dropped")]
    Overlong {
        /// The bound.
        limit: usize,
    },
}

impl DecodeError {
    /// What a technician should do about it, Japanese then English.
    pub fn advice(&self) -> &'static str {
        match self {
            DecodeError::Frame(FrameError::ChecksumMismatch { .. }) | DecodeError::Frame(FrameError::BadByte { .. }) => {
                "通信設定(ボーレート・パリティ)とケーブルを確認してください / check the baud rate, parity and cable"
            }
            DecodeError::Frame(FrameError::Truncated) => {
                "測定をやり直してください(途中で切断されました) / measure again: the frame was cut off"
            }
            DecodeError::Overlong { .. } => {
                "通信設定を確認してください(行末が届きません) / check the line settings: no line end arrived"
            }
            _ => "体組成計の機種設定を確認してください / check that the analyzer model is supported",
        }
    }
}

/// What one line was.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum LineKind {
    /// A verified body-composition or key/value weight frame.
    Reading(Box<Reading>),
    /// A weight-only line.
    Weight(WeightReading),
    /// A PC-mode reply.
    Reply(Reply),
    /// An `E<n>` status.
    Status(DeviceStatus),
    /// A frame that failed verification.
    Rejected(DecodeError),
    /// Not something we know; skipped (e.g. WB-3000's post-frame junk).
    Unknown,
}

/// Classifies one line (no CR/LF, not empty).
pub fn classify(line: &[u8]) -> LineKind {
    if line.first() == Some(&b'{') {
        return match TanitaFrame::parse(line) {
            Ok(frame) => match Reading::from_frame(frame) {
                Ok(r) => LineKind::Reading(Box::new(r)),
                Err(e) => LineKind::Rejected(e.into()),
            },
            Err(e) => LineKind::Rejected(e.into()),
        };
    }
    if let Some(s) = DeviceStatus::parse(line) {
        return LineKind::Status(s);
    }
    if let Some(w) = WeightReading::parse(line) {
        return LineKind::Weight(w);
    }
    if let Some(r) = Reply::parse(line) {
        return LineKind::Reply(r);
    }
    LineKind::Unknown
}
