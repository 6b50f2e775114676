//! Detection rate per synthetic-frame variant for `CardDecoder` and the decoders
//! reference/qr-cards.md compared (rxing plain pass, rqrr, quircs, zbar), all on the same frames:
//! the corpus test's frames (same seeds), as many as asked for.
//!
//! `cargo bench -p hakaru-devices --bench qr_corpus -- --frames 200`
//! (default 100 frames per variant and 100 background frames, 1280×720; `--size 640x480` for
//! another frame size). Figures in docs/performance.md.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)] // a report binary

use hakaru_devices::card::decode::{CardDecoder, FallbackSchedule};
use hakaru_devices::card::synth::{
    background_frame, card_frame, noisy_background_frame, random_token, variant_is_readable,
    Variant,
};
use std::panic::{catch_unwind, AssertUnwindSafe};
use support::decoders::Subject;

#[path = "support/mod.rs"]
mod support;

const NAMES: [&str; 5] = ["card(rxing+LCN)", "rxing plain", "rqrr", "quircs", "zbar"];

fn subjects() -> Vec<Subject> {
    vec![
        Subject::Card(CardDecoder::new(FallbackSchedule::Always)),
        Subject::Card(CardDecoder::new(FallbackSchedule::Never)),
        Subject::Rqrr,
        Subject::quircs(),
        Subject::zbar(),
    ]
}

#[derive(Default, Clone, Copy)]
struct Tally {
    read: u64,
    wrong: u64,
    panics: u64,
}

/// The corpus test's seed for frame `i` of a variant (devices/tests/card_corpus.rs).
fn seed(variant: Variant, i: u64) -> u64 {
    let v = Variant::ALL.iter().position(|&x| x == variant).unwrap() as u64;
    (v + 1) << 32 | i
}

/// Runs every decoder over frames `start, start + 2, …` below `n` of `variant` (`None`:
/// background frames, where any output is wrong).
fn run(variant: Option<Variant>, n: u64, start: u64, w: u32, h: u32) -> Vec<Tally> {
    let mut subjects = subjects();
    let mut tallies = vec![Tally::default(); subjects.len()];
    for i in (start..n).step_by(2) {
        let (frame, token) = match variant {
            Some(v) => {
                let token = random_token(seed(v, i));
                (card_frame(&token, v, w, h, seed(v, i)), Some(token))
            }
            None if i % 4 < 2 => (background_frame(w, h, i), None),
            None => (noisy_background_frame(w, h, i), None),
        };
        for (s, t) in subjects.iter_mut().zip(&mut tallies) {
            match catch_unwind(AssertUnwindSafe(|| s.decode(&frame))) {
                Ok(got) => {
                    if token.as_ref().is_some_and(|tok| got.contains(tok)) {
                        t.read += 1;
                    }
                    t.wrong += got.iter().filter(|g| Some(*g) != token.as_ref()).count() as u64;
                }
                Err(_) => t.panics += 1,
            }
        }
    }
    tallies
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut frames = 100u64;
    let (mut w, mut h) = (1280u32, 720u32);
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--frames" => {
                frames = args
                    .get(i + 1)
                    .and_then(|v| v.parse().ok())
                    .expect("--frames N");
                i += 1;
            }
            "--size" => {
                let v = args.get(i + 1).expect("--size WxH");
                let (a, b) = v.split_once('x').expect("--size WxH");
                (w, h) = (a.parse().unwrap(), b.parse().unwrap());
                i += 1;
            }
            _ => {} // `--bench` and the like from cargo
        }
        i += 1;
    }
    // Decoder panics are counted, not printed.
    std::panic::set_hook(Box::new(|_| {}));
    println!("QR corpus: {frames} frames per variant, {w}×{h}; cells = read (wrong, panics)");
    print!("| variant | target |");
    for n in NAMES {
        print!(" {n} |");
    }
    println!();
    println!("|---|---|{}", "---|".repeat(NAMES.len()));
    let rows: Vec<Option<Variant>> = Variant::ALL
        .iter()
        .copied()
        .map(Some)
        .chain([None])
        .collect();
    for variant in rows {
        let tallies = std::thread::scope(|scope| {
            let other = scope.spawn(|| run(variant, frames, 1, w, h));
            let mine = run(variant, frames, 0, w, h);
            let other = other.join().unwrap();
            mine.iter()
                .zip(&other)
                .map(|(a, b)| Tally {
                    read: a.read + b.read,
                    wrong: a.wrong + b.wrong,
                    panics: a.panics + b.panics,
                })
                .collect::<Vec<_>>()
        });
        let (name, target) = match variant {
            Some(v) if variant_is_readable(v) => (v.name(), "≥ 99 %"),
            Some(v) => (v.name(), "floor"),
            None => ("background, no card (½ noise σ 20)", "0 reads"),
        };
        print!("| {name} | {target} |");
        for t in tallies {
            let mut cell = if variant.is_some() {
                format!(" {}/{frames}", t.read)
            } else {
                format!(" {} reads", t.wrong)
            };
            if variant.is_some() && t.wrong > 0 {
                cell += &format!(" ({} wrong)", t.wrong);
            }
            if t.panics > 0 {
                cell += &format!(" ({} panics)", t.panics);
            }
            print!("{cell} |");
        }
        println!();
    }
}
