//! Helpers the kiosk's integration tests share: starting a kiosk from a settings file and
//! waiting for its events, every wait bounded so a hang fails instead of stalling CI.
//!
//! Deliberately not here: settings files, stores and servers (each suite makes its own) and
//! assertions about a scenario.

use hakaru_kiosk::view::{KioskEvent, Screen};
use hakaru_kiosk::{Kiosk, KioskSetup};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::broadcast;

/// The longest any single wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// Starts the kiosk from the settings file at `config` on the test's runtime.
pub fn start(config: PathBuf) -> Kiosk {
    Kiosk::start(
        KioskSetup::load(Some(config)),
        &tokio::runtime::Handle::current(),
    )
}

/// The next screen the kiosk shows.
pub async fn next_screen(live: &mut broadcast::Receiver<KioskEvent>, what: &str) -> Screen {
    next(live, what, |e| match e {
        KioskEvent::Screen(s) => Some(s.clone()),
        _ => None,
    })
    .await
}

/// The first live event `pick` accepts, within [`WAIT`].
pub async fn next<T>(
    live: &mut broadcast::Receiver<KioskEvent>,
    what: &str,
    pick: impl FnMut(&KioskEvent) -> Option<T>,
) -> T {
    next_within(WAIT, live, what, pick).await
}

/// The first live event `pick` accepts, within `limit`; a lagging or closed channel fails.
pub async fn next_within<T>(
    limit: Duration,
    live: &mut broadcast::Receiver<KioskEvent>,
    what: &str,
    mut pick: impl FnMut(&KioskEvent) -> Option<T>,
) -> T {
    tokio::time::timeout(limit, async {
        loop {
            let e = live
                .recv()
                .await
                .unwrap_or_else(|e| panic!("the live channel failed waiting for {what}: {e}"));
            if let Some(t) = pick(&e) {
                return t;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}
