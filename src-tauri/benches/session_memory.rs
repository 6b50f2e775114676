//! Memory of the kiosk app over many sessions: PSS (`/proc/PID/smaps_rollup`) summed over the
//! `hakaru-kiosk` process and all its descendants (WebKitWebProcess, WebKitNetworkProcess)
//! after the first session and after N sessions (every 100 printed too). The app (release) runs
//! in its real window under a private Xvfb + matchbox, driven through
//! tauri-driver/WebKitWebDriver, with the real `hakaru-central` on loopback, a handheld card
//! reader on a pty and a simulated MC-780 on a pty run by this process. Five participants take
//! turns; each visit: card → (consent, first visit only) → safety "no" → guidance → a 100 ms
//! measurement → results → finish → thank you (1 s) → attract, then the next card. (Reading the
//! next card while the thank-you shows, as a queue of people would, leaves the kiosk on the
//! attract screen taking no card: "a session started without a verified card", reported to the
//! runtime's owner; hence the wait.) Before each PSS reading the kiosk idles 2 s on the attract
//! screen. Every `HAKARU_BENCH_EVERY` (100) sessions a PSS line is printed.
//!
//! ```text
//! cargo build --release -p hakaru-central   # the server binary the bench starts
//! cargo bench -p hakaru-kiosk-app --bench session_memory                   # 1000 sessions
//! HAKARU_BENCH_SESSIONS=300 cargo bench -p hakaru-kiosk-app --bench session_memory
//! ```
//! Targets (issue 7): < 300 MB after 1,000 sessions, growth < 5 % over the first session.
//! Figures: docs/performance.md.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

mod support;

use std::time::Duration;
use support::{env_usize, monotonic_ns, pss_tree, Rig};

const PARTICIPANTS: usize = 5;

/// Back on the attract screen, idle for a moment, then the PSS of the app's tree (MB), printed
/// with each process.
async fn settle_and_measure(rig: &mut Rig, pid: u32, after: usize, started_ns: u64) -> f64 {
    rig.wait_attract().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (kb, each) = pss_tree(pid);
    let mb = kb as f64 / 1024.0;
    let parts: Vec<String> = each
        .iter()
        .map(|(name, kb)| format!("{name} {:.0}", *kb as f64 / 1024.0))
        .collect();
    println!(
        "after {after:>4} sessions ({:>5.0} s): PSS {mb:.1} MB ({} MB)",
        (monotonic_ns() - started_ns) as f64 / 1e9,
        parts.join(", ")
    );
    mb
}

fn main() {
    if support::listing_only() {
        return;
    }
    let sessions = env_usize("HAKARU_BENCH_SESSIONS", 1000).max(1);
    let every = env_usize("HAKARU_BENCH_EVERY", 100).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let Some(mut rig) = Rig::start(
            "session memory bench",
            PARTICIPANTS,
            Duration::from_millis(100),
            "thank_you_secs = 1",
        )
        .await
        else {
            return;
        };
        let pid = rig.app_pid();
        let started = monotonic_ns();
        rig.visit(0).await;
        let first = settle_and_measure(&mut rig, pid, 1, started).await;
        let mut last = first;
        for i in 2..=sessions {
            rig.visit(i - 1).await;
            if i % every == 0 || i == sessions {
                last = settle_and_measure(&mut rig, pid, i, started).await;
            } else {
                rig.wait_attract().await;
            }
        }
        let elapsed = (monotonic_ns() - started) as f64 / 1e9;
        let growth = (last - first) / first * 100.0;
        println!(
            "PSS after session 1: {first:.1} MB; after session {sessions}: {last:.1} MB \
             (target < 300 MB); growth {growth:+.1} % (target < 5 %)"
        );
        println!(
            "{sessions} sessions in {elapsed:.0} s ({:.2} s each, PSS pauses included); \
             consent screens: {}",
            elapsed / sessions as f64,
            rig.consents
        );
        println!("card reads not taken (read again): {}", rig.rescans);
        rig.keep_log();
        rig.client.clone().close().await.unwrap();
    });
}
