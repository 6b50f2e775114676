//! The server's audit log: append-only and hash-chained, as on the station. Each row stores the
//! hash of the row before it and SHA-256 over its own canonical content; the chain head lives in
//! its own table, moved in the same transaction, so deleting the last row is detected too.
//!
//! Every backend appends through its own `audit::append` inside the transaction of the action it
//! records (a configuration change, a correction, an export, a purge, a data view), so an action
//! without its row — or a row without its action — cannot be committed. Rows name who acted and
//! which participant numbers were touched (that is what a leak investigation needs), never a
//! reading value, a birth date or a secret.
//!
//! Deliberately not here: SQL (the backends) and deciding what is worth a row (the callers).

pub mod entries;

use hakaru_wire::Timestamp;
use sha2::{Digest, Sha256};

use super::StorageError;

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acted: an administrator at the server (`admin:<os user>`), a station over the API
/// (`station:<id>`), or the server itself (`server`, for scheduled purges).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(String);

impl Actor {
    /// An administrator, by the operating-system account that ran the command.
    pub fn admin(user: &str) -> Actor {
        Actor(format!("admin:{user}"))
    }

    /// A station, by its id.
    pub fn station(id: &str) -> Actor {
        Actor(format!("station:{id}"))
    }

    /// The server itself (scheduled work).
    pub fn server() -> Actor {
        Actor("server".to_owned())
    }

    /// As stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One row to append: who did what, with details as JSON (ids and counts, never values).
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// Who acted.
    pub actor: Actor,
    /// What, as a stable snake_case name, e.g. `document_published`, `participant_corrected`.
    pub action: &'static str,
    /// Details: ids, participant numbers, field names, counts.
    pub detail: serde_json::Value,
}

impl AuditEntry {
    /// An entry.
    pub fn new(actor: &Actor, action: &'static str, detail: serde_json::Value) -> AuditEntry {
        AuditEntry {
            actor: actor.clone(),
            action,
            detail,
        }
    }
}

/// One stored row.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// 1, 2, 3 … without gaps.
    pub id: i64,
    /// When, by the server clock.
    pub at: Timestamp,
    /// Who acted.
    pub actor: String,
    /// What.
    pub action: String,
    /// Details as stored (JSON text).
    pub detail: String,
    /// The previous row's hash (or [`GENESIS`]).
    pub prev_hash: String,
    /// This row's hash.
    pub hash: String,
}

impl std::fmt::Debug for AuditRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The detail may name participant numbers.
        f.debug_struct("AuditRow")
            .field("id", &self.id)
            .field("at", &self.at)
            .field("actor", &self.actor)
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}

