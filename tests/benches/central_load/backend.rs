//! A fresh database per backend and run — a temporary SQLite file, or a uniquely named
//! PostgreSQL database dropped when the run ends — and the real server (router + `serve`)
//! over it on loopback port 0. Deliberately not here: what is put in the database (`seed`)
//! and the load (the scenarios).

use super::args::Backend;
use super::clock;
use anyhow::{bail, Context};
use hakaru_central::api::{router, system_clock, AppState};
use hakaru_central::storage::postgres::PostgresStorage;
use hakaru_central::storage::sqlite::SqliteStorage;
use hakaru_central::storage::Storage;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_postgres::NoTls;

/// Benchmark databases are named `hakaru_bench_<wall ms>_<pid>`.
const PG_PREFIX: &str = "hakaru_bench_";
/// Tries at dropping a run's database, a second apart.
const DROP_ATTEMPTS: u32 = 20;
/// Benchmark databases older than this are leftovers of killed runs: swept at start.
const STALE_MS: i64 = 6 * 3_600_000;

/// A migrated, empty storage and what must be cleaned up after it.
pub struct Fresh {
    /// The storage the server uses.
    pub storage: Arc<dyn Storage>,
    /// Where the raw-INSERT baseline writes.
    pub raw: RawTarget,
    _guard: Guard,
}

impl std::fmt::Debug for Fresh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fresh").finish_non_exhaustive()
    }
}

/// Where the raw baseline inserts its rows: a second SQLite file beside the server's (same
/// settings), or the same PostgreSQL database.
#[derive(Clone)]
pub enum RawTarget {
    /// A SQLite file path.
    Sqlite(PathBuf),
    /// A PostgreSQL URL (with password: never printed).
    Postgres(String),
}

// Held only to be dropped when the run ends (the directory, the database).
#[allow(dead_code)]
enum Guard {
    Sqlite(tempfile::TempDir),
    Postgres(PgDatabase),
}

/// A fresh, migrated storage of `backend`.
pub async fn fresh(backend: Backend, pg_url: &str) -> anyhow::Result<Fresh> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::Builder::new()
                .prefix("hakaru-central-load-")
                .tempdir()?;
            let storage = SqliteStorage::open(&dir.path().join("central.db"))?;
            storage.migrate().await?;
            Ok(Fresh {
                storage: Arc::new(storage),
                raw: RawTarget::Sqlite(dir.path().join("raw.db")),
                _guard: Guard::Sqlite(dir),
            })
        }
        Backend::Postgres => {
            let db = PgDatabase::create(pg_url).await?;
            let storage = PostgresStorage::connect(&db.url).await.with_context(|| {
                format!("一時データベース {} に接続できません / cannot connect to the temporary database {}", db.name, db.name)
            })?;
            storage.migrate().await?;
            Ok(Fresh {
                storage: Arc::new(storage),
                raw: RawTarget::Postgres(db.url.clone()),
                _guard: Guard::Postgres(db),
            })
        }
    }
}

/// A PostgreSQL database made for one run; dropped (connections and all) on `Drop`.
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

/// Connects with a plain client (its connection task spawned), saying what to do on failure.
pub async fn pg_client(url: &str) -> anyhow::Result<tokio_postgres::Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.with_context(|| {
        format!(
            "PostgreSQL ({}) に接続できません。scripts/postgres を実行するか --pg-url を指定してください / \
             cannot connect to PostgreSQL ({}): run scripts/postgres or pass --pg-url",
            shown(url),
            shown(url)
        )
    })?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

impl PgDatabase {
    async fn create(admin_url: &str) -> anyhow::Result<PgDatabase> {
        let admin = pg_client(admin_url).await?;
        sweep_stale(&admin).await;
        let name = format!("{PG_PREFIX}{}_{}", clock::wall_ms(), std::process::id());
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .with_context(|| {
                format!("データベース {name} を作れません (CREATEDB 権限が要ります) / cannot create database {name} (the role needs CREATEDB)")
            })?;
        Ok(PgDatabase {
            url: with_database(admin_url, &name)?,
            admin_url: admin_url.to_owned(),
            name,
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // `Drop` cannot await: a thread with its own runtime drops the database.
        let url = self.admin_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let name = self.name.clone();
        let done = std::thread::spawn(move || -> anyhow::Result<()> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                let client = pg_client(&url).await?;
                // FORCE cannot end an autovacuum worker busy in the database (PostgreSQL 15
                // refuses: not our role's process); it finishes or yields within seconds.
                let mut attempt = 0;
                loop {
                    match client.batch_execute(&sql).await {
                        Ok(()) => return Ok(()),
                        Err(_) if attempt < DROP_ATTEMPTS => {
                            attempt += 1;
                            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
            })
        })
        .join();
        if !matches!(done, Ok(Ok(()))) {
            eprintln!("一時データベース {name} を削除できませんでした。手で DROP DATABASE してください / could not drop the temporary database {name}: drop it by hand");
        }
    }
}

/// Drops benchmark databases left by runs killed more than [`STALE_MS`] ago.
async fn sweep_stale(admin: &tokio_postgres::Client) {
    let Ok(rows) = admin
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'hakaru_bench_%'",
            &[],
        )
        .await
    else {
        return;
    };
    let now = clock::wall_ms();
    for row in rows {
        let name: String = row.get(0);
        let stamp = name
            .strip_prefix(PG_PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|ms| ms.parse::<i64>().ok());
        if stamp.is_some_and(|ms| now - ms > STALE_MS) {
            let _ = admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}

/// `url` with its database name replaced by `db`.
fn with_database(url: &str, db: &str) -> anyhow::Result<String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let Some(slash) = base[scheme_end..].find('/').map(|i| i + scheme_end) else {
        bail!("PostgreSQL の URL にデータベース名がありません / the PostgreSQL URL names no database: {}", shown(url));
    };
    Ok(match query {
        Some(q) => format!("{}/{db}?{q}", &base[..slash]),
        None => format!("{}/{db}", &base[..slash]),
    })
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

/// The real server on `127.0.0.1:0`: the API router over a storage, the system clock.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), hakaru_central::serve::ServeError>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("base", &self.base).finish()
    }
}

impl Server {
    /// Binds and serves.
    pub async fn start(storage: Arc<dyn Storage>) -> anyhow::Result<Server> {
        let bound = hakaru_central::serve::bind(([127, 0, 0, 1], 0).into(), None).await?;
        let base = format!("http://{}", bound.local_addr()?);
        let app = router(AppState::new(storage, system_clock()));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(bound.serve(app, async move {
            let _ = stopped.await;
        }));
        Ok(Server {
            base,
            stop: Some(stop),
            task,
        })
    }

    /// Stops accepting, lets open requests finish.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await??;
        Ok(())
    }
}
