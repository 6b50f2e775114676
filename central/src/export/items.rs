//! The measurement values an export may carry, by their key in the stored reading
//! (`hakaru_devices::scale::Reading`'s serde names), with the rounding step and the top/bottom
//! codes the anonymized export applies.
//!
//! Only whole-body results an effect analysis uses are listed. Deliberately left out of every
//! export: device identity (model, serial number, result number, card id), the echoed inputs
//! (birth date, age, height, body type — the roster has them), raw impedances, segmental values
//! and the raw frame (rare values that single a person out, and nothing an effect analysis needs).

/// One value column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueItem {
    /// Key in the reading and column name.
    pub key: &'static str,
    /// Japanese name (for `items.txt`).
    pub ja: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Anonymized exports round to multiples of this.
    pub step: f64,
    /// Anonymized exports show values at or below this as `<=bottom`.
    pub bottom: f64,
    /// Anonymized exports show values at or above this as `>=top`.
    pub top: f64,
    /// Present in weight-only readings too.
    pub weight_only: bool,
}

/// The value columns, in export order.
pub const VALUE_ITEMS: &[ValueItem] = &[
    ValueItem {
        key: "weight",
        ja: "体重",
        unit: "kg",
        step: 1.0,
        bottom: 35.0,
        top: 130.0,
        weight_only: true,
    },
    ValueItem {
        key: "bmi",
        ja: "BMI",
        unit: "kg/m²",
        step: 1.0,
        bottom: 15.0,
        top: 40.0,
        weight_only: false,
    },
    ValueItem {
        key: "fat_percent",
        ja: "体脂肪率",
        unit: "%",
        step: 1.0,
        bottom: 5.0,
        top: 50.0,
        weight_only: false,
    },
    ValueItem {
        key: "muscle_mass",
        ja: "筋肉量",
        unit: "kg",
        step: 1.0,
        bottom: 20.0,
        top: 80.0,
        weight_only: false,
    },
    ValueItem {
        key: "bone_mass",
        ja: "推定骨量",
        unit: "kg",
        step: 0.5,
        bottom: 1.0,
        top: 5.0,
        weight_only: false,
    },
    ValueItem {
        key: "body_water_percent",
        ja: "体水分率",
        unit: "%",
        step: 1.0,
        bottom: 35.0,
        top: 70.0,
        weight_only: false,
    },
    ValueItem {
        key: "visceral_fat_rating",
        ja: "内臓脂肪レベル",
        unit: "",
        step: 1.0,
        bottom: 1.0,
        top: 25.0,
        weight_only: false,
    },
    ValueItem {
        key: "bmr_kcal",
        ja: "基礎代謝量",
        unit: "kcal",
        step: 50.0,
        bottom: 800.0,
        top: 2500.0,
        weight_only: false,
    },
];

impl ValueItem {
    /// The value in a reading, if it is a finite number (composition values of a weight-only
    /// reading are never read).
    pub fn read(&self, reading: &serde_json::Value, weight_only: bool) -> Option<f64> {
        if weight_only && !self.weight_only {
            return None;
        }
        reading.get(self.key)?.as_f64().filter(|v| v.is_finite())
    }

    /// As the anonymized export shows it: rounded to the step, top/bottom coded.
    pub fn generalised(&self, value: f64) -> String {
        if value <= self.bottom {
            return format!("<={}", trim(self.bottom));
        }
        if value >= self.top {
            return format!(">={}", trim(self.top));
        }
        trim((value / self.step).round() * self.step)
    }
}

/// A number without a useless fraction (`67` not `67.0`; `2.5` stays).
pub fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymized_values_are_rounded_and_top_and_bottom_coded() {
        let weight = VALUE_ITEMS[0];
        assert_eq!(weight.generalised(67.6), "68");
        assert_eq!(weight.generalised(31.0), "<=35");
        assert_eq!(weight.generalised(181.2), ">=130");
        let bone = VALUE_ITEMS[4];
        assert_eq!(bone.generalised(2.7), "2.5");
    }

    #[test]
    fn weight_only_readings_carry_only_the_weight() {
        let reading = serde_json::json!({ "weight": 60.2, "fat_percent": 30.1 });
        assert_eq!(VALUE_ITEMS[0].read(&reading, true), Some(60.2));
        assert_eq!(VALUE_ITEMS[2].read(&reading, true), None);
        assert_eq!(VALUE_ITEMS[2].read(&reading, false), Some(30.1));
    }
}
