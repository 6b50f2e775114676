//! The sync worker against the REAL central server: `hakaru_central::api::router` over the
//! embedded SQLite backend, served on loopback port 0, with the station's real encrypted store.
//! Proves: readings recorded offline all arrive exactly once (server-side counts) and the
//! outbox empties; a batch whose acknowledgement was lost is not duplicated; reordered and
//! replayed batches change nothing; a revoked credential stops the worker with words and no
//! further requests; roster, card, document, purpose and staff changes made with the
//! central's admin calls arrive in the station's store; the kiosk keeps recording while the
//! worker writes through its own connection.

#![allow(clippy::unwrap_used)]

use hakaru_central::api::{router, AppState};
use hakaru_central::auth::Credential as CentralCredential;
use hakaru_central::ids::{CredentialId, MunicipalityId, ProgramId, StationId as CentralStationId};
use hakaru_central::points::PointsRules;
use hakaru_central::storage::sqlite::SqliteStorage;
use hakaru_central::storage::{
    CardIssue, NewMunicipality, NewProgram, NewStation, StationContext, Storage,
};
use hakaru_station::cards::{verify, CardRejection};
use hakaru_station::domain::{Date, ParticipantNumber};
use hakaru_station::store::testing::{self, participant, seeded, T0};
use hakaru_station::store::{new_id, CardStatus, Measured, NewMeasurement, Store, StoreConfig};
use hakaru_station::sync::{
    Backoff, CentralClient, ClientOptions, Credential, PullStep, SyncError, SyncState, SyncWorker,
    UploadStep, WorkerSettings,
};
use hakaru_station::Clock;
use hakaru_wire::api::{
    DocumentKind, ParticipantStatus, PolicyDocument, PurposeDef, RosterEntry, StaffAccount,
    StaffRole, UploadRequest,
};
use hakaru_wire::card::CardToken;
use hakaru_wire::{Sex, Timestamp};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The station's clock in these tests: fixed wall time.
#[derive(Debug, Clone, Copy)]
struct FixedClock(Timestamp);

impl Clock for FixedClock {
    #[allow(clippy::disallowed_methods)] // monotonic time is unused by the worker; any instant does
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn wall(&self) -> Timestamp {
        self.0
    }
}

fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix_ms(T0.as_unix_ms() + secs * 1000)
}

/// A running central server with one program, one municipality and the fixtures' station.
struct Central {
    storage: Arc<dyn Storage>,
    program: ProgramId,
    context: StationContext,
    credential_id: CredentialId,
    base: String,
    token: String,
    requests: Arc<AtomicUsize>,
    _dir: tempfile::TempDir,
}

