//! The privacy policy's promises about the server's audit log, each checked on BOTH backends (a
//! fresh SQLite file and a fresh PostgreSQL schema per case): every configuration change is
//! recorded, by whom; editing or deleting any row — even the last — is detected and the row is
//! named; rows carry ids, never health values. At the bottom, the `admin audit verify` command of
//! the real binary on a SQLite file.
//!
//! Tampering is done the way an intruder with the database would: drop the append-only guard
//! (trigger) with raw SQL, then UPDATE or DELETE a row.
//!
//! PostgreSQL comes from `HAKARU_TEST_DATABASE_URL` (default: the one `scripts/postgres` makes);
//! without it these tests FAIL, never skip. Deliberately not here: the chain rules themselves
//! (unit tests in `storage::audit`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod backends;
mod cli_support;
#[macro_use]
#[allow(unused_macros, unused_imports)]
mod contract;

use backends::{
    admin_client, fresh_postgres_storage, fresh_sqlite_storage, SchemaGuard, SqliteFile,
};
use contract::*;
use hakaru_central::ids::CredentialId;
use hakaru_central::storage::audit::{
    chain_hash, entries, Actor, AuditBreak, AuditCheck, AuditRow, BreakReason,
};
use hakaru_central::storage::Storage;
use hakaru_wire::ConsentAction;
use std::path::PathBuf;
use std::sync::Arc;

/// The administrator every case acts as.
const ADMIN: &str = "kanri";

// --- fixtures: a fresh database per case, on each backend, with raw access for the intruder ----

/// Raw access to the case's database, bypassing the storage.
enum Raw {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Raw {
    /// Runs SQL directly; `Err` carries the database's refusal.
    async fn exec(&self, sql: &str) -> Result<(), String> {
        match self {
            Raw::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
                conn.execute_batch(sql).map_err(|e| e.to_string())
            }
            Raw::Postgres(url) => admin_client(url)
                .await
                .batch_execute(sql)
                .await
                .map_err(|e| format!("{e:?}")),
        }
    }

    /// Drops the triggers that keep the log append-only, as an intruder would.
    async fn drop_append_only_guard(&self) {
        let sql = match self {
            Raw::Sqlite(_) => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
            Raw::Postgres(_) => "DROP TRIGGER audit_log_append_only ON audit_log;",
        };
        self.exec(sql).await.expect("drop the append-only guard");
    }
}

/// The storage under test (acting as administrator [`ADMIN`]) and raw access to its database.
struct Fresh {
    s: Arc<dyn Storage>,
    raw: Raw,
}

async fn fresh_sqlite() -> (Fresh, SqliteFile) {
    let (storage, file) = fresh_sqlite_storage();
    let fresh = Fresh {
        s: Arc::new(storage.acting_as(Actor::admin(ADMIN))),
        raw: Raw::Sqlite(file.path.clone()),
    };
    (fresh, file)
}

async fn fresh_postgres() -> (Fresh, SchemaGuard) {
    let (storage, guard) = fresh_postgres_storage().await;
    let fresh = Fresh {
        s: Arc::new(storage.acting_as(Actor::admin(ADMIN))),
        raw: Raw::Postgres(guard.scoped_url()),
    };
    (fresh, guard)
}

on_both_backends!(
    every_configuration_change_is_in_the_audit_log,
    a_data_view_is_in_the_audit_log,
    station_uploads_add_no_audit_rows,
    the_audit_log_refuses_edits_and_deletions_while_its_guard_stands,
    editing_one_audit_row_is_detected_and_named,
    rewriting_one_audit_row_with_a_fresh_hash_is_detected_at_the_next_row,
    deleting_one_audit_row_is_detected_and_named,
    deleting_the_last_audit_row_is_detected,
    audit_rows_carry_no_health_values,
    a_profile_correction_names_the_changed_fields_without_their_values,
);

// --- helpers ---------------------------------------------------------------------------------------

async fn rows(s: &dyn Storage) -> Vec<AuditRow> {
    s.audit_rows(0, 10_000).await.unwrap()
}

