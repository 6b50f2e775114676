//! The real `hakaru-central` binary killed (SIGKILL) again and again while a station drains its
//! outbox into it, then restarted on the same SQLite file: every event arrives exactly once, no
//! award is paid twice, the outbox ends empty and the server's file passes its integrity check.
//!
//! The server runs as a separate process so a kill is a real crash: no destructor, no graceful
//! drain, a transaction cut wherever it was. The binary is the one `cargo nextest run
//! --workspace` builds next to this test (`target/<profile>/hakaru-central`).

#![allow(clippy::unwrap_used)]

use hakaru_central::ids::ProgramId;
use hakaru_central::storage::sqlite::SqliteStorage;
use hakaru_central::storage::Storage;
use hakaru_e2e::central_process::Server;
use hakaru_station::store::testing::{self, participant, seeded, T0};
use hakaru_station::store::{new_id, Measured, NewMeasurement, Store, StoreConfig};
use hakaru_station::sync::{
    Backoff, CentralClient, ClientOptions, Credential, SyncWorker, UploadStep, WorkerSettings,
};
use hakaru_station::Clock;
use hakaru_wire::api::{ParticipantStatus, RosterEntry};
use hakaru_wire::{Sex, Timestamp};
use std::path::Path;
use std::time::{Duration, Instant};

const PARTICIPANTS: u32 = 30;
const READINGS: u32 = 3_000;
const KILLS: u32 = 5;

#[derive(Debug, Clone, Copy)]
struct FixedClock(Timestamp);

impl Clock for FixedClock {
    #[allow(clippy::disallowed_methods)] // the worker does not use monotonic time here
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn wall(&self) -> Timestamp {
        self.0
    }
}

/// Seeds program, municipality, the fixtures' station, its credential and the roster; returns
/// the station's token.
async fn seed_central(db: &Path) -> String {
    let storage = SqliteStorage::open(db).unwrap();
    storage.migrate().await.unwrap();
    let program = ProgramId::new("prog-a").unwrap();
    let credential =
        hakaru_e2e::central_station(&storage, &program, testing::station().as_str(), T0).await;
    for i in 0..PARTICIPANTS {
        let entry = RosterEntry {
            participant: participant(i).as_str().into(),
            birth_date: "1955-02-01".into(),
            sex: Sex::Female,
            height_tenths_cm: 1550,
            body_type: 0,
            implanted_device: i == 1,
            status: ParticipantStatus::Active,
        };
        storage.put_participant(&program, &entry, T0).await.unwrap();
    }
    credential.token()
}

fn worker(cfg: &StoreConfig, base: &str, token: &str) -> SyncWorker<FixedClock> {
    let client = CentralClient::new(
        base,
        Credential::new(token).unwrap(),
        &ClientOptions::default(),
    )
    .unwrap();
    let settings = WorkerSettings {
        batch_size: 100,
        changes_limit: 100,
        poll_interval: Duration::from_millis(50),
        backoff: Backoff::new(Duration::from_millis(10), Duration::from_millis(50), || 0.5),
    };
    let wall = Timestamp::from_unix_ms(T0.as_unix_ms() + 86_400_000);
    SyncWorker::new(
        Store::open(cfg).unwrap(),
        client,
        settings,
        FixedClock(wall),
    )
    .unwrap()
}

/// Uploads until the outbox is empty or a request fails; returns whether it emptied.
async fn drain(worker: &mut SyncWorker<FixedClock>) -> bool {
    loop {
        match worker.upload_step().await {
            Ok(UploadStep::Empty) => return true,
            Ok(UploadStep::Sent { .. }) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_batch_and_restarted_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let token = seed_central(&db).await;

    // The station: consents for every participant, then READINGS readings recorded offline,
    // one second apart (all on one local day, so each participant earns exactly the daily and
    // the monthly award once).
    let cfg = StoreConfig::in_dir(&dir.path().join("station"));
    let mut kiosk = seeded(&cfg, PARTICIPANTS).unwrap();
    let reading = testing::reading(testing::F2);
    for k in 0..READINGS {
        let when = Timestamp::from_unix_ms(T0.as_unix_ms() + 60_000 + i64::from(k) * 1000);
        let who = participant(k % PARTICIPANTS);
        kiosk
            .record_measurement(
                &NewMeasurement {
                    id: new_id(when),
                    participant: &who,
                    reading: Measured::Composition(&reading),
                    weight_only: false,
                },
                when,
            )
            .unwrap();
    }
    let queued = kiosk.pending_events().unwrap();
    assert_eq!(queued, u64::from(READINGS + PARTICIPANTS));

    // Kill the server KILLS times at staggered moments while batches are in flight.
    let mut kills = 0;
    let mut lives = 0;
    loop {
        lives += 1;
        assert!(lives < 50, "the outbox never emptied");
        let server = Server::start(&db);
        let mut w = worker(&cfg, &server.base, &token);
        if kills < KILLS {
            let delay = Duration::from_millis(150 + 97 * u64::from(kills));
            let upload = drain(&mut w);
            tokio::pin!(upload);
            tokio::select! {
                emptied = &mut upload => {
                    assert!(emptied, "no failure is expected before the kill");
                    server.kill();
                    break;
                }
                _ = tokio::time::sleep(delay) => {
                    server.kill();
                    kills += 1;
                    // The request in flight (if any) now fails; the worker keeps its events.
                    let emptied = upload.await;
                    assert!(!emptied, "a dead server cannot have emptied the outbox");
                }
            }
        } else {
            assert!(drain(&mut w).await, "the last life must drain the outbox");
            server.kill();
            break;
        }
    }
    assert!(
        kills >= 2,
        "the server was killed while events were still queued ({kills})"
    );
    assert_eq!(kiosk.pending_events().unwrap(), 0, "the outbox is empty");

    // What the server holds, read straight from its file.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let (events, distinct): (i64, i64) = conn
        .query_row("SELECT count(*), count(DISTINCT id) FROM events", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(
        events,
        i64::from(READINGS + PARTICIPANTS),
        "every event once"
    );
    assert_eq!(distinct, events);
    let measurements: i64 = conn
        .query_row("SELECT count(*) FROM measurements", [], |r| r.get(0))
        .unwrap();
    assert_eq!(measurements, i64::from(READINGS));
    let held: i64 = conn
        .query_row(
            "SELECT count(*) FROM events WHERE held_reason IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(held, 0, "every reading had its consent first");
    // Daily + monthly award once per participant, never twice, whatever the crashes.
    let (awards, points): (i64, i64) = conn
        .query_row("SELECT count(*), sum(points) FROM awards", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(awards, i64::from(PARTICIPANTS) * 2);
    assert_eq!(points, i64::from(PARTICIPANTS) * 60);
}
