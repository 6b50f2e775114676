//! Registering participants from the paper application against a real encrypted store: every
//! eligibility code, the registration's one transaction (roster, outbox, paper consent, audit)
//! surviving a reopen, a duplicate refused, the server's verdict from a real sync worker against
//! a small axum server on loopback settling the registration (accepted with its card, conflict,
//! ineligible, full), the first measurement noted, and no participant value in the audit log.

#![allow(clippy::unwrap_used)]

use axum::routing::post;
use axum::{Json, Router};
use hakaru_station::domain::{
    Date, DocumentKind, DocumentVersion, ParticipantNumber, Purpose, PurposeId,
};
use hakaru_station::staff::{check_application, Application, ApplicationInput};
use hakaru_station::store::testing::{reading, seeded, F1, T0};
use hakaru_station::store::{
    content_hash, new_id, Measured, NewMeasurement, RegistrationState, Store, StoreConfig,
    StoreError,
};
use hakaru_station::sync::{
    Backoff, CentralClient, ClientOptions, Credential, SyncWorker, WorkerSettings,
};
use hakaru_wire::api::{
    Ack, AckOutcome, Change, ChangeKind, ChangesPage, HeldReason, IssuedCard, RegistrationRules,
    UploadRequest,
};
use hakaru_wire::{ConsentMethod as WireMethod, EventKind, Timestamp};
use std::time::Duration;

const TODAY: Date = Date {
    year: 2026,
    month: 6,
    day: 3,
};
const TERMS: &str = "利用規約 第1版";
const PRIVACY: &str = "個人情報の取扱い 第1版";

fn doc(kind: DocumentKind, text: &str) -> DocumentVersion {
    DocumentVersion {
        kind,
        version: "2026-01".into(),
        language: "ja".into(),
        effective: Date {
            year: 2026,
            month: 1,
            day: 1,
        },
        content_hash: content_hash(text),
        needs_fresh_consent: false,
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    cfg: StoreConfig,
    store: Store,
}

/// An enrolled station with the program's documents and purposes (`service` required,
/// `research` optional) and no participants.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let cfg = StoreConfig::in_dir(dir.path());
    let mut store = seeded(&cfg, 0).unwrap();
    store
        .put_document(&doc(DocumentKind::Terms, TERMS), TERMS, T0)
        .unwrap();
    store
        .put_document(&doc(DocumentKind::PrivacyPolicy, PRIVACY), PRIVACY, T0)
        .unwrap();
    for (id, required) in [("service", true), ("research", false)] {
        store
            .put_purpose(
                &Purpose {
                    id: PurposeId(id.into()),
                    required,
                    label_ja: format!("{id} 日本語"),
                    label_en: id.into(),
                },
                T0,
            )
            .unwrap();
    }
    Fixture {
        _dir: dir,
        cfg,
        store,
    }
}

