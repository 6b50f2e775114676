//! The live monitor's screen: raw bytes on the left, what they decoded to on the right, one
//! row per line, Japanese first.
//!
//! A pure, stateful formatter — events in, text rows out — so `monitor` and `demo` share it and
//! tests can check it without a terminal. Deliberately not here: reading the port, colours or
//! cursor control (plain rows scroll in any terminal and survive being piped to a file).

use hakaru_devices::scale::{DecodeError, DeviceStatus, Reading, Reply, Stability, WeightReading};
use hakaru_devices::serial::{DisconnectReason, ScaleEvent};
use std::time::Duration;

/// Width of the raw-bytes column.
pub const RAW_WIDTH: usize = 44;

/// Turns link events into rows.
#[derive(Debug, Default)]
pub struct Monitor {
    /// Raw bytes not yet shown (the rest of the current line).
    pending_raw: String,
    /// Decoded rows held back until the LF that completes their line's CR LF, so a frame's
    /// bytes are always shown whole before what they decoded to.
    deferred: Vec<String>,
}

impl Monitor {
    /// The column headings.
    pub fn header() -> String {
        format!(
            "{:>9} │ {:<width$} │ 解読結果 / decoded",
            "時刻 time",
            "受信バイト / raw bytes",
            width = RAW_WIDTH
        )
    }

    /// Rows for one event, stamped with the time since the monitor started.
    pub fn push(&mut self, at: Duration, event: &ScaleEvent) -> Vec<String> {
        let stamp = format!("{:>8.3}s", at.as_secs_f64());
        let mut rows = Vec::new();
        match event {
            ScaleEvent::Bytes { data, .. } => {
                for &b in data.expose() {
                    if !self.deferred.is_empty() && b != b'\n' {
                        // The line ended with CR alone: show it, then what it decoded to.
                        self.flush(&stamp, &mut rows);
                    }
                    self.pending_raw.push_str(&escape(b));
                    if b == b'\n' || self.pending_raw.chars().count() >= RAW_WIDTH {
                        self.flush(&stamp, &mut rows);
                    }
                }
            }
            other => {
                let decoded = row(&stamp, "", &describe(other));
                if self.pending_raw.ends_with('␍') {
                    // The LF of this line's CR LF is still on its way.
                    self.deferred.push(decoded);
                } else {
                    self.flush(&stamp, &mut rows);
                    rows.push(decoded);
                }
            }
        }
        rows
    }

    /// Shows the pending raw bytes (if any), then any decoded rows held back for them.
    fn flush(&mut self, stamp: &str, rows: &mut Vec<String>) {
        if !self.pending_raw.is_empty() {
            rows.push(row(stamp, &std::mem::take(&mut self.pending_raw), ""));
        }
        rows.append(&mut self.deferred);
    }
}

fn row(stamp: &str, raw: &str, decoded: &str) -> String {
    let pad = RAW_WIDTH.saturating_sub(raw.chars().count());
    format!("{stamp} │ {raw}{:pad$} │ {decoded}", "")
        .trim_end()
        .to_owned()
}

/// One byte as the raw column shows it: printable ASCII as is, CR and LF as `␍` `␊`, others as `\xNN`.
pub fn escape(b: u8) -> String {
    match b {
        b'\r' => "␍".to_owned(),
        b'\n' => "␊".to_owned(),
        0x20..=0x7e => (b as char).to_string(),
        _ => format!("\\x{b:02X}"),
    }
}

/// What an event means, in one line.
pub fn describe(event: &ScaleEvent) -> String {
    match event {
        ScaleEvent::Connected { path, settings } => {
            format!("● 接続しました / connected: {} ({settings})", path.display())
        }
        ScaleEvent::ConnectFailed { error, retry_in } => format!(
            "○ 接続できません / cannot connect: {error} — {:.1} 秒後に再試行 / retrying in {:.1} s",
            retry_in.as_secs_f64(),
            retry_in.as_secs_f64()
        ),
        ScaleEvent::Identified { model, serial_number } => format!(
            "◆ 体組成計 / analyzer: {} SN {}",
            model.as_deref().unwrap_or("?"),
            serial_number.as_deref().unwrap_or("—")
        ),
        ScaleEvent::AnalyzerChanged { previous, current } => format!(
            "⚠ 体組成計が替わりました / analyzer changed: {previous} → {current} — 校正記録を確認してください / check its calibration record"
        ),
        ScaleEvent::Reading(r) => describe_reading(r),
        ScaleEvent::Weight(w) => describe_weight(w),
        ScaleEvent::Reply(r) => describe_reply(r),
        ScaleEvent::Status(DeviceStatus::Error(code)) => format!("⚠ {}: {}", code.code(), code.message()),
        ScaleEvent::DecodeError { error, bytes } => describe_error(error, *bytes),
        ScaleEvent::Disconnected { reason } => match reason {
            DisconnectReason::DeviceGone => {
                "○ 切断されました / disconnected: ケーブルを確認してください、戻れば自動で再接続します / check the cable; the link reconnects by itself".to_owned()
            }
            DisconnectReason::Io { error } => format!("○ 切断されました / disconnected: {error}"),
            DisconnectReason::Closed => "○ 終了しました / closed".to_owned(),
        },
        ScaleEvent::Bytes { .. } => String::new(),
        _ => "(その他のイベント / other event)".to_owned(),
    }
}

