//! The contract cases, one `pub async fn` each (listed in `contract_tests!`).
//! Deliberately not here: the fixtures and body builders (`mod.rs`).

use super::*;
use hakaru_central::storage::common::MAX_BATCH_EVENTS;

// --- structure, rules, credentials ----------------------------------------------------------

pub async fn migrate_twice_and_ping(s: Arc<dyn Storage>) {
    s.migrate().await.unwrap();
    s.migrate().await.unwrap();
    s.ping().await.unwrap();
    let w = seed(s).await;
    w.s.migrate().await.unwrap();
    assert!(w.s.program(&w.pa).await.unwrap().is_some(), "data survives");
}

pub async fn structure_refuses_duplicates_and_missing_parents(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let p = w.s.program(&w.pa).await.unwrap().unwrap();
    assert_eq!(p.id, w.pa);
    assert_eq!(p.name_ja, "くまもと健康ポイント");
    assert_eq!(p.name_en, "prog-a");
    assert_eq!(p.rules, PointsRules::default_rules());
    assert_eq!(w.s.program(&program_id("nowhere")).await.unwrap(), None);

    let again = NewProgram {
        id: w.pa.clone(),
        name_ja: "x".into(),
        name_en: "x".into(),
        rules: PointsRules::default_rules(),
    };
    assert_already_exists(w.s.create_program(&again, now()).await);
    let m = |id: &str, p: &str| NewMunicipality {
        id: municipality_id(id),
        program: program_id(p),
        name_ja: "x".into(),
        name_en: "x".into(),
    };
    assert_already_exists(w.s.create_municipality(&m("kita", "prog-a"), now()).await);
    assert_not_found(
        w.s.create_municipality(&m("higashi", "nowhere"), now())
            .await,
    );
    let st = |id: &str, m: &str| NewStation {
        id: station_id(id),
        municipality: municipality_id(m),
        place: "x".into(),
    };
    assert_already_exists(w.s.create_station(&st("kita-01", "kita"), now()).await);
    assert_not_found(
        w.s.create_station(&st("higashi-01", "higashi"), now())
            .await,
    );
    // Nothing half-made: the refused station is not listed.
    let listed: Vec<_> =
        w.s.sync_status(None)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.station.to_string())
            .collect();
    assert_eq!(listed, ["kita-01", "minami-02", "sato-01"]);
}

pub async fn rules_are_stored_and_replaced(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let r = rules(7, 0, Some(20));
    w.s.set_points_rules(&w.pa, &r, now()).await.unwrap();
    assert_eq!(w.s.program(&w.pa).await.unwrap().unwrap().rules, r);
    assert_eq!(
        w.s.program(&w.pb).await.unwrap().unwrap().rules,
        PointsRules::default_rules(),
        "only program A changed"
    );
    assert_not_found(
        w.s.set_points_rules(&program_id("nowhere"), &r, now())
            .await,
    );
}

pub async fn credentials_are_looked_up_and_revoked(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let id = credential_id("c0ffee01");
    let hash = [7u8; 32];
    w.s.add_credential(&w.a2.station, &id, &hash, now())
        .await
        .unwrap();
    let c = w.s.credential(&id).await.unwrap().unwrap();
    assert_eq!(c.id, id);
    assert_eq!(c.context, w.a2);
    assert_eq!(c.secret_hash, hash);
    assert_eq!(c.revoked_at, None);

    assert_already_exists(w.s.add_credential(&w.a1.station, &id, &hash, now()).await);
    assert_not_found(
        w.s.add_credential(&station_id("nowhere-9"), &credential_id("c2"), &hash, now())
            .await,
    );
    assert_eq!(w.s.credential(&credential_id("c2")).await.unwrap(), None);

    w.s.revoke_credential(&id, t(1, 0)).await.unwrap();
    let c = w.s.credential(&id).await.unwrap().unwrap();
    assert_eq!(c.revoked_at, Some(t(1, 0)));
    assert_not_found(w.s.revoke_credential(&credential_id("c3"), now()).await);

    // Program B's station gets program B's context.
    let b = credential_id("b0b");
    w.s.add_credential(&w.b1.station, &b, &[1; 32], now())
        .await
        .unwrap();
    assert_eq!(w.s.credential(&b).await.unwrap().unwrap().context, w.b1);
}

// --- idempotent ingest ------------------------------------------------------------------------

pub async fn replaying_a_batch_returns_the_same_acks_and_writes_nothing(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.s.put_participant(&w.pa, &roster("A-1"), t(-2, 0))
        .await
        .unwrap();
    let events = vec![
        consent(&w.a1, 1, "A-1", ConsentAction::Given, t(0, -1)),
        measurement(&w.a1, 2, "A-1", t(0, 0)),
        measurement(&w.a1, 3, "A-9", t(0, 0)),
        calibration(&w.a1, 4),
    ];
    let first = w.upload(&w.a1, events.clone(), now()).await;
    assert_eq!(first.acks.len(), 4);
    let ids: Vec<EventId> = first.acks.iter().map(|a| a.id).collect();
    assert_eq!(ids, [eid(1), eid(2), eid(3), eid(4)]);
    assert_eq!(first.acks[1].points.as_ref().unwrap().awarded, 60);
    assert_eq!(
        held_reason(&first.acks[2]),
        Some(HeldReason::UnknownParticipant)
    );

    let awards = w.s.awards(&w.pa, "A-1").await.unwrap();
    let history =
        w.s.history(&w.a1, "A-1", 100, now())
            .await
            .unwrap()
            .unwrap();
    let held = w.s.held_events(&w.pa).await.unwrap();
    assert_eq!(w.received(&w.a1).await, 4);

    // Later, with other points in between, the replay still answers what it answered then.
    let second = w.upload(&w.a1, events, t(0, 5)).await;
    assert_eq!(second, first);
    assert_eq!(w.s.awards(&w.pa, "A-1").await.unwrap(), awards);
    let again =
        w.s.history(&w.a1, "A-1", 100, now())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(again.measurements.len(), history.measurements.len());
    assert_eq!(w.s.held_events(&w.pa).await.unwrap(), held);
    assert_eq!(w.received(&w.a1).await, 4, "replays are not counted");
    assert_eq!(w.balance("A-1").await, 60);
}

pub async fn reordered_and_overlapping_batches_keep_the_first_acks(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.enrol("A-1", 100).await;
    let m1 = measurement(&w.a1, 1, "A-1", t(0, 0));
    let m2 = measurement(&w.a1, 2, "A-1", t(1, 0));
    let m3 = measurement(&w.a1, 3, "A-1", t(2, 0));
    let first = w.upload(&w.a1, vec![m1.clone(), m2.clone()], now()).await;
    assert_eq!(first.acks[0].points.as_ref().unwrap().balance, 60);
    assert_eq!(first.acks[1].points.as_ref().unwrap().balance, 70);

    let second = w.upload(&w.a1, vec![m3, m2, m1], now()).await;
    assert_eq!(
        second.acks.iter().map(|a| a.id).collect::<Vec<_>>(),
        [eid(3), eid(2), eid(1)],
        "acks follow the request's order"
    );
    assert_eq!(second.acks[1], first.acks[1]);
    assert_eq!(second.acks[2], first.acks[0]);
    let p3 = second.acks[0].points.as_ref().unwrap();
    assert_eq!((p3.awarded, p3.balance), (10, 80));
    assert_eq!(w.s.awards(&w.pa, "A-1").await.unwrap().len(), 4);
    assert_eq!(w.received(&w.a1).await, 4, "consent + three readings");
}

