//! Handheld card readers: serial-mode (USB CDC-ACM) readers as a tokio task that owns the port,
//! and keyboard-wedge readers recognised by the timing and shape of their key bursts.
//!
//! Deliberately not here: whether a card is genuine (the station verifies what a reader saw),
//! capturing key events (the web UI forwards `keydown`s; see reference/qr-cards.md §3.2) and
//! opening ports (reused from [`crate::serial`]: [`crate::serial::SerialPort`], its
//! [`crate::serial::Connector`]s, backoff and disconnect classification).
//!
//! - [`lines`]: sans-IO — bytes in, bounded lines out (CR, LF or CR LF; over-long and
//!   non-UTF-8 lines discarded and counted).
//! - [`status`]: what a serial reader reports about its port, in Japanese and English.
//! - [`serial`]: the spawned task and its handle, [`SerialCardReader`].
//! - [`keymap`]: `KeyboardEvent.code` → character, on the US layout whatever the host's layout.
//! - [`wedge`]: sans-IO — key events in, [`super::CardRead`]s or a drop reason out.

pub mod keymap;
pub mod lines;
pub mod serial;
pub mod status;
pub mod wedge;

pub use keymap::{us_key, Key};
pub use lines::{Line, LineDrop, LineSplitter};
pub use serial::{LineCounts, SerialCardReader, SerialReaderOptions};
pub use status::ReaderStatus;
pub use wedge::{BurstDrop, DropCounts, KeyEvent, Verdict, WedgeClassifier, WedgeOptions};
