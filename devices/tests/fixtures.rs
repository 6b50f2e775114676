//! Byte-exact tests for every verified fixture of reference/scale-protocols.md §6, decoded whole
//! and byte by byte, with the checksum recomputed by the test's own oracle (`common`), plus
//! negative fixtures in the spirit of the reference's N1–N3 rows.
//!
//! Not here: random frames and random chunkings — that is `stream_props.rs`.

mod common;

use common::{
    carried_checksum, framed, oracle_checksum, oracle_sum, with_checksum, ALL, BC601_IMPERIAL,
    BC601_METRIC, F1, F2, F5, F6, F7, F8,
};
use hakaru_devices::scale::tanita::{
    BodyType, DeviceDate, DeviceTime, FrameError, ImpedanceComponent, ImpedancePath, Reading,
    Segment, Sex, TanitaFrame, UnitSystem,
};
use hakaru_devices::scale::{decode_all, DecodeError, DecodeEvent, StreamDecoder};

/// Decodes `line` + CR LF whole and byte by byte; both must give exactly one reading, the same.
fn decode_both_ways(line: &[u8]) -> Reading {
    let wire = framed(line);
    let whole = decode_all(&wire);
    let mut d = StreamDecoder::new();
    for b in &wire {
        d.push(std::slice::from_ref(b));
    }
    d.finish();
    let bytewise: Vec<_> = std::iter::from_fn(|| d.poll_event()).collect();
    assert_eq!(bytewise, whole, "byte-by-byte decode differs from whole");
    assert_eq!(d.stats().rejected, 0);
    assert_eq!(d.stats().skipped_bytes, 0);
    match whole.as_slice() {
        [DecodeEvent::Reading { reading }] => (**reading).clone(),
        other => panic!("expected one reading, got {other:?}"),
    }
}

/// Decodes `line` + CR LF whole and byte by byte; both must give exactly one rejection.
fn rejected_both_ways(line: &[u8]) -> DecodeError {
    let wire = framed(line);
    let whole = decode_all(&wire);
    let mut d = StreamDecoder::new();
    for b in &wire {
        d.push(std::slice::from_ref(b));
    }
    d.finish();
    let bytewise: Vec<_> = std::iter::from_fn(|| d.poll_event()).collect();
    assert_eq!(bytewise, whole);
    match whole.as_slice() {
        [DecodeEvent::Rejected { error, bytes }] => {
            assert_eq!(*bytes, line.len(), "rejection spans the whole line");
            error.clone()
        }
        other => panic!("expected one rejection, got {other:?}"),
    }
}

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "expected {expected}, got {actual}"
    );
}

fn date(year: u16, month: u8, day: u8) -> Option<DeviceDate> {
    Some(DeviceDate { year, month, day })
}

fn time(hour: u8, minute: u8, second: Option<u8>) -> Option<DeviceTime> {
    Some(DeviceTime {
        hour,
        minute,
        second,
    })
}

#[test]
fn every_fixture_carries_the_checksum_the_oracle_computes() {
    let expected = [
        ("F1", 0x24),
        ("F2", 0x57),
        ("F5", 0xFD),
        ("F6", 0xD6),
        ("F7", 0x99),
        ("F8", 0xA4),
        ("BC601_METRIC", 0x30),
        ("BC601_IMPERIAL", 0xB5),
    ];
    for ((name, frame), (name2, cs)) in ALL.iter().zip(expected) {
        assert_eq!(*name, name2);
        assert_eq!(oracle_checksum(frame), cs, "{name}: oracle");
        assert_eq!(carried_checksum(frame), cs, "{name}: carried");
        let parsed = TanitaFrame::parse(frame).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed.checksum(), cs, "{name}: crate");
        assert_eq!(parsed.raw(), *frame, "{name}: raw bytes kept");
    }
}

#[test]
fn every_fixture_decodes_whole_and_byte_by_byte_to_its_own_bytes() {
    for (name, frame) in ALL {
        let r = decode_both_ways(frame);
        assert_eq!(r.raw(), frame, "{name}");
    }
}

#[test]
fn all_fixtures_in_one_stream_in_every_small_chunk_size() {
    let stream: Vec<u8> = ALL.iter().flat_map(|(_, f)| framed(f)).collect();
    let whole = decode_all(&stream);
    assert_eq!(whole.len(), ALL.len());
    for chunk in 1..=70 {
        let mut d = StreamDecoder::new();
        for c in stream.chunks(chunk) {
            d.push(c);
        }
        d.finish();
        let got: Vec<_> = std::iter::from_fn(|| d.poll_event()).collect();
        assert_eq!(got, whole, "chunk size {chunk}");
    }
}

