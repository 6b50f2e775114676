//! Participant cards on the central server: issuance and printable sheets.

pub mod sheet;
