//! The simulated person and the body values an analyzer prints for them: every derived value
//! is computed from already-rounded printed values, so the reference's consistency relations
//! (§6) hold on the wire within rounding. Output formats and key sets are not here
//! ([`super::frames`]); nothing here claims physiological accuracy beyond plausibility.

use crate::redact::REDACTED;
use crate::scale::tanita::{BodyType, Sex};
use crate::sim::rng::Rng;
use std::fmt;

/// Who steps on the simulated analyzer. `Debug` never shows the values (health data).
#[derive(Clone, PartialEq)]
pub struct Person {
    /// Sex.
    pub sex: Sex,
    /// Age in years (5–99).
    pub age: u8,
    /// Height in cm (90–249.9).
    pub height_cm: f64,
    /// What the platform weighs, clothes included, in kg (10–250).
    pub weight_kg: f64,
    /// Body fat % the analyzer should find (3–60).
    pub fat_percent: f64,
    /// Standard or athletic.
    pub body_type: BodyType,
}

impl fmt::Debug for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Person({REDACTED})")
    }
}

impl Default for Person {
    /// The person of fixture F1: male, 47, 175.5 cm, 67.6 kg, 18.3 % fat.
    fn default() -> Person {
        Person {
            sex: Sex::Male,
            age: 47,
            height_cm: 175.5,
            weight_kg: 67.6,
            fat_percent: 18.3,
            body_type: BodyType::Standard,
        }
    }
}

/// A person outside what an analyzer accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} is outside {range}")]
pub struct PersonError {
    /// Which field (no value: health data).
    pub what: &'static str,
    /// The accepted range.
    pub range: &'static str,
}

impl Person {
    /// Checks the ranges documented on the fields.
    pub fn validate(&self) -> Result<(), PersonError> {
        let check = |ok: bool, what, range| {
            if ok {
                Ok(())
            } else {
                Err(PersonError { what, range })
            }
        };
        check((5..=99).contains(&self.age), "age", "5–99")?;
        check(
            (90.0..250.0).contains(&self.height_cm),
            "height",
            "90–249.9 cm",
        )?;
        check(
            (10.0..=250.0).contains(&self.weight_kg),
            "weight",
            "10–250 kg",
        )?;
        check(
            (3.0..=60.0).contains(&self.fat_percent),
            "body fat",
            "3–60 %",
        )
    }

    /// A plausible random person (for property tests and demos).
    pub fn random(rng: &mut Rng) -> Person {
        let sex = if rng.unit() < 0.5 {
            Sex::Male
        } else {
            Sex::Female
        };
        let height_cm = round1(match sex {
            Sex::Male => 150.0 + rng.unit() * 45.0,
            Sex::Female => 140.0 + rng.unit() * 40.0,
        });
        let bmi = 16.0 + rng.unit() * 20.0;
        let weight_kg = round1(bmi * (height_cm / 100.0).powi(2));
        let base = match sex {
            Sex::Male => 8.0,
            Sex::Female => 16.0,
        };
        Person {
            sex,
            age: rng.range_i64(18, 90) as u8,
            height_cm,
            weight_kg,
            fat_percent: round1((base + (bmi - 16.0) * 1.1 + rng.symmetric(3.0)).clamp(4.0, 55.0)),
            body_type: if rng.unit() < 0.15 {
                BodyType::Athletic
            } else {
                BodyType::Standard
            },
        }
    }
}

/// Rounds to one decimal (the printed resolution of most fields).
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0 + 0.0
}

/// Rounds to two decimals (`mh`, `mb`, `ah`, `ab`, A&D weights).
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0 + 0.0
}

/// Values of one body segment, as printed.
#[derive(Clone, Copy, PartialEq, Default)]
pub struct SegmentBody {
    /// `F?` fat %.
    pub fat_percent: f64,
    /// `f?` fat mass kg.
    pub fat_mass: f64,
    /// `M?` fat-free mass kg.
    pub fat_free_mass: f64,
    /// `m?` muscle mass kg.
    pub muscle_mass: f64,
    /// `S?` fat score −4…+4.
    pub fat_score: i64,
    /// `s?` muscle score −4…+4.
    pub muscle_score: i64,
}

