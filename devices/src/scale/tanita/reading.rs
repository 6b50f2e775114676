//! A Tanita frame interpreted: every field the format carries, typed, with units.
//!
//! Fields are `Option`s because models differ (reference §2.2). Values are the device's own:
//! nothing is recomputed. Frames in imperial units (BC-601 `~0,3`) are reported in metric; the
//! original pairs stay in [`Reading::pairs`]. Unknown keys are kept in [`Reading::unknown`].
//! What the reading *means* for a person (ranges, judgements) is deliberately not here.

use super::frame::{ControlPair, Controls, Key, Pairs, RawPair, Resolved, TanitaFrame, ValueSpan};
use crate::redact::REDACTED;
use crate::scale::units::{Cm, Degrees, Kcal, Kg, KiloJoule, Ohm, Percent, Ratio};
use std::fmt;

/// Why a verified frame could not be read as a measurement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReadingError {
    /// A known numeric key carried something that is not a number.
    #[error("field {key} should be a number but is not")]
    NotANumber {
        /// The key.
        key: String,
    },
    /// A key appeared twice with different values.
    #[error("field {key} appears twice")]
    Duplicate {
        /// The key.
        key: String,
    },
}

/// Sex as the analyzer codes it (`GE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// `1`
    Male,
    /// `2`
    Female,
}

impl Sex {
    /// The digit the protocol uses.
    pub fn code(self) -> u8 {
        match self {
            Sex::Male => 1,
            Sex::Female => 2,
        }
    }
}

/// Body type (`Bt`): standard or athletic; other codes (MC-780A sends `5`) kept as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyType {
    /// `0`
    Standard,
    /// `2`
    Athletic,
    /// Any other code, e.g. `5` on MC-780A (meaning not published).
    Other(u8),
}

impl BodyType {
    fn from_code(c: u8) -> BodyType {
        match c {
            0 => BodyType::Standard,
            2 => BodyType::Athletic,
            other => BodyType::Other(other),
        }
    }

    /// The digit the protocol uses.
    pub fn code(self) -> u8 {
        match self {
            BodyType::Standard => 0,
            BodyType::Athletic => 2,
            BodyType::Other(c) => c,
        }
    }
}

/// Units the frame was sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitSystem {
    /// kg and cm (the default everywhere but BC-601 imperial).
    #[default]
    Metric,
    /// lb and inches (BC-601 control pair `~0,3`); converted to metric in the typed fields.
    Imperial,
}

/// A calendar date from the device's own clock (set by hand: not authoritative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DeviceDate {
    /// Four-digit year.
    pub year: u16,
    /// 1–12.
    pub month: u8,
    /// 1–31.
    pub day: u8,
}

/// A time of day from the device's own clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DeviceTime {
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
    /// Present only where the model sends seconds (`Ti`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub second: Option<u8>,
}

/// A body segment of an 8-electrode analyzer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    /// `R`
    RightLeg,
    /// `L`
    LeftLeg,
    /// `r`
    RightArm,
    /// `l`
    LeftArm,
    /// `T`
    Trunk,
}

/// Values for one segment (keys: quantity letter + segment letter).
#[derive(Clone, Default, PartialEq, serde::Serialize)]
pub struct SegmentValues {
    /// `F?` fat %.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fat_percent: Option<Percent>,
    /// `f?` fat mass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fat_mass: Option<Kg>,
    /// `M?` fat-free mass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fat_free_mass: Option<Kg>,
    /// `m?` muscle mass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muscle_mass: Option<Kg>,
    /// `S?` fat score (−4…+4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fat_score: Option<i32>,
    /// `s?` muscle score (−4…+4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muscle_score: Option<i32>,
}

impl fmt::Debug for SegmentValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Segmental results, one slot per segment.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Segments {
    /// Right leg.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right_leg: Option<SegmentValues>,
    /// Left leg.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_leg: Option<SegmentValues>,
    /// Right arm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right_arm: Option<SegmentValues>,
    /// Left arm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_arm: Option<SegmentValues>,
    /// Trunk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trunk: Option<SegmentValues>,
}

impl Segments {
    fn slot(&mut self, s: Segment) -> &mut SegmentValues {
        let slot = match s {
            Segment::RightLeg => &mut self.right_leg,
            Segment::LeftLeg => &mut self.left_leg,
            Segment::RightArm => &mut self.right_arm,
            Segment::LeftArm => &mut self.left_arm,
            Segment::Trunk => &mut self.trunk,
        };
        slot.get_or_insert_with(SegmentValues::default)
    }

    /// The values of one segment, if the frame had any.
    pub fn get(&self, s: Segment) -> Option<&SegmentValues> {
        match s {
            Segment::RightLeg => self.right_leg.as_ref(),
            Segment::LeftLeg => self.left_leg.as_ref(),
            Segment::RightArm => self.right_arm.as_ref(),
            Segment::LeftArm => self.left_arm.as_ref(),
            Segment::Trunk => self.trunk.as_ref(),
        }
    }