impl Central {
    async fn start() -> Central {
        let dir = tempfile::tempdir().unwrap();
        let storage: Arc<dyn Storage> =
            Arc::new(SqliteStorage::open(&dir.path().join("central.db")).unwrap());
        storage.migrate().await.unwrap();
        let program = ProgramId::new("prog-a").unwrap();
        storage
            .create_program(
                &NewProgram {
                    id: program.clone(),
                    name_ja: "くまもと健康ポイント".into(),
                    name_en: "prog-a".into(),
                    rules: PointsRules::default_rules(),
                },
                at(-86_400),
            )
            .await
            .unwrap();
        let municipality = MunicipalityId::new("kita").unwrap();
        storage
            .create_municipality(
                &NewMunicipality {
                    id: municipality.clone(),
                    program: program.clone(),
                    name_ja: "北市".into(),
                    name_en: "kita".into(),
                },
                at(-86_400),
            )
            .await
            .unwrap();
        let station = CentralStationId::new(testing::station().as_str()).unwrap();
        storage
            .create_station(
                &NewStation {
                    id: station.clone(),
                    municipality,
                    place: "北公民館".into(),
                },
                at(-86_400),
            )
            .await
            .unwrap();
        let credential = CentralCredential::generate().unwrap();
        storage
            .add_credential(
                &station,
                credential.id(),
                &credential.secret_hash(),
                at(-86_400),
            )
            .await
            .unwrap();
        let server_now = at(86_400);
        let state = AppState::new(storage.clone(), Arc::new(move || server_now));
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let app = router(state).layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                counter.fetch_add(1, Ordering::SeqCst);
                next.run(req)
            },
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Central {
            storage,
            context: StationContext {
                station,
                program: program.clone(),
            },
            program,
            credential_id: credential.id().clone(),
            base: format!("http://{addr}"),
            token: credential.token(),
            requests,
            _dir: dir,
        }
    }

    fn client(&self) -> CentralClient {
        CentralClient::new(
            &self.base,
            Credential::new(&self.token).unwrap(),
            &ClientOptions::default(),
        )
        .unwrap()
    }

    fn worker(&self, store: Store, batch_size: usize) -> SyncWorker<FixedClock> {
        let settings = WorkerSettings {
            batch_size,
            changes_limit: 100,
            poll_interval: Duration::from_millis(50),
            backoff: Backoff::new(Duration::from_millis(10), Duration::from_millis(50), || 0.5),
        };
        SyncWorker::new(store, self.client(), settings, FixedClock(at(90_000))).unwrap()
    }

    /// Roster entries for the fixtures' participants `0..n` (participant 1 has an implant).
    async fn put_roster(&self, n: u32) {
        for i in 0..n {
            self.storage
                .put_participant(
                    &self.program,
                    &roster(participant(i).as_str(), i == 1),
                    at(-3600),
                )
                .await
                .unwrap();
        }
    }

    /// Events the server has received from the station, by its own count.
    async fn received(&self) -> u64 {
        self.storage
            .sync_status(None)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.station == self.context.station)
            .unwrap()
            .events_received
    }

    /// Readings the server holds for a participant.
    async fn history_len(&self, who: &ParticipantNumber) -> usize {
        self.storage
            .history(&self.context, who.as_str(), 100_000, at(90_000))
            .await
            .unwrap()
            .map_or(0, |h| h.measurements.len())
    }
}

fn roster(number: &str, implanted: bool) -> RosterEntry {
    RosterEntry {
        participant: number.into(),
        birth_date: "1958-06-15".into(),
        sex: Sex::Male,
        height_tenths_cm: 1755,
        body_type: 0,
        implanted_device: implanted,
        status: ParticipantStatus::Active,
    }
}

fn station_store() -> (tempfile::TempDir, StoreConfig) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = StoreConfig::in_dir(dir.path());
    (dir, cfg)
}

