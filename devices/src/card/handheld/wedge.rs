//! Telling a keyboard-wedge reader from a person at the keyboard, sans-IO: key events as the
//! web UI forwards them go in ([`WedgeClassifier::push`]), a [`CardRead`] or the reason a burst
//! was dropped comes out.
//!
//! A burst is a card read only if every gap between its characters is at most
//! [`WedgeOptions::max_gap_ms`] (readers: ~7–8 ms, sometimes 16 ms; people: 50 ms and more),
//! it has at least [`WedgeOptions::min_chars`] characters, Enter follows the last character
//! within [`WedgeOptions::max_enter_gap_ms`], and [`CardToken::parse`] does not call it
//! [`TokenError::NotOurs`]. A slower gap starts a new burst, so keys typed before a scan do not
//! spoil it. Timing decides "reader or person"; the station's signature check decides
//! "genuine or not" (a damaged card is still delivered, and the station says "try again").
//!
//! Deliberately not here: capturing keys (the web UI listens on `document` while no text field
//! is focused) and the layout table ([`super::keymap`]). No text in logs: drops are counted.

use super::keymap::{us_key, Key};
use crate::card::{CardRead, ReadVia};
use hakaru_wire::card::{CardToken, TokenError};
use std::fmt;

/// One `keydown` as the web UI forwards it.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KeyEvent {
    /// `KeyboardEvent.code`: the physical key, e.g. `KeyA`, `Digit7`, `Enter`, `ShiftLeft`.
    pub code: String,
    /// `KeyboardEvent.shiftKey`.
    pub shift: bool,
    /// `KeyboardEvent.timeStamp` in milliseconds (any monotonic origin).
    pub at_ms: f64,
}

impl KeyEvent {
    /// A key event.
    pub fn new(code: impl Into<String>, shift: bool, at_ms: f64) -> KeyEvent {
        KeyEvent {
            code: code.into(),
            shift,
            at_ms,
        }
    }
}

impl fmt::Debug for KeyEvent {
    /// Keys spell out what was typed (a card token), so only the time is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyEvent")
            .field("at_ms", &self.at_ms)
            .finish_non_exhaustive()
    }
}

/// The classifier's thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WedgeOptions {
    /// Longest gap between two characters of one burst, in ms.
    pub max_gap_ms: f64,
    /// Fewest characters in a card burst.
    pub min_chars: usize,
    /// Longest gap between the last character and Enter, in ms.
    pub max_enter_gap_ms: f64,
    /// Most characters kept; a longer burst is dropped (the buffer never grows beyond this).
    pub max_chars: usize,
}

impl Default for WedgeOptions {
    /// 30 ms gaps, 20 characters, Enter within 50 ms, at most 256 characters.
    fn default() -> WedgeOptions {
        WedgeOptions {
            max_gap_ms: 30.0,
            min_chars: 20,
            max_enter_gap_ms: 50.0,
            max_chars: 256,
        }
    }
}

/// Why a burst ending in Enter (or a long fast burst without one) is not a card read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BurstDrop {
    /// Enter after fewer than `min_chars` fast characters: typing, or a short code.
    TooShort,
    /// Enter came too long after the last character.
    LateEnter,
    /// Fast and long enough, but not a card (another barcode, an auto-typer).
    NotCardShaped,
    /// More than `max_chars` characters.
    TooLong,
    /// A fast burst of `min_chars` or more ended by a pause or another key instead of Enter.
    NoEnter,
}

/// What one key event led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing decided yet (or nothing worth reporting: a bare Enter, a modifier, typing).
    Pending,
    /// A card read.
    Read(CardRead),
    /// A burst was dropped.
    Dropped(BurstDrop),
}

impl Verdict {
    /// The read, if this is one.
    pub fn into_read(self) -> Option<CardRead> {
        match self {
            Verdict::Read(read) => Some(read),
            _ => None,
        }
    }
}

/// Dropped bursts by reason, for a debug counter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DropCounts {
    /// [`BurstDrop::TooShort`].
    pub too_short: u64,
    /// [`BurstDrop::LateEnter`].
    pub late_enter: u64,
    /// [`BurstDrop::NotCardShaped`].
    pub not_card_shaped: u64,
    /// [`BurstDrop::TooLong`].
    pub too_long: u64,
    /// [`BurstDrop::NoEnter`].
    pub no_enter: u64,
}

