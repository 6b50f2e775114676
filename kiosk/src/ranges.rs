//! Where a measured value falls in a published range, for the results screen's plain words and
//! range bar: BMI (日本肥満学会), body fat % by sex and age (Gallagher et al.), visceral fat
//! rating and body water % (Tanita's published ranges).
//!
//! Each range names its source, and a value gets a range only when the source covers this
//! person: adults only, and sex-specific ranges only when the sex is known. Deliberately not
//! here: advice, diagnosis, or a range for values no public source gives one for in plain terms
//! (muscle mass, bone mass, BMR, metabolic age are shown without a bar); the words for each band
//! (the UI's copy); anything about how values are measured (`hakaru-devices`).

use crate::view::{RangeView, Text};
use hakaru_devices::scale::tanita::Sex;

/// What a range may depend on. Only what the source needs; nothing is kept.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Person {
    /// Sex, when known (from the roster profile or the analyzer's echo).
    pub sex: Option<Sex>,
    /// Age in whole years on the day of measurement, when known.
    pub age: Option<u16>,
}

impl std::fmt::Debug for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Person(<redacted>)")
    }
}

/// `(key, unit, decimals)` of every value the results screen can show, in the order it shows
/// them. A reading shows the ones it has.
pub const SHOWN: &[(&str, &str, u8)] = &[
    ("weight", "kg", 1),
    ("bmi", "", 1),
    ("fat_percent", "%", 1),
    ("muscle_mass", "kg", 1),
    ("visceral_fat", "", 1),
    ("bmr", "kcal", 0),
    ("body_water_percent", "%", 1),
    ("bone_mass", "kg", 1),
    ("metabolic_age", "", 0),
];

/// One published range: cut points and the band each segment is.
struct Bands {
    bounds: &'static [f64],
    bands: &'static [&'static str],
    source: (&'static str, &'static str),
}

const JASSO: (&str, &str) = (
    "日本肥満学会「肥満症診療ガイドライン2022」",
    "Japan Society for the Study of Obesity, guideline 2022",
);
const GALLAGHER: (&str, &str) = (
    "Gallagher ほか (Am J Clin Nutr 2000;72:694)",
    "Gallagher et al., Am J Clin Nutr 2000;72:694",
);
const TANITA: (&str, &str) = ("タニタ公表の判定基準", "Tanita's published ranges");

const BMI: Bands = Bands {
    bounds: &[18.5, 25.0, 30.0],
    bands: &["low", "standard", "high", "very_high"],
    source: JASSO,
};

const FOUR: &[&str] = &["low", "standard", "high", "very_high"];

/// Gallagher et al. 2000, Table 3 (healthy / overfat / obese cut points), by sex and age band.
fn body_fat(sex: Sex, age: u16) -> Option<Bands> {
    let bounds: &'static [f64] = match (sex, age) {
        (_, 0..=19) | (_, 80..) => return None,
        (Sex::Male, 20..=39) => &[8.0, 20.0, 25.0],
        (Sex::Male, 40..=59) => &[11.0, 22.0, 28.0],
        (Sex::Male, 60..=79) => &[13.0, 25.0, 30.0],
        (Sex::Female, 20..=39) => &[21.0, 33.0, 39.0],
        (Sex::Female, 40..=59) => &[23.0, 34.0, 40.0],
        (Sex::Female, 60..=79) => &[24.0, 36.0, 42.0],
    };
    Some(Bands {
        bounds,
        bands: FOUR,
        source: GALLAGHER,
    })
}

/// Tanita's visceral fat rating (in steps of 0.5): 1.0–9.5 standard, 10.0–14.5 high, 15.0 and
/// above very high.
const VISCERAL: Bands = Bands {
    bounds: &[10.0, 15.0],
    bands: &["standard", "high", "very_high"],
    source: TANITA,
};

/// Tanita's body water % ranges for adults.
fn body_water(sex: Sex) -> Bands {
    let bounds: &'static [f64] = match sex {
        Sex::Male => &[50.0, 65.0],
        Sex::Female => &[45.0, 60.0],
    };
    Bands {
        bounds,
        bands: &["low", "standard", "high"],
        source: TANITA,
    }
}

/// The range `value` of `key` falls in for `person`, or `None` when no source covers it.
pub fn judge(key: &str, value: f64, person: &Person) -> Option<RangeView> {
    if !value.is_finite() {
        return None;
    }
    let adult = person.age.is_some_and(|a| a >= 18);
    let bands = match key {
        "bmi" if adult => BMI,
        "fat_percent" => body_fat(person.sex?, person.age?)?,
        "visceral_fat" if adult => VISCERAL,
        "body_water_percent" if adult => body_water(person.sex?),
        _ => return None,
    };
    Some(place(value, &bands))
}

