//! Analysis exports and transfer records on SQLite: the `export_transfers` table (part of schema
//! version 3), the export's source query, and per-participant listing and purging of both
//! transfer tables (`ledger` participants are a JSON array: `json_each`).
//!
//! Deliberately not here: the rules (`storage::export`) and the files (`crate::export`).

use super::rows::{corrupt, json_err, require_program, to_json};
use super::SqliteStorage;
use crate::ids::{ProgramId, StationId};
use crate::storage::audit::AuditEntry;
use crate::storage::export::{
    export_audit_detail, normalised, ExportKind, ExportRequest, ExportRunError, ExportSourceRow,
    ExportStorage, ExportWriter, TransferKind, TransferRecord, AUDIT_EXPORTED, AUDIT_PURGED,
};
use crate::storage::{Direction, StorageError};
use hakaru_wire::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

/// The tables: exports as transfer records; an index for purging the ledger by age.
pub(super) const SCHEMA: &str = r#"
CREATE TABLE export_transfers (
    id           INTEGER PRIMARY KEY,
    program      TEXT NOT NULL REFERENCES programs (id),
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('pseudonymised', 'anonymized')),
    purpose      TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    label        TEXT NOT NULL,
    participants TEXT NOT NULL,
    items        TEXT NOT NULL
) STRICT;
CREATE INDEX export_transfers_by_program ON export_transfers (program, at, id);
CREATE INDEX export_transfers_by_at ON export_transfers (at);
CREATE INDEX ledger_by_at ON ledger (at);
"#;

fn source_rows(
    conn: &Connection,
    program: &ProgramId,
    purpose: &str,
) -> Result<Vec<ExportSourceRow>, StorageError> {
    // The latest consent decides (ties: the later row), as at ingest.
    let mut stmt = conn.prepare_cached(
        "SELECT m.participant, p.birth_date, p.sex, s.municipality, m.taken_at, m.weight_only,
                m.reading_json
         FROM measurements m
         JOIN participants p ON p.program = m.program AND p.number = m.participant
         JOIN stations s ON s.id = m.station
         WHERE m.program = ?1 AND p.status = 'active'
           AND (SELECT c.action = 'given'
                       AND EXISTS (SELECT 1 FROM json_each(c.granted) WHERE value = ?2)
                FROM consents c
                WHERE c.program = m.program AND c.participant = m.participant
                ORDER BY c.decided_at DESC, c.rowid DESC LIMIT 1) = 1
         ORDER BY m.taken_at, m.id",
    )?;
    let rows = stmt.query_map(params![program.as_str(), purpose], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, bool>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (participant, birth_date, sex, municipality, taken_at, weight_only, json) = row?;
        out.push(ExportSourceRow {
            participant,
            birth_date,
            sex,
            municipality,
            taken_at: Timestamp::from_unix_ms(taken_at),
            weight_only,
            reading: serde_json::from_str(&json).map_err(json_err)?,
        });
    }
    Ok(out)
}

fn require_purpose(
    conn: &Connection,
    program: &ProgramId,
    purpose: &str,
) -> Result<(), StorageError> {
    conn.prepare_cached("SELECT 1 FROM purposes WHERE program = ?1 AND id = ?2")?
        .query_row(params![program.as_str(), purpose], |_| Ok(()))
        .optional()?
        .ok_or_else(|| StorageError::NotFound {
            what: "purpose",
            id: purpose.to_owned(),
        })
}

type Raw = (i64, String, String, String, String, String, String);

fn export_record(program: ProgramId, raw: Raw) -> Result<TransferRecord, StorageError> {
    let (at, kind, purpose, recipient, label, participants, items) = raw;
    Ok(TransferRecord {
        at: Timestamp::from_unix_ms(at),
        program,
        kind: TransferKind::Export {
            kind: ExportKind::from_name(&kind).ok_or_else(|| corrupt("export kind", &kind))?,
            purpose,
            recipient,
        },
        label,
        participants: serde_json::from_str(&participants).map_err(json_err)?,
        items: serde_json::from_str(&items).map_err(json_err)?,
    })
}

fn exports(
    conn: &Connection,
    program: &ProgramId,
    since: Timestamp,
    participant: Option<&str>,
) -> Result<Vec<TransferRecord>, StorageError> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, kind, purpose, recipient, label, participants, items FROM export_transfers
         WHERE program = ?1 AND at >= ?2
           AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(participants) WHERE value = ?3))
         ORDER BY at, id",
    )?;
    let rows = stmt.query_map(
        params![program.as_str(), since.as_unix_ms(), participant],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        },
    )?;
    let mut out = Vec::new();
    for row in rows {
        out.push(export_record(program.clone(), row?)?);
    }
    Ok(out)
}

