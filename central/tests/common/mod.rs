//! Test helpers for the HTTP API: a real server on 127.0.0.1:0 over a fresh SQLite database in a
//! temporary directory, seeded with a program, a municipality, a station and its credential.
//! Dropping the [`TestApp`] stops the server and deletes the directory.
//!
//! Deliberately not here: any fake storage — the backend is the real SQLite one.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // each test file uses a part

use hakaru_central::api::{self, AppState};
use hakaru_central::auth::Credential;
use hakaru_central::config::{open_storage, Config};
use hakaru_central::ids::{CredentialId, MunicipalityId, ProgramId, StationId};
use hakaru_central::points::PointsRules;
use hakaru_central::storage::{
    NewMunicipality, NewProgram, NewStation, StationContext, StationSyncStatus, Storage,
};
use hakaru_wire::api::{ParticipantStatus, RosterEntry};
use hakaru_wire::{
    ConsentAction, ConsentMethod, ConsentRecorded, EventId, EventKind, MeasurementRecorded,
    OutboxEvent, Sex, Timestamp,
};
use std::net::SocketAddr;
use std::sync::Arc;
use tempfile::TempDir;
use tokio::sync::oneshot;
use uuid::Uuid;

/// The server's fixed "now": 2026-05-01 10:00 JST.
pub const NOW: Timestamp = Timestamp::from_unix_ms(1_777_597_200_000);

/// One seeded station with its bearer token.
#[derive(Debug, Clone)]
pub struct Enrolled {
    pub program: ProgramId,
    pub municipality: MunicipalityId,
    pub station: StationId,
    pub credential: CredentialId,
    pub token: String,
}

impl Enrolled {
    pub fn context(&self) -> StationContext {
        StationContext {
            station: self.station.clone(),
            program: self.program.clone(),
        }
    }
}

/// A running server and what it was seeded with.
pub struct TestApp {
    pub base: String,
    pub addr: SocketAddr,
    pub storage: Arc<dyn Storage>,
    /// Program `prog-a`, station `station-a1`.
    pub a: Enrolled,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    _dir: TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Opens a fresh SQLite database in `dir`.
pub async fn fresh_storage(dir: &TempDir) -> Arc<dyn Storage> {
    let config = Config {
        database: Some(dir.path().join("central.db")),
        ..Config::default()
    };
    open_storage(&config)
        .await
        .expect("open a fresh SQLite database")
}

/// Starts the server on 127.0.0.1:0 with program A seeded.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let storage = fresh_storage(&dir).await;
    let a = enroll(storage.as_ref(), "a").await;
    let bound = hakaru_central::serve::bind("127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap();
    let addr = bound.local_addr().unwrap();
    let router = api::router(AppState::new(storage.clone(), Arc::new(|| NOW)));
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        bound
            .serve(router, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
    });
    TestApp {
        base: format!("http://{addr}"),
        addr,
        storage,
        a,
        client: reqwest::Client::new(),
        shutdown: Some(tx),
        _dir: dir,
    }
}