    /// Whether no segment carried a value.
    pub fn is_empty(&self) -> bool {
        [
            &self.right_leg,
            &self.left_leg,
            &self.right_arm,
            &self.left_arm,
            &self.trunk,
        ]
        .iter()
        .all(|s| s.is_none())
    }
}

/// The current path of an impedance measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImpedancePath {
    /// `H`: left half of the body (left leg to left arm).
    LeftHalf,
    /// `R`
    RightLeg,
    /// `L`
    LeftLeg,
    /// `r`
    RightArm,
    /// `l`
    LeftArm,
    /// `F`: both legs (foot to foot).
    BothLegs,
    /// `M`: whole body (MC-780A).
    WholeBody,
}

impl ImpedancePath {
    fn from_letter(c: u8) -> Option<ImpedancePath> {
        Some(match c {
            b'H' => ImpedancePath::LeftHalf,
            b'R' => ImpedancePath::RightLeg,
            b'L' => ImpedancePath::LeftLeg,
            b'r' => ImpedancePath::RightArm,
            b'l' => ImpedancePath::LeftArm,
            b'F' => ImpedancePath::BothLegs,
            b'M' => ImpedancePath::WholeBody,
            _ => return None,
        })
    }
}

/// Resistance or reactance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImpedanceComponent {
    /// R
    Resistance,
    /// X (negative on MC-780, positive on DC-320 — stored as sent)
    Reactance,
}

/// One raw bioimpedance value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Impedance {
    /// Measurement frequency in kHz.
    pub frequency_khz: u32,
    /// R or X.
    pub component: ImpedanceComponent,
    /// Current path.
    pub path: ImpedancePath,
    /// The value in ohms, as sent.
    pub ohms: Ohm,
    /// The key it came from, e.g. `RH`.
    pub key: Key,
}

/// A phase angle (`p?`, at 50 kHz).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PhaseAngle {
    /// Current path.
    pub path: ImpedancePath,
    /// Degrees, as sent (negative on MC-780).
    pub degrees: Degrees,
}

/// A body-composition reading decoded from one verified Tanita frame.
///
/// `Debug` shows only the model and which fields are present, never a value.
#[derive(Clone, PartialEq, Default, serde::Serialize)]
#[non_exhaustive]
pub struct Reading {
    // --- device identity and clock ---
    /// `MO`, e.g. `MC-780` (no region suffix).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// `SN`, the device serial number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// `ID`, the result number; all zeros means unused and becomes `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// `CC`, the card ID (MC-780A); all zeros becomes `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_id: Option<String>,
    /// `St`: 0 normal, 1 segmental measurement error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measurement_status: Option<i32>,
    /// `Da` / `DT` / `DA`, from the device clock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_date: Option<DeviceDate>,
    /// `TI` / `Ti`, from the device clock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_time: Option<DeviceTime>,
    /// Units the frame was sent in.
    pub unit_system: UnitSystem,

    // --- inputs echoed by the device ---
    /// `GE`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// `AG`, years.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<u8>,
    /// `DB` date of birth (BC-601 profile lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<DeviceDate>,
    /// `Hm`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<Cm>,
    /// `Bt`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_type: Option<BodyType>,
    /// `Pt`: clothes weight / preset tare.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clothes_weight: Option<Kg>,
    /// `Ta`: tare weight (PW-650).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tare_weight: Option<Kg>,
    /// `AL`: activity level 1–3 (BC-601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity_level: Option<u8>,
    /// `gF`: target body fat %.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_fat_percent: Option<Percent>,