fn station_transfers_of(
    conn: &Connection,
    program: &ProgramId,
    participant: &str,
) -> Result<Vec<TransferRecord>, StorageError> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, station, direction, label, participants, items FROM ledger
         WHERE program = ?1
           AND EXISTS (SELECT 1 FROM json_each(ledger.participants) WHERE value = ?2)
         ORDER BY at, id",
    )?;
    let rows = stmt.query_map(params![program.as_str(), participant], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (at, station, direction, label, participants, items) = row?;
        out.push(TransferRecord {
            at: Timestamp::from_unix_ms(at),
            program: program.clone(),
            kind: TransferKind::Station {
                station: StationId::new(&station).map_err(|_| corrupt("station id", &station))?,
                direction: Direction::from_name(&direction)
                    .ok_or_else(|| corrupt("direction", &direction))?,
            },
            label,
            participants: serde_json::from_str(&participants).map_err(json_err)?,
            items: serde_json::from_str(&items).map_err(json_err)?,
        });
    }
    Ok(out)
}

#[async_trait::async_trait]
impl ExportStorage for SqliteStorage {
    async fn run_export(
        &self,
        request: &ExportRequest,
        now: Timestamp,
        write: ExportWriter,
    ) -> Result<TransferRecord, ExportRunError> {
        let request = request.clone();
        let actor = self.actor().clone();
        // The writer's failure travels out of the transaction as this, rolling it back.
        let failed = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
        let failed_in = std::sync::Arc::clone(&failed);
        let result = self
            .write(move |c| {
                require_program(c, &request.program)?;
                require_purpose(c, &request.program, &request.purpose)?;
                let source = source_rows(c, &request.program, &request.purpose)?;
                let mut outcome = match write(source) {
                    Ok(o) => o,
                    Err(message) => {
                        if let Ok(mut slot) = failed_in.lock() {
                            *slot = Some(message);
                        }
                        return Err(StorageError::Invalid("export writer failed".into()));
                    }
                };
                outcome.participants = normalised(outcome.participants);
                outcome.items = normalised(outcome.items);
                let label = request.kind.label();
                c.prepare_cached(
                    "INSERT INTO export_transfers
                         (program, at, kind, purpose, recipient, label, participants, items)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    request.program.as_str(),
                    now.as_unix_ms(),
                    request.kind.name(),
                    request.purpose,
                    request.recipient,
                    label,
                    to_json(&outcome.participants)?,
                    to_json(&outcome.items)?,
                ])?;
                super::audit::append(
                    c,
                    &AuditEntry::new(
                        &actor,
                        AUDIT_EXPORTED,
                        export_audit_detail(&request, &outcome),
                    ),
                    now,
                )?;
                Ok(TransferRecord {
                    at: now,
                    program: request.program.clone(),
                    kind: TransferKind::Export {
                        kind: request.kind,
                        purpose: request.purpose.clone(),
                        recipient: request.recipient.clone(),
                    },
                    label: label.to_owned(),
                    participants: outcome.participants,
                    items: outcome.items,
                })
            })
            .await;
        match result {
            Ok(record) => Ok(record),
            Err(e) => match failed.lock().ok().and_then(|mut s| s.take()) {
                Some(message) => Err(ExportRunError::Write(message)),
                None => Err(e.into()),
            },
        }
    }

    async fn export_transfers(
        &self,
        program: &ProgramId,
        since: Timestamp,
    ) -> Result<Vec<TransferRecord>, StorageError> {
        let program = program.clone();
        self.read(move |c| {
            require_program(c, &program)?;
            exports(c, &program, since, None)
        })
        .await
    }

    async fn transfers_of(
        &self,
        program: &ProgramId,
        participant: &str,
    ) -> Result<Vec<TransferRecord>, StorageError> {
        let program = program.clone();
        let participant = participant.to_owned();
        self.read(move |c| {
            require_program(c, &program)?;
            let mut all = station_transfers_of(c, &program, &participant)?;
            all.extend(exports(
                c,
                &program,
                Timestamp::from_unix_ms(i64::MIN),
                Some(&participant),
            )?);
            all.sort_by_key(|r| r.at);
            Ok(all)
        })
        .await
    }

    async fn purge_transfer_records(
        &self,
        before: Timestamp,
        now: Timestamp,
    ) -> Result<u64, StorageError> {
        let actor = self.actor().clone();
        self.write(move |c| {
            let ledger = c
                .prepare_cached("DELETE FROM ledger WHERE at < ?1")?
                .execute(params![before.as_unix_ms()])?;
            let exports = c
                .prepare_cached("DELETE FROM export_transfers WHERE at < ?1")?
                .execute(params![before.as_unix_ms()])?;
            let count = (ledger + exports) as u64;
            super::audit::append(
                c,
                &AuditEntry::new(
                    &actor,
                    AUDIT_PURGED,
                    serde_json::json!({
                        "before": before.as_unix_ms(),
                        "count": count,
                        "ledger": ledger,
                        "exports": exports,
                    }),
                ),
                now,
            )?;
            Ok(count)
        })
        .await
    }
}
