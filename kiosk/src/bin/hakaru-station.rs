//! `hakaru-station`: the technician's look at a kiosk's station store without the kiosk app —
//! `audit verify` checks the hash-chained audit log and names the first bad row, `audit show`
//! lists the newest rows. The store is opened read-only (no key made, no migration, nothing
//! written), so it is safe while the kiosk runs.
//!
//! Deliberately not here: repairing anything, or any other store command.

#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this binary's job

use hakaru_kiosk::KioskSetup;
use hakaru_station::store::{AuditError, Store, StoreConfig};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
使い方 / usage:
  hakaru-station audit verify [--config kiosk.toml]
  hakaru-station audit show [--limit N] [--config kiosk.toml]

監査ログ（改ざん検知つき）を確認します。設定ファイルは --config、なければ $HAKARU_KIOSK_CONFIG、
なければ ~/.config/hakaru/kiosk.toml です。
Checks the station's tamper-evident audit log. The settings file is --config, else
$HAKARU_KIOSK_CONFIG, else ~/.config/hakaru/kiosk.toml.

終了コード / exit codes: 0 正常 / intact, 1 改ざん・削除あり / broken, 2 使い方・設定・保存先の問題 / usage, settings or store problem";

/// What was asked.
enum Command {
    Verify,
    Show { limit: u32 },
}

struct Args {
    command: Command,
    config: Option<PathBuf>,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (Some(group), Some(verb)) = (args.next(), args.next()) else {
        return Err("コマンドを指定してください / give a command".into());
    };
    let mut config = None;
    let mut limit = 20u32;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--config" => {
                config = Some(PathBuf::from(args.next().ok_or(
                    "--config のあとにファイルを指定してください / --config needs a file",
                )?));
            }
            "--limit" => {
                limit = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or(
                        "--limit には 1 以上の数を指定してください / --limit needs a number ≥ 1",
                    )?;
            }
            other => {
                return Err(format!(
                    "不明な引数です: {other} / unknown argument: {other}"
                ))
            }
        }
    }
    let command = match (group.as_str(), verb.as_str()) {
        ("audit", "verify") => Command::Verify,
        ("audit", "show") => Command::Show { limit },
        _ => {
            return Err(format!(
                "不明なコマンドです: {group} {verb} / unknown command: {group} {verb}"
            ))
        }
    };
    Ok(Args { command, config })
}

/// The store the kiosk settings name, opened read-only.
fn open(config: Option<PathBuf>) -> Result<Store, String> {
    let setup = KioskSetup::load(config);
    let path = setup.config_path.display().to_string();
    let config = setup.config.map_err(|e| {
        format!(
            "{e}\n設定ファイル {path} を直すか、--config で正しいファイルを指定してください / \
             fix the settings file {path}, or give the right one with --config"
        )
    })?;
    let store = match &config.station.data_dir {
        Some(dir) => StoreConfig::in_dir(dir),
        None => StoreConfig::platform_default().map_err(|e| e.to_string())?,
    };
    Store::open_read_only(&store).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    if matches!(
        args.peek().map(String::as_str),
        None | Some("-h" | "--help")
    ) {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let args = match parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let store = match open(args.config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match args.command {
        Command::Verify => verify(&store),
        Command::Show { limit } => show(&store, limit),
    }
}

fn verify(store: &Store) -> ExitCode {
    match store.verify_audit() {
        Ok(()) => match store.audit_row_count() {
            Ok(n) => {
                println!("監査ログは正常です（{n} 行） / the audit log is intact ({n} rows)");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(2)
            }
        },
        Err(AuditError::Broken(b)) => {
            // The message names the row and says what to do (leave the kiosk as it is).
            eprintln!("{b}");
            eprintln!(
                "監査ログの {row} 行目以降は信頼できません。データフォルダをそのまま保全し、`hakaru-station audit show` の出力とあわせて技術者に渡してください / \
                 rows from {row} on cannot be trusted: keep the data folder as it is and hand it, with the output of `hakaru-station audit show`, to a technician",
                row = b.row_id
            );
            ExitCode::from(1)
        }
        Err(AuditError::Store(e)) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn show(store: &Store, limit: u32) -> ExitCode {
    match store.recent_audit(limit) {
        Ok(rows) => {
            println!("行 / row\t日時 (JST) / time\t操作 / action\t内容 / detail");
            for r in rows {
                println!(
                    "{}\t{}\t{}\t{}",
                    r.id,
                    jst(r.at.as_unix_ms()),
                    r.action,
                    r.detail
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS` in Japan time (UTC+9, no DST).
fn jst(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000) + 9 * 3600;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_japan_time() {
        // 2026-06-03T06:00:00Z
        assert_eq!(jst(1_780_466_400_000), "2026-06-03 15:00:00");
        assert_eq!(jst(0), "1970-01-01 09:00:00");
        // 2024-02-29T15:30:00Z is already 1 March in Japan.
        assert_eq!(jst(1_709_220_600_000), "2024-03-01 00:30:00");
    }

    #[test]
    fn arguments_are_checked() {
        let p = |s: &str| parse(s.split_whitespace().map(str::to_owned));
        assert!(matches!(
            p("audit verify").unwrap().command,
            Command::Verify
        ));
        assert!(matches!(
            p("audit show --limit 5 --config k.toml").unwrap().command,
            Command::Show { limit: 5 }
        ));
        assert!(p("audit show --limit 0").is_err());
        assert!(p("audit fix").is_err());
        assert!(p("audit verify --bogus").is_err());
    }
}
