//! Rights requests (開示・訂正・削除・利用停止・同意撤回): the request ledger with its due dates, and what carrying one out writes — on postgres: its tables (part of schema version 3) and queries.
//!
//! Deliberately not here: the rules (`storage::rights`).

use super::{codec, db_error, ensure_program, feed, PgResult, PostgresStorage};
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
use deadpool_postgres::GenericClient;
use hakaru_wire::api::{
    ChangeKind, ParticipantRemoved, ParticipantStatus, RemovalReason, RosterEntry,
};
use hakaru_wire::Timestamp;
use serde_json::json;
use tokio_postgres::Row;
use uuid::Uuid;

/// The tables: the request ledger (no foreign key to the roster: a request outlives the
/// participant's erasure), corrections with their old values (deleted with the participant), and
/// each station's highest change-feed cursor (what "confirmed by its next sync" is read from).
pub(super) const SCHEMA: &str = r#"
CREATE TABLE rights_requests (
    id               UUID PRIMARY KEY,
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
    decided_at       BIGINT,
    carried_out_at   BIGINT,
    change_seq       BIGINT,
    opened_at        BIGINT NOT NULL
);
CREATE INDEX rights_requests_by_participant ON rights_requests (program, participant, opened_at);

CREATE TABLE rights_corrections (
    id          UUID PRIMARY KEY,
    request     UUID NOT NULL REFERENCES rights_requests (id),
    program     TEXT NOT NULL,
    participant TEXT NOT NULL,
    field       TEXT NOT NULL,
    old_value   TEXT NOT NULL,
    new_value   TEXT NOT NULL,
    at          BIGINT NOT NULL,
    arrival     BIGSERIAL NOT NULL
);
CREATE INDEX rights_corrections_by_participant ON rights_corrections (program, participant, at);

CREATE TABLE operator_tokens (
    id          TEXT PRIMARY KEY,
    program     TEXT NOT NULL REFERENCES programs (id),
    label       TEXT NOT NULL,
    secret_hash BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE station_feed_cursors (
    station TEXT PRIMARY KEY REFERENCES stations (id),
    since   BIGINT NOT NULL CHECK (since >= 0),
    at      BIGINT NOT NULL
);
"#;

/// Records the `since` a station pulled the change feed with (kept: the highest), inside the
/// pull's transaction.
pub(super) async fn record_feed_cursor(
    client: &impl GenericClient,
    station: &StationId,
    since: u64,
    now: Timestamp,
) -> PgResult<()> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO station_feed_cursors (station, since, at) VALUES ($1, $2, $3) \
             ON CONFLICT (station) DO UPDATE SET \
                 since = GREATEST(station_feed_cursors.since, EXCLUDED.since), at = EXCLUDED.at",
        )
        .await
        .map_err(db_error)?;
    client
        .execute(
            &stmt,
            &[&station.as_str(), &common::to_i64(since), &now.as_unix_ms()],
        )
        .await
        .map_err(db_error)?;
    Ok(())
}

const REQUEST_COLUMNS: &str = "id, program, participant, kind, received, identity_check, due, \
    extension_days, extension_reason, outcome, note, decided_at, carried_out_at, change_seq, \
    opened_at";

fn request_from_row(row: &Row) -> PgResult<RightsRequest> {
    let kind: String = row.get(3);
    let ext_days: Option<i32> = row.get(7);
    let outcome: Option<String> = row.get(9);
    let decided_at: Option<i64> = row.get(11);
    let carried_at: Option<i64> = row.get(12);
    let seq: Option<i64> = row.get(13);
    let decision = match (outcome, decided_at) {
        (Some(o), Some(at)) => Some(DecisionRecord {
            outcome: Outcome::from_name(&o).ok_or_else(|| codec::corrupt("outcome"))?,
            note: row.get::<_, Option<String>>(10).unwrap_or_default(),
            decided_at: Timestamp::from_unix_ms(at),
        }),
        _ => None,
    };
    Ok(RightsRequest {
        id: row.get(0),
        program: row.get(1),
        participant: row.get(2),
        kind: RequestKind::from_name(&kind).ok_or_else(|| codec::corrupt("request kind"))?,
        received: row.get(4),
        identity_check: row.get(5),
        due: row.get(6),
        extension: ext_days.map(|days| Extension {
            days: u32::try_from(days).unwrap_or(0),
            reason: row.get::<_, Option<String>>(8).unwrap_or_default(),
        }),
        decision,
        carried_out: carried_at.map(|at| CarriedOut {
            at: Timestamp::from_unix_ms(at),
            change_seq: seq.map(common::to_u64),
        }),
        opened_at: Timestamp::from_unix_ms(row.get(14)),
    })
}

