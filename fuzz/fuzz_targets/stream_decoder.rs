//! Fuzzes the streaming decoder: any bytes, in a chunking the fuzzer also chooses, must decode
//! to the same events as the whole buffer at once, never panic, and never buffer more than
//! `MAX_LINE` bytes.
#![no_main]

use hakaru_devices::scale::{decode_all, StreamDecoder, MAX_LINE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&seed, bytes)) = data.split_first() else {
        return;
    };
    let whole = decode_all(bytes);
    let mut d = StreamDecoder::new();
    let mut rest = bytes;
    let mut step = usize::from(seed % 17) + 1;
    while !rest.is_empty() {
        let n = step.min(rest.len());
        d.push(&rest[..n]);
        assert!(d.buffered() <= MAX_LINE);
        rest = &rest[n..];
        step = step * 7 % 31 + 1;
    }
    d.finish();
    let chunked: Vec<_> = std::iter::from_fn(|| d.poll_event()).collect();
    assert_eq!(chunked, whole);
});
