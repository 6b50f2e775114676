//! Applying a batch's new events in memory, in batch order, to what was loaded for them: the
//! result is every row to write and every acknowledgement, so the writes can go set-wise.
//!
//! Deliberately not here: SQL. The rules are [`common`]'s and [`points::decide`]'s, the same
//! the SQLite backend applies row by row; this module only keeps the in-batch state (a
//! registration earlier in the batch puts the participant on the roster for a reading later in
//! it, a consent earlier counts for a reading later, awards add up).

use super::super::enrolment::HeldRow;
use crate::points::{self, PointsRules, PriorAward};
use crate::storage::common::{self, CardStep, RegistrationContext, RegistrationStep, StoredCard};
use crate::storage::{CardId, CardIssue};
use hakaru_wire::api::{
    Ack, CardState, CardStatus, ChangeKind, HeldReason, RegistrationRules, RosterEntry,
};
use hakaru_wire::{
    CalibrationRecorded, CardEvent, ConsentAction, ConsentRecorded, EventKind, MeasurementRecorded,
    OutboxEvent, ParticipantRegistered, Timestamp,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// What was loaded for the batch's new events.
pub(super) struct Loaded {
    /// The program's points rules.
    pub rules: PointsRules,
    /// Roster entries of the batch's participants.
    pub roster: HashMap<String, RosterEntry>,
    /// Stored cards the batch's revocations name.
    pub cards: HashMap<CardId, CardState>,
    /// Per measurement (by its index among the new events): the latest stored consent decided
    /// at or before the reading, as (decided_at, action).
    pub consents: HashMap<usize, (i64, ConsentAction)>,
    /// Stored awards per (participant, month key), cancelled ones included.
    pub awards: HashMap<(String, String), Vec<PriorAward>>,
    /// Stored balances of the measured participants.
    pub balances: HashMap<String, i64>,
    /// The program's registration rules (the default when none were set or none are needed).
    pub registration_rules: RegistrationRules,
    /// Participants on the program's roster (counted only when the batch registers anyone).
    pub enrolled: u64,
    /// The batch's participants whose registration from this station was held.
    pub held_registrations: HashSet<String>,
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
    /// Cards to set revoked, each once.
    pub revoked_cards: Vec<CardId>,
    pub consents: Vec<ConsentRow<'a>>,
    pub measurements: Vec<MeasurementRow<'a>>,
    pub awards: Vec<AwardRow>,
    pub calibrations: Vec<CalibrationRow<'a>>,
    pub changes: Vec<ChangeKind>,
    /// Accepted registrations whose first card to issue once the roster is written: (index of
    /// the ack, participant).
    pub cards_to_issue: Vec<(usize, String)>,
    /// Registrations held (their station's later consents and readings wait for them).
    pub held_registrations: Vec<HeldRow>,
    /// When those cards are issued (today in the program's time zone); `None` if out of range.
    pub card_issue: Option<CardIssue>,
}

/// In-batch state over what was loaded.
struct State<'a> {
    loaded: Loaded,
    out: Applied<'a>,
    /// Consents accepted earlier in this batch, per participant, in batch order.
    batch_consents: HashMap<String, Vec<(i64, ConsentAction)>>,
    now: Timestamp,
}

