//! Rights requests (開示・訂正・削除・利用停止・同意撤回): the request ledger with its due dates, and what carrying one out writes — on sqlite: its tables (part of schema version 3) and queries.
//!
//! Deliberately not here: the rules (`storage::rights`).

use super::rows::{self, json_err, require_program, to_json};
use super::SqliteStorage;
use crate::ids::{ProgramId, StationId};
use crate::rights::dates::{self, Date};
use crate::rights::disclosure::{
    exports_of, DisclosedAward, DisclosedCard, DisclosedConsent, DisclosedExchange,
    DisclosedMeasurement, DisclosedPoints, DisclosedTransfer, Disclosure,
};
use crate::storage::audit::{Actor, AuditEntry};
use crate::storage::common;
use crate::storage::rights::OperatorTokenRecord;
use crate::storage::rights::{
    self as r, CarriedOut, CarryOut, CorrectionRecord, DecisionRecord, Extension, NewRightsRequest,
    Outcome, RequestKind, RightsRequest, RightsStorage, StationConfirmation,
};
use crate::storage::{Direction, StorageError};
use hakaru_wire::api::{ChangeKind, ParticipantRemoved, ParticipantStatus, RemovalReason};
use hakaru_wire::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::json;
use uuid::Uuid;

/// The tables: the request ledger (no foreign key to the roster: a request outlives the
/// participant's erasure), corrections with their old values (deleted with the participant), and
/// each station's highest change-feed cursor (what "confirmed by its next sync" is read from).
pub(super) const SCHEMA: &str = r#"
CREATE TABLE rights_requests (
    id               TEXT PRIMARY KEY,
    program          TEXT NOT NULL REFERENCES programs (id),
    participant      TEXT NOT NULL,
    kind             TEXT NOT NULL
        CHECK (kind IN ('disclosure', 'correction', 'deletion', 'stop_use', 'withdrawal')),
    received         TEXT NOT NULL,
    identity_check   TEXT NOT NULL,
    due              TEXT NOT NULL,
    extension_days   INTEGER CHECK (extension_days BETWEEN 1 AND 30),
    extension_reason TEXT,
    outcome          TEXT CHECK (outcome IN ('granted', 'partly_granted', 'refused')),
    note             TEXT,
    decided_at       INTEGER,
    carried_out_at   INTEGER,
    change_seq       INTEGER,
    opened_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX rights_requests_by_participant ON rights_requests (program, participant, opened_at);

CREATE TABLE rights_corrections (
    id          TEXT PRIMARY KEY,
    request     TEXT NOT NULL REFERENCES rights_requests (id),
    program     TEXT NOT NULL,
    participant TEXT NOT NULL,
    field       TEXT NOT NULL,
    old_value   TEXT NOT NULL,
    new_value   TEXT NOT NULL,
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX rights_corrections_by_participant ON rights_corrections (program, participant, at);

CREATE TABLE operator_tokens (
    id          TEXT PRIMARY KEY,
    program     TEXT NOT NULL REFERENCES programs (id),
    label       TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
) STRICT;

CREATE TABLE station_feed_cursors (
    station TEXT PRIMARY KEY REFERENCES stations (id),
    since   INTEGER NOT NULL CHECK (since >= 0),
    at      INTEGER NOT NULL
) STRICT;
"#;

/// Records the `since` a station pulled the change feed with (kept: the highest), inside the
/// pull's transaction.
pub(super) fn record_feed_cursor(
    conn: &Connection,
    station: &StationId,
    since: u64,
    now: Timestamp,
) -> Result<(), StorageError> {
    conn.prepare_cached(
        "INSERT INTO station_feed_cursors (station, since, at) VALUES (?1, ?2, ?3)
         ON CONFLICT (station) DO UPDATE SET since = MAX(since, excluded.since), at = excluded.at",
    )?
    .execute(params![
        station.as_str(),
        common::to_i64(since),
        now.as_unix_ms()
    ])?;
    Ok(())
}

const REQUEST_COLUMNS: &str = "id, program, participant, kind, received, identity_check, due,
    extension_days, extension_reason, outcome, note, decided_at, carried_out_at, change_seq,
    opened_at";

fn request_from_row(row: &Row<'_>) -> rusqlite::Result<Result<RightsRequest, StorageError>> {
    let id: String = row.get(0)?;
    let kind: String = row.get(3)?;
    let ext_days: Option<i64> = row.get(7)?;
    let ext_reason: Option<String> = row.get(8)?;
    let outcome: Option<String> = row.get(9)?;
    let note: Option<String> = row.get(10)?;
    let decided_at: Option<i64> = row.get(11)?;
    let carried_at: Option<i64> = row.get(12)?;
    let seq: Option<i64> = row.get(13)?;
    let (program, participant, received, identity_check, due, opened_at): (
        String,
        String,
        String,
        String,
        String,
        i64,
    ) = (
        row.get(1)?,
        row.get(2)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(14)?,
    );
    Ok((|| {
        let decision = match (outcome, decided_at) {
            (Some(o), Some(at)) => Some(DecisionRecord {
                outcome: Outcome::from_name(&o).ok_or_else(|| rows::corrupt("outcome", &o))?,
                note: note.unwrap_or_default(),
                decided_at: Timestamp::from_unix_ms(at),
            }),
            _ => None,
        };
        Ok(RightsRequest {
            id: Uuid::parse_str(&id).map_err(|_| rows::corrupt("uuid", &id))?,
            program,
            participant,
            kind: RequestKind::from_name(&kind).ok_or_else(|| rows::corrupt("kind", &kind))?,
            received,
            identity_check,
            due,
            extension: ext_days.map(|days| Extension {
                days: u32::try_from(days).unwrap_or(0),
                reason: ext_reason.unwrap_or_default(),
            }),
            decision,
            carried_out: carried_at.map(|at| CarriedOut {
                at: Timestamp::from_unix_ms(at),
                change_seq: seq.map(common::to_u64),
            }),
            opened_at: Timestamp::from_unix_ms(opened_at),
        })
    })())
}

fn request(conn: &Connection, id: Uuid) -> Result<Option<RightsRequest>, StorageError> {
    conn.prepare_cached(&format!(
        "SELECT {REQUEST_COLUMNS} FROM rights_requests WHERE id = ?1"
    ))?
    .query_row([id.to_string()], request_from_row)
    .optional()?
    .transpose()
}

fn existing(conn: &Connection, id: Uuid) -> Result<RightsRequest, StorageError> {
    request(conn, id)?.ok_or_else(|| r::no_request(id))
}

fn requests_of(
    conn: &Connection,
    program: &ProgramId,
    participant: Option<&str>,
) -> Result<Vec<RightsRequest>, StorageError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {REQUEST_COLUMNS} FROM rights_requests
         WHERE program = ?1 AND (?2 IS NULL OR participant = ?2) ORDER BY opened_at, id"
    ))?;
    let rows = stmt.query_map(params![program.as_str(), participant], request_from_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row??);
    }
    Ok(out)
}

