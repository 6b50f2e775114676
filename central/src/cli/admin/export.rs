//! `admin export pseudonymised|anonymized`: writes an analysis export of a program's
//! measurements into a folder (data.csv, manifest.json, and items.txt for anonymized exports),
//! recorded as a transfer with its recipient, participants and items, and in the audit log — all
//! in the one transaction that reads the source.
//!
//! Deliberately not here: what an export contains (`hakaru_central::export`) and SQL.

use super::Ctx;
use anyhow::Context as _;
use hakaru_central::config::Config;
use hakaru_central::export::pseudonym::{KeyOrigin, PseudonymKey};
use hakaru_central::export::{self, anonymize::DEFAULT_K, ExportContext};
use hakaru_central::ids::ProgramId;
use hakaru_central::storage::export::{ExportKind, ExportRequest, ExportRunError, ExportWriter};
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// 仮名加工情報 (プログラム自身の効果分析用。鍵付きの仮名) / Pseudonymised export (the
    /// program's own effect analysis; keyed pseudonyms)
    Pseudonymised {
        #[command(flatten)]
        common: CommonArgs,
        /// 仮名化の鍵ファイル (なければ作成、権限 0600)。省略時は central.toml の
        /// [export] pseudonym_key / The pseudonymisation key file (made if missing, mode
        /// 0600); default: [export] pseudonym_key in central.toml
        #[arg(long)]
        key_file: Option<PathBuf>,
    },
    /// 匿名加工情報 (公表・第三者提供用。k-匿名) / Anonymized export (for publication or
    /// provision; k-anonymous)
    Anonymized {
        #[command(flatten)]
        common: CommonArgs,
        /// 年齢階級・性別・自治体・年月の組み合わせごとの最少人数 / Minimum people per (age
        /// band, sex, municipality, month) combination
        #[arg(long, default_value_t = DEFAULT_K)]
        k: usize,
    },
}

#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    /// プログラム ID / Program id
    #[arg(long)]
    program: ProgramId,
    /// 同意の目的 ID (最新の同意でこの目的に同意した参加者だけを含めます) / Consent purpose id
    /// (only participants whose latest consent grants it are included)
    #[arg(long)]
    purpose: String,
    /// 提供先 (提供記録に残ります) / Recipient (kept in the transfer record)
    #[arg(long)]
    recipient: String,
    /// 出力先フォルダ (なければ作成。既存のファイルは上書きしません) / Output folder (made
    /// if missing; existing files are never overwritten)
    #[arg(long)]
    out: PathBuf,
}

/// Progress on stderr (stdout carries the result).
fn progress(text: &str) {
    #[allow(clippy::print_stderr)] // progress of a long run, for the person at the terminal
    {
        eprintln!("{text}");
    }
}

pub async fn run(ctx: &Ctx, config: &Config, command: Command) -> anyhow::Result<()> {
    let (common, kind) = match &command {
        Command::Pseudonymised { common, .. } => (common, ExportKind::Pseudonymised),
        Command::Anonymized { common, .. } => (common, ExportKind::Anonymized),
    };
    if common.recipient.trim().is_empty() {
        anyhow::bail!(
            "--recipient に提供先を指定してください (提供記録に残ります) / \
             name the recipient with --recipient (it is kept in the transfer record)"
        );
    }
    let program = common.program.clone();
    let rules = ctx.program_rules(&program).await?;
    let now = ctx.now();
    let context = ExportContext {
        program: common.program.to_string(),
        purpose: common.purpose.clone(),
        recipient: common.recipient.trim().to_owned(),
        offset_minutes: rules.utc_offset_minutes,
        now,
        out: common.out.clone(),
    };
    let writer: ExportWriter = match command {
        Command::Pseudonymised { key_file, .. } => {
            let Some(path) = key_file.or_else(|| config.export.pseudonym_key.clone()) else {
                anyhow::bail!(
                    "仮名化の鍵ファイルを --key-file か central.toml の [export] pseudonym_key で指定してください \
                     (なければ作成します。提供先には渡さないでください) / give the pseudonymisation key file with \
                     --key-file or [export] pseudonym_key in central.toml (it is made if missing; never give it \
                     to the recipient)"
                );
            };
            let (key, origin) = PseudonymKey::load_or_create(&path)?;
            if origin == KeyOrigin::Created {
                progress(&format!(
                    "仮名化の鍵を新しく作成しました: {} (権限 0600)。提供先に渡さず、別に保管してください。\
                     鍵をなくすと以後の仮名は以前の提供とつながりません / made a new pseudonymisation key: {} \
                     (mode 0600). Keep it apart from the recipients; with a new key, pseudonyms no longer match \
                     earlier exports",
                    path.display(),
                    path.display()
                ));
            }
            let context = context.clone();
            Box::new(move |rows| {
                progress(&format!(
                    "{} 件の測定を仮名加工しています… / pseudonymising {} measurements…",
                    rows.len(),
                    rows.len()
                ));
                export::write_pseudonymised(&context, &key, &rows).map_err(|e| e.to_string())
            })
        }
        Command::Anonymized { k, .. } => {
            if k < 2 {
                anyhow::bail!("--k は 2 以上にしてください / --k must be at least 2");
            }
            let context = context.clone();
            Box::new(move |rows| {
                progress(&format!(
                    "{} 件の測定を匿名加工しています (k = {k})… / anonymizing {} measurements (k = {k})…",
                    rows.len(),
                    rows.len()
                ));
                export::write_anonymized(&context, k, &rows).map_err(|e| e.to_string())
            })
        }
    };
    progress("対象の測定を読み込んでいます… / reading the measurements…");
    let request = ExportRequest {
        program,
        purpose: context.purpose.clone(),
        kind,
        recipient: context.recipient.clone(),
    };
    let record = match ctx.storage().run_export(&request, now, writer).await {
        Ok(record) => record,
        Err(ExportRunError::Write(message)) => anyhow::bail!(message),
        Err(ExportRunError::Storage(e)) => {
            return Err(e).context(
                "提供を記録できませんでした。出力先のファイルは提供しないでください / \
                 the export could not be recorded: do not hand out the files in the output folder",
            )
        }
    };
    println!(
        "{}: {} 人 / participants, {} 項目 / items — 提供先 / recipient: {}",
        kind.label(),
        record.participants.len(),
        record.items.len(),
        context.recipient
    );
    for path in export::files_of(kind, &context.out) {
        println!("  {}", path.display());
    }
    println!(
        "提供記録に残しました (admin ledger で確認できます) / recorded as a transfer (see admin ledger)"
    );
    Ok(())
}
