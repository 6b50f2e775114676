//! What the staff window is told and what it may say back: the IPC contract of staff and
//! technician modes, beside the participant window's ([`crate::view`]). Every type derives
//! `ts_rs::TS` and is generated into `ui/src/lib/ipc-types.ts` with the rest.
//!
//! Rules this contract keeps, besides [`crate::view`]'s:
//! - **Only the staff window gets these.** `src-tauri/capabilities/staff.json` grants the
//!   `staff_*` commands to the window labelled `staff` alone; the participant window can reach
//!   only `open_staff_sign_in`. The runtime checks the signed-in role on every command as well.
//! - **Sign-in errors never say whether an account exists.** A wrong login, a wrong password and
//!   a disabled account get the same `sign_in_refused`.
//! - **Personal data only while someone is signed in.** Registrations and the queue are sent
//!   after a sign-in and dropped by the UI at sign-out ([`StaffEvent::Session`] with `None`).
//!
//! Deliberately not here: how the screens look (`ui/src/staff/`), the rules themselves
//! (`hakaru-station`'s `staff` module) and how commands reach the runtime (`src-tauri`).

use crate::view::{PurposeView, SyncView, Text};
use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// Everything the staff window is told, in order, over the channel of `staff_subscribe`:
/// `{"kind": "...", "data": ...}` (adjacently tagged, because several variants carry an
/// `Option` or a list, which an internally tagged enum cannot serialise).
#[derive(Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum StaffEvent {
    /// Who is signed in; `None`: nobody (show the sign-in form, drop everything personal).
    Session(Option<StaffSessionView>),
    /// Signed out, and why: `by_user`, `idle` (automatic sign-out after inactivity),
    /// `account_changed` (disabled or changed by the server).
    SignedOut {
        /// The reason code.
        reason: String,
    },
    /// The inactivity warning before the automatic sign-out; `remaining_ms: None` ends it.
    Idle {
        /// Milliseconds left, or `None` when activity resumed.
        remaining_ms: Option<u32>,
    },
    /// The registration rules in force (from the server, or the defaults).
    Rules(RulesView),
    /// The program's purposes of use (for the paper-consent ticks), required ones first.
    Purposes(Vec<PurposeView>),
    /// Registrations taken at this station that staff may still need (today's, and any not yet
    /// settled with the server), newest first.
    Registrations(Vec<RegistrationView>),
    /// People waiting to be measured, in order.
    Queue(Vec<QueueEntry>),
    /// The analyzer connection as the technician sees it.
    Scale(ScaleServiceView),
    /// One line of live analyzer traffic (only while the technician screen asked for it).
    Tap(TapLine),
    /// The connection to the server and what waits to be sent.
    Sync(StaffSyncView),
    /// Whether participants may measure now, and why not.
    Gate(GateView),
    /// The calibration check in progress (`None`: none).
    Calibration(Option<CalibrationView>),
    /// The analyzer's legal-metrology dates and its last checks.
    Analyzer(AnalyzerView),
    /// A card read while the card-reader test was on (never starts a session).
    CardTest(CardTestView),
}

impl fmt::Debug for StaffEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            StaffEvent::Session(_) => "session",
            StaffEvent::SignedOut { .. } => "signed_out",
            StaffEvent::Idle { .. } => "idle",
            StaffEvent::Rules(_) => "rules",
            StaffEvent::Purposes(_) => "purposes",
            StaffEvent::Registrations(_) => "registrations",
            StaffEvent::Queue(_) => "queue",
            StaffEvent::Scale(_) => "scale",
            StaffEvent::Tap(_) => "tap",
            StaffEvent::Sync(_) => "sync",
            StaffEvent::Gate(_) => "gate",
            StaffEvent::Calibration(_) => "calibration",
            StaffEvent::Analyzer(_) => "analyzer",
            StaffEvent::CardTest(_) => "card_test",
        };
        write!(f, "StaffEvent::{kind}")
    }
}

/// The signed-in staff member (their own name is not a participant's data).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StaffSessionView {
    /// Login id.
    pub login: String,
    /// Name shown in the header.
    pub display_name: String,
    /// `staff`, `technician` or `admin`.
    pub role: String,
    /// May register participants, print cards and run the queue (staff, admin).
    pub may_register: bool,
    /// May use technician mode and calibration (technician, admin).
    pub may_service: bool,
    /// Automatic sign-out after this many seconds without activity.
    pub idle_timeout_secs: u32,
}

