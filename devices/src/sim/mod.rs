//! A virtual analyzer on an in-process pseudo-terminal, for tests and demos: it speaks the
//! chosen model's format at the real line rate, answers PC-mode commands in the model's
//! dialect, and commits faults on demand. Real hardware and the link that reads it are
//! deliberately not here ([`crate::serial`]).
//!
//! Layers, each its own module:
//! - [`device`]: the sans-IO state machine (commands, measurements, faults → lines to send);
//! - [`body`], [`frames`], [`clock`], [`rng`]: consistent values and their wire formats;
//! - [`fault`]: fault names (`noise`, `truncate`, `bad-checksum`, `wrong-baud`, `unplug`,
//!   `silence`, `error:E2`, `serial:12345678`, `drift:+0.5`, `junk`);
//! - [`uart`]: what a receiver at the wrong baud makes of the bytes;
//! - [`pacing`]: line-rate arithmetic;
//! - [`pty`], [`runner`]: the pty with its stable path and the thin tokio task
//!   ([`Simulator`]).

pub mod body;
pub mod clock;
pub mod device;
pub mod fault;
pub mod frames;
pub mod pacing;
pub mod pty;
pub mod rng;
pub mod runner;
pub mod uart;

pub use body::{Body, Person, PersonError};
pub use clock::DeviceClock;
pub use device::{Action, Device, DeviceConfig, DeviceStats, Transmit, TransmitKind};
pub use fault::{Fault, FaultParseError};
pub use pty::PtyError;
pub use rng::Rng;
pub use runner::{SimConfig, SimError, SimStatus, Simulator};