#[test]
fn f1_mc780a_full_body_composition() {
    assert_eq!(F1.len(), 1271);
    assert_eq!(
        framed(F1).len(),
        1273,
        "longest real frame (reference §0 item 10)"
    );
    let r = decode_both_ways(F1);
    assert_eq!(r.model.as_deref(), Some("MC-780"));
    assert_eq!(r.unit_system, UnitSystem::Metric);
    assert_eq!(r.device_id, None, "all-zero ID is absent");
    assert_eq!(r.card_id, None, "all-zero card ID is absent");
    assert_eq!(r.measurement_status, Some(0));
    assert_eq!(r.device_date, date(2026, 6, 3));
    assert_eq!(r.device_time, time(15, 0, None));
    assert_eq!(r.body_type, Some(BodyType::Other(5)));
    assert_eq!(r.sex, Some(Sex::Male));
    assert_eq!(r.age, Some(47));
    close(r.height.unwrap().0, 175.5);
    close(r.clothes_weight.unwrap().0, 0.0);
    close(r.weight.unwrap().0, 67.6);
    close(r.fat_percent.unwrap().0, 18.3);
    close(r.fat_mass.unwrap().0, 12.4);
    close(r.fat_free_mass.unwrap().0, 55.2);
    close(r.muscle_mass.unwrap().0, 52.3);
    assert_eq!(r.muscle_score, Some(0));
    close(r.bone_mass.unwrap().0, 2.9);
    close(r.total_body_water.unwrap().0, 38.2);
    close(r.body_water_percent.unwrap().0, 56.5);
    close(r.bmi.unwrap(), 21.9);
    close(r.standard_fat_percent.unwrap().0, 18.0);
    close(r.visceral_fat_rating.unwrap(), 9.0);
    assert_eq!(r.leg_score, Some(102));
    close(r.bmr_kcal.unwrap().0, 1514.0);
    assert_eq!(r.bmr_score, Some(11));
    assert_eq!(r.athlete_index, Some(55));
    assert_eq!((r.balance_arms, r.balance_legs), (Some(0), Some(0)));
    close(r.muscle_per_height2.unwrap().0, 16.98);
    close(r.muscle_per_weight.unwrap().0, 0.77);
    close(r.skeletal_muscle_index.unwrap().0, 8.38);
    close(r.appendicular_per_weight.unwrap().0, 0.38);
    close(r.appendicular_muscle_mass.unwrap().0, 25.8);
    // MC-780A has none of these (reference §2.2).
    assert!(r.intracellular_water.is_none() && r.standard_weight.is_none());
    assert!(r.bmr_kj.is_none() && r.metabolic_age.is_none());
    assert!(r.has_composition());

    // Segments: all five, each with six values.
    let rl = r.segments.get(Segment::RightLeg).expect("right leg");
    close(rl.fat_percent.unwrap().0, 16.3);
    close(rl.fat_mass.unwrap().0, 2.1);
    close(rl.fat_free_mass.unwrap().0, 10.9);
    close(rl.muscle_mass.unwrap().0, 10.3);
    assert_eq!((rl.fat_score, rl.muscle_score), (Some(-1), Some(0)));
    let la = r.segments.get(Segment::LeftArm).expect("left arm");
    close(la.muscle_mass.unwrap().0, 2.6);
    assert_eq!(la.muscle_score, Some(-1));
    let trunk = r.segments.get(Segment::Trunk).expect("trunk");
    close(trunk.fat_percent.unwrap().0, 20.3);
    close(trunk.muscle_mass.unwrap().0, 26.5);
    assert_eq!(trunk.muscle_score, Some(-2));
    for s in [Segment::LeftLeg, Segment::RightArm] {
        assert!(r.segments.get(s).is_some(), "{s:?}");
    }
    // AS = mR + mL + mr + ml (reference §6 consistency relation).
    let limbs: f64 = [
        Segment::RightLeg,
        Segment::LeftLeg,
        Segment::RightArm,
        Segment::LeftArm,
    ]
    .iter()
    .map(|s| r.segments.get(*s).unwrap().muscle_mass.unwrap().0)
    .sum();
    close(limbs, 25.8);

    // Impedances: 7 paths × 12 slots = 84 keys, of which the 0.0 slots (1/500/1000 kHz) are
    // absent: 7 × 6 = 42 remain, all at 5/50/250 kHz.
    assert_eq!(r.impedances.len(), 42);
    assert!(r
        .impedances
        .iter()
        .all(|z| [5, 50, 250].contains(&z.frequency_khz) && z.ohms.0 != 0.0));
    let rm = r
        .impedances
        .iter()
        .find(|z| z.key == "RM")
        .expect("RM present");
    assert_eq!(rm.frequency_khz, 50);
    assert_eq!(rm.component, ImpedanceComponent::Resistance);
    assert_eq!(rm.path, ImpedancePath::WholeBody);
    close(rm.ohms.0, 565.9);
    let xh = r.impedances.iter().find(|z| z.key == "XH").expect("XH");
    assert_eq!(xh.component, ImpedanceComponent::Reactance);
    assert_eq!(xh.path, ImpedancePath::LeftHalf);
    close(xh.ohms.0, -61.5);
    assert!(r.impedances.iter().all(|z| z.key != "aH" && z.key != "LM"));

    // Phase angles: pH pR pL pr pl pF pM.
    assert_eq!(r.phase_angles.len(), 7);
    let pm = r
        .phase_angles
        .iter()
        .find(|p| p.path == ImpedancePath::WholeBody)
        .expect("pM");
    close(pm.degrees.0, -6.2);

    // Every pair is kept as sent, in order; nothing is unknown.
    assert_eq!(r.pairs().len(), 159);
    assert_eq!(r.pairs().get(0).map(|p| p.key), r.pairs().keys().next());
    assert_eq!(r.pairs().get(0).unwrap().key, "MO");
    assert_eq!(r.pairs().get(158).unwrap().key, "AS");
    assert_eq!(r.pairs().get(158).unwrap().value.text(), "25.8");
    assert_eq!(r.pairs().value("MO").map(|v| v.text()), Some("MC-780"));
    assert!(r.unknown().is_empty(), "{:?}", r.unknown());
    assert_eq!(r.control().len(), 3);
}