/// The registration rules in force.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RulesView {
    /// Youngest age on the application date.
    pub min_age_years: u8,
    /// Applicants must live or work in the area.
    pub residency_required: bool,
    /// The program's enrolment cap, if it has one (judged by the server).
    pub enrolment_cap: Option<u32>,
    /// Whether the rules came from the server (`false`: the built-in defaults).
    pub from_server: bool,
}

/// The paper application as staff type it in (`staff_register`).
#[derive(Clone, PartialEq, Deserialize, TS)]
pub struct ApplicationForm {
    /// The participant number printed on the application (e.g. `A-000123`).
    pub participant: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// `male` or `female`.
    pub sex: String,
    /// Height in cm, one decimal (e.g. `158.5`).
    pub height_cm: f64,
    /// `standard` or `athletic`.
    pub body_type: String,
    /// The implanted-device question: `true` = weight only, ever.
    pub implanted_device: bool,
    /// Lives or works in the program's area, as the application says.
    pub lives_or_works_locally: bool,
    /// The application's date, `YYYY-MM-DD` (age is judged on it).
    pub applied_on: String,
    /// `on_screen` (the participant reads and answers on the kiosk at their first measurement) or
    /// `paper` (staff witnessed the signed paper form: `paper_granted` are the purposes ticked).
    pub consent: String,
    /// Purpose ids granted on the paper form (`consent == "paper"` only).
    pub paper_granted: Vec<String>,
}

impl fmt::Debug for ApplicationForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplicationForm")
            .field("consent", &self.consent)
            .finish_non_exhaustive()
    }
}

/// What `staff_register` did.
#[derive(Clone, PartialEq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RegistrationOutcome {
    /// Stored (and queued for the server); `registration` says whether the server has judged it.
    Registered {
        /// The stored registration.
        registration: RegistrationView,
    },
    /// Not stored: the application breaks the rules below. Nothing was kept.
    Ineligible {
        /// Codes the UI words: `too_young`, `not_local`, `already_registered`,
        /// `bad_participant_number`, `bad_birth_date`, `bad_applied_on`, `bad_height`,
        /// `bad_sex`, `bad_body_type`, `bad_consent`, `required_purpose_not_granted`.
        reasons: Vec<String>,
    },
}

impl fmt::Debug for RegistrationOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistrationOutcome::Registered { .. } => f.write_str("Registered(<redacted>)"),
            RegistrationOutcome::Ineligible { reasons } => f
                .debug_struct("Ineligible")
                .field("reasons", reasons)
                .finish(),
        }
    }
}

/// One registration taken at this station.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct RegistrationView {
    /// Participant number.
    pub participant: String,
    /// When it was taken, `YYYY-MM-DD HH:MM` station time.
    pub registered_at: String,
    /// The staff login that took it.
    pub registered_by: String,
    /// `on_screen` or `staff_witnessed_paper`.
    pub consent_method: String,
    /// `pending` (not yet judged by the server: offline, flagged for review), `accepted`,
    /// `conflict` (the same number registered elsewhere with other details: the program office
    /// decides; never merged), `ineligible`, `full` (after the enrolment cap).
    pub state: String,
    /// A card can be printed (the server issued it).
    pub card_ready: bool,
    /// The card was printed at least once.
    pub card_printed: bool,
    /// Measured since registering.
    pub measured: bool,
}

impl fmt::Debug for RegistrationView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistrationView")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// One person waiting in the measuring queue.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct QueueEntry {
    /// Participant number.
    pub participant: String,
    /// `waiting`, `measuring` (their session runs on the participant screen), `done`.
    pub state: String,
    /// Weight only (implanted device): the preset says so.
    pub weight_only: bool,
}

impl fmt::Debug for QueueEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueEntry")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// What `staff_print_card` did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum PrintOutcome {
    /// The card's PDF went to the configured printer (`lp`) or print folder.
    Sent {
        /// Where: the printer's name or the file written.
        destination: String,
    },
    /// Print with the system dialog: the UI shows this card page and calls `window.print()`.
    Dialog {
        /// The card as an SVG document (A4 page with one card and cut marks).
        svg: String,
    },
}

