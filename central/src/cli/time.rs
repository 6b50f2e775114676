//! Dates for the admin's screen: timestamps shown as `YYYY-MM-DD HH:MM` in the program's
//! local time, and `--since` given as a date or as Unix milliseconds.
//!
//! Deliberately not here: reading the clock (the admin module does, once per command).

use hakaru_central::civil_date::{civil_from_days, parse_days, MS_PER_DAY};
use hakaru_wire::Timestamp;

/// `YYYY-MM-DD HH:MM` at `offset_minutes` from UTC.
pub fn format(t: Timestamp, offset_minutes: i32) -> String {
    let ms = t.as_unix_ms() + i64::from(offset_minutes) * 60_000;
    let (y, m, d) = civil_from_days(ms.div_euclid(MS_PER_DAY));
    let minutes = ms.rem_euclid(MS_PER_DAY) / 60_000;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        minutes / 60,
        minutes % 60
    )
}

/// `YYYY-MM-DD` (local midnight at `offset_minutes`) or whole Unix milliseconds.
pub fn parse_since(text: &str, offset_minutes: i32) -> Option<Timestamp> {
    if let Ok(ms) = text.parse::<i64>() {
        return Some(Timestamp::from_unix_ms(ms));
    }
    let days = parse_days(text)?;
    Some(Timestamp::from_unix_ms(
        days * MS_PER_DAY - i64::from(offset_minutes) * 60_000,
    ))
}

/// Whether `text` is a real `YYYY-MM-DD` date.
pub fn is_date(text: &str) -> bool {
    parse_days(text).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_respect_the_offset() {
        // 2026-04-01 00:00 JST is 2026-03-31 15:00 UTC.
        let t = parse_since("2026-04-01", 540).unwrap();
        assert_eq!(t.as_unix_ms(), 1_774_969_200_000);
        assert_eq!(format(t, 540), "2026-04-01 00:00");
        assert_eq!(format(t, 0), "2026-03-31 15:00");
        assert_eq!(format(Timestamp::from_unix_ms(0), 0), "1970-01-01 00:00");
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-04-01",
            "2026/04/01",
            "2025-02-29",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
        assert!(is_date("2024-02-29"));
        assert_eq!(
            parse_since("1700000000000", 540).unwrap().as_unix_ms(),
            1_700_000_000_000
        );
    }
}
