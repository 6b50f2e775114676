//! The running kiosk as the Tauri shell sees it: [`KioskSetup::load`] finds and reads the
//! settings, [`Kiosk::start`] assembles everything (or shows what is wrong), and the handle's
//! methods are the shell's commands. Every subscriber gets a replay of the current state (hello,
//! device statuses, the screen) and then every live event, with nothing lost in between.
//!
//! Deliberately not here: opening devices and the store (`crate::assemble`), turning session
//! events into screens (`crate::present`), and Tauri itself.

use crate::assemble::{self, Control};
use crate::config::{config_path, ConfigError, KioskConfig};
use crate::staff::{StaffConsole, StaffSubscription};
use crate::staff_view::{AnalyzerDatesForm, ApplicationForm, PrintOutcome, RegistrationOutcome};
use crate::view::{
    Answer, CommandError, IdleView, KioskEvent, KioskInfo, Lang, PointsView, Screen, Text, WedgeKey,
};
use hakaru_devices::card::camera::SourceFactory;
use hakaru_devices::card::handheld::ReaderStatus;
use hakaru_station::domain::PurposeId;
use hakaru_station::session::{Input, SessionId};
use hakaru_station::staff::SignOutReason;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{broadcast, watch};

/// Live events a slow subscriber may fall behind by before it misses some.
const LIVE_CAPACITY: usize = 256;

/// The settings file and what reading it gave.
#[derive(Debug)]
pub struct KioskSetup {
    /// The file read (or that would be read).
    pub config_path: PathBuf,
    /// The checked settings, or why they cannot be used.
    pub config: Result<KioskConfig, ConfigError>,
}

impl KioskSetup {
    /// Reads the settings: `explicit` (`--config`), else `$HAKARU_KIOSK_CONFIG`, else
    /// `~/.config/hakaru/kiosk.toml`.
    pub fn load(explicit: Option<PathBuf>) -> KioskSetup {
        let config_path = config_path(explicit);
        let config = KioskConfig::load(&config_path);
        KioskSetup {
            config_path,
            config,
        }
    }
}

/// How the shell makes the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowConfig {
    /// Fullscreen and undecorated (default true; demo configurations set false).
    pub fullscreen: bool,
}

/// What [`Kiosk::subscribe`] gives: the state now, then everything after it.
#[derive(Debug)]
pub struct Subscription {
    /// Hello, the device statuses, the current screen (and the idle warning if it shows), in
    /// the order to apply them.
    pub replay: Vec<KioskEvent>,
    /// Every event after the replay.
    pub live: broadcast::Receiver<KioskEvent>,
}

/// What a new subscriber must be told (nothing else is kept).
#[derive(Clone)]
struct ViewState {
    hello: KioskInfo,
    screen: Screen,
    idle: Option<IdleView>,
    scale: Option<KioskEvent>,
    sync: Option<KioskEvent>,
    camera: Option<KioskEvent>,
    availability: Option<KioskEvent>,
}

impl ViewState {
    fn apply(&mut self, event: &KioskEvent) {
        match event {
            KioskEvent::Hello(h) => self.hello = h.clone(),
            KioskEvent::Screen(s) => {
                self.screen = s.clone();
                self.idle = None;
            }
            KioskEvent::Idle(i) => {
                self.idle = i.remaining_ms.is_some().then(|| i.clone());
            }
            KioskEvent::Points(p) => {
                if let Screen::Results(r) = &mut self.screen {
                    if r.session == p.session {
                        r.points = p.points.clone();
                    }
                }
            }
            KioskEvent::Scale(_) => self.scale = Some(event.clone()),
            KioskEvent::Sync(_) => self.sync = Some(event.clone()),
            KioskEvent::Camera(_) => self.camera = Some(event.clone()),
            KioskEvent::Availability(_) => self.availability = Some(event.clone()),
            KioskEvent::Notice(_) | KioskEvent::Preview(_) => {}
        }
    }

    fn replay(&self) -> Vec<KioskEvent> {
        let mut out = vec![KioskEvent::Hello(self.hello.clone())];
        out.extend(self.scale.iter().cloned());
        out.extend(self.sync.iter().cloned());
        out.extend(self.camera.iter().cloned());
        out.extend(self.availability.iter().cloned());
        out.push(KioskEvent::Screen(self.screen.clone()));
        out.extend(self.idle.iter().cloned().map(KioskEvent::Idle));
        out
    }
}

/// The one place events are published: the replay state and the live channel change together.
pub(crate) struct Hub {
    state: Mutex<ViewState>,
    live: broadcast::Sender<KioskEvent>,
}

