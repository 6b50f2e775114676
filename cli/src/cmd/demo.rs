//! `hakaru demo`: the simulator feeding the live monitor, with a scenario that shows a clean
//! measurement and then each fault the link must survive — noise, a cut frame, a bad checksum,
//! a pulled cable, a device error — narrated in Japanese and English. This is what
//! `scripts/demo` runs. Deliberately not here: anything the monitor or simulator do themselves.

use crate::cmd::monitor::watch;
use anyhow::{Context, Result};
use hakaru_devices::scale::Dialect;
use hakaru_devices::serial::{LinkOptions, ScaleLink};
use hakaru_devices::sim::{Fault, Person, Rng, Simulator};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// `hakaru demo` の引数 / Arguments of `hakaru demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 機種 / Model to imitate
    #[arg(long, default_value = "MC-780")]
    pub model: String,
    /// 指定秒数で終了(省略時は Ctrl-C まで) / Stop after this many seconds (default: until Ctrl-C)
    #[arg(long = "for", value_name = "SECONDS")]
    pub duration: Option<u64>,
    /// 実際の通信速度を再現しない(高速) / Do not pace bytes at the real line rate
    #[arg(long)]
    pub no_pace: bool,
}

/// One step of the scenario: what to say, which fault (if any), whether someone steps on.
struct Step {
    say: &'static str,
    fault: Option<&'static str>,
    measure: bool,
}

const SCENARIO: &[Step] = &[
    Step { say: "測定します / a person steps on the analyzer", fault: None, measure: true },
    Step { say: "ノイズの後に測定 / noise on the line, then a measurement", fault: Some("noise"), measure: true },
    Step {
        say: "途中で切れたフレーム: 棄却され、次のフレームは受理されます / a cut frame is rejected; the next one is accepted",
        fault: Some("truncate"),
        measure: true,
    },
    Step {
        say: "チェックサム不一致: 測定値にはなりません / a bad checksum never becomes a reading",
        fault: Some("bad-checksum"),
        measure: true,
    },
    Step {
        say: "ケーブルを 3 秒抜きます: 自動で再接続します / the cable is pulled for 3 s: the link reconnects by itself",
        fault: Some("unplug:3s"),
        measure: false,
    },
    Step { say: "再接続後に測定 / a measurement after the replug", fault: None, measure: true },
    Step {
        say: "体組成計のエラー E2(裸足で乗っていない) / the analyzer reports E2 (not barefoot)",
        fault: Some("error:E2"),
        measure: false,
    },
];

/// Seconds between scenario steps: a measurement takes ~3 s plus ~1.3 s on the wire.
const STEP_PERIOD: Duration = Duration::from_secs(7);

/// Runs the command.
pub fn run(args: &Args) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let config = super::sim_config(&args.model, !args.no_pace)?;
        let profile = config.device.model;
        let sim = Arc::new(
            Simulator::start(config)
                .context("シミュレータを起動できません / cannot start the simulator")?,
        );
        let intro = format!(
            "Hakaru デモ: 仮想の体組成計 {} ({}) をモニターで表示します。Ctrl-C で終了。\n\
             Hakaru demo: a virtual {} analyzer on {} feeding the live monitor. Ctrl-C stops it.\n",
            profile.model,
            sim.path().display(),
            profile.model,
            sim.path().display()
        );
        write_line(&intro);
        let options = LinkOptions {
            dialect: profile.dialect.unwrap_or(Dialect::JpDc),
            tap_raw: true,
            ..LinkOptions::default()
        };
        let link = ScaleLink::open(sim.path(), profile.settings, options);
        let scenario = tokio::spawn(run_scenario(Arc::clone(&sim)));
        let deadline = args
            .duration
            .map(|s| Instant::now() + Duration::from_secs(s));
        let watched = watch(link, false, deadline, |_| {}).await;
        scenario.abort();
        let _ = scenario.await;
        if let Ok(sim) = Arc::try_unwrap(sim) {
            sim.stop()
                .await
                .context("シミュレータの停止に失敗 / the simulator did not stop cleanly")?;
        }
        watched?;
        write_line("デモを終了しました / demo finished");
        Ok(ExitCode::SUCCESS)
    })
}

async fn run_scenario(sim: Arc<Simulator>) -> Result<()> {
    let mut rng = Rng::new(2026);
    tokio::time::sleep(Duration::from_secs(1)).await;
    for step in SCENARIO.iter().cycle() {
        write_line(&format!("\n▶ {}", step.say));
        if let Some(name) = step.fault {
            let fault: Fault = name.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
            sim.inject(fault)?;
        }
        if step.measure {
            sim.set_person(Person::random(&mut rng))?;
            sim.measure()?;
        }
        tokio::time::sleep(STEP_PERIOD).await;
    }
    Ok(())
}

fn write_line(text: &str) {
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_fault_parses() {
        for step in SCENARIO {
            if let Some(name) = step.fault {
                assert!(name.parse::<Fault>().is_ok(), "{name}");
            }
            assert!(step.say.contains(" / "), "bilingual: {}", step.say);
        }
    }
}
