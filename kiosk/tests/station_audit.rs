//! `hakaru-station audit verify|show` end to end: a real encrypted store written through the
//! station's API, the kiosk settings file naming it, the built binary run as a technician runs
//! it — then one audit row edited (and one deleted) by raw SQL with the store's key, and the
//! command naming the first bad row with a non-zero exit.

#![allow(clippy::unwrap_used)]

mod support;

use hakaru_e2e::{resident, seed_store, SYNCED};
use hakaru_station::store::{Store, StoreConfig};
use hakaru_wire::ConsentAction;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A store with a few audited things in it, and the settings file naming it.
fn station(dir: &Path) -> (PathBuf, StoreConfig, u64) {
    let data = dir.join("data");
    let sc = StoreConfig::in_dir(&data);
    let mut store = seed_store(&sc);
    let (who, _) = resident();
    store
        .record_consent(
            &who,
            ConsentAction::Given,
            &hakaru_station::store::testing::consent_all(),
            SYNCED,
        )
        .unwrap();
    store.set_retention_days(14, SYNCED).unwrap();
    let rows = store.audit_row_count().unwrap();
    assert!(rows >= 5, "a few audited things: {rows}");
    drop(store);
    let config = support::write_settings(
        dir,
        &data,
        &support::Sections {
            scale: "port = \"/dev/ttyUSB0\"",
            ..support::Sections::default()
        },
    );
    (config, sc, rows)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hakaru-station"))
        .args(args)
        .env_remove("HAKARU_KIOSK_CONFIG")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Raw SQL on the store, keyed the way the store keys itself (a 32-byte raw SQLCipher key).
fn raw_sql(sc: &StoreConfig, sql: &str) {
    let key = std::fs::read(&sc.key_path).unwrap();
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let conn = rusqlite::Connection::open(&sc.db_path).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{hex}'\";"))
        .unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn the_station_audit_command_names_the_first_tampered_row() {
    let dir = tempfile::tempdir().unwrap();
    let (config, sc, rows) = station(dir.path());
    let config = config.to_str().unwrap();

    let ok = run(&["audit", "verify", "--config", config]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert_eq!(
        text(&ok.stdout).trim(),
        format!("監査ログは正常です（{rows} 行） / the audit log is intact ({rows} rows)")
    );

    let shown = run(&["audit", "show", "--limit", "2", "--config", config]);
    assert_eq!(shown.status.code(), Some(0), "{}", text(&shown.stderr));
    let out = text(&shown.stdout);
    let lines: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with(&format!("{rows}\t")),
        "newest first: {out}"
    );
    assert!(lines[0].contains("setting_changed"), "{out}");
    assert!(
        lines[1].contains("consent_recorded") || lines[1].contains("consent"),
        "{out}"
    );

    // Reading never writes: the database file is the same bytes after both commands.
    let before = std::fs::read(&sc.db_path).unwrap();
    run(&["audit", "verify", "--config", config]);
    assert_eq!(std::fs::read(&sc.db_path).unwrap(), before);

    // While the kiosk runs (its connection open, the newest rows still in the WAL), the
    // command sees them too.
    {
        let mut running = Store::open(&sc).unwrap();
        running.set_retention_days(21, SYNCED).unwrap();
        let live = run(&["audit", "verify", "--config", config]);
        assert_eq!(live.status.code(), Some(0), "{}", text(&live.stderr));
        let n = rows + 1;
        assert!(
            text(&live.stdout).contains(&format!("（{n} 行）")),
            "{}",
            text(&live.stdout)
        );
        running.set_retention_days(30, SYNCED).unwrap();
    }

    // Someone edits row 3 (after getting rid of the guard trigger).
    raw_sql(
        &sc,
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET detail = '{\"purpose\":\"statistics\",\"required\":true}' WHERE id = 3;",
    );
    let broken = run(&["audit", "verify", "--config", config]);
    assert_eq!(broken.status.code(), Some(1));
    let err = text(&broken.stderr);
    assert!(
        err.contains("監査ログの 3 行目が改ざんまたは削除されています"),
        "{err}"
    );
    assert!(err.contains("the audit log is broken at row 3"), "{err}");
    assert!(err.contains("edited"), "{err}");
    assert!(
        err.contains("技術者") && err.contains("technician"),
        "what to do: {err}"
    );
    assert!(text(&broken.stdout).is_empty());

    // Deleting an earlier row moves the first bad row to it.
    raw_sql(
        &sc,
        "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 2;",
    );
    let deleted = run(&["audit", "verify", "--config", config]);
    assert_eq!(deleted.status.code(), Some(1));
    let err = text(&deleted.stderr);
    assert!(
        err.contains("2 行目") && err.contains("row 2") && err.contains("deleted"),
        "{err}"
    );

    // The store itself still opens for the kiosk, and says the same.
    let store = Store::open(&sc).unwrap();
    assert!(store.verify_audit().is_err());
}

#[test]
fn the_station_audit_command_explains_what_it_cannot_open() {
    let dir = tempfile::tempdir().unwrap();
    let (config, sc, _) = station(dir.path());
    // Without its key the store is not opened, and no new key is made.
    std::fs::rename(&sc.key_path, dir.path().join("elsewhere.key")).unwrap();
    let out = run(&["audit", "verify", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("鍵ファイル") && err.contains("key file"),
        "{err}"
    );
    assert!(!sc.key_path.exists(), "no key was made");
    // A settings file that does not exist.
    let missing = dir.path().join("nope.toml");
    let out = run(&["audit", "verify", "--config", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("nope.toml"));
    // Usage.
    let out = run(&["audit", "fix"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("hakaru-station audit verify"));
}
