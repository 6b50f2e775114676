//! Withdrawal (同意の撤回) and stop of use (利用停止) at the station, against a real store and
//! the real driver: once the roster sync marks a participant withdrawn or stopped, their card
//! ends the session with an explanation — no consent screen, no preset, nothing stored or
//! queued — and the station drops what the server already has of them, keeping what is unsent.

#![allow(clippy::unwrap_used)]

use hakaru_station::domain::{Date, ParticipantNumber};
use hakaru_station::session::{words, EndReason, Event, SessionConfig, Stage};
use hakaru_station::store::testing::{self, participant, seeded, T0};
use hakaru_station::store::{new_id, Measured, NewMeasurement, Standing, Store, StoreConfig};
use hakaru_station::Station;
use hakaru_wire::api::{
    CardStatus as WireCard, Change, ChangeKind, ChangesPage, ParticipantStatus, PointsAward,
    RosterEntry,
};
use hakaru_wire::card::CardToken;
use hakaru_wire::{Sex, Timestamp};
use std::time::Instant;

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 23,
};

fn at(min: i64) -> Timestamp {
    Timestamp::from_unix_ms(T0.as_unix_ms() + min * 60_000)
}

fn count(store: &Store, sql: &str) -> i64 {
    testing::count(store, sql).unwrap()
}

/// The roster change the server sends for a withdrawal or stop of use.
fn marked(who: &ParticipantNumber, status: ParticipantStatus, store: &Store) -> ChangesPage {
    let seq = store.sync_cursor().unwrap() + 1;
    ChangesPage {
        card_program: testing::CARD_PROGRAM,
        changes: vec![Change {
            seq,
            change: ChangeKind::Participant(RosterEntry {
                participant: who.as_str().into(),
                birth_date: "1958-06-15".into(),
                sex: Sex::Male,
                height_tenths_cm: 1755,
                body_type: 0,
                implanted_device: false,
                status,
            }),
        }],
        next_cursor: seq,
        more: false,
    }
}

fn measure(store: &mut Store, who: &ParticipantNumber, min: i64) {
    let r = testing::reading(testing::F2);
    store
        .record_measurement(
            &NewMeasurement {
                id: new_id(at(min)),
                participant: who,
                reading: Measured::Composition(&r),
                weight_only: false,
            },
            at(min),
        )
        .unwrap();
}

/// Every outbox event sent and acknowledged, as after a successful upload.
fn acknowledge_all(store: &mut Store, min: i64) {
    let ids: Vec<_> = store
        .next_batch(1000)
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    store.acknowledge(&ids, at(min)).unwrap();
}

/// A station whose participant 0 holds `card` (holder 5, replaced once: the old serial is
/// revoked), with one acknowledged measurement, then marked `status` by the roster sync.
fn station_with(status: ParticipantStatus) -> (tempfile::TempDir, Station, CardToken, CardToken) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = seeded(&StoreConfig::in_dir(dir.path()), 2).unwrap();
    let who = participant(0);
    let (old, old_state) = testing::card(&who, 5, 1, WireCard::Revoked);
    let (current, state) = testing::card(&who, 5, 2, WireCard::Active);
    testing::sync_cards(&mut store, &[old_state, state], at(1)).unwrap();
    measure(&mut store, &who, 2);
    acknowledge_all(&mut store, 3);
    let page = marked(&who, status, &store);
    store.apply_changes(&page, at(4)).unwrap();
    // Not a test of the calibration gate: the analyzer passed its check today.
    let mut store = store;
    hakaru_station::calibration::testing::calibrated(&mut store, "00000001", TODAY).unwrap();
    let station = Station::new(store, SessionConfig::default()).unwrap();
    (dir, station, current, old)
}

/// Scans `card` and returns every event up to the session's end, and the driver's requests of
/// the scale.
fn scan(station: &mut Station, card: &CardToken) -> (Vec<Event>, usize) {
    #[allow(clippy::disallowed_methods)] // the test drives the session's deadlines from here
    let now = Instant::now();
    let accepted = station
        .card_read(&card.encode(), TODAY, now, at(10))
        .unwrap();
    assert_eq!(
        accepted.as_ref().map(|p| p.as_str().to_owned()),
        Ok(participant(0).as_str().to_owned()),
        "the card is recognised, not refused as revoked or unknown"
    );
    let events: Vec<Event> = std::iter::from_fn(|| station.poll_event()).collect();
    let scale = std::iter::from_fn(|| station.poll_scale_request()).count();
    (events, scale)
}

