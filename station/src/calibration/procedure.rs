//! One guided reference-weight check: the plan (steps, tolerance, how long a pass is valid),
//! each step's reading against its nominal mass, and the record it comes to.
//!
//! Deliberately not here: weighing (the scale feed), storing the record (the store) and the
//! gate (`super::gate`). Pure arithmetic, no clock.

use super::{add_days, date_text, AnalyzerDates};
use crate::domain::Date;
use hakaru_wire::{CalibrationRecorded, ReferenceWeightCheck};

/// How a check is made. Default: steps 0 / 20 / 50 / 100 kg, tolerance 0.2 kg, a passed check
/// valid 30 days.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CalibrationPlan {
    /// Reference masses in the order they are put on, kg.
    pub steps_kg: Vec<f64>,
    /// Largest deviation allowed at any step, kg.
    pub tolerance_kg: f64,
    /// Days a passed check stays valid.
    pub valid_days: u32,
}

impl Default for CalibrationPlan {
    fn default() -> Self {
        CalibrationPlan {
            steps_kg: vec![0.0, 20.0, 50.0, 100.0],
            tolerance_kg: 0.2,
            valid_days: 30,
        }
    }
}

/// A plan that cannot make a meaningful check.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// No steps.
    #[error("校正の手順に分銅の段階がありません。設定に段階を加えてください / the calibration plan has no steps: add reference weights to the settings")]
    NoSteps,
    /// A step below zero or above what any analyzer weighs.
    #[error("分銅の段階 {0} kg は 0〜300 kg の範囲外です。設定を直してください / reference step {0} kg is outside 0–300 kg: correct the settings")]
    Step(f64),
    /// A tolerance that is not a positive number below 5 kg.
    #[error("許容差 {0} kg は 0 より大きく 5 kg 以下にしてください / tolerance {0} kg must be above 0 and at most 5 kg")]
    Tolerance(f64),
    /// Zero validity days.
    #[error("有効日数は 1 日以上にしてください / a check must stay valid at least one day")]
    ValidDays,
}

impl CalibrationPlan {
    /// Checks the plan is usable.
    pub fn validate(&self) -> Result<(), PlanError> {
        if self.steps_kg.is_empty() {
            return Err(PlanError::NoSteps);
        }
        if let Some(s) = self
            .steps_kg
            .iter()
            .find(|s| !(0.0..=300.0).contains(*s) || !s.is_finite())
        {
            return Err(PlanError::Step(*s));
        }
        if !(self.tolerance_kg > 0.0 && self.tolerance_kg <= 5.0) {
            return Err(PlanError::Tolerance(self.tolerance_kg));
        }
        if self.valid_days == 0 {
            return Err(PlanError::ValidDays);
        }
        Ok(())
    }
}

/// Rounds to 0.01 kg (the record's resolution).
pub fn round_centi(kg: f64) -> f64 {
    (kg * 100.0).round() / 100.0 + 0.0
}

/// One check in progress: put [`CalibrationRun::next_nominal`] on the scale, weigh, then
/// [`CalibrationRun::record_step`]; when no step is left, [`CalibrationRun::finish`].
#[derive(Debug, Clone)]
pub struct CalibrationRun {
    plan: CalibrationPlan,
    model: String,
    serial: String,
    technician: String,
    results: Vec<ReferenceWeightCheck>,
}

impl CalibrationRun {
    /// A check of analyzer `model` / `serial` by `technician` (their login).
    pub fn new(
        plan: CalibrationPlan,
        model: String,
        serial: String,
        technician: String,
    ) -> CalibrationRun {
        CalibrationRun {
            plan,
            model,
            serial,
            technician,
            results: Vec::new(),
        }
    }

    /// The plan in use.
    pub fn plan(&self) -> &CalibrationPlan {
        &self.plan
    }

    /// The reference mass to weigh next, or `None` when every step is recorded.
    pub fn next_nominal(&self) -> Option<f64> {
        self.plan.steps_kg.get(self.results.len()).copied()
    }

    /// Records what the analyzer showed for the next step (after the last step it re-records
    /// the last one: a repeat weighing replaces it).
    pub fn record_step(&mut self, measured_kg: f64) -> &ReferenceWeightCheck {
        if self.next_nominal().is_none() {
            self.results.pop();
        }
        let nominal_kg = self.next_nominal().unwrap_or(0.0);
        let deviation_kg = round_centi(measured_kg - nominal_kg);
        let check = ReferenceWeightCheck {
            nominal_kg,
            measured_kg,
            deviation_kg,
            // A hair of slack so 0.2 is within 0.2 despite binary fractions.
            within_tolerance: deviation_kg.abs() <= self.plan.tolerance_kg + 1e-9,
        };
        self.results.push(check);
        self.results.last().expect("just pushed")
    }

    /// The steps recorded so far.
    pub fn results(&self) -> &[ReferenceWeightCheck] {
        &self.results
    }

    /// Whether every step is recorded and within tolerance (so far).
    pub fn passing(&self) -> bool {
        self.next_nominal().is_none() && self.results.iter().all(|r| r.within_tolerance)
    }

