//! What the kiosk UI is told and what it may say back: the one IPC contract between the Tauri
//! shell and `ui/`. Every type here derives `ts_rs::TS`; `ui/src/lib/ipc-types.ts` is generated
//! from them (`scripts/gen-ipc`, checked by the `ipc_types_are_current` test), so the two sides
//! cannot drift.
//!
//! Rules this contract keeps:
//! - **Codes, not sentences, for what the UI words itself.** The UI owns its copy (Japanese with
//!   furigana, English, speech); the runtime sends stable snake_case codes. Only text that comes
//!   from elsewhere (policy documents, purpose labels, sync error details) crosses as [`Text`].
//! - **Personal data only inside a session.** Every personal field sits in a variant that
//!   carries its `session`; `Screen::Attract` and `Screen::Ended` carry nothing personal, and the
//!   UI drops everything it holds when either arrives.
//! - **No participant values in `Debug`.** Types holding them print `<redacted>`.
//!
//! Deliberately not here: how a screen looks (the UI), what the values mean (`crate::ranges`),
//! and how events are produced (`crate::runtime`).

use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// A sentence in both languages: Japanese first, English second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Text {
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

impl Text {
    /// A sentence from its two languages.
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            ja: ja.into(),
            en: en.into(),
        }
    }
}

/// Which language the UI starts each session in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// 日本語 (default).
    #[default]
    Ja,
    /// English.
    En,
}

/// Everything the UI is told, in order, over the one channel it subscribes with.
#[derive(Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KioskEvent {
    /// The first message after subscribing (and again if the setup changes): no personal data.
    Hello(KioskInfo),
    /// Show this screen; it replaces whatever was shown.
    Screen(Screen),
    /// Shown over the current screen for a few seconds: a card that cannot be used, a scale
    /// message (E2 "not barefoot"), a reading refused. Never personal.
    Notice(Notice),
    /// The idle warning: show the large "続ける" button and count down; `None` hides it.
    Idle(IdleView),
    /// Points arrived (or will come later) for the results on screen.
    Points(PointsUpdate),
    /// The analyzer's connection.
    Scale(ScaleView),
    /// The connection to the program's server.
    Sync(SyncView),
    /// The camera card reader.
    Camera(CameraView),
    /// A camera preview frame for the attract screen (a few per second, attract screen only).
    Preview(PreviewImage),
    /// Whether participants may measure now; when not, the attract screen says why.
    Availability(AvailabilityView),
}

impl fmt::Debug for KioskEvent {
    /// The kind only: screens may carry personal values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            KioskEvent::Hello(_) => "hello",
            KioskEvent::Screen(s) => s.name(),
            KioskEvent::Notice(_) => "notice",
            KioskEvent::Idle(_) => "idle",
            KioskEvent::Points(_) => "points",
            KioskEvent::Scale(_) => "scale",
            KioskEvent::Sync(_) => "sync",
            KioskEvent::Camera(_) => "camera",
            KioskEvent::Preview(_) => "preview",
            KioskEvent::Availability(_) => "availability",
        };
        write!(f, "KioskEvent({kind})")
    }
}

/// How this kiosk is set up (nothing personal).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct KioskInfo {
    /// The station's id, for the small footer (e.g. `kita-community-01`).
    pub station: String,
    /// The language each session starts in.
    pub language: Lang,
    /// Seconds the idle warning gives before the wipe (≥ 20).
    pub idle_warning_secs: u32,
    /// Whether a camera card reader is configured (show the preview area).
    pub camera: bool,
    /// Demo mode: the demo cards that can be "scanned" from the screen, and a "step on" button.
    pub demo: Option<DemoInfo>,
    /// The app's version, for the footer.
    pub version: String,
}

/// Demo mode's extras (demo participants are not real people).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DemoInfo {
    /// Demo cards, in order; `demo_scan(index)` scans one.
    pub cards: Vec<DemoCard>,
    /// Where the printable sheet of these cards is (PDF), if it was made.
    pub sheet: Option<String>,
}

/// One demo card as the demo panel lists it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DemoCard {
    /// The participant number printed on the card.
    pub participant: String,
    /// What is special about this demo participant (first visit, weight only, …).
    pub note: Text,
}

