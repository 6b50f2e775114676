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
