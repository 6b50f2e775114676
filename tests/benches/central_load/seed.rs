//! What the scenarios put in a fresh database before the clock starts: a program with its
//! municipalities, stations and credentials (admin calls, as the `hakaru-central admin`
//! commands make them), roster entries, and the synthetic events the ingest scenario uploads
//! (UUIDv7 ids, readings in one November, consent before every reading). Deliberately not
//! here: timing anything.

use hakaru_central::auth::Credential;
use hakaru_central::ids::{MunicipalityId, ProgramId, StationId};
use hakaru_central::points::PointsRules;
use hakaru_central::storage::{NewMunicipality, NewProgram, NewStation, StationContext, Storage};
use hakaru_station::store::testing;
use hakaru_wire::api::{ParticipantStatus, RosterEntry};
use hakaru_wire::{
    ConsentAction, ConsentMethod, ConsentRecorded, EventId, EventKind, MeasurementRecorded,
    OutboxEvent, ParticipantRegistered, Sex, Timestamp,
};
use std::sync::Arc;
use uuid::Uuid;

/// One day in ms.
pub const DAY_MS: i64 = 86_400_000;
/// 2026-11-01 00:00 JST: the readings' month starts here.
pub const NOV1_JST: i64 = 1_793_458_800_000;
/// When structure, roster and consents are made: a week before the month.
pub fn setup_time() -> Timestamp {
    Timestamp::from_unix_ms(NOV1_JST - 7 * DAY_MS)
}

/// The bench's program id.
pub fn program() -> ProgramId {
    ProgramId::new("bench").expect("a valid id")
}

/// A station as a client sees it: its id, its bearer token, its server-side context.
#[derive(Clone)]
pub struct BenchStation {
    /// Server-side identity.
    pub context: StationContext,
    /// `hk1.<id>.<secret>`.
    pub token: String,
}

impl std::fmt::Debug for BenchStation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BenchStation")
            .field("station", &self.context.station)
            .finish_non_exhaustive()
    }
}

/// The program (default points rules), `stations` stations over one municipality per 100,
/// and one credential each. `names` gives each station's id from its index.
pub async fn structure(
    storage: &Arc<dyn Storage>,
    stations: u32,
    names: impl Fn(u32) -> String,
    progress: impl Fn(u32),
) -> anyhow::Result<Vec<BenchStation>> {
    let at = setup_time();
    let program = program();
    storage
        .create_program(
            &NewProgram {
                id: program.clone(),
                name_ja: "ベンチ健康ポイント".into(),
                name_en: "bench".into(),
                rules: PointsRules::default_rules(),
            },
            at,
        )
        .await?;
    let municipalities = stations.div_ceil(100);
    for m in 0..municipalities {
        storage
            .create_municipality(
                &NewMunicipality {
                    id: municipality(m),
                    program: program.clone(),
                    name_ja: format!("ベンチ市{m}"),
                    name_en: format!("bench-city-{m}"),
                },
                at,
            )
            .await?;
    }
    let mut out = Vec::with_capacity(stations as usize);
    for i in 0..stations {
        let id = StationId::new(&names(i))?;
        storage
            .create_station(
                &NewStation {
                    id: id.clone(),
                    municipality: municipality(i / 100),
                    place: format!("公民館{i}"),
                },
                at,
            )
            .await?;
        let credential = Credential::generate()?;
        storage
            .add_credential(&id, credential.id(), &credential.secret_hash(), at)
            .await?;
        out.push(BenchStation {
            context: StationContext {
                station: id,
                program: program.clone(),
            },
            token: credential.token(),
        });
        progress(i + 1);
    }
    Ok(out)
}

fn municipality(m: u32) -> MunicipalityId {
    MunicipalityId::new(&format!("bench-city-{m}")).expect("a valid id")
}

/// Participant number `P-` + six digits (the station fixtures' form).
pub fn participant(i: u32) -> String {
    testing::participant(i).as_str().to_owned()
}

/// A roster entry as the administrator puts it; `height` varies it (a roster change).
pub fn roster_entry(number: &str, height_tenths_cm: u16) -> RosterEntry {
    RosterEntry {
        participant: number.to_owned(),
        birth_date: "1958-06-15".into(),
        sex: Sex::Male,
        height_tenths_cm,
        body_type: 0,
        implanted_device: false,
        status: ParticipantStatus::Active,
    }
}

