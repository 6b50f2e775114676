//! `admin status|ledger|held`: what an administrator watches — each station's sync status, the
//! ledger of personal-data transfers (委託) and the events held for a decision.
//!
//! Deliberately not here: changing anything (these commands only read).

use super::Ctx;
use crate::cli::time;
use anyhow::Context as _;
use hakaru_central::ids::ProgramId;

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
pub struct LedgerArgs {
    /// プログラム ID / Program id
    #[arg(long)]
    program: ProgramId,
    /// この日 (プログラムの現地時間 YYYY-MM-DD) またはこの時刻 (Unix ミリ秒) 以降 /
    /// From this date (program's local YYYY-MM-DD) or instant (Unix milliseconds)
    #[arg(long, default_value = "0")]
    since: String,
    /// 出力形式 / Output format
    #[arg(long, value_enum, default_value = "table")]
    format: LedgerFormat,
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

pub async fn ledger(ctx: &Ctx, args: LedgerArgs) -> anyhow::Result<()> {
    let offset = offset(ctx, Some(&args.program)).await?;
    let Some(since) = time::parse_since(&args.since, offset) else {
        anyhow::bail!(
            "--since は YYYY-MM-DD か Unix ミリ秒にしてください / --since must be YYYY-MM-DD or Unix milliseconds"
        );
    };
    let entries = ctx
        .storage()
        .ledger(&args.program, since)
        .await
        .context("提供記録を読めません / cannot read the ledger")?;
    match args.format {
        LedgerFormat::Json => {
            for e in entries {
                let line = serde_json::json!({
                    "at": e.at,
                    "station": e.station,
                    "program": e.program,
                    "direction": e.direction,
                    "label": e.label,
                    "participants": e.participants,
                    "items": e.items,
                });
                println!("{line}");
            }
        }
        LedgerFormat::Table => {
            println!(
                "{:<16}  {:<20}  {:<8}  {:<4}  {:<30}  参加者 / participants",
                "at (local)", "station", "dir", "label", "items"
            );
            for e in entries {
                println!(
                    "{:<16}  {:<20}  {:<8}  {:<4}  {:<30}  {}",
                    time::format(e.at, offset),
                    e.station,
                    e.direction.name(),
                    e.label,
                    e.items.join(","),
                    e.participants.join(",")
                );
            }
        }
    }
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
