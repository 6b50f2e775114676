//! Decode throughput of the sans-IO stream decoder, in MB/s: the longest real frame (F1,
//! MC-780A, 1,273 bytes with CR LF) pushed whole and in 64-byte chunks, and a mixed stream of
//! frames, noise, replies, statuses and weight lines. Target ≥ 200 MB/s (docs/performance.md).
//!
//! Run: `cargo bench -p hakaru-devices --bench decode`. Not here: latency from a pty to an
//! event — that is `benches/latency.rs`, with the serial link.

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hakaru_devices::scale::{DecodeEvent, StreamDecoder};
use std::hint::black_box;

/// Pushes `chunks` into a long-lived decoder (as the serial link does) and drains the events.
fn decode_chunks<'a>(d: &mut StreamDecoder, chunks: impl Iterator<Item = &'a [u8]>) -> usize {
    let mut n = 0;
    for chunk in chunks {
        d.push(black_box(chunk));
        while let Some(event) = d.poll_event() {
            black_box(&event);
            n += 1;
        }
    }
    n
}

fn bench_decode(c: &mut Criterion) {
    let f1 = common::framed(common::F1);
    assert_eq!(f1.len(), 1273);

    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(f1.len() as u64));
    g.bench_function("f1_whole", |b| {
        let mut d = StreamDecoder::new();
        b.iter(|| {
            let n = decode_chunks(&mut d, std::iter::once(&f1[..]));
            assert_eq!(n, 1);
        })
    });
    g.bench_function("f1_chunks_64", |b| {
        let mut d = StreamDecoder::new();
        b.iter(|| {
            let n = decode_chunks(&mut d, f1.chunks(64));
            assert_eq!(n, 1);
        })
    });

    let mixed = common::mixed_stream();
    let expected = {
        let all = hakaru_devices::scale::decode_all(&mixed);
        assert!(
            all.iter()
                .all(|e| !matches!(e, DecodeEvent::Rejected { .. })),
            "the mixed stream decodes cleanly"
        );
        all.len()
    };
    g.throughput(Throughput::Bytes(mixed.len() as u64));
    g.bench_function("mixed_chunks_64", |b| {
        let mut d = StreamDecoder::new();
        b.iter(|| {
            let n = decode_chunks(&mut d, mixed.chunks(64));
            assert_eq!(n, expected);
        })
    });
    g.finish();
}

criterion_group!(benches, bench_decode);
criterion_main!(benches);