impl Hub {
    fn new(hello: KioskInfo, screen: Screen) -> Hub {
        Hub {
            state: Mutex::new(ViewState {
                hello,
                screen,
                idle: None,
                scale: None,
                sync: None,
                camera: None,
                availability: None,
            }),
            live: broadcast::channel(LIVE_CAPACITY).0,
        }
    }

    /// Tells every subscriber.
    pub(crate) fn publish(&self, event: KioskEvent) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.apply(&event);
        tracing::trace!(?event, "publish");
        // No subscriber yet is fine: the replay carries the state.
        let _ = self.live.send(event);
    }

    /// Tells every subscriber, if the attract screen shows when it is sent (checked under the
    /// same lock screens are published under, so nothing sent this way follows a session
    /// screen). Returns whether it was sent.
    pub(crate) fn publish_on_attract(&self, event: KioskEvent) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if !matches!(state.screen, Screen::Attract) {
            return false;
        }
        state.apply(&event);
        let _ = self.live.send(event);
        true
    }

    /// Whether the attract screen shows (previews are sent only then).
    pub(crate) fn on_attract(&self) -> bool {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        matches!(state.screen, Screen::Attract)
    }

    /// Live events only (the staff console follows the screens).
    pub(crate) fn subscribe_live(&self) -> broadcast::Receiver<KioskEvent> {
        self.live.subscribe()
    }

    fn subscribe(&self) -> Subscription {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Subscription {
            replay: state.replay(),
            live: self.live.subscribe(),
        }
    }

    fn screen(&self) -> Screen {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .screen
            .clone()
    }
}

/// The running kiosk (cheap to clone; every clone is the same kiosk).
#[derive(Clone)]
pub struct Kiosk {
    hub: Arc<Hub>,
    control: Option<Arc<Control>>,
    window: WindowConfig,
}

impl std::fmt::Debug for Kiosk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kiosk")
            .field("running", &self.control.is_some())
            .field("screen", &self.hub.screen().name())
            .finish_non_exhaustive()
    }
}

fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// The hello of a kiosk that did not start.
fn bare_hello(station: &str, language: Lang) -> KioskInfo {
    KioskInfo {
        station: station.to_owned(),
        language,
        idle_warning_secs: 30,
        camera: false,
        demo: None,
        version: version(),
    }
}

impl Kiosk {
    /// Starts the kiosk on `rt`. Never fails: a problem with the settings, the store or a
    /// device is shown as `Screen::NotConfigured` saying what to do.
    pub fn start(setup: KioskSetup, rt: &tokio::runtime::Handle) -> Kiosk {
        Kiosk::start_inner(setup, rt, None)
    }

    /// Like [`Kiosk::start`], but the camera's frames come from `camera` (for tests and
    /// replays): it is called to open the source, and again after each failure, with backoff.
    /// It replaces whatever `[cards] camera` says (even `"off"`); everything else is as
    /// configured.
    pub fn start_with_camera(
        setup: KioskSetup,
        rt: &tokio::runtime::Handle,
        camera: SourceFactory,
    ) -> Kiosk {
        Kiosk::start_inner(setup, rt, Some(camera))
    }

    fn start_inner(
        setup: KioskSetup,
        rt: &tokio::runtime::Handle,
        camera: Option<SourceFactory>,
    ) -> Kiosk {
        let config_path = setup.config_path.display().to_string();
        let config = match setup.config {
            Ok(config) => config,
            Err(e) => {
                tracing::warn!(error = %e, "kiosk not configured");
                return Kiosk::not_configured(config_path, e.problem(), e.what_to_do(), true);
            }
        };
        let window = WindowConfig {
            fullscreen: config.window.fullscreen,
        };
        match assemble::start(&config, rt, camera) {
            Ok((hub, control)) => Kiosk {
                hub,
                control: Some(Arc::new(control)),
                window,
            },
            Err(problem) => {
                tracing::warn!(problem = %problem.problem.en, "kiosk could not start");
                let mut k = Kiosk::not_configured(
                    config_path,
                    problem.problem,
                    problem.what_to_do,
                    window.fullscreen,
                );
                k.hub.publish(KioskEvent::Hello(bare_hello(
                    &config.station.id,
                    config.station.language,
                )));
                k.window = window;
                k
            }
        }
    }

    fn not_configured(
        config_path: String,
        problem: Text,
        what_to_do: Text,
        fullscreen: bool,
    ) -> Kiosk {
        let screen = Screen::NotConfigured {
            config_path,
            problem,
            what_to_do,
        };
        Kiosk {
            hub: Arc::new(Hub::new(bare_hello("", Lang::Ja), screen)),
            control: None,
            window: WindowConfig { fullscreen },
        }
    }

