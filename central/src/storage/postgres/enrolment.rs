//! Enrolment in PostgreSQL: the tables of schema version 4 (registration rules, held
//! registrations), the look-ups ingest makes, and the program office's reads and writes
//! ([`EnrolmentStorage`]).
//!
//! Deliberately not here: judging a registration (`storage::common`) and the ingest itself.

use super::feed::{insert, reserve};
use super::{audit, codec, db_error, program_not_found, PgResult, PostgresStorage};
use crate::ids::{ProgramId, StationId};
use crate::storage::audit::entries;
use crate::storage::enrolment::{self, CalibrationEntry, EnrolmentStorage, HeldRegistration};
use crate::storage::StorageError;
use deadpool_postgres::GenericClient;
use hakaru_wire::api::{ChangeKind, RegistrationRules};
use hakaru_wire::{EventId, Timestamp};
use std::collections::HashSet;
use uuid::Uuid;

/// The tables (part of schema version 4).
pub(super) const SCHEMA: &str = r#"
-- The program's registration rules (absent: RegistrationRules::default()).
CREATE TABLE registration_rules (
    program    TEXT PRIMARY KEY REFERENCES programs (id),
    body       JSONB NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Registrations the server held: that station's later consents and readings for the number
-- are held too (never merged into another record).
CREATE TABLE held_registrations (
    event_id    UUID PRIMARY KEY,
    program     TEXT NOT NULL REFERENCES programs (id),
    station     TEXT NOT NULL REFERENCES stations (id),
    participant TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          BIGINT NOT NULL,
    arrival     BIGSERIAL NOT NULL
);
CREATE INDEX held_registrations_station ON held_registrations (program, station, participant);
CREATE INDEX calibrations_program ON calibrations (program, station, recorded_at);
"#;

/// The program's registration rules (the default when none were set).
pub(super) async fn rules_of(
    client: &impl GenericClient,
    program: &ProgramId,
) -> PgResult<RegistrationRules> {
    let row = client
        .query_opt(
            "SELECT body FROM registration_rules WHERE program = $1",
            &[&program.as_str()],
        )
        .await
        .map_err(db_error)?;
    row.map_or_else(
        || Ok(RegistrationRules::default()),
        |r| {
            serde_json::from_value(r.get::<_, serde_json::Value>(0))
                .map_err(|_| codec::corrupt("registration rules"))
        },
    )
}

/// Participants on the program's roster (every status).
pub(super) async fn enrolled(client: &impl GenericClient, program: &ProgramId) -> PgResult<u64> {
    let n: i64 = client
        .query_one(
            "SELECT COUNT(*) FROM participants WHERE program = $1",
            &[&program.as_str()],
        )
        .await
        .map_err(db_error)?
        .get(0);
    Ok(crate::storage::common::to_u64(n))
}

/// Which of `participants` have a registration from `station` held.
pub(super) async fn held_of(
    client: &impl GenericClient,
    program: &ProgramId,
    station: &StationId,
    participants: &[&str],
) -> PgResult<HashSet<String>> {
    if participants.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(client
        .query(
            "SELECT DISTINCT participant FROM held_registrations \
             WHERE program = $1 AND station = $2 AND participant = ANY($3)",
            &[&program.as_str(), &station.as_str(), &participants],
        )
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// A held registration to write.
pub(super) struct HeldRow {
    pub event: EventId,
    pub participant: String,
    pub reason: hakaru_wire::api::HeldReason,
}

/// Writes the batch's held registrations.
pub(super) async fn hold(
    client: &impl GenericClient,
    program: &ProgramId,
    station: &StationId,
    rows: &[HeldRow],
    now: Timestamp,
) -> PgResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.event.0).collect();
    let participants: Vec<&str> = rows.iter().map(|r| r.participant.as_str()).collect();
    let reasons: Vec<String> = rows
        .iter()
        .map(|r| codec::held_reason_name(r.reason))
        .collect();
    client
        .execute(
            "INSERT INTO held_registrations (event_id, program, station, participant, reason, at) \
             SELECT i, $1, $2, p, r, $6 \
             FROM unnest($3::uuid[], $4::text[], $5::text[]) WITH ORDINALITY AS h (i, p, r, n) \
             ORDER BY n \
             ON CONFLICT (event_id) DO NOTHING",
            &[
                &program.as_str(),
                &station.as_str(),
                &ids,
                &participants,
                &reasons,
                &now.as_unix_ms(),
            ],
        )
        .await
        .map_err(db_error)?;
    Ok(())
}

fn station_id(text: &str) -> PgResult<StationId> {
    StationId::new(text).map_err(|_| codec::corrupt("station id"))
}

fn program_id(text: &str) -> PgResult<ProgramId> {
    ProgramId::new(text).map_err(|_| codec::corrupt("program id"))
}

async fn require_program(client: &impl GenericClient, program: &ProgramId) -> PgResult<()> {
    client
        .query_opt("SELECT 1 FROM programs WHERE id = $1", &[&program.as_str()])
        .await
        .map_err(db_error)?
        .map(drop)
        .ok_or_else(|| program_not_found(program))
}

#[async_trait::async_trait]
impl EnrolmentStorage for PostgresStorage {
    async fn set_registration_rules(
        &self,
        program: &ProgramId,
        rules: &RegistrationRules,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        enrolment::check_rules(rules)?;
        let body = serde_json::to_value(rules)
            .map_err(|e| StorageError::Backend(format!("rules to JSON: {e}")))?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        // The program row first (the feed's lock order), then the rules.
        let first = reserve(&tx, program, 1).await?;
        tx.execute(
            "INSERT INTO registration_rules (program, body, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (program) DO UPDATE SET body = excluded.body, \
                 updated_at = excluded.updated_at",
            &[&program.as_str(), &body, &now.as_unix_ms()],
        )
        .await
        .map_err(db_error)?;
        insert(
            &tx,
            program,
            first,
            &[ChangeKind::RegistrationRules(rules.clone())],
            now,
        )
        .await?;
        let entry = entries::registration_rules_set(self.actor(), program, rules);
        audit::append(&tx, &entry, now).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn registration_rules(
        &self,
        program: &ProgramId,
    ) -> Result<RegistrationRules, StorageError> {
        let client = self.client().await?;
        require_program(&client, program).await?;
        rules_of(&client, program).await
    }

    async fn held_registrations(
        &self,
        program: Option<&ProgramId>,
    ) -> Result<Vec<HeldRegistration>, StorageError> {
        let client = self.client().await?;
        if let Some(p) = program {
            require_program(&client, p).await?;
        }
        let rows = client
            .query(
                "SELECT program, station, participant, event_id, reason, at \
                 FROM held_registrations WHERE $1::text IS NULL OR program = $1 \
                 ORDER BY at, arrival",
                &[&program.map(ProgramId::as_str)],
            )
            .await
            .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                Ok(HeldRegistration {
                    program: program_id(r.get(0))?,
                    station: station_id(r.get(1))?,
                    participant: r.get(2),
                    event_id: EventId(r.get(3)),
                    reason: codec::held_reason_from(r.get(4))?,
                    at: Timestamp::from_unix_ms(r.get(5)),
                })
            })
            .collect()
    }

    async fn calibrations(
        &self,
        program: Option<&ProgramId>,
        station: Option<&StationId>,
    ) -> Result<Vec<CalibrationEntry>, StorageError> {
        let client = self.client().await?;
        if let Some(p) = program {
            require_program(&client, p).await?;
        }
        let rows = client
            .query(
                "SELECT k.event_id, k.program, k.station, e.occurred_at, k.record::text \
                 FROM calibrations k JOIN events e ON e.id = k.event_id \
                 WHERE ($1::text IS NULL OR k.program = $1) AND ($2::text IS NULL OR k.station = $2) \
                 ORDER BY e.occurred_at DESC, e.arrival DESC",
                &[&program.map(ProgramId::as_str), &station.map(StationId::as_str)],
            )
            .await
            .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                Ok(CalibrationEntry {
                    event_id: EventId(r.get(0)),
                    program: program_id(r.get(1))?,
                    station: station_id(r.get(2))?,
                    checked_at: Timestamp::from_unix_ms(r.get(3)),
                    record: serde_json::from_str(r.get::<_, &str>(4))
                        .map_err(|_| codec::corrupt("calibration record"))?,
                })
            })
            .collect()
    }
}
