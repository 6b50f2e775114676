//! The station's local store: one SQLCipher-encrypted SQLite file (WAL, `synchronous=FULL`)
//! holding the roster, documents, consents, immutable measurements, the outbox and the
//! hash-chained audit log. Each fact is written with its outbox row and audit row in one
//! transaction, and a call returns only after that transaction is durable.
//!
//! Deliberately not here: deciding *whether* to measure (the session), sending the outbox
//! (the sync worker), and anything with I/O other than the database and key files. Time is
//! always a parameter; the library never reads the clock.

mod audit;
mod calibration;
mod cards;
mod error;
mod key;
mod outbox;
mod record;
mod registrations;
mod retention;
mod roster;
mod schema;
mod staff;
mod sync_state;
#[doc(hidden)]
pub mod testing;

pub use audit::{AuditBreak, AuditError, AuditRow, BreakReason, GENESIS};
pub use calibration::CalibrationSummary;
pub use cards::{CardStatus, HeldCard};
pub use error::StoreError;
pub use key::KEY_LEN;
pub use outbox::{plan_batch, BatchLimits, OutboxError, PendingEntry};
pub use record::{
    ConsentRecord, HistoryEntry, Measured, MeasurementTrail, NewMeasurement, Recorded, StoredFrame,
    WEIGHT_ONLY_KEYS,
};
pub use registrations::{RegistrationRow, RegistrationState};
pub use retention::{InactiveDrop, PurgeReport, RosterRemoval, DEFAULT_RETENTION_DAYS};
pub use roster::{content_hash, Standing};
pub use schema::SCHEMA_VERSION;
pub(crate) use staff::{login_key, FailureOutcome, LockRule};
pub use sync_state::{AppliedChanges, PointsAck};

use crate::domain::StationId;
use hakaru_wire::Timestamp;
use rusqlite::{Connection, OptionalExtension};
use std::fmt;
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// Where the store and its key live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// The database file.
    pub db_path: PathBuf,
    /// The key file (0600). Keep a copy apart from database backups.
    pub key_path: PathBuf,
}

impl StoreConfig {
    /// `station.db` and `station.key` in `dir`.
    pub fn in_dir(dir: &Path) -> StoreConfig {
        StoreConfig {
            db_path: dir.join("station.db"),
            key_path: dir.join("station.key"),
        }
    }

    /// The platform data directory for the kiosk user (e.g. `~/.local/share/hakaru-station`).
    pub fn platform_default() -> Result<StoreConfig, StoreError> {
        let dirs = directories::ProjectDirs::from("jp", "Hakaru", "hakaru-station")
            .ok_or(StoreError::NoDataDirectory)?;
        Ok(StoreConfig::in_dir(dirs.data_dir()))
    }
}

/// An open store. One per process; not shared between threads (wrap it in a task or a mutex).
pub struct Store {
    conn: Connection,
    db_path: PathBuf,
    station: Option<StationId>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("db_path", &self.db_path)
            .field("station", &self.station)
            .finish_non_exhaustive()
    }
}

