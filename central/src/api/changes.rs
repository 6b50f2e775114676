//! `GET /v1/changes?since=N&limit=M`: the caller's program's roster, card, document, purpose and
//! staff changes after a cursor, oldest first.
//!
//! Deliberately not here: the feed's ordering and gap-freedom (the storage backends).

use super::auth::Station;
use super::error::ApiErr;
use super::extract::ApiQuery;
use super::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use hakaru_wire::api::{ApiError, ChangesPage};

/// Changes per page when the station does not say.
pub const DEFAULT_LIMIT: u32 = 500;
/// The most changes one page may hold.
pub const MAX_LIMIT: u32 = 1000;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/v1/changes", get(changes))
}

/// Where to read the change feed from.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ChangesQuery {
    /// The `next_cursor` of the previous page (0 for the first).
    #[serde(default)]
    #[param(minimum = 0)]
    since: u64,
    /// At most this many changes (1–1000, default 500).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// Read the change feed.
///
/// Pass the previous page's `next_cursor` as `since`; while `more` is true, ask again at once.
#[utoipa::path(
    get,
    path = "/v1/changes",
    tag = "sync",
    params(ChangesQuery),
    security(("station_token" = [])),
    responses(
        (status = 200, description = "Changes after the cursor, oldest first", body = ChangesPage),
        (status = 400, description = "The query string is not valid", body = ApiError),
        (status = 401, description = "The station credential was refused", body = ApiError,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The station may not read this feed", body = ApiError),
        (status = 422, description = "`limit` is out of range", body = ApiError),
        (status = 500, description = "Internal error (details in the server log)", body = ApiError),
        (status = 503, description = "The database is unavailable: retry later", body = ApiError,
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    )
)]
pub(super) async fn changes(
    State(state): State<AppState>,
    Station(caller): Station,
    ApiQuery(query): ApiQuery<ChangesQuery>,
) -> Result<Json<ChangesPage>, ApiErr> {
    let limit = checked_limit(query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    // Cursors are stored as signed 64-bit integers; the document says int64.
    if i64::try_from(query.since).is_err() {
        return Err(ApiErr::BadRequest {
            code: "invalid_query",
            message: "since は 0〜9223372036854775807 にしてください / \
                      since must be between 0 and 9223372036854775807"
                .to_owned(),
        });
    }
    let now = state.now();
    let page = state
        .storage
        .changes_since(&caller, query.since, limit, now)
        .await?;
    Ok(Json(page))
}

/// `limit` or its default, refused outside `1..=max` (a silent clamp would hide a client bug).
pub(super) fn checked_limit(limit: Option<u32>, default: u32, max: u32) -> Result<u32, ApiErr> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(ApiErr::Unprocessable {
            code: "invalid_limit",
            message: format!(
                "limit は 1〜{max} にしてください / limit must be between 1 and {max}"
            ),
        }),
    }
}
