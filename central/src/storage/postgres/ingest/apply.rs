//! Applying a batch's new events in memory, in batch order, to what was loaded for them: the
//! result is every row to write and every acknowledgement, so the writes can go set-wise.
//!
//! Deliberately not here: SQL. The rules are [`common`]'s and [`points::decide`]'s, the same
//! the SQLite backend applies row by row; this module only keeps the in-batch state (a
//! registration earlier in the batch puts the participant on the roster for a reading later in
//! it, a consent earlier counts for a reading later, awards add up).

use crate::points::{self, PointsRules, PriorAward};
use crate::storage::common::{self, CardStep, RegistrationStep, StoredCard};
use hakaru_wire::api::{Ack, CardState, CardStatus, ChangeKind, HeldReason, RosterEntry};
use hakaru_wire::{
    CalibrationRecorded, CardEvent, ConsentAction, ConsentRecorded, EventKind, MeasurementRecorded,
    OutboxEvent, Timestamp,
};
use std::collections::HashMap;
use uuid::Uuid;

/// What was loaded for the batch's new events.
pub(super) struct Loaded {
    /// The program's points rules.
    pub rules: PointsRules,
    /// Roster entries of the batch's participants.
    pub roster: HashMap<String, RosterEntry>,
    /// Stored cards of the batch's serials: owner and state.
    pub cards: HashMap<String, (String, CardStatus)>,
    /// Per measurement (by its index among the new events): the latest stored consent decided
    /// at or before the reading, as (decided_at, action).
    pub consents: HashMap<usize, (i64, ConsentAction)>,
    /// Stored awards per (participant, month key), cancelled ones included.
    pub awards: HashMap<(String, String), Vec<PriorAward>>,
    /// Stored balances of the measured participants.
    pub balances: HashMap<String, i64>,
}

/// A consent row to write.
pub(super) struct ConsentRow<'a> {
    pub consent: &'a ConsentRecorded,
    pub decided_at: Timestamp,
}

/// A measurement row to write.
pub(super) struct MeasurementRow<'a> {
    pub event: &'a OutboxEvent,
    pub measurement: &'a MeasurementRecorded,
}

/// An award row to write.
pub(super) struct AwardRow {
    pub id: Uuid,
    pub participant: String,
    pub measurement_id: Uuid,
    pub rule_id: String,
    pub period_key: String,
    pub month_key: String,
    pub points: u32,
}

/// A calibration row to write.
pub(super) struct CalibrationRow<'a> {
    pub event: &'a OutboxEvent,
    pub calibration: &'a CalibrationRecorded,
}

/// Everything the batch's new events write, and their acknowledgements (in their order).
#[derive(Default)]
pub(super) struct Applied<'a> {
    pub acks: Vec<Ack>,
    pub participants: Vec<RosterEntry>,
    /// Final state per serial, in first-touched order.
    pub cards: Vec<CardState>,
    pub consents: Vec<ConsentRow<'a>>,
    pub measurements: Vec<MeasurementRow<'a>>,
    pub awards: Vec<AwardRow>,
    pub calibrations: Vec<CalibrationRow<'a>>,
    pub changes: Vec<ChangeKind>,
}

/// In-batch state over what was loaded.
struct State<'a> {
    loaded: Loaded,
    out: Applied<'a>,
    /// Consents accepted earlier in this batch, per participant, in batch order.
    batch_consents: HashMap<String, Vec<(i64, ConsentAction)>>,
    /// Index into `out.cards` per serial.
    card_slot: HashMap<String, usize>,
    now: Timestamp,
}

/// Applies `fresh` (the batch's new events, first occurrence of each id, in batch order).
pub(super) fn apply<'a>(fresh: &[&'a OutboxEvent], loaded: Loaded, now: Timestamp) -> Applied<'a> {
    let mut st = State {
        loaded,
        out: Applied::default(),
        batch_consents: HashMap::new(),
        card_slot: HashMap::new(),
        now,
    };
    for (i, event) in fresh.iter().enumerate() {
        let ack = match &event.kind {
            EventKind::ParticipantRegistered(reg) => {
                let step = common::registration_step(st.loaded.roster.get(&reg.participant), reg);
                match step {
                    RegistrationStep::Insert => {
                        let entry = common::roster_entry(reg);
                        st.loaded
                            .roster
                            .insert(entry.participant.clone(), entry.clone());
                        st.out.participants.push(entry.clone());
                        st.out.changes.push(ChangeKind::Participant(entry));
                        common::accepted(event.id, None)
                    }
                    RegistrationStep::Nothing => common::accepted(event.id, None),
                    RegistrationStep::Conflict => {
                        common::held(event.id, HeldReason::ParticipantExists)
                    }
                }
            }
            EventKind::ConsentRecorded(c) => {
                if st.loaded.roster.contains_key(&c.participant) {
                    st.batch_consents
                        .entry(c.participant.clone())
                        .or_default()
                        .push((event.occurred_at.as_unix_ms(), c.action));
                    st.out.consents.push(ConsentRow {
                        consent: c,
                        decided_at: event.occurred_at,
                    });
                    common::accepted(event.id, None)
                } else {
                    common::held(event.id, HeldReason::UnknownParticipant)
                }
            }
            EventKind::MeasurementRecorded(m) => st.measurement(i, event, m),
            EventKind::CardIssued(c) => st.card(event, c, false),
            EventKind::CardRevoked(c) => st.card(event, c, true),
            EventKind::CalibrationRecorded(c) => {
                st.out.calibrations.push(CalibrationRow {
                    event,
                    calibration: c,
                });
                common::accepted(event.id, None)
            }
        };
        st.out.acks.push(ack);
    }
    st.out
}

