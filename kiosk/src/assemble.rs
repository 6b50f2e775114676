//! Putting the kiosk together from its settings: the encrypted store (enrolled with the
//! configured station id), the station, the analyzer link (or demo mode's simulator), the card
//! readers (camera, handheld serial, keyboard wedge, demo cards), the sync worker, and the tasks
//! that connect them to the [`Presenter`] — and taking it apart again at shutdown.
//!
//! Every start-up problem becomes a [`StartProblem`] worded for the "not configured yet"
//! screen. Deliberately not here: what the screens say ([`crate::present`]) and the command
//! surface ([`crate::runtime`]).

use crate::config::{CameraSetting, KioskConfig};
use crate::demo::{self, DemoCards};
use crate::present::Presenter;
use crate::runtime::{Hub, Kiosk};
use crate::staff::{self, LinkInfo, StaffConsole, StaffSettings, Wiring};
use crate::view::{
    CameraView, CommandError, DemoInfo, KioskEvent, KioskInfo, PreviewImage, ScaleView, SyncView,
    Text, WedgeKey,
};
use hakaru_devices::card::camera::{
    CameraChoice, CameraConfig, CameraEvent, CameraReader, CameraStatus, NokhwaOptions,
    PreviewConfig, PreviewFrame, SourceFactory,
};
use hakaru_devices::card::decode::CardDecoder;
use hakaru_devices::card::handheld::{
    KeyEvent, ReaderStatus, SerialCardReader, SerialReaderOptions, WedgeClassifier, WedgeOptions,
};
use hakaru_devices::card::{CardRead, ReadVia};
use hakaru_devices::scale::models::ModelProfile;
use hakaru_devices::serial::ScaleLink;
use hakaru_devices::sim::{SimConfig, Simulator};
use hakaru_station::domain::{Date, StationId};
use hakaru_station::session::{Event, Input};
use hakaru_station::store::{Store, StoreConfig};
use hakaru_station::sync::{SyncStatus, SyncWorker};
use hakaru_station::{
    CardText, Clock, FeedInput, FeedOutput, LinkNote, ScaleFeed, Station, SystemClock,
};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinHandle;

/// Why the kiosk could not start, for the "not configured yet" screen.
#[derive(Debug, Clone)]
pub(crate) struct StartProblem {
    pub(crate) problem: Text,
    pub(crate) what_to_do: Text,
}

impl StartProblem {
    fn new(problem: Text, what_to_do: Text) -> StartProblem {
        StartProblem {
            problem,
            what_to_do,
        }
    }

    /// From an error whose `Display` is `"日本語 / English"`.
    fn from_error(e: &dyn std::fmt::Display, what_to_do: Text) -> StartProblem {
        let text = e.to_string();
        let problem = match text.split_once(" / ") {
            Some((ja, en)) => Text::new(ja, en),
            None => Text::new(text.clone(), text),
        };
        StartProblem::new(problem, what_to_do)
    }
}

/// Least time between two preview frames sent to the UI (at most 4 per second).
const PREVIEW_INTERVAL: Duration = Duration::from_millis(250);
/// How long shutdown waits for each task.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// The running parts the commands reach. Dropping it stops the readers.
pub(crate) struct Control {
    inputs: mpsc::Sender<FeedInput>,
    reads: mpsc::Sender<CardRead>,
    wedge: Option<Mutex<WedgeClassifier>>,
    demo: Option<DemoCards>,
    sim: Mutex<Option<Arc<Simulator>>>,
    shutdown: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// The handheld serial reader's last status (`None` before its first). Dropping the
    /// receiver (with this `Control`) stops the reader.
    handheld: Option<watch::Receiver<Option<ReaderStatus>>>,
    utc_offset_minutes: i32,
    /// Staff and technician modes.
    pub(crate) staff: Arc<StaffConsole>,
}

impl Control {
    fn today(&self) -> Date {
        Date::local(SystemClock.wall(), self.utc_offset_minutes)
    }

    pub(crate) async fn input(&self, input: Input) -> Result<(), CommandError> {
        self.inputs
            .send(FeedInput::Input(input))
            .await
            .map_err(|_| CommandError::new("not_running", "the station has stopped"))
    }

