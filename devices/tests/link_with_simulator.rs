//! Simulator → link → decoded reading, end to end on the simulator's own pseudo-terminal:
//! a measurement at the real line rate, unplug/replug (also in the middle of a frame), every
//! injected fault — a bad frame never becomes a reading and the link recovers by itself — and
//! auto-detection finding the settings the simulated analyzer switched to.
//!
//! No sleeps as synchronisation: every wait is for a link event or a simulator status. The
//! `within` guard only turns a hang into a failure.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use hakaru_devices::scale::models::ModelProfile;
use hakaru_devices::scale::status::{DeviceStatus, ErrorCode};
use hakaru_devices::scale::tanita::FrameError;
use hakaru_devices::scale::{Command, DecodeError, LinkSettings, Reading};
use hakaru_devices::serial::{
    autodetect, AutodetectOptions, AutodetectProgress, Backoff, CandidateOutcome, Direction,
    DisconnectReason, Evidence, LinkOptions, ScaleEvent, ScaleLink,
};
use hakaru_devices::sim::{Fault, SimConfig, Simulator};
use std::future::Future;
use std::time::Duration;

async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), f)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// A fast simulator of `model`: 20 ms measurements, optionally at the real line rate.
fn simulator(model: &str, pace: bool) -> Simulator {
    let mut config = SimConfig::for_model(model).unwrap();
    config.pace = pace;
    config.device.measure_time = Duration::from_millis(20);
    Simulator::start(config).unwrap()
}

fn options(tap_raw: bool) -> LinkOptions {
    LinkOptions {
        tap_raw,
        backoff: Backoff {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(200),
        },
        ..LinkOptions::default()
    }
}

/// Collects events until `stop` says so; returns them all (the last one included).
async fn until(link: &mut ScaleLink, mut stop: impl FnMut(&ScaleEvent) -> bool) -> Vec<ScaleEvent> {
    let mut seen = Vec::new();
    loop {
        let event = within("a link event", link.next_event())
            .await
            .expect("the link ended");
        let done = stop(&event);
        seen.push(event);
        if done {
            return seen;
        }
    }
}

fn is_reading(e: &ScaleEvent) -> bool {
    matches!(e, ScaleEvent::Reading(_))
}

fn readings(events: &[ScaleEvent]) -> Vec<&Reading> {
    events
        .iter()
        .filter_map(|e| match e {
            ScaleEvent::Reading(r) => Some(r.as_ref()),
            _ => None,
        })
        .collect()
}

fn decode_errors(events: &[ScaleEvent]) -> Vec<&DecodeError> {
    events
        .iter()
        .filter_map(|e| match e {
            ScaleEvent::DecodeError { error, .. } => Some(error),
            _ => None,
        })
        .collect()
}

fn disconnects(events: &[ScaleEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, ScaleEvent::Disconnected { .. }))
        .count()
}

/// Opens a link on the simulator and waits until it is connected.
async fn connect(sim: &Simulator, settings: LinkSettings, tap_raw: bool) -> ScaleLink {
    let mut link = ScaleLink::open(sim.path(), settings, options(tap_raw));
    let events = until(&mut link, |e| matches!(e, ScaleEvent::Connected { .. })).await;
    let ScaleEvent::Connected { path, settings: s } = events.last().unwrap() else {
        unreachable!()
    };
    assert_eq!((path.as_path(), *s), (sim.path(), settings));
    link
}

