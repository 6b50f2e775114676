//! Participant cards on the central server: the program's card key (the only place tags are
//! made) and the printable card sheets.
//!
//! Deliberately not here: where cards are stored (`storage`), and checking a scanned card at a
//! station (`hakaru_station::cards`, against the tag hashes the change feed carries).

pub mod key;
/// The printable card sheets (the `hakaru-card-sheet` crate, shared with the kiosk).
pub use hakaru_card_sheet as sheet;
