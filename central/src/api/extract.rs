//! Axum's JSON, query and path extractors with their rejections turned into [`ApiErr`], so a bad
//! body or query string gets the same JSON error body as everything else (axum's own rejections
//! are plain text).
//!
//! Deliberately not here: authentication (the `auth` module). Rejection details go back to the
//! caller who sent them and are never logged (they may quote personal values).

use super::error::ApiErr;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

/// A JSON body; rejections become [`ApiErr`].
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiErr;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiErr> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiErr {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiErr::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiErr::UnsupportedMediaType,
        StatusCode::UNPROCESSABLE_ENTITY => ApiErr::Unprocessable {
            code: "invalid_body",
            message: format!(
                "本文の JSON が API の型に合いません。送信側のソフトウェアを確認してください / \
                 the JSON body does not match the API's types: {}",
                rejection.body_text()
            ),
        },
        status if status.is_client_error() => ApiErr::BadRequest {
            code: "malformed_body",
            message: format!(
                "本文が正しい JSON ではありません。送信側のソフトウェアを確認してください / \
                 the body is not well-formed JSON: {}",
                rejection.body_text()
            ),
        },
        _ => ApiErr::Internal,
    }
}

/// A query string; rejections become 400 [`ApiErr`].
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiErr> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_rejection(&rejection)),
        }
    }
}

fn query_rejection(rejection: &QueryRejection) -> ApiErr {
    ApiErr::BadRequest {
        code: "invalid_query",
        message: format!(
            "クエリ文字列が正しくありません / the query string is not valid: {}",
            rejection.body_text()
        ),
    }
}

/// Path parameters; rejections become 400 [`ApiErr`].
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiErr> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(path_rejection(&rejection)),
        }
    }
}

fn path_rejection(rejection: &PathRejection) -> ApiErr {
    if rejection.status().is_client_error() {
        ApiErr::BadRequest {
            code: "invalid_path",
            message: "URL のパスが正しくありません (UTF-8 でない文字など) / \
                      the URL path is not valid (e.g. not UTF-8)"
                .to_owned(),
        }
    } else {
        tracing::error!(error = %rejection.body_text(), "path extraction failed");
        ApiErr::Internal
    }
}
