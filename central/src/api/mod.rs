//! The HTTP API stations call (`/v1/...`), health probes and the OpenAPI document, as one axum
//! [`Router`]. Each module owns its routes; this one joins them and adds what every request
//! gets: a request id (`x-request-id`, made if absent, echoed back and recorded in the request's
//! tracing span), a body limit, a time limit, and JSON error bodies for unknown paths and methods.
//!
//! Deliberately not here: sockets and TLS (the `serve` module), storage (behind
//! [`Storage`]), and reading the clock (injected as [`Clock`]). Nothing personal is logged: spans
//! carry the route *template* (`/v1/participants/{number}/points`), never the path itself.

mod auth;
mod changes;
pub mod error;
mod events;
mod extract;
mod health;
pub mod openapi;
mod participants;
mod rights;

pub use auth::Station;
pub use error::ApiErr;

use crate::storage::Storage;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hakaru_wire::Timestamp;
use std::sync::Arc;
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// The largest request body accepted (an upload batch).
pub const BODY_LIMIT_BYTES: usize = 16 * 1024 * 1024;
/// How long one request may take before it is answered with 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the server gets "now" from (the system clock in the binary, a fixed one in tests).
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The system clock. Only the binary and tests that need real time use it.
pub fn system_clock() -> Clock {
    #[allow(clippy::disallowed_methods)] // the one place the server reads the wall clock
    Arc::new(|| Timestamp::from_system_time(std::time::SystemTime::now()))
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub storage: Arc<dyn Storage>,
    /// The clock.
    pub clock: Clock,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    /// State over a storage and a clock.
    pub fn new(storage: Arc<dyn Storage>, clock: Clock) -> AppState {
        AppState { storage, clock }
    }

    /// The current time by the injected clock.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }
}

/// The whole API: `/v1/...`, `/healthz`, `/readyz`, `/openapi.json` and `/v1/openapi.json`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(events::router())
        .merge(changes::router())
        .merge(participants::router())
        .merge(rights::router())
        .merge(health::router())
        .merge(openapi::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(axum::middleware::from_fn(time_limit))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// The span of one request: method, route template and request id — never the concrete path
/// (it may hold a participant number) nor the query string.
fn request_span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", MatchedPath::as_str);
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        method = %request.method(),
        route = %route,
        request_id = %request_id,
    )
}

async fn time_limit(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("request timed out");
            ApiErr::Unavailable.into_response()
        }
    }
}

async fn not_found() -> ApiErr {
    ApiErr::NoRoute
}

async fn method_not_allowed() -> ApiErr {
    ApiErr::MethodNotAllowed
}
