//! The IPC commands of the contract (`kiosk/src/view.rs`), each one call into the runtime, and
//! the forwarding of the runtime's events to the UI's channel.
//!
//! Deliberately not here: any rule about what an answer, a key or a scan means (the runtime
//! decides and says so with an event or a [`CommandError`]). Commands are not `pub` (a Tauri
//! limitation for command functions); [`handler`] registers them.

use crate::staff_commands as staff;
use crate::startup::Started;
use hakaru_kiosk::runtime::Kiosk;
use hakaru_kiosk::view::{Answer, CommandError, KioskEvent, WedgeKey};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tauri::ipc::{Channel, Invoke};
use tauri::{Runtime, State};
use tokio::sync::broadcast::error::RecvError;

/// The handler with every command (the participant window's and the staff window's
/// [`crate::staff_commands`]), for [`tauri::Builder::invoke_handler`]. The same list is in
/// `build.rs` (one permission each); `capabilities/kiosk.json` grants the participant window its
/// own and `open_staff_sign_in`, `capabilities/staff.json` the staff window the `staff_*` ones.
pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        subscribe,
        answer,
        wedge_key,
        demo_scan,
        demo_step_on,
        painted,
        staff::open_staff_sign_in,
        staff::staff_subscribe,
        staff::staff_sign_in,
        staff::staff_sign_out,
        staff::staff_close,
        staff::staff_touch,
        staff::staff_register,
        staff::staff_print_card,
        staff::staff_queue_add,
        staff::staff_queue_remove,
        staff::staff_measure,
        staff::staff_service_refresh,
        staff::staff_service_autodetect,
        staff::staff_service_connect,
        staff::staff_service_tap,
        staff::staff_card_test,
        staff::staff_calibration_start,
        staff::staff_calibration_read_step,
        staff::staff_calibration_cancel,
        staff::staff_analyzer_dates
    ]
}

/// Which subscription is current: a page that subscribes again (a reload) replaces the earlier
/// forwarder, which ends at its next event.
#[derive(Debug, Default)]
pub struct Forwarding {
    generation: Arc<AtomicU64>,
}

/// Sends the replay (hello, current screen, statuses), then every live event, to `on_event`.
#[tauri::command]
async fn subscribe(
    kiosk: State<'_, Kiosk>,
    forwarding: State<'_, Forwarding>,
    on_event: Channel<KioskEvent>,
) -> Result<(), CommandError> {
    let generation = forwarding.generation.fetch_add(1, Ordering::SeqCst) + 1;
    let current = forwarding.generation.clone();
    let kiosk: Kiosk = kiosk.inner().clone();
    let mut subscription = kiosk.subscribe();
    for event in std::mem::take(&mut subscription.replay) {
        send(&on_event, event)?;
    }
    tracing::debug!(generation, "UI subscribed");
    let mut live = subscription.live;
    tauri::async_runtime::spawn(async move {
        loop {
            let event = match live.recv().await {
                Ok(event) => event,
                Err(RecvError::Lagged(missed)) => {
                    // The UI fell behind: start again from the current state.
                    tracing::warn!(missed, "UI fell behind; sending the current state again");
                    let again = kiosk.subscribe();
                    live = again.live;
                    let mut failed = false;
                    for event in again.replay {
                        failed |= send(&on_event, event).is_err();
                    }
                    if failed {
                        break;
                    }
                    continue;
                }
                Err(RecvError::Closed) => break,
            };
            if current.load(Ordering::SeqCst) != generation || send(&on_event, event).is_err() {
                break;
            }
        }
        tracing::debug!(generation, "event forwarding ended");
    });
    Ok(())
}

fn send(channel: &Channel<KioskEvent>, event: KioskEvent) -> Result<(), CommandError> {
    channel.send(event).map_err(|e| {
        tracing::warn!("cannot send an event to the UI: {e}");
        CommandError::new("not_running", format!("the UI channel is closed: {e}"))
    })
}

/// The consent choices, the safety answer, continue, finish.
#[tauri::command]
async fn answer(kiosk: State<'_, Kiosk>, answer: Answer) -> Result<(), CommandError> {
    kiosk.answer(answer).await
}

/// One keydown for the keyboard-wedge card reader.
#[tauri::command]
fn wedge_key(kiosk: State<'_, Kiosk>, key: WedgeKey) {
    kiosk.wedge_key(key);
}

/// Demo mode: "scan" the demo card at `index`.
#[tauri::command]
async fn demo_scan(kiosk: State<'_, Kiosk>, index: usize) -> Result<(), CommandError> {
    kiosk.demo_scan(index).await
}

/// Demo mode: the simulated person steps on the analyzer.
#[tauri::command]
async fn demo_step_on(kiosk: State<'_, Kiosk>) -> Result<(), CommandError> {
    kiosk.demo_step_on().await
}

/// The UI painted a screen (`screen`: its name, e.g. `results`): log it with a monotonic
/// timestamp (session benchmark), and the first time the time since process start (start-up
/// benchmark).
#[tauri::command]
fn painted(started: State<'_, Started>, screen: Option<String>) {
    started.painted(screen.as_deref());
}
