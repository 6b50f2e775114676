//! The streaming decoder: bytes in any chunking → the same events a whole-buffer decode gives.
//!
//! Sans-IO: [`StreamDecoder::push`] takes bytes, [`StreamDecoder::poll_event`] hands out what
//! they completed, [`StreamDecoder::finish`] says the stream ended (a disconnect). Lines end at
//! CR or LF (CR LF, LF-only and CR-only devices all work). A `{` always starts a new frame, so
//! a frame cut by a disconnect and followed by the next one is reported as truncated, never
//! glued to it. The line buffer is bounded by [`MAX_LINE`]: a device that never sends a line
//! end costs at most that much memory. Incomplete input is not an error.
//!
//! No reconnection, timing or I/O here — that is [`crate::serial`].

use crate::scale::line::{classify, DecodeError, LineKind};
use crate::scale::pc_mode::Reply;
use crate::scale::status::DeviceStatus;
use crate::scale::tanita::{FrameError, Reading};
use crate::scale::weight::WeightReading;
use std::collections::VecDeque;

/// Longest line kept (reference §0 item 10: the longest real frame is 1,273 bytes).
pub const MAX_LINE: usize = 4096;

/// Something the byte stream said.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum DecodeEvent {
    /// A verified measurement frame.
    Reading {
        /// The reading.
        reading: Box<Reading>,
    },
    /// A weight-only line.
    Weight {
        /// The weight line.
        weight: WeightReading,
    },
    /// A PC-mode reply.
    Reply {
        /// The reply.
        reply: Reply,
    },
    /// A device status such as `E2`.
    Status {
        /// The status.
        status: DeviceStatus,
    },
    /// A frame or line that was rejected; never a reading.
    Rejected {
        /// Why.
        error: DecodeError,
        /// How many bytes it spanned (without line end).
        bytes: usize,
    },
}

/// Counters since the decoder was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DecoderStats {
    /// Bytes pushed.
    pub bytes_in: u64,
    /// Events produced (readings, weights, replies, statuses).
    pub accepted: u64,
    /// Lines rejected.
    pub rejected: u64,
    /// Bytes skipped as noise: unknown lines, garbage before a frame start, overlong lines.
    pub skipped_bytes: u64,
}

/// See the module documentation.
#[derive(Debug, Default)]
pub struct StreamDecoder {
    line: Vec<u8>,
    /// Set after an overlong line: drop bytes until the next line end or `{`.
    discarding: bool,
    events: VecDeque<DecodeEvent>,
    stats: DecoderStats,
}

impl StreamDecoder {
    /// A decoder with an empty buffer.
    pub fn new() -> StreamDecoder {
        StreamDecoder {
            line: Vec::with_capacity(MAX_LINE),
            ..StreamDecoder::default()
        }
    }

    /// Feeds bytes. Completed lines become events; the rest waits for more.
    pub fn push(&mut self, mut bytes: &[u8]) {
        self.stats.bytes_in += bytes.len() as u64;
        while !bytes.is_empty() {
            match find_boundary(bytes) {
                None => {
                    self.append(bytes);
                    return;
                }
                Some(i) => {
                    self.append(&bytes[..i]);
                    match bytes[i] {
                        b'{' => {
                            self.end_partial();
                            self.line.push(b'{');
                        }
                        _ => self.end_line(),
                    }
                    bytes = &bytes[i + 1..];
                }
            }
        }
    }

