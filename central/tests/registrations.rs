//! Registrations at explanation sessions, judged by the server on BOTH backends: the program's
//! eligibility rules (age on the application date, living or working in the area), one
//! registration per person (a second one — from another station, with the same or other details
//! — is a conflict, never merged, and that station's later consents and readings for the number
//! wait as `registration_unresolved`), the enrolment cap (first come, first served), and the
//! first card in an accepted registration's acknowledgement (the program's key, on the change
//! feed, the same card on a re-upload). Also: the rules in the change feed and the audit log,
//! staff accounts with the role `admin`, and the calibration records the office reads.
//!
//! Deliberately not here: the station's side (it settles its registrations row from the ack:
//! `station/tests/staff_*.rs`) and the admin commands' printing (`admin_enrolment.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod backends;
#[allow(unused_macros, unused_imports)]
mod contract;

use backends::{fresh_postgres, fresh_sqlite};
use contract::*;
use hakaru_central::storage::{CardId, Storage, StorageError};
use hakaru_wire::api::{
    AckOutcome, CardStatus, ChangeKind, HeldReason, RegistrationRules, StaffAccount, StaffRole,
};
use hakaru_wire::card::CardToken;
use hakaru_wire::{ConsentAction, EventKind, OutboxEvent};
use std::sync::Arc;

/// A registration of `participant` from `who` with these eligibility answers.
fn applying(
    who: &hakaru_central::storage::StationContext,
    n: u128,
    participant: &str,
    birth_date: &str,
    local: bool,
) -> OutboxEvent {
    let mut e = registration(who, n, &roster(participant));
    if let EventKind::ParticipantRegistered(r) = &mut e.kind {
        r.birth_date = birth_date.into();
        r.lives_or_works_locally = local;
    }
    e
}

async fn on_roster(w: &World, participant: &str) -> bool {
    w.s.balance(&w.pa, participant, now())
        .await
        .unwrap()
        .is_some()
}

pub async fn ineligible_registrations_are_held_by_age_and_by_area(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    // Applied on 2026-11-01: born 2006-11-02 is 19 that day, born 2006-11-01 is 20.
    let r = w
        .upload(
            &w.a1,
            vec![
                applying(&w.a1, 1, "Y-1", "2006-11-02", true),
                applying(&w.a1, 2, "Y-2", "2006-11-01", true),
                applying(&w.a1, 3, "F-1", "1970-05-05", false),
            ],
            now(),
        )
        .await;
    let reasons: Vec<_> = r.acks.iter().map(held_reason).collect();
    assert_eq!(
        reasons,
        [
            Some(HeldReason::Ineligible),
            None,
            Some(HeldReason::Ineligible)
        ]
    );
    assert!(r.acks[0].card.is_none() && r.acks[2].card.is_none());
    assert!(r.acks[1].card.is_some());
    assert!(!on_roster(&w, "Y-1").await && !on_roster(&w, "F-1").await);
    assert!(on_roster(&w, "Y-2").await);

    // A program that does not ask for the area takes the out-of-area applicant.
    let open = RegistrationRules {
        residency_required: false,
        ..RegistrationRules::default()
    };
    w.s.set_registration_rules(&w.pa, &open, now())
        .await
        .unwrap();
    let r = w
        .upload(
            &w.a2,
            vec![applying(&w.a2, 4, "F-2", "1970-05-05", false)],
            now(),
        )
        .await;
    assert_eq!(r.acks[0].outcome, AckOutcome::Accepted);

    // The office sees both held ones, with the station and the reason.
    let held = w.s.held_registrations(Some(&w.pa)).await.unwrap();
    let seen: Vec<_> = held
        .iter()
        .map(|h| (h.station.as_str(), h.participant.as_str(), h.reason))
        .collect();
    assert_eq!(
        seen,
        [
            ("kita-01", "Y-1", HeldReason::Ineligible),
            ("kita-01", "F-1", HeldReason::Ineligible)
        ]
    );
    assert_eq!(held[0].event_id, eid(1));
    assert!(w
        .s
        .held_registrations(Some(&w.pb))
        .await
        .unwrap()
        .is_empty());

    // The ineligible person's consent from that station waits with the registration.
    let r = w
        .upload(
            &w.a1,
            vec![consent(&w.a1, 5, "Y-1", ConsentAction::Given, t(0, -1))],
            now(),
        )
        .await;
    assert_eq!(
        held_reason(&r.acks[0]),
        Some(HeldReason::RegistrationUnresolved)
    );
}

