//! Staff and technician modes in the running kiosk: the [`StaffConsole`] the `staff_*` commands
//! reach, with its own store connection, the station's [`StaffDesk`] (sign-in, roles, idle
//! clock, audit) and its own event hub for the staff window.
//!
//! - `hub`: the staff window's events, replay + live; nothing personal while nobody is signed in.
//! - `session`: opening staff mode from the attract screen, sign-in, sign-out, the idle timer,
//!   and what the participant window is told meanwhile (availability).
//! - `registration`: registering from the paper application, the registrations list, printing
//!   cards, the measuring queue.
//! - `service`: technician mode — ports, auto-detect, connect (kept across restarts), the live
//!   tap, the card-reader test, sync status.
//! - `calibration`: the reference-weight check step by step, the analyzer's dates, the gate.
//!
//! Every command checks the signed-in role and writes one audit row (`record_action`) without
//! participant values. The console's methods block (SQLite, argon2, `lp`): the [`crate::Kiosk`]
//! runs them on a blocking thread. Deliberately not here: the rules themselves (the station's
//! `staff` and `calibration` modules), printing ([`crate::printing`]), and Tauri.

mod calibration;
mod hub;
mod registration;
mod service;
mod session;

pub(crate) use hub::StaffHub;
pub use hub::StaffSubscription;
pub(crate) use service::{link_options, LinkInfo, MODEL_SETTING, PORT_SETTING};
pub(crate) use session::{follow_screens, idle_timer};

use crate::config::{CalibrationSection, KioskConfig, PrinterSection};
use crate::printing::Printer;
use crate::runtime::Hub;
use crate::staff_view::StaffEvent;
use crate::view::{AvailabilityView, CommandError, KioskEvent};
use hakaru_devices::sim::Simulator;
use hakaru_station::domain::Date;
use hakaru_station::domain::ParticipantNumber;
use hakaru_station::scale_feed::TapFrame;
use hakaru_station::staff::{Need, SignInPolicy, SignedIn, StaffDesk, StaffError};
use hakaru_station::store::Store;
use hakaru_station::{CalibrationPlan, Clock, FeedInput, SystemClock};
use hakaru_wire::Timestamp;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc, watch, Notify};
use tokio::task::JoinHandle;

/// The idle warning shows this long before the automatic sign-out.
pub(crate) const IDLE_WARNING: Duration = Duration::from_secs(30);

/// What the console needs from the settings.
#[derive(Debug, Clone)]
pub(crate) struct StaffSettings {
    pub(crate) policy: SignInPolicy,
    pub(crate) utc_offset_minutes: i32,
    pub(crate) printer: PrinterSection,
    pub(crate) calibration: CalibrationSection,
}

impl StaffSettings {
    pub(crate) fn from_config(config: &KioskConfig) -> StaffSettings {
        let lockout = Duration::from_secs(config.staff.lockout_minutes * 60);
        StaffSettings {
            policy: SignInPolicy {
                max_failures: config.staff.lockout_failures,
                failure_window: lockout,
                lockout,
                idle_timeout: Duration::from_secs(config.staff.idle_timeout_secs),
            },
            utc_offset_minutes: config.station.utc_offset_minutes,
            printer: config.printer.clone(),
            calibration: config.calibration.clone(),
        }
    }
}

/// The state behind the console's lock.
pub(crate) struct Desk {
    /// The console's own connection.
    pub(crate) store: Store,
    pub(crate) desk: StaffDesk,
    /// Staff mode is open (the staff window shows or a queue session runs for it).
    pub(crate) open: bool,
    /// When staff mode opened with nobody signed in yet (the sign-in form's own timeout).
    pub(crate) opened_at: Option<Instant>,
    /// The measuring queue (personal: dropped at sign-out).
    pub(crate) queue: Vec<registration::Queued>,
    /// A queue session was asked for at this time…
    pub(crate) measuring_since: Option<Instant>,
    /// …and its first screen has shown.
    pub(crate) measuring_started: bool,
    /// A session not started by staff runs on the participant window (the staff window
    /// stepped aside).
    pub(crate) interrupted: bool,
    /// The calibration check in progress.
    pub(crate) calibrating: Option<calibration::Calibrating>,
}