    /// The record of this check on `today` with the analyzer's legal-metrology `dates`. It
    /// passed when every planned step was weighed and is within tolerance; a pass is valid
    /// `valid_days` from `today`, a failure has no next due date.
    pub fn finish(self, today: Date, dates: &AnalyzerDates) -> CalibrationRecorded {
        let passed = self.passing();
        CalibrationRecorded {
            analyzer_model: self.model,
            analyzer_serial: self.serial,
            last_inspection: dates.last_inspection.map(date_text),
            next_due: dates.inspection_due.map(date_text),
            reference_checks: self.results,
            technician: self.technician,
            tolerance_kg: self.plan.tolerance_kg,
            passed,
            next_check_due: if passed {
                date_text(add_days(today, i64::from(self.plan.valid_days)))
            } else {
                String::new()
            },
            verified_on: dates.verified_on.map(date_text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: Date = Date {
        year: 2026,
        month: 6,
        day: 3,
    };

    fn run() -> CalibrationRun {
        CalibrationRun::new(
            CalibrationPlan::default(),
            "DC-320".into(),
            "00000001".into(),
            "tech1".into(),
        )
    }

    #[test]
    fn defaults_are_four_steps_two_tenths_and_thirty_days() {
        let p = CalibrationPlan::default();
        assert_eq!(p.steps_kg, [0.0, 20.0, 50.0, 100.0]);
        assert_eq!(p.tolerance_kg, 0.2);
        assert_eq!(p.valid_days, 30);
        assert_eq!(p.validate(), Ok(()));
        let bad = CalibrationPlan {
            steps_kg: vec![],
            ..p.clone()
        };
        assert_eq!(bad.validate(), Err(PlanError::NoSteps));
        let bad = CalibrationPlan {
            tolerance_kg: 0.0,
            ..p
        };
        assert_eq!(bad.validate(), Err(PlanError::Tolerance(0.0)));
    }

    #[test]
    fn deviations_are_rounded_to_hundredths_and_the_edge_is_within() {
        let mut r = run();
        assert_eq!(r.next_nominal(), Some(0.0));
        let c = r.record_step(0.004).clone();
        assert_eq!(
            (c.nominal_kg, c.deviation_kg, c.within_tolerance),
            (0.0, 0.0, true)
        );
        let c = r.record_step(20.2).clone();
        assert_eq!(c.deviation_kg, 0.2);
        assert!(c.within_tolerance, "exactly the tolerance is within it");
        let c = r.record_step(49.787).clone();
        assert_eq!(c.deviation_kg, -0.21);
        assert!(!c.within_tolerance);
        assert_eq!(r.next_nominal(), Some(100.0));
        r.record_step(100.1);
        assert_eq!(r.next_nominal(), None);
        assert_eq!(r.results().len(), 4);
        let rec = r.finish(TODAY, &AnalyzerDates::default());
        assert!(!rec.passed);
        assert_eq!(rec.next_check_due, "");
        assert_eq!(rec.reference_checks[2].measured_kg, 49.787);
    }

    #[test]
    fn a_pass_is_due_again_after_the_valid_days_with_the_legal_dates() {
        let mut r = run();
        for m in [0.0, 20.1, 49.9, 100.0] {
            r.record_step(m);
        }
        let dates = AnalyzerDates {
            verified_on: Some(Date {
                year: 2024,
                month: 4,
                day: 1,
            }),
            last_inspection: Some(Date {
                year: 2025,
                month: 10,
                day: 15,
            }),
            inspection_due: Some(Date {
                year: 2027,
                month: 10,
                day: 14,
            }),
        };
        let rec = r.finish(TODAY, &dates);
        assert!(rec.passed);
        assert_eq!(rec.next_check_due, "2026-07-03");
        assert_eq!(rec.tolerance_kg, 0.2);
        assert_eq!(rec.technician, "tech1");
        assert_eq!(rec.analyzer_model, "DC-320");
        assert_eq!(rec.analyzer_serial, "00000001");
        assert_eq!(rec.verified_on.as_deref(), Some("2024-04-01"));
        assert_eq!(rec.last_inspection.as_deref(), Some("2025-10-15"));
        assert_eq!(rec.next_due.as_deref(), Some("2027-10-14"));
        assert!(rec.reference_checks.iter().all(|c| c.within_tolerance));
    }

    #[test]
    fn an_unfinished_check_never_passes() {
        let mut r = run();
        r.record_step(0.0);
        r.record_step(20.0);
        let rec = r.finish(TODAY, &AnalyzerDates::default());
        assert!(!rec.passed);
        assert_eq!(rec.reference_checks.len(), 2);
    }

    #[test]
    fn a_repeat_after_the_last_step_replaces_it() {
        let mut r = run();
        for m in [0.0, 20.0, 50.0, 103.0] {
            r.record_step(m);
        }
        assert!(!r.passing());
        r.record_step(100.05);
        assert_eq!(r.results().len(), 4);
        assert!(r.passing());
    }
}
