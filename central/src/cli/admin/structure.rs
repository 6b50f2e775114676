//! `admin program|municipality|station`: the program's structure and its points rules.
//!
//! Deliberately not here: credentials (`credential`) and what stations pull (`roster`).

use super::{read_text, Ctx};
use anyhow::Context as _;
use hakaru_central::ids::{MunicipalityId, ProgramId, StationId};
use hakaru_central::points::PointsRules;
use hakaru_central::storage::{NewMunicipality, NewProgram, NewStation};
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum ProgramCommand {
    /// プログラムを作成 / Create a program
    Create {
        /// プログラム ID (英数字・-・_) / Program id (letters, digits, '-', '_')
        #[arg(long)]
        id: ProgramId,
        /// 日本語名 (カードに印刷) / Japanese name (printed on cards)
        #[arg(long)]
        name_ja: String,
        /// 英語名 / English name
        #[arg(long)]
        name_en: String,
        /// ポイント規則の TOML (省略時は既定の規則) / Points rules TOML (default rules if omitted)
        #[arg(long, value_name = "FILE")]
        points_rules: Option<PathBuf>,
    },
    /// プログラムとポイント規則を表示 / Show a program and its points rules
    Show {
        /// プログラム ID / Program id
        #[arg(long)]
        id: ProgramId,
    },
    /// ポイント規則を置き換え (以後の測定に適用) / Replace the points rules (for readings accepted from now on)
    SetPoints {
        /// プログラム ID / Program id
        #[arg(long)]
        id: ProgramId,
        /// ポイント規則の TOML / Points rules TOML
        #[arg(long, value_name = "FILE")]
        points_rules: PathBuf,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum MunicipalityCommand {
    /// 自治体を作成 / Create a municipality
    Create {
        /// 自治体 ID / Municipality id
        #[arg(long)]
        id: MunicipalityId,
        /// 所属するプログラム / The program it belongs to
        #[arg(long)]
        program: ProgramId,
        /// 日本語名 / Japanese name
        #[arg(long)]
        name_ja: String,
        /// 英語名 / English name
        #[arg(long)]
        name_en: String,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum StationCommand {
    /// 端末を登録 / Register a station
    Create {
        /// 端末 ID (端末のイベントに入る) / Station id (its events carry it)
        #[arg(long)]
        id: StationId,
        /// 設置する自治体 / The municipality it stands in
        #[arg(long)]
        municipality: MunicipalityId,
        /// 設置場所 (例: 北公民館) / Where it stands (e.g. "北公民館")
        #[arg(long)]
        place: String,
    },
}

fn load_rules(path: Option<&PathBuf>) -> anyhow::Result<PointsRules> {
    let text = match path {
        Some(p) => read_text(p)?,
        None => PointsRules::DEFAULT_TOML.to_owned(),
    };
    PointsRules::from_toml(&text).context(
        "ポイント規則を直してください (例: hakaru-central admin program show の出力) / \
         fix the points rules (see `admin program show` for an example)",
    )
}

pub async fn program(ctx: &Ctx, command: ProgramCommand) -> anyhow::Result<()> {
    match command {
        ProgramCommand::Create {
            id,
            name_ja,
            name_en,
            points_rules,
        } => {
            let rules = load_rules(points_rules.as_ref())?;
            let program = NewProgram {
                id: id.clone(),
                name_ja,
                name_en,
                rules,
            };
            ctx.storage()
                .create_program(&program, ctx.now())
                .await
                .context("プログラムを作成できません / cannot create the program")?;
            println!("プログラムを作成しました / program created: {id}");
        }
        ProgramCommand::Show { id } => {
            let Some(p) = ctx
                .storage()
                .program(&id)
                .await
                .context("プログラムを読めません / cannot read the program")?
            else {
                anyhow::bail!(
                    "プログラム {id} はありません。`admin program create` で作成してください / \
                     there is no program {id}: create it with `admin program create`"
                );
            };
            println!("プログラム / program: {}", p.id);
            println!("名称 / name: {} / {}", p.name_ja, p.name_en);
            println!(
                "カードのプログラム番号 / card program code: {}",
                p.card_code
            );
            let rules = toml::to_string_pretty(&p.rules)
                .context("ポイント規則を表示できません / cannot print the points rules")?;
            println!("# ポイント規則 / points rules");
            print!("{rules}");
        }
        ProgramCommand::SetPoints { id, points_rules } => {
            let rules = load_rules(Some(&points_rules))?;
            ctx.storage()
                .set_points_rules(&id, &rules, ctx.now())
                .await
                .context("ポイント規則を保存できません / cannot store the points rules")?;
            println!(
                "ポイント規則を更新しました (以後の測定に適用) / points rules replaced for {id} \
                 (they apply to readings accepted from now on)"
            );
        }
    }
    Ok(())
}

pub async fn municipality(ctx: &Ctx, command: MunicipalityCommand) -> anyhow::Result<()> {
    let MunicipalityCommand::Create {
        id,
        program,
        name_ja,
        name_en,
    } = command;
    let m = NewMunicipality {
        id: id.clone(),
        program,
        name_ja,
        name_en,
    };
    ctx.storage()
        .create_municipality(&m, ctx.now())
        .await
        .context("自治体を作成できません / cannot create the municipality")?;
    println!("自治体を作成しました / municipality created: {id}");
    Ok(())
}

pub async fn station(ctx: &Ctx, command: StationCommand) -> anyhow::Result<()> {
    let StationCommand::Create {
        id,
        municipality,
        place,
    } = command;
    let s = NewStation {
        id: id.clone(),
        municipality,
        place,
    };
    ctx.storage()
        .create_station(&s, ctx.now())
        .await
        .context("端末を登録できません / cannot register the station")?;
    println!(
        "端末を登録しました / station registered: {id}\n\
         次に `admin credential issue --station {id}` で認証情報を発行してください / \
         next, issue its credential with `admin credential issue --station {id}`"
    );
    Ok(())
}