    pub(crate) fn wedge_key(&self, key: &WedgeKey) {
        let Some(wedge) = &self.wedge else { return };
        let event = KeyEvent::new(key.code.clone(), key.shift, key.at_ms);
        let verdict = wedge
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(&event);
        if let Some(read) = verdict.into_read() {
            if self.reads.try_send(read).is_err() {
                tracing::warn!("a keyboard-wedge card read was dropped: the card queue is full");
            }
        }
    }

    pub(crate) async fn demo_scan(&self, index: usize) -> Result<(), CommandError> {
        let demo = self
            .demo
            .as_ref()
            .ok_or_else(|| CommandError::new("not_demo", "demo mode is off"))?;
        let card = demo.cards.get(index).ok_or_else(|| {
            CommandError::new("no_such_card", format!("there is no demo card {index}"))
        })?;
        if self.staff.card_test_on() {
            let (staff, text) = (Arc::clone(&self.staff), card.token.clone());
            return tokio::task::spawn_blocking(move || staff.card_tested(&text, "demo"))
                .await
                .map_err(|_| CommandError::new("not_running", "the card test stopped"));
        }
        self.inputs
            .send(FeedInput::Card(CardText {
                text: card.token.clone(),
                today: self.today(),
            }))
            .await
            .map_err(|_| CommandError::new("not_running", "the station has stopped"))
    }

    pub(crate) fn handheld_status(&self) -> Option<watch::Receiver<Option<ReaderStatus>>> {
        self.handheld.clone()
    }

    pub(crate) fn demo_step_on(&self) -> Result<(), CommandError> {
        let sim = self.sim.lock().unwrap_or_else(PoisonError::into_inner);
        let sim = sim
            .as_ref()
            .ok_or_else(|| CommandError::new("not_demo", "no simulated analyzer"))?;
        sim.measure()
            .map_err(|e| CommandError::new("not_running", e.to_string()))
    }

    pub(crate) async fn shutdown(&self) {
        let _ = self.shutdown.send(true);
        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(PoisonError::into_inner));
        for task in tasks {
            let abort = task.abort_handle();
            if tokio::time::timeout(STOP_GRACE, task).await.is_err() {
                tracing::warn!("a kiosk task did not stop in time: aborted");
                abort.abort();
            }
        }
        let sim = self
            .sim
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(sim) = sim.and_then(|s| Arc::try_unwrap(s).ok()) {
            if let Err(e) = sim.stop().await {
                tracing::warn!(error = %e, "the simulator did not stop cleanly");
            }
        }
        tracing::info!("kiosk stopped");
    }
}

fn store_config(config: &KioskConfig) -> Result<StoreConfig, StartProblem> {
    match &config.station.data_dir {
        Some(dir) => Ok(StoreConfig::in_dir(dir)),
        None => StoreConfig::platform_default().map_err(|e| {
            StartProblem::from_error(
                &e,
                Text::new(
                    "設定ファイルの [station] に data_dir を設定し、アプリを再起動してください。",
                    "Set data_dir in [station] of the settings file, then restart the app.",
                ),
            )
        }),
    }
}

