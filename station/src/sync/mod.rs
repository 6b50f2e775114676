//! The station's sync client: a tokio task that drains the outbox to the central server in
//! batches, pulls roster, card, document, purpose and staff changes into the store, and
//! publishes a [`status::SyncStatus`] for the kiosk UI.
//!
//! - [`client::CentralClient`]: the HTTP calls (`POST /v1/events`, `GET /v1/changes`) and the
//!   mapping of every answer to a typed [`error::SyncError`] that knows `is_permanent()` and its
//!   words for a person.
//! - [`backoff::Backoff`]: pure exponential backoff with full jitter (random source injected).
//! - [`worker::SyncWorker`]: one-step methods (`upload_step`, `pull_step`) that tests drive
//!   without timers, and `run`, the loop the kiosk spawns.
//! - [`config::SyncConfig`]: the `[sync]` section of the station's TOML settings.
//!
//! Deliberately not here: what is stored and how (the store's `sync_state` module applies a
//! page with its cursor in one transaction), and drawing the status (the kiosk UI).

pub mod backoff;
pub mod client;
pub mod config;
pub mod error;
pub mod status;
pub mod worker;

pub use backoff::Backoff;
pub use client::{CentralClient, ClientOptions, Credential, PulledPage};
pub use config::{ConfigError, SyncConfig};
pub use error::SyncError;
pub use status::{SyncState, SyncStatus, Words};
pub use worker::{PullStep, SyncWorker, UploadStep, WorkerSettings};