/// The hash of a row: SHA-256 over the previous hash and the row's canonical content (a JSON
/// array, so field boundaries are unambiguous), as lowercase hex.
pub fn chain_hash(prev: &str, id: i64, at: i64, actor: &str, action: &str, detail: &str) -> String {
    let content = serde_json::json!([id, at, actor, action, detail]).to_string();
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(content.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The row that follows `head` (`None`: the log is empty): its id, `prev_hash` and hash.
pub fn next_link(
    head: Option<(i64, String)>,
    at: Timestamp,
    entry: &AuditEntry,
) -> (i64, String, String, String) {
    let (last_id, prev) = head.unwrap_or((0, GENESIS.to_owned()));
    let id = last_id + 1;
    let detail = entry.detail.to_string();
    let hash = chain_hash(
        &prev,
        id,
        at.as_unix_ms(),
        entry.actor.as_str(),
        entry.action,
        &detail,
    );
    (id, prev, detail, hash)
}

/// What is wrong with the first bad row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BreakReason {
    /// Its content does not hash to its stored hash: it was edited.
    #[error("書き換えられています / edited: its content does not match its hash")]
    Edited,
    /// The row is missing: the ids jump past it, or the head names a later row.
    #[error("削除されています / deleted: the row is missing")]
    Missing,
    /// Its `prev_hash` is not the previous row's hash: this row or the one before was rewritten.
    #[error("前の行とつながっていません / rewritten: it does not follow the previous row")]
    BrokenLink,
    /// The chain head does not match the last row.
    #[error("先頭の記録と最後の行が一致しません / the chain head does not match the last row")]
    HeadMismatch,
}

/// Where and why the chain is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "監査ログの {row_id} 行目が不正です（{reason}）。データベースをそのままにして管理者に連絡してください / \
     the audit log is broken at row {row_id} ({reason}): leave the database as it is and tell the administrator"
)]
pub struct AuditBreak {
    /// The first bad row (for a deleted row: the id it had).
    pub row_id: i64,
    /// What is wrong with it.
    pub reason: BreakReason,
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditCheck {
    /// Every row and the head are consistent.
    Intact {
        /// Rows checked.
        rows: u64,
    },
    /// The first bad row.
    Broken(AuditBreak),
}

/// Walks the rows (in id order) and the head; names the first bad row. Shared by the backends,
/// which only read.
pub fn verify_chain(
    rows: impl IntoIterator<Item = AuditRow>,
    head: Option<(i64, String)>,
) -> AuditCheck {
    let mut prev_id = 0i64;
    let mut prev_hash = GENESIS.to_owned();
    let mut count = 0u64;
    let broken = |row_id, reason| AuditCheck::Broken(AuditBreak { row_id, reason });
    for row in rows {
        if row.id != prev_id + 1 {
            return broken(prev_id + 1, BreakReason::Missing);
        }
        let recomputed = chain_hash(
            &row.prev_hash,
            row.id,
            row.at.as_unix_ms(),
            &row.actor,
            &row.action,
            &row.detail,
        );
        if recomputed != row.hash {
            return broken(row.id, BreakReason::Edited);
        }
        if row.prev_hash != prev_hash {
            return broken(row.id, BreakReason::BrokenLink);
        }
        prev_id = row.id;
        prev_hash = row.hash;
        count += 1;
    }
    match head {
        None if prev_id == 0 => AuditCheck::Intact { rows: 0 },
        None => broken(prev_id, BreakReason::HeadMismatch),
        Some((last, _)) if last > prev_id => broken(prev_id + 1, BreakReason::Missing),
        Some((last, hash)) if last < prev_id || hash != prev_hash => {
            broken(prev_id, BreakReason::HeadMismatch)
        }
        Some(_) => AuditCheck::Intact { rows: count },
    }
}

/// The audit log's reading side, implemented by every backend. (Appending is not here: it
/// happens inside the transaction of the action, through the backend's own `audit::append`.)
#[async_trait::async_trait]
pub trait AuditStorage: Send + Sync {
    /// Checks the whole chain and its head; names the first bad row.
    async fn verify_audit(&self) -> Result<AuditCheck, StorageError>;
    /// Rows with `id > after`, oldest first, at most `limit`.
    async fn audit_rows(&self, after: i64, limit: u32) -> Result<Vec<AuditRow>, StorageError>;
    /// Appends one row on its own (for actions with no other write, such as a data view).
    async fn record_audit(&self, entry: AuditEntry, now: Timestamp) -> Result<(), StorageError>;
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn chain(n: i64) -> (Vec<AuditRow>, Option<(i64, String)>) {
        let mut rows = Vec::new();
        let mut head = None;
        for i in 0..n {
            let entry = AuditEntry::new(
                &Actor::admin("tester"),
                "document_published",
                serde_json::json!({ "n": i }),
            );
            let at = Timestamp::from_unix_ms(1_000 + i);
            let (id, prev_hash, detail, hash) = next_link(head.clone(), at, &entry);
            rows.push(AuditRow {
                id,
                at,
                actor: entry.actor.as_str().to_owned(),
                action: entry.action.to_owned(),
                detail,
                prev_hash,
                hash: hash.clone(),
            });
            head = Some((id, hash));
        }
        (rows, head)
    }

    #[test]
    fn an_untouched_chain_is_intact() {
        let (rows, head) = chain(5);
        assert_eq!(verify_chain(rows, head), AuditCheck::Intact { rows: 5 });
        assert_eq!(
            verify_chain(Vec::new(), None),
            AuditCheck::Intact { rows: 0 }
        );
    }

    #[test]
    fn an_edited_detail_is_named() {
        let (mut rows, head) = chain(5);
        rows[2].detail = "{\"n\":99}".into();
        assert_eq!(
            verify_chain(rows, head),
            AuditCheck::Broken(AuditBreak {
                row_id: 3,
                reason: BreakReason::Edited
            })
        );
    }

    #[test]
    fn a_deleted_middle_row_is_named() {
        let (mut rows, head) = chain(5);
        rows.remove(1);
        assert_eq!(
            verify_chain(rows, head),
            AuditCheck::Broken(AuditBreak {
                row_id: 2,
                reason: BreakReason::Missing
            })
        );
    }

    #[test]
    fn a_deleted_last_row_is_named_through_the_head() {
        let (mut rows, head) = chain(5);
        rows.pop();
        assert_eq!(
            verify_chain(rows, head),
            AuditCheck::Broken(AuditBreak {
                row_id: 5,
                reason: BreakReason::Missing
            })
        );
    }

    #[test]
    fn a_rehashed_row_breaks_the_link_of_the_next() {
        let (mut rows, head) = chain(5);
        rows[1].detail = "{\"n\":42}".into();
        rows[1].hash = chain_hash(
            &rows[1].prev_hash,
            2,
            rows[1].at.as_unix_ms(),
            &rows[1].actor,
            &rows[1].action,
            &rows[1].detail,
        );
        assert_eq!(
            verify_chain(rows, head),
            AuditCheck::Broken(AuditBreak {
                row_id: 3,
                reason: BreakReason::BrokenLink
            })
        );
    }
}
