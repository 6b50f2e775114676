//! Embedded SQLite backend (rusqlite): one plain SQLite file (no key, though the crate links
//! SQLCipher), WAL, `synchronous=FULL`. Work runs on tokio's blocking pool: every write — and
//! every read that writes a ledger entry (change pages, history, points) — goes through the one
//! writer connection in an `IMMEDIATE` transaction, which serialises ingest and makes the
//! points decision race-free; pure reads use a small pool of reader connections.
//!
//! Deliberately not here: the decisions (`storage::common`, `points`), HTTP and the clock.

mod audit;
mod enrolment;
mod export;
mod ingest;
mod rights;
mod rows;
mod schema;
mod statement;

pub use schema::SCHEMA_VERSION;

use super::audit::entries;
use super::common::{self, item};
use super::{
    AwardRecord, CardId, CardIssue, CardRecord, CredentialRecord, HeldEvent, IssuedCard,
    LedgerEntry, NewMunicipality, NewProgram, NewStation, Program, StationContext,
    StationSyncStatus, Storage, StorageError,
};
use crate::ids::{CredentialId, MunicipalityId, ProgramId, StationId};
use crate::points::PointsRules;
use hakaru_wire::api::{
    CardStatus, Change, ChangeKind, ChangesPage, History, HistoryItem, ParticipantStatus,
    PointsBalance, PolicyDocument, PurposeDef, RosterEntry, StaffAccount, UploadRequest,
    UploadResponse,
};
use hakaru_wire::card::CardFields;
use hakaru_wire::{EventId, Timestamp};
use rows::{corrupt, json_err, no_program, require_program, to_json};
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Reader connections kept open for reuse.
const READERS: usize = 4;

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> StorageError {
        match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(
                    f.code,
                    ErrorCode::DatabaseBusy
                        | ErrorCode::DatabaseLocked
                        | ErrorCode::CannotOpen
                        | ErrorCode::DiskFull
                        | ErrorCode::SystemIoFailure
                ) =>
            {
                StorageError::Unavailable(e.to_string())
            }
            _ => StorageError::Backend(e.to_string()),
        }
    }
}

fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation)
}

/// The embedded SQLite storage. Cheap to clone (shared connections).
#[derive(Clone)]
pub struct SqliteStorage {
    inner: Arc<Inner>,
    /// Who the audit log names for this handle's writes.
    actor: crate::storage::audit::Actor,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl fmt::Debug for SqliteStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStorage")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

fn open_connection(path: &Path) -> Result<Connection, StorageError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(|e| {
        StorageError::Unavailable(format!(
            "{}: {e} — ファイルとフォルダの権限を確認してください / check the file and folder permissions",
            path.display()
        ))
    })?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StorageError::Backend(format!(
            "journal mode {mode}, WAL expected"
        )));
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;",
    )?;
    Ok(conn)
}

fn poisoned<T>(_: T) -> StorageError {
    StorageError::Backend("a storage thread panicked while holding a connection".into())
}

