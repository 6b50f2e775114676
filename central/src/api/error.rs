//! The API's one error type: each variant is one status code and one [`ApiError`] body, so every
//! error a station (or the fuzzer) meets is JSON with a stable `code` and Japanese-then-English
//! words. Storage internals are logged here and never returned.
//!
//! Deliberately not here: deciding who is allowed (the `auth` module) and what the storage
//! refuses (the backends).

use crate::storage::StorageError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hakaru_wire::api::ApiError;

/// Seconds a station should wait before retrying after a 503.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// The words every refused credential gets, whatever the reason (unknown, revoked, wrong secret,
/// malformed), so a caller learns nothing about which credentials exist.
pub const CREDENTIAL_REFUSED: &str = "この端末の認証情報は受け付けられませんでした。管理者に新しい認証情報の発行を依頼し、端末に設定してください / \
     the station's credential was refused: ask the administrator for a new credential and set it on the station";

/// Everything a request can end in other than success.
#[derive(Debug)]
pub enum ApiErr {
    /// 400: the request is not well formed (bad JSON syntax, bad query string).
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// Words for a person.
        message: String,
    },
    /// 401: no usable credential.
    CredentialRefused,
    /// 403: the credential is fine but the request touches what the station may not.
    Forbidden(String),
    /// 404: no such thing (or not visible to this station).
    NotFound(String),
    /// 404: the server has no such path at all.
    NoRoute,
    /// 405: the path exists but not with this method.
    MethodNotAllowed,
    /// 409: the thing exists already.
    Conflict(String),
    /// 413: the body is over the limit.
    PayloadTooLarge,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 422: well-formed but impossible values.
    Unprocessable {
        /// Stable code.
        code: &'static str,
        /// Words for a person.
        message: String,
    },
    /// 503: the database cannot be reached now.
    Unavailable,
    /// 500: anything else (details only in the log).
    Internal,
}

impl ApiErr {
    /// The status code this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiErr::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiErr::CredentialRefused => StatusCode::UNAUTHORIZED,
            ApiErr::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiErr::NotFound(_) | ApiErr::NoRoute => StatusCode::NOT_FOUND,
            ApiErr::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiErr::Conflict(_) => StatusCode::CONFLICT,
            ApiErr::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiErr::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiErr::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiErr::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiErr::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The body this error answers with.
    pub fn body(&self) -> ApiError {
        let (code, message): (&str, String) = match self {
            ApiErr::BadRequest { code, message } | ApiErr::Unprocessable { code, message } => {
                (code, message.clone())
            }
            ApiErr::CredentialRefused => ("credential_refused", CREDENTIAL_REFUSED.to_owned()),
            ApiErr::Forbidden(m) => ("forbidden", m.clone()),
            ApiErr::NotFound(m) => ("not_found", m.clone()),
            ApiErr::NoRoute => (
                "no_route",
                "そのパスはありません。API 文書 (/openapi.json) を確認してください / \
                 no such path: see the API document at /openapi.json"
                    .to_owned(),
            ),
            ApiErr::MethodNotAllowed => (
                "method_not_allowed",
                "このパスはこのメソッドに対応していません。API 文書 (/openapi.json) を確認してください / \
                 this path does not take this method: see the API document at /openapi.json"
                    .to_owned(),
            ),
            ApiErr::Conflict(m) => ("conflict", m.clone()),
            ApiErr::PayloadTooLarge => (
                "payload_too_large",
                "リクエストが大きすぎます。一度に送るイベントを減らしてください / \
                 the request body is too large: send fewer events per batch"
                    .to_owned(),
            ),
            ApiErr::UnsupportedMediaType => (
                "unsupported_media_type",
                "本文は JSON (Content-Type: application/json) で送ってください / \
                 send the body as JSON with Content-Type: application/json"
                    .to_owned(),
            ),
            ApiErr::Unavailable => (
                "unavailable",
                "サーバーのデータベースに接続できません。しばらくしてから再試行してください / \
                 the server's database is unavailable: retry later"
                    .to_owned(),
            ),
            ApiErr::Internal => (
                "internal",
                "サーバー内部のエラーです。管理者に連絡してください (x-request-id を伝えてください) / \
                 internal server error: tell the administrator, quoting the x-request-id"
                    .to_owned(),
            ),
        };
        ApiError {
            code: code.to_owned(),
            message,
        }
    }

    /// 404 for a participant that is not on the caller's program roster.
    pub fn participant_not_found() -> ApiErr {
        ApiErr::NotFound(
            "この参加者はプログラムの名簿にありません。名簿の同期を待つか、管理者に確認してください / \
             the participant is not on this program's roster: wait for the roster to sync or ask the administrator"
                .to_owned(),
        )
    }
}

impl From<StorageError> for ApiErr {
    fn from(e: StorageError) -> ApiErr {
        match e {
            StorageError::NotFound { .. } => ApiErr::NotFound(e.to_string()),
            StorageError::AlreadyExists { .. } => ApiErr::Conflict(e.to_string()),
            StorageError::Forbidden(_) => {
                tracing::info!(error = %e, "storage refused the request");
                ApiErr::Forbidden(e.to_string())
            }
            StorageError::Invalid(_) => ApiErr::Unprocessable {
                code: "invalid",
                message: e.to_string(),
            },
            StorageError::Unavailable(_) => {
                tracing::warn!(error = %e, "database unavailable");
                ApiErr::Unavailable
            }
            StorageError::Backend(_) => {
                tracing::error!(error = %e, "database error");
                ApiErr::Internal
            }
        }
    }
}

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, axum::Json(self.body())).into_response();
        let headers = response.headers_mut();
        match self {
            ApiErr::CredentialRefused => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiErr::Unavailable => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_errors_map_to_their_status_and_hide_backend_details() {
        let cases = [
            (StorageError::Forbidden("x".into()), StatusCode::FORBIDDEN),
            (
                StorageError::Invalid("x".into()),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                StorageError::Unavailable("x".into()),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                StorageError::NotFound {
                    what: "program",
                    id: "p".into(),
                },
                StatusCode::NOT_FOUND,
            ),
        ];
        for (e, status) in cases {
            assert_eq!(ApiErr::from(e).status(), status);
        }
        let internal = ApiErr::from(StorageError::Backend("disk I/O error at page 7".into()));
        assert_eq!(internal.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!internal.body().message.contains("page 7"));
    }

    #[test]
    fn refusals_carry_their_headers() {
        let r = ApiErr::CredentialRefused.into_response();
        assert_eq!(r.headers()[header::WWW_AUTHENTICATE], "Bearer");
        let r = ApiErr::Unavailable.into_response();
        assert_eq!(r.headers()[header::RETRY_AFTER], "5");
    }
}
