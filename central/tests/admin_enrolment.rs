//! The program office's enrolment commands of the real `hakaru-central` binary, on BOTH backends
//! (an SQLite file, a PostgreSQL schema, named in a configuration file): `registration-rules
//! set|show`, `registrations held` (the conflict of two stations shown, the view audited),
//! `calibrations`, and `staff put --role admin`.
//!
//! Deliberately not here: the judging itself (`registrations.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod backends;
mod cli_support;
#[allow(unused_macros, unused_imports)]
mod contract;

use cli_support::{admin_command, admin_config, admin_config_ok, run, Db};
use contract::*;
use hakaru_central::storage::Storage;
use hakaru_wire::api::{ChangeKind, HeldReason, RegistrationRules, StaffRole};
use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;

/// A storage and a configuration file naming the same database for the binary.
struct Fixture {
    s: Arc<dyn Storage>,
    config: PathBuf,
}

async fn fresh_sqlite() -> (Fixture, Box<dyn Any + Send>) {
    let (storage, file) = backends::fresh_sqlite_storage();
    let config = file.path.with_file_name("central.toml");
    std::fs::write(
        &config,
        format!("database = {:?}\n", file.path.display().to_string()),
    )
    .unwrap();
    let s: Arc<dyn Storage> = Arc::new(storage);
    (Fixture { s, config }, Box::new(file))
}

async fn fresh_postgres() -> (Fixture, Box<dyn Any + Send>) {
    let (storage, guard) = backends::fresh_postgres_storage().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("central.toml");
    std::fs::write(
        &config,
        format!("database_url = {:?}\n", guard.scoped_url()),
    )
    .unwrap();
    let s: Arc<dyn Storage> = Arc::new(storage);
    (Fixture { s, config }, Box::new((guard, dir)))
}

async fn registration_rules_are_set_and_shown(f: Fixture) {
    let w = seed(f.s).await;
    let shown = admin_config_ok(
        &f.config,
        &["registration-rules", "show", "--program", "prog-a"],
    );
    assert!(
        shown.contains("20 歳") && shown.contains("なし / none"),
        "{shown}"
    );
    let said = admin_config_ok(
        &f.config,
        &[
            "registration-rules",
            "set",
            "--program",
            "prog-a",
            "--min-age",
            "18",
            "--residency",
            "not-required",
            "--cap",
            "2",
        ],
    );
    assert!(said.contains("next sync"), "{said}");
    let want = RegistrationRules {
        min_age_years: 18,
        residency_required: false,
        enrolment_cap: Some(2),
    };
    assert_eq!(w.s.registration_rules(&w.pa).await.unwrap(), want);
    // Omitted items keep their value; `none` lifts the cap.
    admin_config_ok(
        &f.config,
        &[
            "registration-rules",
            "set",
            "--program",
            "prog-a",
            "--cap",
            "none",
        ],
    );
    let got = w.s.registration_rules(&w.pa).await.unwrap();
    assert_eq!((got.min_age_years, got.enrolment_cap), (18, None));
    let page = w.s.changes_since(&w.a1, 0, 100, now()).await.unwrap();
    let fed = page
        .changes
        .iter()
        .filter(|c| matches!(c.change, ChangeKind::RegistrationRules(_)))
        .count();
    assert_eq!(fed, 2);
    // A cap of 0 and an unknown program are refused with what to do.
    let out = admin_config(
        &f.config,
        &[
            "registration-rules",
            "set",
            "--program",
            "prog-a",
            "--cap",
            "0",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("or none"));
    let out = admin_config(
        &f.config,
        &["registration-rules", "show", "--program", "nowhere"],
    );
    assert!(!out.status.success());
}

async fn held_registrations_show_the_conflict_of_two_stations(f: Fixture) {
    let w = seed(f.s).await;
    let none = admin_config_ok(&f.config, &["registrations", "held", "--program", "prog-a"]);
    assert!(none.contains("no registrations are held"), "{none}");
    w.upload(&w.a1, vec![registration(&w.a1, 1, &roster("A-7"))], now())
        .await;
    let r = w
        .upload(&w.a2, vec![registration(&w.a2, 2, &roster("A-7"))], now())
        .await;
    assert_eq!(held_reason(&r.acks[0]), Some(HeldReason::ParticipantExists));
    let listed = admin_config_ok(&f.config, &["registrations", "held", "--program", "prog-a"]);
    let line = listed
        .lines()
        .find(|l| l.contains("A-7"))
        .unwrap_or_else(|| panic!("{listed}"));
    assert!(line.contains("minami-02"), "{line}");
    assert!(
        line.contains(HeldReason::ParticipantExists.words()),
        "{line}"
    );
    assert!(line.contains("register them under a new number"), "{line}");
    assert!(!listed.contains("kita-01"), "{listed}");
    // Participant numbers were shown: the view is in the audit log.
    let rows = w.s.audit_rows(0, 1000).await.unwrap();
    let viewed = rows
        .iter()
        .find(|r| r.action == "data_viewed" && r.detail.contains("registrations_held"))
        .expect("the view is audited");
    assert!(viewed.detail.contains("A-7"), "{}", viewed.detail);
}

async fn calibration_records_are_listed(f: Fixture) {
    let w = seed(f.s).await;
    w.upload(&w.a1, vec![calibration(&w.a1, 1)], now()).await;
    w.upload(&w.a2, vec![calibration(&w.a2, 2)], now()).await;
    let listed = admin_config_ok(
        &f.config,
        &[
            "calibrations",
            "--program",
            "prog-a",
            "--station",
            "kita-01",
        ],
    );
    let lines: Vec<&str> = listed.lines().filter(|l| l.contains("MC-780")).collect();
    assert_eq!(lines.len(), 1, "{listed}");
    for want in [
        "kita-01",
        "SN-1",
        "tech-1",
        "合格 / passed",
        "2027-05-01",
        "2026-04-01",
        "2028-04-01",
    ] {
        assert!(lines[0].contains(want), "{want} in {}", lines[0]);
    }
    let all = admin_config_ok(&f.config, &["calibrations"]);
    assert!(all.contains("2 件 / records"), "{all}");
}

async fn staff_put_takes_the_admin_role(f: Fixture) {
    let w = seed(f.s).await;
    let mut command = admin_command(
        Db::Config(&f.config),
        &[
            "staff",
            "put",
            "--program",
            "prog-a",
            "--login",
            "kanri",
            "--display-name",
            "管理者",
            "--role",
            "admin",
        ],
    );
    command.env("HAKARU_STAFF_PASSWORD", "admin-secret-42");
    let out = run(&mut command);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = w.s.changes_since(&w.a1, 0, 100, now()).await.unwrap();
    let roles: Vec<_> = page
        .changes
        .iter()
        .filter_map(|c| match &c.change {
            ChangeKind::Staff(a) => Some((a.login.as_str(), a.role)),
            _ => None,
        })
        .collect();
    assert_eq!(roles, [("kanri", StaffRole::Admin)]);
}

on_both_backends!(
    registration_rules_are_set_and_shown,
    held_registrations_show_the_conflict_of_two_stations,
    calibration_records_are_listed,
    staff_put_takes_the_admin_role,
);
