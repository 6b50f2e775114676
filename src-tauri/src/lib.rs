//! The kiosk app: a thin Tauri 2 shell over the Tauri-free runtime `hakaru-kiosk`. It loads the
//! configuration, starts the runtime on Tauri's tokio runtime, opens the participant window and
//! the (hidden) staff window, and registers the commands of the IPC contract
//! (`kiosk/src/view.rs`, `kiosk/src/staff_view.rs`), each one call into the runtime
//! ([`commands`], [`staff_commands`]).
//!
//! Deliberately not here: any decision about a participant, a card, consent or a reading (the
//! station and `hakaru-kiosk` make them), and anything the UI draws (`ui/`).

pub mod commands;
pub mod staff_commands;
pub mod startup;
pub mod window;

use hakaru_kiosk::runtime::{Kiosk, KioskSetup};
use std::path::PathBuf;
use tauri::{Manager, RunEvent, Runtime};

/// The label of the participant window; `capabilities/kiosk.json` grants its commands to it alone.
pub const WINDOW_LABEL: &str = "kiosk";
/// The label of the staff window; `capabilities/staff.json` grants the `staff_*` commands to it
/// alone.
pub const STAFF_WINDOW_LABEL: &str = "staff";

/// The app's configuration and embedded UI (`tauri.conf.json`, `../ui/dist`), for any runtime
/// (the real one, or the mock runtime in tests).
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// What every run adds to a builder: the managed runtime, the start-up clock and the commands.
/// The window is opened by [`run`] (tests open their own, on `tauri::test::mock_builder()`).
pub fn with_kiosk<R: Runtime>(
    builder: tauri::Builder<R>,
    kiosk: Kiosk,
    started: startup::Started,
) -> tauri::Builder<R> {
    builder
        .manage(kiosk)
        .manage(started)
        .manage(commands::Forwarding::default())
        .manage(staff_commands::StaffForwarding::default())
        .invoke_handler(commands::handler())
}

/// Starts the runtime and runs the app until the window closes or SIGINT/SIGTERM arrives.
pub fn run(config: Option<PathBuf>, started: startup::Started) -> anyhow::Result<()> {
    let setup = KioskSetup::load(config);
    tracing::info!(config = %setup.config_path.display(), ok = setup.config.is_ok(), "kiosk configuration read");
    let kiosk = Kiosk::start(setup, tauri::async_runtime::handle().inner());
    let window_config = kiosk.window();
    let staff_wanted = kiosk.staff_window();
    let for_close = kiosk.clone();
    let app = with_kiosk(tauri::Builder::<tauri::Wry>::new(), kiosk, started)
        .setup(move |app| {
            window::open(app.handle(), &window_config)?;
            window::open_staff(app.handle(), &window_config)?;
            if let Some(wanted) = staff_wanted {
                window::follow_staff(app.handle().clone(), wanted);
            }
            stop_on_signals(app.handle().clone());
            Ok(())
        })
        .on_window_event(move |window, event| match (window.label(), event) {
            // Closing the staff window (demo's title bar, Alt+F4) signs out; the window stays
            // for the next time, hidden.
            (STAFF_WINDOW_LABEL, tauri::WindowEvent::CloseRequested { api, .. }) => {
                api.prevent_close();
                let kiosk = for_close.clone();
                tauri::async_runtime::spawn(async move {
                    if let Err(e) = kiosk.staff_close().await {
                        tracing::warn!(code = e.code, "closing staff mode failed");
                    }
                });
            }
            // The participant window gone: the app ends (the hidden staff window would keep it).
            (WINDOW_LABEL, tauri::WindowEvent::Destroyed) => window.app_handle().exit(0),
            _ => {}
        })
        .build(context())
        .map_err(|e| {
            anyhow::anyhow!(
                "画面を開けません（ディスプレイとWebKitGTKを確認してください） / \
                 cannot open the window (check the display and that WebKitGTK is installed): {e}"
            )
        })?;
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            if let Some(kiosk) = handle.try_state::<Kiosk>() {
                let kiosk: Kiosk = kiosk.inner().clone();
                tracing::info!("kiosk stopping");
                tauri::async_runtime::block_on(kiosk.shutdown());
            }
        }
    });
    Ok(())
}

/// Ctrl-C (the demo) and SIGTERM (systemd) end the app the normal way, so the runtime shuts
/// down (sessions wiped, the store closed) instead of dying mid-write.
fn stop_on_signals<R: Runtime>(app: tauri::AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            tracing::warn!(
                "cannot listen for SIGINT/SIGTERM; the kiosk stops only with its window"
            );
            return;
        };
        tokio::select! {
            _ = int.recv() => tracing::info!("SIGINT: stopping"),
            _ = term.recv() => tracing::info!("SIGTERM: stopping"),
        }
        app.exit(0);
    });
}
