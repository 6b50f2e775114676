//! A measurement end to end across crates: card scan → consent → safety question → preset over
//! the simulator's pty (answered in its dialect) → measurement → durable record with its outbox
//! and audit rows → results → outbox drained → audit chain intact. And the faults that must
//! never put a wrong or half reading in the store: an implanted device, a contradicting
//! profile, a bad checksum, an unplugged cable.
//!
//! Every wait is for an event; each is bounded by `hakaru_e2e::WAIT`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use hakaru_devices::scale::tanita::{Sex, TanitaFrame};
use hakaru_devices::sim::{Fault, Person};
use hakaru_e2e::{
    impedance_free, implanted, raw_impedance_free, resident, resident_on_the_scale, Kiosk,
};
use hakaru_station::domain::MeasurementId;
use hakaru_station::session::{
    EchoField, EndReason, Event, Input, MeasurementMode, Points, RefusalReason, Stage,
};
use hakaru_station::store::{MeasurementTrail, Store};
use hakaru_station::LinkNote;
use hakaru_wire::{EventKind, Timestamp};
use std::time::Duration;

fn results_id(event: &Event) -> MeasurementId {
    match event {
        Event::Results { measurement_id, .. } => *measurement_id,
        other => panic!("not results: {other:?}"),
    }
}

fn trail(store: &Store, id: MeasurementId) -> MeasurementTrail {
    store
        .measurement_trails()
        .unwrap()
        .get(&id.as_uuid())
        .copied()
        .unwrap_or_default()
}

fn measurements(store: &Store) -> usize {
    store.measurement_trails().unwrap().len()
}