pub async fn a_repeated_id_within_a_batch_gets_the_first_ack(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.enrol("A-1", 100).await;
    let m = measurement(&w.a1, 1, "A-1", t(0, 0));
    let r = w.upload(&w.a1, vec![m.clone(), m], now()).await;
    assert_eq!(r.acks.len(), 2);
    assert_eq!(r.acks[0], r.acks[1]);
    assert_eq!(r.acks[0].points.as_ref().unwrap().awarded, 60);
    assert_eq!(w.s.awards(&w.pa, "A-1").await.unwrap().len(), 2);
    assert_eq!(w.received(&w.a1).await, 2, "consent + one reading");
}

pub async fn an_event_naming_another_station_is_forbidden_and_nothing_is_written(
    s: Arc<dyn Storage>,
) {
    let w = seed(s).await;
    w.s.put_participant(&w.pa, &roster("A-1"), t(-2, 0))
        .await
        .unwrap();
    let ledger_before = w.ledger_a().await;
    let events = vec![
        consent(&w.a1, 1, "A-1", ConsentAction::Given, t(0, -1)),
        measurement(&w.a1, 2, "A-1", t(0, 0)),
        measurement(&w.a2, 3, "A-1", t(0, 0)), // names minami-02, sent by kita-01
    ];
    let mut req = batch(events);
    req.backlog_after = 9;
    req.last_error = Some("timeout".into());
    assert_forbidden(w.s.ingest(&w.a1, &req, now()).await);

    assert_eq!(w.ledger_a().await, ledger_before);
    assert_eq!(w.s.awards(&w.pa, "A-1").await.unwrap(), vec![]);
    let h = w.s.history(&w.a1, "A-1", 10, now()).await.unwrap().unwrap();
    assert!(h.measurements.is_empty());
    let status = w.s.sync_status(Some(&w.pa)).await.unwrap();
    let kita = status.iter().find(|s| s.station == w.a1.station).unwrap();
    assert_eq!(kita.events_received, 0);
    assert_eq!(kita.backlog, 0);
    assert_eq!(kita.last_error, None);
    // The consent was not stored either: a reading after it is still held.
    let r = w
        .upload(&w.a1, vec![measurement(&w.a1, 4, "A-1", t(0, 0))], now())
        .await;
    assert_eq!(held_reason(&r.acks[0]), Some(HeldReason::NoConsent));
}

pub async fn an_event_id_of_another_station_is_forbidden_and_nothing_is_written(
    s: Arc<dyn Storage>,
) {
    let w = seed(s).await;
    w.enrol("A-1", 100).await;
    w.upload(&w.a1, vec![measurement(&w.a1, 1, "A-1", t(0, 0))], now())
        .await;
    let ledger_before = w.ledger_a().await;
    // minami-02 sends a new event and one whose id kita-01 already used.
    let r =
        w.s.ingest(
            &w.a2,
            &batch(vec![
                measurement(&w.a2, 2, "A-1", t(1, 0)),
                measurement(&w.a2, 1, "A-1", t(2, 0)),
            ]),
            now(),
        )
        .await;
    assert_forbidden(r);
    assert_eq!(w.ledger_a().await, ledger_before);
    assert_eq!(w.s.awards(&w.pa, "A-1").await.unwrap().len(), 2);
    assert_eq!(w.received(&w.a2).await, 0);
    // Program B's station cannot take over an id of program A either.
    let r =
        w.s.ingest(&w.b1, &batch(vec![calibration(&w.b1, 1)]), now())
            .await;
    assert_forbidden(r);
}

pub async fn a_batch_over_the_limit_is_invalid(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let events: Vec<_> = (0..=MAX_BATCH_EVENTS as u128)
        .map(|n| calibration(&w.a1, n + 1))
        .collect();
    assert_invalid(w.s.ingest(&w.a1, &batch(events.clone()), now()).await);
    assert_eq!(w.received(&w.a1).await, 0);
    let r = w
        .upload(&w.a1, events[..MAX_BATCH_EVENTS].to_vec(), now())
        .await;
    assert_eq!(r.acks.len(), MAX_BATCH_EVENTS);
    assert_eq!(w.received(&w.a1).await, MAX_BATCH_EVENTS as u64);
}

// --- applying each kind -------------------------------------------------------------------------

pub async fn registrations_insert_repeat_or_are_held(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let entry = roster("A-7");
    let r = w
        .upload(&w.a1, vec![registration(&w.a1, 1, &entry)], now())
        .await;
    assert_eq!(r.acks[0].outcome, AckOutcome::Accepted);
    assert_eq!(r.acks[0].points, None);
    assert!(
        r.acks[0].card.is_some(),
        "the first card comes with the ack"
    );
    let page = w.s.changes_since(&w.a2, 0, 100, now()).await.unwrap();
    assert_eq!(page.changes.len(), 2, "the roster entry and the card");
    assert_eq!(
        page.changes[0].change,
        ChangeKind::Participant(entry.clone())
    );
    assert!(matches!(&page.changes[1].change, ChangeKind::Card(c) if c.participant == "A-7"));

    // One registration per person: the same details from the other station are a conflict
    // (never merged), and so are other details under the same number; the roster is unchanged.
    let r = w
        .upload(&w.a2, vec![registration(&w.a2, 2, &entry)], now())
        .await;
    assert_eq!(held_reason(&r.acks[0]), Some(HeldReason::ParticipantExists));
    assert_eq!(r.acks[0].card, None);
    let mut other = entry.clone();
    other.birth_date = "1960-01-01".into();
    let r = w
        .upload(&w.a2, vec![registration(&w.a2, 3, &other)], now())
        .await;
    assert_eq!(held_reason(&r.acks[0]), Some(HeldReason::ParticipantExists));
    let page = w.s.changes_since(&w.a2, 0, 100, now()).await.unwrap();
    assert_eq!(page.changes.len(), 2);
    assert_eq!(page.changes[0].change, ChangeKind::Participant(entry));

    // A registered participant is on the roster: consent then a reading is accepted.
    let r = w
        .upload(
            &w.a1,
            vec![
                consent(&w.a1, 4, "A-7", ConsentAction::Given, t(0, -1)),
                measurement(&w.a1, 5, "A-7", t(0, 0)),
            ],
            now(),
        )
        .await;
    assert_eq!(r.acks[1].outcome, AckOutcome::Accepted);
    // Program B has no such participant.
    assert_eq!(w.s.points(&w.b1, "A-7", now()).await.unwrap(), None);
}

pub async fn consent_for_an_unknown_participant_is_held(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let r = w
        .upload(
            &w.a1,
            vec![consent(&w.a1, 1, "A-404", ConsentAction::Given, t(0, -1))],
            now(),
        )
        .await;
    assert_eq!(
        held_reason(&r.acks[0]),
        Some(HeldReason::UnknownParticipant)
    );
    // Registered later, the held consent does not count.
    w.s.put_participant(&w.pa, &roster("A-404"), now())
        .await
        .unwrap();
    let r = w
        .upload(&w.a1, vec![measurement(&w.a1, 2, "A-404", t(0, 0))], now())
        .await;
    assert_eq!(held_reason(&r.acks[0]), Some(HeldReason::NoConsent));
}

