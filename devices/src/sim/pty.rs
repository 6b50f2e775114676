//! The simulator's end of an in-process pseudo-terminal pair and the stable path the link
//! opens: a symlink in a private temporary directory pointing at the current `/dev/pts/N`,
//! re-pointed on every replug (like `/dev/serial/by-id`). What to send and when is not here.
//!
//! Linux facts this relies on (checked by the tests in `devices/tests/sim_pty.rs`):
//! - `TCGETS2` on the *master* returns the termios the link set on the slave, so the baud the
//!   link configured is observable here ([`PtyEnd::host_settings`]). `tcgetattr` (`TCGETS`)
//!   shows `BOTHER` instead of a speed when the link used `serialport` (it sets speeds with
//!   termios2), which is why the master is a `serialport::TTYPort`.
//! - The pty driver forces CS8 and clears PARENB on every `tcsetattr`, so data bits and parity
//!   the link asked for are *not* observable: the host always looks like 8N. Stop bits are kept.
//! - While no slave fd is open the master reads `EIO`; the simulator keeps its own slave fd
//!   for as long as the pty is plugged, so a link that opens late or reconnects still finds
//!   the line alive (bytes sent meanwhile wait in the kernel, as in a USB adapter's FIFO).

use crate::scale::settings::{FlowControl, LinkSettings, Parity};
use serialport::{SerialPort, TTYPort};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::unix::AsyncFd;

/// A pty pair error.
#[derive(Debug, thiserror::Error)]
pub enum PtyError {
    /// Creating or configuring the pair failed.
    #[error("could not create a pseudo-terminal: {0}")]
    Open(#[from] serialport::Error),
    /// Registering the master with tokio, or a file-system step for the path, failed.
    #[error("{what}: {source}")]
    Io {
        /// The step.
        what: &'static str,
        /// The cause.
        source: io::Error,
    },
}

fn io_err(what: &'static str) -> impl FnOnce(io::Error) -> PtyError {
    move |source| PtyError::Io { what, source }
}

/// Our end of one plugged-in pty: the master for I/O, our slave fd to keep the line alive.
#[derive(Debug)]
pub struct PtyEnd {
    master: AsyncFd<TTYPort>,
    slave: TTYPort,
    slave_path: PathBuf,
}

fn would_block(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

impl PtyEnd {
    /// A fresh pair (needs a tokio runtime with I/O enabled).
    pub fn open() -> Result<PtyEnd, PtyError> {
        let (mut master, slave) = TTYPort::pair()?;
        // Zero timeout: the port's own poll then says "not ready" instead of waiting.
        master.set_timeout(Duration::ZERO)?;
        let slave_path = slave.name().map(PathBuf::from).ok_or(PtyError::Io {
            what: "pty slave has no name",
            source: io::Error::from(io::ErrorKind::NotFound),
        })?;
        let master = register(master).map_err(io_err("registering the pty master"))?;
        Ok(PtyEnd {
            master,
            slave,
            slave_path,
        })
    }

    /// `/dev/pts/N`.
    pub fn slave_path(&self) -> &Path {
        &self.slave_path
    }

    /// The settings the host side last configured (data bits and parity always read 8N on a
    /// pty, see the module docs). `None` if the query failed.
    pub fn host_settings(&self) -> Option<LinkSettings> {
        let m = self.master.get_ref();
        let baud = m.baud_rate().ok()?;
        let stop_bits = match m.stop_bits().ok()? {
            serialport::StopBits::One => 1,
            serialport::StopBits::Two => 2,
        };
        let data_bits = match m.data_bits().ok()? {
            serialport::DataBits::Seven => 7,
            serialport::DataBits::Eight => 8,
            serialport::DataBits::Five | serialport::DataBits::Six => 6,
        };
        let parity = match m.parity().ok()? {
            serialport::Parity::None => Parity::None,
            serialport::Parity::Even => Parity::Even,
            serialport::Parity::Odd => Parity::Odd,
        };
        Some(LinkSettings {
            baud,
            data_bits,
            parity,
            stop_bits,
            flow_control: FlowControl::None,
        })
    }

    /// Waits for bytes from the host.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let mut guard = self.master.readable_mut().await?;
            match guard.try_io(|inner| {
                inner.get_mut().read(buf).map_err(|e| {
                    if would_block(&e) {
                        io::Error::from(io::ErrorKind::WouldBlock)
                    } else {
                        e
                    }
                })
            }) {
                Ok(result) => return result,
                Err(_would_block) => continue,
            }
        }
    }

    /// Writes what the pty takes now; `Ok(0)` when it takes nothing.
    pub fn try_write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self.master.get_mut().write(bytes) {
            Ok(n) => Ok(n),
            Err(e) if would_block(&e) => Ok(0),
            Err(e) => Err(e),
        }
    }

    /// Bytes written but not yet read by the host (its input queue).
    pub fn host_backlog(&self) -> usize {
        self.slave.bytes_to_read().map_or(0, |n| n as usize)
    }
}

/// Registers the master with the reactor.
///
/// `AsyncFd::new` is deprecated because for an arbitrary `T` nothing guarantees that
/// `as_raw_fd()` keeps naming the same open descriptor (tokio PR 8587); `register` is `unsafe`
/// for that reason and this crate has none. A `TTYPort` owns its descriptor from creation to
/// drop (only the consuming `into_raw_fd` gives it up), which is the invariant `register`
/// asks for — so the safe, deprecated constructor is sound here.
#[allow(deprecated)] // Sound for `TTYPort`; see above.
fn register(port: TTYPort) -> io::Result<AsyncFd<TTYPort>> {
    AsyncFd::new(port)
}

/// A private temporary directory holding the `tty` symlink.
#[derive(Debug)]
pub struct StablePath {
    dir: tempfile::TempDir,
    link: PathBuf,
}

impl StablePath {
    /// `<base or $TMPDIR>/hakaru-sim-XXXXXX/tty` (the link does not exist yet).
    pub fn new(base: Option<&Path>) -> Result<StablePath, PtyError> {
        let mut b = tempfile::Builder::new();
        b.prefix("hakaru-sim-");
        let dir = match base {
            Some(base) => b.tempdir_in(base),
            None => b.tempdir(),
        }
        .map_err(io_err("creating the simulator's temporary directory"))?;
        let link = dir.path().join("tty");
        Ok(StablePath { dir, link })
    }

    /// The path a link opens.
    pub fn path(&self) -> &Path {
        &self.link
    }

    /// Points the path at `target`, atomically replacing any previous link.
    pub fn point_to(&self, target: &Path) -> Result<(), PtyError> {
        let tmp = self.dir.path().join("tty.new");
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(target, &tmp).map_err(io_err("creating the port symlink"))?;
        std::fs::rename(&tmp, &self.link).map_err(io_err("placing the port symlink"))
    }

    /// Removes the path (unplugged). Missing already is fine.
    pub fn remove(&self) -> Result<(), PtyError> {
        match std::fs::remove_file(&self.link) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err("removing the port symlink")(e)),
        }
    }
}
