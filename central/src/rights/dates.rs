//! Calendar dates of rights requests: `YYYY-MM-DD` in Japan time (Asia/Tokyo, UTC+9, no daylight
//! saving), the 30-day answer period and its one extension by at most 30 days.
//!
//! Deliberately not here: reading the clock (callers pass `now`) and the program's own offset
//! (the law's periods are counted in Japan whatever the program's points rules say).

use hakaru_wire::Timestamp;
use std::fmt;

const MS_PER_DAY: i64 = 86_400_000;
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
        let bad = || BadDate(text.to_owned());
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let y: i64 = text
            .get(0..4)
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)?;
        let m: u32 = text
            .get(5..7)
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)?;
        let d: u32 = text
            .get(8..10)
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)?;
        if !(1..=12).contains(&m) || d == 0 {
            return Err(bad());
        }
        let days = days_from_civil(y, m, d);
        if civil_from_days(days) != (y, m, d) {
            return Err(bad());
        }
        Ok(Date(days))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = civil_from_days(self.0);
        write!(f, "{y:04}-{m:02}-{d:02}")
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

/// Days since 1970-01-01 → (year, month, day) (proleptic Gregorian; Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// (year, month, day) → days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
