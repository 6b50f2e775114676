//! Writing an applied batch: one `unnest` insert per table, sent together (tokio-postgres
//! pipelines them on the connection).
//!
//! Deliberately not here: deciding what to write ([`super::apply`]).

use super::super::{audit, cards, enrolment};
use super::apply::Applied;
use super::{append_changes, codec, db_error, feed, PgResult};
use crate::storage::audit::{entries, Actor};
use crate::storage::{common, CardId, StationContext, StorageError};
use deadpool_postgres::{GenericClient, Transaction};
use hakaru_wire::{OutboxEvent, Timestamp};
use uuid::Uuid;

/// Cards revoked by the batch (their feed bodies are among the batch's changes already).
async fn revoke_cards(
    tx: &Transaction<'_>,
    caller: &StationContext,
    applied: &Applied<'_>,
    now: Timestamp,
) -> PgResult<()> {
    super::super::cards::revoke(tx, &caller.program, &applied.revoked_cards, now)
        .await
        .map(drop)
}

fn to_json<T: serde::Serialize>(value: &T, what: &str) -> PgResult<String> {
    serde_json::to_string(value).map_err(|e| StorageError::Backend(format!("{what} to JSON: {e}")))
}

pub(super) async fn write(
    tx: &Transaction<'_>,
    caller: &StationContext,
    fresh: &[&OutboxEvent],
    applied: &mut Applied<'_>,
    now: Timestamp,
) -> PgResult<()> {
    // Changes first: the program row is locked already, and the seqs are taken before any
    // roster row is written (the admin writes' order).
    append_changes(tx, caller, &applied.changes, now).await?;
    // The roster before the first cards (a card needs its participant), and the cards before
    // the events (their acks carry them).
    feed::upsert_participants(tx, &caller.program, &applied.participants, now).await?;
    issue_cards(tx, caller, applied, now).await?;
    let applied = &*applied;
    let (inserted, (), (), (), (), (), ()) = tokio::try_join!(
        events(tx, caller, fresh, applied, now),
        revoke_cards(tx, caller, applied, now),
        consents(tx, caller, applied),
        measurements(tx, caller, applied),
        awards(tx, caller, applied, now),
        calibrations(tx, caller, applied),
        enrolment::hold(
            tx,
            &caller.program,
            &caller.station,
            &applied.held_registrations,
            now
        ),
    )?;
    if inserted != fresh.len() as u64 {
        // Another station's upload stored one of these ids a moment ago (this station's own
        // uploads are serialised by its row lock). Roll back; the retry sees it and refuses.
        return Err(StorageError::Unavailable(
            "同じイベントが同時に送られました。再試行してください / \
             the same events arrived concurrently: retry"
                .into(),
        ));
    }
    Ok(())
}

/// Issues the first card of each accepted registration (as `admin card issue` does: the
/// changes, an audit row naming the station) and puts it in the registration's ack.
async fn issue_cards(
    tx: &Transaction<'_>,
    caller: &StationContext,
    applied: &mut Applied<'_>,
    now: Timestamp,
) -> PgResult<()> {
    if applied.cards_to_issue.is_empty() {
        return Ok(());
    }
    let issue = applied.card_issue.ok_or_else(|| {
        StorageError::Invalid("日付が範囲外です / the date is out of range".into())
    })?;
    let actor = Actor::station(caller.station.as_str());
    for (index, participant) in std::mem::take(&mut applied.cards_to_issue) {
        let (issued, changes) =
            cards::issue_in(tx, &caller.program, &participant, issue, now).await?;
        let first = feed::reserve(tx, &caller.program, changes.len()).await?;
        feed::insert(tx, &caller.program, first, &changes, now).await?;
        let id = CardId::of(&issued.token.fields());
        let entry =
            entries::card_issued(&actor, &caller.program, &participant, id, &issued.revoked);
        audit::append(tx, &entry, now).await?;
        let ack = applied
            .acks
            .get_mut(index)
            .ok_or_else(|| StorageError::Backend("no acknowledgement for a registration".into()))?;
        ack.card = Some(common::ack_card(&issued.token, issue.expires_day));
    }
    Ok(())
}

