//! Scenario 3 — many stations polling the change feed: `--stations` credentials, each station
//! with the station's real `CentralClient` (its own connection) calling `GET /v1/changes` from
//! its cursor every `--period` seconds at its own phase (spread evenly at random), asking again
//! at once while the page says `more`, while an administrator changes a roster entry every
//! `--admin-every` seconds (so most stations' next poll carries a change and a ledger entry).
//! Every station first catches up once (untimed), so the timed polls are the steady state.
//! Deliberately not here: uploads (scenarios 1 and 2).

use super::args::{Backend, Options};
use super::backend::{self, Server};
use super::clock;
use super::progress::{self, Ticker};
use super::seed::{self, BenchStation};
use super::stats::{thousands, Percentiles};
use anyhow::Context;
use hakaru_central::storage::Storage;
use hakaru_station::sync::{CentralClient, ClientOptions, Credential};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant as TokioInstant;

/// Participants on the roster before polling starts.
const ROSTER: u32 = 200;
/// Changes per page, as the station asks by default.
const LIMIT: u32 = 500;
/// Stations catching up at once before the timed part.
const CATCH_UP_AT_ONCE: usize = 25;

/// What one backend's polling run measured.
#[derive(Debug, Clone)]
pub struct PollResult {
    /// Which backend.
    pub backend: Backend,
    /// Stations polling.
    pub stations: u32,
    /// Seconds between a station's polls.
    pub period: Duration,
    /// How long the timed part ran.
    pub ran: Duration,
    /// All timed requests.
    pub all: Percentiles,
    /// Requests whose page carried at least one change.
    pub with_changes: Percentiles,
    /// Requests that failed (any error).
    pub errors: u64,
    /// Roster changes the administrator made meanwhile.
    pub admin_writes: u64,
    /// The administrator's writes (through storage, as the admin command does).
    pub admin: Percentiles,
    /// The slowest requests: (start, from the start of the timed part; duration).
    pub slowest: Vec<(Duration, Duration)>,
    /// When the administrator's writes began (from the start of the timed part).
    pub admin_at: Vec<Duration>,
}

/// One timed request.
struct Sample {
    /// When it started, from the start of the timed part.
    at: Duration,
    took: Duration,
    changes: usize,
}

/// How many of the slowest requests are listed with their start times.
const SLOWEST: usize = 5;

/// A reproducible fraction in `[0, 1)` for station `i` (splitmix64): the polling phase.
fn phase_fraction(i: u32) -> f64 {
    let mut z = u64::from(i).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Runs the scenario on a fresh database of `backend`.
pub async fn run(backend: Backend, o: &Options) -> anyhow::Result<PollResult> {
    let name = backend.name();
    progress::say(format!(
        "poll {name}: fresh database, {} stations and credentials (untimed)",
        thousands(u64::from(o.stations))
    ));
    let fresh = backend::fresh(backend, &o.pg_url).await?;
    let storage = fresh.storage.clone();
    let made = Arc::new(AtomicU64::new(0));
    let ticker = {
        let made = made.clone();
        let total = o.stations;
        Ticker::every(Duration::from_secs(5), move || {
            format!(
                "poll {name}: {} / {} stations made",
                thousands(made.load(Ordering::Relaxed)),
                thousands(u64::from(total))
            )
        })
    };
    let stations = seed::structure(
        &storage,
        o.stations,
        |i| format!("poll-{i:04}"),
        |n| made.store(u64::from(n), Ordering::Relaxed),
    )
    .await?;
    ticker.stop().await;
    let program = seed::program();
    for i in 0..ROSTER {
        storage
            .put_participant(
                &program,
                &seed::roster_entry(&seed::participant(i), 1755),
                seed::setup_time(),
            )
            .await?;
    }

    let server = Server::start(storage.clone()).await?;
    let mut clients = Vec::with_capacity(stations.len());
    for st in &stations {
        clients.push(client(&server.base, st)?);
    }
    progress::say(format!(
        "poll {name}: every station catches up once ({ROSTER} roster entries, untimed)"
    ));
    let cursors = catch_up(&clients).await?;

    progress::say(format!(
        "poll {name}: {} stations polling every {:.0} s for {:.0} s, a roster change every {:.0} s",
        thousands(u64::from(o.stations)),
        o.period.as_secs_f64(),
        o.poll_for.as_secs_f64(),
        o.admin_every.as_secs_f64()
    ));
    let start = TokioInstant::from_std(clock::now());
    let end = start + o.poll_for;
    let count = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let ticker = {
        let count = count.clone();
        let errors = errors.clone();
        Ticker::every(Duration::from_secs(10), move || {
            format!(
                "poll {name}: {} requests, {} errors, {:.0} s",
                thousands(count.load(Ordering::Relaxed)),
                errors.load(Ordering::Relaxed),
                start.elapsed().as_secs_f64()
            )
        })
    };
    let admin = tokio::spawn(admin_writes(storage.clone(), start, end, o.admin_every));
    let mut tasks = Vec::with_capacity(clients.len());
    for (i, (client, cursor)) in clients.into_iter().zip(cursors).enumerate() {
        let first = start + o.period.mul_f64(phase_fraction(i as u32));
        let period = o.period;
        let count = count.clone();
        let errors = errors.clone();
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut cursor = cursor;
            let mut at = first;
            while at < end {
                tokio::time::sleep_until(at).await;
                loop {
                    let t = clock::now();
                    let offset = TokioInstant::from_std(t).saturating_duration_since(start);
                    let answer = client.changes(cursor, LIMIT).await;
                    let took = t.elapsed();
                    count.fetch_add(1, Ordering::Relaxed);
                    match answer {
                        Ok(pulled) => {
                            samples.push(Sample {
                                at: offset,
                                took,
                                changes: pulled.page.changes.len(),
                            });
                            cursor = cursor.max(pulled.page.next_cursor);
                            if !pulled.page.more {
                                break;
                            }
                        }
                        Err(_) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                    }
                }
                at += period;
            }
            samples
        }));
    }
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(
            task.await
                .context("ポーリングのタスクが異常終了しました / a polling task panicked")?,
        );
    }
    let ran = start.elapsed();
    let admin_lat = admin
        .await
        .context("管理者の書き込みタスクが異常終了しました / the admin task panicked")??;
    ticker.stop().await;
    server.stop().await?;
    drop(storage);
    drop(fresh);
    let mut by_time: Vec<(Duration, Duration)> = samples.iter().map(|s| (s.at, s.took)).collect();
    by_time.sort_by_key(|&(_, took)| std::cmp::Reverse(took));
    by_time.truncate(SLOWEST);
    let (admin_at, admin_lat): (Vec<Duration>, Vec<Duration>) = admin_lat.into_iter().unzip();
    let with_changes = samples
        .iter()
        .filter(|s| s.changes > 0)
        .map(|s| s.took)
        .collect();
    Ok(PollResult {
        backend,
        stations: o.stations,
        period: o.period,
        ran,
        all: Percentiles::of(samples.iter().map(|s| s.took).collect()),
        with_changes: Percentiles::of(with_changes),
        errors: errors.load(Ordering::Relaxed),
        admin_writes: admin_lat.len() as u64,
        admin: Percentiles::of(admin_lat),
        slowest: by_time,
        admin_at,
    })
}

