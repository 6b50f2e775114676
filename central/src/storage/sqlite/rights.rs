//! Rights requests (開示・訂正・削除・利用停止・同意撤回): the request ledger with its due dates, and what carrying one out writes — on sqlite: its tables (part of schema version 3) and queries.
//!
//! Deliberately not here: the rules (`storage::rights`).

use super::SqliteStorage;
use crate::storage::rights::RightsStorage;

/// The tables.
pub(super) const SCHEMA: &str = "";

#[async_trait::async_trait]
impl RightsStorage for SqliteStorage {}