async fn actions(s: &dyn Storage) -> Vec<String> {
    rows(s).await.into_iter().map(|r| r.action).collect()
}

/// The 8 rows of [`seed`]: 2 programs, 3 municipalities, 3 stations.
const SEED_ACTIONS: [&str; 8] = [
    "program_created",
    "program_created",
    "municipality_created",
    "municipality_created",
    "municipality_created",
    "station_created",
    "station_created",
    "station_created",
];

fn broken(row_id: i64, reason: BreakReason) -> AuditCheck {
    AuditCheck::Broken(AuditBreak { row_id, reason })
}

// --- the promises ----------------------------------------------------------------------------------

/// Every administrator write — structure, rules, credentials, roster, cards, documents,
/// purposes, staff, award cancellations and exchanges — leaves one row naming the administrator,
/// and the chain of them verifies.
async fn every_configuration_change_is_in_the_audit_log(f: Fresh) {
    let w = seed(Arc::clone(&f.s)).await;
    let mut rules = hakaru_central::points::PointsRules::default_rules();
    rules.exchange_unit = 10;
    w.s.set_points_rules(&w.pa, &rules, now()).await.unwrap();
    let credential = CredentialId::new("cred-kita-01").unwrap();
    w.s.add_credential(&w.a1.station, &credential, b"hash-of-secret", now())
        .await
        .unwrap();
    w.s.revoke_credential(&credential, now()).await.unwrap();
    w.s.publish_document(&w.pa, &document("1"), now())
        .await
        .unwrap();
    w.s.put_purpose(&w.pa, &purpose("measurement"), now())
        .await
        .unwrap();
    w.s.put_staff(&w.pa, &staff("tanaka"), now()).await.unwrap();
    w.enrol("A-1", 100).await; // one roster write (the consent is a station upload)
    let card = w.issue("A-1").await;
    let issued = hakaru_central::storage::CardId::of(&card.token.fields());
    assert!(w.s.revoke_card(&w.pa, issued, now()).await.unwrap());
    w.upload(&w.a1, vec![measurement(&w.a1, 1, "A-1", t(0, 0))], now())
        .await;
    w.upload(&w.a1, vec![measurement(&w.a1, 2, "A-1", t(1, 0))], t(1, 1))
        .await;
    let awards = w.s.awards(&w.pa, "A-1").await.unwrap();
    let smallest = awards.iter().min_by_key(|a| a.points).unwrap();
    w.s.cancel_award(&w.pa, smallest.id, "不正 / fraud", now())
        .await
        .unwrap();
    w.s.exchange_points(&w.pa, "A-1", 1, t(1, 2)).await.unwrap();

    let mut expected: Vec<&str> = SEED_ACTIONS.to_vec();
    expected.extend([
        "points_rules_changed",
        "credential_added",
        "credential_revoked",
        "document_published",
        "purpose_saved",
        "staff_saved",
        "participant_saved",
        "card_issued",
        "card_revoked",
        "award_cancelled",
        "points_exchanged",
    ]);
    let rows = rows(w.s.as_ref()).await;
    assert_eq!(
        rows.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
        expected
    );
    for r in &rows {
        assert_eq!(r.actor, format!("admin:{ADMIN}"), "row {}", r.id);
        let detail: serde_json::Value = serde_json::from_str(&r.detail).unwrap();
        assert!(detail.is_object(), "row {} detail is a JSON object", r.id);
    }
    // Rows say what was touched: the card issued and revoked, the participant, the credential.
    let detail = |action: &str| -> serde_json::Value {
        let row = rows.iter().find(|r| r.action == action).unwrap();
        serde_json::from_str(&row.detail).unwrap()
    };
    assert_eq!(detail("card_issued")["participant"], "A-1");
    assert_eq!(detail("card_issued")["card"], issued.to_string());
    assert_eq!(detail("card_revoked")["card"], issued.to_string());
    assert_eq!(detail("credential_revoked")["credential"], "cred-kita-01");
    assert_eq!(detail("points_exchanged")["units"], 1);
    assert_eq!(detail("award_cancelled")["award"], smallest.id.to_string());
    assert_eq!(
        w.s.verify_audit().await.unwrap(),
        AuditCheck::Intact {
            rows: expected.len() as u64
        }
    );
}

