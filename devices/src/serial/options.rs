//! How a link behaves: PC-mode dialect for commands, raw-traffic tap, reconnect backoff,
//! command spacing, event buffer size. Plain data with defaults that suit a Tanita kiosk.
//!
//! Deliberately not here: line settings (baud, framing) — those are
//! [`crate::scale::LinkSettings`], given with the path.

use crate::scale::Dialect;
use std::time::Duration;

/// Reconnect delays: `initial`, doubling after each failed attempt, capped at `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first delay after a disconnect.
    pub initial: Duration,
    /// The longest delay between attempts.
    pub max: Duration,
}

impl Default for Backoff {
    /// 100 ms doubling to 5 s.
    fn default() -> Backoff {
        Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(5),
        }
    }
}

/// The running state of a [`Backoff`]: which delay comes next.
#[derive(Debug, Clone)]
pub struct BackoffState {
    policy: Backoff,
    next: Duration,
}

impl BackoffState {
    /// Starts at `policy.initial`.
    pub fn new(policy: Backoff) -> BackoffState {
        BackoffState {
            policy,
            next: policy.initial,
        }
    }

    /// The delay to wait now; the one after it doubles (up to the maximum).
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next.min(self.policy.max);
        self.next = (delay * 2).min(self.policy.max).max(self.policy.initial);
        delay
    }

    /// Jumps to the longest delay (for problems a person must fix).
    pub fn give_up_quick_retries(&mut self) {
        self.next = self.policy.max;
    }

    /// A connection worked: the next delay is the initial one again.
    pub fn reset(&mut self) {
        self.next = self.policy.initial;
    }
}

/// See the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkOptions {
    /// How [`crate::scale::Command`]s are encoded.
    pub dialect: Dialect,
    /// Report raw traffic as [`super::ScaleEvent::Bytes`] (the technician monitor).
    pub tap_raw: bool,
    /// Reconnect delays.
    pub backoff: Backoff,
    /// Least time between two commands (reference §3: the host must leave ≥100 ms).
    pub command_spacing: Duration,
    /// Events buffered for a slow consumer before the link waits for it.
    pub event_capacity: usize,
}

impl Default for LinkOptions {
    fn default() -> LinkOptions {
        LinkOptions {
            dialect: Dialect::JpDc,
            tap_raw: false,
            backoff: Backoff::default(),
            command_spacing: Duration::from_millis(100),
            event_capacity: 1024,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_to_the_cap_and_resets() {
        let mut b = BackoffState::new(Backoff::default());
        let ms: Vec<u128> = (0..9).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(ms, [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(100));
        b.give_up_quick_retries();
        assert_eq!(b.next_delay(), Duration::from_secs(5));
    }
}
