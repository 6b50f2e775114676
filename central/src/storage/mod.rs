//! The server's storage: one trait, [`Storage`], with two real backends — embedded SQLite
//! (`sqlite`, the default: nothing to install) and PostgreSQL (`postgres`, for programs with
//! many stations). One contract test suite (`central/tests/contract/`) runs against both.
//!
//! # What every backend promises
//! - **Ingest is idempotent by event id.** [`Storage::ingest`] writes a batch in one
//!   transaction. A new event is stored with the acknowledgement it got; an event id seen before
//!   returns the stored acknowledgement unchanged. So the same batch twice changes nothing and
//!   returns the same acks, and a batch cut by a crash is either all there or not at all.
//! - **Every event is kept.** An event that cannot be applied (unknown participant, no consent,
//!   …) is stored as *held* with a [`HeldReason`](hakaru_wire::api::HeldReason) for an
//!   administrator; the station may drop it.
//! - **Program scoping.** A station's events must name that station (else
//!   [`StorageError::Forbidden`], nothing written); it reads only its own program's roster,
//!   history and points.
//! - **Points** are decided by [`crate::points::decide`] inside the ingest transaction, from the
//!   participant's awards in the reading's local month. Two stations uploading for the same
//!   participant at once must not both take the same period or overrun the cap.
//! - **Registrations are judged** by [`common::registration_step`] inside the ingest
//!   transaction: the program's registration rules (age on the application date, area), one
//!   registration per number (a second one is held as a conflict, never merged), the enrolment
//!   cap in ingest order. An accepted one gets its first card in the same transaction, returned
//!   in its acknowledgement (and so the same card on every replay); a held one is recorded, and
//!   the same station's later consents and readings for the number are held with it.
//! - **The change feed** gives each program a gap-free increasing `seq`: a change visible at
//!   `seq = n` means every change `< n` is visible too (a station's cursor never skips one).
//! - **Every transfer of personal data is in the ledger** ([`LedgerEntry`], labelled 委託):
//!   uploads (participants and items received), change pages carrying roster entries, history
//!   and points reads — written in the same transaction as the transfer.
//!
//! Deliberately not here: HTTP, authentication of the bearer token (the `auth` module compares
//! hashes; storage only looks credentials up), and reading the clock (`now` is a parameter).

pub mod audit;
pub mod common;
pub mod enrolment;
pub mod export;
pub mod postgres;
pub mod rights;
pub mod sqlite;
pub mod statement;

use crate::ids::{CredentialId, MunicipalityId, ProgramId, StationId};
use crate::points::PointsRules;
use hakaru_wire::api::{
    CardStatus, ChangesPage, History, PointsBalance, PolicyDocument, PurposeDef, RosterEntry,
    StaffAccount, UploadRequest, UploadResponse,
};
use hakaru_wire::card::{CardFields, CardToken};
use hakaru_wire::{EventId, Timestamp};
use std::fmt;
use uuid::Uuid;

/// The label every station↔server transfer carries in the ledger: 委託 (entrusted handling,
/// 個人情報保護法 27条5項1号), not 第三者提供.
pub const ENTRUSTED_TRANSFER: &str = "委託";

/// How stale `last_seen` may get before an authenticated request writes it again.
pub const TOUCH_INTERVAL_MS: i64 = 60_000;

/// Whether a station last seen at `last_seen` must be written as seen at `now`.
pub fn touch_due(last_seen: Option<Timestamp>, now: Timestamp) -> bool {
    match last_seen {
        None => true,
        Some(seen) => {
            let age = now.as_unix_ms() - seen.as_unix_ms();
            !(0..TOUCH_INTERVAL_MS).contains(&age)
        }
    }
}

/// Why storage failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The thing asked for does not exist.
    #[error("{what} {id} が見つかりません / {what} {id} was not found")]
    NotFound {
        /// What kind of thing (`program`, `station`, …).
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// The thing to create exists already.
    #[error("{what} {id} は既にあります / {what} {id} exists already")]
    AlreadyExists {
        /// What kind of thing.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// The caller may not touch this data (another station's events, another program's data).
    #[error("この操作は許可されていません / not allowed: {0}")]
    Forbidden(String),
    /// The input is impossible (e.g. negative exchange); says what to fix.
    #[error("入力が正しくありません / invalid input: {0}")]
    Invalid(String),
    /// The database cannot be reached now; retrying later may work.
    #[error("データベースに接続できません。しばらくしてから再試行してください / the database is unavailable, retry later: {0}")]
    Unavailable(String),
    /// Anything else the database reported (logged, never shown to a station).
    #[error("データベースのエラー / database error: {0}")]
    Backend(String),
}

impl StorageError {
    /// Whether retrying the same call later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, StorageError::Unavailable(_))
    }
}

