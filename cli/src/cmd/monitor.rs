//! `hakaru monitor <port>`: raw bytes and decoded readings side by side, live, from a real
//! analyzer or the simulator's pty — optionally finding the line settings by listening first.
//! Deliberately not here: the formatting ([`crate::render`]) and any decoding of its own.

use crate::render::Monitor;
use anyhow::{Context, Result};
use hakaru_devices::scale::{Dialect, LinkSettings, ModelProfile};
use hakaru_devices::serial::{
    autodetect, AutodetectOptions, AutodetectProgress, CandidateOutcome, LinkOptions, ScaleEvent,
    ScaleLink,
};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio::time::Instant;

/// `hakaru monitor` の引数 / Arguments of `hakaru monitor`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// シリアルポートのパス(例 /dev/ttyUSB0) / Serial port path (e.g. /dev/ttyUSB0)
    #[arg(value_name = "PORT")]
    pub port: PathBuf,
    /// 通信設定(例 9600-8N1、2400-7E1) / Line settings (e.g. 9600-8N1, 2400-7E1)
    #[arg(long, default_value = "9600-8N1", conflicts_with = "auto")]
    pub settings: String,
    /// 受信して通信設定を自動検出 / Find the line settings by listening first
    #[arg(long)]
    pub auto: bool,
    /// 機種(PCモードの方言を選ぶ) / Analyzer model (chooses the PC-mode dialect), e.g. MC-780
    #[arg(long)]
    pub model: Option<String>,
    /// イベントを JSON で 1 行ずつ出力 / Print events as JSON lines instead of the table
    #[arg(long)]
    pub json: bool,
    /// 指定秒数で終了(省略時は Ctrl-C まで) / Stop after this many seconds (default: until Ctrl-C)
    #[arg(long = "for", value_name = "SECONDS")]
    pub duration: Option<u64>,
}

/// Runs the command.
pub fn run(args: &Args) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(run_async(args))
}

async fn run_async(args: &Args) -> Result<ExitCode> {
    let profile = match &args.model {
        Some(name) => Some(super::model_profile(name)?),
        None => None,
    };
    let settings = if args.auto {
        detect(args, profile).await?
    } else {
        LinkSettings::parse(&args.settings)?
    };
    let options = LinkOptions {
        dialect: profile.and_then(|p| p.dialect).unwrap_or(Dialect::JpDc),
        tap_raw: !args.json,
        ..LinkOptions::default()
    };
    let link = ScaleLink::open(&args.port, settings, options);
    let deadline = args
        .duration
        .map(|s| Instant::now() + Duration::from_secs(s));
    watch(link, args.json, deadline, |_| {}).await?;
    Ok(ExitCode::SUCCESS)
}

async fn detect(args: &Args, profile: Option<&'static ModelProfile>) -> Result<LinkSettings> {
    let mut err = std::io::stderr();
    let _ = writeln!(
        err,
        "通信設定を自動検出しています / finding the line settings by listening…"
    );
    let options = AutodetectOptions {
        dialect: profile.and_then(|p| p.dialect).unwrap_or(Dialect::JpDc),
        ..AutodetectOptions::default()
    };
    let detected = autodetect(&args.port, &LinkSettings::AUTODETECT_CANDIDATES, &options, |p| {
        let line = match p {
            AutodetectProgress::Trying { index, total, settings } => {
                format!("  [{}/{total}] {settings} を試しています / trying {settings}…", index + 1)
            }
            AutodetectProgress::Tried { settings, outcome } => match outcome {
                CandidateOutcome::Matched { .. } => format!("  {settings}: 一致 / matched"),
                CandidateOutcome::Garbled { rejected, noise_bytes } => format!(
                    "  {settings}: 文字化け / garbled ({rejected} 棄却 / rejected, {noise_bytes} B ノイズ / noise)"
                ),
                CandidateOutcome::Silent => format!("  {settings}: 受信なし / silent"),
                CandidateOutcome::Failed { error } => format!("  {settings}: 失敗 / failed: {error}"),
            },
        };
        let _ = writeln!(std::io::stderr(), "{line}");
    })
    .await
    .context(
        "通信設定を検出できませんでした / could not find the line settings: \
         make sure the analyzer is on and send a measurement while listening, or give --settings",
    )?;
    let _ = writeln!(
        err,
        "検出 / detected: {} ({})",
        detected.settings,
        detected
            .model
            .as_deref()
            .unwrap_or("機種不明 / model unknown")
    );
    Ok(detected.settings)
}

/// Prints the link's events until Ctrl-C or `deadline`; `on_event` sees each event first
/// (the demo uses it to pace its scenario).
pub async fn watch(
    mut link: ScaleLink,
    json: bool,
    deadline: Option<Instant>,
    mut on_event: impl FnMut(&ScaleEvent),
) -> Result<()> {
    let started = Instant::now();
    let mut monitor = Monitor::default();
    // Locked per write, not for the whole run: the demo narrates on stdout too.
    let mut out = std::io::stdout();
    if !json {
        writeln!(out, "{}", Monitor::header())?;
    }
    let sleep_until =
        deadline.unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400 * 365));
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let event = tokio::select! {
            e = link.next_event() => e,
            _ = &mut ctrl_c => break,
            _ = tokio::time::sleep_until(sleep_until) => break,
        };
        let Some(event) = event else { break };
        on_event(&event);
        if json {
            writeln!(out, "{}", serde_json::to_string(&event)?)?;
        } else {
            for row in monitor.push(started.elapsed(), &event) {
                writeln!(out, "{row}")?;
            }
        }
        out.flush()?;
    }
    link.close();
    Ok(())
}
