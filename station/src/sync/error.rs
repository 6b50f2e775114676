//! Why a sync attempt failed, typed: each [`SyncError`] knows whether retrying can help
//! ([`SyncError::is_permanent`]), how long the server asked to wait, and its words for the
//! kiosk (Japanese first, then English, saying what to do).
//!
//! Deliberately not here: the retry loop (the worker) and HTTP details (the client maps
//! statuses to these variants). No variant carries a token, a participant number or a value.

use super::status::Words;
use crate::store::{OutboxError, StoreError};
use std::time::Duration;

/// Why a sync attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.words())]
pub enum SyncError {
    /// 401: the server refused the station's credential (revoked, unknown or malformed).
    CredentialRefused,
    /// 403: the credential is valid but may not do this (e.g. events naming another station).
    Forbidden,
    /// The server could not be reached (DNS, connect, TLS, timeout, connection cut).
    Network(String),
    /// 5xx other than 503.
    Server {
        /// The HTTP status.
        status: u16,
    },
    /// 503 or 429: the server asked to come back later.
    Unavailable {
        /// Its Retry-After, if it sent one in seconds.
        retry_after: Option<Duration>,
    },
    /// 413: the batch was too big; the worker sends smaller ones.
    TooLarge,
    /// Another 4xx (404, 422, …): the server refuses the request as it is; sending it again
    /// will not help.
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The server's stable error code, if its body had one.
        code: Option<String>,
    },
    /// The answer could not be understood (not the expected JSON, acks for none of the events).
    Protocol(String),
    /// The station's own store failed.
    Store {
        /// Whether retrying can never work (a corrupt queued event, a broken file).
        permanent: bool,
        /// The store's message (already Japanese / English, no values).
        message: String,
    },
}

impl From<OutboxError> for SyncError {
    fn from(e: OutboxError) -> Self {
        SyncError::Store {
            permanent: e.is_permanent(),
            message: e.to_string(),
        }
    }
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> Self {
        OutboxError::Store(e).into()
    }
}

impl SyncError {
    /// Whether retrying can never succeed: the worker stops and says so.
    pub fn is_permanent(&self) -> bool {
        match self {
            SyncError::CredentialRefused | SyncError::Forbidden | SyncError::Rejected { .. } => {
                true
            }
            SyncError::Store { permanent, .. } => *permanent,
            SyncError::Network(_)
            | SyncError::Server { .. }
            | SyncError::Unavailable { .. }
            | SyncError::TooLarge
            | SyncError::Protocol(_) => false,
        }
    }

    /// How long the server asked to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SyncError::Unavailable { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// Plain words for the kiosk, saying what to do next.
    pub fn words(&self) -> Words {
        match self {
            SyncError::CredentialRefused => Words::new(
                "この端末の認証情報が拒否されました。管理者に新しい認証情報を依頼してください",
                "this station's credential was refused: ask the administrator for a new one",
            ),
            SyncError::Forbidden => Words::new(
                "この端末にはこの操作が許可されていません。管理者に端末の登録内容を確認してもらってください",
                "the server does not allow this station to do this: ask the administrator to check the station's registration",
            ),
            SyncError::Network(_) => Words::new(
                "サーバーに接続できません。ネットワークを確認してください。測定結果は端末に保存され、接続が戻ると自動で送信されます",
                "cannot reach the server: check the network; readings stay on this station and are sent automatically when the connection returns",
            ),
            SyncError::Server { status } => Words::new(
                format!("サーバーでエラーが起きました（{status}）。自動で再試行します"),
                format!("the server had an error ({status}); retrying automatically"),
            ),
            SyncError::Unavailable { .. } => Words::new(
                "サーバーが一時的に利用できません。自動で再試行します",
                "the server is busy or in maintenance; retrying automatically",
            ),
            SyncError::TooLarge => Words::new(
                "送信データが大きすぎたため、小さく分けて再送します",
                "the batch was too large for the server; sending smaller batches",
            ),
            SyncError::Rejected { status, code } => {
                let code = code.as_deref().unwrap_or("-");
                Words::new(
                    format!("サーバーが送信内容を受け付けません（{status} {code}）。設定のサーバーURLを確認し、直らなければ技術者に連絡してください"),
                    format!("the server refused the request ({status} {code}): check the server URL in the settings, then call a technician"),
                )
            }
            SyncError::Protocol(_) => Words::new(
                "サーバーの応答を理解できません。自動で再試行します。続く場合は端末とサーバーの版が合っているか確認してください",
                "the server's answer could not be understood; retrying automatically; if it continues, check that station and server versions match",
            ),
            SyncError::Store { message, .. } => match message.split_once(" / ") {
                Some((ja, en)) => Words::new(ja, en),
                None => Words::new(
                    "端末のデータベースでエラーが起きました。技術者に連絡してください",
                    message.clone(),
                ),
            },
        }
    }
}