fn granted(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

/// A valid paper application for `number`, granting `grants`.
fn input<'a>(number: &'a str, grants: &'a [String]) -> ApplicationInput<'a> {
    ApplicationInput {
        participant: number,
        birth_date: "1960-04-01",
        sex: "female",
        height_cm: 158.5,
        body_type: "standard",
        implanted_device: false,
        lives_or_works_locally: true,
        applied_on: "2026-06-01",
        consent: "paper",
        paper_granted: grants,
    }
}

fn codes(store: &Store, i: &ApplicationInput<'_>) -> Vec<&'static str> {
    match check_application(store, i, TODAY) {
        Ok(_) => vec![],
        Err(problems) => problems.iter().map(|p| p.code()).collect(),
    }
}

fn checked(store: &Store, i: &ApplicationInput<'_>) -> Application {
    check_application(store, i, TODAY).unwrap()
}

fn p(number: &str) -> ParticipantNumber {
    ParticipantNumber::new(number).unwrap()
}

#[test]
fn each_ineligibility_has_its_code() {
    let f = fixture();
    let s = &f.store;
    let g = granted(&["service"]);
    let ok = input("A-000101", &g);
    assert_eq!(codes(s, &ok), Vec::<&str>::new());
    let only_research = granted(&["research"]);
    let unknown_purpose = granted(&["service", "marketing"]);
    let cases: Vec<(ApplicationInput<'_>, Vec<&str>)> = vec![
        (
            ApplicationInput {
                participant: "A 101!",
                ..ok
            },
            vec!["bad_participant_number"],
        ),
        (
            ApplicationInput {
                birth_date: "1960-02-30",
                ..ok
            },
            vec!["bad_birth_date"],
        ),
        (
            ApplicationInput {
                birth_date: "2026-06-04",
                ..ok
            },
            vec!["bad_birth_date"],
        ),
        (
            ApplicationInput {
                applied_on: "2026-06-04",
                ..ok
            },
            vec!["bad_applied_on"],
        ),
        (
            ApplicationInput {
                applied_on: "1959-12-31",
                ..ok
            },
            vec!["bad_applied_on"],
        ),
        (
            ApplicationInput {
                applied_on: "2026/06/01",
                ..ok
            },
            vec!["bad_applied_on"],
        ),
        (
            ApplicationInput {
                birth_date: "2006-06-02",
                ..ok
            },
            vec!["too_young"],
        ),
        (
            ApplicationInput {
                lives_or_works_locally: false,
                ..ok
            },
            vec!["not_local"],
        ),
        (
            ApplicationInput {
                height_cm: 79.9,
                ..ok
            },
            vec!["bad_height"],
        ),
        (
            ApplicationInput {
                height_cm: 250.1,
                ..ok
            },
            vec!["bad_height"],
        ),
        (
            ApplicationInput {
                height_cm: f64::NAN,
                ..ok
            },
            vec!["bad_height"],
        ),
        (ApplicationInput { sex: "other", ..ok }, vec!["bad_sex"]),
        (
            ApplicationInput {
                body_type: "child",
                ..ok
            },
            vec!["bad_body_type"],
        ),
        (
            ApplicationInput {
                consent: "email",
                ..ok
            },
            vec!["bad_consent"],
        ),
        (
            ApplicationInput {
                paper_granted: &unknown_purpose,
                ..ok
            },
            vec!["bad_consent"],
        ),
        (
            ApplicationInput {
                paper_granted: &only_research,
                ..ok
            },
            vec!["required_purpose_not_granted"],
        ),
    ];
    for (i, want) in &cases {
        assert_eq!(&codes(s, i), want, "{i:?} with {:?}", i.birth_date);
    }
    // Every problem at once.
    let all_wrong = ApplicationInput {
        participant: "",
        birth_date: "x",
        sex: "",
        height_cm: 0.0,
        body_type: "",
        lives_or_works_locally: false,
        applied_on: "",
        consent: "",
        ..ok
    };
    assert_eq!(
        codes(s, &all_wrong),
        [
            "bad_participant_number",
            "bad_birth_date",
            "bad_applied_on",
            "not_local",
            "bad_height",
            "bad_sex",
            "bad_body_type",
            "bad_consent"
        ]
    );
}

#[test]
fn age_is_whole_years_on_the_application_date_under_the_synced_rules() {
    let mut f = fixture();
    let g = granted(&["service"]);
    let on_birthday = ApplicationInput {
        birth_date: "2006-06-01",
        ..input("A-000102", &g)
    };
    assert_eq!(codes(&f.store, &on_birthday), Vec::<&str>::new());
    let day_before = ApplicationInput {
        applied_on: "2026-05-31",
        ..on_birthday
    };
    assert_eq!(codes(&f.store, &day_before), ["too_young"]);
    // The server says: 65 or older, no residency rule.
    let page = ChangesPage {
        card_program: 1,
        changes: vec![Change {
            seq: 1,
            change: ChangeKind::RegistrationRules(RegistrationRules {
                min_age_years: 65,
                residency_required: false,
                enrolment_cap: Some(100),
            }),
        }],
        next_cursor: 1,
        more: false,
    };
    f.store.apply_changes(&page, T0).unwrap();
    let g = granted(&["service"]);
    let sixty_six = ApplicationInput {
        lives_or_works_locally: false,
        ..input("A-000103", &g)
    };
    assert_eq!(codes(&f.store, &sixty_six), Vec::<&str>::new());
    assert_eq!(codes(&f.store, &on_birthday), ["too_young"]);
}

#[test]
fn a_registration_writes_roster_outbox_and_consent_in_one_transaction_and_survives_reopen() {
    let Fixture {
        _dir,
        cfg,
        mut store,
    } = fixture();
    let g = granted(&["service"]);
    let app = checked(&store, &input("A-000201", &g));
    let outbox_before = store.pending_events().unwrap();
    let row = store.register_participant(&app, "sato", T0).unwrap();
    assert_eq!(row.state, RegistrationState::Pending);
    assert_eq!(row.registered_by, "sato");
    assert!(!row.card_ready && !row.measured && !row.weight_only);
    assert!(!format!("{row:?}").contains("A-000201"));
    assert!(!format!("{app:?}").contains("A-000201"));
    assert_eq!(store.pending_events().unwrap(), outbox_before + 2);
    drop(store);

    let store = Store::open(&cfg).unwrap();
    let number = p("A-000201");
    let profile = store.participant(&number).unwrap().unwrap();
    assert_eq!(profile.height_tenths_cm, 1585);
    let again = store.registration(&number).unwrap().unwrap();
    assert_eq!(again.state, RegistrationState::Pending);
    assert_eq!(store.registrations_pending().unwrap(), 1);
    let consent = store.latest_consent(&number).unwrap().unwrap();
    assert_eq!(
        consent.decision.method,
        hakaru_station::domain::ConsentMethod::StaffWitnessedPaper
    );
    assert_eq!(consent.decision.granted, [PurposeId("service".into())]);
    assert_eq!(consent.decision.refused, [PurposeId("research".into())]);

    let batch = store.next_batch(100).unwrap();
    let registered = batch
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::ParticipantRegistered(r) if r.participant == "A-000201" => Some(r),
            _ => None,
        })
        .unwrap();
    assert_eq!(registered.applied_on, "2026-06-01");
    assert!(registered.lives_or_works_locally);
    assert_eq!(registered.registered_by, "sato");
    assert_eq!(registered.birth_date, "1960-04-01");
    let consent_event = batch
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::ConsentRecorded(c) if c.participant == "A-000201" => Some(c),
            _ => None,
        })
        .unwrap();
    assert_eq!(consent_event.method, WireMethod::StaffWitnessedPaper);
    let mut hashes = consent_event.document_hashes.clone();
    hashes.sort();
    let mut want = vec![content_hash(TERMS), content_hash(PRIVACY)];
    want.sort();
    assert_eq!(hashes, want);
    // The registration goes before its consent.
    let pos = |kind: &str| batch.iter().position(|e| e.kind.name() == kind).unwrap();
    assert!(pos("participant_registered") < pos("consent_recorded"));
    store.verify_audit().unwrap();
}

