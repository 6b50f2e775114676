//! Schema migrations: an ordered list; each is applied together with its `user_version` bump in
//! one transaction, so a crash leaves the file at one version or the next, never between.
//!
//! Deliberately not here: downgrades. A file newer than this build is refused, untouched.

use super::StoreError;
use rusqlite::{Connection, TransactionBehavior};

/// Version 1: every table of the store.
const V1: &str = r#"
CREATE TABLE station (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    station_id  TEXT NOT NULL,
    enrolled_at INTEGER NOT NULL
) STRICT;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE documents (
    content_hash        TEXT PRIMARY KEY,
    kind                TEXT NOT NULL CHECK (kind IN ('terms', 'privacy_policy', 'measurement_notice')),
    version             TEXT NOT NULL,
    language            TEXT NOT NULL,
    effective           TEXT NOT NULL,
    full_text           TEXT NOT NULL,
    needs_fresh_consent INTEGER NOT NULL CHECK (needs_fresh_consent IN (0, 1)),
    UNIQUE (kind, version, language)
) STRICT;

CREATE TABLE purposes (
    id       TEXT PRIMARY KEY,
    required INTEGER NOT NULL CHECK (required IN (0, 1)),
    label_ja TEXT NOT NULL,
    label_en TEXT NOT NULL
) STRICT;

-- Pseudonymous roster: no names, no addresses.
CREATE TABLE participants (
    number           TEXT PRIMARY KEY,
    birth_date       TEXT NOT NULL,
    sex              INTEGER NOT NULL CHECK (sex IN (1, 2)),
    height_tenths_cm INTEGER NOT NULL,
    body_type        INTEGER NOT NULL,
    implanted_device INTEGER NOT NULL CHECK (implanted_device IN (0, 1)),
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn', 'stopped')),
    updated_at       INTEGER NOT NULL
) STRICT;

CREATE TABLE cards (
    serial      TEXT PRIMARY KEY,
    participant TEXT NOT NULL REFERENCES participants (number),
    status      TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX cards_by_participant ON cards (participant);

CREATE TABLE consents (
    id              TEXT PRIMARY KEY,
    participant     TEXT NOT NULL REFERENCES participants (number),
    action          TEXT NOT NULL CHECK (action IN ('given', 'refused', 'withdrawn')),
    document_hashes TEXT NOT NULL,
    granted         TEXT NOT NULL,
    refused         TEXT NOT NULL,
    method          TEXT NOT NULL CHECK (method IN ('on_screen', 'staff_witnessed_paper')),
    station         TEXT NOT NULL,
    decided_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX consents_by_participant ON consents (participant, decided_at);

-- Immutable: no UPDATE ever; DELETE only while the purge gate is open (retention purge).
CREATE TABLE measurements (
    seq               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    participant       TEXT NOT NULL REFERENCES participants (number),
    station           TEXT NOT NULL,
    analyzer_model    TEXT,
    analyzer_serial   TEXT,
    taken_at          INTEGER NOT NULL,
    weight_only       INTEGER NOT NULL CHECK (weight_only IN (0, 1)),
    reading_json      TEXT NOT NULL,
    raw_frame         BLOB,
    raw_frame_dropped INTEGER NOT NULL CHECK (raw_frame_dropped IN (0, 1))
) STRICT;

CREATE TABLE purge_gate (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    open      INTEGER NOT NULL CHECK (open IN (0, 1))
) STRICT;
INSERT INTO purge_gate (singleton, open) VALUES (1, 0);

CREATE TRIGGER measurements_are_immutable BEFORE UPDATE ON measurements
BEGIN
    SELECT RAISE(ABORT, 'measurements are immutable');
END;
CREATE TRIGGER measurements_deleted_only_by_purge BEFORE DELETE ON measurements
WHEN (SELECT open FROM purge_gate WHERE singleton = 1) IS NOT 1
BEGIN
    SELECT RAISE(ABORT, 'measurements are deleted only by the retention purge');
END;

-- Every fact the server must learn; payload is cleared once acknowledged.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    fact_id     TEXT NOT NULL,
    participant TEXT,
    payload     TEXT,
    created_at  INTEGER NOT NULL,
    acked_at    INTEGER
) STRICT;
CREATE INDEX outbox_pending ON outbox (seq) WHERE acked_at IS NULL;
CREATE INDEX outbox_by_fact ON outbox (fact_id);
CREATE INDEX outbox_by_participant ON outbox (participant) WHERE participant IS NOT NULL;

-- Append-only and hash-chained; the head lives apart so deleting the last row is detected.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
CREATE TABLE audit_head (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    last_id   INTEGER NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
"#;

/// Version 2: the results-screen history index and the default retention period.
const V2: &str = r#"
CREATE INDEX measurements_history ON measurements (participant, taken_at DESC);
INSERT INTO settings (key, value) VALUES ('retention_days', '30') ON CONFLICT (key) DO NOTHING;
"#;

/// Version 3: what the sync worker keeps — staff accounts for offline sign-in, the points the
/// server answered per measurement, and the change-feed cursor.
const V3: &str = r#"
CREATE TABLE staff_accounts (
    login         TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('staff', 'technician')),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    updated_at    INTEGER NOT NULL
) STRICT;

-- The server's answer for a measurement: "+N ポイント, 残高 M" on the results screen.
CREATE TABLE points_acks (
    measurement_id TEXT PRIMARY KEY,
    awarded        INTEGER NOT NULL CHECK (awarded >= 0),
    balance        INTEGER NOT NULL,
    rules          TEXT NOT NULL,
    capped         INTEGER NOT NULL CHECK (capped IN (0, 1)),
    acked_at       INTEGER NOT NULL
) STRICT;

-- The change feed's cursor: moved only in the transaction that applies the page.
CREATE TABLE sync_state (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    change_cursor INTEGER NOT NULL CHECK (change_cursor >= 0),
    updated_at    INTEGER NOT NULL
) STRICT;
INSERT INTO sync_state (singleton, change_cursor, updated_at) VALUES (1, 0, 0);
"#;

/// Version 4: signed cards (card format 1). A card is its holder number and serial, with the
/// SHA-256 of its tag (the station can recognise a genuine card, not make one) and its expiry;
/// the program's card code comes with every change-feed page. Cards stored before had no tag
/// and could never be checked: dropped (the server's migration drops them too).
const V4: &str = r#"
DROP TABLE cards;
CREATE TABLE cards (
    holder      INTEGER NOT NULL CHECK (holder BETWEEN 1 AND 4294967295),
    serial      INTEGER NOT NULL CHECK (serial BETWEEN 1 AND 65535),
    participant TEXT NOT NULL REFERENCES participants (number),
    issued_day  INTEGER NOT NULL CHECK (issued_day BETWEEN 0 AND 65535),
    expires_day INTEGER CHECK (expires_day BETWEEN 0 AND 65535),
    tag_sha256  TEXT NOT NULL CHECK (length(tag_sha256) = 64),
    status      TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (holder, serial)
) STRICT;
CREATE INDEX cards_by_participant ON cards (participant);
ALTER TABLE sync_state ADD COLUMN card_program INTEGER CHECK (card_program BETWEEN 1 AND 65535);
"#;

/// Version 5: staff and technician modes. Administrators may sign in (SQLite cannot change a
/// CHECK, so `staff_accounts` is rebuilt); failed sign-ins are counted per typed login (kept as
/// a SHA-256, so a mistyped or unknown login is not stored in clear) for the lockout, across
/// restarts; registrations taken here wait for the server's verdict and the card it issues; and
/// the analyzer's legal-metrology dates and reference-weight checks decide whether this station
/// may measure participants.
const V5: &str = r#"
CREATE TABLE staff_accounts_v5 (
    login         TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('staff', 'technician', 'admin')),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    updated_at    INTEGER NOT NULL
) STRICT;
INSERT INTO staff_accounts_v5 (login, display_name, role, password_hash, active, updated_at)
    SELECT login, display_name, role, password_hash, active, updated_at FROM staff_accounts;
