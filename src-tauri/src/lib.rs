//! The kiosk app: a thin Tauri 2 shell over the Tauri-free runtime `hakaru-kiosk`. It loads the
//! configuration, starts the runtime on Tauri's tokio runtime, opens the one kiosk window, and
//! registers the commands of the IPC contract (`kiosk/src/view.rs`), each one call into the
//! runtime ([`commands`]).
//!
//! Deliberately not here: any decision about a participant, a card, consent or a reading (the
//! station and `hakaru-kiosk` make them), and anything the UI draws (`ui/`).

pub mod commands;
pub mod startup;
pub mod window;

use hakaru_kiosk::runtime::{Kiosk, KioskSetup};
use std::path::PathBuf;
use tauri::{Manager, RunEvent, Runtime};

/// The label of the one window; `capabilities/kiosk.json` grants the commands to it alone.
pub const WINDOW_LABEL: &str = "kiosk";

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
        .invoke_handler(commands::handler())
}

/// Starts the runtime and runs the app until the window closes or SIGINT/SIGTERM arrives.
pub fn run(config: Option<PathBuf>, started: startup::Started) -> anyhow::Result<()> {
    let setup = KioskSetup::load(config);
    tracing::info!(config = %setup.config_path.display(), ok = setup.config.is_ok(), "kiosk configuration read");
    let kiosk = Kiosk::start(setup, tauri::async_runtime::handle().inner());
    let window_config = kiosk.window();
    let app = with_kiosk(tauri::Builder::<tauri::Wry>::new(), kiosk, started)
        .setup(move |app| {
            window::open(app.handle(), &window_config)?;
            stop_on_signals(app.handle().clone());
            Ok(())
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
