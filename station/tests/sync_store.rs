//! The store side of syncing, against a real temporary store: a change-feed page applied with
//! its cursor, participants removed with everything held about them, malformed entries
//! skipped and counted, replayed pages left alone, and the points the server answered.

#![allow(clippy::unwrap_used)]

use hakaru_station::domain::{DocumentKind as DomainKind, ParticipantNumber};
use hakaru_station::store::testing::{self, participant, seeded, T0};
use hakaru_station::store::{
    content_hash, CardStatus, Measured, NewMeasurement, Store, StoreConfig,
};
use hakaru_wire::api::{
    CardState, CardStatus as WireCard, Change, ChangeKind, ChangesPage, DocumentKind,
    ParticipantRemoved, ParticipantStatus, PointsAward, PolicyDocument, PurposeDef, RemovalReason,
    RosterEntry, StaffAccount, StaffRole,
};
use hakaru_wire::{Sex, Timestamp};

fn at(min: i64) -> Timestamp {
    Timestamp::from_unix_ms(T0.as_unix_ms() + min * 60_000)
}

fn fresh() -> (tempfile::TempDir, StoreConfig) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = StoreConfig::in_dir(dir.path());
    (dir, cfg)
}

fn entry(number: &str, status: ParticipantStatus) -> RosterEntry {
    RosterEntry {
        participant: number.into(),
        birth_date: "1950-04-01".into(),
        sex: Sex::Female,
        height_tenths_cm: 1555,
        body_type: 0,
        implanted_device: false,
        status,
    }
}

fn page(first_seq: u64, kinds: Vec<ChangeKind>, more: bool) -> ChangesPage {
    let changes: Vec<Change> = kinds
        .into_iter()
        .enumerate()
        .map(|(i, change)| Change {
            seq: first_seq + i as u64,
            change,
        })
        .collect();
    let next_cursor = changes
        .last()
        .map_or(first_seq.saturating_sub(1), |c| c.seq);
    ChangesPage {
        card_program: testing::CARD_PROGRAM,
        changes,
        next_cursor,
        more,
    }
}

fn card(participant: &str, holder: u32, status: WireCard) -> CardState {
    testing::card(&number(participant), holder, 1, status).1
}

fn document(version: &str, text: &str) -> PolicyDocument {
    PolicyDocument {
        kind: DocumentKind::Terms,
        version: version.into(),
        language: "ja".into(),
        effective: "2026-04-01".into(),
        full_text: text.into(),
        needs_fresh_consent: false,
    }
}

fn staff(login: &str, active: bool) -> StaffAccount {
    StaffAccount {
        login: login.into(),
        display_name: "田中".into(),
        role: StaffRole::Technician,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        active,
    }
}

fn number(s: &str) -> ParticipantNumber {
    ParticipantNumber::new(s).unwrap()
}

