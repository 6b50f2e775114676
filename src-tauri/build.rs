//! Tauri's build step, with an app manifest: every command gets its own `allow-<command>`
//! permission, so `capabilities/kiosk.json` grants the participant window exactly its commands
//! and `capabilities/staff.json` the staff window exactly the `staff_*` ones; nothing else
//! reaches Rust.

/// The commands the shell registers (`src/commands.rs`, `src/staff_commands.rs`).
const COMMANDS: &[&str] = &[
    // The participant window (`capabilities/kiosk.json`).
    "subscribe",
    "answer",
    "wedge_key",
    "demo_scan",
    "demo_step_on",
    "painted",
    "open_staff_sign_in",
    // The staff window (`capabilities/staff.json`).
    "staff_subscribe",
    "staff_sign_in",
    "staff_sign_out",
    "staff_close",
    "staff_touch",
    "staff_register",
    "staff_print_card",
    "staff_queue_add",
    "staff_queue_remove",
    "staff_measure",
    "staff_service_refresh",
    "staff_service_autodetect",
    "staff_service_connect",
    "staff_service_tap",
    "staff_card_test",
    "staff_calibration_start",
    "staff_calibration_read_step",
    "staff_calibration_cancel",
    "staff_analyzer_dates",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step failed / Tauri のビルド手順が失敗しました");
}
