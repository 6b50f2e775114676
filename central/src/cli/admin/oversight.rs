//! `admin status|ledger|held`: what an administrator watches — each station's sync status, the
//! transfer records (station↔server transfers, 委託, and analysis exports; per program or per
//! participant) and the events held for a decision; and `admin ledger purge`, which deletes
//! transfer records past their retention period ([privacy] transfer_record_years).
//!
//! Deliberately not here: any other change (the rest only reads). Purging is a command, not done
//! at `serve` start-up: deleting records is an administrator's act, logged under their name.

use super::Ctx;
use crate::cli::time;
use anyhow::Context as _;
use hakaru_central::config::Config;
use hakaru_central::export::dates::retention_cutoff;
use hakaru_central::ids::ProgramId;
use hakaru_central::storage::export::{TransferKind, TransferRecord};

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// このプログラムの端末だけ (省略時は全部) / Only this program's stations (all if omitted)
    #[arg(long)]
    program: Option<ProgramId>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LedgerFormat {
    /// 1 行 1 件の JSON / One JSON object per line
    Json,
    /// 表 / A table
    Table,
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LedgerArgs {
    #[command(subcommand)]
    action: Option<LedgerAction>,
    /// プログラム ID (一覧に必要) / Program id (needed to list)
    #[arg(long)]
    program: Option<ProgramId>,
    /// この参加者番号を含む記録だけ (端末との送受信と分析用の提供の両方) / Only records naming
    /// this participant number (station transfers and exports alike)
    #[arg(long)]
    participant: Option<String>,
    /// この日 (プログラムの現地時間 YYYY-MM-DD) またはこの時刻 (Unix ミリ秒) 以降 /
    /// From this date (program's local YYYY-MM-DD) or instant (Unix milliseconds)
    #[arg(long, default_value = "0")]
    since: String,
    /// 出力形式 / Output format
    #[arg(long, value_enum, default_value = "table")]
    format: LedgerFormat,
}

#[derive(Debug, clap::Subcommand)]
enum LedgerAction {
    /// 保存期間 (central.toml の [privacy] transfer_record_years、既定 3 年) を過ぎた提供記録を
    /// 削除し、件数を監査ログに残す / Delete transfer records older than the retention period
    /// ([privacy] transfer_record_years in central.toml, 3 years by default) and write the count
    /// to the audit log
    Purge,
}

#[derive(Debug, clap::Args)]
pub struct HeldArgs {
    /// プログラム ID / Program id
    #[arg(long)]
    program: ProgramId,
}

/// Offset for showing times: the program's, else Japan's.
async fn offset(ctx: &Ctx, program: Option<&ProgramId>) -> anyhow::Result<i32> {
    match program {
        Some(p) => Ok(ctx.program_rules(p).await?.utc_offset_minutes),
        None => Ok(540),
    }
}

pub async fn status(ctx: &Ctx, args: StatusArgs) -> anyhow::Result<()> {
    let offset = offset(ctx, args.program.as_ref()).await?;
    let rows = ctx
        .storage()
        .sync_status(args.program.as_ref())
        .await
        .context("同期状況を読めません / cannot read the sync status")?;
    if rows.is_empty() {
        println!(
            "端末がありません。`admin station create` で登録してください / \
             no stations: register one with `admin station create`"
        );
        return Ok(());
    }
    println!(
        "{:<20}  {:<16}  {:<16}  {:>8}  {:>10}  {:<16}  最後のエラー / last error",
        "station", "municipality", "last seen", "backlog", "received", "place"
    );
    for r in rows {
        println!(
            "{:<20}  {:<16}  {:<16}  {:>8}  {:>10}  {:<16}  {}",
            r.station,
            r.municipality,
            r.last_seen
                .map_or_else(|| "未接続 / never".to_owned(), |t| time::format(t, offset)),
            r.backlog,
            r.events_received,
            r.place,
            r.last_error.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}

pub async fn ledger(ctx: &Ctx, config: &Config, args: LedgerArgs) -> anyhow::Result<()> {
    if let Some(LedgerAction::Purge) = args.action {
        return purge(ctx, config).await;
    }
    let Some(program) = args.program else {
        anyhow::bail!("--program でプログラムを指定してください / give the program with --program");
    };
    let offset = offset(ctx, Some(&program)).await?;
    let Some(since) = time::parse_since(&args.since, offset) else {
        anyhow::bail!(
            "--since は YYYY-MM-DD か Unix ミリ秒にしてください / --since must be YYYY-MM-DD or Unix milliseconds"
        );
    };
    let context = "提供記録を読めません / cannot read the transfer records";
    let mut records: Vec<TransferRecord> = match &args.participant {
        Some(participant) => {
            let records = ctx
                .storage()
                .transfers_of(&program, participant)
                .await
                .context(context)?;
            ctx.record_view(
                "ledger_participant",
                &program,
                std::slice::from_ref(participant),
            )
            .await?;
            records.into_iter().filter(|r| r.at >= since).collect()
        }
        None => {
            let mut all: Vec<TransferRecord> = ctx
                .storage()
                .ledger(&program, since)
                .await
                .context(context)?
                .into_iter()
                .map(TransferRecord::from)
                .collect();
            all.extend(
                ctx.storage()
                    .export_transfers(&program, since)
                    .await
                    .context(context)?,
            );
            ctx.record_view("ledger", &program, &[]).await?;
            all
        }
    };
    records.sort_by_key(|r| r.at);
    match args.format {
        LedgerFormat::Json => {
            for r in records {
                let mut line = serde_json::json!({
                    "at": r.at,
                    "program": r.program,
                    "label": r.label,
                    "participants": r.participants,
                    "items": r.items,
                });
                let extra = match &r.kind {
                    TransferKind::Station { station, direction } => serde_json::json!({
                        "station": station,
                        "direction": direction,
                    }),
                    TransferKind::Export {
                        kind,
                        purpose,
                        recipient,
                    } => serde_json::json!({
                        "direction": "exported",
                        "export": kind,
                        "purpose": purpose,
                        "recipient": recipient,
                    }),
                };
                if let (Some(line), serde_json::Value::Object(extra)) =
                    (line.as_object_mut(), extra)
                {
                    line.extend(extra);
                }
                println!("{line}");
            }
        }
        LedgerFormat::Table => {
            println!(
                "{:<16}  {:<24}  {:<8}  {:<8}  {:<30}  参加者 / participants",
                "at (local)", "station / recipient", "dir", "label", "items"
            );
            for r in records {
                let (who, dir) = match &r.kind {
                    TransferKind::Station { station, direction } => {
                        (station.to_string(), direction.name())
                    }
                    TransferKind::Export { recipient, .. } => (recipient.clone(), "exported"),
                };
                println!(
                    "{:<16}  {:<24}  {:<8}  {:<8}  {:<30}  {}",
                    time::format(r.at, offset),
                    who,
                    dir,
                    r.label,
                    r.items.join(","),
                    r.participants.join(",")
                );
            }
        }
    }
    Ok(())
}

/// `admin ledger purge`: deletes the records past retention, counting them in the audit log.
async fn purge(ctx: &Ctx, config: &Config) -> anyhow::Result<()> {
    let years = config.privacy.transfer_record_years;
    let now = ctx.now();
    // Retention is counted in Japan's calendar days.
    let before = retention_cutoff(now, years, 540);
    let count = ctx
        .storage()
        .purge_transfer_records(before, now)
        .await
        .context("提供記録を削除できません / cannot purge the transfer records")?;
    println!(
        "保存期間 {years} 年を過ぎた提供記録 {count} 件を削除しました ({} より前) / \
         deleted {count} transfer records older than {years} years (before {})",
        time::format(before, 540),
        time::format(before, 540)
    );
    Ok(())
}

pub async fn held(ctx: &Ctx, args: HeldArgs) -> anyhow::Result<()> {
    let offset = offset(ctx, Some(&args.program)).await?;
    let events = ctx
        .storage()
        .held_events(&args.program)
        .await
        .context("保留中のイベントを読めません / cannot read the held events")?;
    if events.is_empty() {
        println!("保留中のイベントはありません / no held events");
        return Ok(());
    }
    println!(
        "{:<36}  {:<16}  {:<20}  {:<22}  理由 / reason",
        "event", "received", "station", "kind"
    );
    for e in events {
        println!(
            "{:<36}  {:<16}  {:<20}  {:<22}  {}",
            e.id,
            time::format(e.received_at, offset),
            e.station,
            e.kind,
            e.reason.words()
        );
    }
    Ok(())
}