    // --- whole body ---
    /// `Wk` (or `Wp` in lb, `Ws` in st-lb, `Wg` in g — all reported in kg).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<Kg>,
    /// `MI`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bmi: Option<f64>,
    /// `FW`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fat_percent: Option<Percent>,
    /// `fW`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fat_mass: Option<Kg>,
    /// `MW`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fat_free_mass: Option<Kg>,
    /// `mW`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muscle_mass: Option<Kg>,
    /// `sW`: muscle score; the scale differs by model (−4…+4 or 1…24), stored raw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muscle_score: Option<i32>,
    /// `bW`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bone_mass: Option<Kg>,
    /// `wW`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_body_water: Option<Kg>,
    /// `ww`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_water_percent: Option<Percent>,
    /// `wI`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intracellular_water: Option<Kg>,
    /// `wO`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extracellular_water: Option<Kg>,
    /// `wo`: ECW/TBW.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extracellular_water_ratio: Option<Percent>,
    /// `Sw`: standard weight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_weight: Option<Kg>,
    /// `OV`: degree of obesity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub obesity_degree: Option<Percent>,
    /// `Sf`: standard body fat %.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_fat_percent: Option<Percent>,
    /// `SM`: standard muscle mass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_muscle_mass: Option<Kg>,
    /// `IF`: visceral fat rating.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visceral_fat_rating: Option<f64>,
    /// `LP`: leg score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leg_score: Option<i32>,
    /// `rB`: basal metabolic rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bmr_kcal: Option<Kcal>,
    /// `rb`: basal metabolic rate in kJ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bmr_kj: Option<KiloJoule>,
    /// `rJ`: BMR judgement score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bmr_score: Option<i32>,
    /// `rA`: metabolic age, years.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metabolic_age: Option<i32>,
    /// `rD`: daily calorie intake.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_calorie_intake: Option<Kcal>,
    /// `RO`: Rohrer index (children).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rohrer_index: Option<f64>,
    /// `gW`: predicted weight (target-fat feature).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicted_weight: Option<Kg>,
    /// `gf`: predicted fat mass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicted_fat_mass: Option<Kg>,
    /// `gt`: fat to gain or lose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fat_to_target: Option<Kg>,
    /// `BA`: left/right balance, arms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance_arms: Option<i32>,
    /// `BF`: left/right balance, legs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance_legs: Option<i32>,
    /// `Ap`: athlete index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub athlete_index: Option<i32>,
    /// `mh`: muscle mass / height², kg/m².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muscle_per_height2: Option<Ratio>,
    /// `mb`: muscle mass / body weight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muscle_per_weight: Option<Ratio>,
    /// `AS`: appendicular skeletal muscle mass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appendicular_muscle_mass: Option<Kg>,
    /// `ah`: SMI, appendicular muscle / height², kg/m².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skeletal_muscle_index: Option<Ratio>,
    /// `ab`: appendicular muscle / body weight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appendicular_per_weight: Option<Ratio>,

    // --- segmental and raw bioimpedance ---
    /// Per-segment values (8-electrode models).
    #[serde(skip_serializing_if = "Segments::is_empty")]
    pub segments: Segments,
    /// Raw impedances; `0.0` slots (reserved frequencies) are absent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub impedances: Vec<Impedance>,
    /// Phase angles at 50 kHz.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phase_angles: Vec<PhaseAngle>,

    // --- what was sent ---
    /// `unknown`, `pairs`, `control` and `raw`: see [`Reading::unknown`], [`Reading::pairs`],
    /// [`Reading::control`] and [`Reading::raw`].
    #[serde(flatten)]
    sent: Sent,
}

/// What was sent, as sent: the line and its pairs, whose values are spans into it.
///
/// One buffer holds every value's text — the raw line as received, or, in a reading that keeps
/// some pairs without the line (weight-only records), a buffer of just those values — so
/// decoding a frame copies its bytes once and never allocates per value.
#[derive(Clone, PartialEq, Default)]
struct Sent {
    /// The line as received, without CR/LF.
    raw: Vec<u8>,
    /// The text of the spans when it is not `raw`.
    values: Option<Box<[u8]>>,
    /// Keys this decoder does not know.
    unknown: Vec<RawPair>,
    /// Every pair in order.
    pairs: Vec<RawPair>,
    /// The control pairs.
    control: Vec<ControlPair>,
}

impl Sent {
    /// The bytes the spans point into.
    fn text(&self) -> &[u8] {
        self.values.as_deref().unwrap_or(&self.raw)
    }

    /// Moves the values' text into a buffer of its own (so `raw` can change or go).
    fn detach(&mut self) {
        if self.values.is_some() {
            return;
        }
        let mut buf = Vec::new();
        self.control = copy_spans(&self.raw, &self.control, &mut buf);
        self.pairs = copy_spans(&self.raw, &self.pairs, &mut buf);
        self.unknown = copy_spans(&self.raw, &self.unknown, &mut buf);
        self.values = Some(buf.into_boxed_slice());
    }
}

/// Copies the text of each of `items` (read through `text`) to the end of `buf`, and returns
/// the items with spans into `buf`.
fn copy_spans<T: SpanOf>(text: &[u8], items: &[T], buf: &mut Vec<u8>) -> Vec<T> {
    items
        .iter()
        .map(|item| {
            let span = item.span();
            let start = buf.len();
            buf.extend_from_slice(text.get(span.range()).unwrap_or_default());
            item.with_span(ValueSpan::new(start, buf.len(), span.is_quoted()))
        })
        .collect()
}

/// A pair or a control pair: something with a value span.
trait SpanOf: Copy {
    fn span(&self) -> ValueSpan;
    fn with_span(self, value: ValueSpan) -> Self;
}

impl SpanOf for RawPair {
    fn span(&self) -> ValueSpan {
        self.value
    }
    fn with_span(self, value: ValueSpan) -> Self {
        RawPair { value, ..self }
    }
}

