//! `admin staff|document|purpose|participant`: what stations pull through the change feed (cards:
//! `admin card`, in `cards`).
//! Each command adds or replaces one thing; stations see it on their next sync.
//!
//! Deliberately not here: the feed itself (the backends). Staff passwords are read from
//! `HAKARU_STAFF_PASSWORD` or standard input, hashed with Argon2id, and never printed.

use super::{read_text, Ctx};
use crate::cli::time::is_date;
use anyhow::Context as _;
use argon2::password_hash::{PasswordHasher, SaltString};
use hakaru_central::ids::ProgramId;
use hakaru_wire::api::{
    DocumentKind, ParticipantStatus, PolicyDocument, PurposeDef, RosterEntry, StaffAccount,
    StaffRole,
};
use hakaru_wire::Sex;
use std::io::{BufRead as _, IsTerminal as _};
use std::path::PathBuf;

/// The environment variable a script sets instead of typing the staff password.
pub const STAFF_PASSWORD_ENV: &str = "HAKARU_STAFF_PASSWORD";
/// Shortest staff password accepted.
const MIN_PASSWORD_CHARS: usize = 8;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    /// イベントスタッフ (登録・カード) / Event staff (registration, cards)
    Staff,
    /// 技術者 (機器接続・設定・校正) / Technician (analyzer, settings, calibration)
    Technician,
    /// 管理者 (登録・カード・機器・校正のすべて) / Administrator (everything staff and technicians do)
    Admin,
}