fn assert_told(status: ParticipantStatus, reason: EndReason, said: words::Words) {
    let (_dir, mut station, current, replaced) = station_with(status);
    let before = (
        station.store().pending_events().unwrap(),
        count(station.store(), "SELECT count(*) FROM consents"),
        count(station.store(), "SELECT count(*) FROM measurements"),
        count(station.store(), "SELECT count(*) FROM audit_log"),
    );
    // The current card and the replaced (revoked) one both get the explanation.
    for card in [&current, &replaced] {
        let (events, scale_requests) = scan(&mut station, card);
        let ended: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Ended {
                    reason, message, ..
                } => Some((*reason, *message)),
                _ => None,
            })
            .collect();
        assert_eq!(ended, vec![(reason, said)], "{events:?}");
        assert!(
            !events.iter().any(|e| matches!(
                e,
                Event::ConsentRequired { .. } | Event::SafetyQuestion { .. }
            )),
            "no consent screen and no question: {events:?}"
        );
        assert_eq!(scale_requests, 0, "the analyzer is not preset");
        assert!(
            matches!(station.stage(), Stage::Closing | Stage::Idle),
            "{:?}",
            station.stage()
        );
        assert!(!station.has_personal_data());
    }
    let after = (
        station.store().pending_events().unwrap(),
        count(station.store(), "SELECT count(*) FROM consents"),
        count(station.store(), "SELECT count(*) FROM measurements"),
        count(station.store(), "SELECT count(*) FROM audit_log"),
    );
    assert_eq!(
        after, before,
        "nothing stored, nothing queued, nothing audited"
    );
    // The words are plain and in both languages, Japanese first.
    assert!(said.ja.contains("窓口") && said.ja.contains("記録されません"));
    assert!(said.en.is_ascii() && said.en.contains("staff"));
    // Another participant's card still goes on to their session (not ended as withdrawn).
    let (other, state) = testing::card(&participant(1), 6, 1, WireCard::Active);
    let mut store = station.into_store();
    testing::sync_cards(&mut store, &[state], at(11)).unwrap();
    let mut store = store;
    hakaru_station::calibration::testing::calibrated(&mut store, "00000001", TODAY).unwrap();
    let mut station = Station::new(store, SessionConfig::default()).unwrap();
    #[allow(clippy::disallowed_methods)] // the test drives the session's deadlines from here
    let now = Instant::now();
    station
        .card_read(&other.encode(), TODAY, now, at(12))
        .unwrap()
        .unwrap();
    let events: Vec<Event> = std::iter::from_fn(|| station.poll_event()).collect();
    assert!(
        !events.iter().any(|e| matches!(
            e,
            Event::Ended {
                reason: EndReason::ConsentWithdrawn | EndReason::UseStopped,
                ..
            }
        )),
        "{events:?}"
    );
}

#[test]
fn a_withdrawn_participant_cannot_measure_and_is_told_why() {
    assert_told(
        ParticipantStatus::Withdrawn,
        EndReason::ConsentWithdrawn,
        words::CONSENT_WITHDRAWN,
    );
}

#[test]
fn a_stopped_participant_cannot_measure_and_is_told_why() {
    assert_told(
        ParticipantStatus::Stopped,
        EndReason::UseStopped,
        words::USE_STOPPED,
    );
}