/// One measurement, and the events up to its reading. Asserts it was a good reading.
async fn measure(sim: &Simulator, link: &mut ScaleLink) -> Vec<ScaleEvent> {
    sim.measure().unwrap();
    let events = until(link, is_reading).await;
    let r = readings(&events);
    let weight = r.last().unwrap().weight.unwrap().value();
    assert!(
        (weight - 67.6).abs() < 1.0,
        "weight near the simulated person's"
    );
    events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_measurement_at_the_real_line_rate_becomes_one_verified_reading() {
    let sim = simulator("DC-320", true);
    let mut link = connect(&sim, LinkSettings::TANITA_DEFAULT, true).await;
    let events = measure(&sim, &mut link).await;

    let chunks = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                ScaleEvent::Bytes {
                    direction: Direction::Received,
                    ..
                }
            )
        })
        .count();
    assert!(
        chunks > 1,
        "paced at 9600 baud, the frame arrives in pieces"
    );
    assert!(decode_errors(&events).is_empty(), "{events:?}");
    assert!(events.iter().any(|e| matches!(
        e,
        ScaleEvent::Identified { model: Some(m), serial_number: Some(sn) }
            if m == "DC-320" && sn == "00000001"
    )));
    let reading = readings(&events)[0];
    assert_eq!(reading.model.as_deref(), Some("DC-320"));
    assert!(reading.has_composition());
    // Health data never shows in Debug output, raw bytes included.
    let weight = format!("{:.1}", reading.weight.unwrap().value());
    let debug = format!("{events:?}");
    assert!(!debug.contains(&weight), "{debug}");

    // Commands go through the link; the analyzer's PC-mode reply comes back as an event.
    link.send(&Command::EnterPcMode).await.unwrap();
    let events = until(&mut link, |e| matches!(e, ScaleEvent::Reply(_))).await;
    assert!(decode_errors(&events).is_empty());
    sim.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unplug_and_replug_reconnect_by_themselves_even_mid_frame() {
    // MC-780 frames are ~1.2 kB: over a second on the wire, so the unplug lands inside one.
    let sim = simulator("MC-780", true);
    let mut link = connect(&sim, LinkSettings::TANITA_DEFAULT, true).await;
    measure(&sim, &mut link).await;

    // A plain unplug between frames.
    sim.inject(Fault::Unplug(Duration::from_millis(150)))
        .unwrap();
    let events = until(&mut link, |e| matches!(e, ScaleEvent::Connected { .. })).await;
    assert!(events.iter().any(|e| matches!(
        e,
        ScaleEvent::Disconnected {
            reason: DisconnectReason::DeviceGone
        }
    )));
    assert!(readings(&events).is_empty());
    measure(&sim, &mut link).await;

    // Unplug while a frame is on the wire: the first bytes are in, then the cable goes.
    // (The previous frame's LF may still come in its own chunk: wait for the new frame's `{`.)
    sim.measure().unwrap();
    until(&mut link, |e| {
        matches!(e, ScaleEvent::Bytes { direction: Direction::Received, data }
            if data.expose().contains(&b'{'))
    })
    .await;
    sim.inject(Fault::Unplug(Duration::from_millis(150)))
        .unwrap();
    let events = until(&mut link, |e| matches!(e, ScaleEvent::Connected { .. })).await;
    assert!(
        readings(&events).is_empty(),
        "a cut frame is never a reading"
    );
    assert!(
        matches!(
            decode_errors(&events)[..],
            [DecodeError::Frame(FrameError::Truncated)]
        ),
        "{events:?}"
    );
    assert_eq!(disconnects(&events), 1);

    // Readings flow again.
    let events = measure(&sim, &mut link).await;
    assert!(decode_errors(&events).is_empty());
    let status = sim.stop().await.unwrap();
    assert_eq!(status.plug_count, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_injected_fault_leaves_no_bad_reading_and_the_link_recovers() {
    let sim = simulator("DC-320", false);
    let mut link = connect(&sim, LinkSettings::TANITA_DEFAULT, false).await;
    measure(&sim, &mut link).await;

    // Noise between frames: skipped, not even an error; the next frame reads.
    sim.inject(Fault::Noise).unwrap();
    let events = measure(&sim, &mut link).await;
    assert!(decode_errors(&events).is_empty(), "{events:?}");
    assert_eq!(readings(&events).len(), 1);

    // A frame cut short, then a whole one: one truncation error, one reading.
    sim.inject(Fault::Truncate).unwrap();
    let events = measure(&sim, &mut link).await;
    assert!(matches!(
        decode_errors(&events)[..],
        [DecodeError::Frame(FrameError::Truncated)]
    ));
    assert_eq!(readings(&events).len(), 1);

    // A bad checksum: a mismatch error and no reading; the next measurement reads.
    sim.inject(Fault::BadChecksum).unwrap();
    sim.measure().unwrap();
    let events = until(&mut link, |e| matches!(e, ScaleEvent::DecodeError { .. })).await;
    assert!(matches!(
        decode_errors(&events)[..],
        [DecodeError::Frame(FrameError::ChecksumMismatch { .. })]
    ));
    assert!(readings(&events).is_empty());
    measure(&sim, &mut link).await;

    // A device error code is a status value, not a link failure.
    sim.inject(Fault::Error(ErrorCode::ImpedanceError)).unwrap();
    let events = until(&mut link, |e| matches!(e, ScaleEvent::Status(_))).await;
    assert!(matches!(
        events.last(),
        Some(ScaleEvent::Status(DeviceStatus::Error(
            ErrorCode::ImpedanceError
        )))
    ));
    measure(&sim, &mut link).await;

    // A different analyzer (new serial number): AnalyzerChanged before its reading.
    sim.inject(Fault::SerialNumber("12345678".into())).unwrap();
    let events = measure(&sim, &mut link).await;
    let changed = events
        .iter()
        .find_map(|e| match e {
            ScaleEvent::AnalyzerChanged { previous, current } => Some((previous, current)),
            _ => None,
        })
        .expect("AnalyzerChanged");
    assert_eq!(changed.0.serial_number.as_deref(), Some("00000001"));
    assert_eq!(changed.1.serial_number.as_deref(), Some("12345678"));
    assert_eq!(
        readings(&events)[0].serial_number.as_deref(),
        Some("12345678")
    );

    // A junk byte after each frame (WB-3000 behaviour): skipped silently.
    sim.inject(Fault::Junk).unwrap();
    let mut events = measure(&sim, &mut link).await;
    events.extend(measure(&sim, &mut link).await);
    assert!(decode_errors(&events).is_empty(), "{events:?}");

    // Nothing above ever dropped the connection.
    let status = sim.stop().await.unwrap();
    assert_eq!(status.plug_count, 1);
    let events = until(&mut link, |e| matches!(e, ScaleEvent::Disconnected { .. })).await;
    assert!(readings(&events).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silence_does_not_drop_the_link_and_readings_resume() {
    let mut config = SimConfig::for_model("DC-320").unwrap();
    config.pace = false;
    config.device.measure_time = Duration::from_millis(20);
    config.device.auto_measure = Some(Duration::from_millis(50));
    let sim = Simulator::start(config).unwrap();
    let mut link = connect(&sim, LinkSettings::TANITA_DEFAULT, false).await;
    until(&mut link, is_reading).await;

    sim.inject(Fault::Silence(Duration::from_millis(300)))
        .unwrap();
    // A command during silence is written (the port is fine) but not answered.
    link.send(&Command::ReadPresets).await.unwrap();
    let before = sim.status().results_sent;
    sim.wait_for(|s| s.results_sent > before + 1).await.unwrap();
    let events = until(&mut link, is_reading).await;
    assert_eq!(disconnects(&events), 0);
    assert!(decode_errors(&events).is_empty());
    sim.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_baud_gives_no_reading_and_autodetect_finds_the_new_settings() {
    let sim = simulator("DC-320", false);
    let mut link = connect(&sim, LinkSettings::TANITA_DEFAULT, true).await;
    measure(&sim, &mut link).await;

    // The analyzer is switched to 4800 baud; the link still listens at 9600.
    let at_4800 = LinkSettings::new_8n1(4800);
    sim.inject(Fault::WrongBaud(Some(at_4800))).unwrap();
    sim.wait_for(|s| s.device_settings == at_4800)
        .await
        .unwrap();
    let before = sim.status();
    sim.measure().unwrap();
    let sent = sim
        .wait_for(|s| s.results_sent > before.results_sent)
        .await
        .unwrap();
    assert!(
        sent.garbled_lines > before.garbled_lines,
        "the simulator garbled the frame"
    );
    // Everything the simulator wrote has reached the link (raw tap): none of it was a reading.
    let mut received = 0u64;
    let want = sent.bytes_written - before.bytes_written;
    let mut events = Vec::new();
    while received < want {
        let e = within("garbled bytes", link.next_event()).await.unwrap();
        if let ScaleEvent::Bytes {
            direction: Direction::Received,
            data,
        } = &e
        {
            received += data.expose().len() as u64;
        }
        events.push(e);
    }
    assert!(readings(&events).is_empty(), "garbage is never a reading");

    // Auto-detection needs the port to itself.
    link.close();
    until(&mut link, |e| matches!(e, ScaleEvent::Disconnected { .. })).await;
    drop(link);

    let mut progress = Vec::new();
    let detect = AutodetectOptions {
        listen_for: Duration::from_millis(500),
        ..AutodetectOptions::default()
    };
    let detected = within(
        "auto-detection",
        autodetect(
            sim.path(),
            &LinkSettings::AUTODETECT_CANDIDATES,
            &detect,
            |p| progress.push(p.clone()),
        ),
    )
    .await
    .unwrap();
    assert_eq!(detected.settings, at_4800);
    // DC-320 answers the `D?` probe (a preset readback), which verifies the setting.
    assert_eq!(detected.evidence, Evidence::Reply);
    assert!(matches!(
        &progress[1],
        AutodetectProgress::Tried { settings, outcome }
            if *settings == LinkSettings::TANITA_DEFAULT
                && !matches!(outcome, CandidateOutcome::Matched { .. })
    ));

    // With the detected settings, readings flow again.
    let mut link = connect(&sim, detected.settings, false).await;
    let events = measure(&sim, &mut link).await;
    assert!(decode_errors(&events).is_empty());
    assert_eq!(
        ModelProfile::find(readings(&events)[0].model.as_deref().unwrap()).map(|p| p.model),
        Some("DC-320")
    );
    sim.stop().await.unwrap();
}
