//! The bench's stopwatch and wall clock: the only place the bench reads the time. Deliberately
//! not here: the server's clock (the server reads its own through `api::system_clock`).

use std::time::{Duration, Instant};

/// Monotonic "now" for timing requests and runs.
// A benchmark measures elapsed time: reading the clock is its job.
#[allow(clippy::disallowed_methods)]
pub fn now() -> Instant {
    Instant::now()
}

/// Milliseconds since the Unix epoch, to stamp the name of a temporary PostgreSQL database.
// A database name stamped with the wall clock, so leftovers of killed runs can be swept.
#[allow(clippy::disallowed_methods)]
pub fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A duration in milliseconds, for tables.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
