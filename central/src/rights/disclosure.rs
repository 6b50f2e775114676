//! The disclosure bundle (開示): everything the server holds about one participant, as one serde
//! structure — written as JSON as it is, and printed by `pdf`.
//!
//! Deliberately not here: reading it from storage (the backends' `rights` modules fill it) and
//! its layout on paper (`pdf`).

use crate::storage::rights::{CorrectionRecord, RightsRequest};
use crate::storage::Direction;
use hakaru_wire::api::{CardStatus, RosterEntry};
use hakaru_wire::Timestamp;
use std::fmt;
use uuid::Uuid;

/// Everything held about one participant.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Disclosure {
    /// The program.
    pub program: String,
    /// Pseudonymous participant number.
    pub participant: String,
    /// When this bundle was made.
    pub generated_at: Timestamp,
    /// The roster entry (none after erasure).
    pub profile: Option<RosterEntry>,
    /// Readings, newest first.
    pub measurements: Vec<DisclosedMeasurement>,
    /// Consent decisions, oldest first, with the hashes of the documents decided on.
    pub consents: Vec<DisclosedConsent>,
    /// Cards.
    pub cards: Vec<DisclosedCard>,
    /// Points.
    pub points: DisclosedPoints,
    /// Transfers between stations and the server that named them (委託 ledger).
    pub transfers: Vec<DisclosedTransfer>,
    /// Analysis exports that included them (仮名加工・匿名加工 records).
    pub exports: Vec<DisclosedExport>,
    /// Profile corrections made on request (old and new values).
    pub corrections: Vec<CorrectionRecord>,
    /// Their rights requests.
    pub rights_requests: Vec<RightsRequest>,
}

impl fmt::Debug for Disclosure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Disclosure")
            .field("program", &self.program)
            .field("participant", &format_args!("<redacted>"))
            .field("measurements", &self.measurements.len())
            .field("consents", &self.consents.len())
            .field("cards", &self.cards.len())
            .field("transfers", &self.transfers.len())
            .field("exports", &self.exports.len())
            .field("rights_requests", &self.rights_requests.len())
            .finish_non_exhaustive()
    }
}

/// One reading.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DisclosedMeasurement {
    /// The measurement's id.
    pub id: Uuid,
    /// When it was taken.
    pub taken_at: Timestamp,
    /// At which station.
    pub station: String,
    /// Weight only (implanted device).
    pub weight_only: bool,
    /// The values as the analyzer gave them.
    #[schema(value_type = Object)]
    pub values: serde_json::Value,
    /// Analyzer model.
    pub analyzer_model: Option<String>,
    /// Analyzer serial number.
    pub analyzer_serial: Option<String>,
}

impl fmt::Debug for DisclosedMeasurement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DisclosedMeasurement")
            .field("id", &self.id)
            .field("taken_at", &self.taken_at)
            .finish_non_exhaustive()
    }
}

/// One consent decision.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DisclosedConsent {
    /// Its id.
    pub id: Uuid,
    /// `given`, `refused` or `withdrawn`.
    pub action: String,
    /// Purposes granted.
    pub granted: Vec<String>,
    /// Purposes refused.
    pub refused: Vec<String>,
    /// SHA-256 of each document decided on.
    pub document_hashes: Vec<String>,
    /// `on_screen` or `staff_witnessed_paper`.
    pub method: String,
    /// Where (a station id, or `central`).
    pub station: String,
    /// When.
    pub decided_at: Timestamp,
}

impl fmt::Debug for DisclosedConsent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DisclosedConsent")
            .field("id", &self.id)
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}

/// One card.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DisclosedCard {
    /// `holder-serial`.
    pub card_id: String,
    /// Issued on (`YYYY-MM-DD`).
    pub issued: String,
    /// Last day of use, if limited.
    pub expires: Option<String>,
    /// Active or revoked.
    pub status: CardStatus,
}

/// Points: awards, exchanges and the balance.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct DisclosedPoints {
    /// Balance now.
    pub balance: i64,
    /// Awards, oldest first.
    pub awards: Vec<DisclosedAward>,
    /// Exchanges, oldest first.
    pub exchanges: Vec<DisclosedExchange>,
}

/// One award.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DisclosedAward {
    /// The rule.
    pub rule_id: String,
    /// The period it paid for.
    pub period_key: String,
    /// Points.
    pub points: i64,
    /// When.
    pub awarded_at: Timestamp,
    /// Cancellation reason, if cancelled.
    pub cancelled: Option<String>,
}

/// One exchange of points.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DisclosedExchange {
    /// Units exchanged.
    pub units: i64,
    /// Points taken.
    pub points: i64,
    /// When.
    pub at: Timestamp,
}

/// One transfer that named them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DisclosedTransfer {
    /// When.
    pub at: Timestamp,
    /// Which station.
    pub station: String,
    /// `received` (station → server) or `sent` (server → station).
    #[schema(value_type = String)]
    pub direction: Direction,
    /// 委託.
    pub label: String,
    /// Data items that moved.
    pub items: Vec<String>,
}

/// One analysis export that included them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DisclosedExport {
    /// When.
    pub at: Timestamp,
    /// `pseudonymised` or `anonymized`.
    pub kind: String,
    /// The consent purpose it served.
    pub purpose: String,
    /// Who received it.
    pub recipient: String,
    /// 仮名加工情報 or 匿名加工情報.
    pub label: String,
    /// Data items it held.
    pub items: Vec<String>,
}

/// The export records among `records` (station transfers are read with the bundle itself).
pub fn exports_of(records: Vec<crate::storage::export::TransferRecord>) -> Vec<DisclosedExport> {
    records
        .into_iter()
        .filter_map(|r| match r.kind {
            crate::storage::export::TransferKind::Export {
                kind,
                purpose,
                recipient,
            } => Some(DisclosedExport {
                at: r.at,
                kind: kind.name().to_owned(),
                purpose,
                recipient,
                label: r.label,
                items: r.items,
            }),
            crate::storage::export::TransferKind::Station { .. } => None,
        })
        .collect()
}
