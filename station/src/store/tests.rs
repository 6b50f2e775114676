//! Unit tests of the store, named after what they prove.

use super::testing::{self, participant, reading, seeded, T0};
use super::*;
use crate::domain::{
    ConsentDecision, ConsentMethod, Date, DocumentKind, DocumentVersion, PurposeId,
};
use hakaru_wire::api::CardStatus as WireCardStatus;
use hakaru_wire::{ConsentAction, EventKind};

fn at_minutes(m: i64) -> Timestamp {
    Timestamp::from_unix_ms(T0.as_unix_ms() + m * 60_000)
}

fn fresh() -> (tempfile::TempDir, StoreConfig) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = StoreConfig::in_dir(dir.path());
    (dir, cfg)
}

fn record(
    store: &mut Store,
    who: u32,
    frame: &[u8],
    weight_only: bool,
    now: Timestamp,
) -> Recorded {
    let r = reading(frame);
    let p = participant(who);
    let m = NewMeasurement {
        id: new_id(now),
        participant: &p,
        reading: Measured::Composition(&r),
        weight_only,
    };
    store.record_measurement(&m, now).unwrap()
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_new_store_uses_wal_full_sync_and_the_current_schema() {
    let (_d, cfg) = fresh();
    let store = Store::open(&cfg).unwrap();
    let mode: String = store
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    let sync: i64 = store
        .conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(sync, 2, "FULL");
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.retention_days().unwrap(), DEFAULT_RETENTION_DAYS);
}

#[test]
fn reopening_with_the_same_key_finds_the_same_data() {
    let (_d, cfg) = fresh();
    {
        let mut s = seeded(&cfg, 2).unwrap();
        record(&mut s, 0, testing::F1, false, at_minutes(1));
    }
    let s = Store::open(&cfg).unwrap();
    assert_eq!(s.station_id(), Some(&testing::station()));
    assert_eq!(s.history(&participant(0), 10).unwrap().len(), 1);
}

#[test]
fn a_wrong_key_is_a_clear_error_and_leaves_the_file_alone() {
    let (dir, cfg) = fresh();
    seeded(&cfg, 1).unwrap();
    let before = std::fs::read(&cfg.db_path).unwrap();
    let other = tempfile::tempdir().unwrap();
    let wrong = StoreConfig {
        db_path: cfg.db_path.clone(),
        key_path: other.path().join("other.key"),
    };
    // The other key file must exist for this to be a *wrong* key rather than a missing one.
    std::fs::copy(dir.path().join("station.key"), &wrong.key_path).unwrap();
    let mut bytes = std::fs::read(&wrong.key_path).unwrap();
    bytes[0] ^= 0xff;
    std::fs::write(&wrong.key_path, &bytes).unwrap();
    let err = Store::open(&wrong).unwrap_err();
    assert!(matches!(err, StoreError::WrongKey { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.starts_with("暗号鍵が一致しません"), "{msg}");
    assert!(
        msg.contains("the key does not open this store: restore the key file"),
        "{msg}"
    );
    assert_eq!(std::fs::read(&cfg.db_path).unwrap(), before);
}

#[test]
fn an_existing_store_whose_key_file_is_gone_is_an_error_not_a_new_store() {
    let (_d, cfg) = fresh();
    seeded(&cfg, 1).unwrap();
    std::fs::remove_file(&cfg.key_path).unwrap();
    let err = Store::open(&cfg).unwrap_err();
    assert!(matches!(err, StoreError::KeyMissing { .. }), "{err:?}");
    assert!(!cfg.key_path.exists());
}

#[test]
fn a_file_made_by_schema_version_1_is_upgraded_in_place_and_keeps_its_data() {
    let (_d, cfg) = fresh();
    let id;
    {
        let mut v1 = Store::open_at_version(&cfg, 1).unwrap();
        assert_eq!(v1.schema_version().unwrap(), 1);
        let idx = count(
            &v1,
            "SELECT count(*) FROM sqlite_master WHERE name = 'measurements_history'",
        );
        assert_eq!(idx, 0, "version 1 has no history index");
        v1.enroll(&testing::station(), T0).unwrap();
        v1.upsert_participants(&[(participant(0), testing::profile(false))], T0)
            .unwrap();
        v1.record_consent(
            &participant(0),
            ConsentAction::Given,
            &testing::consent_all(),
            T0,
        )
        .unwrap();
        id = record(&mut v1, 0, testing::F1, false, at_minutes(1)).measurement_id;
    }
    let s = Store::open(&cfg).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM sqlite_master WHERE name = 'measurements_history'"
        ),
        1
    );
    assert_eq!(s.setting("retention_days").unwrap().as_deref(), Some("30"));
    let h = s.history(&participant(0), 5).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].id, id);
    s.verify_audit().unwrap();
}

