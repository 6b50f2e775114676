//! Calendar dates of rights requests: `YYYY-MM-DD` in Japan time (Asia/Tokyo, UTC+9, no daylight
//! saving), the 30-day answer period and its one extension by at most 30 days.
//!
//! Deliberately not here: reading the clock (callers pass `now`) and the program's own offset
//! (the law's periods are counted in Japan whatever the program's points rules say).

use crate::civil_date::{format_days, parse_days, MS_PER_DAY};
use hakaru_wire::Timestamp;
use std::fmt;

/// Japan time: UTC+9, all year.
const JAPAN_OFFSET_MS: i64 = 9 * 3_600_000;

/// Days a request must be answered in, counted from the day it was received.
pub const ANSWER_DAYS: i64 = 30;
/// The most one extension may add.
pub const MAX_EXTENSION_DAYS: i64 = 30;

/// A calendar date (days since 1970-01-01), written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i64);

/// A date that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("日付は YYYY-MM-DD の形で、実在する日を指定してください: {0} / a date is YYYY-MM-DD and must exist: {0}")]
pub struct BadDate(pub String);

impl Date {
    /// The date in Japan at `t`.
    pub fn in_japan(t: Timestamp) -> Date {
        Date((t.as_unix_ms() + JAPAN_OFFSET_MS).div_euclid(MS_PER_DAY))
    }

    /// The date `days` days since 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        Date(days)
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        self.0
    }

    /// `days` later (earlier when negative).
    pub fn plus_days(self, days: i64) -> Date {
        Date(self.0 + days)
    }

    /// Reads `YYYY-MM-DD`; refuses days that do not exist.
    pub fn parse(text: &str) -> Result<Date, BadDate> {
        parse_days(text)
            .map(Date)
            .ok_or_else(|| BadDate(text.to_owned()))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_days(self.0))
    }
}

/// The due date of a request received on `received`: 30 days later.
pub fn due_date(received: Date) -> Date {
    received.plus_days(ANSWER_DAYS)
}

/// Whether an extension of `days` is allowed (1 to 30).
pub fn extension_allowed(days: i64) -> bool {
    (1..=MAX_EXTENSION_DAYS).contains(&days)
}

/// `YYYY-MM-DD HH:MM` in Japan time, for printed pages.
pub fn japan_time(t: Timestamp) -> String {
    let ms = t.as_unix_ms() + JAPAN_OFFSET_MS;
    let minutes = ms.rem_euclid(MS_PER_DAY) / 60_000;
    format!(
        "{} {:02}:{:02}",
        Date(ms.div_euclid(MS_PER_DAY)),
        minutes / 60,
        minutes % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_japanese_date_turns_at_midnight_in_japan() {
        // 2026-03-31 15:00 UTC is 2026-04-01 00:00 in Japan.
        let t = Timestamp::from_unix_ms(1_774_969_200_000);
        assert_eq!(Date::in_japan(t).to_string(), "2026-04-01");
        assert_eq!(
            Date::in_japan(Timestamp::from_unix_ms(1_774_969_200_000 - 1)).to_string(),
            "2026-03-31"
        );
        assert_eq!(japan_time(t), "2026-04-01 00:00");
    }

    #[test]
    fn due_dates_count_calendar_days_across_months_and_leap_days() {
        let due = |s: &str| due_date(Date::parse(s).expect("date")).to_string();
        assert_eq!(due("2026-11-23"), "2026-12-23");
        assert_eq!(due("2028-02-01"), "2028-03-02");
        assert_eq!(due("2026-12-15"), "2027-01-14");
        assert!(extension_allowed(30) && extension_allowed(1));
        assert!(!extension_allowed(31) && !extension_allowed(0));
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in ["2026-02-30", "2026-13-01", "26-04-01", "2026/04/01"] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Date::parse("2024-02-29").expect("leap day").to_string(),
            "2024-02-29"
        );
    }
}
