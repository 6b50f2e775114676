//! The end-to-end harness: a kiosk assembled from the real crates — an encrypted store in a
//! temporary directory seeded with a roster, documents and purposes; a simulated analyzer on
//! its own pty; the serial link; the [`Station`] and its [`ScaleFeed`]. The suites live in
//! `tests/*.rs`.
//!
//! The same program on the central side, for suites that run the real server in-process:
//! [`central_sqlite`], [`central_station`] and [`policy_documents`] (the documents
//! [`seed_store`] puts in a station's store, as the server publishes them).
//!
//! No sleeps: every wait is for a station event, a link event or a simulator status, and each
//! is bounded by [`WAIT`] so a hang fails instead of stalling CI. Deliberately not here:
//! assertions about a particular scenario (the suites make them).

// Helpers fail the test that calls them: an unwrap here is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod central_process;

use hakaru_central::auth::Credential as CentralCredential;
use hakaru_central::ids::{MunicipalityId, ProgramId, StationId as CentralStationId};
use hakaru_central::points::PointsRules;
use hakaru_central::storage::sqlite::SqliteStorage;
use hakaru_central::storage::{NewMunicipality, NewProgram, NewStation, Storage};
use hakaru_devices::scale::models::ModelProfile;
use hakaru_devices::scale::tanita::{BodyType, Sex};
use hakaru_devices::serial::{Backoff, LinkOptions, ScaleEvent, ScaleLink};
use hakaru_devices::sim::{Person, SimConfig, Simulator};
use hakaru_station::domain::{
    ConsentMethod, Date, DocumentKind, DocumentVersion, ParticipantNumber, Profile, Purpose,
    PurposeId, StationId,
};
use hakaru_station::scale_feed::{Clock, SystemClock};
use hakaru_station::session::{Event, Input, SessionConfig, SessionId};
use hakaru_station::store::{content_hash, Store, StoreConfig};
use hakaru_station::{Fed, LinkNote, ScaleFeed, Station};
use hakaru_wire::api::{self, PolicyDocument};
use hakaru_wire::Timestamp;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The longest any single wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// The day the cards are scanned.
pub const TODAY: Date = Date {
    year: 2026,
    month: 6,
    day: 3,
};

/// When the roster and documents were synced.
pub const SYNCED: Timestamp = Timestamp::from_unix_ms(1_780_466_400_000);

/// A participant on the roster: female, 72 on [`TODAY`], 152.4 cm, no implanted device.
pub fn resident() -> (ParticipantNumber, Profile) {
    (
        ParticipantNumber::new("P-000001").unwrap(),
        Profile {
            birth_date: Date {
                year: 1954,
                month: 3,
                day: 10,
            },
            sex: Sex::Female,
            height_tenths_cm: 1524,
            body_type: BodyType::Standard,
            implanted_device: false,
        },
    )
}

/// A participant whose roster entry says implanted electronic device: male, 59, 170.0 cm.
pub fn implanted() -> (ParticipantNumber, Profile) {
    (
        ParticipantNumber::new("P-000002").unwrap(),
        Profile {
            birth_date: Date {
                year: 1966,
                month: 9,
                day: 1,
            },
            sex: Sex::Male,
            height_tenths_cm: 1700,
            body_type: BodyType::Standard,
            implanted_device: true,
        },
    )
}

/// The simulated person who matches [`resident`] (what she weighs is the simulator's business).
pub fn resident_on_the_scale() -> Person {
    Person {
        sex: Sex::Female,
        age: 72,
        height_cm: 152.4,
        weight_kg: 51.3,
        fat_percent: 31.0,
        body_type: BodyType::Standard,
    }
}

/// The required purpose.
pub fn service() -> PurposeId {
    PurposeId("service".into())
}

/// The day the policy documents come into force.
const EFFECTIVE: Date = Date {
    year: 2026,
    month: 4,
    day: 1,
};

