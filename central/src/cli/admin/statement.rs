//! `admin privacy-profile set|show` and `admin statement`: the program's privacy profile, and the
//! public statements generated from it with the purposes and documents in the database.
//!
//! Deliberately not here: what the statements say (`hakaru_central::statement`).

use super::Ctx;
use crate::cli::time;
use anyhow::Context as _;
use hakaru_central::ids::ProgramId;
use hakaru_central::statement::profile::PrivacyProfile;
use hakaru_central::statement::{file_register, public_statement, StatementInputs};
use hakaru_central::storage::statement::documents_in_force;
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum ProfileCommand {
    /// プライバシープロファイルを登録・更新 (central/privacy-profile.example.toml 参照) /
    /// Store the program's privacy profile (see central/privacy-profile.example.toml)
    Set {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// TOML ファイル / The TOML file
        #[arg(long)]
        file: PathBuf,
    },
    /// 登録済みのプロファイルを表示 / Show the stored profile
    Show {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StatementKind {
    /// 保有個人データに関する事項の公表 / The public statement on personal data held
    Public,
    /// 個人情報ファイル簿 / The register entry of the personal-information file
    FileRegister,
}

#[derive(Debug, clap::Args)]
pub struct StatementArgs {
    /// プログラム ID / Program id
    #[arg(long)]
    program: ProgramId,
    /// どの文書か / Which statement
    #[arg(long, value_enum, default_value = "public")]
    kind: StatementKind,
    /// 書き出すファイル (省略時は標準出力) / File to write (standard output if omitted)
    #[arg(long)]
    out: Option<PathBuf>,
}

pub async fn profile(ctx: &Ctx, command: ProfileCommand) -> anyhow::Result<()> {
    match command {
        ProfileCommand::Set { program, file } => {
            let text = super::read_text(&file)?;
            PrivacyProfile::parse(&text)?;
            ctx.storage()
                .set_privacy_profile(&program, &text, ctx.now())
                .await
                .context("プロファイルを保存できません / cannot store the profile")?;
            println!(
                "プライバシープロファイルを保存しました。`admin statement --program {program}` で公表文を作成できます / \
                 privacy profile stored: make the statement with `admin statement --program {program}`"
            );
            Ok(())
        }
        ProfileCommand::Show { program } => {
            let source = ctx
                .storage()
                .statement_source(&program)
                .await
                .context("プロファイルを読めません / cannot read the profile")?;
            match source.profile {
                Some(text) => print!("{text}"),
                None => println!("{}", no_profile(&program)),
            }
            Ok(())
        }
    }
}

fn no_profile(program: &ProgramId) -> String {
    format!(
        "プログラム {program} にはプライバシープロファイルがありません。central/privacy-profile.example.toml を写して記入し、\
         `admin privacy-profile set --program {program} --file <ファイル>` で登録してください / \
         program {program} has no privacy profile: copy central/privacy-profile.example.toml, fill it in and store it \
         with `admin privacy-profile set --program {program} --file <file>`"
    )
}

pub async fn statement(
    ctx: &Ctx,
    args: StatementArgs,
    transfer_record_years: u32,
) -> anyhow::Result<()> {
    let source = ctx
        .storage()
        .statement_source(&args.program)
        .await
        .context("公表文の材料を読めません / cannot read what the statement is made from")?;
    let Some(text) = source.profile else {
        anyhow::bail!(no_profile(&args.program));
    };
    let profile = PrivacyProfile::parse(&text)?;
    let offset = ctx.program_rules(&args.program).await?.utc_offset_minutes;
    let made_on = time::format(ctx.now(), offset)[..10].to_owned();
    let documents = documents_in_force(&source.documents, "ja", &made_on)
        .into_iter()
        .map(|d| (d.kind, d.version.clone(), d.effective.clone()))
        .collect();
    let inputs = StatementInputs {
        program_name_ja: source.program_name_ja,
        purposes: source.purposes,
        documents,
        transfer_record_years,
        profile,
        made_on,
    };
    let out = match args.kind {
        StatementKind::Public => public_statement(&inputs),
        StatementKind::FileRegister => file_register(&inputs),
    };
    match args.out {
        Some(path) => {
            std::fs::write(&path, out).with_context(|| {
                format!(
                    "{} に書き込めません。フォルダと権限を確認してください / cannot write {}: check the folder and permissions",
                    path.display(),
                    path.display()
                )
            })?;
            eprintln!(
                "{} を作成しました / wrote {}",
                path.display(),
                path.display()
            );
        }
        None => print!("{out}"),
    }
    Ok(())
}
