//! The SQLite backend's ingest: one batch in one write transaction — checks, replays answered
//! from the stored acknowledgement, each new event stored and applied in order (an event of a
//! participant erased on request stored without its contents, applied to nothing), the upload's
//! ledger entry and the station's sync status.
//!
//! Deliberately not here: the decisions themselves (`storage::common`, `points::decide`) and
//! connection handling.

use super::enrolment;
use super::rows::{self, to_json};
use crate::points::{decide, PointsRules};
use crate::storage::audit::{entries, Actor};
use crate::storage::common::{self, CardStep, RegistrationContext, RegistrationStep, StoredCard};
use crate::storage::CardId;
use crate::storage::{StationContext, StorageError};
use hakaru_wire::api::{Ack, CardStatus, ChangeKind, HeldReason, UploadRequest, UploadResponse};
use hakaru_wire::{
    CalibrationRecorded, CardEvent, ConsentAction, ConsentMethod, ConsentRecorded, EventKind,
    MeasurementRecorded, OutboxEvent, ParticipantRegistered, Timestamp,
};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

/// Stores and applies a batch (the caller holds a write transaction and commits it).
pub fn ingest(
    conn: &Connection,
    caller: &StationContext,
    batch: &UploadRequest,
    now: Timestamp,
) -> Result<UploadResponse, StorageError> {
    common::check_batch(caller, batch)?;
    let rules = rows::program_rules(conn, &caller.program)?;
    // Refuse the whole batch before writing anything if an id belongs to another station.
    for e in &batch.events {
        let owner: Option<String> = conn
            .prepare_cached("SELECT station FROM events WHERE id = ?1")?
            .query_row([e.id.0.to_string()], |r| r.get(0))
            .optional()?;
        if owner.is_some_and(|o| o != caller.station.as_str()) {
            return Err(common::event_of_another_station(e.id));
        }
    }
    let mut acks = Vec::with_capacity(batch.events.len());
    let mut stored: i64 = 0;
    let mut erasures = Erasures::default();
    for e in &batch.events {
        let id = e.id.0.to_string();
        let known: Option<String> = conn
            .prepare_cached("SELECT ack FROM events WHERE id = ?1")?
            .query_row([&id], |r| r.get(0))
            .optional()?;
        if let Some(ack) = known {
            acks.push(common::ack_from_json(&ack)?);
            continue;
        }
        let ack = if erasures.discards(conn, caller, e)? {
            common::erased(e.id)
        } else {
            apply(conn, caller, &rules, e, now)?
        };
        conn.prepare_cached(
            "INSERT INTO events
                 (id, program, station, kind, occurred_at, received_at, payload, ack, held_reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            id,
            caller.program.as_str(),
            caller.station.as_str(),
            e.kind.name(),
            e.occurred_at.as_unix_ms(),
            now.as_unix_ms(),
            common::stored_payload(&e.kind, &ack)?,
            common::ack_to_json(&ack)?,
            common::held_reason(&ack).map(|r| to_json(&r)).transpose()?
        ])?;
        stored += 1;
        acks.push(ack);
    }
    let mut kept = Vec::with_capacity(batch.events.len());
    for (e, ack) in batch.events.iter().zip(&acks) {
        let erased_at = match common::event_participant(&e.kind) {
            Some(p) => erasures.erased_at(conn, caller, p)?,
            None => None,
        };
        if !common::kept_out_of_ledger(e, ack, erased_at) {
            kept.push(e);
        }
    }
    rows::insert_ledger(
        conn,
        common::upload_ledger_entry(caller, kept, now).as_ref(),
    )?;
    conn.prepare_cached(
        "UPDATE stations SET last_seen = ?2, backlog = ?3, last_error = ?4,
             events_received = events_received + ?5
         WHERE id = ?1",
    )?
    .execute(params![
        caller.station.as_str(),
        now.as_unix_ms(),
        common::to_i64(batch.backlog_after),
        batch.last_error,
        stored
    ])?;
    Ok(UploadResponse { acks })
}

/// The latest carried-out deletion of each participant number the batch names, looked up once.
#[derive(Default)]
struct Erasures(HashMap<String, Option<Timestamp>>);

impl Erasures {
    /// When the caller's program last erased `participant` on request, if ever.
    fn erased_at(
        &mut self,
        conn: &Connection,
        caller: &StationContext,
        participant: &str,
    ) -> Result<Option<Timestamp>, StorageError> {
        if let Some(at) = self.0.get(participant) {
            return Ok(*at);
        }
        let at: Option<i64> = conn
            .prepare_cached(
                "SELECT MAX(carried_out_at) FROM rights_requests
                 WHERE program = ?1 AND participant = ?2 AND kind = 'deletion'
                   AND carried_out_at IS NOT NULL",
            )?
            .query_row(params![caller.program.as_str(), participant], |r| r.get(0))?;
        let at = at.map(Timestamp::from_unix_ms);
        self.0.insert(participant.to_owned(), at);
        Ok(at)
    }

