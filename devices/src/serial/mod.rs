//! The tokio serial link to an analyzer: open a port by path with its settings, keep it open
//! across unplug/replug, decode what arrives into [`ScaleEvent`]s, send commands, list ports,
//! and find a port's settings by listening.
//!
//! Deliberately not here: the protocol itself (sans-IO, [`crate::scale`]) and what a reading
//! means for a participant (the station). Layers, bottom up:
//!
//! - [`termios`], [`port`]: a configured, non-blocking terminal as `AsyncRead + AsyncWrite`.
//! - [`ports`]: listing ports for technicians.
//! - [`state`]: sans-IO — bytes and connection changes in, [`ScaleEvent`]s out.
//! - [`connector`], [`driver`]: one step of the link, generic over the byte stream.
//! - [`link`]: the spawned task and its handle, [`ScaleLink`].
//! - [`preset`]: driving a PC-mode preset exchange over a link.
//! - [`codec`]: the decoder as a `tokio_util` codec, for captures and `FramedRead`.
//! - [`mod@autodetect`]: which [`LinkSettings`](crate::scale::LinkSettings) a port speaks.

pub mod autodetect;
pub mod codec;
pub mod command;
pub mod connector;
pub mod driver;
pub mod error;
pub mod event;
pub mod link;
pub mod options;
pub mod port;
pub mod ports;
pub mod preset;
pub mod state;
pub mod termios;

pub use autodetect::{
    autodetect, autodetect_on, AutodetectError, AutodetectOptions, AutodetectProgress,
    CandidateOutcome, Detected, Evidence,
};
pub use codec::{CodecError, ScaleCodec};
pub use command::{command_channel, CommandSender, Outgoing};
pub use connector::{plug, Connector, Opened, PathConnector, Plug, PlugConnector};
pub use driver::{LinkDriver, Step};
pub use error::{LinkError, SendError};
pub use event::{AnalyzerIdentity, Direction, DisconnectReason, ScaleEvent};
pub use link::ScaleLink;
pub use options::{Backoff, BackoffState, LinkOptions};
pub use port::{Retune, SerialPort};
pub use ports::{list_ports, PortInfo, PortKind, UsbIdentity};
pub use preset::{run_preset, PresetError};
pub use state::LinkState;
