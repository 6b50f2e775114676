//! Recording facts: a measurement (with its outbox row and audit row) or a consent decision
//! (likewise), each in ONE transaction that is durable before the call returns; and reading
//! them back for the results screen.
//!
//! Weight-only recording (implanted electronic device) keeps no impedance-derived value at all:
//! the stored reading is rebuilt from an allow-list of weight and profile fields, and the raw
//! frame is kept only when it carries nothing else. Deliberately not here: judging a reading
//! (ranges, points) and checking it against the preset (the session).

use super::{audit, outbox, Store, StoreError};
use crate::domain::{ConsentDecision, ConsentMethod, ParticipantNumber, PurposeId, StationId};
use hakaru_devices::redact::Sensitive;
use hakaru_devices::scale::{Reading, WeightReading};
use hakaru_wire::{
    ConsentAction, ConsentRecorded, EventId, EventKind, MeasurementRecorded, Timestamp,
};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Tanita keys a weight-only record may keep: device identity and clock, the echoed profile,
/// weight and BMI. Everything else (impedances, phase angles, composition) is dropped.
pub const WEIGHT_ONLY_KEYS: &[&str] = &[
    "MO", "SN", "ID", "CC", "St", "Da", "DT", "DA", "TI", "Ti", "GE", "AG", "DB", "Hm", "Bt", "Pt",
    "Ta", "Wk", "Wp", "Wg", "Ws", "MI",
];

/// What the analyzer sent.
#[derive(Debug, Clone, Copy)]
pub enum Measured<'a> {
    /// A Tanita body-composition frame (or its weight-only mode).
    Composition(&'a Reading),
    /// A plain weight line (A&D, old Tanita): never carries impedance.
    Weight(&'a WeightReading),
}

/// A reading to record.
#[derive(Debug, Clone, Copy)]
pub struct NewMeasurement<'a> {
    /// The measurement's id, made (UUIDv7, [`super::new_id`]) when the reading arrived;
    /// recording the same id twice is refused, so a retry never duplicates.
    pub id: Uuid,
    /// Who was measured.
    pub participant: &'a ParticipantNumber,
    /// The decoded reading.
    pub reading: Measured<'a>,
    /// The session's safety answer. The roster's implanted-device flag forces it too.
    pub weight_only: bool,
}

/// What was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// The measurement id.
    pub measurement_id: Uuid,
    /// The outbox event carrying it to the server.
    pub event_id: EventId,
    /// Whether it was stored weight-only.
    pub weight_only: bool,
    /// Whether the raw frame was dropped (weight-only and it carried impedance keys).
    pub raw_frame_dropped: bool,
}

/// A consent decision as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    /// The consent id.
    pub id: Uuid,
    /// Given, refused or withdrawn.
    pub action: ConsentAction,
    /// Documents, purposes and method.
    pub decision: ConsentDecision,
    /// Where it was decided.
    pub station: String,
    /// When.
    pub decided_at: Timestamp,
}

/// One past reading for the results screen.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// The measurement id.
    pub id: Uuid,
    /// When the station received it.
    pub taken_at: Timestamp,
    /// Analyzer model, if it reported one.
    pub analyzer_model: Option<String>,
    /// Stored weight-only.
    pub weight_only: bool,
    /// Every stored value, in the decoder's serde form (without the raw frame).
    pub values: Sensitive<serde_json::Value>,
}

/// A measurement's raw frame as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredFrame {
    /// The frame as received; `None` when it was dropped.
    pub raw: Option<Vec<u8>>,
    /// Dropped because the reading was weight-only and the frame carried impedance values.
    pub dropped: bool,
}

impl std::fmt::Debug for StoredFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredFrame")
            .field("len", &self.raw.as_ref().map(Vec::len))
            .field("dropped", &self.dropped)
            .finish()
    }
}

/// Which tables mention a measurement id, and how often (support tooling, crash harness).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MeasurementTrail {
    /// Rows in `measurements`.
    pub measurements: u32,
    /// Outbox events for it.
    pub outbox_events: u32,
    /// Audit rows naming it.
    pub audit_rows: u32,
}