/// The analyzer connection for the technician.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ScaleServiceView {
    /// The port in use (e.g. `/dev/ttyUSB0`, or the simulator's pty).
    pub port: String,
    /// The protocol / model profile in use (e.g. `MC-780`).
    pub model: String,
    /// Line settings, e.g. `9600 8N1`.
    pub settings: String,
    /// Whether the port is open.
    pub connected: bool,
    /// Model and serial number as the analyzer's frames reported them.
    pub identity: Option<String>,
    /// Serial ports found on this machine.
    pub ports: Vec<PortView>,
    /// Model profiles the station can speak.
    pub models: Vec<String>,
    /// The last auto-detect result, in words (`None`: none run).
    pub detect: Option<Text>,
}

/// A serial port on this machine.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PortView {
    /// `/dev/…` path.
    pub path: String,
    /// USB vendor/product/description, if known.
    pub description: String,
}

/// One line of analyzer traffic for the technician.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct TapLine {
    /// `received`, `sent`, `decoded`, `decode_error`, `status`.
    pub kind: String,
    /// Milliseconds since the tap started.
    #[ts(type = "number")]
    pub at_ms: u64,
    /// The bytes as text with control characters escaped (`\r`, `\n`, `\x02`), or the decoded
    /// frame as `key=value` pairs.
    pub text: String,
}

impl fmt::Debug for TapLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TapLine({}, {} ms)", self.kind, self.at_ms)
    }
}

/// The connection to the server for staff.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StaffSyncView {
    /// The footer's view (state, backlog, last error).
    pub sync: SyncView,
    /// Registrations not yet judged by the server.
    #[ts(type = "number")]
    pub registrations_pending: u64,
    /// Calibration records not yet sent.
    #[ts(type = "number")]
    pub calibrations_pending: u64,
    /// When the last successful exchange was, `YYYY-MM-DD HH:MM` station time.
    pub last_success: Option<String>,
}

/// Whether participants may measure.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GateView {
    /// Measurements allowed.
    pub open: bool,
    /// Why not: `never_checked`, `check_failed`, `check_overdue`, `inspection_overdue`,
    /// `analyzer_swapped`; `None` when open.
    pub reason: Option<String>,
    /// The analyzer the last passing check was for (`MC-780 SN 12345678`).
    pub checked_analyzer: Option<String>,
    /// The next reference-weight check is due, `YYYY-MM-DD`.
    pub next_check_due: Option<String>,
}

/// A calibration check in progress.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CalibrationView {
    /// The reference masses, kg, in order.
    pub steps_kg: Vec<f64>,
    /// The step to do next (index into `steps_kg`); equal to its length when all are done.
    pub next_step: u32,
    /// Results so far.
    pub results: Vec<CalibrationStepView>,
    /// Largest deviation allowed, kg.
    pub tolerance_kg: f64,
    /// `waiting_for_weight` (put the reference weight on, then read), `reading` (waiting for a
    /// stable weight), `done` (recorded), `failed_to_read` (no stable weight came: try again).
    pub state: String,
    /// When done: passed or not.
    pub passed: Option<bool>,
    /// When done and passed: the next check is due, `YYYY-MM-DD`.
    pub next_check_due: Option<String>,
}

/// One step's result.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CalibrationStepView {
    /// The reference mass, kg.
    pub nominal_kg: f64,
    /// What the analyzer read, kg.
    pub measured_kg: f64,
    /// `measured - nominal`, kg.
    pub deviation_kg: f64,
    /// Within tolerance.
    pub ok: bool,
}

/// The analyzer's dates and recent checks.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AnalyzerView {
    /// Model and serial of the analyzer last seen (`None`: no frame has said).
    pub analyzer: Option<String>,
    /// 検定 (verification) date, `YYYY-MM-DD`.
    pub verified_on: Option<String>,
    /// Last 定期検査 (periodic inspection), `YYYY-MM-DD`.
    pub last_inspection: Option<String>,
    /// Next 定期検査 due, `YYYY-MM-DD`.
    pub inspection_due: Option<String>,
    /// The latest checks, newest first (at most 10).
    pub checks: Vec<CheckSummary>,
}