#[test]
fn a_file_from_a_newer_build_is_refused_untouched() {
    let (_d, cfg) = fresh();
    {
        let s = Store::open(&cfg).unwrap();
        s.conn
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let err = Store::open(&cfg).unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found, supported } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
        "{err:?}"
    );
    assert!(err.to_string().contains("update the software"));
    // Still the newer version: nothing was downgraded or re-migrated.
    let key = key::load_or_create(&cfg.key_path, &cfg.db_path).unwrap();
    let conn = rusqlite::Connection::open(&cfg.db_path).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"{}\";", key.pragma_value()))
        .unwrap();
    assert_eq!(schema::user_version(&conn).unwrap(), SCHEMA_VERSION + 1);
}

#[test]
fn recording_writes_exactly_one_measurement_outbox_event_and_audit_row() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 1).unwrap();
    let rec = record(&mut s, 0, testing::F1, false, at_minutes(1));
    let trails = s.measurement_trails().unwrap();
    assert_eq!(
        trails.get(&rec.measurement_id),
        Some(&MeasurementTrail {
            measurements: 1,
            outbox_events: 1,
            audit_rows: 1
        })
    );
    assert!(!rec.weight_only && !rec.raw_frame_dropped);
    let StoredFrame { raw, dropped } = s.raw_frame(rec.measurement_id).unwrap().unwrap();
    assert_eq!(raw.as_deref(), Some(testing::F1));
    assert!(!dropped);
    let h = s.history(&participant(0), 1).unwrap();
    assert_eq!(h[0].values.expose()["weight"], serde_json::json!(67.6));
    let impedances = h[0].values.expose()["impedances"]
        .as_array()
        .unwrap()
        .clone();
    assert!(impedances
        .iter()
        .any(|i| i["key"] == "RH" && i["ohms"] == 586.1));
    s.verify_audit().unwrap();
}

#[test]
fn weight_only_for_an_implanted_device_keeps_no_impedance_or_composition_value() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 2).unwrap(); // participant 1 has an implanted device
                                          // The session did not ask (false): the roster flag forces weight-only anyway.
    let rec = record(&mut s, 1, testing::F1, false, at_minutes(1));
    assert!(rec.weight_only && rec.raw_frame_dropped);
    let StoredFrame { raw, dropped } = s.raw_frame(rec.measurement_id).unwrap().unwrap();
    assert_eq!(raw, None, "the raw frame carried impedances");
    assert!(dropped);
    let stored: String = s
        .conn
        .query_row("SELECT reading_json FROM measurements", [], |r| r.get(0))
        .unwrap();
    let batch = s.next_batch(100).unwrap();
    let payload = serde_json::to_string(&batch.last().unwrap()).unwrap();
    for text in [&stored, &payload] {
        for banned in [
            "impedances",
            "phase_angles",
            "fat_percent",
            "muscle_mass",
            "\"RH\"",
            "586.1",
            "segments",
        ] {
            assert!(!text.contains(banned), "{banned} in {text}");
        }
        assert!(text.contains("67.6"), "the weight is kept");
    }
    let v: serde_json::Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(v["weight"], serde_json::json!(67.6));
    assert_eq!(v["height"], serde_json::json!(175.5));
}

#[test]
fn weight_only_keeps_the_raw_frame_when_it_carries_no_impedance() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 1).unwrap();
    let rec = record(&mut s, 0, testing::F2, true, at_minutes(1));
    assert!(rec.weight_only && !rec.raw_frame_dropped);
    let raw = s.raw_frame(rec.measurement_id).unwrap().unwrap().raw;
    assert_eq!(raw.as_deref(), Some(testing::F2));
}

