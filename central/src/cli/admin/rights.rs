//! `admin request …` and `admin disclose`: the ledger of rights requests (開示・訂正・消去・利用停止・
//! 同意の撤回) with their due dates, carrying a request out, and the disclosure of everything held
//! about a participant as JSON and as a printable PDF.
//!
//! Deliberately not here: what carrying out writes (storage, one transaction with its audit row)
//! and the PDF's layout (`hakaru_central::rights::pdf`).

use super::Ctx;
use anyhow::Context as _;
use hakaru_central::cards::sheet::DEFAULT_FONT_PATH;
use hakaru_central::ids::ProgramId;
use hakaru_central::rights::dates::Date;
use hakaru_central::rights::pdf::render_pdf;
use hakaru_central::storage::rights::{
    CarryOut, NewRightsRequest, Outcome, ProfileCorrection, RequestKind, RightsRequest,
};
use hakaru_wire::Sex;
use std::path::PathBuf;
use uuid::Uuid;

/// 権利行使の種類 / What was asked for.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum KindArg {
    /// 開示 / disclosure of everything held
    Disclosure,
    /// 訂正 / correction of profile fields
    Correction,
    /// 消去 / deletion
    Deletion,
    /// 利用停止 / stop of use
    StopUse,
    /// 同意の撤回 / withdrawal of consent
    Withdrawal,
}

impl From<KindArg> for RequestKind {
    fn from(k: KindArg) -> RequestKind {
        match k {
            KindArg::Disclosure => RequestKind::Disclosure,
            KindArg::Correction => RequestKind::Correction,
            KindArg::Deletion => RequestKind::Deletion,
            KindArg::StopUse => RequestKind::StopUse,
            KindArg::Withdrawal => RequestKind::Withdrawal,
        }
    }
}

/// 決定 / The decision.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum OutcomeArg {
    /// 認容 / granted
    Granted,
    /// 一部認容 / partly granted
    PartlyGranted,
    /// 不認容 / refused
    Refused,
}

impl From<OutcomeArg> for Outcome {
    fn from(o: OutcomeArg) -> Outcome {
        match o {
            OutcomeArg::Granted => Outcome::Granted,
            OutcomeArg::PartlyGranted => Outcome::PartlyGranted,
            OutcomeArg::Refused => Outcome::Refused,
        }
    }
}

/// 性別 / Sex.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SexArg {
    /// 男性 / male
    Male,
    /// 女性 / female
    Female,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// 請求を受け付けて台帳に記録 (期限は受付日から 30 日) / Enter a request in the ledger (due 30 days after it was received)
    Open {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// 参加者番号 / Participant number
        #[arg(long)]
        participant: String,
        /// 請求の種類 / What was asked for
        #[arg(long, value_enum)]
        kind: KindArg,
        /// 受付日 YYYY-MM-DD (日本時間、省略時は今日) / Day received, YYYY-MM-DD in Japan (default today)
        #[arg(long)]
        received: Option<String>,
        /// 本人確認の方法 (例: 窓口で運転免許証) / How identity was checked (e.g. driving licence at the counter)
        #[arg(long)]
        identity_check: String,
    },
    /// 請求の一覧 (期限超過に印) / List requests (overdue ones marked)
    List {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// この参加者の請求だけ / Only this participant's requests
        #[arg(long)]
        participant: Option<String>,
        /// 未決定のものだけ / Only open requests
        #[arg(long)]
        open: bool,
    },
    /// 請求の詳細と各端末への反映の確認 / A request, and whether each station has applied it
    Show {
        /// 請求 ID / Request id
        id: Uuid,
    },
    /// 期限を 1 回だけ最大 30 日延長 (理由は本人に通知) / Extend the period once, by at most 30 days (tell the requester why)
    Extend {
        /// 請求 ID / Request id
        id: Uuid,
        /// 延長日数 (1〜30) / Days to add (1 to 30)
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// 延長の理由 / Why
        #[arg(long)]
        reason: String,
    },
    /// 請求を決定 (一部認容・不認容は理由が必要) / Decide a request (a partial grant or refusal needs its ground)
    Decide {
        /// 請求 ID / Request id
        id: Uuid,
        /// 決定 / The decision
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
        /// 対応内容または不認容の根拠 / What was done, or the ground for refusing
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 請求を実行: 撤回・利用停止・訂正・消去 (各端末へ名簿同期で送信) / Carry a request out: withdrawal, stop of use, correction, deletion (sent to every station by roster sync)
    CarryOut {
        /// 請求 ID / Request id
        id: Uuid,
        /// 訂正: 生年月日 YYYY-MM-DD / Correction: birth date
        #[arg(long)]
        birth_date: Option<String>,
        /// 訂正: 性別 / Correction: sex
        #[arg(long, value_enum)]
        sex: Option<SexArg>,
        /// 訂正: 身長 cm (例 160.2) / Correction: height in cm (e.g. 160.2)
        #[arg(long)]
        height_cm: Option<f64>,
        /// 訂正: 体型コード (0 標準, 2 アスリート) / Correction: body type code (0 standard, 2 athletic)
        #[arg(long)]
        body_type: Option<u8>,
        /// 訂正: 植込み型医療機器 (true/false) / Correction: implanted device (true/false)
        #[arg(long)]
        implanted_device: Option<bool>,
    },
}

