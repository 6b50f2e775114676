//! `ingest`: one batch in one transaction, set-wise — a fixed handful of round trips whatever
//! the batch's size (`= ANY($1)` lookups, `unnest` inserts), so 500 readings cost about what 5 do.
//!
//! Order of work: lock the station's row (its uploads serialise: a retry racing the original
//! waits and then replays), sort the batch into known and new events, lock the program's row
//! if the batch may append changes, lock the batch participants' roster rows in sorted order
//! (two stations uploading for one participant serialise here, so neither takes a period or
//! cap room the other took; sorted, so they cannot deadlock), load what the new events need,
//! then the carried-out erasures (消去) of the batch's participants (read after the roster locks,
//! so an erasure that held them is seen), apply them in memory ([`apply`]), write everything
//! ([`write`]), commit. Lock order is the one the admin writes use too: station, program,
//! participants.
//!
//! Deliberately not here: the rules (in [`crate::storage::common`] and [`crate::points`]).

mod apply;
mod write;

use super::{
    cards, codec, db_error, enrolment, feed, ledger, program_not_found, PgResult, PostgresStorage,
};
use crate::points::PriorAward;
use crate::storage::{common, CardId, StationContext, StorageError};
use deadpool_postgres::{GenericClient, Transaction};
use hakaru_wire::api::{Ack, CardState, UploadRequest, UploadResponse};
use hakaru_wire::{ConsentAction, EventId, EventKind, OutboxEvent, Timestamp};
use std::collections::{BTreeSet, HashMap, HashSet};
use uuid::Uuid;

pub(super) async fn ingest(
    storage: &PostgresStorage,
    caller: &StationContext,
    batch: &UploadRequest,
    now: Timestamp,
) -> PgResult<UploadResponse> {
    common::check_batch(caller, batch)?;
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;

    lock_station(&tx, caller).await?;
    let known = known_events(&tx, caller, batch).await?;
    let mut seen = HashSet::new();
    let fresh: Vec<&OutboxEvent> = batch
        .events
        .iter()
        .filter(|e| !known.contains_key(&e.id.0) && seen.insert(e.id.0))
        .collect();

    let mut acks: HashMap<Uuid, Ack> = known;
    let loaded = if fresh.is_empty() {
        None
    } else {
        Some(load(&tx, caller, &fresh).await?)
    };
    let erasures = erasures(&tx, caller, batch).await?;
    if let Some(loaded) = loaded {
        let mut applied = apply::apply(&fresh, loaded, &erasures, now);
        write::write(&tx, caller, &fresh, &mut applied, now).await?;
        for ack in applied.acks {
            acks.insert(ack.id.0, ack);
        }
    }
    let acks = batch
        .events
        .iter()
        .map(|e| {
            acks.get(&e.id.0)
                .cloned()
                .ok_or_else(|| StorageError::Backend(format!("no acknowledgement for {}", e.id)))
        })
        .collect::<PgResult<Vec<Ack>>>()?;

    let kept = batch.events.iter().zip(&acks).filter_map(|(e, ack)| {
        let erased_at = common::event_participant(&e.kind).and_then(|p| erasures.get(p).copied());
        (!common::kept_out_of_ledger(e, ack, erased_at)).then_some(e)
    });
    ledger::write(&tx, common::upload_ledger_entry(caller, kept, now)).await?;
    let stmt = tx
        .prepare_cached(
            "UPDATE stations SET last_seen = $2, backlog = $3, last_error = $4, \
                 events_received = events_received + $5 WHERE id = $1",
        )
        .await
        .map_err(db_error)?;
    tx.execute(
        &stmt,
        &[
            &caller.station.as_str(),
            &now.as_unix_ms(),
            &common::to_i64(batch.backlog_after),
            &batch.last_error,
            &(fresh.len() as i64),
        ],
    )
    .await
    .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    Ok(UploadResponse { acks })
}

/// Locks the caller's station row (a station's uploads serialise) and checks its program.
async fn lock_station(tx: &Transaction<'_>, caller: &StationContext) -> PgResult<()> {
    let stmt = tx
        .prepare_cached("SELECT program FROM stations WHERE id = $1 FOR NO KEY UPDATE")
        .await
        .map_err(db_error)?;
    let row = tx
        .query_opt(&stmt, &[&caller.station.as_str()])
        .await
        .map_err(db_error)?
        .ok_or_else(|| StorageError::NotFound {
            what: "station",
            id: caller.station.to_string(),
        })?;
    let program: &str = row.get(0);
    if program != caller.program.as_str() {
        return Err(StorageError::Forbidden(format!(
            "端末 {} はプログラム {} のものではありません / station {} is not in program {}",
            caller.station, caller.program, caller.station, caller.program
        )));
    }
    Ok(())
}