/// The program's terms and privacy policy in Japanese and English (version `2026-04`, in force
/// from `EFFECTIVE`) as the central server publishes them; [`seed_store`] puts the same
/// documents in a station's store.
pub fn policy_documents() -> Vec<PolicyDocument> {
    [
        (api::DocumentKind::Terms, "ja", "利用規約 2026年4月版"),
        (api::DocumentKind::Terms, "en", "Terms of use, April 2026"),
        (
            api::DocumentKind::PrivacyPolicy,
            "ja",
            "プライバシーポリシー 2026年4月版",
        ),
        (
            api::DocumentKind::PrivacyPolicy,
            "en",
            "Privacy policy, April 2026",
        ),
    ]
    .into_iter()
    .map(|(kind, language, text)| PolicyDocument {
        kind,
        version: "2026-04".into(),
        language: language.into(),
        effective: format!(
            "{:04}-{:02}-{:02}",
            EFFECTIVE.year, EFFECTIVE.month, EFFECTIVE.day
        ),
        full_text: text.into(),
        needs_fresh_consent: true,
    })
    .collect()
}

/// A published document as the station's store records it.
fn document(d: &PolicyDocument) -> DocumentVersion {
    DocumentVersion {
        kind: match d.kind {
            api::DocumentKind::Terms => DocumentKind::Terms,
            api::DocumentKind::PrivacyPolicy => DocumentKind::PrivacyPolicy,
            api::DocumentKind::MeasurementNotice => DocumentKind::MeasurementNotice,
        },
        version: d.version.clone(),
        language: d.language.clone(),
        effective: EFFECTIVE,
        content_hash: content_hash(&d.full_text),
        needs_fresh_consent: d.needs_fresh_consent,
    }
}

/// Creates and seeds an encrypted store in `dir`: enrolled station, terms and privacy policy in
/// Japanese and English, a required and an optional purpose, both participants.
pub fn seed_store(config: &StoreConfig) -> Store {
    seed_store_as(config, "kita-community-01")
}

/// [`seed_store`] for the station `station`.
pub fn seed_store_as(config: &StoreConfig, station: &str) -> Store {
    let mut store = Store::open(config).unwrap();
    store
        .enroll(&StationId::new(station).unwrap(), SYNCED)
        .unwrap();
    for d in policy_documents() {
        store
            .put_document(&document(&d), &d.full_text, SYNCED)
            .unwrap();
    }
    for (id, required, ja, en) in [
        (
            "service",
            true,
            "測定とポイント付与",
            "Measuring and points",
        ),
        ("research", false, "匿名での研究利用", "Anonymous research"),
    ] {
        store
            .put_purpose(
                &Purpose {
                    id: PurposeId(id.into()),
                    required,
                    label_ja: ja.into(),
                    label_en: en.into(),
                },
                SYNCED,
            )
            .unwrap();
    }
    store
        .upsert_participants(&[resident(), implanted()], SYNCED)
        .unwrap();
    store
}

/// A fresh central database: SQLite in `dir` (`central.db`), migrated.
pub async fn central_sqlite(dir: &Path) -> Arc<dyn Storage> {
    let storage: Arc<dyn Storage> = Arc::new(SqliteStorage::open(&dir.join("central.db")).unwrap());
    storage.migrate().await.unwrap();
    storage
}

/// Creates, at `at`, program `program` with the default points rules, municipality `kita` in
/// it, station `station` at 北公民館 in that, and a credential for the station; returns the
/// credential (its bearer token is [`CentralCredential::token`]).
pub async fn central_station(
    storage: &dyn Storage,
    program: &ProgramId,
    station: &str,
    at: Timestamp,
) -> CentralCredential {
    storage
        .create_program(
            &NewProgram {
                id: program.clone(),
                name_ja: "北市健康ポイント".into(),
                name_en: "Kita health points".into(),
                rules: PointsRules::default_rules(),
            },
            at,
        )
        .await
        .unwrap();
    let municipality = MunicipalityId::new("kita").unwrap();
    storage
        .create_municipality(
            &NewMunicipality {
                id: municipality.clone(),
                program: program.clone(),
                name_ja: "北市".into(),
                name_en: "Kita".into(),
            },
            at,
        )
        .await
        .unwrap();
    let station = CentralStationId::new(station).unwrap();
    storage
        .create_station(
            &NewStation {
                id: station.clone(),
                municipality,
                place: "北公民館".into(),
            },
            at,
        )
        .await
        .unwrap();
    let credential = CentralCredential::generate().unwrap();
    storage
        .add_credential(&station, credential.id(), &credential.secret_hash(), at)
        .await
        .unwrap();
    credential
}

