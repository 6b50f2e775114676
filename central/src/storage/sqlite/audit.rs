//! The audit log on SQLite: its tables (part of schema version 3), the append that runs inside
//! the caller's transaction, and the reading side.
//!
//! Deliberately not here: the chain rules (`storage::audit`), deciding what gets a row.

use super::SqliteStorage;
use crate::storage::audit::{self, AuditCheck, AuditEntry, AuditRow, AuditStorage};
use crate::storage::StorageError;
use hakaru_wire::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

/// The tables. The head lives apart so deleting the last row is detected; the triggers stop an
/// accidental UPDATE or DELETE (someone with the file can drop them — verification catches that).
pub(super) const SCHEMA: &str = r#"
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
CREATE TABLE audit_head (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    last_id   INTEGER NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
"#;

fn head(conn: &Connection) -> Result<Option<(i64, String)>, StorageError> {
    Ok(conn
        .prepare_cached("SELECT last_id, hash FROM audit_head WHERE singleton = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Appends one row inside the caller's (writer) transaction and moves the head; returns its id.
pub(super) fn append(
    conn: &Connection,
    entry: &AuditEntry,
    now: Timestamp,
) -> Result<i64, StorageError> {
    let (id, prev, detail, hash) = audit::next_link(head(conn)?, now, entry);
    conn.prepare_cached(
        "INSERT INTO audit_log (id, at, actor, action, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id,
        now.as_unix_ms(),
        entry.actor.as_str(),
        entry.action,
        detail,
        prev,
        hash
    ])?;
    conn.prepare_cached(
        "INSERT INTO audit_head (singleton, last_id, hash) VALUES (1, ?1, ?2)
         ON CONFLICT (singleton) DO UPDATE SET last_id = excluded.last_id, hash = excluded.hash",
    )?
    .execute(params![id, hash])?;
    Ok(id)
}

fn rows_after(conn: &Connection, after: i64, limit: i64) -> Result<Vec<AuditRow>, StorageError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, action, detail, prev_hash, hash FROM audit_log
         WHERE id > ?1 ORDER BY id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after, limit], |r| {
        Ok(AuditRow {
            id: r.get(0)?,
            at: Timestamp::from_unix_ms(r.get(1)?),
            actor: r.get(2)?,
            action: r.get(3)?,
            detail: r.get(4)?,
            prev_hash: r.get(5)?,
            hash: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[async_trait::async_trait]
impl AuditStorage for SqliteStorage {
    async fn verify_audit(&self) -> Result<AuditCheck, StorageError> {
        self.read(|c| {
            let head = head(c)?;
            // The whole log in one snapshot; rows are small (ids and counts).
            let rows = rows_after(c, 0, i64::MAX)?;
            Ok(audit::verify_chain(rows, head))
        })
        .await
    }

    async fn audit_rows(&self, after: i64, limit: u32) -> Result<Vec<AuditRow>, StorageError> {
        self.read(move |c| rows_after(c, after, i64::from(limit)))
            .await
    }

    async fn record_audit(&self, entry: AuditEntry, now: Timestamp) -> Result<(), StorageError> {
        self.write(move |c| append(c, &entry, now).map(|_| ()))
            .await
    }
}