impl SpanOf for ControlPair {
    fn span(&self) -> ValueSpan {
        self.value
    }
    fn with_span(self, value: ValueSpan) -> Self {
        ControlPair { value, ..self }
    }
}

/// Serialised exactly as the owned pairs were: `unknown` (when not empty), `pairs`, `control`
/// and `raw`, each value with its text. `Reading` flattens this into its own fields.
impl serde::Serialize for Sent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let text = self.text();
        let mut st = s.serialize_struct("Sent", 3 + usize::from(!self.unknown.is_empty()))?;
        if self.unknown.is_empty() {
            st.skip_field("unknown")?;
        } else {
            st.serialize_field("unknown", &Resolved::new(text, &self.unknown))?;
        }
        st.serialize_field("pairs", &Resolved::new(text, &self.pairs))?;
        st.serialize_field("control", &Resolved::new(text, &self.control))?;
        st.serialize_field("raw", &String::from_utf8_lossy(&self.raw))?;
        st.end()
    }
}

impl fmt::Debug for Reading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reading")
            .field("model", &self.model)
            .field("unit_system", &self.unit_system)
            .field("fields", &self.sent.pairs.len())
            .field(
                "unknown_keys",
                &self.sent.unknown.iter().map(|p| p.key).collect::<Vec<_>>(),
            )
            .field("values", &format_args!("{REDACTED}"))
            .finish()
    }
}

impl Reading {
    /// Interprets a verified frame, taking ownership of its bytes and pairs.
    pub fn from_frame(frame: TanitaFrame) -> Result<Reading, ReadingError> {
        let imperial = frame.control_value(0) == Some("3");
        let (raw, control, pairs) = frame.into_parts();
        let mut r = Reading {
            unit_system: if imperial {
                UnitSystem::Imperial
            } else {
                UnitSystem::Metric
            },
            ..Reading::default()
        };
        let mut unknown = Vec::new();
        let mass = |v: f64| if imperial { Kg::from_lb(v) } else { Kg(v) };
        // The spans point into `raw`, which the frame checked is printable ASCII.
        let value_of = |span: ValueSpan| raw.get(span.range()).unwrap_or_default();
        let mut seen = KeySet::default();
        for (i, pair) in pairs.iter().enumerate() {
            let key = pair.key;
            let value = pair.value;
            let bytes = value_of(value);
            if !seen.insert(key) {
                let first = pairs[..i].iter().find(|p| p.key == key).map(|p| p.value);
                if first.map(|f| (value_of(f), f.is_quoted())) != Some((bytes, value.is_quoted())) {
                    return Err(ReadingError::Duplicate {
                        key: key.to_string(),
                    });
                }
                continue;
            }
            // Only the few text fields need a `&str`; numbers are read from the bytes.
            let text = || std::str::from_utf8(bytes).unwrap_or_default();
            let num = || number(key, bytes, value.is_quoted());
            let int = || num().map(|v| v as i32);
            // Byte patterns: a two-byte compare per arm, not a string compare (see docs/performance.md).
            match &key.bytes() {
                b"MO" => r.model = Some(text().to_owned()),
                b"SN" => r.serial_number = Some(text().to_owned()),
                b"ID" => r.device_id = non_zero(text()),
                b"CC" => r.card_id = non_zero(text()),
                b"St" => r.measurement_status = Some(int()?),
                b"Da" | b"DT" | b"DA" => r.device_date = parse_date(text()),
                b"DB" => r.birth_date = parse_date(text()),
                b"TI" | b"Ti" => r.device_time = parse_time(text()),
                b"GE" => {
                    r.sex = match int()? {
                        1 => Some(Sex::Male),
                        2 => Some(Sex::Female),
                        _ => None,
                    }
                }
                b"AG" => r.age = u8::try_from(int()?).ok(),
                b"Hm" => {
                    let v = num()?;
                    r.height = Some(if imperial { Cm::from_inches(v) } else { Cm(v) });
                }
                b"Bt" => r.body_type = u8::try_from(int()?).ok().map(BodyType::from_code),
                b"Pt" => r.clothes_weight = Some(mass(num()?)),
                b"Ta" => r.tare_weight = Some(mass(num()?)),
                b"AL" => r.activity_level = u8::try_from(int()?).ok(),
                b"gF" => r.target_fat_percent = Some(Percent(num()?)),
                b"Wk" => r.weight = Some(mass(num()?)),
                b"Wp" => r.weight = Some(Kg::from_lb(num()?)),
                b"Wg" => r.weight = Some(Kg::from_g(num()?)),
                b"Ws" => r.weight = Some(stone_pounds(key, text())?),
                b"MI" => r.bmi = Some(num()?),
                b"FW" => r.fat_percent = Some(Percent(num()?)),
                b"fW" => r.fat_mass = Some(mass(num()?)),
                b"MW" => r.fat_free_mass = Some(mass(num()?)),
                b"mW" => r.muscle_mass = Some(mass(num()?)),
                b"sW" => r.muscle_score = Some(int()?),
                b"bW" => r.bone_mass = Some(mass(num()?)),
                b"wW" => r.total_body_water = Some(mass(num()?)),
                b"ww" => r.body_water_percent = Some(Percent(num()?)),
                b"wI" => r.intracellular_water = Some(mass(num()?)),
                b"wO" => r.extracellular_water = Some(mass(num()?)),
                b"wo" => r.extracellular_water_ratio = Some(Percent(num()?)),
                b"Sw" => r.standard_weight = Some(mass(num()?)),
                b"OV" => r.obesity_degree = Some(Percent(num()?)),
                b"Sf" => r.standard_fat_percent = Some(Percent(num()?)),
                b"SM" => r.standard_muscle_mass = Some(mass(num()?)),
                b"IF" => r.visceral_fat_rating = Some(num()?),
                b"LP" => r.leg_score = Some(int()?),
                b"rB" => r.bmr_kcal = Some(Kcal(num()?)),
                b"rb" => r.bmr_kj = Some(KiloJoule(num()?)),
                b"rJ" => r.bmr_score = Some(int()?),
                b"rA" => r.metabolic_age = Some(int()?),
                b"rD" => r.daily_calorie_intake = Some(Kcal(num()?)),
                b"RO" => r.rohrer_index = Some(num()?),
                b"gW" => r.predicted_weight = Some(mass(num()?)),
                b"gf" => r.predicted_fat_mass = Some(mass(num()?)),
                b"gt" => r.fat_to_target = Some(mass(num()?)),
                b"BA" => r.balance_arms = Some(int()?),
                b"BF" => r.balance_legs = Some(int()?),
                b"Ap" => r.athlete_index = Some(int()?),
                b"mh" => r.muscle_per_height2 = Some(Ratio(num()?)),
                b"mb" => r.muscle_per_weight = Some(Ratio(num()?)),
                b"AS" => r.appendicular_muscle_mass = Some(mass(num()?)),
                b"ah" => r.skeletal_muscle_index = Some(Ratio(num()?)),
                b"ab" => r.appendicular_per_weight = Some(Ratio(num()?)),
                b"ZF" => push_impedance(
                    &mut r,
                    key,
                    50,
                    ImpedanceComponent::Resistance,
                    ImpedancePath::BothLegs,
                    num()?,
                ),
                _ => {
                    if !interpret_coded(&mut r, key, bytes, value.is_quoted(), imperial)? {
                        unknown.push(*pair);
                    }
                }
            }
        }
        r.impedances.shrink_to_fit();
        r.sent = Sent {
            raw,
            values: None,
            unknown,
            pairs,
            control,
        };
        Ok(r)
    }