#[test]
fn an_on_screen_registration_stores_no_consent_until_the_first_measurement() {
    let mut f = fixture();
    let none: Vec<String> = vec![];
    let app = checked(
        &f.store,
        &ApplicationInput {
            consent: "on_screen",
            implanted_device: true,
            ..input("A-000202", &none)
        },
    );
    let row = f.store.register_participant(&app, "sato", T0).unwrap();
    assert!(row.weight_only);
    assert_eq!(
        row.consent_method,
        hakaru_station::domain::ConsentMethod::OnScreen
    );
    assert!(f.store.latest_consent(&p("A-000202")).unwrap().is_none());
    let m = NewMeasurement {
        id: new_id(T0),
        participant: &p("A-000202"),
        reading: Measured::Composition(&reading(F1)),
        weight_only: false,
    };
    assert!(matches!(
        f.store.record_measurement(&m, T0),
        Err(StoreError::NoConsent)
    ));
}

#[test]
fn a_duplicate_on_the_local_roster_is_refused_and_stores_nothing() {
    let mut f = fixture();
    let g = granted(&["service"]);
    let app = checked(&f.store, &input("A-000301", &g));
    f.store.register_participant(&app, "sato", T0).unwrap();
    assert_eq!(
        codes(&f.store, &input("A-000301", &g)),
        ["already_registered"]
    );
    // Registering the same checked application twice (a double click) stores nothing more.
    let events = f.store.pending_events().unwrap();
    let audit = f.store.audit_row_count().unwrap();
    assert!(f.store.register_participant(&app, "sato", T0).is_err());
    assert_eq!(f.store.pending_events().unwrap(), events);
    assert_eq!(f.store.audit_row_count().unwrap(), audit);
    // A roster member synced from the server is a duplicate too.
    let roster = hakaru_station::store::testing::seeded(&f.cfg, 1).unwrap();
    drop(roster);
    let synced = hakaru_station::store::testing::participant(0);
    assert_eq!(
        codes(&f.store, &input(synced.as_str(), &g)),
        ["already_registered"]
    );
}

