//! The SQLite backend's schema migrations: an ordered list; each is applied together with its
//! `user_version` bump in one transaction, so a crash leaves the file at one version or the next.
//!
//! Deliberately not here: downgrades. A file newer than this build is refused, untouched.

use crate::storage::StorageError;
use rusqlite::{Connection, TransactionBehavior};

/// Version 1: every table of the server.
const V1: &str = r#"
CREATE TABLE programs (
    id         TEXT PRIMARY KEY,
    name_ja    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    rules      TEXT NOT NULL,
    change_seq INTEGER NOT NULL DEFAULT 0 CHECK (change_seq >= 0),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE municipalities (
    id         TEXT PRIMARY KEY,
    program    TEXT NOT NULL REFERENCES programs (id),
    name_ja    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE stations (
    id              TEXT PRIMARY KEY,
    municipality    TEXT NOT NULL REFERENCES municipalities (id),
    program         TEXT NOT NULL REFERENCES programs (id),
    place           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    last_seen       INTEGER,
    backlog         INTEGER NOT NULL DEFAULT 0 CHECK (backlog >= 0),
    last_error      TEXT,
    events_received INTEGER NOT NULL DEFAULT 0 CHECK (events_received >= 0)
) STRICT;
CREATE INDEX stations_by_program ON stations (program, id);

CREATE TABLE credentials (
    id          TEXT PRIMARY KEY,
    station     TEXT NOT NULL REFERENCES stations (id),
    secret_hash BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
) STRICT;

-- Pseudonymous roster: no names, no addresses.
CREATE TABLE participants (
    program          TEXT NOT NULL REFERENCES programs (id),
    number           TEXT NOT NULL,
    birth_date       TEXT NOT NULL,
    sex              TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    height_tenths_cm INTEGER NOT NULL,
    body_type        INTEGER NOT NULL,
    implanted_device INTEGER NOT NULL CHECK (implanted_device IN (0, 1)),
    status           TEXT NOT NULL CHECK (status IN ('active', 'withdrawn', 'stopped')),
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (program, number)
) STRICT;

CREATE TABLE cards (
    program     TEXT NOT NULL,
    serial      TEXT NOT NULL,
    participant TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (program, serial),
    FOREIGN KEY (program, participant) REFERENCES participants (program, number)
) STRICT;

CREATE TABLE documents (
    program             TEXT NOT NULL REFERENCES programs (id),
    kind                TEXT NOT NULL CHECK (kind IN ('terms', 'privacy_policy', 'measurement_notice')),
    version             TEXT NOT NULL,
    language            TEXT NOT NULL,
    effective           TEXT NOT NULL,
    full_text           TEXT NOT NULL,
    needs_fresh_consent INTEGER NOT NULL CHECK (needs_fresh_consent IN (0, 1)),
    published_at        INTEGER NOT NULL,
    PRIMARY KEY (program, kind, version, language)
) STRICT;

CREATE TABLE purposes (
    program    TEXT NOT NULL REFERENCES programs (id),
    id         TEXT NOT NULL,
    required   INTEGER NOT NULL CHECK (required IN (0, 1)),
    label_ja   TEXT NOT NULL,
    label_en   TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (program, id)
) STRICT;

CREATE TABLE staff_accounts (
    program       TEXT NOT NULL REFERENCES programs (id),
    login         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('staff', 'technician')),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (program, login)
) STRICT;

-- The change feed: per program, seq gap-free from 1 (taken from programs.change_seq inside the
-- writing transaction). body is the ChangeKind as JSON.
CREATE TABLE changes (
    program TEXT NOT NULL REFERENCES programs (id),
    seq     INTEGER NOT NULL CHECK (seq >= 1),
    body    TEXT NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (program, seq)
) STRICT, WITHOUT ROWID;

-- Every event ever received, with the acknowledgement it got (replays answer it unchanged).
CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    program     TEXT NOT NULL REFERENCES programs (id),
    station     TEXT NOT NULL REFERENCES stations (id),
    kind        TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    payload     TEXT NOT NULL,
    ack         TEXT NOT NULL,
    held_reason TEXT
) STRICT;
CREATE INDEX events_held ON events (program, received_at) WHERE held_reason IS NOT NULL;

