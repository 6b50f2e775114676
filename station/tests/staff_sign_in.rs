//! Staff sign-in against a real encrypted store: accounts arrive by the change feed (argon2id
//! PHC strings as the server makes them), the lockout counts failures per typed login (unknown
//! ones too, with the identical error), survives reopening the store and runs out after 15
//! minutes, the idle clock signs out, roles gate what may be done, and every step is in the
//! hash-chained audit log without the typed secret or the typed login.

#![allow(clippy::unwrap_used)]

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use hakaru_station::staff::{
    Need, SignInError, SignInPolicy, SignOutReason, StaffDesk, StaffError,
};
use hakaru_station::store::testing::{seeded, T0};
use hakaru_station::store::{Store, StoreConfig};
use hakaru_wire::api::{Change, ChangeKind, ChangesPage, StaffAccount, StaffRole};
use hakaru_wire::Timestamp;
use std::time::{Duration, Instant};

const MIN: i64 = 60_000;

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_unix_ms(T0.as_unix_ms() + minutes * MIN)
}

/// An argon2id PHC string (small memory so the tests stay quick; the station reads the
/// parameters from the string, as it does for the server's).
fn phc(secret: &str) -> String {
    let params = Params::new(1024, 1, 1, None).unwrap();
    let salt = SaltString::from_b64("c2FsdHNhbHRzYWx0").unwrap();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(secret.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

/// Sends staff accounts down the change feed, as the roster sync does.
fn put_staff(store: &mut Store, accounts: &[(&str, &str, StaffRole, bool)]) {
    let cursor = store.sync_cursor().unwrap();
    let changes = accounts
        .iter()
        .enumerate()
        .map(|(i, (login, secret, role, active))| Change {
            seq: cursor + 1 + i as u64,
            change: ChangeKind::Staff(StaffAccount {
                login: (*login).into(),
                display_name: format!("{login} さん"),
                role: *role,
                password_hash: phc(secret),
                active: *active,
            }),
        })
        .collect::<Vec<_>>();
    let page = ChangesPage {
        card_program: 1,
        next_cursor: cursor + changes.len() as u64,
        changes,
        more: false,
    };
    let applied = store.apply_changes(&page, T0).unwrap();
    assert_eq!(applied.staff as usize, accounts.len());
}

struct Fixture {
    _dir: tempfile::TempDir,
    cfg: StoreConfig,
    store: Store,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let cfg = StoreConfig::in_dir(dir.path());
    let mut store = seeded(&cfg, 0).unwrap();
    put_staff(
        &mut store,
        &[
            ("sato", "2468", StaffRole::Staff, true),
            ("tech", "correct horse", StaffRole::Technician, true),
            ("boss", "admin-pass", StaffRole::Admin, true),
            ("gone", "1357", StaffRole::Staff, false),
        ],
    );
    Fixture {
        _dir: dir,
        cfg,
        store,
    }
}

#[allow(clippy::disallowed_methods)] // tests need a starting instant; every later one is derived
fn start() -> Instant {
    Instant::now()
}

fn refused(e: &SignInError) -> bool {
    matches!(e, SignInError::Refused)
}

fn locked(e: &SignInError) -> Option<u64> {
    match e {
        SignInError::Locked { retry_after_secs } => Some(*retry_after_secs),
        _ => None,
    }
}

#[test]
fn five_failures_lock_the_login_and_even_the_right_password_then_waits() {
    let mut f = fixture();
    let mut desk = StaffDesk::new(SignInPolicy::default());
    let t = start();
    for i in 0..4 {
        let e = desk
            .sign_in(&mut f.store, "sato", "0000", t, at(i))
            .unwrap_err();
        assert!(refused(&e), "{e}");
    }
    let fifth = desk
        .sign_in(&mut f.store, "sato", "0000", t, at(4))
        .unwrap_err();
    assert_eq!(locked(&fifth), Some(15 * 60));
    assert!(
        fifth.to_string().contains("15分後にもう一度お試しください"),
        "{fifth}"
    );
    let right = desk
        .sign_in(&mut f.store, "sato", "2468", t, at(10))
        .unwrap_err();
    assert_eq!(locked(&right), Some(9 * 60));
    assert!(desk.current().is_none());
    // Another login is not affected.
    assert!(desk
        .sign_in(&mut f.store, "tech", "correct horse", t, at(10))
        .is_ok());
}

#[test]
fn an_unknown_login_is_refused_and_locked_exactly_like_a_known_one() {
    let mut f = fixture();
    let mut desk = StaffDesk::new(SignInPolicy::default());
    let t = start();
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..6 {
        known.push(
            desk.sign_in(&mut f.store, "sato", "9999", t, at(i))
                .unwrap_err()
                .to_string(),
        );
        unknown.push(
            desk.sign_in(&mut f.store, "nobody", "9999", t, at(i))
                .unwrap_err()
                .to_string(),
        );
    }
    assert_eq!(known, unknown);
    assert_eq!(known[0], SignInError::Refused.to_string());
    assert_ne!(
        known[5], known[0],
        "the sixth attempt is told about the lock"
    );
    assert_eq!(f.store.sign_in_failures("NOBODY ").unwrap(), 5);
}

#[test]
fn a_disabled_account_is_refused_with_the_same_error_as_a_wrong_password() {
    let mut f = fixture();
    let mut desk = StaffDesk::new(SignInPolicy::default());
    let t = start();
    let disabled = desk
        .sign_in(&mut f.store, "gone", "1357", t, T0)
        .unwrap_err();
    let wrong = desk
        .sign_in(&mut f.store, "sato", "1111", t, T0)
        .unwrap_err();
    assert!(refused(&disabled));
    assert_eq!(disabled.to_string(), wrong.to_string());
    assert!(desk.current().is_none());
}

#[test]
fn the_lock_survives_reopening_the_store() {
    let Fixture {
        _dir,
        cfg,
        mut store,
    } = fixture();
    let t = start();
    {
        let mut desk = StaffDesk::new(SignInPolicy::default());
        for i in 0..5 {
            let _ = desk.sign_in(&mut store, "Sato", "bad", t, at(i));
        }
    }
    drop(store);
    let mut store = Store::open(&cfg).unwrap();
    let mut desk = StaffDesk::new(SignInPolicy::default());
    let e = desk
        .sign_in(&mut store, "sato", "2468", t, at(5))
        .unwrap_err();
    assert_eq!(locked(&e), Some(14 * 60));
}

#[test]
fn the_lock_expires_after_15_minutes() {
    let mut f = fixture();
    let mut desk = StaffDesk::new(SignInPolicy::default());
    let t = start();
    for _ in 0..5 {
        let _ = desk.sign_in(&mut f.store, "sato", "bad", t, at(0));
    }
    let just_before = Timestamp::from_unix_ms(at(15).as_unix_ms() - 1);
    let e = desk
        .sign_in(&mut f.store, "sato", "2468", t, just_before)
        .unwrap_err();
    assert_eq!(locked(&e), Some(1));
    let who = desk
        .sign_in(&mut f.store, "sato", "2468", t, at(15))
        .unwrap();
    assert_eq!(who.login, "sato");
    assert_eq!(who.role, StaffRole::Staff);
    assert_eq!(f.store.sign_in_failures("sato").unwrap(), 0);
}

#[test]
fn a_success_clears_the_failures() {
    let mut f = fixture();
    let mut desk = StaffDesk::new(SignInPolicy::default());
    let t = start();
    for i in 0..4 {
        let _ = desk.sign_in(&mut f.store, "sato", "bad", t, at(i));
    }
    assert_eq!(f.store.sign_in_failures("sato").unwrap(), 4);
    desk.sign_in(&mut f.store, "sato", "2468", t, at(4))
        .unwrap();
    assert_eq!(f.store.sign_in_failures("sato").unwrap(), 0);
    // Four more failures do not lock: the count started again.
    for i in 5..9 {
        let e = desk
            .sign_in(&mut f.store, "sato", "bad", t, at(i))
            .unwrap_err();
        assert!(refused(&e), "{e}");
    }
}

#[test]
fn failures_spread_wider_than_the_window_do_not_lock() {
    let mut f = fixture();
    let mut desk = StaffDesk::new(SignInPolicy::default());
    let t = start();
    for i in 0..4 {
        let _ = desk.sign_in(&mut f.store, "sato", "bad", t, at(i));
    }
    let e = desk
        .sign_in(&mut f.store, "sato", "bad", t, at(16))
        .unwrap_err();
    assert!(refused(&e), "{e}");
    assert_eq!(f.store.sign_in_failures("sato").unwrap(), 1);
}

#[test]
fn automatic_sign_out_after_300_s_idle_and_touch_postpones_it() {
    let mut f = fixture();
    let mut desk = StaffDesk::new(SignInPolicy::default());
    let t = start();
    desk.sign_in(&mut f.store, "sato", "2468", t, T0).unwrap();
    let secs = |s: u64| t + Duration::from_secs(s);
    assert_eq!(desk.idle_deadline(), Some(secs(300)));
    assert!(desk.check_idle(&mut f.store, secs(299), T0).is_none());
    desk.touch(secs(200));
    assert_eq!(desk.idle_deadline(), Some(secs(500)));
    assert!(desk.check_idle(&mut f.store, secs(499), T0).is_none());
    assert!(
        desk.require(Need::Register, secs(499)).is_ok(),
        "require counts as activity"
    );
    assert_eq!(desk.idle_deadline(), Some(secs(799)));
    assert_eq!(
        desk.require(Need::Register, secs(799)).unwrap_err(),
        StaffError::NotSignedIn
    );
    let gone = desk.check_idle(&mut f.store, secs(799), at(14)).unwrap();
    assert_eq!(gone.login, "sato");
    assert!(desk.current().is_none());
    assert_eq!(desk.idle_deadline(), None);
    let last = &f.store.recent_audit(1).unwrap()[0];
    assert_eq!(last.action, "staff_signed_out");
    assert!(last.detail.contains("\"idle\""), "{}", last.detail);
}

#[test]
fn staff_cannot_service_technicians_cannot_register_admins_can_both() {
    let mut f = fixture();
    let mut desk = StaffDesk::new(SignInPolicy::default());
    let t = start();
    desk.sign_in(&mut f.store, "sato", "2468", t, T0).unwrap();
    assert!(desk.require(Need::Register, t).is_ok());
    assert!(matches!(
        desk.require(Need::Service, t),
        Err(StaffError::NotAllowed {
            need: Need::Service,
            ..
        })
    ));
    desk.sign_in(&mut f.store, "tech", "correct horse", t, T0)
        .unwrap();
    assert_eq!(desk.current().unwrap().role, StaffRole::Technician);
    assert!(desk.require(Need::Service, t).is_ok());
    assert!(matches!(
        desk.require(Need::Register, t),
        Err(StaffError::NotAllowed {
            need: Need::Register,
            ..
        })
    ));
    desk.sign_in(&mut f.store, "boss", "admin-pass", t, T0)
        .unwrap();
    assert!(desk.require(Need::Register, t).is_ok());
    assert!(desk.require(Need::Service, t).is_ok());
    desk.sign_out(&mut f.store, SignOutReason::ByUser, T0)
        .unwrap();
    assert_eq!(
        desk.require(Need::Register, t).unwrap_err(),
        StaffError::NotSignedIn
    );
}

#[test]
fn a_disabled_or_changed_account_is_signed_out_after_a_sync() {
    let mut f = fixture();
    let mut desk = StaffDesk::new(SignInPolicy::default());
    let t = start();
    desk.sign_in(&mut f.store, "sato", "2468", t, T0).unwrap();
    assert!(desk.check_account(&mut f.store, T0).is_none(), "unchanged");
    put_staff(
        &mut f.store,
        &[("sato", "2468", StaffRole::Technician, true)],
    );
    let gone = desk.check_account(&mut f.store, at(1)).unwrap();
    assert_eq!(gone.role, StaffRole::Staff);
    assert!(desk.current().is_none());
    let last = &f.store.recent_audit(1).unwrap()[0];
    assert_eq!(last.action, "staff_signed_out");
    assert!(last.detail.contains("account_changed"), "{}", last.detail);

    desk.sign_in(&mut f.store, "boss", "admin-pass", t, at(2))
        .unwrap();
    put_staff(
        &mut f.store,
        &[("boss", "admin-pass", StaffRole::Admin, false)],
    );
    assert!(desk.check_account(&mut f.store, at(3)).is_some());
    assert!(desk.require(Need::Register, t).is_err());
}

#[test]
fn sign_in_refusal_lockout_sign_out_and_actions_are_in_the_audit_log_without_secrets() {
    let mut f = fixture();
    let mut desk = StaffDesk::new(SignInPolicy::default());
    let t = start();
    let before = f.store.audit_row_count().unwrap();
    let _ = desk.sign_in(&mut f.store, "typo-login", "s3cret-typed", t, at(0));
    for i in 0..5 {
        let _ = desk.sign_in(&mut f.store, "sato", "wrong-pin-9", t, at(i));
    }
    desk.sign_in(&mut f.store, "tech", "correct horse", t, at(1))
        .unwrap();
    desk.record_action(
        &mut f.store,
        "scale_port_chosen",
        serde_json::json!({ "port": "/dev/ttyUSB0" }),
        at(2),
    )
    .unwrap();
    desk.sign_out(&mut f.store, SignOutReason::ByUser, at(3))
        .unwrap();
    let rows = f.store.recent_audit(100).unwrap();
    let new: Vec<_> = rows.iter().filter(|r| r.id > before as i64).rev().collect();
    let actions: Vec<&str> = new.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "staff_sign_in_refused",
            "staff_sign_in_refused",
            "staff_sign_in_refused",
            "staff_sign_in_refused",
            "staff_sign_in_refused",
            "staff_sign_in_refused",
            "staff_locked_out",
            "staff_signed_in",
            "scale_port_chosen",
            "staff_signed_out",
        ]
    );
    for r in &new {
        for secret in ["s3cret-typed", "wrong-pin-9", "correct horse", "typo-login"] {
            assert!(!r.detail.contains(secret), "{} {}", r.action, r.detail);
        }
    }
    // A refusal names only a 12-digit prefix of the typed login's SHA-256, and no login.
    let refusal: serde_json::Value = serde_json::from_str(&new[0].detail).unwrap();
    assert_eq!(refusal["login_sha256"].as_str().unwrap().len(), 12);
    assert!(refusal.get("staff").is_none());
    assert!(!new[1].detail.contains("sato"), "{}", new[1].detail);
    assert!(new[7].detail.contains("\"tech\"") && new[7].detail.contains("technician"));
    assert!(
        new[8].detail.contains("\"staff\":\"tech\""),
        "{}",
        new[8].detail
    );
    assert!(new[9].detail.contains("by_user"));
    f.store.verify_audit().unwrap();
}