/// See the module documentation.
pub(crate) struct StaffConsole {
    pub(crate) hub: Arc<StaffHub>,
    pub(crate) kiosk_hub: Arc<Hub>,
    pub(crate) inputs: mpsc::Sender<FeedInput>,
    pub(crate) desk: Mutex<Desk>,
    /// Whether the staff window should show (the shell follows it).
    pub(crate) window: watch::Sender<bool>,
    /// Wakes the idle timer after activity, sign-in or sign-out.
    pub(crate) idle_wake: Notify,
    pub(crate) settings: StaffSettings,
    /// The calibration gate as the station last said: `None` open, else the reason code.
    pub(crate) gate_closed: Mutex<Option<String>>,
    /// Wakes the sync worker (a registration to send).
    pub(crate) sync_wake: Arc<Notify>,
    pub(crate) printer: Printer,
    /// The analyzer link as the technician sees it.
    pub(crate) link: Mutex<LinkInfo>,
    /// The analyzer's identity changed.
    pub(crate) identity_changed: Notify,
    /// Card reads go to the card-reader test.
    pub(crate) card_testing: AtomicBool,
    /// Staff mode is open (mirrors `Desk::open`, readable without the desk's lock).
    pub(crate) staff_open: AtomicBool,
    pub(crate) calibration_plan: CalibrationPlan,
    pub(crate) weigh_timeout: Duration,
    /// Demo mode's simulated analyzer (reference weights for the calibration check).
    pub(crate) sim: Option<Arc<Simulator>>,
    /// The feed's tap, resubscribed while the technician watches.
    pub(crate) tap_source: Mutex<Option<broadcast::Receiver<TapFrame>>>,
    pub(crate) tap_task: Mutex<Option<JoinHandle<()>>>,
    /// The participant a queue session is being started for (the presenter takes it).
    pub(crate) presenting: Arc<Mutex<Option<ParticipantNumber>>>,
}

/// What the console is built from.
pub(crate) struct Wiring {
    pub(crate) store: Store,
    pub(crate) kiosk_hub: Arc<Hub>,
    pub(crate) inputs: mpsc::Sender<FeedInput>,
    pub(crate) sync_wake: Arc<Notify>,
    pub(crate) link: LinkInfo,
    pub(crate) sim: Option<Arc<Simulator>>,
    pub(crate) tap: broadcast::Receiver<TapFrame>,
    pub(crate) presenting: Arc<Mutex<Option<ParticipantNumber>>>,
}

impl std::fmt::Debug for StaffConsole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffConsole").finish_non_exhaustive()
    }
}

/// A [`StaffError`] as the command's error.
pub(crate) fn staff_error(e: &StaffError) -> CommandError {
    let code = match e {
        StaffError::NotSignedIn => "not_signed_in",
        StaffError::NotAllowed { .. } => "not_allowed",
    };
    CommandError::new(code, e.to_string())
}

/// A store failure as the command's error (the detail names no participant).
pub(crate) fn store_error(e: &dyn std::fmt::Display) -> CommandError {
    tracing::warn!(error = %e, "a staff command failed in the store");
    CommandError::new("store_failed", e.to_string())
}

