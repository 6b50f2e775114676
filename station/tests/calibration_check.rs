//! Calibration checks and the calibration gate against a real encrypted store, the real
//! simulator on its pty, the real `ScaleLink` and `ScaleFeed`: a check passes at 0/20/50/100 kg,
//! fails with `drift:+0.5` (gate closed, `check_failed`); a swapped analyzer's reading is never
//! recorded, ends the session with `AnalyzerChanged` and keeps the gate closed across a restart
//! until the new serial passes a check; overdue checks and 定期検査 close the gate; cards and
//! `present_participant` are refused while it is closed and work when it is open.

#![allow(clippy::unwrap_used)]
#![allow(clippy::disallowed_methods)] // the tests inject the system clock into the station

use hakaru_devices::scale::models::ModelProfile;
use hakaru_devices::serial::{Backoff, LinkOptions, ScaleEvent, ScaleLink};
use hakaru_devices::sim::{Fault, SimConfig, Simulator};
use hakaru_station::calibration::{self, add_days, AnalyzerDates, CalibrationPlan, CalibrationRun};
use hakaru_station::domain::{Date, DocumentKind, DocumentVersion, Purpose, PurposeId};
use hakaru_station::scale_feed::{
    CardText, CardVerdict, FeedInput, FeedOutput, ScaleFeed, SystemClock, TapFrame,
};
use hakaru_station::session::{EndReason, Event, Input, SessionConfig, Stage};
use hakaru_station::store::testing::{self, participant, seeded, T0};
use hakaru_station::store::{content_hash, Store, StoreConfig};
use hakaru_station::{Clock, Gate, GateReason, Refusal, Station, StationError};
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

const TODAY: Date = Date {
    year: 2026,
    month: 6,
    day: 3,
};

async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// An enrolled store with one document in force, the required purpose and participant 0's
/// consent on file.
fn store(cfg: &StoreConfig) -> Store {
    let mut store = seeded(cfg, 1).unwrap();
    let terms = DocumentVersion {
        kind: DocumentKind::Terms,
        version: "v1".into(),
        language: "ja".into(),
        effective: Date {
            year: 2026,
            month: 1,
            day: 1,
        },
        content_hash: content_hash("terms v1"),
        needs_fresh_consent: true,
    };
    store.put_document(&terms, "terms v1", T0).unwrap();
    let service = Purpose {
        id: PurposeId("service".into()),
        required: true,
        label_ja: "測定".into(),
        label_en: "Measuring".into(),
    };
    store.put_purpose(&service, T0).unwrap();
    store
}

struct Rig {
    station: Station,
    feed: ScaleFeed,
    sim: Simulator,
    cfg: StoreConfig,
    events: Vec<Event>,
    _dir: tempfile::TempDir,
}

async fn rig(tap_raw: bool) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let cfg = StoreConfig::in_dir(dir.path());
    let store = store(&cfg);
    let profile = ModelProfile::find("DC-320").unwrap();
    let mut config = SimConfig::new(profile);
    config.pace = false;
    config.device.measure_time = Duration::from_millis(100);
    config.temp_dir = Some(dir.path().to_owned());
    let sim = Simulator::start(config).unwrap();
    let options = LinkOptions {
        dialect: profile.dialect.unwrap(),
        tap_raw,
        backoff: Backoff {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(200),
        },
        ..LinkOptions::default()
    };
    let mut link = ScaleLink::open(sim.path(), profile.settings, options);
    within("the link to connect", async {
        while !matches!(link.next_event().await, Some(ScaleEvent::Connected { .. })) {}
    })
    .await;
    let station = Station::new(store, SessionConfig::default()).unwrap();
    Rig {
        station,
        feed: ScaleFeed::new(link, profile, SystemClock)
            .with_weigh_timeout(Duration::from_secs(10)),
        sim,
        cfg,
        events: Vec::new(),
        _dir: dir,
    }
}

impl Rig {
    /// Weighs each step of `plan` with that reference mass on the simulated platform.
    async fn check(&mut self, serial: &str, plan: CalibrationPlan) -> CalibrationRun {
        let mut run = CalibrationRun::new(plan, "DC-320".into(), serial.into(), "tech1".into());
        while let Some(kg) = run.next_nominal() {
            self.sim.place_weight(kg).unwrap();
            let measured = within("a weight", self.feed.weigh(&mut self.station))
                .await
                .unwrap();
            run.record_step(measured);
        }
        self.sim.clear_weight().unwrap();
        run
    }