    /// Every pair exactly as sent, in order (original units), with its text.
    pub fn pairs(&self) -> Pairs<'_> {
        Resolved::new(self.sent.text(), &self.sent.pairs)
    }

    /// The pairs whose keys this decoder does not know, as sent.
    pub fn unknown(&self) -> Pairs<'_> {
        Resolved::new(self.sent.text(), &self.sent.unknown)
    }

    /// The control pairs, e.g. `~0,1`.
    pub fn control(&self) -> Controls<'_> {
        Resolved::new(self.sent.text(), &self.sent.control)
    }

    /// The line as received, without CR/LF; empty when the reading does not keep it.
    pub fn raw(&self) -> &[u8] {
        &self.sent.raw
    }

    /// Replaces the raw line (empty: keep none). The pairs keep their text.
    pub fn set_raw(&mut self, raw: Vec<u8>) {
        self.sent.detach();
        self.sent.raw = raw;
    }

    /// Replaces this reading's control pairs with `from`'s, and its pairs with those of
    /// `from`'s pairs whose key `keep` accepts, with their text — but not `from`'s raw line
    /// (which would carry every pair). Used to build weight-only records.
    pub fn copy_pairs_from(&mut self, from: &Reading, mut keep: impl FnMut(Key) -> bool) {
        let mut buf = Vec::new();
        let unknown = copy_spans(self.sent.text(), &self.sent.unknown, &mut buf);
        let text = from.sent.text();
        let control = copy_spans(text, &from.sent.control, &mut buf);
        let kept: Vec<RawPair> = from
            .sent
            .pairs
            .iter()
            .copied()
            .filter(|p| keep(p.key))
            .collect();
        let pairs = copy_spans(text, &kept, &mut buf);
        self.sent.unknown = unknown;
        self.sent.control = control;
        self.sent.pairs = pairs;
        self.sent.values = Some(buf.into_boxed_slice());
    }

    /// Whether the reading carries impedance-derived values (composition, not only weight).
    pub fn has_composition(&self) -> bool {
        self.fat_percent.is_some() || self.muscle_mass.is_some() || !self.impedances.is_empty()
    }
}

