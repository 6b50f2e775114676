//! The simulator's sans-IO device: every frame decodes with the crate's decoder and carries a
//! checksum this test computes itself; values satisfy the reference's consistency relations;
//! PC-mode exchanges match reference §3/§6; each fault does what it says.

// Test helpers panic on a failed setup step, like the tests that call them.
#![allow(clippy::unwrap_used)]

use hakaru_devices::scale::tanita::{FrameError, Reading, Sex};
use hakaru_devices::scale::{
    decode_all, DecodeError, DecodeEvent, DeviceStatus, ErrorCode, LinkSettings, ModelProfile,
    Reply, Stability,
};
use hakaru_devices::sim::{Action, Device, DeviceConfig, Fault, Person, Rng, TransmitKind};
use proptest::prelude::*;
use std::time::Duration;

const T0: Duration = Duration::ZERO;

fn model(name: &str) -> &'static ModelProfile {
    ModelProfile::find(name).unwrap()
}

fn device(name: &str, seed: u64) -> Device {
    let mut c = DeviceConfig::new(model(name));
    c.seed = seed;
    c.measure_time = Duration::ZERO;
    Device::new(c)
}

fn drain(d: &mut Device) -> Vec<u8> {
    std::iter::from_fn(|| d.poll_transmit())
        .flat_map(|t| t.bytes)
        .collect()
}

fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn send(d: &mut Device, cmd: &str, now: Duration) -> Vec<String> {
    d.handle_input(format!("{cmd}\r\n").as_bytes(), now);
    lines(&drain(d))
}

/// Independent checksum oracle: low byte of the sum of every byte from `{` through the comma
/// before `CS`, compared with the two hex digits after `CS,`.
fn oracle_checksum_ok(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r\n").unwrap_or(line);
    let pos = line
        .windows(4)
        .rposition(|w| w == b",CS,")
        .expect("frame has ,CS,");
    let mut sum: u32 = 0;
    for b in &line[..=pos] {
        sum += u32::from(*b);
    }
    let carried = u8::from_str_radix(std::str::from_utf8(&line[pos + 4..pos + 6]).unwrap(), 16)
        .expect("two hex digits");
    let upper = line[pos + 4..pos + 6]
        .iter()
        .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase());
    (sum % 256) as u8 == carried && upper
}

fn readings(events: &[DecodeEvent]) -> Vec<&Reading> {
    events
        .iter()
        .filter_map(|e| match e {
            DecodeEvent::Reading { reading } => Some(reading.as_ref()),
            _ => None,
        })
        .collect()
}

fn one_frame(d: &mut Device, now: Duration) -> (Vec<u8>, Reading) {
    d.measure(now);
    let bytes = drain(d);
    let events = decode_all(&bytes);
    let rs = readings(&events);
    assert_eq!(rs.len(), 1, "{events:?}");
    (bytes, rs[0].clone())
}

#[test]
fn every_key_value_model_sends_a_frame_that_decodes_and_verifies() {
    for name in ["MC-780", "MC-980", "DC-320", "SC-240", "PW-650"] {
        let mut d = device(name, 11);
        let (bytes, r) = one_frame(&mut d, T0);
        let profile = model(name);
        assert!(bytes.starts_with(profile.control.as_bytes()), "{name}");
        assert!(bytes.ends_with(b"\r\n"), "{name}");
        assert!(oracle_checksum_ok(&bytes), "{name}");
        assert_eq!(r.model.as_deref(), Some(profile.model));
        // The decoder keeps keys it does not interpret; only DC-320's second-frequency pair is one.
        assert!(
            r.unknown()
                .keys()
                .all(|k| ["UF", "VF"].contains(&k.as_str())),
            "{name}: unknown keys {:?}",
            r.unknown()
        );
        let w = r.weight.expect("Wk").0;
        assert!((w - 67.6).abs() < 0.5, "{name}");
    }
    // MC-780A: F1's key set and length class (≈1.27 kB); whole-body models much shorter.
    let (f1_like, r) = one_frame(&mut device("MC-780", 3), T0);
    assert!(
        f1_like.len() > 1200 && f1_like.len() < 1350,
        "{}",
        f1_like.len()
    );
    assert_eq!(r.impedances.len(), 7 * 6);
    assert_eq!(r.phase_angles.len(), 7);
    assert!(r.segments.trunk.is_some());
    let (_, r) = one_frame(&mut device("SC-240", 3), T0);
    assert_eq!(r.serial_number.as_deref(), Some("00000001"));
    assert!(r.impedances.len() == 1 && r.segments.is_empty());
    let (_, r) = one_frame(&mut device("PW-650", 3), T0);
    assert!(!r.has_composition());
}

