//! Each program's privacy profile (controller, contractors, safety measures): what the public statements are generated from — the storage side, implemented by every backend.
//!
//! Deliberately not here: SQL (the backends' `statement` modules).

/// What every backend provides for this part of the lifecycle.
#[async_trait::async_trait]
pub trait StatementStorage: Send + Sync {}