CREATE TABLE consents (
    id              TEXT PRIMARY KEY,
    program         TEXT NOT NULL,
    participant     TEXT NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('given', 'refused', 'withdrawn')),
    granted         TEXT NOT NULL,
    refused         TEXT NOT NULL,
    document_hashes TEXT NOT NULL,
    method          TEXT NOT NULL CHECK (method IN ('on_screen', 'staff_witnessed_paper')),
    station         TEXT NOT NULL,
    decided_at      INTEGER NOT NULL,
    event_id        TEXT NOT NULL,
    FOREIGN KEY (program, participant) REFERENCES participants (program, number)
) STRICT;
CREATE INDEX consents_by_participant ON consents (program, participant, decided_at);

CREATE TABLE measurements (
    id                TEXT PRIMARY KEY,
    program           TEXT NOT NULL,
    participant       TEXT NOT NULL,
    station           TEXT NOT NULL,
    taken_at          INTEGER NOT NULL,
    weight_only       INTEGER NOT NULL CHECK (weight_only IN (0, 1)),
    reading_json      TEXT NOT NULL,
    analyzer_model    TEXT,
    analyzer_serial   TEXT,
    raw_frame         TEXT,
    raw_frame_dropped INTEGER NOT NULL CHECK (raw_frame_dropped IN (0, 1)),
    event_id          TEXT NOT NULL,
    received_at       INTEGER NOT NULL,
    FOREIGN KEY (program, participant) REFERENCES participants (program, number)
) STRICT;
CREATE INDEX measurements_history ON measurements (program, participant, taken_at DESC);

-- One award per rule and period: the unique key is what stops two stations paying twice.
CREATE TABLE awards (
    id               TEXT PRIMARY KEY,
    program          TEXT NOT NULL,
    participant      TEXT NOT NULL,
    measurement_id   TEXT NOT NULL REFERENCES measurements (id),
    rule_id          TEXT NOT NULL,
    period_key       TEXT NOT NULL,
    month_key        TEXT NOT NULL,
    points           INTEGER NOT NULL CHECK (points > 0),
    awarded_at       INTEGER NOT NULL,
    cancelled_reason TEXT,
    cancelled_at     INTEGER,
    UNIQUE (program, participant, rule_id, period_key)
) STRICT;
CREATE INDEX awards_by_month ON awards (program, participant, month_key);

CREATE TABLE exchanges (
    id          INTEGER PRIMARY KEY,
    program     TEXT NOT NULL,
    participant TEXT NOT NULL,
    units       INTEGER NOT NULL CHECK (units > 0),
    points      INTEGER NOT NULL CHECK (points > 0),
    at          INTEGER NOT NULL,
    FOREIGN KEY (program, participant) REFERENCES participants (program, number)
) STRICT;
CREATE INDEX exchanges_by_participant ON exchanges (program, participant);

CREATE TABLE calibrations (
    event_id        TEXT PRIMARY KEY,
    program         TEXT NOT NULL,
    station         TEXT NOT NULL,
    analyzer_model  TEXT NOT NULL,
    analyzer_serial TEXT NOT NULL,
    body            TEXT NOT NULL,
    recorded_at     INTEGER NOT NULL
) STRICT;

-- Every transfer of personal data (委託), written in the transfer's transaction.
CREATE TABLE ledger (
    id           INTEGER PRIMARY KEY,
    program      TEXT NOT NULL,
    station      TEXT NOT NULL,
    at           INTEGER NOT NULL,
    direction    TEXT NOT NULL CHECK (direction IN ('received', 'sent')),
    label        TEXT NOT NULL,
    participants TEXT NOT NULL,
    items        TEXT NOT NULL
) STRICT;
CREATE INDEX ledger_by_program ON ledger (program, at, id);
"#;

