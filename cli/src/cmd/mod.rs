//! One module per subcommand. Each exposes `Args` (clap derive, bilingual help: Japanese first,
//! then English) and `run(&Args) -> anyhow::Result<ExitCode>`.
//!
//! Planned next to `decode`: `ports` (list serial ports), `monitor` (watch a live analyzer),
//! `simulate` (the pty simulator) and `demo` — each as its own file here.

pub mod decode;