/// `admin disclose`: everything held about a participant.
#[derive(Debug, clap::Args)]
pub struct DiscloseArgs {
    /// プログラム ID / Program id
    #[arg(long)]
    program: ProgramId,
    /// 参加者番号 / Participant number
    #[arg(long)]
    participant: String,
    /// JSON の出力先 / Where to write the JSON
    #[arg(long)]
    json: Option<PathBuf>,
    /// PDF (A4、日英) の出力先 / Where to write the PDF (A4, Japanese and English)
    #[arg(long)]
    pdf: Option<PathBuf>,
    /// PDF に使う TrueType フォント / TrueType font for the PDF
    #[arg(long, default_value = DEFAULT_FONT_PATH)]
    font: PathBuf,
}

fn kind_words(kind: RequestKind) -> String {
    format!("{} / {}", kind.name_ja(), kind.name())
}

fn state(r: &RightsRequest, today: Date) -> String {
    match &r.decision {
        Some(d) => d.outcome.name().to_owned(),
        None if r.overdue(today) => "期限超過 / OVERDUE".to_owned(),
        None => "対応中 / open".to_owned(),
    }
}

fn print_request(r: &RightsRequest, today: Date) {
    println!("請求 / request      {}", r.id);
    println!("プログラム / program  {}", r.program);
    println!("参加者 / participant {}", r.participant);
    println!("種類 / kind         {}", kind_words(r.kind));
    println!("受付 / received     {}", r.received);
    println!("本人確認 / identity  {}", r.identity_check);
    println!("期限 / due          {}", r.due);
    if let Some(e) = &r.extension {
        println!("延長 / extended     {} 日 / days: {}", e.days, e.reason);
    }
    println!("状態 / state        {}", state(r, today));
    if let Some(d) = &r.decision {
        println!("決定の理由 / note    {}", d.note);
    }
    if let Some(c) = &r.carried_out {
        let seq = c.change_seq.map_or("-".to_owned(), |s| s.to_string());
        println!("実行 / carried out  変更番号 / change seq {seq}");
    }
}

pub async fn request(ctx: &Ctx, command: Command) -> anyhow::Result<()> {
    let storage = ctx.storage();
    let today = Date::in_japan(ctx.now());
    match command {
        Command::Open {
            program,
            participant,
            kind,
            received,
            identity_check,
        } => {
            let received = match received {
                Some(text) => Date::parse(&text)?,
                None => today,
            };
            let r = storage
                .open_rights_request(
                    &NewRightsRequest {
                        program,
                        participant,
                        kind: kind.into(),
                        received,
                        identity_check,
                    },
                    ctx.now(),
                )
                .await
                .context("請求を記録できません / cannot enter the request")?;
            println!(
                "請求 {} を受け付けました。回答期限は {} です / request {} entered; answer due by {}",
                r.id, r.due, r.id, r.due
            );
        }
        Command::List {
            program,
            participant,
            open,
        } => {
            let all = storage
                .rights_requests(&program, participant.as_deref())
                .await
                .context("請求を読めません / cannot read the requests")?;
            let shown: Vec<_> = all
                .iter()
                .filter(|r| !open || r.decision.is_none())
                .collect();
            if shown.is_empty() {
                println!("請求はありません / no requests");
                return Ok(());
            }
            println!(
                "{:<36}  {:<12}  {:<22}  {:<10}  {:<10}  状態 / state",
                "request", "participant", "kind", "received", "due"
            );
            for r in shown {
                println!(
                    "{:<36}  {:<12}  {:<22}  {:<10}  {:<10}  {}",
                    r.id.to_string(),
                    r.participant,
                    kind_words(r.kind),
                    r.received,
                    r.due,
                    state(r, today)
                );
            }
        }
        Command::Show { id } => {
            let r = storage
                .rights_request(id)
                .await?
                .with_context(|| format!("請求 {id} はありません / there is no request {id}"))?;
            print_request(&r, today);
            if r.carried_out.as_ref().and_then(|c| c.change_seq).is_some() {
                println!("端末への反映 / propagation to stations:");
                for s in storage.rights_propagation(id).await? {
                    let word = if s.confirmed {
                        "確認済み / confirmed by its next sync"
                    } else {
                        "未確認 / not yet confirmed"
                    };
                    println!("  {:<24} {word}", s.station.as_str());
                }
            }
        }
        Command::Extend { id, days, reason } => {
            let r = storage
                .extend_rights_request(id, days, &reason, ctx.now())
                .await
                .context("延長できません / cannot extend")?;
            println!(
                "期限を {} に延長しました。理由を本人に通知してください / due date extended to {}: tell the requester why",
                r.due, r.due
            );
        }
        Command::Decide { id, outcome, note } => {
            let r = storage
                .decide_rights_request(id, outcome.into(), &note, ctx.now())
                .await
                .context("決定を記録できません / cannot record the decision")?;
            println!(
                "請求 {} を決定しました: {} / request {} decided: {}",
                r.id,
                state(&r, today),
                r.id,
                state(&r, today)
            );
        }
        Command::CarryOut {
            id,
            birth_date,
            sex,
            height_cm,
            body_type,
            implanted_device,
        } => {
            let r = storage
                .rights_request(id)
                .await?
                .with_context(|| format!("請求 {id} はありません / there is no request {id}"))?;
            let correction = ProfileCorrection {
                birth_date,
                sex: sex.map(|s| match s {
                    SexArg::Male => Sex::Male,
                    SexArg::Female => Sex::Female,
                }),
                height_tenths_cm: height_cm.map(height_tenths).transpose()?,
                body_type,
                implanted_device,
            };
            let action = match r.kind {
                RequestKind::Withdrawal => CarryOut::Withdrawal,
                RequestKind::StopUse => CarryOut::StopUse,
                RequestKind::Deletion => CarryOut::Deletion,
                RequestKind::Correction => CarryOut::Correction(correction.clone()),
                RequestKind::Disclosure => anyhow::bail!(
                    "開示は `admin disclose` で作成し、`admin request decide` で決定を記録してください / \
                     make a disclosure with `admin disclose`, then record it with `admin request decide`"
                ),
            };
            if r.kind != RequestKind::Correction && !correction.fields().is_empty() {
                anyhow::bail!(
                    "訂正の項目は訂正請求にだけ指定できます / correction fields are only for a correction request"
                );
            }
            let done = storage
                .carry_out_rights_request(id, &action, ctx.now())
                .await
                .context("請求を実行できません / cannot carry the request out")?;
            let seq = done
                .carried_out
                .and_then(|c| c.change_seq)
                .map_or("-".to_owned(), |s| s.to_string());
            println!(
                "{} を実行しました (変更番号 {seq})。各端末の次の同期で反映を確認できます: `admin request show {id}` / \
                 carried out (change {seq}); each station's next sync confirms it: `admin request show {id}`",
                kind_words(done.kind)
            );
        }
    }
    Ok(())
}