async fn request(client: &impl GenericClient, id: Uuid) -> PgResult<Option<RightsRequest>> {
    client
        .query_opt(
            &format!("SELECT {REQUEST_COLUMNS} FROM rights_requests WHERE id = $1"),
            &[&id],
        )
        .await
        .map_err(db_error)?
        .map(|row| request_from_row(&row))
        .transpose()
}

/// The request, locked for the rest of the transaction.
async fn existing_for_update(client: &impl GenericClient, id: Uuid) -> PgResult<RightsRequest> {
    client
        .query_opt(
            &format!("SELECT {REQUEST_COLUMNS} FROM rights_requests WHERE id = $1 FOR UPDATE"),
            &[&id],
        )
        .await
        .map_err(db_error)?
        .map(|row| request_from_row(&row))
        .transpose()?
        .ok_or_else(|| r::no_request(id))
}

async fn existing(client: &impl GenericClient, id: Uuid) -> PgResult<RightsRequest> {
    request(client, id).await?.ok_or_else(|| r::no_request(id))
}

async fn requests_of(
    client: &impl GenericClient,
    program: &ProgramId,
    participant: Option<&str>,
) -> PgResult<Vec<RightsRequest>> {
    client
        .query(
            &format!(
                "SELECT {REQUEST_COLUMNS} FROM rights_requests \
                 WHERE program = $1 AND ($2::text IS NULL OR participant = $2) \
                 ORDER BY opened_at, id"
            ),
            &[&program.as_str(), &participant],
        )
        .await
        .map_err(db_error)?
        .iter()
        .map(request_from_row)
        .collect()
}

fn no_participant() -> StorageError {
    StorageError::NotFound {
        what: "participant",
        id: "<redacted>".into(),
    }
}

async fn roster_entry(
    client: &impl GenericClient,
    program: &ProgramId,
    participant: &str,
) -> PgResult<Option<RosterEntry>> {
    client
        .query_opt(
            &format!(
                "SELECT {} FROM participants WHERE program = $1 AND participant = $2 FOR UPDATE",
                codec::ROSTER_COLUMNS
            ),
            &[&program.as_str(), &participant],
        )
        .await
        .map_err(db_error)?
        .map(|row| codec::roster_from_row(&row))
        .transpose()
}

async fn put_entry(
    client: &impl GenericClient,
    program: &ProgramId,
    entry: RosterEntry,
    now: Timestamp,
) -> PgResult<u64> {
    // Lock order as everywhere: the program row (the feed) before the participant row.
    let seq = feed::reserve(client, program, 1).await?;
    feed::upsert_participants(client, program, std::slice::from_ref(&entry), now).await?;
    feed::insert(client, program, seq, &[ChangeKind::Participant(entry)], now).await?;
    Ok(common::to_u64(seq))
}