/// Impedances of one current path, Ω, as printed (reactance negative, MC-780 convention).
#[derive(Clone, Copy, PartialEq, Default)]
pub struct PathImpedance {
    /// R at 5 kHz (`G?`).
    pub r5: f64,
    /// X at 5 kHz (`H?`).
    pub x5: f64,
    /// R at 50 kHz (`R?`).
    pub r50: f64,
    /// X at 50 kHz (`X?`).
    pub x50: f64,
    /// R at 250 kHz (`J?`).
    pub r250: f64,
    /// X at 250 kHz (`K?`).
    pub x250: f64,
    /// Phase angle at 50 kHz in degrees (`p?`), = atan(X50/R50).
    pub phase: f64,
}

impl fmt::Debug for SegmentBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SegmentBody({REDACTED})")
    }
}

impl fmt::Debug for PathImpedance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PathImpedance({REDACTED})")
    }
}

/// Segment letters in frame order: right leg, left leg, right arm, left arm, trunk.
pub const SEGMENT_LETTERS: [char; 5] = ['R', 'L', 'r', 'l', 'T'];
/// Impedance path letters in MC-780A frame order (`M` is MC-780A only).
pub const PATH_LETTERS: [char; 7] = ['H', 'R', 'L', 'r', 'l', 'F', 'M'];

/// One measurement's printed values. `Debug` never shows them.
#[derive(Clone, PartialEq)]
#[allow(missing_docs)] // field names are the frame keys' meanings; see reference §2.1
pub struct Body {
    pub sex: Sex,
    pub age: u8,
    pub body_type: BodyType,
    /// `Hm`
    pub height: f64,
    /// `Pt`
    pub clothes: f64,
    /// `Wk` = load − `Pt`
    pub weight: f64,
    /// `FW`
    pub fat_percent: f64,
    /// `fW` = Wk·FW/100
    pub fat_mass: f64,
    /// `MW` = Wk − fW
    pub fat_free_mass: f64,
    /// `mW`
    pub muscle_mass: f64,
    /// `bW`
    pub bone_mass: f64,
    /// `wW`
    pub water: f64,
    /// `ww` = wW/Wk·100
    pub water_percent: f64,
    /// `wI`
    pub intracellular_water: f64,
    /// `wO`
    pub extracellular_water: f64,
    /// `wo` = wO/wW·100
    pub extracellular_ratio: f64,
    /// `MI` = Wk/(Hm/100)²
    pub bmi: f64,
    /// `Sw` = 22·(Hm/100)²
    pub standard_weight: f64,
    /// `OV` = (Wk−Sw)/Sw·100
    pub obesity: f64,
    /// `Sf`
    pub standard_fat: f64,
    /// `SM`
    pub standard_muscle: f64,
    /// `IF`
    pub visceral: i64,
    /// `LP`
    pub leg_score: i64,
    /// `rB` kcal
    pub bmr_kcal: i64,
    /// `rb` = round(rB·4.184) kJ
    pub bmr_kj: i64,
    /// `rJ`
    pub bmr_score: i64,
    /// `rA`
    pub metabolic_age: i64,
    /// `sW` on the −4…+4 scale (MC series)
    pub muscle_score: i64,
    /// `sW` on the 1…24 scale (SC-240)
    pub muscle_score_24: i64,
    /// `BA`
    pub balance_arms: i64,
    /// `BF`
    pub balance_legs: i64,
    /// `Ap`
    pub athlete_index: i64,
    /// `gF` (0 when not preset)
    pub target_fat: i64,
    /// `gW`
    pub predicted_weight: f64,
    /// `gf`
    pub predicted_fat: f64,
    /// `gt`
    pub fat_to_target: f64,
    /// Segments in [`SEGMENT_LETTERS`] order.
    pub segments: [SegmentBody; 5],
    /// Paths in [`PATH_LETTERS`] order.
    pub paths: [PathImpedance; 7],
    /// `mh` = mW/(Hm/100)²
    pub muscle_per_h2: f64,
    /// `mb` = mW/Wk
    pub muscle_per_weight: f64,
    /// `AS` = mR+mL+mr+ml
    pub appendicular: f64,
    /// `ah` = AS/(Hm/100)²
    pub smi: f64,
    /// `ab` = AS/Wk
    pub appendicular_per_weight: f64,
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Body({REDACTED})")
    }
}

