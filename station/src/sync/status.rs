//! What the kiosk shows about syncing: a [`SyncStatus`] value the worker publishes through a
//! `tokio::sync::watch` channel, serialisable for the UI, with its headline in plain words.
//!
//! Deliberately not here: deciding the state (the worker) and drawing it (the kiosk UI).

use hakaru_wire::Timestamp;
use std::fmt;

/// Text for a person, Japanese first, then English.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Words {
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

impl Words {
    /// Words from the two languages.
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Words {
        Words {
            ja: ja.into(),
            en: en.into(),
        }
    }
}

impl fmt::Display for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.ja, self.en)
    }
}

/// Where the worker stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Not tried yet.
    Starting,
    /// The last exchange with the server succeeded.
    Online,
    /// The server could not be reached or answered with a passing failure; retrying.
    Offline,
    /// The server refused this station's credential: no more requests until a new one is
    /// installed and the worker restarted.
    CredentialRefused,
    /// Another failure retrying cannot fix (e.g. the server forbids this station, or a queued
    /// event cannot be read): no more requests until a technician acts and restarts it.
    Stopped,
}

/// The sync status the kiosk UI shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SyncStatus {
    /// Where the worker stands.
    pub state: SyncState,
    /// Events waiting to be sent.
    pub backlog: u64,
    /// When the server last answered successfully.
    pub last_success: Option<Timestamp>,
    /// The last failure in words (cleared by the next success).
    pub last_error: Option<Words>,
    /// The change-feed cursor.
    pub cursor: u64,
    /// Change-feed entries skipped as malformed since the worker started.
    pub skipped_changes: u64,
}

impl SyncStatus {
    /// The status before the first attempt.
    pub fn starting(backlog: u64, cursor: u64) -> SyncStatus {
        SyncStatus {
            state: SyncState::Starting,
            backlog,
            last_success: None,
            last_error: None,
            cursor,
            skipped_changes: 0,
        }
    }

    /// One line for the status bar, saying what is happening and, where a person must act,
    /// what to do.
    pub fn headline(&self) -> Words {
        let n = self.backlog;
        match self.state {
            SyncState::Starting => Words::new(
                format!("サーバーとの同期を準備しています（送信待ち {n} 件）"),
                format!("getting ready to sync with the server ({n} waiting to be sent)"),
            ),
            SyncState::Online if n == 0 => Words::new(
                "サーバーと同期済みです",
                "in sync with the server",
            ),
            SyncState::Online => Words::new(
                format!("サーバーへ送信中です（残り {n} 件）"),
                format!("sending to the server ({n} left)"),
            ),
            SyncState::Offline => Words::new(
                format!(
                    "オフラインです。{n} 件を端末に安全に保存しており、接続が戻ると自動で送信します"
                ),
                format!(
                    "offline: {n} kept safely on this station, sent automatically when the connection returns"
                ),
            ),
            SyncState::CredentialRefused | SyncState::Stopped => {
                let why = self.last_error.clone().unwrap_or_else(|| {
                    Words::new(
                        "同期が止まっています。技術者に連絡してください",
                        "syncing has stopped: call a technician",
                    )
                });
                Words::new(
                    format!("{}（送信待ち {n} 件は端末に保存されています）", why.ja),
                    format!("{} ({n} waiting are kept on this station)", why.en),
                )
            }
        }
    }
}
