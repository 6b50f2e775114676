//! The clocks of the kiosk benchmarks: when `main` began, how long the process had already run
//! by then (dynamic linking of WebKitGTK happens before `main`), the one-time "attract screen
//! painted" log line (start-up benchmark), and a "screen painted" debug line with a
//! `CLOCK_MONOTONIC` timestamp for every screen the UI paints (a clock another process on the
//! same machine reads too: the session benchmark compares it with the moment its simulated
//! analyzer wrote the last byte of a result frame).
//!
//! Deliberately not here: anything about what was painted (the UI decides when it is painted).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// When the process started, as far as the shell can tell.
#[derive(Debug)]
pub struct Started {
    main_at: Instant,
    /// Process age when `main` began (from `/proc/self/stat`; 10 ms resolution), if known.
    before_main: Option<Duration>,
    painted: AtomicBool,
}

impl Started {
    /// Call first thing in `main`.
    #[allow(clippy::disallowed_methods)] // the benchmark measures real time from process start
    pub fn now() -> Started {
        Started {
            main_at: Instant::now(),
            before_main: process_age(),
            painted: AtomicBool::new(false),
        }
    }

    /// The UI painted `screen` (a screen name such as `results`; `None` from an older UI): logs
    /// it at debug level with the `CLOCK_MONOTONIC` time in ns (target
    /// `hakaru_kiosk_app::painted`), then, on the first call only, the start-up line (see
    /// [`Started::first_painted`]).
    pub fn painted(&self, screen: Option<&str>) -> Option<Duration> {
        // Only a known kind of word is logged: a screen name is lowercase letters and '_'.
        let screen = screen
            .filter(|s| s.len() <= 32 && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
            .unwrap_or("unknown");
        tracing::debug!(
            target: "hakaru_kiosk_app::painted",
            screen,
            monotonic_ns = monotonic_ns().unwrap_or(0),
            "screen painted"
        );
        self.first_painted()
    }

    /// The first call logs the time from process start to now and returns it; later calls
    /// return `None` (the UI may call `painted` again after a reload, and for every screen).
    pub fn first_painted(&self) -> Option<Duration> {
        if self.painted.swap(true, Ordering::SeqCst) {
            return None;
        }
        let since_main = self.main_at.elapsed();
        let total = since_main + self.before_main.unwrap_or_default();
        tracing::info!(
            since_start_ms = total.as_millis() as u64,
            since_main_ms = since_main.as_millis() as u64,
            "attract screen painted"
        );
        Some(total)
    }
}

/// `CLOCK_MONOTONIC` now, in ns: the same clock in every process on this machine (unlike an
/// [`Instant`], whose value cannot be printed).
pub fn monotonic_ns() -> Option<u64> {
    let t = nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC).ok()?;
    let secs = u64::try_from(t.tv_sec()).ok()?;
    let nanos = u64::try_from(t.tv_nsec()).ok()?;
    Some(secs * 1_000_000_000 + nanos)
}

/// How long this process has run: `/proc/uptime` minus the process start time (field 22 of
/// `/proc/self/stat`, in clock ticks of 1/100 s on Linux).
fn process_age() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces; the fields after its closing ')' do not.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let start_ticks: u64 = after_name.split_whitespace().nth(19)?.parse().ok()?;
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    let uptime_secs: f64 = uptime.split_whitespace().next()?.parse().ok()?;
    let age = uptime_secs - start_ticks as f64 / 100.0;
    (age >= 0.0).then(|| Duration::from_secs_f64(age))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn painted_reports_once_and_includes_the_time_before_main() {
        let started = Started::now();
        assert!(started.before_main.is_some(), "/proc/self/stat readable");
        let first = started
            .painted(Some("attract"))
            .expect("first call reports");
        assert!(first >= started.before_main.unwrap_or_default());
        assert!(first < Duration::from_secs(600), "{first:?}");
        assert_eq!(started.painted(Some("results")), None);
        assert_eq!(started.painted(None), None);
    }

    #[test]
    fn the_monotonic_clock_advances_and_matches_the_instant_clock() {
        // Instant is CLOCK_MONOTONIC on Linux: an interval measured both ways agrees.
        #[allow(clippy::disallowed_methods)] // comparing against the real clock
        let a = Instant::now();
        let t0 = monotonic_ns().expect("CLOCK_MONOTONIC readable");
        std::thread::sleep(Duration::from_millis(20));
        let t1 = monotonic_ns().expect("CLOCK_MONOTONIC readable");
        let both = a.elapsed();
        let ns = t1 - t0;
        assert!(ns >= 20_000_000, "{ns} ns");
        assert!(u128::from(ns) <= both.as_nanos(), "{ns} ns within {both:?}");
    }
}