pub async fn measurement_of_an_unknown_participant_is_held(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.enrol("A-1", 100).await;
    let r = w
        .upload(&w.a1, vec![measurement(&w.a1, 1, "A-2", t(0, 0))], now())
        .await;
    assert_eq!(
        held_reason(&r.acks[0]),
        Some(HeldReason::UnknownParticipant)
    );
    assert_eq!(r.acks[0].points, None);
    assert_eq!(w.s.awards(&w.pa, "A-2").await.unwrap(), vec![]);
}

pub async fn measurement_of_an_inactive_participant_is_held(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.enrol("A-1", 100).await;
    w.enrol("A-2", 101).await;
    let mut withdrawn = roster("A-1");
    withdrawn.status = ParticipantStatus::Withdrawn;
    w.s.put_participant(&w.pa, &withdrawn, now()).await.unwrap();
    let mut stopped = roster("A-2");
    stopped.status = ParticipantStatus::Stopped;
    w.s.put_participant(&w.pa, &stopped, now()).await.unwrap();
    let r = w
        .upload(
            &w.a1,
            vec![
                measurement(&w.a1, 1, "A-1", t(0, 0)),
                measurement(&w.a1, 2, "A-2", t(0, 0)),
            ],
            now(),
        )
        .await;
    assert_eq!(
        held_reason(&r.acks[0]),
        Some(HeldReason::ParticipantInactive)
    );
    assert_eq!(
        held_reason(&r.acks[1]),
        Some(HeldReason::ParticipantInactive)
    );
    let h = w.s.history(&w.a1, "A-1", 10, now()).await.unwrap().unwrap();
    assert!(h.measurements.is_empty(), "a held reading is not history");
    assert_eq!(w.balance("A-1").await, 0);
}

pub async fn measurement_without_consent_before_it_is_held(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    for p in ["A-1", "A-2", "A-3", "A-4"] {
        w.s.put_participant(&w.pa, &roster(p), t(-2, 0))
            .await
            .unwrap();
    }
    let r = w
        .upload(
            &w.a1,
            vec![
                // no consent at all.
                measurement(&w.a1, 1, "A-1", t(0, 0)),
                // consent given only after the reading.
                consent(&w.a1, 2, "A-2", ConsentAction::Given, t(0, 1)),
                measurement(&w.a1, 3, "A-2", t(0, 0)),
                // given, then withdrawn, before the reading.
                consent(&w.a1, 4, "A-3", ConsentAction::Given, t(-1, 0)),
                consent(&w.a1, 5, "A-3", ConsentAction::Withdrawn, t(0, -1)),
                measurement(&w.a1, 6, "A-3", t(0, 0)),
                // refused, then given, before the reading: accepted.
                consent(&w.a1, 7, "A-4", ConsentAction::Refused, t(-1, 0)),
                consent(&w.a1, 8, "A-4", ConsentAction::Given, t(0, -1)),
                measurement(&w.a1, 9, "A-4", t(0, 0)),
            ],
            now(),
        )
        .await;
    let reasons: Vec<_> = r.acks.iter().map(held_reason).collect();
    assert_eq!(
        reasons,
        [
            Some(HeldReason::NoConsent),
            None,
            Some(HeldReason::NoConsent),
            None,
            None,
            Some(HeldReason::NoConsent),
            None,
            None,
            None,
        ]
    );
    // A-2's later reading (after the consent) is accepted.
    let r = w
        .upload(&w.a1, vec![measurement(&w.a1, 10, "A-2", t(0, 2))], now())
        .await;
    assert_eq!(r.acks[0].outcome, AckOutcome::Accepted);
}

pub async fn consent_from_another_station_of_the_program_counts(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.s.put_participant(&w.pa, &roster("A-1"), t(-2, 0))
        .await
        .unwrap();
    w.upload(
        &w.a2,
        vec![consent(&w.a2, 1, "A-1", ConsentAction::Given, t(-1, 0))],
        now(),
    )
    .await;
    let r = w
        .upload(&w.a1, vec![measurement(&w.a1, 2, "A-1", t(0, 0))], now())
        .await;
    assert_eq!(r.acks[0].outcome, AckOutcome::Accepted);
    // A withdrawal at a2 later stops readings at a1 after it.
    w.upload(
        &w.a2,
        vec![consent(&w.a2, 3, "A-1", ConsentAction::Withdrawn, t(1, 0))],
        now(),
    )
    .await;
    let r = w
        .upload(&w.a1, vec![measurement(&w.a1, 4, "A-1", t(2, 0))], now())
        .await;
    assert_eq!(held_reason(&r.acks[0]), Some(HeldReason::NoConsent));
}

pub async fn held_events_are_listed_for_the_administrator(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.enrol("A-1", 100).await;
    w.upload(
        &w.a2,
        vec![
            measurement(&w.a2, 1, "A-404", t(0, 0)),
            measurement(&w.a2, 2, "A-1", t(0, 0)),
            card_revoked(&w.a2, 3, "1-1", "A-404"),
        ],
        t(0, 2),
    )
    .await;
    w.upload(&w.b1, vec![measurement(&w.b1, 4, "B-1", t(0, 0))], now())
        .await;
    let held = w.s.held_events(&w.pa).await.unwrap();
    assert_eq!(held.len(), 2, "{held:?}");
    let mut ids: Vec<_> = held.iter().map(|h| h.id).collect();
    ids.sort();
    assert_eq!(ids, [eid(1), eid(3)]);
    for h in &held {
        assert_eq!(h.station, w.a2.station);
        assert_eq!(h.reason, HeldReason::UnknownParticipant);
        assert_eq!(h.received_at, t(0, 2));
    }
    let m = held.iter().find(|h| h.id == eid(1)).unwrap();
    assert_eq!(m.kind, "measurement_recorded");
    let c = held.iter().find(|h| h.id == eid(3)).unwrap();
    assert_eq!(c.kind, "card_revoked");
    let b = w.s.held_events(&w.pb).await.unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].id, eid(4));
}

// --- points -------------------------------------------------------------------------------------

pub async fn points_pay_once_per_day_and_once_per_month(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.enrol("A-1", 100).await;
    let award = |r: &UploadResponse| r.acks[0].points.clone().unwrap();

    let a = award(
        &w.upload(&w.a1, vec![measurement(&w.a1, 1, "A-1", t(0, 0))], now())
            .await,
    );
    assert_eq!((a.awarded, a.balance, a.capped), (60, 60, false));
    assert_eq!(a.rules, ["daily-measurement", "monthly-bonus"]);
    // Same local day (13:00 JST), other station: nothing more.
    let b = award(
        &w.upload(&w.a2, vec![measurement(&w.a2, 2, "A-1", t(0, 3))], now())
            .await,
    );
    assert_eq!((b.awarded, b.balance), (0, 60));
    assert!(b.rules.is_empty());
    // Next day: daily only.
    let c = award(
        &w.upload(&w.a1, vec![measurement(&w.a1, 3, "A-1", t(1, 0))], now())
            .await,
    );
    assert_eq!((c.awarded, c.balance), (10, 70));
    assert_eq!(c.rules, ["daily-measurement"]);
    // 2026-11-30 23:30 JST is still November …
    let late = Timestamp::from_unix_ms(NOV23 + 7 * DAY + 13 * HOUR + HOUR / 2);
    let d = award(
        &w.upload(&w.a1, vec![measurement(&w.a1, 4, "A-1", late)], now())
            .await,
    );
    assert_eq!((d.awarded, d.balance), (10, 80));
    // … and 00:30 JST on 12-01 is a new month: both rules again.
    let dec = Timestamp::from_unix_ms(NOV23 + 7 * DAY + 14 * HOUR + HOUR / 2);
    let e = award(
        &w.upload(&w.a1, vec![measurement(&w.a1, 5, "A-1", dec)], now())
            .await,
    );
    assert_eq!((e.awarded, e.balance), (60, 140));

    let awards = w.s.awards(&w.pa, "A-1").await.unwrap();
    assert_eq!(awards.len(), 6);
    let periods: Vec<_> = awards
        .iter()
        .map(|a| (a.rule_id.as_str(), a.period_key.as_str(), a.points))
        .collect();
    for expected in [
        ("daily-measurement", "2026-11-23", 10),
        ("monthly-bonus", "2026-11", 50),
        ("daily-measurement", "2026-11-24", 10),
        ("daily-measurement", "2026-11-30", 10),
        ("daily-measurement", "2026-12-01", 10),
        ("monthly-bonus", "2026-12", 50),
    ] {
        assert!(periods.contains(&expected), "{expected:?} in {periods:?}");
    }
    let first = awards
        .iter()
        .find(|a| a.period_key == "2026-11-23")
        .unwrap();
    assert_eq!(first.measurement_id, mid(1));
    assert_eq!(first.awarded_at, now());
    assert_eq!(first.cancelled, None);
    // Newest first.
    assert!(awards
        .windows(2)
        .all(|p| p[0].awarded_at >= p[1].awarded_at));
}

