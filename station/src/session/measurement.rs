//! Turning what the scale sent into what the session asks to record: the echo check that keeps
//! a reading from being attached to the wrong person, and the weight-only filter that keeps
//! impedance values of people with implanted devices out of everything downstream.
//!
//! Deliberately not here: decoding bytes (`hakaru-devices`), storing (the store), and judging
//! what the values mean for health (the results screen).

use super::words::{self, Words};
use hakaru_devices::scale::tanita::Key;
use hakaru_devices::scale::units::Kg;
use hakaru_devices::scale::{Preset, Reading, Stability, WeightReading};

/// Whether the analyzer measures body composition or only weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasurementMode {
    /// Weight and bioimpedance-derived values.
    Composition,
    /// Weight only: no current through the body, no impedance values kept (implanted device).
    WeightOnly,
}

/// The values the scale produced, as they will be recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "source", content = "values", rename_all = "snake_case")]
pub enum MeasuredValues {
    /// A Tanita key/value frame (already filtered to weight-only fields when the mode says so).
    Frame(Box<Reading>),
    /// A stable line from a weight-only scale.
    WeightLine(WeightReading),
}

/// One measurement the session asks the driver to record. `Debug` is redacted.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Measurement {
    /// The mode it was taken in.
    pub mode: MeasurementMode,
    /// The values.
    pub values: MeasuredValues,
}

impl Measurement {
    /// The body weight in kg.
    pub fn weight(&self) -> Option<Kg> {
        match &self.values {
            MeasuredValues::Frame(r) => r.weight,
            MeasuredValues::WeightLine(w) => w.weight,
        }
    }

    /// Whether anything measured through the body's impedance is in here (raw impedances,
    /// phase angles, composition values, or a raw frame that could carry them).
    pub fn carries_impedance(&self) -> bool {
        match &self.values {
            MeasuredValues::Frame(r) => {
                r.has_composition()
                    || !r.impedances.is_empty()
                    || !r.phase_angles.is_empty()
                    || !r.segments.is_empty()
                    || r.pairs().keys().any(|k| !is_weight_only_key(k))
                    || !r.raw().is_empty()
            }
            MeasuredValues::WeightLine(_) => false,
        }
    }
}

/// Which echoed field contradicted the preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EchoField {
    /// `GE`
    Sex,
    /// `AG`
    Age,
    /// `Hm`
    Height,
}

/// Why a reading was not attached to anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "reason", content = "field", rename_all = "snake_case")]
pub enum RefusalReason {
    /// Nobody is identified.
    NoSession,
    /// Someone is identified but the scale was not yet prepared for them.
    NotReady,
    /// This session's measurement is already being saved or shown.
    AlreadyMeasured,
    /// The profile the analyzer echoed is not the one preset for this person.
    ProfileMismatch(EchoField),
    /// No usable weight (missing, zero, negative, or out of range).
    NoWeight,
}

impl RefusalReason {
    /// What the participant is told.
    pub fn words(self) -> Words {
        match self {
            RefusalReason::NoSession => words::READING_NO_SESSION,
            RefusalReason::NotReady => words::READING_TOO_EARLY,
            RefusalReason::AlreadyMeasured => words::READING_ALREADY,
            RefusalReason::ProfileMismatch(_) => words::READING_MISMATCH,
            RefusalReason::NoWeight => words::READING_UNUSABLE,
        }
    }
}

/// Checks that the sex, age and height the analyzer echoes match the preset. A field the
/// analyzer did not echo cannot contradict; one it did must agree (height within
/// `height_tolerance_tenths_cm`).
pub fn check_echo(
    preset: &Preset,
    reading: &Reading,
    height_tolerance_tenths_cm: u16,
) -> Result<(), EchoField> {
    if reading.sex.is_some_and(|s| s != preset.sex) {
        return Err(EchoField::Sex);
    }
    if reading.age.is_some_and(|a| a != preset.age) {
        return Err(EchoField::Age);
    }
    if let Some(h) = reading.height {
        let echoed = h.value() * 10.0;
        let diff = (echoed - f64::from(preset.height_tenths_cm)).abs();
        if !diff.is_finite() || diff > f64::from(height_tolerance_tenths_cm) + 1e-6 {
            return Err(EchoField::Height);
        }
    }
    Ok(())
}

/// Keys a weight-only record may keep: device identity and clock, the echoed profile, weight
/// and BMI (weight over height squared — no current involved).
pub const WEIGHT_ONLY_KEYS: [&str; 20] = [
    "MO", "SN", "ID", "St", "Da", "DT", "DA", "TI", "Ti", "GE", "AG", "Hm", "Bt", "Pt", "Ta", "Wk",
    "Wp", "Wg", "Ws", "MI",
];

fn is_weight_only_key(key: Key) -> bool {
    WEIGHT_ONLY_KEYS.contains(&key.as_str())
}

/// A copy of `reading` with only what a weight-only record may hold: every impedance,
/// phase angle, composition and segmental value is gone, the pairs are filtered to
/// [`WEIGHT_ONLY_KEYS`], and the raw frame is dropped (its bytes would carry the rest).
pub fn weight_only(reading: &Reading) -> Reading {
    crate::weight_only::weight_only_copy(reading, &WEIGHT_ONLY_KEYS)
}

fn usable(weight: Option<Kg>) -> bool {
    weight.is_some_and(|w| w.value().is_finite() && w.value() > 0.0)
}