#[test]
fn the_sessions_weight_only_answer_is_honoured_for_anyone() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 1).unwrap();
    let rec = record(&mut s, 0, testing::F5, true, at_minutes(1));
    assert!(rec.weight_only && rec.raw_frame_dropped);
    let h = s.history(&participant(0), 1).unwrap();
    assert!(h[0].weight_only);
    assert!(h[0].values.expose().get("impedances").is_none());
    assert!(h[0].values.expose().get("fat_percent").is_none());
}

#[test]
fn a_plain_weight_line_is_recorded_with_its_raw_line() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 1).unwrap();
    let w = hakaru_devices::scale::WeightReading::parse(b"ST,GS,+0067.60kg").unwrap();
    let p = participant(0);
    let id = new_id(at_minutes(1));
    let rec = s
        .record_measurement(
            &NewMeasurement {
                id,
                participant: &p,
                reading: Measured::Weight(&w),
                weight_only: false,
            },
            at_minutes(1),
        )
        .unwrap();
    let raw = s.raw_frame(rec.measurement_id).unwrap().unwrap().raw;
    assert_eq!(raw.as_deref(), Some(&b"ST,GS,+0067.60kg"[..]));
}

#[test]
fn no_reading_is_stored_without_consent_given() {
    let (_d, cfg) = fresh();
    let mut s = Store::open(&cfg).unwrap();
    s.enroll(&testing::station(), T0).unwrap();
    s.upsert_participants(&[(participant(0), testing::profile(false))], T0)
        .unwrap();
    let r = reading(testing::F1);
    let p = participant(0);
    let m = |now| NewMeasurement {
        id: new_id(now),
        participant: &p,
        reading: Measured::Composition(&r),
        weight_only: false,
    };
    let err = s
        .record_measurement(&m(at_minutes(1)), at_minutes(1))
        .unwrap_err();
    assert!(matches!(err, StoreError::NoConsent), "{err:?}");
    s.record_consent(
        &p,
        ConsentAction::Given,
        &testing::consent_all(),
        at_minutes(2),
    )
    .unwrap();
    s.record_measurement(&m(at_minutes(3)), at_minutes(3))
        .unwrap();
    s.record_consent(
        &p,
        ConsentAction::Withdrawn,
        &testing::consent_all(),
        at_minutes(4),
    )
    .unwrap();
    let err = s
        .record_measurement(&m(at_minutes(5)), at_minutes(5))
        .unwrap_err();
    assert!(matches!(err, StoreError::NoConsent), "{err:?}");
    assert_eq!(count(&s, "SELECT count(*) FROM measurements"), 1);
}

#[test]
fn a_reading_for_someone_not_on_the_roster_is_refused() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 1).unwrap();
    let r = reading(testing::F1);
    let stranger = participant(99);
    let m = NewMeasurement {
        id: new_id(T0),
        participant: &stranger,
        reading: Measured::Composition(&r),
        weight_only: false,
    };
    assert!(matches!(
        s.record_measurement(&m, T0),
        Err(StoreError::UnknownParticipant)
    ));
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM outbox WHERE kind = 'measurement_recorded'"
        ),
        0
    );
}

#[test]
fn an_unenrolled_station_records_nothing() {
    let (_d, cfg) = fresh();
    let mut s = Store::open(&cfg).unwrap();
    let err = s
        .record_consent(
            &participant(0),
            ConsentAction::Given,
            &testing::consent_all(),
            T0,
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::NotEnrolled));
}

#[test]
fn recording_the_same_id_twice_is_refused_and_stores_it_once() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 1).unwrap();
    let r = reading(testing::F1);
    let p = participant(0);
    let m = NewMeasurement {
        id: new_id(T0),
        participant: &p,
        reading: Measured::Composition(&r),
        weight_only: false,
    };
    s.record_measurement(&m, T0).unwrap();
    let err = s.record_measurement(&m, T0).unwrap_err();
    assert!(matches!(err, StoreError::DuplicateMeasurement(id) if id == m.id));
    assert_eq!(
        s.measurement_trails().unwrap()[&m.id],
        MeasurementTrail {
            measurements: 1,
            outbox_events: 1,
            audit_rows: 1
        }
    );
}

