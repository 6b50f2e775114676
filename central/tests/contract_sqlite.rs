//! The storage contract against the embedded SQLite backend: a fresh file in a temporary
//! directory per case. Deliberately not here: the cases themselves (`contract/`).

#[macro_use]
mod contract;

use hakaru_central::storage::sqlite::SqliteStorage;
use hakaru_central::storage::Storage;
use std::sync::Arc;

/// A fresh, migrated SQLite storage and the directory holding its file.
async fn fresh() -> (Arc<dyn Storage>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let storage = SqliteStorage::open(&dir.path().join("central.db")).expect("open SQLite storage");
    (Arc::new(storage), dir)
}

contract_tests!(fresh());

/// What only the SQLite backend promises: the file, its reopening and its schema version.
mod sqlite_only {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use hakaru_central::storage::StorageError;

    #[tokio::test]
    async fn a_reopened_file_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("central.db");
        let w = contract::seed(Arc::new(SqliteStorage::open(&path).unwrap())).await;
        w.enrol("A-1", 100).await;
        drop(w);
        let again: Arc<dyn Storage> = Arc::new(SqliteStorage::open(&path).unwrap());
        let w = contract::World::of(again);
        assert_eq!(w.ledger_a().await.len(), 1, "the consent upload");
        assert_eq!(w.balance("A-1").await, 0);
        let page =
            w.s.changes_since(&w.a1, 0, 10, contract::now())
                .await
                .unwrap();
        assert_eq!(page.changes.len(), 1, "the roster entry");
    }

    #[tokio::test]
    async fn a_newer_schema_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("central.db");
        drop(SqliteStorage::open(&path).unwrap());
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let e = SqliteStorage::open(&path).unwrap_err();
        assert!(matches!(e, StorageError::Backend(_)), "{e}");
        assert!(e.to_string().contains("newer"), "{e}");
        let conn = rusqlite::Connection::open(&path).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 99);
    }

    /// A version-3 file (staff roles `staff` and `technician` only, no enrolment tables) is
    /// brought to version 4 with its staff accounts kept, and then takes the role `admin`.
    #[tokio::test]
    async fn a_version_3_file_migrates_keeping_its_staff_and_allowing_admins() {
        use hakaru_wire::api::{ChangeKind, StaffAccount, StaffRole};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("central.db");
        let w = contract::seed(Arc::new(SqliteStorage::open(&path).unwrap())).await;
        drop(w);
        // Back to version 3's shape by hand.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE registration_rules; DROP TABLE held_registrations;
             DROP INDEX calibrations_by_program; DROP TABLE staff_accounts;
             CREATE TABLE staff_accounts (
                 program TEXT NOT NULL REFERENCES programs (id), login TEXT NOT NULL,
                 display_name TEXT NOT NULL,
                 role TEXT NOT NULL CHECK (role IN ('staff', 'technician')),
                 password_hash TEXT NOT NULL, active INTEGER NOT NULL CHECK (active IN (0, 1)),
                 updated_at INTEGER NOT NULL, PRIMARY KEY (program, login)) STRICT;
             INSERT INTO staff_accounts VALUES ('prog-a', 'tech-1', '技術', 'technician', 'h', 1, 0);
             PRAGMA user_version = 3;",
        )
        .unwrap();
        let refused = conn.execute(
            "INSERT INTO staff_accounts VALUES ('prog-a', 'ad-0', '管理', 'admin', 'h', 1, 0)",
            [],
        );
        assert!(refused.is_err(), "version 3 refuses admins");
        drop(conn);

        let w = contract::World::of(Arc::new(SqliteStorage::open(&path).unwrap()));
        let conn = rusqlite::Connection::open(&path).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 4);
        let kept: String = conn
            .query_row(
                "SELECT role FROM staff_accounts WHERE login = 'tech-1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kept, "technician");
        drop(conn);
        let admin = StaffAccount {
            login: "ad-1".into(),
            display_name: "管理".into(),
            role: StaffRole::Admin,
            password_hash: "h".into(),
            active: true,
        };
        w.s.put_staff(&w.pa, &admin, contract::now()).await.unwrap();
        let page =
            w.s.changes_since(&w.a1, 0, 10, contract::now())
                .await
                .unwrap();
        assert!(page
            .changes
            .iter()
            .any(|c| matches!(&c.change, ChangeKind::Staff(a) if a.role == StaffRole::Admin)));
        assert_eq!(
            w.s.registration_rules(&w.pa).await.unwrap(),
            hakaru_wire::api::RegistrationRules::default()
        );
    }

    #[tokio::test]
    async fn a_file_that_cannot_be_opened_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be.
        let e = SqliteStorage::open(dir.path()).unwrap_err();
        assert!(e.is_transient(), "{e}");
    }
}
