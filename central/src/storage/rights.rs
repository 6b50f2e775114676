//! Rights requests (開示・訂正・削除・利用停止・同意撤回): the request ledger with its due dates, and what carrying one out writes — the storage side, implemented by every backend.
//!
//! Deliberately not here: SQL (the backends' `rights` modules).

/// What every backend provides for this part of the lifecycle.
#[async_trait::async_trait]
pub trait RightsStorage: Send + Sync {}
