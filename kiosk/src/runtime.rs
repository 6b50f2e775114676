//! The running kiosk as the Tauri shell sees it: [`KioskSetup::load`] finds and reads the
//! settings, [`Kiosk::start`] assembles everything (or shows what is wrong), and the handle's
//! methods are the shell's commands. Every subscriber gets a replay of the current state (hello,
//! device statuses, the screen) and then every live event, with nothing lost in between.
//!
//! Deliberately not here: opening devices and the store (`crate::assemble`), turning session
//! events into screens (`crate::present`), and Tauri itself.

use crate::assemble::{self, Control};
use crate::config::{config_path, ConfigError, KioskConfig};
use crate::view::{
    Answer, CommandError, IdleView, KioskEvent, KioskInfo, Lang, PointsView, Screen, Text, WedgeKey,
};
use hakaru_devices::card::camera::SourceFactory;
use hakaru_devices::card::handheld::ReaderStatus;
use hakaru_station::domain::PurposeId;
use hakaru_station::session::{Input, SessionId};
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