pub async fn the_monthly_cap_cuts_awards(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.s.set_points_rules(&w.pa, &rules(30, 50, Some(100)), t(-3, 0))
        .await
        .unwrap();
    w.enrol("A-1", 100).await;
    let mut got = Vec::new();
    for day in 0..4 {
        let n = 1 + day as u128;
        let r = w
            .upload(&w.a1, vec![measurement(&w.a1, n, "A-1", t(day, 0))], now())
            .await;
        let p = r.acks[0].points.clone().unwrap();
        got.push((p.awarded, p.balance, p.capped));
    }
    // 80 on day 1; 20 of 30 on day 2 (capped); nothing after.
    assert_eq!(
        got,
        [
            (80, 80, false),
            (20, 100, true),
            (0, 100, true),
            (0, 100, true)
        ]
    );
    let awards = w.s.awards(&w.pa, "A-1").await.unwrap();
    assert_eq!(awards.iter().map(|a| a.points).sum::<u32>(), 100);
    assert_eq!(awards.len(), 3, "a rule cut to nothing is not recorded");
}

pub async fn acks_carry_the_balance_after_each_award(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.enrol("A-1", 100).await;
    w.enrol("A-2", 101).await;
    let r = w
        .upload(
            &w.a1,
            vec![
                measurement(&w.a1, 1, "A-1", t(0, 0)),
                measurement(&w.a1, 2, "A-2", t(0, 0)),
                measurement(&w.a1, 3, "A-1", t(1, 0)),
                measurement(&w.a1, 4, "A-1", t(1, 1)),
            ],
            now(),
        )
        .await;
    let balances: Vec<_> = r
        .acks
        .iter()
        .map(|a| {
            let p = a.points.as_ref().unwrap();
            (p.awarded, p.balance)
        })
        .collect();
    assert_eq!(balances, [(60, 60), (60, 60), (10, 70), (0, 70)]);
}

pub async fn cancelled_awards_keep_their_period_but_leave_the_balance(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.s.set_points_rules(&w.pa, &rules(30, 50, Some(100)), t(-3, 0))
        .await
        .unwrap();
    w.enrol("A-1", 100).await;
    w.upload(&w.a1, vec![measurement(&w.a1, 1, "A-1", t(0, 0))], now())
        .await;
    assert_eq!(w.balance("A-1").await, 80);
    let awards = w.s.awards(&w.pa, "A-1").await.unwrap();
    let bonus = awards
        .iter()
        .find(|a| a.rule_id == "monthly-bonus")
        .unwrap();
    w.s.cancel_award(&w.pa, bonus.id, "不正な測定 / fraudulent reading", t(0, 2))
        .await
        .unwrap();
    assert_eq!(w.balance("A-1").await, 30);
    let after = w.s.awards(&w.pa, "A-1").await.unwrap();
    let cancelled = after.iter().find(|a| a.id == bonus.id).unwrap();
    assert_eq!(
        cancelled.cancelled.as_deref(),
        Some("不正な測定 / fraudulent reading")
    );
    assert_invalid(w.s.cancel_award(&w.pa, bonus.id, "again", now()).await);
    assert_not_found(
        w.s.cancel_award(&w.pa, Uuid::from_u128(42), "x", now())
            .await,
    );
    assert_not_found(
        w.s.cancel_award(&w.pb, bonus.id, "other program", now())
            .await,
    );

    // The month's bonus stays used; the cap room it held is free again: 30 + 30 + 30 = 90 ≤ 100.
    let r = w
        .upload(&w.a1, vec![measurement(&w.a1, 2, "A-1", t(1, 0))], now())
        .await;
    let p = r.acks[0].points.clone().unwrap();
    assert_eq!((p.awarded, p.balance, p.capped), (30, 60, false));
    assert_eq!(p.rules, ["daily-measurement"]);
    let r = w
        .upload(&w.a1, vec![measurement(&w.a1, 3, "A-1", t(2, 0))], now())
        .await;
    let p = r.acks[0].points.clone().unwrap();
    assert_eq!((p.awarded, p.balance, p.capped), (30, 90, false));
    let r = w
        .upload(&w.a1, vec![measurement(&w.a1, 4, "A-1", t(3, 0))], now())
        .await;
    let p = r.acks[0].points.clone().unwrap();
    assert_eq!((p.awarded, p.balance, p.capped), (10, 100, true));
}

