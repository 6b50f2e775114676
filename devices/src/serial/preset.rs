//! Driving a [`PresetExchange`] over a running [`ScaleLink`]: write what it asks to send, feed
//! it the replies and statuses, call its timeouts. Deliberately not here: the exchange's rules
//! (sans-IO, [`crate::scale::exchange`]) and what to do with the measurement that follows.

use super::{ScaleEvent, ScaleLink};
use crate::scale::exchange::{ExchangeError, ExchangeEvent, PresetExchange};
use std::time::Duration;
use tokio::time::Instant;

/// Why driving the exchange stopped without the analyzer measuring.
#[derive(Debug, thiserror::Error)]
pub enum PresetError {
    /// The exchange itself failed (refusal, no reply, device error).
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
    /// A command could not be written.
    #[error(transparent)]
    Send(#[from] super::SendError),
    /// The link closed.
    #[error("リンクが閉じました / the serial link closed: reopen the port")]
    LinkClosed,
}

/// Runs `exchange` to its end on `link`. Events that are not part of the exchange (raw bytes,
/// connection changes, a frame) are returned in order so the caller loses nothing.
pub async fn run_preset(
    link: &mut ScaleLink,
    mut exchange: PresetExchange,
) -> Result<Vec<ScaleEvent>, (PresetError, Vec<ScaleEvent>)> {
    let commands = link.commands();
    let mut other = Vec::new();
    loop {
        while let Some(bytes) = exchange.poll_transmit() {
            if let Err(e) = commands.send_bytes(bytes).await {
                return Err((e.into(), other));
            }
        }
        match exchange.poll_event() {
            Some(ExchangeEvent::Measuring) => return Ok(other),
            Some(ExchangeEvent::Failed(e)) => return Err((e.into(), other)),
            None => {}
        }
        let due = exchange.poll_timeout();
        let wait = due.map_or(Duration::from_secs(5), |t| {
            t.saturating_duration_since(now_std())
        });
        match tokio::time::timeout_at(Instant::now() + wait, link.next_event()).await {
            Ok(Some(ScaleEvent::Reply(r))) => exchange.handle_reply(&r, now_std()),
            Ok(Some(ScaleEvent::Status(s))) => exchange.handle_status(s, now_std()),
            Ok(Some(e)) => other.push(e),
            Ok(None) => return Err((PresetError::LinkClosed, other)),
            Err(_) => exchange.handle_timeout(now_std()),
        }
    }
}

/// The driver is the one place that reads the clock for the sans-IO exchange.
#[allow(clippy::disallowed_methods)] // the async driver injects wall time into the sans-IO core
fn now_std() -> std::time::Instant {
    std::time::Instant::now()
}