    pub(crate) fn hub_for(hello: KioskInfo) -> Arc<Hub> {
        Arc::new(Hub::new(hello, Screen::Attract))
    }

    /// The state now (replay) and every event after it.
    pub fn subscribe(&self) -> Subscription {
        self.hub.subscribe()
    }

    fn control(&self) -> Result<&Control, CommandError> {
        self.control.as_deref().ok_or_else(|| {
            CommandError::new(
                "not_running",
                "the kiosk is not configured or did not start",
            )
        })
    }

    /// The participant's answer on the current screen.
    pub async fn answer(&self, answer: Answer) -> Result<(), CommandError> {
        let control = self.control()?;
        let input = match answer {
            Answer::Consent { session, granted } => Input::ConsentAnswered {
                session: SessionId(session),
                granted: granted.into_iter().map(PurposeId).collect(),
                method: hakaru_station::domain::ConsentMethod::OnScreen,
            },
            Answer::Safety {
                session,
                implanted_device,
            } => Input::SafetyAnswered {
                session: SessionId(session),
                implanted_device,
            },
            Answer::Continue => Input::Continue,
            Answer::Finish { session } => Input::Finish {
                session: SessionId(session),
            },
        };
        control.input(input).await
    }

    /// A key the UI saw while no text field had focus (keyboard-wedge card readers).
    pub fn wedge_key(&self, key: WedgeKey) {
        if let Some(control) = self.control.as_deref() {
            control.wedge_key(&key);
        }
    }

    /// Demo mode: scans demo card `index` through the same verification as a real read.
    pub async fn demo_scan(&self, index: usize) -> Result<(), CommandError> {
        self.control()?.demo_scan(index).await
    }

    /// Demo mode: the simulated person steps on the simulated analyzer.
    pub async fn demo_step_on(&self) -> Result<(), CommandError> {
        self.control()?.demo_step_on()
    }

    /// The handheld serial reader's status (`None` until its first), when `[cards]
    /// handheld_port` is set and the kiosk runs. For tests and diagnostics: the UI is not told
    /// (the IPC has no event for it).
    #[doc(hidden)]
    pub fn handheld_status(&self) -> Option<watch::Receiver<Option<ReaderStatus>>> {
        self.control.as_deref()?.handheld_status()
    }

