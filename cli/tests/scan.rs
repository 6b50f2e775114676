//! `hakaru scan` as a technician runs it: the real binary on generated demo cards through the real
//! camera pipeline, on a serial-mode reader imitated by a pseudo-terminal the test writes card
//! lines into, and on this machine's (missing) camera. Every test also checks that no token text
//! and no holder number reach the output.

use hakaru_devices::sim::pty::PtyEnd;
use hakaru_wire::card::{CardFields, CardToken};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

fn hakaru() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hakaru"));
    c.env_remove("HAKARU_LOG").stdin(Stdio::null());
    c
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("the output is UTF-8")
}

/// Whether `out` contains something shaped like a card token: `K1` and at least 8 more base32
/// characters (either case).
fn contains_token_like(out: &str) -> bool {
    let b = out.as_bytes();
    (0..b.len().saturating_sub(1)).any(|i| {
        b[i].eq_ignore_ascii_case(&b'K')
            && b[i + 1] == b'1'
            && b[i + 2..]
                .iter()
                .take_while(|c| matches!(c.to_ascii_uppercase(), b'A'..=b'Z' | b'2'..=b'7'))
                .count()
                >= 8
    })
}

fn json_lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Sends SIGINT, as Ctrl-C in the terminal does.
fn ctrl_c(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

fn finish(mut child: Child) -> Output {
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        e.read_to_string(&mut stderr).expect("stderr is readable");
    }
    let status = child.wait().expect("the scan ends");
    Output {
        status,
        stdout: Vec::new(),
        stderr: stderr.into_bytes(),
    }
}

#[test]
fn the_token_detector_used_below_finds_tokens() {
    let t = hakaru_devices::card::synth::random_token(1);
    assert!(contains_token_like(&format!("x {t} y")));
    assert!(contains_token_like(&t.to_lowercase()));
    assert!(!contains_token_like("K1 program code 7, serial 2 / Hakaru"));
}

