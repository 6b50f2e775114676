//! `hakaru-central admin …`: the administrator's commands, acting directly on the database of
//! the same configuration as `serve` (the server may be running; every command is one
//! transaction). Each group lives in its own module.
//!
//! Deliberately not here: any HTTP (stations use the API; the admin works next to the database).

mod audit;
mod cards;
mod credential;
mod enrolment;
mod export;
mod oversight;
mod points;
mod rights;
mod roster;
mod statement;
mod structure;

use anyhow::Context as _;
use hakaru_central::config::{open_storage_as, Config};
use hakaru_central::ids::ProgramId;
use hakaru_central::points::PointsRules;
use hakaru_central::storage::audit::{entries, Actor};
use hakaru_central::storage::Storage;
use hakaru_wire::Timestamp;
use std::sync::Arc;

/// Arguments of `admin`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// プログラム (作成・表示・ポイント規則) / Programs (create, show, points rules)
    #[command(subcommand)]
    Program(structure::ProgramCommand),
    /// 自治体 / Municipalities
    #[command(subcommand)]
    Municipality(structure::MunicipalityCommand),
    /// 端末 (ステーション) / Stations
    #[command(subcommand)]
    Station(structure::StationCommand),
    /// 端末の認証情報 (発行・失効) / Station credentials (issue, revoke)
    #[command(subcommand)]
    Credential(credential::Command),
    /// スタッフアカウント / Staff accounts
    #[command(subcommand)]
    Staff(roster::StaffCommand),
    /// 規約・ポリシー文書 / Policy documents
    #[command(subcommand)]
    Document(roster::DocumentCommand),
    /// 同意の目的 / Consent purposes
    #[command(subcommand)]
    Purpose(roster::PurposeCommand),
    /// 参加者名簿 (デモ・試験用の登録) / Participant roster (for demos and tests)
    #[command(subcommand)]
    Participant(roster::ParticipantCommand),
    /// 参加者カード (発行・再発行・失効・一覧・印刷) / Participant cards (issue, reissue, revoke, list, print)
    #[command(subcommand)]
    Card(cards::Command),
    /// ポイント (付与履歴・残高・取消・交換) / Points (awards, balance, cancel, exchange)
    #[command(subcommand)]
    Points(points::Command),
    /// 端末ごとの同期状況 / Each station's sync status
    Status(oversight::StatusArgs),
    /// 個人データの提供記録 (端末との送受信・分析用の提供。一覧・参加者別・期限切れの削除) /
    /// Transfer records of personal data (station transfers, exports; list, per participant, purge)
    Ledger(oversight::LedgerArgs),
    /// 保留中のイベント / Events held for an administrator
    Held(oversight::HeldArgs),
    /// 説明会での登録の条件 (年齢・居住または勤務・定員) / Registration rules (age, area, cap)
    #[command(subcommand)]
    RegistrationRules(enrolment::RulesCommand),
    /// 端末からの登録 (保留中の一覧) / Registrations from stations (the held ones)
    #[command(subcommand)]
    Registrations(enrolment::RegistrationsCommand),
    /// 体組成計の校正の記録 / The analyzers' calibration records
    Calibrations(enrolment::CalibrationsArgs),
    /// 分析用の提供 (仮名加工・匿名加工) / Analysis exports (pseudonymised, anonymized)
    #[command(subcommand)]
    Export(export::Command),
    /// 監査ログ (検査・表示) / The audit log (verify, show)
    #[command(subcommand)]
    Audit(audit::Command),
    /// 権利行使の請求 (開示・訂正・消去・利用停止・同意の撤回: 受付・一覧・延長・決定・実行) /
    /// Rights requests (disclosure, correction, deletion, stop of use, withdrawal: open, list, extend, decide, carry out)
    #[command(subcommand)]
    Request(rights::Command),
    /// 保有個人データの開示 (JSON と印刷用 PDF) / Disclose everything held about a participant (JSON and printable PDF)
    Disclose(rights::DiscloseArgs),
    /// 窓口用 API の操作者トークン (発行・失効) / Operator tokens for the admin API (issue, revoke)
    #[command(subcommand)]
    OperatorToken(rights::OperatorTokenCommand),
    /// プライバシープロファイル (公表文の材料) / The program's privacy profile (what statements are made from)
    #[command(subcommand)]
    PrivacyProfile(statement::ProfileCommand),
    /// 公表文 (保有個人データの公表事項・個人情報ファイル簿) を作成 / Make the public statements
    Statement(statement::StatementArgs),
}

