//! PC-mode (remote-mode) commands the host sends, and the replies analyzers answer with.
//!
//! Three ACK dialects exist (reference §3): the MC-980 document's (`D0`, `D0!`, `!`), the
//! Japanese DC series' (`D0,Pt,1.0`, `@`, `S6`, `#`), and BC-418's echoes (`G1`, `U0`) with its
//! own height/age encoding. Encoding validates ranges and returns a typed error; the wire
//! timing rules (≥100 ms between commands) belong to [`super::exchange`], not here.

use crate::scale::tanita::{BodyType, Sex};
use std::fmt;

/// Which family's command encoding and replies to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dialect {
    /// MC-980 PC-mode document: replies `Dn` / `Dn!` / `!`.
    Mc980,
    /// Japanese DC series (DC-320, DC-250, DC-430MA) and MC-780MA: replies `Dn,KEY,value`, `@`, `S6`.
    JpDc,
    /// BC-418: echoes every command; height as `D300170`, age 7–99, start with `G1`.
    Bc418,
}

/// Which command starts a measurement on a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum StartCommand {
    /// `G` (MC-780MA, DC-250).
    G,
    /// `G0` (DC-320, DC-430MA).
    G0,
    /// `G1` (BC-418).
    G1,
}

impl StartCommand {
    fn text(self) -> &'static str {
        match self {
            StartCommand::G => "G",
            StartCommand::G0 => "G0",
            StartCommand::G1 => "G1",
        }
    }
}

/// A command to the analyzer, typed. Values are in tenths where the wire has one decimal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `M1`: enter PC mode.
    EnterPcMode,
    /// `M0`: leave PC mode.
    LeavePcMode,
    /// `D0XX.X`: clothes weight in tenths of a kg, 0–100 (0.0–10.0 kg).
    ClothesWeight { tenths_kg: u16 },
    /// `D1X`: sex.
    Sex(Sex),
    /// `D2X`: body type (standard or athletic).
    BodyType(BodyType),
    /// `D3XXX.X`: height in tenths of a cm, 900–2499.
    Height { tenths_cm: u16 },
    /// `D4XX`: age in years.
    Age(u8),
    /// `D5…`: result number, 10–16 digits.
    ResultId(String),
    /// `D6XX`: target body fat %, 5–99.
    TargetFat(u8),
    /// `D?`: read back the presets.
    ReadPresets,
    /// Start a measurement.
    Start(StartCommand),
    /// `F0`: weight only (DC-320).
    WeightOnly,
    /// `q`: cancel.
    Cancel,
    /// `U0`: metric units (BC-418).
    MetricUnits,
    /// `DR`: read the weight (old WB-100/WB-110 weight scales).
    ReadWeight,
}

/// A command whose parameter is outside what the analyzer accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The value is out of range; the message says the range.
    #[error("{what} は {range} の範囲で指定してください / {what} must be within {range}")]
    OutOfRange {
        /// Which parameter.
        what: &'static str,
        /// The allowed range, in the wire's unit.
        range: &'static str,
    },
    /// The body type has no code this dialect can send.
    #[error("体型コード {0} は送信できません / body type code {0} cannot be sent; use standard (0) or athletic (2)")]
    BodyType(u8),
}

impl Command {
    /// The bytes to send, CR LF included.
    pub fn encode(&self, dialect: Dialect) -> Result<Vec<u8>, CommandError> {
        let mut s = match self {
            Command::EnterPcMode => "M1".to_owned(),
            Command::LeavePcMode => "M0".to_owned(),
            Command::ClothesWeight { tenths_kg } => {
                check(
                    *tenths_kg <= 100,
                    "clothes weight / 着衣重量",
                    "0.0–10.0 kg",
                )?;
                format!("D0{:02}.{}", tenths_kg / 10, tenths_kg % 10)
            }
            Command::Sex(sex) => format!("D1{}", sex.code()),
            Command::BodyType(bt) => match bt {
                BodyType::Standard | BodyType::Athletic => format!("D2{}", bt.code()),
                BodyType::Other(c) => return Err(CommandError::BodyType(*c)),
            },
            Command::Height { tenths_cm } => {
                check(
                    (900..=2499).contains(tenths_cm),
                    "height / 身長",
                    "90.0–249.9 cm",
                )?;
                match dialect {
                    // BC-418: `D3` + `00` + whole centimetres, e.g. D300170.
                    Dialect::Bc418 => format!("D300{:03}", (tenths_cm + 5) / 10),
                    _ => format!("D3{:03}.{}", tenths_cm / 10, tenths_cm % 10),
                }
            }
            Command::Age(age) => {
                let (min, range) = match dialect {
                    Dialect::Bc418 => (7, "7–99"),
                    _ => (5, "5–99"),
                };
                check((min..=99).contains(age), "age / 年齢", range)?;
                format!("D4{age:02}")
            }
            Command::ResultId(id) => {
                check(
                    (1..=16).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()),
                    "result number / 結果番号",
                    "1–16 digits",
                )?;
                format!("D5{id:0>10}")
            }
            Command::TargetFat(p) => {
                check(
                    (5..=99).contains(p),
                    "target body fat / 目標体脂肪率",
                    "5–99 %",
                )?;
                format!("D6{p:02}")
            }
            Command::ReadPresets => "D?".to_owned(),
            Command::Start(start) => start.text().to_owned(),
            Command::WeightOnly => "F0".to_owned(),
            Command::Cancel => "q".to_owned(),
            Command::MetricUnits => "U0".to_owned(),
            Command::ReadWeight => "DR".to_owned(),
        };
        s.push_str("\r\n");
        Ok(s.into_bytes())
    }

    /// The reply "name" this command is acknowledged with, e.g. `D3` for a height preset.
    pub fn ack_name(&self) -> &'static str {
        match self {
            Command::EnterPcMode => "M1",
            Command::LeavePcMode => "M0",
            Command::ClothesWeight { .. } => "D0",
            Command::Sex(_) => "D1",
            Command::BodyType(_) => "D2",
            Command::Height { .. } => "D3",
            Command::Age(_) => "D4",
            Command::ResultId(_) => "D5",
            Command::TargetFat(_) => "D6",
            Command::ReadPresets => "D?",
            Command::Start(s) => s.text(),
            Command::WeightOnly => "F0",
            Command::Cancel => "q",
            Command::MetricUnits => "U0",
            Command::ReadWeight => "DR",
        }
    }
}

