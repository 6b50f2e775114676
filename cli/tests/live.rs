//! The technician's live tools end to end, as separate processes: `hakaru simulate` prints a
//! pty path, `hakaru monitor --json` on that path reports connection and decoded readings.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn hakaru() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hakaru"))
}

#[test]
fn monitor_decodes_what_simulate_sends() {
    let mut sim = hakaru()
        .args([
            "simulate",
            "--model",
            "SC-240",
            "--no-pace",
            "--every",
            "1",
            "--for",
            "12",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("simulate starts");
    let mut first = String::new();
    BufReader::new(sim.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let path = first.trim().to_owned();
    assert!(
        path.ends_with("/tty"),
        "simulate prints the pty path first: {path:?}"
    );

    let out = hakaru()
        .args([
            "monitor", &path, "--json", "--model", "SC-240", "--for", "6",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("monitor runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(events[0]["event"], "connected");
    let readings: Vec<_> = events.iter().filter(|e| e["event"] == "reading").collect();
    assert!(
        !readings.is_empty(),
        "at least one reading in 6 s of 1 s measurements: {events:#?}"
    );
    for r in &readings {
        assert_eq!(r["data"]["model"], "SC-240");
        assert!(r["data"]["weight"].as_f64().is_some_and(|w| w > 20.0));
    }
    assert!(
        events.iter().all(|e| e["event"] != "decode_error"),
        "a clean simulator sends no bad frames"
    );
    let _ = sim.kill();
    let _ = sim.wait();
}

#[test]
fn simulate_refuses_an_unknown_fault_with_the_valid_names() {
    let out = hakaru()
        .args(["simulate", "--fault", "gremlins", "--for", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("故障名") && err.contains("bad-checksum"),
        "{err}"
    );
}

#[test]
fn monitor_on_a_missing_port_says_what_to_do_and_keeps_trying() {
    let out = hakaru()
        .args(["monitor", "/nonexistent/tty", "--json", "--for", "1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "a missing port is a state the monitor shows, not a crash"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("connect_failed"), "{text}");
    assert!(text.contains("check the cable"), "{text}");
}
