//! `hakaru simulate`: a virtual analyzer on a pseudo-terminal. Prints the path to open on
//! stdout, measures every few seconds, injects the faults asked for, and takes commands on
//! stdin (`m` measure, a fault name, `q` quit). Deliberately not here: the device itself
//! (`hakaru_devices::sim`).

use anyhow::{Context, Result};
use hakaru_devices::sim::{Fault, Simulator};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;
use tokio::io::AsyncBufReadExt;
use tokio::time::Instant;

/// `hakaru simulate` の引数 / Arguments of `hakaru simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 機種(MC-780, MC-980, DC-320, SC-240, PW-650, WB-110, AD-4404) / Model to imitate
    #[arg(long, default_value = "MC-780")]
    pub model: String,
    /// 注入する故障(繰り返し可、測定ごとに順に): noise, truncate, bad-checksum, wrong-baud,
    /// unplug:2s, silence:5s, error:E2, serial:12345678, junk / Fault to inject (repeatable;
    /// one before each measurement, in turn)
    #[arg(long = "fault", value_name = "FAULT")]
    pub faults: Vec<String>,
    /// 自動測定の間隔(秒、0 で自動測定なし) / Seconds between automatic measurements (0: none)
    #[arg(long, default_value_t = 10)]
    pub every: u64,
    /// 実際の通信速度を再現しない(高速) / Do not pace bytes at the real line rate
    #[arg(long)]
    pub no_pace: bool,
    /// 乱数の種(同じ種なら同じ値) / Random seed (same seed, same values)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 指定秒数で終了 / Stop after this many seconds (default: until Ctrl-C or `q`)
    #[arg(long = "for", value_name = "SECONDS")]
    pub duration: Option<u64>,
}

/// Runs the command.
pub fn run(args: &Args) -> Result<ExitCode> {
    let faults = parse_faults(&args.faults)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let mut config = super::sim_config(&args.model, !args.no_pace)?;
        config.device.seed = args.seed;
        let sim = Simulator::start(config)
            .context("シミュレータを起動できません / cannot start the simulator")?;
        {
            let mut out = std::io::stdout();
            writeln!(out, "{}", sim.path().display())?;
            out.flush()?;
        }
        let _ = writeln!(
            std::io::stderr(),
            "シミュレータ {} を起動しました。上のパスを開いてください(例: hakaru monitor {})。\n\
             Simulator {} running: open the path above (e.g. hakaru monitor {}).\n\
             標準入力 / stdin: m = 測定 / measure, 故障名 / a fault name, q = 終了 / quit",
            args.model,
            sim.path().display(),
            args.model,
            sim.path().display()
        );
        drive(&sim, args, faults).await?;
        sim.stop()
            .await
            .context("シミュレータの停止に失敗 / the simulator did not stop cleanly")?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Parses fault names, with an error that lists the valid ones.
pub fn parse_faults(names: &[String]) -> Result<Vec<Fault>> {
    names
        .iter()
        .map(|n| {
            n.parse::<Fault>()
                .map_err(|e| anyhow::anyhow!("故障名が不正です / {e}"))
        })
        .collect()
}

async fn drive(sim: &Simulator, args: &Args, faults: Vec<Fault>) -> Result<()> {
    let period = (args.every > 0).then(|| Duration::from_secs(args.every));
    let far = Duration::from_secs(86_400 * 365);
    let end = Instant::now() + args.duration.map_or(far, Duration::from_secs);
    let mut next_measure = Instant::now() + period.map_or(far, |p| p.min(Duration::from_secs(2)));
    let mut fault_cycle = faults.into_iter().cycle();
    let mut stdin = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            _ = &mut ctrl_c => return Ok(()),
            _ = tokio::time::sleep_until(end) => return Ok(()),
            _ = tokio::time::sleep_until(next_measure) => {
                if let Some(fault) = fault_cycle.next() {
                    tracing::info!(%fault, "injecting fault");
                    sim.inject(fault)?;
                }
                sim.measure()?;
                next_measure = Instant::now() + period.unwrap_or(far);
            }
            line = stdin.next_line(), if stdin_open => match line? {
                None => stdin_open = false,
                Some(line) => match line.trim() {
                    "" => {}
                    "q" | "quit" => return Ok(()),
                    "m" | "measure" => sim.measure()?,
                    other => match other.parse::<Fault>() {
                        Ok(f) => sim.inject(f)?,
                        Err(e) => { let _ = writeln!(std::io::stderr(), "故障名が不正です / {e}"); }
                    },
                },
            },
        }
    }
}