/// A view of one participant's data, recorded by the admin command that shows it, is a row of
/// its own naming who looked, at what and at whom.
async fn a_data_view_is_in_the_audit_log(f: Fresh) {
    let w = seed(Arc::clone(&f.s)).await;
    let entry = entries::data_viewed(
        &Actor::admin(ADMIN),
        "points_balance",
        &w.pa,
        &["A-7".to_owned()],
    );
    w.s.record_audit(entry, now()).await.unwrap();
    let rows = rows(w.s.as_ref()).await;
    let last = rows.last().unwrap();
    assert_eq!((last.id, last.action.as_str()), (9, "data_viewed"));
    assert_eq!(last.actor, format!("admin:{ADMIN}"));
    assert_eq!(last.at, now());
    let detail: serde_json::Value = serde_json::from_str(&last.detail).unwrap();
    assert_eq!(
        detail,
        serde_json::json!({ "view": "points_balance", "program": "prog-a", "participants": ["A-7"] })
    );
    assert_eq!(
        w.s.verify_audit().await.unwrap(),
        AuditCheck::Intact { rows: 9 }
    );
}

/// Station uploads are recorded in the transfer ledger, not one audit row each (that would
/// slow every sync): uploading readings and consents leaves the audit log as it was.
async fn station_uploads_add_no_audit_rows(f: Fresh) {
    let w = seed(Arc::clone(&f.s)).await;
    w.s.put_participant(&w.pa, &roster("A-1"), now())
        .await
        .unwrap();
    let before = actions(w.s.as_ref()).await;
    w.upload(
        &w.a1,
        vec![
            consent(&w.a1, 1, "A-1", ConsentAction::Given, t(0, 0)),
            measurement(&w.a1, 2, "A-1", t(0, 0)),
        ],
        now(),
    )
    .await;
    assert_eq!(actions(w.s.as_ref()).await, before);
    assert!(
        !w.ledger_a().await.is_empty(),
        "the upload is in the ledger"
    );
}

/// Without dropping the guard first, the database itself refuses to edit or delete a row.
async fn the_audit_log_refuses_edits_and_deletions_while_its_guard_stands(f: Fresh) {
    seed(Arc::clone(&f.s)).await;
    let edit = f
        .raw
        .exec("UPDATE audit_log SET detail = '{}' WHERE id = 3")
        .await;
    assert!(
        edit.as_ref().is_err_and(|e| e.contains("append-only")),
        "{edit:?}"
    );
    let delete = f.raw.exec("DELETE FROM audit_log WHERE id = 3").await;
    assert!(
        delete.as_ref().is_err_and(|e| e.contains("append-only")),
        "{delete:?}"
    );
    assert_eq!(
        f.s.verify_audit().await.unwrap(),
        AuditCheck::Intact { rows: 8 }
    );
}

