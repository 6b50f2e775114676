//! A fixed amount of decoding, for instruction counts that do not depend on machine load:
//! `valgrind --tool=callgrind target/release/examples/decode_count <whole|chunks_64|mixed> <n>`
//! decodes F1 whole, F1 in 64-byte pushes, or the benchmark's mixed stream `n` times into one
//! long-lived decoder (the same work as `benches/decode.rs`). Divide the total by `n` after
//! subtracting a run with `n` = 0. See docs/performance.md.

#[path = "../tests/common/mod.rs"]
mod common;

use hakaru_devices::scale::StreamDecoder;
use std::hint::black_box;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: decode_count <whole|chunks_64|mixed> <n>";
    let which = args.next().ok_or(usage)?;
    let n: usize = args.next().and_then(|n| n.parse().ok()).ok_or(usage)?;
    let input = match which.as_str() {
        "whole" | "chunks_64" => common::framed(common::F1),
        "mixed" => common::mixed_stream(),
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