#[test]
fn a_page_of_every_kind_lands_in_the_store_and_moves_the_cursor() {
    let (_d, cfg) = fresh();
    let mut s = Store::open(&cfg).unwrap();
    assert_eq!(s.sync_cursor().unwrap(), 0);
    let p = page(
        1,
        vec![
            ChangeKind::Participant(entry("A-1", ParticipantStatus::Active)),
            ChangeKind::Participant(entry("A-2", ParticipantStatus::Withdrawn)),
            ChangeKind::Participant(entry("A-3", ParticipantStatus::Stopped)),
            ChangeKind::Card(card("A-1", 100, WireCard::Active)),
            ChangeKind::Card(card("A-2", 200, WireCard::Revoked)),
            ChangeKind::Document(document("2026-04", "利用規約 本文")),
            ChangeKind::Purpose(PurposeDef {
                id: "measurement".into(),
                required: true,
                label_ja: "測定".into(),
                label_en: "measurement".into(),
            }),
            ChangeKind::Staff(staff("tanaka", true)),
        ],
        false,
    );
    let applied = s.apply_changes(&p, at(1)).unwrap();
    assert_eq!(
        (
            applied.participants,
            applied.cards,
            applied.documents,
            applied.purposes,
            applied.staff
        ),
        (3, 2, 1, 1, 1)
    );
    assert_eq!((applied.skipped, applied.already_applied), (0, 0));
    assert_eq!(applied.cursor, 8);
    assert_eq!(s.sync_cursor().unwrap(), 8);

    let profile = s.participant(&number("A-1")).unwrap().unwrap();
    assert_eq!(profile.height_tenths_cm, 1555);
    assert_eq!(profile.sex, hakaru_station::domain::Sex::Female);
    assert_eq!(profile.birth_date.year, 1950);
    assert!(
        s.participant(&number("A-2")).unwrap().is_none(),
        "withdrawn: refused"
    );
    assert!(
        s.participant(&number("A-3")).unwrap().is_none(),
        "stopped: refused"
    );
    assert_eq!(s.card_program().unwrap(), Some(testing::CARD_PROGRAM));
    let a1 = s.cards_of_holder(100).unwrap();
    assert_eq!(
        (a1.len(), &a1[0].participant, a1[0].status),
        (1, &number("A-1"), CardStatus::Active)
    );
    assert_eq!(
        a1[0].tag_sha256,
        card("A-1", 100, WireCard::Active).tag_sha256
    );
    assert_eq!(
        s.cards_of_holder(200).unwrap()[0].status,
        CardStatus::Revoked
    );
    let docs = s.documents().unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].kind, DomainKind::Terms);
    assert_eq!(docs[0].content_hash, content_hash("利用規約 本文"));
    assert_eq!(
        s.document_text(&docs[0].content_hash).unwrap().as_deref(),
        Some("利用規約 本文")
    );
    let purposes = s.purposes().unwrap();
    assert_eq!(purposes.len(), 1);
    assert!(purposes[0].required);
    assert_eq!(
        s.staff_account("tanaka").unwrap(),
        Some(staff("tanaka", true))
    );
    assert_eq!(s.staff_account("nobody").unwrap(), None);

    // A later page changes what was there: the newest change of a thing wins.
    let later = page(
        9,
        vec![
            ChangeKind::Participant(entry("A-1", ParticipantStatus::Withdrawn)),
            ChangeKind::Staff(staff("tanaka", false)),
            ChangeKind::Participant(entry("A-2", ParticipantStatus::Active)),
        ],
        false,
    );
    s.apply_changes(&later, at(2)).unwrap();
    assert!(s.participant(&number("A-1")).unwrap().is_none());
    assert!(s.participant(&number("A-2")).unwrap().is_some());
    assert!(!s.staff_account("tanaka").unwrap().unwrap().active);
    assert_eq!(s.sync_cursor().unwrap(), 11);

    let audit = s.recent_audit(5).unwrap();
    let rows: Vec<_> = audit
        .iter()
        .filter(|r| r.action == "changes_applied")
        .collect();
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert!(
            !r.detail.contains("A-1") && !r.detail.contains("1950") && !r.detail.contains("argon2"),
            "{}",
            r.detail
        );
    }
    s.verify_audit().unwrap();
}

#[test]
fn a_removed_participant_is_purged_with_everything_held_about_them() {
    let (_d, cfg) = fresh();
    let mut s = seeded(&cfg, 2).unwrap();
    let gone = participant(0);
    let kept = participant(1);
    for (who, min) in [(&gone, 1), (&kept, 2)] {
        let r = testing::reading(testing::F2);
        s.record_measurement(
            &NewMeasurement {
                id: hakaru_station::store::new_id(at(min)),
                participant: who,
                reading: Measured::Composition(&r),
                weight_only: false,
            },
            at(min),
        )
        .unwrap();
    }
    let (_, gone_card) = testing::card(&gone, 9, 1, WireCard::Active);
    testing::sync_cards(&mut s, &[gone_card], at(3)).unwrap();
    let before = s.pending_events().unwrap();
    let p = page(
        2,
        vec![ChangeKind::ParticipantRemoved(ParticipantRemoved {
            participant: gone.as_str().into(),
            reason: RemovalReason::Erased,
        })],
        false,
    );
    let applied = s.apply_changes(&p, at(4)).unwrap();
    assert_eq!(applied.removed, 1);
    assert!(s.participant(&gone).unwrap().is_none());
    assert!(s.history(&gone, 10).unwrap().is_empty());
    assert!(s.latest_consent(&gone).unwrap().is_none());
    assert!(s.cards_of_holder(9).unwrap().is_empty());
    assert_eq!(
        testing::measurement_count(&s).unwrap(),
        1,
        "the other participant's stays"
    );
    assert_eq!(s.history(&kept, 10).unwrap().len(), 1);
    // The removed participant's queued consent and measurement events go too.
    assert_eq!(s.pending_events().unwrap(), before - 2);
    let audit = s.recent_audit(3).unwrap();
    let purge = audit
        .iter()
        .find(|r| r.action == "participants_purged")
        .unwrap();
    assert!(
        purge.detail.contains("\"measurements\":1"),
        "{}",
        purge.detail
    );
    assert!(!purge.detail.contains(gone.as_str()), "{}", purge.detail);
    s.verify_audit().unwrap();
}

