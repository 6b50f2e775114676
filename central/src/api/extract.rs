//! Axum's JSON, query and path extractors with their rejections turned into [`ApiErr`], so a bad
//! body or query string gets the same JSON error body as everything else (axum's own rejections
//! are plain text).
//!
//! Deliberately not here: authentication (the `auth` module). Rejection details go back to the
//! caller who sent them and are never logged (they may quote personal values).

use super::error::ApiErr;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

/// A JSON body; rejections become [`ApiErr`].
///
/// Numbers are read as JSON Schema reads them: `13344.0` is an integer, so an integral float
/// where the type wants an integer is accepted (serde alone would refuse it). Bodies that
/// deserialize as sent are never rewritten.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiErr;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiErr> {
        if !is_json(req.headers()) {
            return Err(ApiErr::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiErr::PayloadTooLarge,
                _ => malformed(&rejection.body_text()),
            }
        })?;
        let mut value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| malformed(&e.to_string()))?;
        match T::deserialize(&value) {
            Ok(v) => Ok(ApiJson(v)),
            Err(first) => {
                let error = if integral_floats_to_integers(&mut value) {
                    match T::deserialize(&value) {
                        Ok(v) => return Ok(ApiJson(v)),
                        Err(second) => second,
                    }
                } else {
                    first
                };
                Err(ApiErr::Unprocessable {
                    code: "invalid_body",
                    message: format!(
                        "本文の JSON が API の型に合いません。送信側のソフトウェアを確認してください / \
                         the JSON body does not match the API's types: {error}"
                    ),
                })
            }
        }
    }
}

/// `application/json` or `application/<something>+json`, parameters ignored.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn malformed(detail: &str) -> ApiErr {
    ApiErr::BadRequest {
        code: "malformed_body",
        message: format!(
            "本文が正しい JSON ではありません。送信側のソフトウェアを確認してください / \
             the body is not well-formed JSON: {detail}"
        ),
    }
}

/// Rewrites floats with no fractional part (`13344.0`) as integers, except inside free-form
/// `values` objects (decoded readings keep their numbers as sent). Returns whether it changed
/// anything.
fn integral_floats_to_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let Some(parsed) = n.as_f64() else {
                return false;
            };
            // Exact: the workspace enables serde_json's `float_roundtrip`, so a large integral
            // number such as `-1861744619546647.0` parses without a stray fraction.
            let f = parsed;
            if !f.is_finite() || f.fract() != 0.0 {
                return false;
            }
            // 2^63 and 2^64 are exact as f64, so these ranges are exact.
            const TWO_63: f64 = 9_223_372_036_854_775_808.0;
            const TWO_64: f64 = 18_446_744_073_709_551_616.0;
            let integer = if (-TWO_63..TWO_63).contains(&f) {
                serde_json::Number::from(f as i64)
            } else if (0.0..TWO_64).contains(&f) {
                serde_json::Number::from(f as u64)
            } else {
                return false;
            };
            *n = integer;
            true
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, v| integral_floats_to_integers(v) | changed),
        Value::Object(map) => map.iter_mut().fold(false, |changed, (key, v)| {
            if key == "values" {
                changed
            } else {
                integral_floats_to_integers(v) | changed
            }
        }),
        _ => false,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_floats_become_integers_outside_values() {
        let mut v = serde_json::json!({
            "backlog_after": 13344.0,
            "events": [{"n": 2.0, "x": 2.5, "values": {"weight_kg": 61.0}}],
        });
        assert!(integral_floats_to_integers(&mut v));
        assert_eq!(v["backlog_after"], serde_json::json!(13344));
        assert_eq!(v["events"][0]["n"], serde_json::json!(2));
        assert_eq!(v["events"][0]["x"], serde_json::json!(2.5));
        assert_eq!(
            v["events"][0]["values"]["weight_kg"],
            serde_json::json!(61.0)
        );
        // Parsed from text, as a request body is: exact, so a large integral float converts
        // and one a quarter off an integer does not.
        let mut big: serde_json::Value = serde_json::from_str("-1861744619546647.0").unwrap();
        assert!(integral_floats_to_integers(&mut big));
        assert_eq!(big, serde_json::json!(-1_861_744_619_546_647_i64));
        let mut near: serde_json::Value = serde_json::from_str("-1861744619546647.25").unwrap();
        assert!(!integral_floats_to_integers(&mut near));
        let mut plain = serde_json::json!({"a": 1, "b": [2.5, 0.1]});
        assert!(!integral_floats_to_integers(&mut plain));
    }
}
