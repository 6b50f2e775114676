//! Embedded SQLite backend (rusqlite). Being written.
