//! A fresh database per test case on each backend: SQLite in a temporary directory, PostgreSQL in
//! a schema of its own in the test database (dropped when the case ends; leftovers of killed runs
//! swept), and [`on_both_backends!`] running each case once on each.
//!
//! PostgreSQL comes from `HAKARU_TEST_DATABASE_URL` (default: the one `scripts/postgres` makes).
//! Without a reachable PostgreSQL these tests FAIL, never skip.
//! Deliberately not here: the cases, and builders of what they store (`contract/`,
//! `export_support/`).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // each test file uses a part

use hakaru_central::storage::postgres::PostgresStorage;
use hakaru_central::storage::sqlite::SqliteStorage;
use hakaru_central::storage::Storage;
use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;
use tokio_postgres::NoTls;

/// One `#[tokio::test]` per case and backend: `sqlite::case` and `postgres::case`, each on a
/// fresh database from `super::fresh_sqlite()` / `super::fresh_postgres()` of the including
/// file — this module's (imported with `use backends::{fresh_postgres, fresh_sqlite}`) or the
/// file's own, returning whatever its cases take and a guard kept until the case ends.
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let (fixture, guard) = super::fresh_sqlite().await;
                    super::$case(fixture).await;
                    drop(guard);
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let (fixture, guard) = super::fresh_postgres().await;
                    super::$case(fixture).await;
                    drop(guard);
                }
            )*
        }
    };
}

/// A fresh, migrated SQLite storage and what must outlive it.
pub async fn fresh_sqlite() -> (Arc<dyn Storage>, Box<dyn Any + Send>) {
    let (storage, file) = fresh_sqlite_storage();
    (Arc::new(storage), Box::new(file))
}

/// A fresh, migrated PostgreSQL storage and the guard dropping its schema.
pub async fn fresh_postgres() -> (Arc<dyn Storage>, Box<dyn Any + Send>) {
    let (storage, guard) = fresh_postgres_storage().await;
    (Arc::new(storage), Box::new(guard))
}

/// The case's SQLite file, deleted with its directory when this is dropped.
pub struct SqliteFile {
    pub path: PathBuf,
    _dir: tempfile::TempDir,
}

/// A fresh, migrated SQLite storage in a temporary directory, and the file it lives in.
pub fn fresh_sqlite_storage() -> (SqliteStorage, SqliteFile) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("central.db");
    let storage = SqliteStorage::open(&path).expect("open SQLite storage");
    (storage, SqliteFile { path, _dir: dir })
}

/// The database `scripts/postgres` makes.
const DEFAULT_URL: &str = "postgres://hakaru:hakaru@127.0.0.1:5432/hakaru_test";

/// Test schemas older than this are left over from killed runs: swept.
const STALE_MS: i64 = 3_600_000;

/// The test database's URL.
pub fn admin_url() -> String {
    std::env::var("HAKARU_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// The URL with its password hidden, for messages.
fn shown(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].find(':') {
            Some(c) => format!("{}:***{}", &url[..s + 3 + c], &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

/// A plain connection for the fixture's own SQL (or a case's raw SQL); fails the test with what
/// to do.
pub async fn admin_client(url: &str) -> tokio_postgres::Client {
    match tokio_postgres::connect(url, NoTls).await {
        Ok((client, connection)) => {
            tokio::spawn(async move {
                let _ = connection.await;
            });
            client
        }
        Err(e) => panic!(
            "PostgreSQL に接続できません（{}）: scripts/postgres を実行してから再試行してください / \
             cannot connect to PostgreSQL at {}: run scripts/postgres, then retry ({e})",
            shown(url),
            shown(url)
        ),
    }
}

#[allow(clippy::disallowed_methods)] // a schema name stamped with the wall clock, to sweep leftovers
fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Drops the case's schema when the case ends (from a thread of its own: `Drop` cannot await).
pub struct SchemaGuard {
    /// The test database's URL.
    pub url: String,
    /// The case's schema.
    pub schema: String,
}

impl SchemaGuard {
    /// The URL whose connections see only the case's schema.
    pub fn scoped_url(&self) -> String {
        let (url, schema) = (&self.url, &self.schema);
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}options=-c%20search_path%3D{schema}&application_name={schema}")
    }
}

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        let url = self.url.clone();
        // The case's own connections may still be open (a pool closes lazily), even inside a
        // transaction whose rollback waits on this very thread: end them first.
        let sql = format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE application_name = '{0}' AND pid <> pg_backend_pid(); \
             DROP SCHEMA IF EXISTS {0} CASCADE",
            self.schema
        );
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let client = admin_client(&url).await;
                client.batch_execute(&sql).await
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            #[allow(clippy::print_stderr)] // a test's note about its leftover; swept later
            {
                eprintln!("test schema not dropped (swept by a later run): {e}");
            }
        }
    }
}

/// A fresh, migrated PostgreSQL storage in a schema of its own, and the guard dropping it.
pub async fn fresh_postgres_storage() -> (PostgresStorage, SchemaGuard) {
    let url = admin_url();
    let client = admin_client(&url).await;
    let now = wall_ms();
    // Leftovers of killed runs.
    let stale = client
        .query(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'hk\\_t\\_%'",
            &[],
        )
        .await
        .expect("list test schemas");
    for row in stale {
        let name: String = row.get(0);
        let born = name
            .split('_')
            .nth(2)
            .and_then(|ms| ms.parse::<i64>().ok())
            .unwrap_or(now);
        if now - born > STALE_MS {
            let _ = client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                .await;
        }
    }
    let mut random = [0u8; 6];
    getrandom::fill(&mut random).expect("random bytes");
    let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let guard = SchemaGuard {
        url,
        schema: format!("hk_t_{now}_{suffix}"),
    };
    client
        .batch_execute(&format!("CREATE SCHEMA {}", guard.schema))
        .await
        .expect("create the test schema (does the role own the database? run scripts/postgres)");
    let storage = PostgresStorage::connect(&guard.scoped_url())
        .await
        .unwrap_or_else(|e| {
            panic!("{e}: scripts/postgres を実行してください / run scripts/postgres")
        });
    storage.migrate().await.expect("migrate");
    (storage, guard)
}