impl StaffConsole {
    pub(crate) fn new(settings: StaffSettings, wiring: Wiring) -> StaffConsole {
        let Wiring {
            store,
            kiosk_hub,
            inputs,
            sync_wake,
            link,
            sim,
            tap,
            presenting,
        } = wiring;
        StaffConsole {
            hub: Arc::new(StaffHub::new()),
            kiosk_hub,
            inputs,
            desk: Mutex::new(Desk {
                store,
                desk: StaffDesk::new(settings.policy),
                open: false,
                opened_at: None,
                queue: Vec::new(),
                measuring_since: None,
                measuring_started: false,
                interrupted: false,
                calibrating: None,
            }),
            window: watch::channel(false).0,
            idle_wake: Notify::new(),
            gate_closed: Mutex::new(None),
            sync_wake,
            printer: Printer::new(settings.printer.clone()),
            link: Mutex::new(link),
            identity_changed: Notify::new(),
            card_testing: AtomicBool::new(false),
            staff_open: AtomicBool::new(false),
            calibration_plan: CalibrationPlan {
                steps_kg: settings.calibration.steps_kg.clone(),
                tolerance_kg: settings.calibration.tolerance_kg,
                valid_days: settings.calibration.valid_days,
            },
            weigh_timeout: Duration::from_secs(settings.calibration.weigh_timeout_secs),
            sim,
            tap_source: Mutex::new(Some(tap)),
            tap_task: Mutex::new(None),
            presenting,
            settings,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Desk> {
        self.desk.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn now(&self) -> Instant {
        SystemClock.now()
    }

    pub(crate) fn wall(&self) -> Timestamp {
        SystemClock.wall()
    }

    pub(crate) fn today(&self) -> Date {
        Date::local(self.wall(), self.settings.utc_offset_minutes)
    }

    /// Someone signed in with `need`'s role (touches the idle clock), or why not.
    pub(crate) fn require(&self, desk: &mut Desk, need: Need) -> Result<SignedIn, CommandError> {
        let who = desk
            .desk
            .require(need, self.now())
            .map_err(|e| staff_error(&e))?;
        self.idle_wake.notify_one();
        self.publish(StaffEvent::Idle { remaining_ms: None });
        Ok(who)
    }

    /// One audit row for a staff action (never participant values).
    pub(crate) fn audit(&self, desk: &mut Desk, action: &str, detail: serde_json::Value) {
        let wall = self.wall();
        let Desk { store, desk, .. } = desk;
        if let Err(e) = desk.record_action(store, action, detail, wall) {
            tracing::error!(action, error = %e, "a staff action could not be audited");
        }
    }

    pub(crate) fn publish(&self, event: StaffEvent) {
        self.hub.publish(event);
    }

    /// A FeedInput for the station (from a blocking thread).
    pub(crate) fn feed(&self, input: FeedInput) -> Result<(), CommandError> {
        self.inputs
            .blocking_send(input)
            .map_err(|_| CommandError::new("not_running", "the station has stopped"))
    }

    /// What the participant window is told: staff in use, else the gate.
    pub(crate) fn publish_availability(&self, staff_open: bool) {
        let gate = self
            .gate_closed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let view = if staff_open {
            AvailabilityView {
                open: false,
                reason: Some("staff_in_use".to_owned()),
            }
        } else {
            AvailabilityView {
                open: gate.is_none(),
                reason: gate,
            }
        };
        self.kiosk_hub.publish(KioskEvent::Availability(view));
    }

    /// After a sign-in: what the signed-in person may see.
    fn after_sign_in(&self, desk: &mut Desk, who: &SignedIn) {
        if who.role.may_register() {
            self.publish_registrations(desk);
            self.publish_queue(desk);
        }
    }

    /// After a sign-in, with the desk's lock released: the shared views.
    fn after_sign_in_unlocked(&self, who: &SignedIn) {
        let gate = self
            .gate_closed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        self.publish_gate(gate.as_deref());
        if who.role.may_service() {
            self.publish_scale(true);
            self.publish_analyzer();
        }
    }

    /// Before staff mode closes: stop whatever runs for the signed-in person and drop what
    /// is personal.
    fn before_sign_out(&self, desk: &mut Desk) {
        desk.queue.clear();
        desk.measuring_since = None;
        desk.measuring_started = false;
        desk.interrupted = false;
        desk.calibrating = None;
        self.card_testing.store(false, Ordering::SeqCst);
        self.stop_tap();
    }

    /// The station answered a queue session's start: refused means nothing started (the
    /// participant window says why), the person waits again and the staff window comes back.
    pub(crate) fn present_answered(&self, started: bool) {
        if started {
            return;
        }
        self.presenting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let mut desk = self.lock();
        desk.measuring_since = None;
        desk.measuring_started = false;
        for q in desk
            .queue
            .iter_mut()
            .filter(|q| q.state == registration::QueueState::Measuring)
        {
            q.state = registration::QueueState::Waiting;
        }
        self.publish_queue(&desk);
        if desk.open && desk.desk.current().is_some() {
            self.window.send_replace(true);
        }
    }

    /// The station's gate changed: `None` open, else the reason code.
    pub(crate) fn gate_changed(&self, closed: Option<String>) {
        *self
            .gate_closed
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = closed.clone();
        self.publish_availability(self.staff_open.load(Ordering::SeqCst));
        self.publish_gate(closed.as_deref());
    }
}