/// Version 2: signed cards (card format 1). Each program gets a card code (numbered in creation
/// order) and, at its first issuance, a card key; participants get a card-holder number at their
/// first card. Cards are keyed by (holder, serial) and carry the SHA-256 of their tag. Cards of
/// version 1 had no tag and could never be scanned: they are dropped, with their feed entries.
const V2: &str = r#"
ALTER TABLE programs ADD COLUMN card_code INTEGER CHECK (card_code BETWEEN 1 AND 65535);
ALTER TABLE programs ADD COLUMN card_key BLOB CHECK (card_key IS NULL OR length(card_key) = 32);
ALTER TABLE programs ADD COLUMN next_holder INTEGER NOT NULL DEFAULT 1 CHECK (next_holder >= 1);
UPDATE programs SET card_code = (
    SELECT COUNT(*) FROM programs AS earlier
    WHERE earlier.created_at < programs.created_at
       OR (earlier.created_at = programs.created_at AND earlier.id <= programs.id));
CREATE UNIQUE INDEX programs_by_card_code ON programs (card_code);

CREATE TABLE card_holders (
    program     TEXT NOT NULL,
    participant TEXT NOT NULL,
    holder      INTEGER NOT NULL CHECK (holder BETWEEN 1 AND 4294967295),
    PRIMARY KEY (program, participant),
    UNIQUE (program, holder),
    FOREIGN KEY (program, participant) REFERENCES participants (program, number)
) STRICT;

DROP TABLE cards;
CREATE TABLE cards (
    program     TEXT NOT NULL,
    holder      INTEGER NOT NULL,
    serial      INTEGER NOT NULL CHECK (serial BETWEEN 1 AND 65535),
    participant TEXT NOT NULL,
    issued_day  INTEGER NOT NULL CHECK (issued_day BETWEEN 0 AND 65535),
    expires_day INTEGER CHECK (expires_day BETWEEN 0 AND 65535),
    tag_sha256  TEXT NOT NULL CHECK (length(tag_sha256) = 64),
    status      TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (program, holder, serial),
    FOREIGN KEY (program, holder) REFERENCES card_holders (program, holder)
) STRICT;
CREATE INDEX cards_by_participant ON cards (program, participant);
DELETE FROM changes WHERE json_extract(body, '$.type') = 'card';
"#;

/// Version 3: the personal-data lifecycle. Each piece lives with the module that owns its
/// tables: the audit log, rights requests, analysis exports and the public statements.
const V3: &[&str] = &[
    super::audit::SCHEMA,
    super::rights::SCHEMA,
    super::export::SCHEMA,
    super::statement::SCHEMA,
];

/// Version 4, staff and technician modes: staff accounts may have the role `admin` (SQLite
/// cannot change a CHECK, so the table is copied), and enrolment's tables (registration rules,
/// held registrations), which live with their module.
const V4_STAFF_ROLES: &str = r#"
CREATE TABLE staff_accounts_v4 (
    program       TEXT NOT NULL REFERENCES programs (id),
    login         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('staff', 'technician', 'admin')),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (program, login)
) STRICT;
INSERT INTO staff_accounts_v4 (program, login, display_name, role, password_hash, active, updated_at)
    SELECT program, login, display_name, role, password_hash, active, updated_at FROM staff_accounts;
DROP TABLE staff_accounts;
ALTER TABLE staff_accounts_v4 RENAME TO staff_accounts;
"#;

/// Version 4's pieces.
const V4: &[&str] = &[V4_STAFF_ROLES, super::enrolment::SCHEMA];

/// The migrations, in order; migration `i` (0-based) brings the file to version `i + 1`. Each
/// is one or more SQL pieces, applied in one transaction.
const MIGRATIONS: &[&[&str]] = &[&[V1], &[V2], V3, V4];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

fn user_version(conn: &Connection) -> Result<u32, StorageError> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    u32::try_from(v).map_err(|_| StorageError::Backend(format!("user_version {v}")))
}

/// Brings the file up to [`SCHEMA_VERSION`]; refuses a newer file.
pub fn migrate(conn: &mut Connection) -> Result<(), StorageError> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StorageError::Backend(format!(
            "データベースの形式 {found} はこのサーバー（{SCHEMA_VERSION} まで）より新しいです。サーバーを更新してください / \
             the database schema {found} is newer than this server supports ({SCHEMA_VERSION}): upgrade the server"
        )));
    }
    for (i, pieces) in MIGRATIONS.iter().enumerate() {
        let version = i as u32 + 1;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Re-read inside the write lock: another process may have migrated meanwhile.
        if user_version(&tx)? >= version {
            continue;
        }
        for sql in pieces.iter() {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "central schema migrated");
    }
    Ok(())
}
