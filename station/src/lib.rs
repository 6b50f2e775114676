//! The station's core — the kiosk's brain, with no Tauri and no UI: who is measuring, whether
//! they consented to the current documents, turning a scale reading into a durable record and
//! queueing it for the central server.
//!
//! [`driver::Station`] carries out the session's actions against the store;
//! [`scale_feed::ScaleFeed`] connects it to a running scale link. Deliberately not here: the
//! analyzer's protocol and the serial port (that is `hakaru-devices`), drawing screens (the
//! kiosk UI), and the server's API (the central-server crate).

pub mod calibration;
pub mod cards;
pub mod domain;
pub mod driver;
pub mod scale_feed;
pub mod session;
pub mod staff;
pub mod store;
pub mod sync;
pub mod weight_only;

pub use calibration::{AnalyzerDates, CalibrationPlan, CalibrationRun, Gate, GateReason};
pub use driver::{PresetRequest, Refusal, ScaleRequest, Station, StationError, StationStats};
pub use scale_feed::{
    CardText, CardVerdict, Clock, Fed, FeedInput, FeedOutput, LinkNote, ScaleFeed, SystemClock,
    TapFrame, WeighError,
};
