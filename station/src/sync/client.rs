//! The HTTP client for the central server: `POST /v1/events` and `GET /v1/changes`, with the
//! station's bearer credential, timeouts and an optional extra root certificate (a program's
//! own server with a self-signed certificate). Every answer other than success becomes a typed
//! [`SyncError`].
//!
//! Deliberately not here: retries, batching and the store (the worker). The credential never
//! appears in `Debug` output or logs: only its public id does.

use super::error::SyncError;
use hakaru_wire::api::{
    ApiError, Change, ChangesPage, UploadRequest, UploadResponse, CREDENTIAL_PREFIX,
};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, RETRY_AFTER};
use reqwest::StatusCode;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A station credential `hk1.<id>.<secret>` as read from its file. `Debug` shows the id only.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    token: String,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Credential({}.{}.<redacted>)",
            CREDENTIAL_PREFIX,
            self.id()
        )
    }
}

/// Why a credential could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// The text is not `hk1.<id>.<secret>`.
    #[error(
        "端末の認証情報の形式が正しくありません。管理者に発行された認証情報をそのままファイルに保存してください / \
         the station credential is malformed: save the credential exactly as the administrator issued it"
    )]
    Malformed,
    /// The file could not be read.
    #[error(
        "認証情報ファイル {path} を読めません（{source}）。パスと権限を確認してください / \
         cannot read the credential file {path} ({source}): check the path and its permissions"
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Other users may read the file.
    #[error(
        "認証情報ファイル {path} の権限が広すぎます（{mode:o}）。`chmod 600 {path}` を実行してください / \
         the credential file {path} can be read by other users (mode {mode:o}): run `chmod 600 {path}`"
    )]
    Permissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
}

impl Credential {
    /// Checks the form `hk1.<id>.<secret>` (surrounding whitespace ignored); the server decides
    /// whether it is valid.
    pub fn new(token: &str) -> Result<Credential, CredentialError> {
        let token = token.trim();
        let mut parts = token.split('.');
        let ok = matches!(
            (parts.next(), parts.next(), parts.next(), parts.next()),
            (Some(p), Some(id), Some(secret), None)
                if p == CREDENTIAL_PREFIX && !id.is_empty() && !secret.is_empty()
        ) && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_');
        ok.then(|| Credential {
            token: token.to_owned(),
        })
        .ok_or(CredentialError::Malformed)
    }

    /// Reads the credential from its file, which only the kiosk user may read (0600).
    pub fn from_file(path: &Path) -> Result<Credential, CredentialError> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(path).map_err(|source| CredentialError::Read {
                path: path.to_owned(),
                source,
            })?;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(CredentialError::Permissions {
                    path: path.to_owned(),
                    mode,
                });
            }
        }
        let text = std::fs::read_to_string(path).map_err(|source| CredentialError::Read {
            path: path.to_owned(),
            source,
        })?;
        Credential::new(&text)
    }

    /// The public id (safe to log).
    pub fn id(&self) -> &str {
        self.token.split('.').nth(1).unwrap_or("")
    }

    fn header(&self) -> Result<HeaderValue, SyncError> {
        let mut v = HeaderValue::from_str(&format!("Bearer {}", self.token))
            .map_err(|_| SyncError::CredentialRefused)?;
        v.set_sensitive(true);
        Ok(v)
    }
}

/// Timeouts and trust for the client.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Time for a whole request and its answer.
    pub request_timeout: Duration,
    /// An extra root certificate (PEM) to trust besides the system's.
    pub extra_root_pem: Option<Vec<u8>>,
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("extra_root_pem", &self.extra_root_pem.is_some())
            .finish()
    }
}

impl Default for ClientOptions {
    /// 10 s to connect, 60 s per request, system roots only.
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            extra_root_pem: None,
        }
    }
}

/// Why the client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientSetupError {
    /// The server URL does not parse or is not http(s).
    #[error(
        "サーバーURL {0:?} が正しくありません。`https://サーバー名` の形で設定してください / \
         the server URL {0:?} is not valid: set it as `https://host`"
    )]
    Url(String),
    /// The extra root certificate is not PEM.
    #[error(
        "追加のルート証明書を読み込めません（{0}）。PEM形式の証明書ファイルを指定してください / \
         the extra root certificate cannot be used ({0}): give a PEM certificate file"
    )]
    Certificate(String),
    /// The TLS stack could not be set up.
    #[error("通信の準備ができません（{0}）。技術者に連絡してください / the HTTP client cannot be set up ({0}): call a technician")]
    Http(String),
}