pub async fn exchanges_take_whole_units_and_refuse_a_short_balance(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.s.set_points_rules(&w.pa, &rules(300, 0, None), t(-3, 0))
        .await
        .unwrap();
    w.enrol("A-1", 100).await;
    let days: Vec<_> = (0..4)
        .map(|d| measurement(&w.a1, 1 + d as u128, "A-1", t(d, 0)))
        .collect();
    w.upload(&w.a1, days, now()).await;
    assert_eq!(w.balance("A-1").await, 1200);

    let short = w.s.exchange_points(&w.pa, "A-1", 3, now()).await;
    match short {
        Err(StorageError::Invalid(words)) => assert!(words.contains("short"), "{words}"),
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert_eq!(
        w.balance("A-1").await,
        1200,
        "a refused exchange takes nothing"
    );
    let b = w.s.exchange_points(&w.pa, "A-1", 2, now()).await.unwrap();
    assert_eq!(b.participant, "A-1");
    assert_eq!(
        (
            b.balance,
            b.exchangeable_units,
            b.carry_over,
            b.exchange_unit
        ),
        (200, 0, 200, 500)
    );
    assert_eq!(w.balance("A-1").await, 200);
    assert_invalid(w.s.exchange_points(&w.pa, "A-1", 1, now()).await);
    // The next award's ack shows the balance after the exchange.
    let r = w
        .upload(&w.a1, vec![measurement(&w.a1, 9, "A-1", t(5, 0))], now())
        .await;
    assert_eq!(r.acks[0].points.as_ref().unwrap().balance, 500);
    assert_not_found(w.s.exchange_points(&w.pa, "A-404", 1, now()).await);
}

pub async fn points_answer_balance_units_and_this_month(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.s.set_points_rules(&w.pa, &rules(300, 50, None), t(-30, 0))
        .await
        .unwrap();
    w.enrol("A-1", 100).await;
    // October (JST): 350; November: 350 + 300.
    let oct = t(-23, 0);
    w.upload(
        &w.a1,
        vec![
            consent(&w.a1, 9, "A-1", ConsentAction::Given, t(-25, 0)),
            measurement(&w.a1, 1, "A-1", oct),
            measurement(&w.a1, 2, "A-1", t(0, 0)),
            measurement(&w.a1, 3, "A-1", t(1, 0)),
        ],
        t(1, 1),
    )
    .await;
    let ledger_before = w.ledger_a().await.len();
    let p = w.s.points(&w.a2, "A-1", t(2, 0)).await.unwrap().unwrap();
    assert_eq!(p.participant, "A-1");
    assert_eq!(p.balance, 1000);
    assert_eq!(p.this_month, 650);
    assert_eq!(
        (p.exchange_unit, p.exchangeable_units, p.carry_over),
        (500, 2, 0)
    );
    let ledger = w.ledger_a().await;
    assert_eq!(ledger.len(), ledger_before + 1);
    let e = ledger.last().unwrap();
    assert_entry(e, &w.a2, Direction::Sent, &["A-1"], &["points"]);
    assert_eq!(e.at, t(2, 0));
    // In December, November's points are not "this month".
    let dec = w.s.points(&w.a1, "A-1", t(9, 0)).await.unwrap().unwrap();
    assert_eq!((dec.balance, dec.this_month), (1000, 0));
    assert_eq!(w.s.points(&w.a1, "A-404", now()).await.unwrap(), None);
}

pub async fn the_office_balance_matches_the_station_view_without_a_ledger_entry(
    s: Arc<dyn Storage>,
) {
    let w = seed(s).await;
    w.s.set_points_rules(&w.pa, &rules(300, 50, None), t(-3, 0))
        .await
        .unwrap();
    w.enrol("A-1", 100).await;
    let days: Vec<_> = (0..2)
        .map(|d| measurement(&w.a1, 1 + d as u128, "A-1", t(d, 0)))
        .collect();
    w.upload(&w.a1, days, now()).await;
    w.s.exchange_points(&w.pa, "A-1", 1, now()).await.unwrap();
    let ledger_before = w.ledger_a().await.len();
    let office = w.s.balance(&w.pa, "A-1", now()).await.unwrap().unwrap();
    assert_eq!(office.balance, 650 - 500, "awards minus the exchange");
    assert_eq!((office.exchangeable_units, office.carry_over), (0, 150));
    assert_eq!(
        w.ledger_a().await.len(),
        ledger_before,
        "no transfer, no entry"
    );
    let station = w.s.points(&w.a1, "A-1", now()).await.unwrap().unwrap();
    assert_eq!(office, station);
    assert_eq!(w.s.balance(&w.pa, "A-404", now()).await.unwrap(), None);
    let nowhere = ProgramId::new("no-such-program").unwrap();
    assert_not_found(w.s.balance(&nowhere, "A-1", now()).await);
}

// --- cards, calibrations -----------------------------------------------------------------------

pub async fn cards_are_issued_signed_reissued_and_revoked(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.enrol("A-1", 100).await;
    w.enrol("A-2", 101).await;
    let start =
        w.s.changes_since(&w.a1, 0, 1000, now())
            .await
            .unwrap()
            .next_cursor;
    let code = w.s.program(&w.pa).await.unwrap().unwrap().card_code;
    let code_b = w.s.program(&w.pb).await.unwrap().unwrap().card_code;
    assert_ne!(code, code_b, "each program has its own card code");

    let first = w.issue("A-1").await;
    let f = first.token.fields();
    assert_eq!((f.program, f.serial, f.issued_day), (code, 1, ISSUE_DAY));
    assert!(first.revoked.is_empty());
    let other = w.issue("A-2").await;
    assert_ne!(
        other.token.fields().holder,
        f.holder,
        "one holder number per participant"
    );
    // A reissue keeps the holder number, takes the next serial and revokes the earlier card.
    let second = w.issue("A-1").await;
    let f2 = second.token.fields();
    assert_eq!((f2.holder, f2.serial), (f.holder, 2));
    assert_eq!(second.revoked, [CardId::of(&f)]);
    assert_ne!(second.token.tag(), first.token.tag());

    let page = w.s.changes_since(&w.a1, start, 1000, now()).await.unwrap();
    assert_eq!(page.card_program, code);
    assert_eq!(
        page.changes
            .iter()
            .map(|c| c.change.clone())
            .collect::<Vec<_>>(),
        [
            ChangeKind::Card(card(&first, "A-1", CardStatus::Active)),
            ChangeKind::Card(card(&other, "A-2", CardStatus::Active)),
            ChangeKind::Card(card(&first, "A-1", CardStatus::Revoked)),
            ChangeKind::Card(card(&second, "A-1", CardStatus::Active)),
        ]
    );

    // Listing makes the same tokens again from the program's key, newest first.
    let listed = w.s.cards(&w.pa, Some(vec!["A-1".into()])).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|c| (c.participant.as_str(), c.token.clone(), c.status))
            .collect::<Vec<_>>(),
        [
            ("A-1", second.token.clone(), CardStatus::Active),
            ("A-1", first.token.clone(), CardStatus::Revoked),
        ]
    );
    assert_eq!(w.s.cards(&w.pa, None).await.unwrap().len(), 3);
    assert_eq!(w.s.cards(&w.pb, None).await.unwrap().len(), 0);

    // The administrator revokes a lost card once; an unknown card is not found.
    let lost = CardId::of(&other.token.fields());
    assert!(w.s.revoke_card(&w.pa, lost, now()).await.unwrap());
    assert!(!w.s.revoke_card(&w.pa, lost, now()).await.unwrap());
    assert_not_found(
        w.s.revoke_card(
            &w.pa,
            CardId {
                holder: 9_999,
                serial: 1,
            },
            now(),
        )
        .await,
    );
    let page =
        w.s.changes_since(&w.a1, page.next_cursor, 1000, now())
            .await
            .unwrap();
    assert_eq!(
        page.changes
            .iter()
            .map(|c| c.change.clone())
            .collect::<Vec<_>>(),
        [ChangeKind::Card(card(&other, "A-2", CardStatus::Revoked))]
    );
}

pub async fn stations_revoke_cards_by_id(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.enrol("A-1", 100).await;
    w.enrol("A-2", 101).await;
    let issued = w.issue("A-1").await;
    let id = CardId::of(&issued.token.fields()).to_string();
    let start =
        w.s.changes_since(&w.a1, 0, 1000, now())
            .await
            .unwrap()
            .next_cursor;
    let batch = vec![
        card_revoked(&w.a2, 5, &id, "A-2"), // another's card
        card_revoked(&w.a2, 6, &id, "A-1"),
        card_revoked(&w.a2, 7, &id, "A-1"), // already revoked: no change
        card_revoked(&w.a2, 8, "9999-1", "A-1"), // never issued: nothing to revoke
        card_revoked(&w.a2, 9, "not-an-id", "A-1"),
        card_revoked(&w.a2, 10, &id, "A-404"),
    ];
    let r = w.upload(&w.a2, batch.clone(), now()).await;
    assert_eq!(
        r.acks.iter().map(held_reason).collect::<Vec<_>>(),
        [
            Some(HeldReason::CardConflict),
            None,
            None,
            None,
            None,
            Some(HeldReason::UnknownParticipant)
        ]
    );
    let page = w.s.changes_since(&w.a1, start, 1000, now()).await.unwrap();
    assert_eq!(
        page.changes
            .iter()
            .map(|c| c.change.clone())
            .collect::<Vec<_>>(),
        [ChangeKind::Card(card(&issued, "A-1", CardStatus::Revoked))]
    );
    // A replay answers the same and changes nothing.
    let again = w.upload(&w.a2, batch, now()).await;
    assert_eq!(again.acks, r.acks);
    let page2 = w.s.changes_since(&w.a1, start, 1000, now()).await.unwrap();
    assert_eq!(page2.changes.len(), 1);
}