/// Editing one row in the middle (here: which municipality was created) is detected and that
/// row is named.
async fn editing_one_audit_row_is_detected_and_named(f: Fresh) {
    seed(Arc::clone(&f.s)).await;
    f.raw.drop_append_only_guard().await;
    f.raw
        .exec(r#"UPDATE audit_log SET detail = '{"municipality":"nise","program":"prog-a"}' WHERE id = 4"#)
        .await
        .unwrap();
    assert_eq!(
        f.s.verify_audit().await.unwrap(),
        broken(4, BreakReason::Edited)
    );
}

/// An intruder who also recomputes the edited row's hash breaks the link to the next row: the
/// next row is named.
async fn rewriting_one_audit_row_with_a_fresh_hash_is_detected_at_the_next_row(f: Fresh) {
    seed(Arc::clone(&f.s)).await;
    let row = rows(f.s.as_ref())
        .await
        .into_iter()
        .find(|r| r.id == 4)
        .unwrap();
    let detail = r#"{"municipality":"nise","program":"prog-a"}"#;
    let hash = chain_hash(
        &row.prev_hash,
        row.id,
        row.at.as_unix_ms(),
        &row.actor,
        &row.action,
        detail,
    );
    f.raw.drop_append_only_guard().await;
    f.raw
        .exec(&format!(
            "UPDATE audit_log SET detail = '{detail}', hash = '{hash}' WHERE id = 4"
        ))
        .await
        .unwrap();
    assert_eq!(
        f.s.verify_audit().await.unwrap(),
        broken(5, BreakReason::BrokenLink)
    );
}

/// Deleting one row in the middle is detected and the missing row is named.
async fn deleting_one_audit_row_is_detected_and_named(f: Fresh) {
    seed(Arc::clone(&f.s)).await;
    f.raw.drop_append_only_guard().await;
    f.raw
        .exec("DELETE FROM audit_log WHERE id = 4")
        .await
        .unwrap();
    assert_eq!(
        f.s.verify_audit().await.unwrap(),
        broken(4, BreakReason::Missing)
    );
}

/// Deleting the newest row leaves a chain that is consistent in itself; the head, moved in the
/// same transaction as every append, still names it, so it is detected too.
async fn deleting_the_last_audit_row_is_detected(f: Fresh) {
    seed(Arc::clone(&f.s)).await;
    f.raw.drop_append_only_guard().await;
    f.raw
        .exec("DELETE FROM audit_log WHERE id = 8")
        .await
        .unwrap();
    assert_eq!(
        f.s.verify_audit().await.unwrap(),
        broken(8, BreakReason::Missing)
    );
}

/// Rows name participants by number only: a participant's birth date and height, a staff
/// password hash and a credential's secret hash never reach the audit log.
async fn audit_rows_carry_no_health_values(f: Fresh) {
    let w = seed(Arc::clone(&f.s)).await;
    let mut entry = roster("Z-9041");
    entry.birth_date = "1938-07-19".into();
    entry.height_tenths_cm = 1873;
    w.s.put_participant(&w.pa, &entry, now()).await.unwrap();
    entry.height_tenths_cm = 1869; // a correction
    w.s.put_participant(&w.pa, &entry, now()).await.unwrap();
    let mut account = staff("suzuki");
    account.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$UXVpbGw$WnlnYWxza2Fy".into();
    w.s.put_staff(&w.pa, &account, now()).await.unwrap();
    let credential = CredentialId::new("cred-z").unwrap();
    w.s.add_credential(&w.a1.station, &credential, b"Qx7-secret-hash", now())
        .await
        .unwrap();
    w.issue("Z-9041").await;

    let rows = rows(w.s.as_ref()).await;
    let all: String = rows
        .iter()
        .map(|r| format!("{} {} {}\n", r.actor, r.action, r.detail))
        .collect();
    assert!(all.contains("Z-9041"), "the number is there: {all}");
    for value in [
        "1938",
        "07-19",
        "1873",
        "187.3",
        "1869",
        "186.9",
        "UXVpbGw",
        "WnlnYWxza2Fy",
        "argon2",
        "Qx7",
    ] {
        assert!(!all.contains(value), "{value} in the audit log: {all}");
    }
    let hex: String = b"Qx7-secret-hash"
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(!all.contains(&hex), "{all}");
    let corrections = rows
        .iter()
        .filter(|r| r.action == "participant_saved")
        .count();
    assert_eq!(corrections, 2, "the entry and its correction");
}

/// A correction of a participant's profile names the fields that changed — not their values.
async fn a_profile_correction_names_the_changed_fields_without_their_values(f: Fresh) {
    let w = seed(Arc::clone(&f.s)).await;
    let mut entry = roster("A-1");
    w.s.put_participant(&w.pa, &entry, now()).await.unwrap();
    entry.height_tenths_cm = 1612;
    entry.birth_date = "1951-05-06".into();
    w.s.put_participant(&w.pa, &entry, now()).await.unwrap();
    let saved: Vec<serde_json::Value> = rows(w.s.as_ref())
        .await
        .into_iter()
        .filter(|r| r.action == "participant_saved")
        .map(|r| serde_json::from_str(&r.detail).unwrap())
        .collect();
    assert_eq!(
        saved,
        vec![
            serde_json::json!({
                "program": "prog-a", "participant": "A-1", "status": "active",
                "added": true, "fields": [],
            }),
            serde_json::json!({
                "program": "prog-a", "participant": "A-1", "status": "active",
                "added": false, "fields": ["birth_date", "height_tenths_cm"],
            }),
        ]
    );
}

// --- the command ------------------------------------------------------------------------------------

mod cli {
    use super::*;
    use cli_support::{admin_command, run, succeeded, Db};
    use std::path::Path;
    use std::process::Output;

    /// An admin command run as administrator [`ADMIN`] (the log names the login user).
    fn admin(db: &Path, args: &[&str]) -> Output {
        run(admin_command(Db::File(db), args).env("USER", ADMIN))
    }

    fn admin_ok(db: &Path, args: &[&str]) -> String {
        succeeded(admin(db, args), args)
    }

    fn setup(db: &Path) {
        admin_ok(
            db,
            &[
                "program",
                "create",
                "--id",
                "kp",
                "--name-ja",
                "く",
                "--name-en",
                "K",
            ],
        );
        admin_ok(
            db,
            &[
                "participant",
                "put",
                "--program",
                "kp",
                "--number",
                "P-77",
                "--birth-date",
                "1950-03-04",
                "--sex",
                "female",
                "--height-cm",
                "151.3",
            ],
        );
    }

    /// `admin audit verify` says the log is intact with its row count and exits 0; after one
    /// row is edited it exits non-zero naming that row, in Japanese and English.
    #[test]
    fn the_audit_verify_command_names_the_first_tampered_row() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("central.db");
        setup(&db);
        admin_ok(
            &db,
            &[
                "municipality",
                "create",
                "--id",
                "kita",
                "--program",
                "kp",
                "--name-ja",
                "北区",
                "--name-en",
                "Kita",
            ],
        );
        let ok = admin_ok(&db, &["audit", "verify"]);
        assert!(
            ok.contains("監査ログは正常です（3 行）")
                && ok.contains("the audit log is intact (3 rows)"),
            "{ok}"
        );

        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "DROP TRIGGER audit_log_no_update; \
             UPDATE audit_log SET detail = '{\"program\":\"kp\"}' WHERE id = 2;",
        )
        .unwrap();
        drop(conn);
        let out = admin(&db, &["audit", "verify"]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("監査ログの 2 行目が不正です") && err.contains("broken at row 2"),
            "{err}"
        );
        assert!(err.contains("edited"), "{err}");
    }

    /// Looking at one participant's points with an admin command is recorded (who, what, whom)
    /// before it is shown, and `admin audit show` lists every row.
    #[test]
    fn an_admin_command_showing_a_participants_data_is_in_the_audit_log() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("central.db");
        setup(&db);
        admin_ok(
            &db,
            &[
                "points",
                "balance",
                "--program",
                "kp",
                "--participant",
                "P-77",
            ],
        );
        let shown = admin_ok(&db, &["audit", "show"]);
        let lines: Vec<&str> = shown.lines().skip(1).collect();
        assert_eq!(lines.len(), 3, "{shown}");
        assert!(
            lines[0].contains("admin:kanri") && lines[0].contains("program_created"),
            "{shown}"
        );
        assert!(lines[1].contains("participant_saved"), "{shown}");
        assert!(
            lines[2].contains("data_viewed")
                && lines[2].contains("points_balance")
                && lines[2].contains("P-77"),
            "{shown}"
        );
        assert!(
            !shown.contains("1950-03-04") && !shown.contains("151"),
            "{shown}"
        );
        let after = admin_ok(&db, &["audit", "show", "--after", "2", "--limit", "5"]);
        assert_eq!(after.lines().skip(1).count(), 1, "{after}");
    }
}
