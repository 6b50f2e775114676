//! Exponential backoff with full jitter, as a pure value: `next_delay` returns how long to wait
//! before the next attempt, `reset` forgets the failures after a success. The random source is
//! injected, so tests are deterministic.
//!
//! Deliberately not here: sleeping (the worker does) and deciding what is worth retrying
//! ([`super::SyncError::is_permanent`]).

use std::fmt;
use std::time::Duration;

/// A server's Retry-After is honoured up to this long, so one odd header cannot silence a
/// station for days.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Delays for consecutive failures: attempt `n` (0-based) waits a uniformly random time in
/// `[0, min(cap, base · 2ⁿ)]` ("full jitter"), but never less than a server's Retry-After.
pub struct Backoff {
    base: Duration,
    cap: Duration,
    failures: u32,
    random: Box<dyn FnMut() -> f64 + Send>,
}

impl fmt::Debug for Backoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backoff")
            .field("base", &self.base)
            .field("cap", &self.cap)
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

/// One second.
pub const DEFAULT_BASE: Duration = Duration::from_secs(1);
/// Five minutes.
pub const DEFAULT_CAP: Duration = Duration::from_secs(300);

/// A uniform value in `[0, 1)` from the operating system's random source (0.5 if it fails).
pub fn os_random() -> f64 {
    match getrandom::u64() {
        // 53 random bits → an exactly representable fraction in [0, 1).
        Ok(v) => (v >> 11) as f64 / (1u64 << 53) as f64,
        Err(_) => 0.5,
    }
}

impl Backoff {
    /// A backoff from `base` growing to at most `cap`, jittered by `random` (values in `[0, 1)`;
    /// anything outside is clamped).
    pub fn new(
        base: Duration,
        cap: Duration,
        random: impl FnMut() -> f64 + Send + 'static,
    ) -> Backoff {
        Backoff {
            base,
            cap: cap.max(base),
            failures: 0,
            random: Box::new(random),
        }
    }

    /// Base 1 s, cap 5 min, the operating system's random source.
    pub fn with_defaults() -> Backoff {
        Backoff::new(DEFAULT_BASE, DEFAULT_CAP, os_random)
    }

    /// Failures since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The upper bound of the next delay: `min(cap, base · 2^failures)`.
    pub fn ceiling(&self) -> Duration {
        let factor = 1u32.checked_shl(self.failures.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// Counts a failure and returns how long to wait before trying again; `retry_after` (a
    /// server's Retry-After) is a floor, itself at most [`MAX_RETRY_AFTER`].
    pub fn next_delay(&mut self, retry_after: Option<Duration>) -> Duration {
        let ceiling = self.ceiling();
        self.failures = self.failures.saturating_add(1);
        let r = (self.random)();
        let r = if r.is_finite() {
            r.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let jittered = ceiling.mul_f64(r);
        match retry_after {
            Some(floor) => jittered.max(floor.min(MAX_RETRY_AFTER)),
            None => jittered,
        }
    }

    /// Forgets the failures (call after a success).
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const S: Duration = Duration::from_secs(1);

    fn fixed(r: f64) -> Backoff {
        Backoff::new(S, Duration::from_secs(300), move || r)
    }

    fn delays(b: &mut Backoff, n: usize) -> Vec<Duration> {
        (0..n).map(|_| b.next_delay(None)).collect()
    }

    #[rstest]
    #[case::growth_doubles_from_the_base(1.0, 5, vec![1, 2, 4, 8, 16])]
    #[case::cap_holds_at_five_minutes(1.0, 11, vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300])]
    #[case::half_jitter_halves_each_ceiling(0.5, 4, vec![0, 1, 2, 4])]
    #[case::zero_jitter_retries_at_once(0.0, 3, vec![0, 0, 0])]
    fn growth_and_cap(#[case] r: f64, #[case] n: usize, #[case] secs: Vec<u64>) {
        let mut b = fixed(r);
        let got: Vec<u64> = delays(&mut b, n)
            .iter()
            .map(|d| d.as_millis() as u64 / 1000)
            .collect();
        assert_eq!(got, secs);
    }

    #[rstest]
    #[case::far_past_the_cap(200)]
    #[case::shift_overflow(40)]
    fn cap_survives_many_failures(#[case] failures: usize) {
        let mut b = fixed(1.0);
        let last = *delays(&mut b, failures).last().unwrap();
        assert_eq!(last, Duration::from_secs(300));
    }

    #[test]
    fn jitter_stays_within_zero_and_the_ceiling() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut b = Backoff::new(S, Duration::from_secs(300), move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        });
        let mut seen_low = false;
        let mut seen_high = false;
        for _ in 0..2000 {
            let ceiling = b.ceiling();
            let d = b.next_delay(None);
            assert!(d <= ceiling, "{d:?} > {ceiling:?}");
            seen_low |= d < ceiling / 4;
            seen_high |= d > ceiling * 3 / 4;
            if b.failures() > 12 {
                b.reset();
            }
        }
        assert!(seen_low && seen_high, "jitter spreads over the whole range");
    }

    #[rstest]
    #[case::above_one(7.0, 1000)]
    #[case::negative(-3.0, 0)]
    #[case::not_a_number(f64::NAN, 500)]
    fn odd_random_values_are_clamped(#[case] r: f64, #[case] first_ms: u64) {
        let mut b = fixed(r);
        assert_eq!(b.next_delay(None), Duration::from_millis(first_ms));
    }

    #[test]
    fn reset_starts_again_from_the_base() {
        let mut b = fixed(1.0);
        delays(&mut b, 6);
        assert_eq!(b.ceiling(), Duration::from_secs(64));
        b.reset();
        assert_eq!(b.failures(), 0);
        assert_eq!(b.next_delay(None), S);
    }

    #[rstest]
    #[case::floor_above_jitter(0.0, Some(30), 30)]
    #[case::jitter_above_floor(1.0, Some(0), 1)]
    #[case::floor_beyond_the_cap_still_honoured(0.0, Some(900), 900)]
    #[case::absurd_floor_is_bounded(0.0, Some(86_400 * 7), 3600)]
    #[case::no_floor(0.0, None, 0)]
    fn retry_after_is_a_floor(#[case] r: f64, #[case] floor: Option<u64>, #[case] secs: u64) {
        let mut b = fixed(r);
        let d = b.next_delay(floor.map(Duration::from_secs));
        assert_eq!(d, Duration::from_secs(secs));
        assert_eq!(b.failures(), 1, "a Retry-After still counts as a failure");
    }

    #[test]
    fn os_random_is_a_fraction() {
        for _ in 0..100 {
            let r = os_random();
            assert!((0.0..1.0).contains(&r), "{r}");
        }
    }
}
