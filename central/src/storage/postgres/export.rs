//! Analysis exports and transfer records on PostgreSQL: the `export_transfers` table (part of
//! schema version 3), the export's source query, and per-participant listing and purging of
//! both transfer tables (`participants` are `TEXT[]`: `$1 = ANY(participants)`).
//!
//! Deliberately not here: the rules (`storage::export`) and the files (`crate::export`).

use super::{codec, db_error, ensure_program, ledger, PgResult, PostgresStorage};
use crate::ids::ProgramId;
use crate::storage::audit::AuditEntry;
use crate::storage::export::{
    export_audit_detail, normalised, ExportKind, ExportRequest, ExportRunError, ExportSourceRow,
    ExportStorage, ExportWriter, TransferKind, TransferRecord, AUDIT_EXPORTED, AUDIT_PURGED,
};
use crate::storage::StorageError;
use deadpool_postgres::GenericClient;
use hakaru_wire::Timestamp;

/// The tables: exports as transfer records; indexes for purging by age.
pub(super) const SCHEMA: &str = r#"
CREATE TABLE export_transfers (
    id           BIGSERIAL PRIMARY KEY,
    program      TEXT NOT NULL REFERENCES programs (id),
    at           BIGINT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('pseudonymised', 'anonymized')),
    purpose      TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    label        TEXT NOT NULL,
    participants TEXT[] NOT NULL,
    items        TEXT[] NOT NULL
);
CREATE INDEX export_transfers_by_program ON export_transfers (program, at, id);
CREATE INDEX export_transfers_by_at ON export_transfers (at);
CREATE INDEX ledger_by_at ON ledger (at);
"#;

async fn source_rows(
    client: &impl GenericClient,
    program: &ProgramId,
    purpose: &str,
) -> PgResult<Vec<ExportSourceRow>> {
    // The latest consent decides (ties: the later arrival), as at ingest.
    let rows = client
        .query(
            "SELECT m.participant, p.birth_date, p.sex, s.municipality, m.taken_at, \
                    m.weight_only, m.reading::jsonb \
             FROM measurements m \
             JOIN participants p ON p.program = m.program AND p.participant = m.participant \
             JOIN stations s ON s.id = m.station \
             WHERE m.program = $1 AND p.status = 'active' \
               AND (SELECT c.action = 'given' AND c.granted ? $2 \
                    FROM consents c \
                    WHERE c.program = m.program AND c.participant = m.participant \
                    ORDER BY c.decided_at DESC, c.arrival DESC LIMIT 1) \
             ORDER BY m.taken_at, m.id",
            &[&program.as_str(), &purpose],
        )
        .await
        .map_err(db_error)?;
    Ok(rows
        .iter()
        .map(|r| ExportSourceRow {
            participant: r.get(0),
            birth_date: r.get(1),
            sex: r.get(2),
            municipality: r.get(3),
            taken_at: Timestamp::from_unix_ms(r.get(4)),
            weight_only: r.get(5),
            reading: r.get(6),
        })
        .collect())
}

async fn require_purpose(
    client: &impl GenericClient,
    program: &ProgramId,
    purpose: &str,
) -> PgResult<()> {
    client
        .query_opt(
            "SELECT 1 FROM purposes WHERE program = $1 AND id = $2",
            &[&program.as_str(), &purpose],
        )
        .await
        .map_err(db_error)?
        .map(|_| ())
        .ok_or_else(|| StorageError::NotFound {
            what: "purpose",
            id: purpose.to_owned(),
        })
}