    async fn record(&mut self, run: CalibrationRun) -> hakaru_wire::CalibrationRecorded {
        let rec = run.finish(TODAY, &AnalyzerDates::default());
        self.station
            .store_mut()
            .record_calibration(&rec, SystemClock.wall())
            .unwrap();
        self.station.refresh_gate(TODAY).unwrap();
        rec
    }

    async fn step_until(&mut self, what: &str, done: impl Fn(&Station, &[Event]) -> bool) {
        within(what, async {
            loop {
                while let Some(e) = self.station.poll_event() {
                    self.events.push(e);
                }
                if done(&self.station, &self.events) {
                    return;
                }
                self.feed.step(&mut self.station).await;
            }
        })
        .await;
    }
}

#[tokio::test]
async fn a_check_at_0_20_50_100_kg_passes_records_and_opens_the_gate() {
    let mut r = rig(false).await;
    assert_eq!(*r.station.gate(), Gate::Closed(GateReason::NeverChecked));
    let run = r.check("00000001", CalibrationPlan::default()).await;
    let measured: Vec<f64> = run.results().iter().map(|c| c.measured_kg).collect();
    assert_eq!(measured, [0.0, 20.0, 50.0, 100.0]);
    let rec = r.record(run).await;
    assert!(rec.passed);
    assert_eq!(rec.next_check_due, "2026-07-03");
    assert_eq!(*r.station.gate(), Gate::Open);
    let list = r.station.store().calibrations(10).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].record, rec);
    assert!(!list[0].synced, "not yet acknowledged by the server");
    let queued = testing::count(
        r.station.store(),
        "SELECT count(*) FROM outbox WHERE kind = 'calibration_recorded' AND acked_at IS NULL",
    )
    .unwrap();
    assert_eq!(queued, 1);
    let batch = r.station.store().next_batch(100).unwrap();
    let sent = batch
        .iter()
        .find(|e| e.kind.name() == "calibration_recorded")
        .unwrap();
    assert_eq!(sent.id, list[0].id, "the row id is the event id");
    let id = sent.id;
    r.station
        .store_mut()
        .acknowledge(&[id], SystemClock.wall())
        .unwrap();
    assert!(r.station.store().calibrations(10).unwrap()[0].synced);
    let audited = testing::count(
        r.station.store(),
        "SELECT count(*) FROM audit_log WHERE action = 'calibration_recorded'",
    )
    .unwrap();
    assert_eq!(audited, 1);
    r.sim.stop().await.unwrap();
}

#[tokio::test]
async fn a_drift_of_half_a_kilogram_fails_the_check_and_closes_the_gate() {
    let mut r = rig(false).await;
    calibration::testing::calibrated(r.station.store_mut(), "00000001", TODAY).unwrap();
    r.station.refresh_gate(TODAY).unwrap();
    assert_eq!(*r.station.gate(), Gate::Open);
    r.sim.inject(Fault::Drift(0.5)).unwrap();
    let run = r.check("00000001", CalibrationPlan::default()).await;
    assert!(run
        .results()
        .iter()
        .all(|c| c.deviation_kg == 0.5 && !c.within_tolerance));
    let rec = r.record(run).await;
    assert!(!rec.passed);
    assert_eq!(rec.next_check_due, "");
    assert_eq!(
        *r.station.gate(),
        Gate::Closed(GateReason::CheckFailed),
        "{}",
        GateReason::CheckFailed.code()
    );
    assert_eq!(
        r.station
            .present_participant(participant(0), TODAY, Instant::now(), SystemClock.wall()),
        Err(Refusal::Blocked(GateReason::CheckFailed))
    );
    // Fixed (drift cleared): a new check passes and the gate opens.
    r.sim.inject(Fault::Drift(0.0)).unwrap();
    let run = r.check("00000001", CalibrationPlan::default()).await;
    assert!(r.record(run).await.passed);
    assert_eq!(*r.station.gate(), Gate::Open);
    r.sim.stop().await.unwrap();
}

