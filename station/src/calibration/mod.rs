//! Reference-weight calibration checks and the gate that stops participant measurements while
//! the analyzer is unchecked, failed, overdue (check or 定期検査) or swapped for another one.
//!
//! [`procedure`] is the pure arithmetic of one guided check (steps, deviations, pass/fail,
//! next due date); [`gate`] is the pure decision whether participants may measure. Deliberately
//! not here: storing checks and analyzer dates (`store::calibration`), reading the scale (the
//! scale feed's `Weigh`), screens (the kiosk) and any clock: dates come in as parameters.

pub mod gate;
pub mod procedure;

pub use gate::{Gate, GateReason};
pub use procedure::{CalibrationPlan, CalibrationRun, PlanError};

use crate::domain::Date;
use hakaru_wire::Timestamp;

/// An analyzer's legal-metrology dates (計量法): 検定 (type verification), the last 定期検査
/// (periodic inspection) and when the next one is due. Unknown dates are `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AnalyzerDates {
    /// Date of the 検定.
    pub verified_on: Option<Date>,
    /// Date of the last 定期検査.
    pub last_inspection: Option<Date>,
    /// When the next 定期検査 is due; past it, participants may not measure.
    pub inspection_due: Option<Date>,
}

const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's days_from_civil).
pub fn days_since_epoch(d: Date) -> i64 {
    let (m, dd) = (i64::from(d.month), i64::from(d.day));
    let y = i64::from(d.year) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + dd - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `d` plus `days` calendar days.
pub fn add_days(d: Date, days: i64) -> Date {
    Date::local(
        Timestamp::from_unix_ms((days_since_epoch(d) + days) * DAY_MS),
        0,
    )
}

/// `YYYY-MM-DD`.
pub fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// Parses `YYYY-MM-DD` (a real calendar date); `None` otherwise.
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let d = Date {
        year: s[0..4].parse().ok()?,
        month: s[5..7].parse().ok()?,
        day: s[8..10].parse().ok()?,
    };
    // A date that does not round-trip (2026-02-30) is not a date.
    (add_days(d, 0) == d).then_some(d)
}

/// A passed check for tests and fixtures whose subject is not calibration (hidden from the
/// docs; never used by the kiosk itself).
#[doc(hidden)]
pub mod testing {
    use super::{AnalyzerDates, CalibrationPlan, CalibrationRun};
    use crate::domain::Date;
    use crate::store::{Store, StoreError};
    use hakaru_wire::{EventId, Timestamp};

    /// Records a passing default check of analyzer `serial` (model `TEST`) on `today`, valid
    /// 30 days, so the station's calibration gate is open.
    pub fn calibrated(store: &mut Store, serial: &str, today: Date) -> Result<EventId, StoreError> {
        let plan = CalibrationPlan::default();
        let steps = plan.steps_kg.clone();
        let mut run = CalibrationRun::new(plan, "TEST".into(), serial.into(), "fixture".into());
        for kg in steps {
            run.record_step(kg);
        }
        let wall = Timestamp::from_unix_ms(super::days_since_epoch(today) * super::DAY_MS);
        store.record_calibration(&run.finish(today, &AnalyzerDates::default()), wall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_over_month_and_leap_year_ends() {
        let d = |year, month, day| Date { year, month, day };
        assert_eq!(days_since_epoch(d(1970, 1, 1)), 0);
        assert_eq!(add_days(d(2026, 6, 3), 30), d(2026, 7, 3));
        assert_eq!(add_days(d(2028, 2, 28), 1), d(2028, 2, 29));
        assert_eq!(add_days(d(2026, 12, 31), 1), d(2027, 1, 1));
        assert_eq!(add_days(d(2026, 3, 1), -1), d(2026, 2, 28));
        assert_eq!(parse_date("2026-07-03"), Some(d(2026, 7, 3)));
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("2026-7-3"), None);
        assert_eq!(date_text(d(2026, 7, 3)), "2026-07-03");
    }
}
