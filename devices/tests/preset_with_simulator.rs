//! The PC-mode preset exchange end to end: link → simulator in each dialect, presets
//! acknowledged, then a frame whose echoed profile is the one preset.
#![allow(clippy::disallowed_methods, clippy::unwrap_used)]

use hakaru_devices::scale::exchange::{ExchangeError, Preset, PresetExchange};
use hakaru_devices::scale::tanita::{BodyType, Sex};
use hakaru_devices::scale::{ErrorCode, ModelProfile};
use hakaru_devices::serial::{run_preset, LinkOptions, PresetError, ScaleEvent, ScaleLink};
use hakaru_devices::sim::{Fault, SimConfig, Simulator};
use std::time::{Duration, Instant};

fn preset() -> Preset {
    Preset {
        sex: Sex::Female,
        age: 71,
        height_tenths_cm: 1524,
        body_type: BodyType::Standard,
        clothes_tenths_kg: 10,
    }
}

async fn connected(model: &str) -> (Simulator, ScaleLink, &'static ModelProfile) {
    let profile = ModelProfile::find(model).unwrap();
    let mut config = SimConfig::new(profile);
    config.pace = false;
    config.device.measure_time = Duration::from_millis(200);
    let sim = Simulator::start(config).unwrap();
    let options = LinkOptions {
        dialect: profile.dialect.unwrap(),
        ..LinkOptions::default()
    };
    let mut link = ScaleLink::open(sim.path(), profile.settings, options);
    while !matches!(link.next_event().await, Some(ScaleEvent::Connected { .. })) {}
    (sim, link, profile)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presets_are_acknowledged_and_echoed_in_every_dialect() {
    for model in ["MC-780", "MC-980", "DC-320"] {
        let (sim, mut link, profile) = connected(model).await;
        let x = PresetExchange::new(profile, &preset(), Instant::now()).unwrap();
        run_preset(&mut link, x)
            .await
            .map_err(|(e, _)| e)
            .unwrap_or_else(|e| panic!("{model}: {e}"));
        let reading = loop {
            match tokio::time::timeout(Duration::from_secs(20), link.next_event()).await {
                Ok(Some(ScaleEvent::Reading(r))) => break r,
                Ok(Some(ScaleEvent::DecodeError { error, .. })) => panic!("{model}: {error}"),
                Ok(Some(_)) => {}
                other => panic!("{model}: no reading after the preset: {other:?}"),
            }
        };
        assert_eq!(reading.sex, Some(Sex::Female), "{model}");
        assert_eq!(reading.age, Some(71), "{model}");
        assert!(
            reading.height.is_some_and(|h| (h.0 - 152.4).abs() < 0.05),
            "{model}"
        );
        assert!(
            reading
                .clothes_weight
                .is_some_and(|c| (c.0 - 1.0).abs() < 0.05),
            "{model}"
        );
        sim.stop().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_error_during_the_exchange_fails_it() {
    let (sim, mut link, profile) = connected("DC-320").await;
    sim.inject(Fault::Error(ErrorCode::ZeroPointNotSet))
        .unwrap();
    let x = PresetExchange::new(profile, &preset(), Instant::now()).unwrap();
    let (err, _) = run_preset(&mut link, x)
        .await
        .expect_err("E5 stops the exchange");
    assert!(
        matches!(
            err,
            PresetError::Exchange(ExchangeError::Device(ErrorCode::ZeroPointNotSet))
        ),
        "{err:?}"
    );
    sim.stop().await.unwrap();
}
