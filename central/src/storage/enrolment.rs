//! Enrolment at explanation sessions and analyzer checks as the program office sees them: the
//! program's registration rules (set by the office, sent to stations in the change feed), the
//! registrations the server held (ineligible, a conflict, over the cap) and the calibration
//! records stations uploaded.
//!
//! Deliberately not here: judging a registration (`common::registration_step`, applied at
//! ingest by each backend) and anything a station asks for over HTTP.

use super::StorageError;
use crate::ids::{ProgramId, StationId};
use hakaru_wire::api::{HeldReason, RegistrationRules};
use hakaru_wire::{CalibrationRecorded, EventId, Timestamp};
use std::fmt;

/// A registration the server held, for the program office.
#[derive(Clone, PartialEq, Eq)]
pub struct HeldRegistration {
    /// The program.
    pub program: ProgramId,
    /// The station that registered.
    pub station: StationId,
    /// The participant number registered (personal: shown only to the office).
    pub participant: String,
    /// The registration event.
    pub event_id: EventId,
    /// Why it was held.
    pub reason: HeldReason,
    /// When the server held it.
    pub at: Timestamp,
}

impl fmt::Debug for HeldRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeldRegistration")
            .field("program", &self.program)
            .field("station", &self.station)
            .field("participant", &format_args!("<redacted>"))
            .field("event_id", &self.event_id)
            .field("reason", &self.reason)
            .field("at", &self.at)
            .finish()
    }
}

/// A calibration record as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationEntry {
    /// The event that carried it.
    pub event_id: EventId,
    /// The program.
    pub program: ProgramId,
    /// The station that checked its analyzer.
    pub station: StationId,
    /// When it occurred at the station.
    pub checked_at: Timestamp,
    /// The record itself.
    pub record: CalibrationRecorded,
}

/// The refusal of impossible registration rules.
pub fn check_rules(rules: &RegistrationRules) -> Result<(), StorageError> {
    if rules.min_age_years > 120 {
        return Err(StorageError::Invalid(format!(
            "最低年齢 {} 歳は大きすぎます。0〜120 で指定してください / the minimum age {} is too high: give 0 to 120",
            rules.min_age_years, rules.min_age_years
        )));
    }
    if rules.enrolment_cap == Some(0) {
        return Err(StorageError::Invalid(
            "定員 0 では誰も登録できません。1 以上か none を指定してください / \
             a cap of 0 lets nobody register: give 1 or more, or none"
                .into(),
        ));
    }
    Ok(())
}

/// What the program office reads and sets about enrolment and analyzer checks.
#[async_trait::async_trait]
pub trait EnrolmentStorage: Send + Sync {
    /// Replaces the program's registration rules; appends them to the change feed and the
    /// audit log in the same transaction.
    async fn set_registration_rules(
        &self,
        program: &ProgramId,
        rules: &RegistrationRules,
        now: Timestamp,
    ) -> Result<(), StorageError>;
    /// The program's registration rules ([`RegistrationRules::default`] when none were set);
    /// [`StorageError::NotFound`] for an unknown program.
    async fn registration_rules(
        &self,
        program: &ProgramId,
    ) -> Result<RegistrationRules, StorageError>;
    /// Held registrations (of one program, or all), oldest first.
    async fn held_registrations(
        &self,
        program: Option<&ProgramId>,
    ) -> Result<Vec<HeldRegistration>, StorageError>;
    /// Calibration records (of one program and/or station, or all), newest first.
    async fn calibrations(
        &self,
        program: Option<&ProgramId>,
        station: Option<&StationId>,
    ) -> Result<Vec<CalibrationEntry>, StorageError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_rules_are_refused_with_what_to_give() {
        assert!(check_rules(&RegistrationRules::default()).is_ok());
        let old = RegistrationRules {
            min_age_years: 121,
            ..RegistrationRules::default()
        };
        assert!(
            matches!(check_rules(&old), Err(StorageError::Invalid(m)) if m.contains("0 to 120"))
        );
        let none = RegistrationRules {
            enrolment_cap: Some(0),
            ..RegistrationRules::default()
        };
        assert!(matches!(check_rules(&none), Err(StorageError::Invalid(_))));
    }

    #[test]
    fn debug_hides_the_participant_number() {
        let h = HeldRegistration {
            program: ProgramId::new("kumamoto").expect("id"),
            station: StationId::new("kita-01").expect("id"),
            participant: "SECRET-77".into(),
            event_id: EventId(uuid::Uuid::from_u128(1)),
            reason: HeldReason::ParticipantExists,
            at: Timestamp::from_unix_ms(0),
        };
        assert!(!format!("{h:?}").contains("SECRET-77"));
    }
}