fn open_store(config: &KioskConfig, sc: &StoreConfig) -> Result<Store, StartProblem> {
    if let Some(dir) = sc.db_path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            StartProblem::new(
                Text::new(
                    format!("データフォルダ {} を作れません（{e}）。", dir.display()),
                    format!("The data folder {} cannot be created ({e}).", dir.display()),
                ),
                Text::new(
                    "[station] の data_dir の場所と書き込み権限を確認し、アプリを再起動してください。",
                    "Check the location and write permission of [station] data_dir, then restart the app.",
                ),
            )
        })?;
    }
    let mut store = Store::open(sc).map_err(|e| {
        StartProblem::from_error(
            &e,
            Text::new(
                "技術者に連絡してください（データファイルと鍵ファイルを消さないでください）。",
                "Call a technician (do not delete the data file or its key file).",
            ),
        )
    })?;
    let wanted = StationId::new(&config.station.id).map_err(|e| {
        StartProblem::from_error(
            &e,
            Text::new(
                "設定ファイルの [station] の id を直してください。",
                "Correct [station] id in the settings file.",
            ),
        )
    })?;
    match store.station_id() {
        None => store.enroll(&wanted, SystemClock.wall()).map_err(|e| {
            StartProblem::from_error(
                &e,
                Text::new("技術者に連絡してください。", "Call a technician."),
            )
        })?,
        Some(have) if *have == wanted => {}
        Some(have) => {
            return Err(StartProblem::new(
                Text::new(
                    format!(
                        "このデータ（{}）は端末 {} のものです。設定の id は {} です。",
                        sc.db_path.display(),
                        have.as_str(),
                        wanted.as_str()
                    ),
                    format!(
                        "The data at {} belongs to station {}, but the settings say {}.",
                        sc.db_path.display(),
                        have.as_str(),
                        wanted.as_str()
                    ),
                ),
                Text::new(
                    "[station] の id を正しい端末 ID に直すか、別の data_dir を指定してください。",
                    "Set [station] id to this station's id, or point data_dir elsewhere.",
                ),
            ))
        }
    }
    Ok(store)
}

/// Whether any `/dev/video*` exists (a camera may be plugged in).
fn camera_present() -> bool {
    std::fs::read_dir("/dev").is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with("video"))
    })
}

fn camera_state(status: &CameraStatus) -> &'static str {
    match status {
        CameraStatus::Starting => "starting",
        CameraStatus::Connected => "running",
        _ => "lost",
    }
}

/// A grey preview as a PNG data URL.
pub(crate) fn preview_png(frame: &PreviewFrame) -> Option<PreviewImage> {
    use base64::Engine as _;
    if frame.width == 0 || frame.height == 0 {
        return None;
    }
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, frame.width, frame.height);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().ok()?;
        writer.write_image_data(&frame.data).ok()?;
        writer.finish().ok()?;
    }
    Some(PreviewImage {
        data_url: format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        ),
        width: frame.width,
        height: frame.height,
    })
}

pub(crate) fn sync_view(s: &SyncStatus) -> SyncView {
    let state = match serde_json::to_value(s.state) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "offline".to_owned(),
    };
    SyncView {
        state,
        backlog: s.backlog,
        last_error: s
            .last_error
            .as_ref()
            .map(|w| Text::new(w.ja.clone(), w.en.clone())),
    }
}

async fn stopped(mut shutdown: watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|s| *s).await;
}

/// Where the camera's frames come from.
enum CameraPlan {
    /// No camera.
    Off,
    /// A real camera through nokhwa.
    Device(CameraChoice),
    /// Frames from the caller's source (tests and replays, [`Kiosk::start_with_camera`]).
    Given(SourceFactory),
}