fn check(ok: bool, what: &'static str, range: &'static str) -> Result<(), CommandError> {
    if ok {
        Ok(())
    } else {
        Err(CommandError::OutOfRange { what, range })
    }
}

/// One preset slot as read back by `D?`: set (with its text) or unset (`Dn!`).
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct PresetSlot {
    /// 0–6.
    pub index: u8,
    /// `None` when the device answered `Dn!` (not set).
    pub value: Option<String>,
}

impl fmt::Debug for PresetSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.value.is_some() {
            crate::redact::REDACTED
        } else {
            "unset"
        };
        write!(f, "D{}={state}", self.index)
    }
}

/// A PC-mode reply line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    /// The command was accepted: `D0` (MC-980), `D0,Pt,1.0` (JP DC, with the echoed key), `G1`.
    Accepted {
        /// The acknowledged command, e.g. `D0`, `G1`, `U0`.
        command: String,
        /// The key the JP DC dialect echoes (`Pt`), if any. The value is not kept.
        echoed_key: Option<String>,
    },
    /// `Dn!`: that preset was refused (bad parameter).
    Refused {
        /// e.g. `D3`.
        command: String,
    },
    /// `!`: unknown command or bad parameter.
    Nak,
    /// `@`: accepted / setting data (JP DC).
    Ready,
    /// `#`: busy.
    Busy,
    /// `S<n>`: the device state (`S6` = measuring).
    State(u8),
    /// The answer to `D?`.
    Presets(Vec<PresetSlot>),
}