impl SqliteStorage {
    /// Opens (creating if missing) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStorage, StorageError> {
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StorageError::Unavailable(format!(
                    "フォルダ {} を作れません / cannot create the folder {}: {e}",
                    dir.display(),
                    dir.display()
                ))
            })?;
        }
        let mut writer = open_connection(path)?;
        schema::migrate(&mut writer)?;
        Ok(SqliteStorage {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::new()),
            }),
            actor: crate::storage::audit::Actor::server(),
        })
    }

    /// The same database, with `actor` named in the audit log for this handle's writes.
    pub fn acting_as(mut self, actor: crate::storage::audit::Actor) -> SqliteStorage {
        self.actor = actor;
        self
    }

    /// Who the audit log names for this handle's writes.
    pub(crate) fn actor(&self) -> &crate::storage::audit::Actor {
        &self.actor
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` in one `IMMEDIATE` transaction on the writer connection; commits on `Ok`.
    async fn write<T, F>(&self, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StorageError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let mut conn = inner.writer.lock().map_err(poisoned)?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })
        .await
        .map_err(|e| StorageError::Backend(format!("storage task: {e}")))?
    }

    /// Runs `f` in one read transaction (a consistent snapshot) on a reader connection.
    async fn read<T, F>(&self, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StorageError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let pooled = inner.readers.lock().map_err(poisoned)?.pop();
            let mut conn = match pooled {
                Some(c) => c,
                None => open_connection(&inner.path)?,
            };
            let result = (|| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
                let value = f(&tx)?;
                tx.commit()?;
                Ok(value)
            })();
            let mut pool = inner.readers.lock().map_err(poisoned)?;
            if pool.len() < READERS {
                pool.push(conn);
            }
            result
        })
        .await
        .map_err(|e| StorageError::Backend(format!("storage task: {e}")))?
    }
}

fn require_participant(
    conn: &Connection,
    program: &ProgramId,
    participant: &str,
) -> Result<(), StorageError> {
    if rows::on_roster(conn, program, participant)? {
        Ok(())
    } else {
        Err(StorageError::NotFound {
            what: "participant",
            id: "<redacted>".into(),
        })
    }
}

fn points_of(
    conn: &Connection,
    program: &ProgramId,
    participant: &str,
    now: Timestamp,
) -> Result<PointsBalance, StorageError> {
    let rules = rows::program_rules(conn, program)?;
    let balance = rows::balance(conn, program, participant)?;
    let this_month = rows::month_points(conn, program, participant, &rules.month_key(now))?;
    Ok(common::points_balance(
        participant,
        balance,
        this_month,
        &rules,
    ))
}

/// Issues a card to an active participant inside the caller's write transaction (see
/// [`Storage::issue_card`]): holder number, next serial, tag, earlier cards revoked, every card
/// written appended to the change feed. The caller writes the audit row.
pub(super) fn issue_card_in(
    c: &Connection,
    program: &ProgramId,
    participant: &str,
    issue: CardIssue,
    now: Timestamp,
) -> Result<IssuedCard, StorageError> {
    let entry =
        rows::roster_entry(c, program, participant)?.ok_or_else(|| StorageError::NotFound {
            what: "participant",
            id: "<redacted>".into(),
        })?;
    if entry.status != ParticipantStatus::Active {
        return Err(common::card_for_inactive_participant());
    }
    let (code, key) = rows::card_code_and_key(c, program)?;
    let holder = rows::card_holder(c, program, participant)?;
    let (highest, active) = {
        let mut stmt = c.prepare_cached(
            "SELECT serial, status FROM cards WHERE program = ?1 AND holder = ?2",
        )?;
        let rows = stmt.query_map(params![program.as_str(), holder], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut highest = None;
        let mut active = Vec::new();
        for row in rows {
            let (serial, status) = row?;
            highest = highest.max(Some(serial));
            if rows::card_status_from_name(&status)? == CardStatus::Active {
                let serial = common::stored_u16("serial", serial)?;
                active.push(CardId { holder, serial });
            }
        }
        (highest, active)
    };
    for &id in &active {
        rows::set_card_status(c, program, id, CardStatus::Revoked, now)?;
        if let Some(state) = rows::card_state(c, program, id)? {
            rows::append_change(c, program, &ChangeKind::Card(state), now)?;
        }
    }
    let token = key.mint(CardFields {
        program: code,
        holder,
        serial: common::next_card_serial(highest)?,
        issued_day: issue.issued_day,
    });
    rows::insert_card(c, program, participant, &token, issue.expires_day, now)?;
    let state = common::card_state(participant, &token, issue.expires_day, CardStatus::Active);
    rows::append_change(c, program, &ChangeKind::Card(state), now)?;
    Ok(IssuedCard {
        token,
        revoked: active,
    })
}

fn station_context(conn: &Connection, station: &str) -> Result<StationContext, StorageError> {
    let program: String = conn.query_row(
        "SELECT program FROM stations WHERE id = ?1",
        [station],
        |r| r.get(0),
    )?;
    Ok(StationContext {
        station: StationId::new(station).map_err(|_| corrupt("station id", station))?,
        program: ProgramId::new(&program).map_err(|_| corrupt("program id", &program))?,
    })
}

fn uuid_of(text: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(text).map_err(|_| corrupt("uuid", text))
}

#[async_trait::async_trait]
impl Storage for SqliteStorage {
    async fn migrate(&self) -> Result<(), StorageError> {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let mut conn = inner.writer.lock().map_err(poisoned)?;
            schema::migrate(&mut conn)
        })
        .await
        .map_err(|e| StorageError::Backend(format!("storage task: {e}")))?
    }

    async fn ping(&self) -> Result<(), StorageError> {
        self.read(|c| {
            c.query_row("SELECT count(*) FROM programs", [], |r| r.get::<_, i64>(0))?;
            Ok(())
        })
        .await
    }

    async fn create_program(
        &self,
        program: &NewProgram,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let p = program.clone();
        let actor = self.actor().clone();
        self.write(move |c| {
            let rules = to_json(&p.rules)?;
            match c.execute(
                "INSERT INTO programs (id, name_ja, name_en, rules, created_at, updated_at, card_code)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5,
                         (SELECT COALESCE(MAX(card_code), 0) + 1 FROM programs))",
                params![p.id.as_str(), p.name_ja, p.name_en, rules, now.as_unix_ms()],
            ) {
                Err(e) if is_constraint(&e) => {
                    return Err(StorageError::AlreadyExists {
                        what: "program",
                        id: p.id.to_string(),
                    })
                }
                r => r?,
            };
            audit::append(c, &entries::program_created(&actor, &p.id), now)?;
            Ok(())
        })
        .await
    }

    async fn program(&self, id: &ProgramId) -> Result<Option<Program>, StorageError> {
        let id = id.clone();
        self.read(move |c| {
            let row = c
                .query_row(
                    "SELECT name_ja, name_en, rules, card_code FROM programs WHERE id = ?1",
                    [id.as_str()],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, i64>(3)?,
                        ))
                    },
                )
                .optional()?;
            row.map(|(name_ja, name_en, rules, code)| {
                Ok(Program {
                    id: id.clone(),
                    card_code: common::stored_u16("card code", code)?,
                    name_ja,
                    name_en,
                    rules: serde_json::from_str::<PointsRules>(&rules).map_err(json_err)?,
                })
            })
            .transpose()
        })
        .await
    }

    async fn set_points_rules(
        &self,
        program: &ProgramId,
        rules: &PointsRules,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let (program, rules) = (program.clone(), rules.clone());
        let actor = self.actor().clone();
        self.write(move |c| {
            let n = c.execute(
                "UPDATE programs SET rules = ?2, updated_at = ?3 WHERE id = ?1",
                params![program.as_str(), to_json(&rules)?, now.as_unix_ms()],
            )?;
            if n == 0 {
                return Err(no_program(&program));
            }
            audit::append(c, &entries::points_rules_changed(&actor, &program), now)?;
            Ok(())
        })
        .await
    }

    async fn create_municipality(
        &self,
        municipality: &NewMunicipality,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let m = municipality.clone();
        let actor = self.actor().clone();
        self.write(move |c| {
            require_program(c, &m.program)?;
            match c.execute(
                "INSERT INTO municipalities (id, program, name_ja, name_en, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    m.id.as_str(),
                    m.program.as_str(),
                    m.name_ja,
                    m.name_en,
                    now.as_unix_ms()
                ],
            ) {
                Err(e) if is_constraint(&e) => {
                    return Err(StorageError::AlreadyExists {
                        what: "municipality",
                        id: m.id.to_string(),
                    })
                }
                r => r?,
            };
            audit::append(c, &entries::municipality_created(&actor, &m), now)?;
            Ok(())
        })
        .await
    }

    async fn create_station(
        &self,
        station: &NewStation,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let s = station.clone();
        let actor = self.actor().clone();
        self.write(move |c| {
            let program: Option<String> = c
                .query_row(
                    "SELECT program FROM municipalities WHERE id = ?1",
                    [s.municipality.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            let program = program.ok_or_else(|| StorageError::NotFound {
                what: "municipality",
                id: s.municipality.to_string(),
            })?;
            match c.execute(
                "INSERT INTO stations (id, municipality, program, place, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    s.id.as_str(),
                    s.municipality.as_str(),
                    program,
                    s.place,
                    now.as_unix_ms()
                ],
            ) {
                Err(e) if is_constraint(&e) => {
                    return Err(StorageError::AlreadyExists {
                        what: "station",
                        id: s.id.to_string(),
                    })
                }
                r => r?,
            };
            audit::append(c, &entries::station_created(&actor, &s), now)?;
            Ok(())
        })
        .await
    }

    async fn add_credential(
        &self,
        station: &StationId,
        id: &CredentialId,
        secret_hash: &[u8],
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let (station, id, hash) = (station.clone(), id.clone(), secret_hash.to_vec());
        let actor = self.actor().clone();
        self.write(move |c| {
            let known: Option<i64> = c
                .query_row(
                    "SELECT 1 FROM stations WHERE id = ?1",
                    [station.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            if known.is_none() {
                return Err(StorageError::NotFound {
                    what: "station",
                    id: station.to_string(),
                });
            }
            match c.execute(
                "INSERT INTO credentials (id, station, secret_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![id.as_str(), station.as_str(), hash, now.as_unix_ms()],
            ) {
                Err(e) if is_constraint(&e) => {
                    return Err(StorageError::AlreadyExists {
                        what: "credential",
                        id: id.to_string(),
                    })
                }
                r => r?,
            };
            audit::append(c, &entries::credential_added(&actor, &station, &id), now)?;
            Ok(())
        })
        .await
    }

    async fn revoke_credential(
        &self,
        id: &CredentialId,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let id = id.clone();
        let actor = self.actor().clone();
        self.write(move |c| {
            let n = c.execute(
                "UPDATE credentials SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
                params![id.as_str(), now.as_unix_ms()],
            )?;
            if n == 0 {
                return Err(StorageError::NotFound {
                    what: "credential",
                    id: id.to_string(),
                });
            }
            audit::append(c, &entries::credential_revoked(&actor, &id), now)?;
            Ok(())
        })
        .await
    }

    async fn credential(
        &self,
        id: &CredentialId,
    ) -> Result<Option<CredentialRecord>, StorageError> {
        let id = id.clone();
        self.read(move |c| {
            let row = c
                .query_row(
                    "SELECT station, secret_hash, revoked_at FROM credentials WHERE id = ?1",
                    [id.as_str()],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, Vec<u8>>(1)?,
                            r.get::<_, Option<i64>>(2)?,
                        ))
                    },
                )
                .optional()?;
            row.map(|(station, secret_hash, revoked_at)| {
                Ok(CredentialRecord {
                    id: id.clone(),
                    context: station_context(c, &station)?,
                    secret_hash,
                    revoked_at: revoked_at.map(Timestamp::from_unix_ms),
                })
            })
            .transpose()
        })
        .await
    }

    async fn put_participant(
        &self,
        program: &ProgramId,
        entry: &RosterEntry,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let (program, entry) = (program.clone(), entry.clone());
        let actor = self.actor().clone();
        self.write(move |c| {
            require_program(c, &program)?;
            let old = rows::roster_entry(c, &program, &entry.participant)?;
            rows::upsert_participant(c, &program, &entry, now)?;
            let saved = entries::participant_saved(&actor, &program, old.as_ref(), &entry);
            audit::append(c, &saved, now)?;
            rows::append_change(c, &program, &ChangeKind::Participant(entry), now)?;
            Ok(())
        })
        .await
    }

    async fn issue_card(
        &self,
        program: &ProgramId,
        participant: &str,
        issue: CardIssue,
        now: Timestamp,
    ) -> Result<IssuedCard, StorageError> {
        let (program, participant) = (program.clone(), participant.to_owned());
        let actor = self.actor().clone();
        self.write(move |c| {
            let issued = issue_card_in(c, &program, &participant, issue, now)?;
            let id = CardId::of(&issued.token.fields());
            let entry = entries::card_issued(&actor, &program, &participant, id, &issued.revoked);
            audit::append(c, &entry, now)?;
            Ok(issued)
        })
        .await
    }

    async fn revoke_card(
        &self,
        program: &ProgramId,
        card: CardId,
        now: Timestamp,
    ) -> Result<bool, StorageError> {
        let program = program.clone();
        let actor = self.actor().clone();
        self.write(move |c| {
            let Some((_, status)) = rows::card(c, &program, card)? else {
                return Err(StorageError::NotFound {
                    what: "card",
                    id: card.to_string(),
                });
            };
            if status == CardStatus::Revoked {
                return Ok(false);
            }
            rows::set_card_status(c, &program, card, CardStatus::Revoked, now)?;
            if let Some(state) = rows::card_state(c, &program, card)? {
                rows::append_change(c, &program, &ChangeKind::Card(state), now)?;
            }
            audit::append(c, &entries::card_revoked(&actor, &program, card), now)?;
            Ok(true)
        })
        .await
    }

    async fn cards(
        &self,
        program: &ProgramId,
        participants: Option<Vec<String>>,
    ) -> Result<Vec<CardRecord>, StorageError> {
        let program = program.clone();
        // Making the program's key on a read is a write: go through the writer.
        self.write(move |c| {
            let (code, key) = rows::card_code_and_key(c, &program)?;
            let mut stmt = c.prepare_cached(
                "SELECT participant, holder, serial, issued_day, expires_day, status FROM cards
                 WHERE program = ?1 ORDER BY participant, serial DESC",
            )?;
            let rows = stmt.query_map([program.as_str()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (participant, holder, serial, issued_day, expires_day, status) = row?;
                if participants
                    .as_ref()
                    .is_some_and(|wanted| !wanted.contains(&participant))
                {
                    continue;
                }
                out.push(common::card_record(
                    &key,
                    code,
                    participant,
                    (holder, serial, issued_day, expires_day),
                    rows::card_status_from_name(&status)?,
                )?);
            }
            Ok(out)
        })
        .await
    }

    async fn publish_document(
        &self,
        program: &ProgramId,
        document: &PolicyDocument,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let (program, d) = (program.clone(), document.clone());
        let actor = self.actor().clone();
        self.write(move |c| {
            require_program(c, &program)?;
            match c.execute(
                "INSERT INTO documents
                     (program, kind, version, language, effective, full_text, needs_fresh_consent, published_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    program.as_str(),
                    d.kind.name(),
                    d.version,
                    d.language,
                    d.effective,
                    d.full_text,
                    d.needs_fresh_consent,
                    now.as_unix_ms()
                ],
            ) {
                Err(e) if is_constraint(&e) => {
                    return Err(StorageError::AlreadyExists {
                        what: "document",
                        id: format!("{}/{}/{}", d.kind.name(), d.version, d.language),
                    })
                }
                r => r?,
            };
            audit::append(c, &entries::document_published(&actor, &program, &d), now)?;
            rows::append_change(c, &program, &ChangeKind::Document(d), now)?;
            Ok(())
        })
        .await
    }

    async fn put_purpose(
        &self,
        program: &ProgramId,
        purpose: &PurposeDef,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let (program, p) = (program.clone(), purpose.clone());
        let actor = self.actor().clone();
        self.write(move |c| {
            require_program(c, &program)?;
            c.execute(
                "INSERT INTO purposes (program, id, required, label_ja, label_en, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (program, id) DO UPDATE SET required = excluded.required,
                     label_ja = excluded.label_ja, label_en = excluded.label_en,
                     updated_at = excluded.updated_at",
                params![
                    program.as_str(),
                    p.id,
                    p.required,
                    p.label_ja,
                    p.label_en,
                    now.as_unix_ms()
                ],
            )?;
            audit::append(c, &entries::purpose_saved(&actor, &program, &p), now)?;
            rows::append_change(c, &program, &ChangeKind::Purpose(p), now)?;
            Ok(())
        })
        .await
    }

    async fn put_staff(
        &self,
        program: &ProgramId,
        account: &StaffAccount,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let (program, a) = (program.clone(), account.clone());
        let actor = self.actor().clone();
        self.write(move |c| {
            require_program(c, &program)?;
            c.execute(
                "INSERT INTO staff_accounts
                     (program, login, display_name, role, password_hash, active, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (program, login) DO UPDATE SET display_name = excluded.display_name,
                     role = excluded.role, password_hash = excluded.password_hash,
                     active = excluded.active, updated_at = excluded.updated_at",
                params![
                    program.as_str(),
                    a.login,
                    a.display_name,
                    a.role.name(),
                    a.password_hash,
                    a.active,
                    now.as_unix_ms()
                ],
            )?;
            audit::append(c, &entries::staff_saved(&actor, &program, &a), now)?;
            rows::append_change(c, &program, &ChangeKind::Staff(a), now)?;
            Ok(())
        })
        .await
    }

    async fn balance(
        &self,
        program: &ProgramId,
        participant: &str,
        now: Timestamp,
    ) -> Result<Option<PointsBalance>, StorageError> {
        let (program, participant) = (program.clone(), participant.to_owned());
        self.read(move |c| {
            require_program(c, &program)?;
            if !rows::on_roster(c, &program, &participant)? {
                return Ok(None);
            }
            points_of(c, &program, &participant, now).map(Some)
        })
        .await
    }

    async fn awards(
        &self,
        program: &ProgramId,
        participant: &str,
    ) -> Result<Vec<AwardRecord>, StorageError> {
        let (program, participant) = (program.clone(), participant.to_owned());
        self.read(move |c| {
            require_program(c, &program)?;
            let mut stmt = c.prepare(
                "SELECT id, measurement_id, rule_id, period_key, points, awarded_at, cancelled_reason
                 FROM awards WHERE program = ?1 AND participant = ?2
                 ORDER BY awarded_at DESC, rowid DESC",
            )?;
            let rows = stmt.query_map(params![program.as_str(), participant], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, u32>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, measurement, rule_id, period_key, points, at, cancelled) = row?;
                out.push(AwardRecord {
                    id: uuid_of(&id)?,
                    measurement_id: uuid_of(&measurement)?,
                    rule_id,
                    period_key,
                    points,
                    awarded_at: Timestamp::from_unix_ms(at),
                    cancelled,
                });
            }
            Ok(out)
        })
        .await
    }

    async fn cancel_award(
        &self,
        program: &ProgramId,
        award: Uuid,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let (program, reason) = (program.clone(), reason.to_owned());
        let actor = self.actor().clone();
        self.write(move |c| {
            require_program(c, &program)?;
            let cancelled: Option<Option<i64>> = c
                .query_row(
                    "SELECT cancelled_at FROM awards WHERE id = ?1 AND program = ?2",
                    params![award.to_string(), program.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            match cancelled {
                None => Err(StorageError::NotFound {
                    what: "award",
                    id: award.to_string(),
                }),
                Some(Some(_)) => Err(common::already_cancelled(award)),
                Some(None) => {
                    c.execute(
                        "UPDATE awards SET cancelled_at = ?2, cancelled_reason = ?3 WHERE id = ?1",
                        params![award.to_string(), now.as_unix_ms(), reason],
                    )?;
                    audit::append(c, &entries::award_cancelled(&actor, &program, award), now)?;
                    Ok(())
                }
            }
        })
        .await
    }

    async fn exchange_points(
        &self,
        program: &ProgramId,
        participant: &str,
        units: u32,
        now: Timestamp,
    ) -> Result<PointsBalance, StorageError> {
        let (program, participant) = (program.clone(), participant.to_owned());
        let actor = self.actor().clone();
        self.write(move |c| {
            let rules = rows::program_rules(c, &program)?;
            require_participant(c, &program, &participant)?;
            let balance = rows::balance(c, &program, &participant)?;
            let cost = common::exchange_cost(units, balance, &rules)?;
            c.execute(
                "INSERT INTO exchanges (program, participant, units, points, at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![program.as_str(), participant, units, cost, now.as_unix_ms()],
            )?;
            let entry = entries::points_exchanged(&actor, &program, &participant, units, cost);
            audit::append(c, &entry, now)?;
            points_of(c, &program, &participant, now)
        })
        .await
    }

    async fn sync_status(
        &self,
        program: Option<&ProgramId>,
    ) -> Result<Vec<StationSyncStatus>, StorageError> {
        let program = program.cloned();
        self.read(move |c| {
            if let Some(p) = &program {
                require_program(c, p)?;
            }
            let mut stmt = c.prepare(
                "SELECT id, municipality, place, last_seen, backlog, last_error, events_received
                 FROM stations WHERE ?1 IS NULL OR program = ?1 ORDER BY id",
            )?;
            let rows = stmt.query_map([program.as_ref().map(|p| p.as_str())], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, i64>(6)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, municipality, place, last_seen, backlog, last_error, received) = row?;
                out.push(StationSyncStatus {
                    station: StationId::new(&id).map_err(|_| corrupt("station id", &id))?,
                    municipality: MunicipalityId::new(&municipality)
                        .map_err(|_| corrupt("municipality id", &municipality))?,
                    place,
                    last_seen: last_seen.map(Timestamp::from_unix_ms),
                    backlog: common::to_u64(backlog),
                    last_error,
                    events_received: common::to_u64(received),
                });
            }
            Ok(out)
        })
        .await
    }

    async fn ledger(
        &self,
        program: &ProgramId,
        since: Timestamp,
    ) -> Result<Vec<LedgerEntry>, StorageError> {
        let program = program.clone();
        self.read(move |c| {
            require_program(c, &program)?;
            rows::ledger_rows(c, &program, since)
        })
        .await
    }

    async fn held_events(&self, program: &ProgramId) -> Result<Vec<HeldEvent>, StorageError> {
        let program = program.clone();
        self.read(move |c| {
            require_program(c, &program)?;
            let mut stmt = c.prepare(
                "SELECT id, station, kind, held_reason, received_at FROM events
                 WHERE program = ?1 AND held_reason IS NOT NULL ORDER BY received_at, rowid",
            )?;
            let rows = stmt.query_map([program.as_str()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, station, kind, reason, at) = row?;
                out.push(HeldEvent {
                    id: EventId(uuid_of(&id)?),
                    station: StationId::new(&station)
                        .map_err(|_| corrupt("station id", &station))?,
                    kind,
                    reason: serde_json::from_str(&reason).map_err(json_err)?,
                    received_at: Timestamp::from_unix_ms(at),
                });
            }
            Ok(out)
        })
        .await
    }

    async fn ingest(
        &self,
        caller: &StationContext,
        batch: &UploadRequest,
        now: Timestamp,
    ) -> Result<UploadResponse, StorageError> {
        // Refuse before taking the write lock or copying the batch.
        common::check_batch(caller, batch)?;
        let (caller, batch) = (caller.clone(), batch.clone());
        self.write(move |c| ingest::ingest(c, &caller, &batch, now))
            .await
    }

    async fn changes_since(
        &self,
        caller: &StationContext,
        since: u64,
        limit: u32,
        now: Timestamp,
    ) -> Result<ChangesPage, StorageError> {
        let caller = caller.clone();
        let limit = common::change_page_limit(limit);
        self.write(move |c| {
            let mut stmt = c.prepare(
                "SELECT seq, body FROM changes WHERE program = ?1 AND seq > ?2
                 ORDER BY seq LIMIT ?3",
            )?;
            let rows = stmt.query_map(
                params![
                    caller.program.as_str(),
                    common::to_i64(since),
                    i64::from(limit) + 1
                ],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )?;
            let mut changes = Vec::new();
            for row in rows {
                let (seq, body) = row?;
                changes.push(Change {
                    seq: common::to_u64(seq),
                    change: serde_json::from_str(&body).map_err(json_err)?,
                });
            }
            drop(stmt);
            let more = changes.len() > limit as usize;
            changes.truncate(limit as usize);
            let next_cursor = changes.last().map_or(since, |ch| ch.seq);
            rows::insert_ledger(
                c,
                common::changes_ledger_entry(&caller, &changes, now).as_ref(),
            )?;
            c.execute(
                "UPDATE stations SET last_seen = ?2 WHERE id = ?1",
                params![caller.station.as_str(), now.as_unix_ms()],
            )?;
            // "Confirmed by the station's next sync": the cursor it pulled with is applied.
            rights::record_feed_cursor(c, &caller.station, since, now)?;
            let card_program: i64 = c
                .prepare_cached("SELECT card_code FROM programs WHERE id = ?1")?
                .query_row([caller.program.as_str()], |r| r.get(0))?;
            Ok(ChangesPage {
                card_program: common::stored_u16("card code", card_program)?,
                changes,
                next_cursor,
                more,
            })
        })
        .await
    }

    async fn history(
        &self,
        caller: &StationContext,
        participant: &str,
        limit: u32,
        now: Timestamp,
    ) -> Result<Option<History>, StorageError> {
        let (caller, participant) = (caller.clone(), participant.to_owned());
        let limit = common::history_limit(limit);
        self.write(move |c| {
            if !rows::on_roster(c, &caller.program, &participant)? {
                return Ok(None);
            }
            let mut stmt = c.prepare(
                "SELECT id, taken_at, station, weight_only, reading_json FROM measurements
                 WHERE program = ?1 AND participant = ?2
                 ORDER BY taken_at DESC, rowid DESC LIMIT ?3",
            )?;
            let rows = stmt.query_map(
                params![caller.program.as_str(), participant, i64::from(limit)],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, bool>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )?;
            let mut measurements = Vec::new();
            for row in rows {
                let (id, taken_at, station, weight_only, values) = row?;
                measurements.push(HistoryItem {
                    measurement_id: uuid_of(&id)?,
                    taken_at: Timestamp::from_unix_ms(taken_at),
                    station,
                    weight_only,
                    values: serde_json::from_str(&values).map_err(json_err)?,
                });
            }
            drop(stmt);
            if !measurements.is_empty() {
                rows::insert_ledger(
                    c,
                    common::sent_ledger_entry(&caller, &participant, item::MEASUREMENT, now)
                        .as_ref(),
                )?;
            }
            Ok(Some(History {
                participant,
                measurements,
            }))
        })
        .await
    }

    async fn points(
        &self,
        caller: &StationContext,
        participant: &str,
        now: Timestamp,
    ) -> Result<Option<PointsBalance>, StorageError> {
        let (caller, participant) = (caller.clone(), participant.to_owned());
        self.write(move |c| {
            if !rows::on_roster(c, &caller.program, &participant)? {
                return Ok(None);
            }
            let points = points_of(c, &caller.program, &participant, now)?;
            rows::insert_ledger(
                c,
                common::sent_ledger_entry(&caller, &participant, item::POINTS, now).as_ref(),
            )?;
            Ok(Some(points))
        })
        .await
    }

    async fn touch_station(&self, station: &StationId, now: Timestamp) -> Result<(), StorageError> {
        let station = station.clone();
        let id = station.clone();
        let last_seen = self
            .read(move |c| {
                c.prepare_cached("SELECT last_seen FROM stations WHERE id = ?1")?
                    .query_row([id.as_str()], |r| r.get::<_, Option<i64>>(0))
                    .optional()
                    .map_err(StorageError::from)
            })
            .await?;
        let Some(last_seen) = last_seen else {
            return Err(StorageError::NotFound {
                what: "station",
                id: station.to_string(),
            });
        };
        if !super::touch_due(last_seen.map(Timestamp::from_unix_ms), now) {
            return Ok(());
        }
        self.write(move |c| {
            let n = c.execute(
                "UPDATE stations SET last_seen = ?2 WHERE id = ?1",
                params![station.as_str(), now.as_unix_ms()],
            )?;
            if n == 0 {
                return Err(StorageError::NotFound {
                    what: "station",
                    id: station.to_string(),
                });
            }
            Ok(())
        })
        .await
    }
}
