//! `hakaru ports`: the serial ports the system lists, USB identity first — what a technician
//! needs to pick the analyzer's port. Pseudo-terminals (the simulator) are never listed: open
//! them by path. Deliberately not here: opening or probing ports (see `monitor --auto`).

use anyhow::{Context, Result};
use hakaru_devices::serial::{list_ports, PortKind};
use std::io::Write;
use std::process::ExitCode;

/// `hakaru ports` の引数 / Arguments of `hakaru ports`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// JSON で出力 / Print JSON (one object per port per line)
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
pub fn run(args: &Args) -> Result<ExitCode> {
    let ports = list_ports().context(
        "ポート一覧を取得できません / cannot list serial ports: check that udev is running (or open the port by path)",
    )?;
    let mut out = std::io::stdout().lock();
    if args.json {
        for p in &ports {
            writeln!(out, "{}", serde_json::to_string(p)?)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if ports.is_empty() {
        writeln!(
            out,
            "シリアルポートが見つかりません。体組成計の USB ケーブルを接続してください。\n\
             No serial ports found: plug in the analyzer's USB cable. \
             (A simulator's pty is not listed: open it by the path `hakaru simulate` prints.)"
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{:<28} {:<10} {:<10} {:<16} 製品 / product",
        "ポート / port", "種類 / kind", "VID:PID", "シリアル / serial"
    )?;
    for p in &ports {
        let kind = match p.kind {
            PortKind::Usb => "USB",
            PortKind::Pci => "PCI",
            PortKind::Bluetooth => "Bluetooth",
            _ => "?",
        };
        let (ids, serial, product) = match &p.usb {
            Some(u) => (
                format!("{:04x}:{:04x}", u.vid, u.pid),
                u.serial_number.clone().unwrap_or_default(),
                [u.manufacturer.as_deref(), u.product.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            None => (String::new(), String::new(), String::new()),
        };
        writeln!(
            out,
            "{:<28} {:<10} {:<10} {:<16} {}",
            p.path.display(),
            kind,
            ids,
            serial,
            product
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
