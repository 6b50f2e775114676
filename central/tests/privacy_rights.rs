//! The privacy policy's promises about rights requests (開示・訂正・消去・利用停止・同意の撤回),
//! each checked on BOTH backends (a fresh SQLite file and a fresh PostgreSQL schema per case):
//! the ledger's due dates, the disclosure of everything held, corrections with the old value
//! kept, withdrawal, stop of use and erasure sent to every station by roster sync, and each
//! station's next sync confirming it.
//!
//! PostgreSQL comes from `HAKARU_TEST_DATABASE_URL` (default: the one `scripts/postgres` makes);
//! without it these tests FAIL, never skip. Deliberately not here: the admin CLI's words
//! (`privacy_rights_cli` cases at the bottom drive the real binary for the PDF).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod backends;
mod cli_support;
#[macro_use]
#[allow(unused_macros, unused_imports)]
mod contract;

use backends::{fresh_postgres, fresh_sqlite};
use contract::*;
use hakaru_central::rights::dates::Date;
use hakaru_central::storage::audit::AuditCheck;
use hakaru_central::storage::export::{ExportKind, ExportOutcome, ExportRequest};
use hakaru_central::storage::rights::{
    CarryOut, NewRightsRequest, Outcome, ProfileCorrection, RequestKind, RightsRequest,
};
use hakaru_central::storage::sqlite::SqliteStorage;
use hakaru_central::storage::Storage;
use hakaru_wire::api::{
    AckOutcome, ChangeKind, HeldReason, ParticipantRemoved, ParticipantStatus, RemovalReason,
};
use hakaru_wire::ConsentAction;
use std::sync::Arc;

on_both_backends!(
    a_rights_request_is_due_in_30_days_and_extendable_once_by_30,
    a_rights_request_is_decided_once_and_a_refusal_gives_its_ground,
    a_disclosure_contains_everything_held_about_the_participant,
    a_disclosure_is_a_data_view_in_the_audit_trail,
    a_correction_keeps_the_old_value_in_the_audit_trail,
    a_deletion_removes_the_participant_everywhere_on_the_server,
    a_deletion_reaches_every_station_by_roster_sync_and_is_confirmed_by_their_next_sync,
    a_withdrawal_is_sent_to_every_station_by_roster_sync,
    a_stop_of_use_is_sent_to_every_station_by_roster_sync,
    a_request_is_carried_out_only_as_what_was_asked,
    the_program_office_uses_the_rights_api_with_an_operator_token,
);

// --- helpers ---------------------------------------------------------------------------------------

fn day(text: &str) -> Date {
    Date::parse(text).unwrap()
}

async fn open(w: &World, participant: &str, kind: RequestKind) -> RightsRequest {
    w.s.open_rights_request(
        &NewRightsRequest {
            program: w.pa.clone(),
            participant: participant.into(),
            kind,
            received: day("2026-11-23"),
            identity_check: "窓口で運転免許証を確認 / driving licence at the counter".into(),
        },
        now(),
    )
    .await
    .unwrap()
}

/// A participant with a consent, a reading (with its points) and a card.
async fn participant_with_data(w: &World, participant: &str, n: u128) {
    w.enrol(participant, n).await;
    let r = w
        .upload(
            &w.a1,
            vec![measurement(&w.a1, n + 1, participant, t(0, 0))],
            now(),
        )
        .await;
    assert_eq!(r.acks[0].outcome, AckOutcome::Accepted);
    w.issue(participant).await;
}

/// The program's whole feed as a station starting from scratch would pull it.
async fn whole_feed(
    w: &World,
    who: &hakaru_central::storage::StationContext,
) -> Vec<(u64, ChangeKind)> {
    let mut out = Vec::new();
    let mut since = 0;
    loop {
        let page = w.s.changes_since(who, since, 500, now()).await.unwrap();
        out.extend(page.changes.iter().map(|c| (c.seq, c.change.clone())));
        since = page.next_cursor;
        if !page.more {
            return out;
        }
    }
}

/// The newest roster entry the feed carries for a participant.
fn latest_entry(feed: &[(u64, ChangeKind)], participant: &str) -> Option<ChangeKind> {
    feed.iter()
        .rev()
        .map(|(_, c)| c)
        .find(|c| match c {
            ChangeKind::Participant(e) => e.participant == participant,
            ChangeKind::ParticipantRemoved(r) => r.participant == participant,
            ChangeKind::Card(c) => c.participant == participant,
            _ => false,
        })
        .cloned()
}

async fn audit_rows(w: &World) -> Vec<hakaru_central::storage::audit::AuditRow> {
    w.s.audit_rows(0, 10_000).await.unwrap()
}

// --- the promises ----------------------------------------------------------------------------------

