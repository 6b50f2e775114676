//! Scenario 1 — ingest throughput: stations upload batches of 500 `measurement_recorded` events
//! at once through `POST /v1/events` (bearer auth, JSON, idempotent store, points decided in the
//! same transaction), every reading of a registered participant with consent, so each is
//! Accepted and earns points. Beside it, in the same run: the same batches handed straight to
//! `Storage::ingest` on a second fresh database (no HTTP, no JSON: what the server's storage
//! costs alone), and the raw database — the same rows (same ids, participant, taken_at, values
//! JSON) INSERTed into a plain table with the same driver, 500 per transaction. Deliberately
//! not here: the other scenarios.

use super::args::{Backend, Options};
use super::backend::{self, RawTarget, Server};
use super::clock;
use super::progress::{self, Ticker};
use super::seed::{self, BenchStation, ReadingShape, DAY_MS, NOV1_JST};
use super::stats::{thousands, Percentiles};
use anyhow::{bail, ensure, Context};
use hakaru_central::storage::Storage;
use hakaru_wire::api::{AckOutcome, UploadRequest, UploadResponse};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Events per upload (the station's default batch).
pub const BATCH: usize = 500;
/// Readings per participant: one a day for 25 days of one month (60 + 24 × 10 = 300 points,
/// exactly the default monthly cap, so every reading earns).
const DAYS: u32 = 25;

/// What one backend's ingest run measured.
#[derive(Debug, Clone)]
pub struct IngestResult {
    /// Which backend.
    pub backend: Backend,
    /// Readings uploaded.
    pub readings: u64,
    /// Participants they belong to.
    pub participants: u32,
    /// Concurrent stations.
    pub clients: u32,
    /// Upload requests.
    pub batches: usize,
    /// Mean request body size.
    pub body_bytes: usize,
    /// First request to last answer, all stations.
    pub http: Duration,
    /// One upload's round trip.
    pub http_batch: Percentiles,
    /// The same batches through `Storage::ingest` directly, start to end.
    pub direct: Duration,
    /// One direct `ingest` call.
    pub direct_batch: Percentiles,
    /// Acknowledged `accepted`.
    pub accepted: u64,
    /// Accepted with points awarded > 0.
    pub earning: u64,
    /// Raw INSERT of the same rows, start to end.
    pub raw: Duration,
    /// One raw batch (one transaction).
    pub raw_batch: Percentiles,
    /// How the raw baseline ran.
    pub raw_how: &'static str,
}

/// One row as the raw baseline inserts it.
#[derive(Debug, Clone)]
struct RawRow {
    id: String,
    station: String,
    participant: String,
    taken_at: i64,
}

/// One station's share: its upload bodies and the same readings as raw rows.
struct StationPlan {
    station: BenchStation,
    bodies: Vec<Vec<u8>>,
    requests: Vec<UploadRequest>,
    rows: Vec<Vec<RawRow>>,
}

/// Runs the scenario on a fresh database of `backend`.
pub async fn run(backend: Backend, o: &Options) -> anyhow::Result<IngestResult> {
    let name = backend.name();
    progress::say(format!(
        "ingest {name}: fresh database, {} stations",
        o.clients
    ));
    let fresh = backend::fresh(backend, &o.pg_url).await?;
    let storage = fresh.storage.clone();
    let stations =
        seed::structure(&storage, o.clients, |i| format!("ingest-{i:02}"), |_| {}).await?;
    let participants = o.readings.div_ceil(DAYS);
    progress::say(format!(
        "ingest {name}: registering {} participants with consent (through storage, untimed)",
        thousands(u64::from(participants))
    ));
    enrol(&storage, &stations, participants).await?;

    let shape = ReadingShape::f2()?;
    let plans = plan(&stations, o.readings, participants, &shape)?;
    let batches: usize = plans.iter().map(|p| p.bodies.len()).sum();
    let body_bytes = plans
        .iter()
        .flat_map(|p| p.bodies.iter().map(Vec::len))
        .sum::<usize>()
        / batches.max(1);
    progress::say(format!(
        "ingest {name}: {} readings in {batches} batches (≈ {} KiB each), {} stations at once",
        thousands(u64::from(o.readings)),
        body_bytes / 1024,
        o.clients
    ));

    let mut requests = Vec::with_capacity(plans.len());
    let mut raw_rows = Vec::with_capacity(plans.len());
    let mut uploads = Vec::with_capacity(plans.len());
    for p in plans {
        requests.push(p.requests);
        raw_rows.push(p.rows);
        uploads.push((p.station.token, p.bodies));
    }

    let server = Server::start(storage.clone()).await?;
    let (http, lat, accepted, earning) =
        upload_all(&server.base, uploads, u64::from(o.readings), name).await?;
    server.stop().await?;
    ensure!(
        accepted == u64::from(o.readings),
        "{name}: 受理 {accepted} / {total} 件。ベンチの準備データを直してください / {accepted} of {total} readings accepted: fix the bench's fixtures",
        total = o.readings
    );
    let received: u64 = storage
        .sync_status(Some(&seed::program()))
        .await?
        .iter()
        .map(|s| s.events_received)
        .sum();
    ensure!(
        received == u64::from(o.readings) + 2 * u64::from(participants),
        "{name}: サーバーの受信数が {received} 件で合いません。取り込みを調べてください / the server counts {received} events received: look at ingest"
    );
    progress::say(format!(
        "ingest {name}: HTTP done in {:.1} s; the same batches straight into Storage::ingest on a second fresh database",
        http.as_secs_f64()
    ));
    let (direct, direct_lat) = direct_ingest(backend, o, requests, participants).await?;
    progress::say(format!(
        "ingest {name}: direct done in {:.1} s; raw INSERT baseline of the same rows",
        direct.as_secs_f64()
    ));
    let (raw, raw_lat, raw_how) = match &fresh.raw {
        RawTarget::Sqlite(path) => {
            let path = path.clone();
            let values = shape.values_json.clone();
            tokio::task::spawn_blocking(move || raw_sqlite(&path, &raw_rows, &values)).await??
        }
        RawTarget::Postgres(url) => raw_postgres(url, raw_rows, &shape.values_json).await?,
    };
    drop(storage);
    drop(fresh);
    Ok(IngestResult {
        backend,
        readings: u64::from(o.readings),
        participants,
        clients: o.clients,
        batches,
        body_bytes,
        http,
        http_batch: Percentiles::of(lat),
        direct,
        direct_batch: Percentiles::of(direct_lat),
        accepted,
        earning,
        raw,
        raw_batch: Percentiles::of(raw_lat),
        raw_how,
    })
}

/// Participant `p` belongs to station `p % stations`: registered there, consenting there,
/// measured there (so two stations never race for one participant's points).
async fn enrol(
    storage: &Arc<dyn Storage>,
    stations: &[BenchStation],
    participants: u32,
) -> anyhow::Result<()> {
    let n = stations.len() as u32;
    let mut seq = 0u64;
    for (s, st) in stations.iter().enumerate() {
        let mine: Vec<String> = (0..participants)
            .filter(|p| p % n == s as u32)
            .map(seed::participant)
            .collect();
        let mut events = Vec::with_capacity(mine.len() * 2);
        for who in &mine {
            seq += 1;
            events.push(seed::registration(&st.context.station, seq, who));
        }
        for who in &mine {
            seq += 1;
            events.push(seed::consent(&st.context.station, seq, who));
        }
        for chunk in events.chunks(BATCH) {
            let answer = storage
                .ingest(
                    &st.context,
                    &UploadRequest {
                        events: chunk.to_vec(),
                        backlog_after: 0,
                        last_error: None,
                    },
                    seed::setup_time(),
                )
                .await?;
            let refused = answer
                .acks
                .iter()
                .filter(|a| a.outcome != AckOutcome::Accepted)
                .count();
            ensure!(
                refused == 0,
                "登録または同意 {refused} 件が保留されました。ベンチの準備データを直してください / {refused} registrations or consents were held: fix the bench's fixtures"
            );
        }
    }
    Ok(())
}

/// Readings day by day (each participant once a day), split by station, in batches.
fn plan(
    stations: &[BenchStation],
    readings: u32,
    participants: u32,
    shape: &ReadingShape,
) -> anyhow::Result<Vec<StationPlan>> {
    let n = stations.len() as u32;
    let mut per_station: Vec<Vec<(hakaru_wire::OutboxEvent, RawRow)>> =
        (0..n).map(|_| Vec::new()).collect();
    let mut seq = 0u64;
    'days: for day in 0..DAYS {
        for p in 0..participants {
            if seq == u64::from(readings) {
                break 'days;
            }
            let st = &stations[(p % n) as usize].context.station;
            let who = seed::participant(p);
            // 08:00 JST onwards, three seconds apart: always inside the day.
            let taken =
                NOV1_JST + i64::from(day) * DAY_MS + 8 * 3_600_000 + i64::from(p % 12_000) * 3_000;
            let event = seed::measurement(st, seq, &who, taken, shape);
            let id = match &event.kind {
                hakaru_wire::EventKind::MeasurementRecorded(m) => m.measurement_id.to_string(),
                _ => unreachable!("seed::measurement makes measurements"),
            };
            per_station[(p % n) as usize].push((
                event,
                RawRow {
                    id,
                    station: st.to_string(),
                    participant: who,
                    taken_at: taken,
                },
            ));
            seq += 1;
        }
    }
    let mut plans = Vec::with_capacity(stations.len());
    for (st, events) in stations.iter().zip(per_station) {
        let total = events.len();
        let mut bodies = Vec::new();
        let mut requests = Vec::new();
        let mut rows = Vec::new();
        for (i, chunk) in events.chunks(BATCH).enumerate() {
            let request = UploadRequest {
                events: chunk.iter().map(|(e, _)| e.clone()).collect(),
                backlog_after: (total - (i * BATCH + chunk.len())) as u64,
                last_error: None,
            };
            bodies.push(serde_json::to_vec(&request)?);
            requests.push(request);
            rows.push(chunk.iter().map(|(_, r)| r.clone()).collect());
        }
        plans.push(StationPlan {
            station: st.clone(),
            bodies,
            requests,
            rows,
        });
    }
    Ok(plans)
}

