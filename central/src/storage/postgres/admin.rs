//! The administrator's side: programs, municipalities, stations, credentials, awards and
//! exchanges, and the oversight views (sync status, ledger, held events).
//!
//! Deliberately not here: writes that stations pull (the `feed` module) and station requests.

use super::{
    audit, balance, codec, db_error, ensure_program, is_unique_violation, ledger,
    program_not_found, program_rules, PgResult, PostgresStorage,
};
use crate::ids::{CredentialId, MunicipalityId, ProgramId, StationId};
use crate::points::PointsRules;
use crate::storage::audit::entries;
use crate::storage::{
    common, AwardRecord, CredentialRecord, HeldEvent, LedgerEntry, NewMunicipality, NewProgram,
    NewStation, Program, StationContext, StationSyncStatus, StorageError,
};
use deadpool_postgres::GenericClient;
use hakaru_wire::api::PointsBalance;
use hakaru_wire::{EventId, Timestamp};
use uuid::Uuid;

/// An insert's outcome: a unique violation becomes [`StorageError::AlreadyExists`].
fn created(
    result: Result<u64, tokio_postgres::Error>,
    what: &'static str,
    id: &str,
) -> PgResult<()> {
    match result {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(StorageError::AlreadyExists {
            what,
            id: id.to_owned(),
        }),
        Err(e) => Err(db_error(e)),
    }
}

fn checked(rules: &PointsRules) -> PgResult<serde_json::Value> {
    rules
        .validate()
        .map_err(|e| StorageError::Invalid(e.to_string()))?;
    codec::rules_to_json(rules)
}

pub(super) async fn create_program(
    storage: &PostgresStorage,
    program: &NewProgram,
    now: Timestamp,
) -> PgResult<()> {
    let rules = checked(&program.rules)?;
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let result = tx
        .execute(
            "INSERT INTO programs (id, name_ja, name_en, rules, created_at, card_code) \
             VALUES ($1, $2, $3, $4, $5, \
                     (SELECT COALESCE(MAX(card_code), 0) + 1 FROM programs))",
            &[
                &program.id.as_str(),
                &program.name_ja,
                &program.name_en,
                &rules,
                &now.as_unix_ms(),
            ],
        )
        .await;
    created(result, "program", program.id.as_str())?;
    let entry = entries::program_created(storage.actor(), &program.id);
    audit::append(&tx, &entry, now).await?;
    tx.commit().await.map_err(db_error)
}

pub(super) async fn program(
    storage: &PostgresStorage,
    id: &ProgramId,
) -> PgResult<Option<Program>> {
    let client = storage.client().await?;
    let row = client
        .query_opt(
            "SELECT name_ja, name_en, rules, card_code FROM programs WHERE id = $1",
            &[&id.as_str()],
        )
        .await
        .map_err(db_error)?;
    row.map(|r| {
        Ok(Program {
            id: id.clone(),
            card_code: common::stored_u16("card code", i64::from(r.get::<_, i32>(3)))?,
            name_ja: r.get(0),
            name_en: r.get(1),
            rules: codec::rules_from_json(r.get(2))?,
        })
    })
    .transpose()
}

pub(super) async fn set_points_rules(
    storage: &PostgresStorage,
    program: &ProgramId,
    rules: &PointsRules,
    now: Timestamp,
) -> PgResult<()> {
    let rules = checked(rules)?;
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let n = tx
        .execute(
            "UPDATE programs SET rules = $2 WHERE id = $1",
            &[&program.as_str(), &rules],
        )
        .await
        .map_err(db_error)?;
    if n == 0 {
        return Err(program_not_found(program));
    }
    let entry = entries::points_rules_changed(storage.actor(), program);
    audit::append(&tx, &entry, now).await?;
    tx.commit().await.map_err(db_error)
}

pub(super) async fn create_municipality(
    storage: &PostgresStorage,
    m: &NewMunicipality,
    now: Timestamp,
) -> PgResult<()> {
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let exists = tx
        .query_opt(
            "SELECT 1 FROM programs WHERE id = $1",
            &[&m.program.as_str()],
        )
        .await
        .map_err(db_error)?;
    if exists.is_none() {
        return Err(program_not_found(&m.program));
    }
    let result = tx
        .execute(
            "INSERT INTO municipalities (id, program, name_ja, name_en, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &m.id.as_str(),
                &m.program.as_str(),
                &m.name_ja,
                &m.name_en,
                &now.as_unix_ms(),
            ],
        )
        .await;
    created(result, "municipality", m.id.as_str())?;
    let entry = entries::municipality_created(storage.actor(), m);
    audit::append(&tx, &entry, now).await?;
    tx.commit().await.map_err(db_error)
}

