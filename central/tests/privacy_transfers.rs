//! Promises about transfer records (提供記録), on both backends: every transfer naming a
//! participant — station uploads, what stations were sent, and analysis exports — is listable per
//! participant; records older than the retention period are purged, with one audit row counting
//! them. And the administrator's commands for both (`admin ledger --participant`, `admin ledger
//! purge`) on a real database file.
//!
//! Deliberately not here: what an export contains (`privacy_exports.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;
#[macro_use]
mod export_support;
#[allow(unused_macros, unused_imports)]
mod contract;

use cli_support::admin_config_ok;
use contract::{purpose, seed, t, World, DAY};
use export_support::*;
use hakaru_central::export::dates::retention_cutoff;
use hakaru_central::storage::audit::AuditCheck;
use hakaru_central::storage::export::{
    ExportKind, ExportOutcome, ExportRequest, TransferKind, TransferRecord, AUDIT_PURGED,
};
use hakaru_central::storage::Storage;
use hakaru_wire::api::ParticipantStatus;
use hakaru_wire::{ConsentAction, Sex, Timestamp};
use std::sync::Arc;

const JST: i32 = 540;

async fn world(s: Arc<dyn Storage>) -> World {
    let w = seed(s).await;
    for id in ["measurement", "statistics"] {
        w.s.put_purpose(&w.pa, &purpose(id), t(-2000, 0))
            .await
            .unwrap();
    }
    w
}

/// Puts `number` on program A's roster and uploads their consent and one reading from `station`
/// (a1 or a2), the server receiving them at `at`.
async fn enrol(w: &World, number: &str, id: u128, from_a2: bool, at: Timestamp) {
    w.s.put_participant(
        &w.pa,
        &person(number, "1955-06-15", Sex::Female, ParticipantStatus::Active),
        Timestamp::from_unix_ms(at.as_unix_ms() - DAY),
    )
    .await
    .unwrap();
    let station = if from_a2 { &w.a2 } else { &w.a1 };
    let consent_at = Timestamp::from_unix_ms(at.as_unix_ms() - 2 * 3_600_000);
    let reading_at = Timestamp::from_unix_ms(at.as_unix_ms() - 3_600_000);
    upload_all(
        w.s.as_ref(),
        station,
        vec![
            decision(
                station,
                id,
                number,
                ConsentAction::Given,
                &["measurement", "statistics"],
                consent_at,
            ),
            reading(station, id + 1, number, 58.5, reading_at),
        ],
        at,
    )
    .await;
}

/// An export of program A to `recipient` at `at`, naming whoever the source held.
async fn export_at(w: &World, recipient: &str, at: Timestamp) -> TransferRecord {
    w.s.run_export(
        &ExportRequest {
            program: w.pa.clone(),
            purpose: "statistics".into(),
            kind: ExportKind::Pseudonymised,
            recipient: recipient.into(),
        },
        at,
        Box::new(|rows| {
            Ok(ExportOutcome {
                participants: rows.iter().map(|r| r.participant.clone()).collect(),
                items: vec!["weight".into(), "pseudonym".into()],
            })
        }),
    )
    .await
    .unwrap()
}

/// Every transfer record of program A (ledger and exports), oldest first.
async fn all_records(w: &World) -> Vec<TransferRecord> {
    let zero = Timestamp::from_unix_ms(0);
    let mut all: Vec<TransferRecord> =
        w.s.ledger(&w.pa, zero)
            .await
            .unwrap()
            .into_iter()
            .map(TransferRecord::from)
            .collect();
    all.extend(w.s.export_transfers(&w.pa, zero).await.unwrap());
    all.sort_by_key(|r| r.at);
    all
}

