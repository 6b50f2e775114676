//! What a session asks of its driver ([`Action`]) and tells the UI ([`Event`]), and the small
//! enums inside them.
//!
//! Deliberately not here: producing them ([`super::Session`]). Personal values only travel in
//! types whose `Debug` is redacted; only [`Event::Results`] carries body values.

use super::consent::ConsentReason;
use super::input::{Points, SessionId};
use super::measurement::{Measurement, MeasurementMode, RefusalReason};
use super::words::{self, Words};
use crate::domain::{
    ConsentDecision, DocumentKind, DocumentVersion, MeasurementId, ParticipantNumber, Purpose,
};
use hakaru_devices::scale::status::ErrorCode;
use hakaru_devices::scale::Preset;
use hakaru_wire::event::ConsentAction;
use std::time::Duration;

/// Something the driver must do; it answers with the matching [`Input`](super::Input).
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Look the participant up; answer `ParticipantLoaded`, `ParticipantUnknown` or
    /// `LookupFailed`.
    LookUp {
        /// This session.
        session: SessionId,
        /// Who.
        participant: ParticipantNumber,
    },
    /// Store a consent decision (granted or refused); answer `ConsentSaved` or
    /// `ConsentSaveFailed`. A refusal of a required purpose ends the session without waiting.
    RecordConsent {
        /// This session.
        session: SessionId,
        /// Whose.
        participant: ParticipantNumber,
        /// `Given` when every required purpose is granted, otherwise `Refused`.
        action: ConsentAction,
        /// The decision.
        decision: ConsentDecision,
    },
    /// Preset the analyzer and start the measurement (a `PresetExchange` with this preset);
    /// answer `Preset`.
    PresetScale {
        /// This session.
        session: SessionId,
        /// The participant's values.
        preset: Preset,
        /// Weight only (implanted device) or composition.
        mode: MeasurementMode,
    },
    /// Commit the measurement (with its outbox and audit rows); answer `Recorded` or
    /// `RecordFailed`. Impedance values are already gone when the mode is weight-only.
    Record {
        /// This session.
        session: SessionId,
        /// Whose (always the participant the card named).
        participant: ParticipantNumber,
        /// The values.
        measurement: Measurement,
        /// The consent decision it rests on (grants every required purpose).
        consent: ConsentDecision,
    },
    /// Everything personal of this session is gone from the session: abort its preset
    /// exchange and drop any cache of it. Actions already taken (a `Record` in flight) still
    /// complete.
    Wipe {
        /// The session.
        session: SessionId,
        /// Why.
        reason: WipeReason,
    },
}

/// Why a session ended before or after its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "reason", content = "code", rename_all = "snake_case")]
pub enum EndReason {
    /// The card names nobody on the roster.
    CardUnknown,
    /// The look-up failed or took too long.
    LookupFailed,
    /// No policy document is in force (the station has not synced).
    NoDocumentsInForce,
    /// A required purpose was refused.
    RequiredPurposeRefused,
    /// The consent decision could not be saved.
    ConsentNotSaved,
    /// The analyzer could not be preset.
    ScaleNotReady,
    /// The analyzer reported a fault a technician must see.
    ScaleFault(ErrorCode),
    /// The measurement could not be committed (nothing is shown as saved).
    RecordFailed,
    /// The participant stopped before the results.
    Stopped,
    /// The participant finished after the results.
    Finished,
    /// The participant withdrew their consent (同意の撤回): nothing is measured or kept.
    ConsentWithdrawn,
    /// The participant asked for use of their data to stop (利用停止): nothing is measured or kept.
    UseStopped,
    /// A reading came from another analyzer than the one checked: nothing is recorded and no
    /// one measures until a technician checks it.
    AnalyzerChanged,
}

impl EndReason {
    /// What the participant is told.
    pub fn words(self) -> Words {
        match self {
            EndReason::CardUnknown => words::CARD_UNKNOWN,
            EndReason::LookupFailed => words::LOOKUP_FAILED,
            EndReason::NoDocumentsInForce => words::NO_DOCUMENTS,
            EndReason::RequiredPurposeRefused => words::REQUIRED_REFUSED,
            EndReason::ConsentNotSaved => words::CONSENT_NOT_SAVED,
            EndReason::ScaleNotReady => words::SCALE_NOT_READY,
            EndReason::ScaleFault(_) => words::CALL_STAFF,
            EndReason::RecordFailed => words::RESULT_NOT_SAVED,
            EndReason::Stopped => words::STOPPED,
            EndReason::Finished => words::THANK_YOU,
            EndReason::ConsentWithdrawn => words::CONSENT_WITHDRAWN,
            EndReason::UseStopped => words::USE_STOPPED,
            EndReason::AnalyzerChanged => words::ANALYZER_CHANGED,
        }
    }
}

