//! The reference's verified fixtures (re-exported from `hakaru_devices::scale::fixtures`) and a
//! checksum oracle that does not use the crate's code.
//!
//! Shared by `tests/fixtures.rs`, `tests/stream_props.rs` and `benches/decode.rs`; [`pty`] by
//! the serial-link and handheld-reader tests.
#![allow(dead_code)]

pub mod pty;

#[allow(unused_imports)] // not every test file uses every fixture
pub use hakaru_devices::scale::fixtures::*;

/// The oracle: the low byte of the arithmetic sum of `bytes`, written out here on purpose
/// instead of calling `hakaru_devices::scale::checksum`.
pub fn oracle_sum(bytes: &[u8]) -> u8 {
    let mut total: u32 = 0;
    for &b in bytes {
        total += u32::from(b);
    }
    (total % 256) as u8
}

/// The checksum a frame should carry: the sum from `{` through the comma before `CS`.
pub fn oracle_checksum(frame: &[u8]) -> u8 {
    let at = frame
        .windows(4)
        .rposition(|w| w == b",CS,")
        .expect("frame has ,CS,");
    oracle_sum(&frame[..=at])
}

/// The two hex digits a frame carries after `CS,`.
pub fn carried_checksum(frame: &[u8]) -> u8 {
    let at = frame
        .windows(4)
        .rposition(|w| w == b",CS,")
        .expect("frame has ,CS,");
    let hex = std::str::from_utf8(&frame[at + 4..at + 6]).expect("ascii");
    u8::from_str_radix(hex, 16).expect("two hex digits")
}

/// Replaces the two hex digits after `,CS,` by `cs` (upper case, as analyzers write them).
pub fn with_checksum(frame: &[u8], cs: u8) -> Vec<u8> {
    let at = frame
        .windows(4)
        .rposition(|w| w == b",CS,")
        .expect("frame has ,CS,");
    let mut out = frame[..at + 4].to_vec();
    out.extend_from_slice(format!("{cs:02X}").as_bytes());
    out.extend_from_slice(&frame[at + 6..]);
    out
}

/// The line with CR LF, as it comes off the wire.
pub fn framed(line: &[u8]) -> Vec<u8> {
    let mut v = line.to_vec();
    v.extend_from_slice(b"\r\n");
    v
}

/// The benchmarks' mixed stream (`benches/decode.rs`, `examples/decode_count.rs`): frames,
/// noise, replies, statuses and weight lines, in the order a kiosk might see them.
pub fn mixed_stream() -> Vec<u8> {
    let mut s = Vec::new();
    for round in 0..4u8 {
        s.extend(framed(b"M1"));
        s.extend(framed(b"@"));
        s.extend(framed(b"D0,Pt,1.0"));
        s.extend(framed(b"D3"));
        s.extend(framed(b"S6"));
        s.extend(framed(F1));
        s.extend(b"\x00\x7f~junk after the frame");
        s.extend(framed(b""));
        s.extend(framed(F2));
        s.extend(framed(b"ST,GS,+0065.30kg"));
        s.extend(framed(b"US,GS,+0065.25kg"));
        s.extend(framed(F5));
        s.extend(framed(b"E2"));
        s.extend(framed(F6));
        s.extend(framed(F7));
        s.extend(framed(F8));
        s.extend(framed(BC601_METRIC));
        s.extend(framed(b"D01.5,D11,D20,D3175.4,D430,D50000012345,D620"));
        s.extend(std::iter::repeat_n(b'.', usize::from(round) * 7 + 3));
        s.extend(b"\r\n"); // ends the noise line, so every iteration sees the same stream
    }
    s
}
