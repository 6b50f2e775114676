//! The programs' privacy promises that need the server AND the stations to keep them, end to
//! end: the real `hakaru-central` process on its embedded SQLite, two kiosks (simulated
//! analyzer, real encrypted stores, the real sync worker over HTTP), and the municipality's
//! desk acting through the server's rights-request storage as the admin commands do.
//!
//! Each test is named after the promise it proves (docs/privacy.md lists them all).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hakaru_central::auth::Credential as CentralCredential;
use hakaru_central::ids::{MunicipalityId, ProgramId, StationId as CentralStationId};
use hakaru_central::rights::dates::Date as DeskDate;
use hakaru_central::storage::audit::Actor;
use hakaru_central::storage::rights::{CarryOut, NewRightsRequest, RequestKind, RightsStorage};
use hakaru_central::storage::sqlite::SqliteStorage;
use hakaru_central::storage::{NewStation, StationContext, Storage};
use hakaru_e2e::central_process::Server;
use hakaru_e2e::{central_station, resident, resident_on_the_scale, within, Kiosk, SYNCED};
use hakaru_station::scale_feed::SystemClock;
use hakaru_station::session::{EndReason, Event};
use hakaru_station::store::Store;
use hakaru_station::sync::worker::WorkerSettings;
use hakaru_station::sync::{CentralClient, ClientOptions, Credential, SyncWorker};
use hakaru_wire::api::{ParticipantStatus, RosterEntry};
use hakaru_wire::{Sex, Timestamp};

/// One station's identity at the server: its id and its bearer token.
struct Enrolled {
    id: &'static str,
    token: String,
}

/// One sync round of `kiosk` (uploads until its outbox is empty, then pulls the change feed
/// until up to date), as its worker does: the station's next sync.
async fn next_sync(kiosk: &Kiosk, base: &str, token: &str) {
    let client = CentralClient::new(
        base,
        Credential::new(token).unwrap(),
        &ClientOptions::default(),
    )
    .unwrap();
    let store = Store::open(&kiosk.store_config).unwrap();
    let mut worker =
        SyncWorker::new(store, client, WorkerSettings::default(), SystemClock).unwrap();
    within("the station's sync", worker.sync_once())
        .await
        .unwrap();
}

/// Scans the resident's card; returns how the session ended.
async fn card_of_the_resident(kiosk: &mut Kiosk) -> EndReason {
    let (number, _) = resident();
    kiosk.scan(&number).await;
    match kiosk
        .until("the session to end or ask for consent", |e| {
            matches!(e, Event::Ended { .. } | Event::ConsentRequired { .. })
        })
        .await
    {
        Event::Ended { reason, .. } => reason,
        other => panic!("the kiosk went on to {other:?} instead of refusing"),
    }
}