pub async fn a_rights_request_is_due_in_30_days_and_extendable_once_by_30(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let req = open(&w, "A-1", RequestKind::Disclosure).await;
    assert_eq!(req.received, "2026-11-23");
    assert_eq!(req.due, "2026-12-23", "30 calendar days");
    assert!(!req.overdue(day("2026-12-23")), "due on the day itself");
    assert!(req.overdue(day("2026-12-24")), "open after its due date");

    let too_long =
        w.s.extend_rights_request(req.id, 31, "資料の取り寄せ", now())
            .await;
    assert_invalid(too_long);
    let no_reason = w.s.extend_rights_request(req.id, 30, "  ", now()).await;
    assert_invalid(no_reason);
    let extended =
        w.s.extend_rights_request(
            req.id,
            30,
            "保存書類の取り寄せ / fetching archived papers",
            now(),
        )
        .await
        .unwrap();
    assert_eq!(extended.due, "2027-01-22", "30 more days");
    assert_eq!(extended.extension.as_ref().unwrap().days, 30);
    assert!(!extended.overdue(day("2027-01-22")));
    assert!(extended.overdue(day("2027-01-23")));
    let twice =
        w.s.extend_rights_request(req.id, 1, "もう一度", now())
            .await;
    assert_invalid(twice);

    let listed = w.s.rights_requests(&w.pa, None).await.unwrap();
    assert_eq!(listed, vec![extended.clone()]);
    assert_eq!(w.s.rights_request(req.id).await.unwrap(), Some(extended));
    let decided =
        w.s.decide_rights_request(req.id, Outcome::Granted, "", now())
            .await
            .unwrap();
    assert!(
        !decided.overdue(day("2027-12-31")),
        "a decided request is never overdue"
    );
    let actions: Vec<String> = audit_rows(&w).await.into_iter().map(|r| r.action).collect();
    for a in [
        "rights_request_opened",
        "rights_request_extended",
        "rights_request_decided",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

pub async fn a_rights_request_is_decided_once_and_a_refusal_gives_its_ground(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    let req = open(&w, "A-1", RequestKind::Deletion).await;
    assert!(req.decision.is_none(), "open");
    assert_invalid(
        w.s.decide_rights_request(req.id, Outcome::Refused, " ", now())
            .await,
    );
    let ground = "法令により保存義務がある記録のため / records the law requires us to keep";
    let decided =
        w.s.decide_rights_request(req.id, Outcome::Refused, ground, now())
            .await
            .unwrap();
    let d = decided.decision.unwrap();
    assert_eq!(
        (d.outcome, d.note.as_str(), d.decided_at),
        (Outcome::Refused, ground, now())
    );
    assert_invalid(
        w.s.decide_rights_request(req.id, Outcome::Granted, "", now())
            .await,
    );
    assert_invalid(
        w.s.carry_out_rights_request(req.id, &CarryOut::Deletion, now())
            .await,
    );
    assert_invalid(w.s.extend_rights_request(req.id, 10, "遅延", now()).await);
    assert_eq!(
        w.s.rights_request(uuid::Uuid::from_u128(9)).await.unwrap(),
        None
    );
}

pub async fn a_disclosure_contains_everything_held_about_the_participant(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    participant_with_data(&w, "A-1", 100).await;
    participant_with_data(&w, "A-2", 200).await;
    // A station pulls the roster (a transfer naming both).
    w.s.changes_since(&w.a2, 0, 100, now()).await.unwrap();
    let req = open(&w, "A-1", RequestKind::Disclosure).await;
    // An analysis export that included them.
    w.s.put_purpose(&w.pa, &purpose("measurement"), now())
        .await
        .unwrap();
    let export = ExportRequest {
        program: w.pa.clone(),
        purpose: "measurement".into(),
        kind: ExportKind::Pseudonymised,
        recipient: "健康づくり課 / health promotion office".into(),
    };
    w.s.run_export(
        &export,
        now(),
        Box::new(|rows| {
            let mut participants: Vec<String> =
                rows.iter().map(|r| r.participant.clone()).collect();
            participants.sort();
            participants.dedup();
            Ok(ExportOutcome {
                participants,
                items: vec!["weight_kg".into()],
            })
        }),
    )
    .await
    .unwrap();

    let d = w.s.disclosure(&w.pa, "A-1", t(0, 2)).await.unwrap();
    assert_eq!(
        (d.program.as_str(), d.participant.as_str()),
        ("prog-a", "A-1")
    );
    assert_eq!(d.generated_at, t(0, 2));
    let profile = d.profile.as_ref().expect("the roster profile");
    assert_eq!(profile.birth_date, "1950-04-01");
    assert_eq!(profile.height_tenths_cm, 1555);

    assert_eq!(d.measurements.len(), 1);
    assert_eq!(d.measurements[0].id, mid(101));
    assert_eq!(d.measurements[0].station, "kita-01");
    assert_eq!(
        d.measurements[0].values["weight_kg"],
        serde_json::json!(60.1)
    );
    assert_eq!(d.measurements[0].analyzer_serial.as_deref(), Some("SN-1"));

    assert_eq!(d.consents.len(), 1);
    assert_eq!(d.consents[0].action, "given");
    assert_eq!(d.consents[0].document_hashes, vec!["ab".repeat(32)]);
    assert_eq!(d.consents[0].granted, vec!["measurement".to_string()]);

    assert_eq!(d.cards.len(), 1);
    assert_eq!(d.cards[0].issued, "2026-11-23");
    assert!(d.cards[0].card_id.ends_with("-1"));

    assert!(!d.points.awards.is_empty(), "the reading earned points");
    let awarded: i64 = d.points.awards.iter().map(|a| a.points).sum();
    assert_eq!(d.points.balance, awarded);
    assert_eq!(d.points.balance, w.balance("A-1").await);

    // Uploads from kita-01 (consent, reading) and the roster page sent to minami-02.
    assert!(d
        .transfers
        .iter()
        .any(|t| t.station == "kita-01" && t.items.contains(&"measurement".to_string())));
    assert!(d.transfers.iter().any(|t| t.station == "minami-02"));
    assert_eq!(d.rights_requests, vec![req]);
    assert_eq!(d.exports.len(), 1, "the export that included them");
    assert_eq!(d.exports[0].kind, "pseudonymised");
    assert_eq!(
        d.exports[0].recipient,
        "健康づくり課 / health promotion office"
    );
    assert_eq!(d.exports[0].items, vec!["weight_kg".to_string()]);

    // Nothing of anyone else.
    let json = serde_json::to_string(&d).unwrap();
    assert!(!json.contains("A-2"), "another participant's data leaked");
    assert!(json.contains("\"A-1\""));
    let back: hakaru_central::rights::disclosure::Disclosure = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d, "the JSON holds the whole bundle");
    assert_not_found(w.s.disclosure(&program_id("nope"), "A-1", now()).await);
}

pub async fn a_disclosure_is_a_data_view_in_the_audit_trail(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    participant_with_data(&w, "A-1", 100).await;
    let before = audit_rows(&w).await.len();
    w.s.disclosure(&w.pa, "A-1", now()).await.unwrap();
    let rows = audit_rows(&w).await;
    assert_eq!(rows.len(), before + 1, "one row per disclosure");
    let last = rows.last().unwrap();
    assert_eq!(last.action, "participant_disclosed");
    assert!(last.detail.contains("A-1"));
    assert!(!last.detail.contains("1950-04-01") && !last.detail.contains("60.1"));
    assert!(matches!(
        w.s.verify_audit().await.unwrap(),
        AuditCheck::Intact { .. }
    ));
}

pub async fn a_correction_keeps_the_old_value_in_the_audit_trail(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    participant_with_data(&w, "A-1", 100).await;
    let req = open(&w, "A-1", RequestKind::Correction).await;
    let fix = ProfileCorrection {
        height_tenths_cm: Some(1602),
        birth_date: Some("1950-04-11".into()),
        ..ProfileCorrection::default()
    };
    assert_invalid(
        w.s.carry_out_rights_request(
            req.id,
            &CarryOut::Correction(ProfileCorrection::default()),
            now(),
        )
        .await,
    );
    let done =
        w.s.carry_out_rights_request(req.id, &CarryOut::Correction(fix), now())
            .await
            .unwrap();
    let seq = done.carried_out.unwrap().change_seq.unwrap();

    // The new values are held and sent to the stations.
    let d = w.s.disclosure(&w.pa, "A-1", now()).await.unwrap();
    let profile = d.profile.unwrap();
    assert_eq!(
        (profile.height_tenths_cm, profile.birth_date.as_str()),
        (1602, "1950-04-11")
    );
    let feed = whole_feed(&w, &w.a2).await;
    let (last_seq, last) = feed.last().unwrap();
    assert_eq!(*last_seq, seq);
    match last {
        ChangeKind::Participant(e) => assert_eq!(e.height_tenths_cm, 1602),
        other => panic!("expected the corrected roster entry, got {other:?}"),
    }

    // The old values are kept, each with its correction id…
    let kept = w.s.rights_corrections(&w.pa, "A-1").await.unwrap();
    let pairs: Vec<(&str, &str, &str)> = kept
        .iter()
        .map(|c| (c.field.as_str(), c.old.as_str(), c.new.as_str()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("birth_date", "1950-04-01", "1950-04-11"),
            ("height_tenths_cm", "1555", "1602")
        ]
    );
    assert_eq!(d.corrections, kept, "the disclosure shows them");
    // …and the audit trail names the fields and those corrections, never a value.
    let rows = audit_rows(&w).await;
    let row = rows
        .iter()
        .find(|r| r.action == "participant_corrected")
        .unwrap();
    for c in &kept {
        assert!(row.detail.contains(&c.id.to_string()), "{}", row.detail);
        assert!(row.detail.contains(&c.field));
    }
    for value in ["1555", "1602", "1950-04-01", "1950-04-11"] {
        assert!(
            !row.detail.contains(value),
            "a profile value in the audit log"
        );
    }
}

pub async fn a_deletion_removes_the_participant_everywhere_on_the_server(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    participant_with_data(&w, "A-1", 100).await;
    participant_with_data(&w, "A-2", 200).await;
    let ledger_before = w.ledger_a().await;
    let req = open(&w, "A-1", RequestKind::Deletion).await;
    let done =
        w.s.carry_out_rights_request(req.id, &CarryOut::Deletion, now())
            .await
            .unwrap();

    let d = w.s.disclosure(&w.pa, "A-1", now()).await.unwrap();
    assert!(d.profile.is_none(), "off the roster");
    assert!(d.measurements.is_empty() && d.consents.is_empty() && d.cards.is_empty());
    assert!(d.points.awards.is_empty() && d.points.exchanges.is_empty());
    assert_eq!(d.points.balance, 0);
    assert!(w
        .s
        .history(&w.a1, "A-1", 10, now())
        .await
        .unwrap()
        .is_none());
    assert!(w.s.awards(&w.pa, "A-1").await.unwrap().is_empty());
    assert!(w
        .s
        .cards(&w.pa, Some(vec!["A-1".into()]))
        .await
        .unwrap()
        .is_empty());
    // The request stays in the ledger, and so do the transfer records (statutory, number only).
    assert_eq!(d.rights_requests, vec![done.clone()]);
    assert_eq!(
        w.s.rights_requests(&w.pa, Some("A-1")).await.unwrap(),
        vec![done]
    );
    assert!(!d.transfers.is_empty());
    assert!(w.ledger_a().await.len() >= ledger_before.len());

    // No feed body carries their profile or cards any more: only the removal.
    let feed = whole_feed(&w, &w.a1).await;
    for (_, c) in &feed {
        match c {
            ChangeKind::Participant(e) => assert_ne!(e.participant, "A-1"),
            ChangeKind::Card(card) => assert_ne!(card.participant, "A-1"),
            _ => {}
        }
    }
    assert_eq!(
        latest_entry(&feed, "A-1"),
        Some(ChangeKind::ParticipantRemoved(ParticipantRemoved {
            participant: "A-1".into(),
            reason: RemovalReason::Erased,
        }))
    );
    // A replayed upload is answered from its stored acknowledgement and brings nothing back.
    let replay = w
        .upload(
            &w.a1,
            vec![measurement(&w.a1, 101, "A-1", t(0, 0))],
            t(0, 3),
        )
        .await;
    assert_eq!(replay.acks[0].id, eid(101));
    assert!(w
        .s
        .history(&w.a1, "A-1", 10, now())
        .await
        .unwrap()
        .is_none());
    // Everyone else is untouched.
    let other = w.s.disclosure(&w.pa, "A-2", now()).await.unwrap();
    assert!(other.profile.is_some());
    assert_eq!(
        (
            other.measurements.len(),
            other.consents.len(),
            other.cards.len()
        ),
        (1, 1, 1)
    );
    let rows = audit_rows(&w).await;
    assert!(rows
        .iter()
        .any(|r| r.action == "participant_erased" && r.detail.contains("A-1")));
}

pub async fn a_deletion_reaches_every_station_by_roster_sync_and_is_confirmed_by_their_next_sync(
    s: Arc<dyn Storage>,
) {
    let w = seed(s).await;
    participant_with_data(&w, "A-1", 100).await;
    // Both stations of program A are up to date.
    let c1 =
        w.s.changes_since(&w.a1, 0, 500, now())
            .await
            .unwrap()
            .next_cursor;
    let c2 =
        w.s.changes_since(&w.a2, 0, 500, now())
            .await
            .unwrap()
            .next_cursor;
    let req = open(&w, "A-1", RequestKind::Deletion).await;
    let done =
        w.s.carry_out_rights_request(req.id, &CarryOut::Deletion, now())
            .await
            .unwrap();
    let seq = done.carried_out.unwrap().change_seq.unwrap();
    assert!(seq > c1 && seq > c2);
    let status = w.s.rights_propagation(req.id).await.unwrap();
    let names: Vec<&str> = status.iter().map(|s| s.station.as_str()).collect();
    assert_eq!(
        names,
        ["kita-01", "minami-02"],
        "every station of the program, no other"
    );
    assert!(
        status.iter().all(|s| !s.confirmed),
        "nobody has synced since"
    );

    // kita-01's roster sync carries the removal…
    let page = w.s.changes_since(&w.a1, c1, 500, t(0, 2)).await.unwrap();
    let removal = ChangeKind::ParticipantRemoved(ParticipantRemoved {
        participant: "A-1".into(),
        reason: RemovalReason::Erased,
    });
    assert!(page
        .changes
        .iter()
        .any(|c| c.seq == seq && c.change == removal));
    let status = w.s.rights_propagation(req.id).await.unwrap();
    assert!(
        !status[0].confirmed,
        "received, but not yet confirmed applied"
    );
    // …and its next sync, starting past it, confirms it was applied.
    w.s.changes_since(&w.a1, page.next_cursor, 500, t(0, 3))
        .await
        .unwrap();
    let status = w.s.rights_propagation(req.id).await.unwrap();
    assert!(status[0].confirmed && !status[1].confirmed, "{status:?}");
    assert_eq!(status[0].last_since, Some(page.next_cursor));
    assert_eq!(status[0].last_pull_at, Some(t(0, 3)));
    // A station that re-reads an older page does not un-confirm.
    w.s.changes_since(&w.a1, 0, 500, t(0, 4)).await.unwrap();
    assert!(w.s.rights_propagation(req.id).await.unwrap()[0].confirmed);

    // minami-02 catches up in one sync from where it was, then confirms.
    let page = w.s.changes_since(&w.a2, c2, 500, t(0, 5)).await.unwrap();
    assert!(page.changes.iter().any(|c| c.change == removal));
    w.s.changes_since(&w.a2, page.next_cursor, 500, t(0, 6))
        .await
        .unwrap();
    let status = w.s.rights_propagation(req.id).await.unwrap();
    assert!(status.iter().all(|s| s.confirmed), "{status:?}");
}

pub async fn a_withdrawal_is_sent_to_every_station_by_roster_sync(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    participant_with_data(&w, "A-1", 100).await;
    let req = open(&w, "A-1", RequestKind::Withdrawal).await;
    let done =
        w.s.carry_out_rights_request(req.id, &CarryOut::Withdrawal, t(0, 2))
            .await
            .unwrap();
    let seq = done.carried_out.unwrap().change_seq.unwrap();
    for station in [&w.a1, &w.a2] {
        let feed = whole_feed(&w, station).await;
        match latest_entry(&feed, "A-1") {
            Some(ChangeKind::Participant(e)) => assert_eq!(e.status, ParticipantStatus::Withdrawn),
            other => panic!("expected a withdrawn roster entry, got {other:?}"),
        }
        assert!(feed.iter().any(|(s, _)| *s == seq));
    }
    // The withdrawal is recorded as a consent decision, with the documents it withdraws from.
    let d = w.s.disclosure(&w.pa, "A-1", now()).await.unwrap();
    let last = d.consents.last().unwrap();
    assert_eq!(last.action, ConsentAction::Withdrawn.name());
    assert_eq!(
        (last.method.as_str(), last.station.as_str()),
        ("staff_witnessed_paper", "central")
    );
    assert_eq!(last.decided_at, t(0, 2));
    assert_eq!(last.document_hashes, vec!["ab".repeat(32)]);
    assert!(last.granted.is_empty());
    assert_eq!(last.refused, vec!["measurement".to_string()]);
    assert_eq!(d.profile.unwrap().status, ParticipantStatus::Withdrawn);
    // The server holds any new reading.
    let r = w
        .upload(
            &w.a2,
            vec![measurement(&w.a2, 300, "A-1", t(0, 3))],
            t(0, 3),
        )
        .await;
    assert_eq!(
        held_reason(&r.acks[0]),
        Some(HeldReason::ParticipantInactive)
    );
    assert!(audit_rows(&w)
        .await
        .iter()
        .any(|r| r.action == "consent_withdrawn"));
}

pub async fn a_stop_of_use_is_sent_to_every_station_by_roster_sync(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    participant_with_data(&w, "A-1", 100).await;
    let req = open(&w, "A-1", RequestKind::StopUse).await;
    w.s.carry_out_rights_request(req.id, &CarryOut::StopUse, now())
        .await
        .unwrap();
    for station in [&w.a1, &w.a2] {
        match latest_entry(&whole_feed(&w, station).await, "A-1") {
            Some(ChangeKind::Participant(e)) => assert_eq!(e.status, ParticipantStatus::Stopped),
            other => panic!("expected a stopped roster entry, got {other:?}"),
        }
    }
    let r = w
        .upload(
            &w.a1,
            vec![measurement(&w.a1, 300, "A-1", t(0, 3))],
            t(0, 3),
        )
        .await;
    assert_eq!(
        held_reason(&r.acks[0]),
        Some(HeldReason::ParticipantInactive)
    );
    // Use stopped, not erased: what was held is still there.
    let d = w.s.disclosure(&w.pa, "A-1", now()).await.unwrap();
    assert_eq!(d.measurements.len(), 1);
    assert!(audit_rows(&w)
        .await
        .iter()
        .any(|r| r.action == "participant_stopped"));
}

pub async fn a_request_is_carried_out_only_as_what_was_asked(s: Arc<dyn Storage>) {
    let w = seed(s).await;
    participant_with_data(&w, "A-1", 100).await;
    let req = open(&w, "A-1", RequestKind::StopUse).await;
    assert_invalid(
        w.s.carry_out_rights_request(req.id, &CarryOut::Deletion, now())
            .await,
    );
    assert!(w
        .s
        .disclosure(&w.pa, "A-1", now())
        .await
        .unwrap()
        .profile
        .is_some());
    w.s.carry_out_rights_request(req.id, &CarryOut::StopUse, now())
        .await
        .unwrap();
    assert_invalid(
        w.s.carry_out_rights_request(req.id, &CarryOut::StopUse, now())
            .await,
    );
    // A request about someone not on the roster cannot be carried out, and writes nothing.
    let ghost = open(&w, "Z-9", RequestKind::Withdrawal).await;
    let before = audit_rows(&w).await.len();
    assert_not_found(
        w.s.carry_out_rights_request(ghost.id, &CarryOut::Withdrawal, now())
            .await,
    );
    assert_eq!(audit_rows(&w).await.len(), before);
    assert!(w
        .s
        .rights_request(ghost.id)
        .await
        .unwrap()
        .unwrap()
        .carried_out
        .is_none());
}

pub async fn the_program_office_uses_the_rights_api_with_an_operator_token(s: Arc<dyn Storage>) {
    use hakaru_central::api::{self, AppState};
    use hakaru_central::rights::operator::OperatorToken;
    let w = seed(s).await;
    participant_with_data(&w, "A-1", 100).await;
    let (office, other) = (
        OperatorToken::generate().unwrap(),
        OperatorToken::generate().unwrap(),
    );
    w.s.add_operator_token(&w.pa, office.id(), "北区窓口", &office.secret_hash(), now())
        .await
        .unwrap();
    w.s.add_operator_token(&w.pb, other.id(), "里山窓口", &other.secret_hash(), now())
        .await
        .unwrap();
    let bound = hakaru_central::serve::bind("127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap();
    let base = format!("http://{}", bound.local_addr().unwrap());
    let router = api::router(AppState::new(Arc::clone(&w.s), Arc::new(|| t(0, 2))));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        bound
            .serve(router, async {
                let _ = stopped.await;
            })
            .await
    });
    let http = reqwest::Client::new();
    let get = |path: &str, token: Option<String>| {
        let mut rq = http.get(format!("{base}{path}"));
        if let Some(t) = token {
            rq = rq.bearer_auth(t);
        }
        rq.send()
    };

    // No token, a malformed one or a station-shaped one: 401.
    assert_eq!(get("/v1/admin/requests", None).await.unwrap().status(), 401);
    let fake = office.token().replacen("hko1", "hk1", 1);
    assert_eq!(
        get("/v1/admin/requests", Some(fake))
            .await
            .unwrap()
            .status(),
        401
    );

    let created = http
        .post(format!("{base}/v1/admin/requests"))
        .bearer_auth(office.token())
        .json(&serde_json::json!({
            "participant": "A-1",
            "kind": "deletion",
            "identity_check": "郵送: 本人確認書類の写し",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let req: RightsRequest = created.json().await.unwrap();
    assert_eq!(
        (req.received.as_str(), req.due.as_str()),
        ("2026-11-23", "2026-12-23")
    );
    assert_eq!(req.program, "prog-a", "the token's program");

    let listed: Vec<RightsRequest> = get("/v1/admin/requests", Some(office.token()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed, vec![req.clone()]);
    let path = format!("/v1/admin/requests/{}", req.id);
    let shown: serde_json::Value = get(&path, Some(office.token()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["request"]["id"], req.id.to_string());
    assert_eq!(shown["overdue"], false, "due 2026-12-23");
    // Another program's office sees nothing of it.
    assert_eq!(get(&path, Some(other.token())).await.unwrap().status(), 404);
    let theirs: Vec<RightsRequest> = get("/v1/admin/requests", Some(other.token()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(theirs.is_empty());

    // Carried out at the server; the API shows which stations confirmed it.
    w.s.carry_out_rights_request(req.id, &CarryOut::Deletion, now())
        .await
        .unwrap();
    let shown: serde_json::Value = get(&path, Some(office.token()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let stations: Vec<&str> = shown["stations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["station"].as_str().unwrap())
        .collect();
    assert_eq!(stations, ["kita-01", "minami-02"]);
    assert_eq!(shown["stations"][0]["confirmed"], false);

    let bundle: serde_json::Value = get(
        "/v1/admin/participants/A-2/disclosure",
        Some(office.token()),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(bundle["participant"], "A-2");
    let rows = audit_rows(&w).await;
    let view = rows
        .iter()
        .rev()
        .find(|r| r.action == "participant_disclosed")
        .unwrap();
    assert_eq!(
        view.actor,
        format!("admin:operator-{}", office.id()),
        "the operator is named"
    );
    let opened = rows
        .iter()
        .find(|r| r.action == "rights_request_opened")
        .unwrap();
    assert_eq!(opened.actor, format!("admin:operator-{}", office.id()));

    // A revoked token is refused.
    w.s.revoke_operator_token(office.id(), now()).await.unwrap();
    assert_eq!(
        get("/v1/admin/requests", Some(office.token()))
            .await
            .unwrap()
            .status(),
        401
    );

    // The routes are in the OpenAPI document.
    let doc: serde_json::Value = get("/openapi.json", None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for p in [
        "/v1/admin/requests",
        "/v1/admin/requests/{id}",
        "/v1/admin/participants/{number}/disclosure",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} not documented");
    }
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

// --- the admin commands, through the real binary (SQLite file) -----------------------------------

mod admin_commands {
    use super::*;
    use cli_support::admin_ok;
    use std::path::Path;
    use std::process::Command;

    fn poppler(tool: &str, args: &[&str]) -> String {
        let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
            panic!(
                "{tool} を実行できません（{e}）。scripts/setup --test で poppler-utils を入れてください / \
                 cannot run {tool} ({e}): run scripts/setup --test to install poppler-utils"
            )
        });
        assert!(out.status.success(), "{tool} failed");
        String::from_utf8(out.stdout).unwrap()
    }

    /// A program with A-1 (many readings, a card) and A-2, in a file the binary then opens.
    async fn seeded_file(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("central.db");
        let w = seed(Arc::new(SqliteStorage::open(&path).unwrap())).await;
        participant_with_data(&w, "A-1", 1000).await;
        participant_with_data(&w, "Z-77", 2000).await;
        // Enough readings for more than one page.
        let more: Vec<_> = (0..70)
            .map(|i| {
                measurement(
                    &w.a1,
                    3000 + i,
                    "A-1",
                    hakaru_wire::Timestamp::from_unix_ms(NOV23 + 60_000 * (i as i64 + 1)),
                )
            })
            .collect();
        w.upload(&w.a1, more, now()).await;
        path
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_disclosure_is_printable_as_an_a4_pdf_in_japanese_and_english() {
        let dir = tempfile::tempdir().unwrap();
        let db = seeded_file(dir.path()).await;
        let (json, pdf) = (dir.path().join("out.json"), dir.path().join("out.pdf"));
        admin_ok(
            &db,
            &[
                "disclose",
                "--program",
                "prog-a",
                "--participant",
                "A-1",
                "--json",
                json.to_str().unwrap(),
                "--pdf",
                pdf.to_str().unwrap(),
            ],
        );
        let bundle: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert_eq!(bundle["participant"], "A-1");
        assert_eq!(bundle["measurements"].as_array().unwrap().len(), 71);
        assert_eq!(bundle["consents"][0]["document_hashes"][0], "ab".repeat(32));

        assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
        let info = poppler("pdfinfo", &[pdf.to_str().unwrap()]);
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(pages >= 2, "71 readings take more than a page: {info}");
        assert!(
            info.contains("(A4)") || info.contains("595.276 x 841.89"),
            "{info}"
        );
        let text = poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]);
        for words in [
            "保有個人データの開示",
            "Disclosure of personal data held",
            "A-1",
            "1950-04-01",
            &"ab".repeat(32),
            "提供の記録",
        ] {
            assert!(
                text.contains(words),
                "{words:?} not printed in:\n{}",
                text.chars()
                    .rev()
                    .take(600)
                    .collect::<String>()
                    .chars()
                    .rev()
                    .collect::<String>()
            );
        }
        assert!(
            text.replace(' ', "").contains(&format!("{pages}/{pages}")),
            "the last page is numbered {pages} / {pages}"
        );
        assert!(!text.contains("Z-77"), "another participant printed");
        // One data view in the audit log for the disclosure (the JSON and PDF are one bundle).
        let s: Arc<dyn Storage> = Arc::new(SqliteStorage::open(&db).unwrap());
        let rows = s.audit_rows(0, 10_000).await.unwrap();
        let views: Vec<_> = rows
            .iter()
            .filter(|r| r.action == "participant_disclosed")
            .collect();
        assert_eq!(views.len(), 1);
        assert!(views[0].actor.starts_with("admin:"), "{}", views[0].actor);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_request_list_marks_overdue_requests_and_carry_out_reaches_the_roster() {
        let dir = tempfile::tempdir().unwrap();
        let db = seeded_file(dir.path()).await;
        let opened = admin_ok(
            &db,
            &[
                "request",
                "open",
                "--program",
                "prog-a",
                "--participant",
                "A-1",
                "--kind",
                "correction",
                "--received",
                "2020-01-06",
                "--identity-check",
                "窓口で保険証",
            ],
        );
        assert!(opened.contains("2020-02-05"), "{opened}");
        let id = opened.split_whitespace().nth(1).unwrap().to_owned();
        let list = admin_ok(&db, &["request", "list", "--program", "prog-a"]);
        assert!(list.contains(&id) && list.contains("OVERDUE"), "{list}");
        let done = admin_ok(&db, &["request", "carry-out", &id, "--height-cm", "160.2"]);
        assert!(done.contains(&id), "{done}");
        admin_ok(&db, &["request", "decide", &id, "--outcome", "granted"]);
        let list = admin_ok(&db, &["request", "list", "--program", "prog-a", "--open"]);
        assert!(list.contains("no requests"), "{list}");
        let shown = admin_ok(&db, &["request", "show", &id]);
        assert!(
            shown.contains("kita-01") && shown.contains("not yet confirmed"),
            "{shown}"
        );
        let s: Arc<dyn Storage> = Arc::new(SqliteStorage::open(&db).unwrap());
        let w = World::of(s);
        let d = w.s.disclosure(&w.pa, "A-1", now()).await.unwrap();
        assert_eq!(d.profile.unwrap().height_tenths_cm, 1602);
        assert_eq!(d.corrections[0].old, "1555");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_deletion_leaves_no_trace_of_the_participant_in_event_payloads_or_feed_bodies() {
        let dir = tempfile::tempdir().unwrap();
        let db = seeded_file(dir.path()).await;
        let w = World::of(Arc::new(SqliteStorage::open(&db).unwrap()));
        let req = open(&w, "A-1", RequestKind::Deletion).await;
        w.s.carry_out_rights_request(req.id, &CarryOut::Deletion, now())
            .await
            .unwrap();
        drop(w);
        let conn = rusqlite::Connection::open(&db).unwrap();
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        // Every event stays (replays are answered), none carries anything of theirs.
        assert!(count("SELECT count(*) FROM events WHERE payload = '{}'") >= 72);
        assert_eq!(
            count("SELECT count(*) FROM events WHERE payload LIKE '%A-1%'"),
            0
        );
        // The feed mentions them only as removed.
        assert_eq!(
            count(
                "SELECT count(*) FROM changes WHERE body LIKE '%A-1%'
                 AND json_extract(body, '$.type') <> 'participant_removed'"
            ),
            0
        );
        for table in [
            "measurements",
            "consents",
            "awards",
            "cards",
            "card_holders",
            "participants",
        ] {
            let column = if table == "participants" {
                "number"
            } else {
                "participant"
            };
            assert_eq!(
                count(&format!(
                    "SELECT count(*) FROM {table} WHERE {column} = 'A-1'"
                )),
                0,
                "{table}"
            );
        }
        // The other participant and the statutory records are untouched.
        assert_eq!(
            count("SELECT count(*) FROM measurements WHERE participant = 'Z-77'"),
            1
        );
        assert!(count("SELECT count(*) FROM ledger WHERE participants LIKE '%A-1%'") > 0);
        assert_eq!(
            count("SELECT count(*) FROM rights_requests WHERE participant = 'A-1'"),
            1
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_operator_token_is_stored_only_as_its_hash_and_revocable() {
        let dir = tempfile::tempdir().unwrap();
        let db = seeded_file(dir.path()).await;
        let out = admin_ok(
            &db,
            &[
                "operator-token",
                "issue",
                "--program",
                "prog-a",
                "--label",
                "北区窓口",
            ],
        );
        let token = out.lines().find(|l| l.starts_with("hko1.")).unwrap();
        let parsed = hakaru_central::rights::operator::OperatorToken::parse(token).unwrap();
        let s: Arc<dyn Storage> = Arc::new(SqliteStorage::open(&db).unwrap());
        let record = s.operator_token(parsed.id()).await.unwrap().unwrap();
        assert!(parsed.matches(&record.secret_hash));
        assert_eq!(record.program.as_str(), "prog-a");
        let stored: Vec<u8> = rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT secret_hash FROM operator_tokens", [], |r| r.get(0))
            .unwrap();
        assert_eq!(stored.len(), 32, "only the hash is kept");
        admin_ok(&db, &["operator-token", "revoke", parsed.id()]);
        assert!(s
            .operator_token(parsed.id())
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some());
        let actions: Vec<String> = s
            .audit_rows(0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.action)
            .collect();
        assert!(actions.contains(&"operator_token_issued".to_string()));
        assert!(actions.contains(&"operator_token_revoked".to_string()));
    }
}
