//! Points balances as the database holds them: non-cancelled awards minus points exchanged, and
//! one month's earnings.
//!
//! Deliberately not here: what an award is worth ([`crate::points::decide`]) and the answer's
//! shape ([`crate::storage::common::points_balance`]).

use super::{db_error, PgResult};
use crate::ids::ProgramId;
use deadpool_postgres::GenericClient;
use std::collections::HashMap;

/// Balances of several participants (0 for one with no awards), in one query.
pub(super) async fn balances(
    client: &impl GenericClient,
    program: &ProgramId,
    participants: &[&str],
) -> PgResult<HashMap<String, i64>> {
    if participants.is_empty() {
        return Ok(HashMap::new());
    }
    let stmt = client
        .prepare_cached(
            "SELECT p, \
                 COALESCE((SELECT SUM(points) FROM awards a \
                           WHERE a.program = $1 AND a.participant = p AND a.cancelled_at IS NULL), 0)::BIGINT \
               - COALESCE((SELECT SUM(points) FROM exchanges x \
                           WHERE x.program = $1 AND x.participant = p), 0)::BIGINT \
             FROM unnest($2::text[]) AS p",
        )
        .await
        .map_err(db_error)?;
    let rows = client
        .query(&stmt, &[&program.as_str(), &participants])
        .await
        .map_err(db_error)?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// One participant's balance.
pub(super) async fn balance(
    client: &impl GenericClient,
    program: &ProgramId,
    participant: &str,
) -> PgResult<i64> {
    Ok(balances(client, program, &[participant])
        .await?
        .get(participant)
        .copied()
        .unwrap_or(0))
}

/// Points a participant earned (and kept: cancelled awards do not count) in one local month.
pub(super) async fn month_total(
    client: &impl GenericClient,
    program: &ProgramId,
    participant: &str,
    month_key: &str,
) -> PgResult<i64> {
    let stmt = client
        .prepare_cached(
            "SELECT COALESCE(SUM(points), 0)::BIGINT FROM awards \
             WHERE program = $1 AND participant = $2 AND month_key = $3 AND cancelled_at IS NULL",
        )
        .await
        .map_err(db_error)?;
    let row = client
        .query_one(&stmt, &[&program.as_str(), &participant, &month_key])
        .await
        .map_err(db_error)?;
    Ok(row.get(0))
}