/// A new program.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProgram {
    /// Its id.
    pub id: ProgramId,
    /// Japanese name (printed on cards).
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// Points rules.
    pub rules: PointsRules,
}

/// A program as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    /// Its id.
    pub id: ProgramId,
    /// Its code in card tokens (assigned at creation, 1, 2, … across the server).
    pub card_code: u16,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// Points rules in force.
    pub rules: PointsRules,
}

/// When a new card is issued and how long it may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardIssue {
    /// Issue date, days since 1970-01-01 (the Japanese calendar date).
    pub issued_day: u16,
    /// Last day of use, if the program limits it.
    pub expires_day: Option<u16>,
}

/// A card just issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCard {
    /// What to print in the QR code (`Debug` hides the holder and the tag).
    pub token: CardToken,
    /// The participant's cards this issuance revoked.
    pub revoked: Vec<CardId>,
}

/// A card as the admin tools list and print it.
#[derive(Clone, PartialEq, Eq)]
pub struct CardRecord {
    /// Pseudonymous participant number.
    pub participant: String,
    /// The card's token, made again from the program's card key.
    pub token: CardToken,
    /// Last day of use, if limited.
    pub expires_day: Option<u16>,
    /// Active or revoked.
    pub status: CardStatus,
}

impl fmt::Debug for CardRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardRecord")
            .field("participant", &format_args!("<redacted>"))
            .field("token", &self.token)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// A card's id within a program: holder number and serial, written `holder-serial`. Not
/// personal on its own (the roster maps holders to participants), so admin tools show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CardId {
    /// Card-holder number.
    pub holder: u32,
    /// Which of the holder's cards.
    pub serial: u16,
}

impl CardId {
    /// The id of a card with these fields.
    pub fn of(fields: &CardFields) -> CardId {
        CardId {
            holder: fields.holder,
            serial: fields.serial,
        }
    }
}

impl fmt::Display for CardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.holder, self.serial)
    }
}

impl std::str::FromStr for CardId {
    type Err = StorageError;
    fn from_str(text: &str) -> Result<CardId, StorageError> {
        let invalid = || {
            StorageError::Invalid(format!(
                "カード番号は「保有者番号-連番」の形で指定してください（例 12-1）: {text} / \
                 a card id is holder-serial, e.g. 12-1: {text}"
            ))
        };
        let (holder, serial) = text.trim().split_once('-').ok_or_else(invalid)?;
        Ok(CardId {
            holder: holder.parse().map_err(|_| invalid())?,
            serial: serial.parse().map_err(|_| invalid())?,
        })
    }
}

/// A new municipality in a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMunicipality {
    /// Its id (unique across the server).
    pub id: MunicipalityId,
    /// The program it belongs to.
    pub program: ProgramId,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
}

/// A new station in a municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStation {
    /// Its id (unique across the server; the station's events carry it).
    pub id: StationId,
    /// The municipality it stands in (which fixes its program).
    pub municipality: MunicipalityId,
    /// Where it stands, e.g. "北公民館".
    pub place: String,
}

/// Who is calling, once the bearer token checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationContext {
    /// The station.
    pub station: StationId,
    /// Its program.
    pub program: ProgramId,
}

/// A stored credential, as the auth layer needs it.
#[derive(Clone, PartialEq, Eq)]
pub struct CredentialRecord {
    /// Public id.
    pub id: CredentialId,
    /// The station it belongs to, and that station's program.
    pub context: StationContext,
    /// SHA-256 of the secret.
    pub secret_hash: Vec<u8>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

impl fmt::Debug for CredentialRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialRecord")
            .field("id", &self.id)
            .field("context", &self.context)
            .field("revoked_at", &self.revoked_at)
            .finish_non_exhaustive()
    }
}

/// A station's sync status for the admin (`status` command).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationSyncStatus {
    /// The station.
    pub station: StationId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Where it stands.
    pub place: String,
    /// Last authenticated request.
    pub last_seen: Option<Timestamp>,
    /// Events the station said were still waiting after its last upload.
    pub backlog: u64,
    /// The last error, in words (the station's report or the server's refusal).
    pub last_error: Option<String>,
    /// Events received from it in all.
    pub events_received: u64,
}

/// Which way personal data went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Station → server (uploads).
    Received,
    /// Server → station (roster, history, points).
    Sent,
}