#[test]
fn f2_mc780a_scale_mode() {
    let r = decode_both_ways(F2);
    assert_eq!(r.model.as_deref(), Some("MC-780"));
    assert_eq!(r.device_id, None);
    assert_eq!(r.device_date, date(2026, 6, 3));
    assert_eq!(r.device_time, time(15, 22, None));
    close(r.clothes_weight.unwrap().0, 0.0);
    close(r.weight.unwrap().0, 67.8);
    assert!(!r.has_composition(), "scale mode has no composition");
    assert!(r.sex.is_none() && r.height.is_none() && r.fat_percent.is_none());
    assert_eq!(r.pairs().len(), 6);
}

#[test]
fn f5_sc240_foot_to_foot() {
    let r = decode_both_ways(F5);
    assert_eq!(r.model.as_deref(), Some("SC-240"));
    assert_eq!(r.serial_number.as_deref(), Some("00000002"));
    assert_eq!(r.device_date, None, "SC-240 sends no date");
    assert_eq!(r.body_type, Some(BodyType::Standard));
    assert_eq!(r.sex, Some(Sex::Male));
    assert_eq!(r.age, Some(30));
    close(r.height.unwrap().0, 170.0); // sent as `170`, no decimal
    close(r.weight.unwrap().0, 82.7);
    close(r.fat_percent.unwrap().0, 18.6);
    assert_eq!(r.muscle_score, Some(19), "SC-240 muscle score is 1–24");
    close(r.standard_weight.unwrap().0, 63.6);
    close(r.obesity_degree.unwrap().0, 30.0);
    close(r.bmr_kj.unwrap().0, 8255.0);
    close(r.bmr_kcal.unwrap().0, 1973.0);
    assert_eq!(r.metabolic_age, Some(28));
    assert_eq!(r.impedances.len(), 1);
    let zf = &r.impedances[0];
    assert_eq!(zf.key, "ZF");
    assert_eq!(zf.frequency_khz, 50);
    assert_eq!(zf.component, ImpedanceComponent::Resistance);
    assert_eq!(zf.path, ImpedancePath::BothLegs);
    close(zf.ohms.0, 369.4);
    assert!(r.segments.is_empty());
}

#[test]
fn f6_pw650_weight_with_da_date_and_tare() {
    let r = decode_both_ways(F6);
    assert_eq!(r.model.as_deref(), Some("PW-650"));
    assert_eq!(r.device_date, date(2020, 4, 30), "Da is dd/mm/yyyy");
    assert_eq!(r.device_time, time(20, 2, None));
    close(r.weight.unwrap().0, 58.1);
    close(r.clothes_weight.unwrap().0, 2.0);
    close(r.tare_weight.unwrap().0, 0.0);
    assert!(!r.has_composition());
}

