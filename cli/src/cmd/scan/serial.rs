//! `hakaru scan serial --port PATH`: a serial-mode (USB CDC-ACM) handheld reader through
//! [`SerialCardReader::open`] — each status change (connected, not found, unplugged …) and each
//! line it sends, until Ctrl-C or `--seconds`.
//!
//! Deliberately not here: the formatting ([`super::report`]) and the reader's own reconnect
//! logic (the reader task reopens the port with backoff; this only shows what it reports).

use super::report::Report;
use super::{emit, Common, Stopper};
use anyhow::{Context, Result};
use hakaru_devices::card::handheld::{ReaderStatus, SerialCardReader, SerialReaderOptions};
use hakaru_devices::card::{CardRead, ReadVia};
use hakaru_devices::scale::LinkSettings;
use std::path::PathBuf;
use std::process::ExitCode;
use tokio::sync::mpsc;

/// `hakaru scan serial` の引数 / Arguments of `hakaru scan serial`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// リーダーのポート(例 /dev/serial/by-id/usb-…-if00、/dev/ttyACM0) / The reader's port (e.g. /dev/serial/by-id/usb-…-if00, /dev/ttyACM0)
    #[arg(long, value_name = "PATH")]
    pub port: PathBuf,
    /// 通信設定(USB CDC-ACM では無視されます。RS-232 リーダーは設定に合わせる) /
    /// Line settings (ignored by USB CDC-ACM readers; match an RS-232 reader's configuration)
    #[arg(long, default_value = "9600-8N1")]
    pub settings: String,
    #[command(flatten)]
    pub common: Common,
}

/// Runs the scan.
pub async fn run(args: &Args) -> Result<ExitCode> {
    let settings = LinkSettings::parse(&args.settings)
        .with_context(|| format!("--settings {}", args.settings))?;
    let mut stopper = Stopper::new(args.common.seconds)?;
    let mut progress = super::progress_ticks();
    let report = Report {
        json: args.common.json,
    };
    if !report.json {
        emit(&format!(
            "{p} のカードリーダーを待っています(Ctrl-C で終了)。名簿との照合はキオスクが行います。\n\
             Waiting for the card reader on {p} (Ctrl-C stops). The kiosk verifies cards against the roster; this does not.",
            p = args.port.display()
        ))?;
    }
    let (reads_tx, mut reads_rx) = mpsc::channel::<CardRead>(64);
    let options = SerialReaderOptions {
        settings,
        ..SerialReaderOptions::default()
    };
    let mut reader = SerialCardReader::open(&args.port, reads_tx, options);
    let mut connected = false;
    let mut reads = 0usize;
    let show_status = |status: &ReaderStatus, elapsed| -> Result<()> {
        let value = serde_json::to_value(status)?;
        emit(&report.status(elapsed, ReadVia::SerialReader, &status.to_string(), value))
    };
    loop {
        tokio::select! {
            read = reads_rx.recv() => {
                let Some(read) = read else { break };
                reads += 1;
                emit(&report.read(stopper.elapsed(), read.via, &read.text, None))?;
            }
            status = reader.next_status() => {
                let Some(status) = status else { break };
                connected |= status.is_connected();
                show_status(&status, stopper.elapsed())?;
            }
            _ = stopper.ended() => break,
            _ = progress.tick() => {
                if !report.json {
                    let c = reader.counts();
                    let (ja, en) = stopper.progress_words();
                    emit(&format!(
                        "  … {ja}、{d} 行受信・{x} 行破棄 / {en}, lines: {d} delivered, {x} discarded",
                        d = c.delivered,
                        x = c.too_long + c.not_utf8 + c.cut
                    ))?;
                }
            }
        }
    }
    // Close the port; show the reads and statuses already on their way.
    reader.stop_and_wait().await;
    while let Ok(read) = reads_rx.try_recv() {
        reads += 1;
        emit(&report.read(stopper.elapsed(), read.via, &read.text, None))?;
    }
    while let Some(status) = reader.try_next_status() {
        connected |= status.is_connected();
        show_status(&status, stopper.elapsed())?;
    }
    emit(&report.connected_summary(ReadVia::SerialReader, connected, reads))?;
    Ok(if connected {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::EXIT_FINDINGS)
    })
}