pub async fn calibrations_are_accepted_without_a_ledger_entry(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let r = w
        .upload(
            &w.a1,
            vec![calibration(&w.a1, 1), calibration(&w.a1, 2)],
            now(),
        )
        .await;
    assert!(r
        .acks
        .iter()
        .all(|a| a.outcome == AckOutcome::Accepted && a.points.is_none()));
    assert_eq!(w.ledger_a().await, vec![]);
    assert_eq!(w.received(&w.a1).await, 2);
}

pub async fn uploads_are_in_the_ledger(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    for p in ["A-1", "A-2"] {
        w.s.put_participant(&w.pa, &roster(p), t(-2, 0))
            .await
            .unwrap();
    }
    let events = vec![
        consent(&w.a2, 1, "A-2", ConsentAction::Given, t(0, -1)),
        measurement(&w.a2, 2, "A-2", t(0, 0)),
        measurement(&w.a2, 3, "A-1", t(0, 0)), // held: still received
        card_revoked(&w.a2, 4, "1-1", "A-1"),
        calibration(&w.a2, 5),
    ];
    w.upload(&w.a2, events.clone(), t(0, 2)).await;
    let ledger = w.ledger_a().await;
    assert_eq!(ledger.len(), 1, "{ledger:?}");
    assert_entry(
        &ledger[0],
        &w.a2,
        Direction::Received,
        &["A-1", "A-2"],
        &["card", "consent", "measurement"],
    );
    assert_eq!(ledger[0].at, t(0, 2));
    // `since` filters; program B's ledger is its own.
    assert_eq!(w.s.ledger(&w.pa, t(0, 3)).await.unwrap(), vec![]);
    assert_eq!(w.s.ledger(&w.pa, t(0, 2)).await.unwrap().len(), 1);
    assert_eq!(w.s.ledger(&w.pb, t(-99, 0)).await.unwrap(), vec![]);
    // A replay is a transfer too: it is recorded again.
    w.upload(&w.a2, events, t(0, 4)).await;
    let ledger = w.ledger_a().await;
    assert_eq!(ledger.len(), 2);
    assert_eq!(ledger[1].at, t(0, 4));
    assert!(ledger[0].at <= ledger[1].at, "oldest first");
}

// --- change feed ----------------------------------------------------------------------------------

/// Puts one of each admin change into program A; returns what the feed must carry, in order.
async fn one_of_each(w: &World) -> Vec<ChangeKind> {
    let entry = roster("A-1");
    let d = document("2026-04");
    let p = purpose("measurement");
    let st = staff("tanaka");
    w.s.put_participant(&w.pa, &entry, t(0, 0)).await.unwrap();
    let c = card(&w.issue("A-1").await, "A-1", CardStatus::Active);
    w.s.publish_document(&w.pa, &d, t(0, 0)).await.unwrap();
    w.s.put_purpose(&w.pa, &p, t(0, 0)).await.unwrap();
    w.s.put_staff(&w.pa, &st, t(0, 0)).await.unwrap();
    vec![
        ChangeKind::Participant(entry),
        ChangeKind::Card(c),
        ChangeKind::Document(d),
        ChangeKind::Purpose(p),
        ChangeKind::Staff(st),
    ]
}

pub async fn admin_writes_append_to_the_change_feed_in_order(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let mut expected = one_of_each(&w).await;
    // Replacing appends again, with the new state.
    let mut moved = roster("A-1");
    moved.height_tenths_cm = 1560;
    w.s.put_participant(&w.pa, &moved, t(0, 1)).await.unwrap();
    let mut disabled = staff("tanaka");
    disabled.active = false;
    w.s.put_staff(&w.pa, &disabled, t(0, 1)).await.unwrap();
    expected.push(ChangeKind::Participant(moved));
    expected.push(ChangeKind::Staff(disabled));

    let page = w.s.changes_since(&w.a1, 0, 1000, now()).await.unwrap();
    let seqs: Vec<u64> = page.changes.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6, 7], "gap-free from 1");
    let kinds: Vec<ChangeKind> = page.changes.into_iter().map(|c| c.change).collect();
    assert_eq!(kinds, expected);
    assert_eq!(page.next_cursor, 7);
    assert!(!page.more);
}

pub async fn change_pages_follow_cursor_limit_and_more(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let all = one_of_each(&w).await;
    let p1 = w.s.changes_since(&w.a1, 0, 2, now()).await.unwrap();
    assert_eq!(p1.changes.iter().map(|c| c.seq).collect::<Vec<_>>(), [1, 2]);
    assert_eq!((p1.next_cursor, p1.more), (2, true));
    let p2 =
        w.s.changes_since(&w.a1, p1.next_cursor, 2, now())
            .await
            .unwrap();
    assert_eq!(p2.changes.iter().map(|c| c.seq).collect::<Vec<_>>(), [3, 4]);
    assert_eq!((p2.next_cursor, p2.more), (4, true));
    let p3 =
        w.s.changes_since(&w.a1, p2.next_cursor, 2, now())
            .await
            .unwrap();
    assert_eq!(p3.changes.iter().map(|c| c.seq).collect::<Vec<_>>(), [5]);
    assert_eq!((p3.next_cursor, p3.more), (5, false));
    let kinds: Vec<ChangeKind> = [p1, p2, p3]
        .into_iter()
        .flat_map(|p| p.changes.into_iter().map(|c| c.change))
        .collect();
    assert_eq!(kinds, all);

    let empty = w.s.changes_since(&w.a1, 5, 2, now()).await.unwrap();
    assert_eq!(
        (empty.changes.len(), empty.next_cursor, empty.more),
        (0, 5, false)
    );
    let beyond = w.s.changes_since(&w.a1, 99, 2, now()).await.unwrap();
    assert_eq!(
        (beyond.changes.len(), beyond.next_cursor, beyond.more),
        (0, 99, false)
    );
    // A zero limit still moves (one change); a huge one is cut to the maximum.
    let one = w.s.changes_since(&w.a1, 0, 0, now()).await.unwrap();
    assert_eq!((one.changes.len(), one.next_cursor, one.more), (1, 1, true));
    let big = w.s.changes_since(&w.a1, 0, u32::MAX, now()).await.unwrap();
    assert_eq!((big.changes.len(), big.more), (5, false));
}

