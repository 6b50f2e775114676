//! (being written: see card/mod.rs)
