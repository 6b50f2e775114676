//! Registrations taken at this station: storing one (roster row, `registrations` row, outbox
//! event, paper consent, audit row — ONE transaction), the server's verdict from the upload's
//! acknowledgements (accepted with the card it issued, or a conflict, ineligible, full), the
//! card printed, the first measurement; and reading them back for the staff screen.
//!
//! Personal (it names participants): purged with the participant; the audit rows name event
//! ids, methods, states and staff logins, never a participant value or card token.
//! Deliberately not here: checking the application (`crate::staff::registration`) and printing.

use super::record::insert_consent;
use super::roster::date_text;
use super::{audit, outbox, Store, StoreError};
use crate::domain::{ConsentDecision, ConsentMethod, ParticipantNumber};
use crate::staff::registration::{Application, ConsentChoice};
use hakaru_devices::redact::REDACTED;
use hakaru_wire::api::{Ack, AckOutcome, HeldReason, IssuedCard};
use hakaru_wire::{ConsentAction, EventKind, ParticipantRegistered, Timestamp};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use std::fmt;

/// Where a registration stands with the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistrationState {
    /// Not judged yet (offline: flagged for review).
    Pending,
    /// Accepted; the card can be printed once issued.
    Accepted,
    /// The same number was registered elsewhere with other details: the program office decides.
    Conflict,
    /// Breaks the program's rules as the server holds them.
    Ineligible,
    /// After the enrolment cap was reached.
    Full,
}

impl RegistrationState {
    /// The stored name: `pending`, `accepted`, `conflict`, `ineligible`, `full`.
    pub fn code(self) -> &'static str {
        match self {
            RegistrationState::Pending => "pending",
            RegistrationState::Accepted => "accepted",
            RegistrationState::Conflict => "conflict",
            RegistrationState::Ineligible => "ineligible",
            RegistrationState::Full => "full",
        }
    }

    /// Parses the stored name.
    pub fn from_code(code: &str) -> Option<RegistrationState> {
        Some(match code {
            "pending" => RegistrationState::Pending,
            "accepted" => RegistrationState::Accepted,
            "conflict" => RegistrationState::Conflict,
            "ineligible" => RegistrationState::Ineligible,
            "full" => RegistrationState::Full,
            _ => return None,
        })
    }
}

/// One registration taken at this station.
#[derive(Clone, PartialEq, Eq)]
pub struct RegistrationRow {
    /// Who.
    pub participant: ParticipantNumber,
    /// When it was stored.
    pub registered_at: Timestamp,
    /// The staff login that took it.
    pub registered_by: String,
    /// On screen (at the first measurement) or witnessed paper.
    pub consent_method: ConsentMethod,
    /// The server's verdict so far.
    pub state: RegistrationState,
    /// The server issued a card: it can be printed.
    pub card_ready: bool,
    /// The card was printed at least once.
    pub card_printed: bool,
    /// Measured since registering.
    pub measured: bool,
    /// Weight only (implanted device).
    pub weight_only: bool,
}

impl fmt::Debug for RegistrationRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistrationRow")
            .field("participant", &REDACTED)
            .field("state", &self.state)
            .field("consent_method", &self.consent_method)
            .field("card_ready", &self.card_ready)
            .field("card_printed", &self.card_printed)
            .field("measured", &self.measured)
            .finish_non_exhaustive()
    }
}

fn method_code(m: ConsentMethod) -> &'static str {
    match m {
        ConsentMethod::OnScreen => "on_screen",
        ConsentMethod::StaffWitnessedPaper => "staff_witnessed_paper",
    }
}

/// The state a registration's acknowledgement settles it in (`None`: leave it pending).
fn verdict(outcome: &AckOutcome) -> Option<RegistrationState> {
    match outcome {
        AckOutcome::Accepted => Some(RegistrationState::Accepted),
        AckOutcome::Held { reason } => match reason {
            HeldReason::ParticipantExists => Some(RegistrationState::Conflict),
            HeldReason::Ineligible => Some(RegistrationState::Ineligible),
            HeldReason::EnrolmentFull => Some(RegistrationState::Full),
            _ => None,
        },
    }
}

