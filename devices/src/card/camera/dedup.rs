//! One read per card shown: a card held in front of the camera is decoded in many frames, and
//! must reach the station once (sans-IO: the time is passed in).
//!
//! Deliberately not here: the clock and the decode thread ([`super::reader`]).

use std::fmt;
use std::time::{Duration, Instant};

/// Remembers the texts seen in the last `window`. A text is a new read when it has not been
/// seen for `window`: a card held up for ten seconds is one read, the same card taken away and
/// shown again after `window` is a second read, a different card is a read at once.
pub struct ReadDedup {
    window: Duration,
    /// Text and when it was last seen; a handful of entries at most.
    seen: Vec<(String, Instant)>,
}

impl ReadDedup {
    /// Forgets a text `window` after it was last seen.
    pub fn new(window: Duration) -> ReadDedup {
        ReadDedup {
            window,
            seen: Vec::new(),
        }
    }

    /// `text` was decoded at `now`: whether it is a new read.
    pub fn accept(&mut self, text: &str, now: Instant) -> bool {
        let window = self.window;
        self.seen
            .retain(|(_, at)| now.saturating_duration_since(*at) < window);
        match self.seen.iter_mut().find(|(t, _)| t == text) {
            Some((_, at)) => {
                *at = (*at).max(now);
                false
            }
            None => {
                self.seen.push((text.to_owned(), now));
                true
            }
        }
    }

    /// Texts remembered at the moment.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

impl fmt::Debug for ReadDedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The texts are card tokens: never shown.
        f.debug_struct("ReadDedup")
            .field("window", &self.window)
            .field("remembered", &self.seen.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> Instant {
        #[allow(clippy::disallowed_methods)] // a fixed base; every later time is t0 + offset
        Instant::now()
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_card_held_up_is_one_read_and_shown_again_later_is_another() {
        let t = t0();
        let mut d = ReadDedup::new(ms(3000));
        assert!(d.accept("K1A", t));
        // Seen in frame after frame for ten seconds: still one read.
        for i in 1..=300 {
            assert!(!d.accept("K1A", t + ms(i * 33)), "frame {i}");
        }
        let last_seen = t + ms(300 * 33);
        assert!(!d.accept("K1A", last_seen + ms(2999)));
        // Taken away for 3 s after it was last seen, shown again: a new read.
        assert!(d.accept("K1A", last_seen + ms(2999) + ms(3000)));
    }

    #[test]
    fn a_different_card_is_a_read_at_once() {
        let t = t0();
        let mut d = ReadDedup::new(ms(3000));
        assert!(d.accept("K1A", t));
        assert!(d.accept("K1B", t + ms(10)));
        assert!(!d.accept("K1A", t + ms(20)));
        assert!(!d.accept("K1B", t + ms(30)));
    }

    #[test]
    fn forgets_old_texts() {
        let t = t0();
        let mut d = ReadDedup::new(ms(100));
        for i in 0..50 {
            d.accept(&format!("K1{i}"), t + ms(i * 10));
        }
        assert!(d.len() <= 10, "{}", d.len());
        assert!(!format!("{d:?}").contains("K1"));
    }

    #[test]
    fn a_zero_window_reports_every_sighting() {
        let t = t0();
        let mut d = ReadDedup::new(Duration::ZERO);
        assert!(d.accept("K1A", t));
        assert!(d.accept("K1A", t));
    }
}
