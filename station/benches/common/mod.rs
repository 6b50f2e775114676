//! Shared by the store benches: a fresh store for commit latency, and the 1,000,000-row
//! history fixture, built once into `target/tmp/` and reused.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr
)]

use hakaru_station::store::testing::{self, participant, T0};
use hakaru_station::store::{new_id, Measured, NewMeasurement, Store, StoreConfig};
use hakaru_wire::Timestamp;
use std::path::PathBuf;

/// Participants in the history fixture.
pub const PARTICIPANTS: u32 = 5_000;
/// Readings per participant in the history fixture (× PARTICIPANTS = 1,000,000).
pub const PER_PARTICIPANT: u32 = 200;
/// How many readings the results screen asks for.
pub const HISTORY_N: u32 = 10;

fn bench_dir(name: &str) -> PathBuf {
    // On the target disk, not a tmpfs: fsync must reach a real device to mean anything.
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// A fresh, seeded store for the commit-latency bench.
pub fn fresh_store() -> Store {
    let dir = bench_dir("hakaru-bench-record");
    let _ = std::fs::remove_dir_all(&dir);
    testing::seeded(&StoreConfig::in_dir(&dir), 3).unwrap()
}

/// Records one MC-780 body-composition reading (the largest frame) and returns once durable.
pub fn record_one(store: &mut Store, i: u64, reading: &hakaru_devices::scale::Reading) {
    let now = Timestamp::from_unix_ms(T0.as_unix_ms() + i as i64 * 1000);
    let who = participant((i % 3) as u32);
    store
        .record_measurement(
            &NewMeasurement {
                id: new_id(now),
                participant: &who,
                reading: Measured::Composition(reading),
                weight_only: false,
            },
            now,
        )
        .unwrap();
}

/// The 1,000,000-measurement store: 5,000 participants × 200 synthetic readings (the SC-240
/// frame's values), then 10 real MC-780 readings for participant 0, the newest. Built once;
/// a `complete` marker says the build finished.
pub fn history_store() -> Store {
    let dir = bench_dir("hakaru-bench-history-1m");
    let config = StoreConfig::in_dir(&dir);
    let marker = dir.join("complete");
    if marker.exists() {
        return Store::open(&config).unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "building the 1,000,000-measurement fixture in {} (once) …",
        dir.display()
    );
    let mut store = testing::seeded(&config, 1).unwrap();
    let mut values = serde_json::to_value(testing::reading(testing::F5)).unwrap();
    values.as_object_mut().unwrap().remove("raw");
    testing::fill_history(
        &mut store,
        PARTICIPANTS,
        PER_PARTICIPANT,
        &values.to_string(),
    )
    .unwrap();
    let f1 = testing::reading(testing::F1);
    for i in 0..u64::from(HISTORY_N) {
        // After every synthetic reading (those end at T0 + 1,000,000 minutes).
        record_one(&mut store, 3 * (70_000_000 + i), &f1);
    }
    assert_eq!(
        testing::measurement_count(&store).unwrap(),
        u64::from(PARTICIPANTS * PER_PARTICIPANT + HISTORY_N)
    );
    std::fs::write(&marker, b"ok").unwrap();
    store
}
