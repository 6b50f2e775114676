//! The calibration check as the technician runs it, step by step: put the reference weight on,
//! press "read" (the station's feed weighs: `FeedInput::Weigh`), see the deviation; after the
//! last step the record (analyzer, technician, readings, deviations, pass/fail, next due date)
//! is stored for the server and the gate is checked again. Also the analyzer's
//! legal-metrology dates (検定 / 定期検査) and the gate's view for staff.
//!
//! In demo mode a "read" first puts the step's nominal mass on the simulated analyzer, and the
//! first start checks the simulator by itself ([`StaffConsole::demo_first_check`]).
//! Deliberately not here: what passes (the station's `CalibrationRun`) and when participants
//! may measure (the station's gate).

use super::{store_error, StaffConsole};
use crate::staff_view::{
    AnalyzerDatesForm, AnalyzerView, CalibrationStepView, CalibrationView, CheckSummary, GateView,
    StaffEvent,
};
use crate::view::CommandError;
use hakaru_devices::serial::AnalyzerIdentity;
use hakaru_station::calibration::{date_text, parse_date};
use hakaru_station::staff::{Need, SignedIn};
use hakaru_station::{AnalyzerDates, CalibrationPlan, CalibrationRun, FeedInput};
use std::time::Duration;
use tokio::sync::oneshot;

/// How long after a weighing the analyzer's identity may still be on its way.
const IDENTITY_GRACE: Duration = Duration::from_secs(2);

/// A check in progress.
pub(crate) struct Calibrating {
    plan: CalibrationPlan,
    technician: String,
    /// Made at the first reading, when the analyzer has said who it is.
    run: Option<CalibrationRun>,
    /// The serial number the technician typed (analyzers that do not report theirs).
    typed_serial: Option<String>,
    /// The analyzer's serial number, with the run.
    serial: Option<String>,
    state: &'static str,
    passed: Option<bool>,
    next_check_due: Option<String>,
}

impl Calibrating {
    fn view(&self) -> CalibrationView {
        let results: Vec<CalibrationStepView> = self
            .run
            .as_ref()
            .map(|r| {
                r.results()
                    .iter()
                    .map(|c| CalibrationStepView {
                        nominal_kg: c.nominal_kg,
                        measured_kg: c.measured_kg,
                        deviation_kg: c.deviation_kg,
                        ok: c.within_tolerance,
                    })
                    .collect()
            })
            .unwrap_or_default();
        CalibrationView {
            steps_kg: self.plan.steps_kg.clone(),
            next_step: u32::try_from(results.len()).unwrap_or(u32::MAX),
            results,
            tolerance_kg: self.plan.tolerance_kg,
            state: self.state.to_owned(),
            passed: self.passed,
            next_check_due: self.next_check_due.clone(),
        }
    }

    fn next_nominal(&self) -> Option<f64> {
        match &self.run {
            Some(r) => r.next_nominal(),
            None => self.plan.steps_kg.first().copied(),
        }
    }
}

