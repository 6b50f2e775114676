//! Card issuance, revocation and listing in PostgreSQL.
//!
//! Every write locks the program row first (`FOR NO KEY UPDATE`, the lock the change feed takes
//! anyway), so two issuances in one program run one after the other: holder numbers, serials
//! and feed seqs never race.
//!
//! Deliberately not here: making tags (`cards::key`), and a station's own revocations (ingest).

use super::feed::{insert, reserve};
use super::{audit, codec, db_error, program_not_found, PgResult, PostgresStorage};
use crate::cards::key::CardKey;
use crate::ids::ProgramId;
use crate::storage::audit::entries;
use crate::storage::common::{self, CardRow};
use crate::storage::{CardId, CardIssue, CardRecord, IssuedCard, StorageError};
use deadpool_postgres::GenericClient;
use hakaru_wire::api::{CardState, CardStatus, ChangeKind, ParticipantStatus};
use hakaru_wire::card::CardFields;
use hakaru_wire::Timestamp;
use tokio_postgres::Row;

/// Locks the program row; returns its card code and card key (made and stored now if it has
/// none yet).
async fn lock_program(
    client: &impl GenericClient,
    program: &ProgramId,
) -> PgResult<(u16, CardKey)> {
    let row = client
        .query_opt(
            "SELECT card_code, card_key FROM programs WHERE id = $1 FOR NO KEY UPDATE",
            &[&program.as_str()],
        )
        .await
        .map_err(db_error)?
        .ok_or_else(|| program_not_found(program))?;
    let code = common::stored_u16("card code", i64::from(row.get::<_, i32>(0)))?;
    let key = match row.get::<_, Option<Vec<u8>>>(1) {
        Some(bytes) => common::card_key(&bytes)?,
        None => {
            let key = common::new_card_key()?;
            client
                .execute(
                    "UPDATE programs SET card_key = $2 WHERE id = $1",
                    &[&program.as_str(), &key.as_bytes().as_slice()],
                )
                .await
                .map_err(db_error)?;
            key
        }
    };
    Ok((code, key))
}

/// The participant's card-holder number, assigned from the program's counter at their first card.
async fn holder_of(
    client: &impl GenericClient,
    program: &ProgramId,
    participant: &str,
) -> PgResult<u32> {
    let found = client
        .query_opt(
            "SELECT holder FROM card_holders WHERE program = $1 AND participant = $2",
            &[&program.as_str(), &participant],
        )
        .await
        .map_err(db_error)?;
    if let Some(row) = found {
        return common::card_holder(row.get(0));
    }
    let next: i64 = client
        .query_one(
            "UPDATE programs SET next_holder = next_holder + 1 WHERE id = $1 \
             RETURNING next_holder - 1",
            &[&program.as_str()],
        )
        .await
        .map_err(db_error)?
        .get(0);
    let holder = common::card_holder(next)?;
    client
        .execute(
            "INSERT INTO card_holders (program, participant, holder) VALUES ($1, $2, $3)",
            &[&program.as_str(), &participant, &i64::from(holder)],
        )
        .await
        .map_err(db_error)?;
    Ok(holder)
}

/// Sets the given cards revoked and returns their feed bodies.
pub(super) async fn revoke(
    client: &impl GenericClient,
    program: &ProgramId,
    ids: &[CardId],
    now: Timestamp,
) -> PgResult<Vec<CardState>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (holders, serials) = id_arrays(ids);
    let rows = client
        .query(
            &format!(
                "UPDATE cards AS c SET status = 'revoked', updated_at = $4 \
                 FROM unnest($2::bigint[], $3::int[]) AS r (h, s), programs AS p \
                 WHERE c.program = $1 AND p.id = c.program AND c.holder = r.h AND c.serial = r.s \
                 RETURNING {CARD_COLUMNS}"
            ),
            &[&program.as_str(), &holders, &serials, &now.as_unix_ms()],
        )
        .await
        .map_err(db_error)?;
    rows.iter().map(card_state).collect()
}

/// The columns [`card_state`] reads, in its order (`c` is `cards`, `p` its program).
pub(super) const CARD_COLUMNS: &str = "c.participant, c.holder, c.serial, c.issued_day, \
     c.expires_day, c.tag_sha256, c.status, p.card_code";

/// A card selected with [`CARD_COLUMNS`], as the change feed carries it.
pub(super) fn card_state(r: &Row) -> PgResult<CardState> {
    let code = common::stored_u16("card code", i64::from(r.get::<_, i32>(7)))?;
    common::card_state_from_row(
        code,
        CardRow {
            participant: r.get(0),
            holder: r.get(1),
            serial: i64::from(r.get::<_, i32>(2)),
            issued_day: i64::from(r.get::<_, i32>(3)),
            expires_day: r.get::<_, Option<i32>>(4).map(i64::from),
            tag_sha256: r.get(5),
            status: codec::card_status_from(r.get(6))?,
        },
    )
}

/// Card ids as the two arrays `unnest` takes.
pub(super) fn id_arrays(ids: &[CardId]) -> (Vec<i64>, Vec<i32>) {
    ids.iter()
        .map(|c| (i64::from(c.holder), i32::from(c.serial)))
        .unzip()
}

