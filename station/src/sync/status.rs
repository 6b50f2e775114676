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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::SyncError;
    use rstest::rstest;

    fn status(state: SyncState, backlog: u64, error: Option<SyncError>) -> SyncStatus {
        SyncStatus {
            state,
            backlog,
            last_error: error.map(|e| e.words()),
            ..SyncStatus::starting(backlog, 0)
        }
    }

    #[rstest]
    #[case::in_sync(status(SyncState::Online, 0, None), "同期済み", "in sync")]
    #[case::sending(status(SyncState::Online, 12, None), "残り 12 件", "12 left")]
    #[case::offline(status(SyncState::Offline, 340, Some(SyncError::Network("x".into()))), "340 件を端末に安全に保存", "340 kept safely on this station")]
    #[case::refused(
        status(SyncState::CredentialRefused, 5, Some(SyncError::CredentialRefused)),
        "管理者に新しい認証情報を依頼してください",
        "ask the administrator for a new one"
    )]
    #[case::stopped(
        status(SyncState::Stopped, 1, Some(SyncError::Forbidden)),
        "端末の登録内容を確認",
        "check the station's registration"
    )]
    #[case::starting(status(SyncState::Starting, 3, None), "準備", "getting ready")]
    fn headlines_say_what_is_happening(#[case] s: SyncStatus, #[case] ja: &str, #[case] en: &str) {
        let w = s.headline();
        assert!(w.ja.contains(ja), "{}", w.ja);
        assert!(w.en.contains(en), "{}", w.en);
    }

    #[rstest]
    #[case::credential(
        SyncError::CredentialRefused,
        true,
        "この端末の認証情報が拒否されました"
    )]
    #[case::forbidden(SyncError::Forbidden, true, "許可されていません")]
    #[case::rejected(SyncError::Rejected { status: 404, code: None }, true, "サーバーURL")]
    #[case::network(SyncError::Network("connect".into()), false, "ネットワークを確認")]
    #[case::server(SyncError::Server { status: 500 }, false, "（500）")]
    #[case::unavailable(SyncError::Unavailable { retry_after: None }, false, "一時的に")]
    #[case::too_large(SyncError::TooLarge, false, "小さく分けて")]
    #[case::protocol(SyncError::Protocol("x".into()), false, "版が合っているか")]
    fn errors_know_permanence_and_words(
        #[case] e: SyncError,
        #[case] permanent: bool,
        #[case] ja: &str,
    ) {
        assert_eq!(e.is_permanent(), permanent);
        let w = e.words();
        assert!(w.ja.contains(ja), "{}", w.ja);
        assert!(w.en.is_ascii() && !w.en.is_empty(), "{}", w.en);
        assert_eq!(e.to_string(), format!("{} / {}", w.ja, w.en));
    }

    #[test]
    fn a_store_error_keeps_its_own_words_and_permanence() {
        let busy = crate::store::StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        ));
        let e = SyncError::from(busy);
        assert!(!e.is_permanent());
        assert!(
            e.words().ja.starts_with("データベースのエラー"),
            "{:?}",
            e.words()
        );
        let corrupt = SyncError::from(crate::store::OutboxError::CorruptPayload {
            id: "e1".into(),
            detail: "syntax".into(),
        });
        assert!(corrupt.is_permanent());
        assert!(corrupt.words().en.contains("call a technician"));
    }

    #[test]
    fn the_status_serialises_for_the_ui() {
        let mut s = status(
            SyncState::Offline,
            2,
            Some(SyncError::Server { status: 502 }),
        );
        s.last_success = Some(Timestamp::from_unix_ms(5));
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["state"], "offline");
        assert_eq!(v["backlog"], 2);
        assert_eq!(v["last_success"], 5);
        assert!(v["last_error"]["ja"].as_str().unwrap().contains("502"));
    }
}
