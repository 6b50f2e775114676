//! A serial-mode (USB CDC-ACM) card reader as a tokio task: it owns the configured port path
//! (e.g. `/dev/serial/by-id/usb-…-if00`, or a pty's path in tests), turns each line into a
//! [`CardRead`] on the owner's channel, reopens the path with backoff when the reader is
//! unplugged, and reports [`ReaderStatus`] changes; [`SerialCardReader`] is the owner's handle.
//!
//! Deliberately not here: line splitting ([`super::lines`]), opening and configuring ports
//! ([`crate::serial::SerialPort`] through a [`Connector`]), and checking what was read.

use super::lines::{Line, LineDrop, LineSplitter};
use super::status::ReaderStatus;
use crate::card::{CardRead, ReadVia};
use crate::scale::LinkSettings;
use crate::serial::port::is_device_gone;
use crate::serial::{Backoff, BackoffState, Connector, DisconnectReason, LinkError, PathConnector};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How a serial card reader behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SerialReaderOptions {
    /// Line settings. A CDC-ACM reader ignores them; an RS-232 reader behind a USB adapter
    /// needs its configured speed (9600-8N1 is the common default).
    pub settings: LinkSettings,
    /// Reopen delays after an unplug or a failed open.
    pub backoff: Backoff,
    /// Longest line kept, in bytes; longer lines are discarded (a card token is 36).
    pub max_line: usize,
    /// Status events buffered for a slow consumer; beyond that they are dropped and counted
    /// (reads are never dropped).
    pub status_capacity: usize,
}

impl Default for SerialReaderOptions {
    /// 9600-8N1, backoff 1 s doubling to 10 s, lines up to 256 bytes, 64 statuses.
    fn default() -> SerialReaderOptions {
        SerialReaderOptions {
            settings: LinkSettings::new_8n1(9600),
            backoff: Backoff {
                initial: Duration::from_secs(1),
                max: Duration::from_secs(10),
            },
            max_line: 256,
            status_capacity: 64,
        }
    }
}

/// How many lines the reader delivered and discarded since it started (for a debug counter;
/// no text).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LineCounts {
    /// Lines delivered as [`CardRead`]s.
    pub delivered: u64,
    /// Lines over [`SerialReaderOptions::max_line`].
    pub too_long: u64,
    /// Lines that were not UTF-8.
    pub not_utf8: u64,
    /// Lines cut by a disconnect.
    pub cut: u64,
    /// Status events dropped because the status consumer was behind.
    pub statuses_dropped: u64,
}

#[derive(Debug, Default)]
struct Counters {
    delivered: AtomicU64,
    too_long: AtomicU64,
    not_utf8: AtomicU64,
    cut: AtomicU64,
    statuses_dropped: AtomicU64,
}

impl Counters {
    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn dropped(&self, why: LineDrop) {
        tracing::debug!(?why, "card reader line discarded");
        Counters::bump(match why {
            LineDrop::TooLong => &self.too_long,
            LineDrop::NotUtf8 => &self.not_utf8,
            LineDrop::Cut => &self.cut,
        });
    }

    fn snapshot(&self) -> LineCounts {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        LineCounts {
            delivered: get(&self.delivered),
            too_long: get(&self.too_long),
            not_utf8: get(&self.not_utf8),
            cut: get(&self.cut),
            statuses_dropped: get(&self.statuses_dropped),
        }
    }
}

/// Handle to a running serial card reader. Dropping it stops the task and closes the port.
#[derive(Debug)]
pub struct SerialCardReader {
    status: mpsc::Receiver<ReaderStatus>,
    counters: Arc<Counters>,
    cancel: CancellationToken,
    task: JoinHandle<()>,
}

impl SerialCardReader {
    /// Opens the reader at `path` and keeps it open: each line it sends becomes a
    /// [`CardRead`] (via [`ReadVia::SerialReader`]) on `reads`. A missing path is a
    /// [`ReaderStatus::NotFound`] and is retried with backoff, never an error. The task ends
    /// when stopped, when the handle is dropped, or when `reads` has no receiver. Must be
    /// called inside a tokio runtime.
    pub fn open(
        path: impl Into<PathBuf>,
        reads: mpsc::Sender<CardRead>,
        options: SerialReaderOptions,
    ) -> SerialCardReader {
        let connector = PathConnector {
            path: path.into(),
            settings: options.settings,
        };
        SerialCardReader::spawn(connector, reads, options)
    }

    /// Runs a reader on streams from any [`Connector`] (e.g. [`crate::serial::plug`] for
    /// in-memory duplexes). `options.settings` is then the connector's business.
    pub fn spawn<C: Connector>(
        connector: C,
        reads: mpsc::Sender<CardRead>,
        options: SerialReaderOptions,
    ) -> SerialCardReader {
        let (status_tx, status) = mpsc::channel(options.status_capacity.max(1));
        let counters = Arc::new(Counters::default());
        let cancel = CancellationToken::new();
        let task = Task {
            reads,
            status: status_tx,
            counters: counters.clone(),
            cancel: cancel.clone(),
            backoff: BackoffState::new(options.backoff),
            lines: LineSplitter::new(options.max_line),
        };
        let task = tokio::spawn(task.run(connector));
        SerialCardReader {
            status,
            counters,
            cancel,
            task,
        }
    }

