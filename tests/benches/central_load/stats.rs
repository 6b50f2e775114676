//! Percentiles of a set of latencies and the table lines the bench prints. Deliberately not
//! here: taking the measurements (the scenarios).

use super::clock::ms;
use std::time::Duration;

/// p50 / p95 / p99 / max of some latencies (nearest rank).
#[derive(Debug, Clone, Copy, Default)]
pub struct Percentiles {
    /// How many samples.
    pub n: usize,
    /// Median.
    pub p50: Duration,
    /// 95th percentile.
    pub p95: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// Slowest.
    pub max: Duration,
}

impl Percentiles {
    /// Percentiles of `samples` (all zero when there are none).
    pub fn of(mut samples: Vec<Duration>) -> Percentiles {
        if samples.is_empty() {
            return Percentiles::default();
        }
        samples.sort_unstable();
        let n = samples.len();
        let at = |q: f64| samples[((n as f64 * q).ceil() as usize).clamp(1, n) - 1];
        Percentiles {
            n,
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: samples[n - 1],
        }
    }

    /// `p50 | p95 | p99 | max` in milliseconds, for a table row.
    pub fn cells(&self) -> String {
        format!(
            "{:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms",
            ms(self.p50),
            ms(self.p95),
            ms(self.p99),
            ms(self.max)
        )
    }
}

/// `12345678` as `12,345,678`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate per second, rounded, with thousands separators.
pub fn per_sec(count: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    if secs <= 0.0 {
        return "–".to_owned();
    }
    thousands((count as f64 / secs).round() as u64)
}