/// Why a session's personal data was discarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "reason", content = "detail", rename_all = "snake_case")]
pub enum WipeReason {
    /// Nobody continued after the idle warning.
    IdleTimeout,
    /// Another card was scanned.
    NextCard,
    /// The session ended (explanation or thank-you shown).
    Ended(EndReason),
}

/// The session's step, for the UI and tests; carries no data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Nobody is identified: attract screen.
    Idle,
    /// Waiting for the participant look-up.
    LookingUp,
    /// Waiting for the participant's consent choices.
    Consent,
    /// Waiting for the consent decision to be committed.
    SavingConsent,
    /// Waiting for the safety question's answer.
    SafetyQuestion,
    /// Waiting for the analyzer to accept the preset.
    Presetting,
    /// Waiting for the person to step on and be measured.
    Weighing,
    /// Waiting for the measurement to be committed.
    Recording,
    /// Showing results.
    Results,
    /// Showing an explanation or thank-you; nothing personal is held.
    Closing,
}

/// Something the UI renders. Every transition produces one.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A card was read; looking the participant up.
    Identifying {
        /// The new session.
        session: SessionId,
        /// What to show.
        message: Words,
    },
    /// The participant must decide on these documents and purposes.
    ConsentRequired {
        /// The session.
        session: SessionId,
        /// The versions in force, every language.
        documents: Vec<DocumentVersion>,
        /// Every purpose, required and optional; none is pre-selected.
        purposes: Vec<Purpose>,
        /// Why (first visit, new version, new purpose …).
        reasons: Vec<ConsentReason>,
        /// What to show.
        message: Words,
    },
    /// The consent decision is being saved.
    SavingConsent {
        /// The session.
        session: SessionId,
    },
    /// The consent on file covers everything; `updated` lists documents changed since
    /// (notify only).
    ConsentOnFile {
        /// The session.
        session: SessionId,
        /// Changed documents to point out.
        updated: Vec<DocumentKind>,
        /// What to show when something changed.
        message: Option<Words>,
    },
    /// Ask the safety question (yes / no).
    SafetyQuestion {
        /// The session.
        session: SessionId,
        /// The question.
        message: Words,
    },
    /// Only weight will be measured (implanted device, from the roster or the answer).
    WeightOnly {
        /// The session.
        session: SessionId,
        /// What to show.
        message: Words,
    },
    /// The analyzer is being preset; do not step on yet.
    PreparingScale {
        /// The session.
        session: SessionId,
        /// The mode.
        mode: MeasurementMode,
        /// What to show.
        message: Words,
    },
    /// Step on now.
    StepOn {
        /// The session.
        session: SessionId,
        /// The mode.
        mode: MeasurementMode,
        /// What to show.
        message: Words,
    },
    /// The analyzer reported something the participant can fix (e.g. `E2`: stand barefoot).
    ScaleMessage {
        /// The session.
        session: SessionId,
        /// The device code.
        code: ErrorCode,
        /// What to show.
        message: Words,
    },
    /// A reading was not attached to anyone.
    ReadingRefused {
        /// The session in progress, if any.
        session: Option<SessionId>,
        /// Why.
        reason: RefusalReason,
        /// What to show.
        message: Words,
    },
    /// The measurement is being committed.
    Saving {
        /// The session.
        session: SessionId,
        /// What to show.
        message: Words,
    },
    /// The committed measurement. Body values are redacted in `Debug`.
    Results {
        /// The session.
        session: SessionId,
        /// The committed measurement's id.
        measurement_id: MeasurementId,
        /// The values.
        measurement: Measurement,
        /// Points, or pending.
        points: Points,
        /// What to show above the values.
        message: Words,
        /// Shown when points are pending.
        points_message: Option<Words>,
    },
    /// Nothing happened for a while: ask whether to continue. The session is wiped after
    /// `remaining` (≥ 20 s) unless `Continue` comes.
    IdleWarning {
        /// The session.
        session: SessionId,
        /// Time left to continue.
        remaining: Duration,
        /// What to show.
        message: Words,
    },
    /// The participant continued after a warning.
    Continued {
        /// The session.
        session: SessionId,
    },
    /// The session ended; show the explanation. Nothing personal is held any more.
    Ended {
        /// The session.
        session: SessionId,
        /// Why.
        reason: EndReason,
        /// What to show.
        message: Words,
    },
    /// Clear the screen and every UI cache, back to the attract screen.
    Wiped {
        /// The session.
        session: SessionId,
        /// Why.
        reason: WipeReason,
    },
}

impl Event {
    /// Whether the event carries a participant's body values.
    pub fn is_personal(&self) -> bool {
        matches!(self, Event::Results { .. })
    }
}
