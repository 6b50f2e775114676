//! The `/v1` HTTP API's bodies: what a station uploads, what it gets back, and what it pulls.
//!
//! Every type derives `utoipa::ToSchema`, so the server's OpenAPI document is generated from the
//! same types both sides compile against. Types that carry personal values redact `Debug`.
//!
//! Deliberately not here: routes, status codes and authentication (the server's `api` module),
//! storage, and the station's retry policy.

use crate::card::{CardFields, TagHash};
use crate::event::{EventId, OutboxEvent, Sex};
use crate::time::Timestamp;
use std::fmt;
use uuid::Uuid;

const REDACTED: &str = "<redacted>";

/// The scheme and prefix of a station credential in `Authorization: Bearer …`.
pub const CREDENTIAL_PREFIX: &str = "hk1";

/// `POST /v1/events`: a batch of outbox events, oldest first.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct UploadRequest {
    /// Events in the order the station created them (a consent before the readings it covers).
    pub events: Vec<OutboxEvent>,
    /// How many events still wait at the station after this batch (for the sync-status view).
    #[serde(default)]
    pub backlog_after: u64,
    /// The station's last sync error in words, if the previous attempt failed (no personal values).
    #[serde(default)]
    pub last_error: Option<String>,
}

/// The answer to an upload: one acknowledgement per event, in the request's order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct UploadResponse {
    /// One per uploaded event. Replaying a batch returns the same acknowledgements.
    pub acks: Vec<Ack>,
}

/// The server's answer for one event. Either way the server now holds the event durably, so
/// the station may drop its copy.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Ack {
    /// The event's id.
    pub id: EventId,
    /// Applied, or kept aside for an administrator.
    pub outcome: AckOutcome,
    /// For an applied measurement: the points it earned and the balance after them.
    #[serde(default)]
    pub points: Option<PointsAward>,
    /// For an applied registration: the participant's first card, to print at the station (the
    /// station cannot mint cards; the server holds the program's card key).
    #[serde(default)]
    pub card: Option<IssuedCard>,
}

/// A card the server issued for a registration, as the station prints it.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct IssuedCard {
    /// The card's id, `holder-serial`.
    pub card_id: String,
    /// The token the QR code carries (`K1…`, 36 characters): a credential, never logged.
    pub token: String,
    /// The last day the card is valid (`YYYY-MM-DD`), if it expires.
    pub expires_on: Option<String>,
}

impl fmt::Debug for IssuedCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCard")
            .field("card_id", &self.card_id)
            .field("token", &format_args!("<redacted>"))
            .finish_non_exhaustive()
    }
}

/// What the server did with an event.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AckOutcome {
    /// Stored and applied (history, points, roster).
    Accepted,
    /// Stored but not applied: an administrator must look at it (except
    /// [`HeldReason::ParticipantErased`], kept without its contents). The station must not resend.
    Held {
        /// Why, as a stable code.
        reason: HeldReason,
    },
}

/// Why an event was stored but not applied.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum HeldReason {
    /// The participant is not on this program's roster.
    UnknownParticipant,
    /// The participant has withdrawn or stopped use: the reading is not counted.
    ParticipantInactive,
    /// No consent given before the reading was taken is on record.
    NoConsent,
    /// A registration for a participant number already on the roster (registered twice, e.g. at
    /// two stations while offline): held, never merged.
    ParticipantExists,
    /// A card event for a card that belongs to another participant.
    CardConflict,
    /// The participant was erased on request (消去) before this event arrived: only the event's
    /// id, kind, station and times are kept, never its contents. Nothing for anyone to do.
    ParticipantErased,
    /// A registration that breaks the program's eligibility rules (age at application, living
    /// or working in the area).
    Ineligible,
    /// A registration after the program's enrolment cap was reached (first come, first served).
    EnrolmentFull,
    /// A consent or reading for a participant whose registration at this station was held
    /// (a conflict, ineligible, or full): kept aside so it is never merged into another record.
    RegistrationUnresolved,
}

