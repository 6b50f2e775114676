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
use hakaru_central::ids::ProgramId;
use hakaru_central::points::{Period, PointsRules};
use hakaru_central::storage::{CardIssue, Storage};
use hakaru_e2e::{central_sqlite, central_station};
use hakaru_kiosk::view::{Answer, KioskEvent, PointsView, ResultsView, Screen, SyncView};
use hakaru_kiosk::Kiosk;
use hakaru_station::domain::{ParticipantNumber, StationId};
use hakaru_station::store::{Store, StoreConfig};
use hakaru_station::sync::{CentralClient, ClientOptions, Credential, SyncWorker, WorkerSettings};
use hakaru_station::{Clock, SystemClock};
use hakaru_wire::api::{ParticipantStatus, RosterEntry};
use hakaru_wire::{EventKind, Sex, Timestamp};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use support::{
    consent_screen, grant_service, identifying, measure, next, next_within, replayed,
    safety_question, start, write_demo_settings, STATION, WAIT, WHO,
};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::broadcast;

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
        let storage = central_sqlite(dir.path()).await;
        let t = now();
        let program = ProgramId::new("kita-health").unwrap();
        let credential = central_station(&*storage, &program, STATION, t).await;
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
        support::publish_terms_and_service(&*storage, &program, t).await;
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

    /// A kiosk's directory whose store (in `data/`) is enrolled and filled from this server's
    /// change feed (as the technician's first sync does), so the kiosk can check the card
    /// offline.
    async fn provision(&self) -> (tempfile::TempDir, StoreConfig) {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let sc = StoreConfig::in_dir(&data);
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
        drop(worker);
        support::calibrated(&mut Store::open(&sc).unwrap());
        (dir, sc)
    }

    /// Starts the kiosk in the provisioned `dir`: demo mode, the demo card the server-issued
    /// one, `[sync]` pointing at `server_url` (then `sync_extra`) with this station's
    /// credential in a file of mode 0600.
    fn start_kiosk(&self, dir: &Path, server_url: &str, sync_extra: &str) -> Kiosk {
        use std::os::unix::fs::PermissionsExt;
        let credential = dir.join("credential");
        std::fs::write(&credential, format!("{}\n", self.token)).unwrap();
        std::fs::set_permissions(&credential, std::fs::Permissions::from_mode(0o600)).unwrap();
        start(write_demo_settings(
            dir,
            &dir.join("data"),
            &self.card,
            "",
            &format!(
                "[sync]\nserver_url = \"{server_url}\"\ncredential_file = \"{}\"\n{sync_extra}",
                credential.display()
            ),
        ))
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

/// One visit by the demo card, up to the results screen: consent on the first visit (the
/// required purpose only), "no implanted device", the simulated person steps on.
async fn visit(
    kiosk: &Kiosk,
    live: &mut broadcast::Receiver<KioskEvent>,
    first: bool,
) -> ResultsView {
    kiosk.demo_scan(0).await.unwrap();
    let session = identifying(live).await;
    if first {
        let consent = consent_screen(live, session).await;
        assert!(
            consent
                .documents
                .iter()
                .any(|d| d.text == "利用規約 2026年4月版"),
            "the server's terms, pulled into the store"
        );
        grant_service(kiosk, live, session).await;
    }
    safety_question(live).await;
    measure(kiosk, live, session).await
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

/// A visit's results screen opens waiting, then shows the points the server holds for the
/// newest of the `count` readings in the kiosk's store: returns that reading (id, when taken),
/// what it earned and the balance after it.
async fn awarded(
    central: &Central,
    live: &mut broadcast::Receiver<KioskEvent>,
    sc: &StoreConfig,
    results: &ResultsView,
    count: usize,
) -> (uuid::Uuid, Timestamp, u32, i64) {
    assert_eq!(
        results.points,
        PointsView::Waiting,
        "the screen opens waiting"
    );
    let shown = points_of(live, results.session, WAIT).await;
    let stored = readings(sc);
    assert_eq!(stored.len(), count);
    let (m, t) = stored[0];
    let earned = central.earned_for(m).await;
    let balance = central.balance().await;
    assert_eq!(
        shown,
        PointsView::Awarded { earned, balance },
        "the screen shows what the server holds"
    );
    (m, t, earned, balance)
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
    replayed(kiosk, "the results screen", |e| match e {
        KioskEvent::Screen(Screen::Results(r)) => Some(r),
        _ => None,
    })
}

/// The sync status a new subscriber is told.
fn replayed_sync(kiosk: &Kiosk) -> SyncView {
    replayed(kiosk, "the sync status", |e| match e {
        KioskEvent::Sync(s) => Some(s),
        _ => None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_the_screen_shows_the_points_the_server_awarded() {
    let central = Central::start().await;
    let (dir, sc) = central.provision().await;
    // The poll interval is far longer than the wait: the points come because recording the
    // reading wakes the worker.
    let kiosk = central.start_kiosk(
        dir.path(),
        &central.base,
        "points_wait_secs = 15\npoll_interval_secs = 300\n",
    );
    let mut live = kiosk.subscribe().live;

    // First visit: the first reading of the day and of the month.
    let first = visit(&kiosk, &mut live, true).await;
    let (m1, t1, earned1, balance1) = awarded(&central, &mut live, &sc, &first, 1).await;
    let rules = central.rules().await;
    let all: u32 = rules.rules.iter().map(|r| r.points).sum();
    let expected1 = rules.monthly_cap.map_or(all, |cap| all.min(cap));
    assert!(expected1 > 0, "the program's rules pay for a first reading");
    assert_eq!(earned1, expected1, "every rule pays for the first reading");
    assert_eq!(balance1, i64::from(earned1), "a new participant's balance");
    assert_eq!(
        replayed_results(&kiosk).points,
        PointsView::Awarded {
            earned: earned1,
            balance: balance1
        },
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
    let (m2, t2, earned2, balance2) = awarded(&central, &mut live, &sc, &second, 2).await;
    assert_ne!(m2, m1);
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
        PointsView::Awarded {
            earned: earned2,
            balance: balance2
        },
        "a late subscriber sees the second visit's points"
    );
    assert_eq!(replayed_results(&kiosk).session, second.session);
    assert_eq!(Store::open(&sc).unwrap().pending_events().unwrap(), 0);
    kiosk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_server_down_points_come_later_and_the_reading_is_delivered_when_it_is_back() {
    let central = Central::start().await;
    let (dir, sc) = central.provision().await;
    // The kiosk's server address: a port bound (so no one else takes it) but not listening, so
    // every connection is refused — until the server listens there.
    let reserved = TcpSocket::new_v4().unwrap();
    reserved.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = reserved.local_addr().unwrap();
    let wait = Duration::from_secs(2);
    let kiosk = central.start_kiosk(
        dir.path(),
        &format!("http://{addr}"),
        &format!(
            "points_wait_secs = {}\nbackoff_base_ms = 50\nbackoff_cap_secs = 1\nconnect_timeout_secs = 2\n",
            wait.as_secs()
        ),
    );
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
