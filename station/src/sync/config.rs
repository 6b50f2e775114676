//! The `[sync]` section of the station's TOML settings, with documented defaults:
//!
//! ```toml
//! [sync]
//! server_url = "https://hakaru.example.jp"      # required
//! credential_file = "/etc/hakaru/credential"    # required; the token lives here (0600), never in TOML
//! batch_size = 500                              # events per upload (at most 1000)
//! changes_limit = 500                           # changes per pull (at most 1000)
//! poll_interval_secs = 30                       # between rounds when all is sent
//! backoff_base_ms = 1000                        # first retry within 1 s …
//! backoff_cap_secs = 300                        # … growing to at most 5 min
//! connect_timeout_secs = 10
//! request_timeout_secs = 60
//! # ca_cert = "/etc/hakaru/server-ca.pem"       # extra root certificate (self-signed server)
//! ```
//!
//! Deliberately not here: other sections of the file (each part reads its own) and the
//! credential itself (read from `credential_file` by [`super::Credential::from_file`]).

use super::backoff::{os_random, Backoff};
use super::client::{CentralClient, ClientOptions, ClientSetupError, Credential, CredentialError};
use super::worker::WorkerSettings;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The `[sync]` section. Unknown keys are refused, so a misspelt setting is not silently ignored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncConfig {
    /// The central server, e.g. `https://hakaru.example.jp`.
    pub server_url: String,
    /// The file holding the station credential `hk1.<id>.<secret>` (mode 0600).
    pub credential_file: PathBuf,
    /// Events per upload (default 500).
    #[serde(default = "defaults::batch_size")]
    pub batch_size: usize,
    /// Changes per pull (default 500).
    #[serde(default = "defaults::changes_limit")]
    pub changes_limit: u32,
    /// Seconds between rounds when everything is sent (default 30).
    #[serde(default = "defaults::poll_interval_secs")]
    pub poll_interval_secs: u64,
    /// First retry delay bound, ms (default 1000).
    #[serde(default = "defaults::backoff_base_ms")]
    pub backoff_base_ms: u64,
    /// Longest retry delay bound, s (default 300).
    #[serde(default = "defaults::backoff_cap_secs")]
    pub backoff_cap_secs: u64,
    /// Seconds to establish a connection (default 10).
    #[serde(default = "defaults::connect_timeout_secs")]
    pub connect_timeout_secs: u64,
    /// Seconds for a whole request (default 60).
    #[serde(default = "defaults::request_timeout_secs")]
    pub request_timeout_secs: u64,
    /// An extra root certificate (PEM) for a server with its own certificate authority.
    #[serde(default)]
    pub ca_cert: Option<PathBuf>,
}

mod defaults {
    pub fn batch_size() -> usize {
        500
    }
    pub fn changes_limit() -> u32 {
        500
    }
    pub fn poll_interval_secs() -> u64 {
        30
    }
    pub fn backoff_base_ms() -> u64 {
        1000
    }
    pub fn backoff_cap_secs() -> u64 {
        300
    }
    pub fn connect_timeout_secs() -> u64 {
        10
    }
    pub fn request_timeout_secs() -> u64 {
        60
    }
}