impl HeldReason {
    /// Plain words for an administrator, Japanese first.
    pub fn words(self) -> &'static str {
        match self {
            HeldReason::UnknownParticipant => {
                "名簿にない参加者です / the participant is not on the program's roster"
            }
            HeldReason::ParticipantInactive => {
                "退会または利用停止の参加者です / the participant has withdrawn or stopped use"
            }
            HeldReason::NoConsent => {
                "測定前の同意の記録がありません / no consent before the reading is on record"
            }
            HeldReason::ParticipantExists => {
                "同じ番号の参加者が既に登録済みです（二重登録。統合はしません） / \
                 a participant with this number is registered already (registered twice; never merged)"
            }
            HeldReason::CardConflict => {
                "このカードは別の参加者のものです / the card belongs to another participant"
            }
            HeldReason::ParticipantErased => {
                "消去請求により消去済みの参加者です。内容は保存せず破棄しました（対応不要） / \
                 the participant was erased on request: the contents were discarded, not kept (nothing to do)"
            }
            HeldReason::Ineligible => {
                "参加資格の条件（年齢・居住または勤務）を満たさない登録です / \
                 the registration does not meet the eligibility rules (age, living or working in the area)"
            }
            HeldReason::EnrolmentFull => {
                "定員に達した後の登録です / the registration came after the enrolment cap was reached"
            }
            HeldReason::RegistrationUnresolved => {
                "この端末での登録が保留中の参加者です。登録の確認が先です / \
                 the participant's registration at this station is held: resolve the registration first"
            }
        }
    }
}

/// Points a measurement earned, as the kiosk shows them ("+N ポイント, 残高 M").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PointsAward {
    /// Points earned by this measurement (0 when every rule was already used up).
    pub awarded: u32,
    /// The participant's balance right after this award.
    pub balance: i64,
    /// The rules that paid out, by id.
    pub rules: Vec<String>,
    /// Whether the monthly cap cut the award.
    pub capped: bool,
}

/// `GET /v1/changes?since=N`: roster, cards, documents, purposes and staff changed after a cursor.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ChangesPage {
    /// The program's code in card tokens: a card with another code belongs to another program.
    pub card_program: u16,
    /// Changes in cursor order.
    pub changes: Vec<Change>,
    /// Pass this as `since` next time (equal to the request's when nothing changed).
    pub next_cursor: u64,
    /// More changes wait: ask again at once.
    pub more: bool,
}

/// One change, at its position in the program's change feed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Change {
    /// Position in the feed (increasing, per program).
    pub seq: u64,
    /// What changed.
    pub change: ChangeKind,
}

/// What changed. The newest change of a thing replaces what a station held of it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChangeKind {
    /// A participant was added or their roster details changed.
    Participant(RosterEntry),
    /// A participant left the roster: stations delete what they hold of them.
    ParticipantRemoved(ParticipantRemoved),
    /// A card was issued or revoked.
    Card(CardState),
    /// A policy document version was published.
    Document(PolicyDocument),
    /// A consent purpose was added or changed.
    Purpose(PurposeDef),
    /// A staff account was added, changed or disabled.
    Staff(StaffAccount),
    /// The program's registration rules changed (stations check them offline too).
    RegistrationRules(RegistrationRules),
}

/// The program's eligibility rules for registering participants at explanation sessions.
/// Stations check the age and area rules offline; the server judges duplicates and the cap.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RegistrationRules {
    /// Youngest age, in whole years on the application date (default 20).
    pub min_age_years: u8,
    /// Applicants must live or work in the program's area (default true).
    pub residency_required: bool,
    /// Most participants the program takes (first come, first served); `None` for no cap.
    pub enrolment_cap: Option<u32>,
}

impl Default for RegistrationRules {
    fn default() -> RegistrationRules {
        RegistrationRules {
            min_age_years: 20,
            residency_required: true,
            enrolment_cap: None,
        }
    }
}

/// Whether a participant may measure.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantStatus {
    /// Taking part.
    Active,
    /// Withdrew from the program.
    Withdrawn,
    /// Asked for use of their data to stop (利用停止).
    Stopped,
}

impl ParticipantStatus {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            ParticipantStatus::Active => "active",
            ParticipantStatus::Withdrawn => "withdrawn",
            ParticipantStatus::Stopped => "stopped",
        }
    }

    /// Parses the stored name.
    pub fn from_name(name: &str) -> Option<ParticipantStatus> {
        Some(match name {
            "active" => ParticipantStatus::Active,
            "withdrawn" => ParticipantStatus::Withdrawn,
            "stopped" => ParticipantStatus::Stopped,
            _ => return None,
        })
    }
}

/// A participant as the roster holds them: pseudonymous, no name or address, ever.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RosterEntry {
    /// Pseudonymous participant number.
    pub participant: String,
    /// Birth date, `YYYY-MM-DD`.
    pub birth_date: String,
    /// Sex.
    pub sex: Sex,
    /// Height in tenths of a centimetre.
    #[schema(minimum = 0, maximum = 65535)]
    pub height_tenths_cm: u16,
    /// Body type code as the analyzer uses it (0 standard, 2 athletic).
    #[schema(minimum = 0, maximum = 255)]
    pub body_type: u8,
    /// Implanted electronic device: weight only, ever.
    pub implanted_device: bool,
    /// Taking part, withdrawn or stopped.
    pub status: ParticipantStatus,
}

