//! The PostgreSQL schema and its migrations: numbered steps, applied once each, recorded in
//! `hakaru_schema`; a database written by a newer server is refused rather than guessed at.
//!
//! Deliberately not here: queries (the other modules). Instants are `BIGINT` milliseconds since
//! the Unix epoch, as on the wire.

use super::{db_error, PgResult};
use crate::storage::StorageError;
use deadpool_postgres::Client;

/// The migrations, in order; the schema version is the number applied. Each is one or more SQL
/// pieces.
const MIGRATIONS: &[&[&str]] = &[
    // 1: everything the first server needs.
    &[r#"
CREATE TABLE programs (
    id          TEXT PRIMARY KEY,
    name_ja     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    rules       JSONB NOT NULL,
    -- The last seq handed out in this program's change feed. Writers bump it with
    -- UPDATE … RETURNING, which row-locks it until commit: seqs are gap-free in commit order.
    change_seq  BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);

CREATE TABLE municipalities (
    id          TEXT PRIMARY KEY,
    program     TEXT NOT NULL REFERENCES programs (id),
    name_ja     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE stations (
    id              TEXT PRIMARY KEY,
    municipality    TEXT NOT NULL REFERENCES municipalities (id),
    program         TEXT NOT NULL REFERENCES programs (id),
    place           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    last_seen       BIGINT,
    backlog         BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    events_received BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX stations_program ON stations (program, id);

CREATE TABLE credentials (
    id          TEXT PRIMARY KEY,
    station     TEXT NOT NULL REFERENCES stations (id),
    secret_hash BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE participants (
    program          TEXT NOT NULL REFERENCES programs (id),
    participant      TEXT NOT NULL,
    birth_date       TEXT NOT NULL,
    sex              TEXT NOT NULL,
    height_tenths_cm INTEGER NOT NULL,
    body_type        INTEGER NOT NULL,
    implanted_device BOOLEAN NOT NULL,
    status           TEXT NOT NULL,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (program, participant)
);

CREATE TABLE cards (
    program     TEXT NOT NULL REFERENCES programs (id),
    card_serial TEXT NOT NULL,
    participant TEXT NOT NULL,
    status      TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (program, card_serial)
);

CREATE TABLE documents (
    program             TEXT NOT NULL REFERENCES programs (id),
    kind                TEXT NOT NULL,
    version             TEXT NOT NULL,
    language            TEXT NOT NULL,
    effective           TEXT NOT NULL,
    full_text           TEXT NOT NULL,
    needs_fresh_consent BOOLEAN NOT NULL,
    published_at        BIGINT NOT NULL,
    PRIMARY KEY (program, kind, version, language)
);

CREATE TABLE purposes (
    program     TEXT NOT NULL REFERENCES programs (id),
    id          TEXT NOT NULL,
    required    BOOLEAN NOT NULL,
    label_ja    TEXT NOT NULL,
    label_en    TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (program, id)
);

CREATE TABLE staff (
    program       TEXT NOT NULL REFERENCES programs (id),
    login         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (program, login)
);

-- The program's change feed: what stations pull, as the wire's ChangeKind JSON.
CREATE TABLE changes (
    program     TEXT NOT NULL REFERENCES programs (id),
    seq         BIGINT NOT NULL,
    body        JSONB NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (program, seq)
);

-- Every event ever received, with the acknowledgement it got (replays return it unchanged).
CREATE TABLE events (
    id          UUID PRIMARY KEY,
    program     TEXT NOT NULL REFERENCES programs (id),
    station     TEXT NOT NULL REFERENCES stations (id),
    kind        TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    payload     JSON NOT NULL,
    ack         TEXT NOT NULL,
    held_reason TEXT,
    -- Arrival order (ties of received_at, for the held list).
    arrival     BIGSERIAL NOT NULL
);
CREATE INDEX events_held ON events (program, received_at, arrival) WHERE held_reason IS NOT NULL;

CREATE TABLE consents (
    consent_id      UUID PRIMARY KEY,
    program         TEXT NOT NULL REFERENCES programs (id),
    participant     TEXT NOT NULL,
    action          TEXT NOT NULL,
    granted         JSONB NOT NULL,
    refused         JSONB NOT NULL,
    document_hashes JSONB NOT NULL,
    method          TEXT NOT NULL,
    station         TEXT NOT NULL,
    decided_at      BIGINT NOT NULL,
    -- Arrival order: breaks ties between decisions made in the same millisecond.
    arrival         BIGSERIAL NOT NULL
);
CREATE INDEX consents_latest ON consents (program, participant, decided_at DESC, arrival DESC);

CREATE TABLE measurements (
    id                UUID PRIMARY KEY,
    event_id          UUID NOT NULL,
    program           TEXT NOT NULL REFERENCES programs (id),
    participant       TEXT NOT NULL,
    station           TEXT NOT NULL,
    taken_at          BIGINT NOT NULL,
    weight_only       BOOLEAN NOT NULL,
    analyzer_model    TEXT,
    analyzer_serial   TEXT,
    reading           JSON NOT NULL,
    raw_frame         TEXT,
    raw_frame_dropped BOOLEAN NOT NULL,
    -- Arrival order: history lists readings of the same instant newest-arrived first.
    arrival           BIGSERIAL NOT NULL
);
CREATE INDEX measurements_history
    ON measurements (program, participant, taken_at DESC, arrival DESC);

CREATE TABLE awards (
    id               UUID PRIMARY KEY,
    program          TEXT NOT NULL REFERENCES programs (id),
    participant      TEXT NOT NULL,
    measurement_id   UUID NOT NULL,
    rule_id          TEXT NOT NULL,
    period_key       TEXT NOT NULL,
    month_key        TEXT NOT NULL,
    points           BIGINT NOT NULL,
    awarded_at       BIGINT NOT NULL,
    cancelled_reason TEXT,
    cancelled_at     BIGINT,
    -- Arrival order (ties of awarded_at in the admin's list).
    arrival          BIGSERIAL NOT NULL,
    UNIQUE (program, participant, rule_id, period_key)
);
CREATE INDEX awards_month ON awards (program, participant, month_key);

CREATE TABLE exchanges (
    id          UUID PRIMARY KEY,
    program     TEXT NOT NULL REFERENCES programs (id),
    participant TEXT NOT NULL,
    units       BIGINT NOT NULL,
    points      BIGINT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX exchanges_participant ON exchanges (program, participant);

CREATE TABLE calibrations (
    event_id        UUID PRIMARY KEY,
    program         TEXT NOT NULL REFERENCES programs (id),
    station         TEXT NOT NULL,
    analyzer_model  TEXT NOT NULL,
    analyzer_serial TEXT NOT NULL,
    record          JSON NOT NULL,
    recorded_at     BIGINT NOT NULL
);

-- Every transfer of personal data between a station and the server (委託).
CREATE TABLE ledger (
    id           BIGSERIAL PRIMARY KEY,
    program      TEXT NOT NULL REFERENCES programs (id),
    station      TEXT NOT NULL,
    at           BIGINT NOT NULL,
    direction    TEXT NOT NULL,
    label        TEXT NOT NULL,
    participants TEXT[] NOT NULL,
    items        TEXT[] NOT NULL
);
CREATE INDEX ledger_program ON ledger (program, at, id);
"#],
    // 2: signed cards (card format 1). Each program gets a card code (numbered in creation order)
    // and, at its first issuance, a card key; participants get a card-holder number at their
    // first card. Cards of version 1 had no tag and could never be scanned: dropped, with their
    // feed entries.
    &[r#"
ALTER TABLE programs ADD COLUMN card_code INTEGER CHECK (card_code BETWEEN 1 AND 65535);
ALTER TABLE programs ADD COLUMN card_key BYTEA CHECK (card_key IS NULL OR octet_length(card_key) = 32);
ALTER TABLE programs ADD COLUMN next_holder BIGINT NOT NULL DEFAULT 1 CHECK (next_holder >= 1);
UPDATE programs SET card_code = n.code
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS code FROM programs) AS n
WHERE programs.id = n.id;
CREATE UNIQUE INDEX programs_card_code ON programs (card_code);

CREATE TABLE card_holders (
    program     TEXT NOT NULL,
    participant TEXT NOT NULL,
    holder      BIGINT NOT NULL CHECK (holder BETWEEN 1 AND 4294967295),
    PRIMARY KEY (program, participant),
    UNIQUE (program, holder),
    FOREIGN KEY (program, participant) REFERENCES participants (program, participant)
);

DROP TABLE cards;
CREATE TABLE cards (
    program     TEXT NOT NULL,
    holder      BIGINT NOT NULL,
    serial      INTEGER NOT NULL CHECK (serial BETWEEN 1 AND 65535),
    participant TEXT NOT NULL,
    issued_day  INTEGER NOT NULL CHECK (issued_day BETWEEN 0 AND 65535),
    expires_day INTEGER CHECK (expires_day BETWEEN 0 AND 65535),
    tag_sha256  TEXT NOT NULL CHECK (length(tag_sha256) = 64),
    status      TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (program, holder, serial),
    FOREIGN KEY (program, holder) REFERENCES card_holders (program, holder)
);
CREATE INDEX cards_participant ON cards (program, participant);
DELETE FROM changes WHERE body->>'type' = 'card';
"#],
    // 3: the personal-data lifecycle; each piece lives with the module that owns its tables.
    &[
        super::audit::SCHEMA,
        super::rights::SCHEMA,
        super::export::SCHEMA,
        super::statement::SCHEMA,
    ],
    // 4: staff and technician modes — enrolment's tables (registration rules, held
    // registrations). Staff roles need nothing: `staff.role` has no CHECK here.
    &[super::enrolment::SCHEMA],
];

/// The schema version this server writes.
pub(super) const LATEST: i64 = MIGRATIONS.len() as i64;

/// Applies the migrations not yet applied, in one transaction; refuses a newer schema.
pub(super) async fn migrate(client: &mut Client) -> PgResult<()> {
    let tx = client.transaction().await.map_err(db_error)?;
    // Serialise migrators of this schema (two servers starting at once).
    tx.batch_execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('hakaru-migrate:' || current_schema(), 0))",
    )
    .await
    .map_err(db_error)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS hakaru_schema (version BIGINT NOT NULL)")
        .await
        .map_err(db_error)?;
    let version: i64 = tx
        .query_opt("SELECT version FROM hakaru_schema", &[])
        .await
        .map_err(db_error)?
        .map_or(0, |row| row.get(0));
    if version > LATEST {
        return Err(newer_schema(version));
    }
    for (i, pieces) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        for step in pieces.iter() {
            tx.batch_execute(step).await.map_err(db_error)?;
        }
        let applied = i as i64 + 1;
        tracing::info!(version = applied, "postgres: schema migrated");
    }
    if version == 0 {
        tx.execute(
            "INSERT INTO hakaru_schema (version) VALUES ($1)",
            &[&LATEST],
        )
        .await
        .map_err(db_error)?;
    } else if version < LATEST {
        tx.execute("UPDATE hakaru_schema SET version = $1", &[&LATEST])
            .await
            .map_err(db_error)?;
    }
    tx.commit().await.map_err(db_error)
}

/// The refusal of a database written by a newer server.
fn newer_schema(version: i64) -> StorageError {
    StorageError::Backend(format!(
        "データベースのスキーマ（版 {version}）はこのサーバー（版 {LATEST}）より新しいです。\
         サーバーを更新してください / the database schema (version {version}) is newer than this \
         server's ({LATEST}): upgrade the server"
    ))
}
