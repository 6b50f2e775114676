//! Criterion benches of staff mode at the station: how long a staff member waits for a sign-in
//! (argon2id of server strength — 19 MiB, 2 passes — plus the audit row's durable commit), how
//! long a refused sign-in of an unknown login takes (it must cost the same, so timing does not
//! say whether an account exists), and one registration from a paper application (checked
//! against the rules, then roster row, registration row, outbox event and audit row in one
//! durable, encrypted transaction).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use argon2::password_hash::{PasswordHasher, SaltString};
use criterion::{criterion_group, criterion_main, Criterion};
use hakaru_station::domain::Date;
use hakaru_station::staff::{
    check_application, ApplicationInput, SignInPolicy, SignOutReason, StaffDesk,
};
use hakaru_station::store::testing::{self, T0};
use hakaru_station::store::{Store, StoreConfig};
use hakaru_wire::api::{Change, ChangeKind, ChangesPage, StaffAccount, StaffRole};
use hakaru_wire::Timestamp;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const PASSWORD: &str = "setsumeikai-2026";

fn store(name: &str) -> Store {
    // On the target disk, not a tmpfs: fsync must reach a real device to mean anything.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    let mut store = testing::seeded(&StoreConfig::in_dir(&dir), 1).unwrap();
    let salt = SaltString::from_b64("aGFrYXJ1LWJlbmNoLXNhbHQ").unwrap();
    let password_hash = argon2::Argon2::default()
        .hash_password(PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string();
    let page = ChangesPage {
        card_program: testing::CARD_PROGRAM,
        changes: vec![Change {
            seq: store.sync_cursor().unwrap() + 1,
            change: ChangeKind::Staff(StaffAccount {
                login: "uketsuke".into(),
                display_name: "受付".into(),
                role: StaffRole::Staff,
                password_hash,
                active: true,
            }),
        }],
        next_cursor: store.sync_cursor().unwrap() + 1,
        more: false,
    };
    store.apply_changes(&page, T0).unwrap();
    store
}

#[allow(clippy::disallowed_methods)] // the bench's own clock for the idle timer
fn now() -> Instant {
    Instant::now()
}

fn sign_in(c: &mut Criterion) {
    let mut store = store("hakaru-bench-staff-sign-in");
    // No lockout in the way of thousands of refusals.
    let policy = SignInPolicy {
        max_failures: u32::MAX,
        ..SignInPolicy::default()
    };
    let mut desk = StaffDesk::new(policy);
    let mut g = c.benchmark_group("staff");
    g.sample_size(20).measurement_time(Duration::from_secs(15));
    let mut i = 0i64;
    g.bench_function("sign_in_argon2id_and_audit_commit", |b| {
        b.iter(|| {
            i += 1;
            let wall = Timestamp::from_unix_ms(T0.as_unix_ms() + i * 1000);
            desk.sign_in(&mut store, "uketsuke", PASSWORD, now(), wall)
                .unwrap();
            desk.sign_out(&mut store, SignOutReason::ByUser, wall);
        })
    });
    g.bench_function("sign_in_refused_unknown_login", |b| {
        b.iter(|| {
            i += 1;
            let wall = Timestamp::from_unix_ms(T0.as_unix_ms() + i * 1000);
            assert!(desk
                .sign_in(&mut store, "nobody", PASSWORD, now(), wall)
                .is_err());
        })
    });
    g.finish();
}

fn register(c: &mut Criterion) {
    let mut store = store("hakaru-bench-staff-register");
    let today = Date {
        year: 2026,
        month: 6,
        day: 1,
    };
    let granted: Vec<String> = Vec::new();
    let mut g = c.benchmark_group("staff");
    g.sample_size(50).measurement_time(Duration::from_secs(10));
    let mut n = 0u32;
    g.bench_function("register_application_commit", |b| {
        b.iter(|| {
            n += 1;
            let number = format!("R-{n:06}");
            let input = ApplicationInput {
                participant: &number,
                birth_date: "1950-04-01",
                sex: "female",
                height_cm: 152.4,
                body_type: "standard",
                implanted_device: false,
                lives_or_works_locally: true,
                applied_on: "2026-06-01",
                consent: "on_screen",
                paper_granted: &granted,
            };
            let app = check_application(&store, &input, today).unwrap();
            store.register_participant(&app, "uketsuke", T0).unwrap();
        })
    });
    g.finish();
}

criterion_group!(benches, sign_in, register);
criterion_main!(benches);
