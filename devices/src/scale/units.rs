//! Quantities with their unit in the type, so a kilogram is never read as a pound.
//!
//! Each is a transparent `f64` in serialised form (JSON field names carry no unit because the
//! type does). `Debug` prints `<redacted>` and the unit: these hold health data.
//! Conversions here are unit conversions only; no vendor metric is ever recomputed.

use crate::redact::REDACTED;
use std::fmt;

macro_rules! quantity {
    ($(#[$doc:meta])* $name:ident, $unit:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, PartialOrd, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub f64);

        impl $name {
            /// The unit symbol.
            pub const UNIT: &'static str = $unit;

            /// The number, in this type's unit.
            pub fn value(self) -> f64 {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", REDACTED, $unit)
            }
        }
    };
}

quantity!(/// Mass in kilograms.
    Kg, "kg");
quantity!(/// Length in centimetres.
    Cm, "cm");
quantity!(/// A percentage (0–100).
    Percent, "%");
quantity!(/// Electrical impedance component in ohms.
    Ohm, "Ω");
quantity!(/// Energy per day in kilocalories.
    Kcal, "kcal");
quantity!(/// Energy per day in kilojoules.
    KiloJoule, "kJ");
quantity!(/// An angle in degrees.
    Degrees, "°");
quantity!(/// A ratio of two masses or a mass per area — the unit is in the field's name.
    Ratio, "");

/// Pounds to kilograms (exact by definition of the international pound).
pub const KG_PER_LB: f64 = 0.453_592_37;
/// Inches to centimetres (exact).
pub const CM_PER_INCH: f64 = 2.54;

impl Kg {
    /// From pounds.
    pub fn from_lb(lb: f64) -> Kg {
        Kg(lb * KG_PER_LB)
    }

    /// From grams.
    pub fn from_g(g: f64) -> Kg {
        Kg(g / 1000.0)
    }
}

impl Cm {
    /// From inches.
    pub fn from_inches(inches: f64) -> Cm {
        Cm(inches * CM_PER_INCH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_are_exact_definitions() {
        assert!((Kg::from_lb(206.2).0 - 93.530_746_694).abs() < 1e-9);
        assert!((Cm::from_inches(73.0).0 - 185.42).abs() < 1e-9);
        assert_eq!(Kg::from_g(3972.0).0, 3.972);
    }

    #[test]
    fn debug_shows_unit_not_value() {
        assert_eq!(format!("{:?}", Kg(67.6)), "<redacted> kg");
    }
}
