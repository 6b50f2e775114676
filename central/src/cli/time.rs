//! Dates for the admin's screen: timestamps shown as `YYYY-MM-DD HH:MM` in the program's
//! local time, and `--since` given as a date or as Unix milliseconds.
//!
//! Deliberately not here: reading the clock (the admin module does, once per command).

use hakaru_wire::Timestamp;

const MS_PER_DAY: i64 = 86_400_000;

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
    // d is 1..=31 and m 1..=12 by construction.
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
    let days = parse_date_days(text)?;
    Some(Timestamp::from_unix_ms(
        days * MS_PER_DAY - i64::from(offset_minutes) * 60_000,
    ))
}

/// Whether `text` is a real `YYYY-MM-DD` date.
pub fn is_date(text: &str) -> bool {
    parse_date_days(text).is_some()
}

fn parse_date_days(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = text.get(0..4)?.parse().ok()?;
    let m: u32 = text.get(5..7)?.parse().ok()?;
    let d: u32 = text.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    // Round-trips only when the day exists in that month.
    (civil_from_days(days) == (y, m, d)).then_some(days)
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