/// A UUIDv7 at `ms` whose other bits are `tag` and `seq` (unique per run, reproducible).
pub fn v7(ms: i64, tag: u8, seq: u64) -> Uuid {
    let mut rest = [0u8; 10];
    rest[0] = tag;
    rest[2..].copy_from_slice(&seq.to_be_bytes());
    uuid::Builder::from_unix_timestamp_millis(u64::try_from(ms).unwrap_or(0), &rest).into_uuid()
}

/// A reading as the station stores and sends it: MC-780A scale mode (fixture F2), the
/// decoder's values without the raw frame, the raw frame in its own field.
#[derive(Debug, Clone)]
pub struct ReadingShape {
    /// `values` as the event carries it.
    pub values: serde_json::Value,
    /// The same as JSON text (what the raw baseline inserts).
    pub values_json: String,
    /// `MO`.
    pub model: Option<String>,
    /// `SN`.
    pub serial: Option<String>,
    /// The frame as ASCII.
    pub raw_frame: String,
}

impl ReadingShape {
    /// Fixture F2, prepared as the station's store prepares a composition reading.
    pub fn f2() -> anyhow::Result<ReadingShape> {
        let reading = testing::reading(testing::F2);
        let mut values = serde_json::to_value(&reading)?;
        if let Some(obj) = values.as_object_mut() {
            obj.remove("raw");
        }
        Ok(ReadingShape {
            values_json: values.to_string(),
            values,
            model: reading.model.clone(),
            serial: reading.serial_number.clone(),
            raw_frame: String::from_utf8_lossy(reading.raw()).into_owned(),
        })
    }
}

/// Event ids are made from these tags so kinds never collide.
const TAG_REGISTRATION: u8 = 1;
const TAG_CONSENT: u8 = 2;
const TAG_CONSENT_ID: u8 = 3;
const TAG_MEASUREMENT: u8 = 4;
const TAG_MEASUREMENT_ID: u8 = 5;

/// Registers participant `number` at `station` (the roster entry arrives with the event).
pub fn registration(station: &StationId, seq: u64, number: &str) -> OutboxEvent {
    let at = NOV1_JST - 3 * DAY_MS;
    let entry = roster_entry(number, 1755);
    OutboxEvent {
        id: EventId(v7(at, TAG_REGISTRATION, seq)),
        station: station.to_string(),
        occurred_at: Timestamp::from_unix_ms(at),
        kind: EventKind::ParticipantRegistered(ParticipantRegistered {
            participant: entry.participant,
            birth_date: entry.birth_date,
            sex: entry.sex,
            height_tenths_cm: entry.height_tenths_cm,
            body_type: entry.body_type,
            implanted_device: entry.implanted_device,
            applied_on: "2026-11-01".into(),
            lives_or_works_locally: true,
            registered_by: "staff-1".into(),
        }),
    }
}

/// Participant `number` consents at `station`, two days before the month.
pub fn consent(station: &StationId, seq: u64, number: &str) -> OutboxEvent {
    let at = NOV1_JST - 2 * DAY_MS;
    OutboxEvent {
        id: EventId(v7(at, TAG_CONSENT, seq)),
        station: station.to_string(),
        occurred_at: Timestamp::from_unix_ms(at),
        kind: EventKind::ConsentRecorded(ConsentRecorded {
            consent_id: v7(at, TAG_CONSENT_ID, seq),
            participant: number.to_owned(),
            action: ConsentAction::Given,
            document_hashes: vec!["ab".repeat(32)],
            granted: vec!["service".into()],
            refused: vec![],
            method: ConsentMethod::OnScreen,
        }),
    }
}

/// A reading of `number` at `station` taken at `taken_ms`.
pub fn measurement(
    station: &StationId,
    seq: u64,
    number: &str,
    taken_ms: i64,
    shape: &ReadingShape,
) -> OutboxEvent {
    let taken_at = Timestamp::from_unix_ms(taken_ms);
    OutboxEvent {
        id: EventId(v7(taken_ms, TAG_MEASUREMENT, seq)),
        station: station.to_string(),
        occurred_at: taken_at,
        kind: EventKind::MeasurementRecorded(MeasurementRecorded {
            measurement_id: v7(taken_ms, TAG_MEASUREMENT_ID, seq),
            participant: number.to_owned(),
            analyzer_model: shape.model.clone(),
            analyzer_serial: shape.serial.clone(),
            taken_at,
            weight_only: false,
            values: shape.values.clone(),
            raw_frame: Some(shape.raw_frame.clone()),
            raw_frame_dropped: false,
        }),
    }
}