impl Direction {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Received => "received",
            Direction::Sent => "sent",
        }
    }

    /// Parses the stored name.
    pub fn from_name(name: &str) -> Option<Direction> {
        match name {
            "received" => Some(Direction::Received),
            "sent" => Some(Direction::Sent),
            _ => None,
        }
    }
}

/// One transfer of personal data between a station and the server.
#[derive(Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// When.
    pub at: Timestamp,
    /// Which station.
    pub station: StationId,
    /// Which program.
    pub program: ProgramId,
    /// Which way.
    pub direction: Direction,
    /// Always [`ENTRUSTED_TRANSFER`] for station transfers.
    pub label: String,
    /// Participant numbers whose data moved (sorted, distinct).
    pub participants: Vec<String>,
    /// Data items that moved (e.g. `measurement`, `consent`, `roster_profile`), sorted, distinct.
    pub items: Vec<String>,
}

impl fmt::Debug for LedgerEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LedgerEntry")
            .field("at", &self.at)
            .field("station", &self.station)
            .field("direction", &self.direction)
            .field("participants", &self.participants.len())
            .field("items", &self.items)
            .finish_non_exhaustive()
    }
}

/// An award as the admin sees it (to find one to cancel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardRecord {
    /// The award's id.
    pub id: Uuid,
    /// The measurement that earned it.
    pub measurement_id: Uuid,
    /// The rule.
    pub rule_id: String,
    /// Period key.
    pub period_key: String,
    /// Points.
    pub points: u32,
    /// When it was awarded.
    pub awarded_at: Timestamp,
    /// Cancellation reason, if cancelled.
    pub cancelled: Option<String>,
}

/// An event kept aside for an administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldEvent {
    /// The event's id.
    pub id: EventId,
    /// The station that sent it.
    pub station: StationId,
    /// Its kind name.
    pub kind: String,
    /// Why it was held.
    pub reason: hakaru_wire::api::HeldReason,
    /// When it arrived.
    pub received_at: Timestamp,
}

