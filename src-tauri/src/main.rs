//! `hakaru-kiosk`: the kiosk app. Reads its settings from `--config FILE`, else
//! `$HAKARU_KIOSK_CONFIG`, else `~/.config/hakaru/kiosk.toml` (see `kiosk/kiosk.example.toml`);
//! without usable settings it shows a "not configured yet" screen that says what to do.

use clap::Parser;
use hakaru_kiosk_app::startup::Started;
use std::path::PathBuf;
use std::process::ExitCode;

/// Hakaru の測定キオスク / The Hakaru measurement kiosk.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// 設定ファイル (TOML) / Settings file (TOML); default $HAKARU_KIOSK_CONFIG or ~/.config/hakaru/kiosk.toml
    #[arg(short, long, value_name = "FILE")]
    config: Option<PathBuf>,
}

fn main() -> ExitCode {
    let started = Started::now();
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HAKARU_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match hakaru_kiosk_app::run(args.config, started) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}
