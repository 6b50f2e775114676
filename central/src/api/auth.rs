//! The bearer-token extractor: `Authorization: Bearer hk1.<id>.<secret>` → the calling
//! station's [`StationContext`], or 401 with `WWW-Authenticate: Bearer`.
//!
//! A refusal says the same words whether the header is missing, the token malformed, the id
//! unknown, the credential revoked or the secret wrong, so a caller learns nothing about which
//! credentials exist. Deliberately not here: hashing and constant-time comparison
//! ([`crate::auth`]) and what a station may touch once known (storage's program scoping).

use super::error::ApiErr;
use super::AppState;
use crate::auth::Credential;
use crate::storage::StationContext;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

/// The authenticated calling station.
#[derive(Debug, Clone)]
pub struct Station(pub StationContext);

/// Why a credential was refused (logged only; the caller always gets the same 401).
#[derive(Debug, Clone, Copy)]
enum Refusal {
    NoHeader,
    NotBearer,
    Malformed,
    UnknownId,
    Revoked,
    WrongSecret,
}

impl FromRequestParts<AppState> for Station {
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiErr> {
        let credential = match bearer_credential(parts) {
            Ok(c) => c,
            Err(why) => return Err(refuse(why, None)),
        };
        let Some(record) = state.storage.credential(credential.id()).await? else {
            return Err(refuse(Refusal::UnknownId, Some(credential.id().as_str())));
        };
        // Compare the secret first and always, so a revoked credential costs the same work.
        let secret_ok = credential.matches(&record.secret_hash);
        if !secret_ok {
            return Err(refuse(Refusal::WrongSecret, Some(credential.id().as_str())));
        }
        if record.revoked_at.is_some() {
            return Err(refuse(Refusal::Revoked, Some(credential.id().as_str())));
        }
        let now = state.now();
        state
            .storage
            .touch_station(&record.context.station, now)
            .await?;
        tracing::debug!(station = %record.context.station, "station authenticated");
        Ok(Station(record.context))
    }
}

fn bearer_credential(parts: &Parts) -> Result<Credential, Refusal> {
    let value = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or(Refusal::NoHeader)?
        .to_str()
        .map_err(|_| Refusal::NotBearer)?;
    let (scheme, token) = value.trim().split_once(' ').ok_or(Refusal::NotBearer)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Refusal::NotBearer);
    }
    Credential::parse(token).map_err(|_| Refusal::Malformed)
}

fn refuse(why: Refusal, credential_id: Option<&str>) -> ApiErr {
    // The credential id is public (not the secret); it helps the administrator find the station.
    tracing::info!(reason = ?why, credential = credential_id.unwrap_or("-"), "credential refused");
    ApiErr::CredentialRefused
}
