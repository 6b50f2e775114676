//! How long a session waits at each step, and the program's preset values — with the documented
//! defaults and the one rule that cannot be configured away (≥ 20 s to answer an idle warning).
//!
//! Deliberately not here: reading these from a file or the server (the kiosk app does that)
//! and any clock.

use std::time::Duration;

/// WCAG 2.2.1: a person must get at least this long to extend a time limit.
pub const MIN_WARNING: Duration = Duration::from_secs(20);

/// Timeouts and program values for [`super::Session`].
///
/// Participant-facing steps (consent, safety question, weighing, results) use an *idle* limit:
/// when it passes, an idle warning is shown for [`warning`](Self::warning); "continue" resets
/// it, silence wipes the session. Machine-facing steps (look-up, saving, presetting) use a hard
/// limit: when it passes, the session ends with "please call a staff member".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// Waiting for the participant look-up. Default 10 s.
    pub lookup: Duration,
    /// Idle time on the consent and safety-question screens before the warning. Default 90 s.
    pub idle: Duration,
    /// Idle time while waiting for the person to step on and be measured. Default 120 s.
    pub weighing_idle: Duration,
    /// How long the idle warning stays before the wipe. Default 30 s; never below 20 s.
    pub warning: Duration,
    /// Waiting for a consent decision to be saved. Default 10 s.
    pub save_consent: Duration,
    /// Waiting for the analyzer to accept the preset. Default 30 s (the exchange's own retries
    /// take at most about 21 s).
    pub preset: Duration,
    /// Waiting for the measurement to be committed. Default 15 s.
    pub record: Duration,
    /// How long results stay before the idle warning. Default 60 s.
    pub results: Duration,
    /// How long an explanation (refusal, failure) stays before the wipe. Default 20 s.
    pub explanation: Duration,
    /// How long "thank you" stays before the wipe. Default 5 s.
    pub thank_you: Duration,
    /// Clothes weight preset on the analyzer, tenths of a kg. Default 10 (1.0 kg, indoor clothes).
    pub clothes_tenths_kg: u16,
    /// Largest difference between the preset height and the height the analyzer echoes, in
    /// tenths of a cm, still taken as the same. Default 5 (0.5 cm, the coarsest display step).
    pub height_tolerance_tenths_cm: u16,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            lookup: Duration::from_secs(10),
            idle: Duration::from_secs(90),
            weighing_idle: Duration::from_secs(120),
            warning: Duration::from_secs(30),
            save_consent: Duration::from_secs(10),
            preset: Duration::from_secs(30),
            record: Duration::from_secs(15),
            results: Duration::from_secs(60),
            explanation: Duration::from_secs(20),
            thank_you: Duration::from_secs(5),
            clothes_tenths_kg: 10,
            height_tolerance_tenths_cm: 5,
        }
    }
}

/// A configuration the session refuses to run with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The idle warning is shorter than a person needs to react.
    #[error("idle warning must last at least {min:?} (WCAG 2.2.1), got {got:?}")]
    WarningTooShort {
        /// The minimum.
        min: Duration,
        /// What was configured.
        got: Duration,
    },
    /// A timeout of zero would end the step before anyone could act.
    #[error("timeout `{0}` must be longer than zero")]
    Zero(&'static str),
    /// Clothes weight above what analyzers accept (10.0 kg).
    #[error("clothes weight must be 0.0–10.0 kg, got {0} tenths of a kg")]
    ClothesWeight(u16),
}

impl SessionConfig {
    /// Checks the rules above.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.warning < MIN_WARNING {
            return Err(ConfigError::WarningTooShort {
                min: MIN_WARNING,
                got: self.warning,
            });
        }
        let named = [
            ("lookup", self.lookup),
            ("idle", self.idle),
            ("weighing_idle", self.weighing_idle),
            ("save_consent", self.save_consent),
            ("preset", self.preset),
            ("record", self.record),
            ("results", self.results),
            ("explanation", self.explanation),
            ("thank_you", self.thank_you),
        ];
        if let Some((name, _)) = named.iter().find(|(_, d)| d.is_zero()) {
            return Err(ConfigError::Zero(name));
        }
        if self.clothes_tenths_kg > 100 {
            return Err(ConfigError::ClothesWeight(self.clothes_tenths_kg));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_warn_for_at_least_20_seconds() {
        let c = SessionConfig::default();
        assert_eq!(c.validate(), Ok(()));
        assert!(c.warning >= MIN_WARNING);
    }

    #[test]
    fn a_warning_shorter_than_20_seconds_is_refused() {
        let c = SessionConfig {
            warning: Duration::from_secs(19),
            ..SessionConfig::default()
        };
        assert!(matches!(
            c.validate(),
            Err(ConfigError::WarningTooShort { .. })
        ));
    }

    #[test]
    fn a_zero_timeout_is_refused() {
        let c = SessionConfig {
            record: Duration::ZERO,
            ..SessionConfig::default()
        };
        assert_eq!(c.validate(), Err(ConfigError::Zero("record")));
    }
}