async fn transfer_records_are_listable_per_participant(s: Arc<dyn Storage>) {
    let w = world(s).await;
    enrol(&w, "A-1", 100, false, t(-10, 0)).await;
    enrol(&w, "B-2", 200, true, t(-9, 0)).await;
    // Stations are sent the roster (both) and A-1's history.
    w.s.changes_since(&w.a1, 0, 100, t(-8, 0)).await.unwrap();
    w.s.history(&w.a2, "A-1", 10, t(-7, 0)).await.unwrap();
    let export = export_at(&w, "健康づくり課", t(-6, 0)).await;
    assert_eq!(export.participants, ["A-1", "B-2"]);
    // The same number in another program is another person.
    w.s.put_participant(
        &w.pb,
        &person("A-1", "1980-01-01", Sex::Male, ParticipantStatus::Active),
        t(-5, 0),
    )
    .await
    .unwrap();
    w.s.changes_since(&w.b1, 0, 100, t(-5, 0)).await.unwrap();

    let of_a = w.s.transfers_of(&w.pa, "A-1").await.unwrap();
    let expected: Vec<TransferRecord> = all_records(&w)
        .await
        .into_iter()
        .filter(|r| r.participants.iter().any(|p| p == "A-1"))
        .collect();
    assert_eq!(of_a, expected);
    let kinds: Vec<String> = of_a
        .iter()
        .map(|r| match &r.kind {
            TransferKind::Station { direction, .. } => direction.name().to_owned(),
            TransferKind::Export { recipient, .. } => format!("export to {recipient}"),
        })
        .collect();
    assert_eq!(
        kinds,
        ["received", "sent", "sent", "export to 健康づくり課"],
        "upload, roster page, history, export"
    );
    assert!(of_a.iter().all(|r| r.program == w.pa));
    // B-2's own upload is not listed for A-1.
    let of_b = w.s.transfers_of(&w.pa, "B-2").await.unwrap();
    assert!(of_b
        .iter()
        .all(|r| r.participants.contains(&"B-2".to_owned())));
    assert_eq!(of_b.len(), 3, "upload, roster page, export");
    assert!(w.s.transfers_of(&w.pa, "NOBODY").await.unwrap().is_empty());
    let in_b = w.s.transfers_of(&w.pb, "A-1").await.unwrap();
    assert_eq!(in_b.len(), 1, "program B's roster page only");
}

async fn transfer_records_are_purged_after_the_retention_period(s: Arc<dyn Storage>) {
    let w = world(s).await;
    let now = t(0, 0);
    let cutoff = retention_cutoff(now, 3, JST);
    let just_before = Timestamp::from_unix_ms(cutoff.as_unix_ms() - 1);
    // Past retention: an upload 4 years ago, one a millisecond before the cutoff, and an export.
    enrol(&w, "OLD-1", 100, false, t(-4 * 365, 0)).await;
    enrol(&w, "OLD-2", 200, false, just_before).await;
    export_at(&w, "旧委託先", just_before).await;
    // Within retention: an upload exactly at the cutoff, a recent one, a recent export.
    enrol(&w, "EDGE", 300, true, cutoff).await;
    enrol(&w, "NEW", 400, true, t(-1, 0)).await;
    export_at(&w, "健康づくり課", t(-1, 0)).await;
    let before = all_records(&w).await;
    let (old, kept): (Vec<_>, Vec<_>) = before.into_iter().partition(|r| r.at < cutoff);
    assert_eq!(old.len(), 3);
    assert!(kept.len() >= 3);

    let purged = w.s.purge_transfer_records(cutoff, now).await.unwrap();
    assert_eq!(purged, old.len() as u64);
    assert_eq!(all_records(&w).await, kept);
    // OLD-1's old upload is gone; the recent export still names them.
    let old_1 = w.s.transfers_of(&w.pa, "OLD-1").await.unwrap();
    assert_eq!(old_1.len(), 1);
    assert!(old_1.iter().all(|r| r.at >= cutoff));
    assert!(!w.s.transfers_of(&w.pa, "EDGE").await.unwrap().is_empty());
    // One audit row with the count; the chain still verifies.
    let rows = w.s.audit_rows(0, 10_000).await.unwrap();
    let last = rows.last().unwrap();
    assert_eq!(last.action, AUDIT_PURGED);
    let detail: serde_json::Value = serde_json::from_str(&last.detail).unwrap();
    assert_eq!(detail["count"], 3);
    assert_eq!(detail["before"], cutoff.as_unix_ms());
    assert!(matches!(
        w.s.verify_audit().await.unwrap(),
        AuditCheck::Intact { .. }
    ));
    // Purging again finds nothing more, and says so in the log too.
    assert_eq!(w.s.purge_transfer_records(cutoff, now).await.unwrap(), 0);
    let rows = w.s.audit_rows(0, 10_000).await.unwrap();
    assert_eq!(rows.last().unwrap().action, AUDIT_PURGED);
}

on_both_backends!(
    transfer_records_are_listable_per_participant,
    transfer_records_are_purged_after_the_retention_period,
    transfer_records_are_purged_by_the_server_itself_at_start_and_every_day,
);

