//! Handheld card readers end to end: a serial-mode reader on real pseudo-terminals behind a
//! stable symlink (line endings, chunking, over-long and garbage lines, unplug and replug, a
//! missing port, stopping), and the keyboard-wedge classifier on key events as the web UI
//! forwards them (named cases and property tests: typing is never a scan, scans always are).
//!
//! No sleeps as synchronisation: every wait is for a status or a read; `within` only turns a
//! hang into a failure. Card tokens are built from typed fields by `wire::card` and typed back
//! through this file's own US key table (the oracle), not the crate's.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::pty::Pty;
use hakaru_devices::card::handheld::{
    BurstDrop, DropCounts, KeyEvent, Line, LineCounts, LineDrop, LineSplitter, ReaderStatus,
    SerialCardReader, SerialReaderOptions, Verdict, WedgeClassifier, WedgeOptions,
};
use hakaru_devices::card::{CardRead, ReadVia};
use hakaru_devices::scale::LinkSettings;
use hakaru_devices::serial::{plug, Backoff, DisconnectReason};
use hakaru_wire::card::{CardFields, CardToken, TAG_LEN};
use proptest::prelude::*;
use std::future::Future;
use std::path::Path;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

/// Fails the test instead of hanging when an awaited status or read never comes.
async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

fn token(holder: u32, serial: u16) -> String {
    let fields = CardFields {
        program: 42,
        holder,
        serial,
        issued_day: 20_780,
    };
    CardToken::from_parts(fields, [0x3C; TAG_LEN]).encode()
}

// ---------------------------------------------------------------------------------------
// Serial-mode reader on real pseudo-terminals
// ---------------------------------------------------------------------------------------

fn fast_options() -> SerialReaderOptions {
    SerialReaderOptions {
        backoff: Backoff {
            initial: Duration::from_millis(10),
            max: Duration::from_millis(40),
        },
        ..SerialReaderOptions::default()
    }
}

struct Harness {
    reader: SerialCardReader,
    reads: mpsc::Receiver<CardRead>,
}

impl Harness {
    fn open(path: &Path) -> Harness {
        let (tx, reads) = mpsc::channel(16);
        let reader = SerialCardReader::open(path, tx, fast_options());
        Harness { reader, reads }
    }

    async fn status(&mut self) -> ReaderStatus {
        within("a reader status", self.reader.next_status())
            .await
            .expect("reader task ended")
    }

    /// The next status that is not a failed open attempt.
    async fn status_skipping_retries(&mut self) -> ReaderStatus {
        loop {
            match self.status().await {
                ReaderStatus::NotFound { .. } | ReaderStatus::Unavailable { .. } => continue,
                other => return other,
            }
        }
    }

    async fn connected(&mut self, path: &Path) {
        match self.status_skipping_retries().await {
            ReaderStatus::Connected { path: p } => assert_eq!(p, path),
            other => panic!("expected Connected, got {other:?}"),
        }
    }

    async fn read(&mut self) -> String {
        let read = within("a card read", self.reads.recv()).await.unwrap();
        assert_eq!(read.via, ReadVia::SerialReader);
        read.text
    }

    fn counts(&self) -> LineCounts {
        self.reader.counts()
    }
}

#[tokio::test]
async fn each_line_ending_delivers_one_read_and_blank_lines_deliver_none() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reader");
    let mut pty = Pty::plug(&path);
    let mut h = Harness::open(&path);
    h.connected(&path).await;

    let (a, b, c, d) = (token(1, 1), token(2, 1), token(3, 1), token(4, 1));
    pty.write(format!("{a}\r").as_bytes());
    assert_eq!(h.read().await, a);
    pty.write(format!("{b}\n").as_bytes());
    assert_eq!(h.read().await, b);
    pty.write(format!("{c}\r\n").as_bytes());
    assert_eq!(h.read().await, c);
    pty.write(format!("\r\n\r\r\n{d}\r\n").as_bytes());
    assert_eq!(h.read().await, d, "no empty read between c and d");
    assert_eq!(h.counts().delivered, 4);
}

