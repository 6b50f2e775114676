//! The transfer ledger's rows: written in the transaction of the transfer, read by the admin.
//!
//! Deliberately not here: what an entry says (built by [`crate::storage::common`]).

use super::{codec, db_error, PgResult};
use crate::ids::{ProgramId, StationId};
use crate::storage::{Direction, LedgerEntry};
use deadpool_postgres::GenericClient;
use hakaru_wire::Timestamp;

/// Writes an entry, if there is one.
pub(super) async fn write(client: &impl GenericClient, entry: Option<LedgerEntry>) -> PgResult<()> {
    let Some(e) = entry else {
        return Ok(());
    };
    let stmt = client
        .prepare_cached(
            "INSERT INTO ledger (program, station, at, direction, label, participants, items) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await
        .map_err(db_error)?;
    client
        .execute(
            &stmt,
            &[
                &e.program.as_str(),
                &e.station.as_str(),
                &e.at.as_unix_ms(),
                &e.direction.name(),
                &e.label,
                &e.participants,
                &e.items,
            ],
        )
        .await
        .map_err(db_error)?;
    Ok(())
}

/// A program's entries at or after `since`, oldest first.
pub(super) async fn read(
    client: &impl GenericClient,
    program: &ProgramId,
    since: Timestamp,
) -> PgResult<Vec<LedgerEntry>> {
    let rows = client
        .query(
            "SELECT at, station, direction, label, participants, items FROM ledger \
             WHERE program = $1 AND at >= $2 ORDER BY at, id",
            &[&program.as_str(), &since.as_unix_ms()],
        )
        .await
        .map_err(db_error)?;
    rows.iter()
        .map(|r| {
            Ok(LedgerEntry {
                at: Timestamp::from_unix_ms(r.get(0)),
                station: StationId::new(r.get(1)).map_err(|_| codec::corrupt("station id"))?,
                program: program.clone(),
                direction: Direction::from_name(r.get(2))
                    .ok_or_else(|| codec::corrupt("ledger direction"))?,
                label: r.get(3),
                participants: r.get(4),
                items: r.get(5),
            })
        })
        .collect()
}

/// A program's station transfers naming `participant`, oldest first.
pub(super) async fn of_participant(
    client: &impl GenericClient,
    program: &ProgramId,
    participant: &str,
) -> PgResult<Vec<LedgerEntry>> {
    let rows = client
        .query(
            "SELECT at, station, direction, label, participants, items FROM ledger \
             WHERE program = $1 AND $2 = ANY(participants) ORDER BY at, id",
            &[&program.as_str(), &participant],
        )
        .await
        .map_err(db_error)?;
    rows.iter()
        .map(|r| {
            Ok(LedgerEntry {
                at: Timestamp::from_unix_ms(r.get(0)),
                station: StationId::new(r.get(1)).map_err(|_| codec::corrupt("station id"))?,
                program: program.clone(),
                direction: Direction::from_name(r.get(2))
                    .ok_or_else(|| codec::corrupt("ledger direction"))?,
                label: r.get(3),
                participants: r.get(4),
                items: r.get(5),
            })
        })
        .collect()
}

/// Deletes every entry (all programs) made before `before`; returns how many.
pub(super) async fn delete_before(client: &impl GenericClient, before: Timestamp) -> PgResult<u64> {
    client
        .execute("DELETE FROM ledger WHERE at < $1", &[&before.as_unix_ms()])
        .await
        .map_err(db_error)
}
