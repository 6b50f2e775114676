//! The admin API for a program office, authenticated with an operator token
//! (`Authorization: Bearer hko1.<id>.<secret>`, issued by `admin operator-token issue`):
//! `POST /v1/admin/requests`, `GET /v1/admin/requests`, `GET /v1/admin/requests/{id}` and
//! `GET /v1/admin/participants/{number}/disclosure`. A token serves one program; anything of
//! another program is a 404. Writes and the disclosure name the operator in the audit log
//! (`admin:operator-<token id>`).
//!
//! Deliberately not here: carrying requests out and issuing tokens (the admin CLI, next to the
//! database), station credentials (`auth`). Participant numbers are never logged.

use super::error::ApiErr;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::AppState;
use crate::ids::ProgramId;
use crate::rights::dates::Date;
use crate::rights::disclosure::Disclosure;
use crate::rights::operator::OperatorToken;
use crate::storage::audit::Actor;
use crate::storage::rights::{
    NewRightsRequest, RequestKind, RightsRequest, RightsStorage, StationConfirmation,
};
use axum::extract::{FromRequestParts, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hakaru_wire::api::ApiError;
use std::sync::Arc;
use uuid::Uuid;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/requests", get(list).post(open))
        .route("/v1/admin/requests/{id}", get(show))
        .route(
            "/v1/admin/participants/{number}/disclosure",
            get(disclosure),
        )
}

/// The authenticated operator: their program, and the storage naming them in the audit log.
pub struct Operator {
    program: ProgramId,
    rights: Arc<dyn RightsStorage>,
}

impl std::fmt::Debug for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operator")
            .field("program", &self.program)
            .finish_non_exhaustive()
    }
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiErr> {
        let refused = |why: &str| {
            tracing::info!(reason = why, "operator token refused");
            ApiErr::CredentialRefused
        };
        let value = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| refused("no header"))?;
        let (scheme, token) = value
            .trim()
            .split_once(' ')
            .ok_or_else(|| refused("not bearer"))?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(refused("not bearer"));
        }
        let token = OperatorToken::parse(token).map_err(|_| refused("malformed"))?;
        let record = state
            .storage
            .operator_token(token.id())
            .await?
            .ok_or_else(|| refused("unknown id"))?;
        if !token.matches(&record.secret_hash) {
            return Err(refused("wrong secret"));
        }
        if record.revoked_at.is_some() {
            return Err(refused("revoked"));
        }
        let actor = Actor::admin(&format!("operator-{}", record.id));
        Ok(Operator {
            program: record.program,
            rights: state.storage.rights_as(actor),
        })
    }
}

/// A request as received by the program office.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct OpenRequest {
    /// Pseudonymous participant number.
    #[schema(min_length = 1, pattern = r"\S")]
    pub participant: String,
    /// What was asked for.
    pub kind: RequestKind,
    /// Day received, `YYYY-MM-DD` in Japan (default: today).
    #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub received: Option<String>,
    /// How the requester's identity was checked.
    #[schema(min_length = 1, pattern = r"\S")]
    pub identity_check: String,
}

impl std::fmt::Debug for OpenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenRequest")
            .field("participant", &format_args!("<redacted>"))
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A request and, once carried out, whether each station's next sync confirmed it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RequestStatus {
    /// The request.
    pub request: RightsRequest,
    /// Still open after its due date (Japan time).
    pub overdue: bool,
    /// Per station of the program (empty until carried out).
    pub stations: Vec<StationConfirmation>,
}

/// Which requests to list.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// Only this participant's requests.
    participant: Option<String>,
}

impl std::fmt::Debug for ListQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListQuery").finish_non_exhaustive()
    }
}

