//! The analyzer's own wall clock, set by hand like a real one: a fixed starting date and time
//! advanced by the simulator's elapsed time. Reading the host's clock is deliberately not done
//! here (time is injected).

use std::time::Duration;

/// A device date and time to the minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceClock {
    /// Four-digit year.
    pub year: u16,
    /// 1–12.
    pub month: u8,
    /// 1–31.
    pub day: u8,
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
}

impl Default for DeviceClock {
    /// 2026-06-03 15:00, the day of the F1 capture.
    fn default() -> DeviceClock {
        DeviceClock {
            year: 2026,
            month: 6,
            day: 3,
            hour: 15,
            minute: 0,
        }
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl DeviceClock {
    /// The clock after `elapsed`.
    pub fn after(self, elapsed: Duration) -> DeviceClock {
        let mut c = self;
        let total = u64::from(c.hour) * 60 + u64::from(c.minute) + elapsed.as_secs() / 60;
        let mut days = total / (24 * 60);
        let rem = total % (24 * 60);
        c.hour = (rem / 60) as u8;
        c.minute = (rem % 60) as u8;
        while days > 0 {
            days -= 1;
            c.day += 1;
            if c.day > days_in_month(c.year, c.month) {
                c.day = 1;
                c.month += 1;
                if c.month > 12 {
                    c.month = 1;
                    c.year += 1;
                }
            }
        }
        c
    }

    /// `yyyy/mm/dd` (MC-780A `DT`).
    pub fn ymd(&self) -> String {
        format!("{:04}/{:02}/{:02}", self.year, self.month, self.day)
    }

    /// `dd/mm/yyyy` (`Da` on MC-980, PW-650).
    pub fn dmy(&self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }

    /// `yy/mm/dd` (DC-320 `DA`).
    pub fn yymd(&self) -> String {
        format!("{:02}/{:02}/{:02}", self.year % 100, self.month, self.day)
    }

    /// `hh:mm`.
    pub fn hm(&self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolls_over_days_months_and_years() {
        let c = DeviceClock {
            year: 2024,
            month: 12,
            day: 31,
            hour: 23,
            minute: 59,
        };
        let d = c.after(Duration::from_secs(60));
        assert_eq!(
            (d.ymd(), d.hm()),
            ("2025/01/01".to_owned(), "00:00".to_owned())
        );
        let leap = DeviceClock {
            year: 2024,
            month: 2,
            day: 28,
            hour: 12,
            minute: 0,
        }
        .after(Duration::from_secs(24 * 3600));
        assert_eq!(leap.dmy(), "29/02/2024");
        assert_eq!(DeviceClock::default().yymd(), "26/06/03");
    }
}