#[test]
fn measurements_cannot_be_updated_or_deleted_outside_the_purge() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 1).unwrap();
    record(&mut s, 0, testing::F1, false, at_minutes(1));
    let upd = s
        .conn
        .execute("UPDATE measurements SET reading_json = '{}'", [])
        .unwrap_err();
    assert!(upd.to_string().contains("immutable"), "{upd}");
    let del = s.conn.execute("DELETE FROM measurements", []).unwrap_err();
    assert!(del.to_string().contains("retention purge"), "{del}");
    assert_eq!(count(&s, "SELECT count(*) FROM measurements"), 1);
    let audit = s.conn.execute("DELETE FROM audit_log", []).unwrap_err();
    assert!(audit.to_string().contains("append-only"));
}

#[test]
fn the_outbox_sends_the_consent_before_the_measurement_and_forgets_acknowledged_payloads() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 1).unwrap();
    let rec = record(&mut s, 0, testing::F1, false, at_minutes(1));
    let batch = s.next_batch(10).unwrap();
    assert_eq!(batch.len(), 2);
    assert!(matches!(batch[0].kind, EventKind::ConsentRecorded(_)));
    match &batch[1].kind {
        EventKind::MeasurementRecorded(m) => {
            assert_eq!(m.measurement_id, rec.measurement_id);
            assert_eq!(m.participant, "P-000000");
            assert_eq!(m.analyzer_model.as_deref(), Some("MC-780"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(batch[1].id, rec.event_id);
    assert_eq!(batch[1].station, "kita-community-01");
    assert_eq!(batch[1].id.0.get_version_num(), 7);
    assert_eq!(s.next_batch(1).unwrap().len(), 1, "max is honoured");
    assert_eq!(s.acknowledge(&[batch[0].id], at_minutes(2)).unwrap(), 1);
    assert_eq!(
        s.acknowledge(&[batch[0].id], at_minutes(2)).unwrap(),
        0,
        "twice is harmless"
    );
    let next = s.next_batch(10).unwrap();
    assert_eq!(
        next.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![rec.event_id]
    );
    assert_eq!(s.pending_events().unwrap(), 1);
    let nulls = count(
        &s,
        "SELECT count(*) FROM outbox WHERE acked_at IS NOT NULL AND payload IS NULL",
    );
    assert_eq!(nulls, 1);
}

#[test]
fn retention_purges_only_acknowledged_measurements_older_than_the_period() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 1).unwrap();
    let old_acked = record(&mut s, 0, testing::F1, false, at_minutes(1));
    let old_pending = record(&mut s, 0, testing::F1, false, at_minutes(2));
    let day = 24 * 60;
    let recent_acked = record(&mut s, 0, testing::F1, false, at_minutes(20 * day));
    s.acknowledge(
        &[old_acked.event_id, recent_acked.event_id],
        at_minutes(20 * day + 1),
    )
    .unwrap();
    let report = s.purge_expired(at_minutes(31 * day)).unwrap();
    assert_eq!(report.measurements, 1);
    let left: Vec<_> = s
        .history(&participant(0), 10)
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(
        left,
        vec![recent_acked.measurement_id, old_pending.measurement_id]
    );
    let row = &s.recent_audit(1).unwrap()[0];
    assert_eq!(row.action, "retention_purge");
    let detail: serde_json::Value = serde_json::from_str(&row.detail).unwrap();
    assert_eq!(detail["measurements"], 1);
    assert_eq!(detail["older_than_days"], 30);
    assert!(!row.detail.contains("P-000000"));
    s.verify_audit().unwrap();
}

#[test]
fn the_retention_period_is_configurable() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 1).unwrap();
    let rec = record(&mut s, 0, testing::F1, false, at_minutes(1));
    s.acknowledge(&[rec.event_id], at_minutes(2)).unwrap();
    let day = 24 * 60;
    assert_eq!(
        s.purge_expired(at_minutes(8 * day)).unwrap().measurements,
        0
    );
    s.set_retention_days(7, at_minutes(8 * day)).unwrap();
    assert_eq!(s.retention_days().unwrap(), 7);
    assert_eq!(
        s.purge_expired(at_minutes(8 * day)).unwrap().measurements,
        1
    );
}

