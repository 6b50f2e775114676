//! `GET /healthz` (the process answers) and `GET /readyz` (the database answers too), for load
//! balancers and the fuzz script. No authentication; nothing but `ok` or what is wrong.
//!
//! Deliberately not here: any detail of the database error (logged by the error mapping).

use super::error::ApiErr;
use super::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use hakaru_wire::api::{ApiError, Health};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// Liveness: the server process answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses((status = 200, description = "The process is up", body = Health))
)]
pub(super) async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
    })
}

/// Readiness: the database answers too.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve stations", body = Health),
        (status = 503, description = "The database is unavailable", body = ApiError,
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    )
)]
pub(super) async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiErr> {
    // Whatever the database says, a server that cannot reach it is not ready.
    state.storage.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "not ready: the database does not answer");
        ApiErr::Unavailable
    })?;
    Ok(Json(Health {
        status: "ok".to_owned(),
    }))
}
