//! Decode time per 1280×720 grey frame, with a card in view and without, for the project's
//! `CardDecoder` (plain pass; with the LCN fallback; the camera schedule) beside the decoders
//! reference/qr-cards.md measured (rqrr, quircs, zbar), in one run on the same frames.
//!
//! `cargo bench -p hakaru-devices --bench qr_decode`; figures in docs/performance.md.
#![allow(clippy::print_stderr, clippy::unwrap_used)] // a bench binary: its output is the point

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use hakaru_devices::card::decode::{
    decode_plain, local_contrast_normalise, CardDecoder, FallbackSchedule,
};
use hakaru_devices::card::frame::GrayFrame;
use hakaru_devices::card::synth::{
    background_frame, card_frame, noisy_background_frame, random_token, Variant,
};
use std::hint::black_box;
use support::decoders::Subject;

#[path = "support/mod.rs"]
mod support;
use std::time::Duration;

const W: u32 = 1280;
const H: u32 = 720;
/// Frames per set; each iteration decodes the next one. `empty` is a room at normal sensor
/// noise (σ 3), `empty_noise20` the same rooms at σ 20.
const FRAMES: u64 = 5;

fn subjects() -> Vec<(&'static str, Subject)> {
    vec![
        (
            "card_plain",
            Subject::Card(CardDecoder::new(FallbackSchedule::Never)),
        ),
        (
            "card_lcn_always",
            Subject::Card(CardDecoder::new(FallbackSchedule::Always)),
        ),
        (
            "card_camera_every3",
            Subject::Card(CardDecoder::for_camera()),
        ),
        ("rqrr", Subject::Rqrr),
        ("quircs", Subject::quircs()),
        ("zbar", Subject::zbar()),
    ]
}

fn bench(c: &mut Criterion) {
    let tokens: Vec<String> = (0..FRAMES).map(|i| random_token(900 + i)).collect();
    let with_code: Vec<GrayFrame> = tokens
        .iter()
        .zip(0..)
        .map(|(t, i)| card_frame(t, Variant::Clean, W, H, 900 + i))
        .collect();
    let empty: Vec<GrayFrame> = (0..FRAMES)
        .map(|i| background_frame(W, H, 900 + i))
        .collect();
    let empty_noisy: Vec<GrayFrame> = (0..FRAMES)
        .map(|i| noisy_background_frame(W, H, 900 + i))
        .collect();

    // What each decoder makes of the frames, so a fast miss is not mistaken for a fast read.
    for (name, mut s) in subjects() {
        let read = with_code
            .iter()
            .zip(&tokens)
            .filter(|(f, t)| s.decode(f).contains(t))
            .count();
        let false_reads: usize = empty
            .iter()
            .chain(&empty_noisy)
            .map(|f| s.decode(f).len())
            .sum();
        eprintln!("{name}: read {read}/{FRAMES} frames with a code, {false_reads} reads on {} empty frames", 2 * FRAMES);
    }

    let sets = [
        ("with_code", &with_code),
        ("empty", &empty),
        ("empty_noise20", &empty_noisy),
    ];
    for (set, frames) in sets {
        let mut group = c.benchmark_group(format!("qr_decode_1280x720/{set}"));
        group.measurement_time(Duration::from_secs(4));
        group.sample_size(30);
        for (name, mut s) in subjects() {
            group.bench_function(BenchmarkId::from_parameter(name), |b| {
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) % frames.len();
                    black_box(s.decode(black_box(&frames[i])))
                })
            });
        }
        group.finish();
    }

    let mut group = c.benchmark_group("qr_decode_1280x720/parts");
    group.measurement_time(Duration::from_secs(4));
    group.sample_size(30);
    group.bench_function("lcn_only", |b| {
        b.iter(|| black_box(local_contrast_normalise(black_box(&empty[0]))))
    });
    group.bench_function("rxing_plain_empty", |b| {
        b.iter(|| black_box(decode_plain(black_box(&empty[0]))))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
