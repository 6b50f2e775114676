//! Analysis exports (仮名加工 / 匿名加工): the rows an export reads, and the record of each export — the storage side, implemented by every backend.
//!
//! Deliberately not here: SQL (the backends' `export` modules).

/// What every backend provides for this part of the lifecycle.
#[async_trait::async_trait]
pub trait ExportStorage: Send + Sync {}
