//! Values to and from their stored form: enum names, rules JSON, roster rows.
//!
//! Deliberately not here: queries. A stored value that does not parse is a
//! [`StorageError::Backend`] (the database was written by something else), never a panic.

use crate::points::PointsRules;
use crate::storage::StorageError;
use hakaru_wire::api::{CardStatus, HeldReason, ParticipantStatus, RosterEntry};
use hakaru_wire::{ConsentMethod, Sex};
use tokio_postgres::Row;

/// A stored value that does not parse.
pub(super) fn corrupt(what: &str) -> StorageError {
    StorageError::Backend(format!(
        "保存された値が読めません（{what}） / a stored value cannot be read ({what})"
    ))
}

/// Points rules as stored.
pub(super) fn rules_to_json(rules: &PointsRules) -> Result<serde_json::Value, StorageError> {
    serde_json::to_value(rules).map_err(|e| StorageError::Backend(format!("rules to JSON: {e}")))
}

/// Stored points rules back.
pub(super) fn rules_from_json(value: serde_json::Value) -> Result<PointsRules, StorageError> {
    serde_json::from_value(value).map_err(|_| corrupt("points rules"))
}

/// The stored name of a sex.
pub(super) fn sex_name(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "male",
        Sex::Female => "female",
    }
}

fn sex_from(name: &str) -> Result<Sex, StorageError> {
    match name {
        "male" => Ok(Sex::Male),
        "female" => Ok(Sex::Female),
        _ => Err(corrupt("sex")),
    }
}

/// A stored card status back.
pub(super) fn card_status_from(name: &str) -> Result<CardStatus, StorageError> {
    match name {
        "active" => Ok(CardStatus::Active),
        "revoked" => Ok(CardStatus::Revoked),
        _ => Err(corrupt("card status")),
    }
}

/// The stored name of a consent method.
pub(super) fn consent_method_name(method: ConsentMethod) -> &'static str {
    match method {
        ConsentMethod::OnScreen => "on_screen",
        ConsentMethod::StaffWitnessedPaper => "staff_witnessed_paper",
    }
}

/// A stored participant status back.
pub(super) fn status_from(name: &str) -> Result<ParticipantStatus, StorageError> {
    ParticipantStatus::from_name(name).ok_or_else(|| corrupt("participant status"))
}

/// The columns [`roster_from_row`] reads, in order.
pub(super) const ROSTER_COLUMNS: &str =
    "participant, birth_date, sex, height_tenths_cm, body_type, implanted_device, status";

/// A roster entry from a row of [`ROSTER_COLUMNS`].
pub(super) fn roster_from_row(row: &Row) -> Result<RosterEntry, StorageError> {
    let height: i32 = row.get(3);
    let body_type: i32 = row.get(4);
    Ok(RosterEntry {
        participant: row.get(0),
        birth_date: row.get(1),
        sex: sex_from(row.get(2))?,
        height_tenths_cm: u16::try_from(height).map_err(|_| corrupt("height"))?,
        body_type: u8::try_from(body_type).map_err(|_| corrupt("body type"))?,
        implanted_device: row.get(5),
        status: status_from(row.get(6))?,
    })
}

/// The stored name of a held reason (its wire name, e.g. `no_consent`).
pub(super) fn held_reason_name(reason: HeldReason) -> String {
    match serde_json::to_value(reason) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{reason:?}"),
    }
}

/// A stored held reason back.
pub(super) fn held_reason_from(name: &str) -> Result<HeldReason, StorageError> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|_| corrupt("held reason"))
}
