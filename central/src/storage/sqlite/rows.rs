//! Row-level helpers of the SQLite backend shared by its admin, ingest and read paths: program
//! and roster look-ups, the change feed's append, ledger rows, balances and award rows.
//!
//! Deliberately not here: deciding anything (the shared `common` module and `points`) and
//! transaction handling (the backend's `mod.rs`).

use crate::cards::key::CardKey;
use crate::ids::{ProgramId, StationId};
use crate::points::{PointsRules, PriorAward};
use crate::storage::{common, CardId};
use crate::storage::{Direction, LedgerEntry, StorageError};
use hakaru_wire::api::{CardState, CardStatus, ChangeKind, ParticipantStatus, RosterEntry};
use hakaru_wire::card::CardToken;
use hakaru_wire::{Sex, Timestamp};
use rusqlite::{params, Connection, OptionalExtension};

/// A JSON encoding failure as a storage error.
pub fn json_err(e: serde_json::Error) -> StorageError {
    StorageError::Backend(format!("JSON: {e}"))
}

/// `value` as JSON text.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StorageError> {
    serde_json::to_string(value).map_err(json_err)
}

/// A stored value that does not parse.
pub fn corrupt(what: &str, value: &str) -> StorageError {
    StorageError::Backend(format!("stored {what} {value:?} is not valid"))
}

/// The not-found error of a program.
pub fn no_program(program: &ProgramId) -> StorageError {
    StorageError::NotFound {
        what: "program",
        id: program.to_string(),
    }
}

/// A program's rules, or `NotFound`.
pub fn program_rules(conn: &Connection, program: &ProgramId) -> Result<PointsRules, StorageError> {
    let text: Option<String> = conn
        .prepare_cached("SELECT rules FROM programs WHERE id = ?1")?
        .query_row([program.as_str()], |r| r.get(0))
        .optional()?;
    let text = text.ok_or_else(|| no_program(program))?;
    serde_json::from_str(&text).map_err(json_err)
}

/// `NotFound` unless the program exists.
pub fn require_program(conn: &Connection, program: &ProgramId) -> Result<(), StorageError> {
    let found: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM programs WHERE id = ?1")?
        .query_row([program.as_str()], |r| r.get(0))
        .optional()?;
    found.map(|_| ()).ok_or_else(|| no_program(program))
}

/// The stored name of a sex.
pub fn sex_name(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "male",
        Sex::Female => "female",
    }
}

fn sex_from_name(name: &str) -> Result<Sex, StorageError> {
    match name {
        "male" => Ok(Sex::Male),
        "female" => Ok(Sex::Female),
        other => Err(corrupt("sex", other)),
    }
}

/// The stored name of a card status.
pub fn card_status_name(status: CardStatus) -> &'static str {
    match status {
        CardStatus::Active => "active",
        CardStatus::Revoked => "revoked",
    }
}

/// Parses a stored card status.
pub fn card_status_from_name(name: &str) -> Result<CardStatus, StorageError> {
    match name {
        "active" => Ok(CardStatus::Active),
        "revoked" => Ok(CardStatus::Revoked),
        other => Err(corrupt("card status", other)),
    }
}

/// A participant's roster entry in a program, if on the roster.
pub fn roster_entry(
    conn: &Connection,
    program: &ProgramId,
    participant: &str,
) -> Result<Option<RosterEntry>, StorageError> {
    let row = conn
        .prepare_cached(
            "SELECT birth_date, sex, height_tenths_cm, body_type, implanted_device, status
             FROM participants WHERE program = ?1 AND number = ?2",
        )?
        .query_row(params![program.as_str(), participant], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .optional()?;
    let Some((birth_date, sex, height, body_type, implanted_device, status)) = row else {
        return Ok(None);
    };
    Ok(Some(RosterEntry {
        participant: participant.to_owned(),
        birth_date,
        sex: sex_from_name(&sex)?,
        height_tenths_cm: u16::try_from(height)
            .map_err(|_| corrupt("height", &height.to_string()))?,
        body_type: u8::try_from(body_type)
            .map_err(|_| corrupt("body type", &body_type.to_string()))?,
        implanted_device,
        status: ParticipantStatus::from_name(&status).ok_or_else(|| corrupt("status", &status))?,
    }))
}

/// Whether a participant is on a program's roster.
pub fn on_roster(
    conn: &Connection,
    program: &ProgramId,
    participant: &str,
) -> Result<bool, StorageError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM participants WHERE program = ?1 AND number = ?2")?
        .query_row(params![program.as_str(), participant], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?
        .is_some())
}

