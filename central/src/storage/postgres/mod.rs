//! PostgreSQL backend (tokio-postgres over a deadpool pool), for programs with hundreds of
//! stations: many connections at once, ingest set-wise per batch (a few round trips for 500
//! readings, not one per event), concurrency made safe by row and advisory locks.
//!
//! Deliberately not here: the rules themselves — what a registration, card event or measurement
//! does is decided by [`super::common`] and [`crate::points`], the same functions the SQLite
//! backend calls — and TLS (the server talks to a database on loopback or a private network).

mod admin;
mod audit;
mod balance;
mod cards;
mod codec;
mod enrolment;
mod export;
mod feed;
mod ingest;
mod ledger;
mod rights;
mod schema;
mod statement;
mod station;

use super::{
    AwardRecord, CardId, CardIssue, CardRecord, CredentialRecord, HeldEvent, IssuedCard,
    LedgerEntry, NewMunicipality, NewProgram, NewStation, Program, StationContext,
    StationSyncStatus, Storage, StorageError,
};
use crate::ids::{CredentialId, ProgramId, StationId};
use crate::points::PointsRules;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use hakaru_wire::api::{
    ChangesPage, History, PointsBalance, PolicyDocument, PurposeDef, RosterEntry, StaffAccount,
    UploadRequest, UploadResponse,
};
use hakaru_wire::Timestamp;
use std::fmt;
use std::time::Duration;
use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;
use uuid::Uuid;

type PgResult<T> = Result<T, StorageError>;

/// Connections kept open at most (the machine's PostgreSQL allows 100 by default).
const POOL_SIZE: usize = 16;

/// How long a request waits for a connection, or for a new one to open, before the database
/// counts as unavailable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The PostgreSQL backend. Cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct PostgresStorage {
    pool: Pool,
    /// Who the audit log names for this handle's writes.
    actor: crate::storage::audit::Actor,
}

impl fmt::Debug for PostgresStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a password: never print it.
        f.debug_struct("PostgresStorage")
            .field("pool", &self.pool.status())
            .finish()
    }
}