#[tokio::test]
async fn two_reads_in_one_write_and_one_read_across_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reader");
    let mut pty = Pty::plug(&path);
    let mut h = Harness::open(&path);
    h.connected(&path).await;

    let (a, b) = (token(10, 1), token(11, 2));
    pty.write(format!("{a}\r\n{b}\r\n").as_bytes());
    assert_eq!(h.read().await, a);
    assert_eq!(h.read().await, b);

    let c = token(12, 3);
    let (head, tail) = c.split_at(13);
    pty.write(head.as_bytes());
    // Not synchronisation: only makes it likely the reader sees the halves in separate reads
    // (the assertion holds either way).
    tokio::time::sleep(Duration::from_millis(30)).await;
    pty.write(format!("{tail}\r").as_bytes());
    // A CR LF split between writes: the LF alone must not make an empty read.
    pty.write(b"\n");
    let d = token(13, 4);
    pty.write(format!("{d}\r").as_bytes());
    assert_eq!(h.read().await, c);
    assert_eq!(h.read().await, d);
    assert_eq!(h.counts().delivered, 4);
}

#[tokio::test]
async fn over_long_and_non_utf8_lines_are_discarded_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reader");
    let mut pty = Pty::plug(&path);
    let mut h = Harness::open(&path);
    h.connected(&path).await;

    // 256 bytes is the limit: kept. 5,000 bytes: discarded up to its end.
    let exact = "K".repeat(256);
    pty.write(format!("{exact}\r").as_bytes());
    assert_eq!(h.read().await, exact);
    let long = vec![b'A'; 5000];
    pty.write(&long);
    pty.write(b"\r\n");
    let a = token(20, 1);
    pty.write(format!("{a}\r").as_bytes());
    assert_eq!(h.read().await, a, "the line after an over-long one is read");

    pty.write(b"\xff\xfe\x00\x80garbage\r\n");
    pty.write(b"\xe3\x81\r"); // a cut multi-byte character
    let b = token(21, 1);
    pty.write(format!("{b}\r").as_bytes());
    assert_eq!(h.read().await, b);

    assert_eq!(
        h.counts(),
        LineCounts {
            delivered: 3,
            too_long: 1,
            not_utf8: 2,
            cut: 0,
            statuses_dropped: 0
        }
    );
}

#[tokio::test]
async fn unplug_then_a_new_pty_at_the_same_path_reconnects() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reader");
    let mut pty = Pty::plug(&path);
    let mut h = Harness::open(&path);
    h.connected(&path).await;
    let a = token(30, 1);
    pty.write(format!("{a}\r").as_bytes());
    assert_eq!(h.read().await, a);

    drop(pty);
    match h.status().await {
        ReaderStatus::Disconnected {
            path: p,
            reason: DisconnectReason::DeviceGone,
            retry_in,
        } => {
            assert_eq!(p, path);
            assert_eq!(retry_in, Duration::from_millis(10));
        }
        other => panic!("expected Disconnected, got {other:?}"),
    }

    // The symlink still points at the dead pty's slave for a while, then at a new one.
    let mut pty = Pty::plug(&path);
    h.connected(&path).await;
    let b = token(30, 2);
    pty.write(format!("{b}\r\n").as_bytes());
    assert_eq!(h.read().await, b);
}

