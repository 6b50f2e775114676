//! The kiosk's runtime without Tauri: its configuration, the assembly of station, devices and
//! sync into one running kiosk, and the view the UI is told ([`view`]). The Tauri shell
//! (`src-tauri/`) only starts this and forwards its events and commands.
//!
//! Deliberately not here: Tauri, windows, anything the UI draws, and every decision the station
//! makes (consent, recording, cards — `hakaru-station`).

pub mod ipc_types;
pub mod view;
