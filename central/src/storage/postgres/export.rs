//! Analysis exports (仮名加工 / 匿名加工): the rows an export reads, and the record of each export — on postgres: its tables (part of schema version 3) and queries.
//!
//! Deliberately not here: the rules (`storage::export`).

use super::PostgresStorage;
use crate::storage::export::ExportStorage;

/// The tables.
pub(super) const SCHEMA: &str = "";

#[async_trait::async_trait]
impl ExportStorage for PostgresStorage {}
