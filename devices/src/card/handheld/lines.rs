//! Splitting a serial reader's byte stream into lines: a line ends with CR, LF or CR LF; empty
//! lines (the LF of a CR LF, blank suffixes) are skipped; a line longer than the limit is
//! discarded up to its end and a line that is not UTF-8 is discarded — both counted, neither
//! ever buffered beyond the limit. Sans-IO: bytes in ([`LineSplitter::push`]), lines out
//! ([`LineSplitter::poll`]).
//!
//! Deliberately not here: reading the port, reconnecting ([`super::serial`]) and deciding
//! whether a line is a card (the station parses and verifies it).

use std::collections::VecDeque;

/// Why a line was discarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineDrop {
    /// More bytes than the limit before the line end (not a card: a card token is 36).
    TooLong,
    /// Bytes that are not UTF-8 (line noise, a reader set to another code page).
    NotUtf8,
    /// The connection ended in the middle of the line.
    Cut,
}

/// One outcome of [`LineSplitter::poll`]. `Debug` does not show the text.
#[derive(Clone, PartialEq, Eq)]
pub enum Line {
    /// A complete, non-empty line without its ending.
    Text(String),
    /// A discarded line.
    Dropped(LineDrop),
}

impl std::fmt::Debug for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Line::Text(t) => write!(f, "Text({} bytes)", t.len()),
            Line::Dropped(why) => write!(f, "Dropped({why:?})"),
        }
    }
}

/// See the module documentation.
#[derive(Debug)]
pub struct LineSplitter {
    max_len: usize,
    buf: Vec<u8>,
    /// Inside an over-long line: bytes are thrown away until the line end.
    discarding: bool,
    out: VecDeque<Line>,
}

impl LineSplitter {
    /// A splitter that keeps at most `max_len` bytes of a line (at least 1).
    pub fn new(max_len: usize) -> LineSplitter {
        let max_len = max_len.max(1);
        LineSplitter {
            max_len,
            buf: Vec::with_capacity(max_len),
            discarding: false,
            out: VecDeque::new(),
        }
    }

    /// The longest line kept, in bytes.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Feeds bytes as they arrived (any chunking).
    pub fn push(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\r' || b == b'\n' {
                self.end_line();
            } else if self.discarding {
                continue;
            } else if self.buf.len() == self.max_len {
                self.buf.clear();
                self.discarding = true;
            } else {
                self.buf.push(b);
            }
        }
    }

    /// The next line or discarded line, in order.
    pub fn poll(&mut self) -> Option<Line> {
        self.out.pop_front()
    }

    /// The connection ended: a partial line is discarded as [`LineDrop::Cut`] (after any
    /// lines already complete), and the next connection starts clean.
    pub fn reset(&mut self) {
        if self.discarding || !self.buf.is_empty() {
            self.out.push_back(Line::Dropped(LineDrop::Cut));
        }
        self.buf.clear();
        self.discarding = false;
    }

    fn end_line(&mut self) {
        if std::mem::take(&mut self.discarding) {
            self.out.push_back(Line::Dropped(LineDrop::TooLong));
            return;
        }
        if self.buf.is_empty() {
            return;
        }
        let bytes = std::mem::replace(&mut self.buf, Vec::with_capacity(self.max_len));
        self.out.push_back(match String::from_utf8(bytes) {
            Ok(text) => Line::Text(text),
            Err(_) => Line::Dropped(LineDrop::NotUtf8),
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn run(max: usize, chunks: &[&[u8]]) -> Vec<Line> {
        let mut s = LineSplitter::new(max);
        let mut out = Vec::new();
        for c in chunks {
            s.push(c);
            out.extend(std::iter::from_fn(|| s.poll()));
        }
        out
    }

    fn text(t: &str) -> Line {
        Line::Text(t.to_owned())
    }

    #[test]
    fn every_line_ending_ends_a_line_and_empty_lines_are_skipped() {
        assert_eq!(
            run(16, &[b"AB\rCD\nEF\r\nGH\n\r\r\n"]),
            [text("AB"), text("CD"), text("EF"), text("GH")]
        );
    }

    #[test]
    fn chunking_does_not_matter() {
        let whole: &[u8] = b"K1ABC\r\nK1DEF\rK1GHI\n";
        let expected = run(16, &[whole]);
        for split in 0..=whole.len() {
            assert_eq!(run(16, &[&whole[..split], &whole[split..]]), expected);
        }
        let bytes: Vec<&[u8]> = whole.chunks(1).collect();
        assert_eq!(run(16, &bytes), expected);
    }

    #[test]
    fn the_limit_is_inclusive_and_an_over_long_line_is_skipped_to_its_end() {
        let exact = "A".repeat(8);
        let long = "B".repeat(9);
        let input = format!("{exact}\r{long}{long}{long}\rOK\r");
        assert_eq!(
            run(8, &[input.as_bytes()]),
            [text(&exact), Line::Dropped(LineDrop::TooLong), text("OK")]
        );
    }

    #[test]
    fn the_buffer_never_grows_past_the_limit() {
        let mut s = LineSplitter::new(8);
        s.push(&[b'x'; 100_000]);
        assert!(s.buf.len() <= 8 && s.buf.capacity() <= 64);
        s.push(b"\n");
        assert_eq!(s.poll(), Some(Line::Dropped(LineDrop::TooLong)));
    }

    #[test]
    fn non_utf8_lines_are_dropped_and_the_next_line_is_fine() {
        assert_eq!(
            run(16, &[b"\xff\xfeK1\r", b"\xe3\x81", b"\x82\r"]),
            [Line::Dropped(LineDrop::NotUtf8), text("あ")]
        );
    }

    #[test]
    fn reset_cuts_a_partial_line() {
        let mut s = LineSplitter::new(8);
        s.push(b"OK\rK1A");
        s.reset();
        s.push(b"BC\r");
        let got: Vec<Line> = std::iter::from_fn(|| s.poll()).collect();
        assert_eq!(got, [text("OK"), Line::Dropped(LineDrop::Cut), text("BC")]);
        s.reset();
        assert_eq!(s.poll(), None, "nothing pending, nothing cut");
    }

    #[test]
    fn debug_does_not_show_the_text() {
        assert_eq!(format!("{:?}", text("K1SECRET")), "Text(8 bytes)");
    }
}
