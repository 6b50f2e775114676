//! The results screen's points against the REAL central server: `hakaru_central::api::router`
//! over a fresh SQLite database, served in-process on loopback, and the assembled kiosk (demo
//! mode: simulated analyzer, demo card) with `[sync]` pointing at it. The kiosk's store gets its
//! roster, card, documents and purposes from that server's change feed, so the consent and the
//! reading it uploads are the server's own.
//!
//! Proves: online, the screen says "waiting" and then shows the points the server's storage
//! holds for that reading and participant; a second visit the same day earns what the program's
//! rules say and a late subscriber sees it. With the server down, the screen says "later"
//! within `points_wait_secs`, the reading waits in the outbox, and when the server is back the
//! worker delivers it and records the server's answer. Every wait is for an event, bounded.

#![allow(clippy::unwrap_used)]

mod support;

use hakaru_central::api::{router, system_clock, AppState};
use hakaru_central::auth::Credential as CentralCredential;
use hakaru_central::ids::{MunicipalityId, ProgramId, StationId as CentralStationId};
use hakaru_central::points::{Period, PointsRules};
use hakaru_central::storage::sqlite::SqliteStorage;
use hakaru_central::storage::{CardIssue, NewMunicipality, NewProgram, NewStation, Storage};
use hakaru_kiosk::view::{
    Answer, GuidanceStep, KioskEvent, PointsView, ResultsView, Screen, SyncView,
};
use hakaru_kiosk::Kiosk;
use hakaru_station::domain::{ParticipantNumber, StationId};
use hakaru_station::store::{Store, StoreConfig};
use hakaru_station::sync::{CentralClient, ClientOptions, Credential, SyncWorker, WorkerSettings};
use hakaru_station::{Clock, SystemClock};
use hakaru_wire::api::{DocumentKind, ParticipantStatus, PolicyDocument, PurposeDef, RosterEntry};
use hakaru_wire::{EventKind, Sex, Timestamp};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use support::{next, next_screen, next_within, start, WAIT};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::broadcast;

/// The station both sides know.
const STATION: &str = "kita-community-01";
/// The participant who visits.
const WHO: &str = "P-000001";

fn who() -> ParticipantNumber {
    ParticipantNumber::new(WHO).unwrap()
}

fn now() -> Timestamp {
    SystemClock.wall()
}

/// Serves the central API over `storage` on `listener` (the server's clock is the real one:
/// the kiosk's readings carry real times and points go by the local day).
fn serve(storage: Arc<dyn Storage>, listener: TcpListener) {
    let app = router(AppState::new(storage, system_clock()));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
}

/// A running central server: one program with the default points rules, this station and its
/// credential, the participant on the roster with a card, terms and privacy policy in Japanese
/// and English, one required purpose.
struct Central {
    storage: Arc<dyn Storage>,
    program: ProgramId,
    base: String,
    token: String,
    card: String,
    _dir: tempfile::TempDir,
}