/// A change-feed page as received, with how many entries could not even be decoded (a newer
/// server's change kinds, or values outside what the wire types allow): those are skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct PulledPage {
    /// The decodable changes, the cursor and whether more wait.
    pub page: ChangesPage,
    /// Entries that did not decode as a [`Change`] (logged by position only).
    pub undecodable: u32,
}

/// The page as it comes off the wire: each change decoded on its own, so one bad entry does
/// not make the whole page unreadable.
#[derive(serde::Deserialize)]
struct RawPage {
    /// 0 when the server does not say (a server from before signed cards): nothing is recorded.
    #[serde(default)]
    card_program: u16,
    changes: Vec<serde_json::Value>,
    next_cursor: u64,
    more: bool,
}

/// The central server's API, as one station uses it.
#[derive(Clone)]
pub struct CentralClient {
    http: reqwest::Client,
    base: reqwest::Url,
    credential: Credential,
}

impl fmt::Debug for CentralClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CentralClient")
            .field("base", &self.base.as_str())
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

fn network(e: &reqwest::Error) -> SyncError {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "connection cut while reading the answer"
    } else {
        "request failed"
    };
    // The error's own text names the URL only (the credential is a header, never in it).
    SyncError::Network(format!("{what}: {e}"))
}

/// Maps a failed answer to its error.
fn error_for(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> SyncError {
    let code = serde_json::from_slice::<ApiError>(body)
        .ok()
        .map(|e| e.code);
    match status.as_u16() {
        401 => SyncError::CredentialRefused,
        403 => SyncError::Forbidden,
        413 => SyncError::TooLarge,
        429 | 503 => SyncError::Unavailable {
            retry_after: retry_after(headers),
        },
        s @ 500..=599 => SyncError::Server { status: s },
        s => SyncError::Rejected { status: s, code },
    }
}

impl CentralClient {
    /// A client for the server at `base_url` (e.g. `https://hakaru.example.jp`).
    pub fn new(
        base_url: &str,
        credential: Credential,
        options: &ClientOptions,
    ) -> Result<CentralClient, ClientSetupError> {
        let mut base = reqwest::Url::parse(base_url)
            .map_err(|_| ClientSetupError::Url(base_url.to_owned()))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(ClientSetupError::Url(base_url.to_owned()));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let mut builder = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .user_agent(concat!("hakaru-station/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &options.extra_root_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| ClientSetupError::Certificate(e.to_string()))?;
            if certs.is_empty() {
                return Err(ClientSetupError::Certificate(
                    "no certificate in the file".into(),
                ));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| ClientSetupError::Http(e.to_string()))?;
        Ok(CentralClient {
            http,
            base,
            credential,
        })
    }

    /// The credential's public id.
    pub fn credential_id(&self) -> &str {
        self.credential.id()
    }

    fn url(&self, path: &str) -> Result<reqwest::Url, SyncError> {
        self.base
            .join(path)
            .map_err(|e| SyncError::Protocol(format!("bad URL path {path}: {e}")))
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<Vec<u8>, SyncError> {
        let resp = req
            .header(AUTHORIZATION, self.credential.header()?)
            .send()
            .await
            .map_err(|e| network(&e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(|e| network(&e))?;
        if status.is_success() {
            Ok(body.to_vec())
        } else {
            Err(error_for(status, &headers, &body))
        }
    }

    /// `POST /v1/events`: one batch; the answer has one ack per event the server now holds.
    pub async fn upload(&self, request: &UploadRequest) -> Result<UploadResponse, SyncError> {
        let body = self
            .send(self.http.post(self.url("v1/events")?).json(request))
            .await?;
        serde_json::from_slice(&body)
            .map_err(|e| SyncError::Protocol(format!("upload answer: {}", e.classify_text())))
    }

    /// `GET /v1/changes?since=&limit=`: the changes after `since`, at most `limit`.
    pub async fn changes(&self, since: u64, limit: u32) -> Result<PulledPage, SyncError> {
        let mut url = self.url("v1/changes")?;
        url.query_pairs_mut()
            .append_pair("since", &since.to_string())
            .append_pair("limit", &limit.to_string());
        let body = self.send(self.http.get(url)).await?;
        let raw: RawPage = serde_json::from_slice(&body)
            .map_err(|e| SyncError::Protocol(format!("changes page: {}", e.classify_text())))?;
        let mut undecodable = 0u32;
        let mut changes = Vec::with_capacity(raw.changes.len());
        for (i, v) in raw.changes.into_iter().enumerate() {
            match serde_json::from_value::<Change>(v) {
                Ok(c) => changes.push(c),
                Err(e) => {
                    undecodable += 1;
                    tracing::warn!(
                        position = i,
                        since,
                        problem = e.classify_text(),
                        "change feed entry skipped: does not decode"
                    );
                }
            }
        }
        Ok(PulledPage {
            page: ChangesPage {
                card_program: raw.card_program,
                changes,
                next_cursor: raw.next_cursor,
                more: raw.more,
            },
            undecodable,
        })
    }
}

trait ClassifyText {
    fn classify_text(&self) -> &'static str;
}

impl ClassifyText for serde_json::Error {
    /// The kind of problem only: serde's message may quote a value.
    fn classify_text(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "io error",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "unexpected shape or value",
            serde_json::error::Category::Eof => "cut short",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const TOKEN: &str =
        "hk1.0123abcd.00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn the_secret_never_shows_in_debug() {
        let c = Credential::new(TOKEN).unwrap();
        let client =
            CentralClient::new("http://127.0.0.1:9", c.clone(), &ClientOptions::default()).unwrap();
        let text = format!("{c:?} {client:?}");
        assert!(!text.contains("00112233"), "{text}");
        assert!(text.contains("0123abcd"), "the public id helps: {text}");
    }

    #[rstest]
    #[case::valid(TOKEN, true)]
    #[case::surrounding_newline("\nhk1.a.b\n", true)]
    #[case::wrong_prefix("hk2.a.b", false)]
    #[case::missing_secret("hk1.a.", false)]
    #[case::extra_part("hk1.a.b.c", false)]
    #[case::space_inside("hk1.a b.c", false)]
    #[case::header_injection("hk1.a.b\r\nX-Evil: 1", false)]
    fn credential_form(#[case] text: &str, #[case] ok: bool) {
        assert_eq!(Credential::new(text).is_ok(), ok, "{text:?}");
    }

    #[rstest]
    #[case::unauthorized(401, None, SyncError::CredentialRefused)]
    #[case::forbidden(403, None, SyncError::Forbidden)]
    #[case::too_large(413, None, SyncError::TooLarge)]
    #[case::too_many(429, Some("7"), SyncError::Unavailable { retry_after: Some(Duration::from_secs(7)) })]
    #[case::unavailable_with_date(503, Some("Wed, 21 Oct 2026 07:28:00 GMT"), SyncError::Unavailable { retry_after: None })]
    #[case::internal(500, None, SyncError::Server { status: 500 })]
    #[case::bad_gateway(502, None, SyncError::Server { status: 502 })]
    #[case::not_found(404, None, SyncError::Rejected { status: 404, code: Some("x".into()) })]
    fn statuses_map_to_errors(
        #[case] status: u16,
        #[case] retry: Option<&str>,
        #[case] expected: SyncError,
    ) {
        let mut h = HeaderMap::new();
        if let Some(r) = retry {
            h.insert(RETRY_AFTER, HeaderValue::from_str(r).unwrap());
        }
        let body = br#"{"code":"x","message":"m"}"#;
        assert_eq!(
            error_for(StatusCode::from_u16(status).unwrap(), &h, body),
            expected
        );
    }

    #[rstest]
    #[case::not_a_url("hakaru server")]
    #[case::ftp("ftp://example.invalid")]
    fn bad_server_urls_are_refused(#[case] url: &str) {
        let c = Credential::new(TOKEN).unwrap();
        let err = CentralClient::new(url, c, &ClientOptions::default()).unwrap_err();
        assert!(err.to_string().contains("https://"), "{err}");
    }

    #[test]
    fn a_certificate_file_that_is_not_pem_is_refused_with_words() {
        let c = Credential::new(TOKEN).unwrap();
        let opts = ClientOptions {
            extra_root_pem: Some(b"not a certificate".to_vec()),
            ..ClientOptions::default()
        };
        let err = CentralClient::new("https://example.invalid", c, &opts).unwrap_err();
        assert!(matches!(err, ClientSetupError::Certificate(_)), "{err:?}");
        assert!(err.to_string().contains("PEM"), "{err}");
    }
}