/// One screen of the participant's flow.
#[derive(Clone, PartialEq, Serialize, TS)]
#[serde(tag = "screen", rename_all = "snake_case")]
pub enum Screen {
    /// The kiosk cannot start: what is wrong and what to do (for staff).
    NotConfigured {
        /// The configuration file the kiosk read (or would read).
        config_path: String,
        /// What is wrong, in words.
        problem: Text,
        /// What to do about it.
        what_to_do: Text,
    },
    /// "カードをかざしてください": nobody is being served.
    Attract,
    /// A card was accepted; the participant's record is being read.
    Identifying {
        /// The session.
        #[ts(type = "number")]
        session: u64,
        /// The participant number (never a name).
        participant: String,
    },
    /// Consent is needed before anything is measured.
    Consent(ConsentView),
    /// The consent decision is being saved.
    SavingConsent {
        /// The session.
        #[ts(type = "number")]
        session: u64,
        /// The participant number.
        participant: String,
    },
    /// "Do you have an implanted electronic device (pacemaker …)?"
    Safety {
        /// The session.
        #[ts(type = "number")]
        session: u64,
        /// The participant number.
        participant: String,
    },
    /// Remove shoes, step on, hold still — with the live step.
    Guidance(GuidanceView),
    /// The measurement, its plain-language ranges, the trend and the points.
    Results(ResultsView),
    /// The session is over: thank you, or why it ended and what to do. Nothing personal.
    Ended {
        /// Why.
        reason: EndCode,
        /// The analyzer's error code when `reason` is `scale_fault` (e.g. `E2`).
        scale_code: Option<String>,
    },
}

impl Screen {
    /// The screen's name (for logs; no values).
    pub fn name(&self) -> &'static str {
        match self {
            Screen::NotConfigured { .. } => "not_configured",
            Screen::Attract => "attract",
            Screen::Identifying { .. } => "identifying",
            Screen::Consent(_) => "consent",
            Screen::SavingConsent { .. } => "saving_consent",
            Screen::Safety { .. } => "safety",
            Screen::Guidance(_) => "guidance",
            Screen::Results(_) => "results",
            Screen::Ended { .. } => "ended",
        }
    }

    /// Whether the screen shows personal data (the UI's purpose-of-use notice is shown with it).
    pub fn is_personal(&self) -> bool {
        !matches!(
            self,
            Screen::NotConfigured { .. } | Screen::Attract | Screen::Ended { .. }
        )
    }
}

impl fmt::Debug for Screen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Screen({})", self.name())
    }
}

/// Why a session ended (the UI words each one, with what to do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EndCode {
    /// Measured and shown: "ありがとうございました".
    Finished,
    /// The participant stopped (or did not agree to a required purpose).
    Stopped,
    /// A required purpose was not agreed to: nothing was measured, nothing kept but the choice.
    RequiredPurposeRefused,
    /// The card's participant is not on this kiosk's list.
    CardUnknown,
    /// The participant's record could not be read.
    LookupFailed,
    /// No policy documents are in force (the kiosk has not synced them): call staff.
    NoDocumentsInForce,
    /// The consent decision could not be saved: call staff.
    ConsentNotSaved,
    /// The analyzer did not get ready: call staff.
    ScaleNotReady,
    /// The analyzer reported an error (`scale_code`).
    ScaleFault,
    /// The reading could not be saved (it was not kept): call staff.
    RecordFailed,
    /// Nobody answered the idle warning.
    IdleTimeout,
    /// The card's participant withdrew their consent (同意の撤回): nothing is measured or kept;
    /// the desk answers questions about earlier records or joining again.
    ConsentWithdrawn,
    /// The card's participant asked for use of their data to stop (利用停止): nothing is
    /// measured or kept; the desk answers questions.
    UseStopped,
    /// The reading came from another analyzer than the one checked (it was swapped): nothing
    /// was kept; measurements stop until a technician checks the new analyzer.
    AnalyzerChanged,
}

/// Whether participants may measure (nothing personal).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AvailabilityView {
    /// Cards start sessions.
    pub open: bool,
    /// Why not: `staff_in_use` (staff or a technician is signed in), `never_checked`,
    /// `check_failed`, `check_overdue`, `inspection_overdue`, `analyzer_swapped` (the analyzer
    /// needs a technician's check); `None` when open.
    pub reason: Option<String>,
}