    /// Whether a new event is discarded as its erased participant's ([`common::erased_event`]).
    fn discards(
        &mut self,
        conn: &Connection,
        caller: &StationContext,
        e: &OutboxEvent,
    ) -> Result<bool, StorageError> {
        let Some(p) = common::event_participant(&e.kind) else {
            return Ok(false);
        };
        let Some(at) = self.erased_at(conn, caller, p)? else {
            return Ok(false);
        };
        let on_roster = rows::on_roster(conn, &caller.program, p)?;
        Ok(common::erased_event(e.occurred_at, Some(at), on_roster))
    }
}

fn apply(
    conn: &Connection,
    caller: &StationContext,
    rules: &PointsRules,
    e: &OutboxEvent,
    now: Timestamp,
) -> Result<Ack, StorageError> {
    if let Some(p) = common::event_participant(&e.kind) {
        let held = matches!(
            e.kind,
            EventKind::ConsentRecorded(_) | EventKind::MeasurementRecorded(_)
        ) && enrolment::registration_held(conn, &caller.program, &caller.station, p)?;
        if common::unresolved_registration(&e.kind, held) {
            return Ok(common::held(e.id, HeldReason::RegistrationUnresolved));
        }
    }
    match &e.kind {
        EventKind::ParticipantRegistered(reg) => register(conn, caller, rules, e, reg, now),
        EventKind::ConsentRecorded(c) => consent(conn, caller, e, c),
        EventKind::MeasurementRecorded(m) => measurement(conn, caller, rules, e, m, now),
        EventKind::CardRevoked(c) => card_revoked(conn, caller, e, c, now),
        EventKind::CalibrationRecorded(c) => calibration(conn, caller, e, c, now),
    }
}

/// Judges a registration ([`common::registration_step`]); an accepted one goes on the roster
/// and gets its first card, issued as `admin card issue` does, in this transaction.
fn register(
    conn: &Connection,
    caller: &StationContext,
    points_rules: &PointsRules,
    e: &OutboxEvent,
    reg: &ParticipantRegistered,
    now: Timestamp,
) -> Result<Ack, StorageError> {
    let program = &caller.program;
    let rules = enrolment::rules_of(conn, program)?;
    let existing = rows::roster_entry(conn, program, &reg.participant)?;
    let ctx = RegistrationContext {
        rules: &rules,
        existing: existing.as_ref(),
        enrolled: enrolment::enrolled(conn, program)?,
        utc_offset_minutes: points_rules.utc_offset_minutes,
    };
    match common::registration_step(&ctx, reg, e.occurred_at) {
        RegistrationStep::Held(reason) => {
            enrolment::hold(
                conn,
                program,
                &caller.station,
                &reg.participant,
                e.id,
                reason,
                now,
            )?;
            Ok(common::held(e.id, reason))
        }
        RegistrationStep::Insert => {
            let entry = common::roster_entry(reg);
            rows::upsert_participant(conn, program, &entry, now)?;
            rows::append_change(conn, program, &ChangeKind::Participant(entry), now)?;
            let issue = common::registration_card_issue(points_rules, now)?;
            let issued = super::issue_card_in(conn, program, &reg.participant, issue, now)?;
            let id = CardId::of(&issued.token.fields());
            let actor = Actor::station(caller.station.as_str());
            let audit_entry =
                entries::card_issued(&actor, program, &reg.participant, id, &issued.revoked);
            super::audit::append(conn, &audit_entry, now)?;
            let card = common::ack_card(&issued.token, issue.expires_day);
            Ok(common::accepted_with_card(e.id, Some(card)))
        }
    }
}

fn consent(
    conn: &Connection,
    caller: &StationContext,
    e: &OutboxEvent,
    c: &ConsentRecorded,
) -> Result<Ack, StorageError> {
    if !rows::on_roster(conn, &caller.program, &c.participant)? {
        return Ok(common::held(e.id, HeldReason::UnknownParticipant));
    }
    conn.prepare_cached(
        "INSERT INTO consents
             (id, program, participant, action, granted, refused, document_hashes, method,
              station, decided_at, event_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![
        c.consent_id.to_string(),
        caller.program.as_str(),
        c.participant,
        c.action.name(),
        to_json(&c.granted)?,
        to_json(&c.refused)?,
        to_json(&c.document_hashes)?,
        method_name(c.method),
        caller.station.as_str(),
        e.occurred_at.as_unix_ms(),
        e.id.0.to_string()
    ])?;
    Ok(common::accepted(e.id, None))
}

fn method_name(method: ConsentMethod) -> &'static str {
    match method {
        ConsentMethod::OnScreen => "on_screen",
        ConsentMethod::StaffWitnessedPaper => "staff_witnessed_paper",
    }
}