/// One past calibration check.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CheckSummary {
    /// When, `YYYY-MM-DD HH:MM` station time.
    pub checked_at: String,
    /// The analyzer, `MC-780 SN 12345678`.
    pub analyzer: String,
    /// The technician's login.
    pub technician: String,
    /// Passed.
    pub passed: bool,
    /// Largest deviation, kg.
    pub worst_deviation_kg: f64,
    /// Sent to the server.
    pub synced: bool,
}

/// The legal-metrology dates a technician enters (`staff_analyzer_dates`).
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
pub struct AnalyzerDatesForm {
    /// 検定 date, `YYYY-MM-DD`, or empty.
    pub verified_on: String,
    /// Last 定期検査, `YYYY-MM-DD`, or empty.
    pub last_inspection: String,
    /// Next 定期検査 due, `YYYY-MM-DD`, or empty.
    pub inspection_due: String,
    /// The serial number on the analyzer's plate, for analyzers whose frames do not carry it
    /// (MC-780); may be left out when the analyzer reports it.
    #[serde(default)]
    #[ts(optional)]
    pub serial_number: Option<String>,
}

/// A card read during the card-reader test.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CardTestView {
    /// `camera`, `handheld`, `wedge` (`demo`: demo mode's scans).
    pub via: String,
    /// `valid` (a genuine card of this program on the roster), or the refusal code as in
    /// [`crate::view::Notice`] (`card_malformed`, `card_bad_signature`, …).
    pub verdict: String,
    /// The card's id (`holder-serial`) when it parsed; never the token.
    pub card_id: Option<String>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn every_kind() -> Vec<StaffEvent> {
        let sync = SyncView {
            state: "online".into(),
            backlog: 0,
            last_error: None,
        };
        vec![
            StaffEvent::Session(None),
            StaffEvent::Session(Some(StaffSessionView {
                login: "s1".into(),
                display_name: "受付".into(),
                role: "staff".into(),
                may_register: true,
                may_service: false,
                idle_timeout_secs: 300,
            })),
            StaffEvent::SignedOut {
                reason: "idle".into(),
            },
            StaffEvent::Idle {
                remaining_ms: Some(30_000),
            },
            StaffEvent::Rules(RulesView {
                min_age_years: 20,
                residency_required: true,
                enrolment_cap: None,
                from_server: false,
            }),
            StaffEvent::Purposes(vec![]),
            StaffEvent::Registrations(vec![]),
            StaffEvent::Queue(vec![]),
            StaffEvent::Scale(ScaleServiceView {
                port: "/dev/ttyUSB0".into(),
                model: "MC-780".into(),
                settings: "9600 8N1".into(),
                connected: true,
                identity: None,
                ports: vec![],
                models: vec![],
                detect: None,
            }),
            StaffEvent::Tap(TapLine {
                kind: "received".into(),
                at_ms: 1,
                text: "{0,16".into(),
            }),
            StaffEvent::Sync(StaffSyncView {
                sync,
                registrations_pending: 0,
                calibrations_pending: 0,
                last_success: None,
            }),
            StaffEvent::Gate(GateView {
                open: false,
                reason: Some("never_checked".into()),
                checked_analyzer: None,
                next_check_due: None,
            }),
            StaffEvent::Calibration(None),
            StaffEvent::Analyzer(AnalyzerView {
                analyzer: None,
                verified_on: None,
                last_inspection: None,
                inspection_due: None,
                checks: vec![],
            }),
            StaffEvent::CardTest(CardTestView {
                via: "camera".into(),
                verdict: "valid".into(),
                card_id: None,
            }),
        ]
    }

    #[test]
    fn every_staff_event_serialises_with_its_kind_and_data() {
        for event in every_kind() {
            let json = serde_json::to_value(&event)
                .unwrap_or_else(|e| panic!("{event:?} does not serialise: {e}"));
            let kind = json["kind"].as_str().unwrap();
            assert_eq!(format!("{event:?}"), format!("StaffEvent::{kind}"));
            assert!(json.get("data").is_some(), "{event:?} has no data: {json}");
        }
    }
}