type Uploaded = (Duration, Vec<Duration>, u64, u64);

/// Every station uploads its batches one after another, all stations at once; each with its
/// own HTTP client (its own connection), as separate kiosks would.
async fn upload_all(
    base: &str,
    uploads: Vec<(String, Vec<Vec<u8>>)>,
    total: u64,
    name: &'static str,
) -> anyhow::Result<Uploaded> {
    let url = format!("{base}/v1/events");
    let done = Arc::new(AtomicU64::new(0));
    let start = clock::now();
    let ticker = {
        let done = done.clone();
        Ticker::every(Duration::from_secs(5), move || {
            let n = done.load(Ordering::Relaxed);
            let secs = start.elapsed().as_secs_f64();
            format!(
                "ingest {name}: {} / {} readings, {:.0} s, {:.0} readings/s so far",
                thousands(n),
                thousands(total),
                secs,
                n as f64 / secs
            )
        })
    };
    let mut tasks = Vec::new();
    for (token, bodies) in uploads {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()?;
        let url = url.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(bodies.len());
            let (mut accepted, mut earning) = (0u64, 0u64);
            for body in bodies {
                let t = clock::now();
                let response = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body)
                    .send()
                    .await?;
                let status = response.status();
                if !status.is_success() {
                    let text = response.text().await.unwrap_or_default();
                    bail!("アップロードが {status} で拒否されました / the upload answered {status}: {text}");
                }
                let answer: UploadResponse = response.json().await?;
                lat.push(t.elapsed());
                for ack in &answer.acks {
                    if ack.outcome == AckOutcome::Accepted {
                        accepted += 1;
                        if ack.points.as_ref().is_some_and(|p| p.awarded > 0) {
                            earning += 1;
                        }
                    }
                }
                done.fetch_add(answer.acks.len() as u64, Ordering::Relaxed);
            }
            anyhow::Ok((lat, accepted, earning))
        }));
    }
    let mut lat = Vec::new();
    let (mut accepted, mut earning) = (0, 0);
    for task in tasks {
        let (l, a, e) = task
            .await
            .context("アップロードのタスクが異常終了しました / an upload task panicked")??;
        lat.extend(l);
        accepted += a;
        earning += e;
    }
    let elapsed = start.elapsed();
    ticker.stop().await;
    Ok((elapsed, lat, accepted, earning))
}

