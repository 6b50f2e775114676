//! Tauri's build step, with an app manifest: every command gets its own `allow-<command>`
//! permission, so `capabilities/kiosk.json` grants the kiosk window exactly these and nothing else
//! reaches Rust.

/// The commands the shell registers (`src/commands.rs`); each one is granted in
/// `capabilities/kiosk.json`.
const COMMANDS: &[&str] = &[
    "subscribe",
    "answer",
    "wedge_key",
    "demo_scan",
    "demo_step_on",
    "painted",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step failed / Tauri のビルド手順が失敗しました");
}