async fn exports(
    client: &impl GenericClient,
    program: &ProgramId,
    since: Timestamp,
    participant: Option<&str>,
) -> PgResult<Vec<TransferRecord>> {
    let rows = client
        .query(
            "SELECT at, kind, purpose, recipient, label, participants, items \
             FROM export_transfers \
             WHERE program = $1 AND at >= $2 \
               AND ($3::TEXT IS NULL OR $3 = ANY(participants)) \
             ORDER BY at, id",
            &[&program.as_str(), &since.as_unix_ms(), &participant],
        )
        .await
        .map_err(db_error)?;
    rows.iter()
        .map(|r| {
            Ok(TransferRecord {
                at: Timestamp::from_unix_ms(r.get(0)),
                program: program.clone(),
                kind: TransferKind::Export {
                    kind: ExportKind::from_name(r.get(1))
                        .ok_or_else(|| codec::corrupt("export kind"))?,
                    purpose: r.get(2),
                    recipient: r.get(3),
                },
                label: r.get(4),
                participants: r.get(5),
                items: r.get(6),
            })
        })
        .collect()
}

#[async_trait::async_trait]
impl ExportStorage for PostgresStorage {
    async fn run_export(
        &self,
        request: &ExportRequest,
        now: Timestamp,
        write: ExportWriter,
    ) -> Result<TransferRecord, ExportRunError> {
        let mut client = self.client().await?;
        // Repeatable read: the source is one snapshot, the record names exactly what it held.
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .start()
            .await
            .map_err(db_error)?;
        ensure_program(&tx, &request.program).await?;
        require_purpose(&tx, &request.program, &request.purpose).await?;
        let source = source_rows(&tx, &request.program, &request.purpose).await?;
        // Dropping `tx` on an error rolls it back: no record of an export that was not written.
        let mut outcome = write(source).map_err(ExportRunError::Write)?;
        outcome.participants = normalised(outcome.participants);
        outcome.items = normalised(outcome.items);
        let label = request.kind.label();
        tx.execute(
            "INSERT INTO export_transfers \
                 (program, at, kind, purpose, recipient, label, participants, items) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &request.program.as_str(),
                &now.as_unix_ms(),
                &request.kind.name(),
                &request.purpose,
                &request.recipient,
                &label,
                &outcome.participants,
                &outcome.items,
            ],
        )
        .await
        .map_err(db_error)?;
        super::audit::append(
            &tx,
            &AuditEntry::new(
                self.actor(),
                AUDIT_EXPORTED,
                export_audit_detail(request, &outcome),
            ),
            now,
        )
        .await?;
        tx.commit().await.map_err(db_error)?;
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
    }

    async fn export_transfers(
        &self,
        program: &ProgramId,
        since: Timestamp,
    ) -> PgResult<Vec<TransferRecord>> {
        let client = self.client().await?;
        ensure_program(&client, program).await?;
        exports(&client, program, since, None).await
    }

    async fn transfers_of(
        &self,
        program: &ProgramId,
        participant: &str,
    ) -> PgResult<Vec<TransferRecord>> {
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .read_only(true)
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .start()
            .await
            .map_err(db_error)?;
        ensure_program(&tx, program).await?;
        let mut all: Vec<TransferRecord> = ledger::of_participant(&tx, program, participant)
            .await?
            .into_iter()
            .map(TransferRecord::from)
            .collect();
        all.extend(
            exports(
                &tx,
                program,
                Timestamp::from_unix_ms(i64::MIN),
                Some(participant),
            )
            .await?,
        );
        tx.commit().await.map_err(db_error)?;
        all.sort_by_key(|r| r.at);
        Ok(all)
    }

    async fn purge_transfer_records(&self, before: Timestamp, now: Timestamp) -> PgResult<u64> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        let ledger = ledger::delete_before(&tx, before).await?;
        let exports = tx
            .execute(
                "DELETE FROM export_transfers WHERE at < $1",
                &[&before.as_unix_ms()],
            )
            .await
            .map_err(db_error)?;
        let count = ledger + exports;
        super::audit::append(
            &tx,
            &AuditEntry::new(
                self.actor(),
                AUDIT_PURGED,
                serde_json::json!({
                    "before": before.as_unix_ms(),
                    "count": count,
                    "ledger": ledger,
                    "exports": exports,
                }),
            ),
            now,
        )
        .await?;
        tx.commit().await.map_err(db_error)?;
        Ok(count)
    }
}
