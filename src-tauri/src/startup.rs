//! The start-up clock for the "start → attract painted" benchmark: when `main` began, how long
//! the process had already run by then (dynamic linking of WebKitGTK happens before `main`), and
//! the one-time `painted` log line.
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

    /// The first call logs the time from process start to now and returns it; later calls
    /// return `None` (the UI may call `painted` again after a reload).
    pub fn painted(&self) -> Option<Duration> {
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
        let first = started.painted().expect("first call reports");
        assert!(first >= started.before_main.unwrap_or_default());
        assert!(first < Duration::from_secs(600), "{first:?}");
        assert_eq!(started.painted(), None);
    }
}
