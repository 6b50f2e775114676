//! Demo mode's first start with `[demo] check_at_start = true`: a station whose (simulated)
//! analyzer has never been checked checks it by itself with the configured reference weights
//! through the real link and feed, records the check, and the start screen opens; without the
//! setting it starts closed (`never_checked`), for a technician to check.

#![allow(clippy::unwrap_used)]

mod support;

use hakaru_kiosk::view::{AvailabilityView, KioskEvent};
use hakaru_station::store::{Store, StoreConfig};
use support::{next, start, write_settings, Sections};

fn demo_kiosk(check_at_start: bool) -> (tempfile::TempDir, StoreConfig, hakaru_kiosk::Kiosk) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let sc = StoreConfig::in_dir(&data);
    drop(hakaru_e2e::seed_store(&sc));
    std::fs::write(dir.path().join("cards.toml"), "").unwrap();
    let config = write_settings(
        dir.path(),
        &data,
        &Sections {
            scale: "simulate = true",
            cards: "camera = \"off\"",
            session: "",
            more: &format!(
                "[calibration]\nsteps_kg = [0, 50]\n\
                 [demo]\ncards_file = \"cards.toml\"\ncheck_at_start = {check_at_start}\n"
            ),
        },
    );
    let kiosk = start(config);
    (dir, sc, kiosk)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_station_checks_its_simulated_analyzer_at_first_start() {
    let (_dir, sc, kiosk) = demo_kiosk(true);
    let mut live = kiosk.subscribe().live;
    let open = next(&mut live, "the gate opens", |e| match e {
        KioskEvent::Availability(a) if a.open => Some(a.clone()),
        _ => None,
    })
    .await;
    assert_eq!(
        open,
        AvailabilityView {
            open: true,
            reason: None
        }
    );
    let store = Store::open(&sc).unwrap();
    let checks = store.calibrations(10).unwrap();
    assert_eq!(checks.len(), 1);
    let record = &checks[0].record;
    assert!(record.passed, "{record:?}");
    assert_eq!(record.technician, "demo-auto");
    assert_eq!(
        record
            .reference_checks
            .iter()
            .map(|c| c.nominal_kg)
            .collect::<Vec<_>>(),
        [0.0, 50.0]
    );
    kiosk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_check_at_start_a_never_checked_demo_station_starts_closed() {
    let (_dir, sc, kiosk) = demo_kiosk(false);
    let subscription = kiosk.subscribe();
    let mut live = subscription.live;
    let replayed = subscription.replay.into_iter().find_map(|e| match e {
        KioskEvent::Availability(a) => Some(a),
        _ => None,
    });
    let availability = match replayed {
        Some(a) => a,
        None => {
            next(&mut live, "availability", |e| match e {
                KioskEvent::Availability(a) => Some(a.clone()),
                _ => None,
            })
            .await
        }
    };
    assert_eq!(
        availability,
        AvailabilityView {
            open: false,
            reason: Some("never_checked".into())
        }
    );
    assert!(Store::open(&sc)
        .unwrap()
        .calibrations(10)
        .unwrap()
        .is_empty());
    kiosk.shutdown().await;
}
