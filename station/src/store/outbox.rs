//! The outbox: every fact the server must learn, written in the same transaction as the fact
//! with a UUIDv7, kept until the server acknowledges it. A one-step API ([`Store::next_batch`],
//! [`Store::acknowledge`]) lets a sync worker and tests drain it without timers; what to send
//! next is the pure [`plan_batch`].
//!
//! Deliberately not here: HTTP, retries and backoff (the sync worker decides, using
//! [`OutboxError::is_permanent`]).

use super::retention::{drop_acknowledged, InactiveDrop};
use super::{audit, new_id, Store, StoreError};
use crate::domain::{ParticipantNumber, StationId};
use hakaru_wire::api::Ack;
use hakaru_wire::{EventId, EventKind, OutboxEvent, Timestamp};
use rusqlite::{params, Transaction};

/// Why the outbox could not be read or updated.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored event no longer parses: sending it again will never work.
    #[error(
        "送信待ちのデータ {id} が読めません。技術者に連絡してください / \
         queued event {id} cannot be read ({detail}): call a technician"
    )]
    CorruptPayload {
        /// The event id.
        id: String,
        /// The parser's complaint (no values).
        detail: String,
    },
}

impl OutboxError {
    /// Whether retrying can never succeed (a worker should stop and raise an alarm).
    pub fn is_permanent(&self) -> bool {
        match self {
            OutboxError::Store(e) => !e.is_transient(),
            OutboxError::CorruptPayload { .. } => true,
        }
    }
}

impl From<rusqlite::Error> for OutboxError {
    fn from(e: rusqlite::Error) -> Self {
        OutboxError::Store(e.into())
    }
}

/// A queued, unacknowledged event as the planner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingEntry {
    /// Position in the queue (creation order).
    pub seq: i64,
    /// Size of its JSON payload.
    pub bytes: usize,
}

/// How much one batch may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// At most this many events.
    pub max_events: usize,
    /// At most this many payload bytes — except that the oldest event always goes, so one
    /// oversize event cannot block the queue for ever.
    pub max_bytes: usize,
}

impl BatchLimits {
    /// `max_events` events, up to 512 KiB.
    pub fn events(max_events: usize) -> BatchLimits {
        BatchLimits {
            max_events,
            max_bytes: 512 * 1024,
        }
    }
}

/// Decides which pending events go in the next batch: the oldest first, in order, never
/// skipping one (the server must see a consent before the measurements that rely on it),
/// within `limits`. Returns the chosen `seq`s.
pub fn plan_batch(pending: &[PendingEntry], limits: BatchLimits) -> Vec<i64> {
    let mut ordered = pending.to_vec();
    ordered.sort_by_key(|e| e.seq);
    let mut chosen = Vec::new();
    let mut bytes = 0usize;
    for e in ordered.into_iter().take(limits.max_events) {
        if !chosen.is_empty() && bytes.saturating_add(e.bytes) > limits.max_bytes {
            break;
        }
        bytes = bytes.saturating_add(e.bytes);
        chosen.push(e.seq);
    }
    chosen
}

/// Writes one outbox row inside the caller's transaction.
pub(crate) fn enqueue(
    tx: &Transaction<'_>,
    station: &StationId,
    now: Timestamp,
    kind: EventKind,
    fact_id: &str,
    participant: Option<&ParticipantNumber>,
) -> Result<EventId, StoreError> {
    let id = EventId(new_id(now));
    let name = kind.name();
    let event = OutboxEvent {
        id,
        station: station.as_str().to_owned(),
        occurred_at: now,
        kind,
    };
    let payload = serde_json::to_string(&event)?;
    tx.prepare_cached(
        "INSERT INTO outbox (id, kind, fact_id, participant, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id.to_string(),
        name,
        fact_id,
        participant.map(|p| p.as_str()),
        payload,
        now.as_unix_ms()
    ])?;
    Ok(id)
}

impl Store {
    /// The next events to send, oldest first, at most `max` (and 512 KiB).
    pub fn next_batch(&self, max: usize) -> Result<Vec<OutboxEvent>, OutboxError> {
        self.next_batch_within(BatchLimits::events(max))
    }

