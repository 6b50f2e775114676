//! Shared by the export and transfer-record tests: a fresh storage on each backend (SQLite in a
//! temporary directory; PostgreSQL in a schema of its own, dropped when the case ends — the
//! fixture of `contract_postgres.rs`), a macro running each case on both, and builders for
//! participants, consents and measurements with real reading values.
//!
//! Without a reachable PostgreSQL the PostgreSQL cases FAIL, never skip.
//! Deliberately not here: the cases.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use hakaru_central::ids::ProgramId;
use hakaru_central::storage::postgres::PostgresStorage;
use hakaru_central::storage::sqlite::SqliteStorage;
use hakaru_central::storage::{StationContext, Storage};
use hakaru_wire::api::{ParticipantStatus, RosterEntry, UploadRequest};
use hakaru_wire::{
    ConsentAction, ConsentMethod, ConsentRecorded, EventId, EventKind, MeasurementRecorded,
    OutboxEvent, Sex, Timestamp,
};
use std::any::Any;
use std::sync::Arc;
use tokio_postgres::NoTls;
use uuid::Uuid;

/// One `#[tokio::test]` per case and backend: `sqlite::case` and `postgres::case`, each on a
/// fresh database. Each case is `async fn case(s: Arc<dyn Storage>)` in the including file.
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let (storage, guard) = $crate::export_support::fresh_sqlite().await;
                    super::$case(storage).await;
                    drop(guard);
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let (storage, guard) = $crate::export_support::fresh_postgres().await;
                    super::$case(storage).await;
                    drop(guard);
                }
            )*
        }
    };
}

/// A fresh, migrated SQLite storage and what must outlive it.
pub async fn fresh_sqlite() -> (Arc<dyn Storage>, Box<dyn Any + Send>) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let storage = SqliteStorage::open(&dir.path().join("central.db")).expect("open SQLite storage");
    (Arc::new(storage), Box::new(dir))
}

/// A fresh, migrated PostgreSQL storage and the guard dropping its schema.
pub async fn fresh_postgres() -> (Arc<dyn Storage>, Box<dyn Any + Send>) {
    let (storage, guard) = fresh_postgres_storage().await;
    (Arc::new(storage), Box::new(guard))
}

/// The database `scripts/postgres` makes.
const DEFAULT_URL: &str = "postgres://hakaru:hakaru@127.0.0.1:5432/hakaru_test";

/// Test schemas older than this are left over from killed runs: swept.
const STALE_MS: i64 = 3_600_000;

fn admin_url() -> String {
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

/// A plain connection for the fixture's own SQL; fails the test with what to do.
async fn admin_client(url: &str) -> tokio_postgres::Client {
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
struct SchemaGuard {
    url: String,
    schema: String,
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
async fn fresh_postgres_storage() -> (PostgresStorage, SchemaGuard) {
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
    let schema = format!("hk_t_{now}_{suffix}");
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("create the test schema (does the role own the database? run scripts/postgres)");
    let sep = if url.contains('?') { '&' } else { '?' };
    let scoped = format!("{url}{sep}options=-c%20search_path%3D{schema}&application_name={schema}");
    let storage = PostgresStorage::connect(&scoped).await.unwrap_or_else(|e| {
        panic!("{e}: scripts/postgres を実行してください / run scripts/postgres")
    });
    storage.migrate().await.expect("migrate");
    (storage, SchemaGuard { url, schema })
}

// ---------------------------------------------------------------------------------------------
// Builders.

/// A participant on the roster.
pub fn person(number: &str, birth_date: &str, sex: Sex, status: ParticipantStatus) -> RosterEntry {
    RosterEntry {
        participant: number.into(),
        birth_date: birth_date.into(),
        sex,
        height_tenths_cm: 1600,
        body_type: 0,
        implanted_device: false,
        status,
    }
}

fn event(who: &StationContext, id: u128, at: Timestamp, kind: EventKind) -> OutboxEvent {
    OutboxEvent {
        id: EventId(Uuid::from_u128(id)),
        station: who.station.to_string(),
        occurred_at: at,
        kind,
    }
}

/// A consent decision granting `granted`.
pub fn decision(
    who: &StationContext,
    id: u128,
    participant: &str,
    action: ConsentAction,
    granted: &[&str],
    at: Timestamp,
) -> OutboxEvent {
    event(
        who,
        id,
        at,
        EventKind::ConsentRecorded(ConsentRecorded {
            consent_id: Uuid::from_u128((2 << 64) + id),
            participant: participant.into(),
            action,
            document_hashes: vec!["ab".repeat(32)],
            granted: granted.iter().map(|g| (*g).to_owned()).collect(),
            refused: vec![],
            method: ConsentMethod::OnScreen,
        }),
    )
}

/// A reading with whole-body values and the device echoes an export must drop.
pub fn reading(
    who: &StationContext,
    id: u128,
    participant: &str,
    weight: f64,
    at: Timestamp,
) -> OutboxEvent {
    event(
        who,
        id,
        at,
        EventKind::MeasurementRecorded(MeasurementRecorded {
            measurement_id: Uuid::from_u128((1 << 64) + id),
            participant: participant.into(),
            analyzer_model: Some("MC-780".into()),
            analyzer_serial: Some("SN-77821".into()),
            taken_at: at,
            weight_only: false,
            values: serde_json::json!({
                "model": "MC-780",
                "serial_number": "SN-77821",
                "card_id": "CARD-0099",
                "birth_date": { "year": 1950, "month": 4, "day": 1 },
                "height": 160.0,
                "weight": weight,
                "bmi": weight / 2.56,
                "fat_percent": 28.4,
                "muscle_mass": 40.2,
                "bone_mass": 2.4,
                "body_water_percent": 51.3,
                "visceral_fat_rating": 9.0,
                "bmr_kcal": 1210.0,
            }),
            raw_frame: Some("{0,16,~0,1,Wk,60.0".into()),
            raw_frame_dropped: false,
        }),
    )
}

/// Uploads events in batches of at most 500; panics on a refusal.
pub async fn upload_all(
    s: &dyn Storage,
    who: &StationContext,
    events: Vec<OutboxEvent>,
    at: Timestamp,
) {
    for chunk in events.chunks(500) {
        let response = s
            .ingest(
                who,
                &UploadRequest {
                    events: chunk.to_vec(),
                    backlog_after: 0,
                    last_error: None,
                },
                at,
            )
            .await
            .unwrap();
        for ack in &response.acks {
            assert_eq!(
                ack.outcome,
                hakaru_wire::api::AckOutcome::Accepted,
                "every event is accepted"
            );
        }
    }
}

/// The CSV rows of a file (header first); fields are plain in these exports (no quotes needed).
pub fn csv_rows(path: &std::path::Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).expect("csv file");
    text.lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

/// The program id.
pub fn program(id: &str) -> ProgramId {
    ProgramId::new(id).unwrap()
}