/// Awaits `f` for at most [`WAIT`].
pub async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(WAIT, f)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// The serial number the simulated analyzer reports (`SimConfig`'s default).
pub const SIM_SERIAL: &str = "00000001";

/// A kiosk on a simulated analyzer. Fields are public so suites can reach every layer.
#[derive(Debug)]
pub struct Kiosk {
    /// The station (session + store).
    pub station: Station,
    /// The adapter that owns the link.
    pub feed: ScaleFeed,
    /// The virtual analyzer.
    pub sim: Simulator,
    /// Where the store lives.
    pub store_config: StoreConfig,
    /// Every station event so far, in order.
    pub events: Vec<Event>,
    /// Events before this index were already matched by [`Kiosk::until`].
    cursor: usize,
    _dir: tempfile::TempDir,
}

impl Kiosk {
    /// A kiosk with a fresh seeded store (the simulated analyzer checked on [`TODAY`]) and a
    /// connected `model` simulator (`pace: false`, 100 ms measurements) presetting `person`.
    pub async fn start(model: &str, person: Person) -> Kiosk {
        Kiosk::start_as("kita-community-01", model, person).await
    }

    /// [`Kiosk::start`] for the station `station` (its outbox events name it).
    pub async fn start_as(station: &str, model: &str, person: Person) -> Kiosk {
        let dir = tempfile::tempdir().unwrap();
        let store_config = StoreConfig::in_dir(dir.path());
        let mut store = seed_store_as(&store_config, station);
        // The simulator's analyzer passed its reference-weight check on TODAY, so the
        // calibration gate lets participants measure.
        hakaru_station::calibration::testing::calibrated(&mut store, SIM_SERIAL, TODAY).unwrap();
        let profile = ModelProfile::find(model).unwrap();
        let mut config = SimConfig::new(profile);
        config.pace = false;
        config.device.measure_time = Duration::from_millis(100);
        config.device.person = person;
        config.temp_dir = Some(dir.path().to_owned());
        let sim = Simulator::start(config).unwrap();
        let options = LinkOptions {
            dialect: profile.dialect.unwrap_or(LinkOptions::default().dialect),
            backoff: Backoff {
                initial: Duration::from_millis(20),
                max: Duration::from_millis(200),
            },
            ..LinkOptions::default()
        };
        let mut link = ScaleLink::open(sim.path(), profile.settings, options);
        within("the link to connect", async {
            while !matches!(link.next_event().await, Some(ScaleEvent::Connected { .. })) {}
        })
        .await;
        let station = Station::new(store, SessionConfig::default()).unwrap();
        Kiosk {
            station,
            feed: ScaleFeed::new(link, profile, SystemClock),
            sim,
            store_config,
            events: Vec::new(),
            cursor: 0,
            _dir: dir,
        }
    }

    fn collect(&mut self) {
        while let Some(e) = self.station.poll_event() {
            self.events.push(e);
        }
    }

    /// Feeds one input from the UI or the card reader, now.
    pub fn input(&mut self, input: Input) {
        self.station
            .handle(input, SystemClock.now(), SystemClock.wall());
        self.collect();
    }

    /// Scans `participant`'s card; returns the new session.
    pub async fn scan(&mut self, participant: &ParticipantNumber) -> SessionId {
        self.input(Input::CardScanned {
            participant: participant.clone(),
            today: TODAY,
        });
        match self
            .until("identifying", |e| matches!(e, Event::Identifying { .. }))
            .await
        {
            Event::Identifying { session, .. } => session,
            _ => unreachable!(),
        }
    }

    /// Card → consent (the required purpose only, on screen) → `implanted` answered, as far as
    /// the station asks; waits until it says "step on".
    pub async fn to_weighing(
        &mut self,
        participant: &ParticipantNumber,
        implanted: bool,
    ) -> SessionId {
        let session = self.scan(participant).await;
        self.until("the consent screen", |e| {
            matches!(e, Event::ConsentRequired { .. })
        })
        .await;
        self.input(Input::ConsentAnswered {
            session,
            granted: vec![service()],
            method: ConsentMethod::OnScreen,
        });
        let next = self
            .until("the safety question or weight-only notice", |e| {
                matches!(e, Event::SafetyQuestion { .. } | Event::WeightOnly { .. })
            })
            .await;
        if matches!(next, Event::SafetyQuestion { .. }) {
            self.input(Input::SafetyAnswered {
                session,
                implanted_device: implanted,
            });
        }
        self.until("step on", |e| matches!(e, Event::StepOn { .. }))
            .await;
        session
    }

