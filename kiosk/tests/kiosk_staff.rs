//! Staff and technician modes through the `Kiosk` API the shell calls, on a demo-mode kiosk
//! (simulated analyzer) over a real encrypted store: opening staff mode from the attract screen,
//! sign-in lockout and the idle sign-out (short configured timeouts), registering a participant
//! and measuring them from the queue, printing a card into a folder (its QR code decodes to the
//! card's token), the technician's live tap and card-reader test.

#![allow(clippy::unwrap_used)]

mod support;

use argon2::password_hash::{PasswordHasher, SaltString};
use hakaru_kiosk::staff_view::{ApplicationForm, PrintOutcome, RegistrationOutcome, StaffEvent};
use hakaru_kiosk::view::{Answer, AvailabilityView, KioskEvent, Screen};
use hakaru_kiosk::{Kiosk, StaffSubscription};
use hakaru_station::store::{Store, StoreConfig};
use hakaru_wire::api::{
    Ack, AckOutcome, Change, ChangeKind, ChangesPage, IssuedCard, StaffAccount, StaffRole,
};
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::{next, seeded_store_with_card, start, write_demo_settings, WAIT};
use tokio::sync::broadcast;

const PIN: &str = "2468";

fn hash(secret: &str) -> String {
    let salt = SaltString::from_b64("aGFrYXJ1LXRlc3Qtc2FsdA").unwrap();
    argon2::Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

/// Gives the store staff accounts as the change feed would.
fn put_staff(store: &mut Store, accounts: &[(&str, StaffRole)]) {
    let start = store.sync_cursor().unwrap();
    let changes: Vec<Change> = accounts
        .iter()
        .zip(start + 1..)
        .map(|((login, role), seq)| Change {
            seq,
            change: ChangeKind::Staff(StaffAccount {
                login: (*login).to_owned(),
                display_name: format!("{login} さん"),
                role: *role,
                password_hash: hash(PIN),
                active: true,
            }),
        })
        .collect();
    let page = ChangesPage {
        card_program: hakaru_station::store::testing::CARD_PROGRAM,
        next_cursor: start + changes.len() as u64,
        changes,
        more: false,
    };
    store.apply_changes(&page, hakaru_e2e::SYNCED).unwrap();
}

struct Setup {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    data: PathBuf,
    kiosk: Kiosk,
}

/// A demo kiosk with staff `sato` (staff) and `tanaka` (technician); `more` is extra settings.
fn setup(more: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = seeded_store_with_card(&data);
    {
        let mut store = Store::open(&StoreConfig::in_dir(&data)).unwrap();
        put_staff(
            &mut store,
            &[
                ("sato", StaffRole::Staff),
                ("tanaka", StaffRole::Technician),
            ],
        );
    }
    let config = write_demo_settings(dir.path(), &data, &token, "", more);
    let kiosk = start(config);
    Setup {
        dir: dir.path().to_owned(),
        data,
        _dir: dir,
        kiosk,
    }
}

async fn next_staff<T>(
    live: &mut broadcast::Receiver<StaffEvent>,
    what: &str,
    mut pick: impl FnMut(&StaffEvent) -> Option<T>,
) -> T {
    tokio::time::timeout(WAIT, async {
        loop {
            let e = live
                .recv()
                .await
                .unwrap_or_else(|e| panic!("the staff channel failed waiting for {what}: {e}"));
            if let Some(t) = pick(&e) {
                return t;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

fn staff_live(kiosk: &Kiosk) -> broadcast::Receiver<StaffEvent> {
    let StaffSubscription { live, .. } = kiosk.staff_subscribe().unwrap();
    live
}

async fn sign_in(kiosk: &Kiosk, login: &str) {
    kiosk.open_staff_sign_in().await.unwrap();
    kiosk
        .staff_sign_in(login.to_owned(), PIN.to_owned())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_locks_after_repeated_failures_and_signs_out_when_idle() {
    let s = setup("[staff]\nidle_timeout_secs = 5\nlockout_failures = 3\nlockout_minutes = 1\n");
    let kiosk = &s.kiosk;
    let mut participant = kiosk.subscribe().live;
    let mut staff = staff_live(kiosk);
    let window = kiosk.staff_window().unwrap();
    assert!(!*window.borrow());

    // Staff mode is not open: nothing to sign in to.
    let e = kiosk
        .staff_sign_in("sato".into(), PIN.into())
        .await
        .unwrap_err();
    assert_eq!(e.code, "not_open");

    kiosk.open_staff_sign_in().await.unwrap();
    assert!(*window.borrow(), "the staff window shows");
    next(&mut participant, "availability staff_in_use", |e| match e {
        KioskEvent::Availability(a) if !a.open => Some(a.clone()),
        _ => None,
    })
    .await;
    assert_eq!(
        support::replayed(kiosk, "availability", |e| match e {
            KioskEvent::Availability(a) => Some(a),
            _ => None,
        }),
        AvailabilityView {
            open: false,
            reason: Some("staff_in_use".into())
        }
    );

    // A wrong PIN and an unknown login read the same.
    let wrong = kiosk
        .staff_sign_in("sato".into(), "0000".into())
        .await
        .unwrap_err();
    let unknown = kiosk
        .staff_sign_in("nobody".into(), PIN.into())
        .await
        .unwrap_err();
    assert_eq!(wrong.code, "sign_in_refused");
    assert_eq!(
        (unknown.code.as_str(), &unknown.detail),
        ("sign_in_refused", &wrong.detail)
    );
    assert!(
        wrong.detail.contains(" / "),
        "Japanese, then English: {}",
        wrong.detail
    );

    // The third failure locks the login: even the right PIN is refused now.
    let _ = kiosk.staff_sign_in("sato".into(), "1111".into()).await;
    let third = kiosk
        .staff_sign_in("sato".into(), "2222".into())
        .await
        .unwrap_err();
    assert_eq!(third.code, "locked", "{}", third.detail);
    let right = kiosk
        .staff_sign_in("sato".into(), PIN.into())
        .await
        .unwrap_err();
    assert_eq!(right.code, "locked", "{}", right.detail);

    // Another login is not locked; a technician may not register.
    kiosk
        .staff_sign_in("tanaka".into(), PIN.into())
        .await
        .unwrap();
    let session = next_staff(&mut staff, "session", |e| match e {
        StaffEvent::Session(Some(s)) => Some(s.clone()),
        _ => None,
    })
    .await;
    assert_eq!(
        (
            session.role.as_str(),
            session.may_service,
            session.may_register
        ),
        ("technician", true, false)
    );
    let e = kiosk.staff_queue_add("P-000001".into()).await.unwrap_err();
    assert_eq!(e.code, "not_allowed");

    // Nobody touches anything: the warning (5 s is less than the 30 s warning: at once), then
    // the automatic sign-out; the window hides and cards work again.
    let remaining = next_staff(&mut staff, "idle warning", |e| match e {
        StaffEvent::Idle {
            remaining_ms: Some(ms),
        } => Some(*ms),
        _ => None,
    })
    .await;
    assert!(remaining <= 5_000, "{remaining}");
    let reason = next_staff(&mut staff, "signed out", |e| match e {
        StaffEvent::SignedOut { reason } => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert_eq!(reason, "idle");
    next_staff(&mut staff, "session ended", |e| {
        matches!(e, StaffEvent::Session(None)).then_some(())
    })
    .await;
    assert!(!*window.borrow(), "the staff window hides");
    let availability = next(&mut participant, "availability again", |e| match e {
        KioskEvent::Availability(a) => Some(a.clone()),
        _ => None,
    })
    .await;
    assert_eq!(
        availability,
        AvailabilityView {
            open: true,
            reason: None
        }
    );
    let e = kiosk.staff_touch().await;
    assert!(e.is_ok());
    let e = kiosk.staff_queue_add("P-000001".into()).await.unwrap_err();
    assert_eq!(e.code, "not_signed_in");
    s.kiosk.clone().shutdown().await;
}

fn application(participant: &str) -> ApplicationForm {
    #[allow(clippy::disallowed_methods)] // the application is dated today
    let now = hakaru_wire::Timestamp::from_system_time(std::time::SystemTime::now());
    let today = hakaru_station::domain::Date::local(now, 540);
    serde_json::from_value(serde_json::json!({
        "participant": participant,
        "birth_date": "1961-05-20",
        "sex": "female",
        "height_cm": 158.5,
        "body_type": "standard",
        "implanted_device": false,
        "lives_or_works_locally": true,
        "applied_on": format!("{:04}-{:02}-{:02}", today.year, today.month, today.day),
        "consent": "paper",
        "paper_granted": ["service"],
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_participant_is_measured_from_the_queue() {
    let s = setup("");
    let kiosk = &s.kiosk;
    let mut participant = kiosk.subscribe().live;
    let mut staff = staff_live(kiosk);
    let window = kiosk.staff_window().unwrap();
    sign_in(kiosk, "sato").await;

    // Too young: nothing stored.
    let mut young = application("R-000002");
    young.birth_date = "2015-01-01".into();
    let RegistrationOutcome::Ineligible { reasons } = kiosk.staff_register(young).await.unwrap()
    else {
        panic!("a child is not registered")
    };
    assert_eq!(reasons, vec!["too_young".to_owned()]);

    let RegistrationOutcome::Registered { registration } =
        kiosk.staff_register(application("R-000001")).await.unwrap()
    else {
        panic!("registered")
    };
    assert_eq!(registration.participant, "R-000001");
    assert_eq!(
        registration.state, "pending",
        "offline: the server has not judged it"
    );
    assert_eq!(registration.consent_method, "staff_witnessed_paper");
    let queue = next_staff(&mut staff, "queue", |e| match e {
        StaffEvent::Queue(q) if !q.is_empty() => Some(q.clone()),
        _ => None,
    })
    .await;
    assert_eq!(queue[0].participant, "R-000001");
    assert_eq!(queue[0].state, "waiting");

    // 測定: the staff window hides, the participant window runs their session (paper consent
    // is on file: no consent screen).
    kiosk.staff_measure("R-000001".into()).await.unwrap();
    assert!(
        !*window.borrow(),
        "the staff window hides while they measure"
    );
    let Screen::Identifying {
        session,
        participant: shown,
    } = support::next_screen(&mut participant, "identifying").await
    else {
        panic!("identifying first")
    };
    assert_eq!(shown, "R-000001");
    let safety = support::next_screen(&mut participant, "safety").await;
    assert!(matches!(safety, Screen::Safety { .. }), "{}", safety.name());
    kiosk
        .answer(Answer::Safety {
            session,
            implanted_device: false,
        })
        .await
        .unwrap();
    loop {
        match support::next_screen(&mut participant, "guidance").await {
            Screen::Guidance(g) if g.step == hakaru_kiosk::view::GuidanceStep::StepOn => break,
            Screen::Guidance(_) => {}
            other => panic!("unexpected {}", other.name()),
        }
    }
    kiosk.demo_step_on().await.unwrap();
    loop {
        if let Screen::Results(r) = support::next_screen(&mut participant, "results").await {
            assert_eq!(r.participant, "R-000001");
            break;
        }
    }
    kiosk.answer(Answer::Finish { session }).await.unwrap();
    loop {
        if matches!(
            support::next_screen(&mut participant, "attract").await,
            Screen::Attract
        ) {
            break;
        }
    }
    // Back on attract with staff signed in: the staff window shows again, the person is done.
    let done = next_staff(&mut staff, "queue done", |e| match e {
        StaffEvent::Queue(q) if q.iter().any(|q| q.state == "done") => Some(q.clone()),
        _ => None,
    })
    .await;
    assert_eq!(done[0].participant, "R-000001");
    let mut window = window;
    tokio::time::timeout(WAIT, window.wait_for(|shown| *shown))
        .await
        .unwrap()
        .unwrap();
    let registrations = next_staff(&mut staff, "registrations", |e| match e {
        StaffEvent::Registrations(r) if r.iter().any(|r| r.measured) => Some(r.clone()),
        _ => None,
    })
    .await;
    assert_eq!(registrations[0].participant, "R-000001");

    // Sign-out drops the personal views.
    kiosk.staff_close().await.unwrap();
    let replay = kiosk.staff_subscribe().unwrap().replay;
    assert_eq!(replay[0], StaffEvent::Session(None));
    assert!(!replay
        .iter()
        .any(|e| matches!(e, StaffEvent::Queue(_) | StaffEvent::Registrations(_))));
    s.kiosk.clone().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_is_printed_into_the_folder_with_a_qr_code_of_its_token() {
    let s = setup("[printer]\nmode = \"pdf\"\nfolder = \"printed\"\n");
    let kiosk = &s.kiosk;
    sign_in(kiosk, "sato").await;
    kiosk.staff_register(application("R-000003")).await.unwrap();

    // No card before the server issued one.
    let e = kiosk.staff_print_card("R-000003".into()).await.unwrap_err();
    assert_eq!(e.code, "card_not_ready");

    // The server's acknowledgement brings the card (as the sync worker stores it).
    let who = hakaru_station::domain::ParticipantNumber::new("R-000003").unwrap();
    let (token, _) =
        hakaru_station::store::testing::card(&who, 77, 1, hakaru_wire::api::CardStatus::Active);
    {
        let mut store = Store::open(&StoreConfig::in_dir(&s.data)).unwrap();
        let registered = store
            .next_batch(100)
            .unwrap()
            .into_iter()
            .find(|e| {
                matches!(
                    e.kind,
                    hakaru_wire::event::EventKind::ParticipantRegistered(_)
                )
            })
            .expect("the registration waits in the outbox");
        let ack = Ack {
            id: registered.id,
            outcome: AckOutcome::Accepted,
            points: None,
            card: Some(IssuedCard {
                card_id: "77-1".into(),
                token: token.encode(),
                expires_on: None,
            }),
        };
        store
            .settle_registrations(&[ack], hakaru_e2e::SYNCED)
            .unwrap();
    }
    let PrintOutcome::Sent { destination } =
        kiosk.staff_print_card("R-000003".into()).await.unwrap()
    else {
        panic!("pdf mode sends")
    };
    let pdf = s.dir.join("printed/card-77-1.pdf");
    assert_eq!(Path::new(&destination), pdf);
    assert_eq!(support::qr_of_pdf(&pdf, &s.dir), token.encode());
    let store = Store::open(&StoreConfig::in_dir(&s.data)).unwrap();
    assert!(store.registration(&who).unwrap().unwrap().card_printed);
    s.kiosk.clone().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_technician_sees_raw_traffic_and_tests_cards_without_starting_a_session() {
    let s = setup("");
    let kiosk = &s.kiosk;
    let mut participant = kiosk.subscribe().live;
    let mut staff = staff_live(kiosk);
    sign_in(kiosk, "tanaka").await;

    kiosk.staff_service_tap(true).await.unwrap();
    kiosk.demo_step_on().await.unwrap();
    let line = next_staff(&mut staff, "a raw line", |e| match e {
        StaffEvent::Tap(t) if t.kind == "received" => Some(t.clone()),
        _ => None,
    })
    .await;
    assert!(!line.text.is_empty());

    kiosk.staff_card_test(true).await.unwrap();
    kiosk.demo_scan(0).await.unwrap();
    let tested = next_staff(&mut staff, "card test", |e| match e {
        StaffEvent::CardTest(c) => Some(c.clone()),
        _ => None,
    })
    .await;
    assert_eq!(tested.verdict, "valid");
    assert_eq!(tested.card_id.as_deref(), Some("41-1"));
    // Nothing started on the participant window.
    let started = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            if let Ok(KioskEvent::Screen(s)) = participant.recv().await {
                return s.name();
            }
        }
    })
    .await;
    assert!(started.is_err(), "a screen appeared: {started:?}");
    assert!(matches!(
        kiosk
            .subscribe()
            .replay
            .iter()
            .find(|e| matches!(e, KioskEvent::Screen(_))),
        Some(KioskEvent::Screen(Screen::Attract))
    ));
    s.kiosk.clone().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_technician_passes_a_calibration_check_on_the_simulator() {
    let s = setup("[calibration]\nsteps_kg = [0, 20]\ntolerance_kg = 0.2\nvalid_days = 30\n");
    let kiosk = &s.kiosk;
    let mut staff = staff_live(kiosk);
    sign_in(kiosk, "tanaka").await;

    // Reading before starting is refused; staff (not technicians) may not calibrate.
    let e = kiosk.staff_calibration_read_step().await.unwrap_err();
    assert_eq!(e.code, "no_calibration");

    // The MC-780 does not send its serial number: a technician types the one on its plate (in
    // demo mode the simulator's is known; a typed one that is not a serial is refused).
    let e = kiosk
        .staff_calibration_start(Some("../x".into()))
        .await
        .unwrap_err();
    assert_eq!(e.code, "bad_serial");
    kiosk.staff_calibration_start(None).await.unwrap();
    let first = next_staff(&mut staff, "calibration view", |e| match e {
        StaffEvent::Calibration(Some(c)) => Some(c.clone()),
        _ => None,
    })
    .await;
    assert_eq!(
        (
            first.steps_kg.clone(),
            first.next_step,
            first.state.as_str()
        ),
        (vec![0.0, 20.0], 0, "waiting_for_weight")
    );
    // Demo mode: each read puts the step's reference mass on the simulated analyzer.
    kiosk.staff_calibration_read_step().await.unwrap();
    kiosk.staff_calibration_read_step().await.unwrap();
    let done = next_staff(&mut staff, "calibration done", |e| match e {
        StaffEvent::Calibration(Some(c)) if c.state == "done" => Some(c.clone()),
        _ => None,
    })
    .await;
    assert_eq!(done.passed, Some(true));
    assert_eq!(done.results.len(), 2);
    assert!(done
        .results
        .iter()
        .all(|r| r.ok && r.deviation_kg.abs() <= 0.2));
    assert!(done.next_check_due.is_some());
    let analyzer = next_staff(&mut staff, "analyzer view", |e| match e {
        StaffEvent::Analyzer(a) if !a.checks.is_empty() => Some(a.clone()),
        _ => None,
    })
    .await;
    assert_eq!(analyzer.checks[0].technician, "tanaka");
    assert!(analyzer.checks[0].passed);
    assert_eq!(
        analyzer.checks[0].analyzer,
        format!("MC-780 SN {}", support::SIM_SERIAL)
    );
    let store = Store::open(&StoreConfig::in_dir(&s.data)).unwrap();
    let newest = &store.calibrations(1).unwrap()[0];
    assert_eq!(newest.record.technician, "tanaka");
    assert_eq!(newest.record.reference_checks.len(), 2);
    s.kiosk.clone().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_technicians_port_choice_survives_a_restart() {
    use hakaru_devices::scale::models::ModelProfile;
    use hakaru_devices::sim::{SimConfig, Simulator};
    let profile = ModelProfile::find("MC-780").unwrap();
    let start_sim = || {
        let mut sc = SimConfig::new(profile);
        sc.pace = false;
        Simulator::start(sc).unwrap()
    };
    let (first, second) = (start_sim(), start_sim());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    seeded_store_with_card(&data);
    put_staff(
        &mut Store::open(&StoreConfig::in_dir(&data)).unwrap(),
        &[("tanaka", StaffRole::Technician)],
    );
    let scale = format!("port = \"{}\"", first.path().display());
    let config = support::write_settings(
        dir.path(),
        &data,
        &support::Sections {
            scale: &scale,
            cards: "camera = \"off\"",
            ..Default::default()
        },
    );

    let kiosk = start(config.clone());
    let mut staff = staff_live(&kiosk);
    sign_in(&kiosk, "tanaka").await;
    let port_of = |e: &StaffEvent| match e {
        StaffEvent::Scale(v) => Some(v.clone()),
        _ => None,
    };
    let before = next_staff(&mut staff, "scale view", port_of).await;
    assert_eq!(before.port, first.path().display().to_string());
    assert!(before.models.iter().any(|m| m == "MC-780"));
    let e = kiosk
        .staff_service_connect("/dev/x".into(), "XY-1".into())
        .await
        .unwrap_err();
    assert_eq!(e.code, "unknown_model");
    kiosk
        .staff_service_connect(second.path().display().to_string(), "MC-780".into())
        .await
        .unwrap();
    let connected = next_staff(&mut staff, "connected to the second", |e| match e {
        StaffEvent::Scale(v) if v.connected && v.port == second.path().display().to_string() => {
            Some(v.clone())
        }
        _ => None,
    })
    .await;
    assert_eq!(connected.model, "MC-780");
    kiosk.staff_close().await.unwrap();
    kiosk.shutdown().await;

    // After a restart the kiosk opens the port the technician chose, not the file's.
    let kiosk = start(config);
    let mut staff = staff_live(&kiosk);
    sign_in(&kiosk, "tanaka").await;
    let after = next_staff(&mut staff, "scale view after restart", port_of).await;
    assert_eq!(after.port, second.path().display().to_string());
    kiosk.shutdown().await;
    first.stop().await.unwrap();
    second.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_check_blocks_cards_with_a_notice_and_says_so_on_the_attract_screen() {
    use hakaru_station::{AnalyzerDates, CalibrationPlan, CalibrationRun};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = seeded_store_with_card(&data);
    {
        // A newer check at +0.5 kg: failed.
        let mut store = Store::open(&StoreConfig::in_dir(&data)).unwrap();
        let plan = CalibrationPlan::default();
        let steps = plan.steps_kg.clone();
        let mut run = CalibrationRun::new(
            plan,
            "MC-780".into(),
            support::SIM_SERIAL.into(),
            "tanaka".into(),
        );
        for kg in steps {
            run.record_step(kg + 0.5);
        }
        #[allow(clippy::disallowed_methods)] // recorded now, after the fixture's passing check
        let now = hakaru_wire::Timestamp::from_system_time(std::time::SystemTime::now());
        let today = hakaru_station::domain::Date::local(now, 540);
        store
            .record_calibration(&run.finish(today, &AnalyzerDates::default()), now)
            .unwrap();
    }
    let kiosk = start(write_demo_settings(dir.path(), &data, &token, "", ""));
    let mut participant = kiosk.subscribe().live;
    let closed = AvailabilityView {
        open: false,
        reason: Some("check_failed".into()),
    };
    let replayed = kiosk.subscribe().replay.into_iter().find_map(|e| match e {
        KioskEvent::Availability(a) => Some(a),
        _ => None,
    });
    if replayed.as_ref() != Some(&closed) {
        let a = next(&mut participant, "availability", |e| match e {
            KioskEvent::Availability(a) => Some(a.clone()),
            _ => None,
        })
        .await;
        assert_eq!(a, closed);
    }
    kiosk.demo_scan(0).await.unwrap();
    let notice = next(&mut participant, "notice", |e| match e {
        KioskEvent::Notice(n) => Some(n.clone()),
        KioskEvent::Screen(s) if !matches!(s, Screen::Attract) => {
            panic!("a session started: {}", s.name())
        }
        _ => None,
    })
    .await;
    assert_eq!(notice.code, "measurements_blocked");
    assert_eq!(notice.detail.as_deref(), Some("check_failed"));
    kiosk.shutdown().await;
}
