//! What the link tells its owner: [`ScaleEvent`] and the small types inside it.
//!
//! Deliberately not here: producing the events ([`super::state`], [`super::link`]). `Debug`
//! never shows a body value: readings redact themselves and raw traffic is wrapped in
//! [`Sensitive`].

use super::error::LinkError;
use crate::redact::Sensitive;
use crate::scale::{DecodeError, DeviceStatus, LinkSettings, Reading, Reply, WeightReading};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Which analyzer is on the other end, as far as its frames have said.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AnalyzerIdentity {
    /// `MO`, e.g. `MC-780`.
    pub model: Option<String>,
    /// `SN`, the device serial number.
    pub serial_number: Option<String>,
}

impl AnalyzerIdentity {
    /// The identity a reading reveals (`None` when it carries neither model nor serial).
    pub fn of(reading: &Reading) -> Option<AnalyzerIdentity> {
        let id = AnalyzerIdentity {
            model: reading.model.clone(),
            serial_number: reading.serial_number.clone(),
        };
        (id.model.is_some() || id.serial_number.is_some()).then_some(id)
    }

    /// Whether `other` names a different analyzer: a field both know differs.
    pub fn conflicts_with(&self, other: &AnalyzerIdentity) -> bool {
        fn differs(a: &Option<String>, b: &Option<String>) -> bool {
            matches!((a, b), (Some(a), Some(b)) if a != b)
        }
        differs(&self.model, &other.model) || differs(&self.serial_number, &other.serial_number)
    }
}

impl fmt::Display for AnalyzerIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let model = self.model.as_deref().unwrap_or("?");
        match &self.serial_number {
            Some(sn) => write!(f, "{model} SN {sn}"),
            None => f.write_str(model),
        }
    }
}

/// Which way raw bytes went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the analyzer.
    Received,
    /// To the analyzer.
    Sent,
}

/// Why a connection ended.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DisconnectReason {
    /// The device went away: end of file, or `EIO` from an unplugged adapter or a closed pty.
    DeviceGone,
    /// Reading or writing failed otherwise.
    Io {
        /// The failure.
        #[serde(serialize_with = "display")]
        error: LinkError,
    },
    /// The owner closed the link.
    Closed,
}

/// Everything the link reports, in order.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ScaleEvent {
    /// The port is open with these settings; bytes may come.
    Connected {
        /// The path as given (symlinks not resolved).
        path: PathBuf,
        /// The settings in force.
        settings: LinkSettings,
    },
    /// Opening failed; the link tries again after `retry_in`.
    ConnectFailed {
        /// Why (its message says what to do).
        #[serde(serialize_with = "display")]
        error: LinkError,
        /// When the next attempt comes.
        retry_in: Duration,
    },
    /// The first frame that names the analyzer arrived (or a later one filled in a field that
    /// was missing, e.g. the serial number).
    Identified {
        /// `MO`.
        model: Option<String>,
        /// `SN`.
        serial_number: Option<String>,
    },
    /// A frame names a different analyzer than before (a swap, possibly during an unplug).
    AnalyzerChanged {
        /// The identity seen before.
        previous: AnalyzerIdentity,
        /// The identity now.
        current: AnalyzerIdentity,
    },
    /// A verified measurement frame.
    Reading(Box<Reading>),
    /// A weight-only line.
    Weight(WeightReading),
    /// A PC-mode reply.
    Reply(Reply),
    /// A device status such as `E2` (a value, not a link failure).
    Status(DeviceStatus),
    /// Bytes that did not become a reading (bad checksum, cut frame, overlong line).
    DecodeError {
        /// Why.
        error: DecodeError,
        /// How many bytes it spanned.
        bytes: usize,
    },
    /// Raw traffic, only with [`super::LinkOptions::tap_raw`]. Redacted in `Debug`: frames
    /// carry body values.
    Bytes {
        /// Which way.
        direction: Direction,
        /// The bytes as they went over the wire.
        data: Sensitive<Vec<u8>>,
    },
    /// The connection ended; the link will reconnect unless it was closed.
    Disconnected {
        /// Why.
        reason: DisconnectReason,
    },
}

fn display<T: fmt::Display, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::REDACTED;

    #[test]
    fn raw_bytes_never_show_in_debug() {
        let e = ScaleEvent::Bytes {
            direction: Direction::Received,
            data: Sensitive(b"Wk,67.8".to_vec()),
        };
        let text = format!("{e:?}");
        assert!(text.contains(REDACTED) && !text.contains("67"), "{text}");
    }

    #[test]
    fn identity_conflicts_only_on_known_fields() {
        let a = AnalyzerIdentity {
            model: Some("MC-780".into()),
            serial_number: None,
        };
        let b = AnalyzerIdentity {
            model: Some("MC-780".into()),
            serial_number: Some("1".into()),
        };
        let c = AnalyzerIdentity {
            model: Some("MC-780".into()),
            serial_number: Some("2".into()),
        };
        assert!(!a.conflicts_with(&b));
        assert!(b.conflicts_with(&c));
        assert_eq!(c.to_string(), "MC-780 SN 2");
    }

    #[test]
    fn events_serialise_with_a_tag() {
        let e = ScaleEvent::Connected {
            path: "/dev/ttyUSB0".into(),
            settings: LinkSettings::TANITA_DEFAULT,
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["event"], "connected");
        assert_eq!(json["data"]["path"], "/dev/ttyUSB0");
        let e = ScaleEvent::Disconnected {
            reason: DisconnectReason::Io {
                error: LinkError::NotFound {
                    path: "/dev/ttyUSB0".into(),
                },
            },
        };
        let json = serde_json::to_value(&e).unwrap();
        assert!(json["data"]["reason"]["error"]
            .as_str()
            .unwrap()
            .contains("check the cable"));
    }
}