    /// One feed step; collects the events it caused.
    pub async fn step(&mut self) -> Fed {
        let fed = within("a feed step", self.feed.step(&mut self.station)).await;
        self.collect();
        fed
    }

    /// Steps until an event after the last match satisfies `pred`; returns it.
    pub async fn until(&mut self, what: &str, mut pred: impl FnMut(&Event) -> bool) -> Event {
        let search = async {
            loop {
                if let Some(i) = self.events[self.cursor..].iter().position(&mut pred) {
                    let at = self.cursor + i;
                    self.cursor = at + 1;
                    return self.events[at].clone();
                }
                let fed = self.feed.step(&mut self.station).await;
                self.collect();
                assert_ne!(fed, Fed::LinkClosed, "the link closed waiting for {what}");
            }
        };
        within(what, search).await
    }

    /// Steps until the feed reports the link event `note`.
    pub async fn until_link(&mut self, note: LinkNote) {
        within("a link event", async {
            loop {
                let fed = self.feed.step(&mut self.station).await;
                self.collect();
                if fed == Fed::Link(note) {
                    return;
                }
                assert_ne!(fed, Fed::LinkClosed);
            }
        })
        .await;
    }

    /// Steps until the station's idle work (the checkpoint after a session) is done.
    pub async fn settle_idle_work(&mut self) {
        while self.station.has_idle_work() {
            self.step().await;
        }
    }
}

/// Tanita keys that carry no impedance-derived value (reference/scale-protocols.md §5):
/// device identity and clock, the echoed profile, weights and BMI. Written out here, not taken
/// from the crates, so the check is independent of their filters.
pub const WEIGHT_KEYS: &[&str] = &[
    "MO", "SN", "ID", "CC", "St", "Da", "DT", "DA", "TI", "Ti", "GE", "AG", "DB", "Hm", "Bt", "Pt",
    "Ta", "Wk", "Wp", "Wg", "Ws", "MI",
];

/// Whether a stored reading (as JSON) holds nothing measured through the body's impedance:
/// no impedance, phase-angle, segmental or composition field, and no raw pair or unknown key
/// outside [`WEIGHT_KEYS`].
pub fn impedance_free(values: &serde_json::Value) -> bool {
    const COMPOSITION: &[&str] = &[
        "impedances",
        "phase_angles",
        "segments",
        "fat_percent",
        "fat_mass",
        "fat_free_mass",
        "muscle_mass",
        "bone_mass",
        "total_body_water",
        "body_water_percent",
        "visceral_fat_rating",
        "unknown",
    ];
    match values {
        serde_json::Value::Object(map) => map.iter().all(|(k, v)| {
            let empty = v.is_null()
                || v.as_array().is_some_and(Vec::is_empty)
                || v.as_object().is_some_and(serde_json::Map::is_empty);
            let pair_ok = k != "key" || v.as_str().is_some_and(|key| WEIGHT_KEYS.contains(&key));
            (!COMPOSITION.contains(&k.as_str()) || empty) && pair_ok && impedance_free(v)
        }),
        serde_json::Value::Array(items) => items.iter().all(impedance_free),
        _ => true,
    }
}

/// Whether raw analyzer bytes carry only [`WEIGHT_KEYS`] pairs (a Tanita frame) or are a plain
/// weight line.
pub fn raw_impedance_free(raw: &[u8]) -> bool {
    let text = String::from_utf8_lossy(raw);
    if !text.starts_with('{') {
        return !text.contains("ZF") && !text.contains("RH");
    }
    // `{0,16,~0,1,…,KEY,value,…,CS,HH`: keys sit at even positions after the control pairs.
    let fields: Vec<&str> = text.trim_end().split(',').collect();
    fields
        .chunks(2)
        .skip(1)
        .filter(|kv| !kv[0].starts_with('~') && kv[0] != "CS")
        .all(|kv| WEIGHT_KEYS.contains(&kv[0]))
}
