//! The synthetic camera-frame corpus (issue 6, "How it is checked"): for every degradation the
//! detection rate of [`CardDecoder`] with the fallback on every miss, held to ≥ 99 % on the
//! readable variants and to measured floors on the others; no wrong payload anywhere; nothing
//! read from frames without a card. The frames are generated here from fixed seeds — no images
//! are committed. The same frames, more of them and beside the other decoders:
//! `cargo bench -p hakaru-devices --bench qr_corpus`.
#![allow(clippy::print_stderr)] // the per-variant table is the point of the output

use hakaru_devices::card::decode::{CardDecoder, FallbackSchedule, QrDecoder};
use hakaru_devices::card::synth::{
    background_frame, card_frame, noisy_background_frame, random_token, variant_is_readable,
    Variant,
};
use hakaru_wire::card::CardToken;
use std::collections::BTreeMap;

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
/// Frames per readable variant (the ≥ 99 % target: at most one miss).
const READABLE_FRAMES: u64 = 100;
/// Frames per harder variant.
const HARD_FRAMES: u64 = 50;
/// Frames without a card (half with sensor noise σ 20).
const BACKGROUND_FRAMES: u64 = 100;

/// The least share (in %) of the harder variants' frames that must be read: what this corpus
/// measured (docs/performance.md, "Card QR decoding") less a few points, so a regression shows.
fn floor_percent(variant: Variant) -> u64 {
    match variant {
        Variant::Perspective45 => 75,
        Variant::BlurSigma2 => 35,
        Variant::LowContrast => 88,
        Variant::LowLight => 85,
        Variant::Glare => 85,
        Variant::Combined => 88,
        _ => 99,
    }
}

/// The seed of frame `i` of a variant; the corpus bench uses the same.
fn seed(variant: Variant, i: u64) -> u64 {
    let v = Variant::ALL
        .iter()
        .position(|&x| x == variant)
        .expect("a listed variant") as u64;
    (v + 1) << 32 | i
}

#[derive(Default, Clone, Copy)]
struct Tally {
    frames: u64,
    read: u64,
    wrong: u64,
}

/// Decodes the frames `0..n` of `variant` on two threads (the machine has two cores).
fn measure(variant: Variant, n: u64) -> Tally {
    let run = |start: u64| {
        let mut decoder = CardDecoder::new(FallbackSchedule::Always);
        let mut t = Tally::default();
        for i in (start..n).step_by(2) {
            let s = seed(variant, i);
            let token = random_token(s);
            let frame = card_frame(&token, variant, WIDTH, HEIGHT, s);
            let got = decoder.decode(&frame);
            t.frames += 1;
            if got.contains(&token) {
                t.read += 1;
            }
            t.wrong += got.iter().filter(|g| **g != token).count() as u64;
        }
        t
    };
    std::thread::scope(|scope| {
        let other = scope.spawn(|| run(1));
        let mine = run(0);
        let other = other.join().expect("decode thread");
        Tally {
            frames: mine.frames + other.frames,
            read: mine.read + other.read,
            wrong: mine.wrong + other.wrong,
        }
    })
}

#[test]
fn synthetic_corpus_detection_rates() {
    let mut table = BTreeMap::new();
    for variant in Variant::ALL {
        let n = if variant_is_readable(variant) {
            READABLE_FRAMES
        } else {
            HARD_FRAMES
        };
        table.insert(variant.name(), (variant, measure(variant, n)));
    }
    eprintln!("variant        frames  read  wrong  rate   floor");
    for (variant, t) in Variant::ALL.iter().map(|v| table[v.name()]) {
        eprintln!(
            "{:<14} {:>6} {:>5} {:>6} {:>5.1}% {:>4}%",
            variant.name(),
            t.frames,
            t.read,
            t.wrong,
            100.0 * t.read as f64 / t.frames as f64,
            floor_percent(variant)
        );
    }
    for (variant, t) in table.values() {
        assert_eq!(t.wrong, 0, "{}: wrong payloads", variant.name());
        assert!(
            t.read * 100 >= floor_percent(*variant) * t.frames,
            "{}: {} of {} read, below the {} % floor",
            variant.name(),
            t.read,
            t.frames,
            floor_percent(*variant)
        );
    }
}

#[test]
fn nothing_is_read_from_frames_without_a_card() {
    let run = |start: u64| {
        let mut decoder = CardDecoder::new(FallbackSchedule::Always);
        (start..BACKGROUND_FRAMES)
            .step_by(2)
            .filter(|&i| {
                // Half of them with heavy sensor noise.
                let frame = if i % 4 < 2 {
                    background_frame(WIDTH, HEIGHT, i)
                } else {
                    noisy_background_frame(WIDTH, HEIGHT, i)
                };
                !decoder.decode(&frame).is_empty()
            })
            .count()
    };
    let found = std::thread::scope(|scope| {
        let other = scope.spawn(|| run(1));
        run(0) + other.join().expect("decode thread")
    });
    eprintln!("background frames: {BACKGROUND_FRAMES}, read: {found}");
    assert_eq!(found, 0);
}

#[test]
fn the_corpus_tokens_are_card_tokens() {
    // The payloads the corpus checks against are real K1 tokens, so "read" means a card a
    // station would go on to verify.
    for variant in Variant::ALL {
        let token = random_token(seed(variant, 0));
        assert!(CardToken::parse(&token).is_ok());
    }
}
