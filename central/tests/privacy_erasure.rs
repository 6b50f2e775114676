//! The privacy policy's promise that an erasure (消去) stays done, on BOTH backends: a station
//! that had not synced the removal yet uploads what it queued for the erased participant first;
//! the server acknowledges it (held as `participant_erased`, so the station's outbox empties and a
//! replay is answered the same) but keeps nothing of it — no reading, consent, award, roster row,
//! card change, event payload, feed body, transfer record or audit row names them afterwards.
//!
//! Every table of the database is scanned by raw SQL for the participant number. Deliberately
//! not here: erasure itself (`privacy_rights.rs`), the station's side of the sync (it drops every
//! acknowledged event whatever its outcome: `station/src/sync/worker.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod backends;
#[allow(unused_macros, unused_imports)]
mod contract;

use contract::*;
use hakaru_central::rights::dates::Date;
use hakaru_central::storage::rights::{CarryOut, NewRightsRequest, RequestKind};
use hakaru_central::storage::{CardId, Direction, Storage};
use hakaru_wire::api::{AckOutcome, ChangeKind, HeldReason, ParticipantRemoved, RemovalReason};
use hakaru_wire::ConsentAction;
use std::any::Any;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// A storage and a way to read its database's raw rows.
struct Fixture {
    s: Arc<dyn Storage>,
    raw: Raw,
}

enum Raw {
    Sqlite(PathBuf),
    /// A URL whose connections see only the case's schema.
    Postgres(String),
}

async fn fresh_sqlite() -> (Fixture, Box<dyn Any + Send>) {
    let (storage, file) = backends::fresh_sqlite_storage();
    let raw = Raw::Sqlite(file.path.clone());
    (
        Fixture {
            s: Arc::new(storage),
            raw,
        },
        Box::new(file),
    )
}

async fn fresh_postgres() -> (Fixture, Box<dyn Any + Send>) {
    let (storage, guard) = backends::fresh_postgres_storage().await;
    let raw = Raw::Postgres(guard.scoped_url());
    (
        Fixture {
            s: Arc::new(storage),
            raw,
        },
        Box::new(guard),
    )
}

on_both_backends!(an_upload_after_an_erasure_does_not_bring_the_participants_data_back);

const ERASED: &str = "ERASE-7";
const KEPT: &str = "KEEP-8";

/// Per table, the rows whose text contains `needle` (change-feed rows that are the removal
/// itself not counted): every column of every table, read as text.
async fn traces(raw: &Raw, needle: &str) -> BTreeMap<String, i64> {
    let pattern = format!("%{needle}%");
    let mut out = BTreeMap::new();
    match raw {
        Raw::Sqlite(path) => {
            let conn = rusqlite::Connection::open(path).unwrap();
            let tables: Vec<String> = conn
                .prepare(
                    "SELECT name FROM sqlite_master WHERE type = 'table'
                     AND name NOT LIKE 'sqlite_%' ORDER BY name",
                )
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(tables.len() > 20, "every table: {tables:?}");
            for table in tables {
                let columns: Vec<String> = conn
                    .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
                    .unwrap()
                    .query_map([], |r| r.get(0))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                let text = columns
                    .iter()
                    .map(|c| format!("COALESCE(CAST(\"{c}\" AS TEXT), '')"))
                    .collect::<Vec<_>>()
                    .join(" || ' ' || ");
                let mut sql = format!("SELECT count(*) FROM \"{table}\" WHERE ({text}) LIKE ?1");
                if table == "changes" {
                    sql.push_str(&format!(
                        " AND ({text}) NOT LIKE '%\"participant_removed\"%'"
                    ));
                }
                let n: i64 = conn.query_row(&sql, [&pattern], |r| r.get(0)).unwrap();
                if n > 0 {
                    out.insert(table, n);
                }
            }
        }
        Raw::Postgres(url) => {
            let client = backends::admin_client(url).await;
            let tables: Vec<String> = client
                .query(
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
                     ORDER BY tablename",
                    &[],
                )
                .await
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            assert!(tables.len() > 20, "every table: {tables:?}");
            for table in tables {
                let mut sql =
                    format!("SELECT count(*) FROM \"{table}\" AS r WHERE r::text LIKE $1");
                if table == "changes" {
                    sql.push_str(" AND r::text NOT LIKE '%\"participant_removed\"%'");
                }
                let n: i64 = client.query_one(&sql, &[&pattern]).await.unwrap().get(0);
                if n > 0 {
                    out.insert(table, n);
                }
            }
        }
    }
    out
}

