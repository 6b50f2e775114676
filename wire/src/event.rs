//! Outbox events: every fact the server must learn, with the id it was made with.
//!
//! The station writes an [`OutboxEvent`] in the same transaction as the fact; the server
//! inserts it idempotently by [`EventId`] and acknowledges the ids. Events that carry personal
//! values print `<redacted>` in `Debug`. Deliberately not here: how events are batched or sent.

use crate::time::Timestamp;
use std::fmt;
use uuid::Uuid;

const REDACTED: &str = "<redacted>";

/// An event's id: a UUIDv7 made with the fact, so ids sort by time of creation.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
#[schema(value_type = String, format = Uuid)]
pub struct EventId(pub Uuid);

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One fact for the server.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct OutboxEvent {
    /// Idempotency key.
    pub id: EventId,
    /// The station that recorded the fact.
    pub station: String,
    /// When the fact happened, by the station's clock.
    pub occurred_at: Timestamp,
    /// What happened.
    pub kind: EventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A reading was stored.
    MeasurementRecorded(MeasurementRecorded),
    /// A participant gave, refused or withdrew consent.
    ConsentRecorded(ConsentRecorded),
    /// Staff revoked a card at the station (lost or damaged). Cards are issued only by the
    /// central server, which holds the program's card key, so there is no station "issued" event.
    CardRevoked(CardEvent),
    /// A technician recorded a calibration or reference-weight check (filled by the calibration issue).
    CalibrationRecorded(CalibrationRecorded),
    /// A participant was registered at the station (filled by the registration issue).
    ParticipantRegistered(ParticipantRegistered),
}

impl EventKind {
    /// A stable name for the kind, as stored in the outbox's `kind` column.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::MeasurementRecorded(_) => "measurement_recorded",
            EventKind::ConsentRecorded(_) => "consent_recorded",
            EventKind::CardRevoked(_) => "card_revoked",
            EventKind::CalibrationRecorded(_) => "calibration_recorded",
            EventKind::ParticipantRegistered(_) => "participant_registered",
        }
    }
}

/// A stored reading.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct MeasurementRecorded {
    /// The measurement's own id (UUIDv7), the same as in the station's store.
    pub measurement_id: Uuid,
    /// Pseudonymous participant number.
    pub participant: String,
    /// Analyzer model as it reported itself (`MO`), if it did.
    pub analyzer_model: Option<String>,
    /// Analyzer serial number (`SN`), if it reported one.
    pub analyzer_serial: Option<String>,
    /// When the station received the reading (host clock).
    pub taken_at: Timestamp,
    /// Weight only: no impedance or composition values were kept (implanted device).
    pub weight_only: bool,
    /// Every decoded value, in the decoder's serde form.
    #[schema(value_type = Object)]
    pub values: serde_json::Value,
    /// The frame as received (ASCII), when kept.
    pub raw_frame: Option<String>,
    /// The raw frame was dropped because it carried impedance values of a weight-only reading.
    pub raw_frame_dropped: bool,
}

impl fmt::Debug for MeasurementRecorded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MeasurementRecorded")
            .field("measurement_id", &self.measurement_id)
            .field("analyzer_model", &self.analyzer_model)
            .field("weight_only", &self.weight_only)
            .field("participant", &format_args!("{REDACTED}"))
            .field("values", &format_args!("{REDACTED}"))
            .finish_non_exhaustive()
    }
}

/// Given, refused or withdrawn.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConsentAction {
    /// Consent given (every required purpose granted).
    Given,
    /// Consent refused (a required purpose refused): nothing is measured.
    Refused,
    /// Consent withdrawn after it was given.
    Withdrawn,
}

impl ConsentAction {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            ConsentAction::Given => "given",
            ConsentAction::Refused => "refused",
            ConsentAction::Withdrawn => "withdrawn",
        }
    }

    /// Parses the stored name.
    pub fn from_name(name: &str) -> Option<ConsentAction> {
        Some(match name {
            "given" => ConsentAction::Given,
            "refused" => ConsentAction::Refused,
            "withdrawn" => ConsentAction::Withdrawn,
            _ => return None,
        })
    }
}

/// How a consent was given.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    /// On the kiosk screen by the participant.
    OnScreen,
    /// On paper, witnessed by staff.
    StaffWitnessedPaper,
}

/// A consent decision.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ConsentRecorded {
    /// The consent's own id (UUIDv7).
    pub consent_id: Uuid,
    /// Pseudonymous participant number.
    pub participant: String,
    /// Given, refused or withdrawn.
    pub action: ConsentAction,
    /// Content hashes (SHA-256, hex) of the documents decided on.
    pub document_hashes: Vec<String>,
    /// Purpose ids granted.
    pub granted: Vec<String>,
    /// Purpose ids refused.
    pub refused: Vec<String>,
    /// On screen or staff-witnessed paper.
    pub method: ConsentMethod,
}

