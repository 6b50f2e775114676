//! Calibration checks and analyzer dates in the store: each check is one `calibrations` row,
//! its outbox `calibration_recorded` event and an audit row, written together; the analyzer's
//! legal-metrology dates (検定 / 定期検査); the persisted "analyzer swapped" flag; and the
//! facts the calibration gate is decided on.
//!
//! Deliberately not here: the check's arithmetic and the gate's rules (`crate::calibration`),
//! sending the events (the sync worker). Nothing here is personal: serial numbers, dates and
//! the technician's login only.

use super::{audit, outbox, Store, StoreError};
use crate::calibration::gate::{decide, GateFacts, NewestCheck};
use crate::calibration::{date_text, parse_date, AnalyzerDates, Gate};
use crate::domain::Date;
use hakaru_devices::serial::AnalyzerIdentity;
use hakaru_wire::event::EventKind;
use hakaru_wire::{CalibrationRecorded, EventId, Timestamp};
use rusqlite::{params, OptionalExtension};

/// The settings key of the persisted swap flag (its value: the serial number seen).
const SWAP_KEY: &str = "calibration.swapped_serial";

/// One recorded check, for the technician's list.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationSummary {
    /// The event id (also the row id).
    pub id: EventId,
    /// When it was recorded.
    pub checked_at: Timestamp,
    /// The record as sent to the server.
    pub record: CalibrationRecorded,
    /// Whether the server has acknowledged it.
    pub synced: bool,
}

fn opt_date(s: Option<String>) -> Result<Option<Date>, StoreError> {
    s.filter(|s| !s.is_empty())
        .map(|s| parse_date(&s).ok_or_else(|| StoreError::Corrupt(format!("date {s:?}"))))
        .transpose()
}

