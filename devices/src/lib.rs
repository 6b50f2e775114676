//! Hakaru's hardware layer: what analyzers and card readers send, and how we talk to them.
//!
//! - [`scale`]: the sans-IO protocol layer — bytes in, typed frames, readings, replies and
//!   errors out. No I/O, no async, no clock.
//! - [`serial`]: the tokio serial link that owns a port, reconnects, auto-detects settings and
//!   emits [`serial::ScaleEvent`]s.
//! - [`sim`]: a virtual analyzer on an in-process pseudo-terminal, for tests and demos.
//! - [`card`]: card readers — camera frames to QR text, handheld serial and keyboard-wedge readers.
//! - [`redact`]: the wrapper that keeps personal values out of `Debug` and logs.
//!
//! Deliberately not here: who the person on the scale is, consent, storage — that is the
//! station's business. This crate only knows what the device said.

#[cfg(feature = "card-readers")]
pub mod card;
pub mod redact;
pub mod scale;
pub mod serial;
pub mod sim;
