//! `POST /v1/events`: a station uploads a batch of outbox events and gets one acknowledgement
//! per event (with points for accepted measurements). Replaying a batch returns the same acks.
//!
//! Deliberately not here: idempotency, program scoping and points (the storage backends, in one
//! transaction). Nothing of the body is logged, only counts.

use super::auth::Station;
use super::error::ApiErr;
use super::extract::ApiJson;
use super::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use hakaru_wire::api::{ApiError, UploadRequest, UploadResponse};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/v1/events", post(upload))
}

/// Upload a batch of outbox events.
///
/// Every event must name the calling station. The server stores each event exactly once by its
/// id; an event it cannot apply is kept as *held* for an administrator. Either way the station
/// may drop the events it got an acknowledgement for.
#[utoipa::path(
    post,
    path = "/v1/events",
    tag = "sync",
    request_body(content = UploadRequest, content_type = "application/json"),
    security(("station_token" = [])),
    responses(
        (status = 200, description = "One acknowledgement per event, in the request's order", body = UploadResponse),
        (status = 400, description = "The body is not well-formed JSON", body = ApiError),
        (status = 401, description = "The station credential was refused", body = ApiError,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "An event names another station; nothing was stored", body = ApiError),
        (status = 404, description = "Something the batch refers to does not exist", body = ApiError),
        (status = 409, description = "The batch conflicts with what is stored", body = ApiError),
        (status = 413, description = "The body is over the size limit: send fewer events", body = ApiError),
        (status = 415, description = "The body is not `application/json`", body = ApiError),
        (status = 422, description = "The body does not match the types, or a value is impossible", body = ApiError),
        (status = 500, description = "Internal error (details in the server log)", body = ApiError),
        (status = 503, description = "The database is unavailable: retry later", body = ApiError,
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    )
)]
pub(super) async fn upload(
    State(state): State<AppState>,
    Station(caller): Station,
    ApiJson(batch): ApiJson<UploadRequest>,
) -> Result<Json<UploadResponse>, ApiErr> {
    // Stored as a signed 64-bit integer; the document says int64.
    if i64::try_from(batch.backlog_after).is_err() {
        return Err(ApiErr::Unprocessable {
            code: "invalid_body",
            message: "backlog_after が大きすぎます / backlog_after is out of range".to_owned(),
        });
    }
    let now = state.now();
    let response = state.storage.ingest(&caller, &batch, now).await?;
    tracing::info!(
        station = %caller.station,
        events = batch.events.len(),
        backlog_after = batch.backlog_after,
        "batch ingested"
    );
    Ok(Json(response))
}
