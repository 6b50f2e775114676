//! Latency from the last byte of a frame written on a pseudo-terminal to the decoded
//! `ScaleEvent::Reading` coming out of the link — the whole stack: termios port, `AsyncFd`,
//! stream decoder, link task, event channel.
//!
//! A bench binary, not a test: it prints p50/p90/p99/max over many frames; the figures go in
//! docs/performance.md. Run: `cargo bench -p hakaru-devices --bench latency`
//! (`HAKARU_LATENCY_SAMPLES=N` to change the sample count; default 2000).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::disallowed_methods)]

use hakaru_devices::scale::fixtures::F1;
use hakaru_devices::scale::LinkSettings;
use hakaru_devices::serial::{LinkOptions, ScaleEvent, ScaleLink};
use std::io::Write;
use std::time::{Duration, Instant};

fn main() {
    // cargo bench passes `--bench`; criterion-style filters are not supported here.
    let samples: usize = std::env::var("HAKARU_LATENCY_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let frame = frame_bytes();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut latencies = runtime.block_on(measure(&frame, samples));
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "pty → decoded reading latency, {} frames of {} bytes (F1 MC-780A)",
        latencies.len(),
        frame.len()
    );
    println!("  p50 {:>9.3} ms", ms(pct(0.50)));
    println!("  p90 {:>9.3} ms", ms(pct(0.90)));
    println!("  p99 {:>9.3} ms", ms(pct(0.99)));
    println!("  max {:>9.3} ms", ms(*latencies.last().unwrap()));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn frame_bytes() -> Vec<u8> {
    let frame = [F1, b"\r\n"].concat();
    assert_eq!(
        frame.len(),
        1273,
        "F1 is 1,271 bytes plus CR LF (reference §0 item 10)"
    );
    frame
}

async fn measure(frame: &[u8], samples: usize) -> Vec<Duration> {
    let pty = nix::pty::openpty(None, None).unwrap();
    let slave_path = nix::unistd::ttyname(&pty.slave).unwrap();
    let mut master = std::fs::File::from(pty.master);
    let mut link = ScaleLink::open(
        &slave_path,
        LinkSettings::TANITA_DEFAULT,
        LinkOptions::default(),
    );
    loop {
        if let Some(ScaleEvent::Connected { .. }) = link.next_event().await {
            break;
        }
    }
    let mut out = Vec::with_capacity(samples);
    // A few frames to warm up, then the measured ones.
    for i in 0..samples + 20 {
        master.write_all(frame).unwrap();
        let written = Instant::now();
        loop {
            match tokio::time::timeout(Duration::from_secs(5), link.next_event()).await {
                Ok(Some(ScaleEvent::Reading(_))) => break,
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => panic!("no reading within 5 s"),
            }
        }
        if i >= 20 {
            out.push(written.elapsed());
        }
    }
    drop(pty.slave);
    out
}
