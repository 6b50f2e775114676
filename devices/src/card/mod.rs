//! Card readers: the camera (frames → QR decode → deduplicated reads), handheld readers in serial
//! mode, and the keyboard-wedge burst classifier — each delivers a [`CardRead`].
//!
//! - [`frame`]: the grey frame every camera path works on.
//! - [`decode`]: QR decoding of a grey frame (rxing, with a local-contrast fallback pass).
//! - [`synth`]: synthetic camera frames of a card (pose, blur, noise, light, glare, occlusion)
//!   for the tests, the benchmarks and demo mode.
//! - [`camera`]: the `FrameSource` seam (nokhwa, replay, synthetic), the capture and decode
//!   threads, the camera status and the preview stream.
//! - [`handheld`]: serial-mode (USB CDC-ACM) readers and keyboard-wedge bursts.
//!
//! Deliberately not here: whether a card is genuine, current and on the roster — that is the
//! station's check (`station::cards`) against what the central server synced. A reader only
//! says what text it saw; [`hakaru_wire::card::CardToken::parse`] is used here only to tell a
//! card-shaped text from typing or another QR code.

pub mod camera;
pub mod decode;
pub mod frame;
pub mod handheld;
pub mod synth;

use crate::redact::REDACTED;
use std::fmt;

/// Which kind of reader saw a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadVia {
    /// The kiosk's camera.
    Camera,
    /// A handheld reader in serial (USB CDC-ACM) mode.
    SerialReader,
    /// A handheld reader typing as a keyboard (recognised by its burst timing).
    KeyboardWedge,
}

/// Text a reader delivered, for the station to verify. Its `Debug` form hides the text (a card
/// token names its holder).
#[derive(Clone, PartialEq, Eq)]
pub struct CardRead {
    /// Exactly what the reader delivered, line endings removed.
    pub text: String,
    /// Which reader.
    pub via: ReadVia,
}

impl fmt::Debug for CardRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardRead")
            .field("text", &format_args!("{REDACTED}"))
            .field("via", &self.via)
            .finish()
    }
}