/// Inserts or replaces a roster entry.
pub fn upsert_participant(
    conn: &Connection,
    program: &ProgramId,
    e: &RosterEntry,
    now: Timestamp,
) -> Result<(), StorageError> {
    conn.prepare_cached("INSERT INTO participants
             (program, number, birth_date, sex, height_tenths_cm, body_type, implanted_device, status, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (program, number) DO UPDATE SET
             birth_date = excluded.birth_date, sex = excluded.sex,
             height_tenths_cm = excluded.height_tenths_cm, body_type = excluded.body_type,
             implanted_device = excluded.implanted_device, status = excluded.status,
             updated_at = excluded.updated_at")?
.execute(
        params![
            program.as_str(),
            e.participant,
            e.birth_date,
            sex_name(e.sex),
            e.height_tenths_cm,
            e.body_type,
            e.implanted_device,
            e.status.name(),
            now.as_unix_ms()
        ],
    )?;
    Ok(())
}

/// A card's owner and status in a program.
pub fn card(
    conn: &Connection,
    program: &ProgramId,
    id: CardId,
) -> Result<Option<(String, CardStatus)>, StorageError> {
    let row = conn
        .prepare_cached(
            "SELECT participant, status FROM cards WHERE program = ?1 AND holder = ?2 AND serial = ?3",
        )?
        .query_row(params![program.as_str(), id.holder, id.serial], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .optional()?;
    row.map(|(p, s)| Ok((p, card_status_from_name(&s)?)))
        .transpose()
}

/// A stored card as the change feed carries it.
pub fn card_state(
    conn: &Connection,
    program: &ProgramId,
    id: CardId,
) -> Result<Option<CardState>, StorageError> {
    let row = conn
        .prepare_cached(
            "SELECT c.participant, c.issued_day, c.expires_day, c.tag_sha256, c.status, p.card_code
             FROM cards c JOIN programs p ON p.id = c.program
             WHERE c.program = ?1 AND c.holder = ?2 AND c.serial = ?3",
        )?
        .query_row(params![program.as_str(), id.holder, id.serial], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })
        .optional()?;
    let Some((participant, issued_day, expires_day, tag_sha256, status, code)) = row else {
        return Ok(None);
    };
    let row = common::CardRow {
        participant,
        holder: i64::from(id.holder),
        serial: i64::from(id.serial),
        issued_day,
        expires_day,
        tag_sha256,
        status: card_status_from_name(&status)?,
    };
    common::card_state_from_row(common::stored_u16("card code", code)?, row).map(Some)
}

/// Sets a card's status.
pub fn set_card_status(
    conn: &Connection,
    program: &ProgramId,
    id: CardId,
    status: CardStatus,
    now: Timestamp,
) -> Result<(), StorageError> {
    conn.prepare_cached(
        "UPDATE cards SET status = ?4, updated_at = ?5
         WHERE program = ?1 AND holder = ?2 AND serial = ?3",
    )?
    .execute(params![
        program.as_str(),
        id.holder,
        id.serial,
        card_status_name(status),
        now.as_unix_ms()
    ])?;
    Ok(())
}

/// The program's card code and card key (made and stored now if it has none yet).
pub fn card_code_and_key(
    conn: &Connection,
    program: &ProgramId,
) -> Result<(u16, CardKey), StorageError> {
    let (code, key): (i64, Option<Vec<u8>>) = conn
        .prepare_cached("SELECT card_code, card_key FROM programs WHERE id = ?1")?
        .query_row([program.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| StorageError::NotFound {
            what: "program",
            id: program.to_string(),
        })?;
    let key = match key {
        Some(bytes) => common::card_key(&bytes)?,
        None => {
            let key = common::new_card_key()?;
            conn.execute(
                "UPDATE programs SET card_key = ?2 WHERE id = ?1",
                params![program.as_str(), key.as_bytes().as_slice()],
            )?;
            key
        }
    };
    Ok((common::stored_u16("card code", code)?, key))
}

/// The participant's card-holder number, assigned from the program's counter at their first card.
pub fn card_holder(
    conn: &Connection,
    program: &ProgramId,
    participant: &str,
) -> Result<u32, StorageError> {
    let found: Option<i64> = conn
        .prepare_cached("SELECT holder FROM card_holders WHERE program = ?1 AND participant = ?2")?
        .query_row(params![program.as_str(), participant], |r| r.get(0))
        .optional()?;
    if let Some(holder) = found {
        return common::card_holder(holder);
    }
    let next: i64 = conn.query_row(
        "UPDATE programs SET next_holder = next_holder + 1 WHERE id = ?1 RETURNING next_holder - 1",
        [program.as_str()],
        |r| r.get(0),
    )?;
    let holder = common::card_holder(next)?;
    conn.execute(
        "INSERT INTO card_holders (program, participant, holder) VALUES (?1, ?2, ?3)",
        params![program.as_str(), participant, holder],
    )?;
    Ok(holder)
}

/// Inserts a newly issued card.
pub fn insert_card(
    conn: &Connection,
    program: &ProgramId,
    participant: &str,
    token: &CardToken,
    expires_day: Option<u16>,
    now: Timestamp,
) -> Result<(), StorageError> {
    let f = token.fields();
    conn.prepare_cached(
        "INSERT INTO cards (program, holder, serial, participant, issued_day, expires_day,
                            tag_sha256, status, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'active', ?8)",
    )?
    .execute(params![
        program.as_str(),
        f.holder,
        f.serial,
        participant,
        f.issued_day,
        expires_day,
        token.tag_hash().to_hex(),
        now.as_unix_ms()
    ])?;
    Ok(())
}

/// Appends a change to the program's feed at the next seq (the caller holds the write lock).
pub fn append_change(
    conn: &Connection,
    program: &ProgramId,
    change: &ChangeKind,
    now: Timestamp,
) -> Result<u64, StorageError> {
    let seq: Option<i64> = conn
        .prepare_cached(
            "UPDATE programs SET change_seq = change_seq + 1 WHERE id = ?1 RETURNING change_seq",
        )?
        .query_row([program.as_str()], |r| r.get(0))
        .optional()?;
    let seq = seq.ok_or_else(|| no_program(program))?;
    conn.prepare_cached("INSERT INTO changes (program, seq, body, at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![
            program.as_str(),
            seq,
            to_json(change)?,
            now.as_unix_ms()
        ])?;
    Ok(u64::try_from(seq).unwrap_or(0))
}

/// Writes a ledger entry, if there is one.
pub fn insert_ledger(conn: &Connection, entry: Option<&LedgerEntry>) -> Result<(), StorageError> {
    let Some(e) = entry else {
        return Ok(());
    };
    conn.prepare_cached(
        "INSERT INTO ledger (program, station, at, direction, label, participants, items)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        e.program.as_str(),
        e.station.as_str(),
        e.at.as_unix_ms(),
        e.direction.name(),
        e.label,
        to_json(&e.participants)?,
        to_json(&e.items)?
    ])?;
    Ok(())
}