impl fmt::Debug for RosterEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RosterEntry")
            .field("participant", &format_args!("{REDACTED}"))
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// A participant removed from the roster.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ParticipantRemoved {
    /// Pseudonymous participant number.
    pub participant: String,
    /// Why (withdrawn, stopped, erased on request).
    pub reason: RemovalReason,
}

impl fmt::Debug for ParticipantRemoved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParticipantRemoved")
            .field("participant", &format_args!("{REDACTED}"))
            .field("reason", &self.reason)
            .finish()
    }
}

/// Why a participant left the roster.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// Withdrew from the program.
    Withdrawn,
    /// Asked for use of their data to stop (利用停止).
    Stopped,
    /// Asked for their data to be erased (消去).
    Erased,
}

/// Whether a card may be used.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CardStatus {
    /// In use.
    Active,
    /// Revoked (lost, replaced, participant left): a scan is refused.
    Revoked,
}

/// A card, what a station needs to recognise it, and whether it may be used.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CardState {
    /// Pseudonymous participant number of the card's holder.
    pub participant: String,
    /// What the card's token says: program code, holder number, serial, issue day.
    pub card: CardFields,
    /// SHA-256 of the card's tag: a scanned card is genuine when its tag hashes to this. (The
    /// key that makes tags never leaves the central server.)
    pub tag_sha256: TagHash,
    /// Last day the card may be used (days since 1970-01-01), when the program limits it.
    pub expires_day: Option<u16>,
    /// Active or revoked.
    pub status: CardStatus,
}

impl fmt::Debug for CardState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardState")
            .field("participant", &format_args!("{REDACTED}"))
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// The kinds of policy document a participant consents to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 利用規約
    Terms,
    /// プライバシーポリシー
    PrivacyPolicy,
    /// 測定に関する説明
    MeasurementNotice,
}

impl DocumentKind {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::Terms => "terms",
            DocumentKind::PrivacyPolicy => "privacy_policy",
            DocumentKind::MeasurementNotice => "measurement_notice",
        }
    }

    /// Parses the stored name.
    pub fn from_name(name: &str) -> Option<DocumentKind> {
        Some(match name {
            "terms" => DocumentKind::Terms,
            "privacy_policy" => DocumentKind::PrivacyPolicy,
            "measurement_notice" => DocumentKind::MeasurementNotice,
            _ => return None,
        })
    }
}

/// One version of a policy document in one language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PolicyDocument {
    /// Terms, privacy policy or measurement notice.
    pub kind: DocumentKind,
    /// Version label, e.g. `2026-04`.
    pub version: String,
    /// `ja` or `en`.
    pub language: String,
    /// Effective from, `YYYY-MM-DD`.
    pub effective: String,
    /// The full text shown to participants.
    pub full_text: String,
    /// A material change: everyone must consent again.
    pub needs_fresh_consent: bool,
}

/// A purpose a participant is asked to consent to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PurposeDef {
    /// Stable id, e.g. `measurement`.
    pub id: String,
    /// Refusing it means no measurement.
    pub required: bool,
    /// Japanese label.
    pub label_ja: String,
    /// English label.
    pub label_en: String,
}

/// What a staff account may do at a kiosk.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Event staff: registration and cards.
    Staff,
    /// Technician: analyzer connection, settings and calibration.
    Technician,
    /// Administrator: everything staff and technicians may do.
    Admin,
}

impl StaffRole {
    /// Event staff and administrators register participants, take consent and print cards.
    pub fn may_register(self) -> bool {
        matches!(self, StaffRole::Staff | StaffRole::Admin)
    }

    /// Technicians and administrators connect, configure and check the analyzer.
    pub fn may_service(self) -> bool {
        matches!(self, StaffRole::Technician | StaffRole::Admin)
    }

    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            StaffRole::Staff => "staff",
            StaffRole::Technician => "technician",
            StaffRole::Admin => "admin",
        }
    }

    /// Parses the stored name.
    pub fn from_name(name: &str) -> Option<StaffRole> {
        Some(match name {
            "staff" => StaffRole::Staff,
            "technician" => StaffRole::Technician,
            "admin" => StaffRole::Admin,
            _ => return None,
        })
    }
}

/// A staff account as stations need it to let staff sign in while offline.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct StaffAccount {
    /// Login id.
    pub login: String,
    /// Name shown on screen while signed in.
    pub display_name: String,
    /// Staff or technician.
    pub role: StaffRole,
    /// Argon2id PHC string of the password (never the password).
    pub password_hash: String,
    /// A disabled account cannot sign in.
    pub active: bool,
}

impl fmt::Debug for StaffAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaffAccount")
            .field("login", &self.login)
            .field("role", &self.role)
            .field("active", &self.active)
            .field("password_hash", &format_args!("{REDACTED}"))
            .finish_non_exhaustive()
    }
}