async fn withdraw(
    tx: &impl GenericClient,
    actor: &Actor,
    request: &RightsRequest,
    program: &ProgramId,
    now: Timestamp,
) -> PgResult<u64> {
    let p = request.participant.as_str();
    let mut entry = roster_entry(tx, program, p)
        .await?
        .ok_or_else(no_participant)?;
    // The withdrawal names the documents and purposes of the consent it withdraws.
    let latest = tx
        .query_opt(
            "SELECT granted, document_hashes FROM consents \
             WHERE program = $1 AND participant = $2 AND action = 'given' \
             ORDER BY decided_at DESC, arrival DESC LIMIT 1",
            &[&program.as_str(), &p],
        )
        .await
        .map_err(db_error)?;
    let (refused, hashes): (serde_json::Value, serde_json::Value) = match latest {
        Some(row) => (row.get(0), row.get(1)),
        None => (json!([]), json!([])),
    };
    let consent_id = common::new_id(now);
    tx.execute(
        "INSERT INTO consents (consent_id, program, participant, action, granted, refused, \
             document_hashes, method, station, decided_at) \
         VALUES ($1, $2, $3, 'withdrawn', '[]'::jsonb, $4, $5, 'staff_witnessed_paper', \
             'central', $6)",
        &[
            &consent_id,
            &program.as_str(),
            &p,
            &refused,
            &hashes,
            &now.as_unix_ms(),
        ],
    )
    .await
    .map_err(db_error)?;
    entry.status = ParticipantStatus::Withdrawn;
    let seq = put_entry(tx, program, entry, now).await?;
    super::audit::append(
        tx,
        &AuditEntry::new(
            actor,
            "consent_withdrawn",
            json!({ "request": request.id, "participant": p, "consent": consent_id }),
        ),
        now,
    )
    .await?;
    Ok(seq)
}

async fn stop(
    tx: &impl GenericClient,
    actor: &Actor,
    request: &RightsRequest,
    program: &ProgramId,
    now: Timestamp,
) -> PgResult<u64> {
    let p = request.participant.as_str();
    let mut entry = roster_entry(tx, program, p)
        .await?
        .ok_or_else(no_participant)?;
    entry.status = ParticipantStatus::Stopped;
    let seq = put_entry(tx, program, entry, now).await?;
    super::audit::append(
        tx,
        &AuditEntry::new(
            actor,
            "participant_stopped",
            json!({ "request": request.id, "participant": p }),
        ),
        now,
    )
    .await?;
    Ok(seq)
}

async fn correct(
    tx: &impl GenericClient,
    actor: &Actor,
    request: &RightsRequest,
    program: &ProgramId,
    correction: &r::ProfileCorrection,
    now: Timestamp,
) -> PgResult<u64> {
    let p = request.participant.as_str();
    let entry = roster_entry(tx, program, p)
        .await?
        .ok_or_else(no_participant)?;
    let (next, changes) = correction.apply(&entry)?;
    let mut named = Vec::new();
    for change in &changes {
        let id = common::new_id(now);
        tx.execute(
            "INSERT INTO rights_corrections \
                 (id, request, program, participant, field, old_value, new_value, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &id,
                &request.id,
                &program.as_str(),
                &p,
                &change.field,
                &change.old,
                &change.new,
                &now.as_unix_ms(),
            ],
        )
        .await
        .map_err(db_error)?;
        named.push(json!({ "field": change.field, "correction": id }));
    }
    let seq = put_entry(tx, program, next, now).await?;
    // The audit row names the fields and the corrections, never a value: the old and new values
    // are in `rights_corrections`, where an erasure can reach them.
    super::audit::append(
        tx,
        &AuditEntry::new(
            actor,
            "participant_corrected",
            json!({ "request": request.id, "participant": p, "fields": named }),
        ),
        now,
    )
    .await?;
    Ok(seq)
}