#[test]
fn purging_withdrawn_participants_removes_all_their_data_and_logs_only_counts() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 3).unwrap();
    record(&mut s, 0, testing::F1, false, at_minutes(1));
    record(&mut s, 0, testing::F1, false, at_minutes(2));
    let (_, card) = testing::card(&participant(0), 1, 1, WireCardStatus::Active);
    testing::sync_cards(&mut s, &[card], at_minutes(3)).unwrap();
    let keep = record(&mut s, 2, testing::F1, false, at_minutes(4));
    let report = s
        .purge_participants(&[participant(0)], RosterRemoval::Withdrawn, at_minutes(5))
        .unwrap();
    assert_eq!(
        report,
        PurgeReport {
            measurements: 2,
            outbox_events: 3,
            consents: 1,
            cards: 1,
            participants: 1
        }
    );
    assert!(s.participant(&participant(0)).unwrap().is_none());
    assert!(s.history(&participant(0), 10).unwrap().is_empty());
    assert!(s.cards_of_holder(1).unwrap().is_empty());
    assert_eq!(
        s.history(&participant(2), 10).unwrap()[0].id,
        keep.measurement_id
    );
    let row = &s.recent_audit(1).unwrap()[0];
    assert_eq!(row.action, "participants_purged");
    assert!(
        row.detail.contains("\"reason\":\"withdrawn\""),
        "{}",
        row.detail
    );
    assert!(!row.detail.contains("P-000000"));
    s.verify_audit().unwrap();
}

#[test]
fn history_is_newest_first_limited_and_for_that_participant_only() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 3).unwrap();
    let ids: Vec<_> = (0..5)
        .map(|i| record(&mut s, 0, testing::F1, false, at_minutes(i)).measurement_id)
        .collect();
    record(&mut s, 2, testing::F5, false, at_minutes(10));
    let h = s.history(&participant(0), 3).unwrap();
    assert_eq!(
        h.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[4], ids[3], ids[2]]
    );
    assert_eq!(h[0].taken_at, at_minutes(4));
    assert!(
        !format!("{h:?}").contains("67.6"),
        "history Debug is redacted"
    );
}

#[test]
fn the_history_query_walks_the_participant_index_not_the_table() {
    let (_d, cfg) = fresh();
    let s = Store::open(&cfg).unwrap();
    let plan: Vec<String> = s
        .conn
        .prepare(
            "EXPLAIN QUERY PLAN SELECT id, taken_at, analyzer_model, weight_only, reading_json FROM measurements
             WHERE participant = ?1 ORDER BY taken_at DESC LIMIT ?2",
        )
        .unwrap()
        .query_map(rusqlite::params!["P-1", 10], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let plan = plan.join(" | ");
    assert!(plan.contains("USING INDEX measurements_history"), "{plan}");
    assert!(!plan.contains("TEMP B-TREE"), "no sort step: {plan}");
}

#[test]
fn current_documents_are_the_latest_in_force_and_must_match_their_hash() {
    let (_d, cfg) = fresh();
    let mut s = Store::open(&cfg).unwrap();
    let doc = |version: &str, month: u8, text: &str| DocumentVersion {
        kind: DocumentKind::Terms,
        version: version.into(),
        language: "ja".into(),
        effective: Date {
            year: 2026,
            month,
            day: 1,
        },
        content_hash: roster::content_hash(text),
        needs_fresh_consent: true,
    };
    s.put_document(&doc("2026-01", 1, "規約 1"), "規約 1", T0)
        .unwrap();
    s.put_document(&doc("2026-07", 7, "規約 2"), "規約 2", T0)
        .unwrap();
    let june = s
        .current_documents(
            "ja",
            Date {
                year: 2026,
                month: 6,
                day: 30,
            },
        )
        .unwrap();
    assert_eq!(june.len(), 1);
    assert_eq!(june[0].version, "2026-01");
    let july = s
        .current_documents(
            "ja",
            Date {
                year: 2026,
                month: 7,
                day: 1,
            },
        )
        .unwrap();
    assert_eq!(july[0].version, "2026-07");
    assert_eq!(
        s.document_text(&july[0].content_hash).unwrap().as_deref(),
        Some("規約 2")
    );
    // The whole history, for the session's "fresh consent in between" rule.
    let all: Vec<String> = s
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| d.version)
        .collect();
    assert_eq!(all, ["2026-01", "2026-07"]);
    let err = s
        .put_document(&doc("2026-08", 8, "本物"), "改ざん", T0)
        .unwrap_err();
    assert!(matches!(err, StoreError::DocumentHashMismatch { .. }));
}