impl PostgresStorage {
    /// Opens a pool of connections to `url` (`postgres://user:password@host:port/database`, no
    /// TLS) and checks that one connection opens. Call [`Storage::migrate`] before use.
    pub async fn connect(url: &str) -> PgResult<PostgresStorage> {
        let mut config = url.parse::<tokio_postgres::Config>().map_err(|e| {
            StorageError::Invalid(format!(
                "PostgreSQL の接続 URL が読めません（postgres://ユーザー:パスワード@ホスト:ポート/データベース の形にしてください） / \
                 the PostgreSQL URL cannot be read (use postgres://user:password@host:port/database): {e}"
            ))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| StorageError::Backend(format!("connection pool: {e}")))?;
        let storage = PostgresStorage {
            pool,
            actor: crate::storage::audit::Actor::server(),
        };
        drop(storage.client().await?);
        Ok(storage)
    }

    /// The same database, with `actor` named in the audit log for this handle's writes.
    pub fn acting_as(mut self, actor: crate::storage::audit::Actor) -> PostgresStorage {
        self.actor = actor;
        self
    }

    /// Who the audit log names for this handle's writes.
    pub(crate) fn actor(&self) -> &crate::storage::audit::Actor {
        &self.actor
    }

    /// A pooled connection.
    async fn client(&self) -> PgResult<deadpool_postgres::Client> {
        self.pool.get().await.map_err(pool_error)
    }
}

/// A pool failure as a storage error: the database cannot be reached now.
fn pool_error(e: deadpool_postgres::PoolError) -> StorageError {
    use deadpool_postgres::PoolError;
    match e {
        PoolError::Backend(e) => db_error(e),
        other => StorageError::Unavailable(format!(
            "PostgreSQL に接続できません。scripts/postgres かデータベースの状態を確認してください / \
             cannot connect to PostgreSQL, check the database (scripts/postgres): {other}"
        )),
    }
}

/// A database error as a storage error. Only the code and the primary message are kept: the
/// detail line can quote row values (participant numbers), which must not reach a log.
fn db_error(e: tokio_postgres::Error) -> StorageError {
    let Some(db) = e.as_db_error() else {
        // No answer from the server: the connection broke or never opened.
        return StorageError::Unavailable(format!(
            "PostgreSQL に接続できません / cannot talk to PostgreSQL: {e}"
        ));
    };
    let code = db.code();
    let text = format!("{} ({})", db.message(), code.code());
    let transient = code.code().starts_with("08")
        || *code == SqlState::T_R_SERIALIZATION_FAILURE
        || *code == SqlState::T_R_DEADLOCK_DETECTED
        || *code == SqlState::ADMIN_SHUTDOWN
        || *code == SqlState::CRASH_SHUTDOWN
        || *code == SqlState::CANNOT_CONNECT_NOW
        || *code == SqlState::TOO_MANY_CONNECTIONS;
    if transient {
        StorageError::Unavailable(text)
    } else {
        StorageError::Backend(text)
    }
}

/// Whether a database error is a unique-key violation.
fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

/// The refusal for a program that does not exist.
fn program_not_found(program: &ProgramId) -> StorageError {
    StorageError::NotFound {
        what: "program",
        id: program.to_string(),
    }
}

/// [`StorageError::NotFound`] unless the program exists.
async fn ensure_program(
    client: &impl deadpool_postgres::GenericClient,
    program: &ProgramId,
) -> PgResult<()> {
    let stmt = client
        .prepare_cached("SELECT 1 FROM programs WHERE id = $1")
        .await
        .map_err(db_error)?;
    client
        .query_opt(&stmt, &[&program.as_str()])
        .await
        .map_err(db_error)?
        .map(|_| ())
        .ok_or_else(|| program_not_found(program))
}

/// A program's points rules (row-less programs are [`StorageError::NotFound`]).
async fn program_rules(
    client: &impl deadpool_postgres::GenericClient,
    program: &ProgramId,
) -> PgResult<PointsRules> {
    let row = client
        .query_opt(
            "SELECT rules FROM programs WHERE id = $1",
            &[&program.as_str()],
        )
        .await
        .map_err(db_error)?
        .ok_or_else(|| program_not_found(program))?;
    codec::rules_from_json(row.get(0))
}

#[async_trait::async_trait]
impl Storage for PostgresStorage {
    async fn migrate(&self) -> PgResult<()> {
        let mut client = self.client().await?;
        schema::migrate(&mut client).await
    }

    async fn ping(&self) -> PgResult<()> {
        let client = self.client().await?;
        client.simple_query("SELECT 1").await.map_err(db_error)?;
        Ok(())
    }

    async fn create_program(&self, program: &NewProgram, now: Timestamp) -> PgResult<()> {
        admin::create_program(self, program, now).await
    }

    async fn program(&self, id: &ProgramId) -> PgResult<Option<Program>> {
        admin::program(self, id).await
    }

    async fn set_points_rules(
        &self,
        program: &ProgramId,
        rules: &PointsRules,
        now: Timestamp,
    ) -> PgResult<()> {
        admin::set_points_rules(self, program, rules, now).await
    }

    async fn create_municipality(
        &self,
        municipality: &NewMunicipality,
        now: Timestamp,
    ) -> PgResult<()> {
        admin::create_municipality(self, municipality, now).await
    }

    async fn create_station(&self, station: &NewStation, now: Timestamp) -> PgResult<()> {
        admin::create_station(self, station, now).await
    }

    async fn add_credential(
        &self,
        station: &StationId,
        id: &CredentialId,
        secret_hash: &[u8],
        now: Timestamp,
    ) -> PgResult<()> {
        admin::add_credential(self, station, id, secret_hash, now).await
    }

    async fn revoke_credential(&self, id: &CredentialId, now: Timestamp) -> PgResult<()> {
        admin::revoke_credential(self, id, now).await
    }

    async fn credential(&self, id: &CredentialId) -> PgResult<Option<CredentialRecord>> {
        admin::credential(self, id).await
    }

