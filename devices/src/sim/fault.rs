//! Faults the simulated analyzer can be told to commit, and their string names for a CLI flag
//! (`noise`, `truncate`, `bad-checksum`, `wrong-baud[:SETTINGS]`, `unplug[:DURATION]`,
//! `silence[:DURATION]`, `error:E2`, `serial:12345678`, `drift:+0.5`, `junk`). What each fault does to the
//! bytes is [`super::device`]'s job; this module only names and parses them.

use crate::scale::settings::LinkSettings;
use crate::scale::status::ErrorCode;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// One fault to inject.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// A burst of random bytes (no `{`, CR or LF) ended by CR LF, between frames.
    Noise,
    /// The next frame is cut mid-way, without its line end; a fresh complete frame follows,
    /// as the line continues after a replug.
    Truncate,
    /// The next frame carries a wrong `CS` value.
    BadChecksum,
    /// The device switches its own line settings: to the given ones, or to the next
    /// auto-detection candidate.
    WrongBaud(Option<LinkSettings>),
    /// The cable is pulled for this long: the pty master closes and the path disappears, then
    /// a new pty appears at the same path.
    Unplug(Duration),
    /// The device ignores commands and sends nothing for this long.
    Silence(Duration),
    /// An unsolicited error status line such as `E2` (aborts a measurement in progress).
    Error(ErrorCode),
    /// From now on the device reports this serial number (`SN`): a different analyzer.
    SerialNumber(String),
    /// From now on this many kg are added to every weight the device reports (a scale out of
    /// calibration); `drift:0` clears it.
    Drift(f64),
    /// From now on a junk byte follows each frame ~100 ms after it ends (WB-3000 behaviour).
    Junk,
}

/// Unplug duration when none is given.
pub const DEFAULT_UNPLUG: Duration = Duration::from_secs(2);
/// Silence duration when none is given.
pub const DEFAULT_SILENCE: Duration = Duration::from_secs(5);

/// A fault string that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown fault `{0}`: use noise, truncate, bad-checksum, wrong-baud[:9600-8N1], \
     unplug[:2s], silence[:500ms], error:E0…E9, serial:DIGITS, drift:±KG or junk"
)]
pub struct FaultParseError(pub String);

fn parse_duration(text: &str) -> Option<Duration> {
    let (num, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(s) = text.strip_suffix('s') {
        (s, 1.0)
    } else {
        (text, 1.0)
    };
    let v: f64 = num.parse().ok()?;
    (0.0..=86_400.0)
        .contains(&v)
        .then(|| Duration::from_secs_f64(v * scale))
}

fn format_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

impl FromStr for Fault {
    type Err = FaultParseError;

    fn from_str(text: &str) -> Result<Fault, FaultParseError> {
        let err = || FaultParseError(text.to_owned());
        let (name, arg) = match text.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (text, None),
        };
        let fault = match (name, arg) {
            ("noise", None) => Fault::Noise,
            ("truncate", None) => Fault::Truncate,
            ("bad-checksum", None) => Fault::BadChecksum,
            ("junk", None) => Fault::Junk,
            ("wrong-baud", None) => Fault::WrongBaud(None),
            ("wrong-baud", Some(a)) => {
                Fault::WrongBaud(Some(LinkSettings::parse(a).map_err(|_| err())?))
            }
            ("unplug", None) => Fault::Unplug(DEFAULT_UNPLUG),
            ("unplug", Some(a)) => Fault::Unplug(parse_duration(a).ok_or_else(err)?),
            ("silence", None) => Fault::Silence(DEFAULT_SILENCE),
            ("silence", Some(a)) => Fault::Silence(parse_duration(a).ok_or_else(err)?),
            ("error", Some(a)) => {
                let d = match a.as_bytes() {
                    [b'E' | b'e', d @ b'0'..=b'9'] | [d @ b'0'..=b'9'] => d - b'0',
                    _ => return Err(err()),
                };
                Fault::Error(ErrorCode::from_digit(d).ok_or_else(err)?)
            }
            ("serial", Some(a))
                if (1..=16).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_alphanumeric()) =>
            {
                Fault::SerialNumber(a.to_owned())
            }
            ("drift", Some(a)) => {
                let kg: f64 = a.parse().map_err(|_| err())?;
                if !kg.is_finite() || kg.abs() > 50.0 {
                    return Err(err());
                }
                Fault::Drift(kg)
            }
            _ => return Err(err()),
        };
        Ok(fault)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Noise => f.write_str("noise"),
            Fault::Truncate => f.write_str("truncate"),
            Fault::BadChecksum => f.write_str("bad-checksum"),
            Fault::Junk => f.write_str("junk"),
            Fault::WrongBaud(None) => f.write_str("wrong-baud"),
            Fault::WrongBaud(Some(s)) => write!(f, "wrong-baud:{s}"),
            Fault::Unplug(d) => write!(f, "unplug:{}", format_duration(*d)),
            Fault::Silence(d) => write!(f, "silence:{}", format_duration(*d)),
            Fault::Error(code) => write!(f, "error:E{}", code.digit()),
            Fault::SerialNumber(s) => write!(f, "serial:{s}"),
            Fault::Drift(kg) => write!(f, "drift:{kg:+}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_round_trip() {
        let cases = [
            ("noise", Fault::Noise),
            ("truncate", Fault::Truncate),
            ("bad-checksum", Fault::BadChecksum),
            ("junk", Fault::Junk),
            ("wrong-baud", Fault::WrongBaud(None)),
            (
                "wrong-baud:4800-8N1",
                Fault::WrongBaud(Some(LinkSettings::new_8n1(4800))),
            ),
            ("unplug", Fault::Unplug(DEFAULT_UNPLUG)),
            ("unplug:500ms", Fault::Unplug(Duration::from_millis(500))),
            ("silence:3s", Fault::Silence(Duration::from_secs(3))),
            ("error:E2", Fault::Error(ErrorCode::ImpedanceError)),
            ("serial:12345678", Fault::SerialNumber("12345678".into())),
            ("drift:+0.5", Fault::Drift(0.5)),
            ("drift:-1.25", Fault::Drift(-1.25)),
            ("drift:0", Fault::Drift(0.0)),
        ];
        for (text, fault) in cases {
            let parsed: Fault = text.parse().unwrap();
            assert_eq!(parsed, fault, "{text}");
            assert_eq!(parsed.to_string().parse::<Fault>().unwrap(), fault);
        }
        for bad in [
            "",
            "nois",
            "error:E",
            "error:X1",
            "unplug:soon",
            "serial:",
            "noise:1",
            "drift:",
            "drift:lots",
            "drift:+99",
        ] {
            assert!(bad.parse::<Fault>().is_err(), "{bad}");
        }
    }
}