pub async fn change_feeds_are_per_program(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    one_of_each(&w).await;
    let b_entry = roster("B-1");
    w.s.put_participant(&w.pb, &b_entry, now()).await.unwrap();
    let b = w.s.changes_since(&w.b1, 0, 1000, now()).await.unwrap();
    assert_eq!(b.changes.len(), 1);
    assert_eq!(b.changes[0].seq, 1, "program B's feed starts at 1");
    assert_eq!(b.changes[0].change, ChangeKind::Participant(b_entry));
    let a = w.s.changes_since(&w.a2, 0, 1000, now()).await.unwrap();
    assert_eq!(a.changes.len(), 5);
    assert!(a
        .changes
        .iter()
        .all(|c| !matches!(&c.change, ChangeKind::Participant(e) if e.participant == "B-1")));
    // Registrations at a station append to their own program's feed only.
    w.upload(&w.b1, vec![registration(&w.b1, 1, &roster("B-2"))], now())
        .await;
    assert_eq!(
        w.s.changes_since(&w.b1, 1, 1000, now())
            .await
            .unwrap()
            .changes[0]
            .seq,
        2
    );
    assert_eq!(
        w.s.changes_since(&w.a1, 5, 1000, now())
            .await
            .unwrap()
            .changes,
        vec![]
    );
}

pub async fn change_pages_with_personal_data_are_in_the_ledger(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    one_of_each(&w).await;
    w.s.put_participant(&w.pa, &roster("A-2"), now())
        .await
        .unwrap();
    // Documents, purposes and staff only: no entry.
    w.s.changes_since(&w.a1, 2, 3, t(0, 2)).await.unwrap();
    assert_eq!(w.ledger_a().await, vec![]);
    // Roster and card: one Sent entry for the page.
    w.s.changes_since(&w.a1, 0, 1000, t(0, 3)).await.unwrap();
    let ledger = w.ledger_a().await;
    assert_eq!(ledger.len(), 1);
    assert_entry(
        &ledger[0],
        &w.a1,
        Direction::Sent,
        &["A-1", "A-2"],
        &["card", "roster_profile"],
    );
    assert_eq!(ledger[0].at, t(0, 3));
    // An empty page: no entry.
    w.s.changes_since(&w.a1, 6, 1000, t(0, 4)).await.unwrap();
    assert_eq!(w.ledger_a().await.len(), 1);
}

pub async fn cards_are_issued_only_to_active_participants_on_the_roster(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let issue = CardIssue {
        issued_day: ISSUE_DAY,
        expires_day: Some(ISSUE_DAY + 365),
    };
    assert_not_found(w.s.issue_card(&w.pa, "A-404", issue, now()).await);
    let mut left = roster("A-3");
    left.status = ParticipantStatus::Withdrawn;
    w.s.put_participant(&w.pa, &left, now()).await.unwrap();
    assert_invalid(w.s.issue_card(&w.pa, "A-3", issue, now()).await);
    // Program B's participant is not on program A's roster; program B numbers its own holders.
    w.s.put_participant(&w.pb, &roster("B-1"), now())
        .await
        .unwrap();
    assert_not_found(w.s.issue_card(&w.pa, "B-1", issue, now()).await);
    let b = w.s.issue_card(&w.pb, "B-1", issue, now()).await.unwrap();
    assert_eq!(b.token.fields().holder, 1);
    let listed = w.s.cards(&w.pb, None).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].expires_day, Some(ISSUE_DAY + 365));
    assert_eq!(listed[0].token, b.token);
}

pub async fn publishing_a_document_twice_is_refused(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let d = document("2026-04");
    w.s.publish_document(&w.pa, &d, now()).await.unwrap();
    let mut changed = d.clone();
    changed.full_text = "別の本文".into();
    assert_already_exists(w.s.publish_document(&w.pa, &changed, now()).await);
    // Another language, version or program is another document.
    let mut en = d.clone();
    en.language = "en".into();
    w.s.publish_document(&w.pa, &en, now()).await.unwrap();
    w.s.publish_document(&w.pa, &document("2026-10"), now())
        .await
        .unwrap();
    w.s.publish_document(&w.pb, &d, now()).await.unwrap();
    let page = w.s.changes_since(&w.a1, 0, 1000, now()).await.unwrap();
    assert_eq!(
        change_types(
            &page
                .changes
                .iter()
                .map(|c| c.change.clone())
                .collect::<Vec<_>>()
        ),
        ["document"; 3]
    );
    assert_eq!(page.changes[0].change, ChangeKind::Document(d));
}

pub async fn unknown_programs_are_not_found(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let p = program_id("nowhere");
    assert_not_found(w.s.put_participant(&p, &roster("A-1"), now()).await);
    let issue = CardIssue {
        issued_day: ISSUE_DAY,
        expires_day: None,
    };
    assert_not_found(w.s.issue_card(&p, "A-1", issue, now()).await);
    assert_not_found(
        w.s.revoke_card(
            &p,
            CardId {
                holder: 1,
                serial: 1,
            },
            now(),
        )
        .await,
    );
    assert_not_found(w.s.cards(&p, None).await);
    assert_not_found(w.s.publish_document(&p, &document("1"), now()).await);
    assert_not_found(w.s.put_purpose(&p, &purpose("m"), now()).await);
    assert_not_found(w.s.put_staff(&p, &staff("x"), now()).await);
    assert_not_found(w.s.awards(&p, "A-1").await);
    assert_not_found(w.s.exchange_points(&p, "A-1", 1, now()).await);
    assert_not_found(w.s.cancel_award(&p, Uuid::from_u128(1), "x", now()).await);
    assert_not_found(w.s.sync_status(Some(&p)).await);
    assert_not_found(w.s.ledger(&p, now()).await);
    assert_not_found(w.s.held_events(&p).await);
}

// --- reads for stations ---------------------------------------------------------------------------

pub async fn history_is_newest_first_limited_and_in_the_ledger(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.enrol("A-1", 100).await;
    w.enrol("A-2", 101).await;
    w.upload(
        &w.a1,
        vec![
            measurement(&w.a1, 1, "A-1", t(0, 0)),
            measurement(&w.a1, 2, "A-1", t(2, 0)),
            measurement(&w.a1, 3, "A-1", t(1, 0)),
            measurement(&w.a1, 4, "A-2", t(1, 0)),
        ],
        now(),
    )
    .await;
    w.upload(&w.a2, vec![measurement(&w.a2, 5, "A-1", t(3, 0))], now())
        .await;
    let before = w.ledger_a().await.len();

    let h =
        w.s.history(&w.a1, "A-1", 100, t(4, 0))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(h.participant, "A-1");
    let ids: Vec<Uuid> = h.measurements.iter().map(|m| m.measurement_id).collect();
    assert_eq!(
        ids,
        [mid(5), mid(2), mid(3), mid(1)],
        "newest first, every station"
    );
    let newest = &h.measurements[0];
    assert_eq!(newest.taken_at, t(3, 0));
    assert_eq!(newest.station, "minami-02");
    assert!(!newest.weight_only);
    assert_eq!(newest.values, serde_json::json!({ "weight_kg": 60.5 }));

    let two =
        w.s.history(&w.a1, "A-1", 2, t(4, 0))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        two.measurements
            .iter()
            .map(|m| m.measurement_id)
            .collect::<Vec<_>>(),
        [mid(5), mid(2)]
    );
    let ledger = w.ledger_a().await;
    assert_eq!(ledger.len(), before + 2);
    assert_entry(
        &ledger[before],
        &w.a1,
        Direction::Sent,
        &["A-1"],
        &["measurement"],
    );
    assert_eq!(ledger[before].at, t(4, 0));

    // Nothing to send: no entry. Unknown participant: None.
    w.enrol("A-3", 102).await;
    let before = w.ledger_a().await.len();
    let none =
        w.s.history(&w.a1, "A-3", 10, t(4, 0))
            .await
            .unwrap()
            .unwrap();
    assert!(none.measurements.is_empty());
    assert_eq!(w.ledger_a().await.len(), before);
    assert_eq!(w.s.history(&w.a1, "A-404", 10, now()).await.unwrap(), None);
}