#[test]
fn consents_keep_documents_purposes_method_and_station() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 1).unwrap();
    let decision = ConsentDecision {
        document_hashes: vec!["a".repeat(64)],
        granted: vec![PurposeId("service".into())],
        refused: vec![PurposeId("research".into())],
        method: ConsentMethod::StaffWitnessedPaper,
    };
    s.record_consent(
        &participant(0),
        ConsentAction::Given,
        &decision,
        at_minutes(9),
    )
    .unwrap();
    let c = s.latest_consent(&participant(0)).unwrap().unwrap();
    assert_eq!(c.decision, decision);
    assert_eq!(c.station, "kita-community-01");
    assert_eq!(c.decided_at, at_minutes(9));
    assert_eq!(c.id.get_version_num(), 7);
}

#[test]
fn staff_revoking_a_card_queues_a_card_revoked_event_once() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 2).unwrap();
    let (_, card) = testing::card(&participant(0), 4, 2, WireCardStatus::Active);
    testing::sync_cards(&mut s, &[card], at_minutes(1)).unwrap();
    assert_eq!(s.card_program().unwrap(), Some(testing::CARD_PROGRAM));
    let held = s.cards_of_holder(4).unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!((held[0].serial, held[0].status), (2, CardStatus::Active));
    // Not this participant's card, or no such card: nothing happens.
    assert_eq!(
        s.revoke_card(4, 2, &participant(1), at_minutes(2)).unwrap(),
        None
    );
    assert_eq!(
        s.revoke_card(4, 3, &participant(0), at_minutes(2)).unwrap(),
        None
    );
    let ev = s
        .revoke_card(4, 2, &participant(0), at_minutes(2))
        .unwrap()
        .expect("an active card is revoked");
    assert_eq!(s.cards_of_holder(4).unwrap()[0].status, CardStatus::Revoked);
    let batch = s.next_batch(10).unwrap();
    let revoked: Vec<_> = batch
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::CardRevoked(c) => Some((e.id, c.card_id.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(revoked, [(ev, "4-2".to_owned())]);
    // Revoking again is a no-op.
    assert_eq!(
        s.revoke_card(4, 2, &participant(0), at_minutes(3)).unwrap(),
        None
    );
}

#[test]
fn debug_output_of_the_store_types_shows_no_personal_value() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 1).unwrap();
    let rec = record(&mut s, 0, testing::F1, false, at_minutes(1));
    let r = reading(testing::F1);
    let p = participant(0);
    let m = NewMeasurement {
        id: rec.measurement_id,
        participant: &p,
        reading: Measured::Composition(&r),
        weight_only: false,
    };
    let text = format!("{s:?} {rec:?} {m:?} {:?}", s.history(&p, 1).unwrap());
    assert!(
        !text.contains("P-000000") && !text.contains("67.6"),
        "{text}"
    );
}

// --- audit chain ---------------------------------------------------------------------------

/// A store with a handful of audit rows; returns it and the number of rows.
fn audited() -> (tempfile::TempDir, Store, i64) {
    let (d, cfg) = fresh();
    let mut s = seeded(&cfg, 1).unwrap();
    record(&mut s, 0, testing::F1, false, at_minutes(1));
    record(&mut s, 0, testing::F2, false, at_minutes(2));
    s.set_retention_days(10, at_minutes(3)).unwrap();
    let rows = count(&s, "SELECT count(*) FROM audit_log");
    assert!(rows >= 6);
    s.conn
        .execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    (d, s, rows)
}

#[test]
fn an_untouched_audit_chain_verifies() {
    let (_d, s, rows) = audited();
    s.verify_audit().unwrap();
    assert_eq!(s.recent_audit(100).unwrap().len() as i64, rows);
}