impl<'a> State<'a> {
    /// The latest consent decided at or before `taken_at`: stored or earlier in this batch
    /// (a batch's consents arrived after every stored one, so they win a tie).
    fn latest_consent(
        &self,
        index: usize,
        participant: &str,
        taken_at: i64,
    ) -> Option<ConsentAction> {
        let mut best = self.loaded.consents.get(&index).copied();
        for &(decided_at, action) in self.batch_consents.get(participant).into_iter().flatten() {
            if decided_at <= taken_at && best.is_none_or(|(b, _)| decided_at >= b) {
                best = Some((decided_at, action));
            }
        }
        best.map(|(_, action)| action)
    }

    fn measurement(
        &mut self,
        index: usize,
        event: &'a OutboxEvent,
        m: &'a MeasurementRecorded,
    ) -> Ack {
        let status = self.loaded.roster.get(&m.participant).map(|e| e.status);
        let consent = self.latest_consent(index, &m.participant, m.taken_at.as_unix_ms());
        if let Err(reason) = common::measurement_gate(status, consent) {
            return common::held(event.id, reason);
        }
        let rules = &self.loaded.rules;
        let month_key = rules.month_key(m.taken_at);
        let prior = self
            .loaded
            .awards
            .entry((m.participant.clone(), month_key.clone()))
            .or_default();
        let decision = points::decide(rules, m.taken_at, prior);
        for a in &decision.awards {
            prior.push(PriorAward {
                rule_id: a.rule_id.clone(),
                period_key: a.period_key.clone(),
                points: a.points,
                cancelled: false,
            });
            self.out.awards.push(AwardRow {
                id: common::new_id(self.now),
                participant: m.participant.clone(),
                measurement_id: m.measurement_id,
                rule_id: a.rule_id.clone(),
                period_key: a.period_key.clone(),
                month_key: decision.month_key.clone(),
                points: a.points,
            });
        }
        let balance = self
            .loaded
            .balances
            .entry(m.participant.clone())
            .or_insert(0);
        *balance += i64::from(decision.total());
        self.out.measurements.push(MeasurementRow {
            event,
            measurement: m,
        });
        common::accepted(event.id, Some(common::points_award(&decision, *balance)))
    }

    fn card(&mut self, event: &OutboxEvent, c: &CardEvent, revoke: bool) -> Ack {
        if !self.loaded.roster.contains_key(&c.participant) {
            return common::held(event.id, HeldReason::UnknownParticipant);
        }
        let stored = self
            .loaded
            .cards
            .get(&c.card_serial)
            .map(|(owner, status)| StoredCard {
                participant: owner,
                status: *status,
            });
        let status = match common::card_step(revoke, stored, &c.participant) {
            CardStep::Insert(status) => status,
            CardStep::Revoke => CardStatus::Revoked,
            CardStep::Nothing => return common::accepted(event.id, None),
            CardStep::Conflict => return common::held(event.id, HeldReason::CardConflict),
        };
        self.loaded
            .cards
            .insert(c.card_serial.clone(), (c.participant.clone(), status));
        let state = CardState {
            card_serial: c.card_serial.clone(),
            participant: c.participant.clone(),
            status,
        };
        match self.card_slot.get(&c.card_serial) {
            Some(&slot) => self.out.cards[slot] = state.clone(),
            None => {
                self.card_slot
                    .insert(c.card_serial.clone(), self.out.cards.len());
                self.out.cards.push(state.clone());
            }
        }
        self.out.changes.push(ChangeKind::Card(state));
        common::accepted(event.id, None)
    }
}