/// The same batches through `Storage::ingest` on a second fresh database (same stations,
/// participants and consents), the stations at once as over HTTP: the storage's own cost.
async fn direct_ingest(
    backend: Backend,
    o: &Options,
    requests: Vec<Vec<UploadRequest>>,
    participants: u32,
) -> anyhow::Result<(Duration, Vec<Duration>)> {
    let fresh = backend::fresh(backend, &o.pg_url).await?;
    let storage = fresh.storage.clone();
    let stations =
        seed::structure(&storage, o.clients, |i| format!("ingest-{i:02}"), |_| {}).await?;
    enrol(&storage, &stations, participants).await?;
    let now = hakaru_wire::Timestamp::from_unix_ms(clock::wall_ms());
    let start = clock::now();
    let mut tasks = Vec::new();
    for (st, batches) in stations.into_iter().zip(requests) {
        let storage = storage.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(batches.len());
            let mut accepted = 0usize;
            for batch in &batches {
                let t = clock::now();
                let answer = storage.ingest(&st.context, batch, now).await?;
                lat.push(t.elapsed());
                accepted += answer
                    .acks
                    .iter()
                    .filter(|a| a.outcome == AckOutcome::Accepted)
                    .count();
            }
            anyhow::Ok((lat, accepted))
        }));
    }
    let mut lat = Vec::new();
    let mut accepted = 0;
    for task in tasks {
        let (l, a) = task
            .await
            .context("直接取り込みのタスクが異常終了しました / a direct-ingest task panicked")??;
        lat.extend(l);
        accepted += a;
    }
    let elapsed = start.elapsed();
    ensure!(
        accepted == o.readings as usize,
        "直接取り込みの受理 {accepted} / {total} 件。ベンチの準備データを直してください / direct ingest accepted {accepted} of {total} readings: fix the bench's fixtures",
        total = o.readings
    );
    drop(storage);
    drop(fresh);
    Ok((elapsed, lat))
}

