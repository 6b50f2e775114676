//! The reference's verified fixtures (re-exported from `hakaru_devices::scale::fixtures`) and a
//! checksum oracle that does not use the crate's code.
//!
//! Shared by `tests/fixtures.rs`, `tests/stream_props.rs` and `benches/decode.rs`.
#![allow(dead_code)]

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
