//! `admin registration-rules set|show`, `admin registrations held` and `admin calibrations`:
//! the program office's side of registrations at explanation sessions (the rules stations check
//! and the server judges by; the registrations held — ineligible, a conflict of two stations,
//! over the cap) and the analyzers' calibration records.
//!
//! Deliberately not here: judging registrations (ingest, `storage::common`) and storage.

use super::Ctx;
use crate::cli::time;
use anyhow::Context as _;
use hakaru_central::ids::{ProgramId, StationId};
use hakaru_wire::api::{HeldReason, RegistrationRules};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ResidencyArg {
    /// 市町村に住んでいるか勤めている人だけ / Only people living or working in the area
    Required,
    /// 居住・勤務を問わない / Anyone, wherever they live or work
    NotRequired,
}

#[derive(Debug, clap::Subcommand)]
pub enum RulesCommand {
    /// 登録の条件を設定 (省略した項目は今の値のまま。端末には同期で届きます) /
    /// Set the registration rules (omitted items keep their value; stations get them by sync)
    Set {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// 申込日の年齢の下限 (満年齢) / Youngest age in whole years on the application date
        #[arg(long)]
        min_age: Option<u8>,
        /// 居住・勤務の条件 / The area rule
        #[arg(long, value_enum)]
        residency: Option<ResidencyArg>,
        /// 定員 (先着順)、または none で定員なし / Enrolment cap (first come, first served), or none
        #[arg(long)]
        cap: Option<String>,
    },
    /// 登録の条件を表示 / Show the registration rules
    Show {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum RegistrationsCommand {
    /// 保留中の登録 (条件外・二重登録・定員超過)。参加者番号を表示します /
    /// Registrations held (ineligible, registered twice, over the cap); shows participant numbers
    Held {
        /// このプログラムだけ (省略時は全部) / Only this program (all if omitted)
        #[arg(long)]
        program: Option<ProgramId>,
    },
}

#[derive(Debug, clap::Args)]
pub struct CalibrationsArgs {
    /// このプログラムだけ / Only this program
    #[arg(long)]
    program: Option<ProgramId>,
    /// この端末だけ / Only this station
    #[arg(long)]
    station: Option<StationId>,
}

/// `--cap N|none`.
fn parse_cap(text: &str) -> anyhow::Result<Option<u32>> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    match text.trim().parse::<u32>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => anyhow::bail!(
            "定員は 1 以上の整数か none で指定してください: {text} / \
             give the cap as a whole number of 1 or more, or none: {text}"
        ),
    }
}

fn rules_text(rules: &RegistrationRules) -> String {
    let residency = if rules.residency_required {
        "市町村に居住または勤務 / must live or work in the area"
    } else {
        "問わない / not required"
    };
    let cap = rules.enrolment_cap.map_or_else(
        || "なし / none".to_owned(),
        |c| format!("{c} 人 (先着順) / {c} (first come, first served)"),
    );
    format!(
        "最低年齢 / minimum age: {} 歳 / years\n居住・勤務 / residency: {residency}\n定員 / cap: {cap}",
        rules.min_age_years
    )
}

/// Runs `registration-rules`.
pub async fn rules(ctx: &Ctx, command: RulesCommand) -> anyhow::Result<()> {
    match command {
        RulesCommand::Show { program } => {
            let rules = ctx
                .storage()
                .registration_rules(&program)
                .await
                .context("登録の条件を読めません / cannot read the registration rules")?;
            println!("{}", rules_text(&rules));
            Ok(())
        }
        RulesCommand::Set {
            program,
            min_age,
            residency,
            cap,
        } => {
            let mut rules = ctx
                .storage()
                .registration_rules(&program)
                .await
                .context("登録の条件を読めません / cannot read the registration rules")?;
            if let Some(age) = min_age {
                rules.min_age_years = age;
            }
            if let Some(r) = residency {
                rules.residency_required = matches!(r, ResidencyArg::Required);
            }
            if let Some(cap) = cap {
                rules.enrolment_cap = parse_cap(&cap)?;
            }
            ctx.storage()
                .set_registration_rules(&program, &rules, ctx.now())
                .await
                .context("登録の条件を保存できません / cannot store the registration rules")?;
            println!(
                "登録の条件を保存しました。端末には次の同期で届きます / \
                 registration rules stored; stations get them at their next sync"
            );
            println!("{}", rules_text(&rules));
            Ok(())
        }
    }
}