#[test]
fn the_first_recorded_measurement_marks_the_registration_measured() {
    let mut f = fixture();
    let g = granted(&["service"]);
    let app = checked(&f.store, &input("A-000401", &g));
    f.store.register_participant(&app, "sato", T0).unwrap();
    let number = p("A-000401");
    assert!(!f.store.registration(&number).unwrap().unwrap().measured);
    let m = NewMeasurement {
        id: new_id(T0),
        participant: &number,
        reading: Measured::Composition(&reading(F1)),
        weight_only: false,
    };
    f.store.record_measurement(&m, T0).unwrap();
    assert!(f.store.registration(&number).unwrap().unwrap().measured);
}

const TOKEN: &str = "hk1.c0ffee.00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const CARD_TOKEN: &str = "K1SECRETCARDTOKEN0123456789ABCDEFGHI";

/// The server's verdict per participant number, with a field this station does not know yet.
async fn events(Json(req): Json<UploadRequest>) -> Json<serde_json::Value> {
    let acks: Vec<serde_json::Value> = req
        .events
        .iter()
        .map(|e| {
            let (outcome, card) = match &e.kind {
                EventKind::ParticipantRegistered(r) => match r.participant.as_str() {
                    "A-000501" => (
                        AckOutcome::Accepted,
                        Some(IssuedCard {
                            card_id: "42-1".into(),
                            token: CARD_TOKEN.into(),
                            expires_on: Some("2029-06-30".into()),
                        }),
                    ),
                    "A-000502" => (
                        AckOutcome::Held {
                            reason: HeldReason::ParticipantExists,
                        },
                        None,
                    ),
                    "A-000503" => (
                        AckOutcome::Held {
                            reason: HeldReason::Ineligible,
                        },
                        None,
                    ),
                    "A-000504" => (
                        AckOutcome::Held {
                            reason: HeldReason::EnrolmentFull,
                        },
                        None,
                    ),
                    _ => (AckOutcome::Accepted, None),
                },
                _ => (AckOutcome::Accepted, None),
            };
            let mut v = serde_json::to_value(Ack {
                id: e.id,
                outcome,
                points: None,
                card,
            })
            .unwrap();
            v.as_object_mut().unwrap().insert(
                "a_field_from_a_newer_server".into(),
                serde_json::json!({"x": 1}),
            );
            v
        })
        .collect();
    Json(serde_json::json!({ "acks": acks }))
}

