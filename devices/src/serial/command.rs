//! Sending commands through a running link: [`CommandSender`] encodes a
//! [`Command`] in the link's dialect and hands the bytes to the link
//! task, which owns the port and does the writing.
//!
//! Deliberately not here: waiting for or matching the analyzer's reply (replies arrive as
//! [`super::ScaleEvent::Reply`]); preset sequences belong to the station's session.

use super::error::SendError;
use crate::scale::{Command, Dialect};
use tokio::sync::{mpsc, oneshot};

/// Bytes to write, and where to say how it went.
#[derive(Debug)]
pub struct Outgoing {
    /// Encoded bytes, CR LF included.
    pub bytes: Vec<u8>,
    /// Told once the bytes are written, or why not.
    pub done: oneshot::Sender<Result<(), SendError>>,
}

impl Outgoing {
    /// Tells the sender how it went (ignored if the sender stopped waiting).
    pub fn finish(self, result: Result<(), SendError>) {
        let _ = self.done.send(result);
    }
}

/// A cloneable handle for sending commands to the analyzer.
#[derive(Debug, Clone)]
pub struct CommandSender {
    tx: mpsc::Sender<Outgoing>,
    dialect: Dialect,
}

/// A sender and the receiving end the link task reads from.
pub fn command_channel(dialect: Dialect) -> (CommandSender, mpsc::Receiver<Outgoing>) {
    let (tx, rx) = mpsc::channel(16);
    (CommandSender { tx, dialect }, rx)
}

impl CommandSender {
    /// Encodes and sends `command`; returns once it is written to the port. Fails without
    /// sending when the parameter is out of range or the analyzer is not connected.
    pub async fn send(&self, command: &Command) -> Result<(), SendError> {
        let bytes = command.encode(self.dialect)?;
        tracing::debug!(command = command.ack_name(), "sending command");
        self.send_bytes(bytes).await
    }

    /// Sends bytes as they are (a technician's raw line; include CR LF yourself).
    pub async fn send_bytes(&self, bytes: Vec<u8>) -> Result<(), SendError> {
        let (done, result) = oneshot::channel();
        self.tx
            .send(Outgoing { bytes, done })
            .await
            .map_err(|_| SendError::LinkClosed)?;
        result.await.map_err(|_| SendError::LinkClosed)?
    }

    /// The dialect commands are encoded in.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }
}
