//! Each program's privacy profile (controller, contractors, safety measures): what the public statements are generated from — on postgres: its tables (part of schema version 3) and queries.
//!
//! Deliberately not here: the rules (`storage::statement`).

use super::PostgresStorage;
use crate::storage::statement::StatementStorage;

/// The tables.
pub(super) const SCHEMA: &str = "";

#[async_trait::async_trait]
impl StatementStorage for PostgresStorage {}