/// Records `n` readings round-robin over participants `0..participants`, one second apart.
fn record(store: &mut Store, n: u32, participants: u32, start: i64) -> Vec<uuid::Uuid> {
    let reading = testing::reading(testing::F2);
    (0..n)
        .map(|k| {
            let when = at(start + i64::from(k));
            let who = participant(k % participants);
            store
                .record_measurement(
                    &NewMeasurement {
                        id: new_id(when),
                        participant: &who,
                        reading: Measured::Composition(&reading),
                        weight_only: false,
                    },
                    when,
                )
                .unwrap()
                .measurement_id
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_offline_readings_arrive_exactly_once_and_the_outbox_empties() {
    let central = Central::start().await;
    central.put_roster(50).await;
    let (_d, cfg) = station_store();
    let mut kiosk = seeded(&cfg, 50).unwrap();
    let ids = record(&mut kiosk, 10_000, 50, 60);
    let queued = kiosk.pending_events().unwrap();
    assert_eq!(queued, 10_050, "50 consents and 10,000 readings wait");

    let mut worker = central.worker(Store::open(&cfg).unwrap(), 500);
    assert_eq!(worker.status().backlog, queued);
    let mut batches = 0;
    while let UploadStep::Sent {
        events,
        acked,
        held,
    } = worker.upload_step().await.unwrap()
    {
        assert_eq!(
            (events, acked, held),
            (events, events, 0),
            "every event accepted"
        );
        assert!(events <= 500);
        batches += 1;
    }
    assert!(
        batches >= 21,
        "at most 500 events (and 512 KiB) a batch: {batches}"
    );
    assert_eq!(kiosk.pending_events().unwrap(), 0);
    assert_eq!(
        central.received().await,
        queued,
        "each event arrived exactly once"
    );
    for i in [0, 1, 49] {
        assert_eq!(central.history_len(&participant(i)).await, 200);
    }
    let status = worker.status();
    assert_eq!((status.state, status.backlog), (SyncState::Online, 0));
    assert_eq!(status.last_success, Some(at(90_000)));
    // The server's points answer is at the station for the results screen.
    let first = kiosk
        .points_for(ids[0])
        .unwrap()
        .expect("points answer stored");
    assert!(
        first.awarded > 0,
        "the first reading of the day earns points"
    );
    // Nothing more to send: the next step makes no change.
    assert_eq!(worker.upload_step().await.unwrap(), UploadStep::Empty);
    assert_eq!(central.received().await, queued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_whose_acknowledgement_was_lost_is_not_duplicated() {
    let central = Central::start().await;
    central.put_roster(3).await;
    let (_d, cfg) = station_store();
    let mut kiosk = seeded(&cfg, 3).unwrap();
    record(&mut kiosk, 30, 3, 60);
    // The station sends a batch, the server stores it and answers, and the station stops
    // before acknowledging: its outbox still holds the batch.
    let batch = kiosk.next_batch(20).unwrap();
    let answer = central
        .client()
        .upload(&UploadRequest {
            events: batch,
            backlog_after: 13,
            last_error: None,
        })
        .await
        .unwrap();
    assert_eq!(answer.acks.len(), 20);
    drop(answer);
    assert_eq!(kiosk.pending_events().unwrap(), 33);
    assert_eq!(central.received().await, 20);

    // Restarted, the worker sends everything again; the server recognises the 20.
    let mut worker = central.worker(Store::open(&cfg).unwrap(), 500);
    worker.sync_once().await.unwrap();
    assert_eq!(kiosk.pending_events().unwrap(), 0);
    assert_eq!(central.received().await, 33);
    for i in 0..3 {
        assert_eq!(
            central.history_len(&participant(i)).await,
            10,
            "no duplicate readings"
        );
    }
}

async fn send(
    client: &CentralClient,
    events: &[hakaru_wire::OutboxEvent],
) -> hakaru_wire::api::UploadResponse {
    let request = UploadRequest {
        events: events.to_vec(),
        backlog_after: 0,
        last_error: None,
    };
    client.upload(&request).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reordered_and_replayed_batches_change_nothing() {
    let central = Central::start().await;
    central.put_roster(2).await;
    let (_d, cfg) = station_store();
    let mut kiosk = seeded(&cfg, 2).unwrap();
    // Consents first, acknowledged.
    let mut worker = central.worker(Store::open(&cfg).unwrap(), 500);
    worker.sync_once().await.unwrap();
    record(&mut kiosk, 40, 2, 60);
    let all = kiosk.next_batch(40).unwrap();
    let (early, late) = all.split_at(20);
    let client = central.client();
    // The later batch arrives first, then the earlier one, then the later one again.
    let late_first = send(&client, late).await;
    send(&client, early).await;
    let late_again = send(&client, late).await;
    assert_eq!(
        late_first, late_again,
        "a replay gets the same acknowledgements"
    );
    assert_eq!(central.received().await, 2 + 40);
    // The station never heard any of it; it sends all 40 once more and settles.
    worker.sync_once().await.unwrap();
    assert_eq!(kiosk.pending_events().unwrap(), 0);
    assert_eq!(central.received().await, 2 + 40);
    assert_eq!(central.history_len(&participant(0)).await, 20);
    assert_eq!(central.history_len(&participant(1)).await, 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_credential_stops_the_worker_with_words_and_no_further_requests() {
    let central = Central::start().await;
    central.put_roster(1).await;
    let (_d, cfg) = station_store();
    let mut kiosk = seeded(&cfg, 1).unwrap();
    let mut worker = central.worker(Store::open(&cfg).unwrap(), 500);
    worker.sync_once().await.unwrap();
    assert_eq!(worker.status().state, SyncState::Online);

    central
        .storage
        .revoke_credential(&central.credential_id, at(100))
        .await
        .unwrap();
    record(&mut kiosk, 3, 1, 200);
    let err = worker.sync_once().await.unwrap_err();
    assert_eq!(err, SyncError::CredentialRefused);
    let status = worker.status();
    assert_eq!(status.state, SyncState::CredentialRefused);
    assert_eq!(status.backlog, 3, "the readings stay queued at the station");
    let words = status.last_error.clone().unwrap();
    assert!(
        words.ja.contains("認証情報が拒否されました"),
        "{}",
        words.ja
    );
    assert!(
        words.en.contains("ask the administrator for a new one"),
        "{}",
        words.en
    );
    assert!(
        status.headline().ja.contains("3 件"),
        "{:?}",
        status.headline()
    );

    // From now on no request leaves the station: not by steps, not by the loop, not on wake.
    let before = central.requests.load(Ordering::SeqCst);
    assert_eq!(
        worker.upload_step().await.unwrap_err(),
        SyncError::CredentialRefused
    );
    assert_eq!(
        worker.pull_step().await.unwrap_err(),
        SyncError::CredentialRefused
    );
    let status_rx = worker.subscribe();
    let wake = Arc::new(Notify::new());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(worker.run(
        async {
            stopped.await.ok();
        },
        wake.clone(),
    ));
    for _ in 0..5 {
        wake.notify_one();
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    stop.send(()).unwrap();
    task.await.unwrap();
    assert_eq!(central.requests.load(Ordering::SeqCst), before);
    assert_eq!(status_rx.borrow().state, SyncState::CredentialRefused);
    assert_eq!(kiosk.pending_events().unwrap(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roster_card_document_purpose_and_staff_changes_arrive_in_the_station_store() {
    let central = Central::start().await;
    let (_d, cfg) = station_store();
    let kiosk = seeded(&cfg, 0).unwrap();
    let p = &central.program;
    let s = &central.storage;
    s.put_participant(p, &roster("N-1", false), at(1))
        .await
        .unwrap();
    s.put_participant(p, &roster("N-2", true), at(2))
        .await
        .unwrap();
    let mut gone = roster("N-3", false);
    s.put_participant(p, &gone, at(3)).await.unwrap();
    gone.status = ParticipantStatus::Withdrawn;
    s.put_participant(p, &gone, at(4)).await.unwrap();
    let issue = CardIssue {
        issued_day: 20_780,
        expires_day: None,
    };
    let n1_card = s.issue_card(p, "N-1", issue, at(5)).await.unwrap().token;
    let n2_lost = s.issue_card(p, "N-2", issue, at(5)).await.unwrap().token;
    let n2_card = s.issue_card(p, "N-2", issue, at(6)).await.unwrap().token;
    let terms = PolicyDocument {
        kind: DocumentKind::Terms,
        version: "2026-04".into(),
        language: "ja".into(),
        effective: "2026-04-01".into(),
        full_text: "第1条 この規約は…".into(),
        needs_fresh_consent: true,
    };
    s.publish_document(p, &terms, at(7)).await.unwrap();
    s.put_purpose(
        p,
        &PurposeDef {
            id: "measurement".into(),
            required: true,
            label_ja: "体組成の測定".into(),
            label_en: "body composition measurement".into(),
        },
        at(8),
    )
    .await
    .unwrap();
    let staff = StaffAccount {
        login: "tanaka".into(),
        display_name: "田中".into(),
        role: StaffRole::Staff,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".into(),
        active: true,
    };
    s.put_staff(p, &staff, at(9)).await.unwrap();

    // A small page size so the feed takes several pages.
    let mut worker = SyncWorker::new(
        Store::open(&cfg).unwrap(),
        central.client(),
        WorkerSettings {
            changes_limit: 2,
            ..WorkerSettings::default()
        },
        FixedClock(at(90_000)),
    )
    .unwrap();
    let mut pages = 0;
    while let PullStep::Applied { changes, more, .. } = worker.pull_step().await.unwrap() {
        assert_eq!(changes.skipped, 0);
        pages += 1;
        if !more {
            break;
        }
    }
    assert!(pages >= 4, "{pages} pages");
    let n1 = ParticipantNumber::new("N-1").unwrap();
    let n2 = ParticipantNumber::new("N-2").unwrap();
    let n3 = ParticipantNumber::new("N-3").unwrap();
    assert_eq!(
        kiosk.participant(&n1).unwrap().unwrap().height_tenths_cm,
        1755
    );
    assert!(kiosk.participant(&n2).unwrap().unwrap().implanted_device);
    assert!(
        kiosk.participant(&n3).unwrap().is_none(),
        "withdrawn: refused"
    );
    // The cards the server printed are recognised offline from the synced tag hashes; the
    // replaced one is refused.
    let today = Date {
        year: 2026,
        month: 11,
        day: 23,
    };
    let verified = |token: &CardToken| verify(&kiosk, &token.encode(), today).unwrap();
    assert_eq!(verified(&n1_card).unwrap().participant, n1);
    assert_eq!(verified(&n2_card).unwrap().participant, n2);
    assert_eq!(verified(&n2_lost), Err(CardRejection::Revoked));
    let held = kiosk.cards_of_holder(n2_card.fields().holder).unwrap();
    assert_eq!(
        held.iter().map(|c| c.status).collect::<Vec<_>>(),
        [CardStatus::Active, CardStatus::Revoked]
    );
    let docs = kiosk.documents().unwrap();
    assert_eq!(docs.len(), 1);
    assert!(docs[0].needs_fresh_consent);
    assert_eq!(
        kiosk
            .document_text(&docs[0].content_hash)
            .unwrap()
            .as_deref(),
        Some(terms.full_text.as_str())
    );
    assert_eq!(
        kiosk.purposes().unwrap()[0].label_en,
        "body composition measurement"
    );
    assert_eq!(kiosk.staff_account("tanaka").unwrap(), Some(staff.clone()));
    let cursor = kiosk.sync_cursor().unwrap();
    assert!(cursor > 0);
    assert_eq!(worker.status().cursor, cursor);
    assert_eq!(worker.pull_step().await.unwrap(), PullStep::UpToDate);

    // A later change arrives on the next pull, and only it.
    let mut disabled = staff;
    disabled.active = false;
    s.put_staff(p, &disabled, at(10)).await.unwrap();
    match worker.pull_step().await.unwrap() {
        PullStep::Applied { changes, .. } => assert_eq!((changes.staff, changes.applied()), (1, 1)),
        other => panic!("{other:?}"),
    }
    assert!(!kiosk.staff_account("tanaka").unwrap().unwrap().active);
    kiosk.verify_audit().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_records_while_the_running_worker_syncs_through_its_own_connection() {
    let central = Central::start().await;
    central.put_roster(5).await;
    let (_d, cfg) = station_store();
    seeded(&cfg, 5).unwrap();
    let worker = central.worker(Store::open(&cfg).unwrap(), 50);
    let mut status = worker.subscribe();
    let wake = Arc::new(Notify::new());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(worker.run(
        async {
            stopped.await.ok();
        },
        wake.clone(),
    ));
    // The kiosk records on its own connection while the worker acknowledges on the other.
    let cfg2 = cfg.clone();
    let waker = wake.clone();
    tokio::task::spawn_blocking(move || {
        let mut kiosk = Store::open(&cfg2).unwrap();
        for chunk in 0..10 {
            record(&mut kiosk, 100, 5, 60 + chunk * 100);
            waker.notify_one();
        }
    })
    .await
    .unwrap();
    wake.notify_one();
    tokio::time::timeout(
        Duration::from_secs(60),
        status.wait_for(|s| s.state == SyncState::Online && s.backlog == 0),
    )
    .await
    .expect("the worker catches up")
    .unwrap();
    stop.send(()).unwrap();
    task.await.unwrap();
    assert_eq!(central.received().await, 5 + 1000);
    assert_eq!(Store::open(&cfg).unwrap().pending_events().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_is_offline_with_words_then_the_loop_recovers() {
    let central = Central::start().await;
    central.put_roster(1).await;
    let (_d, cfg) = station_store();
    let mut kiosk = seeded(&cfg, 1).unwrap();
    record(&mut kiosk, 5, 1, 60);
    // First a port where nothing listens.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_addr = dead.local_addr().unwrap();
    drop(dead);
    let offline_client = CentralClient::new(
        &format!("http://{dead_addr}"),
        Credential::new(&central.token).unwrap(),
        &ClientOptions::default(),
    )
    .unwrap();
    let mut offline = SyncWorker::new(
        Store::open(&cfg).unwrap(),
        offline_client,
        WorkerSettings::default(),
        FixedClock(at(90_000)),
    )
    .unwrap();
    let err = offline.upload_step().await.unwrap_err();
    assert!(matches!(err, SyncError::Network(_)), "{err:?}");
    assert!(!err.is_permanent());
    let st = offline.status();
    assert_eq!((st.state, st.backlog), (SyncState::Offline, 6));
    assert!(
        st.headline().en.contains("6 kept safely on this station"),
        "{:?}",
        st.headline()
    );
    assert!(st.last_error.unwrap().ja.contains("ネットワーク"));
    drop(offline);

    // The real server: the loop drains and reports Online.
    let worker = central.worker(Store::open(&cfg).unwrap(), 2);
    let mut status = worker.subscribe();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(worker.run(
        async {
            stopped.await.ok();
        },
        Arc::new(Notify::new()),
    ));
    tokio::time::timeout(
        Duration::from_secs(30),
        status.wait_for(|s| s.state == SyncState::Online && s.backlog == 0),
    )
    .await
    .unwrap()
    .unwrap();
    stop.send(()).unwrap();
    task.await.unwrap();
    assert_eq!(central.received().await, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_the_server_holds_are_acknowledged_and_never_resent() {
    let central = Central::start().await;
    // Participant 0 is on the server's roster; participant 1 is not: the server holds theirs.
    central.put_roster(1).await;
    let (_d, cfg) = station_store();
    let mut kiosk = seeded(&cfg, 2).unwrap();
    record(&mut kiosk, 4, 2, 60);
    let mut worker = central.worker(Store::open(&cfg).unwrap(), 500);
    match worker.upload_step().await.unwrap() {
        UploadStep::Sent {
            events,
            acked,
            held,
        } => {
            assert_eq!((events, acked), (6, 6));
            assert_eq!(held, 3, "participant 1's consent and two readings");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(kiosk.pending_events().unwrap(), 0);
    assert_eq!(worker.upload_step().await.unwrap(), UploadStep::Empty);
    let held = central.storage.held_events(&central.program).await.unwrap();
    assert_eq!(held.len(), 3);
    assert_eq!(central.received().await, 6);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_built_from_the_sync_settings_syncs() {
    use hakaru_station::sync::SyncConfig;
    use std::os::unix::fs::PermissionsExt;
    let central = Central::start().await;
    central.put_roster(1).await;
    let (dir, cfg) = station_store();
    seeded(&cfg, 1).unwrap();
    let cred = dir.path().join("credential");
    std::fs::write(&cred, format!("{}\n", central.token)).unwrap();
    std::fs::set_permissions(&cred, std::fs::Permissions::from_mode(0o600)).unwrap();
    let toml = format!(
        "[kiosk]\nlanguage = \"ja\"\n\n[sync]\nserver_url = \"{}\"\ncredential_file = \"{}\"\nbatch_size = 100\n",
        central.base,
        cred.display()
    );
    let settings = dir.path().join("station.toml");
    std::fs::write(&settings, toml).unwrap();
    let config = SyncConfig::load(&settings).unwrap();
    let mut worker = SyncWorker::from_config(&config, &cfg, FixedClock(at(90_000))).unwrap();
    worker.sync_once().await.unwrap();
    assert_eq!(worker.status().backlog, 0);
    assert_eq!(central.received().await, 1);
    assert!(
        !format!("{worker:?}").contains(&central.token[20..]),
        "no secret in Debug"
    );
}
