//! Crash-safety helper: records readings into a store as fast as it can, announcing each one,
//! so `tests/crash_recorder.rs` can SIGKILL it at random points and check the store after.
//!
//! Usage: `hakaru-crash-recorder DIR [COUNT]` — opens (or creates) `DIR/station.db` with
//! `DIR/station.key`, seeds a roster with consent, prints `ready`, then for each reading prints
//! `begin <id>` before recording and `committed <id>` after the commit returned. Without COUNT
//! it records until killed. Not for production use.

use hakaru_station::store::testing::{self, participant};
use hakaru_station::store::{new_id, Measured, NewMeasurement, StoreConfig};
use hakaru_wire::Timestamp;
use std::io::Write;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .ok_or("usage: hakaru-crash-recorder DIR [COUNT]")?,
    );
    let count: Option<u64> = args.next().map(|c| c.parse()).transpose()?;
    let config = StoreConfig::in_dir(&dir);
    let mut store = testing::seeded(&config, 3)?;
    let frames = [testing::reading(testing::F1), testing::reading(testing::F2)];
    let out = std::io::stdout();
    let mut out = out.lock();
    writeln!(out, "ready")?;
    out.flush()?;
    let mut i: u64 = 0;
    while count.is_none_or(|c| i < c) {
        // A binary may read the clock; the library takes it as a parameter.
        #[allow(clippy::disallowed_methods)]
        let now = Timestamp::from_system_time(std::time::SystemTime::now());
        let id = new_id(now);
        let who = participant((i % 3) as u32);
        let reading = &frames[(i % 2) as usize];
        writeln!(out, "begin {id}")?;
        out.flush()?;
        store.record_measurement(
            &NewMeasurement {
                id,
                participant: &who,
                reading: Measured::Composition(reading),
                weight_only: false,
            },
            now,
        )?;
        writeln!(out, "committed {id}")?;
        out.flush()?;
        i += 1;
    }
    Ok(())
}