/// A serial number a technician typed (from the analyzer's plate): letters, digits, `-`.
fn typed_serial(typed: Option<&str>) -> Option<String> {
    let t = typed?.trim();
    (!t.is_empty() && t.len() <= 32 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .then(|| t.to_owned())
}

impl StaffConsole {
    fn publish_calibration(&self, c: Option<&Calibrating>) {
        self.publish(StaffEvent::Calibration(c.map(Calibrating::view)));
    }

    /// The connected analyzer's model and serial number: as its frames report them, else the
    /// link's model with the serial the technician typed, else the plate's (demo's simulator),
    /// else the serial this station's records know for that model.
    fn analyzer_of(&self, desk: &super::Desk, typed: Option<&str>) -> Option<(String, String)> {
        let (identity, profile_model, plate) = {
            let info = self
                .link
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (
                info.identity.clone(),
                info.profile.model.to_owned(),
                info.plate_serial.clone(),
            )
        };
        let model = identity
            .as_ref()
            .and_then(|i| i.model.clone())
            .unwrap_or(profile_model);
        let serial = identity
            .and_then(|i| i.serial_number)
            .or_else(|| typed_serial(typed))
            .or(plate)
            .or_else(|| {
                let checks = desk.store.calibrations(10).ok()?;
                checks
                    .into_iter()
                    .find(|c| c.record.analyzer_model == model)
                    .map(|c| c.record.analyzer_serial)
            })?;
        Some((model, serial))
    }

    /// Starts a check with the configured plan; `serial_number` is the one on the analyzer's
    /// plate, for analyzers whose frames do not carry it (MC-780).
    pub(crate) fn calibration_start(
        &self,
        serial_number: Option<&str>,
    ) -> Result<(), CommandError> {
        let mut desk = self.lock();
        let who: SignedIn = self.require(&mut desk, Need::Service)?;
        if serial_number.is_some_and(|t| !t.trim().is_empty())
            && typed_serial(serial_number).is_none()
        {
            return Err(CommandError::new(
                "bad_serial",
                "製造番号は英数字と - で入力してください / type the serial number in letters, digits and -",
            ));
        }
        let c = Calibrating {
            plan: self.calibration_plan.clone(),
            technician: who.login.clone(),
            typed_serial: typed_serial(serial_number),
            run: None,
            serial: None,
            state: "waiting_for_weight",
            passed: None,
            next_check_due: None,
        };
        self.audit(&mut desk, "calibration_start", serde_json::json!({}));
        self.publish_calibration(Some(&c));
        desk.calibrating = Some(c);
        Ok(())
    }

    /// Abandons the check in progress (nothing recorded).
    pub(crate) fn calibration_cancel(&self) -> Result<(), CommandError> {
        let mut desk = self.lock();
        self.require(&mut desk, Need::Service)?;
        if desk.calibrating.take().is_some() {
            self.audit(&mut desk, "calibration_cancel", serde_json::json!({}));
        }
        self.publish_calibration(None);
        Ok(())
    }

    /// Weighs the current step's reference mass (blocking up to `weigh_timeout`), records
    /// it, and after the last step stores the record.
    pub(crate) fn calibration_read_step(&self) -> Result<(), CommandError> {
        let nominal = {
            let mut desk = self.lock();
            self.require(&mut desk, Need::Service)?;
            let c = desk.calibrating.as_mut().ok_or_else(|| {
                CommandError::new(
                    "no_calibration",
                    "校正チェックを開始してから読み取ってください / start a calibration check first",
                )
            })?;
            if c.state == "reading" {
                return Err(CommandError::new("busy", "a step is being read"));
            }
            let nominal = c
                .next_nominal()
                .ok_or_else(|| {
                    CommandError::new(
                        "calibration_done",
                        "すべての分銅を読み取りました。結果を確認してください / every step has been read: see the result",
                    )
                })?;
            c.state = "reading";
            self.publish_calibration(Some(c));
            nominal
        };
        let weighed = self.weigh(nominal);
        let mut desk = self.lock();
        let Some(c) = desk.calibrating.as_mut() else {
            // Cancelled (or signed out) meanwhile.
            return Ok(());
        };
        let kg = match weighed {
            Ok(kg) => kg,
            Err(e) => {
                c.state = "failed_to_read";
                self.publish_calibration(Some(c));
                return Err(e);
            }
        };
        if desk.calibrating.as_ref().is_some_and(|c| c.run.is_none()) {
            let typed = desk
                .calibrating
                .as_ref()
                .and_then(|c| c.typed_serial.clone());
            let analyzer = self.analyzer_of(&desk, typed.as_deref());
            let c = desk.calibrating.as_mut().expect("checked above");
            let Some((model, serial)) = analyzer else {
                c.state = "failed_to_read";
                self.publish_calibration(Some(c));
                desk.calibrating = None;
                self.publish_calibration(None);
                return Err(CommandError::new(
                    "no_serial",
                    "体組成計が製造番号を送りません。本体の銘板の製造番号を入力して、点検をやり直してください / \
                     the analyzer does not report its serial number: type the one on its plate and start the check again",
                ));
            };
            c.serial = Some(serial.clone());
            c.run = Some(CalibrationRun::new(
                c.plan.clone(),
                model,
                serial,
                c.technician.clone(),
            ));
        }
        let c = desk.calibrating.as_mut().expect("checked above");
        let run = c.run.as_mut().expect("made above");
        run.record_step(kg);
        if run.next_nominal().is_some() {
            c.state = "waiting_for_weight";
            self.publish_calibration(Some(c));
            return Ok(());
        }
        // The last step: store the record.
        let Some(c) = desk.calibrating.take() else {
            return Ok(());
        };
        let run = c.run.expect("made above");
        let today = self.today();
        let serial = c.serial.clone().unwrap_or_default();
        let dates = desk
            .store
            .analyzer(&serial)
            .map_err(|e| store_error(&e))?
            .map(|(_, d)| d)
            .unwrap_or_default();
        let record = run.finish(today, &dates);
        desk.store
            .record_calibration(&record, self.wall())
            .map_err(|e| store_error(&e))?;
        self.sync_wake.notify_one();
        let done = Calibrating {
            plan: c.plan,
            technician: c.technician,
            typed_serial: None,
            run: None,
            serial: None,
            state: "done",
            passed: Some(record.passed),
            next_check_due: record.passed.then(|| record.next_check_due.clone()),
        };
        let mut view = done.view();
        view.results = record
            .reference_checks
            .iter()
            .map(|r| CalibrationStepView {
                nominal_kg: r.nominal_kg,
                measured_kg: r.measured_kg,
                deviation_kg: r.deviation_kg,
                ok: r.within_tolerance,
            })
            .collect();
        view.next_step = u32::try_from(view.results.len()).unwrap_or(u32::MAX);
        self.publish(StaffEvent::Calibration(Some(view)));
        drop(desk);
        self.feed(FeedInput::RefreshGate { today })?;
        self.publish_analyzer();
        Ok(())
    }

    /// Demo mode's first start: the simulated analyzer has never been checked, so the station
    /// would refuse every participant. Runs the configured check on it — each reference mass
    /// placed on the simulator and weighed through the real link and feed, exactly as a
    /// technician's check — and records it under the technician name `demo-auto`. Does nothing
    /// outside demo mode or once any check is on record; a failure is logged and the gate stays
    /// as it is (a technician can run the check from the staff window).
    pub(crate) fn demo_first_check(&self) {
        if self.sim.is_none() {
            return;
        }
        let (model, serial) = {
            let desk = self.lock();
            match desk.store.calibrations(1) {
                Ok(checks) if checks.is_empty() => {}
                Ok(_) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "demo: cannot read the calibration checks");
                    return;
                }
            }
            match self.analyzer_of(&desk, None) {
                Some(a) => a,
                None => return,
            }
        };
        let mut run = CalibrationRun::new(
            self.calibration_plan.clone(),
            model,
            serial.clone(),
            "demo-auto".to_owned(),
        );
        while let Some(nominal) = run.next_nominal() {
            match self.weigh(nominal) {
                Ok(kg) => {
                    run.record_step(kg);
                }
                Err(e) => {
                    tracing::warn!(code = %e.code, "demo: the automatic calibration check could not weigh");
                    return;
                }
            }
        }
        let today = self.today();
        let mut desk = self.lock();
        let dates = desk
            .store
            .analyzer(&serial)
            .ok()
            .flatten()
            .map(|(_, d)| d)
            .unwrap_or_default();
        let record = run.finish(today, &dates);
        if let Err(e) = desk.store.record_calibration(&record, self.wall()) {
            tracing::warn!(error = %e, "demo: the automatic calibration check was not stored");
            return;
        }
        tracing::info!(
            passed = record.passed,
            "demo: the simulated analyzer was checked with reference weights"
        );
        drop(desk);
        self.sync_wake.notify_one();
        let _ = self.feed(FeedInput::RefreshGate { today });
        self.publish_analyzer();
    }

    fn link_info_identity(&self) -> Option<AnalyzerIdentity> {
        self.link
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .identity
            .clone()
    }

    /// One stable weight from the station's feed (demo: the nominal mass is put on first).
    fn weigh(&self, nominal: f64) -> Result<f64, CommandError> {
        if let Some(sim) = &self.sim {
            sim.place_weight(nominal)
                .map_err(|e| CommandError::new("not_running", e.to_string()))?;
        }
        let (reply, answer) = oneshot::channel();
        self.feed(FeedInput::Weigh { reply })?;
        let timeout = self.weigh_timeout;
        let had_identity = self.link_info_identity().is_some();
        let result = tokio::runtime::Handle::current().block_on(async {
            let kg = tokio::time::timeout(timeout, answer).await;
            if !had_identity {
                // The frame's identity travels on the output channel: give it a moment.
                let _ =
                    tokio::time::timeout(IDENTITY_GRACE, self.identity_changed.notified()).await;
            }
            kg
        });
        if let Some(sim) = &self.sim {
            let _ = sim.clear_weight();
        }
        match result {
            Ok(Ok(Ok(kg))) => Ok(kg),
            Ok(Ok(Err(e))) => Err(CommandError::new("weigh_failed", e.to_string())),
            Ok(Err(_)) => Err(CommandError::new("not_running", "the station has stopped")),
            Err(_) => Err(CommandError::new(
                "weigh_timeout",
                "安定した重さが届きませんでした。分銅を載せ直し、もう一度読み取ってください / \
                 no stable weight came: place the weight again and read again",
            )),
        }
    }

    /// The analyzer's legal-metrology dates.
    pub(crate) fn analyzer_dates(&self, form: &AnalyzerDatesForm) -> Result<(), CommandError> {
        let mut desk = self.lock();
        let who = self.require(&mut desk, Need::Service)?;
        let (model, serial) = self
            .analyzer_of(&desk, form.serial_number.as_deref())
            .ok_or_else(|| {
                CommandError::new(
                    "no_serial",
                    "体組成計の製造番号が分かりません。本体の銘板の製造番号も入力してください / \
                     the analyzer's serial number is not known: type the one on its plate as well",
                )
            })?;
        let date = |text: &str, name: (&str, &str)| -> Result<_, CommandError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            parse_date(text).map(Some).ok_or_else(|| {
                CommandError::new(
                    "bad_date",
                    format!(
                        "{}は YYYY-MM-DD（例 2026-04-01）で入力してください / enter the {} as YYYY-MM-DD (e.g. 2026-04-01)",
                        name.0, name.1
                    ),
                )
            })
        };
        let dates = AnalyzerDates {
            verified_on: date(&form.verified_on, ("検定日", "verification date"))?,
            last_inspection: date(
                &form.last_inspection,
                ("前回の定期検査日", "last periodic inspection date"),
            )?,
            inspection_due: date(
                &form.inspection_due,
                ("次回の定期検査期限", "next periodic inspection due date"),
            )?,
        };
        desk.store
            .set_analyzer_dates(&model, &serial, &dates, &who.login, self.wall())
            .map_err(|e| store_error(&e))?;
        drop(desk);
        self.feed(FeedInput::RefreshGate {
            today: self.today(),
        })?;
        self.publish_analyzer();
        Ok(())
    }

    /// The analyzer's dates and last checks, to the staff window.
    pub(crate) fn publish_analyzer(&self) {
        let desk = self.lock();
        let known = self.analyzer_of(&desk, None);
        let dates = known
            .as_ref()
            .and_then(|(_, s)| desk.store.analyzer(s).ok().flatten())
            .map(|(_, d)| d)
            .unwrap_or_default();
        let checks = desk.store.calibrations(10).unwrap_or_default();
        drop(desk);
        let offset = self.settings.utc_offset_minutes;
        self.publish(StaffEvent::Analyzer(AnalyzerView {
            analyzer: known.map(|(m, s)| format!("{m} SN {s}")),
            verified_on: dates.verified_on.map(date_text),
            last_inspection: dates.last_inspection.map(date_text),
            inspection_due: dates.inspection_due.map(date_text),
            checks: checks
                .iter()
                .map(|c| CheckSummary {
                    checked_at: super::registration::local_minute(c.checked_at, offset),
                    analyzer: format!(
                        "{} SN {}",
                        c.record.analyzer_model, c.record.analyzer_serial
                    ),
                    technician: c.record.technician.clone(),
                    passed: c.record.passed,
                    worst_deviation_kg: c
                        .record
                        .reference_checks
                        .iter()
                        .map(|r| r.deviation_kg.abs())
                        .fold(0.0, f64::max),
                    synced: c.synced,
                })
                .collect(),
        }));
    }

    /// The gate for staff (and the participant window's availability).
    pub(crate) fn publish_gate(&self, reason: Option<&str>) {
        let desk = self.lock();
        let newest = desk
            .store
            .calibrations(1)
            .ok()
            .and_then(|c| c.into_iter().next())
            .filter(|c| c.record.passed);
        drop(desk);
        self.publish(StaffEvent::Gate(GateView {
            open: reason.is_none(),
            reason: reason.map(str::to_owned),
            checked_analyzer: newest.as_ref().map(|c| {
                format!(
                    "{} SN {}",
                    c.record.analyzer_model, c.record.analyzer_serial
                )
            }),
            next_check_due: newest.map(|c| c.record.next_check_due),
        }));
    }
}