/// See the module documentation.
pub struct WedgeClassifier {
    options: WedgeOptions,
    text: String,
    chars: usize,
    last_char_at: Option<f64>,
    counts: DropCounts,
}

impl fmt::Debug for WedgeClassifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WedgeClassifier")
            .field("options", &self.options)
            .field("chars", &self.chars)
            .field("counts", &self.counts)
            .finish_non_exhaustive()
    }
}

impl Default for WedgeClassifier {
    fn default() -> WedgeClassifier {
        WedgeClassifier::new(WedgeOptions::default())
    }
}

impl WedgeClassifier {
    /// A classifier with these thresholds.
    pub fn new(options: WedgeOptions) -> WedgeClassifier {
        WedgeClassifier {
            options,
            text: String::new(),
            chars: 0,
            last_char_at: None,
            counts: DropCounts::default(),
        }
    }

    /// Takes one key event, in the order they happened.
    pub fn push(&mut self, key: &KeyEvent) -> Verdict {
        match us_key(&key.code, key.shift) {
            Key::Modifier => Verdict::Pending,
            Key::Other => self.end_without_enter(),
            Key::Char(c) => {
                let verdict = match self.last_char_at {
                    Some(last) if !within(key.at_ms - last, self.options.max_gap_ms) => {
                        self.end_without_enter()
                    }
                    _ => Verdict::Pending,
                };
                if self.chars < self.options.max_chars {
                    self.text.push(c);
                }
                self.chars += 1;
                self.last_char_at = Some(key.at_ms);
                verdict
            }
            Key::Enter => {
                let Some(last) = self.last_char_at else {
                    return Verdict::Pending;
                };
                let verdict = if self.chars > self.options.max_chars {
                    Verdict::Dropped(BurstDrop::TooLong)
                } else if self.chars < self.options.min_chars {
                    Verdict::Dropped(BurstDrop::TooShort)
                } else if !within(key.at_ms - last, self.options.max_enter_gap_ms) {
                    Verdict::Dropped(BurstDrop::LateEnter)
                } else if CardToken::parse(&self.text) == Err(TokenError::NotOurs) {
                    Verdict::Dropped(BurstDrop::NotCardShaped)
                } else {
                    Verdict::Read(CardRead {
                        text: std::mem::take(&mut self.text),
                        via: ReadVia::KeyboardWedge,
                    })
                };
                self.reset();
                self.count(verdict)
            }
        }
    }

    /// Forgets the current burst (e.g. when a text field gains focus).
    pub fn reset(&mut self) {
        self.text.clear();
        self.chars = 0;
        self.last_char_at = None;
    }

    /// Dropped bursts so far, by reason.
    pub fn drop_counts(&self) -> DropCounts {
        self.counts
    }

    /// The thresholds in force.
    pub fn options(&self) -> WedgeOptions {
        self.options
    }

    /// The burst ended without Enter: worth a counter only if it was long enough to have
    /// been a scan.
    fn end_without_enter(&mut self) -> Verdict {
        let long = self.chars >= self.options.min_chars;
        self.reset();
        if long {
            self.count(Verdict::Dropped(BurstDrop::NoEnter))
        } else {
            Verdict::Pending
        }
    }

    fn count(&mut self, verdict: Verdict) -> Verdict {
        if let Verdict::Dropped(why) = verdict {
            tracing::debug!(?why, "keyboard burst is not a card read");
            let c = &mut self.counts;
            *match why {
                BurstDrop::TooShort => &mut c.too_short,
                BurstDrop::LateEnter => &mut c.late_enter,
                BurstDrop::NotCardShaped => &mut c.not_card_shaped,
                BurstDrop::TooLong => &mut c.too_long,
                BurstDrop::NoEnter => &mut c.no_enter,
            } += 1;
        }
        verdict
    }
}

/// `0 ≤ gap ≤ max` (a clock going backwards, or NaN, breaks a burst).
fn within(gap: f64, max: f64) -> bool {
    (0.0..=max).contains(&gap)
}