pub(super) async fn issue_card(
    storage: &PostgresStorage,
    program: &ProgramId,
    participant: &str,
    issue: CardIssue,
    now: Timestamp,
) -> PgResult<IssuedCard> {
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let (issued, changes) = issue_in(&tx, program, participant, issue, now).await?;
    let first = reserve(&tx, program, changes.len()).await?;
    insert(&tx, program, first, &changes, now).await?;
    let id = CardId::of(&issued.token.fields());
    let entry = entries::card_issued(storage.actor(), program, participant, id, &issued.revoked);
    audit::append(&tx, &entry, now).await?;
    tx.commit().await.map_err(db_error)?;
    Ok(issued)
}

/// Issues a card to an active participant inside the caller's transaction (locking the program
/// row): holder number, next serial, tag, earlier cards revoked. Returns the card and the
/// changes to append (the revocations, then the new card); the caller appends them and writes
/// the audit row.
pub(super) async fn issue_in(
    tx: &impl GenericClient,
    program: &ProgramId,
    participant: &str,
    issue: CardIssue,
    now: Timestamp,
) -> PgResult<(IssuedCard, Vec<ChangeKind>)> {
    let (code, key) = lock_program(tx, program).await?;
    let status = tx
        .query_opt(
            "SELECT status FROM participants WHERE program = $1 AND participant = $2",
            &[&program.as_str(), &participant],
        )
        .await
        .map_err(db_error)?
        .ok_or_else(|| StorageError::NotFound {
            what: "participant",
            id: "<redacted>".into(),
        })?;
    if codec::status_from(status.get(0))? != ParticipantStatus::Active {
        return Err(common::card_for_inactive_participant());
    }
    let holder = holder_of(tx, program, participant).await?;
    let rows = tx
        .query(
            "SELECT serial, status FROM cards WHERE program = $1 AND holder = $2",
            &[&program.as_str(), &i64::from(holder)],
        )
        .await
        .map_err(db_error)?;
    let mut highest = None;
    let mut active = Vec::new();
    for r in &rows {
        let serial = i64::from(r.get::<_, i32>(0));
        highest = highest.max(Some(serial));
        if codec::card_status_from(r.get(1))? == CardStatus::Active {
            active.push(CardId {
                holder,
                serial: common::stored_u16("serial", serial)?,
            });
        }
    }
    let token = key.mint(CardFields {
        program: code,
        holder,
        serial: common::next_card_serial(highest)?,
        issued_day: issue.issued_day,
    });
    let mut changes: Vec<ChangeKind> = revoke(tx, program, &active, now)
        .await?
        .into_iter()
        .map(ChangeKind::Card)
        .collect();
    let f = token.fields();
    tx.execute(
        "INSERT INTO cards (program, holder, serial, participant, issued_day, expires_day, \
             tag_sha256, status, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8)",
        &[
            &program.as_str(),
            &i64::from(f.holder),
            &i32::from(f.serial),
            &participant,
            &i32::from(f.issued_day),
            &issue.expires_day.map(i32::from),
            &token.tag_hash().to_hex(),
            &now.as_unix_ms(),
        ],
    )
    .await
    .map_err(db_error)?;
    changes.push(ChangeKind::Card(common::card_state(
        participant,
        &token,
        issue.expires_day,
        CardStatus::Active,
    )));
    Ok((
        IssuedCard {
            token,
            revoked: active,
        },
        changes,
    ))
}

pub(super) async fn revoke_card(
    storage: &PostgresStorage,
    program: &ProgramId,
    card: CardId,
    now: Timestamp,
) -> PgResult<bool> {
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;
    lock_program(&tx, program).await?;
    let row = tx
        .query_opt(
            "SELECT status FROM cards WHERE program = $1 AND holder = $2 AND serial = $3",
            &[
                &program.as_str(),
                &i64::from(card.holder),
                &i32::from(card.serial),
            ],
        )
        .await
        .map_err(db_error)?
        .ok_or_else(|| StorageError::NotFound {
            what: "card",
            id: card.to_string(),
        })?;
    if codec::card_status_from(row.get(0))? == CardStatus::Revoked {
        return Ok(false);
    }
    let changes: Vec<ChangeKind> = revoke(&tx, program, &[card], now)
        .await?
        .into_iter()
        .map(ChangeKind::Card)
        .collect();
    let first = reserve(&tx, program, changes.len()).await?;
    insert(&tx, program, first, &changes, now).await?;
    let entry = entries::card_revoked(storage.actor(), program, card);
    audit::append(&tx, &entry, now).await?;
    tx.commit().await.map_err(db_error)?;
    Ok(true)
}

pub(super) async fn cards(
    storage: &PostgresStorage,
    program: &ProgramId,
    participants: Option<Vec<String>>,
) -> PgResult<Vec<CardRecord>> {
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let (code, key) = lock_program(&tx, program).await?;
    let rows = tx
        .query(
            "SELECT participant, holder, serial, issued_day, expires_day, status FROM cards \
             WHERE program = $1 AND ($2::text[] IS NULL OR participant = ANY($2)) \
             ORDER BY participant, serial DESC",
            &[&program.as_str(), &participants],
        )
        .await
        .map_err(db_error)?;
    let out = rows
        .iter()
        .map(|r| {
            common::card_record(
                &key,
                code,
                r.get(0),
                (
                    r.get(1),
                    i64::from(r.get::<_, i32>(2)),
                    i64::from(r.get::<_, i32>(3)),
                    r.get::<_, Option<i32>>(4).map(i64::from),
                ),
                codec::card_status_from(r.get(5))?,
            )
        })
        .collect::<PgResult<Vec<_>>>()?;
    tx.commit().await.map_err(db_error)?;
    Ok(out)
}
