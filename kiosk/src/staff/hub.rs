//! The staff window's events: one place they are published, keeping what a new subscriber must
//! be told (replay) and sending everything live, like the participant window's hub. Personal
//! data (registrations, the queue) is kept and replayed only while someone is signed in, and
//! dropped at sign-out.
//!
//! Deliberately not here: deciding what to publish (the console's modules do).

use crate::staff_view::{StaffEvent, StaffSessionView};
use std::sync::{Mutex, PoisonError};
use tokio::sync::broadcast;

/// Live events a slow staff window may fall behind by.
const LIVE_CAPACITY: usize = 512;

/// What [`crate::Kiosk::staff_subscribe`] gives: the state now, then everything after it.
#[derive(Debug)]
pub struct StaffSubscription {
    /// The current state, in the order to apply it (the session first).
    pub replay: Vec<StaffEvent>,
    /// Every event after the replay.
    pub live: broadcast::Receiver<StaffEvent>,
}

#[derive(Default)]
struct StaffState {
    session: Option<StaffSessionView>,
    idle: Option<StaffEvent>,
    rules: Option<StaffEvent>,
    purposes: Option<StaffEvent>,
    registrations: Option<StaffEvent>,
    queue: Option<StaffEvent>,
    scale: Option<StaffEvent>,
    sync: Option<StaffEvent>,
    gate: Option<StaffEvent>,
    calibration: Option<StaffEvent>,
    analyzer: Option<StaffEvent>,
}

impl StaffState {
    fn apply(&mut self, event: &StaffEvent) {
        let keep = Some(event.clone());
        match event {
            StaffEvent::Session(s) => {
                if s.is_none() {
                    // Nobody signed in: nothing personal stays, nothing of the last person's.
                    self.registrations = None;
                    self.queue = None;
                    self.calibration = None;
                    self.idle = None;
                }
                self.session = s.clone();
            }
            StaffEvent::Idle { remaining_ms } => {
                self.idle = remaining_ms.is_some().then_some(event.clone());
            }
            StaffEvent::Rules(_) => self.rules = keep,
            StaffEvent::Purposes(_) => self.purposes = keep,
            StaffEvent::Registrations(_) => self.registrations = keep,
            StaffEvent::Queue(_) => self.queue = keep,
            StaffEvent::Scale(_) => self.scale = keep,
            StaffEvent::Sync(_) => self.sync = keep,
            StaffEvent::Gate(_) => self.gate = keep,
            StaffEvent::Calibration(_) => self.calibration = keep,
            StaffEvent::Analyzer(_) => self.analyzer = keep,
            StaffEvent::SignedOut { .. } | StaffEvent::Tap(_) | StaffEvent::CardTest(_) => {}
        }
    }

    fn replay(&self) -> Vec<StaffEvent> {
        let mut out = vec![StaffEvent::Session(self.session.clone())];
        let signed_in = self.session.is_some();
        let personal = [
            &self.registrations,
            &self.queue,
            &self.calibration,
            &self.idle,
        ];
        let shared = [
            &self.rules,
            &self.purposes,
            &self.scale,
            &self.sync,
            &self.gate,
            &self.analyzer,
        ];
        out.extend(shared.into_iter().flatten().cloned());
        if signed_in {
            out.extend(personal.into_iter().flatten().cloned());
        }
        out
    }
}

/// See the module documentation.
pub(crate) struct StaffHub {
    state: Mutex<StaffState>,
    live: broadcast::Sender<StaffEvent>,
}

impl StaffHub {
    pub(crate) fn new() -> StaffHub {
        StaffHub {
            state: Mutex::new(StaffState::default()),
            live: broadcast::channel(LIVE_CAPACITY).0,
        }
    }

    /// Tells every subscriber. Personal events are dropped while nobody is signed in.
    pub(crate) fn publish(&self, event: StaffEvent) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let personal = matches!(
            event,
            StaffEvent::Registrations(_) | StaffEvent::Queue(_) | StaffEvent::Calibration(_)
        );
        if personal && state.session.is_none() {
            return;
        }
        state.apply(&event);
        tracing::trace!(?event, "staff publish");
        let _ = self.live.send(event);
    }

    pub(crate) fn subscribe(&self) -> StaffSubscription {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        StaffSubscription {
            replay: state.replay(),
            live: self.live.subscribe(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::staff_view::QueueEntry;

    fn someone() -> StaffSessionView {
        StaffSessionView {
            login: "sato".to_owned(),
            display_name: "佐藤".to_owned(),
            role: "staff".to_owned(),
            may_register: true,
            may_service: false,
            idle_timeout_secs: 300,
        }
    }

    fn queue() -> StaffEvent {
        StaffEvent::Queue(vec![QueueEntry {
            participant: "P-000001".to_owned(),
            state: "waiting".to_owned(),
            weight_only: false,
        }])
    }

    #[test]
    fn personal_data_is_kept_only_while_someone_is_signed_in() {
        let hub = StaffHub::new();
        hub.publish(queue());
        assert_eq!(hub.subscribe().replay, vec![StaffEvent::Session(None)]);
        hub.publish(StaffEvent::Session(Some(someone())));
        hub.publish(queue());
        let replay = hub.subscribe().replay;
        assert_eq!(replay.len(), 2);
        assert_eq!(replay[1], queue());
        hub.publish(StaffEvent::Session(None));
        assert_eq!(hub.subscribe().replay, vec![StaffEvent::Session(None)]);
    }
}
