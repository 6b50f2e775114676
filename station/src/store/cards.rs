//! The participant cards the station holds: what the change feed says about each card (holder,
//! serial, tag hash, expiry, status) and the program's card code, so a scanned card can be
//! checked offline; and staff revoking a lost card.
//!
//! Deliberately not here: deciding whether a scanned card is accepted (`crate::cards`), and
//! issuing cards — only the central server can make a card's tag; this store holds hashes.

use super::{audit, new_id, outbox, Store, StoreError};
use crate::domain::ParticipantNumber;
use hakaru_wire::api::{CardState, CardStatus as WireCardStatus};
use hakaru_wire::card::TagHash;
use hakaru_wire::{CardEvent, EventKind, Timestamp};
use rusqlite::params;
use std::fmt;

/// Whether a card may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardStatus {
    /// In use.
    Active,
    /// Revoked (lost, replaced, participant left): a scan is refused.
    Revoked,
}

impl CardStatus {
    fn name(self) -> &'static str {
        match self {
            CardStatus::Active => "active",
            CardStatus::Revoked => "revoked",
        }
    }

    fn from_name(name: &str) -> Result<CardStatus, StoreError> {
        match name {
            "active" => Ok(CardStatus::Active),
            "revoked" => Ok(CardStatus::Revoked),
            other => Err(StoreError::Corrupt(format!("card status {other:?}"))),
        }
    }
}

impl From<WireCardStatus> for CardStatus {
    fn from(s: WireCardStatus) -> CardStatus {
        match s {
            WireCardStatus::Active => CardStatus::Active,
            WireCardStatus::Revoked => CardStatus::Revoked,
        }
    }
}

/// A card as the station holds it.
#[derive(Clone, PartialEq, Eq)]
pub struct HeldCard {
    /// Whose card.
    pub participant: ParticipantNumber,
    /// Which of the holder's cards.
    pub serial: u16,
    /// Issue day (days since 1970-01-01).
    pub issued_day: u16,
    /// Last day of use, if limited.
    pub expires_day: Option<u16>,
    /// SHA-256 of the genuine card's tag.
    pub tag_sha256: TagHash,
    /// Active or revoked.
    pub status: CardStatus,
}

impl fmt::Debug for HeldCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeldCard")
            .field("serial", &self.serial)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// Stores one card from the change feed (inside the page's transaction). The participant must be
/// on the station's roster already.
pub(crate) fn put_card(
    conn: &rusqlite::Connection,
    participant: &ParticipantNumber,
    c: &CardState,
    now: Timestamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO cards (holder, serial, participant, issued_day, expires_day, tag_sha256,
                            status, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (holder, serial) DO UPDATE SET participant = excluded.participant,
             issued_day = excluded.issued_day, expires_day = excluded.expires_day,
             tag_sha256 = excluded.tag_sha256, status = excluded.status,
             updated_at = excluded.updated_at",
    )?
    .execute(params![
        c.card.holder,
        c.card.serial,
        participant.as_str(),
        c.card.issued_day,
        c.expires_day,
        c.tag_sha256.to_hex(),
        CardStatus::from(c.status).name(),
        now.as_unix_ms()
    ])?;
    Ok(())
}

/// Records the program's card code from a change-feed page (inside the page's transaction).
pub(crate) fn set_card_program(conn: &rusqlite::Connection, code: u16) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE sync_state SET card_program = ?1 WHERE singleton = 1")?
        .execute([code])?;
    Ok(())
}

impl Store {
    /// The program's code in card tokens, once the first change-feed page has arrived.
    pub fn card_program(&self) -> Result<Option<u16>, StoreError> {
        let code: Option<i64> = self.conn.query_row(
            "SELECT card_program FROM sync_state WHERE singleton = 1",
            [],
            |r| r.get(0),
        )?;
        code.map(|c| u16::try_from(c).map_err(|_| StoreError::Corrupt(format!("card program {c}"))))
            .transpose()
    }

    /// The cards of one card holder, newest serial first.
    pub fn cards_of_holder(&self, holder: u32) -> Result<Vec<HeldCard>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT participant, serial, issued_day, expires_day, tag_sha256, status FROM cards
             WHERE holder = ?1 ORDER BY serial DESC",
        )?;
        let rows = stmt.query_map([holder], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let corrupt = |what: &str| StoreError::Corrupt(format!("card {what}"));
        let mut out = Vec::new();
        for row in rows {
            let (participant, serial, issued_day, expires_day, tag, status) = row?;
            let day = |d: i64| u16::try_from(d).map_err(|_| corrupt("day"));
            out.push(HeldCard {
                participant: ParticipantNumber::new(&participant)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                serial: u16::try_from(serial).map_err(|_| corrupt("serial"))?,
                issued_day: day(issued_day)?,
                expires_day: expires_day.map(day).transpose()?,
                tag_sha256: TagHash::from_hex(&tag).ok_or_else(|| corrupt("tag hash"))?,
                status: CardStatus::from_name(&status)?,
            });
        }
        Ok(out)
    }

    /// Staff revoke a lost or damaged card at the station: card row + outbox `CardRevoked` +
    /// audit, one transaction. The card stops working here at once and everywhere after sync.
    /// `Ok(None)` when the station holds no such active card of this participant.
    pub fn revoke_card(
        &mut self,
        holder: u32,
        serial: u16,
        participant: &ParticipantNumber,
        now: Timestamp,
    ) -> Result<Option<hakaru_wire::EventId>, StoreError> {
        let station = self.require_station()?;
        let tx = self.conn.transaction()?;
        let changed = tx.execute(
            "UPDATE cards SET status = 'revoked', updated_at = ?4
             WHERE holder = ?1 AND serial = ?2 AND participant = ?3 AND status = 'active'",
            params![holder, serial, participant.as_str(), now.as_unix_ms()],
        )?;
        if changed == 0 {
            return Ok(None);
        }
        let card = CardEvent {
            card_id: format!("{holder}-{serial}"),
            participant: participant.as_str().to_owned(),
        };
        let fact_id = new_id(now).to_string();
        let event = outbox::enqueue(
            &tx,
            &station,
            now,
            EventKind::CardRevoked(card),
            &fact_id,
            Some(participant),
        )?;
        audit::append(
            &tx,
            now,
            "card_revoked",
            &serde_json::json!({ "event": event.to_string() }),
        )?;
        tx.commit()?;
        Ok(Some(event))
    }
}