async fn events(
    tx: &Transaction<'_>,
    caller: &StationContext,
    fresh: &[&OutboxEvent],
    applied: &Applied<'_>,
    now: Timestamp,
) -> PgResult<u64> {
    let mut ids = Vec::with_capacity(fresh.len());
    let mut kinds = Vec::with_capacity(fresh.len());
    let mut occurred = Vec::with_capacity(fresh.len());
    let mut payloads = Vec::with_capacity(fresh.len());
    let mut acks = Vec::with_capacity(fresh.len());
    let mut held = Vec::with_capacity(fresh.len());
    for (e, ack) in fresh.iter().zip(&applied.acks) {
        ids.push(e.id.0);
        kinds.push(e.kind.name());
        occurred.push(e.occurred_at.as_unix_ms());
        payloads.push(common::stored_payload(&e.kind, ack)?);
        acks.push(common::ack_to_json(ack)?);
        held.push(common::held_reason(ack).map(codec::held_reason_name));
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO events (id, program, station, kind, occurred_at, received_at, payload, \
                 ack, held_reason) \
             SELECT u.id, $1, $2, u.k, u.o, $3, u.p::json, u.a, u.h \
             FROM unnest($4::uuid[], $5::text[], $6::bigint[], $7::text[], $8::text[], \
                 $9::text[]) AS u (id, k, o, p, a, h) \
             ON CONFLICT (id) DO NOTHING",
        )
        .await
        .map_err(db_error)?;
    tx.execute(
        &stmt,
        &[
            &caller.program.as_str(),
            &caller.station.as_str(),
            &now.as_unix_ms(),
            &ids,
            &kinds,
            &occurred,
            &payloads,
            &acks,
            &held,
        ],
    )
    .await
    .map_err(db_error)
}

async fn consents(
    tx: &Transaction<'_>,
    caller: &StationContext,
    applied: &Applied<'_>,
) -> PgResult<()> {
    let rows = &applied.consents;
    if rows.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<Uuid> = Vec::with_capacity(rows.len());
    let mut participants = Vec::with_capacity(rows.len());
    let mut actions = Vec::with_capacity(rows.len());
    let mut granted = Vec::with_capacity(rows.len());
    let mut refused = Vec::with_capacity(rows.len());
    let mut hashes = Vec::with_capacity(rows.len());
    let mut methods = Vec::with_capacity(rows.len());
    let mut decided = Vec::with_capacity(rows.len());
    for r in rows {
        let c = r.consent;
        ids.push(c.consent_id);
        participants.push(c.participant.as_str());
        actions.push(c.action.name());
        granted.push(to_json(&c.granted, "granted")?);
        refused.push(to_json(&c.refused, "refused")?);
        hashes.push(to_json(&c.document_hashes, "document hashes")?);
        methods.push(codec::consent_method_name(c.method));
        decided.push(r.decided_at.as_unix_ms());
    }
    // `WITH ORDINALITY … ORDER BY` keeps the batch's order in `arrival` (it breaks ties).
    let stmt = tx
        .prepare_cached(
            "INSERT INTO consents (consent_id, program, participant, action, granted, refused, \
                 document_hashes, method, station, decided_at) \
             SELECT u.id, $1, u.p, u.a, u.g::jsonb, u.r::jsonb, u.h::jsonb, u.m, $2, u.d \
             FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], \
                 $8::text[], $9::text[], $10::bigint[]) WITH ORDINALITY AS u (id, p, a, g, r, h, m, d, n) \
             ORDER BY u.n \
             ON CONFLICT (consent_id) DO NOTHING",
        )
        .await
        .map_err(db_error)?;
    tx.execute(
        &stmt,
        &[
            &caller.program.as_str(),
            &caller.station.as_str(),
            &ids,
            &participants,
            &actions,
            &granted,
            &refused,
            &hashes,
            &methods,
            &decided,
        ],
    )
    .await
    .map_err(db_error)?;
    Ok(())
}