// --- the administrator's commands, on an SQLite file -----------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_lists_a_participants_transfer_records_and_purges_expired_ones() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let config = dir.path().join("central.toml");
    std::fs::write(
        &config,
        format!(
            "database = {:?}\n[privacy]\ntransfer_record_years = 3\n",
            db.display().to_string()
        ),
    )
    .unwrap();
    {
        let storage = hakaru_central::storage::sqlite::SqliteStorage::open(&db).unwrap();
        let w = world(Arc::new(storage)).await;
        // 2017: past any real clock's cutoff, purged.
        enrol(
            &w,
            "A-1",
            100,
            false,
            Timestamp::from_unix_ms(1_500_000_000_000),
        )
        .await;
        // The binary reads the wall clock: recent means a day before it.
        #[allow(clippy::disallowed_methods)] // the command under test uses the real clock
        let wall = Timestamp::from_system_time(std::time::SystemTime::now());
        let yesterday = Timestamp::from_unix_ms(wall.as_unix_ms() - DAY);
        enrol(&w, "B-2", 200, false, yesterday).await;
        export_at(
            &w,
            "健康づくり課",
            Timestamp::from_unix_ms(yesterday.as_unix_ms() + 1),
        )
        .await;
    }
    let lines = admin_config_ok(
        &config,
        &[
            "ledger",
            "--program",
            "prog-a",
            "--participant",
            "B-2",
            "--format",
            "json",
        ],
    );
    let records: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{lines}");
    assert_eq!(records[0]["direction"], "received");
    assert_eq!(records[1]["direction"], "exported");
    assert_eq!(records[1]["recipient"], "健康づくり課");
    assert!(records.iter().all(|r| r["participants"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("B-2"))));
    let said = admin_config_ok(&config, &["ledger", "purge"]);
    assert!(
        said.contains("1 件") && said.contains("deleted 1 transfer records"),
        "{said}"
    );
    let a1 = admin_config_ok(
        &config,
        &[
            "ledger",
            "--program",
            "prog-a",
            "--participant",
            "A-1",
            "--format",
            "json",
        ],
    );
    let a1: Vec<serde_json::Value> = a1
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        a1.len(),
        1,
        "A-1's old upload is gone, the recent export stays"
    );
    assert_eq!(a1[0]["direction"], "exported");
    let b2 = admin_config_ok(
        &config,
        &[
            "ledger",
            "--program",
            "prog-a",
            "--participant",
            "B-2",
            "--format",
            "json",
        ],
    );
    assert_eq!(b2.lines().count(), 2);
}

// --- the server's own schedule ------------------------------------------------------------------

/// How many purges the audit log shows.
async fn purge_runs(s: &dyn Storage) -> usize {
    s.audit_rows(0, 10_000)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.action == AUDIT_PURGED)
        .count()
}

/// Waits (up to 4 s) until the audit log shows `n` purges.
async fn wait_for_purges(s: &dyn Storage, n: usize) {
    for _ in 0..200 {
        if purge_runs(s).await >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the server's purge did not run {n} times");
}

/// Transfer records past retention go without anyone running a command: the server's purge task
/// removes them at start, and a record that ages past the cutoff later goes at the next run.
async fn transfer_records_are_purged_by_the_server_itself_at_start_and_every_day(
    s: Arc<dyn Storage>,
) {
    use hakaru_central::retention;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::time::Duration;

    let w = world(s).await;
    let start = t(0, 0);
    let cutoff = retention_cutoff(start, 3, JST);
    enrol(&w, "OLD", 100, false, t(-4 * 365, 0)).await;
    // Inside retention at start, past it one day later.
    enrol(
        &w,
        "AGEING",
        200,
        false,
        Timestamp::from_unix_ms(cutoff.as_unix_ms() + 1),
    )
    .await;
    enrol(&w, "NEW", 300, false, t(-1, 0)).await;
    let named = |records: &[TransferRecord], who: &str| {
        records
            .iter()
            .any(|r| r.participants.iter().any(|p| p == who))
    };
    let now = Arc::new(AtomicI64::new(start.as_unix_ms()));
    let clock_now = now.clone();
    let clock: hakaru_central::api::Clock =
        Arc::new(move || Timestamp::from_unix_ms(clock_now.load(Ordering::SeqCst)));
    let task = tokio::spawn(retention::run(
        w.s.clone(),
        3,
        clock,
        Duration::from_millis(200),
    ));
    wait_for_purges(w.s.as_ref(), 1).await;
    let after_start = all_records(&w).await;
    assert!(!named(&after_start, "OLD"), "purged at start");
    assert!(named(&after_start, "AGEING") && named(&after_start, "NEW"));
    // A day later (by the server's clock) the ageing record is past the cutoff too.
    now.store(start.as_unix_ms() + DAY, Ordering::SeqCst);
    let runs = purge_runs(w.s.as_ref()).await;
    wait_for_purges(w.s.as_ref(), runs + 1).await;
    let later = all_records(&w).await;
    assert!(!named(&later, "AGEING"), "purged at the next run");
    assert!(named(&later, "NEW"));
    task.abort();
    let server_rows = w.s.audit_rows(0, 10_000).await.unwrap();
    assert!(server_rows
        .iter()
        .filter(|r| r.action == AUDIT_PURGED)
        .all(|r| r.actor == "server"));
}