DROP TABLE staff_accounts;
ALTER TABLE staff_accounts_v5 RENAME TO staff_accounts;

CREATE TABLE staff_sign_in_failures (
    login_sha256    TEXT PRIMARY KEY CHECK (length(login_sha256) = 64),
    failures        INTEGER NOT NULL CHECK (failures >= 0),
    first_failed_at INTEGER NOT NULL,
    locked_until    INTEGER
) STRICT;

-- A registration taken at this station, and what the server made of it. Personal (it names a
-- participant): purged with the participant.
CREATE TABLE registrations (
    participant     TEXT PRIMARY KEY REFERENCES participants (number),
    event_id        TEXT NOT NULL UNIQUE,
    registered_at   INTEGER NOT NULL,
    registered_by   TEXT NOT NULL,
    consent_method  TEXT NOT NULL CHECK (consent_method IN ('on_screen', 'staff_witnessed_paper')),
    state           TEXT NOT NULL
                    CHECK (state IN ('pending', 'accepted', 'conflict', 'ineligible', 'full')),
    card_id         TEXT,
    card_token      TEXT,
    card_expires_on TEXT,
    card_printed_at INTEGER,
    measured_at     INTEGER,
    updated_at      INTEGER NOT NULL
) STRICT;

-- Analyzers this station has been used with, and their legal-metrology dates (計量法).
CREATE TABLE analyzers (
    serial          TEXT PRIMARY KEY,
    model           TEXT NOT NULL,
    verified_on     TEXT,
    last_inspection TEXT,
    inspection_due  TEXT,
    updated_at      INTEGER NOT NULL
) STRICT;

-- Reference-weight checks (not personal): the body is the `calibration_recorded` event.
CREATE TABLE calibrations (
    id              TEXT PRIMARY KEY,
    analyzer_serial TEXT NOT NULL,
    analyzer_model  TEXT NOT NULL,
    technician      TEXT NOT NULL,
    checked_at      INTEGER NOT NULL,
    passed          INTEGER NOT NULL CHECK (passed IN (0, 1)),
    next_check_due  TEXT,
    body            TEXT NOT NULL
) STRICT;
CREATE INDEX calibrations_latest ON calibrations (checked_at DESC);
"#;

/// The migrations, in order; migration `i` (0-based) brings the file to version `i + 1`.
const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

pub(crate) fn user_version(conn: &Connection) -> Result<u32, StoreError> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("user_version {v}")))
}

/// Brings the file up to `target` (≤ [`SCHEMA_VERSION`]); refuses a newer file.
pub(crate) fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), StoreError> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().take(target as usize) {
        let version = i as u32 + 1;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Re-read inside the write lock: another process may have migrated meanwhile.
        if user_version(&tx)? >= version {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "store schema migrated");
    }
    Ok(())
}
