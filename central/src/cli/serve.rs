//! `hakaru-central serve`: opens the database, binds, and serves until Ctrl-C or SIGTERM; the
//! retention purge of transfer records runs beside it (at start, then daily).
//!
//! Deliberately not here: the routes (`hakaru_central::api`) and the accept loop
//! (`hakaru_central::serve`).

use anyhow::Context as _;
use hakaru_central::api::{self, AppState};
use hakaru_central::config::{open_storage, Config};
use hakaru_central::retention;
use std::net::SocketAddr;

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 待ち受けるアドレス (設定より優先、例 0.0.0.0:8780) / Address to listen on (overrides the config, e.g. 0.0.0.0:8780)
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<SocketAddr>,
}

/// Runs the server until a shutdown signal.
pub async fn run(config: &Config) -> anyhow::Result<()> {
    let database = config.database_choice()?;
    let storage = open_storage(config).await?;
    let tls = config.tls_files();
    let bound = hakaru_central::serve::bind(config.listen, tls.as_ref()).await?;
    let addr = bound.local_addr()?;
    let scheme = if bound.is_tls() { "https" } else { "http" };
    tracing::info!(%addr, scheme, database = %database, "hakaru-central listening");
    // Transfer records past their retention are purged now and daily, by the server itself.
    let purge = tokio::spawn(retention::run(
        storage.clone(),
        config.privacy.transfer_record_years,
        api::system_clock(),
        retention::PURGE_INTERVAL,
    ));
    let router = api::router(AppState::new(storage, api::system_clock()));
    let served = bound.serve(router, shutdown_signal()).await;
    purge.abort();
    served.context("サーバーが異常終了しました / the server stopped with an error")?;
    tracing::info!("hakaru-central stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutdown requested; finishing requests in flight");
}
