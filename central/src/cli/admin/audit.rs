//! `admin audit verify|show`: checks the server's hash-chained audit log (naming the first bad
//! row) and lists its rows.
//!
//! Deliberately not here: writing rows (every admin write appends its own inside its
//! transaction; data views through [`Ctx::record_view`](super::Ctx::record_view)) and the chain
//! rules (`storage::audit`).

use super::Ctx;
use crate::cli::time;
use anyhow::Context as _;
use hakaru_central::storage::audit::AuditCheck;

/// Times are shown in Japan time (the log spans programs; every program is in Japan).
const JAPAN_OFFSET_MINUTES: i32 = 540;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// 監査ログの改ざんを検査 (最初の不正な行を表示) / Check the audit log for tampering (names the first bad row)
    Verify,
    /// 監査ログの行を表示 (古い順) / Show the audit log's rows, oldest first
    Show {
        /// この行番号より後から / Rows after this id
        #[arg(long, default_value_t = 0)]
        after: i64,
        /// 最大の行数 / At most this many rows
        #[arg(long, default_value_t = 1000)]
        limit: u32,
    },
}

/// Runs one audit command.
pub async fn run(ctx: &Ctx, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Verify => verify(ctx).await,
        Command::Show { after, limit } => show(ctx, after, limit).await,
    }
}

async fn verify(ctx: &Ctx) -> anyhow::Result<()> {
    let check = ctx
        .storage()
        .verify_audit()
        .await
        .context("監査ログを読めません / cannot read the audit log")?;
    match check {
        AuditCheck::Intact { rows } => {
            println!("監査ログは正常です（{rows} 行） / the audit log is intact ({rows} rows)");
            Ok(())
        }
        AuditCheck::Broken(found) => Err(anyhow::Error::new(found)),
    }
}

async fn show(ctx: &Ctx, after: i64, limit: u32) -> anyhow::Result<()> {
    let rows = ctx
        .storage()
        .audit_rows(after, limit)
        .await
        .context("監査ログを読めません / cannot read the audit log")?;
    if rows.is_empty() {
        println!("該当する行はありません / no rows");
        return Ok(());
    }
    println!(
        "{:>6}  {:<16}  {:<20}  {:<22}  内容 / detail",
        "id", "at (JST)", "actor", "action"
    );
    for r in &rows {
        println!(
            "{:>6}  {:<16}  {:<20}  {:<22}  {}",
            r.id,
            time::format(r.at, JAPAN_OFFSET_MINUTES),
            r.actor,
            r.action,
            r.detail
        );
    }
    Ok(())
}
