//! The facts a station tells the central server, as serde types shared by both sides.
//!
//! Deliberately not here: HTTP routes, authentication and storage (the central server), and
//! anything the station keeps only for itself.

pub mod api;
pub mod card;
pub mod event;
pub mod time;

pub use event::{
    CalibrationRecorded, CardEvent, ConsentAction, ConsentMethod, ConsentRecorded, EventId,
    EventKind, MeasurementRecorded, OutboxEvent, ParticipantRegistered, ReferenceWeightCheck, Sex,
};
pub use time::Timestamp;
