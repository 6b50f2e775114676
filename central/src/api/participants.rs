//! `GET /v1/participants/{number}/history` and `/points`: what a kiosk shows a participant who
//! signed in at a station other than the one that took their readings.
//!
//! A participant not on the caller's program roster is a 404, the same as one that does not
//! exist, so a station cannot probe other programs. Deliberately not here: the ledger entry for
//! the read (the backends write it in the same transaction). The number is never logged.

use super::auth::Station;
use super::changes::checked_limit;
use super::error::ApiErr;
use super::extract::{ApiPath, ApiQuery};
use super::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use hakaru_wire::api::{ApiError, History, PointsBalance};

/// Readings per history page when the station does not say.
pub const DEFAULT_HISTORY_LIMIT: u32 = 50;
/// The most readings one history answer may hold.
pub const MAX_HISTORY_LIMIT: u32 = 500;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/participants/{number}/history", get(history))
        .route("/v1/participants/{number}/points", get(points))
}

/// How many readings to return.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct HistoryQuery {
    /// At most this many readings, newest first (1–500, default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// A participant's readings, newest first.
#[utoipa::path(
    get,
    path = "/v1/participants/{number}/history",
    tag = "participants",
    params(
        ("number" = String, Path, description = "Pseudonymous participant number"),
        HistoryQuery,
    ),
    security(("station_token" = [])),
    responses(
        (status = 200, description = "The participant's readings, newest first", body = History),
        (status = 400, description = "The path or query string is not valid", body = ApiError),
        (status = 401, description = "The station credential was refused", body = ApiError,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The station may not read this participant", body = ApiError),
        (status = 404, description = "Not on the caller's program roster", body = ApiError),
        (status = 422, description = "`limit` is out of range", body = ApiError),
        (status = 500, description = "Internal error (details in the server log)", body = ApiError),
        (status = 503, description = "The database is unavailable: retry later", body = ApiError,
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    )
)]
pub(super) async fn history(
    State(state): State<AppState>,
    Station(caller): Station,
    ApiPath(number): ApiPath<String>,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> Result<Json<History>, ApiErr> {
    let limit = checked_limit(query.limit, DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT)?;
    let now = state.now();
    match state.storage.history(&caller, &number, limit, now).await? {
        Some(history) => Ok(Json(history)),
        None => Err(ApiErr::participant_not_found()),
    }
}

/// A participant's points balance.
#[utoipa::path(
    get,
    path = "/v1/participants/{number}/points",
    tag = "participants",
    params(("number" = String, Path, description = "Pseudonymous participant number")),
    security(("station_token" = [])),
    responses(
        (status = 200, description = "The participant's points", body = PointsBalance),
        (status = 400, description = "The path is not valid", body = ApiError),
        (status = 401, description = "The station credential was refused", body = ApiError,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The station may not read this participant", body = ApiError),
        (status = 404, description = "Not on the caller's program roster", body = ApiError),
        (status = 500, description = "Internal error (details in the server log)", body = ApiError),
        (status = 503, description = "The database is unavailable: retry later", body = ApiError,
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    )
)]
pub(super) async fn points(
    State(state): State<AppState>,
    Station(caller): Station,
    ApiPath(number): ApiPath<String>,
) -> Result<Json<PointsBalance>, ApiErr> {
    let now = state.now();
    match state.storage.points(&caller, &number, now).await? {
        Some(balance) => Ok(Json(balance)),
        None => Err(ApiErr::participant_not_found()),
    }
}
