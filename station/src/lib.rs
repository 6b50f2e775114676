//! The station's core — the kiosk's brain, with no Tauri and no UI: who is measuring, whether
//! they consented to the current documents, turning a scale reading into a durable record and
//! queueing it for the central server.
//!
//! Deliberately not here: talking to the analyzer (that is `hakaru-devices`), drawing screens
//! (the kiosk UI), and the server's API (the central-server crate).

pub mod domain;
pub mod session;
pub mod store;