struct Prepared {
    values: String,
    model: Option<String>,
    serial: Option<String>,
    raw: Option<Vec<u8>>,
    raw_dropped: bool,
    json: serde_json::Value,
}

fn allowed(key: &str) -> bool {
    WEIGHT_ONLY_KEYS.contains(&key)
}

/// Rebuilds a reading from the allow-list only, so a field added to `Reading` later can never
/// slip into a weight-only record.
fn weight_only_reading(r: &Reading, keep_raw: bool) -> Reading {
    let mut w = crate::weight_only::weight_only_copy(r, WEIGHT_ONLY_KEYS);
    if keep_raw {
        w.set_raw(r.raw().to_vec());
    }
    w
}

fn prepare(reading: Measured<'_>, weight_only: bool) -> Result<Prepared, StoreError> {
    let (mut json, model, serial, raw, raw_dropped) = match reading {
        Measured::Composition(r) if weight_only => {
            let clean = r.unknown().is_empty() && r.pairs().keys().all(|k| allowed(k.as_str()));
            let w = weight_only_reading(r, clean);
            let raw = clean.then(|| r.raw().to_vec());
            (
                serde_json::to_value(&w)?,
                w.model,
                w.serial_number,
                raw,
                !clean,
            )
        }
        Measured::Composition(r) => (
            serde_json::to_value(r)?,
            r.model.clone(),
            r.serial_number.clone(),
            Some(r.raw().to_vec()),
            false,
        ),
        Measured::Weight(w) => (
            serde_json::to_value(w)?,
            None,
            None,
            Some(w.raw.clone()),
            false,
        ),
    };
    // The raw frame has its own column.
    if let Some(obj) = json.as_object_mut() {
        obj.remove("raw");
    }
    Ok(Prepared {
        values: json.to_string(),
        model,
        serial,
        raw,
        raw_dropped,
        json,
    })
}

fn strings(ids: &[PurposeId]) -> Vec<String> {
    ids.iter().map(|p| p.0.clone()).collect()
}

fn method_name(m: ConsentMethod) -> &'static str {
    match m {
        ConsentMethod::OnScreen => "on_screen",
        ConsentMethod::StaffWitnessedPaper => "staff_witnessed_paper",
    }
}

/// Writes a consent row and its outbox event inside the caller's transaction (the caller adds
/// the audit row); returns the consent id and the event id.
pub(crate) fn insert_consent(
    tx: &Transaction<'_>,
    station: &StationId,
    participant: &ParticipantNumber,
    action: ConsentAction,
    decision: &ConsentDecision,
    now: Timestamp,
) -> Result<(Uuid, EventId), StoreError> {
    let id = super::new_id(now);
    let id_text = id.to_string();
    tx.prepare_cached(
        "INSERT INTO consents (id, participant, action, document_hashes, granted, refused, method, station, decided_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        id_text,
        participant.as_str(),
        action.name(),
        serde_json::to_string(&decision.document_hashes)?,
        serde_json::to_string(&strings(&decision.granted))?,
        serde_json::to_string(&strings(&decision.refused))?,
        method_name(decision.method),
        station.as_str(),
        now.as_unix_ms()
    ])?;
    let event = outbox::enqueue(
        tx,
        station,
        now,
        EventKind::ConsentRecorded(ConsentRecorded {
            consent_id: id,
            participant: participant.as_str().to_owned(),
            action,
            document_hashes: decision.document_hashes.clone(),
            granted: strings(&decision.granted),
            refused: strings(&decision.refused),
            method: match decision.method {
                ConsentMethod::OnScreen => hakaru_wire::ConsentMethod::OnScreen,
                ConsentMethod::StaffWitnessedPaper => {
                    hakaru_wire::ConsentMethod::StaffWitnessedPaper
                }
            },
        }),
        &id_text,
        Some(participant),
    )?;
    Ok((id, event))
}

