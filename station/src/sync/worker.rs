//! The sync worker: owns its own store connection and a [`CentralClient`]; drains the outbox in
//! batches and pulls the change feed. One-step methods ([`SyncWorker::upload_step`],
//! [`SyncWorker::pull_step`]) let tests drain it without timers; [`SyncWorker::run`] is the
//! loop the kiosk spawns: uploads until empty, pulls until up to date, then waits for the poll
//! interval or a wake-up; a passing failure backs off, a permanent one stops all requests and
//! says why in the status.
//!
//! Deliberately not here: HTTP details (the client), applying changes (the store), and the
//! retry arithmetic (the backoff).
//!
//! An acknowledgement of either outcome (accepted or held) acknowledges the event: the server
//! holds it durably from then on. Held events are logged by event id and reason only. Points
//! answers are stored before the acknowledgement, so a crash between the two re-sends the
//! events and stores the same answers again — never loses them. Likewise the server's verdict
//! on a registration taken here (accepted with the card it issued, or a conflict, ineligible,
//! full) settles its `registrations` row in the acknowledgement's own transaction; a replayed
//! acknowledgement settles it the same way again. Card tokens are never logged.

use super::backoff::Backoff;
use super::client::CentralClient;
use super::config::{ConfigError, SyncConfig};
use super::error::SyncError;
use super::status::{SyncState, SyncStatus};
use crate::scale_feed::Clock;
use crate::store::{AppliedChanges, Store, StoreConfig, StoreError};
use hakaru_wire::api::{Ack, AckOutcome, PointsAward, UploadRequest};
use hakaru_wire::{EventId, EventKind};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use uuid::Uuid;

/// What one upload step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadStep {
    /// A batch went and the server acknowledged some or all of it.
    Sent {
        /// Events sent.
        events: usize,
        /// Events the server acknowledged (now dropped from the queue).
        acked: usize,
        /// Of those, events the server holds for an administrator.
        held: usize,
    },
    /// Nothing waits.
    Empty,
}

/// What one pull step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullStep {
    /// A page was applied.
    Applied {
        /// What it changed (counts, the new cursor).
        changes: AppliedChanges,
        /// Entries that did not even decode (skipped, like malformed ones).
        undecodable: u32,
        /// More changes wait: pull again at once.
        more: bool,
    },
    /// Nothing new since the cursor.
    UpToDate,
}

/// How the worker paces itself.
#[derive(Debug)]
pub struct WorkerSettings {
    /// Events per upload.
    pub batch_size: usize,
    /// Changes per pull.
    pub changes_limit: u32,
    /// Wait between rounds when everything is sent.
    pub poll_interval: Duration,
    /// Delays after failures.
    pub backoff: Backoff,
}

impl Default for WorkerSettings {
    /// 500 per batch and page, 30 s between rounds, backoff 1 s … 5 min.
    fn default() -> Self {
        WorkerSettings {
            batch_size: 500,
            changes_limit: 500,
            poll_interval: Duration::from_secs(30),
            backoff: Backoff::with_defaults(),
        }
    }
}

/// The sync worker. Spawn [`SyncWorker::run`] on the kiosk's runtime; watch the status with
/// [`SyncWorker::subscribe`]. Its store calls are short single transactions made on the
/// worker's own connection (WAL lets it write beside the kiosk's; both wait up to the store's
/// busy timeout for each other).
pub struct SyncWorker<C: Clock = crate::scale_feed::SystemClock> {
    store: Store,
    client: CentralClient,
    clock: C,
    settings: WorkerSettings,
    /// Shrinks after a 413, back to `settings.batch_size` after a success.
    batch: usize,
    /// Set by a permanent failure: no request is made any more.
    halted: Option<SyncError>,
    /// The last failure's text, told to the server with the next upload.
    last_error_text: Option<String>,
    status: watch::Sender<SyncStatus>,
}

impl<C: Clock> std::fmt::Debug for SyncWorker<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncWorker")
            .field("client", &self.client)
            .field("batch", &self.batch)
            .field("halted", &self.halted)
            .finish_non_exhaustive()
    }
}

