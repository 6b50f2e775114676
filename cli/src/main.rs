//! `hakaru`: the technician's and operator's command line — list ports, watch a live analyzer,
//! decode captures, run the simulator and the demo.
//!
//! This file only parses arguments, sets up logging and maps errors to exit codes; each
//! subcommand lives in its own module under [`cmd`]. Deliberately not here: any protocol
//! logic (that is `hakaru-devices`) or station behaviour (that is `hakaru-station`).

mod cmd;
mod render;

use clap::{Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;

/// Exit code when the command ran but found something wrong in its input (e.g. a rejected frame).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code when the command could not run (bad arguments, unreadable file).
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "hakaru",
    version,
    about = "Hakaru 体組成計ステーションの技術者向けツール / Hakaru station tools for technicians",
    long_about = "Hakaru 体組成計ステーションの技術者向けツール。\n\
                  Hakaru station tools for technicians.\n\n\
                  ログは標準エラー出力へ(測定値は記録しません)。HAKARU_LOG=debug で詳細表示。\n\
                  Logs go to stderr and never contain measured values; HAKARU_LOG=debug for more.",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    after_help = "終了コード / exit codes: 0 正常 / ok, 1 入力に問題あり / findings in the input, \
                  2 実行できず / could not run"
)]
struct Cli {
    /// 詳細なログを出す(-v: info, -vv: debug) / More log output (-v: info, -vv: debug)
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,

    /// ヘルプを表示 / Print help
    #[arg(short = 'h', long, action = clap::ArgAction::Help, global = true)]
    help: Option<bool>,

    /// バージョンを表示 / Print version
    #[arg(short = 'V', long, action = clap::ArgAction::Version)]
    version: Option<bool>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// キャプチャを解析 / Decode a byte capture
    #[command(
        long_about = "キャプチャ(シリアルポートから記録したバイト列)を解析し、1 行に 1 つの JSON を出力します。\n\
                      Decodes a byte capture (bytes recorded from the serial port) and prints one JSON \
                      object per line.\n\n\
                      棄却されたフレームがあれば終了コード 1 / exit code 1 if any frame was rejected."
    )]
    Decode(cmd::decode::Args),
    /// シリアルポートの一覧 / List serial ports (USB VID:PID, serial number)
    Ports(cmd::ports::Args),
    /// 受信バイトと解読結果をライブ表示 / Watch raw bytes and decoded readings live
    #[command(
        long_about = "シリアルポートを開き、受信バイト(左)と解読結果(右)を並べてライブ表示します。\n\
                      Opens a serial port and shows raw bytes (left) beside what they decoded to \
                      (right), live. --auto finds the line settings by listening first."
    )]
    Monitor(cmd::monitor::Args),
    /// 仮想の体組成計を起動 / Run a virtual analyzer on a pseudo-terminal
    #[command(
        long_about = "仮想の体組成計を擬似端末上で起動し、開くべきパスを標準出力に表示します。\n\
                      Runs a virtual analyzer on a pseudo-terminal and prints the path to open on stdout."
    )]
    Simulate(cmd::simulate::Args),
    /// シミュレータとモニターのデモ / The simulator feeding the monitor, with faults
    Demo(cmd::demo::Args),
    /// カードリーダーの確認(カメラ・シリアル・デモ) / Check card readers (camera, serial, demo)
    #[command(
        long_about = "キオスクのカードリーダーを確認します: 状態の変化と読み取りを表示し、読み取った文字が \
                      Hakaru カードの形式か(プログラム番号と連番のみ)を示します。\n\
                      Checks a kiosk's card readers: prints each status change and each read, and \
                      whether the text is a Hakaru card (program code and serial only).",
        after_help = cmd::scan::AFTER_HELP
    )]
    Scan(cmd::scan::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The live views show connection trouble in their own rows; repeating it as log lines on
    // the same terminal only clutters the screen.
    let live_view = matches!(
        cli.command,
        Command::Monitor(_) | Command::Demo(_) | Command::Scan(_)
    );
    init_logging(cli.verbose, live_view);
    let result = match cli.command {
        Command::Decode(args) => cmd::decode::run(&args),
        Command::Ports(args) => cmd::ports::run(&args),
        Command::Monitor(args) => cmd::monitor::run(&args),
        Command::Simulate(args) => cmd::simulate::run(&args),
        Command::Demo(args) => cmd::demo::run(&args),
        Command::Scan(args) => cmd::scan::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            tracing::debug!(error = ?err, "command failed");
            // The chain reads "what failed: why"; every context says what to do.
            let _ = writeln!(std::io::stderr(), "hakaru: エラー / error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Logs to stderr, filtered by `HAKARU_LOG` (env-filter syntax) or the `-v` count.
fn init_logging(verbose: u8, live_view: bool) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 if live_view => "error",
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_env("HAKARU_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
