//! The kiosk camera as a card reader: frames from a [`FrameSource`] (nokhwa, replay or
//! synthetic) → grey → QR decode → deduplicated [`CameraEvent::Read`]s, plus the camera's
//! [`CameraStatus`] and a low-rate [`PreviewFrame`] stream so the UI can show where to hold the
//! card (reference/qr-cards.md §2.4).
//!
//! Deliberately not here: the QR decoder itself ([`super::decode`]), the synthetic frames
//! ([`super::synth`]) and whether a text is a genuine card (the station). Layers:
//!
//! - [`source`]: the [`FrameSource`] seam, [`SourceError`], [`ReplaySource`], [`SyntheticSource`].
//! - [`device`]: [`NokhwaSource`] — a real camera through nokhwa, and the format → grey conversion.
//! - [`dedup`], [`supervisor`], [`preview`]: sans-IO decisions with the time passed in (one read
//!   per card shown; watchdog, reconnect backoff and status; preview pacing and downscaling).
//! - [`slot`]: the capacity-1 latest-frame hand-over between the capture and decode threads.
//! - [`reader`]: the threads and their handle, [`CameraReader`].

pub mod dedup;
pub mod device;
pub mod preview;
pub mod reader;
pub mod slot;
pub mod source;
pub mod supervisor;

pub use dedup::ReadDedup;
pub use device::{buffer_to_gray, map_nokhwa_error, CameraChoice, NokhwaOptions, NokhwaSource};
pub use preview::{downscale, PreviewConfig, PreviewFrame, PreviewPacer};
pub use reader::{CameraConfig, CameraEvent, CameraReader, CameraStats, SourceFactory};
pub use source::{FrameSource, ReplaySource, SourceError, SyntheticOptions, SyntheticSource};
pub use supervisor::{CameraStatus, Supervisor, SupervisorOptions};