/// The consent screen: every document in force, every purpose with its own choice.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct ConsentView {
    /// The session.
    #[ts(type = "number")]
    pub session: u64,
    /// The participant number.
    pub participant: String,
    /// The documents to read, in the order to show them.
    pub documents: Vec<DocumentView>,
    /// The purposes, each decided separately.
    pub purposes: Vec<PurposeView>,
    /// Why consent is asked now: `first_time`, `new_version`, `new_purpose`, … (UI words them).
    pub reasons: Vec<String>,
}

impl fmt::Debug for ConsentView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsentView")
            .field("session", &self.session)
            .field("documents", &self.documents.len())
            .field("purposes", &self.purposes.len())
            .finish_non_exhaustive()
    }
}

/// One policy document, whole.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DocumentView {
    /// `terms`, `privacy_policy` or `measurement_notice`.
    pub kind: String,
    /// Version label, e.g. `2026-04`.
    pub version: String,
    /// The language the text is in (`ja` or `en`).
    pub language: String,
    /// The full text (plain text, paragraphs separated by blank lines).
    pub text: String,
}

/// One purpose of use.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PurposeView {
    /// Stable id, sent back in [`Answer::Consent`].
    pub id: String,
    /// Whether measuring is impossible without it (the UI says what "do not agree" means).
    pub required: bool,
    /// The program's plain words for it.
    pub label: Text,
}

/// The guidance screen's step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum GuidanceStep {
    /// The analyzer is being set up for this person: "please wait".
    Preparing,
    /// Remove shoes and socks, step on, hold still.
    StepOn,
    /// The reading arrived and is being saved.
    Saving,
}

/// The guidance screen.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GuidanceView {
    /// The session.
    #[ts(type = "number")]
    pub session: u64,
    /// The participant number.
    pub participant: String,
    /// Which step.
    pub step: GuidanceStep,
    /// Weight only (implanted device): "only your weight is measured; no current is used".
    pub weight_only: bool,
}

/// One measured value with its plain-language range.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct ResultValue {
    /// Which value: `weight`, `bmi`, `fat_percent`, `muscle_mass`, `visceral_fat`, `bmr`, …
    pub key: String,
    /// The value.
    pub value: f64,
    /// Its unit as shown (`kg`, `%`, `kcal`, or empty).
    pub unit: String,
    /// Digits after the decimal point to show.
    pub decimals: u8,
    /// Where it falls, when a published range applies to this person.
    pub range: Option<RangeView>,
}

impl fmt::Debug for ResultValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResultValue({}: <redacted>)", self.key)
    }
}

/// A value's place in a published range.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct RangeView {
    /// The band: `low`, `standard`, `slightly_high`, `high`, … (UI words and colours it, and
    /// never by colour alone).
    pub band: String,
    /// The cut points between bands for this person, low to high, for the range bar.
    pub bounds: Vec<f64>,
    /// Every band of the bar, low to high (one more than `bounds`), so the bar can be labelled.
    pub bands: Vec<String>,
    /// Whose range this is (e.g. "日本肥満学会 2022").
    pub source: Text,
}

impl fmt::Debug for RangeView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RangeView(<redacted>)")
    }
}

/// One earlier reading for the trend chart.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct TrendPoint {
    /// The local day, `YYYY-MM-DD`.
    pub day: String,
    /// Weight in kg.
    pub weight: Option<f64>,
    /// Body fat %.
    pub fat_percent: Option<f64>,
}

impl fmt::Debug for TrendPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TrendPoint(<redacted>)")
    }
}

/// The results screen.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct ResultsView {
    /// The session.
    #[ts(type = "number")]
    pub session: u64,
    /// The participant number.
    pub participant: String,
    /// Weight only (no composition values were taken).
    pub weight_only: bool,
    /// The values, in the order to show them.
    pub values: Vec<ResultValue>,
    /// Earlier readings, oldest first, this one last.
    pub trend: Vec<TrendPoint>,
    /// Points, as known when the screen opened (a [`KioskEvent::Points`] may follow).
    pub points: PointsView,
}

impl fmt::Debug for ResultsView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResultsView")
            .field("session", &self.session)
            .field("values", &self.values.len())
            .field("trend", &self.trend.len())
            .finish_non_exhaustive()
    }
}

/// Points for the reading on screen.
#[derive(Clone, PartialEq, Serialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PointsView {
    /// Being asked from the server (show a quiet "…").
    Waiting,
    /// The server answered.
    Awarded {
        /// Points this reading earned (may be 0: already earned today).
        earned: u32,
        /// The balance right after.
        #[ts(type = "number")]
        balance: i64,
    },
    /// Offline or slow: "ポイントは後で反映されます".
    Later,
}

