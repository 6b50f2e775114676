//! The server's configuration: a TOML file whose every key has a default (so
//! `hakaru-central serve` with no file just works: SQLite in the current directory, plain HTTP
//! on 127.0.0.1:8780), command-line overrides, and [`open_storage`] for the chosen database.
//! `central/central.example.toml` documents every key.
//!
//! Deliberately not here: parsing the command line (the binary's `cli` module) and sockets (the
//! `serve` module). `Debug` hides the password of a PostgreSQL URL.

use crate::serve::TlsFiles;
use crate::storage::audit::Actor;
use crate::storage::postgres::PostgresStorage;
use crate::storage::sqlite::SqliteStorage;
use crate::storage::{Storage, StorageError};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the server listens by default.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8780";
/// The SQLite file used when no database is configured (in the current directory).
pub const DEFAULT_SQLITE_FILE: &str = "hakaru-central.db";

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("設定ファイル {path} を読めません。パスを確認してください / cannot read the config file {path}: check the path: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys.
    #[error("設定ファイル {path} が正しくありません。central.example.toml と見比べてください / the config file {path} is not valid: compare it with central.example.toml: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// A value is impossible.
    #[error("設定が正しくありません / invalid configuration: {0}")]
    Invalid(String),
}

/// How the server writes its log lines (to stderr).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// One JSON object per line (for log collectors). The server's default.
    #[default]
    Json,
    /// Human-readable lines.
    Pretty,
}

/// TLS certificate and key files.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

/// The whole configuration.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// SQLite database file (used when `database_url` is not set).
    #[serde(default)]
    pub database: Option<PathBuf>,
    /// `postgres://user:password@host/db` selects PostgreSQL.
    #[serde(default)]
    pub database_url: Option<String>,
    /// HTTPS when set.
    #[serde(default)]
    pub tls: Option<TlsConfig>,
    /// `json` (default) or `pretty`.
    #[serde(default)]
    pub log_format: LogFormat,
    /// Log filter in `RUST_LOG` syntax (default `info`); `HAKARU_LOG` overrides it.
    #[serde(default = "default_log")]
    pub log: String,
    /// `[privacy]`: how long personal-data records are kept.
    #[serde(default)]
    pub privacy: PrivacyConfig,
    /// `[export]`: analysis exports.
    #[serde(default)]
    pub export: ExportConfig,
}

/// `[privacy]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Years transfer records (ledger and exports) are kept before `admin ledger purge`
    /// deletes them (default 3, the statutory period; at least 1).
    #[serde(default = "default_transfer_record_years")]
    pub transfer_record_years: u32,
}

fn default_transfer_record_years() -> u32 {
    3
}

impl Default for PrivacyConfig {
    fn default() -> PrivacyConfig {
        PrivacyConfig {
            transfer_record_years: default_transfer_record_years(),
        }
    }
}

/// `[export]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportConfig {
    /// The pseudonymisation key file (made, mode 0600, at the first pseudonymised export);
    /// `--key-file` overrides it.
    #[serde(default)]
    pub pseudonym_key: Option<PathBuf>,
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8780))
}

fn default_log() -> String {
    "info".to_owned()
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: default_listen(),
            database: None,
            database_url: None,
            tls: None,
            log_format: LogFormat::default(),
            log: default_log(),
            privacy: PrivacyConfig::default(),
            export: ExportConfig::default(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database", &self.database_choice().map(|d| d.to_string()))
            .field("tls", &self.tls)
            .field("log_format", &self.log_format)
            .field("log", &self.log)
            .field("privacy", &self.privacy)
            .field("export", &self.export)
            .finish()
    }
}

/// Which database, once the file and the flags are combined.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseChoice {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL URL.
    Postgres(String),
}

impl fmt::Display for DatabaseChoice {
    /// Names the database without a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseChoice::Sqlite(path) => write!(f, "SQLite {}", path.display()),
            DatabaseChoice::Postgres(url) => write!(f, "PostgreSQL {}", redact_url(url)),
        }
    }
}

impl fmt::Debug for DatabaseChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "***".to_owned();
    };
    let (authority, tail) = rest.split_once('/').map_or((rest, ""), |(a, t)| (a, t));
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{user}:***@{host}")
        }
        None => authority.to_owned(),
    };
    // Query parameters may carry a password too.
    let tail = tail.split_once('?').map_or(tail, |(path, _)| path);
    format!("{scheme}://{authority}/{tail}")
}

/// Command-line values that override the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--listen`.
    pub listen: Option<SocketAddr>,
    /// `--database` (an SQLite file; clears `database_url`).
    pub database: Option<PathBuf>,
    /// `--database-url` (clears `database`).
    pub database_url: Option<String>,
}