/// Applies `fresh` (the batch's new events, first occurrence of each id, in batch order);
/// `erasures` holds the latest carried-out erasure (消去) of the batch's erased participants.
/// An event [`common::erased_event`] discards writes nothing but its own (emptied) row.
pub(super) fn apply<'a>(
    fresh: &[&'a OutboxEvent],
    loaded: Loaded,
    erasures: &HashMap<String, Timestamp>,
    now: Timestamp,
) -> Applied<'a> {
    let mut st = State {
        loaded,
        out: Applied::default(),
        batch_consents: HashMap::new(),
        now,
    };
    for (i, event) in fresh.iter().enumerate() {
        let discarded = common::event_participant(&event.kind).is_some_and(|p| {
            common::erased_event(
                event.occurred_at,
                erasures.get(p).copied(),
                st.loaded.roster.contains_key(p),
            )
        });
        if discarded {
            st.out.acks.push(common::erased(event.id));
            continue;
        }
        let held_registration = common::event_participant(&event.kind)
            .is_some_and(|p| st.loaded.held_registrations.contains(p));
        if common::unresolved_registration(&event.kind, held_registration) {
            st.out
                .acks
                .push(common::held(event.id, HeldReason::RegistrationUnresolved));
            continue;
        }
        let ack = match &event.kind {
            EventKind::ParticipantRegistered(reg) => st.register(event, reg),
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
            EventKind::CardRevoked(c) => st.card_revoked(event, c),
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
    st.out.card_issue = common::registration_card_issue(&st.loaded.rules, now).ok();
    st.out
}

impl<'a> State<'a> {
    /// Judges a registration against the roster and the count as this batch left them.
    fn register(&mut self, event: &OutboxEvent, reg: &ParticipantRegistered) -> Ack {
        let ctx = RegistrationContext {
            rules: &self.loaded.registration_rules,
            existing: self.loaded.roster.get(&reg.participant),
            enrolled: self.loaded.enrolled,
            utc_offset_minutes: self.loaded.rules.utc_offset_minutes,
        };
        match common::registration_step(&ctx, reg, event.occurred_at) {
            RegistrationStep::Insert => {
                let entry = common::roster_entry(reg);
                self.loaded
                    .roster
                    .insert(entry.participant.clone(), entry.clone());
                self.loaded.enrolled += 1;
                self.out.participants.push(entry.clone());
                self.out.changes.push(ChangeKind::Participant(entry));
                self.out
                    .cards_to_issue
                    .push((self.out.acks.len(), reg.participant.clone()));
                common::accepted(event.id, None)
            }
            RegistrationStep::Held(reason) => {
                self.loaded
                    .held_registrations
                    .insert(reg.participant.clone());
                self.out.held_registrations.push(HeldRow {
                    event: event.id,
                    participant: reg.participant.clone(),
                    reason,
                });
                common::held(event.id, reason)
            }
        }
    }

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

    fn card_revoked(&mut self, event: &OutboxEvent, c: &CardEvent) -> Ack {
        if !self.loaded.roster.contains_key(&c.participant) {
            return common::held(event.id, HeldReason::UnknownParticipant);
        }
        // A card id the server never wrote names no card: nothing to revoke.
        let Ok(id) = c.card_id.parse::<CardId>() else {
            return common::accepted(event.id, None);
        };
        let stored = self.loaded.cards.get(&id).map(|card| StoredCard {
            participant: &card.participant,
            status: card.status,
        });
        match common::card_step(stored, &c.participant) {
            CardStep::Nothing => return common::accepted(event.id, None),
            CardStep::Conflict => return common::held(event.id, HeldReason::CardConflict),
            CardStep::Revoke => {}
        }
        if let Some(card) = self.loaded.cards.get_mut(&id) {
            card.status = CardStatus::Revoked;
            self.out.revoked_cards.push(id);
            self.out.changes.push(ChangeKind::Card(card.clone()));
        }
        common::accepted(event.id, None)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use hakaru_wire::api::{AckOutcome, ParticipantStatus};
    use hakaru_wire::{ConsentMethod, EventId, Sex};

    /// 2026-11-23 10:00 JST.
    const NOV23: i64 = 1_795_395_600_000;

    fn ev(n: u128, at: i64, kind: EventKind) -> OutboxEvent {
        OutboxEvent {
            id: EventId(Uuid::from_u128(n)),
            station: "kita-01".into(),
            occurred_at: Timestamp::from_unix_ms(at),
            kind,
        }
    }

    fn reading(n: u128, p: &str, at: i64) -> OutboxEvent {
        ev(
            n,
            at,
            EventKind::MeasurementRecorded(MeasurementRecorded {
                measurement_id: Uuid::from_u128(1000 + n),
                participant: p.into(),
                analyzer_model: None,
                analyzer_serial: None,
                taken_at: Timestamp::from_unix_ms(at),
                weight_only: false,
                values: serde_json::json!({}),
                raw_frame: None,
                raw_frame_dropped: false,
            }),
        )
    }

    fn consent(n: u128, p: &str, action: ConsentAction, at: i64) -> OutboxEvent {
        ev(
            n,
            at,
            EventKind::ConsentRecorded(ConsentRecorded {
                consent_id: Uuid::from_u128(2000 + n),
                participant: p.into(),
                action,
                document_hashes: vec![],
                granted: vec![],
                refused: vec![],
                method: ConsentMethod::OnScreen,
            }),
        )
    }

    fn revoke(n: u128, p: &str) -> OutboxEvent {
        let c = CardEvent {
            card_id: "12-1".into(),
            participant: p.into(),
        };
        ev(n, NOV23, EventKind::CardRevoked(c))
    }

    fn stored_card(p: &str) -> (CardId, CardState) {
        let token = hakaru_wire::card::CardToken::from_parts(
            hakaru_wire::card::CardFields {
                program: 1,
                holder: 12,
                serial: 1,
                issued_day: 20_780,
            },
            [9; hakaru_wire::card::TAG_LEN],
        );
        let state = common::card_state(p, &token, None, CardStatus::Active);
        (CardId::of(&state.card), state)
    }

    fn registration(n: u128, p: &str) -> OutboxEvent {
        ev(
            n,
            NOV23,
            EventKind::ParticipantRegistered(ParticipantRegistered {
                participant: p.into(),
                birth_date: "1950-04-01".into(),
                sex: Sex::Male,
                height_tenths_cm: 1650,
                body_type: 0,
                implanted_device: false,
                applied_on: "2026-11-01".into(),
                lives_or_works_locally: true,
                registered_by: "staff-1".into(),
            }),
        )
    }

    fn nothing_loaded() -> Loaded {
        Loaded {
            rules: PointsRules::default_rules(),
            roster: HashMap::new(),
            cards: HashMap::new(),
            consents: HashMap::new(),
            awards: HashMap::new(),
            balances: HashMap::new(),
            registration_rules: RegistrationRules::default(),
            enrolled: 0,
            held_registrations: HashSet::new(),
        }
    }

    fn held(a: &Ack) -> Option<HeldReason> {
        common::held_reason(a)
    }

    #[test]
    fn a_registration_earlier_in_the_batch_serves_the_events_after_it() {
        let events = [
            revoke(1, "N-1"),
            registration(2, "N-1"),
            consent(3, "N-1", ConsentAction::Given, NOV23 - 60_000),
            reading(4, "N-1", NOV23),
            revoke(5, "N-1"),
            revoke(6, "N-1"),
        ];
        let fresh: Vec<&OutboxEvent> = events.iter().collect();
        let mut loaded = nothing_loaded();
        loaded.cards.extend([stored_card("N-1")]);
        let out = apply(
            &fresh,
            loaded,
            &HashMap::new(),
            Timestamp::from_unix_ms(NOV23),
        );
        let reasons: Vec<_> = out.acks.iter().map(held).collect();
        assert_eq!(
            reasons,
            [
                Some(HeldReason::UnknownParticipant),
                None,
                None,
                None,
                None,
                None
            ]
        );
        assert_eq!(out.participants.len(), 1);
        assert_eq!(out.participants[0].status, ParticipantStatus::Active);
        // The card is revoked once (the second revocation finds it revoked already): one
        // revoked row, and changes for the registration and the revocation only.
        assert_eq!(out.revoked_cards.len(), 1);
        assert_eq!(out.changes.len(), 2);
        let p = out.acks[3].points.as_ref().unwrap();
        assert_eq!((p.awarded, p.balance), (60, 60));
        assert_eq!(out.awards.len(), 2);
        assert!(out.awards.iter().all(|a| a.month_key == "2026-11"));
    }

    #[test]
    fn an_erased_participants_events_write_nothing_and_do_not_bring_them_back() {
        let erasures = HashMap::from([("E-1".to_owned(), Timestamp::from_unix_ms(NOV23))]);
        let events = [
            registration(1, "E-1"),
            consent(2, "E-1", ConsentAction::Given, NOV23 - 60_000),
            reading(3, "E-1", NOV23 + 60_000),
            revoke(4, "E-1"),
            registration(5, "N-1"),
        ];
        let fresh: Vec<&OutboxEvent> = events.iter().collect();
        let mut loaded = nothing_loaded();
        loaded.cards.extend([stored_card("E-1")]);
        let out = apply(&fresh, loaded, &erasures, Timestamp::from_unix_ms(NOV23));
        let reasons: Vec<_> = out.acks.iter().map(held).collect();
        let gone = Some(HeldReason::ParticipantErased);
        assert_eq!(reasons, [gone, gone, gone, gone, None]);
        assert_eq!(out.participants.len(), 1, "only N-1 is registered");
        assert_eq!(out.participants[0].participant, "N-1");
        assert!(out.consents.is_empty() && out.measurements.is_empty() && out.awards.is_empty());
        assert!(out.revoked_cards.is_empty());
        assert_eq!(out.changes.len(), 1);
    }

    #[test]
    fn a_batch_consent_beats_a_stored_one_of_the_same_instant_and_later_ones_do_not_count() {
        let mut loaded = nothing_loaded();
        let mut entry = common::roster_entry(&match registration(0, "A-1").kind {
            EventKind::ParticipantRegistered(r) => r,
            _ => unreachable!(),
        });
        entry.status = ParticipantStatus::Active;
        loaded.roster.insert("A-1".into(), entry);
        // Stored: given at NOV23 - 1 min (for the first reading, index 1).
        loaded
            .consents
            .insert(1, (NOV23 - 60_000, ConsentAction::Given));
        loaded
            .consents
            .insert(3, (NOV23 - 60_000, ConsentAction::Given));
        loaded.balances.insert("A-1".into(), 500);
        let events = [
            // Withdrawn at the same instant as the stored consent: arrived later, so it wins.
            consent(1, "A-1", ConsentAction::Withdrawn, NOV23 - 60_000),
            reading(2, "A-1", NOV23),
            // Given again only after the next reading: does not count for it.
            consent(3, "A-1", ConsentAction::Given, NOV23 + 120_000),
            reading(4, "A-1", NOV23 + 60_000),
            reading(5, "A-1", NOV23 + 180_000),
        ];
        let fresh: Vec<&OutboxEvent> = events.iter().collect();
        let out = apply(
            &fresh,
            loaded,
            &HashMap::new(),
            Timestamp::from_unix_ms(NOV23),
        );
        let reasons: Vec<_> = out.acks.iter().map(held).collect();
        assert_eq!(
            reasons,
            [
                None,
                Some(HeldReason::NoConsent),
                None,
                Some(HeldReason::NoConsent),
                None
            ]
        );
        // The stored balance carries into the ack.
        let p = out.acks[4].points.as_ref().unwrap();
        assert_eq!((p.awarded, p.balance), (60, 560));
        assert_eq!(out.acks[4].outcome, AckOutcome::Accepted);
        assert_eq!(out.measurements.len(), 1);
        assert_eq!(out.consents.len(), 2);
    }
}
