//! The storage contract against PostgreSQL, plus what only a server database can get wrong:
//! a gap-free change feed under concurrent writers, no deadlock between uploads and admin
//! writes, refusing a newer schema, and a fast "unavailable" when nothing listens.
//!
//! Each case gets a fresh schema (`search_path`) in the test database, dropped when it ends
//! (`backends/`). The database comes from `HAKARU_TEST_DATABASE_URL` (default: the one
//! `scripts/postgres` makes). Without a reachable PostgreSQL these tests FAIL, never skip.
//! Deliberately not here: the contract cases themselves (`contract/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(unused_macros)]
mod backends;
#[macro_use]
mod contract;

use backends::{admin_client, fresh_postgres_storage as fresh_storage, SchemaGuard};
use contract::*;
use hakaru_central::storage::postgres::PostgresStorage;
use hakaru_central::storage::{Storage, StorageError};
use hakaru_wire::api::{AckOutcome, ChangeKind};
use std::collections::BTreeSet;
use std::sync::Arc;

async fn fresh() -> (Arc<dyn Storage>, SchemaGuard) {
    let (storage, guard) = fresh_storage().await;
    (Arc::new(storage), guard)
}

contract_tests!(fresh());

// --- PostgreSQL only ------------------------------------------------------------------------------

#[tokio::test]
async fn a_newer_schema_is_refused_with_words() {
    let (storage, guard) = fresh_storage().await;
    storage.migrate().await.unwrap();
    let client = admin_client(&guard.url).await;
    client
        .batch_execute(&format!(
            "UPDATE {}.hakaru_schema SET version = version + 1",
            guard.schema
        ))
        .await
        .unwrap();
    let e = storage.migrate().await.unwrap_err();
    assert!(matches!(e, StorageError::Backend(_)), "{e:?}");
    let words = e.to_string();
    assert!(
        words.contains("upgrade the server") && words.contains("サーバーを更新"),
        "{words}"
    );
}

#[tokio::test]
async fn nothing_listening_is_unavailable_and_the_url_is_not_printed() {
    // Port 1 on loopback: refused at once.
    let url = "postgres://hakaru:s3cret-pw@127.0.0.1:1/hakaru_test";
    let e = PostgresStorage::connect(url).await.unwrap_err();
    assert!(e.is_transient(), "{e:?}");
    assert!(!format!("{e} {e:?}").contains("s3cret-pw"));
    let bad = PostgresStorage::connect("mysql://nope").await.unwrap_err();
    assert!(matches!(bad, StorageError::Invalid(_)), "{bad:?}");
}

