//! Enrolment on SQLite: the tables of schema version 4 (registration rules, held
//! registrations), the look-ups ingest makes, and the program office's reads and writes
//! ([`EnrolmentStorage`]).
//!
//! Deliberately not here: judging a registration (`storage::common`) and the ingest itself.

use super::rows::{self, corrupt, json_err, require_program, to_json};
use super::{audit, SqliteStorage};
use crate::ids::{ProgramId, StationId};
use crate::storage::audit::entries;
use crate::storage::enrolment::{self, CalibrationEntry, EnrolmentStorage, HeldRegistration};
use crate::storage::StorageError;
use hakaru_wire::api::{ChangeKind, HeldReason, RegistrationRules};
use hakaru_wire::{EventId, Timestamp};
use rusqlite::{params, Connection, OptionalExtension};

/// The tables (part of schema version 4).
pub(super) const SCHEMA: &str = r#"
-- The program's registration rules (absent: RegistrationRules::default()). body is JSON.
CREATE TABLE registration_rules (
    program    TEXT PRIMARY KEY REFERENCES programs (id),
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Registrations the server held: that station's later consents and readings for the number
-- are held too (never merged into another record). reason is the HeldReason as JSON.
CREATE TABLE held_registrations (
    event_id    TEXT PRIMARY KEY,
    program     TEXT NOT NULL REFERENCES programs (id),
    station     TEXT NOT NULL REFERENCES stations (id),
    participant TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX held_registrations_by_station ON held_registrations (program, station, participant);
CREATE INDEX calibrations_by_program ON calibrations (program, station, recorded_at);
"#;

/// The program's registration rules (the default when none were set).
pub(super) fn rules_of(
    conn: &Connection,
    program: &ProgramId,
) -> Result<RegistrationRules, StorageError> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM registration_rules WHERE program = ?1")?
        .query_row([program.as_str()], |r| r.get(0))
        .optional()?;
    body.map_or_else(
        || Ok(RegistrationRules::default()),
        |b| serde_json::from_str(&b).map_err(json_err),
    )
}

/// Participants on the program's roster (every status).
pub(super) fn enrolled(conn: &Connection, program: &ProgramId) -> Result<u64, StorageError> {
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM participants WHERE program = ?1")?
        .query_row([program.as_str()], |r| r.get(0))?;
    Ok(crate::storage::common::to_u64(n))
}

/// Whether a registration of `participant` from `station` was held.
pub(super) fn registration_held(
    conn: &Connection,
    program: &ProgramId,
    station: &StationId,
    participant: &str,
) -> Result<bool, StorageError> {
    let found: Option<i64> = conn
        .prepare_cached(
            "SELECT 1 FROM held_registrations
             WHERE program = ?1 AND station = ?2 AND participant = ?3 LIMIT 1",
        )?
        .query_row(
            params![program.as_str(), station.as_str(), participant],
            |r| r.get(0),
        )
        .optional()?;
    Ok(found.is_some())
}

/// Records a held registration.
pub(super) fn hold(
    conn: &Connection,
    program: &ProgramId,
    station: &StationId,
    participant: &str,
    event: EventId,
    reason: HeldReason,
    now: Timestamp,
) -> Result<(), StorageError> {
    conn.prepare_cached(
        "INSERT INTO held_registrations (event_id, program, station, participant, reason, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (event_id) DO NOTHING",
    )?
    .execute(params![
        event.0.to_string(),
        program.as_str(),
        station.as_str(),
        participant,
        to_json(&reason)?,
        now.as_unix_ms()
    ])?;
    Ok(())
}

fn station_id(text: &str) -> Result<StationId, StorageError> {
    StationId::new(text).map_err(|_| corrupt("station id", text))
}

fn program_id(text: &str) -> Result<ProgramId, StorageError> {
    ProgramId::new(text).map_err(|_| corrupt("program id", text))
}

fn event_id(text: &str) -> Result<EventId, StorageError> {
    uuid::Uuid::parse_str(text)
        .map(EventId)
        .map_err(|_| corrupt("event id", text))
}

#[async_trait::async_trait]
impl EnrolmentStorage for SqliteStorage {
    async fn set_registration_rules(
        &self,
        program: &ProgramId,
        rules: &RegistrationRules,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        enrolment::check_rules(rules)?;
        let (program, rules) = (program.clone(), rules.clone());
        let actor = self.actor().clone();
        self.write(move |c| {
            require_program(c, &program)?;
            c.execute(
                "INSERT INTO registration_rules (program, body, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (program) DO UPDATE SET body = excluded.body,
                     updated_at = excluded.updated_at",
                params![program.as_str(), to_json(&rules)?, now.as_unix_ms()],
            )?;
            let entry = entries::registration_rules_set(&actor, &program, &rules);
            audit::append(c, &entry, now)?;
            rows::append_change(c, &program, &ChangeKind::RegistrationRules(rules), now)?;
            Ok(())
        })
        .await
    }

    async fn registration_rules(
        &self,
        program: &ProgramId,
    ) -> Result<RegistrationRules, StorageError> {
        let program = program.clone();
        self.read(move |c| {
            require_program(c, &program)?;
            rules_of(c, &program)
        })
        .await
    }

    async fn held_registrations(
        &self,
        program: Option<&ProgramId>,
    ) -> Result<Vec<HeldRegistration>, StorageError> {
        let program = program.cloned();
        self.read(move |c| {
            if let Some(p) = &program {
                require_program(c, p)?;
            }
            let mut stmt = c.prepare(
                "SELECT program, station, participant, event_id, reason, at
                 FROM held_registrations WHERE ?1 IS NULL OR program = ?1
                 ORDER BY at, rowid",
            )?;
            let rows = stmt.query_map([program.as_ref().map(|p| p.as_str())], |r| {
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
                let (program, station, participant, id, reason, at) = row?;
                out.push(HeldRegistration {
                    program: program_id(&program)?,
                    station: station_id(&station)?,
                    participant,
                    event_id: event_id(&id)?,
                    reason: serde_json::from_str(&reason).map_err(json_err)?,
                    at: Timestamp::from_unix_ms(at),
                });
            }
            Ok(out)
        })
        .await
    }

    async fn calibrations(
        &self,
        program: Option<&ProgramId>,
        station: Option<&StationId>,
    ) -> Result<Vec<CalibrationEntry>, StorageError> {
        let (program, station) = (program.cloned(), station.cloned());
        self.read(move |c| {
            if let Some(p) = &program {
                require_program(c, p)?;
            }
            let mut stmt = c.prepare(
                "SELECT k.event_id, k.program, k.station, e.occurred_at, k.body
                 FROM calibrations k JOIN events e ON e.id = k.event_id
                 WHERE (?1 IS NULL OR k.program = ?1) AND (?2 IS NULL OR k.station = ?2)
                 ORDER BY e.occurred_at DESC, k.rowid DESC",
            )?;
            let rows = stmt.query_map(
                params![
                    program.as_ref().map(|p| p.as_str()),
                    station.as_ref().map(|s| s.as_str())
                ],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )?;
            let mut out = Vec::new();
            for row in rows {
                let (id, program, station, at, body) = row?;
                out.push(CalibrationEntry {
                    event_id: event_id(&id)?,
                    program: program_id(&program)?,
                    station: station_id(&station)?,
                    checked_at: Timestamp::from_unix_ms(at),
                    record: serde_json::from_str(&body).map_err(json_err)?,
                });
            }
            Ok(out)
        })
        .await
    }
}
