//! `hakaru scan demo`: N generated demo cards (random fields and random tags — unsigned, no real
//! participant) drawn as synthetic camera frames and shown, one after the other, to the real
//! camera pipeline ([`CameraReader::start`] with [`CardDecoder::for_camera`]); counts how many
//! of them were read. Shows a technician that decoding works on a machine without a camera.
//!
//! Deliberately not here: the frames themselves ([`hakaru_devices::card::synth`]) and the
//! formatting ([`super::report`]); the demo tokens are held only to recognise the reads and are
//! never printed.

use super::report::{DemoCard, Report};
use super::{emit, Common, Stopper};
use anyhow::{Context, Result};
use hakaru_devices::card::camera::{
    CameraConfig, CameraEvent, CameraReader, CameraStatus, FrameSource, SourceError,
    SyntheticOptions, SyntheticSource,
};
use hakaru_devices::card::decode::CardDecoder;
use hakaru_devices::card::synth::{random_token, Variant};
use hakaru_devices::card::ReadVia;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::process::ExitCode;
use std::time::Duration;

/// `hakaru scan demo` の引数 / Arguments of `hakaru scan demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// デモ用カードの枚数 / How many demo cards to show
    #[arg(long, value_name = "N", default_value_t = 5,
          value_parser = clap::value_parser!(u16).range(1..=100))]
    pub cards: u16,
    /// 乱数の種(同じ種なら同じカード。省略時は毎回ちがう) / Random seed (the same seed gives the same cards; default: different each run)
    #[arg(long)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub common: Common,
}

/// Frames each card is in view, then frames of empty room, at 30 frames per second: one card a
/// second.
const CARD_FRAMES: usize = 15;
const GAP_FRAMES: usize = 15;
const FRAME_INTERVAL: Duration = Duration::from_millis(33);

/// A seed that differs between runs, without reading the clock.
fn fresh_seed() -> u64 {
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// `n` distinct demo tokens from `seed`.
fn demo_tokens(n: usize, seed: u64) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::with_capacity(n);
    let mut i = 0u64;
    while tokens.len() < n {
        let t = random_token(seed.wrapping_add(i));
        if !tokens.contains(&t) {
            tokens.push(t);
        }
        i += 1;
    }
    tokens
}

/// Runs the demo.
pub async fn run(args: &Args) -> Result<ExitCode> {
    let mut stopper = Stopper::new(args.common.seconds)?;
    let mut progress = super::progress_ticks();
    let report = Report {
        json: args.common.json,
    };
    let n = usize::from(args.cards);
    let seed = args.seed.unwrap_or_else(fresh_seed);
    if !report.json {
        emit(&format!(
            "デモ: ランダムに生成したデモ用カード {n} 枚(署名なし、実在の参加者ではありません)を合成映像で\
             カメラ処理に通します(種 {seed})。\n\
             Demo: {n} generated demo cards (random fields and tags, unsigned, no real participant) \
             shown as synthetic frames to the real camera pipeline (seed {seed})."
        ))?;
    }
    let tokens = demo_tokens(n, seed);
    let index: HashMap<String, usize> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), i))
        .collect();
    // Drawn here, before the reader's watchdog runs: drawing is slower than a camera opening.
    let source = SyntheticSource::new(SyntheticOptions {
        tokens,
        variant: Variant::Clean,
        card_frames: CARD_FRAMES,
        gap_frames: GAP_FRAMES,
        loops: Some(1),
        frame_interval: FRAME_INTERVAL,
        seed,
        ..SyntheticOptions::default()
    });
    let mut source = Some(source);
    // Opened once; if the reader ever reopens it (a stall), the demo has ended.
    let factory = move || {
        source
            .take()
            .map(|s| Box::new(s) as Box<dyn FrameSource>)
            .ok_or(SourceError::EndOfStream)
    };
    let mut reader = CameraReader::start(
        factory,
        Box::new(CardDecoder::for_camera()),
        CameraConfig {
            preview: None,
            ..CameraConfig::default()
        },
    )
    .context("カメラ処理を開始できません / cannot start the camera pipeline: the system refused a thread; try again")?;

    let mut seen = vec![false; n];
    let mut shown_all = false;
    let mut on_read = |text: &str, at: Duration| -> Result<()> {
        let demo = index.get(text).map(|&i| {
            seen[i] = true;
            DemoCard {
                number: i + 1,
                of: n,
            }
        });
        emit(&report.read(at, ReadVia::Camera, text, demo))
    };
    loop {
        let event = tokio::select! {
            event = reader.next_event() => event,
            _ = stopper.ended() => break,
            _ = progress.tick() => {
                if !report.json {
                    let s = reader.stats();
                    let (ja, en) = stopper.progress_words();
                    emit(&format!(
                        "  … {ja}、フレーム {d} 枚解読 / {en}, frames: {d} decoded",
                        d = s.frames_decoded
                    ))?;
                }
                continue;
            }
        };
        let Some(event) = event else { break };
        match event {
            CameraEvent::Status(status) => {
                let value = serde_json::to_value(&status)?;
                emit(&report.status(
                    stopper.elapsed(),
                    ReadVia::Camera,
                    &status.to_string(),
                    value,
                ))?;
                if status == CameraStatus::Ended {
                    shown_all = true;
                    break;
                }
            }
            CameraEvent::Read(read) => on_read(&read.text, stopper.elapsed())?,
            CameraEvent::Preview(_) => {}
        }
    }
    reader.stop();
    while let Some(event) = reader.try_next_event() {
        if let CameraEvent::Read(read) = event {
            on_read(&read.text, stopper.elapsed())?;
        }
    }
    let read = seen.iter().filter(|s| **s).count();
    emit(&report.demo_summary(n, read, shown_all))?;
    Ok(if read == n {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::EXIT_FINDINGS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_tokens_are_distinct_cards_and_follow_the_seed() {
        let a = demo_tokens(20, 42);
        assert_eq!(a.len(), 20);
        let mut sorted = a.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 20);
        assert_eq!(a, demo_tokens(20, 42));
        assert_ne!(a, demo_tokens(20, 43));
        assert!(a
            .iter()
            .all(|t| hakaru_wire::card::CardToken::parse(t).is_ok()));
    }
}