#[test]
fn demo_reads_every_generated_card_and_never_prints_a_token() {
    let out = hakaru()
        .args(["scan", "demo", "--cards", "3", "--seconds", "9"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    let reads: Vec<&str> = stdout.lines().filter(|l| l.contains("read: ")).collect();
    assert_eq!(reads.len(), 3, "{stdout}");
    for (i, line) in reads.iter().enumerate() {
        assert!(line.contains("Hakaru card format (program code "), "{line}");
        assert!(
            line.contains(&format!("demo card {} of 3", i + 1)),
            "{line}"
        );
    }
    assert!(stdout.contains("demo cards"), "labelled as demo: {stdout}");
    assert!(
        stdout.contains("3 枚中 3 枚を読み取り / read 3 of 3 cards"),
        "{stdout}"
    );
    assert!(!contains_token_like(&stdout), "{stdout}");
    assert!(!contains_token_like(&text(&out.stderr)));
}

#[test]
fn demo_json_reports_the_cards_fields_but_not_their_holders() {
    // With a seed the demo cards are known: the test makes the same tokens to know what each
    // card says (demo card i is `random_token(seed + i - 1)`).
    let seed = 77u64;
    let out = hakaru()
        .args(["scan", "demo", "--cards", "2", "--seed", "77", "--json"])
        .args(["--seconds", "9"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let events = json_lines(&stdout);
    let reads: Vec<&Value> = events.iter().filter(|e| e["event"] == "read").collect();
    assert_eq!(reads.len(), 2, "{stdout}");
    for (i, read) in reads.iter().enumerate() {
        let token = hakaru_devices::card::synth::random_token(seed + i as u64);
        let fields = CardToken::parse(&token).unwrap().fields();
        assert_eq!(read["demo_card"], i + 1);
        assert_eq!(read["card"], "hakaru");
        assert_eq!(read["program"], fields.program);
        assert_eq!(read["serial"], fields.serial);
        assert!(!stdout.contains(&token));
        assert!(!stdout.contains(&format!(":{},", fields.holder)));
    }
    let last = events.last().unwrap();
    assert_eq!(
        (
            &last["event"],
            &last["cards"],
            &last["read"],
            &last["missed"]
        ),
        (
            &Value::from("summary"),
            &Value::from(2),
            &Value::from(2),
            &Value::from(0)
        )
    );
    assert!(!contains_token_like(&stdout));
}

#[test]
fn serial_reader_lines_are_classified_and_ctrl_c_stops_cleanly() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _guard = runtime.enter();
    let mut pty = PtyEnd::open().unwrap();
    let holder = 4_242_424;
    let token = CardToken::from_parts(
        CardFields {
            program: 7,
            holder,
            serial: 2,
            issued_day: 20_000,
        },
        [0x3C; 10],
    )
    .encode();

    let mut child = hakaru()
        .args(["scan", "serial", "--json", "--seconds", "8", "--port"])
        .arg(pty.slave_path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = || -> Value {
        let line = lines.next().expect("more output").unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    };
    let connected = next();
    assert_eq!(connected["event"], "status", "{connected}");
    assert_eq!(connected["status"]["status"], "connected", "{connected}");
    assert_eq!(connected["reader"], "serial_reader");

    // A card line, then text that is no card, as a reader sends them (CR LF).
    let sent = format!("{token}\r\nHELLO-CARD-READER\r\n");
    let mut rest = sent.as_bytes();
    while !rest.is_empty() {
        let n = pty.try_write(rest).unwrap();
        rest = &rest[n..];
        std::thread::sleep(Duration::from_millis(5));
    }
    let card = next();
    assert_eq!(card["event"], "read", "{card}");
    assert_eq!(card["reader"], "serial_reader");
    assert_eq!(
        (&card["card"], &card["program"], &card["serial"]),
        (&Value::from("hakaru"), &Value::from(7), &Value::from(2)),
        "{card}"
    );
    assert!(card["message"]
        .as_str()
        .unwrap()
        .contains("Hakaru card format (program code 7, serial 2)"));
    let other = next();
    assert_eq!(other["card"], "not_ours", "{other}");
    assert!(other["message"].as_str().unwrap().contains("not ours"));
    assert!(other.get("program").is_none());

    ctrl_c(&child);
    let mut tail: Vec<Value> = Vec::new();
    for line in lines {
        tail.push(serde_json::from_str(&line.unwrap()).unwrap());
    }
    let out = finish(child);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        tail.first().unwrap()["status"]["status"],
        "stopped",
        "{tail:?}"
    );
    let summary = tail.last().unwrap();
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["connected"], true);
    assert_eq!(summary["reads"], 2);

    let everything = format!("{connected}{card}{other}{tail:?}{}", text(&out.stderr));
    assert!(!everything.contains(&token));
    assert!(!everything.contains(&holder.to_string()));
    assert!(
        !everything.contains("HELLO"),
        "a non-card text is not echoed either"
    );
    assert!(!contains_token_like(&everything));
}

/// The args that make `scan camera` find no camera: none on a machine without one, a name no
/// camera has otherwise.
fn no_camera_args() -> Vec<&'static str> {
    let has_video = std::fs::read_dir("/dev").is_ok_and(|d| {
        d.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("video"))
    });
    let mut args = vec!["scan", "camera"];
    if has_video {
        args.extend(["--name", "no-such-camera-for-hakaru-tests"]);
    }
    args
}

#[test]
fn a_missing_camera_is_a_status_and_exit_code_1() {
    let out = hakaru()
        .args(no_camera_args())
        .args(["--seconds", "1"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stdout.contains("カメラがありません") && stdout.contains("no camera"),
        "{stdout}"
    );
    assert!(stdout.contains("the camera never connected"), "{stdout}");
}

#[test]
fn camera_scan_ends_on_ctrl_c() {
    let mut child = hakaru()
        .args(no_camera_args())
        .args(["--json", "--seconds", "8"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // Wait until the reader has said there is no camera, then press Ctrl-C.
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
        let done = v["status"]["status"] == "no_camera";
        seen.push(v);
        if done {
            break;
        }
    }
    assert_eq!(
        seen.last().unwrap()["status"]["status"],
        "no_camera",
        "{seen:?}"
    );
    #[allow(clippy::disallowed_methods)] // measuring the real process
    let pressed = std::time::Instant::now();
    ctrl_c(&child);
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    let out = finish(child);
    assert!(
        pressed.elapsed() < Duration::from_secs(4),
        "Ctrl-C ends the scan at once, not at --seconds"
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let summary: Value = serde_json::from_str(rest.last().unwrap()).unwrap();
    assert_eq!(summary["connected"], false);
}

#[test]
fn help_says_the_kiosk_verifies_and_nothing_identifying_is_shown() {
    for mode in ["camera", "serial", "demo"] {
        let out = hakaru().args(["scan", mode, "--help"]).output().unwrap();
        assert!(out.status.success());
        let help = text(&out.stdout);
        assert!(help.contains("the kiosk verifies cards"), "{mode}: {help}");
        assert!(help.contains("名簿との照合はしません"), "{mode}: {help}");
        assert!(
            help.contains("--seconds") && help.contains("--json"),
            "{help}"
        );
    }
}
