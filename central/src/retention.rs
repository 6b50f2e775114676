//! The server's own retention schedule: transfer records (提供記録) older than the statutory
//! period (`[privacy] transfer_record_years`, 3 by default) are purged when the server starts and
//! once a day after that, by the server itself (the audit log names `server`), each run writing
//! one audit row with its count. "Kept three years, then purged" therefore does not depend on an
//! administrator remembering `admin ledger purge` (which stays, for purging at once).
//!
//! Deliberately not here: what a purge deletes (`ExportStorage::purge_transfer_records`) and the
//! cutoff arithmetic (`export::dates::retention_cutoff`, Japan time).

use crate::api::Clock;
use crate::export::dates::retention_cutoff;
use crate::storage::{Storage, StorageError};
use hakaru_wire::Timestamp;
use std::sync::Arc;
use std::time::Duration;

/// How often the server purges.
pub const PURGE_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);

/// Minutes east of UTC of the calendar the retention years are counted in (Japan).
const JAPAN_MINUTES: i32 = 540;

/// Purges every transfer record made before the cutoff of `years` at `now`; returns how many.
pub async fn purge_expired(
    storage: &dyn Storage,
    years: u32,
    now: Timestamp,
) -> Result<u64, StorageError> {
    let cutoff = retention_cutoff(now, years, JAPAN_MINUTES);
    storage.purge_transfer_records(cutoff, now).await
}

/// Purges now and then every `interval`, until the task is dropped. A failed run is logged
/// and tried again at the next one (the records are only kept a little longer).
pub async fn run(storage: Arc<dyn Storage>, years: u32, clock: Clock, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match purge_expired(storage.as_ref(), years, clock()).await {
            Ok(purged) => tracing::info!(purged, years, "transfer records past retention purged"),
            Err(e) => tracing::warn!(
                error = %e,
                "transfer-record purge failed; it runs again at the next interval"
            ),
        }
    }
}