/// The band `value` falls in: a value on a cut point belongs to the band above it (BMI 25.0
/// is "high", as the guideline says "25 以上").
fn place(value: f64, bands: &Bands) -> RangeView {
    let index = bands.bounds.iter().take_while(|&&b| value >= b).count();
    RangeView {
        band: bands.bands[index].to_owned(),
        bounds: bands.bounds.to_vec(),
        bands: bands.bands.iter().map(|b| (*b).to_owned()).collect(),
        source: Text::new(bands.source.0, bands.source.1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn person(sex: Sex, age: u16) -> Person {
        Person {
            sex: Some(sex),
            age: Some(age),
        }
    }

    fn band(key: &str, value: f64, p: Person) -> Option<String> {
        judge(key, value, &p).map(|r| r.band)
    }

    #[rstest]
    #[case(18.4, "low")]
    #[case(18.5, "standard")]
    #[case(24.9, "standard")]
    #[case(25.0, "high")]
    #[case(29.9, "high")]
    #[case(30.0, "very_high")]
    fn bmi_follows_the_jasso_cut_points(#[case] bmi: f64, #[case] want: &str) {
        assert_eq!(
            band("bmi", bmi, person(Sex::Female, 70)).as_deref(),
            Some(want)
        );
    }

    #[rstest]
    #[case(Sex::Male, 35, 7.9, "low")]
    #[case(Sex::Male, 35, 20.0, "high")]
    #[case(Sex::Male, 72, 24.9, "standard")]
    #[case(Sex::Male, 72, 30.0, "very_high")]
    #[case(Sex::Female, 45, 33.9, "standard")]
    #[case(Sex::Female, 45, 34.0, "high")]
    #[case(Sex::Female, 68, 23.9, "low")]
    #[case(Sex::Female, 68, 42.0, "very_high")]
    fn body_fat_depends_on_sex_and_age(
        #[case] sex: Sex,
        #[case] age: u16,
        #[case] fat: f64,
        #[case] want: &str,
    ) {
        assert_eq!(
            band("fat_percent", fat, person(sex, age)).as_deref(),
            Some(want)
        );
    }

    #[test]
    fn the_same_fat_percent_means_different_things_for_different_people() {
        let fat = 30.0;
        assert_eq!(
            band("fat_percent", fat, person(Sex::Male, 30)).as_deref(),
            Some("very_high")
        );
        assert_eq!(
            band("fat_percent", fat, person(Sex::Female, 30)).as_deref(),
            Some("standard")
        );
    }

    #[test]
    fn no_range_where_the_source_does_not_cover_the_person() {
        // Children and the very old are outside Gallagher's table; BMI bands are for adults.
        assert_eq!(band("fat_percent", 20.0, person(Sex::Male, 12)), None);
        assert_eq!(band("fat_percent", 20.0, person(Sex::Male, 85)), None);
        assert_eq!(band("bmi", 20.0, person(Sex::Male, 12)), None);
        // Sex unknown (a weight-only scale sent no echo and the roster had none).
        let unknown = Person {
            sex: None,
            age: Some(70),
        };
        assert_eq!(band("fat_percent", 20.0, unknown), None);
        assert_eq!(band("bmi", 22.0, unknown).as_deref(), Some("standard"));
        // Age unknown: nothing age-dependent.
        let no_age = Person {
            sex: Some(Sex::Female),
            age: None,
        };
        assert_eq!(band("bmi", 22.0, no_age), None);
        // Values without a public plain range.
        for key in ["weight", "muscle_mass", "bmr", "bone_mass", "metabolic_age"] {
            assert_eq!(band(key, 50.0, person(Sex::Female, 70)), None, "{key}");
        }
        assert_eq!(band("bmi", f64::NAN, person(Sex::Female, 70)), None);
    }

    #[test]
    fn visceral_fat_and_body_water_follow_tanita() {
        let p = person(Sex::Male, 66);
        assert_eq!(band("visceral_fat", 9.5, p).as_deref(), Some("standard"));
        assert_eq!(band("visceral_fat", 10.0, p).as_deref(), Some("high"));
        assert_eq!(band("visceral_fat", 14.5, p).as_deref(), Some("high"));
        assert_eq!(band("visceral_fat", 15.0, p).as_deref(), Some("very_high"));
        assert_eq!(band("body_water_percent", 49.9, p).as_deref(), Some("low"));
        let f = person(Sex::Female, 66);
        assert_eq!(
            band("body_water_percent", 49.9, f).as_deref(),
            Some("standard")
        );
    }

    #[test]
    fn a_range_carries_its_bar_and_its_source() {
        let r = judge("bmi", 23.0, &person(Sex::Female, 70)).expect("a range");
        assert_eq!(r.bounds, vec![18.5, 25.0, 30.0]);
        assert_eq!(r.bands.len(), r.bounds.len() + 1);
        assert!(r.bands.contains(&r.band));
        assert!(r.source.ja.contains("日本肥満学会"));
        assert!(!format!("{r:?}").contains("23"), "Debug shows no value");
        for (key, _, _) in SHOWN {
            if let Some(r) = judge(key, 20.0, &person(Sex::Male, 50)) {
                assert_eq!(r.bands.len(), r.bounds.len() + 1, "{key}");
                assert!(r.bounds.windows(2).all(|w| w[0] < w[1]), "{key}");
            }
        }
    }
}
