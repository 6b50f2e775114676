//! Weight-only lines: A&D standard format, A&D balance format, the old Tanita WB-100/110
//! format, and the DC-320 `F0,Wk,…` weight-only reply (reference §4).
//!
//! Mettler-Toledo MT-SICS, CAS and the other retail formats of §4.5 are deliberately absent:
//! no municipal station uses them.

use crate::redact::REDACTED;
use crate::scale::units::Kg;
use std::fmt;

/// Which weight-line format a line was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightFormat {
    /// `ST,GS,+0012345kg` — A&D standard format (indicators, OP-05).
    AndStandard,
    /// `ST,+0001.234 kg` — A&D balance format (GC, EK-L, FZ-i, EW).
    AndBalance,
    /// `SD    75.0kg` — Tanita WB-100MA / WB-110MA.
    TanitaLegacy,
    /// `F0,Wk,65.6` — Tanita DC-320 weight-only reply.
    TanitaWeightOnly,
}

/// Whether the scale considered the value settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stability {
    /// `ST` / `S ` — stable.
    Stable,
    /// `US` / `SD` — still moving.
    Unstable,
    /// `OL` / `SI` / `LO` — out of range; no value.
    OutOfRange,
    /// `QT` — stable count (pieces), not a weight.
    Count,
}

/// One weight line, decoded.
#[derive(Clone, PartialEq, serde::Serialize)]
pub struct WeightReading {
    /// The format the line was in.
    pub format: WeightFormat,
    /// Stable, unstable, out of range.
    pub stability: Stability,
    /// The second header as sent (`GS` gross, `NT` net, `TR` tare, or `OK`/`HI`/`LO` comparator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    /// The number as sent, in `unit`; `None` when out of range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The unit as sent, trimmed (`kg`, `g`, `t`, `lb`, `PC`, …; empty if none).
    pub unit: String,
    /// The weight in kg when the unit is a mass unit and there is a value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<Kg>,
    /// The line as received, without CR/LF.
    #[serde(serialize_with = "ascii")]
    pub raw: Vec<u8>,
}

fn ascii<S: serde::Serializer>(raw: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(raw))
}

impl fmt::Debug for WeightReading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeightReading")
            .field("format", &self.format)
            .field("stability", &self.stability)
            .field("unit", &self.unit)
            .field("value", &format_args!("{REDACTED}"))
            .finish()
    }
}

impl WeightReading {
    /// Parses a weight line (no CR/LF); `None` when it is not one.
    pub fn parse(line: &[u8]) -> Option<WeightReading> {
        let text = std::str::from_utf8(line).ok()?;
        parse_tanita_weight_only(text)
            .or_else(|| parse_tanita_legacy(text))
            .or_else(|| parse_and(text))
            .map(|(format, stability, qualifier, value, unit)| {
                let weight = value.and_then(|v| to_kg(v, unit));
                WeightReading {
                    format,
                    stability,
                    qualifier: qualifier.map(str::to_owned),
                    value,
                    unit: unit.to_owned(),
                    weight,
                    raw: line.to_vec(),
                }
            })
    }
}

type Parts<'a> = (
    WeightFormat,
    Stability,
    Option<&'a str>,
    Option<f64>,
    &'a str,
);

fn to_kg(v: f64, unit: &str) -> Option<Kg> {
    match unit {
        "kg" => Some(Kg(v)),
        "g" => Some(Kg::from_g(v)),
        "t" => Some(Kg(v * 1000.0)),
        "lb" => Some(Kg::from_lb(v)),
        _ => None,
    }
}

fn parse_tanita_weight_only(text: &str) -> Option<Parts<'_>> {
    let rest = text.strip_prefix("F0,Wk,")?;
    let v = parse_number(rest)?;
    Some((
        WeightFormat::TanitaWeightOnly,
        Stability::Stable,
        None,
        Some(v),
        "kg",
    ))
}

/// 12 bytes: header(2), 2 spaces, 6-byte right-aligned weight, unit(2).
fn parse_tanita_legacy(text: &str) -> Option<Parts<'_>> {
    if text.len() != 12 || !text.is_ascii() || &text[2..4] != "  " {
        return None;
    }
    let stability = match &text[..2] {
        "S " => Stability::Stable,
        "SD" => Stability::Unstable,
        "SI" => Stability::OutOfRange,
        _ => return None,
    };
    let unit = &text[10..];
    if unit != "kg" && unit != "lb" {
        return None;
    }
    let field = text[4..10].trim();
    let value = if stability == Stability::OutOfRange && parse_number(field).is_none() {
        None
    } else {
        Some(parse_number(field)?)
    };
    Some((WeightFormat::TanitaLegacy, stability, None, value, unit))
}

