//! A serial port opened by path and driven by tokio: [`SerialPort`] implements `AsyncRead` and
//! `AsyncWrite` over a non-blocking terminal descriptor registered with the reactor. Works the
//! same on `/dev/ttyUSB*`, `/dev/ttyS*` and pseudo-terminals (including symlinks to
//! `/dev/pts/N`, which `serialport::available_ports()` never lists).
//!
//! Deliberately not here: reconnecting, decoding, events ([`super::link`]), and the termios
//! details ([`super::termios`]).

use super::error::LinkError;
use super::termios;
use crate::scale::LinkSettings;
use nix::fcntl::OFlag;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// An open, configured serial port. Must be created inside a tokio runtime with I/O enabled.
#[derive(Debug)]
pub struct SerialPort {
    fd: AsyncFd<File>,
    path: PathBuf,
    settings: LinkSettings,
}

impl SerialPort {
    /// Opens `path` (without becoming its controlling terminal, non-blocking) and configures it
    /// for `settings` in raw mode. Bytes already waiting in the driver are kept: they may be a
    /// result the analyzer pushed while the link was reconnecting.
    pub fn open(path: impl AsRef<Path>, settings: &LinkSettings) -> Result<SerialPort, LinkError> {
        let path = path.as_ref().to_owned();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags((OFlag::O_NOCTTY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC).bits())
            .open(&path)
            .map_err(|e| LinkError::from_open(path.clone(), e))?;
        if !nix::unistd::isatty(&file).unwrap_or(false) {
            return Err(LinkError::NotATerminal { path });
        }
        termios::configure(&file, &path, settings, false)?;
        let fd = register(file).map_err(|e| LinkError::Open {
            path: path.clone(),
            source: Arc::new(e),
        })?;
        tracing::debug!(path = %path.display(), %settings, "serial port opened");
        Ok(SerialPort {
            fd,
            path,
            settings: *settings,
        })
    }

    /// The path it was opened by (as given, symlinks not resolved).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The settings in force.
    pub fn settings(&self) -> LinkSettings {
        self.settings
    }
}

/// Registers `file` with the reactor.
///
/// `AsyncFd::new` is deprecated because for an arbitrary `T` nothing guarantees that
/// `as_raw_fd()` keeps naming the same open descriptor (tokio PR 8587); its replacement
/// `register` is `unsafe` for that reason, and this crate has no `unsafe`. A `File` owns its
/// descriptor from creation to drop and always returns it, which is exactly the invariant
/// `register` asks the caller to uphold — so the safe, deprecated constructor is sound here.
#[allow(deprecated)] // Sound for `File`; see above.
fn register(file: File) -> io::Result<AsyncFd<File>> {
    AsyncFd::new(file)
}

/// A port whose line settings can be changed while it stays open (auto-detection tries one
/// setting after another without closing the device).
pub trait Retune {
    /// Applies `settings` and discards bytes received under the previous ones.
    fn retune(&mut self, settings: &LinkSettings) -> Result<(), LinkError>;
}

impl Retune for SerialPort {
    fn retune(&mut self, settings: &LinkSettings) -> Result<(), LinkError> {
        termios::configure(self.fd.get_ref(), &self.path, settings, true)?;
        self.settings = *settings;
        tracing::debug!(path = %self.path.display(), %settings, "serial port retuned");
        Ok(())
    }
}

impl AsyncRead for SerialPort {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            let mut guard = ready!(self.fd.poll_read_ready(cx))?;
            let unfilled = buf.initialize_unfilled();
            match guard.try_io(|inner| inner.get_ref().read(unfilled)) {
                Ok(Ok(n)) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Ok(Err(e)) => return Poll::Ready(Err(e)),
                Err(_would_block) => continue,
            }
        }
    }
}

impl AsyncWrite for SerialPort {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            let mut guard = ready!(self.fd.poll_write_ready(cx))?;
            match guard.try_io(|inner| inner.get_ref().write(buf)) {
                Ok(result) => return Poll::Ready(result),
                Err(_would_block) => continue,
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Bytes handed to a terminal are queued by the driver; nothing is buffered here.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Whether an I/O error means the device went away (unplugged USB adapter, closed pty master)
/// rather than a transient problem.
pub fn is_device_gone(error: &io::Error) -> bool {
    use nix::errno::Errno;
    matches!(
        error.raw_os_error().map(Errno::from_raw),
        Some(Errno::EIO | Errno::ENXIO | Errno::ENODEV | Errno::EBADF | Errno::EPIPE)
    ) || matches!(
        error.kind(),
        io::ErrorKind::UnexpectedEof | io::ErrorKind::BrokenPipe
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn bytes_pass_both_ways_on_a_pty_through_a_symlink() {
        let pty = nix::pty::openpty(None, None).unwrap();
        let slave = nix::unistd::ttyname(&pty.slave).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("tty");
        std::os::unix::fs::symlink(&slave, &link).unwrap();
        let mut port = SerialPort::open(&link, &LinkSettings::TANITA_DEFAULT).unwrap();
        assert_eq!(port.path(), link);
        let mut master = File::from(pty.master);

        master.write_all(b"E2\r\n").unwrap();
        let mut got = [0u8; 4];
        port.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"E2\r\n", "raw mode: no CR/LF translation");

        port.write_all(b"D?\r\n").await.unwrap();
        let mut back = [0u8; 4];
        master.read_exact(&mut back).unwrap();
        assert_eq!(&back, b"D?\r\n");
    }

    #[tokio::test]
    async fn open_errors_are_typed_and_say_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("ttyUSB9");
        let e = SerialPort::open(&missing, &LinkSettings::TANITA_DEFAULT).unwrap_err();
        assert!(matches!(e, LinkError::NotFound { .. }), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains("見つかりません") && text.contains("check the cable"),
            "{text}"
        );

        let plain = dir.path().join("file");
        std::fs::write(&plain, b"").unwrap();
        let e = SerialPort::open(&plain, &LinkSettings::TANITA_DEFAULT).unwrap_err();
        assert!(matches!(e, LinkError::NotATerminal { .. }), "{e:?}");
        assert!(!e.is_transient());
    }

    #[tokio::test]
    async fn reading_after_the_master_closes_reports_the_device_gone() {
        let pty = nix::pty::openpty(None, None).unwrap();
        let slave = nix::unistd::ttyname(&pty.slave).unwrap();
        let mut port = SerialPort::open(&slave, &LinkSettings::TANITA_DEFAULT).unwrap();
        drop(pty.slave);
        drop(pty.master);
        let mut buf = [0u8; 16];
        match port.read(&mut buf).await {
            Ok(n) => assert_eq!(n, 0, "end of file"),
            Err(e) => assert!(is_device_gone(&e), "{e:?}"),
        }
    }
}
