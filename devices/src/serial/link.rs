//! The running link: a tokio task that owns the port through a [`LinkDriver`], reconnects by
//! itself, and delivers [`ScaleEvent`]s to one consumer; [`ScaleLink`] is the owner's handle.
//!
//! Deliberately not here: the per-step logic ([`super::driver`]), decoding ([`super::state`]),
//! opening ports ([`super::connector`]).

use super::command::{command_channel, CommandSender};
use super::connector::{Connector, PathConnector};
use super::driver::LinkDriver;
use super::error::SendError;
use super::event::ScaleEvent;
use super::options::LinkOptions;
use crate::scale::{Command, LinkSettings};
use std::path::PathBuf;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Handle to a running link. Dropping it stops the task and closes the port.
#[derive(Debug)]
pub struct ScaleLink {
    events: mpsc::Receiver<ScaleEvent>,
    commands: CommandSender,
    cancel: CancellationToken,
    task: JoinHandle<()>,
}

impl ScaleLink {
    /// Opens the serial port at `path` with `settings`, and keeps it open: when the device
    /// disappears the link reports [`ScaleEvent::Disconnected`] and re-opens the same path
    /// with backoff until it is back. Must be called inside a tokio runtime.
    pub fn open(
        path: impl Into<PathBuf>,
        settings: LinkSettings,
        options: LinkOptions,
    ) -> ScaleLink {
        ScaleLink::spawn(
            PathConnector {
                path: path.into(),
                settings,
            },
            options,
        )
    }

    /// Runs a link on streams from any [`Connector`] (e.g. [`super::plug`] for in-memory
    /// duplexes).
    pub fn spawn<C: Connector>(connector: C, options: LinkOptions) -> ScaleLink {
        let (commands, command_rx) = command_channel(options.dialect);
        let (events_tx, events) = mpsc::channel(options.event_capacity.max(1));
        let cancel = CancellationToken::new();
        let driver = LinkDriver::new(connector, options, command_rx);
        let task = tokio::spawn(run(driver, events_tx, cancel.clone()));
        ScaleLink {
            events,
            commands,
            cancel,
            task,
        }
    }

    /// The next event; `None` once the link has stopped and every event was delivered.
    pub async fn next_event(&mut self) -> Option<ScaleEvent> {
        self.events.recv().await
    }

    /// The next event if one is ready, without waiting.
    pub fn try_next_event(&mut self) -> Option<ScaleEvent> {
        self.events.try_recv().ok()
    }

    /// A cloneable handle for sending commands.
    pub fn commands(&self) -> CommandSender {
        self.commands.clone()
    }

    /// Encodes and writes one command (see [`CommandSender::send`]).
    pub async fn send(&self, command: &Command) -> Result<(), SendError> {
        self.commands.send(command).await
    }

    /// Stops the link: the port is closed, [`ScaleEvent::Disconnected`] (closed) is the last
    /// event if it was connected, and then [`ScaleLink::next_event`] returns `None`.
    pub fn close(&self) {
        self.cancel.cancel();
    }

    /// Whether the task has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl Drop for ScaleLink {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

async fn run<C: Connector>(
    mut driver: LinkDriver<C>,
    events: mpsc::Sender<ScaleEvent>,
    cancel: CancellationToken,
) {
    loop {
        while let Some(event) = driver.poll_event() {
            tokio::select! {
                sent = events.send(event) => if sent.is_err() { return },
                () = cancel.cancelled() => break,
            }
        }
        if cancel.is_cancelled() {
            driver.close();
            while let Some(event) = driver.poll_event() {
                if events.try_send(event).is_err() {
                    break;
                }
            }
            tracing::debug!("link closed");
            return;
        }
        tokio::select! {
            () = cancel.cancelled() => {}
            () = events.closed() => return,
            _ = driver.step() => {}
        }
    }
}