#[tokio::test]
async fn a_missing_port_is_a_status_that_says_what_to_do_and_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usb-Reader_QR-if00");
    let mut h = Harness::open(&path);

    let mut delays = Vec::new();
    for _ in 0..4 {
        match h.status().await {
            ReaderStatus::NotFound { path: p, retry_in } => {
                assert_eq!(p, path);
                delays.push(retry_in.as_millis());
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
    }
    assert_eq!(delays, [10, 20, 40, 40], "backoff doubles to its maximum");
    let words = ReaderStatus::NotFound {
        path: path.clone(),
        retry_in: Duration::from_secs(1),
    }
    .to_string();
    for part in [
        "見つかりません",
        "差し込む",
        "plug in the reader",
        "check the configured path",
    ] {
        assert!(words.contains(part), "{words}");
    }
    assert!(
        words.find("見つかりません") < words.find("not found"),
        "Japanese first"
    );

    let mut pty = Pty::plug(&path);
    h.connected(&path).await;
    let a = token(40, 1);
    pty.write(format!("{a}\r").as_bytes());
    assert_eq!(h.read().await, a);
}

#[tokio::test]
async fn a_path_that_is_not_a_serial_port_is_unavailable_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not-a-tty");
    std::fs::write(&path, b"").unwrap();
    let mut h = Harness::open(&path);
    match h.status().await {
        ReaderStatus::Unavailable { error, retry_in } => {
            assert!(error.to_string().contains("not a serial port"), "{error}");
            // A mistake a person must fix: no quick retries.
            assert_eq!(retry_in, Duration::from_millis(40));
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn stopping_closes_the_port_and_ends_with_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reader");
    let mut pty = Pty::plug(&path);
    let mut h = Harness::open(&path);
    h.connected(&path).await;
    pty.write(b"K1PARTIAL");

    within("the task to end", h.reader.stop_and_wait()).await;
    assert!(h.reader.is_finished());
    assert!(matches!(h.status().await, ReaderStatus::Stopped));
    assert_eq!(
        within("end of statuses", h.reader.next_status())
            .await
            .map(|_| ()),
        None
    );
    assert_eq!(within("end of reads", h.reads.recv()).await, None);
}

#[tokio::test]
async fn the_task_ends_when_nobody_takes_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reader");
    let _pty = Pty::plug(&path);
    let mut h = Harness::open(&path);
    h.connected(&path).await;
    let Harness { mut reader, reads } = h;
    drop(reads);
    let last = within("Stopped", reader.next_status()).await;
    assert!(matches!(last, Some(ReaderStatus::Stopped)), "{last:?}");
}

#[tokio::test]
async fn end_of_stream_cuts_a_partial_line_and_reconnects_on_the_next_stream() {
    let (plug, connector) = plug::<tokio::io::DuplexStream>();
    let (tx, mut reads) = mpsc::channel(4);
    let mut reader = SerialCardReader::spawn(connector, tx, fast_options());

    let (ours, mut far) = tokio::io::duplex(64);
    assert!(plug.plug_in(ours, "mem-1", LinkSettings::new_8n1(9600)));
    assert!(within("Connected", reader.next_status())
        .await
        .unwrap()
        .is_connected());
    let a = token(50, 1);
    far.write_all(format!("{a}\r\n{}", &a[..10]).as_bytes())
        .await
        .unwrap();
    assert_eq!(within("read", reads.recv()).await.unwrap().text, a);
    drop(far);
    match within("Disconnected", reader.next_status()).await.unwrap() {
        ReaderStatus::Disconnected { reason, .. } => {
            assert!(matches!(reason, DisconnectReason::DeviceGone))
        }
        other => panic!("expected Disconnected, got {other:?}"),
    }
    assert_eq!(reader.counts().cut, 1);

    let (ours, mut far) = tokio::io::duplex(64);
    assert!(plug.plug_in(ours, "mem-2", LinkSettings::new_8n1(9600)));
    assert!(within("Connected", reader.next_status())
        .await
        .unwrap()
        .is_connected());
    far.write_all(format!("{a}\r").as_bytes()).await.unwrap();
    assert_eq!(within("read", reads.recv()).await.unwrap().text, a);
}

#[test]
fn statuses_read_japanese_first_and_say_what_to_do() {
    let path = Path::new("/dev/serial/by-id/usb-Reader-if00").to_owned();
    let gone = ReaderStatus::Disconnected {
        path: path.clone(),
        reason: DisconnectReason::DeviceGone,
        retry_in: Duration::from_secs(1),
    }
    .to_string();
    assert!(gone.starts_with("カードリーダーが外れました"), "{gone}");
    assert!(
        gone.contains("plug it back in") && gone.contains("1 s"),
        "{gone}"
    );
    let connected = ReaderStatus::Connected { path }.to_string();
    assert!(connected.contains("接続しました") && connected.contains("connected"));
    let json = serde_json::to_value(ReaderStatus::Stopped).unwrap();
    assert_eq!(json["status"], "stopped");
}

// ---------------------------------------------------------------------------------------
// Keyboard wedge
// ---------------------------------------------------------------------------------------

/// The test's own US table: which physical key (and Shift) types `c`.
fn key_for(c: char, shift_letters: bool) -> (String, bool) {
    match c {
        'A'..='Z' => (format!("Key{c}"), shift_letters),
        'a'..='z' => (format!("Key{}", c.to_ascii_uppercase()), false),
        '0'..='9' => (format!("Digit{c}"), false),
        '-' => ("Minus".into(), false),
        '.' => ("Period".into(), false),
        ':' => ("Semicolon".into(), true),
        '/' => ("Slash".into(), false),
        _ => panic!("no key for {c:?} in the test table"),
    }
}

/// Key events typing `text` then Enter: `gaps[i]` before character i (the first is relative
/// to `start`), `enter_gap` after the last. With `shift_key`, a ShiftLeft keydown precedes
/// each upper-case letter by half its gap, as a US-layout reader sends it.
fn typed(text: &str, start: f64, gaps: &[f64], enter_gap: f64, shift_key: bool) -> Vec<KeyEvent> {
    let mut at = start;
    let mut out = Vec::new();
    for (i, c) in text.chars().enumerate() {
        let gap = gaps[i % gaps.len()];
        let (code, shift) = key_for(c, shift_key);
        if shift && shift_key {
            out.push(KeyEvent::new("ShiftLeft", true, at + gap / 2.0));
        }
        at += gap;
        out.push(KeyEvent::new(code, shift, at));
    }
    out.push(KeyEvent::new("Enter", false, at + enter_gap));
    out
}

fn classify(c: &mut WedgeClassifier, keys: &[KeyEvent]) -> Vec<Verdict> {
    keys.iter()
        .map(|k| c.push(k))
        .filter(|v| *v != Verdict::Pending)
        .collect()
}

fn read(text: &str) -> Verdict {
    Verdict::Read(CardRead {
        text: text.to_owned(),
        via: ReadVia::KeyboardWedge,
    })
}

#[test]
fn a_scan_at_reader_speed_is_a_read() {
    let t = token(123_456, 3);
    let mut c = WedgeClassifier::default();
    assert_eq!(
        classify(&mut c, &typed(&t, 1000.0, &[7.0, 8.0, 16.0], 8.0, true)),
        [read(&t)]
    );
    // Caps Lock on the reader: lower case, no Shift — the same read.
    let lower = t.to_lowercase();
    assert_eq!(
        classify(&mut c, &typed(&lower, 2000.0, &[8.0], 8.0, false)),
        [read(&t)]
    );
    assert_eq!(c.drop_counts(), DropCounts::default());
}

#[test]
fn the_same_token_typed_by_a_person_is_not_a_read() {
    let t = token(123_456, 3);
    let mut c = WedgeClassifier::default();
    let verdicts = classify(&mut c, &typed(&t, 0.0, &[120.0, 85.0, 230.0], 140.0, true));
    assert_eq!(verdicts, [Verdict::Dropped(BurstDrop::TooShort)]);
    // A quick Enter does not help: the burst before it is one character.
    let verdicts = classify(&mut c, &typed(&t, 10_000.0, &[60.0], 5.0, true));
    assert_eq!(verdicts, [Verdict::Dropped(BurstDrop::TooShort)]);
    assert_eq!(c.drop_counts().too_short, 2);
}

#[test]
fn thresholds_are_where_the_options_say() {
    let t = token(7, 1);
    let mut c = WedgeClassifier::default();
    // Gaps of exactly 30 ms and Enter at exactly 50 ms still read; 30.5 / 50.5 do not.
    assert_eq!(
        classify(&mut c, &typed(&t, 0.0, &[30.0], 50.0, false)),
        [read(&t)]
    );
    assert_eq!(
        classify(&mut c, &typed(&t, 5000.0, &[30.0], 50.5, false)),
        [Verdict::Dropped(BurstDrop::LateEnter)]
    );
    let v = classify(&mut c, &typed(&t, 9000.0, &[10.0, 10.0, 30.5], 5.0, false));
    assert_eq!(
        v,
        [Verdict::Dropped(BurstDrop::TooShort)],
        "the burst restarted at each slow gap"
    );

    let mut strict = WedgeClassifier::new(WedgeOptions {
        max_gap_ms: 5.0,
        ..WedgeOptions::default()
    });
    assert_eq!(
        classify(&mut strict, &typed(&t, 0.0, &[8.0], 2.0, false)),
        [Verdict::Dropped(BurstDrop::TooShort)]
    );
    // 20 characters is enough, 19 is not (a malformed card is still a read: the station says
    // "try again").
    let twenty = &t[..20];
    assert_eq!(
        classify(&mut c, &typed(twenty, 20_000.0, &[8.0], 8.0, true)),
        [read(twenty)]
    );
    assert_eq!(
        classify(&mut c, &typed(&t[..19], 30_000.0, &[8.0], 8.0, true)),
        [Verdict::Dropped(BurstDrop::TooShort)]
    );
}

#[test]
fn fast_text_that_is_not_a_card_is_not_a_read() {
    let mut c = WedgeClassifier::default();
    let other = "HTTPS://EXAMPLE.JP/COUPON-2024";
    assert_eq!(
        classify(&mut c, &typed(other, 0.0, &[3.0], 3.0, true)),
        [Verdict::Dropped(BurstDrop::NotCardShaped)]
    );
    let long = "K1".to_owned() + &"A".repeat(300);
    assert_eq!(
        classify(&mut c, &typed(&long, 1000.0, &[3.0], 3.0, true)),
        [Verdict::Dropped(BurstDrop::TooLong)]
    );
    assert_eq!(c.drop_counts().not_card_shaped, 1);
    assert_eq!(c.drop_counts().too_long, 1);
}

#[test]
fn another_key_or_a_pause_inside_a_burst_spoils_only_that_burst() {
    let t = token(99, 9);
    let mut c = WedgeClassifier::default();
    let mut keys = typed(&t, 0.0, &[8.0], 8.0, true);
    let enter = keys.pop().unwrap();
    let last = keys.last().unwrap().at_ms;
    keys.push(KeyEvent::new("Backspace", false, last + 4.0));
    keys.push(enter);
    assert_eq!(
        classify(&mut c, &keys),
        [Verdict::Dropped(BurstDrop::NoEnter)]
    );

    // A long fast burst without Enter, a pause, then a proper scan.
    let mut keys = typed(&t, 1000.0, &[8.0], 8.0, true);
    keys.pop();
    keys.extend(typed(&t, 2000.0, &[8.0], 8.0, true));
    assert_eq!(
        classify(&mut c, &keys),
        [Verdict::Dropped(BurstDrop::NoEnter), read(&t)]
    );
    // A clock that goes backwards breaks the burst instead of shortening gaps.
    let mut keys = typed(&t, 5000.0, &[8.0], 8.0, false);
    keys[10].at_ms = 0.0;
    assert!(!classify(&mut c, &keys).contains(&read(&t)));
    // A bare Enter reports nothing.
    assert_eq!(
        c.push(&KeyEvent::new("Enter", false, 9000.0)),
        Verdict::Pending
    );
}

#[test]
fn key_events_arrive_as_the_web_ui_sends_them_and_debug_shows_no_keys() {
    let json =
        r#"[{"code":"KeyK","shift":true,"at_ms":1.5},{"code":"Digit1","shift":false,"at_ms":9}]"#;
    let keys: Vec<KeyEvent> = serde_json::from_str(json).unwrap();
    assert_eq!(keys[0], KeyEvent::new("KeyK", true, 1.5));
    assert_eq!(keys[1].at_ms, 9.0);
    let shown = format!("{keys:?}");
    assert!(
        !shown.contains("KeyK") && !shown.contains("Digit1"),
        "{shown}"
    );

    let t = token(123_456, 3);
    let mut c = WedgeClassifier::default();
    let v = classify(&mut c, &typed(&t, 0.0, &[8.0], 8.0, true));
    let shown = format!("{v:?} {c:?}");
    assert!(!shown.contains(&t[2..]), "{shown}");
}

/// A random valid token.
fn any_token() -> impl Strategy<Value = String> {
    (
        any::<u16>(),
        any::<u32>(),
        any::<u16>(),
        any::<u16>(),
        any::<[u8; TAG_LEN]>(),
    )
        .prop_map(|(program, holder, serial, issued_day, tag)| {
            let fields = CardFields {
                program,
                holder,
                serial,
                issued_day,
            };
            CardToken::from_parts(fields, tag).encode()
        })
}

/// Reader timing: 2–20 ms, often exactly 16 ms (a USB polling frame).
fn reader_gap() -> impl Strategy<Value = f64> {
    prop_oneof![3 => 2.0..=20.0f64, 1 => Just(16.0)]
}

/// One key of noise: what staff might press, at any speed.
fn noise_key() -> impl Strategy<Value = (String, bool, f64)> {
    let codes = prop::sample::select(vec![
        "KeyK",
        "KeyA",
        "KeyQ",
        "Digit1",
        "Digit7",
        "Enter",
        "Backspace",
        "ShiftLeft",
        "Tab",
        "Space",
        "IntlYen",
        "ArrowLeft",
        "Minus",
        "NumpadEnter",
        "",
    ]);
    (codes.prop_map(String::from), any::<bool>(), 0.0..300.0f64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn typing_a_valid_token_at_human_speed_is_never_a_scan(
        t in any_token(),
        gaps in prop::collection::vec(50.0..=300.0f64, 36),
        enter_gap in 0.0..=300.0f64,
        shift_key in any::<bool>(),
        lower in any::<bool>(),
    ) {
        let text = if lower { t.to_lowercase() } else { t };
        let mut c = WedgeClassifier::default();
        let verdicts = classify(&mut c, &typed(&text, 0.0, &gaps, enter_gap, shift_key));
        prop_assert!(verdicts.iter().all(|v| !matches!(v, Verdict::Read(_))), "{verdicts:?}");
    }

    #[test]
    fn a_valid_token_at_reader_speed_is_always_a_scan(
        t in any_token(),
        gaps in prop::collection::vec(reader_gap(), 36),
        enter_gap in reader_gap(),
        start in 0.0..1e7f64,
        shift_key in any::<bool>(),
        lower in any::<bool>(),
    ) {
        let text = if lower { t.to_lowercase() } else { t.clone() };
        let mut c = WedgeClassifier::default();
        let verdicts = classify(&mut c, &typed(&text, start, &gaps, enter_gap, shift_key));
        prop_assert_eq!(verdicts, vec![read(&t)]);
    }

    #[test]
    fn noise_before_a_burst_does_not_spoil_it(
        noise in prop::collection::vec(noise_key(), 0..60),
        fast_junk in prop::collection::vec(prop::sample::select(vec!['K', '1', 'A', 'Z', '7']), 0..40),
        pause in 30.5..2000.0f64,
        t in any_token(),
        gaps in prop::collection::vec(reader_gap(), 36),
        enter_gap in reader_gap(),
    ) {
        let mut keys = Vec::new();
        let mut at = 0.0;
        for (code, shift, gap) in noise {
            at += gap;
            keys.push(KeyEvent::new(code, shift, at));
        }
        // Reader-speed junk without Enter (a half-read code) right before the pause.
        for ch in fast_junk {
            at += 5.0;
            let (code, shift) = key_for(ch, true);
            keys.push(KeyEvent::new(code, shift, at));
        }
        keys.extend(typed(&t, at + pause, &gaps, enter_gap, true));
        let mut c = WedgeClassifier::default();
        let verdicts = classify(&mut c, &keys);
        prop_assert_eq!(verdicts.last(), Some(&read(&t)));
        prop_assert_eq!(verdicts.iter().filter(|v| matches!(v, Verdict::Read(_))).count(), 1);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Lines of any length with any ending, cut into any chunks: the splitter's output equals
    /// what the test computes line by line.
    #[test]
    fn lines_split_the_same_at_every_chunking(
        lines in prop::collection::vec(
            (prop::collection::vec(prop::sample::select(b"K1AZ27 -\xff".to_vec()), 0..40),
             prop::sample::select(vec![&b"\r"[..], b"\n", b"\r\n"])),
            0..20,
        ),
        cuts in prop::collection::vec(1usize..50, 0..30),
    ) {
        const MAX: usize = 24;
        let mut bytes = Vec::new();
        let mut expected = Vec::new();
        for (line, ending) in &lines {
            bytes.extend_from_slice(line);
            bytes.extend_from_slice(ending);
            if line.is_empty() {
                continue;
            }
            expected.push(if line.len() > MAX {
                Line::Dropped(LineDrop::TooLong)
            } else if line.contains(&0xff) {
                Line::Dropped(LineDrop::NotUtf8)
            } else {
                Line::Text(String::from_utf8(line.clone()).unwrap())
            });
        }
        let mut splitter = LineSplitter::new(MAX);
        let mut got = Vec::new();
        let mut rest = &bytes[..];
        for cut in cuts.into_iter().chain(std::iter::once(usize::MAX)) {
            let (chunk, tail) = rest.split_at(cut.min(rest.len()));
            splitter.push(chunk);
            got.extend(std::iter::from_fn(|| splitter.poll()));
            rest = tail;
        }
        prop_assert_eq!(got, expected);
    }
}
