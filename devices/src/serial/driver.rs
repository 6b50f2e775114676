//! The link's worker, one step at a time: connect (with backoff), read once, or write one
//! command. Generic over a [`Connector`], so tests run it on `tokio::io::duplex` streams and
//! drain events between steps without sleeping (GUIDE example 10).
//!
//! Deliberately not here: spawning and the event channel ([`super::link`]); decoding and
//! identity ([`super::state`]).

use super::command::Outgoing;
use super::connector::{Connector, Opened};
use super::error::{LinkError, SendError};
use super::event::{DisconnectReason, ScaleEvent};
use super::options::{BackoffState, LinkOptions};
use super::port::is_device_gone;
use super::state::LinkState;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

const READ_CHUNK: usize = 4096;

/// What one [`LinkDriver::step`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A stream was opened.
    Connected,
    /// Opening failed; a retry is scheduled.
    ConnectFailed,
    /// This many bytes were read (events may be ready).
    Read(usize),
    /// The connection ended.
    Disconnected,
    /// A command was written.
    Wrote,
    /// A command was refused (not connected, or the write failed).
    CommandRefused,
    /// Every command sender is gone; nothing else happened.
    CommandsClosed,
}

struct Connection<T> {
    io: T,
    path: PathBuf,
}

/// See the module documentation.
pub struct LinkDriver<C: Connector> {
    connector: C,
    options: LinkOptions,
    state: LinkState,
    backoff: BackoffState,
    connection: Option<Connection<C::Io>>,
    retry_at: Option<Instant>,
    last_write: Option<Instant>,
    commands: Option<mpsc::Receiver<Outgoing>>,
    buf: Box<[u8]>,
}

impl<C: Connector> std::fmt::Debug for LinkDriver<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkDriver")
            .field("connected", &self.connection.is_some())
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

enum Woke<T> {
    Read(std::io::Result<usize>),
    Command(Option<Outgoing>),
    Connect(Result<Opened<T>, LinkError>),
}

impl<C: Connector> LinkDriver<C> {
    /// A driver that will connect through `connector` and take commands from `commands`
    /// (see [`super::command_channel`]).
    pub fn new(
        connector: C,
        options: LinkOptions,
        commands: mpsc::Receiver<Outgoing>,
    ) -> LinkDriver<C> {
        LinkDriver {
            connector,
            options,
            state: LinkState::new(options.tap_raw),
            backoff: BackoffState::new(options.backoff),
            connection: None,
            retry_at: None,
            last_write: None,
            commands: Some(commands),
            buf: vec![0; READ_CHUNK].into_boxed_slice(),
        }
    }

    /// The next event produced so far, if any.
    pub fn poll_event(&mut self) -> Option<ScaleEvent> {
        self.state.poll_event()
    }

    /// The sans-IO state (identity, decoder counters).
    pub fn state(&self) -> &LinkState {
        &self.state
    }

    /// Whether a stream is open.
    pub fn is_connected(&self) -> bool {
        self.connection.is_some()
    }

    /// Waits for the next thing to do and does it: when disconnected, waits out the backoff
    /// and connects; when connected, reads once or writes one command. Commands that arrive
    /// while disconnected are refused at once ([`SendError::NotConnected`]). Cancel-safe
    /// except in the middle of writing a command.
    pub async fn step(&mut self) -> Step {
        let woke = {
            let commands_rx = &mut self.commands;
            let commands = async move {
                match commands_rx.as_mut() {
                    Some(rx) => rx.recv().await,
                    None => std::future::pending().await,
                }
            };
            match self.connection.as_mut() {
                // Unbiased: a device that streams without pause must not starve commands.
                Some(conn) => tokio::select! {
                    n = conn.io.read(&mut self.buf) => Woke::Read(n),
                    c = commands => Woke::Command(c),
                },
                None => {
                    let retry_at = self.retry_at;
                    let connector = &mut self.connector;
                    let connect = async move {
                        if let Some(at) = retry_at {
                            tokio::time::sleep_until(at).await;
                        }
                        connector.connect().await
                    };
                    tokio::select! {
                        biased;
                        c = commands => Woke::Command(c),
                        r = connect => Woke::Connect(r),
                    }
                }
            }
        };
        match woke {
            Woke::Read(Ok(0)) => {
                self.disconnect(DisconnectReason::DeviceGone);
                Step::Disconnected
            }
            Woke::Read(Ok(n)) => {
                self.state.received(&self.buf[..n]);
                Step::Read(n)
            }
            Woke::Read(Err(e)) => {
                let reason = reason_for(self.connection.as_ref().map(|c| &c.path), e);
                self.disconnect(reason);
                Step::Disconnected
            }
            Woke::Command(None) => {
                self.commands = None;
                Step::CommandsClosed
            }
            Woke::Command(Some(out)) => self.write(out).await,
            Woke::Connect(Ok(opened)) => {
                tracing::info!(path = %opened.path.display(), settings = %opened.settings, "connected");
                self.backoff.reset();
                self.retry_at = None;
                self.state.connected(opened.path.clone(), opened.settings);
                self.connection = Some(Connection {
                    io: opened.io,
                    path: opened.path,
                });
                Step::Connected
            }
            Woke::Connect(Err(error)) => {
                if !error.is_transient() {
                    self.backoff.give_up_quick_retries();
                }
                let delay = self.backoff.next_delay();
                tracing::warn!(%error, retry_in_ms = delay.as_millis() as u64, "cannot connect");
                self.retry_at = Some(Instant::now() + delay);
                self.state.connect_failed(error, delay);
                Step::ConnectFailed
            }
        }
    }

    /// Ends the connection as the owner's decision: a cut frame is reported, then
    /// [`ScaleEvent::Disconnected`] with [`DisconnectReason::Closed`].
    pub fn close(&mut self) {
        self.disconnect(DisconnectReason::Closed);
    }

    async fn write(&mut self, out: Outgoing) -> Step {
        let Some(conn) = self.connection.as_mut() else {
            out.finish(Err(SendError::NotConnected));
            return Step::CommandRefused;
        };
        let path = conn.path.clone();
        if let Some(last) = self.last_write {
            tokio::time::sleep_until(last + self.options.command_spacing).await;
        }
        let result = async {
            conn.io.write_all(&out.bytes).await?;
            conn.io.flush().await
        }
        .await;
        self.last_write = Some(Instant::now());
        match result {
            Ok(()) => {
                self.state.sent(&out.bytes);
                out.finish(Ok(()));
                Step::Wrote
            }
            Err(e) => {
                let kind = e.kind();
                let reason = reason_for(Some(&path), e);
                let error = match &reason {
                    DisconnectReason::Io { error } => error.clone(),
                    _ => LinkError::Io {
                        path,
                        source: Arc::new(std::io::Error::from(kind)),
                    },
                };
                out.finish(Err(SendError::Write(error)));
                self.disconnect(reason);
                Step::CommandRefused
            }
        }
    }

    fn disconnect(&mut self, reason: DisconnectReason) {
        if let Some(conn) = self.connection.take() {
            tracing::info!(path = %conn.path.display(), ?reason, "disconnected");
            self.state.disconnected(reason);
            self.retry_at = Some(Instant::now() + self.backoff.next_delay());
        }
    }
}

fn reason_for(path: Option<&PathBuf>, error: std::io::Error) -> DisconnectReason {
    if is_device_gone(&error) {
        return DisconnectReason::DeviceGone;
    }
    DisconnectReason::Io {
        error: LinkError::Io {
            path: path.cloned().unwrap_or_default(),
            source: Arc::new(error),
        },
    }
}