/// The stored acknowledgements of the batch's known event ids; an id stored for another
/// station is [`StorageError::Forbidden`].
async fn known_events(
    tx: &Transaction<'_>,
    caller: &StationContext,
    batch: &UploadRequest,
) -> PgResult<HashMap<Uuid, Ack>> {
    let ids: Vec<Uuid> = batch.events.iter().map(|e| e.id.0).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let stmt = tx
        .prepare_cached("SELECT id, station, ack FROM events WHERE id = ANY($1)")
        .await
        .map_err(db_error)?;
    let rows = tx.query(&stmt, &[&ids]).await.map_err(db_error)?;
    let mut known = HashMap::with_capacity(rows.len());
    for row in rows {
        let id: Uuid = row.get(0);
        let station: &str = row.get(1);
        if station != caller.station.as_str() {
            return Err(common::event_of_another_station(EventId(id)));
        }
        known.insert(id, common::ack_from_json(row.get(2))?);
    }
    Ok(known)
}

/// The latest carried-out deletion request (消去) of each participant the batch names, in the
/// caller's program; participants never erased are absent.
async fn erasures(
    tx: &Transaction<'_>,
    caller: &StationContext,
    batch: &UploadRequest,
) -> PgResult<HashMap<String, Timestamp>> {
    let participants: Vec<&str> = batch
        .events
        .iter()
        .filter_map(|e| common::event_participant(&e.kind))
        .collect::<BTreeSet<&str>>()
        .into_iter()
        .collect();
    if participants.is_empty() {
        return Ok(HashMap::new());
    }
    let stmt = tx
        .prepare_cached(
            "SELECT participant, MAX(carried_out_at) FROM rights_requests \
             WHERE program = $1 AND participant = ANY($2) AND kind = 'deletion' \
                 AND carried_out_at IS NOT NULL \
             GROUP BY participant",
        )
        .await
        .map_err(db_error)?;
    Ok(tx
        .query(&stmt, &[&caller.program.as_str(), &participants])
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| (r.get(0), Timestamp::from_unix_ms(r.get(1))))
        .collect())
}

/// Locks and loads what the new events need.
async fn load(
    tx: &Transaction<'_>,
    caller: &StationContext,
    fresh: &[&OutboxEvent],
) -> PgResult<apply::Loaded> {
    let program = caller.program.as_str();
    let appends = fresh.iter().any(|e| {
        matches!(
            e.kind,
            EventKind::ParticipantRegistered(_) | EventKind::CardRevoked(_)
        )
    });
    // The program row: its rules, and (if this batch may append changes) its lock, taken now so
    // the lock order stays station → program → participants.
    let sql = if appends {
        "SELECT rules FROM programs WHERE id = $1 FOR NO KEY UPDATE"
    } else {
        "SELECT rules FROM programs WHERE id = $1"
    };
    let stmt = tx.prepare_cached(sql).await.map_err(db_error)?;
    let row = tx
        .query_opt(&stmt, &[&program])
        .await
        .map_err(db_error)?
        .ok_or_else(|| program_not_found(&caller.program))?;
    let rules = codec::rules_from_json(row.get(0))?;

    // Roster rows of every participant the new events name, locked in sorted order.
    let participants: Vec<&str> = fresh
        .iter()
        .filter_map(|e| common::event_participant(&e.kind))
        .collect::<BTreeSet<&str>>()
        .into_iter()
        .collect();
    let mut roster = HashMap::new();
    if !participants.is_empty() {
        let stmt = tx
            .prepare_cached(&format!(
                "SELECT {} FROM participants WHERE program = $1 AND participant = ANY($2) \
                 ORDER BY participant FOR NO KEY UPDATE",
                codec::ROSTER_COLUMNS
            ))
            .await
            .map_err(db_error)?;
        for row in tx
            .query(&stmt, &[&program, &participants])
            .await
            .map_err(db_error)?
        {
            let entry = codec::roster_from_row(&row)?;
            roster.insert(entry.participant.clone(), entry);
        }
    }

    // The measurements: (index among the new events, participant, taken_at, month key).
    let measured: Vec<(usize, &str, i64, String)> = fresh
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match &e.kind {
            EventKind::MeasurementRecorded(m) if roster.contains_key(&m.participant) => Some((
                i,
                m.participant.as_str(),
                m.taken_at.as_unix_ms(),
                rules.month_key(m.taken_at),
            )),
            // Unknown now (perhaps registered earlier in this batch): nothing stored to load.
            _ => None,
        })
        .collect();
    let card_ids: Vec<CardId> = fresh
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::CardRevoked(c) => c.card_id.parse().ok(),
            _ => None,
        })
        .collect();
    let measured_participants: Vec<&str> = measured
        .iter()
        .map(|m| m.1)
        .collect::<BTreeSet<&str>>()
        .into_iter()
        .collect();

    let registers = fresh
        .iter()
        .any(|e| matches!(e.kind, EventKind::ParticipantRegistered(_)));
    let (cards, consents, awards, balances, held_registrations) = tokio::try_join!(
        load_cards(tx, program, &card_ids),
        load_consents(tx, program, &measured),
        load_awards(tx, program, &measured),
        super::balance::balances(tx, &caller.program, &measured_participants),
        enrolment::held_of(tx, &caller.program, &caller.station, &participants),
    )?;
    // Rules and the roster's count under the program lock (taken above when the batch
    // registers anyone): two stations' registrations cannot both take the last place.
    let (registration_rules, enrolled) = if registers {
        (
            enrolment::rules_of(tx, &caller.program).await?,
            enrolment::enrolled(tx, &caller.program).await?,
        )
    } else {
        (hakaru_wire::api::RegistrationRules::default(), 0)
    };
    Ok(apply::Loaded {
        rules,
        roster,
        cards,
        consents,
        awards,
        balances,
        registration_rules,
        enrolled,
        held_registrations,
    })
}

