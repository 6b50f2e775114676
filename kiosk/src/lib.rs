//! The kiosk's runtime without Tauri: its configuration, the assembly of station, devices and
//! sync into one running kiosk, and the view the UI is told ([`view`]). The Tauri shell
//! (`src-tauri/`) only starts this and forwards its events and commands.
//!
//! - [`config`]: the settings file and its problems worded for the "not configured" screen.
//! - [`runtime`]: [`Kiosk`], the handle the shell calls; replay + live events.
//! - `assemble`: store, station, analyzer link or simulator, card readers, sync worker, tasks.
//! - `present`: session events → screens, notices, results with ranges and trend, points.
//! - [`demo`]: demo mode's cards file.
//! - `staff`: staff and technician modes (sign-in, registration, queue, printing, service,
//!   calibration), the staff window's hub.
//! - `printing`: one card on an A4 sheet, to `lp`, a folder or the print dialog.
//! - [`staff_view`]: the staff window's half of the IPC contract (staff and technician modes).
//!
//! Deliberately not here: Tauri, windows, anything the UI draws, and every decision the station
//! makes (consent, recording, cards — `hakaru-station`).

mod assemble;
pub mod config;
pub mod demo;
pub mod ipc_types;
mod present;
mod printing;
pub mod ranges;
pub mod runtime;
mod staff;
pub mod staff_view;
pub mod view;

pub use config::{ConfigError, KioskConfig};
pub use runtime::{Kiosk, KioskSetup, Subscription, WindowConfig};
pub use staff::StaffSubscription;