fn program_of(request: &RightsRequest) -> Result<ProgramId, StorageError> {
    ProgramId::new(&request.program).map_err(|_| rows::corrupt("program id", &request.program))
}

fn no_participant() -> StorageError {
    StorageError::NotFound {
        what: "participant",
        id: "<redacted>".into(),
    }
}

/// Sets a participant's status and sends the roster change; returns its seq.
fn set_status(
    conn: &Connection,
    program: &ProgramId,
    participant: &str,
    status: ParticipantStatus,
    now: Timestamp,
) -> Result<u64, StorageError> {
    let mut entry = rows::roster_entry(conn, program, participant)?.ok_or_else(no_participant)?;
    entry.status = status;
    rows::upsert_participant(conn, program, &entry, now)?;
    rows::append_change(conn, program, &ChangeKind::Participant(entry), now)
}

fn withdraw(
    conn: &Connection,
    actor: &Actor,
    request: &RightsRequest,
    program: &ProgramId,
    now: Timestamp,
) -> Result<u64, StorageError> {
    let p = request.participant.as_str();
    if !rows::on_roster(conn, program, p)? {
        return Err(no_participant());
    }
    // The withdrawal names the documents and purposes of the consent it withdraws.
    let latest: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT granted, document_hashes FROM consents
             WHERE program = ?1 AND participant = ?2 AND action = 'given'
             ORDER BY decided_at DESC, rowid DESC LIMIT 1",
        )?
        .query_row(params![program.as_str(), p], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (refused, hashes) = latest.unwrap_or_else(|| ("[]".into(), "[]".into()));
    let consent_id = common::new_id(now);
    conn.prepare_cached(
        "INSERT INTO consents
             (id, program, participant, action, granted, refused, document_hashes, method,
              station, decided_at, event_id)
         VALUES (?1, ?2, ?3, 'withdrawn', '[]', ?4, ?5, 'staff_witnessed_paper', 'central', ?6, ?7)",
    )?
    .execute(params![
        consent_id.to_string(),
        program.as_str(),
        p,
        refused,
        hashes,
        now.as_unix_ms(),
        common::new_id(now).to_string()
    ])?;
    let seq = set_status(conn, program, p, ParticipantStatus::Withdrawn, now)?;
    super::audit::append(
        conn,
        &AuditEntry::new(
            actor,
            "consent_withdrawn",
            json!({ "request": request.id, "participant": p, "consent": consent_id }),
        ),
        now,
    )?;
    Ok(seq)
}