impl fmt::Debug for ConsentRecorded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsentRecorded")
            .field("consent_id", &self.consent_id)
            .field("action", &self.action)
            .field("method", &self.method)
            .field("participant", &format_args!("{REDACTED}"))
            .finish_non_exhaustive()
    }
}

/// A card revoked at a station.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CardEvent {
    /// The card's id, `holder-serial` ([`crate::card::CardFields::card_id`]).
    pub card_id: String,
    /// Pseudonymous participant number.
    pub participant: String,
}

impl fmt::Debug for CardEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardEvent({REDACTED})")
    }
}

/// One reference-weight check: a known mass put on the scale and what it read.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ReferenceWeightCheck {
    /// The reference mass, kg.
    pub nominal_kg: f64,
    /// What the analyzer showed, kg.
    pub measured_kg: f64,
    /// `measured_kg - nominal_kg`, kg (rounded to 0.01 kg).
    #[serde(default)]
    pub deviation_kg: f64,
    /// `|deviation_kg| <= tolerance_kg` of the record.
    #[serde(default)]
    pub within_tolerance: bool,
}

/// A calibration check of an analyzer with reference weights, and the analyzer's
/// legal-metrology dates (計量法: 検定 and 定期検査). Not personal: it names the technician's
/// login, never a participant.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CalibrationRecorded {
    /// Analyzer model.
    pub analyzer_model: String,
    /// Analyzer serial number.
    pub analyzer_serial: String,
    /// Date of the last 定期検査 (`YYYY-MM-DD`), if known.
    pub last_inspection: Option<String>,
    /// When the next 定期検査 is due (`YYYY-MM-DD`), if known.
    pub next_due: Option<String>,
    /// Reference-weight checks made.
    pub reference_checks: Vec<ReferenceWeightCheck>,
    /// The technician's login.
    #[serde(default)]
    pub technician: String,
    /// Largest deviation allowed at any step, kg.
    #[serde(default)]
    pub tolerance_kg: f64,
    /// Every step within tolerance.
    #[serde(default)]
    pub passed: bool,
    /// When the next reference-weight check is due (`YYYY-MM-DD`); empty for a failed check.
    #[serde(default)]
    pub next_check_due: String,
    /// Date of the analyzer's 検定 (type verification), if known.
    #[serde(default)]
    pub verified_on: Option<String>,
}

/// Sex as the roster records it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
}

/// A participant registered at the station (pseudonymous: no name or address, ever).
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ParticipantRegistered {
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
    /// The date on the paper application (`YYYY-MM-DD`): age is judged on it.
    #[serde(default)]
    pub applied_on: String,
    /// The applicant lives or works in the program's area, as the application says.
    #[serde(default)]
    pub lives_or_works_locally: bool,
    /// The staff login that registered them (empty for registrations from before staff sign-in).
    #[serde(default)]
    pub registered_by: String,
}

impl fmt::Debug for ParticipantRegistered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ParticipantRegistered({REDACTED})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measurement() -> OutboxEvent {
        OutboxEvent {
            id: EventId(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001)),
            station: "kita-01".into(),
            occurred_at: Timestamp::from_unix_ms(1_780_000_000_000),
            kind: EventKind::MeasurementRecorded(MeasurementRecorded {
                measurement_id: Uuid::from_u128(7),
                participant: "A-000123".into(),
                analyzer_model: Some("MC-780".into()),
                analyzer_serial: None,
                taken_at: Timestamp::from_unix_ms(1_780_000_000_000),
                weight_only: false,
                values: serde_json::json!({"weight": 67.6}),
                raw_frame: Some("{0,16,Wk,67.6,CS,00".into()),
                raw_frame_dropped: false,
            }),
        }
    }

    #[test]
    fn events_round_trip_through_json_with_a_type_tag() {
        let e = measurement();
        let text = serde_json::to_string(&e).unwrap();
        assert!(text.contains(r#""type":"measurement_recorded""#), "{text}");
        let back: OutboxEvent = serde_json::from_str(&text).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.kind.name(), "measurement_recorded");
    }

    #[test]
    fn debug_of_personal_events_shows_neither_participant_nor_values() {
        let text = format!("{:?}", measurement());
        assert!(
            !text.contains("A-000123") && !text.contains("67.6"),
            "{text}"
        );
        let consent = ConsentRecorded {
            consent_id: Uuid::from_u128(1),
            participant: "A-000123".into(),
            action: ConsentAction::Given,
            document_hashes: vec![],
            granted: vec![],
            refused: vec![],
            method: ConsentMethod::OnScreen,
        };
        assert!(!format!("{consent:?}").contains("A-000123"));
        let card = CardEvent {
            card_id: "77-1".into(),
            participant: "A-000123".into(),
        };
        assert!(!format!("{card:?}").contains("A-000123"));
    }

    #[test]
    fn consent_action_names_round_trip() {
        for a in [
            ConsentAction::Given,
            ConsentAction::Refused,
            ConsentAction::Withdrawn,
        ] {
            assert_eq!(ConsentAction::from_name(a.name()), Some(a));
        }
        assert_eq!(ConsentAction::from_name("maybe"), None);
    }
}
