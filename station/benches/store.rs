//! Criterion benches of the station store: commit latency of one recorded reading with
//! `synchronous=FULL` and SQLCipher encryption, and the results-screen history query with
//! 1,000,000 measurements in the store. Percentiles: `benches/store_latency.rs`.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use hakaru_station::store::testing::{self, participant};
use std::hint::black_box;
use std::time::Duration;

fn record_reading(c: &mut Criterion) {
    let mut store = common::fresh_store();
    let f1 = testing::reading(testing::F1);
    let mut i = 0u64;
    let mut g = c.benchmark_group("store");
    g.sample_size(50).measurement_time(Duration::from_secs(10));
    g.bench_function("record_reading_commit_full_sync_encrypted", |b| {
        b.iter(|| {
            i += 1;
            common::record_one(&mut store, i, &f1);
        })
    });
    g.finish();
}

fn history(c: &mut Criterion) {
    if !std::env::args().any(|a| a == "--bench") {
        return; // `cargo test --all-targets`: don't build the 4 GB fixture
    }
    let store = common::history_store();
    let p = participant(0);
    let other = participant(4_321);
    let mut g = c.benchmark_group("store");
    g.bench_function("history_last_10_of_1m_mc780", |b| {
        b.iter(|| {
            black_box(
                store
                    .history(black_box(&p), common::HISTORY_N)
                    .expect("history"),
            )
        })
    });
    g.bench_function("history_last_10_of_1m_sc240", |b| {
        b.iter(|| {
            black_box(
                store
                    .history(black_box(&other), common::HISTORY_N)
                    .expect("history"),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, record_reading, history);
criterion_main!(benches);