fn correct(
    conn: &Connection,
    actor: &Actor,
    request: &RightsRequest,
    program: &ProgramId,
    correction: &r::ProfileCorrection,
    now: Timestamp,
) -> Result<u64, StorageError> {
    let p = request.participant.as_str();
    let entry = rows::roster_entry(conn, program, p)?.ok_or_else(no_participant)?;
    let (next, changes) = correction.apply(&entry)?;
    let mut named = Vec::new();
    for change in &changes {
        let id = common::new_id(now);
        conn.prepare_cached(
            "INSERT INTO rights_corrections
                 (id, request, program, participant, field, old_value, new_value, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            id.to_string(),
            request.id.to_string(),
            program.as_str(),
            p,
            change.field,
            change.old,
            change.new,
            now.as_unix_ms()
        ])?;
        named.push(json!({ "field": change.field, "correction": id }));
    }
    rows::upsert_participant(conn, program, &next, now)?;
    let seq = rows::append_change(conn, program, &ChangeKind::Participant(next), now)?;
    // The audit row names the fields and the corrections, never a value: the old and new values
    // are in `rights_corrections`, where an erasure can reach them.
    super::audit::append(
        conn,
        &AuditEntry::new(
            actor,
            "participant_corrected",
            json!({ "request": request.id, "participant": p, "fields": named }),
        ),
        now,
    )?;
    Ok(seq)
}

fn erase(
    conn: &Connection,
    actor: &Actor,
    request: &RightsRequest,
    program: &ProgramId,
    now: Timestamp,
) -> Result<u64, StorageError> {
    let p = request.participant.as_str();
    let (prog, p_) = (program.as_str(), p);
    let mut counts = serde_json::Map::new();
    for (name, sql) in [
        (
            "awards",
            "DELETE FROM awards WHERE program = ?1 AND participant = ?2",
        ),
        (
            "measurements",
            "DELETE FROM measurements WHERE program = ?1 AND participant = ?2",
        ),
        (
            "consents",
            "DELETE FROM consents WHERE program = ?1 AND participant = ?2",
        ),
        (
            "exchanges",
            "DELETE FROM exchanges WHERE program = ?1 AND participant = ?2",
        ),
        (
            "cards",
            "DELETE FROM cards WHERE program = ?1 AND participant = ?2",
        ),
        (
            "card_holders",
            "DELETE FROM card_holders WHERE program = ?1 AND participant = ?2",
        ),
        (
            "corrections",
            "DELETE FROM rights_corrections WHERE program = ?1 AND participant = ?2",
        ),
        (
            "held_registrations",
            "DELETE FROM held_registrations WHERE program = ?1 AND participant = ?2",
        ),
        (
            "participants",
            "DELETE FROM participants WHERE program = ?1 AND number = ?2",
        ),
        // Replays of their events are still answered from the stored acknowledgement.
        (
            "event_payloads",
            "UPDATE events SET payload = '{}'
             WHERE program = ?1 AND json_extract(payload, '$.participant') = ?2",
        ),
    ] {
        let n = conn.execute(sql, params![prog, p_])?;
        counts.insert(name.into(), json!(n));
    }
    let tombstone = ChangeKind::ParticipantRemoved(ParticipantRemoved {
        participant: p.to_owned(),
        reason: RemovalReason::Erased,
    });
    // Older feed bodies carrying their profile or cards become the removal itself.
    let rewritten = conn.execute(
        "UPDATE changes SET body = ?3
         WHERE program = ?1 AND json_extract(body, '$.type') IN ('participant', 'card')
           AND json_extract(body, '$.participant') = ?2",
        params![prog, p_, to_json(&tombstone)?],
    )?;
    counts.insert("feed_bodies".into(), json!(rewritten));
    let seq = rows::append_change(conn, program, &tombstone, now)?;
    super::audit::append(
        conn,
        &AuditEntry::new(
            actor,
            "participant_erased",
            json!({ "request": request.id, "participant": p, "removed": counts }),
        ),
        now,
    )?;
    Ok(seq)
}

