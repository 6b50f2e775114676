//! The hand-over from the capture thread to the decode thread: room for one frame, the newest.
//! A frame the decoder had no time for is replaced (and counted by the caller), so decoding
//! never lags behind the camera.
//!
//! Deliberately not here: what the frames are for ([`super::reader`]).

use crate::card::frame::GrayFrame;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

#[derive(Debug, Default)]
struct State {
    frame: Option<GrayFrame>,
    closed: bool,
}

/// See the module documentation.
#[derive(Debug, Default)]
pub struct LatestSlot {
    state: Mutex<State>,
    ready: Condvar,
}

impl LatestSlot {
    /// An empty, open slot.
    pub fn new() -> LatestSlot {
        LatestSlot::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a plain Option and a flag: still coherent after a panic elsewhere.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Puts `frame` in the slot; whether it replaced a frame nobody took.
    pub fn put(&self, frame: GrayFrame) -> bool {
        let replaced = self.lock().frame.replace(frame).is_some();
        self.ready.notify_one();
        replaced
    }

    /// Waits for a frame; `None` once the slot is closed.
    pub fn take(&self) -> Option<GrayFrame> {
        let mut state = self.lock();
        loop {
            if state.closed {
                return None;
            }
            if let Some(frame) = state.frame.take() {
                return Some(frame);
            }
            state = self
                .ready
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Wakes every waiter; [`LatestSlot::take`] returns `None` from now on.
    pub fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        state.frame = None;
        drop(state);
        self.ready.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn keeps_only_the_newest_frame() {
        let slot = LatestSlot::new();
        assert!(!slot.put(GrayFrame::filled(1, 1, 1)));
        assert!(slot.put(GrayFrame::filled(1, 1, 2)));
        assert_eq!(slot.take().unwrap().data, [2]);
        assert!(!slot.put(GrayFrame::filled(1, 1, 3)));
    }

    #[test]
    fn close_wakes_a_waiting_taker() {
        let slot = Arc::new(LatestSlot::new());
        let taker = {
            let slot = Arc::clone(&slot);
            std::thread::spawn(move || slot.take())
        };
        std::thread::sleep(std::time::Duration::from_millis(20));
        slot.close();
        assert_eq!(taker.join().unwrap(), None);
    }
}