fn client(base: &str, st: &BenchStation) -> anyhow::Result<CentralClient> {
    Ok(CentralClient::new(
        base,
        Credential::new(&st.token)?,
        &ClientOptions::default(),
    )?)
}

/// Each station pulls the feed from 0 until `more` is false; returns each one's cursor.
async fn catch_up(clients: &[CentralClient]) -> anyhow::Result<Vec<u64>> {
    let mut cursors = Vec::with_capacity(clients.len());
    for group in clients.chunks(CATCH_UP_AT_ONCE) {
        let mut tasks = Vec::new();
        for c in group {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                let mut cursor = 0;
                loop {
                    let pulled = c.changes(cursor, LIMIT).await?;
                    cursor = cursor.max(pulled.page.next_cursor);
                    if !pulled.page.more {
                        return anyhow::Ok(cursor);
                    }
                }
            }));
        }
        for t in tasks {
            cursors.push(
                t.await
                    .context("初回同期のタスクが異常終了しました / a catch-up task panicked")??,
            );
        }
    }
    Ok(cursors)
}

/// The administrator changes one participant's height every `every` until `end`; returns
/// when each write began (from `start`) and how long it took.
async fn admin_writes(
    storage: Arc<dyn Storage>,
    start: TokioInstant,
    end: TokioInstant,
    every: Duration,
) -> anyhow::Result<Vec<(Duration, Duration)>> {
    let program = seed::program();
    let mut lat = Vec::new();
    let mut at = start + every / 2;
    let mut n = 0u32;
    while at < end {
        tokio::time::sleep_until(at).await;
        let who = seed::participant(n % ROSTER);
        let height = 1500 + u16::try_from(n % 400).unwrap_or(0);
        let t = clock::now();
        storage
            .put_participant(
                &program,
                &seed::roster_entry(&who, height),
                seed::setup_time(),
            )
            .await?;
        lat.push((at - start, t.elapsed()));
        n += 1;
        at += every;
    }
    Ok(lat)
}

/// The table for this scenario.
pub fn print(results: &[PollResult]) {
    println!();
    println!("### Change-feed polling: GET /v1/changes from many stations");
    println!();
    println!("| backend | stations × period | ran | requests | errors | p50 | p95 | p99 | max | pages with changes: n, p99 | admin roster writes: n, p99 |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for r in results {
        println!(
            "| {} | {} × {:.0} s | {:.0} s | {} | {} | {} | {}, {:.2} ms | {}, {:.2} ms |",
            r.backend.name(),
            thousands(u64::from(r.stations)),
            r.period.as_secs_f64(),
            r.ran.as_secs_f64(),
            thousands(r.all.n as u64),
            r.errors,
            r.all.cells(),
            thousands(r.with_changes.n as u64),
            clock::ms(r.with_changes.p99),
            r.admin_writes,
            clock::ms(r.admin.p99)
        );
    }
    println!();
    for r in results {
        let slowest: Vec<String> = r
            .slowest
            .iter()
            .map(|(at, took)| format!("{:.0} ms at {:.1} s", clock::ms(*took), at.as_secs_f64()))
            .collect();
        let admin: Vec<String> = r
            .admin_at
            .iter()
            .map(|at| format!("{:.1}", at.as_secs_f64()))
            .collect();
        println!(
            "- {}: slowest requests {}; roster writes at {} s",
            r.backend.name(),
            slowest.join(", "),
            admin.join(", ")
        );
    }
}