impl<C: Clock> SyncWorker<C> {
    /// A worker over its own `store` connection (open a second [`Store`] on the kiosk's files).
    pub fn new(
        store: Store,
        client: CentralClient,
        settings: WorkerSettings,
        clock: C,
    ) -> Result<SyncWorker<C>, StoreError> {
        let initial = SyncStatus::starting(store.pending_events()?, store.sync_cursor()?);
        let (status, _) = watch::channel(initial);
        let batch = settings.batch_size.max(1);
        Ok(SyncWorker {
            store,
            client,
            clock,
            settings,
            batch,
            halted: None,
            last_error_text: None,
            status,
        })
    }

    /// Opens the worker's own connection to the store at `store_config` and builds the client
    /// from `config` (credential file, certificate, timeouts).
    pub fn from_config(
        config: &SyncConfig,
        store_config: &StoreConfig,
        clock: C,
    ) -> Result<SyncWorker<C>, ConfigError> {
        config.validate()?;
        let client = config.client()?;
        let store = Store::open(store_config)?;
        Ok(SyncWorker::new(
            store,
            client,
            config.worker_settings(),
            clock,
        )?)
    }

    /// The status channel (the kiosk UI keeps a receiver).
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    /// The status now.
    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// The worker's store connection (e.g. to read points answers in tests).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Records a failure: permanent ones halt the worker. Returns the error for `?`.
    fn failed(&mut self, e: SyncError) -> SyncError {
        let state = if !e.is_permanent() {
            SyncState::Offline
        } else if e == SyncError::CredentialRefused {
            SyncState::CredentialRefused
        } else {
            SyncState::Stopped
        };
        if e == SyncError::TooLarge {
            self.batch = (self.batch / 2).max(1);
        }
        if e.is_permanent() {
            tracing::error!(error = %e, "sync stopped: no more requests until restarted");
            self.halted = Some(e.clone());
        } else {
            tracing::warn!(error = %e, "sync attempt failed; will retry");
        }
        self.last_error_text = Some(e.to_string());
        let backlog = self.store.pending_events().ok();
        self.status.send_modify(|s| {
            s.state = state;
            s.last_error = Some(e.words());
            if let Some(b) = backlog {
                s.backlog = b;
            }
        });
        e
    }

    fn succeeded(&mut self, backlog: u64, cursor: u64, skipped: u64) {
        let now = self.clock.wall();
        self.last_error_text = None;
        self.batch = self.settings.batch_size.max(1);
        self.status.send_modify(|s| {
            s.state = SyncState::Online;
            s.backlog = backlog;
            s.cursor = cursor;
            s.last_success = Some(now);
            s.last_error = None;
            s.skipped_changes += skipped;
        });
    }

    fn check_halted(&self) -> Result<(), SyncError> {
        match &self.halted {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Sends the next batch (oldest first) and drops what the server acknowledged.
    pub async fn upload_step(&mut self) -> Result<UploadStep, SyncError> {
        self.check_halted()?;
        match self.upload_inner().await {
            Ok(step) => Ok(step),
            Err(e) => Err(self.failed(e)),
        }
    }

    async fn upload_inner(&mut self) -> Result<UploadStep, SyncError> {
        let events = self.store.next_batch(self.batch)?;
        let pending = self.store.pending_events()?;
        if events.is_empty() {
            let cursor = self.store.sync_cursor()?;
            self.status.send_modify(|s| {
                s.backlog = pending;
                s.cursor = cursor;
            });
            return Ok(UploadStep::Empty);
        }
        let sent: HashMap<EventId, Option<Uuid>> = events
            .iter()
            .map(|e| {
                let measurement = match &e.kind {
                    EventKind::MeasurementRecorded(m) => Some(m.measurement_id),
                    _ => None,
                };
                (e.id, measurement)
            })
            .collect();
        let registered: HashSet<EventId> = events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::ParticipantRegistered(_)))
            .map(|e| e.id)
            .collect();
        let request = UploadRequest {
            backlog_after: pending.saturating_sub(events.len() as u64),
            events,
            last_error: self.last_error_text.clone(),
        };
        let response = self.client.upload(&request).await?;
        let mut ids = Vec::with_capacity(response.acks.len());
        let mut points: Vec<(Uuid, &PointsAward)> = Vec::new();
        let mut registrations: Vec<Ack> = Vec::new();
        let mut held = 0usize;
        let mut unknown = 0usize;
        for ack in &response.acks {
            let Some(measurement) = sent.get(&ack.id) else {
                unknown += 1;
                continue;
            };
            ids.push(ack.id);
            if registered.contains(&ack.id) {
                registrations.push(ack.clone());
            }
            if let AckOutcome::Held { reason } = &ack.outcome {
                held += 1;
                tracing::warn!(event = %ack.id, reason = ?reason, "event held by the server for an administrator");
            }
            if let (Some(m), Some(p)) = (measurement, &ack.points) {
                points.push((*m, p));
            }
        }
        if unknown > 0 {
            tracing::warn!(
                unknown,
                "acknowledgements for events not in the batch ignored"
            );
        }
        if ids.is_empty() {
            return Err(SyncError::Protocol(
                "the answer acknowledged none of the events sent".into(),
            ));
        }
        let now = self.clock.wall();
        self.store.record_points_acks(&points, now)?;
        let (acked, settled) = self.store.acknowledge_settling(&ids, &registrations, now)?;
        if settled > 0 {
            tracing::info!(settled, "registrations settled by the server");
        }
        let backlog = self.store.pending_events()?;
        let cursor = self.store.sync_cursor()?;
        self.succeeded(backlog, cursor, 0);
        Ok(UploadStep::Sent {
            events: sent.len(),
            acked,
            held,
        })
    }