/// Enter a rights request in the ledger (due 30 days after it was received).
#[utoipa::path(
    post,
    path = "/v1/admin/requests",
    tag = "admin",
    request_body(content = OpenRequest, content_type = "application/json"),
    security(("operator_token" = [])),
    responses(
        (status = 201, description = "Entered; the answer is due by `due`", body = RightsRequest),
        (status = 400, description = "The body is not well-formed JSON", body = ApiError),
        (status = 401, description = "The operator token was refused", body = ApiError,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The operator may not do this", body = ApiError),
        (status = 413, description = "The body is over the size limit", body = ApiError),
        (status = 415, description = "The body is not `application/json`", body = ApiError),
        (status = 422, description = "A value is missing or impossible", body = ApiError),
        (status = 500, description = "Internal error (details in the server log)", body = ApiError),
        (status = 503, description = "The database is unavailable: retry later", body = ApiError),
    )
)]
pub(super) async fn open(
    State(state): State<AppState>,
    operator: Operator,
    ApiJson(body): ApiJson<OpenRequest>,
) -> Result<(StatusCode, Json<RightsRequest>), ApiErr> {
    let now = state.now();
    let received = match &body.received {
        Some(text) => Date::parse(text).map_err(|e| ApiErr::Unprocessable {
            code: "invalid_body",
            message: e.to_string(),
        })?,
        None => Date::in_japan(now),
    };
    let request = operator
        .rights
        .open_rights_request(
            &NewRightsRequest {
                program: operator.program.clone(),
                participant: body.participant,
                kind: body.kind,
                received,
                identity_check: body.identity_check,
            },
            now,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(request)))
}

/// The program's rights requests, oldest first.
#[utoipa::path(
    get,
    path = "/v1/admin/requests",
    tag = "admin",
    params(ListQuery),
    security(("operator_token" = [])),
    responses(
        (status = 200, description = "The requests, oldest first", body = [RightsRequest]),
        (status = 400, description = "The path or query string is not valid", body = ApiError),
        (status = 401, description = "The operator token was refused", body = ApiError,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The operator may not do this", body = ApiError),
        (status = 500, description = "Internal error (details in the server log)", body = ApiError),
        (status = 503, description = "The database is unavailable: retry later", body = ApiError),
    )
)]
pub(super) async fn list(
    operator: Operator,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<RightsRequest>>, ApiErr> {
    let requests = operator
        .rights
        .rights_requests(&operator.program, query.participant.as_deref())
        .await?;
    Ok(Json(requests))
}

/// One request, with each station's confirmation once it was carried out.
#[utoipa::path(
    get,
    path = "/v1/admin/requests/{id}",
    tag = "admin",
    params(("id" = Uuid, Path, description = "The request's id")),
    security(("operator_token" = [])),
    responses(
        (status = 200, description = "The request and its propagation", body = RequestStatus),
        (status = 400, description = "The id is not a UUID", body = ApiError),
        (status = 401, description = "The operator token was refused", body = ApiError,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The operator may not do this", body = ApiError),
        (status = 404, description = "No such request in the operator's program", body = ApiError),
        (status = 500, description = "Internal error (details in the server log)", body = ApiError),
        (status = 503, description = "The database is unavailable: retry later", body = ApiError),
    )
)]
pub(super) async fn show(
    State(state): State<AppState>,
    operator: Operator,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<RequestStatus>, ApiErr> {
    let not_found =
        || ApiErr::NotFound(format!("請求 {id} はありません / there is no request {id}"));
    let request = operator
        .rights
        .rights_request(id)
        .await?
        .filter(|r| r.program == operator.program.as_str())
        .ok_or_else(not_found)?;
    let stations = if request.carried_out.is_some() {
        operator.rights.rights_propagation(id).await?
    } else {
        Vec::new()
    };
    Ok(Json(RequestStatus {
        overdue: request.overdue(Date::in_japan(state.now())),
        request,
        stations,
    }))
}

/// Everything held about a participant (recorded in the audit log as a data view).
#[utoipa::path(
    get,
    path = "/v1/admin/participants/{number}/disclosure",
    tag = "admin",
    params(("number" = String, Path, description = "Pseudonymous participant number")),
    security(("operator_token" = [])),
    responses(
        (status = 200, description = "The disclosure bundle", body = Disclosure),
        (status = 400, description = "The path or query string is not valid", body = ApiError),
        (status = 401, description = "The operator token was refused", body = ApiError,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The operator may not do this", body = ApiError),
        (status = 500, description = "Internal error (details in the server log)", body = ApiError),
        (status = 503, description = "The database is unavailable: retry later", body = ApiError),
    )
)]
pub(super) async fn disclosure(
    State(state): State<AppState>,
    operator: Operator,
    ApiPath(number): ApiPath<String>,
) -> Result<Json<Disclosure>, ApiErr> {
    let bundle = operator
        .rights
        .disclosure(&operator.program, &number, state.now())
        .await?;
    Ok(Json(bundle))
}
