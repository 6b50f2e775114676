//! What a serial-mode card reader reports about its port: connected, not found, unusable,
//! disconnected, stopped — each with words for the kiosk screen, Japanese first, saying what to
//! do next.
//!
//! Deliberately not here: producing the statuses ([`super::serial`]) and what was read (card
//! reads never travel with a status).

use crate::serial::{DisconnectReason, LinkError};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// A serial card reader's state change, in order.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReaderStatus {
    /// The port is open; reads may come.
    Connected {
        /// The configured path (symlinks not resolved).
        path: PathBuf,
    },
    /// Nothing is at the path: the reader is unplugged or the path is wrong.
    NotFound {
        /// The configured path.
        path: PathBuf,
        /// When the next attempt comes.
        retry_in: Duration,
    },
    /// The path exists but cannot be used (permission, busy, not a serial port).
    Unavailable {
        /// Why (its message says what to do).
        #[serde(serialize_with = "display")]
        error: LinkError,
        /// When the next attempt comes.
        retry_in: Duration,
    },
    /// The open port went away (unplugged) or failed.
    Disconnected {
        /// The configured path.
        path: PathBuf,
        /// Why.
        reason: DisconnectReason,
        /// When the first reconnect attempt comes.
        retry_in: Duration,
    },
    /// The reader task ended (stopped by its owner, or nobody takes reads any more).
    Stopped,
}

fn display<S: serde::Serializer>(e: &LinkError, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(e)
}

fn secs(d: &Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}

impl ReaderStatus {
    /// Whether reads can come now.
    pub fn is_connected(&self) -> bool {
        matches!(self, ReaderStatus::Connected { .. })
    }
}

impl fmt::Display for ReaderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReaderStatus::Connected { path } => write!(
                f,
                "カードリーダーを接続しました（{p}） / card reader connected ({p})",
                p = path.display()
            ),
            ReaderStatus::NotFound { path, retry_in } => write!(
                f,
                "カードリーダーが見つかりません（{p}）: リーダーの USB ケーブルを差し込むか、\
                 設定のパスを確認してください。{s} 秒後に再試行します / \
                 card reader not found at {p}: plug in the reader or check the configured path; \
                 retrying in {s} s",
                p = path.display(),
                s = secs(retry_in)
            ),
            ReaderStatus::Unavailable { error, retry_in } => write!(
                f,
                "カードリーダーを使えません（{s} 秒後に再試行） / \
                 card reader unavailable (retrying in {s} s): {error}",
                s = secs(retry_in)
            ),
            ReaderStatus::Disconnected {
                path,
                reason,
                retry_in,
            } => {
                let (ja, en) = match reason {
                    DisconnectReason::DeviceGone => (
                        "カードリーダーが外れました。USB ケーブルを差し直してください",
                        "the card reader was unplugged: plug it back in",
                    ),
                    _ => (
                        "カードリーダーとの通信が切れました。USB ケーブルを確認してください",
                        "lost the connection to the card reader: check its USB cable",
                    ),
                };
                write!(
                    f,
                    "{ja}（{p}、{s} 秒後に再接続） / {en} ({p}, reconnecting in {s} s)",
                    p = path.display(),
                    s = secs(retry_in)
                )
            }
            ReaderStatus::Stopped => {
                f.write_str("カードリーダーの読み取りを停止しました / the card reader was stopped")
            }
        }
    }
}
