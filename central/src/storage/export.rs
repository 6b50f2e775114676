//! Analysis exports (仮名加工 / 匿名加工) and transfer records — the storage side, implemented by
//! every backend: reading an export's source rows, recording the export as a transfer (with an
//! audit row) in the same transaction, listing transfer records per program and per
//! participant, and purging them when their retention period ends.
//!
//! Exports are kept in their own table (`export_transfers`) next to the station↔server `ledger`:
//! an export has a recipient and no station, and the ledger's rows (and the code reading them)
//! keep their shape. [`TransferRecord`] is the one view over both.
//!
//! Deliberately not here: SQL (the backends' `export` modules) and what an export contains
//! (the [`crate::export`] module turns source rows into files).

use super::{Direction, LedgerEntry, StorageError};
use crate::ids::{ProgramId, StationId};
use hakaru_wire::Timestamp;
use std::fmt;

/// The audit action of an export.
pub const AUDIT_EXPORTED: &str = "data_exported";
/// The audit action of a purge of transfer records.
pub const AUDIT_PURGED: &str = "transfer_records_purged";

/// Which kind of processed information an export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// 仮名加工情報: keyed pseudonyms, for the program's own effect analysis.
    Pseudonymised,
    /// 匿名加工情報: unlinkable, generalised, k-anonymous; may be published or provided.
    Anonymized,
}

impl ExportKind {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            ExportKind::Pseudonymised => "pseudonymised",
            ExportKind::Anonymized => "anonymized",
        }
    }

    /// Parses the stored name.
    pub fn from_name(name: &str) -> Option<ExportKind> {
        match name {
            "pseudonymised" => Some(ExportKind::Pseudonymised),
            "anonymized" => Some(ExportKind::Anonymized),
            _ => None,
        }
    }

    /// The label its transfer record carries.
    pub fn label(self) -> &'static str {
        match self {
            ExportKind::Pseudonymised => "仮名加工情報",
            ExportKind::Anonymized => "匿名加工情報",
        }
    }
}

/// What to export and to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// The program.
    pub program: ProgramId,
    /// The consent purpose the export serves: only participants whose latest consent grants it.
    pub purpose: String,
    /// Which kind.
    pub kind: ExportKind,
    /// Who receives it (a person, an office, a contractor), as the administrator named it.
    pub recipient: String,
}

/// One measurement of a participant who may be exported: the source of both export kinds.
#[derive(Clone, PartialEq)]
pub struct ExportSourceRow {
    /// Participant number (never leaves in an export).
    pub participant: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// `male` / `female`.
    pub sex: String,
    /// The municipality of the station that took the reading.
    pub municipality: String,
    /// When the reading was taken.
    pub taken_at: Timestamp,
    /// Weight only (implanted device): no composition values.
    pub weight_only: bool,
    /// The decoded values as stored (`reading_json`).
    pub reading: serde_json::Value,
}

impl fmt::Debug for ExportSourceRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportSourceRow")
            .field("municipality", &self.municipality)
            .field("taken_at", &self.taken_at)
            .finish_non_exhaustive()
    }
}

/// What an export wrote: the participants whose data it contains (numbers, sorted, distinct)
/// and the items (column names).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ExportOutcome {
    /// Participant numbers included.
    pub participants: Vec<String>,
    /// Items included.
    pub items: Vec<String>,
}

impl fmt::Debug for ExportOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportOutcome")
            .field("participants", &self.participants.len())
            .field("items", &self.items)
            .finish()
    }
}

/// Turns the source rows into files inside the export's transaction; an error rolls it back
/// (no transfer record for an export that was not written). Its message is shown as is.
pub type ExportWriter =
    Box<dyn FnOnce(Vec<ExportSourceRow>) -> Result<ExportOutcome, String> + Send + 'static>;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportRunError {
    /// The database refused or failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Writing the files failed (the message says what to do).
    #[error("{0}")]
    Write(String),
}

/// Who a transfer went to or came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferKind {
    /// Between a station and the server (委託).
    Station {
        /// The station.
        station: StationId,
        /// Which way.
        direction: Direction,
    },
    /// An analysis export.
    Export {
        /// Which kind.
        kind: ExportKind,
        /// The consent purpose it served.
        purpose: String,
        /// Who received it.
        recipient: String,
    },
}

/// One transfer record: date, recipient (or station), participants and items.
#[derive(Clone, PartialEq, Eq)]
pub struct TransferRecord {
    /// When.
    pub at: Timestamp,
    /// Which program.
    pub program: ProgramId,
    /// Station transfer or export.
    pub kind: TransferKind,
    /// 委託, 仮名加工情報 or 匿名加工情報.
    pub label: String,
    /// Participant numbers (sorted, distinct).
    pub participants: Vec<String>,
    /// Items (sorted, distinct).
    pub items: Vec<String>,
}

impl From<LedgerEntry> for TransferRecord {
    /// A station transfer from the ledger, as a transfer record.
    fn from(e: LedgerEntry) -> TransferRecord {
        TransferRecord {
            at: e.at,
            program: e.program,
            kind: TransferKind::Station {
                station: e.station,
                direction: e.direction,
            },
            label: e.label,
            participants: e.participants,
            items: e.items,
        }
    }
}

impl fmt::Debug for TransferRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransferRecord")
            .field("at", &self.at)
            .field("program", &self.program)
            .field("kind", &self.kind)
            .field("participants", &self.participants.len())
            .field("items", &self.items)
            .finish_non_exhaustive()
    }
}

/// Sorted and distinct.
pub fn normalised(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

/// The audit row of an export: who received what, naming the participants (never values).
pub fn export_audit_detail(request: &ExportRequest, outcome: &ExportOutcome) -> serde_json::Value {
    serde_json::json!({
        "program": request.program.as_str(),
        "kind": request.kind.name(),
        "purpose": request.purpose,
        "recipient": request.recipient,
        "participants": outcome.participants,
        "items": outcome.items,
    })
}

/// What every backend provides for exports and transfer records.
#[async_trait::async_trait]
pub trait ExportStorage: Send + Sync {
    /// In one transaction: reads the source (every measurement of every active participant of
    /// the program whose latest consent is `given` and grants the purpose, oldest first), hands
    /// it to `write`, then records one transfer (recipient, participants, items) and one audit
    /// row. [`StorageError::NotFound`] for an unknown program or purpose.
    async fn run_export(
        &self,
        request: &ExportRequest,
        now: Timestamp,
        write: ExportWriter,
    ) -> Result<TransferRecord, ExportRunError>;

    /// The program's export records at or after `since`, oldest first.
    async fn export_transfers(
        &self,
        program: &ProgramId,
        since: Timestamp,
    ) -> Result<Vec<TransferRecord>, StorageError>;

    /// Every transfer record naming the participant (station transfers and exports), oldest first.
    async fn transfers_of(
        &self,
        program: &ProgramId,
        participant: &str,
    ) -> Result<Vec<TransferRecord>, StorageError>;

    /// Deletes every transfer record (ledger and exports, all programs) made before `before`,
    /// and appends one audit row with the count; returns the count.
    async fn purge_transfer_records(
        &self,
        before: Timestamp,
        now: Timestamp,
    ) -> Result<u64, StorageError>;
}