pub async fn another_programs_station_sees_nothing(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.enrol("A-1", 100).await;
    w.upload(&w.a1, vec![measurement(&w.a1, 1, "A-1", t(0, 0))], now())
        .await;
    let b_ledger = w.s.ledger(&w.pb, Timestamp::from_unix_ms(0)).await.unwrap();
    assert_eq!(w.s.history(&w.b1, "A-1", 10, now()).await.unwrap(), None);
    assert_eq!(w.s.points(&w.b1, "A-1", now()).await.unwrap(), None);
    let page = w.s.changes_since(&w.b1, 0, 1000, now()).await.unwrap();
    assert_eq!(
        (page.changes.len(), page.next_cursor, page.more),
        (0, 0, false)
    );
    // Its upload about A-1 is held: A-1 is not on program B's roster.
    let r = w
        .upload(&w.b1, vec![measurement(&w.b1, 2, "A-1", t(0, 0))], now())
        .await;
    assert_eq!(
        held_reason(&r.acks[0]),
        Some(HeldReason::UnknownParticipant)
    );
    assert_eq!(w.s.awards(&w.pb, "A-1").await.unwrap(), vec![]);
    assert_eq!(w.s.awards(&w.pa, "A-1").await.unwrap().len(), 2);
    assert_eq!(w.balance("A-1").await, 60);
    // Program B's ledger got only its own upload.
    let after = w.s.ledger(&w.pb, Timestamp::from_unix_ms(0)).await.unwrap();
    assert_eq!(after.len(), b_ledger.len() + 1);
    assert_entry(
        after.last().unwrap(),
        &w.b1,
        Direction::Received,
        &["A-1"],
        &["measurement"],
    );
}

// --- oversight ------------------------------------------------------------------------------------

pub async fn sync_status_reports_each_station(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let fresh = w.s.sync_status(None).await.unwrap();
    assert_eq!(fresh.len(), 3);
    let k = &fresh[0];
    assert_eq!(k.station, w.a1.station);
    assert_eq!(k.municipality, municipality_id("kita"));
    assert_eq!(k.place, "kita公民館");
    assert_eq!(
        (
            k.last_seen,
            k.backlog,
            k.last_error.clone(),
            k.events_received
        ),
        (None, 0, None, 0)
    );

    let mut req = batch(vec![calibration(&w.a2, 1), calibration(&w.a2, 2)]);
    req.backlog_after = 17;
    req.last_error = Some("接続タイムアウト / connect timeout".into());
    w.s.ingest(&w.a2, &req, t(0, 3)).await.unwrap();
    let a = w.s.sync_status(Some(&w.pa)).await.unwrap();
    assert_eq!(
        a.iter().map(|s| s.station.to_string()).collect::<Vec<_>>(),
        ["kita-01", "minami-02"],
        "sorted by station id, program A only"
    );
    let m = &a[1];
    assert_eq!(m.last_seen, Some(t(0, 3)));
    assert_eq!(m.backlog, 17);
    assert_eq!(
        m.last_error.as_deref(),
        Some("接続タイムアウト / connect timeout")
    );
    assert_eq!(m.events_received, 2);
    // The next clean upload clears the error and the backlog.
    let mut req = batch(vec![calibration(&w.a2, 3)]);
    req.backlog_after = 0;
    w.s.ingest(&w.a2, &req, t(0, 4)).await.unwrap();
    let m = w.s.sync_status(Some(&w.pa)).await.unwrap().remove(1);
    assert_eq!(
        (m.last_seen, m.backlog, m.last_error, m.events_received),
        (Some(t(0, 4)), 0, None, 3)
    );
    let b = w.s.sync_status(Some(&w.pb)).await.unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].station, w.b1.station);
}

pub async fn touch_station_sets_last_seen(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.s.touch_station(&w.a1.station, t(0, 5)).await.unwrap();
    let seen = |v: Vec<hakaru_central::storage::StationSyncStatus>, id: &StationContext| {
        v.into_iter()
            .find(|s| s.station == id.station)
            .unwrap()
            .last_seen
    };
    assert_eq!(
        seen(w.s.sync_status(None).await.unwrap(), &w.a1),
        Some(t(0, 5))
    );
    assert_eq!(seen(w.s.sync_status(None).await.unwrap(), &w.a2), None);
    w.s.changes_since(&w.a2, 0, 10, t(0, 6)).await.unwrap();
    assert_eq!(
        seen(w.s.sync_status(None).await.unwrap(), &w.a2),
        Some(t(0, 6))
    );
    assert_not_found(w.s.touch_station(&station_id("nowhere-1"), now()).await);
    // At most one write a minute from the bare touch.
    let base = t(1, 0);
    w.s.touch_station(&w.a1.station, base).await.unwrap();
    let later = Timestamp::from_unix_ms(base.as_unix_ms() + 30_000);
    w.s.touch_station(&w.a1.station, later).await.unwrap();
    assert_eq!(
        seen(w.s.sync_status(None).await.unwrap(), &w.a1),
        Some(base),
        "seen 30 s ago: not written again"
    );
    let minute = Timestamp::from_unix_ms(base.as_unix_ms() + 60_000);
    w.s.touch_station(&w.a1.station, minute).await.unwrap();
    assert_eq!(
        seen(w.s.sync_status(None).await.unwrap(), &w.a1),
        Some(minute)
    );
}

// --- concurrency ----------------------------------------------------------------------------------

pub async fn concurrent_uploads_for_one_participant_respect_the_rules(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    w.s.set_points_rules(&w.pa, &rules(30, 50, Some(200)), t(-3, 0))
        .await
        .unwrap();
    w.enrol("A-1", 100).await;
    let w = Arc::new(w);
    // Each station uploads one reading a day for a week (all in November), one batch per reading,
    // all at once: 7 × 30 + 50 = 260 possible, capped at 200.
    let mut tasks = Vec::new();
    for (k, who) in [w.a1.clone(), w.a2.clone()].into_iter().enumerate() {
        for day in 0..7i64 {
            let w = Arc::clone(&w);
            let who = who.clone();
            let n = 1000 * (k as u128 + 1) + day as u128;
            tasks.push(tokio::spawn(async move {
                let e = measurement(&who, n, "A-1", t(day, k as i64));
                w.s.ingest(&who, &batch(vec![e]), now()).await.unwrap()
            }));
        }
    }
    let mut awarded = 0u32;
    for task in tasks {
        let r = task.await.unwrap();
        assert_eq!(r.acks[0].outcome, AckOutcome::Accepted);
        awarded += r.acks[0].points.as_ref().unwrap().awarded;
    }
    let awards = w.s.awards(&w.pa, "A-1").await.unwrap();
    let total: u32 = awards.iter().map(|a| a.points).sum();
    assert_eq!(total, 200, "the cap holds: {awards:?}");
    assert_eq!(awarded, 200, "acks add up to what is stored");
    let mut periods: Vec<_> = awards
        .iter()
        .map(|a| (a.rule_id.clone(), a.period_key.clone()))
        .collect();
    let n = periods.len();
    periods.sort();
    periods.dedup();
    assert_eq!(periods.len(), n, "no period paid twice");
    assert_eq!(
        awards
            .iter()
            .filter(|a| a.rule_id == "monthly-bonus")
            .count(),
        1
    );
    assert_eq!(w.balance("A-1").await, 200);
}