/// Runs one admin command.
pub async fn run(config: &Config, args: Args) -> anyhow::Result<()> {
    let actor = Actor::admin(&os_user());
    let storage = open_storage_as(config, actor.clone()).await?;
    let ctx = Ctx { storage, actor };
    match args.command {
        Command::Program(c) => structure::program(&ctx, c).await,
        Command::Municipality(c) => structure::municipality(&ctx, c).await,
        Command::Station(c) => structure::station(&ctx, c).await,
        Command::Credential(c) => credential::run(&ctx, c).await,
        Command::Staff(c) => roster::staff(&ctx, c).await,
        Command::Document(c) => roster::document(&ctx, c).await,
        Command::Purpose(c) => roster::purpose(&ctx, c).await,
        Command::Participant(c) => roster::participant(&ctx, c).await,
        Command::Card(c) => cards::run(&ctx, c).await,
        Command::Points(c) => points::run(&ctx, c).await,
        Command::Status(a) => oversight::status(&ctx, a).await,
        Command::Ledger(a) => oversight::ledger(&ctx, config, a).await,
        Command::Held(a) => oversight::held(&ctx, a).await,
        Command::RegistrationRules(c) => enrolment::rules(&ctx, c).await,
        Command::Registrations(c) => enrolment::registrations(&ctx, c).await,
        Command::Calibrations(a) => enrolment::calibrations(&ctx, a).await,
        Command::Export(c) => export::run(&ctx, config, c).await,
        Command::Audit(c) => audit::run(&ctx, c).await,
        Command::Request(c) => rights::request(&ctx, c).await,
        Command::Disclose(a) => rights::disclose(&ctx, a).await,
        Command::OperatorToken(c) => rights::operator_token(&ctx, c).await,
        Command::PrivacyProfile(c) => statement::profile(&ctx, c).await,
        Command::Statement(a) => {
            statement::statement(&ctx, a, config.privacy.transfer_record_years).await
        }
    }
}

/// The operating-system account running the command (`$USER`, else `$LOGNAME`), as the audit
/// log names it.
fn os_user() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|user| !user.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// What every admin command gets.
pub(crate) struct Ctx {
    storage: Arc<dyn Storage>,
    /// Who the audit log names (the storage handle names the same for its writes).
    actor: Actor,
}

impl Ctx {
    /// The database.
    pub(crate) fn storage(&self) -> &dyn Storage {
        self.storage.as_ref()
    }

    /// Records that personal data was shown (`view` names the command, e.g. `points_balance`;
    /// `participants` are the numbers shown, empty for the whole program). Call it after the
    /// data was read and before it is printed: a view that cannot be recorded is not shown.
    pub(crate) async fn record_view(
        &self,
        view: &str,
        program: &ProgramId,
        participants: &[String],
    ) -> anyhow::Result<()> {
        let entry = entries::data_viewed(&self.actor, view, program, participants);
        self.storage
            .record_audit(entry, self.now())
            .await
            .context("監査ログに記録できないため表示しません / not shown: cannot record the view in the audit log")
    }

    /// Now, by the system clock (binaries read the clock; the library takes it as a parameter).
    pub(crate) fn now(&self) -> Timestamp {
        #[allow(clippy::disallowed_methods)] // the admin binary is where "now" comes from
        Timestamp::from_system_time(std::time::SystemTime::now())
    }

    /// The program's rules, or an error saying how to create it.
    pub(crate) async fn program_rules(&self, program: &ProgramId) -> anyhow::Result<PointsRules> {
        let found = self
            .storage
            .program(program)
            .await
            .context("プログラムを読めません / cannot read the program")?;
        match found {
            Some(p) => Ok(p.rules),
            None => anyhow::bail!(
                "プログラム {program} はありません。`admin program create` で作成してください / \
                 there is no program {program}: create it with `admin program create`"
            ),
        }
    }
}

/// Reads a text file, saying which one on failure.
pub(crate) fn read_text(path: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| {
        format!(
            "ファイル {} を読めません。パスを確認してください / cannot read {}: check the path",
            path.display(),
            path.display()
        )
    })
}
