//! Scenario 2 — a station back online with a backlog: a real station store (SQLCipher, WAL,
//! `synchronous=FULL`) holding `--backlog` recorded readings (plus the fixtures' consents), and
//! the station's real `SyncWorker` (default settings: 500 per batch) uploading to the served
//! central, timed from the first request until the outbox is empty. Deliberately not here:
//! recording the readings (done first, untimed), other scenarios.

use super::args::{Backend, Options};
use super::backend::{self, Server};
use super::clock;
use super::progress::{self, Ticker};
use super::seed::{self, BenchStation};
use super::stats::{thousands, Percentiles};
use anyhow::ensure;
use hakaru_station::store::testing::{self, participant, seeded, T0};
use hakaru_station::store::{new_id, Measured, NewMeasurement, Store, StoreConfig};
use hakaru_station::sync::{
    CentralClient, ClientOptions, Credential, SyncWorker, UploadStep, WorkerSettings,
};
use hakaru_station::SystemClock;
use hakaru_wire::Timestamp;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Participants the backlog's readings go round.
const PARTICIPANTS: u32 = 50;

/// What one backend's drain measured.
#[derive(Debug, Clone)]
pub struct DrainResult {
    /// Which backend.
    pub backend: Backend,
    /// Events in the outbox at the start (readings + consents).
    pub events: u64,
    /// Upload steps that sent something.
    pub batches: usize,
    /// First request until the outbox was empty.
    pub elapsed: Duration,
    /// One upload step (station reads its batch, request, station stores acks and points).
    pub step: Percentiles,
}

/// Runs the scenario on a fresh database of `backend`.
pub async fn run(backend: Backend, o: &Options) -> anyhow::Result<DrainResult> {
    let name = backend.name();
    progress::say(format!("drain {name}: fresh database"));
    let fresh = backend::fresh(backend, &o.pg_url).await?;
    let storage = fresh.storage.clone();
    let station_id = testing::station().as_str().to_owned();
    let stations = seed::structure(&storage, 1, |_| station_id.clone(), |_| {}).await?;
    let BenchStation { context, token } = stations[0].clone();
    for i in 0..PARTICIPANTS {
        storage
            .put_participant(
                &context.program,
                &seed::roster_entry(participant(i).as_str(), 1755),
                seed::setup_time(),
            )
            .await?;
    }

    let dir = tempfile::Builder::new()
        .prefix("hakaru-central-load-station-")
        .tempdir()?;
    let cfg = StoreConfig::in_dir(dir.path());
    let events = record_backlog(&cfg, o.backlog, name).await?;

    let server = Server::start(storage.clone()).await?;
    let client = CentralClient::new(
        &server.base,
        Credential::new(&token)?,
        &ClientOptions::default(),
    )?;
    let mut worker = SyncWorker::new(
        Store::open(&cfg)?,
        client,
        WorkerSettings::default(),
        SystemClock,
    )?;
    ensure!(
        worker.status().backlog == events,
        "ワーカーが未送信分の一部しか見ていません (ベンチの不具合) / the worker does not see the whole backlog (a bench bug)"
    );
    progress::say(format!(
        "drain {name}: SyncWorker uploading {} events",
        thousands(events)
    ));
    let sent = Arc::new(AtomicU64::new(0));
    let start = clock::now();
    let ticker = {
        let sent = sent.clone();
        Ticker::every(Duration::from_secs(2), move || {
            format!(
                "drain {name}: {} / {} events acknowledged, {:.1} s",
                thousands(sent.load(Ordering::Relaxed)),
                thousands(events),
                start.elapsed().as_secs_f64()
            )
        })
    };
    let mut steps = Vec::new();
    loop {
        let t = clock::now();
        match worker.upload_step().await? {
            UploadStep::Sent { acked, held, .. } => {
                steps.push(t.elapsed());
                ensure!(
                    held == 0,
                    "{held} 件が保留されました。ベンチの準備データを直してください / {held} events held: fix the bench's fixtures"
                );
                sent.fetch_add(acked as u64, Ordering::Relaxed);
            }
            UploadStep::Empty => break,
        }
    }
    let elapsed = start.elapsed();
    ticker.stop().await;
    ensure!(
        worker.store().pending_events()? == 0,
        "送信後も送信待ちが残っています。同期処理を調べてください / the outbox is not empty after the drain: look at the sync worker"
    );
    drop(worker);
    server.stop().await?;
    let received: u64 = storage
        .sync_status(None)
        .await?
        .iter()
        .map(|s| s.events_received)
        .sum();
    ensure!(
        received == events,
        "{name}: サーバーの受信数 {received} / {events} 件。取り込みを調べてください / the server received {received} of {events} events: look at ingest"
    );
    drop(storage);
    drop(fresh);
    Ok(DrainResult {
        backend,
        events,
        batches: steps.len(),
        elapsed,
        step: Percentiles::of(steps),
    })
}

/// A seeded station store (station enrolled, participants with consent) with `n` readings
/// recorded one minute apart, round the participants. Returns the outbox length.
async fn record_backlog(cfg: &StoreConfig, n: u32, name: &'static str) -> anyhow::Result<u64> {
    let cfg = cfg.clone();
    let done = Arc::new(AtomicU64::new(0));
    let ticker = {
        let done = done.clone();
        Ticker::every(Duration::from_secs(5), move || {
            format!(
                "drain {name}: recording the backlog in the station store (untimed): {} / {}",
                thousands(done.load(Ordering::Relaxed)),
                thousands(u64::from(n))
            )
        })
    };
    let recorded = tokio::task::spawn_blocking(move || -> anyhow::Result<u64> {
        let mut store = seeded(&cfg, PARTICIPANTS)?;
        let reading = testing::reading(testing::F2);
        for k in 0..n {
            let when = Timestamp::from_unix_ms(T0.as_unix_ms() + i64::from(k) * 60_000);
            let who = participant(k % PARTICIPANTS);
            store.record_measurement(
                &NewMeasurement {
                    id: new_id(when),
                    participant: &who,
                    reading: Measured::Composition(&reading),
                    weight_only: false,
                },
                when,
            )?;
            done.fetch_add(1, Ordering::Relaxed);
        }
        store.checkpoint()?;
        Ok(store.pending_events()?)
    })
    .await??;
    ticker.stop().await;
    Ok(recorded)
}

/// The table for this scenario.
pub fn print(results: &[DrainResult]) {
    println!();
    println!("### Backlog drain: a station's outbox through the real SyncWorker");
    println!();
    println!("| backend | events in the outbox | batches | first request → outbox empty | events/s | per step p50 | p95 | p99 | max |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in results {
        println!(
            "| {} | {} | {} | **{:.2} s** | {} | {} |",
            r.backend.name(),
            thousands(r.events),
            r.batches,
            r.elapsed.as_secs_f64(),
            super::stats::per_sec(r.events, r.elapsed),
            r.step.cells()
        );
    }
}