const ROW_SELECT: &str = "SELECT r.participant, r.registered_at, r.registered_by, r.consent_method,
        r.state, r.card_token IS NOT NULL, r.card_printed_at IS NOT NULL, r.measured_at IS NOT NULL,
        p.implanted_device
     FROM registrations r JOIN participants p ON p.number = r.participant";

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        participant: r.get(0)?,
        registered_at: r.get(1)?,
        registered_by: r.get(2)?,
        consent_method: r.get(3)?,
        state: r.get(4)?,
        card_ready: r.get(5)?,
        card_printed: r.get(6)?,
        measured: r.get(7)?,
        weight_only: r.get(8)?,
    })
}

struct RawRow {
    participant: String,
    registered_at: i64,
    registered_by: String,
    consent_method: String,
    state: String,
    card_ready: bool,
    card_printed: bool,
    measured: bool,
    weight_only: bool,
}

impl RawRow {
    fn parse(self) -> Result<RegistrationRow, StoreError> {
        Ok(RegistrationRow {
            participant: ParticipantNumber::new(&self.participant)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            registered_at: Timestamp::from_unix_ms(self.registered_at),
            registered_by: self.registered_by,
            consent_method: match self.consent_method.as_str() {
                "on_screen" => ConsentMethod::OnScreen,
                "staff_witnessed_paper" => ConsentMethod::StaffWitnessedPaper,
                other => return Err(StoreError::Corrupt(format!("consent method {other:?}"))),
            },
            state: RegistrationState::from_code(&self.state).ok_or_else(|| {
                StoreError::Corrupt(format!("registration state {:?}", self.state))
            })?,
            card_ready: self.card_ready,
            card_printed: self.card_printed,
            measured: self.measured,
            weight_only: self.weight_only,
        })
    }
}

