//! Hakaru's central server: one per program (many municipalities, hundreds of stations).
//!
//! Stations upload their outbox events here exactly once in effect, pull the roster, card
//! revocations, policy documents and staff accounts, and get points back in the
//! acknowledgement. Storage sits behind one trait ([`storage::Storage`]) with an embedded SQLite
//! backend and a PostgreSQL backend for large programs.
//!
//! It is also the only place participant cards are made ([`cards`]): it holds each program's
//! card key and prints card sheets.
//!
//! Deliberately not here: anything a kiosk shows (the station and UI crates).

pub mod api;
pub mod auth;
pub mod cards;
pub mod civil_date;
pub mod config;
pub mod export;
pub mod ids;
pub mod points;
pub mod retention;
pub mod rights;
pub mod serve;
pub mod statement;
pub mod storage;
