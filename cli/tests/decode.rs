//! Runs the built `hakaru` binary on capture files and checks its JSON lines, summary and exit
//! codes. The frames are the reference's §6 fixtures; the bad one is F5 with `CS,FE`.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const F2: &[u8] =
    b"{0,16,~0,1,MO,\"MC-780\",ID,\"0000000000000000\",DT,\"2026/06/03\",TI,\"15:22\",\
Pt,0.0,Wk,67.8,CS,57";
const F5: &[u8] = b"{0,16,~0,1,~1,1,~2,1,MO,\"SC-240\",SN,\"00000002\",Bt,0,GE,1,AG,30,Hm,170,\
Pt,0.0,Wk,82.7,FW,18.6,fW,15.4,MW,67.3,mW,64.0,sW,19,bW,3.3,wW,48.0,ww,58.0,MI,28.6,Sw,63.6,\
OV,30.0,IF,6,rb,8255,rB,1973,rJ,12,rA,28,ZF,369.4,CS,FD";
const F6: &[u8] =
    b"{0,16,~0,1,MO,\"PW-650\",Da,\"30/04/2020\",TI,\"20:02\",Wk,58.1,Pt,2.0,Ta,0.0,CS,D6";

fn hakaru() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hakaru"));
    c.env_remove("HAKARU_LOG");
    c
}

fn line(bytes: &[u8]) -> Vec<u8> {
    [bytes, b"\r\n"].concat()
}

/// F2, noise, F5, a reply, F5 with a wrong checksum, a status, a weight line, F6.
fn capture() -> Vec<u8> {
    let bad_f5 = [&F5[..F5.len() - 2], b"FE"].concat();
    [
        line(F2),
        b"\x00\x13junk".to_vec(),
        line(b""),
        line(F5),
        line(b"D0"),
        line(&bad_f5),
        line(b"E2"),
        line(b"ST,GS,+0065.30kg"),
        line(F6),
    ]
    .concat()
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .expect("stdout is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn run_on(bytes: &[u8]) -> Output {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(bytes).expect("write capture");
    file.flush().expect("flush capture");
    hakaru()
        .arg("decode")
        .arg(file.path())
        .output()
        .expect("run hakaru")
}

#[test]
fn decodes_a_capture_into_json_lines_and_fails_on_a_rejected_frame() {
    let out = run_on(&capture());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "rejected frame ⇒ exit 1; {stderr}"
    );
    let events = json_lines(&out);
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["reading", "reading", "reply", "rejected", "status", "weight", "reading"]
    );

    let f2 = &events[0]["reading"];
    assert_eq!(f2["model"], "MC-780");
    assert_eq!(f2["weight"], 67.8);
    assert_eq!(f2["device_date"]["year"], 2026);
    assert_eq!(f2["raw"], std::str::from_utf8(F2).unwrap());

    let f5 = &events[1]["reading"];
    assert_eq!(f5["model"], "SC-240");
    assert_eq!(f5["serial_number"], "00000002");
    assert_eq!(f5["fat_percent"], 18.6);
    assert_eq!(f5["impedances"][0]["ohms"], 369.4);

    assert_eq!(events[2]["reply"]["reply"], "accepted");
    assert_eq!(events[2]["reply"]["command"], "D0");

    let bad = &events[3];
    assert_eq!(bad["error"]["error"], "frame");
    assert_eq!(bad["error"]["kind"], "checksum_mismatch");
    assert_eq!(bad["error"]["expected"], 0xFD);
    assert_eq!(bad["error"]["actual"], 0xFE);
    assert_eq!(bad["bytes"], F5.len());
    assert!(bad["reason"]
        .as_str()
        .unwrap()
        .contains("checksum mismatch"));
    let advice = bad["advice"].as_str().unwrap();
    assert!(
        advice.contains("ボーレート") && advice.contains("baud rate"),
        "{advice}"
    );

    assert_eq!(events[4]["status"]["status"], "error");
    assert_eq!(events[4]["status"]["code"], "impedance_error");
    assert_eq!(events[5]["weight"]["value"], 65.3);
    assert_eq!(events[5]["weight"]["format"], "and_standard");
    assert_eq!(events[6]["reading"]["tare_weight"], 0.0);

    let summary = stderr
        .lines()
        .find(|l| l.contains("summary"))
        .unwrap_or_else(|| panic!("no summary on stderr: {stderr}"));
    // Skipped = the 6 noise bytes + the rejected frame's bytes (the decoder counts both).
    let expected = format!("3 frames, 1 rejected, {} bytes skipped", 6 + F5.len());
    assert!(summary.contains(&expected), "{summary}");
    assert!(summary.contains("概要"), "{summary}");
    // Logs and the summary never show a measured value.
    for value in ["67.8", "82.7", "58.1", "65.3"] {
        assert!(!stderr.contains(value), "stderr leaks {value}: {stderr}");
    }
}

#[test]
fn a_clean_capture_exits_zero_and_stdin_works() {
    let clean = [line(F6), line(F2)].concat();
    let mut child = hakaru()
        .args(["decode", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&clean).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = json_lines(&out);
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["reading"]["model"], "PW-650");
    assert_eq!(events[1]["reading"]["model"], "MC-780");
}

#[test]
fn a_cut_frame_at_the_end_is_rejected_as_truncated() {
    let out = run_on(&[line(F6), F2[..40].to_vec()].concat());
    assert_eq!(out.status.code(), Some(1));
    let events = json_lines(&out);
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["error"]["kind"], "truncated");
    assert!(events[1]["advice"]
        .as_str()
        .unwrap()
        .contains("measure again"));
}

#[test]
fn a_missing_file_says_what_to_do() {
    let out = hakaru()
        .args(["decode", "/nonexistent/capture.bin"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("開けません"), "{stderr}");
    assert!(stderr.contains("check the path"), "{stderr}");
}

#[test]
fn help_is_bilingual_on_every_command() {
    for args in [&["--help"][..], &["decode", "--help"], &["decode", "-h"]] {
        let out = hakaru().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("キャプチャ"),
            "{args:?}: no Japanese in\n{text}"
        );
        assert!(text.contains("capture"), "{args:?}: no English in\n{text}");
    }
    let top = hakaru().arg("--help").output().unwrap();
    let text = String::from_utf8(top.stdout).unwrap();
    assert!(
        text.contains("キャプチャを解析 / Decode a byte capture"),
        "{text}"
    );
}

#[test]
fn no_subcommand_is_a_usage_error() {
    let out = hakaru().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Usage"));
}
