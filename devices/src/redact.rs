//! Keeping personal values out of `Debug` output and logs.
//!
//! Body-composition values are health data (要配慮個人情報). Every type in this crate that
//! holds them prints `<redacted>` in its `Debug` form; [`Sensitive`] is the building block.
//! Serialisation is *not* redacted: writing a reading to the store or to a technician's
//! explicit `decode` output is a deliberate act, logging is not.

use std::fmt;

/// The text every redacted value prints in `Debug`.
pub const REDACTED: &str = "<redacted>";

/// A value whose `Debug` form never shows its contents. Serialises transparently.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Sensitive<T>(pub T);

impl<T> Sensitive<T> {
    /// The wrapped value; callers take responsibility for where it goes.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Sensitive(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Sensitive(67.6_f64);
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{s:#?}"), REDACTED);
        assert_eq!(serde_json::to_string(&s).unwrap(), "67.6");
    }
}
