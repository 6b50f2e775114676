//! Where a link gets its byte stream from, each time it (re)connects: the [`Connector`] trait,
//! [`PathConnector`] (a serial port opened by path) and [`PlugConnector`] (streams handed in
//! by the caller — in-memory duplexes in tests, a simulator, a replay).
//!
//! Deliberately not here: what to do with the stream ([`super::driver`]) and when to retry.

use super::error::LinkError;
use super::port::SerialPort;
use crate::scale::LinkSettings;
use std::future::Future;
use std::path::PathBuf;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;

/// A byte stream that was just opened, and how to describe it.
#[derive(Debug)]
pub struct Opened<T> {
    /// The stream.
    pub io: T,
    /// The path (or a name) for [`super::ScaleEvent::Connected`].
    pub path: PathBuf,
    /// The settings in force.
    pub settings: LinkSettings,
}

/// Opens the stream a link runs on; called again after every disconnect.
pub trait Connector: Send + 'static {
    /// The stream type.
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;

    /// Opens the stream. Must be cancel-safe: the link drops the future when a command comes
    /// in while it waits, and calls again later.
    fn connect(&mut self) -> impl Future<Output = Result<Opened<Self::Io>, LinkError>> + Send;
}

/// Opens a serial port by path with fixed settings (works for ptys and symlinks to them).
#[derive(Debug, Clone)]
pub struct PathConnector {
    /// The device path, e.g. `/dev/ttyUSB0` or a simulator's symlink.
    pub path: PathBuf,
    /// The line settings.
    pub settings: LinkSettings,
}

impl Connector for PathConnector {
    type Io = SerialPort;

    async fn connect(&mut self) -> Result<Opened<SerialPort>, LinkError> {
        let io = SerialPort::open(&self.path, &self.settings)?;
        Ok(Opened {
            io,
            path: self.path.clone(),
            settings: self.settings,
        })
    }
}

/// Connects to whatever stream is plugged in next through the paired [`Plug`]; waits while
/// none is. When the plug is dropped, it waits forever.
#[derive(Debug)]
pub struct PlugConnector<T> {
    streams: mpsc::UnboundedReceiver<Opened<T>>,
}

/// Hands streams to a [`PlugConnector`].
#[derive(Debug, Clone)]
pub struct Plug<T> {
    streams: mpsc::UnboundedSender<Opened<T>>,
}

/// A connected pair: plug streams in on one side, the link takes them on the other.
pub fn plug<T>() -> (Plug<T>, PlugConnector<T>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Plug { streams: tx }, PlugConnector { streams: rx })
}

impl<T> Plug<T> {
    /// Makes `io` the link's next connection, described as `path` with `settings`.
    /// Returns `false` if the link is gone.
    pub fn plug_in(&self, io: T, path: impl Into<PathBuf>, settings: LinkSettings) -> bool {
        self.streams
            .send(Opened {
                io,
                path: path.into(),
                settings,
            })
            .is_ok()
    }
}

impl<T> Connector for PlugConnector<T>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Io = T;

    async fn connect(&mut self) -> Result<Opened<T>, LinkError> {
        match self.streams.recv().await {
            Some(opened) => Ok(opened),
            None => std::future::pending().await,
        }
    }
}
