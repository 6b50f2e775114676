//! The command line of `hakaru-central`: argument parsing (Japanese first, English second), the
//! configuration they select, logging, and exit codes. `serve` runs the server; `admin …` acts
//! directly on the database named by the same configuration.
//!
//! Deliberately not here: what the commands do to the database (the `admin` modules call the
//! [`Storage`](hakaru_central::storage::Storage) trait) and the HTTP API (the library).
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is these commands' job

mod admin;
mod serve;
mod time;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use hakaru_central::config::{Config, LogFormat, Overrides};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code when the command could not do its job.
const EXIT_ERROR: u8 = 1;

#[derive(Debug, Parser)]
#[command(
    name = "hakaru-central",
    version,
    about = "Hakaru 中央サーバーと管理コマンド / Hakaru central server and its admin commands",
    long_about = "Hakaru 中央サーバー (serve) と管理コマンド (admin)。\n\
                  The Hakaru central server (serve) and its administrator's commands (admin).\n\n\
                  設定ファイルなしでも動きます: 現在のディレクトリの hakaru-central.db (SQLite) を使い、\n\
                  127.0.0.1:8780 で待ち受けます。設定の例: central.example.toml\n\
                  With no config file it uses hakaru-central.db (SQLite) in the current directory and \
                  listens on 127.0.0.1:8780. Example config: central.example.toml",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    after_help = "終了コード / exit codes: 0 正常 / ok, 1 失敗 / failed, 2 引数の誤り / bad arguments"
)]
struct Cli {
    /// 設定ファイル (TOML) / Configuration file (TOML)
    #[arg(long, short = 'c', global = true, value_name = "FILE")]
    config: Option<PathBuf>,

    /// SQLite データベースファイル (設定より優先) / SQLite database file (overrides the config)
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        conflicts_with = "database_url"
    )]
    database: Option<PathBuf>,

    /// データベース URL (postgres://… または sqlite://…、設定より優先) / Database URL (postgres://… or sqlite://…; overrides the config)
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,

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
    /// サーバーを起動 / Run the server
    #[command(
        long_about = "サーバーを起動します。Ctrl-C または SIGTERM で、処理中のリクエストを終えてから停止します。\n\
                            Runs the server; Ctrl-C or SIGTERM stops it after the requests in flight finish."
    )]
    Serve(serve::Args),
    /// 管理コマンド (データベースを直接操作) / Admin commands (act directly on the database)
    Admin(admin::Args),
}

/// Parses the arguments, runs the command, prints any error with what to do.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = run(cli);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::debug!(error = ?err, "command failed");
            let _ = writeln!(std::io::stderr(), "hakaru-central: エラー / error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let overrides = Overrides {
        listen: match &cli.command {
            Command::Serve(args) => args.listen,
            Command::Admin(_) => None,
        },
        database: cli.database.clone(),
        database_url: cli.database_url.clone(),
    };
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("非同期ランタイムを起動できません / cannot start the async runtime")?;
    match cli.command {
        Command::Serve(_) => {
            init_logging(&config, config.log_format);
            runtime.block_on(serve::run(&config))
        }
        Command::Admin(args) => {
            // Admin commands print their results; only warnings go to stderr, readable.
            let quiet = Config {
                log: "warn".to_owned(),
                ..config.clone()
            };
            init_logging(&quiet, LogFormat::Pretty);
            runtime.block_on(admin::run(&config, args))
        }
    }
}

/// Logs to stderr, filtered by `HAKARU_LOG` or the configured filter.
fn init_logging(config: &Config, format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("HAKARU_LOG").unwrap_or_else(|_| EnvFilter::new(&config.log));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().with_current_span(true).init(),
        LogFormat::Pretty => builder.with_target(false).init(),
    }
}