fn one_each() -> MeasurementTrail {
    MeasurementTrail {
        measurements: 1,
        outbox_events: 1,
        audit_rows: 1,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_scan_becomes_one_durable_reading_that_the_outbox_delivers() {
    let mut k = Kiosk::start("MC-780", Person::default()).await;
    let (who, _) = resident();
    let session = k.to_weighing(&who, false).await;
    assert_eq!(k.station.stage(), Stage::Weighing);
    assert_eq!(measurements(k.station.store()), 0);

    k.sim.measure().unwrap();
    let results = k
        .until("results", |e| matches!(e, Event::Results { .. }))
        .await;
    let Event::Results {
        session: shown_for,
        measurement,
        points,
        ..
    } = &results
    else {
        unreachable!()
    };
    assert_eq!(*shown_for, session);
    assert_eq!(*points, Points::Pending, "offline: points come later");
    assert_eq!(measurement.mode, MeasurementMode::Composition);
    let id = results_id(&results);
    // Committed before shown: the reading, its outbox event and its audit row, once each.
    assert_eq!(trail(k.station.store(), id), one_each());
    assert_eq!(k.station.stats().recorded, 1);

    // The preset went over the pty: the analyzer echoed her profile, not its own person's.
    let history = k.station.store().history(&who, 5).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].id, id.as_uuid());
    let values = history[0].values.expose();
    assert_eq!(values["sex"], serde_json::json!("female"));
    assert_eq!(values["age"], serde_json::json!(72));
    assert!(
        !impedance_free(values),
        "a composition reading keeps its impedances (the oracle sees them)"
    );

    // Finishing ends the session; the idle time after it checkpoints the WAL.
    k.input(Input::Finish { session });
    let ended = k.until("ended", |e| matches!(e, Event::Ended { .. })).await;
    assert!(matches!(
        ended,
        Event::Ended {
            reason: EndReason::Finished,
            ..
        }
    ));
    assert!(!k.station.has_personal_data());
    let wal = k.store_config.db_path.with_extension("db-wal");
    let wal_len = || std::fs::metadata(&wal).unwrap().len();
    assert!(wal_len() > 0, "the commits are in the WAL");
    k.settle_idle_work().await;
    assert_eq!(k.station.stats().checkpoints, 1);
    assert_eq!(wal_len(), 0, "checkpointed and truncated after the session");

    // The sync worker's view: the analyzer's calibration check (the fixture's), the consent,
    // then the measurement; acknowledged, gone.
    let store = k.station.store_mut();
    let batch = store.next_batch(50).unwrap();
    let kinds: Vec<&str> = batch.iter().map(|e| e.kind.name()).collect();
    assert_eq!(
        kinds,
        [
            "calibration_recorded",
            "consent_recorded",
            "measurement_recorded"
        ]
    );
    let EventKind::MeasurementRecorded(m) = &batch[2].kind else {
        unreachable!()
    };
    assert_eq!(m.measurement_id, id.as_uuid());
    assert_eq!(m.participant, who.as_str());
    assert!(!m.weight_only);
    let ids: Vec<_> = batch.iter().map(|e| e.id).collect();
    assert_eq!(
        store
            .acknowledge(&ids, Timestamp::from_unix_ms(m.taken_at.as_unix_ms() + 1))
            .unwrap(),
        3
    );
    assert!(store.next_batch(50).unwrap().is_empty());
    store.verify_audit().unwrap();
    k.sim.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_implanted_device_participant_is_weighed_without_current_and_keeps_no_impedance() {
    let mut k = Kiosk::start("DC-320", Person::default()).await;
    let (who, _) = implanted();
    // The roster says implanted: the safety question is skipped, weight only is announced.
    k.to_weighing(&who, false).await;
    assert!(k
        .events
        .iter()
        .any(|e| matches!(e, Event::WeightOnly { .. })));
    assert!(!k
        .events
        .iter()
        .any(|e| matches!(e, Event::SafetyQuestion { .. })));
    let step_on = k.events.iter().rev().find_map(|e| match e {
        Event::StepOn { mode, .. } => Some(*mode),
        _ => None,
    });
    assert_eq!(step_on, Some(MeasurementMode::WeightOnly));

    k.sim.measure().unwrap();
    let results = k
        .until("results", |e| matches!(e, Event::Results { .. }))
        .await;
    let id = results_id(&results);
    let Event::Results { measurement, .. } = &results else {
        unreachable!()
    };
    assert!(!measurement.carries_impedance());
    assert_eq!(trail(k.station.store(), id), one_each());

    let store = k.station.store();
    let history = store.history(&who, 5).unwrap();
    assert!(history[0].weight_only);
    // The analyzer was started with `F0` (weigh only): it answered with a weight line, not a
    // composition frame.
    assert_eq!(
        history[0].values.expose()["format"],
        serde_json::json!("tanita_weight_only"),
        "{}",
        history[0].values.expose()
    );
    assert!(impedance_free(history[0].values.expose()));
    let raw = store.raw_frame(id.as_uuid()).unwrap().unwrap();
    assert!(raw.raw.as_deref().is_none_or(raw_impedance_free));
    let batch = store.next_batch(50).unwrap();
    let sent = batch
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::MeasurementRecorded(m) => Some(m),
            _ => None,
        })
        .unwrap();
    assert!(sent.weight_only);
    assert!(impedance_free(&sent.values));
    assert!(sent
        .raw_frame
        .as_deref()
        .is_none_or(|r| raw_impedance_free(r.as_bytes())));
    k.sim.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reading_whose_echoed_profile_contradicts_the_participant_is_refused_and_not_stored() {
    // SC-240 cannot be preset from the host: its panel is set by hand, so the echo check is
    // the only guard. Someone else's profile is on it.
    let mut k = Kiosk::start("SC-240", resident_on_the_scale()).await;
    let (who, _) = resident();
    k.sim
        .set_person(Person {
            sex: Sex::Male,
            age: 47,
            ..resident_on_the_scale()
        })
        .unwrap();
    let session = k.to_weighing(&who, false).await;
    k.sim.measure().unwrap();
    let refused = k
        .until("the refusal", |e| matches!(e, Event::ReadingRefused { .. }))
        .await;
    assert_eq!(
        refused,
        Event::ReadingRefused {
            session: Some(session),
            reason: RefusalReason::ProfileMismatch(EchoField::Sex),
            message: RefusalReason::ProfileMismatch(EchoField::Sex).words(),
        }
    );
    assert_eq!(k.station.stage(), Stage::Weighing);
    assert_eq!(measurements(k.station.store()), 0);
    let queued = k.station.store().next_batch(50).unwrap();
    assert!(queued
        .iter()
        .all(|e| !matches!(e.kind, EventKind::MeasurementRecorded(_))));

    // Her own profile on the panel: the same session records it.
    k.sim.set_person(resident_on_the_scale()).unwrap();
    k.sim.measure().unwrap();
    let results = k
        .until("results", |e| matches!(e, Event::Results { .. }))
        .await;
    assert_eq!(trail(k.station.store(), results_id(&results)), one_each());
    assert_eq!(measurements(k.station.store()), 1);
    k.sim.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_checksum_frame_never_becomes_a_stored_reading() {
    let mut k = Kiosk::start("MC-780", Person::default()).await;
    let (who, _) = resident();
    k.to_weighing(&who, false).await;

    k.sim.inject(Fault::BadChecksum).unwrap();
    k.sim.measure().unwrap();
    k.until_link(LinkNote::DecodeError).await;
    assert_eq!(
        k.station.stage(),
        Stage::Weighing,
        "still waiting for a good one"
    );
    assert_eq!(measurements(k.station.store()), 0);
    assert!(!k.events.iter().any(|e| matches!(e, Event::Saving { .. })));

    // Stepping on again gives a good frame, which is the one recorded.
    k.sim.measure().unwrap();
    let results = k
        .until("results", |e| matches!(e, Event::Results { .. }))
        .await;
    let id = results_id(&results);
    assert_eq!(measurements(k.station.store()), 1);
    let raw = k
        .station
        .store()
        .raw_frame(id.as_uuid())
        .unwrap()
        .unwrap()
        .raw
        .unwrap();
    assert!(
        TanitaFrame::parse(&raw).is_ok(),
        "the stored frame verifies"
    );
    k.sim.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unplug_and_replug_during_weighing_neither_lose_nor_duplicate_the_reading() {
    let mut k = Kiosk::start("MC-780", Person::default()).await;
    let (who, _) = resident();
    let session = k.to_weighing(&who, false).await;

    // The cable goes while she stands there, and comes back.
    k.sim
        .inject(Fault::Unplug(Duration::from_millis(100)))
        .unwrap();
    k.until_link(LinkNote::Disconnected).await;
    k.until_link(LinkNote::Connected).await;
    assert_eq!(k.station.stage(), Stage::Weighing);

    k.sim.measure().unwrap();
    let results = k
        .until("results", |e| matches!(e, Event::Results { .. }))
        .await;
    let id = results_id(&results);
    assert_eq!(trail(k.station.store(), id), one_each());

    // Again, after the reading: the same measurement is not taken twice.
    k.sim
        .inject(Fault::Unplug(Duration::from_millis(100)))
        .unwrap();
    k.until_link(LinkNote::Disconnected).await;
    k.until_link(LinkNote::Connected).await;
    k.sim.measure().unwrap();
    let refused = k
        .until("the refusal", |e| matches!(e, Event::ReadingRefused { .. }))
        .await;
    assert!(matches!(
        refused,
        Event::ReadingRefused {
            session: Some(s),
            reason: RefusalReason::AlreadyMeasured,
            ..
        } if s == session
    ));
    let trails = k.station.store().measurement_trails().unwrap();
    assert_eq!(trails.len(), 1);
    assert_eq!(trails[&id.as_uuid()], one_each());
    assert_eq!(k.station.stats().recorded, 1);
    k.station.store().verify_audit().unwrap();
    k.sim.stop().await.unwrap();
}