fn measurement(
    conn: &Connection,
    caller: &StationContext,
    rules: &PointsRules,
    e: &OutboxEvent,
    m: &MeasurementRecorded,
    now: Timestamp,
) -> Result<Ack, StorageError> {
    let program = &caller.program;
    let status = rows::roster_entry(conn, program, &m.participant)?.map(|r| r.status);
    let latest: Option<String> = conn
        .prepare_cached(
            "SELECT action FROM consents
             WHERE program = ?1 AND participant = ?2 AND decided_at <= ?3
             ORDER BY decided_at DESC, rowid DESC LIMIT 1",
        )?
        .query_row(
            params![program.as_str(), m.participant, m.taken_at.as_unix_ms()],
            |r| r.get(0),
        )
        .optional()?;
    let latest = latest
        .map(|a| ConsentAction::from_name(&a).ok_or_else(|| rows::corrupt("consent action", &a)))
        .transpose()?;
    if let Err(reason) = common::measurement_gate(status, latest) {
        return Ok(common::held(e.id, reason));
    }
    let inserted = conn
        .prepare_cached(
            "INSERT INTO measurements
             (id, program, participant, station, taken_at, weight_only, reading_json,
              analyzer_model, analyzer_serial, raw_frame, raw_frame_dropped, event_id, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![
            m.measurement_id.to_string(),
            program.as_str(),
            m.participant,
            caller.station.as_str(),
            m.taken_at.as_unix_ms(),
            m.weight_only,
            to_json(&m.values)?,
            m.analyzer_model,
            m.analyzer_serial,
            m.raw_frame,
            m.raw_frame_dropped,
            e.id.0.to_string(),
            now.as_unix_ms()
        ])?;
    if inserted == 0 {
        // The same measurement under another event id: stored once, paid once.
        return Ok(common::accepted(e.id, None));
    }
    let month_key = rules.month_key(m.taken_at);
    let prior = rows::prior_awards(conn, program, &m.participant, &month_key)?;
    let decision = decide(rules, m.taken_at, &prior);
    for a in &decision.awards {
        conn.prepare_cached(
            "INSERT INTO awards
                 (id, program, participant, measurement_id, rule_id, period_key, month_key,
                  points, awarded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            common::new_id(now).to_string(),
            program.as_str(),
            m.participant,
            m.measurement_id.to_string(),
            a.rule_id,
            a.period_key,
            decision.month_key,
            a.points,
            now.as_unix_ms()
        ])?;
    }
    let balance = rows::balance(conn, program, &m.participant)?;
    Ok(common::accepted(
        e.id,
        Some(common::points_award(&decision, balance)),
    ))
}

fn card_revoked(
    conn: &Connection,
    caller: &StationContext,
    e: &OutboxEvent,
    c: &CardEvent,
    now: Timestamp,
) -> Result<Ack, StorageError> {
    let program = &caller.program;
    if !rows::on_roster(conn, program, &c.participant)? {
        return Ok(common::held(e.id, HeldReason::UnknownParticipant));
    }
    // A card id the server never wrote names no card: nothing to revoke.
    let Ok(id) = c.card_id.parse::<CardId>() else {
        return Ok(common::accepted(e.id, None));
    };
    let existing = rows::card(conn, program, id)?;
    let stored = existing.as_ref().map(|(p, s)| StoredCard {
        participant: p,
        status: *s,
    });
    match common::card_step(stored, &c.participant) {
        CardStep::Conflict => Ok(common::held(e.id, HeldReason::CardConflict)),
        CardStep::Nothing => Ok(common::accepted(e.id, None)),
        CardStep::Revoke => {
            rows::set_card_status(conn, program, id, CardStatus::Revoked, now)?;
            if let Some(state) = rows::card_state(conn, program, id)? {
                rows::append_change(conn, program, &ChangeKind::Card(state), now)?;
            }
            Ok(common::accepted(e.id, None))
        }
    }
}

fn calibration(
    conn: &Connection,
    caller: &StationContext,
    e: &OutboxEvent,
    c: &CalibrationRecorded,
    now: Timestamp,
) -> Result<Ack, StorageError> {
    conn.prepare_cached(
        "INSERT INTO calibrations
             (event_id, program, station, analyzer_model, analyzer_serial, body, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (event_id) DO NOTHING",
    )?
    .execute(params![
        e.id.0.to_string(),
        caller.program.as_str(),
        caller.station.as_str(),
        c.analyzer_model,
        c.analyzer_serial,
        to_json(c)?,
        now.as_unix_ms()
    ])?;
    Ok(common::accepted(e.id, None))
}