async fn serve() -> String {
    let app = Router::new().route("/v1/events", post(events));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn the_servers_acks_settle_registrations_accepted_with_card_conflict_ineligible_full() {
    let base = serve().await;
    let Fixture {
        _dir,
        cfg,
        mut store,
    } = fixture();
    let g = granted(&["service"]);
    let numbers = ["A-000501", "A-000502", "A-000503", "A-000504"];
    for n in numbers {
        let app = checked(&store, &input(n, &g));
        store.register_participant(&app, "sato", T0).unwrap();
    }
    assert_eq!(store.registrations_pending().unwrap(), 4);
    let since = Timestamp::from_unix_ms(T0.as_unix_ms() + 1);
    assert_eq!(
        store.registrations(since).unwrap().len(),
        4,
        "unsettled ones are listed whatever their age"
    );

    let opts = ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        extra_root_pem: None,
    };
    let client = CentralClient::new(&base, Credential::new(TOKEN).unwrap(), &opts).unwrap();
    let settings = WorkerSettings {
        batch_size: 100,
        changes_limit: 10,
        poll_interval: Duration::from_secs(1),
        backoff: Backoff::new(Duration::from_millis(1), Duration::from_millis(2), || 0.0),
    };
    let mut worker = SyncWorker::new(
        Store::open(&cfg).unwrap(),
        client,
        settings,
        hakaru_station::SystemClock,
    )
    .unwrap();
    worker.upload_step().await.unwrap();
    assert_eq!(store.pending_events().unwrap(), 0);
    drop(worker);

    let state = |n: &str| store.registration(&p(n)).unwrap().unwrap().state;
    assert_eq!(state("A-000501"), RegistrationState::Accepted);
    assert_eq!(state("A-000502"), RegistrationState::Conflict);
    assert_eq!(state("A-000503"), RegistrationState::Ineligible);
    assert_eq!(state("A-000504"), RegistrationState::Full);
    assert_eq!(store.registrations_pending().unwrap(), 0);
    let accepted = store.registration(&p("A-000501")).unwrap().unwrap();
    assert!(accepted.card_ready && !accepted.card_printed);
    let card = store.registration_card(&p("A-000501")).unwrap().unwrap();
    assert_eq!(card.card_id, "42-1");
    assert_eq!(card.token, CARD_TOKEN);
    assert_eq!(card.expires_on.as_deref(), Some("2029-06-30"));
    assert!(store.registration_card(&p("A-000502")).unwrap().is_none());
    assert!(
        !store
            .registration(&p("A-000502"))
            .unwrap()
            .unwrap()
            .card_ready
    );

    // Printing is noted and audited; the printed, accepted one drops out of the old list, the
    // conflict stays for staff to see.
    store.mark_card_printed(&p("A-000501"), "sato", T0).unwrap();
    assert!(
        store
            .registration(&p("A-000501"))
            .unwrap()
            .unwrap()
            .card_printed
    );
    assert!(matches!(
        store.mark_card_printed(&p("A-000502"), "sato", T0),
        Err(StoreError::UnknownParticipant)
    ));
    let listed: Vec<String> = store
        .registrations(since)
        .unwrap()
        .iter()
        .map(|r| r.participant.as_str().to_owned())
        .collect();
    assert!(listed.contains(&"A-000502".to_owned()));
    assert!(!listed.contains(&"A-000501".to_owned()));
    assert_eq!(store.registrations(T0).unwrap().len(), 4);

    // A replayed ack without the card keeps the card.
    let event_id = {
        let rows = store.recent_audit(200).unwrap();
        let first = rows
            .iter()
            .rev()
            .find(|r| r.action == "participant_registered")
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&first.detail).unwrap();
        v["event"].as_str().unwrap().to_owned()
    };
    let replay = Ack {
        id: hakaru_wire::EventId(event_id.parse().unwrap()),
        outcome: AckOutcome::Accepted,
        points: None,
        card: None,
    };
    store.settle_registrations(&[replay], T0).unwrap();
    assert_eq!(
        store
            .registration_card(&p("A-000501"))
            .unwrap()
            .unwrap()
            .token,
        CARD_TOKEN
    );

    // No participant value and no card token anywhere in the audit log; the chain holds.
    for row in store.recent_audit(500).unwrap() {
        for secret in numbers.iter().copied().chain(["1960-04-01", CARD_TOKEN]) {
            assert!(
                !row.detail.contains(secret),
                "{} {}",
                row.action,
                row.detail
            );
        }
    }
    let actions: Vec<String> = store
        .recent_audit(500)
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert!(actions.iter().any(|a| a == "registrations_settled"));
    assert!(actions.iter().any(|a| a == "registration_card_printed"));
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "participant_registered")
            .count(),
        4
    );
    store.verify_audit().unwrap();
}

#[tokio::test]
async fn offline_a_registration_stays_pending_flagged_for_review() {
    // A port nobody listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let Fixture {
        _dir,
        cfg,
        mut store,
    } = fixture();
    let g = granted(&["service"]);
    let app = checked(&store, &input("A-000601", &g));
    store.register_participant(&app, "sato", T0).unwrap();
    let opts = ClientOptions {
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_secs(1),
        extra_root_pem: None,
    };
    let client = CentralClient::new(
        &format!("http://{closed}"),
        Credential::new(TOKEN).unwrap(),
        &opts,
    )
    .unwrap();
    let settings = WorkerSettings {
        batch_size: 100,
        changes_limit: 10,
        poll_interval: Duration::from_secs(1),
        backoff: Backoff::new(Duration::from_millis(1), Duration::from_millis(2), || 0.0),
    };
    let mut worker = SyncWorker::new(
        Store::open(&cfg).unwrap(),
        client,
        settings,
        hakaru_station::SystemClock,
    )
    .unwrap();
    assert!(worker.upload_step().await.is_err());
    drop(worker);
    let row = store.registration(&p("A-000601")).unwrap().unwrap();
    assert_eq!(row.state, RegistrationState::Pending);
    assert!(!row.card_ready);
    assert_eq!(store.registrations_pending().unwrap(), 1);
    assert!(store.registration_card(&p("A-000601")).unwrap().is_none());
}