async fn measurements(
    tx: &Transaction<'_>,
    caller: &StationContext,
    applied: &Applied<'_>,
) -> PgResult<()> {
    let rows = &applied.measurements;
    if rows.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<Uuid> = Vec::with_capacity(rows.len());
    let mut events: Vec<Uuid> = Vec::with_capacity(rows.len());
    let mut participants = Vec::with_capacity(rows.len());
    let mut taken = Vec::with_capacity(rows.len());
    let mut weight_only = Vec::with_capacity(rows.len());
    let mut models = Vec::with_capacity(rows.len());
    let mut serials = Vec::with_capacity(rows.len());
    let mut readings = Vec::with_capacity(rows.len());
    let mut frames = Vec::with_capacity(rows.len());
    let mut dropped = Vec::with_capacity(rows.len());
    for r in rows {
        let m = r.measurement;
        ids.push(m.measurement_id);
        events.push(r.event.id.0);
        participants.push(m.participant.as_str());
        taken.push(m.taken_at.as_unix_ms());
        weight_only.push(m.weight_only);
        models.push(m.analyzer_model.as_deref());
        serials.push(m.analyzer_serial.as_deref());
        readings.push(to_json(&m.values, "reading")?);
        frames.push(m.raw_frame.as_deref());
        dropped.push(m.raw_frame_dropped);
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO measurements (id, event_id, program, participant, station, taken_at, \
                 weight_only, analyzer_model, analyzer_serial, reading, raw_frame, raw_frame_dropped) \
             SELECT u.id, u.e, $1, u.p, $2, u.t, u.w, u.mo, u.sn, u.v::json, u.f, u.d \
             FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::bigint[], $7::bool[], \
                 $8::text[], $9::text[], $10::text[], $11::text[], $12::bool[]) \
                 AS u (id, e, p, t, w, mo, sn, v, f, d) \
             ON CONFLICT (id) DO NOTHING",
        )
        .await
        .map_err(db_error)?;
    tx.execute(
        &stmt,
        &[
            &caller.program.as_str(),
            &caller.station.as_str(),
            &ids,
            &events,
            &participants,
            &taken,
            &weight_only,
            &models,
            &serials,
            &readings,
            &frames,
            &dropped,
        ],
    )
    .await
    .map_err(db_error)?;
    Ok(())
}

async fn awards(
    tx: &Transaction<'_>,
    caller: &StationContext,
    applied: &Applied<'_>,
    now: Timestamp,
) -> PgResult<()> {
    let rows = &applied.awards;
    if rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
    let participants: Vec<&str> = rows.iter().map(|a| a.participant.as_str()).collect();
    let measurements: Vec<Uuid> = rows.iter().map(|a| a.measurement_id).collect();
    let rule_ids: Vec<&str> = rows.iter().map(|a| a.rule_id.as_str()).collect();
    let periods: Vec<&str> = rows.iter().map(|a| a.period_key.as_str()).collect();
    let months: Vec<&str> = rows.iter().map(|a| a.month_key.as_str()).collect();
    let points: Vec<i64> = rows.iter().map(|a| i64::from(a.points)).collect();
    let stmt = tx
        .prepare_cached(
            "INSERT INTO awards (id, program, participant, measurement_id, rule_id, period_key, \
                 month_key, points, awarded_at) \
             SELECT u.id, $1, u.p, u.m, u.r, u.k, u.mk, u.pt, $2 \
             FROM unnest($3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::text[], \
                 $8::text[], $9::bigint[]) AS u (id, p, m, r, k, mk, pt)",
        )
        .await
        .map_err(db_error)?;
    tx.execute(
        &stmt,
        &[
            &caller.program.as_str(),
            &now.as_unix_ms(),
            &ids,
            &participants,
            &measurements,
            &rule_ids,
            &periods,
            &months,
            &points,
        ],
    )
    .await
    .map_err(db_error)?;
    Ok(())
}

async fn calibrations(
    tx: &Transaction<'_>,
    caller: &StationContext,
    applied: &Applied<'_>,
) -> PgResult<()> {
    let rows = &applied.calibrations;
    if rows.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<Uuid> = Vec::with_capacity(rows.len());
    let mut models = Vec::with_capacity(rows.len());
    let mut serials = Vec::with_capacity(rows.len());
    let mut records = Vec::with_capacity(rows.len());
    let mut at = Vec::with_capacity(rows.len());
    for r in rows {
        ids.push(r.event.id.0);
        models.push(r.calibration.analyzer_model.as_str());
        serials.push(r.calibration.analyzer_serial.as_str());
        records.push(to_json(r.calibration, "calibration")?);
        at.push(r.event.occurred_at.as_unix_ms());
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO calibrations (event_id, program, station, analyzer_model, \
                 analyzer_serial, record, recorded_at) \
             SELECT u.id, $1, $2, u.mo, u.sn, u.r::json, u.t \
             FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::bigint[]) \
                 AS u (id, mo, sn, r, t)",
        )
        .await
        .map_err(db_error)?;
    tx.execute(
        &stmt,
        &[
            &caller.program.as_str(),
            &caller.station.as_str(),
            &ids,
            &models,
            &serials,
            &records,
            &at,
        ],
    )
    .await
    .map_err(db_error)?;
    Ok(())
}