    /// Pulls one change-feed page after the stored cursor and applies it with the cursor.
    pub async fn pull_step(&mut self) -> Result<PullStep, SyncError> {
        self.check_halted()?;
        match self.pull_inner().await {
            Ok(step) => Ok(step),
            Err(e) => Err(self.failed(e)),
        }
    }

    async fn pull_inner(&mut self) -> Result<PullStep, SyncError> {
        let since = self.store.sync_cursor()?;
        let pulled = self
            .client
            .changes(since, self.settings.changes_limit)
            .await?;
        let nothing = pulled.page.changes.is_empty() && pulled.undecodable == 0;
        if nothing && pulled.page.next_cursor <= since {
            if pulled.page.more {
                return Err(SyncError::Protocol(
                    "the change feed says more waits but sends nothing".into(),
                ));
            }
            let backlog = self.store.pending_events()?;
            self.succeeded(backlog, since, 0);
            return Ok(PullStep::UpToDate);
        }
        let changes = self.store.apply_changes(&pulled.page, self.clock.wall())?;
        if pulled.page.more && changes.cursor <= since {
            return Err(SyncError::Protocol(
                "the change feed says more waits but its cursor does not move".into(),
            ));
        }
        let backlog = self.store.pending_events()?;
        let skipped = u64::from(changes.skipped) + u64::from(pulled.undecodable);
        self.succeeded(backlog, changes.cursor, skipped);
        Ok(PullStep::Applied {
            changes,
            undecodable: pulled.undecodable,
            more: pulled.page.more,
        })
    }

    /// One round: uploads until the outbox is empty, then pulls until up to date.
    pub async fn sync_once(&mut self) -> Result<(), SyncError> {
        while let UploadStep::Sent { .. } = self.upload_step().await? {}
        while let PullStep::Applied { more: true, .. } = self.pull_step().await? {}
        Ok(())
    }

    /// Syncs until `shutdown` completes: a round, then the poll interval or `wake` (the kiosk
    /// notifies it after recording); after a passing failure the backoff delay (wake-ups do
    /// not cut it short); after a permanent one, nothing until shutdown. A request cut by
    /// shutdown is harmless: the server's ingest is idempotent by event id.
    pub async fn run(mut self, shutdown: impl Future<Output = ()>, wake: Arc<Notify>) {
        tokio::pin!(shutdown);
        loop {
            let result = tokio::select! {
                () = &mut shutdown => break,
                r = self.sync_once() => r,
            };
            match result {
                Ok(()) => {
                    self.settings.backoff.reset();
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(self.settings.poll_interval) => {}
                        () = wake.notified() => {}
                    }
                }
                Err(_) if self.halted.is_some() => {
                    shutdown.await;
                    break;
                }
                Err(e) => {
                    let delay = self.settings.backoff.next_delay(e.retry_after());
                    tracing::info!(delay_ms = delay.as_millis() as u64, "sync retry scheduled");
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
        tracing::info!("sync worker stopped");
    }
}