/// The raw baseline on SQLite: a file beside the server's with the same settings (WAL,
/// `synchronous=FULL`), one connection, a prepared INSERT, one transaction per 500 rows.
/// SQLite has one writer, so the stations' batches go one after another.
fn raw_sqlite(
    path: &std::path::Path,
    stations: &[Vec<Vec<RawRow>>],
    values_json: &str,
) -> anyhow::Result<(Duration, Vec<Duration>, &'static str)> {
    let mut conn = rusqlite::Connection::open(path)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    ensure!(
        mode.eq_ignore_ascii_case("wal"),
        "比較用 SQLite が WAL になりません ({mode}) / the raw baseline's SQLite is not in WAL mode ({mode})"
    );
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         CREATE TABLE raw_readings (
             id          TEXT PRIMARY KEY,
             station     TEXT NOT NULL,
             participant TEXT NOT NULL,
             taken_at    INTEGER NOT NULL,
             reading     TEXT NOT NULL
         ) STRICT;",
    )?;
    let batches: Vec<&Vec<RawRow>> = round_robin(stations);
    let mut lat = Vec::with_capacity(batches.len());
    let start = clock::now();
    for batch in batches {
        let t = clock::now();
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO raw_readings (id, station, participant, taken_at, reading)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for r in batch {
                insert.execute(rusqlite::params![
                    r.id,
                    r.station,
                    r.participant,
                    r.taken_at,
                    values_json
                ])?;
            }
        }
        tx.commit()?;
        lat.push(t.elapsed());
    }
    let elapsed = start.elapsed();
    let rows: i64 = conn.query_row("SELECT count(*) FROM raw_readings", [], |r| r.get(0))?;
    let expected: usize = stations.iter().flatten().map(Vec::len).sum();
    ensure!(rows as usize == expected, "比較用の INSERT が {rows} 行しか保存していません / the raw baseline stored {rows} rows, not all");
    Ok((
        elapsed,
        lat,
        "rusqlite, one connection, prepared INSERT, 1 transaction per 500 (WAL, synchronous=FULL)",
    ))
}

