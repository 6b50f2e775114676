//! What `hakaru scan` prints: one line per reader status or card read, as text (Japanese first,
//! then English) or as one JSON object per line, plus the closing summary.
//!
//! A pure formatter — events in, lines out — so the three scan modes share it and the unit tests
//! check it without a reader. Deliberately not here: the readers, the clock, and anything that
//! would show who a card belongs to: the token text and the holder number are never formatted,
//! only the program code and the card serial (which say nothing about the person).

use hakaru_devices::card::ReadVia;
use hakaru_wire::card::{CardToken, TokenError};
use serde_json::{json, Value};
use std::time::Duration;

/// What a text a reader delivered looks like, by syntax only (no roster, no signature check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardFormat {
    /// A well-formed Hakaru card token.
    Hakaru {
        /// The program's card code.
        program: u16,
        /// Which of the holder's cards.
        serial: u16,
    },
    /// Not a Hakaru card (another QR code, typed text).
    NotOurs,
    /// Starts like a Hakaru card but is damaged or misread.
    Malformed,
}

impl CardFormat {
    /// Classifies a read. Only the program code and serial are kept from a token.
    pub fn of(text: &str) -> CardFormat {
        match CardToken::parse(text) {
            Ok(token) => {
                let fields = token.fields();
                CardFormat::Hakaru {
                    program: fields.program,
                    serial: fields.serial,
                }
            }
            Err(TokenError::NotOurs) => CardFormat::NotOurs,
            Err(TokenError::Malformed) => CardFormat::Malformed,
        }
    }

    /// Words for the technician.
    pub fn describe(self) -> String {
        match self {
            CardFormat::Hakaru { program, serial } => format!(
                "Hakaru カード形式 (プログラム番号 {program}, 連番 {serial}) / \
                 Hakaru card format (program code {program}, serial {serial})"
            ),
            CardFormat::NotOurs => "Hakaru のカードではありません(別の QR コードか入力文字) / \
                                    not ours: not a Hakaru card (another QR code or typed text)"
                .to_owned(),
            CardFormat::Malformed => "Hakaru カードの形ですが壊れているか読み違いです / \
                                      malformed: card-shaped but damaged or misread"
                .to_owned(),
        }
    }

    fn json_name(self) -> &'static str {
        match self {
            CardFormat::Hakaru { .. } => "hakaru",
            CardFormat::NotOurs => "not_ours",
            CardFormat::Malformed => "malformed",
        }
    }
}

/// Which reader, in words and in JSON.
pub fn reader_words(via: ReadVia) -> &'static str {
    match via {
        ReadVia::Camera => "カメラ / camera",
        ReadVia::SerialReader => "シリアルリーダー / serial reader",
        ReadVia::KeyboardWedge => "キーボード型リーダー / keyboard-wedge reader",
    }
}

fn reader_json(via: ReadVia) -> Value {
    serde_json::to_value(via).unwrap_or(Value::Null)
}

/// A demo card a read matched: its number (from 1) and how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoCard {
    /// 1-based.
    pub number: usize,
    /// Cards in the demo.
    pub of: usize,
}

/// Formats events as text rows or JSON lines.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    /// One JSON object per line instead of text.
    pub json: bool,
}

fn stamp(at: Duration) -> String {
    format!("{:>8.3}s", at.as_secs_f64())
}

fn secs(at: Duration) -> f64 {
    (at.as_secs_f64() * 1000.0).round() / 1000.0
}

impl Report {
    /// A reader's status changed. `message` is its `Display` (bilingual), `value` its serde form.
    pub fn status(&self, at: Duration, via: ReadVia, message: &str, value: Value) -> String {
        if self.json {
            json!({
                "event": "status",
                "at_secs": secs(at),
                "reader": reader_json(via),
                "status": value,
                "message": message,
            })
            .to_string()
        } else {
            format!(
                "{}  {}  状態 / status: {message}",
                stamp(at),
                reader_words(via)
            )
        }
    }

    /// A reader delivered a text; `demo` says which generated card it was, in demo mode.
    /// The text itself is classified and dropped: it is never part of the output.
    pub fn read(&self, at: Duration, via: ReadVia, text: &str, demo: Option<DemoCard>) -> String {
        let format = CardFormat::of(text);
        if self.json {
            let mut v = json!({
                "event": "read",
                "at_secs": secs(at),
                "reader": reader_json(via),
                "card": format.json_name(),
                "message": format.describe(),
            });
            if let CardFormat::Hakaru { program, serial } = format {
                v["program"] = json!(program);
                v["serial"] = json!(serial);
            }
            if let Some(d) = demo {
                v["demo_card"] = json!(d.number);
            }
            v.to_string()
        } else {
            let demo = demo.map_or(String::new(), |d| {
                format!(
                    "  [デモ用カード {n}/{of} / demo card {n} of {of}]",
                    n = d.number,
                    of = d.of
                )
            });
            format!(
                "{}  {}  読み取り / read: {}{demo}",
                stamp(at),
                reader_words(via),
                format.describe()
            )
        }
    }