/// The server's storage. Object-safe (`Arc<dyn Storage>`); every method is one transaction.
/// The personal-data lifecycle's parts are their own traits, each in its own module.
#[async_trait::async_trait]
pub trait Storage:
    audit::AuditStorage
    + enrolment::EnrolmentStorage
    + rights::RightsStorage
    + export::ExportStorage
    + statement::StatementStorage
    + Send
    + Sync
    + 'static
{
    /// Brings the schema up to date (idempotent; refuses a newer schema).
    async fn migrate(&self) -> Result<(), StorageError>;
    /// Whether the database answers (readiness).
    async fn ping(&self) -> Result<(), StorageError>;

    // --- admin: structure ---
    /// Creates a program.
    async fn create_program(
        &self,
        program: &NewProgram,
        now: Timestamp,
    ) -> Result<(), StorageError>;
    /// A program, if it exists.
    async fn program(&self, id: &ProgramId) -> Result<Option<Program>, StorageError>;
    /// Replaces a program's points rules (applies to readings accepted from now on).
    async fn set_points_rules(
        &self,
        program: &ProgramId,
        rules: &PointsRules,
        now: Timestamp,
    ) -> Result<(), StorageError>;
    /// Creates a municipality (its program must exist).
    async fn create_municipality(
        &self,
        municipality: &NewMunicipality,
        now: Timestamp,
    ) -> Result<(), StorageError>;
    /// Creates a station (its municipality must exist).
    async fn create_station(
        &self,
        station: &NewStation,
        now: Timestamp,
    ) -> Result<(), StorageError>;

    // --- admin: credentials ---
    /// Stores a new credential for a station (only the secret's hash).
    async fn add_credential(
        &self,
        station: &StationId,
        id: &CredentialId,
        secret_hash: &[u8],
        now: Timestamp,
    ) -> Result<(), StorageError>;
    /// Revokes a credential; later requests with it get 401.
    async fn revoke_credential(
        &self,
        id: &CredentialId,
        now: Timestamp,
    ) -> Result<(), StorageError>;
    /// Looks a credential up by its public id.
    async fn credential(&self, id: &CredentialId)
        -> Result<Option<CredentialRecord>, StorageError>;

    // --- admin: what stations pull (each appends to the program's change feed) ---
    /// Adds or replaces a participant's roster entry (status included).
    async fn put_participant(
        &self,
        program: &ProgramId,
        entry: &RosterEntry,
        now: Timestamp,
    ) -> Result<(), StorageError>;
    /// Issues a new card to an active participant, in one transaction: their card-holder number
    /// (assigned at their first card), the next serial, the tag made with the program's card key
    /// (created at the program's first issuance), and their earlier active cards revoked. Each
    /// card written is appended to the change feed.
    async fn issue_card(
        &self,
        program: &ProgramId,
        participant: &str,
        issue: CardIssue,
        now: Timestamp,
    ) -> Result<IssuedCard, StorageError>;
    /// Revokes one card (lost, damaged); `Ok(false)` when it was revoked already.
    async fn revoke_card(
        &self,
        program: &ProgramId,
        card: CardId,
        now: Timestamp,
    ) -> Result<bool, StorageError>;
    /// The program's cards (of these participants only, when given), newest first per
    /// participant, each with its token made again from the card key (for printing).
    async fn cards(
        &self,
        program: &ProgramId,
        participants: Option<Vec<String>>,
    ) -> Result<Vec<CardRecord>, StorageError>;
    /// Publishes a policy document version (kind, version, language are unique).
    async fn publish_document(
        &self,
        program: &ProgramId,
        document: &PolicyDocument,
        now: Timestamp,
    ) -> Result<(), StorageError>;
    /// Adds or replaces a consent purpose.
    async fn put_purpose(
        &self,
        program: &ProgramId,
        purpose: &PurposeDef,
        now: Timestamp,
    ) -> Result<(), StorageError>;
    /// Adds or replaces a staff account (login unique per program).
    async fn put_staff(
        &self,
        program: &ProgramId,
        account: &StaffAccount,
        now: Timestamp,
    ) -> Result<(), StorageError>;

    // --- admin: points ---
    /// A participant's awards, newest first.
    async fn awards(
        &self,
        program: &ProgramId,
        participant: &str,
    ) -> Result<Vec<AwardRecord>, StorageError>;
    /// A participant's points as the program office sees them (no transfer: nothing is
    /// ledgered); [`StorageError::NotFound`] for an unknown program, `None` if not on the roster.
    async fn balance(
        &self,
        program: &ProgramId,
        participant: &str,
        now: Timestamp,
    ) -> Result<Option<PointsBalance>, StorageError>;
    /// Cancels an award obtained by fraud, with a reason (kept). Cancelling twice is refused.
    async fn cancel_award(
        &self,
        program: &ProgramId,
        award: Uuid,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), StorageError>;
    /// Exchanges `units` whole exchange units; refused when the balance is short.
    async fn exchange_points(
        &self,
        program: &ProgramId,
        participant: &str,
        units: u32,
        now: Timestamp,
    ) -> Result<PointsBalance, StorageError>;

    // --- admin: oversight ---
    /// Sync status of every station (of one program, or all).
    async fn sync_status(
        &self,
        program: Option<&ProgramId>,
    ) -> Result<Vec<StationSyncStatus>, StorageError>;
    /// Ledger entries of a program at or after `since`, oldest first.
    async fn ledger(
        &self,
        program: &ProgramId,
        since: Timestamp,
    ) -> Result<Vec<LedgerEntry>, StorageError>;
    /// Events held for an administrator.
    async fn held_events(&self, program: &ProgramId) -> Result<Vec<HeldEvent>, StorageError>;

    // --- station requests (the caller is authenticated; `now` is the server's clock) ---
    /// Stores and applies a batch; see the module docs for the promises.
    async fn ingest(
        &self,
        caller: &StationContext,
        batch: &UploadRequest,
        now: Timestamp,
    ) -> Result<UploadResponse, StorageError>;
    /// Changes of the caller's program after `since`, at most `limit`.
    async fn changes_since(
        &self,
        caller: &StationContext,
        since: u64,
        limit: u32,
        now: Timestamp,
    ) -> Result<ChangesPage, StorageError>;
    /// A participant's readings, newest first, at most `limit`; `None` if not on the roster.
    async fn history(
        &self,
        caller: &StationContext,
        participant: &str,
        limit: u32,
        now: Timestamp,
    ) -> Result<Option<History>, StorageError>;
    /// A participant's points; `None` if not on the roster.
    async fn points(
        &self,
        caller: &StationContext,
        participant: &str,
        now: Timestamp,
    ) -> Result<Option<PointsBalance>, StorageError>;
    /// Marks the station as seen (every authenticated request). At most one write a minute: if
    /// the station was seen less than [`TOUCH_INTERVAL_MS`] before `now`, nothing is written
    /// (uploads and change pages record `last_seen` exactly in their own transactions, so the
    /// separate touch would only double their commits). [`StorageError::NotFound`] for an
    /// unknown station.
    async fn touch_station(&self, station: &StationId, now: Timestamp) -> Result<(), StorageError>;
}
