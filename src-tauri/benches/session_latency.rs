//! Last scale byte → results painted: the kiosk app (release `hakaru-kiosk`) in its real window
//! under a private Xvfb + matchbox, driven through tauri-driver/WebKitWebDriver, the real
//! `hakaru-central` on loopback, a handheld card reader on a pty, and a simulated MC-780 on a
//! pty run by this process. Each session: card → safety "no" → guidance → the analyzer
//! measures; the bench reads `CLOCK_MONOTONIC` right after the `write` that carried the result
//! frame's last byte, and the app logs the same clock when the UI reports the results screen
//! painted (`painted("results")` after a double `requestAnimationFrame`). One warm-up visit
//! first (it also records the consent, so the measured visits skip that screen); the kiosk is
//! back on the attract screen before each measured visit.
//!
//! ```text
//! cargo build --release -p hakaru-central   # the server binary the bench starts
//! cargo bench -p hakaru-kiosk-app --bench session_latency                  # 50 sessions
//! HAKARU_BENCH_SESSIONS=200 cargo bench -p hakaru-kiosk-app --bench session_latency
//! ```
//! Target (issue 7): < 150 ms. Figures: docs/performance.md.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

mod support;

use std::time::Duration;
use support::{env_usize, quantile, Rig};

fn ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

fn summary(what: &str, values: &mut [f64]) {
    values.sort_by(f64::total_cmp);
    if values.is_empty() {
        println!("{what}: no samples");
        return;
    }
    println!(
        "{what}: median {:.1} ms, p95 {:.1} ms, max {:.1} ms, min {:.1} ms (n = {})",
        quantile(values, 0.5),
        quantile(values, 0.95),
        values[values.len() - 1],
        values[0],
        values.len()
    );
}

fn main() {
    if support::listing_only() {
        return;
    }
    let sessions = env_usize("HAKARU_BENCH_SESSIONS", 50);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let Some(mut rig) = Rig::start(
            "session latency bench",
            1,
            Duration::from_millis(300),
            "thank_you_secs = 1",
        )
        .await
        else {
            return;
        };
        rig.visit(0).await; // warm-up, with the consent
        rig.wait_attract().await;
        let mut total = Vec::new();
        let mut to_saving = Vec::new();
        let mut saving_to_results = Vec::new();
        for i in 0..sessions {
            let v = rig.visit(0).await;
            let latency = ms(v.results.saturating_sub(v.last_byte));
            if let Some(s) = v.saving {
                to_saving.push(ms(s.saturating_sub(v.last_byte)));
                saving_to_results.push(ms(v.results.saturating_sub(s)));
            }
            println!(
                "session {:>3}: last byte → results painted {latency:.1} ms{}",
                i + 1,
                v.saving.map_or(String::new(), |s| format!(
                    " (→ saving painted {:.1} ms)",
                    ms(s.saturating_sub(v.last_byte))
                ))
            );
            total.push(latency);
            rig.wait_attract().await;
        }
        summary(
            "last scale byte → results painted (target < 150 ms)",
            &mut total,
        );
        summary(
            "  of which: last byte → 'saving' step painted",
            &mut to_saving,
        );
        summary(
            "  of which: 'saving' painted → results painted",
            &mut saving_to_results,
        );
        println!("consent screens: {} (the warm-up only)", rig.consents);
        println!("card reads not taken (read again): {}", rig.rescans);
        rig.keep_log();
        rig.client.clone().close().await.unwrap();
    });
}
