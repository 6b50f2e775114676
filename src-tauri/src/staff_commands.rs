//! The staff window's IPC commands (`kiosk/src/staff_view.rs`), each one call into the
//! runtime, and the forwarding of the staff events to the staff window's channel; plus
//! `open_staff_sign_in`, the participant window's one staff command (the hidden gesture).
//!
//! Which window may call what is decided by Tauri's capabilities, not here:
//! `capabilities/staff.json` grants the `staff_*` commands to the window labelled `staff` only,
//! `capabilities/kiosk.json` grants `open_staff_sign_in` to the window labelled `kiosk`. The
//! runtime checks the signed-in role on every command as well. Deliberately not here: any rule
//! (the runtime answers with an event or a [`CommandError`]).

use hakaru_kiosk::runtime::Kiosk;
use hakaru_kiosk::staff_view::{
    AnalyzerDatesForm, ApplicationForm, PrintOutcome, RegistrationOutcome, StaffEvent,
};
use hakaru_kiosk::view::CommandError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;
use tokio::sync::broadcast::error::RecvError;

/// Which staff subscription is current (a reload replaces the earlier forwarder).
#[derive(Debug, Default)]
pub struct StaffForwarding {
    generation: Arc<AtomicU64>,
}

/// The hidden gesture on the attract screen: opens staff mode at the sign-in form (the shell
/// then shows the staff window). `busy` unless the attract screen shows.
#[tauri::command]
pub async fn open_staff_sign_in(kiosk: State<'_, Kiosk>) -> Result<(), CommandError> {
    kiosk.open_staff_sign_in().await
}