    /// The end of a camera or serial scan: whether the reader ever connected.
    pub fn connected_summary(&self, via: ReadVia, connected: bool, reads: usize) -> String {
        if self.json {
            json!({
                "event": "summary",
                "reader": reader_json(via),
                "connected": connected,
                "reads": reads,
            })
            .to_string()
        } else if connected {
            format!(
                "終了: {r} 件を読み取りました / done: {reads} read(s)",
                r = reads
            )
        } else {
            format!(
                "終了: {}に一度も接続できませんでした。接続と設定を確認してください / \
                 done: the {} never connected: check its cable and the settings",
                ja_reader(via),
                en_reader(via)
            )
        }
    }

    /// The end of the demo: N cards, M of them read; `shown_all` is false when the run was ended
    /// (time or Ctrl-C) before the source had shown every card.
    pub fn demo_summary(&self, cards: usize, read: usize, shown_all: bool) -> String {
        let missed = cards.saturating_sub(read);
        if self.json {
            json!({
                "event": "summary",
                "reader": "camera",
                "demo": true,
                "cards": cards,
                "read": read,
                "missed": missed,
                "shown_all": shown_all,
            })
            .to_string()
        } else {
            let mut line =
                format!("{cards} 枚中 {read} 枚を読み取り / read {read} of {cards} cards");
            if missed > 0 && shown_all {
                line.push_str(&format!(
                    "\n読み取れなかったカード {missed} 枚: 読み取り処理に問題があります。\
                     -vv で詳細を確認してください / {missed} card(s) missed: the read pipeline has \
                     a problem; run with -vv for details"
                ));
            } else if missed > 0 {
                line.push_str(&format!(
                    "\n全部のカードを表示する前に終了しました(未読 {missed} 枚)。--seconds を長くしてください / \
                     stopped before every card was shown ({missed} not read): give more --seconds"
                ));
            }
            line
        }
    }
}

fn ja_reader(via: ReadVia) -> &'static str {
    match via {
        ReadVia::Camera => "カメラ",
        ReadVia::SerialReader => "シリアルリーダー",
        ReadVia::KeyboardWedge => "キーボード型リーダー",
    }
}

fn en_reader(via: ReadVia) -> &'static str {
    match via {
        ReadVia::Camera => "camera",
        ReadVia::SerialReader => "serial reader",
        ReadVia::KeyboardWedge => "keyboard-wedge reader",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hakaru_wire::card::CardFields;

    fn token(program: u16, holder: u32, serial: u16) -> String {
        let fields = CardFields {
            program,
            holder,
            serial,
            issued_day: 20_000,
        };
        CardToken::from_parts(fields, [0xA5; 10]).encode()
    }

    #[test]
    fn a_card_shows_program_and_serial_never_the_token_or_holder() {
        let t = token(7, 987_654, 2);
        for json in [false, true] {
            let line = Report { json }.read(Duration::from_millis(1234), ReadVia::Camera, &t, None);
            assert!(line.contains("program code 7, serial 2"), "{line}");
            assert!(!line.contains(&t[2..12]), "{line}");
            assert!(!line.contains("987654"), "{line}");
        }
        let v: Value = serde_json::from_str(&Report { json: true }.read(
            Duration::from_millis(1234),
            ReadVia::SerialReader,
            &t.to_lowercase(),
            None,
        ))
        .unwrap();
        assert_eq!(v["card"], "hakaru");
        assert_eq!(v["program"], 7);
        assert_eq!(v["serial"], 2);
        assert_eq!(v["reader"], "serial_reader");
        assert_eq!(v["at_secs"], 1.234);
        assert!(v.get("holder").is_none() && v.get("text").is_none());
    }

    #[test]
    fn other_texts_are_named_not_shown() {
        let r = Report { json: false };
        let line = r.read(Duration::ZERO, ReadVia::SerialReader, "HELLO-WORLD", None);
        assert!(
            line.contains("not ours") && !line.contains("HELLO"),
            "{line}"
        );
        let cut = &token(1, 2, 3)[..20];
        let line = r.read(Duration::ZERO, ReadVia::Camera, cut, None);
        assert!(line.contains("malformed") && !line.contains(cut), "{line}");
    }

    #[test]
    fn demo_summary_counts_misses() {
        let r = Report { json: false };
        assert_eq!(
            r.demo_summary(3, 3, true),
            "3 枚中 3 枚を読み取り / read 3 of 3 cards"
        );
        assert!(r.demo_summary(3, 2, true).contains("1 card(s) missed"));
        assert!(r.demo_summary(3, 2, false).contains("give more --seconds"));
        let v: Value =
            serde_json::from_str(&Report { json: true }.demo_summary(4, 1, true)).unwrap();
        assert_eq!(
            (v["cards"].clone(), v["missed"].clone()),
            (json!(4), json!(3))
        );
    }
}
