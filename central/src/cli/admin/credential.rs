//! `admin credential issue|revoke`: station bearer tokens. The token is printed once (on
//! stdout, alone on its line, so scripts can capture it) and only its hash is stored.
//!
//! Deliberately not here: checking tokens on requests (the API's `auth` extractor).

use super::Ctx;
use anyhow::Context as _;
use hakaru_central::auth::Credential;
use hakaru_central::ids::{CredentialId, StationId};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// 端末の認証情報を発行 (トークンは一度だけ表示) / Issue a station credential (the token is shown once)
    Issue {
        /// 端末 ID / Station id
        #[arg(long)]
        station: StationId,
    },
    /// 認証情報を失効 (以後その端末の要求は 401) / Revoke a credential (the station's requests get 401 from now on)
    Revoke {
        /// 認証情報 ID (トークンの hk1. の次の部分) / Credential id (the part after `hk1.` in the token)
        #[arg(long)]
        id: CredentialId,
    },
}

pub async fn run(ctx: &Ctx, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Issue { station } => {
            let credential = Credential::generate()?;
            ctx.storage()
                .add_credential(
                    &station,
                    credential.id(),
                    &credential.secret_hash(),
                    ctx.now(),
                )
                .await
                .context("認証情報を保存できません / cannot store the credential")?;
            eprintln!(
                "端末 {station} の認証情報を発行しました (ID {id})。次の行のトークンを今すぐ端末の設定に保存してください。\n\
                 サーバーはハッシュしか保存しないため、トークンは二度と表示できません。\n\
                 Credential {id} issued for station {station}. Store the token on the next line in the \
                 station's settings now:\n\
                 it will not be shown again (the server keeps only its hash).",
                id = credential.id()
            );
            println!("{}", credential.token());
        }
        Command::Revoke { id } => {
            ctx.storage()
                .revoke_credential(&id, ctx.now())
                .await
                .context("認証情報を失効できません / cannot revoke the credential")?;
            println!(
                "認証情報 {id} を失効しました。この端末には新しい認証情報を発行してください / \
                 credential {id} revoked: issue the station a new one"
            );
        }
    }
    Ok(())
}