async fn erase(
    tx: &impl GenericClient,
    actor: &Actor,
    request: &RightsRequest,
    program: &ProgramId,
    now: Timestamp,
) -> PgResult<u64> {
    let p = request.participant.as_str();
    // The program row first, then the participant's roster row (the order ingest takes them:
    // station → program → participants), so an upload racing the erasure either commits before
    // it (and its rows are deleted here) or waits and then sees the erasure.
    let seq = feed::reserve(tx, program, 1).await?;
    tx.query_opt(
        "SELECT 1 FROM participants WHERE program = $1 AND participant = $2 FOR UPDATE",
        &[&program.as_str(), &p],
    )
    .await
    .map_err(db_error)?;
    let mut counts = serde_json::Map::new();
    for (name, sql) in [
        (
            "awards",
            "DELETE FROM awards WHERE program = $1 AND participant = $2",
        ),
        (
            "measurements",
            "DELETE FROM measurements WHERE program = $1 AND participant = $2",
        ),
        (
            "consents",
            "DELETE FROM consents WHERE program = $1 AND participant = $2",
        ),
        (
            "exchanges",
            "DELETE FROM exchanges WHERE program = $1 AND participant = $2",
        ),
        (
            "cards",
            "DELETE FROM cards WHERE program = $1 AND participant = $2",
        ),
        (
            "card_holders",
            "DELETE FROM card_holders WHERE program = $1 AND participant = $2",
        ),
        (
            "corrections",
            "DELETE FROM rights_corrections WHERE program = $1 AND participant = $2",
        ),
        (
            "held_registrations",
            "DELETE FROM held_registrations WHERE program = $1 AND participant = $2",
        ),
        (
            "participants",
            "DELETE FROM participants WHERE program = $1 AND participant = $2",
        ),
        // Replays of their events are still answered from the stored acknowledgement.
        (
            "event_payloads",
            "UPDATE events SET payload = '{}'::json \
             WHERE program = $1 AND payload->>'participant' = $2",
        ),
    ] {
        let n = tx
            .execute(sql, &[&program.as_str(), &p])
            .await
            .map_err(db_error)?;
        counts.insert(name.into(), json!(n));
    }
    let tombstone = ChangeKind::ParticipantRemoved(ParticipantRemoved {
        participant: p.to_owned(),
        reason: RemovalReason::Erased,
    });
    let body = serde_json::to_value(&tombstone)
        .map_err(|e| StorageError::Backend(format!("change to JSON: {e}")))?;
    // Older feed bodies carrying their profile or cards become the removal itself.
    let rewritten = tx
        .execute(
            "UPDATE changes SET body = $3 \
             WHERE program = $1 AND body->>'type' IN ('participant', 'card') \
               AND body->>'participant' = $2",
            &[&program.as_str(), &p, &body],
        )
        .await
        .map_err(db_error)?;
    counts.insert("feed_bodies".into(), json!(rewritten));
    feed::insert(tx, program, seq, &[tombstone], now).await?;
    super::audit::append(
        tx,
        &AuditEntry::new(
            actor,
            "participant_erased",
            json!({ "request": request.id, "participant": p, "removed": counts }),
        ),
        now,
    )
    .await?;
    Ok(common::to_u64(seq))
}

async fn corrections_of(
    client: &impl GenericClient,
    program: &ProgramId,
    participant: &str,
) -> PgResult<Vec<CorrectionRecord>> {
    Ok(client
        .query(
            "SELECT id, request, field, old_value, new_value, at FROM rights_corrections \
             WHERE program = $1 AND participant = $2 ORDER BY at, arrival",
            &[&program.as_str(), &participant],
        )
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| CorrectionRecord {
            id: r.get(0),
            request: r.get(1),
            field: r.get(2),
            old: r.get(3),
            new: r.get(4),
            at: Timestamp::from_unix_ms(r.get(5)),
        })
        .collect())
}

fn strings(value: serde_json::Value) -> PgResult<Vec<String>> {
    serde_json::from_value(value).map_err(|_| codec::corrupt("list"))
}