/// Splits `total_tenths` by `fractions` (the last one takes the remainder), so the parts sum
/// exactly to the total as printed.
fn split_tenths(total_tenths: i64, fractions: &[f64; 5]) -> [i64; 5] {
    let mut out = [0i64; 5];
    let mut used = 0;
    for i in 0..4 {
        out[i] = (total_tenths as f64 * fractions[i]).round() as i64;
        used += out[i];
    }
    out[4] = total_tenths - used;
    out
}

fn tenths(x: f64) -> i64 {
    (x * 10.0).round() as i64
}

impl Body {
    /// One measurement of `person` wearing `clothes` kg (`Pt`), with small seeded variation.
    pub fn measure(person: &Person, clothes: f64, target_fat: Option<u8>, rng: &mut Rng) -> Body {
        let male = person.sex == Sex::Male;
        let height = round1(person.height_cm);
        let h2 = (height / 100.0).powi(2);
        let load = person.weight_kg + rng.symmetric(0.15);
        let weight = round1((load - clothes).max(5.0));
        let fat_percent = round1((person.fat_percent + rng.symmetric(0.3)).clamp(3.0, 75.0));
        let fat_mass = round1(weight * fat_percent / 100.0);
        let fat_free_mass = round1(weight - fat_mass);
        let bone_mass = round1(fat_free_mass * if male { 0.053 } else { 0.056 });
        let muscle_mass = round1(fat_free_mass - bone_mass);
        let water = round1(fat_free_mass * (0.70 + rng.symmetric(0.01)));
        let water_percent = round1(water / weight * 100.0);
        let extracellular_water = round1(water * (0.385 + rng.symmetric(0.01)));
        let intracellular_water = round1(water - extracellular_water);
        let extracellular_ratio = round1(extracellular_water / water * 100.0);
        let bmi = round1(weight / h2);
        let standard_weight = round1(22.0 * h2);
        let obesity = round1((weight - standard_weight) / standard_weight * 100.0);
        let standard_fat = if male { 18.0 } else { 28.0 };
        let standard_muscle = round1(standard_weight * (1.0 - standard_fat / 100.0) * 0.95);
        let age = f64::from(person.age);
        let visceral = ((fat_percent - 8.0) * 0.45 + (age - 20.0) * 0.12)
            .round()
            .clamp(1.0, 59.0) as i64;
        let bmr_kcal = (370.0 + 21.6 * fat_free_mass).round() as i64;
        let bmr_kj = (bmr_kcal as f64 * 4.184).round() as i64;
        let metabolic_age = (age + (fat_percent - standard_fat) * 0.6 + rng.symmetric(2.0))
            .round()
            .clamp(12.0, 90.0) as i64;
        let muscle_per_h2 = round2(muscle_mass / h2);
        let muscle_score = ((muscle_per_h2 - if male { 17.0 } else { 14.0 }) / 1.2)
            .round()
            .clamp(-4.0, 4.0) as i64;
        let muscle_score_24 = (12.0 + (muscle_per_h2 - if male { 17.0 } else { 14.0 }) * 2.5)
            .round()
            .clamp(1.0, 24.0) as i64;

        // Segments: fat-free, fat and muscle split so that the parts sum to the printed totals.
        let ffm_frac = [0.197, 0.196, 0.053, 0.051, 0.0];
        let fat_frac = [0.17, 0.175, 0.04, 0.042, 0.0];
        let ffm_t = split_tenths(tenths(fat_free_mass), &ffm_frac);
        let fat_t = split_tenths(tenths(fat_mass), &fat_frac);
        let mus_ratio = muscle_mass / fat_free_mass.max(0.1);
        let mut mus_t = [0i64; 5];
        for i in 0..4 {
            mus_t[i] = (ffm_t[i] as f64 * mus_ratio).round() as i64;
        }
        mus_t[4] = tenths(muscle_mass) - mus_t[..4].iter().sum::<i64>();
        let mut segments = [SegmentBody::default(); 5];
        for i in 0..5 {
            let f = fat_t[i] as f64 / 10.0;
            let m = ffm_t[i] as f64 / 10.0;
            segments[i] = SegmentBody {
                fat_percent: if f + m > 0.0 {
                    round1(f / (f + m) * 100.0)
                } else {
                    0.0
                },
                fat_mass: f,
                fat_free_mass: m,
                muscle_mass: mus_t[i] as f64 / 10.0,
                fat_score: rng.range_i64(-1, 1),
                muscle_score: rng.range_i64(-2, 1),
            };
        }
        let appendicular = (mus_t[..4].iter().sum::<i64>()) as f64 / 10.0;

        // Impedances scale with length and inversely with conducting (fat-free) mass.
        let k = (height / 175.5) * (55.2 / fat_free_mass.max(5.0)).sqrt();
        let leg_r = 225.0 * k * (1.0 + rng.symmetric(0.02));
        let leg_l = 236.0 * k * (1.0 + rng.symmetric(0.02));
        let arm_r = 317.0 * k * (1.0 + rng.symmetric(0.02));
        let arm_l = 326.0 * k * (1.0 + rng.symmetric(0.02));
        let trunk = 24.0 * k;
        let r50 = [
            leg_l + arm_l + trunk,
            leg_r,
            leg_l,
            arm_r,
            arm_l,
            leg_r + leg_l + 2.5 * k,
            (leg_r + leg_l) / 2.0 + (arm_r + arm_l) / 2.0 + trunk,
        ];
        let mut paths = [PathImpedance::default(); 7];
        for (slot, r) in paths.iter_mut().zip(r50) {
            let r50 = round1(r);
            let x50 = round1(-r * (0.104 + rng.symmetric(0.006)));
            let r5 = round1(r * 1.135);
            let r250 = round1(r * 0.895);
            *slot = PathImpedance {
                r5,
                x5: round1(-r5 * 0.044),
                r50,
                x50,
                r250,
                x250: round1(-r250 * 0.09),
                phase: round1((x50 / r50).atan().to_degrees()),
            };
        }

        let (target, gw, gf, gt) = match target_fat {
            Some(t) if (5..=99).contains(&t) => {
                let gw = round1(fat_free_mass / (1.0 - f64::from(t) / 100.0));
                let gf = round1(gw - fat_free_mass);
                (i64::from(t), gw, gf, round1(fat_mass - gf))
            }
            _ => (0, 0.0, 0.0, 0.0),
        };

        Body {
            sex: person.sex,
            age: person.age,
            body_type: person.body_type,
            height,
            clothes: round1(clothes),
            weight,
            fat_percent,
            fat_mass,
            fat_free_mass,
            muscle_mass,
            bone_mass,
            water,
            water_percent,
            intracellular_water,
            extracellular_water,
            extracellular_ratio,
            bmi,
            standard_weight,
            obesity,
            standard_fat,
            standard_muscle,
            visceral,
            leg_score: 100 + rng.range_i64(-4, 4),
            bmr_kcal,
            bmr_kj,
            bmr_score: rng.range_i64(8, 14),
            metabolic_age,
            muscle_score,
            muscle_score_24,
            balance_arms: rng.range_i64(-1, 1),
            balance_legs: rng.range_i64(-1, 1),
            athlete_index: rng.range_i64(40, 70),
            target_fat: target,
            predicted_weight: gw,
            predicted_fat: gf,
            fat_to_target: gt,
            segments,
            paths,
            muscle_per_h2,
            muscle_per_weight: round2(muscle_mass / weight),
            appendicular,
            smi: round2(appendicular / h2),
            appendicular_per_weight: round2(appendicular / weight),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let p = Person::default();
        let b = Body::measure(&p, 0.0, None, &mut Rng::new(1));
        assert_eq!(format!("{p:?}"), "Person(<redacted>)");
        assert_eq!(format!("{b:?}"), "Body(<redacted>)");
    }

    #[test]
    fn segments_sum_to_totals() {
        let mut rng = Rng::new(3);
        for _ in 0..200 {
            let p = Person::random(&mut rng);
            let b = Body::measure(&p, 0.5, Some(20), &mut rng);
            let sum = |f: fn(&SegmentBody) -> f64| b.segments.iter().map(f).sum::<f64>();
            assert!((sum(|s| s.fat_free_mass) - b.fat_free_mass).abs() < 0.05);
            assert!((sum(|s| s.fat_mass) - b.fat_mass).abs() < 0.05);
            assert!((sum(|s| s.muscle_mass) - b.muscle_mass).abs() < 0.05);
            assert!(b
                .segments
                .iter()
                .all(|s| s.fat_mass >= 0.0 && s.fat_free_mass > 0.0));
        }
    }

    #[test]
    fn random_people_are_valid() {
        let mut rng = Rng::new(9);
        for _ in 0..500 {
            assert_eq!(Person::random(&mut rng).validate(), Ok(()));
        }
    }
}
