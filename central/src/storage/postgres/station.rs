//! What stations read: the change feed, a participant's history and points; and `last_seen`.
//! Each read that carries personal data writes its ledger entry in the same transaction.
//!
//! Deliberately not here: uploads (the `ingest` module).

use super::{balance, codec, db_error, ledger, program_rules, PgResult, PostgresStorage};
use crate::ids::ProgramId;
use crate::ids::StationId;
use crate::storage::{common, StationContext, StorageError};
use deadpool_postgres::GenericClient;
use hakaru_wire::api::{Change, ChangeKind, ChangesPage, History, HistoryItem, PointsBalance};
use hakaru_wire::Timestamp;

pub(super) async fn changes_since(
    storage: &PostgresStorage,
    caller: &StationContext,
    since: u64,
    limit: u32,
    now: Timestamp,
) -> PgResult<ChangesPage> {
    let limit = common::change_page_limit(limit);
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let stmt = tx
        .prepare_cached(
            "SELECT seq, body::text FROM changes WHERE program = $1 AND seq > $2 \
             ORDER BY seq LIMIT $3",
        )
        .await
        .map_err(db_error)?;
    let rows = tx
        .query(
            &stmt,
            &[
                &caller.program.as_str(),
                &common::to_i64(since),
                &(i64::from(limit) + 1),
            ],
        )
        .await
        .map_err(db_error)?;
    let more = rows.len() > limit as usize;
    let changes = rows
        .iter()
        .take(limit as usize)
        .map(|r| {
            let body: &str = r.get(1);
            Ok(Change {
                seq: common::to_u64(r.get(0)),
                change: serde_json::from_str::<ChangeKind>(body)
                    .map_err(|_| codec::corrupt("change"))?,
            })
        })
        .collect::<PgResult<Vec<Change>>>()?;
    let next_cursor = changes.last().map_or(since, |c| c.seq);
    ledger::write(&tx, common::changes_ledger_entry(caller, &changes, now)).await?;
    set_last_seen(&tx, &caller.station, now).await?;
    // "Confirmed by the station's next sync": the cursor it pulled with is what it has applied.
    super::rights::record_feed_cursor(&tx, &caller.station, since, now).await?;
    let card_program: i32 = tx
        .query_one(
            "SELECT card_code FROM programs WHERE id = $1",
            &[&caller.program.as_str()],
        )
        .await
        .map_err(db_error)?
        .get(0);
    tx.commit().await.map_err(db_error)?;
    Ok(ChangesPage {
        card_program: common::stored_u16("card code", i64::from(card_program))?,
        changes,
        next_cursor,
        more,
    })
}

/// Whether a participant is on the caller's program's roster.
async fn on_roster(
    client: &impl GenericClient,
    program: &ProgramId,
    participant: &str,
) -> PgResult<bool> {
    let stmt = client
        .prepare_cached("SELECT 1 FROM participants WHERE program = $1 AND participant = $2")
        .await
        .map_err(db_error)?;
    Ok(client
        .query_opt(&stmt, &[&program.as_str(), &participant])
        .await
        .map_err(db_error)?
        .is_some())
}

pub(super) async fn history(
    storage: &PostgresStorage,
    caller: &StationContext,
    participant: &str,
    limit: u32,
    now: Timestamp,
) -> PgResult<Option<History>> {
    let limit = common::history_limit(limit);
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;
    if !on_roster(&tx, &caller.program, participant).await? {
        return Ok(None);
    }
    let stmt = tx
        .prepare_cached(
            "SELECT id, taken_at, station, weight_only, reading FROM measurements \
             WHERE program = $1 AND participant = $2 ORDER BY taken_at DESC, arrival DESC LIMIT $3",
        )
        .await
        .map_err(db_error)?;
    let measurements: Vec<HistoryItem> = tx
        .query(
            &stmt,
            &[&caller.program.as_str(), &participant, &i64::from(limit)],
        )
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| HistoryItem {
            measurement_id: r.get(0),
            taken_at: Timestamp::from_unix_ms(r.get(1)),
            station: r.get(2),
            weight_only: r.get(3),
            values: r.get(4),
        })
        .collect();
    if !measurements.is_empty() {
        ledger::write(
            &tx,
            common::sent_ledger_entry(caller, participant, common::item::MEASUREMENT, now),
        )
        .await?;
    }
    tx.commit().await.map_err(db_error)?;
    Ok(Some(History {
        participant: participant.to_owned(),
        measurements,
    }))
}

pub(super) async fn points(
    storage: &PostgresStorage,
    caller: &StationContext,
    participant: &str,
    now: Timestamp,
) -> PgResult<Option<PointsBalance>> {
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let Some(view) = points_view(&tx, &caller.program, participant, now).await? else {
        return Ok(None);
    };
    ledger::write(
        &tx,
        common::sent_ledger_entry(caller, participant, common::item::POINTS, now),
    )
    .await?;
    tx.commit().await.map_err(db_error)?;
    Ok(Some(view))
}

/// A participant's points as the program office sees them: no ledger entry (no transfer).
pub(super) async fn office_balance(
    storage: &PostgresStorage,
    program: &ProgramId,
    participant: &str,
    now: Timestamp,
) -> PgResult<Option<PointsBalance>> {
    let client = storage.client().await?;
    points_view(&client, program, participant, now).await
}

/// Balance, this month's points and the exchange view; `None` if not on the roster. Refuses an
/// unknown program (through its rules).
async fn points_view(
    client: &impl GenericClient,
    program: &ProgramId,
    participant: &str,
    now: Timestamp,
) -> PgResult<Option<PointsBalance>> {
    let rules = program_rules(client, program).await?;
    if !on_roster(client, program, participant).await? {
        return Ok(None);
    }
    let balance = balance::balance(client, program, participant).await?;
    let this_month =
        balance::month_total(client, program, participant, &rules.month_key(now)).await?;
    Ok(Some(common::points_balance(
        participant,
        balance,
        this_month,
        &rules,
    )))
}

/// Sets a station's `last_seen`; [`StorageError::NotFound`] if there is no such station.
async fn set_last_seen(
    client: &impl GenericClient,
    station: &StationId,
    now: Timestamp,
) -> PgResult<()> {
    let stmt = client
        .prepare_cached("UPDATE stations SET last_seen = $2 WHERE id = $1")
        .await
        .map_err(db_error)?;
    let n = client
        .execute(&stmt, &[&station.as_str(), &now.as_unix_ms()])
        .await
        .map_err(db_error)?;
    if n == 0 {
        return Err(StorageError::NotFound {
            what: "station",
            id: station.to_string(),
        });
    }
    Ok(())
}

pub(super) async fn touch_station(
    storage: &PostgresStorage,
    station: &StationId,
    now: Timestamp,
) -> PgResult<()> {
    let client = storage.client().await?;
    let stmt = client
        .prepare_cached("SELECT last_seen FROM stations WHERE id = $1")
        .await
        .map_err(db_error)?;
    let row = client
        .query_opt(&stmt, &[&station.as_str()])
        .await
        .map_err(db_error)?;
    let Some(row) = row else {
        return Err(StorageError::NotFound {
            what: "station",
            id: station.to_string(),
        });
    };
    let last_seen: Option<i64> = row.try_get(0).map_err(db_error)?;
    if !crate::storage::touch_due(last_seen.map(Timestamp::from_unix_ms), now) {
        return Ok(());
    }
    set_last_seen(&client, station, now).await
}