/// Segment codes (`FR`, `mT` …), impedances (`RH`, `XF` …) and phase angles (`pM` …).
fn interpret_coded(
    r: &mut Reading,
    key: Key,
    value: &[u8],
    quoted: bool,
    imperial: bool,
) -> Result<bool, ReadingError> {
    let [q, s] = key.bytes();
    let segment = match s {
        b'R' => Some(Segment::RightLeg),
        b'L' => Some(Segment::LeftLeg),
        b'r' => Some(Segment::RightArm),
        b'l' => Some(Segment::LeftArm),
        b'T' => Some(Segment::Trunk),
        _ => None,
    };
    if let (Some(seg), true) = (segment, b"FfMmSs".contains(&q)) {
        let v = number(key, value, quoted)?;
        let mass = if imperial { Kg::from_lb(v) } else { Kg(v) };
        let slot = r.segments.slot(seg);
        match q {
            b'F' => slot.fat_percent = Some(Percent(v)),
            b'f' => slot.fat_mass = Some(mass),
            b'M' => slot.fat_free_mass = Some(mass),
            b'm' => slot.muscle_mass = Some(mass),
            b'S' => slot.fat_score = Some(v as i32),
            _ => slot.muscle_score = Some(v as i32),
        }
        return Ok(true);
    }
    let Some(path) = ImpedancePath::from_letter(s) else {
        return Ok(false);
    };
    use ImpedanceComponent::{Reactance, Resistance};
    let (khz, comp) = match q {
        b'a' => (1, Resistance),
        b'c' => (1, Reactance),
        b'G' => (5, Resistance),
        b'H' => (5, Reactance),
        b'R' => (50, Resistance),
        b'X' => (50, Reactance),
        b'J' => (250, Resistance),
        b'K' => (250, Reactance),
        b'L' => (500, Resistance),
        b'Q' => (500, Reactance),
        b'i' => (1000, Resistance),
        b'j' => (1000, Reactance),
        b'p' => {
            let v = number(key, value, quoted)?;
            if v != 0.0 {
                r.phase_angles.push(PhaseAngle {
                    path,
                    degrees: Degrees(v),
                });
            }
            return Ok(true);
        }
        _ => return Ok(false),
    };
    let v = number(key, value, quoted)?;
    push_impedance(r, key, khz, comp, path, v);
    Ok(true)
}

fn push_impedance(
    r: &mut Reading,
    key: Key,
    frequency_khz: u32,
    component: ImpedanceComponent,
    path: ImpedancePath,
    ohms: f64,
) {
    // 0.0 marks a reserved slot the model does not measure (reference §8 item 4).
    if ohms != 0.0 {
        if r.impedances.capacity() == 0 {
            // One allocation for a full MC-780A frame (42 values) instead of six doublings;
            // trimmed to size once the frame is read.
            r.impedances.reserve(IMPEDANCES_PER_FRAME);
        }
        r.impedances.push(Impedance {
            frequency_khz,
            component,
            path,
            ohms: Ohm(ohms),
            key,
        });
    }
}

/// Impedances a full MC-780A frame carries (7 paths × 6 measured slots).
const IMPEDANCES_PER_FRAME: usize = 42;

/// Which keys a frame has already used: one bit per possible two-byte ASCII key.
struct KeySet([u64; 256]);

impl Default for KeySet {
    fn default() -> Self {
        KeySet([0; 256])
    }
}

impl KeySet {
    /// Marks `key`; false if it was already there.
    fn insert(&mut self, key: Key) -> bool {
        let [a, b] = key.bytes();
        let bit = (usize::from(a & 0x7f) << 7) | usize::from(b & 0x7f);
        let (word, mask) = (bit / 64, 1u64 << (bit % 64));
        let fresh = self.0[word] & mask == 0;
        self.0[word] |= mask;
        fresh
    }
}

/// A bare value as a number; a quoted one is never a number.
fn number(key: Key, value: &[u8], quoted: bool) -> Result<f64, ReadingError> {
    let parsed = if quoted {
        None
    } else {
        fast_decimal(value).or_else(|| {
            std::str::from_utf8(value)
                .ok()
                .and_then(|t| t.parse::<f64>().ok())
                .filter(|v| v.is_finite())
        })
    };
    parsed.ok_or_else(|| ReadingError::NotANumber {
        key: key.to_string(),
    })
}