/// Assembles and starts everything; see the module documentation. `camera`, when given,
/// replaces the camera `[cards] camera` names (even `"off"`).
pub(crate) fn start(
    config: &KioskConfig,
    rt: &Handle,
    camera: Option<SourceFactory>,
) -> Result<(Arc<Hub>, Control), StartProblem> {
    let _entered = rt.enter();
    let sc = store_config(config)?;
    let store = open_store(config, &sc)?;
    let station = Station::new(store, config.session.clone()).map_err(|e| {
        StartProblem::from_error(
            &e,
            Text::new(
                "設定ファイルの [session] を直し、アプリを再起動してください。",
                "Correct [session] in the settings file, then restart the app.",
            ),
        )
    })?;
    let read_store = Store::open(&sc).map_err(|e| {
        StartProblem::from_error(
            &e,
            Text::new("技術者に連絡してください。", "Call a technician."),
        )
    })?;
    let staff_store = Store::open(&sc).map_err(|e| {
        StartProblem::from_error(
            &e,
            Text::new("技術者に連絡してください。", "Call a technician."),
        )
    })?;
    let demo = match &config.demo {
        Some(d) => Some(demo::load(&d.cards_file, d.sheet.as_deref()).map_err(|e| {
            StartProblem::from_error(
                &e,
                Text::new(
                    "[demo] の cards_file を確認してください（scripts/demo が作ります）。",
                    "Check [demo] cards_file (scripts/demo writes it).",
                ),
            )
        })?),
        None => None,
    };
    // The technician's choice in technician mode (kept in the store) wins over the file.
    let remembered = |key: &str| store_setting(&read_store, key);
    let remembered_port = (!config.scale.simulate)
        .then(|| remembered(staff::PORT_SETTING))
        .flatten();
    let model_name = (!config.scale.simulate)
        .then(|| remembered(staff::MODEL_SETTING))
        .flatten()
        .unwrap_or_else(|| config.scale.model.clone());
    let profile: &'static ModelProfile = ModelProfile::find(&model_name).ok_or_else(|| {
        StartProblem::new(
            Text::new(
                "体組成計の機種が不明です。",
                "The analyzer model is unknown.",
            ),
            Text::new(
                "[scale] の model を直してください。",
                "Correct [scale] model.",
            ),
        )
    })?;

    // The analyzer: a port, or demo mode's simulator.
    let mut sim_serial = None;
    let (sim, port) = if config.scale.simulate {
        let mut sc = SimConfig::new(profile);
        sc.pace = false;
        sc.device.measure_time = Duration::from_millis(1500);
        sim_serial = Some(sc.device.serial_number.clone());
        let sim = Simulator::start(sc).map_err(|e| {
            StartProblem::new(
                Text::new(
                    format!("仮想の体組成計を起動できません（{e}）。"),
                    format!("The simulated analyzer cannot start ({e})."),
                ),
                Text::new("技術者に連絡してください。", "Call a technician."),
            )
        })?;
        let path = sim.path().to_owned();
        (Some(Arc::new(sim)), path)
    } else {
        let port = remembered_port
            .map(std::path::PathBuf::from)
            .or_else(|| config.scale.port.clone())
            .ok_or_else(|| {
                StartProblem::new(
                    Text::new(
                        "体組成計のポートが設定されていません。",
                        "No analyzer port is set.",
                    ),
                    Text::new("[scale] の port を設定してください。", "Set [scale] port."),
                )
            })?;
        (None, port)
    };
    let port_text = port.display().to_string();
    let link = ScaleLink::open(&port, profile.settings, staff::link_options(profile));

    // The sync worker (its own store connection).
    let wake = Arc::new(Notify::new());
    let worker = match &config.sync {
        Some(s) => Some(SyncWorker::from_config(&s.sync, &sc, SystemClock).map_err(|e| {
            StartProblem::from_error(
                &e,
                Text::new(
                    "設定ファイルの [sync] と資格情報ファイルを確認し、アプリを再起動してください。",
                    "Check [sync] and the credential file, then restart the app.",
                ),
            )
        })?),
        None => None,
    };

    let camera_plan = match (camera, config.cards.camera) {
        (Some(factory), _) => CameraPlan::Given(factory),
        (None, CameraSetting::Off) => CameraPlan::Off,
        (None, CameraSetting::Auto) if camera_present() => CameraPlan::Device(CameraChoice::First),
        (None, CameraSetting::Auto) => CameraPlan::Off,
        (None, CameraSetting::Index(n)) => CameraPlan::Device(CameraChoice::Index(n)),
    };
    let camera_wanted = !matches!(camera_plan, CameraPlan::Off);

    let hello = KioskInfo {
        station: config.station.id.clone(),
        language: config.station.language,
        idle_warning_secs: u32::try_from(config.session.warning.as_secs()).unwrap_or(u32::MAX),
        camera: camera_wanted,
        demo: demo.as_ref().map(|d| DemoInfo {
            cards: d.cards.iter().map(|c| c.view()).collect(),
            sheet: d.sheet.as_ref().map(|p| p.display().to_string()),
        }),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let hub = Kiosk::hub_for(hello);
    hub.publish(KioskEvent::Scale(ScaleView {
        connected: false,
        model: profile.model.to_owned(),
    }));
    hub.publish(KioskEvent::Camera(CameraView {
        state: if camera_wanted { "starting" } else { "off" }.to_owned(),
    }));

    let (shutdown, shutdown_rx) = watch::channel(false);
    let (inputs, inputs_rx) = mpsc::channel::<FeedInput>(64);
    let (outputs, mut outputs_rx) = mpsc::channel::<FeedOutput>(64);
    let (reads, mut reads_rx) = mpsc::channel::<CardRead>(16);
    let mut tasks = Vec::new();

    // The station's feed (its tap is for technician mode).
    let feed = ScaleFeed::new(link, profile, SystemClock);
    let presenting = Arc::new(Mutex::new(None));

    // Staff and technician modes: their own store connection, hub and idle timer.
    let console = Arc::new(StaffConsole::new(
        StaffSettings::from_config(config),
        Wiring {
            store: staff_store,
            kiosk_hub: Arc::clone(&hub),
            inputs: inputs.clone(),
            sync_wake: Arc::clone(&wake),
            link: LinkInfo {
                port: port_text,
                profile,
                connected: false,
                identity: None,
                detect: None,
                plate_serial: sim_serial,
                ports: Vec::new(),
            },
            sim: sim.clone(),
            tap: feed.tap(),
            presenting: Arc::clone(&presenting),
        },
    ));
    tasks.push(tokio::spawn(staff::idle_timer(
        Arc::clone(&console),
        stopped(shutdown_rx.clone()),
    )));
    tasks.push(tokio::spawn(staff::follow_screens(
        Arc::clone(&console),
        stopped(shutdown_rx.clone()),
    )));

    // The station loop.
    let down = stopped(shutdown_rx.clone());
    tasks.push(tokio::spawn(async move {
        tokio::select! {
            _station = feed.run(station, inputs_rx, outputs) => {
                tracing::warn!("the station loop ended");
            }
            () = down => {}
        }
    }));

    // Demo mode's first start: check the simulated analyzer with reference weights, so the
    // demo can measure (a real station waits for its technician).
    if config.demo.as_ref().is_some_and(|d| d.check_at_start) {
        let c = Arc::clone(&console);
        tasks.push(tokio::task::spawn_blocking(move || c.demo_first_check()));
    }

    // Card reads from every reader, with today's date.
    let offset = config.station.utc_offset_minutes;
    let card_inputs = inputs.clone();
    let card_console = Arc::clone(&console);
    let down = stopped(shutdown_rx.clone());
    tasks.push(tokio::spawn(async move {
        let forward = async {
            while let Some(read) = reads_rx.recv().await {
                tracing::info!(via = ?read.via, "card read");
                if card_console.card_test_on() {
                    // The technician's card-reader test: checked and shown, nothing started.
                    let c = Arc::clone(&card_console);
                    let _ = tokio::task::spawn_blocking(move || {
                        c.card_tested(&read.text, via_name(&read));
                    })
                    .await;
                    continue;
                }
                let card = CardText {
                    text: read.text,
                    today: Date::local(SystemClock.wall(), offset),
                };
                if card_inputs.send(FeedInput::Card(card)).await.is_err() {
                    break;
                }
            }
        };
        tokio::select! {
            () = forward => {}
            () = down => {}
        }
    }));

    // Sync: the worker, and its status for the footer.
    let sync_status: Option<watch::Receiver<SyncStatus>> =
        worker.as_ref().map(SyncWorker::subscribe);
    match (worker, &sync_status) {
        (Some(worker), Some(status)) => {
            hub.publish(KioskEvent::Sync(sync_view(&status.borrow())));
            tasks.push(tokio::spawn(
                worker.run(stopped(shutdown_rx.clone()), Arc::clone(&wake)),
            ));
            let mut status = status.clone();
            let hub = Arc::clone(&hub);
            let console = Arc::clone(&console);
            let down = stopped(shutdown_rx.clone());
            tasks.push(tokio::spawn(async move {
                let forward = async {
                    let first = status.borrow().clone();
                    let c = Arc::clone(&console);
                    let _ = tokio::task::spawn_blocking(move || c.sync_changed(&first)).await;
                    while status.changed().await.is_ok() {
                        let now = status.borrow_and_update().clone();
                        hub.publish(KioskEvent::Sync(sync_view(&now)));
                        // A sync may have disabled or changed the signed-in account, settled
                        // registrations or sent calibration records.
                        let c = Arc::clone(&console);
                        let _ = tokio::task::spawn_blocking(move || {
                            c.check_account();
                            c.sync_changed(&now);
                        })
                        .await;
                    }
                };
                tokio::select! {
                    () = forward => {}
                    () = down => {}
                }
            }));
        }
        _ => hub.publish(KioskEvent::Sync(SyncView {
            state: "not_configured".to_owned(),
            backlog: 0,
            last_error: None,
        })),
    }

    // The presenter: station outputs → screens; waits for points.
    let mut presenter = Presenter::new(
        Arc::clone(&hub),
        read_store,
        offset,
        config.sync.as_ref().map(|s| s.points_wait),
        profile.model.to_owned(),
        presenting,
    );
    let out_console = Arc::clone(&console);
    let mut points_status = sync_status.clone();
    let wake_after = Arc::clone(&wake);
    let down = stopped(shutdown_rx.clone());
    tasks.push(tokio::spawn(async move {
        tokio::pin!(down);
        // Fixed when the results open, so other events (a notice, a scale reconnect) never
        // push "later" back.
        let mut points_deadline: Option<tokio::time::Instant> = None;
        loop {
            let waiting = presenter.waiting_for_points();
            points_deadline = match (waiting, points_deadline) {
                (None, _) => None,
                (Some(_), Some(at)) => Some(at),
                (Some(wait), None) => Some(tokio::time::Instant::now() + wait),
            };
            let deadline = async {
                match points_deadline {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::pin!(deadline);
            // Wait for the next output; while points are awaited, look for them on each sync
            // status change and every poll interval, until the deadline.
            loop {
                let changed = async {
                    match points_status.as_mut() {
                        Some(s) if waiting.is_some() => {
                            if s.changed().await.is_err() {
                                std::future::pending::<()>().await;
                            }
                        }
                        _ => std::future::pending().await,
                    }
                };
                let tick = async {
                    if waiting.is_some() {
                        tokio::time::sleep(Presenter::points_poll()).await;
                    } else {
                        std::future::pending().await
                    }
                };
                tokio::select! {
                    out = outputs_rx.recv() => {
                        let Some(out) = out else { return };
                        let recorded = matches!(&out, FeedOutput::Event(Event::Results { .. }));
                        staff_output(&out_console, &out);
                        presenter.handle(out);
                        if recorded {
                            wake_after.notify_one();
                        }
                        break;
                    }
                    () = changed => presenter.check_points(),
                    () = tick => presenter.check_points(),
                    () = &mut deadline => {
                        presenter.check_points();
                        presenter.points_later();
                    }
                    () = &mut down => return,
                }
                if presenter.waiting_for_points().is_none() {
                    break;
                }
            }
        }
    }));

    // The camera.
    let camera_config = CameraConfig {
        preview: Some(PreviewConfig {
            interval: PREVIEW_INTERVAL,
            ..PreviewConfig::default()
        }),
        ..CameraConfig::default()
    };
    let camera = match camera_plan {
        CameraPlan::Off => None,
        CameraPlan::Device(choice) => {
            let options = NokhwaOptions {
                camera: choice,
                ..NokhwaOptions::default()
            };
            Some(CameraReader::with_camera(options, camera_config))
        }
        CameraPlan::Given(factory) => Some(CameraReader::start(
            factory,
            Box::new(CardDecoder::for_camera()),
            camera_config,
        )),
    };
    match camera {
        Some(Ok(reader)) => tasks.push(spawn_camera_pump(
            reader,
            reads.clone(),
            Arc::clone(&hub),
            shutdown_rx.clone(),
        )),
        Some(Err(e)) => tracing::warn!(error = %e, "the camera reader could not start"),
        None => {}
    }

    // The handheld reader in serial mode.
    let handheld = config.cards.handheld_port.as_ref().map(|p| {
        let reader =
            SerialCardReader::open(p.clone(), reads.clone(), SerialReaderOptions::default());
        let (status, status_rx) = watch::channel(None);
        tasks.push(spawn_handheld_pump(reader, status, shutdown_rx.clone()));
        status_rx
    });

    let control = Control {
        inputs,
        reads,
        wedge: config
            .cards
            .wedge
            .then(|| Mutex::new(WedgeClassifier::new(WedgeOptions::default()))),
        demo,
        sim: Mutex::new(sim),
        shutdown,
        tasks: Mutex::new(tasks),
        handheld,
        utc_offset_minutes: offset,
        staff: Arc::clone(&console),
    };
    Ok((hub, control))
}

/// What staff mode learns from the station's outputs (the link, the analyzer's identity, the
/// gate, a queue session's start). Briefly blocks (the console's store).
fn staff_output(console: &Arc<StaffConsole>, out: &FeedOutput) {
    tokio::task::block_in_place(|| match out {
        FeedOutput::Link(note @ (LinkNote::Connected | LinkNote::Disconnected)) => {
            console.link_changed(*note == LinkNote::Connected);
        }
        FeedOutput::Identity(identity) => console.identity_seen(identity.clone()),
        FeedOutput::Gate(gate) => {
            console.gate_changed(gate.reason().map(|r| r.code().to_owned()));
        }
        FeedOutput::Present(answer) => console.present_answered(answer.is_ok()),
        _ => {}
    });
}

/// `camera`, `handheld` or `wedge` (`demo` for demo mode's scans).
pub(crate) fn via_name(read: &CardRead) -> &'static str {
    match read.via {
        ReadVia::Camera => "camera",
        ReadVia::SerialReader => "handheld",
        ReadVia::KeyboardWedge => "wedge",
    }
}

fn store_setting(store: &Store, key: &str) -> Option<String> {
    match store.setting(key) {
        Ok(v) => v.filter(|v| !v.is_empty()),
        Err(e) => {
            tracing::warn!(key, error = %e, "a remembered setting could not be read");
            None
        }
    }
}

/// Keeps the handheld reader's last status (the reader logs each change itself) until shutdown
/// or until nobody holds the status any more; then stops the reader and closes its port.
fn spawn_handheld_pump(
    mut reader: SerialCardReader,
    status: watch::Sender<Option<ReaderStatus>>,
    shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let pump = async {
            while let Some(s) = reader.next_status().await {
                status.send_replace(Some(s));
            }
        };
        tokio::select! {
            () = pump => {}
            () = status.closed() => {}
            () = stopped(shutdown) => {}
        }
        reader.stop_and_wait().await;
        // The last word ("stopped") for whoever still holds the status.
        while let Some(s) = reader.try_next_status() {
            status.send_replace(Some(s));
        }
    })
}

/// Moves camera events out of the reader: reads to the card queue, statuses and previews to the
/// UI (previews only while the attract screen shows).
fn spawn_camera_pump(
    mut reader: CameraReader,
    reads: mpsc::Sender<CardRead>,
    hub: Arc<Hub>,
    shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let pump = async {
            while let Some(event) = reader.next_event().await {
                match event {
                    CameraEvent::Read(read) => {
                        if reads.send(read).await.is_err() {
                            break;
                        }
                    }
                    CameraEvent::Status(status) => hub.publish(KioskEvent::Camera(CameraView {
                        state: camera_state(&status).to_owned(),
                    })),
                    CameraEvent::Preview(frame) => {
                        if hub.on_attract() {
                            if let Some(image) = preview_png(&frame) {
                                // Checked again under the lock: a session screen may have
                                // come while the picture was encoded.
                                hub.publish_on_attract(KioskEvent::Preview(image));
                            }
                        }
                    }
                }
            }
        };
        tokio::select! {
            () = pump => {}
            () = stopped(shutdown) => {}
        }
        // The capture threads stop here; a source stuck in a call is left after a grace period.
        tokio::task::block_in_place(|| reader.stop());
    })
}
