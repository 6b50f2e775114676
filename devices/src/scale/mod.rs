//! The sans-IO scale protocol layer: bytes → lines → frames → readings, and commands → bytes.
//!
//! Nothing here does I/O, spawns, or reads a clock. Layering follows tokio-modbus: frame types
//! ([`tanita`], [`weight`], [`pc_mode`], [`status`]), a classifier ([`line`](mod@line)), the streaming
//! decoder ([`decoder`]); the codec and link live in [`crate::serial`].

pub mod checksum;
pub mod decoder;
pub mod exchange;
pub mod fixtures;
pub mod line;
pub mod models;
pub mod pc_mode;
pub mod settings;
pub mod status;
pub mod tanita;
pub mod units;
pub mod weight;

pub use decoder::{decode_all, DecodeEvent, DecoderStats, StreamDecoder, MAX_LINE};
pub use exchange::{ExchangeError, ExchangeEvent, Preset, PresetExchange};
pub use line::{classify, DecodeError, LineKind};
pub use models::{ModelProfile, OutputKind};
pub use pc_mode::{Command, CommandError, Dialect, PresetSlot, Reply, StartCommand};
pub use settings::{FlowControl, LinkSettings, Parity};
pub use status::{DeviceStatus, ErrorCode};
pub use tanita::{Reading, TanitaFrame};
pub use weight::{Stability, WeightFormat, WeightReading};
