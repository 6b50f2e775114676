//! The measurement session: idle → identified (card) → consent check → safety question → scale
//! preset → weighing → reading received → recorded → results → idle, as a sans-IO state machine
//! with an injected clock (model: quinn-proto's `Connection`).
//!
//! Deliberately not here: the store, the serial link, card verification and the UI. The driver
//! (the kiosk app, tests) executes each [`Action`] and feeds the answer back as an [`Input`];
//! every transition comes out as an [`Event`] the UI renders.
//!
//! ```text
//! CardScanned ─▶ LookingUp ─ParticipantLoaded─▶ Consent? ─ConsentAnswered─▶ SavingConsent
//!                                   │ (on file)                               │ ConsentSaved
//!                                   ▼                                         ▼
//!                   SafetyQuestion (skipped when the roster says implanted) ◀─┘
//!                                   │ SafetyAnswered
//!                                   ▼
//!                  Presetting ─Preset(Measuring)─▶ Weighing ─Reading/Weight─▶ Recording
//!                                                                            │ Recorded
//!                                                                            ▼
//!                                      Results ─Finish/idle─▶ Closing / wipe ─▶ Idle
//! ```
//!
//! Modules: [`config`] (timeouts and defaults), [`consent`] (the pure "consent needed?"
//! decision), [`measurement`] (echo check, weight-only filter), [`input`], [`output`],
//! [`words`] (every sentence on screen), and the machine itself.

pub mod config;
pub mod consent;
pub mod input;
mod machine;
pub mod measurement;
pub mod output;
pub mod words;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use config::{ConfigError, SessionConfig, MIN_WARNING};
pub use consent::{consent_needed, ConsentNeed, ConsentReason};
pub use input::{Inactive, Input, ParticipantRecord, Points, SessionId};
pub use machine::Session;
pub use measurement::{EchoField, MeasuredValues, Measurement, MeasurementMode, RefusalReason};
pub use output::{Action, EndReason, Event, Stage, WipeReason};
pub use words::Words;