impl Central {
    async fn start() -> Central {
        let dir = tempfile::tempdir().unwrap();
        let storage: Arc<dyn Storage> =
            Arc::new(SqliteStorage::open(&dir.path().join("central.db")).unwrap());
        storage.migrate().await.unwrap();
        let t = now();
        let program = ProgramId::new("kita-health").unwrap();
        storage
            .create_program(
                &NewProgram {
                    id: program.clone(),
                    name_ja: "北市健康ポイント".into(),
                    name_en: "Kita health points".into(),
                    rules: PointsRules::default_rules(),
                },
                t,
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
                    name_en: "Kita".into(),
                },
                t,
            )
            .await
            .unwrap();
        let station = CentralStationId::new(STATION).unwrap();
        storage
            .create_station(
                &NewStation {
                    id: station.clone(),
                    municipality,
                    place: "北公民館".into(),
                },
                t,
            )
            .await
            .unwrap();
        let credential = CentralCredential::generate().unwrap();
        storage
            .add_credential(&station, credential.id(), &credential.secret_hash(), t)
            .await
            .unwrap();
        storage
            .put_participant(
                &program,
                &RosterEntry {
                    participant: WHO.into(),
                    birth_date: "1954-03-10".into(),
                    sex: Sex::Female,
                    height_tenths_cm: 1524,
                    body_type: 0,
                    implanted_device: false,
                    status: ParticipantStatus::Active,
                },
                t,
            )
            .await
            .unwrap();
        for (kind, language, text) in [
            (DocumentKind::Terms, "ja", "利用規約 2026年4月版"),
            (DocumentKind::Terms, "en", "Terms of use, April 2026"),
            (
                DocumentKind::PrivacyPolicy,
                "ja",
                "プライバシーポリシー 2026年4月版",
            ),
            (
                DocumentKind::PrivacyPolicy,
                "en",
                "Privacy policy, April 2026",
            ),
        ] {
            let document = PolicyDocument {
                kind,
                version: "2026-04".into(),
                language: language.into(),
                effective: "2026-04-01".into(),
                full_text: text.into(),
                needs_fresh_consent: true,
            };
            storage
                .publish_document(&program, &document, t)
                .await
                .unwrap();
        }
        storage
            .put_purpose(
                &program,
                &PurposeDef {
                    id: "service".into(),
                    required: true,
                    label_ja: "測定とポイント付与".into(),
                    label_en: "Measuring and points".into(),
                },
                t,
            )
            .await
            .unwrap();
        let today = u16::try_from(t.as_unix_ms() / 86_400_000).unwrap();
        let card = storage
            .issue_card(
                &program,
                WHO,
                CardIssue {
                    issued_day: today,
                    expires_day: None,
                },
                t,
            )
            .await
            .unwrap()
            .token
            .encode();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        serve(storage.clone(), listener);
        Central {
            storage,
            program,
            base,
            token: credential.token(),
            card,
            _dir: dir,
        }
    }

    /// The station's store in `data`, enrolled and filled from this server's change feed (as
    /// the technician's first sync does), so the kiosk can check the card offline.
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
            worker.store().participant(&who()).unwrap().is_some(),
            "the roster arrived"
        );
        sc
    }

    async fn rules(&self) -> PointsRules {
        self.storage
            .program(&self.program)
            .await
            .unwrap()
            .unwrap()
            .rules
    }

    /// Points the server awarded for one reading (cancelled awards do not count).
    async fn earned_for(&self, measurement: uuid::Uuid) -> u32 {
        self.storage
            .awards(&self.program, WHO)
            .await
            .unwrap()
            .iter()
            .filter(|a| a.measurement_id == measurement && a.cancelled.is_none())
            .map(|a| a.points)
            .sum()
    }

    /// The participant's balance as the program office sees it.
    async fn balance(&self) -> i64 {
        self.storage
            .balance(&self.program, WHO, now())
            .await
            .unwrap()
            .expect("on the roster")
            .balance
    }
}

/// What the program's rules pay for a reading at `second` when the participant's only earlier
/// reading, at `first`, earned `earned_first`: each rule whose day or month has not paid yet,
/// within the monthly cap.
fn rules_pay(rules: &PointsRules, first: Timestamp, earned_first: u32, second: Timestamp) -> u32 {
    let (a, b) = (rules.local_date(first), rules.local_date(second));
    let same_month = (a.year, a.month) == (b.year, b.month);
    let due: u32 = rules
        .rules
        .iter()
        .filter(|r| match r.once_per {
            Period::Day => a != b,
            Period::Month => !same_month,
        })
        .map(|r| r.points)
        .sum();
    let room = match rules.monthly_cap {
        Some(cap) if same_month => cap.saturating_sub(earned_first),
        Some(cap) => cap,
        None => u32::MAX,
    };
    due.min(room)
}

/// A demo-mode settings file whose `[sync]` points at `server_url`; the demo card is the
/// server-issued one.
fn settings(dir: &Path, data: &Path, card: &str, server_url: &str, sync_extra: &str) -> PathBuf {
    let credential = dir.join("credential");
    std::fs::write(
        dir.join("cards.toml"),
        format!(
            "[[card]]\ntoken = \"{card}\"\nparticipant = \"{WHO}\"\nnote_ja = \"住民\"\nnote_en = \"Resident\"\n"
        ),
    )
    .unwrap();
    let config = dir.join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[station]\nid = \"{STATION}\"\ndata_dir = \"{}\"\n\
             [scale]\nmodel = \"MC-780\"\nsimulate = true\n\
             [cards]\ncamera = \"off\"\n\
             [session]\nthank_you_secs = 1\n\
             [window]\nfullscreen = false\n\
             [sync]\nserver_url = \"{server_url}\"\ncredential_file = \"{}\"\n{sync_extra}\n\
             [demo]\ncards_file = \"cards.toml\"\n",
            data.display(),
            credential.display()
        ),
    )
    .unwrap();
    config
}

