//! A whole explanation session (事業説明会) end to end, as the issue asks: the REAL central
//! server (`hakaru_central::api::router` over a fresh SQLite database, on loopback) and the
//! assembled kiosk with its simulated analyzer, real encrypted store and real sync worker. A
//! staff member signs in with the account the server synced, registers 20 people from their
//! paper applications (half with staff-witnessed paper consent, half answering the consent
//! screen at their first measurement) — two applicants who break the rules are explained and
//! nothing of theirs is kept — the server judges each registration and answers with the
//! person's first card, every card is printed (PDF into a folder), rasterised by poppler,
//! decoded and recognised by the station as that person's card, and then the queue measures
//! all 20 one after another with the analyzer preset for each. At the end the server holds one
//! reading per person, taken with that person's own height, and 20 consents.
//!
//! Needs poppler-utils (`pdftoppm`) and the IPAexGothic font (`scripts/setup --test`).

#![allow(clippy::unwrap_used)]

mod support;

use argon2::password_hash::{PasswordHasher, SaltString};
use hakaru_central::api::{router, system_clock, AppState};
use hakaru_central::ids::{ProgramId, StationId as CentralStationId};
use hakaru_central::storage::{StationContext, Storage};
use hakaru_e2e::{central_sqlite, central_station};
use hakaru_kiosk::staff_view::{
    ApplicationForm, PrintOutcome, RegistrationOutcome, RegistrationView, StaffEvent,
};
use hakaru_kiosk::view::{Answer, GuidanceStep, KioskEvent, Screen};
use hakaru_kiosk::{Kiosk, StaffSubscription};
use hakaru_station::domain::{Date, ParticipantNumber, StationId};
use hakaru_station::store::{Store, StoreConfig};
use hakaru_station::sync::{CentralClient, ClientOptions, Credential, SyncWorker, WorkerSettings};
use hakaru_station::{Clock, SystemClock};
use hakaru_wire::api::{StaffAccount, StaffRole};
use hakaru_wire::Timestamp;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use support::{next_screen, start, write_settings, Sections, STATION, WAIT};
use tokio::net::TcpListener;
use tokio::sync::broadcast;

const PEOPLE: usize = 20;
const LOGIN: &str = "uketsuke";
const PASSWORD: &str = "setsumeikai-2026";

fn now() -> Timestamp {
    SystemClock.wall()
}

fn today() -> Date {
    Date::local(now(), 540)
}