#[test]
fn malformed_entries_are_skipped_and_counted_and_never_wedge_the_feed() {
    let (_d, cfg) = fresh();
    let mut s = Store::open(&cfg).unwrap();
    let mut bad_date = entry("B-1", ParticipantStatus::Active);
    bad_date.birth_date = "1950-02-30".into();
    let mut bad_height = entry("B-2", ParticipantStatus::Active);
    bad_height.height_tenths_cm = 0;
    let mut bad_body = entry("B-3", ParticipantStatus::Active);
    bad_body.body_type = 7;
    let bad_number = entry("has space", ParticipantStatus::Active);
    let mut bad_effective = document("v2", "text");
    bad_effective.effective = "2026-4-1".into();
    let p = page(
        41,
        vec![
            ChangeKind::Participant(bad_date),
            ChangeKind::Participant(entry("G-1", ParticipantStatus::Active)),
            ChangeKind::Participant(bad_height),
            ChangeKind::Participant(bad_body),
            ChangeKind::Participant(bad_number),
            ChangeKind::Card(card("NOT-HERE", 1, WireCard::Active)),
            ChangeKind::Document(bad_effective),
            ChangeKind::Card(card("G-1", 2, WireCard::Active)),
        ],
        false,
    );
    let applied = s.apply_changes(&p, at(1)).unwrap();
    assert_eq!(applied.skipped, 6);
    assert_eq!((applied.participants, applied.cards), (1, 1));
    assert_eq!(
        s.sync_cursor().unwrap(),
        48,
        "the cursor moves past the bad entries"
    );
    assert!(s.participant(&number("G-1")).unwrap().is_some());
    assert!(s.participant(&number("B-1")).unwrap().is_none());
    assert!(s.documents().unwrap().is_empty());
    assert!(s.cards_of_holder(1).unwrap().is_empty());
    let row = s.recent_audit(1).unwrap().remove(0);
    assert_eq!(row.action, "changes_applied");
    assert!(row.detail.contains("\"skipped\":6"), "{}", row.detail);
}

#[test]
fn a_replayed_or_older_page_changes_nothing_and_never_moves_the_cursor_back() {
    let (_d, cfg) = fresh();
    let mut s = Store::open(&cfg).unwrap();
    let first = page(
        1,
        vec![ChangeKind::Participant(entry(
            "A-1",
            ParticipantStatus::Active,
        ))],
        false,
    );
    let second = page(
        2,
        vec![ChangeKind::Participant(entry(
            "A-1",
            ParticipantStatus::Withdrawn,
        ))],
        false,
    );
    s.apply_changes(&first, at(1)).unwrap();
    s.apply_changes(&second, at(2)).unwrap();
    let audit_rows = s.recent_audit(100).unwrap().len();
    // The older page arrives again (a retried request answered late).
    let replay = s.apply_changes(&first, at(3)).unwrap();
    assert_eq!(replay.already_applied, 1);
    assert_eq!(replay.applied(), 0);
    assert_eq!(s.sync_cursor().unwrap(), 2);
    assert!(
        s.participant(&number("A-1")).unwrap().is_none(),
        "the older 'active' does not undo the newer withdrawal"
    );
    assert_eq!(
        s.recent_audit(100).unwrap().len(),
        audit_rows,
        "nothing to audit"
    );
    // An empty page at the cursor is a no-op.
    let empty = ChangesPage {
        card_program: testing::CARD_PROGRAM,
        changes: vec![],
        next_cursor: 2,
        more: false,
    };
    assert_eq!(s.apply_changes(&empty, at(4)).unwrap().cursor, 2);
}

#[test]
fn the_cursor_survives_reopening_the_store() {
    let (_d, cfg) = fresh();
    {
        let mut s = Store::open(&cfg).unwrap();
        s.apply_changes(
            &page(5, vec![ChangeKind::Staff(staff("sato", true))], false),
            at(1),
        )
        .unwrap();
    }
    let s = Store::open(&cfg).unwrap();
    assert_eq!(s.sync_cursor().unwrap(), 5);
    assert!(s.staff_account("sato").unwrap().is_some());
}

#[test]
fn points_answers_are_kept_per_measurement_and_a_replay_leaves_one_row() {
    let (_d, cfg) = fresh();
    let mut s = Store::open(&cfg).unwrap();
    let m = hakaru_station::store::new_id(at(1));
    let other = hakaru_station::store::new_id(at(2));
    assert_eq!(s.points_for(m).unwrap(), None);
    let award = PointsAward {
        awarded: 10,
        balance: 530,
        rules: vec!["daily".into(), "first_of_month".into()],
        capped: false,
    };
    s.record_points_ack(m, &award, at(3)).unwrap();
    s.record_points_ack(m, &award, at(4)).unwrap();
    let got = s.points_for(m).unwrap().unwrap();
    assert_eq!((got.awarded, got.balance, got.capped), (10, 530, false));
    assert_eq!(got.rules, vec!["daily", "first_of_month"]);
    assert_eq!(got.acked_at, at(4));
    assert_eq!(s.points_for(other).unwrap(), None);
    assert!(
        !format!("{got:?}").contains("530"),
        "balance is redacted in Debug"
    );
    let zero = PointsAward {
        awarded: 0,
        balance: 530,
        rules: vec![],
        capped: true,
    };
    s.record_points_acks(&[(other, &zero)], at(5)).unwrap();
    assert!(s.points_for(other).unwrap().unwrap().capped);
    s.verify_audit().unwrap();
}