/// `GET /v1/participants/{number}/history`: a participant's readings, newest first.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct History {
    /// Pseudonymous participant number.
    pub participant: String,
    /// Newest first.
    pub measurements: Vec<HistoryItem>,
}

impl fmt::Debug for History {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "History({} items, {REDACTED})", self.measurements.len())
    }
}

/// One reading in a participant's history.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct HistoryItem {
    /// The measurement's id.
    pub measurement_id: Uuid,
    /// When it was taken (station's clock).
    pub taken_at: Timestamp,
    /// The station that took it.
    pub station: String,
    /// Weight only (implanted device).
    pub weight_only: bool,
    /// The decoded values.
    #[schema(value_type = Object)]
    pub values: serde_json::Value,
}

impl fmt::Debug for HistoryItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HistoryItem")
            .field("measurement_id", &self.measurement_id)
            .field("values", &format_args!("{REDACTED}"))
            .finish_non_exhaustive()
    }
}

/// `GET /v1/participants/{number}/points`: a participant's points.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PointsBalance {
    /// Pseudonymous participant number.
    pub participant: String,
    /// Points held now (awards − cancellations − exchanges).
    pub balance: i64,
    /// Points per exchange unit (500 by the program terms).
    pub exchange_unit: u32,
    /// Whole units that can be exchanged now.
    pub exchangeable_units: u32,
    /// Points left over after those units; they carry over.
    pub carry_over: i64,
    /// Points earned this month (program's local time).
    pub this_month: i64,
}

impl fmt::Debug for PointsBalance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PointsBalance({REDACTED})")
    }
}

/// Every error body: a stable code and the words a person reads, Japanese first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ApiError {
    /// Stable machine code, e.g. `credential_refused`.
    pub code: String,
    /// Japanese, then English, with what to do next.
    pub message: String,
}

/// `GET /readyz` and `/healthz`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, or what is wrong.
    pub status: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ack_outcomes_serialise_with_a_status_tag() {
        let held = Ack {
            id: EventId(Uuid::from_u128(1)),
            outcome: AckOutcome::Held {
                reason: HeldReason::NoConsent,
            },
            points: None,
            card: None,
        };
        let text = serde_json::to_string(&held).unwrap();
        assert!(
            text.contains(r#""outcome":{"status":"held","reason":"no_consent"}"#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<Ack>(&text).unwrap(), held);
    }

    #[test]
    fn changes_serialise_with_a_type_tag_and_round_trip() {
        let change = Change {
            seq: 7,
            change: ChangeKind::Card(CardState {
                participant: "A-1".into(),
                card: CardFields {
                    program: 1,
                    holder: 9,
                    serial: 2,
                    issued_day: 20_000,
                },
                tag_sha256: crate::card::TagHash::of(&[7; crate::card::TAG_LEN]),
                expires_day: None,
                status: CardStatus::Revoked,
            }),
        };
        let text = serde_json::to_string(&change).unwrap();
        assert!(text.contains(r#""type":"card""#), "{text}");
        assert_eq!(serde_json::from_str::<Change>(&text).unwrap(), change);
    }

    #[test]
    fn debug_of_personal_bodies_hides_participant_and_secrets() {
        let entry = RosterEntry {
            participant: "A-000123".into(),
            birth_date: "1950-04-01".into(),
            sex: Sex::Female,
            height_tenths_cm: 1555,
            body_type: 0,
            implanted_device: false,
            status: ParticipantStatus::Active,
        };
        let staff = StaffAccount {
            login: "tanaka".into(),
            display_name: "田中".into(),
            role: StaffRole::Staff,
            password_hash: "$argon2id$v=19$secret".into(),
            active: true,
        };
        let text = format!("{entry:?} {staff:?}");
        assert!(
            !text.contains("A-000123") && !text.contains("1950") && !text.contains("argon2"),
            "{text}"
        );
    }

    #[test]
    fn names_round_trip() {
        for s in [
            ParticipantStatus::Active,
            ParticipantStatus::Withdrawn,
            ParticipantStatus::Stopped,
        ] {
            assert_eq!(ParticipantStatus::from_name(s.name()), Some(s));
        }
        for k in [
            DocumentKind::Terms,
            DocumentKind::PrivacyPolicy,
            DocumentKind::MeasurementNotice,
        ] {
            assert_eq!(DocumentKind::from_name(k.name()), Some(k));
        }
        for r in [StaffRole::Staff, StaffRole::Technician, StaffRole::Admin] {
            assert_eq!(StaffRole::from_name(r.name()), Some(r));
        }
        assert_eq!(StaffRole::from_name("root"), None);
    }
}