fn describe_reading(r: &Reading) -> String {
    let mut parts = vec![format!(
        "✔ 測定値 / reading {}",
        r.model.as_deref().unwrap_or("?")
    )];
    let mut add = |ja: &str, en: &str, v: Option<f64>, unit: &str, decimals: usize| {
        if let Some(v) = v {
            let label = if en.is_empty() {
                ja.to_owned()
            } else {
                format!("{ja} {en}")
            };
            parts.push(format!("{label} {v:.decimals$}{unit}"));
        }
    };
    add("体重", "weight", r.weight.map(|k| k.0), " kg", 1);
    add("体脂肪率", "fat", r.fat_percent.map(|p| p.0), " %", 1);
    add("筋肉量", "muscle", r.muscle_mass.map(|k| k.0), " kg", 1);
    add("BMI", "", r.bmi, "", 1);
    add("内臓脂肪", "visceral", r.visceral_fat_rating, "", 0);
    add("基礎代謝", "BMR", r.bmr_kcal.map(|k| k.0), " kcal", 0);
    if r.weight.is_none() {
        add("身長", "height", r.height.map(|c| c.0), " cm", 1);
    }
    let mut text = parts.join(" · ");
    text.push_str(&format!(" ({} 項目 / fields)", r.pairs().len()));
    text
}

fn describe_weight(w: &WeightReading) -> String {
    let state = match w.stability {
        Stability::Stable => "安定 / stable",
        Stability::Unstable => "計量中 / settling",
        Stability::OutOfRange => "範囲外 / out of range",
        Stability::Count => "個数 / count",
    };
    match w.value {
        Some(v) => format!("⚖ 重量 / weight {v} {} ({state})", w.unit),
        None => format!("⚖ 重量 / weight — ({state})"),
    }
}

fn describe_reply(r: &Reply) -> String {
    let what = match r {
        Reply::Accepted { command, .. } => format!("{command} 受付 / accepted"),
        Reply::Refused { command } => format!("{command} 拒否 / refused"),
        Reply::Nak => "! 受付不可 / not accepted".to_owned(),
        Reply::Ready => "@ 準備完了 / ready".to_owned(),
        Reply::Busy => "# 処理中 / busy".to_owned(),
        Reply::State(6) => "S6 測定中 / measuring".to_owned(),
        Reply::State(n) => format!("S{n} 状態 / state"),
        Reply::Presets(slots) => format!(
            "設定値 / presets: {} / {} 設定済み / set",
            slots.iter().filter(|s| s.value.is_some()).count(),
            slots.len()
        ),
    };
    format!("↩ 応答 / reply: {what}")
}

fn describe_error(e: &DecodeError, bytes: usize) -> String {
    format!("✘ 棄却 / rejected ({bytes} B): {e} — {}", e.advice())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hakaru_devices::redact::Sensitive;
    use hakaru_devices::scale::{decode_all, DecodeEvent};
    use hakaru_devices::serial::Direction;

    const F2: &[u8] = b"{0,16,~0,1,MO,\"MC-780\",ID,\"0000000000000000\",DT,\"2026/06/03\",TI,\"15:22\",Pt,0.0,Wk,67.8,CS,57\r\n";

    fn reading() -> ScaleEvent {
        match decode_all(F2).remove(0) {
            DecodeEvent::Reading { reading } => ScaleEvent::Reading(reading),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn raw_bytes_wrap_and_end_at_line_ends() {
        let mut m = Monitor::default();
        let bytes = ScaleEvent::Bytes {
            direction: Direction::Received,
            data: Sensitive(F2.to_vec()),
        };
        let rows = m.push(Duration::from_millis(1500), &bytes);
        // 92 bytes + CR LF, escaped: 94 display characters ⇒ 3 rows of ≤ 44.
        assert_eq!(rows.len(), 3, "{rows:#?}");
        assert!(rows[0].starts_with("   1.500s │ {0,16,~0,1,MO,"));
        let raw: String = rows
            .iter()
            .map(|r| r.split('│').nth(1).unwrap().trim())
            .collect();
        let expected: String = F2.iter().map(|b| escape(*b)).collect();
        assert_eq!(raw, expected, "the raw column shows every byte, in order");
        let decoded = m.push(Duration::from_millis(1501), &reading());
        assert_eq!(decoded.len(), 1);
        assert!(decoded[0].contains("体重 weight 67.8 kg"), "{}", decoded[0]);
    }

    #[test]
    fn a_reading_decoded_at_cr_is_shown_after_its_cr_lf() {
        let mut m = Monitor::default();
        let bytes = |b: &[u8]| ScaleEvent::Bytes {
            direction: Direction::Received,
            data: Sensitive(b.to_vec()),
        };
        let (head, lf) = F2.split_at(F2.len() - 1);
        let mut rows = m.push(Duration::ZERO, &bytes(head));
        rows.extend(m.push(Duration::ZERO, &reading()));
        rows.extend(m.push(Duration::ZERO, &bytes(lf)));
        let last_raw = rows
            .iter()
            .rposition(|r| r.contains("57␍␊"))
            .expect("CR LF on one row");
        let decoded = rows
            .iter()
            .position(|r| r.contains("測定値"))
            .expect("reading row");
        assert_eq!(decoded, last_raw + 1, "{rows:#?}");
        assert!(
            !rows
                .iter()
                .any(|r| r.split('│').nth(1).unwrap().trim() == "␊"),
            "{rows:#?}"
        );
    }

    #[test]
    fn rejected_frames_say_what_to_do() {
        let mut bad = F2.to_vec();
        bad[F2.len() - 3] = b'8';
        let DecodeEvent::Rejected { error, bytes } = decode_all(&bad).remove(0) else {
            panic!()
        };
        let text = describe(&ScaleEvent::DecodeError { error, bytes });
        assert!(
            text.contains("棄却 / rejected") && text.contains("check the baud rate"),
            "{text}"
        );
    }

    #[test]
    fn non_printables_are_escaped() {
        assert_eq!(escape(0x00), "\\x00");
        assert_eq!(escape(b'\r'), "␍");
        assert_eq!(escape(b'A'), "A");
    }
}