/// Why the sync settings cannot be used. Each message says what to change.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The settings file could not be read.
    #[error(
        "設定ファイル {path} を読めません（{source}）。パスと権限を確認してください / \
         cannot read the settings file {path} ({source}): check the path and its permissions"
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML, or `[sync]` has a wrong or unknown key.
    #[error(
        "設定ファイル {path} の [sync] が正しくありません: {detail} 該当行を直してください / \
         the [sync] settings in {path} are not valid: {detail} fix that line"
    )]
    Parse {
        /// The file.
        path: PathBuf,
        /// The TOML parser's description (settings are never personal).
        detail: String,
    },
    /// There is no `[sync]` section.
    #[error(
        "設定ファイル {path} に [sync] がありません。server_url と credential_file を書いた [sync] を追加してください / \
         {path} has no [sync] section: add one with server_url and credential_file"
    )]
    MissingSection {
        /// The file.
        path: PathBuf,
    },
    /// A value is out of range.
    #[error(
        "[sync] の {key} が正しくありません（{rule}）。値を直してください / \
         [sync] {key} is not valid ({rule}): correct the value"
    )]
    Invalid {
        /// The key.
        key: &'static str,
        /// What is allowed.
        rule: &'static str,
    },
    /// The extra root certificate could not be read.
    #[error(
        "証明書ファイル {path} を読めません（{source}）。[sync] の ca_cert のパスを確認してください / \
         cannot read the certificate file {path} ({source}): check ca_cert in [sync]"
    )]
    CaCert {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The credential file is missing, unreadable, too open or malformed.
    #[error(transparent)]
    Credential(#[from] CredentialError),
    /// The client could not be built (URL, certificate).
    #[error(transparent)]
    Client(#[from] ClientSetupError),
    /// The worker's own store connection could not be opened.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

#[derive(serde::Deserialize)]
struct File {
    sync: Option<SyncConfig>,
}

impl SyncConfig {
    /// A configuration with every default, for `server_url` and `credential_file`.
    pub fn new(server_url: impl Into<String>, credential_file: impl Into<PathBuf>) -> SyncConfig {
        SyncConfig {
            server_url: server_url.into(),
            credential_file: credential_file.into(),
            batch_size: defaults::batch_size(),
            changes_limit: defaults::changes_limit(),
            poll_interval_secs: defaults::poll_interval_secs(),
            backoff_base_ms: defaults::backoff_base_ms(),
            backoff_cap_secs: defaults::backoff_cap_secs(),
            connect_timeout_secs: defaults::connect_timeout_secs(),
            request_timeout_secs: defaults::request_timeout_secs(),
            ca_cert: None,
        }
    }

    /// Reads the `[sync]` section of the settings file at `path` (other sections are ignored).
    pub fn load(path: &Path) -> Result<SyncConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        SyncConfig::from_toml(&text, path)
    }

    /// Parses the `[sync]` section of settings text; `path` is named in errors.
    pub fn from_toml(text: &str, path: &Path) -> Result<SyncConfig, ConfigError> {
        let file: File = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            detail: e.to_string().replace('\n', " "),
        })?;
        let config = file.sync.ok_or_else(|| ConfigError::MissingSection {
            path: path.to_owned(),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks every value's range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, rule| Err(ConfigError::Invalid { key, rule });
        // The server takes at most 1000 events per upload and 1000 changes per page.
        if !(1..=1000).contains(&self.batch_size) {
            return invalid("batch_size", "1–1000");
        }
        if !(1..=1000).contains(&self.changes_limit) {
            return invalid("changes_limit", "1–1000");
        }
        if self.poll_interval_secs == 0 {
            return invalid("poll_interval_secs", "at least 1");
        }
        if self.backoff_base_ms == 0 {
            return invalid("backoff_base_ms", "at least 1");
        }
        if self.backoff_cap_secs.saturating_mul(1000) < self.backoff_base_ms {
            return invalid("backoff_cap_secs", "not less than backoff_base_ms");
        }
        if self.connect_timeout_secs == 0 || self.request_timeout_secs == 0 {
            return invalid("connect_timeout_secs / request_timeout_secs", "at least 1");
        }
        Ok(())
    }

    /// Timeouts and the extra root certificate, read from `ca_cert`.
    pub fn client_options(&self) -> Result<ClientOptions, ConfigError> {
        let extra_root_pem = self
            .ca_cert
            .as_ref()
            .map(|p| {
                std::fs::read(p).map_err(|source| ConfigError::CaCert {
                    path: p.clone(),
                    source,
                })
            })
            .transpose()?;
        Ok(ClientOptions {
            connect_timeout: Duration::from_secs(self.connect_timeout_secs),
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            extra_root_pem,
        })
    }

    /// The client: reads the credential file and the certificate.
    pub fn client(&self) -> Result<CentralClient, ConfigError> {
        let credential = Credential::from_file(&self.credential_file)?;
        Ok(CentralClient::new(
            &self.server_url,
            credential,
            &self.client_options()?,
        )?)
    }

    /// Batch size, poll interval and backoff for the worker (jitter from the OS).
    pub fn worker_settings(&self) -> WorkerSettings {
        WorkerSettings {
            batch_size: self.batch_size,
            changes_limit: self.changes_limit,
            poll_interval: Duration::from_secs(self.poll_interval_secs),
            backoff: Backoff::new(
                Duration::from_millis(self.backoff_base_ms),
                Duration::from_secs(self.backoff_cap_secs),
                os_random,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn parse(text: &str) -> Result<SyncConfig, ConfigError> {
        SyncConfig::from_toml(text, Path::new("station.toml"))
    }

    #[test]
    fn only_url_and_credential_file_are_required_and_defaults_are_documented_ones() {
        let c = parse(
            "[kiosk]\nlanguage = \"ja\"\n\n[sync]\nserver_url = \"https://h.example\"\ncredential_file = \"/etc/hakaru/cred\"\n",
        )
        .unwrap();
        assert_eq!(c, SyncConfig::new("https://h.example", "/etc/hakaru/cred"));
        assert_eq!(
            (
                c.batch_size,
                c.poll_interval_secs,
                c.backoff_base_ms,
                c.backoff_cap_secs
            ),
            (500, 30, 1000, 300)
        );
        assert_eq!(c.ca_cert, None);
    }

    #[rstest]
    #[case::no_section("[kiosk]\nx = 1\n", "add one with server_url")]
    #[case::misspelt_key(
        "[sync]\nserver_url = \"https://h\"\ncredential_file = \"c\"\npoll_intervall_secs = 5\n",
        "fix that line"
    )]
    #[case::token_in_toml(
        "[sync]\nserver_url = \"https://h\"\ncredential_file = \"c\"\ntoken = \"hk1.a.b\"\n",
        "fix that line"
    )]
    #[case::missing_url("[sync]\ncredential_file = \"c\"\n", "server_url")]
    #[case::zero_batch(
        "[sync]\nserver_url = \"https://h\"\ncredential_file = \"c\"\nbatch_size = 0\n",
        "batch_size is not valid"
    )]
    #[case::cap_below_base("[sync]\nserver_url = \"https://h\"\ncredential_file = \"c\"\nbackoff_base_ms = 5000\nbackoff_cap_secs = 1\n", "backoff_cap_secs")]
    #[case::not_toml("[sync\n", "fix that line")]
    fn bad_settings_say_what_to_change(#[case] text: &str, #[case] says: &str) {
        let err = parse(text).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(says), "{msg}");
        assert!(msg.contains(" / "), "Japanese then English: {msg}");
    }

    #[test]
    fn a_missing_certificate_file_names_the_setting() {
        let mut c = SyncConfig::new("https://h.example", "/nonexistent/cred");
        c.ca_cert = Some("/nonexistent/ca.pem".into());
        let err = c.client_options().unwrap_err();
        assert!(err.to_string().contains("ca_cert"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn the_credential_file_must_be_private_and_well_formed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cred");
        std::fs::write(&path, "hk1.abc.def\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let c = SyncConfig::new("https://h.example", &path);
        let err = c.client().unwrap_err();
        assert!(err.to_string().contains("chmod 600"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let client = c.client().unwrap();
        assert_eq!(client.credential_id(), "abc");
        std::fs::write(&path, "password123").unwrap();
        let err = c.client().unwrap_err();
        assert!(err.to_string().contains("malformed"), "{err}");
    }
}