#[derive(Debug, clap::Subcommand)]
pub enum StaffCommand {
    /// スタッフアカウントを追加・更新 (パスワードは環境変数 HAKARU_STAFF_PASSWORD か標準入力から) /
    /// Add or replace a staff account (password from HAKARU_STAFF_PASSWORD or standard input)
    Put {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// ログイン ID / Login id
        #[arg(long)]
        login: String,
        /// 表示名 / Display name
        #[arg(long)]
        display_name: String,
        /// 役割 / Role
        #[arg(long, value_enum, default_value = "staff")]
        role: RoleArg,
        /// 無効にする (サインイン不可) / Disable the account (it cannot sign in)
        #[arg(long)]
        disabled: bool,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum KindArg {
    /// 利用規約 / Terms of use
    Terms,
    /// プライバシーポリシー / Privacy policy
    PrivacyPolicy,
    /// 測定に関する説明 / Measurement notice
    MeasurementNotice,
}

#[derive(Debug, clap::Subcommand)]
pub enum DocumentCommand {
    /// 文書の版を公開 / Publish a document version
    Publish {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// 種類 / Kind
        #[arg(long, value_enum)]
        kind: KindArg,
        /// 版 (例 2026-04) / Version label (e.g. 2026-04)
        #[arg(long)]
        version: String,
        /// 言語 (ja または en) / Language (ja or en)
        #[arg(long)]
        language: String,
        /// 施行日 YYYY-MM-DD / Effective from, YYYY-MM-DD
        #[arg(long)]
        effective: String,
        /// 全文のファイル (UTF-8) / File with the full text (UTF-8)
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// 重要な変更: 全員に再同意を求める / Material change: everyone must consent again
        #[arg(long)]
        needs_fresh_consent: bool,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum PurposeCommand {
    /// 同意の目的を追加・更新 / Add or replace a consent purpose
    Put {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// 目的 ID (例 measurement) / Purpose id (e.g. measurement)
        #[arg(long)]
        id: String,
        /// 必須 (拒否すると測定できない) / Required (refusing it means no measurement)
        #[arg(long)]
        required: bool,
        /// 日本語の表示 / Japanese label
        #[arg(long)]
        label_ja: String,
        /// 英語の表示 / English label
        #[arg(long)]
        label_en: String,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SexArg {
    /// 男性 / Male
    Male,
    /// 女性 / Female
    Female,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StatusArg {
    /// 参加中 / Taking part
    Active,
    /// 退会 / Withdrawn
    Withdrawn,
    /// 利用停止 / Use of data stopped
    Stopped,
}

#[derive(Debug, clap::Subcommand)]
pub enum ParticipantCommand {
    /// 参加者を名簿に追加・更新 (デモ・試験用) / Add or replace a roster entry (for demos and tests)
    Put {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// 参加者番号 (仮名) / Participant number (pseudonymous)
        #[arg(long)]
        number: String,
        /// 生年月日 YYYY-MM-DD / Birth date, YYYY-MM-DD
        #[arg(long)]
        birth_date: String,
        /// 性別 / Sex
        #[arg(long, value_enum)]
        sex: SexArg,
        /// 身長 cm (0.1 cm 単位まで) / Height in cm (to 0.1 cm)
        #[arg(long)]
        height_cm: f64,
        /// 体型 (0 標準, 2 アスリート) / Body type (0 standard, 2 athletic)
        #[arg(long, default_value_t = 0)]
        body_type: u8,
        /// 植込み型医療機器あり (体重のみ測定) / Has an implanted device (weight only)
        #[arg(long)]
        implanted_device: bool,
        /// 状態 / Status
        #[arg(long, value_enum, default_value = "active")]
        status: StatusArg,
    },
}

pub async fn staff(ctx: &Ctx, command: StaffCommand) -> anyhow::Result<()> {
    let StaffCommand::Put {
        program,
        login,
        display_name,
        role,
        disabled,
    } = command;
    let password = read_password()?;
    let password_hash = hash_password(&password)?;
    let account = StaffAccount {
        login: login.clone(),
        display_name,
        role: match role {
            RoleArg::Staff => StaffRole::Staff,
            RoleArg::Technician => StaffRole::Technician,
            RoleArg::Admin => StaffRole::Admin,
        },
        password_hash,
        active: !disabled,
    };
    ctx.storage()
        .put_staff(&program, &account, ctx.now())
        .await
        .context("スタッフアカウントを保存できません / cannot store the staff account")?;
    println!("スタッフアカウントを保存しました / staff account stored: {login}");
    Ok(())
}

/// The password from the environment, else the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    let password = match std::env::var(STAFF_PASSWORD_ENV) {
        Ok(p) => p,
        Err(_) => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprintln!(
                    "パスワードを入力して Enter (画面に表示されます。人のいない所で) / \
                     type the password and press Enter (it is shown on screen: make sure no one is looking)"
                );
            }
            let mut line = String::new();
            stdin.lock().read_line(&mut line).context(
                "標準入力からパスワードを読めません / cannot read the password from standard input",
            )?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    if password.chars().count() < MIN_PASSWORD_CHARS {
        anyhow::bail!(
            "パスワードは {MIN_PASSWORD_CHARS} 文字以上にしてください (標準入力か {STAFF_PASSWORD_ENV} で渡します) / \
             the password must be at least {MIN_PASSWORD_CHARS} characters \
             (give it on standard input or in {STAFF_PASSWORD_ENV})"
        );
    }
    Ok(password)
}

/// Argon2id (default parameters) PHC string with a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| anyhow::anyhow!("乱数を取得できません / no random bytes: {e}"))?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt encoding failed: {e}"))?;
    let hash = argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| {
            anyhow::anyhow!("パスワードをハッシュできません / cannot hash the password: {e}")
        })?;
    Ok(hash.to_string())
}

pub async fn document(ctx: &Ctx, command: DocumentCommand) -> anyhow::Result<()> {
    let DocumentCommand::Publish {
        program,
        kind,
        version,
        language,
        effective,
        file,
        needs_fresh_consent,
    } = command;
    if !matches!(language.as_str(), "ja" | "en") {
        anyhow::bail!("--language は ja か en にしてください / --language must be ja or en");
    }
    if !is_date(&effective) {
        anyhow::bail!(
            "--effective は YYYY-MM-DD の日付にしてください / --effective must be a date, YYYY-MM-DD"
        );
    }
    let full_text = read_text(&file)?;
    let document = PolicyDocument {
        kind: match kind {
            KindArg::Terms => DocumentKind::Terms,
            KindArg::PrivacyPolicy => DocumentKind::PrivacyPolicy,
            KindArg::MeasurementNotice => DocumentKind::MeasurementNotice,
        },
        version: version.clone(),
        language: language.clone(),
        effective,
        full_text,
        needs_fresh_consent,
    };
    ctx.storage()
        .publish_document(&program, &document, ctx.now())
        .await
        .context("文書を公開できません / cannot publish the document")?;
    println!(
        "文書を公開しました / document published: {} {version} ({language})",
        document.kind.name()
    );
    Ok(())
}

pub async fn purpose(ctx: &Ctx, command: PurposeCommand) -> anyhow::Result<()> {
    let PurposeCommand::Put {
        program,
        id,
        required,
        label_ja,
        label_en,
    } = command;
    let purpose = PurposeDef {
        id: id.clone(),
        required,
        label_ja,
        label_en,
    };
    ctx.storage()
        .put_purpose(&program, &purpose, ctx.now())
        .await
        .context("同意の目的を保存できません / cannot store the purpose")?;
    println!("同意の目的を保存しました / purpose stored: {id}");
    Ok(())
}

pub async fn participant(ctx: &Ctx, command: ParticipantCommand) -> anyhow::Result<()> {
    let ParticipantCommand::Put {
        program,
        number,
        birth_date,
        sex,
        height_cm,
        body_type,
        implanted_device,
        status,
    } = command;
    if !is_date(&birth_date) {
        anyhow::bail!(
            "--birth-date は YYYY-MM-DD の日付にしてください / --birth-date must be a date, YYYY-MM-DD"
        );
    }
    let tenths = (height_cm * 10.0).round();
    if !(500.0..=2500.0).contains(&tenths) {
        anyhow::bail!(
            "--height-cm は 50〜250 にしてください / --height-cm must be between 50 and 250"
        );
    }
    let entry = RosterEntry {
        participant: number,
        birth_date,
        sex: match sex {
            SexArg::Male => Sex::Male,
            SexArg::Female => Sex::Female,
        },
        // Checked to lie in 500..=2500 above, so the cast is exact.
        height_tenths_cm: tenths as u16,
        body_type,
        implanted_device,
        status: match status {
            StatusArg::Active => ParticipantStatus::Active,
            StatusArg::Withdrawn => ParticipantStatus::Withdrawn,
            StatusArg::Stopped => ParticipantStatus::Stopped,
        },
    };
    ctx.storage()
        .put_participant(&program, &entry, ctx.now())
        .await
        .context("参加者を保存できません / cannot store the participant")?;
    // The number is personal: the admin typed it, so it is not repeated on the screen.
    println!("参加者を名簿に保存しました / participant stored on the roster");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHash, PasswordVerifier};

    #[test]
    fn staff_passwords_become_argon2id_phc_strings_that_verify() {
        let phc = hash_password("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(!phc.contains("correct horse"));
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(argon2::Argon2::default()
            .verify_password(b"correct horse", &parsed)
            .is_ok());
        assert!(argon2::Argon2::default()
            .verify_password(b"wrong", &parsed)
            .is_err());
        assert_ne!(hash_password("correct horse").unwrap(), phc, "salts differ");
    }
}