#[test]
fn a_withdrawal_from_the_roster_drops_what_the_station_holds_but_keeps_unsent_readings() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = seeded(&StoreConfig::in_dir(dir.path()), 2).unwrap();
    let gone = participant(0);
    let kept = participant(1);
    let (_, card) = testing::card(&gone, 5, 1, WireCard::Active);
    testing::sync_cards(&mut s, &[card], at(1)).unwrap();
    // Both measured once and the server acknowledged it (with points) …
    measure(&mut s, &gone, 2);
    measure(&mut s, &kept, 3);
    let acked: Vec<_> = s.next_batch(1000).unwrap();
    acknowledge_all(&mut s, 4);
    let award = PointsAward {
        awarded: 10,
        balance: 10,
        rules: vec!["visit".into()],
        capped: false,
    };
    for e in &acked {
        if let hakaru_wire::event::EventKind::MeasurementRecorded(m) = &e.kind {
            s.record_points_ack(m.measurement_id, &award, at(4))
                .unwrap();
        }
    }
    // … then the withdrawing participant measured again, not yet sent.
    measure(&mut s, &gone, 5);
    let unsent = s.next_batch(1000).unwrap();
    assert_eq!(unsent.len(), 1);
    assert_eq!(s.history(&gone, 10).unwrap().len(), 2);

    let page = marked(&gone, ParticipantStatus::Withdrawn, &s);
    let applied = s.apply_changes(&page, at(6)).unwrap();
    assert_eq!(applied.participants, 1);

    // What the server already has is gone: the acknowledged reading, its points, the consent.
    let history = s.history(&gone, 10).unwrap();
    assert_eq!(history.len(), 1, "only the unsent reading is left");
    assert_eq!(history[0].taken_at, at(5));
    assert_eq!(
        count(
            &s,
            &format!(
                "SELECT count(*) FROM points_acks WHERE measurement_id IN
                   (SELECT id FROM measurements WHERE participant = '{}')",
                gone.as_str()
            )
        ),
        0
    );
    assert!(s.latest_consent(&gone).unwrap().is_none());
    assert_eq!(
        count(
            &s,
            &format!(
                "SELECT count(*) FROM outbox WHERE participant = '{}' AND acked_at IS NOT NULL",
                gone.as_str()
            )
        ),
        0
    );
    // Nothing is lost: the unsent reading still goes to the server, payload and all.
    let still = s.next_batch(1000).unwrap();
    assert_eq!(
        still.iter().map(|e| e.id).collect::<Vec<_>>(),
        unsent.iter().map(|e| e.id).collect::<Vec<_>>()
    );
    // The roster entry stays with its status (so the kiosk can explain), and the card stays
    // recognisable.
    assert_eq!(
        s.participant_standing(&gone).unwrap(),
        Some(Standing::Withdrawn)
    );
    assert!(s.participant(&gone).unwrap().is_none());
    assert_eq!(s.cards_of_holder(5).unwrap().len(), 1);
    // The other participant keeps everything.
    assert_eq!(s.history(&kept, 10).unwrap().len(), 1);
    assert!(s.latest_consent(&kept).unwrap().is_some());
    assert!(s
        .points_for(s.history(&kept, 1).unwrap()[0].id)
        .unwrap()
        .is_some());
    // One audit row of counts, no participant number, and the chain is intact.
    let rows = s.recent_audit(3).unwrap();
    let row = rows
        .iter()
        .find(|r| r.action == "inactive_participants_dropped")
        .expect("an audit row for the drop");
    let detail: serde_json::Value = serde_json::from_str(&row.detail).unwrap();
    assert_eq!(detail["participants"], 1);
    assert_eq!(detail["measurements"], 1);
    assert_eq!(detail["points"], 1);
    assert_eq!(detail["consents"], 1);
    assert_eq!(
        detail["outbox_events"], 2,
        "the measurement's and the consent's"
    );
    assert_eq!(detail["kept_unsent_events"], 1);
    assert_eq!(detail["status"], serde_json::json!(["withdrawn"]));
    assert!(!row.detail.contains(gone.as_str()), "{}", row.detail);
    s.verify_audit().unwrap();

    // Once the server acknowledges the last reading, it leaves the station in the same
    // transaction (one more audit row of counts); the entry stays.
    acknowledge_all(&mut s, 7);
    assert!(s.history(&gone, 10).unwrap().is_empty());
    assert_eq!(
        s.history(&kept, 10).unwrap().len(),
        1,
        "the other keeps theirs"
    );
    let rows = s.recent_audit(2).unwrap();
    let row = rows
        .iter()
        .find(|r| r.action == "inactive_participants_dropped")
        .expect("an audit row for the drop at acknowledgement");
    let detail: serde_json::Value = serde_json::from_str(&row.detail).unwrap();
    assert_eq!(detail["when"], "acknowledged");
    assert_eq!(detail["measurements"], 1);
    assert_eq!(detail["kept_unsent_events"], 0);
    assert!(!row.detail.contains(gone.as_str()), "{}", row.detail);
    // The same change again finds nothing more to drop.
    let again = marked(&gone, ParticipantStatus::Withdrawn, &s);
    s.apply_changes(&again, at(8)).unwrap();
    assert!(s.history(&gone, 10).unwrap().is_empty());
    assert_eq!(s.pending_events().unwrap(), 0);
    assert_eq!(
        s.participant_standing(&gone).unwrap(),
        Some(Standing::Withdrawn)
    );
    s.verify_audit().unwrap();
}
