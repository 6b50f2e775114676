//! Retention: measurements the server acknowledged are purged after a configurable number of
//! days (default 30); participants removed on the server are purged whole when the roster sync
//! says so; participants marked withdrawn or stopped lose what the server already has of them
//! (their roster entry and cards stay so the kiosk can explain; unsent events stay queued).
//! Each purge writes one audit row — what, how many, when — never data.
//!
//! Deliberately not here: deciding who is withdrawn (the server) or when to run (the app's
//! scheduler calls [`Store::purge_expired`] with the time).

use super::{audit, Store, StoreError};
use crate::domain::ParticipantNumber;
use hakaru_wire::Timestamp;
use rusqlite::Transaction;

/// Days an acknowledged measurement stays on the station unless configured otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;

const RETENTION_KEY: &str = "retention_days";

/// Why participants leave the roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterRemoval {
    /// The participant withdrew from the program.
    Withdrawn,
    /// Use was stopped (利用停止 / 消去 request, or the program ended for them).
    Stopped,
}

impl RosterRemoval {
    fn name(self) -> &'static str {
        match self {
            RosterRemoval::Withdrawn => "withdrawn",
            RosterRemoval::Stopped => "stopped",
        }
    }
}

/// What a purge removed (counts only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Measurements deleted.
    pub measurements: u64,
    /// Outbox rows deleted.
    pub outbox_events: u64,
    /// Consent rows deleted.
    pub consents: u64,
    /// Card rows deleted.
    pub cards: u64,
    /// Roster entries deleted.
    pub participants: u64,
}

/// Runs `f` with the measurement-delete gate open; the gate is closed again in the same
/// transaction, so it is never left open.
fn with_gate<T>(
    tx: &Transaction<'_>,
    f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    tx.execute("UPDATE purge_gate SET open = 1 WHERE singleton = 1", [])?;
    let out = f(tx)?;
    tx.execute("UPDATE purge_gate SET open = 0 WHERE singleton = 1", [])?;
    Ok(out)
}

/// Deletes one participant and everything the station holds about them (measurements,
/// consents, cards, queued events) inside the caller's transaction, adding the counts to
/// `into`. Shared by [`Store::purge_participants`] and the change feed's removals.
pub(crate) fn purge_participant(
    tx: &Transaction<'_>,
    number: &ParticipantNumber,
    into: &mut PurgeReport,
) -> Result<(), StoreError> {
    let p = number.as_str();
    into.measurements += with_gate(tx, |tx| {
        Ok(tx.execute("DELETE FROM measurements WHERE participant = ?1", [p])? as u64)
    })?;
    into.outbox_events += tx.execute("DELETE FROM outbox WHERE participant = ?1", [p])? as u64;
    into.consents += tx.execute("DELETE FROM consents WHERE participant = ?1", [p])? as u64;
    into.cards += tx.execute("DELETE FROM cards WHERE participant = ?1", [p])? as u64;
    tx.execute("DELETE FROM registrations WHERE participant = ?1", [p])?;
    into.participants += tx.execute("DELETE FROM participants WHERE number = ?1", [p])? as u64;
    Ok(())
}

/// What dropping a withdrawn or stopped participant's acknowledged data removed, and what it
/// kept because the server has not acknowledged it yet (counts only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct InactiveDrop {
    /// Participants newly or again marked withdrawn / stopped.
    pub participants: u64,
    /// Acknowledged measurements deleted (with their history and points answers).
    pub measurements: u64,
    /// Points answers deleted.
    pub points: u64,
    /// Consent rows deleted (their events acknowledged).
    pub consents: u64,
    /// Acknowledged outbox rows deleted (their payloads were already cleared).
    pub outbox_events: u64,
    /// Outbox events not yet acknowledged: kept, they still go to the server.
    pub kept_unsent: u64,
}