pub async fn a_second_registration_is_a_conflict_and_that_stations_data_is_never_merged(
    s: Arc<dyn Storage>,
) {
    let w = seed(s).await;
    let entry = roster("A-7");
    let r = w
        .upload(
            &w.a1,
            vec![
                registration(&w.a1, 1, &entry),
                consent(&w.a1, 2, "A-7", ConsentAction::Given, t(0, -1)),
                measurement(&w.a1, 3, "A-7", t(0, 0)),
            ],
            now(),
        )
        .await;
    assert!(r.acks.iter().all(|a| a.outcome == AckOutcome::Accepted));
    let balance = w.balance("A-7").await;
    assert_eq!(balance, 60);

    // The same number from the other station — same details, then other details: conflicts.
    let mut other = entry.clone();
    other.birth_date = "1961-02-03".into();
    let r = w
        .upload(
            &w.a2,
            vec![
                registration(&w.a2, 10, &entry),
                registration(&w.a2, 11, &other),
                // That station's later consent and reading for the number wait, in the same
                // batch and in a later one.
                consent(&w.a2, 12, "A-7", ConsentAction::Given, t(1, -1)),
            ],
            now(),
        )
        .await;
    let reasons: Vec<_> = r.acks.iter().map(held_reason).collect();
    assert_eq!(
        reasons,
        [
            Some(HeldReason::ParticipantExists),
            Some(HeldReason::ParticipantExists),
            Some(HeldReason::RegistrationUnresolved)
        ]
    );
    assert!(r.acks.iter().all(|a| a.card.is_none()));
    let r = w
        .upload(&w.a2, vec![measurement(&w.a2, 13, "A-7", t(1, 0))], now())
        .await;
    assert_eq!(
        held_reason(&r.acks[0]),
        Some(HeldReason::RegistrationUnresolved)
    );
    assert_eq!(r.acks[0].points, None);

    // The first station's participant is untouched: one reading, the same points, the same
    // roster entry, one card; the first station goes on measuring them.
    let history = w.s.history(&w.a1, "A-7", 10, now()).await.unwrap().unwrap();
    assert_eq!(history.measurements.len(), 1);
    assert_eq!(history.measurements[0].station, "kita-01");
    assert_eq!(w.balance("A-7").await, balance);
    assert_eq!(w.s.cards(&w.pa, None).await.unwrap().len(), 1);
    let page = w.s.changes_since(&w.a1, 0, 100, now()).await.unwrap();
    let roster_changes: Vec<_> = page
        .changes
        .iter()
        .filter_map(|c| match &c.change {
            ChangeKind::Participant(e) => Some(e.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(roster_changes, [entry]);
    let r = w
        .upload(&w.a1, vec![measurement(&w.a1, 20, "A-7", t(2, 0))], now())
        .await;
    assert_eq!(r.acks[0].outcome, AckOutcome::Accepted);

    // The office sees the conflict: the second station, the number, the reason.
    let held = w.s.held_registrations(None).await.unwrap();
    assert_eq!(held.len(), 2);
    assert!(held.iter().all(|h| h.station.as_str() == "minami-02"
        && h.participant == "A-7"
        && h.reason == HeldReason::ParticipantExists));
}

pub async fn the_cap_holds_registrations_after_it_first_come_first_served(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.enrol("OLD-1", 100).await;
    let capped = RegistrationRules {
        enrolment_cap: Some(3),
        ..RegistrationRules::default()
    };
    w.s.set_registration_rules(&w.pa, &capped, now())
        .await
        .unwrap();
    let r = w
        .upload(
            &w.a1,
            vec![
                registration(&w.a1, 1, &roster("C-1")),
                registration(&w.a1, 2, &roster("C-2")),
                registration(&w.a1, 3, &roster("C-3")),
            ],
            now(),
        )
        .await;
    let reasons: Vec<_> = r.acks.iter().map(held_reason).collect();
    assert_eq!(reasons, [None, None, Some(HeldReason::EnrolmentFull)]);
    let r = w
        .upload(&w.a2, vec![registration(&w.a2, 4, &roster("C-4"))], now())
        .await;
    assert_eq!(held_reason(&r.acks[0]), Some(HeldReason::EnrolmentFull));
    assert!(!on_roster(&w, "C-3").await && !on_roster(&w, "C-4").await);
    // Raising the cap lets the next one in.
    w.s.set_registration_rules(&w.pa, &RegistrationRules::default(), now())
        .await
        .unwrap();
    let r = w
        .upload(&w.a2, vec![registration(&w.a2, 5, &roster("C-5"))], now())
        .await;
    assert_eq!(r.acks[0].outcome, AckOutcome::Accepted);
}

pub async fn an_accepted_registration_carries_its_first_card_once(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let event = registration(&w.a1, 1, &roster("K-1"));
    let first = w.upload(&w.a1, vec![event.clone()], now()).await;
    let card = first.acks[0].card.clone().expect("a card in the ack");
    assert_eq!(card.expires_on, None);
    let token = CardToken::parse(&card.token).unwrap();
    assert_eq!(card.card_id, CardId::of(&token.fields()).to_string());

    // The program's key made it: the office's card list makes the same token again from the
    // stored key, and the feed carries the card with its tag hash.
    let cards = w.s.cards(&w.pa, Some(vec!["K-1".into()])).await.unwrap();
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].token, token);
    assert_eq!(cards[0].status, CardStatus::Active);
    let page = w.s.changes_since(&w.a1, 0, 100, now()).await.unwrap();
    assert_eq!(page.card_program, token.fields().program);
    let fed: Vec<_> = page
        .changes
        .iter()
        .filter_map(|c| match &c.change {
            ChangeKind::Card(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(fed.len(), 1);
    assert_eq!(fed[0].participant, "K-1");
    assert_eq!(fed[0].card, token.fields());
    assert_eq!(fed[0].tag_sha256, token.tag_hash());

    // Re-uploading the event returns the stored ack: the same card, never a second one.
    let again = w.upload(&w.a1, vec![event], t(0, 2)).await;
    assert_eq!(again, first);
    assert_eq!(w.s.cards(&w.pa, None).await.unwrap().len(), 1);
    let page = w.s.changes_since(&w.a1, 0, 100, now()).await.unwrap();
    assert_eq!(page.changes.len(), 2, "the roster entry and one card");

    // The issuance is in the audit log under the station, with the card id, never the token.
    let rows = w.s.audit_rows(0, 1000).await.unwrap();
    let issued: Vec<_> = rows.iter().filter(|r| r.action == "card_issued").collect();
    assert_eq!(issued.len(), 1);
    assert!(issued[0].actor.contains("kita-01"), "{}", issued[0].actor);
    assert!(issued[0].detail.contains(&card.card_id));
    assert!(rows.iter().all(|r| !r.detail.contains(&card.token)));
}

pub async fn registration_rules_reach_the_change_feed_and_the_audit_log(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    assert_eq!(
        w.s.registration_rules(&w.pa).await.unwrap(),
        RegistrationRules::default()
    );
    let rules = RegistrationRules {
        min_age_years: 40,
        residency_required: false,
        enrolment_cap: Some(500),
    };
    w.s.set_registration_rules(&w.pa, &rules, now())
        .await
        .unwrap();
    assert_eq!(w.s.registration_rules(&w.pa).await.unwrap(), rules);
    assert_eq!(
        w.s.registration_rules(&w.pb).await.unwrap(),
        RegistrationRules::default(),
        "per program"
    );
    let page = w.s.changes_since(&w.a2, 0, 100, now()).await.unwrap();
    assert_eq!(
        page.changes.last().map(|c| c.change.clone()),
        Some(ChangeKind::RegistrationRules(rules.clone()))
    );
    assert!(w
        .s
        .changes_since(&w.b1, 0, 100, now())
        .await
        .unwrap()
        .changes
        .is_empty());
    let rows = w.s.audit_rows(0, 1000).await.unwrap();
    let set: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "registration_rules_set")
        .collect();
    assert_eq!(set.len(), 1);
    assert!(set[0].detail.contains("500"), "{}", set[0].detail);

    // The new minimum age applies to the next registration (born 1990: 36).
    let r = w
        .upload(
            &w.a1,
            vec![applying(&w.a1, 1, "M-1", "1990-01-01", false)],
            now(),
        )
        .await;
    assert_eq!(held_reason(&r.acks[0]), Some(HeldReason::Ineligible));

    // Impossible rules and unknown programs are refused.
    let none = RegistrationRules {
        enrolment_cap: Some(0),
        ..RegistrationRules::default()
    };
    let e =
        w.s.set_registration_rules(&w.pa, &none, now())
            .await
            .unwrap_err();
    assert!(matches!(e, StorageError::Invalid(_)), "{e}");
    let nowhere = program_id("nowhere");
    let e = w.s.registration_rules(&nowhere).await.unwrap_err();
    assert!(matches!(e, StorageError::NotFound { .. }), "{e}");
    let e =
        w.s.set_registration_rules(&nowhere, &rules, now())
            .await
            .unwrap_err();
    assert!(matches!(e, StorageError::NotFound { .. }), "{e}");
}

pub async fn staff_accounts_may_be_administrators(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    for (login, role) in [("st-1", StaffRole::Staff), ("ad-1", StaffRole::Admin)] {
        let account = StaffAccount {
            login: login.into(),
            display_name: "担当".into(),
            role,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into(),
            active: true,
        };
        w.s.put_staff(&w.pa, &account, now()).await.unwrap();
    }
    let page = w.s.changes_since(&w.a1, 0, 100, now()).await.unwrap();
    let roles: Vec<_> = page
        .changes
        .iter()
        .filter_map(|c| match &c.change {
            ChangeKind::Staff(a) => Some((a.login.clone(), a.role)),
            _ => None,
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("st-1".to_owned(), StaffRole::Staff),
            ("ad-1".to_owned(), StaffRole::Admin)
        ]
    );
}

pub async fn calibration_records_are_listed_per_program_and_station(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let mut failed = calibration(&w.a2, 2);
    if let EventKind::CalibrationRecorded(c) = &mut failed.kind {
        c.analyzer_serial = "SN-2".into();
        c.passed = false;
        c.next_check_due = String::new();
        c.verified_on = Some("2025-04-01".into());
        c.reference_checks = vec![hakaru_wire::ReferenceWeightCheck {
            nominal_kg: 50.0,
            measured_kg: 50.5,
            deviation_kg: 0.5,
            within_tolerance: false,
        }];
    }
    failed.occurred_at = t(0, 3);
    w.upload(&w.a1, vec![calibration(&w.a1, 1)], now()).await;
    w.upload(&w.a2, vec![failed.clone()], now()).await;
    w.upload(&w.b1, vec![calibration(&w.b1, 3)], now()).await;

    let all = w.s.calibrations(Some(&w.pa), None).await.unwrap();
    let seen: Vec<_> = all
        .iter()
        .map(|c| {
            (
                c.station.as_str(),
                c.record.analyzer_serial.as_str(),
                c.record.passed,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [("minami-02", "SN-2", false), ("kita-01", "SN-1", true)],
        "newest first"
    );
    assert_eq!(all[0].checked_at, t(0, 3));
    let EventKind::CalibrationRecorded(sent) = &failed.kind else {
        unreachable!()
    };
    assert_eq!(&all[0].record, sent);
    let one =
        w.s.calibrations(Some(&w.pa), Some(&w.a1.station))
            .await
            .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].record.technician, "tech-1");
    assert_eq!(one[0].record.next_check_due, "2027-05-01");
    assert_eq!(w.s.calibrations(None, None).await.unwrap().len(), 3);
}

on_both_backends!(
    ineligible_registrations_are_held_by_age_and_by_area,
    a_second_registration_is_a_conflict_and_that_stations_data_is_never_merged,
    the_cap_holds_registrations_after_it_first_come_first_served,
    an_accepted_registration_carries_its_first_card_once,
    registration_rules_reach_the_change_feed_and_the_audit_log,
    staff_accounts_may_be_administrators,
    calibration_records_are_listed_per_program_and_station,
);
