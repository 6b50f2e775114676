//! Whether participants may measure: the newest reference-weight check passed and is not
//! overdue, the checked analyzer's 定期検査 is not overdue, and the connected analyzer is the
//! one checked. Pure: the facts come in, the verdict goes out.
//!
//! Deliberately not here: where the facts come from (`Store::gate`), enforcing the verdict
//! (the station driver) and the notice on screen (the kiosk).

use crate::domain::Date;

/// Why participants may not measure now. [`GateReason::code`] names it for screens and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GateReason {
    /// No reference-weight check was ever recorded at this station.
    NeverChecked,
    /// The newest check failed.
    CheckFailed,
    /// The newest check's next due date has passed.
    CheckOverdue,
    /// The checked analyzer's 定期検査 is overdue.
    InspectionOverdue,
    /// The analyzer connected is not the one checked (another serial number).
    AnalyzerSwapped,
}

impl GateReason {
    /// `never_checked`, `check_failed`, `check_overdue`, `inspection_overdue` or
    /// `analyzer_swapped`.
    pub fn code(self) -> &'static str {
        match self {
            GateReason::NeverChecked => "never_checked",
            GateReason::CheckFailed => "check_failed",
            GateReason::CheckOverdue => "check_overdue",
            GateReason::InspectionOverdue => "inspection_overdue",
            GateReason::AnalyzerSwapped => "analyzer_swapped",
        }
    }

    /// What staff are told (Japanese first), with what to do next.
    pub fn message(self) -> &'static str {
        match self {
            GateReason::NeverChecked => "測定器の点検（分銅による校正確認）がまだ行われていません。技術者が点検するまで測定できません / the analyzer has never been checked with reference weights: a technician must check it before anyone measures",
            GateReason::CheckFailed => "測定器の点検で誤差が許容差を超えました。技術者が調整し、再点検に合格するまで測定できません / the analyzer failed its reference-weight check: a technician must fix it and pass a new check",
            GateReason::CheckOverdue => "測定器の点検期限が過ぎています。技術者が点検するまで測定できません / the analyzer's reference-weight check is overdue: a technician must check it again",
            GateReason::InspectionOverdue => "測定器の定期検査の期限が過ぎています。定期検査を受け、日付を登録するまで測定できません / the analyzer's periodic inspection (定期検査) is overdue: have it inspected and enter the new dates",
            GateReason::AnalyzerSwapped => "点検済みの測定器と別の測定器が接続されています。技術者が点検するまで測定できません / a different analyzer than the one checked is connected: a technician must check it",
        }
    }
}

/// Whether participants may measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "snake_case")]
pub enum Gate {
    /// They may.
    Open,
    /// They may not, for this reason.
    Closed(GateReason),
}

impl Gate {
    /// Whether participants may measure.
    pub fn is_open(&self) -> bool {
        matches!(self, Gate::Open)
    }

    /// The reason it is closed.
    pub fn reason(&self) -> Option<GateReason> {
        match self {
            Gate::Open => None,
            Gate::Closed(r) => Some(*r),
        }
    }
}

/// The newest check, as the gate needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewestCheck {
    /// The checked analyzer's serial number.
    pub serial: String,
    /// Whether it passed.
    pub passed: bool,
    /// When the next check is due (passed checks).
    pub next_check_due: Option<Date>,
    /// The checked analyzer's 定期検査 due date, if known.
    pub inspection_due: Option<Date>,
}

/// The facts the gate is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateFacts<'a> {
    /// The newest check, if any.
    pub newest: Option<&'a NewestCheck>,
    /// The serial number the connected analyzer reported, when it did.
    pub connected_serial: Option<&'a str>,
    /// A swap was seen and no check has passed since.
    pub swap_flagged: bool,
    /// Today; `None` skips the date rules (nothing to compare with yet).
    pub today: Option<Date>,
}

/// Decides, in this order: never checked, failed, check overdue, 定期検査 overdue, swapped.
pub fn decide(f: &GateFacts<'_>) -> Gate {
    let Some(n) = f.newest else {
        return Gate::Closed(GateReason::NeverChecked);
    };
    if !n.passed {
        return Gate::Closed(GateReason::CheckFailed);
    }
    if let Some(today) = f.today {
        match n.next_check_due {
            Some(due) if due >= today => {}
            _ => return Gate::Closed(GateReason::CheckOverdue),
        }
        if n.inspection_due.is_some_and(|due| due < today) {
            return Gate::Closed(GateReason::InspectionOverdue);
        }
    }
    let other = f.connected_serial.is_some_and(|sn| sn != n.serial);
    if other || f.swap_flagged {
        return Gate::Closed(GateReason::AnalyzerSwapped);
    }
    Gate::Open
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u8) -> Date {
        Date {
            year: 2026,
            month: 6,
            day,
        }
    }

    fn check(passed: bool) -> NewestCheck {
        NewestCheck {
            serial: "A1".into(),
            passed,
            next_check_due: passed.then(|| d(20)),
            inspection_due: Some(d(25)),
        }
    }

    fn facts<'a>(n: Option<&'a NewestCheck>, sn: Option<&'a str>, today: u8) -> GateFacts<'a> {
        GateFacts {
            newest: n,
            connected_serial: sn,
            swap_flagged: false,
            today: Some(d(today)),
        }
    }

    #[test]
    fn each_rule_closes_the_gate_in_order() {
        let ok = check(true);
        let failed = check(false);
        assert_eq!(
            decide(&facts(None, None, 3)),
            Gate::Closed(GateReason::NeverChecked)
        );
        assert_eq!(
            decide(&facts(Some(&failed), None, 3)),
            Gate::Closed(GateReason::CheckFailed)
        );
        assert_eq!(decide(&facts(Some(&ok), None, 3)), Gate::Open);
        assert_eq!(
            decide(&facts(Some(&ok), Some("A1"), 20)),
            Gate::Open,
            "due today is not overdue"
        );
        assert_eq!(
            decide(&facts(Some(&ok), None, 21)),
            Gate::Closed(GateReason::CheckOverdue)
        );
        let late = NewestCheck {
            inspection_due: Some(d(10)),
            ..check(true)
        };
        assert_eq!(
            decide(&facts(Some(&late), None, 11)),
            Gate::Closed(GateReason::InspectionOverdue)
        );
        assert_eq!(
            decide(&facts(Some(&ok), Some("B2"), 3)),
            Gate::Closed(GateReason::AnalyzerSwapped)
        );
        let flagged = GateFacts {
            swap_flagged: true,
            ..facts(Some(&ok), Some("A1"), 3)
        };
        assert_eq!(decide(&flagged), Gate::Closed(GateReason::AnalyzerSwapped));
        assert_eq!(GateReason::AnalyzerSwapped.code(), "analyzer_swapped");
    }
}