    /// The next status; `None` once the task has ended and every status was delivered.
    pub async fn next_status(&mut self) -> Option<ReaderStatus> {
        self.status.recv().await
    }

    /// The next status if one is ready, without waiting.
    pub fn try_next_status(&mut self) -> Option<ReaderStatus> {
        self.status.try_recv().ok()
    }

    /// Lines delivered and discarded so far.
    pub fn counts(&self) -> LineCounts {
        self.counters.snapshot()
    }

    /// Stops the task: the port is closed and [`ReaderStatus::Stopped`] is the last status.
    pub fn stop(&self) {
        self.cancel.cancel();
    }

    /// Stops the task and waits until it has ended (the port is closed when this returns).
    pub async fn stop_and_wait(&mut self) {
        self.cancel.cancel();
        if self.task.is_finished() {
            return;
        }
        if let Err(e) = (&mut self.task).await {
            tracing::warn!(error = %e, "card reader task failed");
        }
    }

    /// Whether the task has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl Drop for SerialCardReader {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

struct Task {
    reads: mpsc::Sender<CardRead>,
    status: mpsc::Sender<ReaderStatus>,
    counters: Arc<Counters>,
    cancel: CancellationToken,
    backoff: BackoffState,
    lines: LineSplitter,
}

/// Why the task leaves its loop.
struct Stop;

impl Task {
    async fn run<C: Connector>(mut self, mut connector: C) {
        let mut retry_at: Option<Instant> = None;
        while let Ok(delay) = self.attempt(&mut connector, retry_at).await {
            retry_at = Some(Instant::now() + delay);
        }
        self.lines.reset();
        self.drain_lines_counting_only();
        self.report(ReaderStatus::Stopped);
        tracing::debug!("card reader stopped");
    }

    /// Waits out the backoff, opens the port, reads until it goes away. Returns the delay
    /// before the next attempt, or [`Stop`].
    async fn attempt<C: Connector>(
        &mut self,
        connector: &mut C,
        retry_at: Option<Instant>,
    ) -> Result<Duration, Stop> {
        let cancel = self.cancel.clone();
        if let Some(at) = retry_at {
            tokio::select! {
                () = cancel.cancelled() => return Err(Stop),
                () = self.reads.closed() => return Err(Stop),
                () = tokio::time::sleep_until(at) => {}
            }
        }
        let opened = tokio::select! {
            () = cancel.cancelled() => return Err(Stop),
            () = self.reads.closed() => return Err(Stop),
            opened = connector.connect() => opened,
        };
        let mut opened = match opened {
            Ok(opened) => opened,
            Err(error) => {
                if !error.is_transient() {
                    self.backoff.give_up_quick_retries();
                }
                let retry_in = self.backoff.next_delay();
                tracing::warn!(%error, retry_in_ms = retry_in.as_millis() as u64, "card reader: cannot open");
                self.report(match error {
                    LinkError::NotFound { path } => ReaderStatus::NotFound { path, retry_in },
                    error => ReaderStatus::Unavailable { error, retry_in },
                });
                return Ok(retry_in);
            }
        };
        self.backoff.reset();
        tracing::info!(path = %opened.path.display(), "card reader connected");
        self.report(ReaderStatus::Connected {
            path: opened.path.clone(),
        });

        let mut buf = [0u8; 1024];
        let reason = loop {
            let got = tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(Stop),
                () = self.reads.closed() => return Err(Stop),
                got = opened.io.read(&mut buf) => got,
            };
            match got {
                Ok(0) => break DisconnectReason::DeviceGone,
                Ok(n) => {
                    self.lines.push(&buf[..n]);
                    self.deliver_lines().await?;
                }
                Err(e) if is_device_gone(&e) => break DisconnectReason::DeviceGone,
                Err(e) => {
                    break DisconnectReason::Io {
                        error: LinkError::Io {
                            path: opened.path.clone(),
                            source: Arc::new(e),
                        },
                    }
                }
            }
        };
        self.lines.reset();
        self.deliver_lines().await?;
        let retry_in = self.backoff.next_delay();
        tracing::info!(path = %opened.path.display(), ?reason, "card reader disconnected");
        self.report(ReaderStatus::Disconnected {
            path: opened.path,
            reason,
            retry_in,
        });
        Ok(retry_in)
    }

    async fn deliver_lines(&mut self) -> Result<(), Stop> {
        while let Some(line) = self.lines.poll() {
            match line {
                Line::Dropped(why) => self.counters.dropped(why),
                Line::Text(text) => {
                    let read = CardRead {
                        text,
                        via: ReadVia::SerialReader,
                    };
                    tokio::select! {
                        () = self.cancel.cancelled() => return Err(Stop),
                        sent = self.reads.send(read) => sent.map_err(|_| Stop)?,
                    }
                    Counters::bump(&self.counters.delivered);
                }
            }
        }
        Ok(())
    }

    fn drain_lines_counting_only(&mut self) {
        while let Some(line) = self.lines.poll() {
            if let Line::Dropped(why) = line {
                self.counters.dropped(why);
            }
        }
    }

    fn report(&self, status: ReaderStatus) {
        if self.status.try_send(status).is_err() {
            Counters::bump(&self.counters.statuses_dropped);
        }
    }
}