impl Store {
    /// Records a finished check: `calibrations` row + outbox `calibration_recorded` + audit row,
    /// one transaction. A passed check clears the persisted swap flag (the technician has just
    /// checked the analyzer that is connected). Returns the event id.
    pub fn record_calibration(
        &mut self,
        rec: &CalibrationRecorded,
        wall: Timestamp,
    ) -> Result<EventId, StoreError> {
        let station = self.require_station()?;
        let body = serde_json::to_string(rec)?;
        let tx = self.conn.transaction()?;
        let fact_id = super::new_id(wall).to_string();
        let event = outbox::enqueue(
            &tx,
            &station,
            wall,
            EventKind::CalibrationRecorded(rec.clone()),
            &fact_id,
            None,
        )?;
        tx.execute(
            "INSERT INTO calibrations (id, analyzer_serial, analyzer_model, technician, checked_at,
                                       passed, next_check_due, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                event.to_string(),
                rec.analyzer_serial,
                rec.analyzer_model,
                rec.technician,
                wall.as_unix_ms(),
                rec.passed,
                (!rec.next_check_due.is_empty()).then_some(&rec.next_check_due),
                body
            ],
        )?;
        let mut cleared = false;
        if rec.passed {
            cleared = tx.execute("DELETE FROM settings WHERE key = ?1", [SWAP_KEY])? > 0;
        }
        audit::append(
            &tx,
            wall,
            "calibration_recorded",
            &serde_json::json!({
                "event": event.to_string(),
                "serial": rec.analyzer_serial,
                "model": rec.analyzer_model,
                "technician": rec.technician,
                "passed": rec.passed,
                "swap_flag_cleared": cleared,
            }),
        )?;
        tx.commit()?;
        Ok(event)
    }

    /// Stores an analyzer's legal-metrology dates (replacing earlier ones); audited with the
    /// staff member's login.
    pub fn set_analyzer_dates(
        &mut self,
        model: &str,
        serial: &str,
        dates: &AnalyzerDates,
        staff_login: &str,
        wall: Timestamp,
    ) -> Result<(), StoreError> {
        let text = |d: Option<Date>| d.map(date_text);
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO analyzers (serial, model, verified_on, last_inspection, inspection_due, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (serial) DO UPDATE SET model = excluded.model,
                 verified_on = excluded.verified_on, last_inspection = excluded.last_inspection,
                 inspection_due = excluded.inspection_due, updated_at = excluded.updated_at",
            params![
                serial,
                model,
                text(dates.verified_on),
                text(dates.last_inspection),
                text(dates.inspection_due),
                wall.as_unix_ms()
            ],
        )?;
        audit::append(
            &tx,
            wall,
            "analyzer_dates_set",
            &serde_json::json!({
                "serial": serial,
                "model": model,
                "verified_on": text(dates.verified_on),
                "last_inspection": text(dates.last_inspection),
                "inspection_due": text(dates.inspection_due),
                "by": staff_login,
            }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// An analyzer's model and dates, if any were stored.
    pub fn analyzer(&self, serial: &str) -> Result<Option<(String, AnalyzerDates)>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT model, verified_on, last_inspection, inspection_due FROM analyzers WHERE serial = ?1",
                [serial],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(model, v, l, i)| {
            Ok((
                model,
                AnalyzerDates {
                    verified_on: opt_date(v)?,
                    last_inspection: opt_date(l)?,
                    inspection_due: opt_date(i)?,
                },
            ))
        })
        .transpose()
    }

    /// The newest `limit` checks, newest first, each with whether the server acknowledged it.
    pub fn calibrations(&self, limit: usize) -> Result<Vec<CalibrationSummary>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT c.id, c.checked_at, c.body,
                    NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = c.id AND o.acked_at IS NULL)
             FROM calibrations c ORDER BY c.checked_at DESC, c.rowid DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at, body, synced) = row?;
            let id = uuid::Uuid::parse_str(&id)
                .map_err(|_| StoreError::Corrupt(format!("calibration id {id:?}")))?;
            out.push(CalibrationSummary {
                id: EventId(id),
                checked_at: Timestamp::from_unix_ms(at),
                record: serde_json::from_str(&body)?,
                synced,
            });
        }
        Ok(out)
    }

    /// The newest check as the gate needs it.
    pub(crate) fn newest_check(&self) -> Result<Option<NewestCheck>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT c.analyzer_serial, c.passed, c.next_check_due, a.inspection_due
                 FROM calibrations c LEFT JOIN analyzers a ON a.serial = c.analyzer_serial
                 ORDER BY c.checked_at DESC, c.rowid DESC LIMIT 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, bool>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(serial, passed, due, inspection)| {
            Ok(NewestCheck {
                serial,
                passed,
                next_check_due: opt_date(due)?,
                inspection_due: opt_date(inspection)?,
            })
        })
        .transpose()
    }

    /// The serial number of the analyzer last seen in place of the checked one, while no check
    /// has passed since.
    pub fn swapped_serial(&self) -> Result<Option<String>, StoreError> {
        self.setting(SWAP_KEY)
    }

    /// Persists that analyzer `seen` reported itself while `checked` is the one checked (so a
    /// restart keeps the gate closed); audited.
    pub fn mark_analyzer_swapped(
        &mut self,
        seen: &str,
        checked: &str,
        wall: Timestamp,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [SWAP_KEY, seen],
        )?;
        audit::append(
            &tx,
            wall,
            "analyzer_swapped",
            &serde_json::json!({ "seen": seen, "checked": checked }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Whether participants may measure on `today` with the `connected` analyzer (see
    /// [`crate::calibration::gate::decide`]).
    pub fn gate(
        &self,
        connected: Option<&AnalyzerIdentity>,
        today: Date,
    ) -> Result<Gate, StoreError> {
        self.gate_on(connected, Some(today))
    }

    /// [`Store::gate`] with the date rules skipped when `today` is unknown.
    pub(crate) fn gate_on(
        &self,
        connected: Option<&AnalyzerIdentity>,
        today: Option<Date>,
    ) -> Result<Gate, StoreError> {
        let newest = self.newest_check()?;
        let swap_flagged = self.swapped_serial()?.is_some();
        Ok(decide(&GateFacts {
            newest: newest.as_ref(),
            connected_serial: connected.and_then(|c| c.serial_number.as_deref()),
            swap_flagged,
            today,
        }))
    }
}
