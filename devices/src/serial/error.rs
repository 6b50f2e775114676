//! Link errors: what went wrong with the port itself (opening, configuring, reading, writing,
//! listing) and with sending a command through the link. Each message a person may see says
//! what to do, Japanese first, then English.
//!
//! Deliberately not here: protocol errors (a bad checksum, a cut frame). Those are
//! [`crate::scale::DecodeError`] values reported as events; a bad frame never breaks the link.

use crate::scale::{CommandError, LinkSettings};
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

/// The port could not be opened, configured or used.
///
/// Cheap to clone (I/O causes are shared) so it can travel inside [`super::ScaleEvent`]s.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// Nothing exists at the path (cable unplugged, analyzer off, wrong path).
    #[error(
        "ポート {path} が見つかりません: ケーブルと体組成計の電源、パスを確認してください / \
         port {path} not found: check the cable, that the analyzer is on, and the path \
         (see `hakaru ports`)",
        path = path.display()
    )]
    NotFound {
        /// The path that was opened.
        path: PathBuf,
    },
    /// The user may not open the device node.
    #[error(
        "ポート {path} を開く権限がありません: ユーザーを dialout グループに追加してください / \
         permission denied on {path}: add the user to the dialout group and log in again",
        path = path.display()
    )]
    PermissionDenied {
        /// The path that was opened.
        path: PathBuf,
    },
    /// Another process holds the port exclusively.
    #[error(
        "ポート {path} は使用中です: ほかのプログラムを終了してください / \
         port {path} is busy: close the other program that uses it",
        path = path.display()
    )]
    Busy {
        /// The path that was opened.
        path: PathBuf,
    },
    /// Opening failed for another reason.
    #[error(
        "ポート {path} を開けません: {source} / cannot open {path}: {source}: \
         check the cable and that no other program uses the port",
        path = path.display()
    )]
    Open {
        /// The path that was opened.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: Arc<io::Error>,
    },
    /// The path exists but is not a terminal device.
    #[error(
        "{path} はシリアルポートではありません: パスを確認してください / \
         {path} is not a serial port: check the path (e.g. /dev/ttyUSB0)",
        path = path.display()
    )]
    NotATerminal {
        /// The path that was opened.
        path: PathBuf,
    },
    /// The settings ask for something the port driver cannot do.
    #[error(
        "通信設定 {settings} は使えません: {what} / settings {settings} are not supported: {what}: \
         use the analyzer's settings, e.g. 9600-8N1 or 2400-7E1"
    )]
    UnsupportedSettings {
        /// The settings asked for.
        settings: LinkSettings,
        /// Which part is unsupported.
        what: &'static str,
    },
    /// The driver refused the settings.
    #[error(
        "ポート {path} を {settings} に設定できません: {source} / \
         cannot configure {path} as {settings}: {source}: check that the path is a serial port",
        path = path.display()
    )]
    Configure {
        /// The port.
        path: PathBuf,
        /// The settings asked for.
        settings: LinkSettings,
        /// The driver's reason.
        #[source]
        source: nix::Error,
    },
    /// Reading or writing failed while connected.
    #[error(
        "ポート {path} の読み書きに失敗しました: {source} / I/O on {path} failed: {source}: \
         check the cable",
        path = path.display()
    )]
    Io {
        /// The port.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: Arc<io::Error>,
    },
    /// The system's port list could not be read.
    #[error(
        "シリアルポートの一覧を取得できません: {message} / cannot list serial ports: {message}: \
         check that udev is running, or give the port path directly"
    )]
    ListPorts {
        /// The reason from the enumeration library.
        message: String,
    },
}

impl LinkError {
    /// Classifies an error from `open(2)` on `path`.
    pub(crate) fn from_open(path: PathBuf, error: io::Error) -> LinkError {
        match error.kind() {
            io::ErrorKind::NotFound => LinkError::NotFound { path },
            io::ErrorKind::PermissionDenied => LinkError::PermissionDenied { path },
            _ if error.raw_os_error() == Some(nix::errno::Errno::EBUSY as i32) => {
                LinkError::Busy { path }
            }
            _ => LinkError::Open {
                path,
                source: Arc::new(error),
            },
        }
    }

    /// Whether waiting and trying again can help (the device may come back), as opposed to a
    /// mistake a person must fix (wrong settings, not a serial port).
    pub fn is_transient(&self) -> bool {
        !matches!(
            self,
            LinkError::UnsupportedSettings { .. } | LinkError::NotATerminal { .. }
        )
    }
}

/// A command could not be sent.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The command's parameter is out of range; nothing was sent.
    #[error(transparent)]
    Encode(#[from] CommandError),
    /// The analyzer is not connected right now; nothing was sent.
    #[error(
        "体組成計が接続されていないため送信しませんでした: ケーブルと電源を確認してください / \
         the analyzer is not connected, so the command was not sent: check the cable and power"
    )]
    NotConnected,
    /// Writing to the port failed; the link will reconnect.
    #[error(transparent)]
    Write(LinkError),
    /// The link task has stopped.
    #[error(
        "通信リンクは停止しています: 画面を開き直してください / \
         the serial link has stopped: restart the monitor or the station"
    )]
    LinkClosed,
}
