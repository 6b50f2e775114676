//! Tests against a real analyzer on a real port. Compiled only with `--features hardware-tests`
//! and never run in CI; see devices/TESTING.md for the variables and what a person must do.
#![cfg(feature = "hardware-tests")]
#![allow(clippy::print_stdout, clippy::disallowed_methods)]

use hakaru_devices::scale::exchange::{Preset, PresetExchange};
use hakaru_devices::scale::tanita::{BodyType, Sex};
use hakaru_devices::scale::{LinkSettings, ModelProfile};
use hakaru_devices::serial::{
    autodetect, run_preset, AutodetectOptions, LinkOptions, ScaleEvent, ScaleLink,
};
use std::time::{Duration, Instant};

fn port() -> String {
    std::env::var("HAKARU_TEST_PORT")
        .expect("set HAKARU_TEST_PORT to the analyzer's port, e.g. /dev/ttyUSB0")
}

async fn settings(port: &str) -> LinkSettings {
    match std::env::var("HAKARU_TEST_SETTINGS") {
        Ok(s) => LinkSettings::parse(&s).expect("HAKARU_TEST_SETTINGS like 9600-8N1"),
        Err(_) => {
            println!("通信設定を自動検出中。測定してください / auto-detecting: please take a measurement now");
            autodetect(
                port,
                &LinkSettings::AUTODETECT_CANDIDATES,
                &AutodetectOptions::default(),
                |_| {},
            )
            .await
            .expect("auto-detection found the analyzer")
            .settings
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_measurement_from_the_analyzer_verifies_and_decodes() {
    let port = port();
    let settings = settings(&port).await;
    let mut link = ScaleLink::open(&port, settings, LinkOptions::default());
    println!("体組成計に乗ってください(2 分以内) / please step on the analyzer (within 2 minutes)");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let event = tokio::time::timeout_at(deadline, link.next_event())
            .await
            .expect("a frame within two minutes")
            .expect("the link stays open");
        match event {
            ScaleEvent::Reading(r) => {
                assert!(
                    r.weight.is_some() || r.height.is_some(),
                    "the frame carries a measurement"
                );
                println!(
                    "OK: {} ({} fields)",
                    r.model.as_deref().unwrap_or("?"),
                    r.pairs().len()
                );
                return;
            }
            ScaleEvent::Weight(w) if w.weight.is_some() => return,
            ScaleEvent::DecodeError { error, .. } => {
                panic!("a frame from the analyzer was rejected: {error}")
            }
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_analyzer_acknowledges_a_preset_exchange() {
    let port = port();
    let model = std::env::var("HAKARU_TEST_MODEL").unwrap_or_else(|_| "MC-780".to_owned());
    let profile = ModelProfile::find(&model).expect("HAKARU_TEST_MODEL names a known model");
    if profile.dialect.is_none() {
        println!("{model} has no PC mode; nothing to test");
        return;
    }
    let settings = settings(&port).await;
    let options = LinkOptions {
        dialect: profile
            .dialect
            .unwrap_or(hakaru_devices::scale::Dialect::JpDc),
        ..LinkOptions::default()
    };
    let mut link = ScaleLink::open(&port, settings, options);
    while !matches!(link.next_event().await, Some(ScaleEvent::Connected { .. })) {}
    let preset = Preset {
        sex: Sex::Female,
        age: 68,
        height_tenths_cm: 1552,
        body_type: BodyType::Standard,
        clothes_tenths_kg: 10,
    };
    let x = PresetExchange::new(profile, &preset, Instant::now()).expect("a valid preset");
    run_preset(&mut link, x)
        .await
        .map_err(|(e, _)| e)
        .expect("the analyzer accepted every preset");
}