impl Store {
    /// Records a reading: measurement + outbox event + audit row in ONE transaction, returning
    /// only after it committed (`synchronous=FULL`: durable). Nothing is acknowledged that is
    /// not durable.
    ///
    /// Refused when the participant is not an active roster member, when their latest consent
    /// is not "given", or when the id was already recorded.
    pub fn record_measurement(
        &mut self,
        m: &NewMeasurement<'_>,
        now: Timestamp,
    ) -> Result<Recorded, StoreError> {
        let station = self.require_station()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let implanted: bool = tx
            .prepare_cached(
                "SELECT implanted_device FROM participants WHERE number = ?1 AND status = 'active'",
            )?
            .query_row([m.participant.as_str()], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::UnknownParticipant)?;
        let latest: Option<String> = tx
            .prepare_cached(
                "SELECT action FROM consents WHERE participant = ?1
                 ORDER BY decided_at DESC, rowid DESC LIMIT 1",
            )?
            .query_row([m.participant.as_str()], |r| r.get(0))
            .optional()?;
        if latest.as_deref() != Some(ConsentAction::Given.name()) {
            return Err(StoreError::NoConsent);
        }
        let id = m.id.to_string();
        let exists = tx
            .prepare_cached("SELECT 1 FROM measurements WHERE id = ?1")?
            .exists([&id])?;
        if exists {
            return Err(StoreError::DuplicateMeasurement(m.id));
        }
        let weight_only = m.weight_only || implanted;
        let p = prepare(m.reading, weight_only)?;
        tx.prepare_cached(
            "INSERT INTO measurements (id, participant, station, analyzer_model, analyzer_serial,
                 taken_at, weight_only, reading_json, raw_frame, raw_frame_dropped)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            id,
            m.participant.as_str(),
            station.as_str(),
            p.model,
            p.serial,
            now.as_unix_ms(),
            weight_only,
            p.values,
            p.raw,
            p.raw_dropped
        ])?;
        let event = outbox::enqueue(
            &tx,
            &station,
            now,
            EventKind::MeasurementRecorded(MeasurementRecorded {
                measurement_id: m.id,
                participant: m.participant.as_str().to_owned(),
                analyzer_model: p.model.clone(),
                analyzer_serial: p.serial.clone(),
                taken_at: now,
                weight_only,
                values: p.json,
                raw_frame: p
                    .raw
                    .as_deref()
                    .map(|b| String::from_utf8_lossy(b).into_owned()),
                raw_frame_dropped: p.raw_dropped,
            }),
            &id,
            Some(m.participant),
        )?;
        // A registration taken here is "measured" from its first recorded reading on (a file
        // still at a schema before registrations, opened by the migration tests, has none).
        let registrations = tx
            .prepare_cached(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'registrations'",
            )?
            .exists([])?;
        if registrations {
            tx.prepare_cached(
                "UPDATE registrations SET measured_at = ?2, updated_at = ?2
                 WHERE participant = ?1 AND measured_at IS NULL",
            )?
            .execute(params![m.participant.as_str(), now.as_unix_ms()])?;
        }
        audit::append(
            &tx,
            now,
            "measurement_recorded",
            &serde_json::json!({
                "measurement": id, "event": event.to_string(),
                "weight_only": weight_only, "raw_frame_dropped": p.raw_dropped,
            }),
        )?;
        tx.commit()?;
        tracing::debug!(weight_only, "measurement recorded");
        Ok(Recorded {
            measurement_id: m.id,
            event_id: event,
            weight_only,
            raw_frame_dropped: p.raw_dropped,
        })
    }

    /// Records a consent decision: consent row + outbox event + audit row in ONE transaction.
    pub fn record_consent(
        &mut self,
        participant: &ParticipantNumber,
        action: ConsentAction,
        decision: &ConsentDecision,
        now: Timestamp,
    ) -> Result<ConsentRecord, StoreError> {
        let station = self.require_station()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let known = tx
            .prepare_cached("SELECT 1 FROM participants WHERE number = ?1 AND status = 'active'")?
            .exists([participant.as_str()])?;
        if !known {
            return Err(StoreError::UnknownParticipant);
        }
        let (id, event) = insert_consent(&tx, &station, participant, action, decision, now)?;
        let id_text = id.to_string();
        audit::append(
            &tx,
            now,
            "consent_recorded",
            &serde_json::json!({
                "consent": id_text, "event": event.to_string(), "action": action.name(),
                "method": method_name(decision.method), "documents": decision.document_hashes,
            }),
        )?;
        tx.commit()?;
        Ok(ConsentRecord {
            id,
            action,
            decision: decision.clone(),
            station: station.as_str().to_owned(),
            decided_at: now,
        })
    }

    /// The participant's most recent consent decision, if any.
    pub fn latest_consent(
        &self,
        participant: &ParticipantNumber,
    ) -> Result<Option<ConsentRecord>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT id, action, document_hashes, granted, refused, method, station, decided_at
                 FROM consents WHERE participant = ?1 ORDER BY decided_at DESC, rowid DESC LIMIT 1",
            )?
            .query_row([participant.as_str()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, i64>(7)?,
                ))
            })
            .optional()?;
        let Some((id, action, docs, granted, refused, method, station, at)) = row else {
            return Ok(None);
        };
        let purposes = |s: &str| -> Result<Vec<PurposeId>, StoreError> {
            Ok(serde_json::from_str::<Vec<String>>(s)?
                .into_iter()
                .map(PurposeId)
                .collect())
        };
        Ok(Some(ConsentRecord {
            id: Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            action: ConsentAction::from_name(&action)
                .ok_or_else(|| StoreError::Corrupt(format!("consent action {action:?}")))?,
            decision: ConsentDecision {
                document_hashes: serde_json::from_str(&docs)?,
                granted: purposes(&granted)?,
                refused: purposes(&refused)?,
                method: if method == "on_screen" {
                    ConsentMethod::OnScreen
                } else {
                    ConsentMethod::StaffWitnessedPaper
                },
            },
            station,
            decided_at: Timestamp::from_unix_ms(at),
        }))
    }

    /// The participant's last `n` readings, newest first (index `measurements_history`).
    pub fn history(
        &self,
        participant: &ParticipantNumber,
        n: u32,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, taken_at, analyzer_model, weight_only, reading_json FROM measurements
             WHERE participant = ?1 ORDER BY taken_at DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![participant.as_str(), n], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at, model, weight_only, json) = row?;
            out.push(HistoryEntry {
                id: Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                taken_at: Timestamp::from_unix_ms(at),
                analyzer_model: model,
                weight_only,
                values: Sensitive(serde_json::from_str(&json)?),
            });
        }
        Ok(out)
    }

    /// The stored raw frame of a measurement, if the measurement exists.
    pub fn raw_frame(&self, id: Uuid) -> Result<Option<StoredFrame>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT raw_frame, raw_frame_dropped FROM measurements WHERE id = ?1",
                [id.to_string()],
                |r| {
                    Ok(StoredFrame {
                        raw: r.get(0)?,
                        dropped: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// For every measurement id any table mentions: how many rows in each. A healthy store
    /// has exactly one of each per id (until retention removes all three traces' data).
    pub fn measurement_trails(&self) -> Result<BTreeMap<Uuid, MeasurementTrail>, StoreError> {
        let mut out: BTreeMap<Uuid, MeasurementTrail> = BTreeMap::new();
        let parse = |s: String| Uuid::parse_str(&s).map_err(|e| StoreError::Corrupt(e.to_string()));
        let mut q = |sql: &str, f: fn(&mut MeasurementTrail)| -> Result<(), StoreError> {
            let mut stmt = self.conn.prepare(sql)?;
            let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
            for id in ids {
                f(out.entry(parse(id?)?).or_default());
            }
            Ok(())
        };
        q("SELECT id FROM measurements", |t| t.measurements += 1)?;
        q(
            "SELECT fact_id FROM outbox WHERE kind = 'measurement_recorded'",
            |t| t.outbox_events += 1,
        )?;
        q(
            "SELECT json_extract(detail, '$.measurement') FROM audit_log
             WHERE action = 'measurement_recorded'",
            |t| t.audit_rows += 1,
        )?;
        Ok(out)
    }
}