async fn load_cards(
    tx: &Transaction<'_>,
    program: &str,
    ids: &[CardId],
) -> PgResult<HashMap<CardId, CardState>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (holders, serials) = cards::id_arrays(ids);
    let stmt = tx
        .prepare_cached(&format!(
            "SELECT {} FROM cards c JOIN programs p ON p.id = c.program \
             JOIN unnest($2::bigint[], $3::int[]) AS w (h, s) ON c.holder = w.h AND c.serial = w.s \
             WHERE c.program = $1",
            cards::CARD_COLUMNS
        ))
        .await
        .map_err(db_error)?;
    tx.query(&stmt, &[&program, &holders, &serials])
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| {
            let state = cards::card_state(r)?;
            Ok((CardId::of(&state.card), state))
        })
        .collect()
}

/// The latest stored consent at or before each reading.
async fn load_consents(
    tx: &Transaction<'_>,
    program: &str,
    measured: &[(usize, &str, i64, String)],
) -> PgResult<HashMap<usize, (i64, ConsentAction)>> {
    if measured.is_empty() {
        return Ok(HashMap::new());
    }
    let indexes: Vec<i64> = measured.iter().map(|m| m.0 as i64).collect();
    let participants: Vec<&str> = measured.iter().map(|m| m.1).collect();
    let taken: Vec<i64> = measured.iter().map(|m| m.2).collect();
    let stmt = tx
        .prepare_cached(
            "SELECT m.i, c.decided_at, c.action \
             FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS m (i, p, t) \
             JOIN LATERAL (SELECT decided_at, action FROM consents \
                           WHERE program = $1 AND participant = m.p AND decided_at <= m.t \
                           ORDER BY decided_at DESC, arrival DESC LIMIT 1) c ON true",
        )
        .await
        .map_err(db_error)?;
    tx.query(&stmt, &[&program, &indexes, &participants, &taken])
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| {
            let i: i64 = r.get(0);
            let action = ConsentAction::from_name(r.get(2))
                .ok_or_else(|| codec::corrupt("consent action"))?;
            Ok((i as usize, (r.get(1), action)))
        })
        .collect()
}

/// The stored awards of each (participant, month) the readings fall in.
async fn load_awards(
    tx: &Transaction<'_>,
    program: &str,
    measured: &[(usize, &str, i64, String)],
) -> PgResult<HashMap<(String, String), Vec<PriorAward>>> {
    if measured.is_empty() {
        return Ok(HashMap::new());
    }
    let pairs: BTreeSet<(&str, &str)> = measured.iter().map(|m| (m.1, m.3.as_str())).collect();
    let (participants, months): (Vec<&str>, Vec<&str>) = pairs.into_iter().unzip();
    let stmt = tx
        .prepare_cached(
            "SELECT a.participant, a.month_key, a.rule_id, a.period_key, a.points, \
                 a.cancelled_at IS NOT NULL \
             FROM unnest($2::text[], $3::text[]) AS k (p, m) \
             JOIN awards a ON a.program = $1 AND a.participant = k.p AND a.month_key = k.m",
        )
        .await
        .map_err(db_error)?;
    let mut awards: HashMap<(String, String), Vec<PriorAward>> = HashMap::new();
    for r in tx
        .query(&stmt, &[&program, &participants, &months])
        .await
        .map_err(db_error)?
    {
        let points: i64 = r.get(4);
        awards
            .entry((r.get(0), r.get(1)))
            .or_default()
            .push(PriorAward {
                rule_id: r.get(2),
                period_key: r.get(3),
                points: u32::try_from(points).map_err(|_| codec::corrupt("points"))?,
                cancelled: r.get(5),
            });
    }
    Ok(awards)
}

/// Appends the batch's changes (the program row is locked already).
async fn append_changes(
    tx: &Transaction<'_>,
    caller: &StationContext,
    changes: &[hakaru_wire::api::ChangeKind],
    now: Timestamp,
) -> PgResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let first = feed::reserve(tx, &caller.program, changes.len()).await?;
    feed::insert(tx, &caller.program, first, changes, now).await
}