#[test]
fn f7_bh100_height_only() {
    let r = decode_both_ways(F7);
    assert_eq!(r.model.as_deref(), Some("BH-100"));
    assert_eq!(r.control().len(), 1);
    assert_eq!(r.control().get(0).unwrap().index, 1);
    assert_eq!(r.device_date, date(2019, 4, 6));
    assert_eq!(r.device_time, time(13, 6, None));
    close(r.height.unwrap().0, 158.9);
    assert!(r.weight.is_none(), "a height rod sends no weight");
    assert_eq!(r.pairs().len(), 4);
}

#[test]
fn f8_bc601_metric_without_trailing_brace() {
    assert_ne!(
        F8.last(),
        Some(&b'}'),
        "F8 as published has no trailing brace"
    );
    assert!(!TanitaFrame::parse(F8).unwrap().has_trailing_brace());
    let r = decode_both_ways(F8);
    assert_eq!(r.model.as_deref(), Some("BC-601"));
    assert_eq!(r.unit_system, UnitSystem::Metric);
    assert_eq!(r.device_date, date(2024, 2, 7), "BC-601 DT is dd/mm/yyyy");
    assert_eq!(r.device_time, time(12, 32, Some(26)));
    assert_eq!(r.sex, Some(Sex::Female));
    assert_eq!(r.age, Some(23));
    assert_eq!(r.activity_level, Some(1));
    close(r.height.unwrap().0, 166.0);
    close(r.weight.unwrap().0, 57.2);
    close(r.fat_percent.unwrap().0, 28.4);
    close(r.daily_calorie_intake.unwrap().0, 2001.0);
    let ra = r.segments.get(Segment::RightArm).unwrap();
    close(ra.fat_percent.unwrap().0, 16.5);
    close(ra.muscle_mass.unwrap().0, 2.2);
    assert_eq!(r.control().len(), 4);
}

#[test]
fn bc601_metric_with_trailing_brace() {
    assert!(TanitaFrame::parse(BC601_METRIC)
        .unwrap()
        .has_trailing_brace());
    let r = decode_both_ways(BC601_METRIC);
    assert_eq!(r.raw().last(), Some(&b'}'), "raw keeps the brace");
    assert_eq!(r.unit_system, UnitSystem::Metric);
    assert_eq!(r.device_date, date(2016, 1, 12));
    assert_eq!(r.device_time, time(23, 48, Some(53)));
    assert_eq!(r.body_type, Some(BodyType::Athletic));
    assert_eq!(r.activity_level, Some(3));
    close(r.height.unwrap().0, 185.0);
    close(r.weight.unwrap().0, 96.1);
    close(r.muscle_mass.unwrap().0, 74.1);
    close(r.body_water_percent.unwrap().0, 58.9);
    assert_eq!(r.metabolic_age, Some(25));
    let trunk = r.segments.get(Segment::Trunk).unwrap();
    close(trunk.muscle_mass.unwrap().0, 39.0);
}

#[test]
fn bc601_imperial_is_reported_in_metric_with_original_pairs_kept() {
    let r = decode_both_ways(BC601_IMPERIAL);
    assert_eq!(r.unit_system, UnitSystem::Imperial);
    // 206.2 lb and 73.0 in, converted with the exact definitions.
    let kg = r.weight.unwrap().0;
    assert!((kg - 93.53).abs() < 0.005, "{kg}");
    close(kg, 206.2 * 0.453_592_37);
    close(r.height.unwrap().0, 185.42);
    close(r.muscle_mass.unwrap().0, 158.0 * 0.453_592_37);
    close(r.bone_mass.unwrap().0, 8.2 * 0.453_592_37);
    // Percentages and scores are unit-free: unchanged.
    close(r.fat_percent.unwrap().0, 19.4);
    close(r.body_water_percent.unwrap().0, 58.1);
    close(r.bmi.unwrap(), 27.3);
    let rl = r.segments.get(Segment::RightLeg).unwrap();
    close(rl.fat_percent.unwrap().0, 18.3);
    close(rl.muscle_mass.unwrap().0, 26.2 * 0.453_592_37);
    // The pairs as sent.
    let sent = |k: &str| r.pairs().value(k).map(|v| v.text());
    assert_eq!(sent("Wk"), Some("206.2"));
    assert_eq!(sent("Hm"), Some("73.0"));
    assert_eq!(sent("mW"), Some("158.0"));
}

// --- negative fixtures ---------------------------------------------------------------------

#[test]
fn f5_with_a_wrong_carried_checksum_is_a_mismatch() {
    let bad = with_checksum(F5, 0xFE);
    assert!(bad.ends_with(b",CS,FE"));
    let err = rejected_both_ways(&bad);
    assert_eq!(
        err,
        DecodeError::Frame(FrameError::ChecksumMismatch {
            expected: 0xFD,
            actual: 0xFE
        })
    );
    assert_eq!(oracle_checksum(&bad), 0xFD);
}