async fn an_upload_after_an_erasure_does_not_bring_the_participants_data_back(f: Fixture) {
    let w = seed(f.s.clone()).await;
    // Two participants with a consent, a reading (with points) and a card each.
    for (p, n) in [(ERASED, 100), (KEPT, 200)] {
        w.enrol(p, n).await;
        let r = w
            .upload(&w.a1, vec![measurement(&w.a1, n + 1, p, t(0, 0))], now())
            .await;
        assert_eq!(r.acks[0].outcome, AckOutcome::Accepted);
    }
    let card = w.issue(ERASED).await;
    w.issue(KEPT).await;

    // The office carries out ERASE-7's deletion request (消去) an hour after the readings.
    let req =
        w.s.open_rights_request(
            &NewRightsRequest {
                program: w.pa.clone(),
                participant: ERASED.into(),
                kind: RequestKind::Deletion,
                received: Date::parse("2026-11-23").unwrap(),
                identity_check: "窓口で運転免許証を確認 / driving licence at the counter".into(),
            },
            now(),
        )
        .await
        .unwrap();
    w.s.carry_out_rights_request(req.id, &CarryOut::Deletion, now())
        .await
        .unwrap();
    // What the erasure keeps on purpose: the request, the transfer records and the audit trail.
    let kept_on_purpose = traces(&f.raw, ERASED).await;
    let tables: Vec<&str> = kept_on_purpose.keys().map(String::as_str).collect();
    assert_eq!(tables, ["audit_log", "ledger", "rights_requests"]);
    assert!(traces(&f.raw, KEPT).await.contains_key("measurements"));
    let ledger_before = w.ledger_a().await.len();
    let received_before = w.received(&w.a2).await;

    // minami-02 had not synced: it was offline while ERASE-7 measured, re-consented and lost
    // their card there (before the erasure) and measured again after it. It uploads first.
    let card_id = CardId::of(&card.token.fields()).to_string();
    let queued = vec![
        consent(&w.a2, 300, ERASED, ConsentAction::Given, t(0, 0)),
        measurement(&w.a2, 301, ERASED, at_ms(NOV23 + 60_000)),
        card_revoked(&w.a2, 302, &card_id, ERASED),
        registration(&w.a2, 303, &roster(ERASED)),
        measurement(&w.a2, 304, ERASED, t(0, 2)),
        measurement(&w.a2, 305, KEPT, at_ms(NOV23 + 120_000)),
        calibration(&w.a2, 306),
    ];
    let first = w.upload(&w.a2, queued.clone(), t(0, 3)).await;
    let outcomes: Vec<Option<HeldReason>> = first.acks.iter().map(held_reason).collect();
    let erased = Some(HeldReason::ParticipantErased);
    assert_eq!(
        outcomes,
        [erased, erased, erased, erased, erased, None, None],
        "every event acknowledged: the station's outbox empties"
    );
    let ids: Vec<_> = first.acks.iter().map(|a| a.id).collect();
    assert_eq!(ids, queued.iter().map(|e| e.id).collect::<Vec<_>>());
    assert!(first.acks[..5].iter().all(|a| a.points.is_none()));
    assert!(
        first.acks[5].points.is_some(),
        "KEEP-8's reading still pays"
    );

    // The station retries (its answer was lost): the same acknowledgements, nothing new stored.
    let replay = w.upload(&w.a2, queued.clone(), t(0, 4)).await;
    assert_eq!(replay.acks, first.acks);
    assert_eq!(w.received(&w.a2).await, received_before + 7);

    // Not one row more names ERASE-7, in any table.
    assert_eq!(traces(&f.raw, ERASED).await, kept_on_purpose);
    // They are not back: no profile, reading, consent, card or points; the feed's last word on
    // them is still the removal.
    let d = w.s.disclosure(&w.pa, ERASED, t(0, 5)).await.unwrap();
    assert!(d.profile.is_none() && d.measurements.is_empty() && d.consents.is_empty());
    assert!(d.cards.is_empty() && d.points.awards.is_empty());
    assert!(w
        .s
        .history(&w.a2, ERASED, 10, t(0, 5))
        .await
        .unwrap()
        .is_none());
    let page = w.s.changes_since(&w.a2, 0, 1000, t(0, 5)).await.unwrap();
    let last = page.changes.iter().rev().find_map(|c| match &c.change {
        ChangeKind::Participant(e) if e.participant == ERASED => Some(c.change.clone()),
        ChangeKind::Card(card) if card.participant == ERASED => Some(c.change.clone()),
        ChangeKind::ParticipantRemoved(r) if r.participant == ERASED => Some(c.change.clone()),
        _ => None,
    });
    assert_eq!(
        last,
        Some(ChangeKind::ParticipantRemoved(ParticipantRemoved {
            participant: ERASED.into(),
            reason: RemovalReason::Erased,
        }))
    );

    // The events themselves are kept without contents, listed for the office with their reason
    // (never the number).
    let held = w.s.held_events(&w.pa).await.unwrap();
    let discarded: Vec<_> = held
        .iter()
        .filter(|h| h.reason == HeldReason::ParticipantErased)
        .map(|h| (h.id, h.station.as_str(), h.kind.as_str()))
        .collect();
    assert_eq!(
        discarded,
        [
            (eid(300), "minami-02", "consent_recorded"),
            (eid(301), "minami-02", "measurement_recorded"),
            (eid(302), "minami-02", "card_revoked"),
            (eid(303), "minami-02", "participant_registered"),
            (eid(304), "minami-02", "measurement_recorded"),
        ]
    );

    // KEEP-8 and the calibration went in as usual; the upload's transfer records name KEEP-8 only.
    let kept = w.s.disclosure(&w.pa, KEPT, t(0, 5)).await.unwrap();
    assert_eq!(kept.measurements.len(), 2);
    let ledger = w.ledger_a().await;
    let uploads: Vec<_> = ledger[ledger_before..]
        .iter()
        .filter(|e| e.direction == Direction::Received)
        .collect();
    assert_eq!(uploads.len(), 2, "the upload and its replay");
    for e in uploads {
        assert_eq!(e.participants, [KEPT]);
        assert_eq!(e.items, ["measurement"]);
    }
}

fn at_ms(ms: i64) -> hakaru_wire::Timestamp {
    hakaru_wire::Timestamp::from_unix_ms(ms)
}
