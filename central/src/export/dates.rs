//! Calendar arithmetic for exports and retention: local dates of instants, ages on a date, and
//! the instant a retention period of whole years ends.
//!
//! Deliberately not here: time zones beyond a fixed offset (Japan has no DST) and the clock.

use crate::civil_date::{self, MS_PER_DAY};
use hakaru_wire::Timestamp;

/// A civil date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i64,
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        let day = parts.next()?.parse().ok()?;
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Date { year, month, day })
    }

    /// The local date of an instant at `offset_minutes` from UTC.
    pub fn of(at: Timestamp, offset_minutes: i32) -> Date {
        let ms = at.as_unix_ms() + i64::from(offset_minutes) * 60_000;
        civil_from_days(ms.div_euclid(MS_PER_DAY))
    }

    /// `YYYY-MM-DD`.
    pub fn day_key(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `YYYY-MM`.
    pub fn month_key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// Whole years of age on `on` of someone born on `self`.
    pub fn age_on(self, on: Date) -> i64 {
        let had_birthday = (on.month, on.day) >= (self.month, self.day);
        on.year - self.year - i64::from(!had_birthday)
    }
}

/// Days since 1970-01-01 → date.
fn civil_from_days(days: i64) -> Date {
    let (year, month, day) = civil_date::civil_from_days(days);
    Date { year, month, day }
}

/// Date → days since 1970-01-01.
fn days_from_civil(date: Date) -> i64 {
    civil_date::days_from_civil(date.year, date.month, date.day)
}

/// The instant before which a record made is past a retention of `years` whole years at `now`:
/// local midnight starting the same calendar day `years` years ago (29 February → 28 February).
/// A record made on 2023-11-24 (any hour) is kept through 2026-11-24 and purged from 2026-11-25.
pub fn retention_cutoff(now: Timestamp, years: u32, offset_minutes: i32) -> Timestamp {
    let today = Date::of(now, offset_minutes);
    let year = today.year - i64::from(years);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let day = if today.month == 2 && today.day == 29 && !leap {
        28
    } else {
        today.day
    };
    let start = Date {
        year,
        month: today.month,
        day,
    };
    Timestamp::from_unix_ms(
        days_from_civil(start) * MS_PER_DAY - i64::from(offset_minutes) * 60_000,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const JST: i32 = 540;

    #[test]
    fn ages_count_whole_years_from_the_birthday() {
        let born = Date::parse("1950-04-01").expect("date");
        assert_eq!(born.age_on(Date::parse("2026-03-31").expect("date")), 75);
        assert_eq!(born.age_on(Date::parse("2026-04-01").expect("date")), 76);
    }

    #[test]
    fn local_dates_follow_the_offset_and_round_trip() {
        // 2026-11-23 15:30 UTC is 2026-11-24 00:30 in Japan.
        let at = Timestamp::from_unix_ms(1_795_447_800_000);
        assert_eq!(Date::of(at, 0).day_key(), "2026-11-23");
        assert_eq!(Date::of(at, JST).day_key(), "2026-11-24");
        for days in [-800_000_i64, -1, 0, 59, 20_000, 2_000_000] {
            assert_eq!(days_from_civil(civil_from_days(days)), days);
        }
    }

    #[test]
    fn the_retention_cutoff_is_local_midnight_years_ago() {
        // 2026-11-23 10:00 JST.
        let now = Timestamp::from_unix_ms(1_795_395_600_000);
        let cut = retention_cutoff(now, 3, JST);
        assert_eq!(Date::of(cut, JST).day_key(), "2023-11-23");
        let just_before = Timestamp::from_unix_ms(cut.as_unix_ms() - 1);
        assert_eq!(Date::of(just_before, JST).day_key(), "2023-11-22");
    }
}
