//! Encryption at rest: the raw database file and its WAL never contain a participant number
//! or a reading value in the clear, and a wrong key fails with the clear error.
//!
//! The scanner is checked on an unencrypted SQLite file holding the same values (control),
//! so "0 hits" means encrypted, not a broken scanner.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use hakaru_station::store::testing::{self, participant, T0};
use hakaru_station::store::{new_id, Measured, NewMeasurement, Store, StoreConfig, StoreError};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Needles: the participant number, a weight, an impedance and the analyzer's model.
const NEEDLES: &[&[u8]] = &[b"P-000000", b"586.1", b"67.6", b"MC-780"];

fn hits(path: &Path) -> usize {
    let Ok(bytes) = std::fs::read(path) else {
        return 0;
    };
    NEEDLES
        .iter()
        .map(|n| bytes.windows(n.len()).filter(|w| w == n).count())
        .sum()
}

fn files(db: &Path) -> Vec<std::path::PathBuf> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|s| {
            let mut p = db.as_os_str().to_owned();
            p.push(s);
            p.into()
        })
        .collect()
}

#[test]
fn the_scanner_finds_the_values_in_an_unencrypted_control_file() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.db");
    let conn = rusqlite::Connection::open(&plain).unwrap();
    conn.execute_batch("CREATE TABLE t (p TEXT, v TEXT)")
        .unwrap();
    let json = serde_json::to_string(&testing::reading(testing::F1)).unwrap();
    conn.execute("INSERT INTO t VALUES (?1, ?2)", ["P-000000", &json])
        .unwrap();
    drop(conn);
    assert!(hits(&plain) >= NEEDLES.len(), "{} hits", hits(&plain));
}

#[test]
fn the_database_and_its_wal_hold_no_participant_number_or_reading_value_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let config = StoreConfig::in_dir(dir.path());
    let mut store = testing::seeded(&config, 1).unwrap();
    let reading = testing::reading(testing::F1);
    let p = participant(0);
    for i in 0..20 {
        let now = hakaru_wire::Timestamp::from_unix_ms(T0.as_unix_ms() + i * 1000);
        store
            .record_measurement(
                &NewMeasurement {
                    id: new_id(now),
                    participant: &p,
                    reading: Measured::Composition(&reading),
                    weight_only: false,
                },
                now,
            )
            .unwrap();
    }
    // While open: the recent writes sit in the WAL.
    let wal = files(&config.db_path)[1].clone();
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "the WAL has data"
    );
    for f in files(&config.db_path) {
        assert_eq!(hits(&f), 0, "{} has clear text", f.display());
    }
    drop(store);
    // After close (checkpointed into the main file).
    for f in files(&config.db_path) {
        assert_eq!(hits(&f), 0, "{} has clear text", f.display());
    }
    assert_eq!(
        std::fs::metadata(&config.key_path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
}

#[test]
fn opening_with_another_stations_key_fails_with_the_clear_error() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let config_a = StoreConfig::in_dir(a.path());
    let config_b = StoreConfig::in_dir(b.path());
    testing::seeded(&config_a, 1).unwrap();
    Store::open(&config_b).unwrap(); // makes b's key
    let mixed = StoreConfig {
        db_path: config_a.db_path.clone(),
        key_path: config_b.key_path.clone(),
    };
    let err = Store::open(&mixed).unwrap_err();
    assert!(matches!(err, StoreError::WrongKey { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.starts_with("暗号鍵が一致しません"), "{msg}");
    assert!(
        msg.contains("the key does not open this store: restore the key file"),
        "{msg}"
    );
    // And the right key still opens it: nothing was overwritten.
    let store = Store::open(&config_a).unwrap();
    assert_eq!(store.history(&participant(0), 1).unwrap().len(), 0);
    assert!(store.station_id().is_some());
}