#[test]
fn and_indicator_sends_unstable_lines_then_one_stable_line() {
    let mut c = DeviceConfig::new(model("AD-4404"));
    c.measure_time = Duration::from_secs(1);
    let mut d = Device::new(c);
    d.measure(T0);
    let mut t = T0;
    while let Some(next) = d.poll_timeout() {
        t = next;
        d.handle_timeout(t);
    }
    assert_eq!(t, Duration::from_secs(1));
    let events = decode_all(&drain(&mut d));
    let ws: Vec<_> = events
        .iter()
        .map(|e| match e {
            DecodeEvent::Weight { weight } => weight.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(ws.len() >= 3);
    let (last, settling) = ws.split_last().unwrap();
    assert!(settling.iter().all(|w| w.stability == Stability::Unstable));
    assert_eq!(last.stability, Stability::Stable);
    assert_eq!(last.raw.len(), "ST,GS,+0065.30kg".len());
    assert!((last.weight.unwrap().0 - 67.6).abs() < 0.5);
}

#[test]
fn wb110_answers_dr_with_the_legacy_line() {
    let mut c = DeviceConfig::new(model("WB-110"));
    c.measure_time = Duration::from_secs(2);
    let mut d = Device::new(c);
    d.measure(T0);
    let settling = send(&mut d, "DR", Duration::from_secs(1));
    assert!(settling[0].starts_with("SD"), "{settling:?}");
    let stable = send(&mut d, "DR", Duration::from_secs(3));
    assert_eq!(stable[0].len(), 12);
    let events = decode_all(format!("{}\r\n", stable[0]).as_bytes());
    let DecodeEvent::Weight { weight } = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(weight.stability, Stability::Stable);
    assert!((weight.weight.unwrap().0 - 67.6).abs() < 0.5);
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.1 + 1e-9
}

fn check_relations(r: &Reading) {
    let wk = r.weight.unwrap().0;
    let hm = r.height.unwrap().0 / 100.0;
    let fw = r.fat_percent.unwrap().0;
    let f_w = r.fat_mass.unwrap().0;
    assert!(close(f_w, wk * fw / 100.0), "fW");
    assert!(close(r.fat_free_mass.unwrap().0, wk - f_w), "MW");
    assert!(close(r.bmi.unwrap(), wk / (hm * hm)), "MI");
    if let (Some(ww), Some(w_w)) = (r.body_water_percent, r.total_body_water) {
        assert!(close(ww.0, w_w.0 / wk * 100.0), "ww");
    }
    if let Some(sw) = r.standard_weight {
        assert!(close(sw.0, 22.0 * hm * hm), "Sw");
        assert!(
            close(r.obesity_degree.unwrap().0, (wk - sw.0) / sw.0 * 100.0),
            "OV"
        );
    }
    if let (Some(kj), Some(kcal)) = (r.bmr_kj, r.bmr_kcal) {
        assert_eq!(kj.0, (kcal.0 * 4.184).round(), "rb");
    }
    if let (Some(o), Some(ratio)) = (r.extracellular_water, r.extracellular_water_ratio) {
        assert!(
            close(ratio.0, o.0 / r.total_body_water.unwrap().0 * 100.0),
            "wo"
        );
    }
    if let Some(mh) = r.muscle_per_height2 {
        assert!(close(mh.0, r.muscle_mass.unwrap().0 / (hm * hm)), "mh");
    }
    let segs = &r.segments;
    if let Some(as_) = r.appendicular_muscle_mass {
        let m = |s: &Option<hakaru_devices::scale::tanita::SegmentValues>| {
            s.as_ref().unwrap().muscle_mass.unwrap().0
        };
        let sum = m(&segs.right_leg) + m(&segs.left_leg) + m(&segs.right_arm) + m(&segs.left_arm);
        assert!(close(as_.0, sum), "AS");
        assert!(
            close(r.skeletal_muscle_index.unwrap().0, as_.0 / (hm * hm)),
            "ah"
        );
    }
    for s in [
        &segs.right_leg,
        &segs.left_leg,
        &segs.right_arm,
        &segs.left_arm,
        &segs.trunk,
    ]
    .into_iter()
    .flatten()
    {
        let f = s.fat_mass.unwrap().0;
        let m = s.fat_free_mass.unwrap().0;
        assert!(
            close(s.fat_percent.unwrap().0, f / (f + m) * 100.0),
            "segment F"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn consistency_relations_hold_for_seeded_people(seed in any::<u64>(), which in 0usize..4) {
        let name = ["MC-780", "MC-980", "DC-320", "SC-240"][which];
        let mut c = DeviceConfig::new(model(name));
        c.seed = seed;
        c.measure_time = Duration::ZERO;
        c.person = Person::random(&mut Rng::new(seed ^ 0x5eed));
        let mut d = Device::new(c);
        for i in 0..3u64 {
            let (bytes, r) = one_frame(&mut d, Duration::from_secs(60 * i));
            prop_assert!(oracle_checksum_ok(&bytes));
            check_relations(&r);
        }
    }
}

#[test]
fn same_seed_same_bytes_and_measurements_vary() {
    let a = one_frame(&mut device("MC-780", 42), T0).0;
    let b = one_frame(&mut device("MC-780", 42), T0).0;
    assert_eq!(a, b);
    let mut d = device("MC-780", 42);
    let first = one_frame(&mut d, T0).0;
    let second = one_frame(&mut d, T0).0;
    assert_ne!(first, second);
}

#[test]
fn mc980_dialect_presets_readback_and_start() {
    let mut d = device("MC-980", 1);
    assert_eq!(send(&mut d, "D001.0", T0), ["!"], "presets need PC mode");
    assert_eq!(send(&mut d, "M1", T0), ["M1"]);
    assert_eq!(
        send(&mut d, "D?", T0),
        ["D000.0,D1!,D2!,D3!,D4!,D5!,D6!"],
        "reference §6 unset readback"
    );
    assert_eq!(send(&mut d, "G", T0), ["E4"], "start before sex/age/height");
    assert_eq!(send(&mut d, "D001.0", T0), ["D0"]);
    for (cmd, ack) in [
        ("D001.5", "D0"),
        ("D11", "D1"),
        ("D20", "D2"),
        ("D3175.4", "D3"),
        ("D430", "D4"),
        ("D50000012345", "D5"),
        ("D620", "D6"),
    ] {
        assert_eq!(send(&mut d, cmd, T0), [ack], "{cmd}");
        assert!(matches!(
            Reply::parse(ack.as_bytes()),
            Some(Reply::Accepted { .. })
        ));
    }
    assert_eq!(
        send(&mut d, "D?", T0),
        ["D01.5,D11,D20,D3175.4,D430,D50000012345,D620"],
        "reference §6 readback"
    );
    assert_eq!(send(&mut d, "D3999.9", T0), ["D3!"]);
    assert_eq!(send(&mut d, "D1x", T0), ["D1!"]);
    assert_eq!(send(&mut d, "XYZ", T0), ["!"]);
}

#[test]
fn jp_dc_dialect_echoes_keys_and_the_frame_reflects_presets() {
    let mut c = DeviceConfig::new(model("MC-780"));
    c.measure_time = Duration::from_secs(3);
    let mut d = Device::new(c);
    assert_eq!(send(&mut d, "M1", T0), ["@"]);
    assert_eq!(send(&mut d, "D001.0", T0), ["D0,Pt,1.0"], "reference §6");
    assert_eq!(send(&mut d, "D12", T0), ["D1,GE,2"]);
    assert_eq!(send(&mut d, "D22", T0), ["D2,Bt,2"]);
    assert_eq!(send(&mut d, "D3160.2", T0), ["D3,Hm,160.2"]);
    assert_eq!(send(&mut d, "D433", T0), ["D4,AG,33"]);
    assert_eq!(send(&mut d, "D50000012345", T0), ["D5,ID,0000012345"]);
    assert_eq!(send(&mut d, "D625", T0), ["D6,gF,25"]);
    for l in ["D0,Pt,1.0", "D1,GE,2"] {
        assert!(matches!(
            Reply::parse(l.as_bytes()),
            Some(Reply::Accepted {
                echoed_key: Some(_),
                ..
            })
        ));
    }
    assert_eq!(send(&mut d, "G", T0), ["S6"]);
    assert!(d.is_measuring());
    assert_eq!(
        send(&mut d, "D?", Duration::from_secs(1)),
        ["#"],
        "busy while measuring"
    );
    assert_eq!(d.poll_timeout(), Some(Duration::from_secs(3)));
    d.handle_timeout(Duration::from_secs(3));
    let bytes = drain(&mut d);
    assert!(oracle_checksum_ok(&bytes));
    let events = decode_all(&bytes);
    let r = readings(&events)[0];
    assert_eq!(r.sex, Some(Sex::Female));
    assert_eq!(r.age, Some(33));
    assert_eq!(r.height.map(|h| h.0), Some(160.2));
    assert_eq!(r.clothes_weight.map(|k| k.0), Some(1.0));
    assert_eq!(r.target_fat_percent.map(|p| p.0), Some(25.0));
    assert_eq!(r.device_id.as_deref(), Some("0000000000012345"));
    // Wk is net of the preset clothes weight (person weighs 67.6 gross).
    assert!((r.weight.unwrap().0 - 66.6).abs() < 0.3);
    check_relations(r);
}

#[test]
fn dc320_starts_with_g0_and_answers_at() {
    let mut d = device("DC-320", 5);
    assert_eq!(send(&mut d, "M1", T0), ["@"]);
    assert_eq!(send(&mut d, "G0", T0), ["E4"]);
    for cmd in ["D11", "D3170.0", "D440"] {
        send(&mut d, cmd, T0);
    }
    assert_eq!(
        send(&mut d, "G", T0),
        ["!"],
        "not this model's start command"
    );
    d.handle_input(b"G0\r\n", T0);
    let bytes = drain(&mut d);
    let events = decode_all(&bytes);
    assert!(matches!(
        &events[0],
        DecodeEvent::Reply {
            reply: Reply::Ready
        }
    ));
    assert_eq!(readings(&events).len(), 1);
    let weight_only = send(&mut d, "F0", T0);
    assert_eq!(weight_only[0], "@");
    assert!(weight_only[1].starts_with("F0,Wk,"));
}

#[test]
fn push_only_models_ignore_commands() {
    let mut d = device("SC-240", 1);
    assert!(send(&mut d, "M1", T0).is_empty());
    assert!(send(&mut d, "D?", T0).is_empty());
}

#[test]
fn bad_checksum_fault_is_a_mismatch_with_the_true_sum() {
    let mut d = device("SC-240", 2);
    d.inject(Fault::BadChecksum, T0);
    d.measure(T0);
    let bytes = drain(&mut d);
    assert!(!oracle_checksum_ok(&bytes));
    let pos = bytes.windows(4).rposition(|w| w == b",CS,").unwrap();
    let true_sum = bytes[..=pos].iter().fold(0u32, |a, b| a + u32::from(*b)) as u8;
    let events = decode_all(&bytes);
    assert_eq!(events.len(), 1);
    assert!(matches!(
        &events[0],
        DecodeEvent::Rejected {
            error: DecodeError::Frame(FrameError::ChecksumMismatch { expected, .. }),
            ..
        } if *expected == true_sum
    ));
    // One-shot: the next frame is good again.
    assert!(oracle_checksum_ok(&one_frame(&mut d, T0).0));
}

#[test]
fn truncate_fault_cuts_a_frame_then_the_next_one_decodes() {
    for name in ["MC-780", "PW-650"] {
        let mut d = device(name, 4);
        d.inject(Fault::Truncate, T0);
        d.measure(T0);
        let ts: Vec<_> = std::iter::from_fn(|| d.poll_transmit()).collect();
        assert_eq!(ts[0].kind, TransmitKind::TruncatedFrame);
        assert!(!ts[0].bytes.ends_with(b"\r\n"));
        assert_eq!(ts[1].kind, TransmitKind::Frame);
        let bytes: Vec<u8> = ts.into_iter().flat_map(|t| t.bytes).collect();
        let events = decode_all(&bytes);
        assert_eq!(events.len(), 2, "{name}: {events:?}");
        assert!(matches!(
            events[0],
            DecodeEvent::Rejected {
                error: DecodeError::Frame(FrameError::Truncated),
                ..
            }
        ));
        assert!(matches!(events[1], DecodeEvent::Reading { .. }));
    }
}

#[test]
fn noise_fault_is_skipped_and_the_next_frame_decodes() {
    let mut d = device("MC-780", 6);
    d.inject(Fault::Noise, T0);
    let noise = drain(&mut d);
    assert!(noise.len() >= 18 && noise.ends_with(b"\r\n"));
    let mut stream = noise.clone();
    stream.extend(one_frame(&mut d, T0).0);
    let mut dec = hakaru_devices::scale::StreamDecoder::new();
    dec.push(&stream);
    dec.finish();
    let events: Vec<_> = std::iter::from_fn(|| dec.poll_event()).collect();
    assert_eq!(readings(&events).len(), 1, "{events:?}");
    assert_eq!(dec.stats().skipped_bytes, noise.len() as u64 - 2);
}

#[test]
fn error_fault_sends_an_unsolicited_status_and_aborts_a_measurement() {
    let mut c = DeviceConfig::new(model("MC-780"));
    c.measure_time = Duration::from_secs(3);
    let mut d = Device::new(c);
    d.measure(T0);
    d.inject("error:E2".parse().unwrap(), Duration::from_secs(1));
    d.handle_timeout(Duration::from_secs(5));
    let events = decode_all(&drain(&mut d));
    assert_eq!(
        events,
        [DecodeEvent::Status {
            status: DeviceStatus::Error(ErrorCode::ImpedanceError)
        }]
    );
}

#[test]
fn serial_fault_changes_the_sn_of_later_frames() {
    let mut d = device("DC-320", 7);
    let (_, before) = one_frame(&mut d, T0);
    d.inject("serial:12345678".parse().unwrap(), T0);
    let (_, after) = one_frame(&mut d, T0);
    assert_eq!(before.serial_number.as_deref(), Some("00000001"));
    assert_eq!(after.serial_number.as_deref(), Some("12345678"));
}

#[test]
fn wrong_baud_unplug_and_silence_faults() {
    let mut d = device("MC-980", 8);
    assert_eq!(d.settings(), LinkSettings::TANITA_DEFAULT);
    d.inject(Fault::WrongBaud(None), T0);
    assert_eq!(d.settings(), LinkSettings::new_8n1(4800));
    d.inject("wrong-baud:2400-7E1".parse().unwrap(), T0);
    assert_eq!(d.settings(), LinkSettings::LEGACY_7E1);

    d.inject("unplug:500ms".parse().unwrap(), T0);
    assert_eq!(
        d.poll_action(),
        Some(Action::Unplug(Duration::from_millis(500)))
    );
    assert_eq!(d.poll_action(), None);

    d.inject("silence:2s".parse().unwrap(), T0);
    assert!(send(&mut d, "M1", Duration::from_secs(1)).is_empty());
    d.measure(Duration::from_secs(1));
    assert!(drain(&mut d).is_empty());
    assert_eq!(d.poll_timeout(), Some(Duration::from_secs(2)));
    d.handle_timeout(Duration::from_secs(2));
    assert_eq!(send(&mut d, "M1", Duration::from_secs(2)), ["M1"]);
}

#[test]
fn junk_fault_sends_one_byte_after_each_frame() {
    let mut d = device("PW-650", 9);
    d.inject(Fault::Junk, T0);
    let (frame, _) = one_frame(&mut d, T0);
    let due = d.poll_timeout().unwrap();
    let line_time = Duration::from_nanos(1_041_666 * frame.len() as u64);
    assert!(due >= line_time + Duration::from_millis(100));
    d.handle_timeout(due);
    let t = d.poll_transmit().unwrap();
    assert_eq!((t.kind, t.bytes.len()), (TransmitKind::Junk, 1));
    // The decoder skips it; a following frame still decodes.
    let mut stream = t.bytes.clone();
    stream.extend(one_frame(&mut d, due).0);
    assert_eq!(readings(&decode_all(&stream)).len(), 1);
}

#[test]
fn auto_measure_interval_produces_frames_on_time() {
    let mut c = DeviceConfig::new(model("SC-240"));
    c.measure_time = Duration::from_secs(2);
    c.auto_measure = Some(Duration::from_secs(10));
    let mut d = Device::new(c);
    assert_eq!(d.poll_timeout(), Some(Duration::from_secs(10)));
    d.handle_timeout(Duration::from_secs(10));
    assert!(drain(&mut d).is_empty(), "still measuring");
    d.handle_timeout(Duration::from_secs(12));
    assert_eq!(readings(&decode_all(&drain(&mut d))).len(), 1);
    assert_eq!(d.poll_timeout(), Some(Duration::from_secs(20)));
}

#[test]
fn debug_output_carries_no_values() {
    let mut d = device("MC-780", 1);
    d.measure(T0);
    let t = d.poll_transmit().unwrap();
    let text = format!("{t:?} {d:?} {:?}", Person::default());
    assert!(!text.contains("67.6") && !text.contains("175.5"), "{text}");
    assert!(text.contains("<redacted>"));
}