/// Creates program `prog-<tag>`, municipality `muni-<tag>`, station `station-<tag>1` and a
/// credential for it.
pub async fn enroll(storage: &dyn Storage, tag: &str) -> Enrolled {
    let program = ProgramId::new(&format!("prog-{tag}")).unwrap();
    let municipality = MunicipalityId::new(&format!("muni-{tag}")).unwrap();
    let station = StationId::new(&format!("station-{tag}1")).unwrap();
    storage
        .create_program(
            &NewProgram {
                id: program.clone(),
                name_ja: format!("プログラム{tag}"),
                name_en: format!("Program {tag}"),
                rules: PointsRules::default_rules(),
            },
            NOW,
        )
        .await
        .unwrap();
    storage
        .create_municipality(
            &NewMunicipality {
                id: municipality.clone(),
                program: program.clone(),
                name_ja: "市".into(),
                name_en: "City".into(),
            },
            NOW,
        )
        .await
        .unwrap();
    storage
        .create_station(
            &NewStation {
                id: station.clone(),
                municipality: municipality.clone(),
                place: "北公民館".into(),
            },
            NOW,
        )
        .await
        .unwrap();
    let credential = Credential::generate().unwrap();
    storage
        .add_credential(&station, credential.id(), &credential.secret_hash(), NOW)
        .await
        .unwrap();
    Enrolled {
        program,
        municipality,
        station,
        credential: credential.id().clone(),
        token: credential.token(),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET with the bearer token.
    pub async fn get_as(&self, who: &Enrolled, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(&who.token)
            .send()
            .await
            .unwrap()
    }

    /// POST a JSON body with the bearer token.
    pub async fn post_as(
        &self,
        who: &Enrolled,
        path: &str,
        body: &impl serde::Serialize,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(&who.token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Puts an active participant on a program's roster.
    pub async fn put_participant(&self, program: &ProgramId, number: &str) {
        self.storage
            .put_participant(program, &roster_entry(number), NOW)
            .await
            .unwrap();
    }

    /// The station's row in the sync status.
    pub async fn status_of(&self, who: &Enrolled) -> StationSyncStatus {
        self.storage
            .sync_status(Some(&who.program))
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.station == who.station)
            .expect("the station is listed")
    }
}

pub fn roster_entry(number: &str) -> RosterEntry {
    RosterEntry {
        participant: number.to_owned(),
        birth_date: "1950-04-01".into(),
        sex: Sex::Female,
        height_tenths_cm: 1555,
        body_type: 0,
        implanted_device: false,
        status: ParticipantStatus::Active,
    }
}

/// Event ids that differ by `n` (UUIDv7-shaped, increasing).
pub fn event_id(n: u128) -> EventId {
    EventId(Uuid::from_u128(
        0x0196_0000_0000_7000_8000_0000_0000_0000 + n,
    ))
}

/// A consent given by `participant` at the station, an hour before [`NOW`].
pub fn consent_event(station: &StationId, n: u128, participant: &str) -> OutboxEvent {
    let at = Timestamp::from_unix_ms(NOW.as_unix_ms() - 3_600_000);
    OutboxEvent {
        id: event_id(n),
        station: station.to_string(),
        occurred_at: at,
        kind: EventKind::ConsentRecorded(ConsentRecorded {
            consent_id: Uuid::from_u128(0x1000 + n),
            participant: participant.to_owned(),
            action: ConsentAction::Given,
            document_hashes: vec![],
            granted: vec!["measurement".into()],
            refused: vec![],
            method: ConsentMethod::OnScreen,
        }),
    }
}

/// A reading of `participant` at the station, half an hour before [`NOW`].
pub fn measurement_event(station: &StationId, n: u128, participant: &str) -> OutboxEvent {
    let at = Timestamp::from_unix_ms(NOW.as_unix_ms() - 1_800_000);
    OutboxEvent {
        id: event_id(n),
        station: station.to_string(),
        occurred_at: at,
        kind: EventKind::MeasurementRecorded(MeasurementRecorded {
            measurement_id: Uuid::from_u128(0x2000 + n),
            participant: participant.to_owned(),
            analyzer_model: Some("MC-780".into()),
            analyzer_serial: None,
            taken_at: at,
            weight_only: false,
            values: serde_json::json!({"weight_kg": 61.5}),
            raw_frame: None,
            raw_frame_dropped: false,
        }),
    }
}

/// Reads a response that must be an `ApiError` JSON body with the given status.
pub async fn api_error(
    response: reqwest::Response,
    status: u16,
) -> (reqwest::header::HeaderMap, hakaru_wire::api::ApiError) {
    assert_eq!(response.status().as_u16(), status, "status");
    let headers = response.headers().clone();
    let content_type = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = response.text().await.unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type:?} for {text}"
    );
    let body: hakaru_wire::api::ApiError =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not an ApiError ({e}): {text}"));
    assert!(
        !body.code.is_empty() && body.message.contains(" / "),
        "{body:?}"
    );
    (headers, body)
}