fn corrections_of(
    conn: &Connection,
    program: &ProgramId,
    participant: &str,
) -> Result<Vec<CorrectionRecord>, StorageError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, request, field, old_value, new_value, at FROM rights_corrections
         WHERE program = ?1 AND participant = ?2 ORDER BY at, rowid",
    )?;
    let rows = stmt.query_map(params![program.as_str(), participant], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, request, field, old, new, at) = row?;
        out.push(CorrectionRecord {
            id: Uuid::parse_str(&id).map_err(|_| rows::corrupt("uuid", &id))?,
            request: Uuid::parse_str(&request).map_err(|_| rows::corrupt("uuid", &request))?,
            field,
            old,
            new,
            at: Timestamp::from_unix_ms(at),
        });
    }
    Ok(out)
}

fn uuid(text: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(text).map_err(|_| rows::corrupt("uuid", text))
}

fn gather(
    conn: &Connection,
    program: &ProgramId,
    participant: &str,
    now: Timestamp,
) -> Result<Disclosure, StorageError> {
    let (prog, p) = (program.as_str(), participant);
    let profile = rows::roster_entry(conn, program, p)?;
    let mut measurements = Vec::new();
    {
        let mut stmt = conn.prepare(
            "SELECT id, taken_at, station, weight_only, reading_json, analyzer_model,
                    analyzer_serial
             FROM measurements WHERE program = ?1 AND participant = ?2
             ORDER BY taken_at DESC, rowid DESC",
        )?;
        let rows = stmt.query_map(params![prog, p], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        for row in rows {
            let (id, at, station, weight_only, values, model, serial) = row?;
            measurements.push(DisclosedMeasurement {
                id: uuid(&id)?,
                taken_at: Timestamp::from_unix_ms(at),
                station,
                weight_only,
                values: serde_json::from_str(&values).map_err(json_err)?,
                analyzer_model: model,
                analyzer_serial: serial,
            });
        }
    }
    let mut consents = Vec::new();
    {
        let mut stmt = conn.prepare(
            "SELECT id, action, granted, refused, document_hashes, method, station, decided_at
             FROM consents WHERE program = ?1 AND participant = ?2 ORDER BY decided_at, rowid",
        )?;
        let rows = stmt.query_map(params![prog, p], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })?;
        for row in rows {
            let (id, action, granted, refused, hashes, method, station, at) = row?;
            consents.push(DisclosedConsent {
                id: uuid(&id)?,
                action,
                granted: serde_json::from_str(&granted).map_err(json_err)?,
                refused: serde_json::from_str(&refused).map_err(json_err)?,
                document_hashes: serde_json::from_str(&hashes).map_err(json_err)?,
                method,
                station,
                decided_at: Timestamp::from_unix_ms(at),
            });
        }
    }
    let mut cards = Vec::new();
    {
        let mut stmt = conn.prepare(
            "SELECT holder, serial, issued_day, expires_day, status FROM cards
             WHERE program = ?1 AND participant = ?2 ORDER BY holder, serial",
        )?;
        let rows = stmt.query_map(params![prog, p], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        for row in rows {
            let (holder, serial, issued, expires, status) = row?;
            cards.push(DisclosedCard {
                card_id: format!("{holder}-{serial}"),
                issued: Date::from_days(issued).to_string(),
                expires: expires.map(|d| Date::from_days(d).to_string()),
                status: rows::card_status_from_name(&status)?,
            });
        }
    }
    let mut points = DisclosedPoints {
        balance: rows::balance(conn, program, p)?,
        ..DisclosedPoints::default()
    };
    {
        let mut stmt = conn.prepare(
            "SELECT rule_id, period_key, points, awarded_at, cancelled_reason FROM awards
             WHERE program = ?1 AND participant = ?2 ORDER BY awarded_at, rowid",
        )?;
        let rows = stmt.query_map(params![prog, p], |r| {
            Ok(DisclosedAward {
                rule_id: r.get(0)?,
                period_key: r.get(1)?,
                points: r.get(2)?,
                awarded_at: Timestamp::from_unix_ms(r.get(3)?),
                cancelled: r.get(4)?,
            })
        })?;
        points.awards = rows.collect::<Result<_, _>>()?;
        let mut stmt = conn.prepare(
            "SELECT units, points, at FROM exchanges
             WHERE program = ?1 AND participant = ?2 ORDER BY at, id",
        )?;
        let rows = stmt.query_map(params![prog, p], |r| {
            Ok(DisclosedExchange {
                units: r.get(0)?,
                points: r.get(1)?,
                at: Timestamp::from_unix_ms(r.get(2)?),
            })
        })?;
        points.exchanges = rows.collect::<Result<_, _>>()?;
    }
    let mut transfers = Vec::new();
    {
        let mut stmt = conn.prepare(
            "SELECT at, station, direction, label, items FROM ledger
             WHERE program = ?1
               AND EXISTS (SELECT 1 FROM json_each(ledger.participants) WHERE value = ?2)
             ORDER BY at, id",
        )?;
        let rows = stmt.query_map(params![prog, p], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        for row in rows {
            let (at, station, direction, label, items) = row?;
            transfers.push(DisclosedTransfer {
                at: Timestamp::from_unix_ms(at),
                station,
                direction: Direction::from_name(&direction)
                    .ok_or_else(|| rows::corrupt("direction", &direction))?,
                label,
                items: serde_json::from_str(&items).map_err(json_err)?,
            });
        }
    }
    Ok(Disclosure {
        program: prog.to_owned(),
        participant: p.to_owned(),
        generated_at: now,
        profile,
        measurements,
        consents,
        cards,
        points,
        transfers,
        exports: Vec::new(),
        corrections: corrections_of(conn, program, p)?,
        rights_requests: requests_of(conn, program, Some(p))?,
    })
}

#[async_trait::async_trait]
impl RightsStorage for SqliteStorage {
    async fn open_rights_request(
        &self,
        request: &NewRightsRequest,
        now: Timestamp,
    ) -> Result<RightsRequest, StorageError> {
        r::check_new(request)?;
        let (req, actor) = (request.clone(), self.actor().clone());
        self.write(move |c| {
            require_program(c, &req.program)?;
            let id = common::new_id(now);
            c.execute(
                "INSERT INTO rights_requests
                     (id, program, participant, kind, received, identity_check, due, opened_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    id.to_string(),
                    req.program.as_str(),
                    req.participant,
                    req.kind.name(),
                    req.received.to_string(),
                    req.identity_check,
                    dates::due_date(req.received).to_string(),
                    now.as_unix_ms()
                ],
            )?;
            super::audit::append(
                c,
                &AuditEntry::new(
                    &actor,
                    "rights_request_opened",
                    json!({ "request": id, "participant": req.participant, "kind": req.kind.name() }),
                ),
                now,
            )?;
            existing(c, id)
        })
        .await
    }

    async fn rights_requests(
        &self,
        program: &ProgramId,
        participant: Option<&str>,
    ) -> Result<Vec<RightsRequest>, StorageError> {
        let (program, participant) = (program.clone(), participant.map(str::to_owned));
        self.read(move |c| {
            require_program(c, &program)?;
            requests_of(c, &program, participant.as_deref())
        })
        .await
    }

    async fn rights_request(&self, id: Uuid) -> Result<Option<RightsRequest>, StorageError> {
        self.read(move |c| request(c, id)).await
    }

    async fn extend_rights_request(
        &self,
        id: Uuid,
        days: u32,
        reason: &str,
        now: Timestamp,
    ) -> Result<RightsRequest, StorageError> {
        let (reason, actor) = (reason.to_owned(), self.actor().clone());
        self.write(move |c| {
            let req = existing(c, id)?;
            let due = r::check_extension(&req, days, &reason)?;
            c.execute(
                "UPDATE rights_requests SET due = ?2, extension_days = ?3, extension_reason = ?4
                 WHERE id = ?1",
                params![id.to_string(), due.to_string(), days, reason],
            )?;
            super::audit::append(
                c,
                &AuditEntry::new(
                    &actor,
                    "rights_request_extended",
                    json!({ "request": id, "participant": req.participant, "days": days }),
                ),
                now,
            )?;
            existing(c, id)
        })
        .await
    }

    async fn decide_rights_request(
        &self,
        id: Uuid,
        outcome: Outcome,
        note: &str,
        now: Timestamp,
    ) -> Result<RightsRequest, StorageError> {
        let (note, actor) = (note.to_owned(), self.actor().clone());
        self.write(move |c| {
            let req = existing(c, id)?;
            r::check_decision(&req, outcome, &note)?;
            c.execute(
                "UPDATE rights_requests SET outcome = ?2, note = ?3, decided_at = ?4 WHERE id = ?1",
                params![id.to_string(), outcome.name(), note, now.as_unix_ms()],
            )?;
            super::audit::append(
                c,
                &AuditEntry::new(
                    &actor,
                    "rights_request_decided",
                    json!({ "request": id, "participant": req.participant, "outcome": outcome.name() }),
                ),
                now,
            )?;
            existing(c, id)
        })
        .await
    }

    async fn carry_out_rights_request(
        &self,
        id: Uuid,
        action: &CarryOut,
        now: Timestamp,
    ) -> Result<RightsRequest, StorageError> {
        let (action, actor) = (action.clone(), self.actor().clone());
        self.write(move |c| {
            let req = existing(c, id)?;
            r::check_carry_out(&req, &action)?;
            let program = program_of(&req)?;
            let seq = match &action {
                CarryOut::Withdrawal => withdraw(c, &actor, &req, &program, now)?,
                CarryOut::StopUse => {
                    let seq = set_status(
                        c,
                        &program,
                        &req.participant,
                        ParticipantStatus::Stopped,
                        now,
                    )?;
                    super::audit::append(
                        c,
                        &AuditEntry::new(
                            &actor,
                            "participant_stopped",
                            json!({ "request": id, "participant": req.participant }),
                        ),
                        now,
                    )?;
                    seq
                }
                CarryOut::Correction(fix) => correct(c, &actor, &req, &program, fix, now)?,
                CarryOut::Deletion => erase(c, &actor, &req, &program, now)?,
            };
            c.execute(
                "UPDATE rights_requests SET carried_out_at = ?2, change_seq = ?3 WHERE id = ?1",
                params![id.to_string(), now.as_unix_ms(), common::to_i64(seq)],
            )?;
            existing(c, id)
        })
        .await
    }

    async fn rights_propagation(&self, id: Uuid) -> Result<Vec<StationConfirmation>, StorageError> {
        self.read(move |c| {
            let req = existing(c, id)?;
            let seq = req.carried_out.as_ref().and_then(|d| d.change_seq);
            let mut stmt = c.prepare(
                "SELECT s.id, f.since, f.at FROM stations s
                 LEFT JOIN station_feed_cursors f ON f.station = s.id
                 WHERE s.program = ?1 ORDER BY s.id",
            )?;
            let rows = stmt.query_map([req.program.as_str()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (station, since, at) = row?;
                let since = since.map(common::to_u64);
                out.push(StationConfirmation {
                    station: StationId::new(&station)
                        .map_err(|_| rows::corrupt("station id", &station))?,
                    last_since: since,
                    last_pull_at: at.map(Timestamp::from_unix_ms),
                    confirmed: matches!((seq, since), (Some(seq), Some(since)) if since >= seq),
                });
            }
            Ok(out)
        })
        .await
    }

    async fn rights_corrections(
        &self,
        program: &ProgramId,
        participant: &str,
    ) -> Result<Vec<CorrectionRecord>, StorageError> {
        let (program, participant) = (program.clone(), participant.to_owned());
        self.read(move |c| corrections_of(c, &program, &participant))
            .await
    }

    async fn disclosure(
        &self,
        program: &ProgramId,
        participant: &str,
        now: Timestamp,
    ) -> Result<Disclosure, StorageError> {
        let (program, participant, actor) = (
            program.clone(),
            participant.to_owned(),
            self.actor().clone(),
        );
        // Export records live with the exports (read first; the bundle and its audit row are
        // one transaction).
        let exports = exports_of(
            crate::storage::export::ExportStorage::transfers_of(self, &program, &participant)
                .await?,
        );
        self.write(move |c| {
            require_program(c, &program)?;
            let mut bundle = gather(c, &program, &participant, now)?;
            bundle.exports = exports;
            super::audit::append(
                c,
                &AuditEntry::new(
                    &actor,
                    "participant_disclosed",
                    json!({ "participant": participant }),
                ),
                now,
            )?;
            Ok(bundle)
        })
        .await
    }

    async fn add_operator_token(
        &self,
        program: &ProgramId,
        id: &str,
        label: &str,
        secret_hash: &[u8],
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let (program, id, label, hash, actor) = (
            program.clone(),
            id.to_owned(),
            label.to_owned(),
            secret_hash.to_vec(),
            self.actor().clone(),
        );
        self.write(move |c| {
            require_program(c, &program)?;
            c.execute(
                "INSERT INTO operator_tokens (id, program, label, secret_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, program.as_str(), label, hash, now.as_unix_ms()],
            )?;
            super::audit::append(
                c,
                &AuditEntry::new(
                    &actor,
                    "operator_token_issued",
                    json!({ "token": id, "program": program.as_str() }),
                ),
                now,
            )?;
            Ok(())
        })
        .await
    }

    async fn revoke_operator_token(&self, id: &str, now: Timestamp) -> Result<(), StorageError> {
        let (id, actor) = (id.to_owned(), self.actor().clone());
        self.write(move |c| {
            let n = c.execute(
                "UPDATE operator_tokens SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
                params![id, now.as_unix_ms()],
            )?;
            if n == 0 {
                return Err(StorageError::NotFound {
                    what: "operator token",
                    id,
                });
            }
            super::audit::append(
                c,
                &AuditEntry::new(&actor, "operator_token_revoked", json!({ "token": id })),
                now,
            )?;
            Ok(())
        })
        .await
    }

    async fn operator_token(&self, id: &str) -> Result<Option<OperatorTokenRecord>, StorageError> {
        let id = id.to_owned();
        self.read(move |c| {
            let row = c
                .query_row(
                    "SELECT program, label, secret_hash, revoked_at FROM operator_tokens
                     WHERE id = ?1",
                    [&id],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, Vec<u8>>(2)?,
                            r.get::<_, Option<i64>>(3)?,
                        ))
                    },
                )
                .optional()?;
            row.map(|(program, label, secret_hash, revoked_at)| {
                Ok(OperatorTokenRecord {
                    id: id.clone(),
                    program: ProgramId::new(&program)
                        .map_err(|_| rows::corrupt("program id", &program))?,
                    label,
                    secret_hash,
                    revoked_at: revoked_at.map(Timestamp::from_unix_ms),
                })
            })
            .transpose()
        })
        .await
    }

    fn rights_as(&self, actor: Actor) -> std::sync::Arc<dyn RightsStorage> {
        std::sync::Arc::new(self.clone().acting_as(actor))
    }
}