pub(super) async fn create_station(
    storage: &PostgresStorage,
    s: &NewStation,
    now: Timestamp,
) -> PgResult<()> {
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let program: String = tx
        .query_opt(
            "SELECT program FROM municipalities WHERE id = $1",
            &[&s.municipality.as_str()],
        )
        .await
        .map_err(db_error)?
        .ok_or_else(|| StorageError::NotFound {
            what: "municipality",
            id: s.municipality.to_string(),
        })?
        .get(0);
    let result = tx
        .execute(
            "INSERT INTO stations (id, municipality, program, place, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &s.id.as_str(),
                &s.municipality.as_str(),
                &program,
                &s.place,
                &now.as_unix_ms(),
            ],
        )
        .await;
    created(result, "station", s.id.as_str())?;
    let entry = entries::station_created(storage.actor(), s);
    audit::append(&tx, &entry, now).await?;
    tx.commit().await.map_err(db_error)
}

pub(super) async fn add_credential(
    storage: &PostgresStorage,
    station: &StationId,
    id: &CredentialId,
    secret_hash: &[u8],
    now: Timestamp,
) -> PgResult<()> {
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let exists = tx
        .query_opt("SELECT 1 FROM stations WHERE id = $1", &[&station.as_str()])
        .await
        .map_err(db_error)?;
    if exists.is_none() {
        return Err(StorageError::NotFound {
            what: "station",
            id: station.to_string(),
        });
    }
    let result = tx
        .execute(
            "INSERT INTO credentials (id, station, secret_hash, created_at) VALUES ($1, $2, $3, $4)",
            &[&id.as_str(), &station.as_str(), &secret_hash, &now.as_unix_ms()],
        )
        .await;
    created(result, "credential", id.as_str())?;
    let entry = entries::credential_added(storage.actor(), station, id);
    audit::append(&tx, &entry, now).await?;
    tx.commit().await.map_err(db_error)
}

pub(super) async fn revoke_credential(
    storage: &PostgresStorage,
    id: &CredentialId,
    now: Timestamp,
) -> PgResult<()> {
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let n = tx
        .execute(
            "UPDATE credentials SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1",
            &[&id.as_str(), &now.as_unix_ms()],
        )
        .await
        .map_err(db_error)?;
    if n == 0 {
        return Err(StorageError::NotFound {
            what: "credential",
            id: id.to_string(),
        });
    }
    let entry = entries::credential_revoked(storage.actor(), id);
    audit::append(&tx, &entry, now).await?;
    tx.commit().await.map_err(db_error)
}

pub(super) async fn credential(
    storage: &PostgresStorage,
    id: &CredentialId,
) -> PgResult<Option<CredentialRecord>> {
    let client = storage.client().await?;
    let stmt = client
        .prepare_cached(
            "SELECT c.station, s.program, c.secret_hash, c.revoked_at \
             FROM credentials c JOIN stations s ON s.id = c.station WHERE c.id = $1",
        )
        .await
        .map_err(db_error)?;
    let row = client
        .query_opt(&stmt, &[&id.as_str()])
        .await
        .map_err(db_error)?;
    row.map(|r| {
        Ok(CredentialRecord {
            id: id.clone(),
            context: StationContext {
                station: StationId::new(r.get(0)).map_err(|_| codec::corrupt("station id"))?,
                program: ProgramId::new(r.get(1)).map_err(|_| codec::corrupt("program id"))?,
            },
            secret_hash: r.get(2),
            revoked_at: r.get::<_, Option<i64>>(3).map(Timestamp::from_unix_ms),
        })
    })
    .transpose()
}

pub(super) async fn awards(
    storage: &PostgresStorage,
    program: &ProgramId,
    participant: &str,
) -> PgResult<Vec<AwardRecord>> {
    let client = storage.client().await?;
    ensure_program(&client, program).await?;
    let rows = client
        .query(
            "SELECT id, measurement_id, rule_id, period_key, points, awarded_at, cancelled_reason \
             FROM awards WHERE program = $1 AND participant = $2 \
             ORDER BY awarded_at DESC, arrival DESC",
            &[&program.as_str(), &participant],
        )
        .await
        .map_err(db_error)?;
    rows.iter()
        .map(|r| {
            Ok(AwardRecord {
                id: r.get(0),
                measurement_id: r.get(1),
                rule_id: r.get(2),
                period_key: r.get(3),
                points: u32::try_from(r.get::<_, i64>(4)).map_err(|_| codec::corrupt("points"))?,
                awarded_at: Timestamp::from_unix_ms(r.get(5)),
                cancelled: r.get(6),
            })
        })
        .collect()
}