/// The raw baseline on PostgreSQL: a plain table in the same database, one connection per
/// station, all at once like the uploads; each batch one `INSERT … SELECT FROM UNNEST(…)`
/// (one statement, its own transaction).
async fn raw_postgres(
    url: &str,
    stations: Vec<Vec<Vec<RawRow>>>,
    values_json: &str,
) -> anyhow::Result<(Duration, Vec<Duration>, &'static str)> {
    let admin = backend::pg_client(url).await?;
    admin
        .batch_execute(
            "CREATE TABLE raw_readings (
                 id          UUID PRIMARY KEY,
                 station     TEXT NOT NULL,
                 participant TEXT NOT NULL,
                 taken_at    BIGINT NOT NULL,
                 reading     JSON NOT NULL
             )",
        )
        .await?;
    let mut clients = Vec::with_capacity(stations.len());
    for _ in &stations {
        clients.push(backend::pg_client(url).await?);
    }
    let expected: usize = stations.iter().flatten().map(Vec::len).sum();
    let start = clock::now();
    let mut tasks = Vec::new();
    for (client, batches) in clients.into_iter().zip(stations) {
        let values = values_json.to_owned();
        tasks.push(tokio::spawn(async move {
            let insert = client
                .prepare(
                    "INSERT INTO raw_readings (id, station, participant, taken_at, reading)
                     SELECT id::uuid, station, participant, taken_at, reading::json
                     FROM UNNEST($1::text[], $2::text[], $3::text[], $4::int8[], $5::text[])
                          AS r (id, station, participant, taken_at, reading)",
                )
                .await?;
            let mut lat = Vec::with_capacity(batches.len());
            for batch in &batches {
                let t = clock::now();
                let ids: Vec<&str> = batch.iter().map(|r| r.id.as_str()).collect();
                let st: Vec<&str> = batch.iter().map(|r| r.station.as_str()).collect();
                let who: Vec<&str> = batch.iter().map(|r| r.participant.as_str()).collect();
                let taken: Vec<i64> = batch.iter().map(|r| r.taken_at).collect();
                let readings: Vec<&str> = batch.iter().map(|_| values.as_str()).collect();
                client
                    .execute(&insert, &[&ids, &st, &who, &taken, &readings])
                    .await?;
                lat.push(t.elapsed());
            }
            anyhow::Ok(lat)
        }));
    }
    let mut lat = Vec::new();
    for task in tasks {
        lat.extend(
            task.await.context(
                "比較用 INSERT のタスクが異常終了しました / a raw-insert task panicked",
            )??,
        );
    }
    let elapsed = start.elapsed();
    let rows: i64 = admin
        .query_one("SELECT count(*) FROM raw_readings", &[])
        .await?
        .get(0);
    ensure!(rows as usize == expected, "比較用の INSERT が {rows} 行しか保存していません / the raw baseline stored {rows} rows, not all");
    Ok((
        elapsed,
        lat,
        "tokio-postgres, one connection per station at once, INSERT … FROM UNNEST per 500",
    ))
}

/// Batches taken from each station in turn (the order the server saw them, roughly).
fn round_robin(stations: &[Vec<Vec<RawRow>>]) -> Vec<&Vec<RawRow>> {
    let longest = stations.iter().map(Vec::len).max().unwrap_or(0);
    (0..longest)
        .flat_map(|i| stations.iter().filter_map(move |s| s.get(i)))
        .collect()
}

/// The table for this scenario.
pub fn print(results: &[IngestResult]) {
    println!();
    println!("### Ingest: readings/s through POST /v1/events vs raw INSERT of the same rows");
    println!();
    if let Some(r) = results.first() {
        println!(
            "{} readings (MC-780A F2 scale mode: values JSON + raw frame), {} participants × ≤ {DAYS} days, \
             {} stations uploading at once, {} batches of ≤ {BATCH} (≈ {} KiB per request)",
            thousands(r.readings),
            thousands(u64::from(r.participants)),
            r.clients,
            r.batches,
            r.body_bytes / 1024
        );
        println!();
    }
    println!("| backend | path | time | readings/s | per batch p50 | p95 | p99 | max | accepted | earned points |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for r in results {
        let http = super::stats::per_sec(r.readings, r.http);
        let raw = super::stats::per_sec(r.readings, r.raw);
        println!(
            "| {} | HTTP `POST /v1/events` (full path) | {:.2} s | **{http}** | {} | {} | {} |",
            r.backend.name(),
            r.http.as_secs_f64(),
            r.http_batch.cells(),
            thousands(r.accepted),
            thousands(r.earning)
        );
        println!(
            "| {} | `Storage::ingest` called directly (no HTTP, no JSON), same batches, same concurrency | {:.2} s | {} | {} | – | – |",
            r.backend.name(),
            r.direct.as_secs_f64(),
            super::stats::per_sec(r.readings, r.direct),
            r.direct_batch.cells()
        );
        println!(
            "| {} | raw INSERT: {} | {:.2} s | {raw} | {} | – | – |",
            r.backend.name(),
            r.raw_how,
            r.raw.as_secs_f64(),
            r.raw_batch.cells()
        );
        println!(
            "| {} | full path ÷ raw | {:.1}× the time | | | | | | | |",
            r.backend.name(),
            r.http.as_secs_f64() / r.raw.as_secs_f64().max(1e-9)
        );
    }
}
