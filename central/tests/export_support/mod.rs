//! Shared by the export and transfer-record tests: builders for participants, consents and
//! measurements with real reading values, and — re-exported from `backends/`, so that
//! `#[macro_use] mod export_support;` and `use export_support::*;` are all a file needs — a fresh
//! storage on each backend and `on_both_backends!`.
//!
//! Without a reachable PostgreSQL the PostgreSQL cases FAIL, never skip.
//! Deliberately not here: the cases, and the fixtures themselves (`backends/`).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[macro_use]
#[path = "../backends/mod.rs"]
mod backends;

pub use backends::{fresh_postgres, fresh_sqlite};
use hakaru_central::ids::ProgramId;
use hakaru_central::storage::{StationContext, Storage};
use hakaru_wire::api::{ParticipantStatus, RosterEntry, UploadRequest};
use hakaru_wire::{
    ConsentAction, ConsentMethod, ConsentRecorded, EventId, EventKind, MeasurementRecorded,
    OutboxEvent, Sex, Timestamp,
};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Builders.

/// A participant on the roster.
pub fn person(number: &str, birth_date: &str, sex: Sex, status: ParticipantStatus) -> RosterEntry {
    RosterEntry {
        participant: number.into(),
        birth_date: birth_date.into(),
        sex,
        height_tenths_cm: 1600,
        body_type: 0,
        implanted_device: false,
        status,
    }
}

fn event(who: &StationContext, id: u128, at: Timestamp, kind: EventKind) -> OutboxEvent {
    OutboxEvent {
        id: EventId(Uuid::from_u128(id)),
        station: who.station.to_string(),
        occurred_at: at,
        kind,
    }
}

/// A consent decision granting `granted`.
pub fn decision(
    who: &StationContext,
    id: u128,
    participant: &str,
    action: ConsentAction,
    granted: &[&str],
    at: Timestamp,
) -> OutboxEvent {
    event(
        who,
        id,
        at,
        EventKind::ConsentRecorded(ConsentRecorded {
            consent_id: Uuid::from_u128((2 << 64) + id),
            participant: participant.into(),
            action,
            document_hashes: vec!["ab".repeat(32)],
            granted: granted.iter().map(|g| (*g).to_owned()).collect(),
            refused: vec![],
            method: ConsentMethod::OnScreen,
        }),
    )
}

/// A reading with whole-body values and the device echoes an export must drop.
pub fn reading(
    who: &StationContext,
    id: u128,
    participant: &str,
    weight: f64,
    at: Timestamp,
) -> OutboxEvent {
    event(
        who,
        id,
        at,
        EventKind::MeasurementRecorded(MeasurementRecorded {
            measurement_id: Uuid::from_u128((1 << 64) + id),
            participant: participant.into(),
            analyzer_model: Some("MC-780".into()),
            analyzer_serial: Some("SN-77821".into()),
            taken_at: at,
            weight_only: false,
            values: serde_json::json!({
                "model": "MC-780",
                "serial_number": "SN-77821",
                "card_id": "CARD-0099",
                "birth_date": { "year": 1950, "month": 4, "day": 1 },
                "height": 160.0,
                "weight": weight,
                "bmi": weight / 2.56,
                "fat_percent": 28.4,
                "muscle_mass": 40.2,
                "bone_mass": 2.4,
                "body_water_percent": 51.3,
                "visceral_fat_rating": 9.0,
                "bmr_kcal": 1210.0,
            }),
            raw_frame: Some("{0,16,~0,1,Wk,60.0".into()),
            raw_frame_dropped: false,
        }),
    )
}

/// Uploads events in batches of at most 500; panics on a refusal.
pub async fn upload_all(
    s: &dyn Storage,
    who: &StationContext,
    events: Vec<OutboxEvent>,
    at: Timestamp,
) {
    for chunk in events.chunks(500) {
        let response = s
            .ingest(
                who,
                &UploadRequest {
                    events: chunk.to_vec(),
                    backlog_after: 0,
                    last_error: None,
                },
                at,
            )
            .await
            .unwrap();
        for ack in &response.acks {
            assert_eq!(
                ack.outcome,
                hakaru_wire::api::AckOutcome::Accepted,
                "every event is accepted"
            );
        }
    }
}

/// The CSV rows of a file (header first); fields are plain in these exports (no quotes needed).
pub fn csv_rows(path: &std::path::Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).expect("csv file");
    text.lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

/// The program id.
pub fn program(id: &str) -> ProgramId {
    ProgramId::new(id).unwrap()
}