fn height_tenths(cm: f64) -> anyhow::Result<u16> {
    let tenths = (cm * 10.0).round();
    if !(500.0..=2500.0).contains(&tenths) {
        anyhow::bail!("身長は 50〜250 cm で指定してください / give the height in cm, 50 to 250");
    }
    Ok(tenths as u16)
}

pub async fn disclose(ctx: &Ctx, args: DiscloseArgs) -> anyhow::Result<()> {
    if args.json.is_none() && args.pdf.is_none() {
        anyhow::bail!(
            "--json か --pdf (または両方) で出力先を指定してください / give --json or --pdf (or both)"
        );
    }
    let bundle = ctx
        .storage()
        .disclosure(&args.program, &args.participant, ctx.now())
        .await
        .context("開示データを読めません / cannot read the disclosure")?;
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&bundle)?;
        std::fs::write(path, text).with_context(|| {
            format!(
                "{} に書けません / cannot write {}",
                path.display(),
                path.display()
            )
        })?;
        println!("JSON: {}", path.display());
    }
    if let Some(path) = &args.pdf {
        let pdf = render_pdf(&bundle, &args.font)?;
        std::fs::write(path, pdf).with_context(|| {
            format!(
                "{} に書けません / cannot write {}",
                path.display(),
                path.display()
            )
        })?;
        println!("PDF: {}", path.display());
    }
    Ok(())
}

#[derive(Debug, clap::Subcommand)]
pub enum OperatorTokenCommand {
    /// 窓口用の操作者トークンを発行 (一度だけ表示) / Issue an operator token for a program office (shown once)
    Issue {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// 用途 (例: 北区窓口) / What it is for (e.g. the north ward counter)
        #[arg(long)]
        label: String,
    },
    /// 操作者トークンを失効 / Revoke an operator token
    Revoke {
        /// トークン ID (hko1.<ID>.… の ID) / Token id (the <id> in hko1.<id>.…)
        id: String,
    },
}

pub async fn operator_token(ctx: &Ctx, command: OperatorTokenCommand) -> anyhow::Result<()> {
    match command {
        OperatorTokenCommand::Issue { program, label } => {
            let token = hakaru_central::rights::operator::OperatorToken::generate()?;
            ctx.storage()
                .add_operator_token(
                    &program,
                    token.id(),
                    &label,
                    &token.secret_hash(),
                    ctx.now(),
                )
                .await
                .context("トークンを記録できません / cannot store the token")?;
            println!(
                "操作者トークン (この一度だけ表示します。安全に渡してください) / operator token (shown only now; hand it over safely):"
            );
            println!("{}", token.token());
        }
        OperatorTokenCommand::Revoke { id } => {
            ctx.storage()
                .revoke_operator_token(&id, ctx.now())
                .await
                .context("トークンを失効できません / cannot revoke the token")?;
            println!("トークン {id} を失効しました / token {id} revoked");
        }
    }
    Ok(())
}
