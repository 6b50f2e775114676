//! One module per subcommand. Each exposes `Args` (clap derive, bilingual help: Japanese first,
//! then English) and `run(&Args) -> anyhow::Result<ExitCode>`.

pub mod decode;
pub mod demo;
pub mod monitor;
pub mod ports;
pub mod scan;
pub mod simulate;

use anyhow::Context;
use hakaru_devices::scale::ModelProfile;
use hakaru_devices::sim::SimConfig;

/// The message for a model name we do not know, listing the ones we do.
fn unknown_model(name: &str) -> String {
    format!(
        "機種 {name} は未対応です / unknown model {name}: use one of {}",
        ModelProfile::names().join(", ")
    )
}

/// A model profile by name (`MC-780A` and `mc-780` both work), or an error that lists the models.
pub fn model_profile(name: &str) -> anyhow::Result<&'static ModelProfile> {
    ModelProfile::find(name).with_context(|| unknown_model(name))
}

/// A simulator configuration for a model by name, or an error that lists the models.
pub fn sim_config(name: &str, pace: bool) -> anyhow::Result<SimConfig> {
    let mut config = SimConfig::for_model(name).with_context(|| unknown_model(name))?;
    config.pace = pace;
    Ok(config)
}