/// A participant became withdrawn or stopped: deletes, inside the caller's transaction, what
/// the station holds of them that the server already has — measurements and consents whose
/// events were acknowledged, their points answers and acknowledged outbox rows — and keeps
/// every fact whose event is still unsent (nothing is lost; the retention purge takes those
/// once acknowledged). The roster entry stays (status with it) so the kiosk can explain, and
/// the card rows stay: without them a scanned card could not be recognised, only called
/// "unknown"; they hold holder numbers, serials and tag hashes, no personal values.
pub(crate) fn drop_acknowledged(
    tx: &Transaction<'_>,
    number: &ParticipantNumber,
    into: &mut InactiveDrop,
) -> Result<(), StoreError> {
    let p = number.as_str();
    // A fact is still needed while an unacknowledged event for it is queued.
    const SETTLED: &str =
        "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.fact_id = {t}.id AND o.acked_at IS NULL)";
    let settled = |t: &str| SETTLED.replace("{t}", t);
    into.participants += 1;
    into.points += tx.execute(
        &format!(
            "DELETE FROM points_acks WHERE measurement_id IN
               (SELECT m.id FROM measurements m WHERE m.participant = ?1 AND {})",
            settled("m")
        ),
        [p],
    )? as u64;
    into.measurements += with_gate(tx, |tx| {
        Ok(tx.execute(
            &format!(
                "DELETE FROM measurements WHERE participant = ?1 AND {}",
                settled("measurements")
            ),
            [p],
        )? as u64)
    })?;
    into.consents += tx.execute(
        &format!(
            "DELETE FROM consents WHERE participant = ?1 AND {}",
            settled("consents")
        ),
        [p],
    )? as u64;
    into.outbox_events += tx.execute(
        "DELETE FROM outbox WHERE participant = ?1 AND acked_at IS NOT NULL",
        [p],
    )? as u64;
    into.kept_unsent += tx.query_row(
        "SELECT count(*) FROM outbox WHERE participant = ?1 AND acked_at IS NULL",
        [p],
        |r| r.get::<_, i64>(0),
    )? as u64;
    Ok(())
}

impl Store {
    /// Days acknowledged measurements are kept.
    pub fn retention_days(&self) -> Result<u32, StoreError> {
        match self.setting(RETENTION_KEY)? {
            None => Ok(DEFAULT_RETENTION_DAYS),
            Some(v) => v
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("{RETENTION_KEY} = {v:?}"))),
        }
    }

    /// Changes the retention period (audited).
    pub fn set_retention_days(&mut self, days: u32, now: Timestamp) -> Result<(), StoreError> {
        self.set_setting(RETENTION_KEY, &days.to_string(), now)
    }

    /// Deletes measurements taken more than the retention period before `now` whose outbox
    /// event the server acknowledged, and acknowledged outbox rows of the same age.
    /// Unacknowledged measurements are never purged.
    pub fn purge_expired(&mut self, now: Timestamp) -> Result<PurgeReport, StoreError> {
        let days = self.retention_days()?;
        let cutoff = now.minus_days(days).as_unix_ms();
        let tx = self.conn.transaction()?;
        let measurements = with_gate(&tx, |tx| {
            Ok(tx.execute(
                "DELETE FROM measurements WHERE taken_at < ?1 AND id IN
                   (SELECT fact_id FROM outbox WHERE kind = 'measurement_recorded' AND acked_at IS NOT NULL)",
                [cutoff],
            )?)
        })?;
        let outbox_events = tx.execute(
            "DELETE FROM outbox WHERE acked_at IS NOT NULL AND created_at < ?1
               AND NOT EXISTS (SELECT 1 FROM measurements m WHERE m.id = outbox.fact_id)",
            [cutoff],
        )?;
        let report = PurgeReport {
            measurements: measurements as u64,
            outbox_events: outbox_events as u64,
            ..PurgeReport::default()
        };
        audit::append(
            &tx,
            now,
            "retention_purge",
            &serde_json::json!({
                "what": "acknowledged measurements", "older_than_days": days,
                "measurements": report.measurements, "outbox_events": report.outbox_events,
            }),
        )?;
        tx.commit()?;
        tracing::info!(measurements = report.measurements, "retention purge");
        Ok(report)
    }

    /// Removes participants the server reports withdrawn or stopped, with everything the
    /// station holds about them: measurements, consents, cards, queued events. One audit row
    /// with the counts (no participant numbers).
    pub fn purge_participants(
        &mut self,
        numbers: &[ParticipantNumber],
        reason: RosterRemoval,
        now: Timestamp,
    ) -> Result<PurgeReport, StoreError> {
        let tx = self.conn.transaction()?;
        let mut report = PurgeReport::default();
        for n in numbers {
            purge_participant(&tx, n, &mut report)?;
        }
        audit::append(
            &tx,
            now,
            "participants_purged",
            &serde_json::json!({
                "reason": reason.name(), "participants": report.participants,
                "measurements": report.measurements, "consents": report.consents,
                "cards": report.cards, "outbox_events": report.outbox_events,
            }),
        )?;
        tx.commit()?;
        tracing::info!(
            participants = report.participants,
            reason = reason.name(),
            "participants purged"
        );
        Ok(report)
    }
}