    /// The next events to send within `limits`.
    pub fn next_batch_within(&self, limits: BatchLimits) -> Result<Vec<OutboxEvent>, OutboxError> {
        let limit = i64::try_from(limits.max_events).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, length(payload) FROM outbox WHERE acked_at IS NULL ORDER BY seq LIMIT ?1",
        )?;
        let pending = stmt
            .query_map([limit], |r| {
                Ok(PendingEntry {
                    seq: r.get(0)?,
                    bytes: r.get::<_, Option<i64>>(1)?.unwrap_or(0) as usize,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let chosen = plan_batch(&pending, limits);
        let mut load = self
            .conn
            .prepare_cached("SELECT id, payload FROM outbox WHERE seq = ?1")?;
        let mut out = Vec::with_capacity(chosen.len());
        for seq in chosen {
            let (id, payload): (String, Option<String>) =
                load.query_row([seq], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let payload = payload.ok_or_else(|| OutboxError::CorruptPayload {
                id: id.clone(),
                detail: "pending event without payload".into(),
            })?;
            let event =
                serde_json::from_str(&payload).map_err(|e| OutboxError::CorruptPayload {
                    id: id.clone(),
                    detail: format!(
                        "{} at line {} column {}",
                        e.classify_name(),
                        e.line(),
                        e.column()
                    ),
                })?;
            out.push(event);
        }
        Ok(out)
    }

    /// Marks events the server acknowledged and drops their payloads (the fact itself stays
    /// until retention). Unknown or already acknowledged ids are ignored, so acknowledging twice
    /// is harmless. Returns how many were newly acknowledged.
    pub fn acknowledge(&mut self, ids: &[EventId], now: Timestamp) -> Result<usize, OutboxError> {
        self.acknowledge_settling(ids, &[], now).map(|(n, _)| n)
    }

    /// [`Store::acknowledge`], settling in the SAME transaction the registrations taken here
    /// that `registration_acks` judge (see [`Store::settle_registrations`]). Returns how many
    /// events were newly acknowledged and how many registrations changed.
    pub fn acknowledge_settling(
        &mut self,
        ids: &[EventId],
        registration_acks: &[Ack],
        now: Timestamp,
    ) -> Result<(usize, usize), OutboxError> {
        let tx = self.conn.transaction()?;
        let settled = super::registrations::settle_in(&tx, registration_acks, now)?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE outbox SET acked_at = ?2, payload = NULL WHERE id = ?1 AND acked_at IS NULL",
            )?;
            for id in ids {
                n += stmt.execute(params![id.to_string(), now.as_unix_ms()])?;
            }
        }
        if n > 0 {
            audit::append(
                &tx,
                now,
                "outbox_acknowledged",
                &serde_json::json!({ "events": n }),
            )?;
            drop_inactive_once_acknowledged(&tx, now)?;
        }
        tx.commit()?;
        Ok((n, settled))
    }

    /// How many events wait for acknowledgement.
    pub fn pending_events(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE acked_at IS NULL",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "data",
            serde_json::error::Category::Eof => "eof",
        }
    }
}

/// A withdrawn or stopped participant's facts that were still unsent when the roster said so
/// were kept (nothing is lost); once the server has acknowledged them, they go too, in the
/// acknowledgement's transaction, with one audit row of counts (no participant number).
fn drop_inactive_once_acknowledged(tx: &Transaction<'_>, now: Timestamp) -> Result<(), StoreError> {
    let numbers: Vec<String> = tx
        .prepare_cached(
            "SELECT DISTINCT o.participant FROM outbox o
             JOIN participants p ON p.number = o.participant
             WHERE o.acked_at = ?1 AND p.status IN ('withdrawn', 'stopped')",
        )?
        .query_map([now.as_unix_ms()], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if numbers.is_empty() {
        return Ok(());
    }
    let mut dropped = InactiveDrop::default();
    for n in &numbers {
        let number = ParticipantNumber::new(n)
            .map_err(|_| StoreError::Corrupt("participant number in the outbox".into()))?;
        drop_acknowledged(tx, &number, &mut dropped)?;
    }
    audit::append(
        tx,
        now,
        "inactive_participants_dropped",
        &serde_json::json!({
            "when": "acknowledged", "participants": dropped.participants,
            "measurements": dropped.measurements, "points": dropped.points,
            "consents": dropped.consents, "outbox_events": dropped.outbox_events,
            "kept_unsent_events": dropped.kept_unsent,
        }),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn e(seq: i64, bytes: usize) -> PendingEntry {
        PendingEntry { seq, bytes }
    }

    const LIMITS: BatchLimits = BatchLimits {
        max_events: 3,
        max_bytes: 100,
    };

    #[rstest]
    #[case::nothing_pending_sends_nothing(vec![], LIMITS, vec![])]
    #[case::fewer_than_the_cap_sends_all(vec![e(1, 10), e(2, 10)], LIMITS, vec![1, 2])]
    #[case::count_cap_keeps_the_oldest(vec![e(1, 1), e(2, 1), e(3, 1), e(4, 1)], LIMITS, vec![1, 2, 3])]
    #[case::byte_budget_stops_before_overflow(vec![e(1, 60), e(2, 30), e(3, 20)], LIMITS, vec![1, 2])]
    #[case::byte_budget_exactly_full_is_allowed(vec![e(1, 50), e(2, 50), e(3, 1)], LIMITS, vec![1, 2])]
    #[case::oversize_oldest_goes_alone(vec![e(1, 500), e(2, 1)], LIMITS, vec![1])]
    #[case::oversize_later_event_is_not_skipped_over(vec![e(1, 10), e(2, 500), e(3, 1)], LIMITS, vec![1])]
    #[case::unsorted_input_is_sent_in_creation_order(vec![e(3, 1), e(1, 1), e(2, 1)], LIMITS, vec![1, 2, 3])]
    #[case::zero_max_events_sends_nothing(vec![e(1, 1)], BatchLimits { max_events: 0, max_bytes: 100 }, vec![])]
    fn planner(
        #[case] pending: Vec<PendingEntry>,
        #[case] limits: BatchLimits,
        #[case] expected: Vec<i64>,
    ) {
        assert_eq!(plan_batch(&pending, limits), expected);
    }

    #[test]
    fn busy_database_is_transient_but_corrupt_payload_is_permanent() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert!(!OutboxError::from(busy).is_permanent());
        let corrupt = OutboxError::CorruptPayload {
            id: "x".into(),
            detail: "syntax".into(),
        };
        assert!(corrupt.is_permanent());
        let constraint = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT),
            None,
        );
        assert!(OutboxError::from(constraint).is_permanent());
    }
}
