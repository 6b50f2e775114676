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

    #[tokio::test]
    async fn a_file_that_cannot_be_opened_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be.
        let e = SqliteStorage::open(dir.path()).unwrap_err();
        assert!(e.is_transient(), "{e}");
    }
}
