//! The append-only audit log: each row stores SHA-256 of the previous row's hash and its own
//! canonical content; the chain head is kept in `audit_head`, updated in the same transaction,
//! so deleting the last row is detected too.
//!
//! Rows say what happened and how many — measurement and event ids, counts — never a
//! participant number or a reading value. Deliberately not here: shipping the log off the
//! station (the sync issue).

use super::{Store, StoreError};
use hakaru_wire::Timestamp;
use rusqlite::{OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Where and why the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "監査ログの {row_id} 行目が改ざんまたは削除されています（{reason}）。端末をそのままにして技術者に連絡してください / \
     the audit log is broken at row {row_id} ({reason}): leave the station as it is and call a technician"
)]
pub struct AuditBreak {
    /// The first bad row (for a deleted row: the id it had).
    pub row_id: i64,
    /// What is wrong with it.
    pub reason: BreakReason,
}

/// What is wrong with the first bad row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BreakReason {
    /// Its content does not hash to its stored hash: it was edited.
    #[error("edited: content does not match its hash")]
    Edited,
    /// The row is missing: the ids jump past it, or the head names a later row.
    #[error("deleted: the row is missing")]
    Missing,
    /// Its `prev_hash` is not the previous row's hash: this row or the one before was rewritten.
    #[error("rewritten: does not follow the previous row")]
    BrokenLink,
    /// The chain head does not match the last row.
    #[error("the chain head does not match the last row")]
    HeadMismatch,
}

/// Why verification did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The chain is broken.
    #[error(transparent)]
    Broken(#[from] AuditBreak),
    /// The log could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(crate) fn chain_hash(prev: &str, id: i64, at: i64, action: &str, detail: &str) -> String {
    // Canonical content: a JSON array, so field boundaries are unambiguous.
    let content = serde_json::json!([id, at, action, detail]).to_string();
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(content.as_bytes());
    super::hex(&h.finalize())
}

/// Appends one row inside the caller's transaction and moves the head; returns the row id.
pub(crate) fn append(
    tx: &Transaction<'_>,
    at: Timestamp,
    action: &str,
    detail: &serde_json::Value,
) -> Result<i64, StoreError> {
    let head: Option<(i64, String)> = tx
        .query_row(
            "SELECT last_id, hash FROM audit_head WHERE singleton = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (last_id, prev) = head.unwrap_or((0, GENESIS.to_owned()));
    let id = last_id + 1;
    let detail = detail.to_string();
    let at = at.as_unix_ms();
    let hash = chain_hash(&prev, id, at, action, &detail);
    tx.prepare_cached(
        "INSERT INTO audit_log (id, at, action, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(rusqlite::params![id, at, action, detail, prev, hash])?;
    tx.prepare_cached(
        "INSERT INTO audit_head (singleton, last_id, hash) VALUES (1, ?1, ?2)
         ON CONFLICT (singleton) DO UPDATE SET last_id = excluded.last_id, hash = excluded.hash",
    )?
    .execute(rusqlite::params![id, hash])?;
    Ok(id)
}

/// One audit row as stored (no personal values by construction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// Row id, 1, 2, 3 … without gaps.
    pub id: i64,
    /// When, by the station clock.
    pub at: Timestamp,
    /// What, e.g. `measurement_recorded`, `retention_purge`.
    pub action: String,
    /// Details as JSON: ids and counts.
    pub detail: String,
}

impl Store {
    /// Checks the whole chain and its head; names the first bad row.
    pub fn verify_audit(&self) -> Result<(), AuditError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, at, action, detail, prev_hash, hash FROM audit_log ORDER BY id")
            .map_err(StoreError::from)?;
        let mut rows = stmt.query([]).map_err(StoreError::from)?;
        let mut prev_id = 0i64;
        let mut prev_hash = GENESIS.to_owned();
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            let id: i64 = row.get(0).map_err(StoreError::from)?;
            let at: i64 = row.get(1).map_err(StoreError::from)?;
            let action: String = row.get(2).map_err(StoreError::from)?;
            let detail: String = row.get(3).map_err(StoreError::from)?;
            let stored_prev: String = row.get(4).map_err(StoreError::from)?;
            let stored_hash: String = row.get(5).map_err(StoreError::from)?;
            if id != prev_id + 1 {
                return Err(AuditBreak {
                    row_id: prev_id + 1,
                    reason: BreakReason::Missing,
                }
                .into());
            }
            if chain_hash(&stored_prev, id, at, &action, &detail) != stored_hash {
                return Err(AuditBreak {
                    row_id: id,
                    reason: BreakReason::Edited,
                }
                .into());
            }
            if stored_prev != prev_hash {
                return Err(AuditBreak {
                    row_id: id,
                    reason: BreakReason::BrokenLink,
                }
                .into());
            }
            prev_id = id;
            prev_hash = stored_hash;
        }
        let head: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT last_id, hash FROM audit_head WHERE singleton = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(StoreError::from)?;
        match head {
            None if prev_id == 0 => Ok(()),
            None => Err(AuditBreak {
                row_id: prev_id,
                reason: BreakReason::HeadMismatch,
            }
            .into()),
            Some((last, _)) if last > prev_id => Err(AuditBreak {
                row_id: prev_id + 1,
                reason: BreakReason::Missing,
            }
            .into()),
            Some((last, hash)) if last < prev_id || hash != prev_hash => Err(AuditBreak {
                row_id: prev_id,
                reason: BreakReason::HeadMismatch,
            }
            .into()),
            Some(_) => Ok(()),
        }
    }

    /// How many rows the audit log holds.
    pub fn audit_row_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The last `n` audit rows, newest first (for the technician screen).
    pub fn recent_audit(&self, n: u32) -> Result<Vec<AuditRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, action, detail FROM audit_log ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([n], |r| {
            Ok(AuditRow {
                id: r.get(0)?,
                at: Timestamp::from_unix_ms(r.get(1)?),
                action: r.get(2)?,
                detail: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