/// Sends the staff window's replay, then every live staff event, to `on_event`.
#[tauri::command]
pub async fn staff_subscribe(
    kiosk: State<'_, Kiosk>,
    forwarding: State<'_, StaffForwarding>,
    on_event: Channel<StaffEvent>,
) -> Result<(), CommandError> {
    let generation = forwarding.generation.fetch_add(1, Ordering::SeqCst) + 1;
    let current = forwarding.generation.clone();
    let kiosk: Kiosk = kiosk.inner().clone();
    let mut subscription = kiosk.staff_subscribe()?;
    for event in std::mem::take(&mut subscription.replay) {
        send(&on_event, event)?;
    }
    let mut live = subscription.live;
    tauri::async_runtime::spawn(async move {
        loop {
            let event = match live.recv().await {
                Ok(event) => event,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(
                        missed,
                        "the staff window fell behind; sending the state again"
                    );
                    let Ok(again) = kiosk.staff_subscribe() else {
                        break;
                    };
                    live = again.live;
                    if again
                        .replay
                        .into_iter()
                        .any(|e| send(&on_event, e).is_err())
                    {
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
    });
    Ok(())
}

fn send(channel: &Channel<StaffEvent>, event: StaffEvent) -> Result<(), CommandError> {
    channel.send(event).map_err(|e| {
        tracing::warn!("cannot send an event to the staff window: {e}");
        CommandError::new("not_running", format!("the staff channel is closed: {e}"))
    })
}

/// Signs in (`sign_in_refused`, `locked`).
#[tauri::command]
pub async fn staff_sign_in(
    kiosk: State<'_, Kiosk>,
    login: String,
    secret: String,
) -> Result<(), CommandError> {
    kiosk.staff_sign_in(login, secret).await
}

/// Signs out and closes staff mode (the window hides).
#[tauri::command]
pub async fn staff_sign_out(kiosk: State<'_, Kiosk>) -> Result<(), CommandError> {
    kiosk.staff_sign_out().await
}

/// Closes the staff window, which signs out.
#[tauri::command]
pub async fn staff_close(kiosk: State<'_, Kiosk>) -> Result<(), CommandError> {
    kiosk.staff_close().await
}

/// Activity (a tap, a key) in the staff window.
#[tauri::command]
pub async fn staff_touch(kiosk: State<'_, Kiosk>) -> Result<(), CommandError> {
    kiosk.staff_touch().await
}

/// Registers a participant from the paper application.
#[tauri::command]
pub async fn staff_register(
    kiosk: State<'_, Kiosk>,
    form: ApplicationForm,
) -> Result<RegistrationOutcome, CommandError> {
    kiosk.staff_register(form).await
}

/// Prints a registered participant's card.
#[tauri::command]
pub async fn staff_print_card(
    kiosk: State<'_, Kiosk>,
    participant: String,
) -> Result<PrintOutcome, CommandError> {
    kiosk.staff_print_card(participant).await
}

/// Adds a participant to the measuring queue.
#[tauri::command]
pub async fn staff_queue_add(
    kiosk: State<'_, Kiosk>,
    participant: String,
) -> Result<(), CommandError> {
    kiosk.staff_queue_add(participant).await
}

/// Takes a participant off the measuring queue.
#[tauri::command]
pub async fn staff_queue_remove(
    kiosk: State<'_, Kiosk>,
    participant: String,
) -> Result<(), CommandError> {
    kiosk.staff_queue_remove(participant).await
}

/// Measures a queued participant on the participant screen (the staff window hides until
/// the participant window is back on the attract screen).
#[tauri::command]
pub async fn staff_measure(
    kiosk: State<'_, Kiosk>,
    participant: String,
) -> Result<(), CommandError> {
    kiosk.staff_measure(participant).await
}

/// Technician: the serial ports and models again.
#[tauri::command]
pub async fn staff_service_refresh(kiosk: State<'_, Kiosk>) -> Result<(), CommandError> {
    kiosk.staff_service_refresh().await
}

/// Technician: auto-detects the line settings and model on `port`.
#[tauri::command]
pub async fn staff_service_autodetect(
    kiosk: State<'_, Kiosk>,
    port: String,
) -> Result<(), CommandError> {
    kiosk.staff_service_autodetect(port).await
}

/// Technician: connects the analyzer on `port` as `model` (kept across restarts).
#[tauri::command]
pub async fn staff_service_connect(
    kiosk: State<'_, Kiosk>,
    port: String,
    model: String,
) -> Result<(), CommandError> {
    kiosk.staff_service_connect(port, model).await
}

/// Technician: the live traffic on or off.
#[tauri::command]
pub async fn staff_service_tap(kiosk: State<'_, Kiosk>, on: bool) -> Result<(), CommandError> {
    kiosk.staff_service_tap(on).await
}

/// Technician: the card-reader test on or off.
#[tauri::command]
pub async fn staff_card_test(kiosk: State<'_, Kiosk>, on: bool) -> Result<(), CommandError> {
    kiosk.staff_card_test(on).await
}

/// Technician: starts a calibration check (`serialNumber`: the analyzer's plate, when its
/// frames do not carry it; may be left out).
#[tauri::command]
pub async fn staff_calibration_start(
    kiosk: State<'_, Kiosk>,
    serial_number: Option<String>,
) -> Result<(), CommandError> {
    kiosk.staff_calibration_start(serial_number).await
}

/// Technician: reads the current step's reference weight.
#[tauri::command]
pub async fn staff_calibration_read_step(kiosk: State<'_, Kiosk>) -> Result<(), CommandError> {
    kiosk.staff_calibration_read_step().await
}

/// Technician: abandons the check (nothing recorded).
#[tauri::command]
pub async fn staff_calibration_cancel(kiosk: State<'_, Kiosk>) -> Result<(), CommandError> {
    kiosk.staff_calibration_cancel().await
}

/// Technician: the analyzer's legal-metrology dates.
#[tauri::command]
pub async fn staff_analyzer_dates(
    kiosk: State<'_, Kiosk>,
    form: AnalyzerDatesForm,
) -> Result<(), CommandError> {
    kiosk.staff_analyzer_dates(form).await
}
