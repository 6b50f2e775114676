//! A fixed amount of decoding, for instruction counts that do not depend on machine load:
//! `valgrind --tool=callgrind target/release/examples/decode_count <whole|chunks_64|mixed> <n>`
//! decodes F1 whole, F1 in 64-byte pushes, or the benchmark's mixed stream `n` times into one
//! long-lived decoder (the same work as `benches/decode.rs`). Divide the total by `n` after
//! subtracting a run with `n` = 0. See docs/performance.md.

#[path = "../tests/common/mod.rs"]
mod common;

use hakaru_devices::scale::StreamDecoder;
use std::hint::black_box;

/// The mixed stream of `benches/decode.rs`.
fn mixed_stream() -> Vec<u8> {
    use common::{framed, BC601_METRIC, F1, F2, F5, F6, F7, F8};
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
        s.extend(b"\r\n");
    }
    s
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: decode_count <whole|chunks_64|mixed> <n>";
    let which = args.next().ok_or(usage)?;
    let n: usize = args.next().and_then(|n| n.parse().ok()).ok_or(usage)?;
    let input = match which.as_str() {
        "whole" | "chunks_64" => common::framed(common::F1),
        "mixed" => mixed_stream(),
        _ => return Err(usage.to_owned()),
    };
    let chunk = if which == "whole" { input.len() } else { 64 };
    let mut d = StreamDecoder::new();
    for _ in 0..n {
        for c in input.chunks(chunk) {
            d.push(black_box(c));
            while let Some(event) = d.poll_event() {
                black_box(&event);
            }
        }
    }
    Ok(())
}
