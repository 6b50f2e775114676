//! Start → attract screen painted, and the memory (PSS) of the app with its WebKit processes
//! once it shows the attract screen. Runs the `hakaru-kiosk` binary of this profile N times
//! under a private Xvfb display with matchbox (fullscreen, like a kiosk), in demo mode with the
//! in-process simulated analyzer and no server (offline), and reads the app's own
//! "attract screen painted" log line (the UI calls `painted` after a double
//! `requestAnimationFrame`; the shell adds the time the process ran before `main`).
//!
//! ```text
//! cargo bench -p hakaru-kiosk-app --bench startup            # 10 runs
//! HAKARU_BENCH_RUNS=30 cargo bench -p hakaru-kiosk-app --bench startup
//! ```
//! Target (issue 7): < 1.0 s to the attract screen. Figures: docs/performance.md.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

#[allow(dead_code)]
#[path = "../tests/support/display.rs"]
mod display;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(ch) = chars.next() {
        if ch == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(ch);
        }
    }
    out
}

/// PSS in kB of `pid` and every descendant (the WebKit web and network processes).
fn pss_kb_tree(pid: u32) -> u64 {
    let mut total = 0;
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        if let Ok(text) = std::fs::read_to_string(format!("/proc/{p}/smaps_rollup")) {
            total += text
                .lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
                continue;
            };
            let after = &stat[stat.rfind(')').unwrap_or(0) + 1..];
            if after.split_whitespace().nth(1) == Some(&p.to_string()) {
                todo.push(child);
            }
        }
    }
    total
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` / nextest listing: nothing to run as a test
    }
    let Some(tools) = display::tools_or_skip("startup bench") else {
        return;
    };
    let runs: usize = std::env::var("HAKARU_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    let cards = dir.path().join("cards.toml");
    std::fs::write(
        &cards,
        "[[card]]\nparticipant = \"B-0001\"\ntoken = \"K1BENCH\"\nnote_ja = \"ベンチ\"\nnote_en = \"Bench\"\n",
    )
    .unwrap();
    let settings = dir.path().join("kiosk.toml");
    std::fs::write(
        &settings,
        format!(
            "[station]\nid = \"bench-01\"\ndata_dir = {data}\n\n[scale]\nmodel = \"MC-780\"\nsimulate = true\n\n\
             [cards]\ncamera = \"off\"\n\n[window]\nfullscreen = true\n\n[demo]\ncards_file = {cards}\n",
            data = serde_json::to_string(dir.path().join("station").to_str().unwrap()).unwrap(),
            cards = serde_json::to_string(cards.to_str().unwrap()).unwrap(),
        ),
    )
    .unwrap();
    let display = display::Display::start(&tools);
    std::thread::sleep(Duration::from_millis(300)); // matchbox up
    let mut painted_ms = Vec::new();
    let mut pss_mb = Vec::new();
    for run in 0..runs {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hakaru-kiosk"))
            .arg("--config")
            .arg(&settings)
            .env("DISPLAY", &display.name)
            .env("HAKARU_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let ms: u64 = loop {
            let line = strip_ansi(
                &lines
                    .next()
                    .expect("the kiosk exited before painting")
                    .unwrap(),
            );
            if line.contains("attract screen painted") {
                break line
                    .split("since_start_ms=")
                    .nth(1)
                    .and_then(|r| r.split_whitespace().next())
                    .and_then(|v| v.parse().ok())
                    .unwrap();
            }
        };
        std::thread::spawn(move || for _ in lines.by_ref() {});
        std::thread::sleep(Duration::from_secs(2)); // settle: the web process finishes loading
        let pss = pss_kb_tree(pid) as f64 / 1024.0;
        println!(
            "run {:>2}: attract painted {ms:>5} ms after start, PSS {pss:.0} MB",
            run + 1
        );
        painted_ms.push(ms);
        pss_mb.push(pss);
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        child.wait().unwrap();
    }
    painted_ms.sort_unstable();
    pss_mb.sort_by(f64::total_cmp);
    let median = painted_ms[painted_ms.len() / 2];
    println!(
        "start → attract painted: median {median} ms, min {} ms, max {} ms over {runs} runs (target < 1000 ms)",
        painted_ms[0],
        painted_ms[painted_ms.len() - 1]
    );
    println!(
        "PSS at the attract screen (app + WebKit processes): median {:.0} MB",
        pss_mb[pss_mb.len() / 2]
    );
}
