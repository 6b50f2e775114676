//! The station's vocabulary: participants, their profile, policy documents, purposes and
//! consent decisions — plain data shared by the store, the session and the sync.
//!
//! Deliberately not here: names, addresses or anything that identifies a person directly. The
//! roster is pseudonymous (reference/privacy-law-and-kiosk-ux.md). Every type holding personal
//! values redacts its `Debug` output.

use hakaru_devices::redact::REDACTED;
pub use hakaru_devices::scale::tanita::{BodyType, Sex};
use std::fmt;

/// A participant's pseudonymous number as printed on their card (no name, no address).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ParticipantNumber(String);

impl ParticipantNumber {
    /// A participant number: 1–32 ASCII letters, digits or `-`.
    pub fn new(text: &str) -> Result<ParticipantNumber, InvalidId> {
        let ok = (1..=32).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        ok.then(|| ParticipantNumber(text.to_owned()))
            .ok_or(InvalidId("participant number"))
    }

    /// The number as text (for storage and the screen, never for logs).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ParticipantNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ParticipantNumber({REDACTED})")
    }
}

/// A station's identifier, issued by the central server (not personal).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct StationId(String);

impl StationId {
    /// A station id: 1–64 ASCII letters, digits, `-` or `_`.
    pub fn new(text: &str) -> Result<StationId, InvalidId> {
        let ok = (1..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| StationId(text.to_owned()))
            .ok_or(InvalidId("station id"))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An identifier that does not have the allowed form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} の形式が正しくありません / the {0} has characters or a length that are not allowed")]
pub struct InvalidId(pub &'static str);

/// A calendar date (birth dates, effective dates).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Date {
    /// Four-digit year.
    pub year: u16,
    /// 1–12.
    pub month: u8,
    /// 1–31.
    pub day: u8,
}

impl Date {
    /// The local calendar date at `at` in a zone `utc_offset_minutes` ahead of UTC (Japan: 540).
    pub fn local(at: hakaru_wire::Timestamp, utc_offset_minutes: i32) -> Date {
        let ms = at.as_unix_ms() + i64::from(utc_offset_minutes) * 60_000;
        // Days since 1970-01-01 → civil date (H. Hinnant's days_from_civil, inverted).
        let z = ms.div_euclid(86_400_000) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: u16::try_from(year).unwrap_or(0),
            month: month as u8,
            day: day as u8,
        }
    }

    /// Whole years from `self` (a birth date) to `on`.
    pub fn age_on(&self, on: Date) -> u16 {
        let years = on.year.saturating_sub(self.year);
        if (on.month, on.day) < (self.month, self.day) {
            years.saturating_sub(1)
        } else {
            years
        }
    }
}

/// What the analyzer needs to know about a participant, from the roster.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    /// Birth date (age is computed on the day of measurement).
    pub birth_date: Date,
    /// Sex.
    pub sex: Sex,
    /// Height in tenths of a centimetre.
    pub height_tenths_cm: u16,
    /// Standard or athletic.
    pub body_type: BodyType,
    /// Has an implanted electronic device (pacemaker …): weight only, no impedance, ever.
    pub implanted_device: bool,
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Profile({REDACTED})")
    }
}

/// The kinds of policy document a participant consents to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 利用規約
    Terms,
    /// プライバシーポリシー
    PrivacyPolicy,
    /// 測定に関する説明
    MeasurementNotice,
}

/// A purpose of use a participant decides on separately.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct PurposeId(pub String);

/// A purpose of use as the program defines it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Purpose {
    /// Stable id, e.g. `service`, `effect_analysis`, `research`.
    pub id: PurposeId,
    /// Whether measuring is impossible without it.
    pub required: bool,
    /// Plain words, Japanese.
    pub label_ja: String,
    /// Plain words, English.
    pub label_en: String,
}

/// A policy document version. The content hash identifies it in consents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DocumentVersion {
    /// Which document.
    pub kind: DocumentKind,
    /// Version label, e.g. `2026-04`.
    pub version: String,
    /// `ja` or `en`.
    pub language: String,
    /// From when it applies.
    pub effective: Date,
    /// SHA-256 of the full text, hex.
    pub content_hash: String,
    /// Whether accepting an earlier version is not enough for this one.
    pub needs_fresh_consent: bool,
}

/// A measurement's identifier: the UUIDv7 the store keys the measurement row, its outbox event
/// and its audit row by (and the server's `measurement_id`). The session only carries it; the
/// driver makes it with [`crate::store::new_id`] when it records. Not personal: it names a row,
/// not a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct MeasurementId(pub uuid::Uuid);

impl MeasurementId {
    /// The UUID.
    pub fn as_uuid(&self) -> uuid::Uuid {
        self.0
    }
}

impl From<uuid::Uuid> for MeasurementId {
    fn from(id: uuid::Uuid) -> Self {
        MeasurementId(id)
    }
}

impl fmt::Display for MeasurementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// How a consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    /// On the kiosk screen by the participant.
    OnScreen,
    /// On paper, witnessed by staff.
    StaffWitnessedPaper,
}

/// A participant's decision on each purpose, for one set of document versions.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConsentDecision {
    /// Content hashes of the documents the decision was made on.
    pub document_hashes: Vec<String>,
    /// Purposes granted.
    pub granted: Vec<PurposeId>,
    /// Purposes refused.
    pub refused: Vec<PurposeId>,
    /// How it was given.
    pub method: ConsentMethod,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_and_redacted() {
        let p = ParticipantNumber::new("A-000123").unwrap();
        assert!(!format!("{p:?}").contains("123"));
        assert!(ParticipantNumber::new("").is_err());
        assert!(ParticipantNumber::new("has space").is_err());
        assert!(StationId::new("kita-community-01").is_ok());
    }

    #[test]
    fn the_local_date_follows_the_offset() {
        use hakaru_wire::Timestamp;
        // 2026-03-31 15:00 UTC is 2026-04-01 00:00 in Japan.
        let t = Timestamp::from_unix_ms(1_774_969_200_000);
        let d = |year, month, day| Date { year, month, day };
        assert_eq!(Date::local(t, 540), d(2026, 4, 1));
        assert_eq!(Date::local(t, 0), d(2026, 3, 31));
        assert_eq!(Date::local(Timestamp::from_unix_ms(-1), 0), d(1969, 12, 31));
        assert_eq!(
            Date::local(Timestamp::from_unix_ms(951_782_400_000), 0),
            d(2000, 2, 29)
        );
    }

    #[test]
    fn age_counts_birthdays() {
        let born = Date {
            year: 1958,
            month: 6,
            day: 15,
        };
        assert_eq!(
            born.age_on(Date {
                year: 2026,
                month: 6,
                day: 14
            }),
            67
        );
        assert_eq!(
            born.age_on(Date {
                year: 2026,
                month: 6,
                day: 15
            }),
            68
        );
    }
}
