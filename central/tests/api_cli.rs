//! The `hakaru-central` binary end to end on a temporary SQLite file: the admin commands create a
//! program, municipality and station and issue a credential; a served instance (the same binary)
//! accepts the token; after `credential revoke` it answers 401.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;

use cli_support::{admin, admin_ok, BIN};
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A `hakaru-central serve` child, killed on drop.
struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &Path) -> Served {
    let mut child = Command::new(BIN)
        .arg("--database")
        .arg(db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("HAKARU_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server logs before it exits")
            .unwrap();
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&line) else {
            panic!("log lines are JSON: {line}");
        };
        if json["fields"]["message"] == "hakaru-central listening" {
            break json["fields"]["addr"].as_str().unwrap().to_owned();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Served {
        child,
        base: format!("http://{addr}"),
    }
}

#[tokio::test]
async fn admin_commands_enroll_a_station_whose_token_works_until_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");

    admin_ok(
        &db,
        &[
            "program",
            "create",
            "--id",
            "kumamoto",
            "--name-ja",
            "くまもと健康ポイント",
            "--name-en",
            "Kumamoto",
        ],
    );
    let shown = admin_ok(&db, &["program", "show", "--id", "kumamoto"]);
    assert!(shown.contains("daily-measurement"), "{shown}");
    admin_ok(
        &db,
        &[
            "municipality",
            "create",
            "--id",
            "kita",
            "--program",
            "kumamoto",
            "--name-ja",
            "北区",
            "--name-en",
            "Kita",
        ],
    );
    admin_ok(
        &db,
        &[
            "station",
            "create",
            "--id",
            "kita-01",
            "--municipality",
            "kita",
            "--place",
            "北公民館",
        ],
    );
    admin_ok(
        &db,
        &[
            "participant",
            "put",
            "--program",
            "kumamoto",
            "--number",
            "K-000001",
            "--birth-date",
            "1950-04-01",
            "--sex",
            "female",
            "--height-cm",
            "155.5",
        ],
    );

    let issued = admin(&db, &["credential", "issue", "--station", "kita-01"]);
    assert!(issued.status.success());
    let token = String::from_utf8(issued.stdout).unwrap().trim().to_owned();
    let words = String::from_utf8(issued.stderr).unwrap();
    assert!(token.starts_with("hk1."), "{token}");
    assert!(
        words.contains("will not be shown again") && words.contains("二度と"),
        "{words}"
    );
    let credential_id = token.split('.').nth(1).unwrap().to_owned();

    let served = serve(&db);
    let client = reqwest::Client::new();
    let r = client
        .get(format!("{}/v1/participants/K-000001/points", served.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let balance: hakaru_wire::api::PointsBalance = r.json().await.unwrap();
    assert_eq!(balance.balance, 0);

    let status = admin_ok(&db, &["status", "--program", "kumamoto"]);
    assert!(
        status.contains("kita-01") && !status.contains("never"),
        "{status}"
    );

    admin_ok(&db, &["credential", "revoke", "--id", &credential_id]);
    let r = client
        .get(format!("{}/v1/changes", served.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // The transfer ledger shows the points read, labelled 委託.
    let ledger = admin_ok(
        &db,
        &["ledger", "--program", "kumamoto", "--format", "json"],
    );
    let first: serde_json::Value =
        serde_json::from_str(ledger.lines().next().expect("one entry")).unwrap();
    assert_eq!(first["label"], "委託");
}

#[test]
fn admin_errors_say_what_to_do_and_exit_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let out = admin(
        &db,
        &[
            "municipality",
            "create",
            "--id",
            "kita",
            "--program",
            "missing",
            "--name-ja",
            "北区",
            "--name-en",
            "Kita",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("エラー / error"), "{err}");

    let out = admin(&db, &["program", "show", "--id", "missing"]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("admin program create"), "{err}");
}

#[test]
fn staff_passwords_are_hashed_and_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    admin_ok(
        &db,
        &[
            "program",
            "create",
            "--id",
            "p",
            "--name-ja",
            "p",
            "--name-en",
            "p",
        ],
    );
    let out = Command::new(BIN)
        .arg("--database")
        .arg(&db)
        .args([
            "admin",
            "staff",
            "put",
            "--program",
            "p",
            "--login",
            "tanaka",
            "--display-name",
            "田中",
            "--role",
            "technician",
        ])
        .env("HAKARU_STAFF_PASSWORD", "kiosk-secret-99")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("kiosk-secret-99"), "{all}");

    // Too short from standard input: refused with words.
    let mut child = Command::new(BIN)
        .arg("--database")
        .arg(&db)
        .args([
            "admin",
            "staff",
            "put",
            "--program",
            "p",
            "--login",
            "sato",
            "--display-name",
            "佐藤",
        ])
        .env_remove("HAKARU_STAFF_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8"));
}
