//! The audit log on PostgreSQL: its tables (part of schema version 3), the append that runs
//! inside the caller's transaction, and the reading side.
//!
//! Appends are serialised by the row lock on `audit_head` (`SELECT … FOR UPDATE`), so ids follow
//! commit order without gaps. Deliberately not here: the chain rules (`storage::audit`).

use super::{db_error, PgResult, PostgresStorage};
use crate::storage::audit::{self, AuditCheck, AuditEntry, AuditRow, AuditStorage};
use deadpool_postgres::GenericClient;
use hakaru_wire::Timestamp;

/// The tables; the head row exists from the start so appenders always have a row to lock.
pub(super) const SCHEMA: &str = r#"
CREATE TABLE audit_log (
    id        BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TABLE audit_head (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    last_id   BIGINT NOT NULL,
    hash      TEXT NOT NULL
);
INSERT INTO audit_head (singleton, last_id, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE FUNCTION hakaru_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION hakaru_audit_append_only();
"#;

/// The head as `verify_chain` wants it (`None` for the empty log).
fn as_head(last_id: i64, hash: String) -> Option<(i64, String)> {
    (last_id > 0 || hash != audit::GENESIS).then_some((last_id, hash))
}

/// Appends one row inside the caller's transaction and moves the head; returns its id.
pub(super) async fn append(
    client: &impl GenericClient,
    entry: &AuditEntry,
    now: Timestamp,
) -> PgResult<i64> {
    let row = client
        .query_one(
            "SELECT last_id, hash FROM audit_head WHERE singleton = 1 FOR UPDATE",
            &[],
        )
        .await
        .map_err(db_error)?;
    let head = as_head(row.get(0), row.get(1));
    let (id, prev, detail, hash) = audit::next_link(head, now, entry);
    client
        .execute(
            "INSERT INTO audit_log (id, at, actor, action, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &id,
                &now.as_unix_ms(),
                &entry.actor.as_str(),
                &entry.action,
                &detail,
                &prev,
                &hash,
            ],
        )
        .await
        .map_err(db_error)?;
    client
        .execute(
            "UPDATE audit_head SET last_id = $1, hash = $2 WHERE singleton = 1",
            &[&id, &hash],
        )
        .await
        .map_err(db_error)?;
    Ok(id)
}

async fn rows_after(
    client: &impl GenericClient,
    after: i64,
    limit: i64,
) -> PgResult<Vec<AuditRow>> {
    let rows = client
        .query(
            "SELECT id, at, actor, action, detail, prev_hash, hash FROM audit_log \
             WHERE id > $1 ORDER BY id LIMIT $2",
            &[&after, &limit],
        )
        .await
        .map_err(db_error)?;
    Ok(rows
        .iter()
        .map(|r| AuditRow {
            id: r.get(0),
            at: Timestamp::from_unix_ms(r.get(1)),
            actor: r.get(2),
            action: r.get(3),
            detail: r.get(4),
            prev_hash: r.get(5),
            hash: r.get(6),
        })
        .collect())
}

#[async_trait::async_trait]
impl AuditStorage for PostgresStorage {
    async fn verify_audit(&self) -> PgResult<AuditCheck> {
        let mut client = self.client().await?;
        // One snapshot for the rows and the head.
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(db_error)?;
        let head = tx
            .query_opt(
                "SELECT last_id, hash FROM audit_head WHERE singleton = 1",
                &[],
            )
            .await
            .map_err(db_error)?
            .and_then(|r| as_head(r.get(0), r.get(1)));
        let rows = rows_after(&tx, 0, i64::MAX).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(audit::verify_chain(rows, head))
    }

    async fn audit_rows(&self, after: i64, limit: u32) -> PgResult<Vec<AuditRow>> {
        let client = self.client().await?;
        rows_after(&client, after, i64::from(limit)).await
    }

    async fn record_audit(&self, entry: AuditEntry, now: Timestamp) -> PgResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        append(&tx, &entry, now).await?;
        tx.commit().await.map_err(db_error)
    }
}