pub(super) async fn cancel_award(
    storage: &PostgresStorage,
    program: &ProgramId,
    award: Uuid,
    reason: &str,
    now: Timestamp,
) -> PgResult<()> {
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let row = tx
        .query_opt(
            "WITH target AS (SELECT id, cancelled_at FROM awards WHERE program = $1 AND id = $2), \
                  done AS (UPDATE awards SET cancelled_reason = $3, cancelled_at = $4 \
                           WHERE program = $1 AND id = $2 AND cancelled_at IS NULL RETURNING id) \
             SELECT (SELECT count(*) FROM done), (SELECT count(*) FROM target)",
            &[&program.as_str(), &award, &reason, &now.as_unix_ms()],
        )
        .await
        .map_err(db_error)?
        .ok_or_else(|| StorageError::Backend("cancel_award: no answer".into()))?;
    let (updated, found): (i64, i64) = (row.get(0), row.get(1));
    match (updated, found) {
        (1, _) => {
            let entry = entries::award_cancelled(storage.actor(), program, award);
            audit::append(&tx, &entry, now).await?;
            tx.commit().await.map_err(db_error)
        }
        (_, 0) => Err(StorageError::NotFound {
            what: "award",
            id: award.to_string(),
        }),
        _ => Err(common::already_cancelled(award)),
    }
}

pub(super) async fn exchange_points(
    storage: &PostgresStorage,
    program: &ProgramId,
    participant: &str,
    units: u32,
    now: Timestamp,
) -> PgResult<PointsBalance> {
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let rules = program_rules(&tx, program).await?;
    // The roster row is the participant's lock (the same one ingest takes before awarding):
    // two exchanges at once cannot both spend the same points.
    let on_roster = tx
        .query_opt(
            "SELECT 1 FROM participants WHERE program = $1 AND participant = $2 \
             FOR NO KEY UPDATE",
            &[&program.as_str(), &participant],
        )
        .await
        .map_err(db_error)?;
    if on_roster.is_none() {
        return Err(StorageError::NotFound {
            what: "participant",
            id: "(参加者番号 / participant number)".into(),
        });
    }
    let before = balance::balance(&tx, program, participant).await?;
    let cost = common::exchange_cost(units, before, &rules)?;
    tx.execute(
        "INSERT INTO exchanges (id, program, participant, units, points, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &common::new_id(now),
            &program.as_str(),
            &participant,
            &i64::from(units),
            &cost,
            &now.as_unix_ms(),
        ],
    )
    .await
    .map_err(db_error)?;
    let this_month = balance::month_total(&tx, program, participant, &rules.month_key(now)).await?;
    let entry = entries::points_exchanged(storage.actor(), program, participant, units, cost);
    audit::append(&tx, &entry, now).await?;
    tx.commit().await.map_err(db_error)?;
    Ok(common::points_balance(
        participant,
        before - cost,
        this_month,
        &rules,
    ))
}

pub(super) async fn sync_status(
    storage: &PostgresStorage,
    program: Option<&ProgramId>,
) -> PgResult<Vec<StationSyncStatus>> {
    let client = storage.client().await?;
    if let Some(p) = program {
        ensure_program(&client, p).await?;
    }
    let rows = client
        .query(
            "SELECT id, municipality, place, last_seen, backlog, last_error, events_received \
             FROM stations WHERE $1::text IS NULL OR program = $1 ORDER BY id",
            &[&program.map(ProgramId::as_str)],
        )
        .await
        .map_err(db_error)?;
    rows.iter()
        .map(|r| {
            Ok(StationSyncStatus {
                station: StationId::new(r.get(0)).map_err(|_| codec::corrupt("station id"))?,
                municipality: MunicipalityId::new(r.get(1))
                    .map_err(|_| codec::corrupt("municipality id"))?,
                place: r.get(2),
                last_seen: r.get::<_, Option<i64>>(3).map(Timestamp::from_unix_ms),
                backlog: common::to_u64(r.get(4)),
                last_error: r.get(5),
                events_received: common::to_u64(r.get(6)),
            })
        })
        .collect()
}

pub(super) async fn ledger(
    storage: &PostgresStorage,
    program: &ProgramId,
    since: Timestamp,
) -> PgResult<Vec<LedgerEntry>> {
    let client = storage.client().await?;
    ensure_program(&client, program).await?;
    ledger::read(&client, program, since).await
}

pub(super) async fn held_events(
    storage: &PostgresStorage,
    program: &ProgramId,
) -> PgResult<Vec<HeldEvent>> {
    let client = storage.client().await?;
    ensure_program(&client, program).await?;
    let rows = client
        .query(
            "SELECT id, station, kind, held_reason, received_at FROM events \
             WHERE program = $1 AND held_reason IS NOT NULL ORDER BY received_at, arrival",
            &[&program.as_str()],
        )
        .await
        .map_err(db_error)?;
    rows.iter()
        .map(|r| {
            Ok(HeldEvent {
                id: EventId(r.get(0)),
                station: StationId::new(r.get(1)).map_err(|_| codec::corrupt("station id"))?,
                kind: r.get(2),
                reason: codec::held_reason_from(r.get(3))?,
                received_at: Timestamp::from_unix_ms(r.get(4)),
            })
        })
        .collect()
}
