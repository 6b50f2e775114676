//! The audit rows of the administrator's writes, one constructor each, so both backends record
//! the same action names and the same details. A detail holds ids, participant numbers, field
//! names and counts — never a birth date, a height, a reading, a password hash or a secret.
//!
//! Deliberately not here: appending (the backends, inside the write's transaction) and rows of
//! other parts (rights requests, exports, purges build their own entries).

use super::{Actor, AuditEntry};
use crate::ids::{CredentialId, ProgramId, StationId};
use crate::storage::{CardId, NewMunicipality, NewStation};
use hakaru_wire::api::{PolicyDocument, PurposeDef, RosterEntry, StaffAccount};
use serde_json::json;
use uuid::Uuid;

/// A program was created.
pub fn program_created(actor: &Actor, program: &ProgramId) -> AuditEntry {
    AuditEntry::new(
        actor,
        "program_created",
        json!({ "program": program.as_str() }),
    )
}

/// A program's points rules were replaced.
pub fn points_rules_changed(actor: &Actor, program: &ProgramId) -> AuditEntry {
    AuditEntry::new(
        actor,
        "points_rules_changed",
        json!({ "program": program.as_str() }),
    )
}

/// A municipality was created.
pub fn municipality_created(actor: &Actor, m: &NewMunicipality) -> AuditEntry {
    AuditEntry::new(
        actor,
        "municipality_created",
        json!({ "program": m.program.as_str(), "municipality": m.id.as_str() }),
    )
}

/// A station was registered.
pub fn station_created(actor: &Actor, s: &NewStation) -> AuditEntry {
    AuditEntry::new(
        actor,
        "station_created",
        json!({ "station": s.id.as_str(), "municipality": s.municipality.as_str() }),
    )
}

/// A station credential was added (its id only; never the secret or its hash).
pub fn credential_added(actor: &Actor, station: &StationId, id: &CredentialId) -> AuditEntry {
    AuditEntry::new(
        actor,
        "credential_added",
        json!({ "station": station.as_str(), "credential": id.as_str() }),
    )
}

/// A station credential was revoked.
pub fn credential_revoked(actor: &Actor, id: &CredentialId) -> AuditEntry {
    AuditEntry::new(
        actor,
        "credential_revoked",
        json!({ "credential": id.as_str() }),
    )
}

/// A roster entry was added or replaced (`old`: the entry it replaced): the participant number,
/// the status and the NAMES of the fields that changed — never their values.
pub fn participant_saved(
    actor: &Actor,
    program: &ProgramId,
    old: Option<&RosterEntry>,
    entry: &RosterEntry,
) -> AuditEntry {
    AuditEntry::new(
        actor,
        "participant_saved",
        json!({
            "program": program.as_str(),
            "participant": entry.participant,
            "status": entry.status.name(),
            "added": old.is_none(),
            "fields": old.map_or_else(Vec::new, |old| changed_fields(old, entry)),
        }),
    )
}

/// The names of the roster fields that differ between `old` and `new`.
pub fn changed_fields(old: &RosterEntry, new: &RosterEntry) -> Vec<&'static str> {
    [
        ("birth_date", old.birth_date != new.birth_date),
        ("sex", old.sex != new.sex),
        (
            "height_tenths_cm",
            old.height_tenths_cm != new.height_tenths_cm,
        ),
        ("body_type", old.body_type != new.body_type),
        (
            "implanted_device",
            old.implanted_device != new.implanted_device,
        ),
        ("status", old.status != new.status),
    ]
    .into_iter()
    .filter_map(|(name, changed)| changed.then_some(name))
    .collect()
}

/// A card was issued (and the holder's earlier active cards revoked).
pub fn card_issued(
    actor: &Actor,
    program: &ProgramId,
    participant: &str,
    card: CardId,
    revoked: &[CardId],
) -> AuditEntry {
    AuditEntry::new(
        actor,
        "card_issued",
        json!({
            "program": program.as_str(),
            "participant": participant,
            "card": card.to_string(),
            "revoked": revoked.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }),
    )
}

/// A card was revoked at the office.
pub fn card_revoked(actor: &Actor, program: &ProgramId, card: CardId) -> AuditEntry {
    AuditEntry::new(
        actor,
        "card_revoked",
        json!({ "program": program.as_str(), "card": card.to_string() }),
    )
}

/// A policy document version was published.
pub fn document_published(actor: &Actor, program: &ProgramId, d: &PolicyDocument) -> AuditEntry {
    AuditEntry::new(
        actor,
        "document_published",
        json!({
            "program": program.as_str(),
            "kind": d.kind.name(),
            "version": d.version,
            "language": d.language,
            "effective": d.effective,
            "needs_fresh_consent": d.needs_fresh_consent,
        }),
    )
}

/// A consent purpose was added or changed.
pub fn purpose_saved(actor: &Actor, program: &ProgramId, p: &PurposeDef) -> AuditEntry {
    AuditEntry::new(
        actor,
        "purpose_saved",
        json!({ "program": program.as_str(), "purpose": p.id, "required": p.required }),
    )
}

/// A staff account was added or changed (never its password hash).
pub fn staff_saved(actor: &Actor, program: &ProgramId, a: &StaffAccount) -> AuditEntry {
    AuditEntry::new(
        actor,
        "staff_saved",
        json!({
            "program": program.as_str(),
            "login": a.login,
            "role": a.role.name(),
            "active": a.active,
        }),
    )
}

/// An award was cancelled (the free-text reason stays with the award, not in the log).
pub fn award_cancelled(actor: &Actor, program: &ProgramId, award: Uuid) -> AuditEntry {
    AuditEntry::new(
        actor,
        "award_cancelled",
        json!({ "program": program.as_str(), "award": award.to_string() }),
    )
}

/// Points were exchanged for a participant.
pub fn points_exchanged(
    actor: &Actor,
    program: &ProgramId,
    participant: &str,
    units: u32,
    points: i64,
) -> AuditEntry {
    AuditEntry::new(
        actor,
        "points_exchanged",
        json!({
            "program": program.as_str(),
            "participant": participant,
            "units": units,
            "points": points,
        }),
    )
}

/// Someone looked at personal data (`view` names what, e.g. `ledger`, `points`, `cards`):
/// the program and the participant numbers shown (empty: the whole program).
pub fn data_viewed(
    actor: &Actor,
    view: &str,
    program: &ProgramId,
    participants: &[String],
) -> AuditEntry {
    AuditEntry::new(
        actor,
        "data_viewed",
        json!({ "view": view, "program": program.as_str(), "participants": participants }),
    )
}

/// A program's registration rules were set (the rules are not personal: kept in full).
pub fn registration_rules_set(
    actor: &Actor,
    program: &ProgramId,
    rules: &hakaru_wire::api::RegistrationRules,
) -> AuditEntry {
    AuditEntry::new(
        actor,
        "registration_rules_set",
        json!({
            "program": program.as_str(),
            "min_age_years": rules.min_age_years,
            "residency_required": rules.residency_required,
            "enrolment_cap": rules.enrolment_cap,
        }),
    )
}
