//! The program's change feed and the admin writes that append to it (roster, documents,
//! purposes, staff; cards are in `cards`).
//!
//! Gap-free in commit order: a writer first bumps `programs.change_seq` with
//! `UPDATE … RETURNING`, which row-locks the program until the transaction ends, so a second
//! writer of the same program waits and takes the next numbers only after the first committed
//! (or rolled back, giving its numbers back). A sequence object would not do: numbers taken in
//! one order commit in another, and a station reading in between would skip one for ever.
//!
//! Lock order, shared with ingest: station row, then program row, then participant rows.
//!
//! Deliberately not here: reading the feed (the `station` module).

use super::{
    audit, codec, db_error, is_unique_violation, program_not_found, PgResult, PostgresStorage,
};
use crate::ids::ProgramId;
use crate::storage::audit::entries;
use crate::storage::StorageError;
use deadpool_postgres::GenericClient;
use hakaru_wire::api::{ChangeKind, PolicyDocument, PurposeDef, RosterEntry, StaffAccount};
use hakaru_wire::Timestamp;

/// Reserves `count` seqs in the program's feed (locking the program row until commit) and
/// returns the first; [`StorageError::NotFound`] if the program does not exist.
pub(super) async fn reserve(
    client: &impl GenericClient,
    program: &ProgramId,
    count: usize,
) -> PgResult<i64> {
    let n = i64::try_from(count).map_err(|_| StorageError::Invalid("too many changes".into()))?;
    let stmt = client
        .prepare_cached(
            "UPDATE programs SET change_seq = change_seq + $2 WHERE id = $1 RETURNING change_seq",
        )
        .await
        .map_err(db_error)?;
    let row = client
        .query_opt(&stmt, &[&program.as_str(), &n])
        .await
        .map_err(db_error)?
        .ok_or_else(|| program_not_found(program))?;
    let last: i64 = row.get(0);
    Ok(last - n + 1)
}

/// Writes changes at the seqs reserved from `first` on.
pub(super) async fn insert(
    client: &impl GenericClient,
    program: &ProgramId,
    first: i64,
    changes: &[ChangeKind],
    now: Timestamp,
) -> PgResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut seqs = Vec::with_capacity(changes.len());
    let mut bodies = Vec::with_capacity(changes.len());
    for (i, change) in changes.iter().enumerate() {
        seqs.push(first + i as i64);
        bodies.push(
            serde_json::to_string(change)
                .map_err(|e| StorageError::Backend(format!("change to JSON: {e}")))?,
        );
    }
    let stmt = client
        .prepare_cached(
            "INSERT INTO changes (program, seq, body, created_at) \
             SELECT $1, s, b::jsonb, $4 FROM unnest($2::bigint[], $3::text[]) AS t (s, b)",
        )
        .await
        .map_err(db_error)?;
    client
        .execute(
            &stmt,
            &[&program.as_str(), &seqs, &bodies, &now.as_unix_ms()],
        )
        .await
        .map_err(db_error)?;
    Ok(())
}