/// Writes the station credential where `settings` said (mode 0600).
fn write_credential(dir: &Path, token: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("credential");
    std::fs::write(&path, format!("{token}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// One visit by the demo card, up to the results screen: consent on the first visit (the
/// required purpose only), "no implanted device", the simulated person steps on.
async fn visit(
    kiosk: &Kiosk,
    live: &mut broadcast::Receiver<KioskEvent>,
    first: bool,
) -> ResultsView {
    kiosk.demo_scan(0).await.unwrap();
    let Screen::Identifying { session, .. } = next_screen(live, "identifying").await else {
        panic!("identifying first")
    };
    if first {
        let Screen::Consent(consent) = next_screen(live, "consent").await else {
            panic!("consent: first visit")
        };
        assert!(
            consent
                .documents
                .iter()
                .any(|d| d.text == "利用規約 2026年4月版"),
            "the server's terms, pulled into the store"
        );
        kiosk
            .answer(Answer::Consent {
                session,
                granted: vec!["service".into()],
            })
            .await
            .unwrap();
    }
    next(live, "the safety question", |e| {
        matches!(e, KioskEvent::Screen(Screen::Safety { .. })).then_some(())
    })
    .await;
    kiosk
        .answer(Answer::Safety {
            session,
            implanted_device: false,
        })
        .await
        .unwrap();
    next(live, "step on", |e| match e {
        KioskEvent::Screen(Screen::Guidance(g)) if g.step == GuidanceStep::StepOn => Some(()),
        _ => None,
    })
    .await;
    kiosk.demo_step_on().await.unwrap();
    let results = next(live, "results", |e| match e {
        KioskEvent::Screen(Screen::Results(r)) => Some(r.clone()),
        _ => None,
    })
    .await;
    assert_eq!(results.session, session);
    assert_eq!(results.participant, WHO);
    results
}

/// The points update for `session`.
async fn points_of(
    live: &mut broadcast::Receiver<KioskEvent>,
    session: u64,
    limit: Duration,
) -> PointsView {
    next_within(limit, live, "the points", |e| match e {
        KioskEvent::Points(p) if p.session == session => Some(p.points.clone()),
        _ => None,
    })
    .await
}

/// The participant's readings in the kiosk's store, newest first (id, when taken).
fn readings(sc: &StoreConfig) -> Vec<(uuid::Uuid, Timestamp)> {
    Store::open(sc)
        .unwrap()
        .history(&who(), 100)
        .unwrap()
        .iter()
        .map(|h| (h.id, h.taken_at))
        .collect()
}

/// The results screen in a new subscriber's replay.
fn replayed_results(kiosk: &Kiosk) -> ResultsView {
    kiosk
        .subscribe()
        .replay
        .into_iter()
        .find_map(|e| match e {
            KioskEvent::Screen(Screen::Results(r)) => Some(r),
            _ => None,
        })
        .expect("the results screen is replayed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_the_screen_shows_the_points_the_server_awarded() {
    let central = Central::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sc = central.provision(&data).await;
    // The poll interval is far longer than the wait: the points come because recording the
    // reading wakes the worker.
    let config = settings(
        dir.path(),
        &data,
        &central.card,
        &central.base,
        "points_wait_secs = 15\npoll_interval_secs = 300\n",
    );
    write_credential(dir.path(), &central.token);
    let kiosk = start(config);
    let mut live = kiosk.subscribe().live;

    // First visit: the first reading of the day and of the month.
    let first = visit(&kiosk, &mut live, true).await;
    assert_eq!(
        first.points,
        PointsView::Waiting,
        "the screen opens waiting"
    );
    let shown = points_of(&mut live, first.session, WAIT).await;
    let stored = readings(&sc);
    assert_eq!(stored.len(), 1);
    let (m1, t1) = stored[0];
    let earned1 = central.earned_for(m1).await;
    let balance1 = central.balance().await;
    assert_eq!(
        shown,
        PointsView::Awarded {
            earned: earned1,
            balance: balance1
        },
        "the screen shows what the server holds"
    );
    let rules = central.rules().await;
    let all: u32 = rules.rules.iter().map(|r| r.points).sum();
    let expected1 = rules.monthly_cap.map_or(all, |cap| all.min(cap));
    assert!(expected1 > 0, "the program's rules pay for a first reading");
    assert_eq!(earned1, expected1, "every rule pays for the first reading");
    assert_eq!(balance1, i64::from(earned1), "a new participant's balance");
    assert_eq!(
        replayed_results(&kiosk).points,
        shown,
        "a reloaded UI sees the points"
    );

    kiosk
        .answer(Answer::Finish {
            session: first.session,
        })
        .await
        .unwrap();
    next(&mut live, "attract", |e| {
        matches!(e, KioskEvent::Screen(Screen::Attract)).then_some(())
    })
    .await;

    // Second visit, the same day: consent is on file; the rules decide what it earns.
    let second = visit(&kiosk, &mut live, false).await;
    assert_eq!(second.points, PointsView::Waiting);
    let shown = points_of(&mut live, second.session, WAIT).await;
    let stored = readings(&sc);
    assert_eq!(stored.len(), 2);
    let (m2, t2) = stored[0];
    assert_ne!(m2, m1);
    let earned2 = central.earned_for(m2).await;
    let balance2 = central.balance().await;
    assert_eq!(
        shown,
        PointsView::Awarded {
            earned: earned2,
            balance: balance2
        }
    );
    assert_eq!(earned2, rules_pay(&rules, t1, earned1, t2));
    if rules.local_date(t1) == rules.local_date(t2) {
        assert_eq!(
            earned2, 0,
            "once a day and once a month: nothing more today"
        );
        assert_eq!(balance2, balance1, "the balance is unchanged");
    }
    assert_eq!(balance2, balance1 + i64::from(earned2));
    assert_eq!(
        replayed_results(&kiosk).points,
        shown,
        "a late subscriber sees the second visit's points"
    );
    assert_eq!(replayed_results(&kiosk).session, second.session);
    assert_eq!(Store::open(&sc).unwrap().pending_events().unwrap(), 0);
    kiosk.shutdown().await;
}

/// The sync status a new subscriber is told.
fn replayed_sync(kiosk: &Kiosk) -> SyncView {
    kiosk
        .subscribe()
        .replay
        .into_iter()
        .find_map(|e| match e {
            KioskEvent::Sync(s) => Some(s),
            _ => None,
        })
        .expect("the sync status is replayed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_server_down_points_come_later_and_the_reading_is_delivered_when_it_is_back() {
    let central = Central::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sc = central.provision(&data).await;
    // The kiosk's server address: a port bound (so no one else takes it) but not listening, so
    // every connection is refused — until the server listens there.
    let reserved = TcpSocket::new_v4().unwrap();
    reserved.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = reserved.local_addr().unwrap();
    let wait = Duration::from_secs(2);
    let config = settings(
        dir.path(),
        &data,
        &central.card,
        &format!("http://{addr}"),
        &format!(
            "points_wait_secs = {}\nbackoff_base_ms = 50\nbackoff_cap_secs = 1\nconnect_timeout_secs = 2\n",
            wait.as_secs()
        ),
    );
    write_credential(dir.path(), &central.token);
    let kiosk = start(config);
    let mut live = kiosk.subscribe().live;

    let results = visit(&kiosk, &mut live, true).await;
    let opened = tokio::time::Instant::now();
    assert_eq!(results.points, PointsView::Waiting);
    let shown = points_of(&mut live, results.session, wait + Duration::from_secs(5)).await;
    let waited = opened.elapsed();
    assert_eq!(shown, PointsView::Later, "no answer: later");
    assert!(
        waited >= wait / 2,
        "the screen waited for the server first ({waited:?})"
    );
    assert_eq!(replayed_results(&kiosk).points, PointsView::Later);
    assert_eq!(replayed_sync(&kiosk).state, "offline");

    // The reading is durable: in the store and queued in the outbox, without an answer.
    let stored = readings(&sc);
    assert_eq!(stored.len(), 1);
    let (m, _) = stored[0];
    {
        let store = Store::open(&sc).unwrap();
        let queued = store.next_batch(100).unwrap();
        assert!(
            queued.iter().any(|e| matches!(
                &e.kind,
                EventKind::MeasurementRecorded(r) if r.measurement_id == m
            )),
            "the reading waits in the outbox"
        );
        assert!(store.points_for(m).unwrap().is_none());
    }
    assert_eq!(central.earned_for(m).await, 0, "the server has not seen it");

    // The server comes back at the kiosk's address: the worker retries, delivers and settles.
    serve(central.storage.clone(), reserved.listen(64).unwrap());
    next(&mut live, "the outbox to drain", |e| match e {
        KioskEvent::Sync(s) if s.state == "online" && s.backlog == 0 => Some(()),
        _ => None,
    })
    .await;
    let store = Store::open(&sc).unwrap();
    assert_eq!(store.pending_events().unwrap(), 0, "the outbox is empty");
    let ack = store
        .points_for(m)
        .unwrap()
        .expect("the server's answer is recorded although the screen said later");
    let earned = central.earned_for(m).await;
    assert!(earned > 0, "the first reading earns points");
    assert_eq!(ack.awarded, earned);
    assert_eq!(ack.balance, central.balance().await);
    kiosk.shutdown().await;
}