#[tokio::test]
async fn a_swapped_analyzer_is_refused_and_blocks_until_its_serial_passes_a_check() {
    let mut r = rig(false).await;
    let run = r.check("00000001", CalibrationPlan::default()).await;
    assert!(r.record(run).await.passed);

    // Staff present participant 0; the analyzer is preset and they may step on.
    r.station
        .present_participant(participant(0), TODAY, Instant::now(), SystemClock.wall())
        .unwrap();
    r.step_until("the safety question", |s, _| {
        s.stage() == Stage::SafetyQuestion
    })
    .await;
    let session = r.station.current_session().unwrap();
    r.station.handle(
        Input::SafetyAnswered {
            session,
            implanted_device: false,
        },
        Instant::now(),
        SystemClock.wall(),
    );
    r.step_until("step on", |s, _| s.stage() == Stage::Weighing)
        .await;

    // Another analyzer (serial 99999999) sends the reading.
    r.sim
        .inject(Fault::SerialNumber("99999999".into()))
        .unwrap();
    r.sim.measure().unwrap();
    r.step_until("the session to end", |_, ev| {
        ev.iter().any(|e| matches!(e, Event::Ended { .. }))
    })
    .await;
    let ended: Vec<EndReason> = r
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Ended { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect();
    assert_eq!(ended, [EndReason::AnalyzerChanged]);
    assert!(!r
        .events
        .iter()
        .any(|e| matches!(e, Event::Results { .. } | Event::Saving { .. })));
    assert_eq!(*r.station.gate(), Gate::Closed(GateReason::AnalyzerSwapped));
    // Let the reading itself arrive too: it is refused, never recorded.
    r.step_until("the reading", |s, _| s.stage() == Stage::Closing)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Ok(Some(_)) =
        tokio::time::timeout(Duration::from_millis(200), r.feed.step(&mut r.station))
            .await
            .map(Some)
    {}
    let none = |store: &Store| {
        testing::count(store, "SELECT count(*) FROM measurements").unwrap()
            + testing::count(
                store,
                "SELECT count(*) FROM outbox WHERE kind = 'measurement_recorded'",
            )
            .unwrap()
    };
    assert_eq!(none(r.station.store()), 0, "nothing recorded");
    assert_eq!(
        r.station
            .card_read("not a card", TODAY, Instant::now(), SystemClock.wall())
            .map(|_| ())
            .map_err(|e| matches!(e, StationError::Blocked(GateReason::AnalyzerSwapped))),
        Err(true)
    );

    // A restart keeps the gate closed.
    let Rig {
        station,
        feed,
        sim,
        cfg,
        _dir,
        ..
    } = r;
    drop(station.into_store());
    let store = Store::open(&cfg).unwrap();
    assert_eq!(store.swapped_serial().unwrap().as_deref(), Some("99999999"));
    let mut station = Station::new(store, SessionConfig::default()).unwrap();
    assert_eq!(*station.gate(), Gate::Closed(GateReason::AnalyzerSwapped));
    assert_eq!(
        *station.refresh_gate(TODAY).unwrap(),
        Gate::Closed(GateReason::AnalyzerSwapped)
    );

    // The technician checks the new analyzer: it passes and the gate opens.
    let mut r = Rig {
        station,
        feed,
        sim,
        cfg,
        events: Vec::new(),
        _dir,
    };
    let run = r.check("99999999", CalibrationPlan::default()).await;
    assert!(r.record(run).await.passed);
    assert_eq!(*r.station.gate(), Gate::Open);
    assert_eq!(r.station.store().swapped_serial().unwrap(), None);
    assert!(r
        .station
        .present_participant(participant(0), TODAY, Instant::now(), SystemClock.wall())
        .is_ok());
    r.sim.stop().await.unwrap();
}

#[tokio::test]
async fn overdue_checks_and_overdue_inspections_close_the_gate_cards_and_presents_follow_it() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = StoreConfig::in_dir(dir.path());
    let mut store = store(&cfg);
    calibration::testing::calibrated(&mut store, "00000001", TODAY).unwrap();
    let mut station = Station::new(store, SessionConfig::default()).unwrap();
    let now = Instant::now();
    let wall = SystemClock.wall();

    // Open: a card reaches the card check (this text is no card), a present starts a session.
    assert!(matches!(
        station.card_read("not a card", TODAY, now, wall),
        Ok(Err(_))
    ));
    assert_eq!(
        station.present_participant(participant(0), TODAY, now, wall),
        Ok(())
    );
    assert_eq!(station.stage(), Stage::SafetyQuestion);
    let session = station.current_session().unwrap();
    station.handle(Input::Finish { session }, now, wall);
    station.handle_timeout(now + Duration::from_secs(60), wall);
    assert_eq!(station.stage(), Stage::Idle);

    // Due on day 30 is still fine; day 31 is overdue.
    let day30 = add_days(TODAY, 30);
    assert_eq!(*station.refresh_gate(day30).unwrap(), Gate::Open);
    let day31 = add_days(TODAY, 31);
    assert_eq!(
        station.present_participant(participant(0), day31, now, wall),
        Err(Refusal::Blocked(GateReason::CheckOverdue))
    );
    assert!(matches!(
        station.card_read("not a card", day31, now, wall),
        Err(StationError::Blocked(GateReason::CheckOverdue))
    ));
    assert_eq!(station.stage(), Stage::Idle, "nothing started");

    // 定期検査 due yesterday: closed; a new inspection date opens it again.
    let dates = AnalyzerDates {
        verified_on: Some(add_days(TODAY, -700)),
        last_inspection: Some(add_days(TODAY, -731)),
        inspection_due: Some(add_days(TODAY, -1)),
    };
    station
        .store_mut()
        .set_analyzer_dates("TEST", "00000001", &dates, "tech1", wall)
        .unwrap();
    assert_eq!(
        *station.refresh_gate(TODAY).unwrap(),
        Gate::Closed(GateReason::InspectionOverdue)
    );
    assert_eq!(
        station.present_participant(participant(0), TODAY, now, wall),
        Err(Refusal::Blocked(GateReason::InspectionOverdue))
    );
    assert_eq!(
        Refusal::Blocked(GateReason::InspectionOverdue).notice(),
        "measurements_blocked"
    );
    // A card scan fed straight in starts nothing either.
    station.handle(
        Input::CardScanned {
            participant: participant(0),
            today: TODAY,
        },
        now,
        wall,
    );
    assert_eq!(station.stage(), Stage::Idle);

    let renewed = AnalyzerDates {
        last_inspection: Some(TODAY),
        inspection_due: Some(add_days(TODAY, 730)),
        ..dates
    };
    station
        .store_mut()
        .set_analyzer_dates("TEST", "00000001", &renewed, "tech1", wall)
        .unwrap();
    assert_eq!(
        station.store().analyzer("00000001").unwrap(),
        Some(("TEST".to_owned(), renewed))
    );
    assert_eq!(*station.refresh_gate(TODAY).unwrap(), Gate::Open);
    assert_eq!(
        station.present_participant(participant(0), TODAY, now, wall),
        Ok(())
    );
    let audited = testing::count(
        station.store(),
        "SELECT count(*) FROM audit_log WHERE action = 'analyzer_dates_set'",
    )
    .unwrap();
    assert_eq!(audited, 2);
}