    /// Runs a staff command on a blocking thread (the store, argon2 and `lp` block).
    async fn staff_call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&StaffConsole) -> Result<T, CommandError> + Send + 'static,
    ) -> Result<T, CommandError> {
        let console = Arc::clone(&self.control()?.staff);
        tokio::task::spawn_blocking(move || f(&console))
            .await
            .map_err(|_| CommandError::new("not_running", "the staff command stopped"))?
    }

    /// The hidden gesture on the attract screen (the participant window's only staff
    /// command): opens staff mode at its sign-in form. Refused with `busy` unless the attract
    /// screen shows; cards are then ignored and the participant window says `staff_in_use`
    /// until staff mode closes. The shell shows the staff window ([`Kiosk::staff_window`]).
    pub async fn open_staff_sign_in(&self) -> Result<(), CommandError> {
        self.staff_call(StaffConsole::open_sign_in).await
    }

    /// Whether the staff window should show now, and each change (`None`: not running).
    pub fn staff_window(&self) -> Option<watch::Receiver<bool>> {
        Some(self.control.as_deref()?.staff.window())
    }

    /// The staff window's state now (replay) and every event after it.
    pub fn staff_subscribe(&self) -> Result<StaffSubscription, CommandError> {
        Ok(self.control()?.staff.hub.subscribe())
    }

    /// Signs in; errors `sign_in_refused` (never says whether the login exists), `locked`
    /// (after repeated failures), `not_open`.
    pub async fn staff_sign_in(&self, login: String, secret: String) -> Result<(), CommandError> {
        self.staff_call(move |c| c.sign_in(&login, &secret)).await
    }

    /// Signs out and closes staff mode.
    pub async fn staff_sign_out(&self) -> Result<(), CommandError> {
        self.staff_call(|c| {
            c.sign_out(SignOutReason::ByUser);
            Ok(())
        })
        .await
    }

    /// Closes the staff window, which always signs out.
    pub async fn staff_close(&self) -> Result<(), CommandError> {
        self.staff_sign_out().await
    }

    /// Registers a participant from the paper application (`Ineligible` with the reasons, or
    /// stored and queued; the server judges it at the next sync, which is started now).
    pub async fn staff_register(
        &self,
        form: ApplicationForm,
    ) -> Result<RegistrationOutcome, CommandError> {
        self.staff_call(move |c| c.register(&form)).await
    }

    /// Prints the card the server issued for `participant`'s registration (`card_not_ready`
    /// before that; `print_failed` with what to do).
    pub async fn staff_print_card(
        &self,
        participant: String,
    ) -> Result<PrintOutcome, CommandError> {
        self.staff_call(move |c| c.print_card(&participant)).await
    }

    /// Adds someone on the roster to the measuring queue.
    pub async fn staff_queue_add(&self, participant: String) -> Result<(), CommandError> {
        self.staff_call(move |c| c.queue_add(&participant)).await
    }

    /// Takes someone off the measuring queue.
    pub async fn staff_queue_remove(&self, participant: String) -> Result<(), CommandError> {
        self.staff_call(move |c| c.queue_remove(&participant)).await
    }

    /// Runs `participant`'s session on the participant window (as if their card had been
    /// read); the staff window hides until the participant window is back on attract.
    pub async fn staff_measure(&self, participant: String) -> Result<(), CommandError> {
        self.staff_call(move |c| c.measure(&participant)).await
    }

    /// Technician: lists the serial ports and model profiles again (`StaffEvent::Scale`).
    pub async fn staff_service_refresh(&self) -> Result<(), CommandError> {
        self.staff_call(StaffConsole::service_refresh).await
    }

    /// Technician: auto-detects what speaks on `port` (the result in `StaffEvent::Scale`).
    pub async fn staff_service_autodetect(&self, port: String) -> Result<(), CommandError> {
        self.staff_call(move |c| c.service_autodetect(&port)).await
    }

    /// Technician: connects the analyzer on `port` as `model`; kept across restarts.
    pub async fn staff_service_connect(
        &self,
        port: String,
        model: String,
    ) -> Result<(), CommandError> {
        self.staff_call(move |c| c.service_connect(&port, &model))
            .await
    }

    /// Technician: the live analyzer traffic (`StaffEvent::Tap`) on or off.
    pub async fn staff_service_tap(&self, on: bool) -> Result<(), CommandError> {
        self.staff_call(move |c| c.service_tap(on)).await
    }

    /// Technician: the card-reader test on or off; while on, reads are checked and shown
    /// (`StaffEvent::CardTest`) and never start a session.
    pub async fn staff_card_test(&self, on: bool) -> Result<(), CommandError> {
        self.staff_call(move |c| c.card_test(on)).await
    }

    /// Technician: starts a calibration check with the configured steps; `serial_number` is
    /// the one on the analyzer's plate, for analyzers whose frames do not carry it (MC-780).
    pub async fn staff_calibration_start(
        &self,
        serial_number: Option<String>,
    ) -> Result<(), CommandError> {
        self.staff_call(move |c| c.calibration_start(serial_number.as_deref()))
            .await
    }

    /// Technician: reads the current step (waits for a stable weight; demo mode puts the
    /// reference mass on the simulator first). After the last step the record is stored.
    pub async fn staff_calibration_read_step(&self) -> Result<(), CommandError> {
        self.staff_call(StaffConsole::calibration_read_step).await
    }

    /// Technician: abandons the check in progress (nothing recorded).
    pub async fn staff_calibration_cancel(&self) -> Result<(), CommandError> {
        self.staff_call(StaffConsole::calibration_cancel).await
    }

    /// Technician: the connected analyzer's 検定 / 定期検査 dates.
    pub async fn staff_analyzer_dates(&self, form: AnalyzerDatesForm) -> Result<(), CommandError> {
        self.staff_call(move |c| c.analyzer_dates(&form)).await
    }

    /// Activity in the staff window (the idle clock starts again).
    pub async fn staff_touch(&self) -> Result<(), CommandError> {
        self.staff_call(|c| {
            c.touch();
            Ok(())
        })
        .await
    }

    /// How to make the window.
    pub fn window(&self) -> WindowConfig {
        self.window
    }

    /// Stops every task, closes the store and the devices. Other clones stop working.
    pub async fn shutdown(self) {
        if let Some(control) = self.control {
            control.shutdown().await;
        }
    }
}

/// Points "waiting" or "later", for a results screen opening.
pub(crate) fn initial_points(sync_configured: bool) -> PointsView {
    if sync_configured {
        PointsView::Waiting
    } else {
        PointsView::Later
    }
}