/// In the spirit of N1: a DC-320-style frame whose checksum was computed with the ID quoted
/// (`ID,"0000000112"`) and which was then hand-edited to `ID,112`.
#[test]
fn hand_edited_frame_like_n1_is_a_mismatch() {
    let original: &[u8] = b"{0,16,~0,1,~1,1,~2,1,MO,\"DC-320\",ID,\"0000000112\",Bt,0,GE,1,AG,35,\
        Hm,172.0,Pt,1.0,Wk,70.4,FW,21.3,CS,";
    let carried = oracle_sum(&original[..original.len() - 3]);
    let edited: Vec<u8> = {
        let text = std::str::from_utf8(original).unwrap();
        let mut t = text.replace("ID,\"0000000112\"", "ID,112");
        t.push_str(&format!("{carried:02X}"));
        t.into_bytes()
    };
    let expected = oracle_checksum(&edited);
    // Worked out independently (python): the quoted form sums to 0x87, the edited one to 0xF3.
    assert_eq!((carried, expected), (0x87, 0xF3));
    assert_eq!(
        rejected_both_ways(&edited),
        DecodeError::Frame(FrameError::ChecksumMismatch {
            expected,
            actual: carried
        })
    );
}

/// In the spirit of N2: one digit mistyped in transcription (`ww,58.9` → `ww,68.9`), CS kept.
#[test]
fn transcription_error_like_n2_is_a_mismatch() {
    let text = std::str::from_utf8(BC601_METRIC).unwrap();
    let bad = text.replace("ww,58.9", "ww,68.9");
    assert_ne!(bad.as_bytes(), BC601_METRIC);
    assert_eq!(
        rejected_both_ways(bad.as_bytes()),
        DecodeError::Frame(FrameError::ChecksumMismatch {
            expected: 0x31, // one more: '6' is '5' + 1
            actual: 0x30
        })
    );
}

/// In the spirit of N3: the checksum computed with XOR instead of SUM.
#[test]
fn xor_checksum_like_n3_is_a_mismatch() {
    let at = F6.windows(4).rposition(|w| w == b",CS,").unwrap();
    let xor = F6[..=at].iter().fold(0u8, |a, b| a ^ b);
    assert_ne!(xor, 0xD6);
    let bad = with_checksum(F6, xor);
    assert_eq!(
        rejected_both_ways(&bad),
        DecodeError::Frame(FrameError::ChecksumMismatch {
            expected: 0xD6,
            actual: xor
        })
    );
}

/// Manuals print frames with spaces after commas; real bytes have none, and the decoder does
/// not normalise: such a line is rejected, whether it carries the printed checksum or one that
/// sums correctly over the spaced bytes.
#[test]
fn manual_style_spaces_after_commas_are_rejected() {
    let text = std::str::from_utf8(F6).unwrap();
    let printed = text.replace(',', ", ");
    assert!(matches!(
        rejected_both_ways(printed.as_bytes()),
        DecodeError::Frame(_)
    ));
    // Spaces only in the body, checksum recomputed over exactly these bytes.
    let body_spaced = format!(
        "{{0,16,{}",
        text["{0,16,".len()..]
            .replace(",", ", ")
            .replace(", CS, D6", ",CS,")
    );
    let fixed = {
        let mut b = body_spaced.into_bytes();
        let cs = oracle_sum(&b[..b.len() - 3]);
        b.extend_from_slice(format!("{cs:02X}").as_bytes());
        b
    };
    assert_eq!(oracle_checksum(&fixed), carried_checksum(&fixed));
    assert!(matches!(
        rejected_both_ways(&fixed),
        DecodeError::Frame(FrameError::Malformed { .. }) | DecodeError::Frame(FrameError::BadStart)
    ));
    // Typographic quotes as printed in manuals: not ASCII, rejected.
    let curly = text
        .replacen('"', "\u{201c}", 1)
        .replacen('"', "\u{201d}", 1);
    assert!(matches!(
        rejected_both_ways(curly.as_bytes()),
        DecodeError::Frame(FrameError::BadByte { .. })
    ));
}

#[test]
fn a_cut_f1_is_truncated_never_a_reading() {
    for cut in [10, 500, 1000, F1.len() - 1] {
        let err = rejected_both_ways(&F1[..cut]);
        assert_eq!(
            err,
            DecodeError::Frame(FrameError::Truncated),
            "cut at {cut}"
        );
    }
}
