//! The public statements, end to end through the `hakaru-central` binary on a temporary SQLite
//! file: the statement a program publishes names exactly the purposes its kiosks ask, its
//! contractors and its request desk, and cannot be made before the program says who it is.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;

use cli_support::{admin, admin_config_ok, admin_ok};
use std::path::Path;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/privacy-profile.example.toml");

fn program_with_purposes(db: &Path) {
    admin_ok(
        db,
        &[
            "program",
            "create",
            "--id",
            "demo",
            "--name-ja",
            "デモ市 健康ポイント",
            "--name-en",
            "Demo",
        ],
    );
    admin_ok(
        db,
        &[
            "purpose",
            "put",
            "--program",
            "demo",
            "--id",
            "measurement",
            "--required",
            "--label-ja",
            "測定結果を記録し、健康ポイントを付与するため",
            "--label-en",
            "Record readings",
        ],
    );
    admin_ok(
        db,
        &[
            "purpose",
            "put",
            "--program",
            "demo",
            "--id",
            "statistics",
            "--label-ja",
            "個人が特定されない形で統計に使うため",
            "--label-en",
            "Statistics",
        ],
    );
}

#[test]
fn the_published_statement_names_every_purpose_the_kiosk_asks_and_the_request_desk() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    program_with_purposes(&db);
    admin_ok(
        &db,
        &[
            "privacy-profile",
            "set",
            "--program",
            "demo",
            "--file",
            EXAMPLE,
        ],
    );
    let out = dir.path().join("statement.md");
    admin_ok(
        &db,
        &[
            "statement",
            "--program",
            "demo",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("# デモ市 健康ポイント 保有個人データに関する事項の公表"));
    assert!(text.contains("- 測定結果を記録し、健康ポイントを付与するため（必須）"));
    assert!(
        text.contains("- 個人が特定されない形で統計に使うため（任意：同意された方のデータのみ）")
    );
    assert!(text.contains("デモ株式会社"), "contractor from the profile");
    assert!(text.contains("0000-00-0000"), "desk phone from the profile");

    // A purpose added later is in the next statement, without touching the profile.
    admin_ok(
        &db,
        &[
            "purpose",
            "put",
            "--program",
            "demo",
            "--id",
            "research",
            "--label-ja",
            "大学との共同研究に使うため",
            "--label-en",
            "Research",
        ],
    );
    let again = admin_ok(
        &db,
        &["statement", "--program", "demo", "--kind", "file-register"],
    );
    assert!(again.contains("大学との共同研究に使うため"));
    assert!(again.contains("| 要配慮個人情報が含まれるときは、その旨 | 含む（測定結果） |"));
}

#[test]
fn no_statement_is_made_before_the_program_says_who_holds_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    program_with_purposes(&db);
    let out = admin(&db, &["statement", "--program", "demo"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("privacy-profile set"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_privacy_profile_with_a_misspelt_key_is_refused_and_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    program_with_purposes(&db);
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(EXAMPLE)
            .unwrap()
            .replace("hours_ja", "hour_ja"),
    )
    .unwrap();
    let out = admin(
        &db,
        &[
            "privacy-profile",
            "set",
            "--program",
            "demo",
            "--file",
            bad.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("hour_ja"));
    let shown = admin_ok(&db, &["privacy-profile", "show", "--program", "demo"]);
    assert!(shown.contains("プライバシープロファイルがありません"));
}

#[test]
fn the_statement_states_the_transfer_record_period_the_server_is_configured_to_keep() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    program_with_purposes(&db);
    admin_ok(
        &db,
        &[
            "privacy-profile",
            "set",
            "--program",
            "demo",
            "--file",
            EXAMPLE,
        ],
    );
    let config = dir.path().join("central.toml");
    std::fs::write(
        &config,
        format!(
            "database = {:?}\n[privacy]\ntransfer_record_years = 5\n",
            db.to_str().unwrap()
        ),
    )
    .unwrap();
    let text = admin_config_ok(&config, &["statement", "--program", "demo"]);
    assert!(text.contains("5 年間保存"), "{text}");
    assert!(!text.contains("3 年間保存"));
}
