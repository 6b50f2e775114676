//! The store's encryption key: a 32-byte file readable only by the kiosk user.
//!
//! Created with random bytes on first start (never for a database that already exists);
//! refused when its permissions are wider than 0600. Deliberately not here: key escrow or
//! rotation (a technician backs the key file up separately from the database).

use super::StoreError;
use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Key length in bytes (SQLCipher raw key: 256 bits, no passphrase derivation).
pub const KEY_LEN: usize = 32;

/// A raw SQLCipher key. `Debug` never shows it.
pub(crate) struct Key([u8; KEY_LEN]);

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

impl Key {
    /// The `PRAGMA key` argument: a blob literal, so SQLCipher uses it as is.
    pub(crate) fn pragma_value(&self) -> String {
        let mut s = String::with_capacity(2 * KEY_LEN + 3);
        s.push_str("x'");
        s.push_str(&super::hex(&self.0));
        s.push('\'');
        s
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Reads the key at `key_path`, or makes one if neither it nor a database at `db_path` exists.
pub(crate) fn load_or_create(key_path: &Path, db_path: &Path) -> Result<Key, StoreError> {
    match fs::metadata(key_path) {
        Ok(meta) => read_key(key_path, &meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let db_has_data = fs::metadata(db_path).map(|m| m.len() > 0).unwrap_or(false);
            if db_has_data {
                return Err(StoreError::KeyMissing {
                    db: db_path.to_owned(),
                    key: key_path.to_owned(),
                });
            }
            create_key(key_path)
        }
        Err(e) => Err(io_err(key_path)(e)),
    }
}

/// Reads the key at `key_path`; never makes one (for opening an existing store to inspect it).
pub(crate) fn load_existing(key_path: &Path, db_path: &Path) -> Result<Key, StoreError> {
    match fs::metadata(key_path) {
        Ok(meta) => read_key(key_path, &meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(StoreError::KeyMissing {
            db: db_path.to_owned(),
            key: key_path.to_owned(),
        }),
        Err(e) => Err(io_err(key_path)(e)),
    }
}

fn read_key(path: &Path, meta: &fs::Metadata) -> Result<Key, StoreError> {
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(StoreError::KeyFilePermissions {
            path: path.to_owned(),
            mode,
        });
    }
    if meta.len() != KEY_LEN as u64 {
        return Err(StoreError::KeyFileInvalid {
            path: path.to_owned(),
            len: meta.len(),
        });
    }
    let mut bytes = [0u8; KEY_LEN];
    fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(io_err(path))?;
    Ok(Key(bytes))
}

/// Writes a fresh key atomically: a 0600 temporary file, fsync, rename, fsync the directory.
/// A crash leaves either no key file or a whole one.
fn create_key(path: &Path) -> Result<Key, StoreError> {
    let mut bytes = [0u8; KEY_LEN];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Random(e.to_string()))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let tmp = path.with_extension("key-new");
    let _ = fs::remove_file(&tmp);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(io_err(&tmp))?;
    f.write_all(&bytes).map_err(io_err(&tmp))?;
    f.sync_all().map_err(io_err(&tmp))?;
    drop(f);
    fs::rename(&tmp, path).map_err(io_err(path))?;
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir))?;
    tracing::info!("created a new store key file");
    Ok(Key(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_start_creates_a_0600_key_of_32_random_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let key_path = dir.path().join("k");
        let a = load_or_create(&key_path, &dir.path().join("db")).unwrap();
        let meta = fs::metadata(&key_path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(meta.len(), KEY_LEN as u64);
        let again = load_or_create(&key_path, &dir.path().join("db")).unwrap();
        assert_eq!(a.0, again.0, "the second start reads the same key");
        let other = tempfile::tempdir().unwrap();
        let b = load_or_create(&other.path().join("k"), &other.path().join("db")).unwrap();
        assert_ne!(a.0, b.0, "two stations get different keys");
        assert!(!format!("{a:?}").contains(&super::super::hex(&a.0[..4])));
    }

    #[test]
    fn a_key_file_readable_by_others_is_refused_with_chmod_advice() {
        let dir = tempfile::tempdir().unwrap();
        let key_path = dir.path().join("k");
        load_or_create(&key_path, &dir.path().join("db")).unwrap();
        fs::set_permissions(&key_path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_or_create(&key_path, &dir.path().join("db")).unwrap_err();
        assert!(matches!(
            err,
            StoreError::KeyFilePermissions { mode: 0o644, .. }
        ));
        assert!(err.to_string().contains("chmod 600"));
    }

    #[test]
    fn an_existing_database_without_its_key_is_an_error_not_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        fs::write(&db, b"not empty").unwrap();
        let key_path = dir.path().join("k");
        let err = load_or_create(&key_path, &db).unwrap_err();
        assert!(matches!(err, StoreError::KeyMissing { .. }));
        assert!(!key_path.exists(), "no key was made");
    }

    #[test]
    fn a_truncated_key_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key_path = dir.path().join("k");
        fs::write(&key_path, [1u8; 7]).unwrap();
        fs::set_permissions(&key_path, fs::Permissions::from_mode(0o600)).unwrap();
        let err = load_or_create(&key_path, &dir.path().join("db")).unwrap_err();
        assert!(matches!(err, StoreError::KeyFileInvalid { len: 7, .. }));
    }
}
