//! What the driver feeds into a session: card scans, the store's answers, the participant's
//! choices, the scale's readings and statuses.
//!
//! Deliberately not here: acting on them ([`super::Session`]) and anything about how they were
//! obtained (card verification, the store, the serial link).

use crate::domain::{
    ConsentDecision, ConsentMethod, Date, DocumentVersion, MeasurementId, ParticipantNumber,
    Profile, Purpose, PurposeId,
};
use hakaru_devices::redact::REDACTED;
use hakaru_devices::scale::{DeviceStatus, ExchangeEvent, Reading, WeightReading};
use std::fmt;

/// One session from card scan to wipe. Replies from the driver carry it back, so a late answer
/// for an earlier session is never taken for the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct SessionId(pub u64);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s{}", self.0)
    }
}

/// What the store knows about a participant, as the session needs it. `Debug` is redacted.
#[derive(Clone, PartialEq)]
pub struct ParticipantRecord {
    /// The participant looked up (must be the one the card named).
    pub participant: ParticipantNumber,
    /// Their profile from the roster.
    pub profile: Profile,
    /// Every known version of every required policy document, all languages, history included.
    pub documents: Vec<DocumentVersion>,
    /// The program's purposes of use, required and optional.
    pub purposes: Vec<Purpose>,
    /// Their latest consent decision, if any.
    pub latest_consent: Option<ConsentDecision>,
}

impl fmt::Debug for ParticipantRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParticipantRecord")
            .field("participant", &self.participant)
            .field("profile", &self.profile)
            .field("documents", &self.documents.len())
            .field("purposes", &self.purposes.len())
            .field("latest_consent", &format_args!("{REDACTED}"))
            .finish()
    }
}

/// Points for a measurement, as far as the station knows when it is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Points {
    /// The server has not answered yet (offline): points will be added later.
    Pending,
    /// Points awarded for this measurement.
    Awarded {
        /// How many.
        points: u32,
    },
}

/// Why a participant on the roster may not measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inactive {
    /// Withdrew their consent (同意の撤回).
    Withdrawn,
    /// Asked for use of their data to stop (利用停止).
    Stopped,
}

/// Everything a session reacts to. Answers to an [`Action`](super::Action) carry its session.
#[derive(Debug, Clone)]
pub enum Input {
    /// A verified card was scanned. Ends any session in progress at once.
    CardScanned {
        /// The participant the card names.
        participant: ParticipantNumber,
        /// Today's date at the station (age is computed on the measurement day).
        today: Date,
    },
    /// Answer to `LookUp`: the participant and what consent needs.
    ParticipantLoaded {
        /// The session that asked.
        session: SessionId,
        /// What the store knows.
        record: Box<ParticipantRecord>,
    },
    /// Answer to `LookUp`: no such participant (or card withdrawn).
    ParticipantUnknown {
        /// The session that asked.
        session: SessionId,
    },
    /// Answer to `LookUp`: on the roster but withdrawn or stopped — nothing may be measured.
    ParticipantInactive {
        /// The session that asked.
        session: SessionId,
        /// Which.
        standing: Inactive,
    },
    /// Answer to `LookUp`: the store failed.
    LookupFailed {
        /// The session that asked.
        session: SessionId,
    },
    /// The participant's (or the witnessing staff member's) choices on the consent screen.
    /// Purposes not listed are refused (opt-in).
    ConsentAnswered {
        /// The session the screen belonged to.
        session: SessionId,
        /// Purposes granted.
        granted: Vec<PurposeId>,
        /// On screen or on witnessed paper.
        method: ConsentMethod,
    },
    /// Answer to `RecordConsent`: committed.
    ConsentSaved {
        /// The session that asked.
        session: SessionId,
    },
    /// Answer to `RecordConsent`: not committed.
    ConsentSaveFailed {
        /// The session that asked.
        session: SessionId,
    },
    /// The answer to the safety question.
    SafetyAnswered {
        /// The session the screen belonged to.
        session: SessionId,
        /// Whether they have an implanted electronic device.
        implanted_device: bool,
    },
    /// How the preset exchange for `PresetScale` ended. A scale without PC mode reports
    /// `Measuring` at once.
    Preset {
        /// The session that asked.
        session: SessionId,
        /// What the exchange reported.
        event: ExchangeEvent,
    },
    /// A verified measurement frame from the analyzer.
    Reading(Box<Reading>),
    /// A weight line from a weight-only scale.
    Weight(WeightReading),
    /// A device status such as `E2`.
    ScaleStatus(DeviceStatus),
    /// Answer to `Record`: committed with this id.
    Recorded {
        /// The session that asked.
        session: SessionId,
        /// The measurement's id.
        measurement_id: MeasurementId,
        /// Points, or pending when the server has not answered.
        points: Points,
    },
    /// Answer to `Record`: not committed.
    RecordFailed {
        /// The session that asked.
        session: SessionId,
    },
    /// The driver saw a reading from another analyzer than the one checked: the session in
    /// progress ends with `EndReason::AnalyzerChanged` (nothing of it is recorded).
    AnalyzerChanged,
    /// The participant touched the screen or pressed 続ける / Continue.
    Continue,
    /// The participant pressed 終わる / Finish (or やめる / Stop).
    Finish {
        /// The session the screen belonged to.
        session: SessionId,
    },
}

impl Input {
    /// A name for logs (no values).
    pub fn name(&self) -> &'static str {
        match self {
            Input::CardScanned { .. } => "card_scanned",
            Input::ParticipantLoaded { .. } => "participant_loaded",
            Input::ParticipantUnknown { .. } => "participant_unknown",
            Input::ParticipantInactive { .. } => "participant_inactive",
            Input::LookupFailed { .. } => "lookup_failed",
            Input::ConsentAnswered { .. } => "consent_answered",
            Input::ConsentSaved { .. } => "consent_saved",
            Input::ConsentSaveFailed { .. } => "consent_save_failed",
            Input::SafetyAnswered { .. } => "safety_answered",
            Input::Preset { .. } => "preset",
            Input::Reading(_) => "reading",
            Input::Weight(_) => "weight",
            Input::ScaleStatus(_) => "scale_status",
            Input::Recorded { .. } => "recorded",
            Input::RecordFailed { .. } => "record_failed",
            Input::AnalyzerChanged => "analyzer_changed",
            Input::Continue => "continue",
            Input::Finish { .. } => "finish",
        }
    }
}