async fn next(out: &mut mpsc::Receiver<FeedOutput>) -> FeedOutput {
    within("an output", out.recv()).await.unwrap()
}

#[tokio::test]
async fn the_running_feed_holds_cards_refuses_while_closed_weighs_and_taps_the_traffic() {
    let r = rig(true).await;
    let Rig {
        station, feed, sim, ..
    } = r;
    let mut tap = feed.tap();
    let (tx, rx) = mpsc::channel(8);
    let (out_tx, mut out) = mpsc::channel(64);
    let task = tokio::spawn(feed.run(station, rx, out_tx));
    assert_eq!(
        next(&mut out).await,
        FeedOutput::Gate(Gate::Closed(GateReason::NeverChecked))
    );
    let card = || {
        FeedInput::Card(CardText {
            text: "not a card".into(),
            today: TODAY,
        })
    };
    tx.send(FeedInput::Hold(true)).await.unwrap();
    tx.send(card()).await.unwrap();
    assert_eq!(next(&mut out).await, FeedOutput::Card(CardVerdict::Held));
    tx.send(FeedInput::Hold(false)).await.unwrap();
    tx.send(card()).await.unwrap();
    assert_eq!(
        next(&mut out).await,
        FeedOutput::Card(CardVerdict::Blocked(GateReason::NeverChecked))
    );
    tx.send(FeedInput::Present {
        participant: participant(0),
        today: TODAY,
    })
    .await
    .unwrap();
    assert_eq!(
        next(&mut out).await,
        FeedOutput::Present(Err(Refusal::Blocked(GateReason::NeverChecked)))
    );

    sim.place_weight(20.0).unwrap();
    let (reply, answer) = oneshot::channel();
    tx.send(FeedInput::Weigh { reply }).await.unwrap();
    assert_eq!(within("the weight", answer).await.unwrap(), Ok(20.0));
    let mut seen = Vec::new();
    while let Ok(frame) = tap.try_recv() {
        seen.push(frame);
    }
    assert!(
        seen.iter()
            .any(|f| matches!(f, TapFrame::Bytes { data, .. } if data.starts_with(b"F0"))),
        "the weight-only command is on the tap: {seen:?}"
    );
    assert!(seen
        .iter()
        .any(|f| matches!(f, TapFrame::Frame { kind: "weight", text } if text.contains("20.0"))));
    assert!(!format!("{seen:?}").contains("20.0"), "Debug hides values");

    drop(tx);
    let mut station = within("the feed to stop", task).await.unwrap();
    calibration::testing::calibrated(station.store_mut(), "00000001", TODAY).unwrap();
    assert_eq!(*station.refresh_gate(TODAY).unwrap(), Gate::Open);
    sim.stop().await.unwrap();
}
