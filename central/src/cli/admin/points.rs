//! `admin points awards|balance|cancel|exchange`: a participant's points, for the program office
//! (statements, fraud cancellations with a reason, exchanges for gift certificates).
//!
//! Deliberately not here: deciding awards (the points rules, applied at ingest).

use super::Ctx;
use crate::cli::time;
use anyhow::Context as _;
use hakaru_central::ids::ProgramId;
use hakaru_central::storage::AwardRecord;
use uuid::Uuid;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// 付与の一覧 (新しい順、取消の ID 確認用) / List awards, newest first (to find one to cancel)
    Awards {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// 参加者番号 / Participant number
        #[arg(long)]
        participant: String,
    },
    /// 残高 (取消・交換を反映) と交換可能な単位 / Balance (after cancellations and exchanges) and exchangeable units
    Balance {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// 参加者番号 / Participant number
        #[arg(long)]
        participant: String,
    },
    /// 不正な付与を取り消す (理由は記録) / Cancel an award obtained by fraud (the reason is kept)
    Cancel {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// 付与 ID (`points awards` で確認) / Award id (see `points awards`)
        #[arg(long)]
        award: Uuid,
        /// 取消の理由 (必須) / Why it is cancelled (required)
        #[arg(long)]
        reason: String,
    },
    /// ポイントを交換単位で交換 / Exchange whole exchange units of points
    Exchange {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// 参加者番号 / Participant number
        #[arg(long)]
        participant: String,
        /// 交換する単位数 / Units to exchange
        #[arg(long)]
        units: u32,
    },
}

pub async fn run(ctx: &Ctx, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Awards {
            program,
            participant,
        } => {
            let offset = ctx.program_rules(&program).await?.utc_offset_minutes;
            let awards = load_awards(ctx, &program, &participant).await?;
            ctx.record_view(
                "points_awards",
                &program,
                std::slice::from_ref(&participant),
            )
            .await?;
            if awards.is_empty() {
                println!("付与はありません / no awards");
                return Ok(());
            }
            println!(
                "{:<36}  {:<16}  {:<20}  {:>6}  {:<10}  取消 / cancelled",
                "award", "awarded (local)", "rule", "points", "period"
            );
            for a in &awards {
                println!(
                    "{:<36}  {:<16}  {:<20}  {:>6}  {:<10}  {}",
                    a.id,
                    time::format(a.awarded_at, offset),
                    a.rule_id,
                    a.points,
                    a.period_key,
                    a.cancelled.as_deref().unwrap_or("-")
                );
            }
        }
        Command::Balance {
            program,
            participant,
        } => {
            let balance = ctx
                .storage()
                .balance(&program, &participant, ctx.now())
                .await
                .context("残高を読めません / cannot read the balance")?
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "この参加者はプログラム {program} の名簿にありません / \
                         the participant is not on program {program}'s roster"
                    )
                })?;
            ctx.record_view(
                "points_balance",
                &program,
                std::slice::from_ref(&participant),
            )
            .await?;
            println!(
                "残高 / balance: {} (今月 / this month: {}、交換可能 / exchangeable: {} × {} points、繰越 / carry-over: {})",
                balance.balance,
                balance.this_month,
                balance.exchangeable_units,
                balance.exchange_unit,
                balance.carry_over
            );
        }
        Command::Cancel {
            program,
            award,
            reason,
        } => {
            if reason.trim().is_empty() {
                anyhow::bail!(
                    "--reason に取消の理由を書いてください / give the reason in --reason"
                );
            }
            ctx.storage()
                .cancel_award(&program, award, reason.trim(), ctx.now())
                .await
                .context("付与を取り消せません / cannot cancel the award")?;
            println!("付与 {award} を取り消しました / award {award} cancelled");
        }
        Command::Exchange {
            program,
            participant,
            units,
        } => {
            let balance = ctx
                .storage()
                .exchange_points(&program, &participant, units, ctx.now())
                .await
                .context("ポイントを交換できません / cannot exchange the points")?;
            println!(
                "{units} 単位を交換しました / exchanged {units} units. \
                 残高 / balance: {} (交換可能 / exchangeable: {} units, 繰越 / carry-over: {})",
                balance.balance, balance.exchangeable_units, balance.carry_over
            );
        }
    }
    Ok(())
}

async fn load_awards(
    ctx: &Ctx,
    program: &ProgramId,
    participant: &str,
) -> anyhow::Result<Vec<AwardRecord>> {
    ctx.storage()
        .awards(program, participant)
        .await
        .context("付与の記録を読めません / cannot read the awards")
}