impl Reply {
    /// Parses one reply line (no CR/LF). `None` when it is not a reply.
    pub fn parse(line: &[u8]) -> Option<Reply> {
        let text = std::str::from_utf8(line).ok()?;
        match text {
            "@" => return Some(Reply::Ready),
            "!" => return Some(Reply::Nak),
            "#" => return Some(Reply::Busy),
            "G" | "G0" | "G1" | "U0" | "M1" | "M0" => {
                return Some(Reply::Accepted {
                    command: text.to_owned(),
                    echoed_key: None,
                })
            }
            _ => {}
        }
        let b = text.as_bytes();
        match b {
            [b'S', d @ b'0'..=b'9'] => return Some(Reply::State(d - b'0')),
            [b'D', b'0'..=b'6'] => {
                return Some(Reply::Accepted {
                    command: text.to_owned(),
                    echoed_key: None,
                })
            }
            [b'D', b'0'..=b'6', b'!'] => {
                return Some(Reply::Refused {
                    command: text[..2].to_owned(),
                })
            }
            _ => {}
        }
        // Every reply left starts with `D` (short lines of every kind get here: no allocation).
        if b.first() != Some(&b'D') {
            return None;
        }
        let items = text.split(',');
        let count = items.clone().count();
        let mut first3 = items.clone();
        let three = (count == 3).then(|| (first3.next(), first3.next()));
        // JP DC: `D0,Pt,1.0` — command, echoed key, echoed value (possibly empty).
        if let Some((Some(cmd @ ("D0" | "D1" | "D2" | "D3" | "D4" | "D5" | "D6")), Some(key))) =
            three
        {
            if key.len() == 2 && key.bytes().all(|c| c.is_ascii_alphabetic()) {
                return Some(Reply::Accepted {
                    command: cmd.to_owned(),
                    echoed_key: Some(key.to_owned()),
                });
            }
        }
        // `D?` readback: `D01.5,D11,D20,D3175.4,D430,D50000012345,D620`, unset slots `Dn!`.
        if count >= 2 {
            let mut slots = Vec::with_capacity(count);
            for (i, item) in items.enumerate() {
                let ib = item.as_bytes();
                let index = match ib {
                    [b'D', d @ b'0'..=b'9', ..] if usize::from(d - b'0') == i => d - b'0',
                    _ => return None,
                };
                let rest = &item[2..];
                let value = match rest {
                    "!" => None,
                    "" => return None,
                    v if v.bytes().all(|c| c.is_ascii_digit() || c == b'.') => Some(v.to_owned()),
                    _ => return None,
                };
                slots.push(PresetSlot { index, value });
            }
            return Some(Reply::Presets(slots));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(Command::ClothesWeight { tenths_kg: 10 }, Dialect::Mc980, "D001.0")]
    #[case(Command::ClothesWeight { tenths_kg: 0 }, Dialect::JpDc, "D000.0")]
    #[case(Command::Sex(Sex::Female), Dialect::Mc980, "D12")]
    #[case(Command::BodyType(BodyType::Athletic), Dialect::JpDc, "D22")]
    #[case(Command::Height { tenths_cm: 1754 }, Dialect::Mc980, "D3175.4")]
    #[case(Command::Height { tenths_cm: 905 }, Dialect::Mc980, "D3090.5")]
    #[case(Command::Height { tenths_cm: 1700 }, Dialect::Bc418, "D300170")]
    #[case(Command::Age(30), Dialect::Mc980, "D430")]
    #[case(Command::Age(7), Dialect::Bc418, "D407")]
    #[case(Command::ResultId("12345".into()), Dialect::Mc980, "D50000012345")]
    #[case(Command::TargetFat(20), Dialect::Mc980, "D620")]
    #[case(Command::ReadPresets, Dialect::Mc980, "D?")]
    #[case(Command::Start(StartCommand::G0), Dialect::JpDc, "G0")]
    #[case(Command::EnterPcMode, Dialect::JpDc, "M1")]
    fn encodes(#[case] cmd: Command, #[case] dialect: Dialect, #[case] wire: &str) {
        assert_eq!(
            cmd.encode(dialect).unwrap(),
            format!("{wire}\r\n").into_bytes()
        );
    }

    #[rstest]
    #[case(Command::ClothesWeight { tenths_kg: 101 }, Dialect::Mc980)]
    #[case(Command::Height { tenths_cm: 899 }, Dialect::Mc980)]
    #[case(Command::Height { tenths_cm: 2500 }, Dialect::JpDc)]
    #[case(Command::Age(4), Dialect::Mc980)]
    #[case(Command::Age(6), Dialect::Bc418)]
    #[case(Command::Age(100), Dialect::JpDc)]
    #[case(Command::ResultId("12a".into()), Dialect::Mc980)]
    #[case(Command::TargetFat(4), Dialect::Mc980)]
    #[case(Command::BodyType(BodyType::Other(5)), Dialect::Mc980)]
    fn refuses_out_of_range(#[case] cmd: Command, #[case] dialect: Dialect) {
        let err = cmd.encode(dialect).unwrap_err();
        assert!(err.to_string().contains(" / "), "bilingual: {err}");
    }

    #[test]
    fn reference_readback_fixtures() {
        let Some(Reply::Presets(slots)) =
            Reply::parse(b"D01.5,D11,D20,D3175.4,D430,D50000012345,D620")
        else {
            panic!("not a readback");
        };
        let values: Vec<_> = slots.iter().map(|s| s.value.as_deref()).collect();
        assert_eq!(
            values,
            [
                Some("1.5"),
                Some("1"),
                Some("0"),
                Some("175.4"),
                Some("30"),
                Some("0000012345"),
                Some("20")
            ]
        );
        let Some(Reply::Presets(unset)) = Reply::parse(b"D000.0,D1!,D2!,D3!,D4!,D5!,D6!") else {
            panic!("not a readback");
        };
        assert_eq!(unset[0].value.as_deref(), Some("00.0"));
        assert!(unset[1..].iter().all(|s| s.value.is_none()));
    }

    #[rstest]
    #[case(b"D0", Reply::Accepted { command: "D0".into(), echoed_key: None })]
    #[case(b"D3!", Reply::Refused { command: "D3".into() })]
    #[case(b"D0,Pt,1.0", Reply::Accepted { command: "D0".into(), echoed_key: Some("Pt".into()) })]
    #[case(b"D1,GE,", Reply::Accepted { command: "D1".into(), echoed_key: Some("GE".into()) })]
    #[case(b"!", Reply::Nak)]
    #[case(b"@", Reply::Ready)]
    #[case(b"#", Reply::Busy)]
    #[case(b"S6", Reply::State(6))]
    #[case(b"G1", Reply::Accepted { command: "G1".into(), echoed_key: None })]
    fn parses_replies(#[case] line: &[u8], #[case] reply: Reply) {
        assert_eq!(Reply::parse(line), Some(reply));
    }

    #[test]
    fn non_replies_are_none() {
        for line in [&b"hello"[..], b"D9,x", b"D1,D0", b"ST,GS,+0012345kg", b""] {
            assert_eq!(
                Reply::parse(line),
                None,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
