//! Device status and error codes as values, not failures: `E0`–`E9`, busy `#`, states `S<n>`.
//!
//! Each error code carries words for the technician or participant, Japanese first, with what
//! to do. Deciding whether to retry or call staff is the station's job, not this module's.

use std::fmt;

/// An `E<n>` code (MC-980 PC-mode document, reference §3). May arrive as a reply or unsolicited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// `E0` internal trouble.
    InternalTrouble,
    /// `E1` overload (weight above capacity).
    Overload,
    /// `E2` impedance could not be measured.
    ImpedanceError,
    /// `E3` zero-point setting failed.
    ZeroPointSettingError,
    /// `E4` measurement command without personal data preset.
    MissingPersonalData,
    /// `E5` zero point not set.
    ZeroPointNotSet,
    /// `E6` set-data parameter incomplete.
    IncompleteSettings,
    /// `E7` body fat % out of range.
    FatPercentError,
    /// `E8` setting memory error.
    SettingMemoryError,
    /// `E9` negative overload.
    NegativeOverload,
}

impl ErrorCode {
    /// All codes in order `E0`…`E9`.
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::InternalTrouble,
        ErrorCode::Overload,
        ErrorCode::ImpedanceError,
        ErrorCode::ZeroPointSettingError,
        ErrorCode::MissingPersonalData,
        ErrorCode::ZeroPointNotSet,
        ErrorCode::IncompleteSettings,
        ErrorCode::FatPercentError,
        ErrorCode::SettingMemoryError,
        ErrorCode::NegativeOverload,
    ];

    /// From the digit after `E`.
    pub fn from_digit(d: u8) -> Option<ErrorCode> {
        Self::ALL.get(usize::from(d)).copied()
    }

    /// The digit after `E`.
    pub fn digit(self) -> u8 {
        Self::ALL
            .iter()
            .position(|c| *c == self)
            .map_or(0, |i| i as u8)
    }

    /// The code as the device sends it, e.g. `E2`.
    pub fn code(self) -> String {
        format!("E{}", self.digit())
    }

    /// What happened, Japanese then English.
    pub fn message(self) -> &'static str {
        match self {
            ErrorCode::InternalTrouble => "体組成計の内部異常です / The analyzer reports an internal fault",
            ErrorCode::Overload => "計量できる重さを超えています / Weight is above the analyzer's capacity",
            ErrorCode::ImpedanceError => {
                "体組成を測れませんでした(素足で電極に乗ってください) / Impedance could not be measured: stand barefoot on the electrodes"
            }
            ErrorCode::ZeroPointSettingError => {
                "ゼロ点を設定できませんでした(何も載せずに待ってください) / Zero point could not be set: keep the platform empty"
            }
            ErrorCode::MissingPersonalData => {
                "個人データが設定されていません / Measurement was started without personal data preset"
            }
            ErrorCode::ZeroPointNotSet => "ゼロ点が設定されていません / Zero point has not been set",
            ErrorCode::IncompleteSettings => "設定データが不完全です / Preset data is incomplete",
            ErrorCode::FatPercentError => "体脂肪率が測定範囲外です / Body fat % is out of the measurable range",
            ErrorCode::SettingMemoryError => "設定メモリの異常です / The analyzer's settings memory failed",
            ErrorCode::NegativeOverload => {
                "重さが負の範囲を超えています(台に触れないでください) / Negative overload: nothing may press on or lift the platform"
            }
        }
    }

    /// Whether a technician must look at the device (as opposed to the participant retrying).
    pub fn needs_technician(self) -> bool {
        matches!(
            self,
            ErrorCode::InternalTrouble | ErrorCode::SettingMemoryError | ErrorCode::ZeroPointNotSet
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "E{}: {}", self.digit(), self.message())
    }
}

/// Any status the device reports outside a measurement frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", content = "code", rename_all = "snake_case")]
pub enum DeviceStatus {
    /// An `E<n>` error code.
    Error(ErrorCode),
}

impl DeviceStatus {
    /// Parses `E0`…`E9` (the whole line).
    pub fn parse(line: &[u8]) -> Option<DeviceStatus> {
        match line {
            [b'E', d @ b'0'..=b'9'] => ErrorCode::from_digit(d - b'0').map(DeviceStatus::Error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for (i, c) in ErrorCode::ALL.iter().enumerate() {
            let line = format!("E{i}");
            assert_eq!(
                DeviceStatus::parse(line.as_bytes()),
                Some(DeviceStatus::Error(*c))
            );
            assert_eq!(c.code(), line);
            assert!(c.message().contains(" / "), "bilingual: {}", c.message());
        }
        assert_eq!(DeviceStatus::parse(b"E"), None);
        assert_eq!(DeviceStatus::parse(b"E10"), None);
    }
}