/// Exact powers of ten (all representable in an `f64`).
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The common shape `[-]DIGITS[.DIGITS]` with at most 15 digits in all, parsed without the
/// general float parser: the digits make an integer `m < 2^53` and the result is `m / 10^k`,
/// one correctly rounded division of two exact values — bit for bit what `str::parse` returns
/// (Clinger's fast path). Anything else is `None` and goes to `str::parse`.
fn fast_decimal(text: &[u8]) -> Option<f64> {
    let (neg, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, text),
    };
    // ≤ 16 bytes: at most 16 digits, which fit a u64; the 15-digit bound is checked below.
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut dot = usize::MAX;
    for (i, &b) in digits.iter().enumerate() {
        let d = b.wrapping_sub(b'0');
        if d < 10 {
            mantissa = mantissa * 10 + u64::from(d);
        } else if b == b'.' && dot == usize::MAX && i > 0 && i + 1 < digits.len() {
            dot = i;
        } else {
            return None;
        }
    }
    let (count, k) = if dot == usize::MAX {
        (digits.len(), 0)
    } else {
        (digits.len() - 1, digits.len() - 1 - dot)
    };
    if count > 15 {
        return None;
    }
    let v = mantissa as f64 / POW10[k];
    Some(if neg { -v } else { v })
}

fn stone_pounds(key: Key, text: &str) -> Result<Kg, ReadingError> {
    // `XX.YY.Y` = stones . pounds (with tenths)
    let (st, lb) = text
        .split_once('.')
        .and_then(|(st, lb)| Some((st.parse::<f64>().ok()?, lb.parse::<f64>().ok()?)))
        .ok_or_else(|| ReadingError::NotANumber {
            key: key.to_string(),
        })?;
    Ok(Kg::from_lb(st * 14.0 + lb))
}

fn non_zero(text: &str) -> Option<String> {
    (!text.is_empty() && !text.bytes().all(|b| b == b'0')).then(|| text.to_owned())
}

