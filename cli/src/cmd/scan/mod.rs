//! `hakaru scan`: check a kiosk's card readers — the camera, a serial-mode handheld reader, or a
//! demo of the camera pipeline on generated cards — printing each reader status and each read
//! (whether it is a Hakaru card, with its program code and serial only).
//!
//! This module holds the arguments and what the modes share (the end of a run: Ctrl-C, SIGTERM
//! or `--seconds`); each mode is its own module. Deliberately not here: verifying cards against a
//! roster (the kiosk does that; the technician CLI has no roster) and printing anything that
//! identifies a participant (see [`report`]).

pub mod camera;
pub mod demo;
pub mod report;
pub mod serial;

use anyhow::{Context, Result};
use std::process::ExitCode;
use std::time::Duration;
use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::time::Instant;

/// `hakaru scan` の引数 / Arguments of `hakaru scan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub mode: Mode,
}

/// Which reader to check.
#[derive(Debug, clap::Subcommand)]
pub enum Mode {
    /// カメラでカードを読み取る / Read cards with the kiosk camera
    #[command(
        long_about = "カメラを開き、状態の変化と読み取りを表示します。カメラが無くても\
                      異常終了せず、状態を表示して待ち続けます。\n\
                      Opens the camera and prints each status change and each read. A missing \
                      camera is shown as a status, not a crash; the reader keeps looking.\n\n\
                      終了コード / exit code: 1 = 時間内に一度もカメラに接続できなかった / \
                      the camera never connected",
        after_help = AFTER_HELP
    )]
    Camera(camera::Args),
    /// シリアル(USB CDC-ACM)リーダーで読み取る / Read cards with a serial-mode handheld reader
    #[command(
        long_about = "シリアルモード(USB CDC-ACM)のハンディリーダーのポートを開き、\
                      状態の変化と読み取りを表示します。抜かれても自動で再接続します。\n\
                      Opens a serial-mode (USB CDC-ACM) handheld reader's port and prints each \
                      status change and each read; it reconnects by itself after an unplug.\n\n\
                      終了コード / exit code: 1 = 時間内に一度も接続できなかった / \
                      the reader never connected",
        after_help = AFTER_HELP
    )]
    Serial(serial::Args),
    /// 生成したデモ用カードでカメラ処理を確認 / Check the camera pipeline on generated demo cards
    #[command(
        long_about = "ランダムに生成したデモ用カード(署名なし、実在の参加者ではありません)を\
                      合成映像にして、本物のカメラ処理(QR 解読・重複除去)に通します。カメラが無くても\
                      読み取り処理が動くことを確認できます。\n\
                      Shows N generated demo cards (random fields and tags, unsigned, no real \
                      participant) as synthetic camera frames to the real camera pipeline (QR \
                      decode, one read per card shown), to show it works without a camera.\n\n\
                      終了コード / exit code: 1 = 読み取れなかったカードがある / a card was missed",
        after_help = AFTER_HELP
    )]
    Demo(demo::Args),
}

/// Options every mode has.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// 指定秒数で終了(省略時は Ctrl-C まで) / Stop after this many seconds (default: until Ctrl-C)
    #[arg(long, value_name = "S")]
    pub seconds: Option<u64>,
    /// イベントを JSON で 1 行ずつ出力(トークンと保有者番号は含みません) /
    /// Print one JSON object per event (never the token or the holder number)
    #[arg(long)]
    pub json: bool,
}

/// Words every mode's help ends with.
pub const AFTER_HELP: &str = "名簿との照合はしません: このツールは名簿を持たず、カードの照合はキオスクが行います。\
     トークンと保有者番号は表示しません(参加者を特定できるため)。プログラム番号と連番のみ表示します。\n\
     No roster check here: this tool has no roster; the kiosk verifies cards. The token text and \
     the holder number are never shown (they identify a participant): only the program code and \
     the card serial.";

/// Runs the command.
pub fn run(args: &Args) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("非同期処理を開始できません / cannot start the async runtime: try again")?;
    runtime.block_on(async {
        match &args.mode {
            Mode::Camera(a) => camera::run(a).await,
            Mode::Serial(a) => serial::run(a).await,
            Mode::Demo(a) => demo::run(a).await,
        }
    })
}

/// Why a scan ended (other than its reader ending).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// `--seconds` passed.
    Deadline,
    /// Ctrl-C or SIGTERM.
    Signal,
}

/// The ways a scan is ended from outside: Ctrl-C, SIGTERM, `--seconds`.
/// Made before the reader starts, so a Ctrl-C during start-up is not lost.
pub struct Stopper {
    interrupt: Signal,
    terminate: Signal,
    started: Instant,
    deadline: Option<Instant>,
}

/// How often the text output says how the run is going.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

impl Stopper {
    /// Installs the signal handlers and starts the clock.
    pub fn new(seconds: Option<u64>) -> Result<Stopper> {
        let started = Instant::now();
        Ok(Stopper {
            interrupt: signal(SignalKind::interrupt())
                .context("Ctrl-C を監視できません / cannot watch for Ctrl-C: try again")?,
            terminate: signal(SignalKind::terminate())
                .context("終了シグナルを監視できません / cannot watch for SIGTERM: try again")?,
            started,
            deadline: seconds.map(|s| started + Duration::from_secs(s)),
        })
    }

    /// Time since the scan started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Completes when the scan must end.
    pub async fn ended(&mut self) -> End {
        let far = self.started + Duration::from_secs(86_400 * 365);
        tokio::select! {
            _ = self.interrupt.recv() => End::Signal,
            _ = self.terminate.recv() => End::Signal,
            () = tokio::time::sleep_until(self.deadline.unwrap_or(far)) => End::Deadline,
        }
    }

    /// "elapsed 10 s (20 s left)" in both languages.
    pub fn progress_words(&self) -> (String, String) {
        let elapsed = self.elapsed().as_secs();
        match self.deadline {
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now()).as_secs();
                (
                    format!("経過 {elapsed} 秒(残り {left} 秒)"),
                    format!("elapsed {elapsed} s ({left} s left)"),
                )
            }
            None => (
                format!("経過 {elapsed} 秒(Ctrl-C で終了)"),
                format!("elapsed {elapsed} s (Ctrl-C stops)"),
            ),
        }
    }
}

/// Ticks for the text output's progress line, the first one [`PROGRESS_EVERY`] from now.
pub fn progress_ticks() -> tokio::time::Interval {
    let mut ticks = tokio::time::interval_at(Instant::now() + PROGRESS_EVERY, PROGRESS_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    ticks
}

/// Writes one line to stdout and flushes it (the output is watched live, or piped).
pub fn emit(line: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}