/// Readings of the resident the server holds (as the first station would see them).
async fn readings_at_the_server(storage: &SqliteStorage, program: &ProgramId) -> usize {
    let (number, _) = resident();
    let caller = StationContext {
        station: CentralStationId::new("kita-community-01").unwrap(),
        program: program.clone(),
    };
    storage
        .history(&caller, number.as_str(), 100, SYNCED)
        .await
        .unwrap()
        .map_or(0, |h| h.measurements.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawal_stops_new_measurements_at_every_station_after_its_next_sync() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let storage = SqliteStorage::open(&db).unwrap();
    storage.migrate().await.unwrap();
    let program = ProgramId::new("kita-points").unwrap();
    let first = central_station(&storage, &program, "kita-community-01", SYNCED).await;
    let second = CentralCredential::generate().unwrap();
    let second_id = CentralStationId::new("kita-02").unwrap();
    storage
        .create_station(
            &NewStation {
                id: second_id.clone(),
                municipality: MunicipalityId::new("kita").unwrap(),
                place: "北体育館".into(),
            },
            SYNCED,
        )
        .await
        .unwrap();
    storage
        .add_credential(&second_id, second.id(), &second.secret_hash(), SYNCED)
        .await
        .unwrap();
    let stations = [
        Enrolled {
            id: "kita-community-01",
            token: first.token(),
        },
        Enrolled {
            id: "kita-02",
            token: second.token(),
        },
    ];
    let (number, profile) = resident();
    storage
        .put_participant(
            &program,
            &RosterEntry {
                participant: number.as_str().to_owned(),
                birth_date: format!(
                    "{:04}-{:02}-{:02}",
                    profile.birth_date.year, profile.birth_date.month, profile.birth_date.day
                ),
                sex: Sex::Female,
                height_tenths_cm: profile.height_tenths_cm,
                body_type: 0,
                implanted_device: false,
                status: ParticipantStatus::Active,
            },
            SYNCED,
        )
        .await
        .unwrap();
    let server = Server::start(&db);
    let mut kiosks = [
        Kiosk::start_as("kita-community-01", "MC-780", resident_on_the_scale()).await,
        Kiosk::start_as("kita-02", "MC-780", resident_on_the_scale()).await,
    ];
    for (kiosk, station) in kiosks.iter().zip(&stations) {
        next_sync(kiosk, &server.base, &station.token).await;
    }

    // Before the withdrawal the resident measures at the first kiosk as usual.
    kiosks[0].to_weighing(&number, false).await;
    kiosks[0]
        .until("the results", |e| matches!(e, Event::Results { .. }))
        .await;
    kiosks[0].settle_idle_work().await;
    next_sync(&kiosks[0], &server.base, &stations[0].token).await;
    assert_eq!(readings_at_the_server(&storage, &program).await, 1);

    // At the municipality's desk: a written withdrawal, entered and carried out.
    let desk = storage.clone().acting_as(Actor::admin("desk-clerk"));
    #[allow(clippy::disallowed_methods)] // the desk's clock
    let now = Timestamp::from_system_time(std::time::SystemTime::now());
    let request = desk
        .open_rights_request(
            &NewRightsRequest {
                program: program.clone(),
                participant: number.as_str().to_owned(),
                kind: RequestKind::Withdrawal,
                received: DeskDate::parse("2026-11-23").unwrap(),
                identity_check: "窓口で運転免許証 / driving licence at the desk".into(),
            },
            now,
        )
        .await
        .unwrap();
    desk.carry_out_rights_request(request.id, &CarryOut::Withdrawal, now)
        .await
        .unwrap();
    let before: Vec<bool> = desk
        .rights_propagation(request.id)
        .await
        .unwrap()
        .iter()
        .map(|s| s.confirmed)
        .collect();
    assert_eq!(before, [false, false], "no station has synced since");

    // Each station's next sync carries it; from then on the card is refused with the reason.
    for (kiosk, station) in kiosks.iter_mut().zip(&stations) {
        next_sync(kiosk, &server.base, &station.token).await;
        assert_eq!(
            card_of_the_resident(kiosk).await,
            EndReason::ConsentWithdrawn,
            "station {}",
            station.id
        );
        kiosk.settle_idle_work().await;
    }
    // Nothing new was stored or queued for the resident at either station: after one more
    // round each outbox is empty and the server still holds the one reading from before.
    for (kiosk, station) in kiosks.iter().zip(&stations) {
        let store = Store::open(&kiosk.store_config).unwrap();
        assert_eq!(store.pending_events().unwrap(), 0, "station {}", station.id);
        next_sync(kiosk, &server.base, &station.token).await;
    }
    assert_eq!(readings_at_the_server(&storage, &program).await, 1);
    // That round's pulls started from a cursor past the withdrawal: each station has confirmed it.
    let confirmed = desk.rights_propagation(request.id).await.unwrap();
    assert_eq!(confirmed.len(), 2);
    assert!(confirmed.iter().all(|s| s.confirmed), "{confirmed:?}");
    drop(server);
}
