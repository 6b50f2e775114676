//! PostgreSQL backend (tokio-postgres). Being written.