    /// The stream ended (disconnect, end of file): whatever is buffered is reported — a partial
    /// frame as truncated, anything else as skipped — and the decoder is ready for a new stream.
    pub fn finish(&mut self) {
        self.end_partial();
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<DecodeEvent> {
        self.events.pop_front()
    }

    /// Counters so far.
    pub fn stats(&self) -> DecoderStats {
        self.stats
    }

    /// Bytes currently buffered (never more than [`MAX_LINE`]).
    pub fn buffered(&self) -> usize {
        self.line.len()
    }

    fn append(&mut self, bytes: &[u8]) {
        if self.discarding {
            self.stats.skipped_bytes += bytes.len() as u64;
            return;
        }
        let room = MAX_LINE - self.line.len();
        if bytes.len() <= room {
            self.line.extend_from_slice(bytes);
            return;
        }
        let bytes_dropped = self.line.len() + bytes.len();
        if self.line.first() == Some(&b'{') {
            self.reject(DecodeError::Overlong { limit: MAX_LINE }, bytes_dropped);
        }
        self.stats.skipped_bytes += bytes_dropped as u64;
        self.line.clear();
        self.discarding = true;
    }

    /// A `{` arrived or the stream ended while a line was being collected.
    fn end_partial(&mut self) {
        self.discarding = false;
        if self.line.is_empty() {
            return;
        }
        if self.line[0] == b'{' {
            let n = self.line.len();
            self.reject(DecodeError::Frame(FrameError::Truncated), n);
        }
        self.stats.skipped_bytes += self.line.len() as u64;
        self.line.clear();
    }

    fn end_line(&mut self) {
        if self.discarding {
            self.discarding = false;
            return;
        }
        if self.line.is_empty() {
            return;
        }
        let event = match classify(&self.line) {
            LineKind::Reading(reading) => DecodeEvent::Reading { reading },
            LineKind::Weight(weight) => DecodeEvent::Weight { weight },
            LineKind::Reply(reply) => DecodeEvent::Reply { reply },
            LineKind::Status(status) => DecodeEvent::Status { status },
            LineKind::Rejected(error) => {
                let n = self.line.len();
                self.reject(error, n);
                self.stats.skipped_bytes += n as u64;
                self.line.clear();
                return;
            }
            LineKind::Unknown => {
                self.stats.skipped_bytes += self.line.len() as u64;
                self.line.clear();
                return;
            }
        };
        self.stats.accepted += 1;
        self.events.push_back(event);
        self.line.clear();
    }

    fn reject(&mut self, error: DecodeError, bytes: usize) {
        self.stats.rejected += 1;
        self.events
            .push_back(DecodeEvent::Rejected { error, bytes });
    }
}

/// The first CR, LF or `{`: eight bytes at a time (SWAR), since most bytes of a 1,273-byte
/// frame are none of them.
fn find_boundary(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Bit 7 of byte i is set if byte i of `x` equals `b` — exact for the lowest such byte,
    // which is the only one used (borrows only run upwards).
    let matches = |x: u64, b: u8| {
        let y = x ^ (ONES * u64::from(b));
        y.wrapping_sub(ONES) & !y & HIGH
    };
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let hit = matches(x, b'\r') | matches(x, b'\n') | matches(x, b'{');
        if hit != 0 {
            return Some(base + (hit.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|b| matches!(b, b'\r' | b'\n' | b'{'))
        .map(|i| base + i)
}

/// Decodes a whole buffer at once, as if the stream then ended.
pub fn decode_all(bytes: &[u8]) -> Vec<DecodeEvent> {
    let mut d = StreamDecoder::new();
    d.push(bytes);
    d.finish();
    std::iter::from_fn(|| d.poll_event()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const F2: &[u8] = b"{0,16,~0,1,MO,\"MC-780\",ID,\"0000000000000000\",DT,\"2026/06/03\",TI,\"15:22\",Pt,0.0,Wk,67.8,CS,57";

    fn framed(line: &[u8]) -> Vec<u8> {
        [line, b"\r\n"].concat()
    }

    #[test]
    fn byte_by_byte_equals_whole() {
        let mut input = b"\x00\xffnoise".to_vec();
        input.extend(framed(F2));
        input.extend(framed(b"E2"));
        input.extend(framed(b"ST,GS,+0065.30kg"));
        let whole = decode_all(&input);
        assert_eq!(whole.len(), 3);
        let mut d = StreamDecoder::new();
        for b in &input {
            d.push(std::slice::from_ref(b));
        }
        d.finish();
        let split: Vec<_> = std::iter::from_fn(|| d.poll_event()).collect();
        assert_eq!(split, whole);
        assert_eq!(d.stats().skipped_bytes, 7);
    }

    #[test]
    fn a_cut_frame_followed_by_a_whole_one() {
        let mut input = F2[..30].to_vec();
        input.extend(framed(F2));
        let events = decode_all(&input);
        assert!(matches!(
            events[0],
            DecodeEvent::Rejected {
                error: DecodeError::Frame(FrameError::Truncated),
                bytes: 30
            }
        ));
        assert!(matches!(events[1], DecodeEvent::Reading { .. }));
        assert_eq!(events.len(), 2);
    }

    #[test]
    fn a_frame_cut_by_disconnect_is_reported_on_finish() {
        let mut d = StreamDecoder::new();
        d.push(&F2[..50]);
        assert_eq!(d.poll_event(), None, "incomplete is not an error");
        d.finish();
        assert!(matches!(d.poll_event(), Some(DecodeEvent::Rejected { .. })));
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn buffer_is_bounded_and_recovers() {
        let mut d = StreamDecoder::new();
        d.push(b"{0,16,");
        for _ in 0..100 {
            d.push(&[b'9'; 1000]);
            assert!(d.buffered() <= MAX_LINE);
        }
        assert!(matches!(
            d.poll_event(),
            Some(DecodeEvent::Rejected {
                error: DecodeError::Overlong { .. },
                ..
            })
        ));
        assert_eq!(d.poll_event(), None, "one error per overlong line");
        d.push(b"\r\n");
        d.push(&framed(F2));
        assert!(matches!(d.poll_event(), Some(DecodeEvent::Reading { .. })));
    }

    #[test]
    fn find_boundary_agrees_with_a_plain_scan() {
        let plain = |b: &[u8]| b.iter().position(|c| matches!(c, b'\r' | b'\n' | b'{'));
        let mut bytes: Vec<u8> = (0..=255u8).cycle().take(700).collect();
        for start in 0..bytes.len() {
            assert_eq!(
                find_boundary(&bytes[start..]),
                plain(&bytes[start..]),
                "{start}"
            );
        }
        bytes.retain(|c| !matches!(c, b'\r' | b'\n' | b'{'));
        for (i, special) in [(0, b'{'), (7, b'\r'), (8, b'\n'), (63, b'{'), (300, b'\n')] {
            let mut v = bytes.clone();
            v[i] = special;
            v[i + 1] = b'\r';
            for start in 0..=i {
                assert_eq!(find_boundary(&v[start..]), Some(i - start));
            }
        }
        assert_eq!(find_boundary(&bytes), None);
        assert_eq!(find_boundary(b""), None);
    }

    #[test]
    fn garbage_without_line_end_is_bounded_too() {
        let mut d = StreamDecoder::new();
        for _ in 0..100 {
            d.push(&[b'x'; 1000]);
            assert!(d.buffered() <= MAX_LINE);
        }
        assert_eq!(d.poll_event(), None, "noise is counted, not reported");
        assert!(d.stats().skipped_bytes >= 96_000);
    }
}