/// One admin write that appends a change.
enum Write<'a> {
    Participant(&'a RosterEntry),
    Document(&'a PolicyDocument),
    Purpose(&'a PurposeDef),
    Staff(&'a StaffAccount),
}

impl Write<'_> {
    /// Its audit row (`old`: the roster entry a participant write replaced).
    fn audit_entry(
        &self,
        storage: &PostgresStorage,
        program: &ProgramId,
        old: Option<&RosterEntry>,
    ) -> crate::storage::audit::AuditEntry {
        let actor = storage.actor();
        match self {
            Write::Participant(e) => entries::participant_saved(actor, program, old, e),
            Write::Document(d) => entries::document_published(actor, program, d),
            Write::Purpose(p) => entries::purpose_saved(actor, program, p),
            Write::Staff(a) => entries::staff_saved(actor, program, a),
        }
    }

    /// The change stations will pull.
    fn change(&self) -> ChangeKind {
        match self {
            Write::Participant(e) => ChangeKind::Participant((*e).clone()),
            Write::Document(d) => ChangeKind::Document((*d).clone()),
            Write::Purpose(p) => ChangeKind::Purpose((*p).clone()),
            Write::Staff(s) => ChangeKind::Staff((*s).clone()),
        }
    }
}

/// Runs one admin write and appends its change, in one transaction.
async fn apply(
    storage: &PostgresStorage,
    program: &ProgramId,
    write: Write<'_>,
    now: Timestamp,
) -> PgResult<()> {
    let mut client = storage.client().await?;
    let tx = client.transaction().await.map_err(db_error)?;
    let first = reserve(&tx, program, 1).await?;
    let mut old = None;
    match &write {
        Write::Participant(e) => {
            old = tx
                .query_opt(
                    &format!(
                        "SELECT {} FROM participants WHERE program = $1 AND participant = $2",
                        codec::ROSTER_COLUMNS
                    ),
                    &[&program.as_str(), &e.participant],
                )
                .await
                .map_err(db_error)?
                .map(|row| codec::roster_from_row(&row))
                .transpose()?;
            upsert_participants(&tx, program, std::slice::from_ref(*e), now).await?;
        }
        Write::Document(d) => {
            let inserted = tx
                .execute(
                    "INSERT INTO documents (program, kind, version, language, effective, \
                         full_text, needs_fresh_consent, published_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    &[
                        &program.as_str(),
                        &d.kind.name(),
                        &d.version,
                        &d.language,
                        &d.effective,
                        &d.full_text,
                        &d.needs_fresh_consent,
                        &now.as_unix_ms(),
                    ],
                )
                .await;
            match inserted {
                Ok(_) => {}
                Err(e) if is_unique_violation(&e) => {
                    return Err(StorageError::AlreadyExists {
                        what: "document",
                        id: format!("{}/{}/{}", d.kind.name(), d.version, d.language),
                    })
                }
                Err(e) => return Err(db_error(e)),
            }
        }
        Write::Purpose(d) => {
            tx.execute(
                "INSERT INTO purposes (program, id, required, label_ja, label_en, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (program, id) DO UPDATE SET required = EXCLUDED.required, \
                     label_ja = EXCLUDED.label_ja, label_en = EXCLUDED.label_en, \
                     updated_at = EXCLUDED.updated_at",
                &[
                    &program.as_str(),
                    &d.id,
                    &d.required,
                    &d.label_ja,
                    &d.label_en,
                    &now.as_unix_ms(),
                ],
            )
            .await
            .map_err(db_error)?;
        }
        Write::Staff(a) => {
            tx.execute(
                "INSERT INTO staff (program, login, display_name, role, password_hash, \
                     active, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (program, login) DO UPDATE SET \
                     display_name = EXCLUDED.display_name, role = EXCLUDED.role, \
                     password_hash = EXCLUDED.password_hash, active = EXCLUDED.active, \
                     updated_at = EXCLUDED.updated_at",
                &[
                    &program.as_str(),
                    &a.login,
                    &a.display_name,
                    &a.role.name(),
                    &a.password_hash,
                    &a.active,
                    &now.as_unix_ms(),
                ],
            )
            .await
            .map_err(db_error)?;
        }
    }
    insert(&tx, program, first, &[write.change()], now).await?;
    let entry = write.audit_entry(storage, program, old.as_ref());
    audit::append(&tx, &entry, now).await?;
    tx.commit().await.map_err(db_error)
}

/// Adds or replaces a participant's roster entry.
pub(super) async fn put_participant(
    storage: &PostgresStorage,
    program: &ProgramId,
    entry: &RosterEntry,
    now: Timestamp,
) -> PgResult<()> {
    apply(storage, program, Write::Participant(entry), now).await
}

/// Publishes a document version; the same (kind, version, language) twice is refused.
pub(super) async fn publish_document(
    storage: &PostgresStorage,
    program: &ProgramId,
    document: &PolicyDocument,
    now: Timestamp,
) -> PgResult<()> {
    apply(storage, program, Write::Document(document), now).await
}

/// Adds or replaces a consent purpose.
pub(super) async fn put_purpose(
    storage: &PostgresStorage,
    program: &ProgramId,
    purpose: &PurposeDef,
    now: Timestamp,
) -> PgResult<()> {
    apply(storage, program, Write::Purpose(purpose), now).await
}

/// Adds or replaces a staff account.
pub(super) async fn put_staff(
    storage: &PostgresStorage,
    program: &ProgramId,
    account: &StaffAccount,
    now: Timestamp,
) -> PgResult<()> {
    apply(storage, program, Write::Staff(account), now).await
}

/// Inserts or replaces roster entries (at most one per participant number).
pub(super) async fn upsert_participants(
    client: &impl GenericClient,
    program: &ProgramId,
    entries: &[RosterEntry],
    now: Timestamp,
) -> PgResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let numbers: Vec<&str> = entries.iter().map(|e| e.participant.as_str()).collect();
    let births: Vec<&str> = entries.iter().map(|e| e.birth_date.as_str()).collect();
    let sexes: Vec<&str> = entries.iter().map(|e| codec::sex_name(e.sex)).collect();
    let heights: Vec<i32> = entries
        .iter()
        .map(|e| i32::from(e.height_tenths_cm))
        .collect();
    let body_types: Vec<i32> = entries.iter().map(|e| i32::from(e.body_type)).collect();
    let devices: Vec<bool> = entries.iter().map(|e| e.implanted_device).collect();
    let statuses: Vec<&str> = entries.iter().map(|e| e.status.name()).collect();
    let stmt = client
        .prepare_cached(
            "INSERT INTO participants (program, participant, birth_date, sex, height_tenths_cm, \
                 body_type, implanted_device, status, updated_at) \
             SELECT $1, p, b, s, h, t, d, st, $9 \
             FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::bool[], \
                 $8::text[]) AS u (p, b, s, h, t, d, st) \
             ON CONFLICT (program, participant) DO UPDATE SET \
                 birth_date = EXCLUDED.birth_date, sex = EXCLUDED.sex, \
                 height_tenths_cm = EXCLUDED.height_tenths_cm, body_type = EXCLUDED.body_type, \
                 implanted_device = EXCLUDED.implanted_device, status = EXCLUDED.status, \
                 updated_at = EXCLUDED.updated_at",
        )
        .await
        .map_err(db_error)?;
    client
        .execute(
            &stmt,
            &[
                &program.as_str(),
                &numbers,
                &births,
                &sexes,
                &heights,
                &body_types,
                &devices,
                &statuses,
                &now.as_unix_ms(),
            ],
        )
        .await
        .map_err(db_error)?;
    Ok(())
}
