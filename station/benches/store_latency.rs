//! Percentiles criterion does not print: p50/p99/max of one reading's commit (FULL sync,
//! encrypted) and of the history query on the 1,000,000-row fixture.
//!
//! `cargo bench -p hakaru-station --bench store_latency` (`HAKARU_BENCH_RECORDS`, default 2000).

mod common;

use hakaru_station::store::testing::{self, participant};
use std::io::Write;
use std::time::{Duration, Instant};

fn percentiles(mut d: Vec<Duration>) -> (Duration, Duration, Duration) {
    d.sort();
    let at = |q: f64| d[((d.len() as f64 * q).ceil() as usize).clamp(1, d.len()) - 1];
    (at(0.50), at(0.99), d[d.len() - 1])
}

// A benchmark measures wall time: reading the clock is its purpose.
#[allow(clippy::disallowed_methods)]
fn main() -> std::io::Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        return Ok(()); // `cargo test --all-targets` runs benches without `--bench`: skip the work
    }
    let mut out = std::io::stdout().lock();
    let n: u64 = std::env::var("HAKARU_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let mut store = common::fresh_store();
    let f1 = testing::reading(testing::F1);
    for i in 0..50 {
        common::record_one(&mut store, i, &f1); // warm-up
    }
    // As on the kiosk: the app checkpoints while idle between sessions (here every 20
    // readings, outside the timed region), so no WAL copy lands inside a commit.
    let mut idle = Vec::with_capacity(n as usize);
    for i in 0..n {
        let t = Instant::now();
        common::record_one(&mut store, 1000 + i, &f1);
        idle.push(t.elapsed());
        if i % 20 == 19 {
            store.checkpoint().expect("checkpoint");
        }
    }
    let (p50, p99, max) = percentiles(idle);
    writeln!(out, "record_reading_commit (MC-780 F1, FULL sync, SQLCipher, idle checkpoints), n={n}: p50 {p50:.2?}  p99 {p99:.2?}  max {max:.2?}")?;
    // Back to back, never idle: the automatic checkpoint falls inside some commits.
    let mut busy = Vec::with_capacity(n as usize);
    for i in 0..n {
        let t = Instant::now();
        common::record_one(&mut store, 100_000 + i, &f1);
        busy.push(t.elapsed());
    }
    let (p50, p99, max) = percentiles(busy);
    writeln!(out, "record_reading_commit (same, back to back, automatic checkpoints only), n={n}: p50 {p50:.2?}  p99 {p99:.2?}  max {max:.2?}")?;
    drop(store);

    let store = common::history_store();
    let p = participant(0);
    let mut queries = Vec::with_capacity(2000);
    for _ in 0..2000 {
        let t = Instant::now();
        let h = store.history(&p, common::HISTORY_N).expect("history");
        queries.push(t.elapsed());
        assert_eq!(h.len(), common::HISTORY_N as usize);
    }
    let (p50, p99, max) = percentiles(queries);
    writeln!(out, "history last {} of 1,000,000 (MC-780 rows), n=2000: p50 {p50:.2?}  p99 {p99:.2?}  max {max:.2?}", common::HISTORY_N)?;
    Ok(())
}