impl fmt::Debug for PointsView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PointsView(<redacted>)")
    }
}

/// Points for a session's results.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PointsUpdate {
    /// The session whose results these are (ignore if it is not the one on screen).
    #[ts(type = "number")]
    pub session: u64,
    /// The points.
    pub points: PointsView,
}

/// A short message over the current screen.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Notice {
    /// What happened: `card_not_ours`, `card_malformed`, `card_revoked`, `card_expired`,
    /// `card_unknown_participant`, `card_other_program`, `card_bad_signature`, `card_no_roster`,
    /// `card_check_failed` (the store could not be read), `scale_message`, `reading_refused`,
    /// `demo_only`, `measurements_blocked` (detail: the [`AvailabilityView`] reason).
    pub code: String,
    /// Detail for some codes: the analyzer's `E2`, a refusal reason.
    pub detail: Option<String>,
}

/// The idle warning.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct IdleView {
    /// The session it is for.
    #[ts(type = "number")]
    pub session: u64,
    /// Milliseconds left before the wipe, or `None` when the warning is over (continued).
    pub remaining_ms: Option<u32>,
}

/// The analyzer's connection, for the guidance screen and the footer.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ScaleView {
    /// Whether the serial link is open.
    pub connected: bool,
    /// The analyzer's model as configured (e.g. `MC-780`).
    pub model: String,
}

/// The connection to the program's server, for the footer.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SyncView {
    /// `starting`, `online`, `offline`, `credential_refused`, `stopped` (a failure retrying cannot
    /// fix: a technician must act), `not_configured`.
    pub state: String,
    /// Readings waiting to be sent.
    #[ts(type = "number")]
    pub backlog: u64,
    /// The last problem, in words (for staff).
    pub last_error: Option<Text>,
}

/// The camera card reader.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CameraView {
    /// `off` (none configured), `starting`, `running`, `lost` (unplugged; retrying).
    pub state: String,
}

/// A small camera preview (not kept anywhere; shows only the card area of the counter).
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct PreviewImage {
    /// `data:image/jpeg;base64,…` or `data:image/png;base64,…`.
    pub data_url: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl fmt::Debug for PreviewImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PreviewImage({}x{})", self.width, self.height)
    }
}

/// What the UI may say back (the `answer` command).
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    /// The consent screen's choices: the ids of the purposes agreed to (the rest are refused).
    Consent {
        /// The session the screen was for.
        #[ts(type = "number")]
        session: u64,
        /// Purpose ids agreed to.
        granted: Vec<String>,
    },
    /// The safety question's answer.
    Safety {
        /// The session the screen was for.
        #[ts(type = "number")]
        session: u64,
        /// Has an implanted electronic device.
        implanted_device: bool,
    },
    /// "続ける" on the idle warning (or any touch while it shows).
    Continue,
    /// "終わる" on the results screen, or "やめる" anywhere in a session.
    Finish {
        /// The session the screen was for.
        #[ts(type = "number")]
        session: u64,
    },
}

/// One `keydown` the UI forwards while no text field has focus (keyboard-wedge card readers).
#[derive(Clone, PartialEq, Deserialize, TS)]
pub struct WedgeKey {
    /// `KeyboardEvent.code`.
    pub code: String,
    /// `KeyboardEvent.shiftKey`.
    pub shift: bool,
    /// `KeyboardEvent.timeStamp`, ms.
    pub at_ms: f64,
}

impl fmt::Debug for WedgeKey {
    /// Keys spell a card token: only the time is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WedgeKey(at {} ms)", self.at_ms)
    }
}

/// An error a command returns: a code the UI words, and a detail for logs/staff.
#[derive(Debug, Clone, PartialEq, Serialize, TS, thiserror::Error)]
#[error("{code}: {detail}")]
pub struct CommandError {
    /// `not_running`, `not_demo`, `no_such_card`, `stale_session`, `busy`.
    pub code: String,
    /// Detail in English (not shown to participants).
    pub detail: String,
}

impl CommandError {
    /// An error with its code and detail.
    pub fn new(code: &str, detail: impl Into<String>) -> CommandError {
        CommandError {
            code: code.to_owned(),
            detail: detail.into(),
        }
    }
}