/// A&D: `H1,[H2,]DATA UNIT` — DATA is a sign then 7 (standard) or 8 (balance) digits/points/spaces.
fn parse_and(text: &str) -> Option<Parts<'_>> {
    if !text.is_ascii() {
        return None;
    }
    // Two or three fields, without collecting them.
    let mut fields = text.split(',');
    let (h1, h2, last) = match (fields.next(), fields.next(), fields.next(), fields.next()) {
        (Some(h1), Some(last), None, None) => (h1, None, last),
        (Some(h1), Some(h2), Some(last), None) => (h1, Some(h2), last),
        _ => return None,
    };
    let stability = match h1 {
        "ST" => Stability::Stable,
        "US" => Stability::Unstable,
        "OL" | "LO" => Stability::OutOfRange,
        "QT" => Stability::Count,
        _ => return None,
    };
    let (format, data_len) = match last.len() {
        10 => (WeightFormat::AndStandard, 8),
        12 => (WeightFormat::AndBalance, 9),
        _ => return None,
    };
    if let Some(h2) = h2 {
        let known = match format {
            WeightFormat::AndStandard => {
                ["GS", "NT", "TR", "TW", "TN", "G ", "N ", "T ", "PT", "CD"].contains(&h2)
            }
            _ => ["LO", "OK", "HI", "--"].contains(&h2),
        };
        if !known {
            return None;
        }
    }
    let (data, unit) = last.split_at(data_len);
    let sign = data.as_bytes()[0];
    if sign != b'+' && sign != b'-' {
        return None;
    }
    if !data[1..]
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b' ')
    {
        return None;
    }
    let unit = unit.trim_start();
    if !unit.bytes().all(|b| b.is_ascii_alphabetic() || b == b'%') {
        return None;
    }
    let value = if data[1..].contains(' ') {
        // Overflow: digits blanked (`+    .  `) — or a space-padded value with a bad header.
        if stability != Stability::OutOfRange {
            return None;
        }
        None
    } else {
        let v = parse_number(&data[1..])?;
        let v = if sign == b'-' { -v } else { v };
        // EK-L sends `OL,+999999.9` — a marker, not a weight.
        (stability != Stability::OutOfRange).then_some(v)
    };
    Some((format, stability, h2.map(str::trim_end), value, unit))
}

fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(
        b"ST,GS,+0012345kg",
        WeightFormat::AndStandard,
        Stability::Stable,
        Some("GS"),
        Some(12345.0),
        "kg"
    )]
    #[case(
        b"ST,NT,+0010000kg",
        WeightFormat::AndStandard,
        Stability::Stable,
        Some("NT"),
        Some(10000.0),
        "kg"
    )]
    #[case(
        b"ST,TR,+0002345kg",
        WeightFormat::AndStandard,
        Stability::Stable,
        Some("TR"),
        Some(2345.0),
        "kg"
    )]
    #[case(
        b"ST,GS,+0123.45kg",
        WeightFormat::AndStandard,
        Stability::Stable,
        Some("GS"),
        Some(123.45),
        "kg"
    )]
    #[case(
        b"OL,GS,+    .  kg",
        WeightFormat::AndStandard,
        Stability::OutOfRange,
        Some("GS"),
        None,
        "kg"
    )]
    #[case(
        b"OL,GS,-    .  kg",
        WeightFormat::AndStandard,
        Stability::OutOfRange,
        Some("GS"),
        None,
        "kg"
    )]
    #[case(
        b"US,GS,+0123.45kg",
        WeightFormat::AndStandard,
        Stability::Unstable,
        Some("GS"),
        Some(123.45),
        "kg"
    )]
    #[case(
        b"ST,GS,+0065.30kg",
        WeightFormat::AndStandard,
        Stability::Stable,
        Some("GS"),
        Some(65.3),
        "kg"
    )]
    #[case(
        b"ST,+0001.234 kg",
        WeightFormat::AndBalance,
        Stability::Stable,
        None,
        Some(1.234),
        "kg"
    )]
    #[case(
        b"QT,+00001234 PC",
        WeightFormat::AndBalance,
        Stability::Count,
        None,
        Some(1234.0),
        "PC"
    )]
    #[case(
        b"ST,OK,+0001.234 kg",
        WeightFormat::AndBalance,
        Stability::Stable,
        Some("OK"),
        Some(1.234),
        "kg"
    )]
    #[case(
        b"OL,+999999.9  g",
        WeightFormat::AndBalance,
        Stability::OutOfRange,
        None,
        None,
        "g"
    )]
    #[case(
        b"SD    75.0kg",
        WeightFormat::TanitaLegacy,
        Stability::Unstable,
        None,
        Some(75.0),
        "kg"
    )]
    #[case(
        b"S     75.0kg",
        WeightFormat::TanitaLegacy,
        Stability::Stable,
        None,
        Some(75.0),
        "kg"
    )]
    #[case(
        b"F0,Wk,65.6",
        WeightFormat::TanitaWeightOnly,
        Stability::Stable,
        None,
        Some(65.6),
        "kg"
    )]
    fn reference_fixtures(
        #[case] line: &[u8],
        #[case] format: WeightFormat,
        #[case] stability: Stability,
        #[case] qualifier: Option<&str>,
        #[case] value: Option<f64>,
        #[case] unit: &str,
    ) {
        let w = WeightReading::parse(line).expect("parses");
        assert_eq!(w.format, format);
        assert_eq!(w.stability, stability);
        assert_eq!(w.qualifier.as_deref(), qualifier);
        assert_eq!(w.value, value);
        assert_eq!(w.unit, unit);
        assert_eq!(w.raw, line);
    }

    #[test]
    fn mass_units_become_kg() {
        assert_eq!(
            WeightReading::parse(b"ST,+1234.567  g").unwrap().weight,
            Some(Kg(1.234567))
        );
        assert_eq!(
            WeightReading::parse(b"QT,+00001234 PC").unwrap().weight,
            None
        );
    }

    #[test]
    fn near_misses_are_not_weights() {
        for line in [
            &b"ST,GS,+00123.45kg"[..],
            b"XX,GS,+0012345kg",
            b"ST,ZZ,+0012345kg",
            b"ST,GS,*0012345kg",
            b"SD   75.0kg",
            b"ST,GS,+  12345kg",
        ] {
            assert!(
                WeightReading::parse(line).is_none(),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