    async fn put_participant(
        &self,
        program: &ProgramId,
        entry: &RosterEntry,
        now: Timestamp,
    ) -> PgResult<()> {
        feed::put_participant(self, program, entry, now).await
    }

    async fn issue_card(
        &self,
        program: &ProgramId,
        participant: &str,
        issue: CardIssue,
        now: Timestamp,
    ) -> PgResult<IssuedCard> {
        cards::issue_card(self, program, participant, issue, now).await
    }

    async fn revoke_card(
        &self,
        program: &ProgramId,
        card: CardId,
        now: Timestamp,
    ) -> PgResult<bool> {
        cards::revoke_card(self, program, card, now).await
    }

    async fn cards(
        &self,
        program: &ProgramId,
        participants: Option<Vec<String>>,
    ) -> PgResult<Vec<CardRecord>> {
        cards::cards(self, program, participants).await
    }

    async fn publish_document(
        &self,
        program: &ProgramId,
        document: &PolicyDocument,
        now: Timestamp,
    ) -> PgResult<()> {
        feed::publish_document(self, program, document, now).await
    }

    async fn put_purpose(
        &self,
        program: &ProgramId,
        purpose: &PurposeDef,
        now: Timestamp,
    ) -> PgResult<()> {
        feed::put_purpose(self, program, purpose, now).await
    }

    async fn put_staff(
        &self,
        program: &ProgramId,
        account: &StaffAccount,
        now: Timestamp,
    ) -> PgResult<()> {
        feed::put_staff(self, program, account, now).await
    }

    async fn awards(&self, program: &ProgramId, participant: &str) -> PgResult<Vec<AwardRecord>> {
        admin::awards(self, program, participant).await
    }

    async fn cancel_award(
        &self,
        program: &ProgramId,
        award: Uuid,
        reason: &str,
        now: Timestamp,
    ) -> PgResult<()> {
        admin::cancel_award(self, program, award, reason, now).await
    }

    async fn exchange_points(
        &self,
        program: &ProgramId,
        participant: &str,
        units: u32,
        now: Timestamp,
    ) -> PgResult<PointsBalance> {
        admin::exchange_points(self, program, participant, units, now).await
    }

    async fn sync_status(&self, program: Option<&ProgramId>) -> PgResult<Vec<StationSyncStatus>> {
        admin::sync_status(self, program).await
    }

    async fn ledger(&self, program: &ProgramId, since: Timestamp) -> PgResult<Vec<LedgerEntry>> {
        admin::ledger(self, program, since).await
    }

    async fn held_events(&self, program: &ProgramId) -> PgResult<Vec<HeldEvent>> {
        admin::held_events(self, program).await
    }

    async fn ingest(
        &self,
        caller: &StationContext,
        batch: &UploadRequest,
        now: Timestamp,
    ) -> PgResult<UploadResponse> {
        ingest::ingest(self, caller, batch, now).await
    }

    async fn changes_since(
        &self,
        caller: &StationContext,
        since: u64,
        limit: u32,
        now: Timestamp,
    ) -> PgResult<ChangesPage> {
        station::changes_since(self, caller, since, limit, now).await
    }

    async fn history(
        &self,
        caller: &StationContext,
        participant: &str,
        limit: u32,
        now: Timestamp,
    ) -> PgResult<Option<History>> {
        station::history(self, caller, participant, limit, now).await
    }

    async fn balance(
        &self,
        program: &ProgramId,
        participant: &str,
        now: Timestamp,
    ) -> PgResult<Option<PointsBalance>> {
        station::office_balance(self, program, participant, now).await
    }

    async fn points(
        &self,
        caller: &StationContext,
        participant: &str,
        now: Timestamp,
    ) -> PgResult<Option<PointsBalance>> {
        station::points(self, caller, participant, now).await
    }

    async fn touch_station(&self, station: &StationId, now: Timestamp) -> PgResult<()> {
        station::touch_station(self, station, now).await
    }
}