/// A new UUIDv7 whose timestamp is `now` (the random part comes from the OS).
pub fn new_id(now: Timestamp) -> Uuid {
    let ms = u64::try_from(now.as_unix_ms()).unwrap_or(0);
    let ts =
        uuid::Timestamp::from_unix(uuid::NoContext, ms / 1000, ((ms % 1000) * 1_000_000) as u32);
    Uuid::new_v7(ts)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

impl Store {
    /// Opens (or on first start creates) the store and brings its schema up to date.
    ///
    /// Fails with [`StoreError::WrongKey`] / [`StoreError::KeyMissing`] rather than ever
    /// starting a new empty store over an existing one, and with
    /// [`StoreError::SchemaTooNew`] for a file from a newer build.
    pub fn open(config: &StoreConfig) -> Result<Store, StoreError> {
        Store::open_at_version(config, SCHEMA_VERSION)
    }

    /// Opens an existing store for inspection only (the technician's audit check), safe while
    /// the kiosk runs: read-only file access and `query_only`, no key is ever made, no
    /// migration, no journal-mode change. A missing database or key file is an error.
    pub fn open_read_only(config: &StoreConfig) -> Result<Store, StoreError> {
        if let Err(source) = std::fs::metadata(&config.db_path) {
            return Err(StoreError::Io {
                path: config.db_path.clone(),
                source,
            });
        }
        let key = key::load_existing(&config.key_path, &config.db_path)?;
        let conn = Connection::open_with_flags(
            &config.db_path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        unlock(&conn, &key, config)?;
        conn.execute_batch("PRAGMA query_only = ON; PRAGMA busy_timeout = 5000;")?;
        let found = schema::user_version(&conn)?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        let station = read_station(&conn)?;
        Ok(Store {
            conn,
            db_path: config.db_path.clone(),
            station,
        })
    }

    pub(crate) fn open_at_version(config: &StoreConfig, target: u32) -> Result<Store, StoreError> {
        let mut conn = open_connection(config)?;
        schema::migrate_to(&mut conn, target)?;
        let station = read_station(&conn)?;
        Ok(Store {
            conn,
            db_path: config.db_path.clone(),
            station,
        })
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        schema::user_version(&self.conn)
    }

    /// Copies the WAL back into the database file and truncates it. Call it when the kiosk is
    /// idle (after a session ends) so the copy never lands inside a recording's commit; an
    /// automatic checkpoint every ~16 MB of WAL remains as a safety net.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// SQLite's own consistency check of the file; empty when healthy.
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let problems: Vec<String> = rows.collect::<Result<_, _>>()?;
        Ok(problems.into_iter().filter(|p| p != "ok").collect())
    }

    /// The station's identity, once enrolled.
    pub fn station_id(&self) -> Option<&StationId> {
        self.station.as_ref()
    }

    /// Records the station's identity (enrollment by a technician); audited.
    pub fn enroll(&mut self, station: &StationId, now: Timestamp) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO station (singleton, station_id, enrolled_at) VALUES (1, ?1, ?2)
             ON CONFLICT (singleton) DO UPDATE SET station_id = excluded.station_id, enrolled_at = excluded.enrolled_at",
            rusqlite::params![station.as_str(), now.as_unix_ms()],
        )?;
        audit::append(
            &tx,
            now,
            "station_enrolled",
            &serde_json::json!({ "station": station.as_str() }),
        )?;
        tx.commit()?;
        self.station = Some(station.clone());
        Ok(())
    }

    fn require_station(&self) -> Result<StationId, StoreError> {
        self.station.clone().ok_or(StoreError::NotEnrolled)
    }

    /// A setting's value.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Sets a setting; audited with the key and value (settings are never personal).
    pub fn set_setting(
        &mut self,
        key: &str,
        value: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        audit::append(
            &tx,
            now,
            "setting_changed",
            &serde_json::json!({ "key": key, "value": value }),
        )?;
        tx.commit()?;
        Ok(())
    }
}

fn read_station(conn: &Connection) -> Result<Option<StationId>, StoreError> {
    conn.query_row(
        "SELECT station_id FROM station WHERE singleton = 1",
        [],
        |r| r.get::<_, String>(0),
    )
    .optional()?
    .map(|s| StationId::new(&s).map_err(|e| StoreError::Corrupt(e.to_string())))
    .transpose()
}

fn open_connection(config: &StoreConfig) -> Result<Connection, StoreError> {
    let key = key::load_or_create(&config.key_path, &config.db_path)?;
    if let Some(dir) = config
        .db_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_owned(),
            source,
        })?;
    }
    let conn = Connection::open(&config.db_path)?;
    unlock(&conn, &key, config)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt(format!(
            "journal mode {mode}, WAL expected"
        )));
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA wal_autocheckpoint = 4000;",
    )?;
    Ok(conn)
}

/// Checks the build has SQLCipher, gives the connection its key and proves the key opens the
/// file (a wrong key shows as "not a database" on the first read).
fn unlock(conn: &Connection, key: &key::Key, config: &StoreConfig) -> Result<(), StoreError> {
    let cipher: Option<String> = conn
        .query_row("PRAGMA cipher_version", [], |r| r.get(0))
        .optional()?;
    if cipher.is_none() {
        return Err(StoreError::Corrupt(
            "this build's SQLite has no encryption (SQLCipher missing)".into(),
        ));
    }
    conn.execute_batch(&format!("PRAGMA key = \"{}\";", key.pragma_value()))?;
    // The first read decrypts page 1: a wrong key shows here, as "not a database".
    let readable = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    });
    match readable {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            return Err(StoreError::WrongKey {
                db: config.db_path.clone(),
            })
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests;
