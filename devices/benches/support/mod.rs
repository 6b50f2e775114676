//! Code the QR benches share.
#![allow(clippy::unwrap_used)] // bench setup: a failure here is a failed bench

pub mod decoders;