/// Reads ledger rows of a program at or after `since`, oldest first.
pub fn ledger_rows(
    conn: &Connection,
    program: &ProgramId,
    since: Timestamp,
) -> Result<Vec<LedgerEntry>, StorageError> {
    let mut stmt = conn.prepare_cached(
        "SELECT station, at, direction, label, participants, items FROM ledger
         WHERE program = ?1 AND at >= ?2 ORDER BY at, id",
    )?;
    let rows = stmt.query_map(params![program.as_str(), since.as_unix_ms()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (station, at, direction, label, participants, items) = row?;
        out.push(LedgerEntry {
            at: Timestamp::from_unix_ms(at),
            station: StationId::new(&station).map_err(|_| corrupt("station id", &station))?,
            program: program.clone(),
            direction: Direction::from_name(&direction)
                .ok_or_else(|| corrupt("direction", &direction))?,
            label,
            participants: serde_json::from_str(&participants).map_err(json_err)?,
            items: serde_json::from_str(&items).map_err(json_err)?,
        });
    }
    Ok(out)
}

/// Balance: non-cancelled awards minus points exchanged.
pub fn balance(
    conn: &Connection,
    program: &ProgramId,
    participant: &str,
) -> Result<i64, StorageError> {
    Ok(conn
        .prepare_cached(
            "SELECT
             (SELECT COALESCE(SUM(points), 0) FROM awards
              WHERE program = ?1 AND participant = ?2 AND cancelled_at IS NULL)
           - (SELECT COALESCE(SUM(points), 0) FROM exchanges
              WHERE program = ?1 AND participant = ?2)",
        )?
        .query_row(params![program.as_str(), participant], |r| r.get(0))?)
}

/// Non-cancelled points of one local month.
pub fn month_points(
    conn: &Connection,
    program: &ProgramId,
    participant: &str,
    month_key: &str,
) -> Result<i64, StorageError> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(points), 0) FROM awards
         WHERE program = ?1 AND participant = ?2 AND month_key = ?3 AND cancelled_at IS NULL",
        )?
        .query_row(params![program.as_str(), participant, month_key], |r| {
            r.get(0)
        })?)
}

/// The participant's awards of one local month, cancelled ones included (flagged).
pub fn prior_awards(
    conn: &Connection,
    program: &ProgramId,
    participant: &str,
    month_key: &str,
) -> Result<Vec<PriorAward>, StorageError> {
    let mut stmt = conn.prepare_cached(
        "SELECT rule_id, period_key, points, cancelled_at IS NOT NULL FROM awards
         WHERE program = ?1 AND participant = ?2 AND month_key = ?3",
    )?;
    let rows = stmt.query_map(params![program.as_str(), participant, month_key], |r| {
        Ok(PriorAward {
            rule_id: r.get(0)?,
            period_key: r.get(1)?,
            points: r.get(2)?,
            cancelled: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
