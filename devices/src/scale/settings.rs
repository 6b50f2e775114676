//! Serial line settings as plain data (baud, framing, flow control), shared by model profiles,
//! auto-detection and the link. Opening a port with them is [`crate::serial`]'s job.

use std::fmt;

/// Parity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parity {
    /// N
    None,
    /// E
    Even,
    /// O
    Odd,
}

/// Flow control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowControl {
    /// No flow control (every Tanita default).
    None,
    /// RTS/CTS (MC-980 option).
    Hardware,
    /// XON/XOFF (MC-980 option).
    Software,
}

/// Everything needed to open a serial line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct LinkSettings {
    /// Bits per second.
    pub baud: u32,
    /// 7 or 8.
    pub data_bits: u8,
    /// Parity.
    pub parity: Parity,
    /// 1 or 2.
    pub stop_bits: u8,
    /// Flow control.
    pub flow_control: FlowControl,
}

impl LinkSettings {
    /// 9600 8N1, no flow control: the Tanita default (reference §0 item 3).
    pub const TANITA_DEFAULT: LinkSettings = LinkSettings::new_8n1(9600);
    /// 2400 7E1: older weight scales, fat monitors and A&D indicators.
    pub const LEGACY_7E1: LinkSettings = LinkSettings {
        baud: 2400,
        data_bits: 7,
        parity: Parity::Even,
        stop_bits: 1,
        flow_control: FlowControl::None,
    };

    /// `baud` with 8 data bits, no parity, 1 stop bit, no flow control.
    pub const fn new_8n1(baud: u32) -> LinkSettings {
        LinkSettings {
            baud,
            data_bits: 8,
            parity: Parity::None,
            stop_bits: 1,
            flow_control: FlowControl::None,
        }
    }

    /// The settings auto-detection tries, most likely first (reference §1).
    pub const AUTODETECT_CANDIDATES: [LinkSettings; 4] = [
        LinkSettings::TANITA_DEFAULT,
        LinkSettings::new_8n1(4800),
        LinkSettings::new_8n1(19200),
        LinkSettings::LEGACY_7E1,
    ];

    /// Bits on the wire per character (start + data + parity + stop).
    pub fn bits_per_char(&self) -> u32 {
        1 + u32::from(self.data_bits)
            + u32::from(self.parity != Parity::None)
            + u32::from(self.stop_bits)
    }

    /// How long one character takes on the wire, in nanoseconds.
    pub fn nanos_per_char(&self) -> u64 {
        u64::from(self.bits_per_char()) * 1_000_000_000 / u64::from(self.baud.max(1))
    }

    /// Parses `9600`, `9600-8N1`, `2400-7E1`, `4800-8N1-rtscts`.
    pub fn parse(text: &str) -> Result<LinkSettings, SettingsParseError> {
        let mut parts = text.split('-');
        let baud = parts
            .next()
            .and_then(|b| b.parse::<u32>().ok())
            .filter(|b| (300..=921_600).contains(b))
            .ok_or(SettingsParseError)?;
        let mut s = LinkSettings::new_8n1(baud);
        if let Some(frame) = parts.next() {
            let f = frame.as_bytes();
            if f.len() != 3 {
                return Err(SettingsParseError);
            }
            s.data_bits = match f[0] {
                b'7' => 7,
                b'8' => 8,
                _ => return Err(SettingsParseError),
            };
            s.parity = match f[1].to_ascii_uppercase() {
                b'N' => Parity::None,
                b'E' => Parity::Even,
                b'O' => Parity::Odd,
                _ => return Err(SettingsParseError),
            };
            s.stop_bits = match f[2] {
                b'1' => 1,
                b'2' => 2,
                _ => return Err(SettingsParseError),
            };
        }
        if let Some(flow) = parts.next() {
            s.flow_control = match flow {
                "none" => FlowControl::None,
                "rtscts" => FlowControl::Hardware,
                "xonxoff" => FlowControl::Software,
                _ => return Err(SettingsParseError),
            };
        }
        if parts.next().is_some() {
            return Err(SettingsParseError);
        }
        Ok(s)
    }
}

impl fmt::Display for LinkSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = match self.parity {
            Parity::None => 'N',
            Parity::Even => 'E',
            Parity::Odd => 'O',
        };
        write!(f, "{}-{}{}{}", self.baud, self.data_bits, p, self.stop_bits)?;
        match self.flow_control {
            FlowControl::None => Ok(()),
            FlowControl::Hardware => f.write_str("-rtscts"),
            FlowControl::Software => f.write_str("-xonxoff"),
        }
    }
}

/// A settings string that is not `BAUD[-8N1[-FLOW]]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "通信設定は 9600-8N1 のように書いてください(フロー制御は -rtscts / -xonxoff) / \
     write line settings like 9600-8N1, optionally with -rtscts or -xonxoff"
)]
pub struct SettingsParseError;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        for text in [
            "9600-8N1",
            "2400-7E1",
            "19200-8O2-rtscts",
            "4800-8N1-xonxoff",
        ] {
            assert_eq!(LinkSettings::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(
            LinkSettings::parse("9600").unwrap(),
            LinkSettings::TANITA_DEFAULT
        );
        for bad in ["", "fast", "9600-9N1", "9600-8X1", "9600-8N1-maybe", "12"] {
            assert!(LinkSettings::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn line_time_matches_reference() {
        // 1 byte = 10 bits ⇒ 1.0417 ms at 9600 (reference §1).
        assert_eq!(LinkSettings::TANITA_DEFAULT.nanos_per_char(), 1_041_666);
        assert_eq!(LinkSettings::LEGACY_7E1.bits_per_char(), 10);
    }
}
