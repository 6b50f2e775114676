//! Instants on the wire: milliseconds since the Unix epoch, UTC.
//!
//! Deliberately not here: reading the clock. Whoever needs "now" gets it injected (sans-IO);
//! only binaries read the system clock.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// An instant, as whole milliseconds since 1970-01-01T00:00:00Z. Serialises as an integer.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
#[schema(value_type = i64)]
pub struct Timestamp(i64);

impl Timestamp {
    /// From milliseconds since the Unix epoch.
    pub const fn from_unix_ms(ms: i64) -> Timestamp {
        Timestamp(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_unix_ms(self) -> i64 {
        self.0
    }

    /// Converts a system time (read by the caller); times before 1970 clamp to the epoch.
    pub fn from_system_time(t: SystemTime) -> Timestamp {
        let ms = t
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Timestamp(ms)
    }

    /// The same instant as a `SystemTime` (negative values clamp to the epoch).
    pub fn to_system_time(self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(u64::try_from(self.0).unwrap_or(0))
    }

    /// This instant minus whole days (saturating).
    pub fn minus_days(self, days: u32) -> Timestamp {
        Timestamp(self.0.saturating_sub(i64::from(days) * 86_400_000))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_system_time_at_millisecond_precision() {
        let t = Timestamp::from_unix_ms(1_780_000_000_123);
        assert_eq!(Timestamp::from_system_time(t.to_system_time()), t);
        assert_eq!(serde_json::to_string(&t).unwrap(), "1780000000123");
    }

    #[test]
    fn minus_days_counts_whole_days() {
        let t = Timestamp::from_unix_ms(30 * 86_400_000 + 5);
        assert_eq!(t.minus_days(30), Timestamp::from_unix_ms(5));
    }
}