async fn gather(
    tx: &impl GenericClient,
    program: &ProgramId,
    participant: &str,
    now: Timestamp,
) -> PgResult<Disclosure> {
    let (prog, p) = (program.as_str(), participant);
    let profile = tx
        .query_opt(
            &format!(
                "SELECT {} FROM participants WHERE program = $1 AND participant = $2",
                codec::ROSTER_COLUMNS
            ),
            &[&prog, &p],
        )
        .await
        .map_err(db_error)?
        .map(|row| codec::roster_from_row(&row))
        .transpose()?;
    let measurements = tx
        .query(
            "SELECT id, taken_at, station, weight_only, reading::text, analyzer_model, \
                 analyzer_serial \
             FROM measurements WHERE program = $1 AND participant = $2 \
             ORDER BY taken_at DESC, arrival DESC",
            &[&prog, &p],
        )
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| {
            Ok(DisclosedMeasurement {
                id: r.get(0),
                taken_at: Timestamp::from_unix_ms(r.get(1)),
                station: r.get(2),
                weight_only: r.get(3),
                values: serde_json::from_str(r.get(4)).map_err(|_| codec::corrupt("reading"))?,
                analyzer_model: r.get(5),
                analyzer_serial: r.get(6),
            })
        })
        .collect::<PgResult<Vec<_>>>()?;
    let consents = tx
        .query(
            "SELECT consent_id, action, granted, refused, document_hashes, method, station, \
                 decided_at \
             FROM consents WHERE program = $1 AND participant = $2 ORDER BY decided_at, arrival",
            &[&prog, &p],
        )
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| {
            Ok(DisclosedConsent {
                id: r.get(0),
                action: r.get(1),
                granted: strings(r.get(2))?,
                refused: strings(r.get(3))?,
                document_hashes: strings(r.get(4))?,
                method: r.get(5),
                station: r.get(6),
                decided_at: Timestamp::from_unix_ms(r.get(7)),
            })
        })
        .collect::<PgResult<Vec<_>>>()?;
    let cards = tx
        .query(
            "SELECT holder, serial, issued_day, expires_day, status FROM cards \
             WHERE program = $1 AND participant = $2 ORDER BY holder, serial",
            &[&prog, &p],
        )
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| {
            let (holder, serial, issued, expires): (i64, i32, i32, Option<i32>) =
                (r.get(0), r.get(1), r.get(2), r.get(3));
            Ok(DisclosedCard {
                card_id: format!("{holder}-{serial}"),
                issued: Date::from_days(i64::from(issued)).to_string(),
                expires: expires.map(|d| Date::from_days(i64::from(d)).to_string()),
                status: codec::card_status_from(r.get(4))?,
            })
        })
        .collect::<PgResult<Vec<_>>>()?;
    let awards = tx
        .query(
            "SELECT rule_id, period_key, points, awarded_at, cancelled_reason FROM awards \
             WHERE program = $1 AND participant = $2 ORDER BY awarded_at, arrival",
            &[&prog, &p],
        )
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| DisclosedAward {
            rule_id: r.get(0),
            period_key: r.get(1),
            points: r.get(2),
            awarded_at: Timestamp::from_unix_ms(r.get(3)),
            cancelled: r.get(4),
        })
        .collect();
    let exchanges = tx
        .query(
            "SELECT units, points, at FROM exchanges \
             WHERE program = $1 AND participant = $2 ORDER BY at, id",
            &[&prog, &p],
        )
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| DisclosedExchange {
            units: r.get(0),
            points: r.get(1),
            at: Timestamp::from_unix_ms(r.get(2)),
        })
        .collect();
    let transfers = tx
        .query(
            "SELECT at, station, direction, label, items FROM ledger \
             WHERE program = $1 AND $2 = ANY (participants) ORDER BY at, id",
            &[&prog, &p],
        )
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| {
            let direction: String = r.get(2);
            Ok(DisclosedTransfer {
                at: Timestamp::from_unix_ms(r.get(0)),
                station: r.get(1),
                direction: Direction::from_name(&direction)
                    .ok_or_else(|| codec::corrupt("direction"))?,
                label: r.get(3),
                items: r.get(4),
            })
        })
        .collect::<PgResult<Vec<_>>>()?;
    Ok(Disclosure {
        program: prog.to_owned(),
        participant: p.to_owned(),
        generated_at: now,
        profile,
        measurements,
        consents,
        cards,
        points: DisclosedPoints {
            balance: super::balance::balance(tx, program, p).await?,
            awards,
            exchanges,
        },
        transfers,
        exports: Vec::new(),
        corrections: corrections_of(tx, program, p).await?,
        rights_requests: requests_of(tx, program, Some(p)).await?,
    })
}