/// `dd/mm/yyyy`, `yyyy/mm/dd` or `yy/mm/dd`, told apart by where the 4-digit group is.
/// A date the device clock got wrong is `None` (the raw pair stays).
fn parse_date(text: &str) -> Option<DeviceDate> {
    // Three parts, without collecting them (this runs for every frame).
    let mut parts = text.split('/');
    let (Some(a), Some(b), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let n = |s: &str| s.parse::<u16>().ok();
    let (year, month, day) = match (a.len(), c.len()) {
        (4, 2) => (n(a)?, n(b)?, n(c)?),
        (2, 4) => (n(c)?, n(b)?, n(a)?),
        (2, 2) => (2000 + n(a)?, n(b)?, n(c)?),
        _ => return None,
    };
    let (month, day) = (u8::try_from(month).ok()?, u8::try_from(day).ok()?);
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(DeviceDate {
        year,
        month,
        day,
    })
}

fn parse_time(text: &str) -> Option<DeviceTime> {
    let mut parts = text.split(':').map(|p| p.parse::<u8>().ok());
    let (hour, minute, second) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(m), None, None) => (h?, m?, None),
        (Some(h), Some(m), Some(s), None) => (h?, m?, Some(s?)),
        _ => return None,
    };
    (hour < 24 && minute < 60 && second.is_none_or(|s| s < 60)).then_some(DeviceTime {
        hour,
        minute,
        second,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_variant() {
        let d = |y, m, dd| {
            Some(DeviceDate {
                year: y,
                month: m,
                day: dd,
            })
        };
        assert_eq!(parse_date("30/04/2020"), d(2020, 4, 30));
        assert_eq!(parse_date("2026/06/03"), d(2026, 6, 3));
        assert_eq!(parse_date("19/04/06"), d(2019, 4, 6));
        assert_eq!(parse_date("31/13/2020"), None);
        assert_eq!(parse_date("garbage"), None);
    }

    #[test]
    fn times_with_and_without_seconds() {
        assert_eq!(
            parse_time("20:02"),
            Some(DeviceTime {
                hour: 20,
                minute: 2,
                second: None
            })
        );
        assert_eq!(
            parse_time("12:32:26"),
            Some(DeviceTime {
                hour: 12,
                minute: 32,
                second: Some(26)
            })
        );
        assert_eq!(parse_time("25:00"), None);
    }

    #[test]
    fn fast_decimal_is_bit_for_bit_str_parse() {
        for text in [
            "0",
            "0.0",
            "-0.0",
            "67.6",
            "-5.8",
            "1514",
            "16.98",
            "0.77",
            "8255",
            "999999999999999",
            "0.00000000000001",
            "123456789.012345",
            "-29.2",
            "175.5",
            "0.1",
            "0.3",
            "9007199.254",
        ] {
            let want: f64 = text.parse().unwrap();
            let got = fast_decimal(text.as_bytes()).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{text}");
        }
        for text in [
            "",
            "-",
            ".5",
            "5.",
            "1.2.3",
            "1e5",
            "--1",
            "1234567890123456",
            "+1",
        ] {
            assert_eq!(fast_decimal(text.as_bytes()), None, "{text}");
        }
        // Everything up to 4 digits before and 2 after the point, signs included.
        for i in 0..100_000u32 {
            let text = format!("{}.{:02}", i / 100, i % 100);
            let want: f64 = text.parse().unwrap();
            assert_eq!(
                fast_decimal(text.as_bytes()).map(f64::to_bits),
                Some(want.to_bits())
            );
            let neg = format!("-{}.{}", i / 10, i % 10);
            let want: f64 = neg.parse().unwrap();
            assert_eq!(
                fast_decimal(neg.as_bytes()).map(f64::to_bits),
                Some(want.to_bits())
            );
        }
    }

    #[test]
    fn all_zero_ids_are_absent() {
        assert_eq!(non_zero("0000000000000000"), None);
        assert_eq!(non_zero("0000012345"), Some("0000012345".into()));
    }

    const F6: &[u8] =
        b"{0,16,~0,1,MO,\"PW-650\",Da,\"30/04/2020\",TI,\"20:02\",Wk,58.1,Pt,2.0,Ta,0.0,CS,D6";

    fn f6() -> Reading {
        Reading::from_frame(TanitaFrame::parse(F6).unwrap()).unwrap()
    }

    fn texts(p: Pairs<'_>) -> Vec<(String, String, bool)> {
        p.iter()
            .map(|p| {
                let quoted = matches!(p.value, super::super::frame::RawValue::Quoted(_));
                (p.key.to_string(), p.value.text().to_owned(), quoted)
            })
            .collect()
    }

    #[test]
    fn pairs_read_through_the_raw_line() {
        let r = f6();
        assert_eq!(r.pairs().len(), 6);
        assert_eq!(r.pairs().value("MO").map(|v| v.text()), Some("PW-650"));
        assert_eq!(r.pairs().value("Wk").map(|v| v.text()), Some("58.1"));
        assert_eq!(r.control().value(0), Some("1"));
        assert!(r.unknown().is_empty());
        assert_eq!(r.raw(), F6);
    }

    #[test]
    fn set_raw_keeps_the_pairs_text() {
        let mut r = f6();
        let before = texts(r.pairs());
        let json_pairs = serde_json::to_string(&r.pairs()).unwrap();
        r.set_raw(Vec::new());
        assert!(r.raw().is_empty());
        assert_eq!(texts(r.pairs()), before);
        assert_eq!(serde_json::to_string(&r.pairs()).unwrap(), json_pairs);
        assert_eq!(r.control().value(0), Some("1"));
        r.set_raw(b"something else entirely".to_vec());
        assert_eq!(texts(r.pairs()), before);
    }

    #[test]
    fn copy_pairs_from_keeps_the_chosen_pairs_and_control_but_not_the_line() {
        let full = f6();
        let mut w = Reading::default();
        w.copy_pairs_from(&full, |k| k == "MO" || k == "Wk");
        assert!(w.raw().is_empty());
        assert_eq!(
            texts(w.pairs()),
            vec![
                ("MO".to_owned(), "PW-650".to_owned(), true),
                ("Wk".to_owned(), "58.1".to_owned(), false)
            ]
        );
        assert_eq!(w.control().value(0), Some("1"));
        let json = serde_json::to_string(&w).unwrap();
        assert!(json.contains(r#""pairs":[{"key":"MO","value":{"type":"quoted","text":"PW-650"}},{"key":"Wk","value":{"type":"bare","text":"58.1"}}],"control":[{"index":0,"value":"1"}],"raw":"""#), "{json}");
        assert!(!json.contains("20:02"), "{json}");
        // The copy does not depend on the reading it came from.
        drop(full);
        assert_eq!(w.pairs().value("Wk").map(|v| v.text()), Some("58.1"));
    }

    #[test]
    fn debug_never_shows_a_value() {
        let r = f6();
        for dbg in [
            format!("{r:?}"),
            format!("{:?}", r.pairs()),
            format!("{:?}", r.pairs().get(4)),
            format!("{:?}", r.pairs().value("Wk")),
            format!("{:?}", r.pairs().spans()),
        ] {
            // (`Reading`'s `Debug` names the model on purpose; the pair lists do not.)
            assert!(!dbg.contains("58.1") && !dbg.contains("20:02"), "{dbg}");
        }
        assert!(!format!("{:?}", r.pairs()).contains("PW-650"));
        assert!(format!("{:?}", r.pairs()).contains("Wk"));
    }

    #[test]
    fn a_span_outside_its_bytes_reads_as_empty() {
        let span = ValueSpan::new(3, 40, false);
        assert_eq!(span.resolve(b"short").text(), "");
        assert_eq!(ValueSpan::new(1, 3, true).resolve(b"abcd").text(), "bc");
    }

    #[test]
    fn stone_pounds_convert() {
        let kg = stone_pounds(Key::new(b"Ws").unwrap(), "10.05.2").unwrap();
        assert!((kg.0 - (145.2 * 0.453_592_37)).abs() < 1e-9);
    }
}