impl Store {
    /// Whether this station's roster holds the number at all (active, withdrawn or stopped).
    pub fn participant_on_roster(&self, number: &ParticipantNumber) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM participants WHERE number = ?1")?
            .exists([number.as_str()])?)
    }

    /// Stores a checked application in ONE transaction: the roster row (active, with the
    /// profile), the `registrations` row (`pending`), the outbox `ParticipantRegistered`; for a
    /// paper consent also the consent row and its outbox `ConsentRecorded` (staff-witnessed,
    /// naming every document in force on the day it was checked); and one audit row (event id,
    /// consent method, staff login — no participant value).
    ///
    /// A number the roster already holds (registered meanwhile) fails on the roster's key and
    /// stores nothing.
    pub fn register_participant(
        &mut self,
        app: &Application,
        staff_login: &str,
        wall: Timestamp,
    ) -> Result<RegistrationRow, StoreError> {
        let station = self.require_station()?;
        let decision = match &app.consent {
            ConsentChoice::OnScreen => None,
            ConsentChoice::Paper { granted } => {
                let documents = self.documents()?;
                let in_force: Vec<_> =
                    crate::session::consent::documents_in_force(&documents, app.today)
                        .into_iter()
                        .cloned()
                        .collect();
                let purposes = self.purposes()?;
                Some(crate::session::consent::decision_from_answer(
                    &in_force,
                    &purposes,
                    granted,
                    ConsentMethod::StaffWitnessedPaper,
                ))
            }
        };
        let number = app.participant.as_str();
        let p = &app.profile;
        let method = app.consent_method();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.prepare_cached(
            "INSERT INTO participants (number, birth_date, sex, height_tenths_cm, body_type, implanted_device, status, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7)",
        )?
        .execute(params![
            number,
            date_text(p.birth_date),
            p.sex.code(),
            p.height_tenths_cm,
            p.body_type.code(),
            p.implanted_device,
            wall.as_unix_ms()
        ])?;
        let event = outbox::enqueue(
            &tx,
            &station,
            wall,
            EventKind::ParticipantRegistered(ParticipantRegistered {
                participant: number.to_owned(),
                birth_date: date_text(p.birth_date),
                sex: match p.sex {
                    crate::domain::Sex::Male => hakaru_wire::Sex::Male,
                    crate::domain::Sex::Female => hakaru_wire::Sex::Female,
                },
                height_tenths_cm: p.height_tenths_cm,
                body_type: p.body_type.code(),
                implanted_device: p.implanted_device,
                applied_on: date_text(app.applied_on),
                lives_or_works_locally: app.lives_or_works_locally,
                registered_by: staff_login.to_owned(),
            }),
            number,
            Some(&app.participant),
        )?;
        tx.prepare_cached(
            "INSERT INTO registrations (participant, event_id, registered_at, registered_by,
                 consent_method, state, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?3)",
        )?
        .execute(params![
            number,
            event.to_string(),
            wall.as_unix_ms(),
            staff_login,
            method_code(method)
        ])?;
        let consent_event = match &decision {
            Some(d) => Some(consent(&tx, &station, app, d, wall)?),
            None => None,
        };
        audit::append(
            &tx,
            wall,
            "participant_registered",
            &serde_json::json!({
                "event": event.to_string(),
                "consent_method": method_code(method),
                "consent_event": consent_event,
                "staff": staff_login,
            }),
        )?;
        tx.commit()?;
        tracing::info!(consent = method_code(method), "participant registered");
        Ok(RegistrationRow {
            participant: app.participant.clone(),
            registered_at: wall,
            registered_by: staff_login.to_owned(),
            consent_method: method,
            state: RegistrationState::Pending,
            card_ready: false,
            card_printed: false,
            measured: false,
            weight_only: p.implanted_device,
        })
    }

    /// Registrations taken at or after `since`, and any older one staff may still need (not
    /// settled with the server, a conflict, or an accepted one whose card was never printed);
    /// newest first.
    pub fn registrations(&self, since: Timestamp) -> Result<Vec<RegistrationRow>, StoreError> {
        let sql = format!(
            "{ROW_SELECT} WHERE r.registered_at >= ?1 OR r.state IN ('pending', 'conflict')
                 OR (r.state = 'accepted' AND r.card_printed_at IS NULL)
             ORDER BY r.registered_at DESC, r.rowid DESC"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([since.as_unix_ms()], read_row)?;
        rows.map(|r| r?.parse()).collect()
    }

    /// The registration taken here for `participant`, if any.
    pub fn registration(
        &self,
        participant: &ParticipantNumber,
    ) -> Result<Option<RegistrationRow>, StoreError> {
        let sql = format!("{ROW_SELECT} WHERE r.participant = ?1");
        self.conn
            .prepare_cached(&sql)?
            .query_row([participant.as_str()], read_row)
            .optional()?
            .map(RawRow::parse)
            .transpose()
    }

    /// The card the server issued for the registration, once it has (to print; the token is a
    /// credential: never log it).
    pub fn registration_card(
        &self,
        participant: &ParticipantNumber,
    ) -> Result<Option<IssuedCard>, StoreError> {
        let row: Option<(Option<String>, Option<String>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT card_id, card_token, card_expires_on FROM registrations WHERE participant = ?1",
                [participant.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(match row {
            Some((Some(card_id), Some(token), expires_on)) => Some(IssuedCard {
                card_id,
                token,
                expires_on,
            }),
            _ => None,
        })
    }

    /// Notes that the registration's card was printed (the first time is kept); audited with the
    /// registration's event id and the staff login. Fails with
    /// [`StoreError::UnknownParticipant`] when no card was issued for a registration here.
    pub fn mark_card_printed(
        &mut self,
        participant: &ParticipantNumber,
        staff_login: &str,
        wall: Timestamp,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let event: String = tx
            .query_row(
                "SELECT event_id FROM registrations WHERE participant = ?1 AND card_token IS NOT NULL",
                [participant.as_str()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(StoreError::UnknownParticipant)?;
        tx.execute(
            "UPDATE registrations SET card_printed_at = COALESCE(card_printed_at, ?2), updated_at = ?2
             WHERE participant = ?1",
            params![participant.as_str(), wall.as_unix_ms()],
        )?;
        audit::append(
            &tx,
            wall,
            "registration_card_printed",
            &serde_json::json!({ "registration_event": event, "staff": staff_login }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// How many registrations taken here wait for the server's verdict.
    pub fn registrations_pending(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM registrations WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Settles registrations from the server's acknowledgements (acks for other events are
    /// ignored): accepted (with the card, when the ack carries one — a replayed ack without it
    /// keeps the card already stored), conflict, ineligible or full; other held reasons leave
    /// the registration pending. One transaction with one audit row of counts. Returns how
    /// many registrations changed state or gained a card. (The sync worker settles them in the
    /// acknowledgement's own transaction: `Store::acknowledge_settling`.)
    pub fn settle_registrations(
        &mut self,
        acks: &[Ack],
        wall: Timestamp,
    ) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let changed = settle_in(&tx, acks, wall)?;
        tx.commit()?;
        Ok(changed)
    }
}

/// [`Store::settle_registrations`] inside the caller's transaction.
pub(crate) fn settle_in(
    tx: &rusqlite::Transaction<'_>,
    acks: &[Ack],
    wall: Timestamp,
) -> Result<usize, StoreError> {
    let mut counts: std::collections::BTreeMap<&'static str, u32> = Default::default();
    let mut changed = 0usize;
    {
        let mut update = tx.prepare_cached(
            "UPDATE registrations SET state = ?2,
                 card_id = COALESCE(?3, card_id), card_token = COALESCE(?4, card_token),
                 card_expires_on = COALESCE(?5, card_expires_on), updated_at = ?6
             WHERE event_id = ?1
               AND (state IS NOT ?2 OR (?4 IS NOT NULL AND card_token IS NOT ?4))",
        )?;
        for ack in acks {
            let Some(state) = verdict(&ack.outcome) else {
                continue;
            };
            let card = ack
                .card
                .as_ref()
                .filter(|_| state == RegistrationState::Accepted);
            let n = update.execute(params![
                ack.id.to_string(),
                state.code(),
                card.map(|c| c.card_id.as_str()),
                card.map(|c| c.token.as_str()),
                card.and_then(|c| c.expires_on.as_deref()),
                wall.as_unix_ms()
            ])?;
            if n > 0 {
                changed += n;
                *counts.entry(state.code()).or_default() += 1;
            }
        }
    }
    if changed > 0 {
        audit::append(
            tx,
            wall,
            "registrations_settled",
            &serde_json::json!(counts),
        )?;
    }
    Ok(changed)
}

/// The paper consent of a registration, inside its transaction; returns the consent's event id.
fn consent(
    tx: &rusqlite::Transaction<'_>,
    station: &crate::domain::StationId,
    app: &Application,
    decision: &ConsentDecision,
    wall: Timestamp,
) -> Result<String, StoreError> {
    let (_, event) = insert_consent(
        tx,
        station,
        &app.participant,
        ConsentAction::Given,
        decision,
        wall,
    )?;
    Ok(event.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acks_map_to_states_and_other_held_reasons_leave_it_pending() {
        let held = |reason| verdict(&AckOutcome::Held { reason });
        assert_eq!(
            verdict(&AckOutcome::Accepted),
            Some(RegistrationState::Accepted)
        );
        assert_eq!(
            held(HeldReason::ParticipantExists),
            Some(RegistrationState::Conflict)
        );
        assert_eq!(
            held(HeldReason::Ineligible),
            Some(RegistrationState::Ineligible)
        );
        assert_eq!(
            held(HeldReason::EnrolmentFull),
            Some(RegistrationState::Full)
        );
        assert_eq!(held(HeldReason::RegistrationUnresolved), None);
        assert_eq!(held(HeldReason::UnknownParticipant), None);
        for s in [
            RegistrationState::Pending,
            RegistrationState::Accepted,
            RegistrationState::Conflict,
            RegistrationState::Ineligible,
            RegistrationState::Full,
        ] {
            assert_eq!(RegistrationState::from_code(s.code()), Some(s));
        }
    }
}