fn ymd(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// Applicant `i` (0-based): numbers R-000101…, heights 145.0 cm and up, born 1940–1978, women
/// and men alternating; even ones signed the paper consent form, odd ones consent on screen.
fn applicant(i: usize) -> ApplicationForm {
    let height_tenths = 1450 + 15 * i as u32;
    serde_json::from_value(serde_json::json!({
        "participant": format!("R-{:06}", 101 + i),
        "birth_date": format!("{}-0{}-1{}", 1940 + 2 * i, 1 + i % 9, i % 10),
        "sex": if i % 2 == 0 { "female" } else { "male" },
        "height_cm": f64::from(height_tenths) / 10.0,
        "body_type": "standard",
        "implanted_device": false,
        "lives_or_works_locally": true,
        "applied_on": ymd(today()),
        "consent": if i % 2 == 0 { "paper" } else { "on_screen" },
        "paper_granted": if i % 2 == 0 { vec!["service"] } else { vec![] },
    }))
    .unwrap()
}

fn height_of(i: usize) -> f64 {
    f64::from(1450 + 15 * i as u32) / 10.0
}

/// The program's server: documents in both languages, one required purpose, the default
/// registration rules, one staff account; served on loopback.
struct Central {
    storage: Arc<dyn Storage>,
    program: ProgramId,
    base: String,
    token: String,
    _dir: tempfile::TempDir,
}

impl Central {
    async fn start() -> Central {
        let dir = tempfile::tempdir().unwrap();
        let storage = central_sqlite(dir.path()).await;
        let t = now();
        let program = ProgramId::new("kita-health").unwrap();
        let credential = central_station(&*storage, &program, STATION, t).await;
        support::publish_terms_and_service(&*storage, &program, t).await;
        let salt = SaltString::from_b64("ZXhwbGFuYXRpb24tc2Vzc2lvbg").unwrap();
        let password_hash = argon2::Argon2::default()
            .hash_password(PASSWORD.as_bytes(), &salt)
            .unwrap()
            .to_string();
        storage
            .put_staff(
                &program,
                &StaffAccount {
                    login: LOGIN.into(),
                    display_name: "受付 花子".into(),
                    role: StaffRole::Staff,
                    password_hash,
                    active: true,
                },
                t,
            )
            .await
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = router(AppState::new(storage.clone(), system_clock()));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Central {
            storage,
            program,
            base,
            token: credential.token(),
            _dir: dir,
        }
    }

    /// The station's first sync (documents, purposes, staff, rules), and its analyzer checked.
    async fn provision(&self, data: &Path) -> StoreConfig {
        std::fs::create_dir_all(data).unwrap();
        let sc = StoreConfig::in_dir(data);
        let mut store = Store::open(&sc).unwrap();
        store
            .enroll(&StationId::new(STATION).unwrap(), now())
            .unwrap();
        let client = CentralClient::new(
            &self.base,
            Credential::new(&self.token).unwrap(),
            &ClientOptions::default(),
        )
        .unwrap();
        let mut worker =
            SyncWorker::new(store, client, WorkerSettings::default(), SystemClock).unwrap();
        tokio::time::timeout(WAIT, worker.sync_once())
            .await
            .expect("the first sync finishes")
            .unwrap();
        assert!(
            worker.store().staff_account(LOGIN).unwrap().is_some(),
            "the staff account arrived"
        );
        drop(worker);
        support::calibrated(&mut Store::open(&sc).unwrap());
        sc
    }

    fn caller(&self) -> StationContext {
        StationContext {
            station: CentralStationId::new(STATION).unwrap(),
            program: self.program.clone(),
        }
    }
}

async fn next_staff<T>(
    live: &mut broadcast::Receiver<StaffEvent>,
    what: &str,
    wait: Duration,
    mut pick: impl FnMut(&StaffEvent) -> Option<T>,
) -> T {
    tokio::time::timeout(wait, async {
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

/// One person measured from the queue: 測定 → (consent on screen for a first visit) → safety
/// → step on → results → finish → back on attract, and the staff window shows again.
async fn measure_from_the_queue(
    kiosk: &Kiosk,
    participant_live: &mut broadcast::Receiver<KioskEvent>,
    window: &mut tokio::sync::watch::Receiver<bool>,
    number: &str,
    consents_on_screen: bool,
) {
    kiosk.staff_measure(number.to_owned()).await.unwrap();
    let Screen::Identifying {
        session,
        participant,
    } = next_screen(participant_live, "identifying").await
    else {
        panic!("{number}: identifying first")
    };
    assert_eq!(participant, number);
    if consents_on_screen {
        let Screen::Consent(consent) = next_screen(participant_live, "consent").await else {
            panic!("{number} registered with on-screen consent answers it now")
        };
        assert_eq!(consent.participant, number);
        kiosk
            .answer(Answer::Consent {
                session,
                granted: vec!["service".into()],
            })
            .await
            .unwrap();
    }
    loop {
        match next_screen(participant_live, "safety").await {
            Screen::Safety { .. } => break,
            Screen::SavingConsent { .. } => {}
            other => panic!("{number}: unexpected {}", other.name()),
        }
    }
    kiosk
        .answer(Answer::Safety {
            session,
            implanted_device: false,
        })
        .await
        .unwrap();
    loop {
        match next_screen(participant_live, "step on").await {
            Screen::Guidance(g) if g.step == GuidanceStep::StepOn => break,
            Screen::Guidance(_) => {}
            other => panic!("{number}: unexpected {}", other.name()),
        }
    }
    kiosk.demo_step_on().await.unwrap();
    loop {
        match next_screen(participant_live, "results").await {
            Screen::Results(r) => {
                assert_eq!(r.participant, number);
                break;
            }
            Screen::Guidance(_) => {}
            other => panic!("{number}: unexpected {}", other.name()),
        }
    }
    kiosk.answer(Answer::Finish { session }).await.unwrap();
    while !matches!(
        next_screen(participant_live, "attract").await,
        Screen::Attract
    ) {}
    tokio::time::timeout(WAIT, window.wait_for(|shown| *shown))
        .await
        .unwrap_or_else(|_| panic!("{number}: the staff window came back"))
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_explanation_session_registers_prints_and_measures_twenty_people() {
    let central = Central::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sc = central.provision(&data).await;
    let printed = dir.path().join("printed");
    let credential = dir.path().join("credential");
    std::fs::write(&credential, format!("{}\n", central.token)).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&credential, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    // Demo mode (the simulated analyzer) with no demo cards: everyone comes by the queue.
    std::fs::write(dir.path().join("cards.toml"), "").unwrap();
    let config = write_settings(
        dir.path(),
        &data,
        &Sections {
            scale: "simulate = true",
            cards: "camera = \"off\"",
            session: "",
            more: &format!(
                "[sync]\nserver_url = \"{}\"\ncredential_file = \"{}\"\npoll_interval_secs = 1\n\
                 [printer]\nmode = \"pdf\"\nfolder = \"{}\"\nprogram_name = \"北市健康ポイント\"\n\
                 [demo]\ncards_file = \"cards.toml\"\n",
                central.base,
                credential.display(),
                printed.display()
            ),
        },
    );
    let kiosk = start(config);
    if let Some(KioskEvent::Screen(Screen::NotConfigured { problem, .. })) =
        kiosk.subscribe().replay.last()
    {
        panic!("the kiosk did not start: {}", problem.en);
    }
    let mut participant_live = kiosk.subscribe().live;
    let StaffSubscription {
        live: mut staff, ..
    } = kiosk.staff_subscribe().unwrap();
    let mut window = kiosk.staff_window().unwrap();

    // The hidden gesture opened staff mode; the synced account signs in.
    kiosk.open_staff_sign_in().await.unwrap();
    kiosk
        .staff_sign_in(LOGIN.into(), PASSWORD.into())
        .await
        .unwrap();

    // Two applications that break the rules: explained, nothing kept.
    let mut young = applicant(0);
    young.participant = "R-000090".into();
    young.birth_date = ymd(Date {
        year: today().year - 19,
        ..today()
    });
    let mut elsewhere = applicant(1);
    elsewhere.participant = "R-000091".into();
    elsewhere.lives_or_works_locally = false;
    for (form, code) in [(young, "too_young"), (elsewhere, "not_local")] {
        match kiosk.staff_register(form).await.unwrap() {
            RegistrationOutcome::Ineligible { reasons } => assert_eq!(reasons, [code]),
            RegistrationOutcome::Registered { .. } => panic!("{code}: registered"),
        }
    }

    // Twenty paper applications.
    for i in 0..PEOPLE {
        match kiosk.staff_register(applicant(i)).await.unwrap() {
            RegistrationOutcome::Registered { registration } => {
                assert_eq!(registration.participant, applicant(i).participant);
            }
            RegistrationOutcome::Ineligible { reasons } => panic!("{i}: {reasons:?}"),
        }
    }

    // The server judges each one and answers with the person's first card.
    let settled: Vec<RegistrationView> = next_staff(
        &mut staff,
        "every registration accepted with a card",
        Duration::from_secs(60),
        |e| match e {
            StaffEvent::Registrations(r)
                if r.len() == PEOPLE && r.iter().all(|r| r.state == "accepted" && r.card_ready) =>
            {
                Some(r.clone())
            }
            _ => None,
        },
    )
    .await;
    assert_eq!(settled.len(), PEOPLE);

    // Every card printed, and each printed card is that person's genuine card at this station
    // (once the change feed has brought the card's hash).
    let mut files = Vec::new();
    for i in 0..PEOPLE {
        let number = applicant(i).participant;
        match kiosk.staff_print_card(number.clone()).await.unwrap() {
            PrintOutcome::Sent { destination } => files.push((number, destination)),
            PrintOutcome::Dialog { .. } => panic!("pdf mode prints to the folder"),
        }
    }
    let store = Store::open(&sc).unwrap();
    let pages = tempfile::tempdir().unwrap();
    for (number, file) in &files {
        let token = support::qr_of_pdf(Path::new(file), pages.path());
        let verdict = tokio::time::timeout(WAIT, async {
            loop {
                match hakaru_station::cards::verify(&store, &token, today()).unwrap() {
                    Ok(card) => return card.participant,
                    Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{number}'s printed card is recognised"));
        assert_eq!(verdict, ParticipantNumber::new(number).unwrap());
    }
    assert_eq!(std::fs::read_dir(&printed).unwrap().count(), PEOPLE);

    // The queue holds all twenty, in order; each is measured with their own preset.
    let queue = kiosk.staff_subscribe().unwrap().replay;
    let waiting: Vec<String> = queue
        .iter()
        .find_map(|e| match e {
            StaffEvent::Queue(q) => Some(q.iter().map(|q| q.participant.clone()).collect()),
            _ => None,
        })
        .unwrap();
    let expected: Vec<String> = (0..PEOPLE).map(|i| applicant(i).participant).collect();
    assert_eq!(waiting, expected);
    for i in 0..PEOPLE {
        measure_from_the_queue(
            &kiosk,
            &mut participant_live,
            &mut window,
            &applicant(i).participant,
            i % 2 == 1,
        )
        .await;
    }
    let done = next_staff(&mut staff, "the queue done", WAIT, |e| match e {
        StaffEvent::Queue(q) if q.len() == PEOPLE && q.iter().all(|q| q.state == "done") => {
            Some(q.len())
        }
        _ => None,
    })
    .await;
    assert_eq!(done, PEOPLE);

    // The server holds one reading per person, with the height preset for them.
    let caller = central.caller();
    for i in 0..PEOPLE {
        let number = applicant(i).participant;
        let history = tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                let h = central
                    .storage
                    .history(&caller, &number, 10, now())
                    .await
                    .unwrap()
                    .expect("on the roster");
                if !h.measurements.is_empty() {
                    return h;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{number}'s reading reached the server"));
        assert_eq!(history.measurements.len(), 1, "{number}");
        let height = history.measurements[0].values["height"]
            .as_f64()
            .unwrap_or_else(|| panic!("{number}: the frame echoes the preset height"));
        assert!(
            (height - height_of(i)).abs() < 0.05,
            "{number}: measured with {height} cm, registered {}",
            height_of(i)
        );
    }
    kiosk.staff_close().await.unwrap();
    kiosk.shutdown().await;
}