impl Config {
    /// Parses a configuration file's text.
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Reads a file, or the defaults when `path` is `None`; then applies the overrides.
    pub fn load(path: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let mut config = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                Config::from_toml(&text, path)?
            }
            None => Config::default(),
        };
        config.apply(overrides);
        config.validate()?;
        Ok(config)
    }

    /// Applies command-line overrides.
    pub fn apply(&mut self, overrides: &Overrides) {
        if let Some(listen) = overrides.listen {
            self.listen = listen;
        }
        if let Some(database) = &overrides.database {
            self.database = Some(database.clone());
            self.database_url = None;
        }
        if let Some(url) = &overrides.database_url {
            self.database_url = Some(url.clone());
            self.database = None;
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.privacy.transfer_record_years == 0 {
            return Err(ConfigError::Invalid(
                "[privacy] transfer_record_years は 1 以上にしてください（法定の保存期間は原則 3 年） / \
                 [privacy] transfer_record_years must be at least 1 (the statutory period is 3 years)"
                    .to_owned(),
            ));
        }
        if self.database.is_some() && self.database_url.is_some() {
            return Err(ConfigError::Invalid(
                "database と database_url の両方が設定されています。どちらか一方にしてください / \
                 both `database` and `database_url` are set: keep only one"
                    .to_owned(),
            ));
        }
        self.database_choice().map(|_| ())
    }

    /// The database to use.
    pub fn database_choice(&self) -> Result<DatabaseChoice, ConfigError> {
        match (&self.database_url, &self.database) {
            (Some(url), _) => {
                if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                    Ok(DatabaseChoice::Postgres(url.clone()))
                } else if let Some(path) = url.strip_prefix("sqlite://") {
                    Ok(DatabaseChoice::Sqlite(PathBuf::from(path)))
                } else {
                    Err(ConfigError::Invalid(
                        "database_url は postgres:// か sqlite:// で始めてください / \
                         database_url must start with postgres:// or sqlite://"
                            .to_owned(),
                    ))
                }
            }
            (None, Some(path)) => Ok(DatabaseChoice::Sqlite(path.clone())),
            (None, None) => Ok(DatabaseChoice::Sqlite(PathBuf::from(DEFAULT_SQLITE_FILE))),
        }
    }

    /// The TLS files, if HTTPS is configured.
    pub fn tls_files(&self) -> Option<TlsFiles> {
        self.tls.as_ref().map(|t| TlsFiles {
            cert: t.cert.clone(),
            key: t.key.clone(),
        })
    }
}

/// Opens the configured database and brings its schema up to date.
pub async fn open_storage(config: &Config) -> Result<Arc<dyn Storage>, OpenError> {
    open_storage_as(config, Actor::server()).await
}

/// As [`open_storage`], with `actor` named in the audit log for this handle's writes (the admin
/// commands pass the operating-system account that runs them).
pub async fn open_storage_as(config: &Config, actor: Actor) -> Result<Arc<dyn Storage>, OpenError> {
    let choice = config.database_choice()?;
    let storage: Arc<dyn Storage> = match &choice {
        DatabaseChoice::Sqlite(path) => Arc::new(
            SqliteStorage::open(path)
                .map_err(|source| OpenError::Storage {
                    database: choice.to_string(),
                    source,
                })?
                .acting_as(actor),
        ),
        DatabaseChoice::Postgres(url) => Arc::new(
            PostgresStorage::connect(url)
                .await
                .map_err(|source| OpenError::Storage {
                    database: choice.to_string(),
                    source,
                })?
                .acting_as(actor),
        ),
    };
    storage
        .migrate()
        .await
        .map_err(|source| OpenError::Storage {
            database: choice.to_string(),
            source,
        })?;
    Ok(storage)
}

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The configuration names no usable database.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database refused.
    #[error("データベース ({database}) を開けません。設定と接続先を確認してください / cannot open the database ({database}): check the configuration and that it is reachable: {source}")]
    Storage {
        /// Which database (no password).
        database: String,
        /// Why.
        source: StorageError,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_file_means_sqlite_in_the_current_directory_on_localhost() {
        let c = Config::load(None, &Overrides::default()).unwrap();
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(
            c.database_choice().unwrap(),
            DatabaseChoice::Sqlite(PathBuf::from(DEFAULT_SQLITE_FILE))
        );
        assert_eq!(c.log_format, LogFormat::Json);
        assert!(c.tls.is_none());
    }

    #[test]
    fn the_example_file_parses_and_matches_the_defaults() {
        let text = include_str!("../central.example.toml");
        let c = Config::from_toml(text, Path::new("central.example.toml")).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn flags_override_the_file_and_each_other() {
        let path = Path::new("x.toml");
        let file = Config::from_toml(
            "listen = \"0.0.0.0:9000\"\ndatabase_url = \"postgres://u:pw@db/hakaru\"\n",
            path,
        )
        .unwrap();
        assert!(matches!(
            file.database_choice().unwrap(),
            DatabaseChoice::Postgres(_)
        ));
        let mut c = file.clone();
        c.apply(&Overrides {
            listen: Some("127.0.0.1:1".parse().unwrap()),
            database: Some(PathBuf::from("/tmp/a.db")),
            database_url: None,
        });
        assert_eq!(c.listen.port(), 1);
        assert_eq!(
            c.database_choice().unwrap(),
            DatabaseChoice::Sqlite(PathBuf::from("/tmp/a.db"))
        );
    }

    #[test]
    fn unknown_keys_and_bad_urls_are_refused_with_words() {
        let e = Config::from_toml("listne = \"x\"", Path::new("c.toml")).unwrap_err();
        assert!(e.to_string().contains("central.example.toml"), "{e}");
        let e = Config::from_toml("database_url = \"mysql://x\"", Path::new("c.toml")).unwrap_err();
        assert!(e.to_string().contains("postgres://"), "{e}");
        let e = Config::from_toml(
            "database = \"a.db\"\ndatabase_url = \"postgres://h/d\"",
            Path::new("c.toml"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("only one"), "{e}");
    }

    #[test]
    fn debug_and_display_hide_the_database_password() {
        let c = Config::from_toml(
            "database_url = \"postgres://hakaru:s3cret@db.example:5432/hakaru?password=s3cret\"",
            Path::new("c.toml"),
        )
        .unwrap();
        let text = format!("{c:?} {}", c.database_choice().unwrap());
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("hakaru:***@db.example:5432/hakaru"), "{text}");
    }
}
