//! The link's sans-IO core: bytes and connection changes in, [`ScaleEvent`]s out. Wraps the
//! [`StreamDecoder`] and remembers which analyzer is attached, across reconnects.
//!
//! Deliberately not here: ports, tasks, clocks. [`super::driver`] and [`super::link`]
//! drive it; tests can drive it directly.

use super::event::{AnalyzerIdentity, Direction, DisconnectReason, ScaleEvent};
use crate::redact::Sensitive;
use crate::scale::{DecodeEvent, DecoderStats, LinkSettings, StreamDecoder};
use std::collections::VecDeque;
use std::path::PathBuf;

/// See the module documentation.
#[derive(Debug, Default)]
pub struct LinkState {
    decoder: StreamDecoder,
    identity: Option<AnalyzerIdentity>,
    tap_raw: bool,
    connected: bool,
    events: VecDeque<ScaleEvent>,
}

impl LinkState {
    /// A fresh state; with `tap_raw`, every chunk of traffic is also reported as
    /// [`ScaleEvent::Bytes`].
    pub fn new(tap_raw: bool) -> LinkState {
        LinkState {
            decoder: StreamDecoder::new(),
            tap_raw,
            ..LinkState::default()
        }
    }

    /// A port was opened.
    pub fn connected(&mut self, path: PathBuf, settings: LinkSettings) {
        self.connected = true;
        self.events
            .push_back(ScaleEvent::Connected { path, settings });
    }

    /// Bytes arrived.
    pub fn received(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if self.tap_raw {
            self.events.push_back(ScaleEvent::Bytes {
                direction: Direction::Received,
                data: Sensitive(bytes.to_vec()),
            });
        }
        self.decoder.push(bytes);
        self.drain_decoder();
    }

    /// Bytes were written to the port.
    pub fn sent(&mut self, bytes: &[u8]) {
        if self.tap_raw && !bytes.is_empty() {
            self.events.push_back(ScaleEvent::Bytes {
                direction: Direction::Sent,
                data: Sensitive(bytes.to_vec()),
            });
        }
    }

    /// The connection ended. A frame cut off by it becomes a [`ScaleEvent::DecodeError`]
    /// (truncated), never a reading. Does nothing when not connected.
    pub fn disconnected(&mut self, reason: DisconnectReason) {
        if !self.connected {
            return;
        }
        self.connected = false;
        self.decoder.finish();
        self.drain_decoder();
        self.events.push_back(ScaleEvent::Disconnected { reason });
    }

    /// Opening failed; the next attempt is in `retry_in`.
    pub fn connect_failed(&mut self, error: super::LinkError, retry_in: std::time::Duration) {
        self.events
            .push_back(ScaleEvent::ConnectFailed { error, retry_in });
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<ScaleEvent> {
        self.events.pop_front()
    }

    /// Whether a port is open.
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// The analyzer as far as frames have told.
    pub fn identity(&self) -> Option<&AnalyzerIdentity> {
        self.identity.as_ref()
    }

    /// The decoder's counters (bytes in, accepted, rejected, skipped).
    pub fn stats(&self) -> DecoderStats {
        self.decoder.stats()
    }

    fn drain_decoder(&mut self) {
        while let Some(event) = self.decoder.poll_event() {
            match event {
                DecodeEvent::Reading { reading } => {
                    if let Some(seen) = AnalyzerIdentity::of(&reading) {
                        self.identify(seen);
                    }
                    self.events.push_back(ScaleEvent::Reading(reading));
                }
                DecodeEvent::Weight { weight } => self.events.push_back(ScaleEvent::Weight(weight)),
                DecodeEvent::Reply { reply } => self.events.push_back(ScaleEvent::Reply(reply)),
                DecodeEvent::Status { status } => {
                    self.events.push_back(ScaleEvent::Status(status));
                }
                DecodeEvent::Rejected { error, bytes } => {
                    tracing::debug!(%error, bytes, "line rejected");
                    self.events
                        .push_back(ScaleEvent::DecodeError { error, bytes });
                }
            }
        }
    }

    fn identify(&mut self, seen: AnalyzerIdentity) {
        match &mut self.identity {
            None => {
                tracing::info!(analyzer = %seen, "analyzer identified");
                self.events.push_back(ScaleEvent::Identified {
                    model: seen.model.clone(),
                    serial_number: seen.serial_number.clone(),
                });
                self.identity = Some(seen);
            }
            Some(known) if known.conflicts_with(&seen) => {
                tracing::warn!(previous = %known, current = %seen, "analyzer changed");
                let previous = std::mem::replace(known, seen.clone());
                self.events.push_back(ScaleEvent::AnalyzerChanged {
                    previous,
                    current: seen,
                });
            }
            Some(known) => {
                let refined = (known.model.is_none() && seen.model.is_some())
                    || (known.serial_number.is_none() && seen.serial_number.is_some());
                if refined {
                    known.model = known.model.take().or(seen.model);
                    known.serial_number = known.serial_number.take().or(seen.serial_number);
                    self.events.push_back(ScaleEvent::Identified {
                        model: known.model.clone(),
                        serial_number: known.serial_number.clone(),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scale::tanita::FrameError;
    use crate::scale::DecodeError;

    const F2: &[u8] = b"{0,16,~0,1,MO,\"MC-780\",ID,\"0000000000000000\",DT,\"2026/06/03\",TI,\"15:22\",Pt,0.0,Wk,67.8,CS,57\r\n";

    fn drain(s: &mut LinkState) -> Vec<ScaleEvent> {
        std::iter::from_fn(|| s.poll_event()).collect()
    }

    #[test]
    fn first_reading_identifies_then_only_readings() {
        let mut s = LinkState::new(false);
        s.connected("/dev/null".into(), LinkSettings::TANITA_DEFAULT);
        s.received(F2);
        s.received(F2);
        let events = drain(&mut s);
        assert!(matches!(events[0], ScaleEvent::Connected { .. }));
        assert!(matches!(
            &events[1],
            ScaleEvent::Identified { model: Some(m), serial_number: None } if m == "MC-780"
        ));
        assert!(matches!(events[2], ScaleEvent::Reading(_)));
        assert!(matches!(events[3], ScaleEvent::Reading(_)));
        assert_eq!(events.len(), 4);
    }

    #[test]
    fn a_cut_frame_is_reported_on_disconnect_and_only_once() {
        let mut s = LinkState::new(true);
        s.connected("/dev/null".into(), LinkSettings::TANITA_DEFAULT);
        s.received(&F2[..40]);
        s.disconnected(DisconnectReason::DeviceGone);
        s.disconnected(DisconnectReason::DeviceGone);
        let events = drain(&mut s);
        assert!(matches!(
            events[1],
            ScaleEvent::Bytes {
                direction: Direction::Received,
                ..
            }
        ));
        assert!(matches!(
            events[2],
            ScaleEvent::DecodeError {
                error: DecodeError::Frame(FrameError::Truncated),
                bytes: 40
            }
        ));
        assert!(matches!(
            events[3],
            ScaleEvent::Disconnected {
                reason: DisconnectReason::DeviceGone
            }
        ));
        assert_eq!(events.len(), 4);
        assert!(!s.is_connected());
    }
}