/// What the office does about a held registration.
fn next_step(reason: HeldReason) -> &'static str {
    match reason {
        HeldReason::ParticipantExists => {
            "同じ番号が既に登録済み。同一人物か申込書で確認し、別人なら新しい番号で登録し直してください / \
             the number is registered already: check the application; if another person, register them under a new number"
        }
        HeldReason::Ineligible => {
            "申込書の生年月日・申込日・居住または勤務を確認し、本人に連絡してください / \
             check the birth date, application date and area on the application, and contact the applicant"
        }
        HeldReason::EnrolmentFull => {
            "定員に達しています。定員を増やす (registration-rules set --cap) か、本人に連絡してください / \
             the cap is reached: raise it (registration-rules set --cap) or contact the applicant"
        }
        _ => "内容を確認してください / look into it",
    }
}

/// Runs `registrations`.
pub async fn registrations(ctx: &Ctx, command: RegistrationsCommand) -> anyhow::Result<()> {
    let RegistrationsCommand::Held { program } = command;
    let held = ctx
        .storage()
        .held_registrations(program.as_ref())
        .await
        .context("保留中の登録を読めません / cannot read the held registrations")?;
    // Record the view per program shown (participant numbers are printed).
    let mut programs: Vec<&ProgramId> = held.iter().map(|h| &h.program).collect();
    programs.sort();
    programs.dedup();
    for p in programs {
        let shown: Vec<String> = held
            .iter()
            .filter(|h| &h.program == p)
            .map(|h| h.participant.clone())
            .collect();
        ctx.record_view("registrations_held", p, &shown).await?;
    }
    if held.is_empty() {
        println!("保留中の登録はありません / no registrations are held");
        return Ok(());
    }
    let offset = match &program {
        Some(p) => ctx.program_rules(p).await?.utc_offset_minutes,
        None => 540,
    };
    println!("プログラム / program\t端末 / station\t参加者 / participant\t日時 / at\t理由 / reason\t対応 / what to do");
    for h in &held {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            h.program,
            h.station,
            h.participant,
            time::format(h.at, offset),
            h.reason.words(),
            next_step(h.reason)
        );
    }
    println!("{} 件 / held", held.len());
    Ok(())
}

/// Runs `calibrations`.
pub async fn calibrations(ctx: &Ctx, args: CalibrationsArgs) -> anyhow::Result<()> {
    let records = ctx
        .storage()
        .calibrations(args.program.as_ref(), args.station.as_ref())
        .await
        .context("校正の記録を読めません / cannot read the calibration records")?;
    if records.is_empty() {
        println!("校正の記録はありません / no calibration records");
        return Ok(());
    }
    let offset = match &args.program {
        Some(p) => ctx.program_rules(p).await?.utc_offset_minutes,
        None => 540,
    };
    let or_dash = |v: &Option<String>| {
        v.clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "—".into())
    };
    println!(
        "端末 / station\t機種 / model\t製造番号 / serial\t技術者 / technician\t日時 / checked\t結果 / result\t\
         最大偏差 / worst deviation\t次回点検 / next check\t検定 / verified\t定期検査 / inspected\t次回定期検査 / inspection due"
    );
    for r in &records {
        let c = &r.record;
        let worst = c
            .reference_checks
            .iter()
            .map(|k| k.deviation_kg)
            .max_by(|a, b| a.abs().total_cmp(&b.abs()));
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.station,
            c.analyzer_model,
            c.analyzer_serial,
            if c.technician.is_empty() {
                "—"
            } else {
                &c.technician
            },
            time::format(r.checked_at, offset),
            if c.passed {
                "合格 / passed"
            } else {
                "不合格 / failed"
            },
            worst.map_or_else(|| "—".to_owned(), |d| format!("{d:+.2} kg")),
            if c.next_check_due.is_empty() {
                "—"
            } else {
                &c.next_check_due
            },
            or_dash(&c.verified_on),
            or_dash(&c.last_inspection),
            or_dash(&c.next_due),
        );
    }
    println!("{} 件 / records", records.len());
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_a_positive_number_or_none() {
        assert_eq!(parse_cap("none").unwrap(), None);
        assert_eq!(parse_cap("NONE").unwrap(), None);
        assert_eq!(parse_cap("300").unwrap(), Some(300));
        for bad in ["0", "-1", "many", ""] {
            assert!(parse_cap(bad).is_err(), "{bad}");
        }
    }
}