/// Admin writers and station registrations append at once while a station pages through the
/// feed: every seq from 1 arrives, none is skipped, and nothing deadlocks.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_never_leave_a_gap_a_reader_could_skip() {
    let (storage, _guard) = fresh_storage().await;
    let w = Arc::new(seed(Arc::new(storage)).await);
    const WRITERS: usize = 6;
    const EACH: usize = 15;
    const REGISTRATIONS: usize = WRITERS / 2 * EACH;
    let mut tasks = Vec::new();
    for k in 0..WRITERS {
        let w = Arc::clone(&w);
        tasks.push(tokio::spawn(async move {
            for i in 0..EACH {
                let number = format!("P-{k}-{i}");
                if k % 2 == 0 {
                    w.s.put_participant(&w.pa, &roster(&number), now())
                        .await
                        .unwrap();
                } else {
                    let who = if k % 4 == 1 { &w.a1 } else { &w.a2 };
                    let n = (k * 1000 + i) as u128 + 1;
                    let r =
                        w.s.ingest(
                            who,
                            &batch(vec![registration(who, n, &roster(&number))]),
                            now(),
                        )
                        .await
                        .unwrap();
                    assert_eq!(r.acks[0].outcome, AckOutcome::Accepted);
                }
            }
        }));
    }
    let reader = {
        let w = Arc::clone(&w);
        tokio::spawn(async move {
            let mut cursor = 0;
            let mut seen = Vec::new();
            // Each registration appends its roster entry and its first card.
            while seen.len() < WRITERS * EACH + REGISTRATIONS {
                let page = w.s.changes_since(&w.a1, cursor, 7, now()).await.unwrap();
                for c in &page.changes {
                    seen.push(c.seq);
                }
                cursor = page.next_cursor;
                tokio::task::yield_now().await;
            }
            seen
        })
    };
    for t in tasks {
        t.await.unwrap();
    }
    let seen = tokio::time::timeout(std::time::Duration::from_secs(60), reader)
        .await
        .expect("the reader caught up")
        .unwrap();
    let expected: Vec<u64> = (1..=(WRITERS * EACH + REGISTRATIONS) as u64).collect();
    assert_eq!(seen, expected, "every seq once, in order, none skipped");
    let page = w.s.changes_since(&w.a2, 0, 1000, now()).await.unwrap();
    let numbers: BTreeSet<String> = page
        .changes
        .iter()
        .filter_map(|c| match &c.change {
            ChangeKind::Participant(e) => Some(e.participant.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(numbers.len(), WRITERS * EACH);
}

/// A full batch of 500 readings for 250 participants is applied set-wise with the same
/// answers the rules give one by one, and its replay is answered from the stored acks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_500_readings_is_applied_and_replayed() {
    let (storage, _guard) = fresh_storage().await;
    let w = seed(Arc::new(storage)).await;
    let people: Vec<String> = (0..250).map(|i| format!("A-{i:04}")).collect();
    let mut setup = Vec::new();
    for (i, p) in people.iter().enumerate() {
        w.s.put_participant(&w.pa, &roster(p), t(-2, 0))
            .await
            .unwrap();
        setup.push(consent(
            &w.a1,
            10_000 + i as u128,
            p,
            hakaru_wire::ConsentAction::Given,
            t(-1, 0),
        ));
    }
    w.upload(&w.a1, setup, t(-1, 0)).await;
    // Two readings each: day 0 earns 60 (daily + monthly), day 1 earns 10.
    let mut events = Vec::new();
    for (i, p) in people.iter().enumerate() {
        events.push(measurement(&w.a1, 1 + 2 * i as u128, p, t(0, 0)));
        events.push(measurement(&w.a1, 2 + 2 * i as u128, p, t(1, 0)));
    }
    let first = w.upload(&w.a1, events.clone(), now()).await;
    assert_eq!(first.acks.len(), 500);
    for pair in first.acks.chunks(2) {
        let a = pair[0].points.as_ref().unwrap();
        let b = pair[1].points.as_ref().unwrap();
        assert_eq!(
            (a.awarded, a.balance, b.awarded, b.balance),
            (60, 60, 10, 70)
        );
    }
    let replay = w.upload(&w.a1, events, t(0, 5)).await;
    assert_eq!(replay, first);
    assert_eq!(w.received(&w.a1).await, 750);
    assert_eq!(w.s.awards(&w.pa, "A-0123").await.unwrap().len(), 3);
    assert_eq!(w.balance("A-0249").await, 70);
}

/// Admin roster writes and card issuances for a participant while two stations upload readings,
/// card revocations and registrations about them: the locks are taken in one order everywhere, so no call
/// fails with a deadlock (which PostgreSQL would report as an error to one of them).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn uploads_and_admin_writes_on_one_participant_do_not_deadlock() {
    let (storage, _guard) = fresh_storage().await;
    let w = Arc::new(seed(Arc::new(storage)).await);
    w.enrol("A-1", 100).await;
    w.enrol("A-2", 101).await;
    let mut tasks = Vec::new();
    {
        let w = Arc::clone(&w);
        tasks.push(tokio::spawn(async move {
            for i in 0..20 {
                let mut entry = roster(if i % 2 == 0 { "A-1" } else { "A-2" });
                entry.height_tenths_cm = 1500 + i;
                w.s.put_participant(&w.pa, &entry, now()).await.unwrap();
                w.issue(&entry.participant).await;
            }
        }));
    }
    for (k, who) in [w.a1.clone(), w.a2.clone()].into_iter().enumerate() {
        let w = Arc::clone(&w);
        tasks.push(tokio::spawn(async move {
            for i in 0..20u128 {
                let n = 10_000 * (k as u128 + 1) + 10 * i;
                // Cards the server never issued: the revocations take the feed's locks but
                // change nothing, so the count below stays exact.
                let events = vec![
                    measurement(&who, n, "A-2", t(i as i64, 0)),
                    card_revoked(&who, n + 1, &format!("9{k}{i}-1"), "A-1"),
                    registration(&who, n + 2, &roster(&format!("N-{k}-{i}"))),
                    measurement(&who, n + 3, "A-1", t(i as i64, 0)),
                    card_revoked(&who, n + 4, &format!("9{k}{i}-2"), "A-2"),
                ];
                let r = w.s.ingest(&who, &batch(events), now()).await.unwrap();
                assert_eq!(r.acks.len(), 5);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let page = w.s.changes_since(&w.a1, 0, 1000, now()).await.unwrap();
    let seqs: Vec<u64> = page.changes.iter().map(|c| c.seq).collect();
    let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
    assert_eq!(seqs, expected, "gap-free");
    // 2 enrolments + 20 admin roster writes + 20 issuances (10 per participant: the first one
    // change, each later one two — the new card and the revoked one) + per upload one
    // registration: its roster entry and its first card.
    assert_eq!(seqs.len(), 2 + 20 + (1 + 9 * 2) * 2 + 2 * 20 * 2);
}
