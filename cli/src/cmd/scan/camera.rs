//! `hakaru scan camera`: the kiosk camera through [`CameraReader::with_camera`] with the default
//! settings the kiosk uses — each status change and each read, until Ctrl-C or `--seconds`.
//!
//! Deliberately not here: the formatting ([`super::report`]) and the previews (a terminal cannot
//! show them; the frame counters in the progress line say whether pictures arrive).

use super::report::Report;
use super::{emit, Common, Stopper};
use anyhow::{Context, Result};
use hakaru_devices::card::camera::{
    CameraChoice, CameraConfig, CameraEvent, CameraReader, CameraStatus, NokhwaOptions,
};
use hakaru_devices::card::ReadVia;
use std::process::ExitCode;

/// `hakaru scan camera` の引数 / Arguments of `hakaru scan camera`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// /dev/videoN の番号(省略時は最初に使えるカメラ) / Use /dev/videoN (default: the first camera that works)
    #[arg(long, value_name = "N", conflicts_with = "name")]
    pub index: Option<u32>,
    /// 名前にこの文字を含むカメラ(例 機種名) / Use the first camera whose name contains TEXT (e.g. its model)
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

/// Runs the scan.
pub async fn run(args: &Args) -> Result<ExitCode> {
    let mut stopper = Stopper::new(args.common.seconds)?;
    let mut progress = super::progress_ticks();
    let report = Report {
        json: args.common.json,
    };
    let camera = match (&args.name, args.index) {
        (Some(name), _) => CameraChoice::Name(name.clone()),
        (None, Some(i)) => CameraChoice::Index(i),
        (None, None) => CameraChoice::First,
    };
    let options = NokhwaOptions {
        camera,
        ..NokhwaOptions::default()
    };
    if !report.json {
        emit(
            "カメラでカードを待っています(Ctrl-C で終了)。名簿との照合はキオスクが行います。\n\
             Waiting for cards on the camera (Ctrl-C stops). The kiosk verifies cards against the roster; this does not.",
        )?;
    }
    let mut reader = CameraReader::with_camera(options, CameraConfig::default())
        .context("カメラの読み取りを開始できません / cannot start the camera reader: the system refused a thread; try again")?;
    let mut connected = false;
    let mut reads = 0usize;
    loop {
        let event = tokio::select! {
            event = reader.next_event() => event,
            _ = stopper.ended() => break,
            _ = progress.tick() => {
                if !report.json {
                    let s = reader.stats();
                    let (ja, en) = stopper.progress_words();
                    emit(&format!(
                        "  … {ja}、フレーム {c} 枚取得・{d} 枚解読 / {en}, frames: {c} captured, {d} decoded",
                        c = s.frames_captured,
                        d = s.frames_decoded
                    ))?;
                }
                continue;
            }
        };
        let Some(event) = event else { break };
        match event {
            CameraEvent::Status(status) => {
                connected |= status == CameraStatus::Connected;
                let value = serde_json::to_value(&status)?;
                emit(&report.status(
                    stopper.elapsed(),
                    ReadVia::Camera,
                    &status.to_string(),
                    value,
                ))?;
                if status == CameraStatus::Ended {
                    break;
                }
            }
            CameraEvent::Read(read) => {
                reads += 1;
                emit(&report.read(stopper.elapsed(), read.via, &read.text, None))?;
            }
            CameraEvent::Preview(_) => {}
        }
    }
    // Stop the threads and show what they had already queued.
    reader.stop();
    while let Some(event) = reader.try_next_event() {
        if let CameraEvent::Read(read) = event {
            reads += 1;
            emit(&report.read(stopper.elapsed(), read.via, &read.text, None))?;
        }
    }
    emit(&report.connected_summary(ReadVia::Camera, connected, reads))?;
    Ok(if connected {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::EXIT_FINDINGS)
    })
}