#[test]
fn editing_any_single_audit_row_is_detected_and_named() {
    let rows = audited().2;
    for k in 1..=rows {
        let (_d, s, _) = audited();
        s.conn
            .execute(
                "UPDATE audit_log SET detail = detail || ' ' WHERE id = ?1",
                [k],
            )
            .unwrap();
        let err = s.verify_audit().unwrap_err();
        assert!(
            matches!(err, AuditError::Broken(AuditBreak { row_id, reason: BreakReason::Edited }) if row_id == k),
            "row {k}: {err:?}"
        );
    }
}

#[test]
fn deleting_any_single_audit_row_including_the_last_is_detected_and_named() {
    let rows = audited().2;
    for k in 1..=rows {
        let (_d, s, _) = audited();
        s.conn
            .execute("DELETE FROM audit_log WHERE id = ?1", [k])
            .unwrap();
        let err = s.verify_audit().unwrap_err();
        assert!(
            matches!(err, AuditError::Broken(AuditBreak { row_id, reason: BreakReason::Missing }) if row_id == k),
            "row {k}: {err:?}"
        );
    }
}

#[test]
fn rewriting_a_row_with_a_recomputed_hash_breaks_the_link_to_the_next_row_or_the_head() {
    let rows = audited().2;
    for k in 1..=rows {
        let (_d, s, _) = audited();
        let (prev, at, action): (String, i64, String) = s
            .conn
            .query_row(
                "SELECT prev_hash, at, action FROM audit_log WHERE id = ?1",
                [k],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        let forged = "{\"forged\":true}";
        let hash = audit::chain_hash(&prev, k, at, &action, forged);
        s.conn
            .execute(
                "UPDATE audit_log SET detail = ?2, hash = ?3 WHERE id = ?1",
                rusqlite::params![k, forged, hash],
            )
            .unwrap();
        let err = s.verify_audit().unwrap_err();
        let expected = if k == rows {
            AuditBreak {
                row_id: k,
                reason: BreakReason::HeadMismatch,
            }
        } else {
            AuditBreak {
                row_id: k + 1,
                reason: BreakReason::BrokenLink,
            }
        };
        assert!(
            matches!(&err, AuditError::Broken(b) if *b == expected),
            "row {k}: {err:?}"
        );
    }
}

#[test]
fn an_audit_break_message_says_what_to_do_in_japanese_first() {
    let b = AuditBreak {
        row_id: 4,
        reason: BreakReason::Missing,
    };
    let msg = b.to_string();
    assert!(msg.starts_with("監査ログの 4 行目"), "{msg}");
    assert!(msg.contains("call a technician"));
}

/// The stored `reading_json` (composition, weight-only with the frame dropped, weight-only with
/// the frame kept) and the session's weight-only copy stay exactly what they were before the
/// decoder's pairs became spans into the frame's bytes. Regenerate with
/// `HAKARU_WRITE_SNAPSHOT=1` after an intended change, and review the diff.
#[test]
fn stored_reading_json_matches_the_snapshot() {
    const SNAPSHOT: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/store/snapshots/reading_json.txt"
    );
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 2).unwrap(); // participant 1 has an implanted device
    record(&mut s, 0, testing::F1, false, at_minutes(1));
    record(&mut s, 1, testing::F1, false, at_minutes(2));
    record(&mut s, 0, testing::F2, true, at_minutes(3));
    record(&mut s, 0, testing::F5, true, at_minutes(4));
    let mut stmt = s
        .conn
        .prepare("SELECT reading_json FROM measurements ORDER BY taken_at")
        .unwrap();
    let mut got: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for frame in [testing::F1, testing::F2, testing::F5] {
        let session_copy = crate::session::measurement::weight_only(&reading(frame));
        got.push(serde_json::to_string(&session_copy).unwrap());
    }
    let got = got.join("\n") + "\n";
    if std::env::var_os("HAKARU_WRITE_SNAPSHOT").is_some() {
        std::fs::write(SNAPSHOT, &got).unwrap();
    }
    let want = std::fs::read_to_string(SNAPSHOT).unwrap();
    assert!(got == want, "reading JSON differs from {SNAPSHOT}");
}