#[async_trait::async_trait]
impl RightsStorage for PostgresStorage {
    async fn open_rights_request(
        &self,
        request: &NewRightsRequest,
        now: Timestamp,
    ) -> Result<RightsRequest, StorageError> {
        r::check_new(request)?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        ensure_program(&tx, &request.program).await?;
        let id = common::new_id(now);
        tx.execute(
            "INSERT INTO rights_requests \
                 (id, program, participant, kind, received, identity_check, due, opened_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &id,
                &request.program.as_str(),
                &request.participant,
                &request.kind.name(),
                &request.received.to_string(),
                &request.identity_check,
                &dates::due_date(request.received).to_string(),
                &now.as_unix_ms(),
            ],
        )
        .await
        .map_err(db_error)?;
        super::audit::append(
            &tx,
            &AuditEntry::new(
                self.actor(),
                "rights_request_opened",
                json!({ "request": id, "participant": request.participant, "kind": request.kind.name() }),
            ),
            now,
        )
        .await?;
        let out = existing(&tx, id).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(out)
    }

    async fn rights_requests(
        &self,
        program: &ProgramId,
        participant: Option<&str>,
    ) -> Result<Vec<RightsRequest>, StorageError> {
        let client = self.client().await?;
        ensure_program(&client, program).await?;
        requests_of(&client, program, participant).await
    }

    async fn rights_request(&self, id: Uuid) -> Result<Option<RightsRequest>, StorageError> {
        let client = self.client().await?;
        request(&client, id).await
    }

    async fn extend_rights_request(
        &self,
        id: Uuid,
        days: u32,
        reason: &str,
        now: Timestamp,
    ) -> Result<RightsRequest, StorageError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        let req = existing_for_update(&tx, id).await?;
        let due = r::check_extension(&req, days, reason)?;
        tx.execute(
            "UPDATE rights_requests SET due = $2, extension_days = $3, extension_reason = $4 \
             WHERE id = $1",
            &[
                &id,
                &due.to_string(),
                &i32::try_from(days).unwrap_or(0),
                &reason,
            ],
        )
        .await
        .map_err(db_error)?;
        super::audit::append(
            &tx,
            &AuditEntry::new(
                self.actor(),
                "rights_request_extended",
                json!({ "request": id, "participant": req.participant, "days": days }),
            ),
            now,
        )
        .await?;
        let out = existing(&tx, id).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(out)
    }

    async fn decide_rights_request(
        &self,
        id: Uuid,
        outcome: Outcome,
        note: &str,
        now: Timestamp,
    ) -> Result<RightsRequest, StorageError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        let req = existing_for_update(&tx, id).await?;
        r::check_decision(&req, outcome, note)?;
        tx.execute(
            "UPDATE rights_requests SET outcome = $2, note = $3, decided_at = $4 WHERE id = $1",
            &[&id, &outcome.name(), &note, &now.as_unix_ms()],
        )
        .await
        .map_err(db_error)?;
        super::audit::append(
            &tx,
            &AuditEntry::new(
                self.actor(),
                "rights_request_decided",
                json!({ "request": id, "participant": req.participant, "outcome": outcome.name() }),
            ),
            now,
        )
        .await?;
        let out = existing(&tx, id).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(out)
    }

    async fn carry_out_rights_request(
        &self,
        id: Uuid,
        action: &CarryOut,
        now: Timestamp,
    ) -> Result<RightsRequest, StorageError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        let req = existing_for_update(&tx, id).await?;
        r::check_carry_out(&req, action)?;
        let program = ProgramId::new(&req.program).map_err(|_| codec::corrupt("program id"))?;
        let actor = self.actor();
        let seq = match action {
            CarryOut::Withdrawal => withdraw(&tx, actor, &req, &program, now).await?,
            CarryOut::StopUse => stop(&tx, actor, &req, &program, now).await?,
            CarryOut::Correction(fix) => correct(&tx, actor, &req, &program, fix, now).await?,
            CarryOut::Deletion => erase(&tx, actor, &req, &program, now).await?,
        };
        tx.execute(
            "UPDATE rights_requests SET carried_out_at = $2, change_seq = $3 WHERE id = $1",
            &[&id, &now.as_unix_ms(), &common::to_i64(seq)],
        )
        .await
        .map_err(db_error)?;
        let out = existing(&tx, id).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(out)
    }

    async fn rights_propagation(&self, id: Uuid) -> Result<Vec<StationConfirmation>, StorageError> {
        let client = self.client().await?;
        let req = existing(&client, id).await?;
        let seq = req.carried_out.as_ref().and_then(|d| d.change_seq);
        client
            .query(
                "SELECT s.id, f.since, f.at FROM stations s \
                 LEFT JOIN station_feed_cursors f ON f.station = s.id \
                 WHERE s.program = $1 ORDER BY s.id",
                &[&req.program],
            )
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| {
                let since: Option<i64> = r.get(1);
                let since = since.map(common::to_u64);
                let at: Option<i64> = r.get(2);
                Ok(StationConfirmation {
                    station: StationId::new(r.get(0)).map_err(|_| codec::corrupt("station id"))?,
                    last_since: since,
                    last_pull_at: at.map(Timestamp::from_unix_ms),
                    confirmed: matches!((seq, since), (Some(seq), Some(since)) if since >= seq),
                })
            })
            .collect()
    }

    async fn rights_corrections(
        &self,
        program: &ProgramId,
        participant: &str,
    ) -> Result<Vec<CorrectionRecord>, StorageError> {
        let client = self.client().await?;
        corrections_of(&client, program, participant).await
    }

    async fn disclosure(
        &self,
        program: &ProgramId,
        participant: &str,
        now: Timestamp,
    ) -> Result<Disclosure, StorageError> {
        // Export records live with the exports (read first; the bundle and its audit row are
        // one transaction).
        let exports = exports_of(
            crate::storage::export::ExportStorage::transfers_of(self, program, participant).await?,
        );
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        ensure_program(&tx, program).await?;
        let mut bundle = gather(&tx, program, participant, now).await?;
        bundle.exports = exports;
        super::audit::append(
            &tx,
            &AuditEntry::new(
                self.actor(),
                "participant_disclosed",
                json!({ "participant": participant }),
            ),
            now,
        )
        .await?;
        tx.commit().await.map_err(db_error)?;
        Ok(bundle)
    }

    async fn add_operator_token(
        &self,
        program: &ProgramId,
        id: &str,
        label: &str,
        secret_hash: &[u8],
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        ensure_program(&tx, program).await?;
        tx.execute(
            "INSERT INTO operator_tokens (id, program, label, secret_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &id,
                &program.as_str(),
                &label,
                &secret_hash,
                &now.as_unix_ms(),
            ],
        )
        .await
        .map_err(db_error)?;
        super::audit::append(
            &tx,
            &AuditEntry::new(
                self.actor(),
                "operator_token_issued",
                json!({ "token": id, "program": program.as_str() }),
            ),
            now,
        )
        .await?;
        tx.commit().await.map_err(db_error)
    }

    async fn revoke_operator_token(&self, id: &str, now: Timestamp) -> Result<(), StorageError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        let n = tx
            .execute(
                "UPDATE operator_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1",
                &[&id, &now.as_unix_ms()],
            )
            .await
            .map_err(db_error)?;
        if n == 0 {
            return Err(StorageError::NotFound {
                what: "operator token",
                id: id.to_owned(),
            });
        }
        super::audit::append(
            &tx,
            &AuditEntry::new(
                self.actor(),
                "operator_token_revoked",
                json!({ "token": id }),
            ),
            now,
        )
        .await?;
        tx.commit().await.map_err(db_error)
    }

    async fn operator_token(&self, id: &str) -> Result<Option<OperatorTokenRecord>, StorageError> {
        let client = self.client().await?;
        client
            .query_opt(
                "SELECT program, label, secret_hash, revoked_at FROM operator_tokens WHERE id = $1",
                &[&id],
            )
            .await
            .map_err(db_error)?
            .map(|r| {
                let revoked: Option<i64> = r.get(3);
                Ok(OperatorTokenRecord {
                    id: id.to_owned(),
                    program: ProgramId::new(r.get(0)).map_err(|_| codec::corrupt("program id"))?,
                    label: r.get(1),
                    secret_hash: r.get(2),
                    revoked_at: revoked.map(Timestamp::from_unix_ms),
                })
            })
            .transpose()
    }

    fn rights_as(&self, actor: Actor) -> std::sync::Arc<dyn RightsStorage> {
        std::sync::Arc::new(self.clone().acting_as(actor))
    }
}