/// A Tanita reading for the person `preset` describes, in `mode` — or why not.
pub fn from_reading(
    reading: Reading,
    preset: &Preset,
    mode: MeasurementMode,
    height_tolerance_tenths_cm: u16,
) -> Result<Measurement, RefusalReason> {
    check_echo(preset, &reading, height_tolerance_tenths_cm)
        .map_err(RefusalReason::ProfileMismatch)?;
    if !usable(reading.weight) {
        return Err(RefusalReason::NoWeight);
    }
    let reading = match mode {
        MeasurementMode::Composition => reading,
        MeasurementMode::WeightOnly => weight_only(&reading),
    };
    Ok(Measurement {
        mode,
        values: MeasuredValues::Frame(Box::new(reading)),
    })
}

/// A weight line, if it is stable and has a weight in a mass unit. Weight lines carry no
/// impedance, so they are valid in either mode.
pub fn from_weight(
    weight: WeightReading,
    mode: MeasurementMode,
) -> Result<Measurement, RefusalReason> {
    if weight.stability != Stability::Stable || !usable(weight.weight) {
        return Err(RefusalReason::NoWeight);
    }
    Ok(Measurement {
        mode,
        values: MeasuredValues::WeightLine(weight),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hakaru_devices::scale::tanita::{BodyType, Sex, TanitaFrame};
    use hakaru_devices::scale::units::Cm;

    fn preset() -> Preset {
        Preset {
            sex: Sex::Female,
            age: 72,
            height_tenths_cm: 1525,
            body_type: BodyType::Standard,
            clothes_tenths_kg: 10,
        }
    }

    fn echo(sex: Sex, age: u8, height: f64) -> Reading {
        let mut r = Reading::default();
        r.sex = Some(sex);
        r.age = Some(age);
        r.height = Some(Cm(height));
        r.weight = Some(Kg(51.2));
        r
    }

    #[test]
    fn matching_echo_is_accepted_within_half_a_centimetre() {
        assert_eq!(
            check_echo(&preset(), &echo(Sex::Female, 72, 152.5), 5),
            Ok(())
        );
        assert_eq!(
            check_echo(&preset(), &echo(Sex::Female, 72, 153.0), 5),
            Ok(())
        );
        assert_eq!(check_echo(&preset(), &Reading::default(), 5), Ok(()));
    }

    #[test]
    fn each_contradicting_field_is_named() {
        let p = preset();
        assert_eq!(
            check_echo(&p, &echo(Sex::Male, 72, 152.5), 5),
            Err(EchoField::Sex)
        );
        assert_eq!(
            check_echo(&p, &echo(Sex::Female, 71, 152.5), 5),
            Err(EchoField::Age)
        );
        assert_eq!(
            check_echo(&p, &echo(Sex::Female, 72, 153.1), 5),
            Err(EchoField::Height)
        );
        assert_eq!(
            check_echo(&p, &echo(Sex::Female, 72, f64::NAN), 5),
            Err(EchoField::Height)
        );
    }

    /// An MC-780-style frame with composition, segments, impedances and phase angles.
    fn composition_frame() -> Reading {
        let body = "{0,16,~0,1,~1,1,~2,1,MO,\"MC-780\",ID,\"0000000000000000\",St,0,Da,\"01/06/2026\",TI,\"10:15\",Bt,0,GE,2,AG,72,Hm,152.5,Pt,1.0,Wk,51.2,MI,22.0,FW,30.1,fW,15.4,MW,35.8,mW,33.9,FR,28.0,RH,620.5,XH,-60.2,pM,-5.6,";
        let sum: u32 = body.bytes().map(u32::from).sum();
        let line = format!("{body}CS,{:02X}", sum & 0xFF);
        let frame = TanitaFrame::parse(line.as_bytes()).expect("valid frame");
        Reading::from_frame(frame).expect("reading")
    }

    #[test]
    fn weight_only_filter_keeps_weight_and_drops_every_impedance_derived_value() {
        let full = composition_frame();
        assert!(full.has_composition() && !full.impedances.is_empty());
        let m = from_reading(full, &preset(), MeasurementMode::WeightOnly, 5).expect("accepted");
        assert!(!m.carries_impedance());
        assert_eq!(m.weight(), Some(Kg(51.2)));
        let MeasuredValues::Frame(r) = &m.values else {
            panic!("frame expected")
        };
        assert!(r.raw().is_empty() && r.impedances.is_empty() && r.phase_angles.is_empty());
        assert!(r.pairs().keys().all(|k| k != "RH" && k != "FW"));
        assert_eq!(r.model.as_deref(), Some("MC-780"));
    }

    #[test]
    fn composition_mode_keeps_the_frame_as_sent() {
        let full = composition_frame();
        let m = from_reading(full.clone(), &preset(), MeasurementMode::Composition, 5).unwrap();
        assert_eq!(m.values, MeasuredValues::Frame(Box::new(full)));
    }

    #[test]
    fn readings_without_a_usable_weight_are_refused() {
        let mut r = echo(Sex::Female, 72, 152.5);
        r.weight = None;
        assert_eq!(
            from_reading(r, &preset(), MeasurementMode::Composition, 5),
            Err(RefusalReason::NoWeight)
        );
        let unstable = WeightReading::parse(b"US,GS,+0051.20kg").unwrap();
        assert_eq!(
            from_weight(unstable, MeasurementMode::WeightOnly),
            Err(RefusalReason::NoWeight)
        );
        let stable = WeightReading::parse(b"ST,GS,+0051.20kg").unwrap();
        assert!(from_weight(stable, MeasurementMode::Composition).is_ok());
    }

    #[test]
    fn refusal_reasons_speak_both_languages() {
        for r in [
            RefusalReason::NoSession,
            RefusalReason::NotReady,
            RefusalReason::AlreadyMeasured,
            RefusalReason::ProfileMismatch(EchoField::Age),
            RefusalReason::NoWeight,
        ] {
            assert!(!r.words().ja.is_empty() && !r.words().en.is_empty());
        }
    }
}
