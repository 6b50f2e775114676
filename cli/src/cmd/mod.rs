//! One module per subcommand. Each exposes `Args` (clap derive, bilingual help: Japanese first,
//! then English) and `run(&Args) -> anyhow::Result<ExitCode>`.

pub mod decode;
pub mod demo;
pub mod monitor;
pub mod ports;
pub mod simulate;
